#!/usr/bin/env bash
# Server load: CipherTalk beside the bare reference relay at the same settings, on 127.0.0.1 only.
#
#   benchmarks/load.sh                 # the full comparison (suite): max fan-out, latency at half rate, idle scale
#   benchmarks/load.sh compare --mode open --rate 5000 --clients 200
#   benchmarks/load.sh run --target ciphertalk --mode closed --jfr /tmp/ct.jfr
#   benchmarks/load.sh catchup          # the SDK client pipeline: queue catch-up, pipelined sends, live latency
#   benchmarks/load.sh cluster          # 1 vs 2 nodes on a throwaway PostgreSQL + Redis, then a node kill
#   benchmarks/load.sh --help
#
# Results (JSON and markdown) go to benchmarks/target/load/. Set LOAD_REBUILD=1 to rebuild the jar first,
# LOAD_JAVA_OPTS for extra JVM options (e.g. LOAD_JAVA_OPTS=-XX:StartFlightRecording=filename=/tmp/c.jfr).
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=benchmarks/target/benchmarks.jar
if [[ ! -f "$JAR" || "${LOAD_REBUILD:-0}" == 1 ]]; then
  ./mvnw -B -q -pl benchmarks -am package -DskipTests
fi
# 10,000 idle connections hold ~20,000 descriptors across the generator and the forked server:
# raise the soft limit to the hard limit (allowed without privileges).
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if (( $(ulimit -n) < 12000 )); then
  echo "warning: ulimit -n is $(ulimit -n); an idle-scale run of 10,000 connections may fail (use --idle-target)" >&2
fi
cmd=${1:-suite}
shift || true
if [[ "$cmd" == cluster ]]; then
  # A throwaway PostgreSQL 15 (fsync off, as the non-root postgres user when we are root) and a
  # throwaway redis-server (no persistence), both on free 127.0.0.1 ports, started and always stopped
  # by the same functions as scripts/test.sh. The nodes and the generator get their URLs through
  # the environment (the database URL carries the password).
  SERVICES_LOG_TAG=load.sh
  # shellcheck source=../scripts/services.sh
  source scripts/services.sh
  services_prepare
  services_traps
  services_start_postgres
  services_start_redis
  CIPHERTALK_LOAD_DB_URL="$(services_pg_jdbc_url)"
  CIPHERTALK_LOAD_REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
  export CIPHERTALK_LOAD_DB_URL CIPHERTALK_LOAD_REDIS_URL
  echo "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  # shellcheck disable=SC2086
  java -Xmx1g -XX:+UseG1GC ${LOAD_JAVA_OPTS:-} -cp "$JAR" io.ciphertalk.benchmarks.load.LoadGenerator cluster "$@" && rc=0 || rc=$?
  echo "load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  exit "$rc"
fi
# shellcheck disable=SC2086
exec java -Xmx1g -XX:+UseG1GC ${LOAD_JAVA_OPTS:-} -cp "$JAR" io.ciphertalk.benchmarks.load.LoadGenerator "$cmd" "$@"
