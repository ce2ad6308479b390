#!/usr/bin/env bash
# The project's test command (README, .ci/run): starts a throwaway PostgreSQL and a throwaway Redis,
# runs `./mvnw -B verify` against them, and always stops and deletes them; then runs the JavaScript
# tests (`npm ci && npm test` in ciphertalk-js/, Node.js 20+; `npm test` first bundles the web app),
# whose interop part starts the server and console jars and InteropPeer that the Maven build just
# made, and whose browser part runs the web app in Debian's `chromium` (installed with apt-get when
# missing and we are root). Either failing
# fails the script (CIPHERTALK_SKIP_JS=1 skips the JavaScript part, e.g. with Maven arguments
# that select a few Java tests).
#
#   scripts/test.sh [extra Maven arguments]
#   e.g. scripts/test.sh -pl ciphertalk-core -am -Dtest='*Postgres*' -Dsurefire.failIfNoSpecifiedTests=false
#
# The database: PostgreSQL 15 binaries (/usr/lib/postgresql/15/bin, or $PG_BIN), a new cluster in a
# temporary directory, listening on 127.0.0.1 and a free port only, owned by the non-root `postgres`
# user when run as root (PostgreSQL refuses to run as root), password authentication with a random
# password, fsync off (the data is thrown away). Its JDBC URL reaches the tests as
# -Dciphertalk.test.postgresUrl; each PostgreSQL suite works in its own fresh schema.
# If the binaries are missing and we are root, `apt-get install -y postgresql` installs them.
#
# Redis (the cluster tests' notification bus): redis-server ($REDIS_SERVER, or on the PATH; when
# missing and we are root, `apt-get install -y redis-server`), on 127.0.0.1 and a free port, no
# persistence (no RDB, no AOF), started in the background and killed on exit. Its URL reaches the
# tests as -Dciphertalk.test.redisUrl=redis://127.0.0.1:PORT, and the binary's path as
# -Dciphertalk.test.redisServer (ShadedJarsIT starts its own TLS-only redis-server with it).
# Both are started and stopped by scripts/services.sh (shared with benchmarks/load.sh cluster).
# Exits with Maven's exit code if it failed, else the JavaScript tests' (or 1 if the database could
# not be started).
set -euo pipefail
cd "$(dirname "$0")/.."

log() { echo "[test.sh] $*" >&2; }

# The start/stop logic is shared with benchmarks/load.sh (its `cluster` command).
SERVICES_LOG_TAG=test.sh
# shellcheck source=scripts/services.sh
source scripts/services.sh

# Node.js 20+ with npm for ciphertalk-js (WebCrypto X25519/Ed25519 in Node; @noble/post-quantum).
# Installed with apt-get when missing and we are root. `npm ci` installs exactly package-lock.json.
run_js_tests() {
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    if [[ "$(id -u)" -ne 0 ]]; then
      log "node/npm not found: install Node.js 20+ (apt-get install nodejs npm) to run the JavaScript tests"
      return 1
    fi
    log "node/npm not found: apt-get install -y nodejs npm"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm </dev/null >&2
  fi
  local major
  major="$(node -p 'process.versions.node.split(".")[0]')"
  if [[ "$major" -lt 20 ]]; then
    log "Node.js $(node --version) is too old for ciphertalk-js: it needs 20 or later"
    return 1
  fi
  # The browser tests (ciphertalk-js/test/browser.test.js) drive Debian's chromium through
  # playwright-core, which downloads no browser: install the package when missing.
  if [[ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]]; then
    if [[ "$(id -u)" -ne 0 ]]; then
      log "chromium not found: install it (apt-get install chromium) or set CHROMIUM to its path"
      return 1
    fi
    log "chromium not found: apt-get install -y chromium"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium </dev/null >&2
  fi
  log "JavaScript tests: node $(node --version), npm $(npm --version), $("${CHROMIUM:-/usr/bin/chromium}" --version 2>/dev/null || echo 'chromium ?')"
  (cd ciphertalk-js && npm ci --no-audit --no-fund --loglevel=error && npm test)
}

services_prepare
services_traps
services_start_postgres
services_start_redis

set +e
./mvnw -B verify \
  "-Dciphertalk.test.postgresUrl=jdbc:postgresql://127.0.0.1:$PG_PORT/$PG_DB?user=$PG_USER&password=$PG_PASSWORD" \
  "-Dciphertalk.test.redisUrl=redis://127.0.0.1:$REDIS_PORT" \
  "-Dciphertalk.test.redisServer=$REDIS_BIN" \
  "$@"
mvn_rc=$?
set -e

# The JavaScript protocol core (ciphertalk-js/): its tests reproduce docs/test-vectors in Node.
# Run even when Maven failed, so one run reports both; either failure fails the build.
js_rc=0
if [[ "${CIPHERTALK_SKIP_JS:-0}" == 1 ]]; then
  log "CIPHERTALK_SKIP_JS=1: JavaScript tests skipped"
else
  run_js_tests || js_rc=$?
fi
if [[ "$mvn_rc" -ne 0 ]]; then exit "$mvn_rc"; fi
exit "$js_rc"
