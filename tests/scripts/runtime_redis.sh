#!/usr/bin/env bash
# Runtime against a real redis-server on 127.0.0.1: ready while Redis is up; killing Redis
# fails readiness within failure_threshold x interval + 1 s and opens the redis breaker
# (/metrics, /breakers) while liveness stays 200; a restarted Redis makes the runtime ready
# again once the recovery timeout has passed (fast fixture: 1.5 s).
source "${GLC_SOURCE_DIR:?}/tests/runtime/lib_runtime.bash"
need redis-server

INTERVAL_MS=200
THRESHOLD=3
RECOVERY_MS=1500
DRAIN_S=1
RPORT=$(free_port)

start_redis() {
    redis-server --port "$RPORT" --bind 127.0.0.1 --save '' --appendonly no >"$TMP/redis.log" 2>&1 &
    REDIS_PID=$!
    PIDS+=("$REDIS_PID")
    for _ in $(seq 50); do
        (exec 3<>"/dev/tcp/127.0.0.1/$RPORT") 2>/dev/null && return 0
        sleep 0.1
    done
    fail "redis-server did not listen on $RPORT"
}

start_redis
unset DATABASE_URL KAFKA_BROKERS
export REDIS_URL="redis://127.0.0.1:$RPORT/0"
start_runtime glc_runtime_fixture_fast --check-interval-ms "$INTERVAL_MS" --drain-seconds "$DRAIN_S"
wait_code "$BASE/health/startup" 200 3000
for p in /health/live /health/ready /health/startup; do
    [ "$(code_of "$BASE$p")" = 200 ] || fail "$p not 200 with Redis up"
done
[ "$(curl -s "$BASE/health/ready" | jq -r '.checks.redis[0].status')" = pass ] || fail "redis check not pass"
curl -s "$METRICS" | grep -q '^glc_dependency_up{dependency="redis"} 1$' || fail "glc_dependency_up not 1"
ok "all three probes 200 with Redis up"

kill "$REDIS_PID"; wait "$REDIS_PID" 2>/dev/null
wait_code "$BASE/health/ready" 503 $(( THRESHOLD * INTERVAL_MS + 1000 ))
ok "Redis killed -> /health/ready 503 after ${WAITED_MS} ms"
wait_match "$METRICS" '^glc_circuit_breaker_state\{breaker="redis",state="open"\} 1$' $(( THRESHOLD * INTERVAL_MS + 1000 ))
T_OPEN=$(now_ms)
[ "$(breaker_state redis)" = open ] || fail "/breakers does not show redis open"
[ "$(code_of "$BASE/health/live")" = 200 ] || fail "/health/live not 200 with Redis down"
curl -s "$METRICS" | grep -q '^glc_dependency_up{dependency="redis"} 0$' || fail "glc_dependency_up not 0"
reason=$(curl -s "$BASE/health/ready" | jq -r '.checks.redis[0].reason')
case $reason in connect_refused|breaker_open) ;; *) fail "unexpected reason '$reason'" ;; esac
no_leaks "$RPORT" "127.0.0.1" "redis://" "Connection refused"
promtool_ok "redis breaker open"
ok "redis breaker open in /metrics and /breakers, liveness 200, reason $reason"

start_redis
wait_code "$BASE/health/ready" 200 $(( RECOVERY_MS + 2 * INTERVAL_MS + 1500 ))
since_open=$(( $(now_ms) - T_OPEN ))
[ "$since_open" -ge $(( RECOVERY_MS - 300 )) ] || fail "ready ${since_open} ms after the breaker opened: before the recovery timeout"
ok "Redis restarted -> ready again after ${WAITED_MS} ms (${since_open} ms after the breaker opened)"
wait_match "$METRICS" '^glc_circuit_breaker_state\{breaker="redis",state="closed"\} 1$' 2000
curl -s "$METRICS" | grep -q '^glc_circuit_breaker_transitions_total{breaker="redis",from="open",to="half_open"} 1$' ||
    fail "no open -> half_open transition"
curl -s "$METRICS" | grep -q '^glc_circuit_breaker_transitions_total{breaker="redis",from="half_open",to="closed"} 1$' ||
    fail "no half_open -> closed transition"
grep -q '"msg":"breaker state changed","breaker":"redis","from":"closed","to":"open"' "$TMP/runtime.log" ||
    fail "transition not logged"
promtool_ok "redis recovered"
ok "redis breaker closed again"

stop_runtime_gracefully
