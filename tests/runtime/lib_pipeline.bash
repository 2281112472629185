# shellcheck shell=bash
# Helpers for the event-pipeline tests (tests/scripts/runtime_{migrate,persist,event_queue,
# alerts,admin,hardening}.sh), on top of tests/scripts/lib.sh (pass/fail/finish, cleanup,
# free_port, start_redis, start_postgres). Every process a test starts is stopped by its pid.
#
#   rt_start NAME BIN [ARGS...]  run a runtime binary on ephemeral 127.0.0.1 ports, log in
#                                $T/NAME.log; sets RT_PID, PORT, MPORT, BASE, MBASE
#   rt_stop                      SIGTERM, wait (15 s at most, then SIGKILL); returns its status
#   poll_until SECONDS CMD...    run CMD every 0.1 s until it succeeds; false on timeout
#   metric SERIES                the value of one /metrics series (exact name{labels})
#   q SQL                        psql -At on $DATABASE_URL
#   pg_pause / pg_resume         stop / start the test's PostgreSQL, keeping its data and port
#   sink_start NAME [STATUSES]   glc_http_sink on an ephemeral port; sets SINK_PORT, SINK_LOG
#   logged_seqs BREAKER_REGEX    seq numbers of "breaker state changed" lines in $RT_LOG
# Env: GLC_BUILD_DIR (CMake build tree), GLC_SOURCE_DIR.

source "${GLC_SOURCE_DIR:?}/tests/scripts/lib.sh"
set -u

RT_BIN_DIR=${GLC_BUILD_DIR:?GLC_BUILD_DIR must point at the build tree}/runtime
FAST=$RT_BIN_DIR/glc_runtime_fixture_fast

skip() { echo "SKIP: $*"; exit 77; }
need() { command -v "$1" >/dev/null 2>&1 || skip "$1 is not installed"; }
# fatal NAME [DETAIL]: record a failure and stop the test here.
fatal() { fail "$@"; [ -n "${RT_LOG:-}" ] && [ -f "$RT_LOG" ] && tail -n 30 "$RT_LOG" | sed 's/^/    log: /'; finish; }

need curl
need jq
[ -x "$FAST" ] || skip "build glc_runtime_fixture_fast first"
make_tmpdir T
chmod 755 "$T"

now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }

# poll_until SECONDS CMD... : lib.sh's bounded poll, under the name these scripts use.
poll_until() { _glc_wait_for "$@"; }

_rt_listening() {
  kill -0 "$RT_PID" 2>/dev/null || return 2
  PORT=$(grep -a '"msg":"listening","server":"probes"' "$RT_LOG" | jq -r .port 2>/dev/null | tail -n 1)
  MPORT=$(grep -a '"msg":"listening","server":"metrics"' "$RT_LOG" | jq -r .port 2>/dev/null | tail -n 1)
  [[ $PORT =~ ^[0-9]+$ && $MPORT =~ ^[0-9]+$ ]]
}

rt_start() {
  local name=$1 bin=$2
  shift 2
  RT_LOG=$T/$name.log
  "$bin" --bind 127.0.0.1 --port 0 --metrics-port 0 "$@" >"$RT_LOG" 2>&1 &
  RT_PID=$!
  cleanup "kill -KILL $RT_PID 2>/dev/null; wait $RT_PID 2>/dev/null"
  poll_until 5 _rt_listening || fatal "$name: the runtime did not start listening within 5 s"
  BASE=http://127.0.0.1:$PORT
  MBASE=http://127.0.0.1:$MPORT
}

rt_stop() {
  local rc
  kill -TERM "$RT_PID" 2>/dev/null
  poll_until 15 _glc_not_running "$RT_PID" || kill -KILL "$RT_PID" 2>/dev/null
  wait "$RT_PID" 2>/dev/null
  rc=$?
  return $rc
}

metric() {
  curl -s --max-time 2 "$MBASE/metrics" | awk -v s="$1" 'index($0, s " ") == 1 { print $2 }'
}

breaker_state() { curl -s --max-time 2 "$BASE/breakers" | jq -r --arg b "$1" '.breakers[] | select(.name==$b) | .state'; }

q() { psql -X -q -At -v ON_ERROR_STOP=1 "$DATABASE_URL" -c "$1"; }

pg_pause() {
  _glc_pg_run "$GLC_PG_BIN_DIR/pg_ctl" -D "$POSTGRES_DIR/data" stop -m fast -w -t 20 >/dev/null 2>&1
}

pg_resume() {
  _glc_pg_run "$GLC_PG_BIN_DIR/pg_ctl" -D "$POSTGRES_DIR/data" -l "$POSTGRES_DIR/postgres.log" -w -t 30 \
    -o "-p $POSTGRES_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$POSTGRES_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null 2>&1 && poll_until 15 "$GLC_PG_BIN_DIR/pg_isready" -q -h 127.0.0.1 -p "$POSTGRES_PORT" -U postgres
}

need_postgres() {
  need psql
  start_postgres >"$T/pg-start.log" 2>&1 || skip "cannot start a throw-away PostgreSQL: $(tail -n 3 "$T/pg-start.log")"
}

need_redis() {
  need redis-server
  need redis-cli
  start_redis >"$T/redis-start.log" 2>&1 || skip "cannot start redis-server: $(tail -n 3 "$T/redis-start.log")"
}

sink_start() {
  local name=$1 statuses=${2:-200} pid
  SINK_LOG=$T/$name.requests
  : >"$SINK_LOG"
  "$RT_BIN_DIR/glc_http_sink" --port-file "$T/$name.port" --log "$SINK_LOG" --status "$statuses" &
  pid=$!
  cleanup "kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null"
  poll_until 5 test -s "$T/$name.port" || fatal "$name: glc_http_sink did not start"
  SINK_PORT=$(cat "$T/$name.port")
}

logged_seqs() {
  grep -a '"msg":"breaker state changed"' "$RT_LOG" | jq -r --arg re "$1" 'select(.breaker | test($re)) | .seq'
}
