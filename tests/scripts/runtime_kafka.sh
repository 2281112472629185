#!/usr/bin/env bash
# Runtime against a librdkafka mock cluster (glc_kafka_mock, its own process): ready while the
# broker is up; taking it down (SIGUSR1) fails readiness and opens the kafka breaker while
# liveness stays 200; bringing it back (SIGUSR2, same port) makes the runtime ready again after
# the recovery timeout. Each Kafka check waits out its timeout when no broker answers, so the
# bounds are failure_threshold x (interval + check timeout) + 1 s.
source "${GLC_SOURCE_DIR:?}/tests/runtime/lib_runtime.bash"
[ -x "$RT_BIN_DIR/glc_kafka_mock" ] || fail "build glc_kafka_mock first"

INTERVAL_MS=200
TIMEOUT_MS=500      # the check timeout for a 200 ms interval (clamped to >= 500 ms)
THRESHOLD=5
RECOVERY_MS=1500
DRAIN_S=1

"$RT_BIN_DIR/glc_kafka_mock" 1 >"$TMP/kafka_mock.out" 2>"$TMP/kafka_mock.log" &
MOCK_PID=$!
PIDS+=("$MOCK_PID")
for _ in $(seq 100); do [ -s "$TMP/kafka_mock.out" ] && break; sleep 0.05; done
BROKERS=$(head -1 "$TMP/kafka_mock.out")
[ -n "$BROKERS" ] || fail "the mock cluster printed no bootstrap servers"

unset DATABASE_URL REDIS_URL
export KAFKA_BROKERS=$BROKERS
start_runtime glc_runtime_fixture_fast --check-interval-ms "$INTERVAL_MS" --drain-seconds "$DRAIN_S"
wait_code "$BASE/health/startup" 200 5000
for p in /health/live /health/ready /health/startup; do
    [ "$(code_of "$BASE$p")" = 200 ] || fail "$p not 200 with the Kafka broker up"
done
[ "$(curl -s "$BASE/health/ready" | jq -r '.checks.kafka[0].status')" = pass ] || fail "kafka check not pass"
ok "all three probes 200 with the Kafka broker up"

BOUND=$(( THRESHOLD * (INTERVAL_MS + TIMEOUT_MS) + 1000 ))
kill -USR1 "$MOCK_PID"
wait_code "$BASE/health/ready" 503 "$BOUND"
ok "broker down -> /health/ready 503 after ${WAITED_MS} ms"
wait_match "$METRICS" '^glc_circuit_breaker_state\{breaker="kafka",state="open"\} 1$' "$BOUND"
T_OPEN=$(now_ms)
[ "$(breaker_state kafka)" = open ] || fail "/breakers does not show kafka open"
[ "$(code_of "$BASE/health/live")" = 200 ] || fail "/health/live not 200 with Kafka down"
no_leaks "${BROKERS##*:}" "127.0.0.1" "transport"
promtool_ok "kafka breaker open"
ok "kafka breaker open in /metrics and /breakers, liveness 200"

kill -USR2 "$MOCK_PID"
wait_code "$BASE/health/ready" 200 $(( RECOVERY_MS + 2 * (INTERVAL_MS + TIMEOUT_MS) + 2000 ))
since_open=$(( $(now_ms) - T_OPEN ))
[ "$since_open" -ge $(( RECOVERY_MS - 300 )) ] || fail "ready ${since_open} ms after the breaker opened: before the recovery timeout"
ok "broker up -> ready again after ${WAITED_MS} ms (${since_open} ms after the breaker opened)"
promtool_ok "kafka recovered"

stop_runtime_gracefully
