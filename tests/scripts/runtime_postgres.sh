#!/usr/bin/env bash
# Runtime against a real PostgreSQL 15 (initdb + pg_ctl in a temporary directory, as the
# postgres user when run as root): ready while it is up; stopping it fails readiness within
# failure_threshold x interval + 1 s and opens the database breaker while liveness stays 200;
# restarting it makes the runtime ready again after the recovery timeout. The URL's password
# must never reach the log or a body.
source "${GLC_SOURCE_DIR:?}/tests/runtime/lib_runtime.bash"

PGBIN=${GLC_PG_BINDIR:-/usr/lib/postgresql/15/bin}
[ -x "$PGBIN/initdb" ] && [ -x "$PGBIN/pg_ctl" ] || skip "PostgreSQL server binaries not found in $PGBIN"

INTERVAL_MS=200
THRESHOLD=3
RECOVERY_MS=1500
DRAIN_S=1
PGPORT_=$(free_port)
SECRET=hunter2-not-logged
DATA=$TMP/pg/data
mkdir -p "$TMP/pg"

as_pg() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || skip "running as root and there is no postgres user"
    chown postgres: "$TMP/pg"
fi
as_pg "$PGBIN/initdb" -D "$DATA" -A trust -U postgres --no-sync >"$TMP/initdb.log" 2>&1 || fail "initdb failed"

postmaster_pid() { head -1 "$DATA/postmaster.pid" 2>/dev/null; }
start_pg() {
    as_pg "$PGBIN/pg_ctl" -D "$DATA" -l "$TMP/pg/server.log" -w -t 20 \
        -o "-p $PGPORT_ -k $TMP/pg -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null ||
        fail "pg_ctl start failed"
    PG_PID=$(postmaster_pid)
    PIDS+=("$PG_PID")
}
CLEANUPS+=('[ -n "$(postmaster_pid)" ] && kill -QUIT "$(postmaster_pid)"')

start_pg
unset REDIS_URL KAFKA_BROKERS
export DATABASE_URL="postgresql://postgres:$SECRET@127.0.0.1:$PGPORT_/postgres"
start_runtime glc_runtime_fixture_fast --check-interval-ms "$INTERVAL_MS" --drain-seconds "$DRAIN_S"
wait_code "$BASE/health/startup" 200 5000
for p in /health/live /health/ready /health/startup; do
    [ "$(code_of "$BASE$p")" = 200 ] || fail "$p not 200 with PostgreSQL up"
done
[ "$(curl -s "$BASE/health/ready" | jq -r '.checks.database[0].status')" = pass ] || fail "database check not pass"
ok "all three probes 200 with PostgreSQL up"

as_pg "$PGBIN/pg_ctl" -D "$DATA" -m immediate -w stop >/dev/null || fail "pg_ctl stop failed"
wait_code "$BASE/health/ready" 503 $(( THRESHOLD * INTERVAL_MS + 1000 ))
ok "PostgreSQL stopped -> /health/ready 503 after ${WAITED_MS} ms"
wait_match "$METRICS" '^glc_circuit_breaker_state\{breaker="database",state="open"\} 1$' $(( THRESHOLD * INTERVAL_MS + 1000 ))
T_OPEN=$(now_ms)
[ "$(breaker_state database)" = open ] || fail "/breakers does not show database open"
[ "$(code_of "$BASE/health/live")" = 200 ] || fail "/health/live not 200 with PostgreSQL down"
no_leaks "$PGPORT_" "127.0.0.1" "postgresql://" "$SECRET" "Connection refused" "server"
promtool_ok "database breaker open"
ok "database breaker open in /metrics and /breakers, liveness 200"

start_pg
wait_code "$BASE/health/ready" 200 $(( RECOVERY_MS + 2 * INTERVAL_MS + 2000 ))
since_open=$(( $(now_ms) - T_OPEN ))
[ "$since_open" -ge $(( RECOVERY_MS - 300 )) ] || fail "ready ${since_open} ms after the breaker opened: before the recovery timeout"
ok "PostgreSQL restarted -> ready again after ${WAITED_MS} ms (${since_open} ms after the breaker opened)"
wait_match "$METRICS" '^glc_circuit_breaker_state\{breaker="database",state="closed"\} 1$' 2000
promtool_ok "database recovered"

grep -q "$SECRET" "$TMP/runtime.log" && fail "the DATABASE_URL password reached the log"
grep -q 'postgresql://postgres:\*\*\*@' "$TMP/runtime.log" || fail "the redacted target is not logged"
ok "password redacted in the log"

stop_runtime_gracefully
