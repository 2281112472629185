#!/usr/bin/env bash
# Runtime end to end without dependencies (every check disabled): the endpoints, headers and
# status codes, /metrics through promtool, the command line, and graceful SIGTERM shutdown.
source "${GLC_SOURCE_DIR:?}/tests/runtime/lib_runtime.bash"

DRAIN_S=2
BIN=$RT_BIN_DIR/glc_runtime_fixture

# Command line.
"$BIN" --help | grep -q -- '--check-interval-ms' || fail "--help does not list the flags"
"$BIN" --bogus >/dev/null 2>&1; [ $? = 2 ] || fail "an unknown flag must exit 2"
"$BIN" --port 70000 >/dev/null 2>&1; [ $? = 2 ] || fail "--port 70000 must exit 2"
"$BIN" --port 5 --metrics-port 5 >/dev/null 2>&1; [ $? = 2 ] || fail "equal ports must exit 2"
"$BIN" --bind localhost >/dev/null 2>&1; [ $? = 2 ] || fail "a non-numeric --bind must exit 2"
"$BIN" --check-interval-ms 5 >/dev/null 2>&1; [ $? = 2 ] || fail "--check-interval-ms 5 must exit 2"
"$BIN" --drain-seconds >/dev/null 2>&1; [ $? = 2 ] || fail "a flag without its value must exit 2"
"$BIN" --http-threads 0 >/dev/null 2>&1; [ $? = 2 ] || fail "--http-threads 0 must exit 2"
ok "command line"

unset DATABASE_URL REDIS_URL KAFKA_BROKERS
# a pool of polling threads serves the same answers as the default single thread
start_runtime glc_runtime_fixture --drain-seconds 0 --check-interval-ms 100 --http-threads 3
grep -q '"msg":"listening","server":"probes"' "$TMP/runtime.log" || fail "no listening line"
for _ in $(seq 20); do [ "$(code_of "$BASE/health/live")" = 200 ] || fail "--http-threads 3: live not 200"; done
kill -TERM "$RT_PID"; wait "$RT_PID" 2>/dev/null
ok "--http-threads 3 serves the probes"
start_runtime glc_runtime_fixture --drain-seconds "$DRAIN_S" --check-interval-ms 100
wait_code "$BASE/health/startup" 200 2000
for p in /health/live /health/ready /health/startup /breakers; do
    [ "$(code_of "$BASE$p")" = 200 ] || fail "$p is not 200"
    curl -s -D - -o /dev/null "$BASE$p" | grep -qi '^cache-control: no-store' || fail "$p lacks Cache-Control: no-store"
done
[ "$(code_of "$METRICS")" = 200 ] || fail "/metrics is not 200"
curl -s -D - -o /dev/null "$METRICS" | grep -qi '^content-type: text/plain; version=0.0.4' || fail "/metrics content type"
curl -s -D - -o /dev/null "$BASE/health/ready" | grep -qi '^content-type: application/health+json' || fail "ready content type"
ok "probes 200, no-store, content types"

[ "$(code_of "$BASE/nope")" = 404 ] || fail "unknown path not 404"
[ "$(code_of "$BASE/metrics")" = 404 ] || fail "/metrics on the probe port not 404"
[ "$(code_of "http://127.0.0.1:$MPORT/health/live")" = 404 ] || fail "probe on the metrics port not 404"
[ "$(code_of -X POST "$BASE/health/live")" = 405 ] || fail "POST not 405"
curl -s -D - -o /dev/null "$BASE/nope" | grep -qi '^cache-control: no-store' || fail "404 lacks no-store"
[ "$(code_of -X POST -d 'x=1' "$BASE/health/ready")" = 405 ] || fail "POST with a body not 405"
ok "404 and 405"

conns=$(curl -s -o /dev/null -o /dev/null -w '%{num_connects} ' "$BASE/health/live" "$BASE/health/ready")
[ "$conns" = "1 0 " ] || fail "keep-alive: connections opened per request: $conns"
ok "keep-alive"

body=$(curl -s "$BASE/health/ready")
[ "$(jq -r .status <<<"$body")" = pass ] || fail "ready status: $body"
[ "$(jq -r '.checks.database[0].status' <<<"$body")" = disabled ] || fail "database not disabled: $body"
[ "$(jq -r '.breakers | length' < <(curl -s "$BASE/breakers"))" = 4 ] || fail "/breakers does not list 4 breakers"
ok "bodies"

curl -s "$METRICS" | grep -q '^glc_http_requests_total{path="other",code="404"} [1-9]' || fail "404s not counted"
curl -s "$METRICS" | grep -q '^glc_http_requests_total{path="/health/live",code="405"} 1$' || fail "405 not counted"
promtool_ok "no dependencies"

stop_runtime_gracefully

# Start-up: a database that accepts connections but never answers keeps the first check busy
# for its whole timeout (2 s at a 2 s interval): until then /health/startup and /health/ready
# answer 503 "starting"; afterwards startup is 200 and readiness 503 with reason "timeout".
python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
print(s.getsockname()[1]); sys.stdout.flush(); time.sleep(120)' >"$TMP/silent.port" &
PIDS+=("$!")
for _ in $(seq 50); do [ -s "$TMP/silent.port" ] && break; sleep 0.1; done
export DATABASE_URL="postgresql://app:pw@127.0.0.1:$(cat "$TMP/silent.port")/app"
start_runtime glc_runtime_fixture --drain-seconds 1 --check-interval-ms 2000
got=$(code_of "$BASE/health/startup")
[ "$got" = 503 ] || fail "/health/startup: $got, not 503, while starting"
[ "$(curl -s "$BASE/health/ready" | jq -r '.notes[0]')" = starting ] || fail "ready does not say starting"
[ "$(code_of "$BASE/health/ready")" = 503 ] || fail "/health/ready not 503 while starting"
[ "$(code_of "$BASE/health/live")" = 200 ] || fail "/health/live not 200 while starting"
ok "starting: startup 503, ready 503, live 200"
wait_code "$BASE/health/startup" 200 4000
[ "$(curl -s "$BASE/health/ready" | jq -r '.checks.database[0].reason')" = timeout ] || fail "reason not timeout"
[ "$(code_of "$BASE/health/ready")" = 503 ] || fail "ready not 503 with the database check timing out"
ok "started after the first check (${WAITED_MS} ms): ready 503, reason timeout"
DRAIN_S=1
stop_runtime_gracefully
