# shellcheck shell=bash
# tests/scripts/lib.sh — helpers shared by the script tests. Source it:
#
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#
#   pass NAME / fail NAME [DETAIL]   print "PASS: NAME" / "FAIL: NAME" and count
#   check NAME CMD...                run CMD (output hidden unless it fails); pass or fail
#   finish                           print "N passed, M failed"; exit 1 if any failed
#   cleanup CMD...                   run CMD when the script exits (last registered runs first)
#   make_tmpdir VAR                  mktemp -d into VAR, removed on exit
#   free_port                        print a TCP port nothing on this machine uses
#   start_redis [PORT]               redis-server on 127.0.0.1:PORT, no persistence; sets
#                                    REDIS_PORT, REDIS_URL, REDIS_PID; stopped on exit
#   stop_redis
#   start_postgres [PORT]            a throw-away PostgreSQL cluster on 127.0.0.1:PORT, trust
#                                    auth; sets POSTGRES_PORT, POSTGRES_DIR, DATABASE_URL
#                                    (postgresql://postgres@127.0.0.1:PORT/postgres); stopped on exit
#   stop_postgres
#
# The servers are the test's own, on random ports: system services are never used.
# Environment: GLC_PG_BIN overrides the PostgreSQL binary directory
# (default /usr/lib/postgresql/15/bin, else the newest /usr/lib/postgresql/*/bin).
# Executed directly (bash lib.sh, as ctest's script glob does), it checks its own helpers.

GLC_TESTS_PASSED=0
GLC_TESTS_FAILED=0
GLC_CLEANUPS=()

pass() {
  GLC_TESTS_PASSED=$((GLC_TESTS_PASSED + 1))
  printf 'PASS: %s\n' "$1"
}

fail() {
  GLC_TESTS_FAILED=$((GLC_TESTS_FAILED + 1))
  printf 'FAIL: %s\n' "$1"
  if [ $# -gt 1 ]; then printf '%s\n' "${@:2}" | sed 's/^/    /'; fi
  return 0
}

# check NAME CMD... : pass when CMD exits 0, else fail and show its output.
check() {
  local name=$1 out
  shift
  if out=$("$@" 2>&1); then pass "$name"; else fail "$name" "command: $*" "$out"; fi
}

# finish: the closing line ctest logs show; exit status 1 when anything failed.
finish() {
  printf '%d passed, %d failed\n' "$GLC_TESTS_PASSED" "$GLC_TESTS_FAILED"
  [ "$GLC_TESTS_FAILED" -eq 0 ] && exit 0
  exit 1
}

_glc_run_cleanups() {
  local i
  for ((i = ${#GLC_CLEANUPS[@]} - 1; i >= 0; i--)); do
    eval "${GLC_CLEANUPS[i]}" || true
  done
  GLC_CLEANUPS=()
}

# cleanup CMD... : register CMD (one string, eval'ed) to run at exit, also on INT/TERM.
cleanup() {
  GLC_CLEANUPS+=("$*")
  trap _glc_run_cleanups EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

_glc_unregister() {
  local keep=() c
  for c in "${GLC_CLEANUPS[@]}"; do [ "$c" = "$1" ] || keep+=("$c"); done
  GLC_CLEANUPS=("${keep[@]}")
}

# make_tmpdir VAR : create a private temp dir, store its path in VAR, remove it at exit.
make_tmpdir() {
  local d
  d=$(mktemp -d "${TMPDIR:-/tmp}/glc-test.XXXXXX") || return 1
  printf -v "$1" '%s' "$d"
  cleanup "rm -rf '$d'"
}

# _glc_port_used PORT : true when any TCP socket (any state, v4 or v6) has local port PORT.
_glc_port_used() {
  local hex
  hex=$(printf '%04X' "$1")
  awk -v p=":$hex" 'NR > 1 && substr($2, length($2) - 4) == p { found = 1 } END { exit !found }' \
    /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# free_port : print a port in 20000..59999 that no socket uses right now.
free_port() {
  local i p
  for i in $(seq 1 200); do
    p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
    if ! _glc_port_used "$p"; then
      printf '%s\n' "$p"
      return 0
    fi
  done
  echo "free_port: no free port found" >&2
  return 1
}

# _glc_wait_for SECONDS CMD... : poll CMD every 0.1 s until it succeeds; false on timeout.
_glc_wait_for() {
  local tries=$(($1 * 10))
  shift
  while [ "$tries" -gt 0 ]; do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.1
    tries=$((tries - 1))
  done
  return 1
}

_glc_redis_ready() {
  kill -0 "$REDIS_PID" 2>/dev/null || return 2
  [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]
}

# start_redis [PORT]
start_redis() {
  if [ -n "${REDIS_PID:-}" ]; then echo "start_redis: already running (pid $REDIS_PID)" >&2; return 1; fi
  command -v redis-server >/dev/null || { echo "start_redis: redis-server not installed" >&2; return 1; }
  local port=${1:-} attempt
  for attempt in 1 2 3; do
    [ -n "${1:-}" ] || port=$(free_port) || return 1
    GLC_REDIS_DIR=$(mktemp -d "${TMPDIR:-/tmp}/glc-redis.XXXXXX") || return 1
    redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
      --dir "$GLC_REDIS_DIR" --logfile "$GLC_REDIS_DIR/redis.log" </dev/null >/dev/null 2>&1 &
    REDIS_PID=$!
    REDIS_PORT=$port
    cleanup stop_redis
    if _glc_wait_for 10 _glc_redis_ready; then
      export REDIS_PORT REDIS_PID
      export REDIS_URL="redis://127.0.0.1:$port/0"
      return 0
    fi
    echo "start_redis: redis-server on port $port did not answer PING (attempt $attempt):" >&2
    tail -n 5 "$GLC_REDIS_DIR/redis.log" >&2 2>/dev/null || true
    stop_redis
    [ -z "${1:-}" ] || return 1
  done
  return 1
}

# stop_redis : stop the server start_redis started, wait for it, remove its directory.
stop_redis() {
  if [ -n "${REDIS_PID:-}" ]; then
    kill -TERM "$REDIS_PID" 2>/dev/null || true
    _glc_wait_for 10 _glc_not_running "$REDIS_PID" || kill -KILL "$REDIS_PID" 2>/dev/null || true
    wait "$REDIS_PID" 2>/dev/null || true
  fi
  [ -z "${GLC_REDIS_DIR:-}" ] || rm -rf "$GLC_REDIS_DIR"
  _glc_unregister stop_redis
  unset REDIS_PID REDIS_URL GLC_REDIS_DIR
}

_glc_not_running() { ! kill -0 "$1" 2>/dev/null; }

_glc_pg_bin() {
  if [ -n "${GLC_PG_BIN:-}" ]; then printf '%s\n' "$GLC_PG_BIN"; return; fi
  if [ -x /usr/lib/postgresql/15/bin/postgres ]; then echo /usr/lib/postgresql/15/bin; return; fi
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$d" ] || { echo "start_postgres: no PostgreSQL binaries under /usr/lib/postgresql" >&2; return 1; }
  printf '%s\n' "$d"
}

# _glc_pg_run CMD... : run a PostgreSQL binary as the postgres user when root, from the cluster dir.
_glc_pg_run() {
  if [ "$(id -u)" -eq 0 ]; then
    (cd "$POSTGRES_DIR" && runuser -u postgres -- "$@")
  else
    (cd "$POSTGRES_DIR" && "$@")
  fi
}

# start_postgres [PORT]
start_postgres() {
  if [ -n "${POSTGRES_DIR:-}" ]; then echo "start_postgres: already running in $POSTGRES_DIR" >&2; return 1; fi
  local bin port=${1:-} attempt
  bin=$(_glc_pg_bin) || return 1
  GLC_PG_BIN_DIR=$bin
  POSTGRES_DIR=$(mktemp -d "${TMPDIR:-/tmp}/glc-pg.XXXXXX") || return 1
  cleanup stop_postgres
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || { echo "start_postgres: running as root but there is no postgres user" >&2; return 1; }
    chown postgres: "$POSTGRES_DIR"
  fi
  if ! _glc_pg_run "$bin/initdb" -D "$POSTGRES_DIR/data" -U postgres -A trust -E UTF8 --locale=C \
      --no-sync >"$POSTGRES_DIR/initdb.log" 2>&1; then
    echo "start_postgres: initdb failed:" >&2
    tail -n 20 "$POSTGRES_DIR/initdb.log" >&2
    return 1
  fi
  for attempt in 1 2 3; do
    [ -n "${1:-}" ] || port=$(free_port) || return 1
    if _glc_pg_run "$bin/pg_ctl" -D "$POSTGRES_DIR/data" -l "$POSTGRES_DIR/postgres.log" -w -t 30 \
        -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$POSTGRES_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null 2>&1 &&
        _glc_wait_for 15 "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres; then
      POSTGRES_PORT=$port
      export POSTGRES_PORT POSTGRES_DIR
      export DATABASE_URL="postgresql://postgres@127.0.0.1:$port/postgres"
      return 0
    fi
    echo "start_postgres: server on port $port did not start (attempt $attempt):" >&2
    tail -n 5 "$POSTGRES_DIR/postgres.log" >&2 2>/dev/null || true
    _glc_pg_run "$bin/pg_ctl" -D "$POSTGRES_DIR/data" stop -m immediate -w >/dev/null 2>&1 || true
    [ -z "${1:-}" ] || return 1
  done
  return 1
}

# stop_postgres : pg_ctl stop -m fast; if that fails, kill the postmaster named in its pid file.
stop_postgres() {
  [ -n "${POSTGRES_DIR:-}" ] || return 0
  local pidfile=$POSTGRES_DIR/data/postmaster.pid pid=""
  [ -f "$pidfile" ] && pid=$(head -n 1 "$pidfile")
  if [ -n "$pid" ]; then
    if ! _glc_pg_run "$GLC_PG_BIN_DIR/pg_ctl" -D "$POSTGRES_DIR/data" stop -m fast -w -t 20 >/dev/null 2>&1; then
      kill -QUIT "$pid" 2>/dev/null || true
      _glc_wait_for 5 _glc_not_running "$pid" || kill -KILL "$pid" 2>/dev/null || true
    fi
    # pg_ctl returns once the pid file is gone, a moment before the postmaster has exited.
    _glc_wait_for 10 _glc_not_running "$pid" || kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -rf "$POSTGRES_DIR"
  _glc_unregister stop_postgres
  unset POSTGRES_DIR POSTGRES_PORT DATABASE_URL
}

# --- run directly: check the helpers themselves ------------------------------------------
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -uo pipefail
  p=$(free_port)
  if [[ "$p" =~ ^[0-9]+$ ]] && [ "$p" -ge 20000 ] && [ "$p" -lt 60000 ] && ! _glc_port_used "$p"; then
    pass "free_port returns an unused port ($p)"
  else
    fail "free_port returns an unused port" "got: $p"
  fi
  out=$(bash -c "source '${BASH_SOURCE[0]}'; cleanup 'echo first'; cleanup 'echo second'; exit 3")
  rc=$?
  if [ "$out" = $'second\nfirst' ] && [ "$rc" -eq 3 ]; then
    pass "cleanup runs registered commands last-first and keeps the exit status"
  else
    fail "cleanup runs registered commands last-first and keeps the exit status" "got rc=$rc: $out"
  fi
  out=$(bash -c "source '${BASH_SOURCE[0]}'; pass a; fail b 'why'; check c true; check d false; finish")
  rc=$?
  if [ "$rc" -eq 1 ] && [ "$(printf '%s\n' "$out" | tail -n 1)" = "2 passed, 2 failed" ] &&
      printf '%s\n' "$out" | grep -qx 'FAIL: b' && printf '%s\n' "$out" | grep -qx '    why'; then
    pass "pass/fail/check/finish count and exit 1 on failure"
  else
    fail "pass/fail/check/finish count and exit 1 on failure" "got rc=$rc:" "$out"
  fi
  finish
fi
