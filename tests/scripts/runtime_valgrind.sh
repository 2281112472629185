#!/usr/bin/env bash
# The linked runtime under valgrind for a short load: every endpoint many times,
# a dependency check against a real redis-server, then SIGTERM. No error, no
# leak (definite or indirect), exit 0.
set -u
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
command -v valgrind >/dev/null || { echo "valgrind not installed"; exit 77; }
glc=${GLC_BIN:?}
src=${GLC_SOURCE_DIR:?}
# GLC_SANITIZE (1/0, from CMake) whatever the build directory is called; the name as a fallback.
[ "${GLC_SANITIZE:-0}" = 1 ] && { echo "sanitizer build: valgrind does not run ASan binaries"; exit 77; }
case "${GLC_BUILD_DIR:-}" in *asan*) echo "sanitizer build: valgrind does not run ASan binaries"; exit 77;; esac
make_tmpdir tmp
"$glc" build "$src/examples/agent-foundation" -o "$tmp/out" > "$tmp/build.log" 2>&1 || { fail "build" "$(cat "$tmp/build.log")"; finish; }
start_redis
port=$(free_port); mport=$(free_port)
REDIS_URL=$REDIS_URL valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
  --show-leak-kinds=definite,indirect --log-file="$tmp/vg.log" \
  "$tmp/out/bin/agent-foundation-runtime" --port "$port" --metrics-port "$mport" --bind 127.0.0.1 \
  --drain-seconds 1 --check-interval-ms 200 > "$tmp/rt.log" 2>&1 &
vpid=$!
cleanup bash -c "kill $vpid 2>/dev/null; true"
up=0
for _ in $(seq 150); do curl -sf "http://127.0.0.1:$port/health/live" >/dev/null && { up=1; break; }; sleep 0.2; done
[ $up = 1 ] && pass "runtime up under valgrind" || { fail "runtime up under valgrind" "$(tail "$tmp/rt.log")"; finish; }
for i in $(seq 40); do
  for p in /health/live /health/ready /health/startup /breakers /nope; do curl -s -o /dev/null "http://127.0.0.1:$port$p"; done
  curl -s -o /dev/null "http://127.0.0.1:$mport/metrics"
done
pass "short load served"
kill -TERM "$vpid"
wait "$vpid"; rc=$?
[ $rc -eq 0 ] && pass "exit 0 after SIGTERM, no valgrind error" || fail "exit 0 after SIGTERM, no valgrind error" "rc=$rc $(grep -E 'ERROR SUMMARY|definitely|indirectly' "$tmp/vg.log")"
grep -q "ERROR SUMMARY: 0 errors" "$tmp/vg.log" && pass "valgrind: 0 errors" || fail "valgrind: 0 errors" "$(grep -A5 'ERROR SUMMARY' "$tmp/vg.log")"
finish
