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
# tests as -Dciphertalk.test.redisUrl=redis://127.0.0.1:PORT.
# Exits with Maven's exit code if it failed, else the JavaScript tests' (or 1 if the database could
# not be started).
set -euo pipefail
cd "$(dirname "$0")/.."

log() { echo "[test.sh] $*" >&2; }

find_pg_bin() {
  local d
  for d in "${PG_BIN:-}" /usr/lib/postgresql/15/bin; do
    if [[ -n "$d" && -x "$d/initdb" && -x "$d/pg_ctl" ]]; then echo "$d"; return 0; fi
  done
  # Another major version (e.g. what apt installed on a newer distribution), newest first.
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5,5 -rn); do
    if [[ -x "$d/initdb" && -x "$d/pg_ctl" ]]; then echo "$d"; return 0; fi
  done
  return 1
}

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

PG_BIN_DIR="$(find_pg_bin || true)"
if [[ -z "$PG_BIN_DIR" ]]; then
  if [[ "$(id -u)" -ne 0 ]]; then
    log "PostgreSQL not found (looked in \$PG_BIN and /usr/lib/postgresql/*/bin);"
    log "install it (apt-get install postgresql) or set PG_BIN to the directory holding initdb and pg_ctl."
    exit 1
  fi
  log "PostgreSQL not found: apt-get install -y postgresql"
  # policy-rc.d exit 101 would stop the package's own cluster from starting, but we do not own
  # that file; the Debian package's service does not start without an init system anyway, and
  # ours runs on another port in another directory.
  DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql </dev/null >&2
  PG_BIN_DIR="$(find_pg_bin)" || { log "apt-get installed no initdb"; exit 1; }
fi

find_redis() {
  local c
  for c in "${REDIS_SERVER:-}" "$(command -v redis-server 2>/dev/null || true)" /usr/bin/redis-server; do
    if [[ -n "$c" && -x "$c" ]]; then echo "$c"; return 0; fi
  done
  return 1
}
REDIS_BIN="$(find_redis || true)"
if [[ -z "$REDIS_BIN" ]]; then
  if [[ "$(id -u)" -ne 0 ]]; then
    log "redis-server not found (looked at \$REDIS_SERVER and the PATH);"
    log "install it (apt-get install redis-server) or set REDIS_SERVER to its path."
    exit 1
  fi
  log "redis-server not found: apt-get install -y redis-server"
  # The package's own service needs an init system to start; ours runs on its own port anyway.
  DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server </dev/null >&2
  REDIS_BIN="$(find_redis)" || { log "apt-get installed no redis-server"; exit 1; }
fi

# PostgreSQL will not run as root: run it as `postgres` (created if missing) when we are root.
as_pg() { "$@"; }
if [[ "$(id -u)" -eq 0 ]]; then
  if ! id postgres >/dev/null 2>&1; then
    log "creating the system user postgres"
    useradd --system --user-group --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin postgres
  fi
  if command -v runuser >/dev/null 2>&1; then
    as_pg() { runuser -u postgres -- "$@"; }
  else
    as_pg() { su -s /bin/sh postgres -c "$(printf '%q ' "$@")"; }
  fi
fi

PG_DIR="$(mktemp -d "${CIPHERTALK_PG_TMPDIR:-/tmp}/ciphertalk-pg.XXXXXX")"
PG_DATA="$PG_DIR/data"
PG_STARTED=0
REDIS_PID=

cleanup() {
  local rc=$?
  trap - EXIT INT TERM HUP
  if [[ -n "$REDIS_PID" ]]; then
    kill "$REDIS_PID" 2>/dev/null || true
    wait "$REDIS_PID" 2>/dev/null || true
    log "Redis stopped"
  fi
  if [[ "$PG_STARTED" -eq 1 ]]; then
    local t0=$SECONDS
    if ! as_pg "$PG_BIN_DIR/pg_ctl" -D "$PG_DATA" -m immediate -w -t 30 stop >/dev/null 2>&1; then
      # pg_ctl failed (e.g. the server already died): kill what is left of the postmaster.
      if [[ -f "$PG_DATA/postmaster.pid" ]]; then
        local pid
        pid="$(head -n 1 "$PG_DATA/postmaster.pid")"
        [[ -n "$pid" ]] && kill -9 "$pid" 2>/dev/null || true
      fi
    fi
    log "PostgreSQL stopped ($((SECONDS - t0)) s)"
  fi
  rm -rf "$PG_DIR"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

PG_USER=ciphertalk
PG_DB=ciphertalk_test
PG_PASSWORD="$(LC_ALL=C tr -dc 'A-Za-z0-9' </dev/urandom | head -c 24 || true)"

t_start=$SECONDS
if [[ "$(id -u)" -eq 0 ]]; then chown postgres: "$PG_DIR"; fi
chmod 700 "$PG_DIR"
printf '%s\n' "$PG_PASSWORD" > "$PG_DIR/pwfile"
if [[ "$(id -u)" -eq 0 ]]; then chown postgres: "$PG_DIR/pwfile"; fi
as_pg "$PG_BIN_DIR/initdb" -D "$PG_DATA" -U "$PG_USER" --pwfile="$PG_DIR/pwfile" \
  --auth=scram-sha-256 --encoding=UTF8 --locale=C >"$PG_DIR/initdb.log" 2>&1 \
  || { cat "$PG_DIR/initdb.log" >&2; log "initdb failed"; exit 1; }
rm -f "$PG_DIR/pwfile"

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# A free port: pick one at random and start on it; another process may take it between the
# check and the bind, so a failed start tries another port.
for attempt in 1 2 3 4 5; do
  PG_PORT=$((20000 + RANDOM % 40000))
  port_free "$PG_PORT" || continue
  # Unix socket in our own directory (/var/run/postgresql may not exist on a fresh machine).
  opts="-c listen_addresses=127.0.0.1 -c port=$PG_PORT -c unix_socket_directories=$PG_DIR"
  opts+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  PG_STARTED=1
  if as_pg "$PG_BIN_DIR/pg_ctl" -D "$PG_DATA" -l "$PG_DIR/server.log" -o "$opts" -w -t 60 start \
      >/dev/null 2>&1 </dev/null; then
    break
  fi
  PG_STARTED=0
  log "PostgreSQL did not start on port $PG_PORT (attempt $attempt):"
  tail -n 5 "$PG_DIR/server.log" >&2 || true
  PG_PORT=
done
if [[ -z "${PG_PORT:-}" || "$PG_STARTED" -ne 1 ]]; then log "could not start PostgreSQL"; exit 1; fi

PGPASSWORD="$PG_PASSWORD" "$PG_BIN_DIR/createdb" \
  -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" "$PG_DB" </dev/null
log "PostgreSQL $("$PG_BIN_DIR/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT ready ($((SECONDS - t_start)) s)"

# Redis: foreground process in the background of this shell (so its pid is ours to kill), no
# persistence, loopback only; a port taken between the check and the bind makes it exit: try another.
t_start=$SECONDS
REDIS_PORT=
for attempt in 1 2 3 4 5; do
  port="$((20000 + RANDOM % 40000))"
  port_free "$port" || continue
  "$REDIS_BIN" --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
    --dir "$PG_DIR" --logfile "$PG_DIR/redis.log" </dev/null >/dev/null 2>&1 &
  REDIS_PID=$!
  for _ in $(seq 1 100); do
    if ! kill -0 "$REDIS_PID" 2>/dev/null; then break; fi
    if ! port_free "$port"; then REDIS_PORT="$port"; break; fi
    sleep 0.05
  done
  [[ -n "$REDIS_PORT" ]] && break
  kill "$REDIS_PID" 2>/dev/null || true
  wait "$REDIS_PID" 2>/dev/null || true
  REDIS_PID=
  log "Redis did not start on port $port (attempt $attempt):"
  tail -n 5 "$PG_DIR/redis.log" >&2 || true
done
if [[ -z "$REDIS_PORT" ]]; then log "could not start Redis"; exit 1; fi
log "Redis $("$REDIS_BIN" --version | sed -n 's/.*v=\([0-9.]*\).*/\1/p') on 127.0.0.1:$REDIS_PORT ready ($((SECONDS - t_start)) s)"

set +e
./mvnw -B verify \
  "-Dciphertalk.test.postgresUrl=jdbc:postgresql://127.0.0.1:$PG_PORT/$PG_DB?user=$PG_USER&password=$PG_PASSWORD" \
  "-Dciphertalk.test.redisUrl=redis://127.0.0.1:$REDIS_PORT" \
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
