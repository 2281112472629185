# shellcheck shell=bash
# Helpers for tests/scripts/runtime_*.sh: start the fixture runtime on ephemeral ports, poll
# endpoints with bounded waits, and stop every process started (by pid) on exit.
# Env: GLC_BUILD_DIR (the CMake build tree), GLC_SOURCE_DIR.
set -u

RT_BIN_DIR=${GLC_BUILD_DIR:?GLC_BUILD_DIR must point at the build tree}/runtime
PIDS=()
CLEANUPS=()
TMP=$(mktemp -d /tmp/glc-rt-test.XXXXXX)
chmod 755 "$TMP"

skip() { echo "SKIP: $*"; exit 77; }
need() { command -v "$1" >/dev/null 2>&1 || skip "$1 is not installed"; }

dump_logs() {
    for f in "$TMP"/*.log; do
        [ -f "$f" ] || continue
        echo "---- $f (last 40 lines)"
        tail -n 40 "$f"
    done
}

fail() { echo "FAIL: $*"; dump_logs; exit 1; }
ok() { echo "ok: $*"; }

cleanup() {
    local p c
    for c in "${CLEANUPS[@]}"; do eval "$c" >/dev/null 2>&1; done
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${PIDS[@]}"; do
        for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$p" 2>/dev/null
    done
    rm -rf "$TMP"
}
trap cleanup EXIT

now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

need curl
need jq
need python3
[ -x "$RT_BIN_DIR/glc_runtime_fixture_fast" ] || fail "build glc_runtime_fixture_fast first"

# start_runtime BINARY [ARGS...]: runs it on ephemeral ports; sets RT_PID, PORT, MPORT, BASE, METRICS.
start_runtime() {
    local bin=$1 deadline
    shift
    "$RT_BIN_DIR/$bin" --bind 127.0.0.1 --port 0 --metrics-port 0 "$@" >"$TMP/runtime.log" 2>&1 &
    RT_PID=$!
    PIDS+=("$RT_PID")
    deadline=$(( $(now_ms) + 5000 ))
    PORT='' MPORT=''
    # The log may end in a line still being written: read only complete lines, and retry.
    while ! [[ $PORT =~ ^[0-9]+$ && $MPORT =~ ^[0-9]+$ ]]; do
        kill -0 "$RT_PID" 2>/dev/null || fail "$bin exited during start-up"
        [ "$(now_ms)" -lt "$deadline" ] || fail "$bin did not listen within 5 s"
        sleep 0.05
        PORT=$(grep '"msg":"listening","server":"probes"' "$TMP/runtime.log" | jq -r .port 2>/dev/null)
        MPORT=$(grep '"msg":"listening","server":"metrics"' "$TMP/runtime.log" | jq -r .port 2>/dev/null)
    done
    BASE=http://127.0.0.1:$PORT
    METRICS=http://127.0.0.1:$MPORT/metrics
}

code_of() { curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$@"; }

# wait_code URL CODE TIMEOUT_MS: poll every 50 ms; sets WAITED_MS; fails the test on timeout.
wait_code() {
    local url=$1 want=$2 limit=$3 start got
    start=$(now_ms)
    while :; do
        got=$(code_of "$url")
        WAITED_MS=$(( $(now_ms) - start ))
        [ "$got" = "$want" ] && return 0
        [ "$WAITED_MS" -lt "$limit" ] || fail "$url: $got, not $want, after ${WAITED_MS} ms (limit ${limit} ms)"
        sleep 0.05
    done
}

# wait_match URL REGEX TIMEOUT_MS: poll the body until it matches (grep -E).
wait_match() {
    local url=$1 re=$2 limit=$3 start
    start=$(now_ms)
    while :; do
        curl -s --max-time 2 "$url" | grep -Eq "$re" && { WAITED_MS=$(( $(now_ms) - start )); return 0; }
        [ $(( $(now_ms) - start )) -lt "$limit" ] || fail "$url never matched /$re/ within ${limit} ms"
        sleep 0.05
    done
}

breaker_state() { curl -s --max-time 2 "$BASE/breakers" | jq -r --arg b "$1" '.breakers[] | select(.name==$b) | .state'; }

promtool_ok() {
    command -v promtool >/dev/null 2>&1 || { echo "promtool not installed: lint skipped"; return 0; }
    curl -s --max-time 2 "$METRICS" | promtool check metrics || fail "promtool check metrics: $1"
}

# Bodies must never show where a dependency lives or how to log in to it.
no_leaks() {
    local body pattern
    body=$(curl -s --max-time 2 "$BASE/health/ready"; curl -s --max-time 2 "$BASE/breakers")
    for pattern in "$@"; do
        if grep -qF -- "$pattern" <<<"$body"; then fail "a response body contains '$pattern'"; fi
    done
}

# stop_runtime_gracefully: SIGTERM; readiness 503 within 1 s; liveness 200 while draining;
# exit 0 after --drain-seconds (DRAIN_S).
stop_runtime_gracefully() {
    local start rc elapsed
    start=$(now_ms)
    kill -TERM "$RT_PID"
    wait_code "$BASE/health/ready" 503 1000
    ok "SIGTERM -> /health/ready 503 after ${WAITED_MS} ms"
    [ "$(code_of "$BASE/health/live")" = 200 ] || fail "/health/live not 200 while draining"
    for _ in $(seq $(( (DRAIN_S + 5) * 10 ))); do kill -0 "$RT_PID" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$RT_PID" 2>/dev/null && fail "runtime still running $((DRAIN_S + 5)) s after SIGTERM"
    wait "$RT_PID"; rc=$?
    elapsed=$(( $(now_ms) - start ))
    [ "$rc" = 0 ] || fail "runtime exited $rc after SIGTERM"
    [ "$elapsed" -ge $(( DRAIN_S * 1000 - 100 )) ] || fail "runtime exited after ${elapsed} ms, before the ${DRAIN_S} s drain"
    ok "exit 0 after ${elapsed} ms (drain ${DRAIN_S} s)"
    grep -q '"msg":"stopped"' "$TMP/runtime.log" || fail "no 'stopped' log line"
}
