#!/usr/bin/env bash
# Slow, oversized and idle clients cannot stop /health/live (tests/runtime/http_abuse.c):
# against each port, 2000 idle connections from 40 addresses, 300 from one address (the per-IP
# cap holds them to 64), 50 slowloris connections dripping a header byte every 200 ms, and
# 1 MB headers sent over and over (answered 431) -- meanwhile 20 fresh-connection GETs from
# 127.0.0.1 must each answer 200 within 100 ms. Idle connections are closed after
# --connection-timeout; server log lines are rate-limited; a request body is refused (413).
source "${GLC_SOURCE_DIR:?}/tests/runtime/lib_pipeline.bash"
ABUSE=$RT_BIN_DIR/glc_http_abuse
[ -x "$ABUSE" ] || skip "build glc_http_abuse first"
unset DATABASE_URL REDIS_URL KAFKA_BROKERS GLC_ADMIN_TOKEN GLC_SLACK_WEBHOOK_URL GLC_PAGERDUTY_ROUTING_KEY

rt_start hardening "$FAST" --connection-timeout 3 --drain-seconds 0
grep -q '"server":"probes".*"max_connections":4096,"max_connections_per_ip":64,"connection_timeout_s":3' "$RT_LOG" &&
  pass "limits in force: 4096 connections per port, 64 per address, 3 s idle timeout" || fail "limits logged"

attack() {  # NAME PORT PATH IDLE
  local name=$1 out rc
  out=$("$ABUSE" --port "$2" --probe "$3" --idle "$4" --idle-ips 40 --hog 300 --slowloris 50 \
          --big-header 1048576 --probes 20 --max-ms 100 --closed-after 4)
  rc=$?
  [ $rc = 77 ] && skip "descriptor limit too low for the attack: $out"
  echo "    $name: $out"
  if [ $rc = 0 ] && [ "$(jq .probes_ok <<<"$out")" = 20 ]; then
    pass "$name: 20/20 GETs of $3 answered 200 within 100 ms under attack (worst $(jq .probe_max_ms <<<"$out") ms)"
  else
    fail "$name: $3 within 100 ms under attack" "$out"
  fi
  [ "$(jq .idle_held <<<"$out")" = "$4" ] && pass "$name: $4 idle connections from 40 addresses held (under the caps)" ||
    fail "$name: idle connections held" "$out"
  [ "$(jq .hog_held <<<"$out")" -le 64 ] && pass "$name: one address holds at most 64 connections ($(jq .hog_held <<<"$out") of 300)" ||
    fail "$name: per-address cap" "$out"
  [ "$(jq .big_header_status <<<"$out")" = 431 ] &&
    pass "$name: a 1 MB header is refused with 431 ($(jq .big_header_requests <<<"$out") sent)" || fail "$name: 1 MB header" "$out"
  [ "$(jq .idle_left <<<"$out")" = 0 ] && pass "$name: idle connections closed after the 3 s timeout" ||
    fail "$name: idle timeout" "$out"
}
attack probes "$PORT" /health/live 2000
attack metrics "$MPORT" /metrics 2000

[ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/health/live")" = 200 ] && kill -0 "$RT_PID" &&
  pass "the runtime is still serving after the attacks" || fail "runtime alive after the attacks"
lines=$(grep -c '"msg":"http server"' "$RT_LOG")
[ "$lines" -le 60 ] && pass "server log lines rate-limited ($lines lines for thousands of refused connections)" ||
  fail "server log rate limit" "$lines lines"
rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$RT_PID/status")
[ "${rss:-0}" -lt 262144 ] && pass "resident memory after the attacks: $((rss / 1024)) MB" || fail "memory" "${rss} kB"
code=$(curl -s -o /dev/null -w '%{http_code}' --data-binary @<(head -c 2048 /dev/zero) "$BASE/health/live")
[ "$code" = 413 ] && pass "a request body on the probe port: 413" || fail "413 on the probe port" "HTTP $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Transfer-Encoding: chunked' --data-binary x "$BASE/health/live")
[ "$code" = 413 ] && pass "a chunked request body: 413" || fail "413 for chunked" "HTTP $code"
rt_stop

finish
