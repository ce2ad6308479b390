# shellcheck shell=bash
# Throwaway PostgreSQL and Redis for one script run, sourced by scripts/test.sh (the project's test
# command) and benchmarks/load.sh (its `cluster` command). Not executable on its own.
#
#   SERVICES_LOG_TAG=my-script     # prefix of the log lines on stderr   [services]
#   source scripts/services.sh
#   services_prepare               # finds (or, as root, apt-get installs) both; exits if it cannot
#   trap services_cleanup_and_exit EXIT   # or call services_stop from the caller's own EXIT trap
#   services_start_postgres        # sets PG_PORT PG_DB PG_USER PG_PASSWORD PG_BIN_DIR PG_DIR
#   services_start_redis           # sets REDIS_PORT REDIS_PID REDIS_BIN
#   ...
#   services_stop                  # stops whatever was started and deletes the directory
#
# The database: PostgreSQL 15 binaries (/usr/lib/postgresql/15/bin, or $PG_BIN), a new cluster in a
# temporary directory (under $CIPHERTALK_PG_TMPDIR, default /tmp), listening on 127.0.0.1 and a free
# port only, owned by the non-root `postgres` user when run as root (PostgreSQL refuses to run as
# root), password authentication with a random password, fsync off (the data is thrown away), one
# database $PG_DB owned by $PG_USER (a superuser of this cluster only).
# If the binaries are missing and we are root, `apt-get install -y postgresql` installs them.
#
# Redis: redis-server ($REDIS_SERVER, or on the PATH; when missing and we are root,
# `apt-get install -y redis-server`), on 127.0.0.1 and a free port, no persistence (no RDB, no AOF),
# started in the background of the calling shell (so its pid is ours to kill) and killed by
# services_stop.

services_log() { echo "[${SERVICES_LOG_TAG:-services}] $*" >&2; }

services_find_pg_bin() {
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

services_find_redis() {
  local c
  for c in "${REDIS_SERVER:-}" "$(command -v redis-server 2>/dev/null || true)" /usr/bin/redis-server; do
    if [[ -n "$c" && -x "$c" ]]; then echo "$c"; return 0; fi
  done
  return 1
}

PG_BIN_DIR=
REDIS_BIN=
PG_DIR=
PG_DATA=
PG_STARTED=0
PG_PORT=
PG_USER=ciphertalk
PG_DB=ciphertalk_test
PG_PASSWORD=
REDIS_PID=
REDIS_PORT=

# Finds both servers' binaries, installing them with apt-get when missing and root; sets
# PG_BIN_DIR, REDIS_BIN and as_pg (runs a command as the `postgres` user when we are root).
services_prepare() {
  PG_BIN_DIR="$(services_find_pg_bin || true)"
  if [[ -z "$PG_BIN_DIR" ]]; then
    if [[ "$(id -u)" -ne 0 ]]; then
      services_log "PostgreSQL not found (looked in \$PG_BIN and /usr/lib/postgresql/*/bin);"
      services_log "install it (apt-get install postgresql) or set PG_BIN to the directory holding initdb and pg_ctl."
      exit 1
    fi
    services_log "PostgreSQL not found: apt-get install -y postgresql"
    # policy-rc.d exit 101 would stop the package's own cluster from starting, but we do not own
    # that file; the Debian package's service does not start without an init system anyway, and
    # ours runs on another port in another directory.
    DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql </dev/null >&2
    PG_BIN_DIR="$(services_find_pg_bin)" || { services_log "apt-get installed no initdb"; exit 1; }
  fi

  REDIS_BIN="$(services_find_redis || true)"
  if [[ -z "$REDIS_BIN" ]]; then
    if [[ "$(id -u)" -ne 0 ]]; then
      services_log "redis-server not found (looked at \$REDIS_SERVER and the PATH);"
      services_log "install it (apt-get install redis-server) or set REDIS_SERVER to its path."
      exit 1
    fi
    services_log "redis-server not found: apt-get install -y redis-server"
    # The package's own service needs an init system to start; ours runs on its own port anyway.
    DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server </dev/null >&2
    REDIS_BIN="$(services_find_redis)" || { services_log "apt-get installed no redis-server"; exit 1; }
  fi

  # PostgreSQL will not run as root: run it as `postgres` (created if missing) when we are root.
  as_pg() { "$@"; }
  if [[ "$(id -u)" -eq 0 ]]; then
    if ! id postgres >/dev/null 2>&1; then
      services_log "creating the system user postgres"
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
}

# Stops Redis and PostgreSQL if they were started and deletes their directory. Safe to call twice.
services_stop() {
  if [[ -n "$REDIS_PID" ]]; then
    kill "$REDIS_PID" 2>/dev/null || true
    wait "$REDIS_PID" 2>/dev/null || true
    REDIS_PID=
    services_log "Redis stopped"
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
    PG_STARTED=0
    services_log "PostgreSQL stopped ($((SECONDS - t0)) s)"
  fi
  if [[ -n "$PG_DIR" ]]; then
    rm -rf "$PG_DIR"
    PG_DIR=
  fi
}

services_port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# initdb, start on a free port, create $PG_DB. Needs services_prepare; exits if it cannot start.
services_start_postgres() {
  local t_start=$SECONDS attempt opts
  PG_PASSWORD="$(LC_ALL=C tr -dc 'A-Za-z0-9' </dev/urandom | head -c 24 || true)"
  if [[ "$(id -u)" -eq 0 ]]; then chown postgres: "$PG_DIR"; fi
  chmod 700 "$PG_DIR"
  printf '%s\n' "$PG_PASSWORD" > "$PG_DIR/pwfile"
  if [[ "$(id -u)" -eq 0 ]]; then chown postgres: "$PG_DIR/pwfile"; fi
  as_pg "$PG_BIN_DIR/initdb" -D "$PG_DATA" -U "$PG_USER" --pwfile="$PG_DIR/pwfile" \
    --auth=scram-sha-256 --encoding=UTF8 --locale=C >"$PG_DIR/initdb.log" 2>&1 \
    || { cat "$PG_DIR/initdb.log" >&2; services_log "initdb failed"; exit 1; }
  rm -f "$PG_DIR/pwfile"

  # A free port: pick one at random and start on it; another process may take it between the
  # check and the bind, so a failed start tries another port.
  for attempt in 1 2 3 4 5; do
    PG_PORT=$((20000 + RANDOM % 40000))
    services_port_free "$PG_PORT" || continue
    # Unix socket in our own directory (/var/run/postgresql may not exist on a fresh machine).
    opts="-c listen_addresses=127.0.0.1 -c port=$PG_PORT -c unix_socket_directories=$PG_DIR"
    opts+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off ${SERVICES_PG_OPTS:-}"
    PG_STARTED=1
    if as_pg "$PG_BIN_DIR/pg_ctl" -D "$PG_DATA" -l "$PG_DIR/server.log" -o "$opts" -w -t 60 start \
        >/dev/null 2>&1 </dev/null; then
      break
    fi
    PG_STARTED=0
    services_log "PostgreSQL did not start on port $PG_PORT (attempt $attempt):"
    tail -n 5 "$PG_DIR/server.log" >&2 || true
    PG_PORT=
  done
  if [[ -z "${PG_PORT:-}" || "$PG_STARTED" -ne 1 ]]; then services_log "could not start PostgreSQL"; exit 1; fi

  PGPASSWORD="$PG_PASSWORD" "$PG_BIN_DIR/createdb" \
    -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" "$PG_DB" </dev/null
  services_log "PostgreSQL $("$PG_BIN_DIR/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT ready ($((SECONDS - t_start)) s)"
}

# redis-server on a free port, no persistence, loopback only. Needs services_prepare (its log goes to
# $PG_DIR); exits if it cannot start.
services_start_redis() {
  local t_start=$SECONDS attempt port
  REDIS_PORT=
  # Foreground process in the background of this shell (so its pid is ours to kill); a port
  # taken between the check and the bind makes it exit: try another.
  for attempt in 1 2 3 4 5; do
    port="$((20000 + RANDOM % 40000))"
    services_port_free "$port" || continue
    "$REDIS_BIN" --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
      --dir "$PG_DIR" --logfile "$PG_DIR/redis.log" </dev/null >/dev/null 2>&1 &
    REDIS_PID=$!
    for _ in $(seq 1 100); do
      if ! kill -0 "$REDIS_PID" 2>/dev/null; then break; fi
      if ! services_port_free "$port"; then REDIS_PORT="$port"; break; fi
      sleep 0.05
    done
    [[ -n "$REDIS_PORT" ]] && break
    kill "$REDIS_PID" 2>/dev/null || true
    wait "$REDIS_PID" 2>/dev/null || true
    REDIS_PID=
    services_log "Redis did not start on port $port (attempt $attempt):"
    tail -n 5 "$PG_DIR/redis.log" >&2 || true
  done
  if [[ -z "$REDIS_PORT" ]]; then services_log "could not start Redis"; exit 1; fi
  services_log "Redis $("$REDIS_BIN" --version | sed -n 's/.*v=\([0-9.]*\).*/\1/p') on 127.0.0.1:$REDIS_PORT ready ($((SECONDS - t_start)) s)"
}

# The JDBC URL of the started database (it carries the password: pass it through the environment,
# not a command line others can read in `ps`).
services_pg_jdbc_url() {
  echo "jdbc:postgresql://127.0.0.1:$PG_PORT/$PG_DB?user=$PG_USER&password=$PG_PASSWORD"
}

# An EXIT trap: stops both and exits with the script's status.
services_cleanup_and_exit() {
  local rc=$?
  trap - EXIT INT TERM HUP
  services_stop
  exit "$rc"
}

# Stops the services on any exit, and turns INT/TERM/HUP into that exit (the caller's traps).
services_traps() {
  trap services_cleanup_and_exit EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  trap 'exit 129' HUP
}
