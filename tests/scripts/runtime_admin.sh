#!/usr/bin/env bash
# The operators' routes, POST /breakers/<name>/<open|close|reset> on the metrics port only:
# 404 while GLC_ADMIN_TOKEN is unset; with it, 401 for a missing or wrong bearer token, 405 for
# GET, 404 for an unknown breaker, 413 for a body; the right token opens (and holds), closes and
# resets, readiness follows, and each action is an event row forced_open/forced_close/
# forced_reset in PostgreSQL. Nothing on the probe port changes state.
source "${GLC_SOURCE_DIR:?}/tests/runtime/lib_pipeline.bash"
need_postgres
"$FAST" migrate >"$T/migrate.log" 2>&1 || fatal "migrate" "$(cat "$T/migrate.log")"
unset REDIS_URL KAFKA_BROKERS GLC_SLACK_WEBHOOK_URL GLC_PAGERDUTY_ROUTING_KEY GLC_ADMIN_TOKEN
export POD_NAME=admin-pod

post() { curl -s -o /dev/null -w '%{http_code}' --max-time 2 -X POST "$@"; }
ready_code() { curl -s -o /dev/null -w '%{http_code}' "$BASE/health/ready"; }
is_ready() { [ "$(ready_code)" = 200 ]; }

# --- no token: the routes do not exist ---------------------------------------------------------
rt_start notoken "$FAST" --check-interval-ms 200 --drain-seconds 0
poll_until 10 is_ready || fatal "ready with PostgreSQL up"
codes="$(post "$MBASE/breakers/database/open") $(post -H 'Authorization: Bearer anything' "$MBASE/breakers/database/open") $(curl -s -o /dev/null -w '%{http_code}' "$MBASE/breakers/database/open")"
[ "$codes" = "404 404 404" ] && [ "$(breaker_state database)" = closed ] &&
  pass "GLC_ADMIN_TOKEN unset: POST and GET answer 404 and change nothing" || fail "no token: 404" "codes: $codes"
rt_stop

# --- with a token ------------------------------------------------------------------------------
token=adm-$RANDOM$RANDOM-0123456789abcdef0123456789
export GLC_ADMIN_TOKEN=$token
rt_start admin "$FAST" --check-interval-ms 200 --drain-seconds 0
instance=$(grep -a '"msg":"starting"' "$RT_LOG" | jq -r .instance)
poll_until 10 is_ready || fatal "ready with PostgreSQL up"
u=$MBASE/breakers/database/open
codes="$(post "$u") $(post -H "Authorization: Bearer wrong-$token" "$u") $(post -H "Authorization: Bearer ${token%?}" "$u") $(post -H "Authorization: Basic $token" "$u") $(post -H "Authorization: $token" "$u")"
[ "$codes" = "401 401 401 401 401" ] && [ "$(breaker_state database)" = closed ] &&
  pass "missing, wrong, truncated or non-bearer credentials: 401, nothing changes" || fail "401s" "codes: $codes"
curl -s -D "$T/h401" -o /dev/null -X POST "$u"
grep -qi '^WWW-Authenticate: Bearer' "$T/h401" && pass "401 carries WWW-Authenticate: Bearer" || fail "WWW-Authenticate"
curl -s -D "$T/h405" -o /dev/null -H "Authorization: Bearer $token" "$u"
head -n 1 "$T/h405" | grep -q ' 405' && grep -qi '^Allow: POST' "$T/h405" &&
  pass "GET on an admin route: 405, Allow: POST" || fail "GET 405" "$(head -n 1 "$T/h405")"
auth=(-H "Authorization: Bearer $token")
[ "$(post "${auth[@]}" "$MBASE/breakers/nope/open")" = 404 ] && pass "unknown breaker: 404" || fail "unknown breaker 404"
[ "$(post "${auth[@]}" "$MBASE/breakers/database/explode")" = 404 ] && pass "unknown action: 404" || fail "unknown action 404"
[ "$(post "${auth[@]}" --data-binary @<(head -c 4096 /dev/zero) "$u")" = 413 ] && [ "$(breaker_state database)" = closed ] &&
  pass "a 4 KB request body: 413, nothing changes" || fail "413 for a body"

# The probe port never changes state, token or not.
codes="$(post "${auth[@]}" "$BASE/breakers/database/open") $(post "${auth[@]}" "$BASE/breakers") $(post "${auth[@]}" "$BASE/health/ready")"
[ "$codes" = "404 405 405" ] && [ "$(breaker_state database)" = closed ] &&
  pass "probe port: POST /breakers/database/open 404, POST /breakers and /health/ready 405; state unchanged" ||
  fail "probe port changes nothing" "codes: $codes"

body=$(curl -s -X POST "${auth[@]}" "$u")
[ "$body" = '{"breaker":"database","action":"open","state":"open"}' ] && pass "POST .../database/open: $body" ||
  fail "forced open" "$body"
held=$(curl -s "$BASE/breakers" | jq -c '.breakers[] | select(.name=="database") | [.state, .held_open]')
[ "$held" = '["open",true]' ] && pass "/breakers: database open and held" || fail "held open" "$held"
not_ready() { [ "$(ready_code)" = 503 ]; }
poll_until 3 not_ready && [ "$(curl -s "$BASE/health/ready" | jq -r '.checks.database[0].reason')" = breaker_open ] &&
  pass "readiness 503 (breaker_open) while held open" || fail "readiness follows the forced open"
sleep 2  # longer than the 1.5 s recovery timeout: a held breaker does not half-open
[ "$(breaker_state database)" = open ] && pass "still open after the recovery timeout (held)" || fail "hold" "$(breaker_state database)"
body=$(curl -s -X POST "${auth[@]}" "$MBASE/breakers/database/close")
[ "$body" = '{"breaker":"database","action":"close","state":"closed"}' ] && poll_until 3 is_ready &&
  pass "POST .../close: closed, ready again" || fail "forced close" "$body"
body=$(curl -s -X POST "${auth[@]}" "$MBASE/breakers/database/reset")
[ "$body" = '{"breaker":"database","action":"reset","state":"closed"}' ] && pass "POST .../reset: $body" ||
  fail "forced reset" "$body"

rows() { q "SELECT event_type||':'||from_state||'>'||to_state||':'||coalesce(pod_name,'') FROM circuit_breaker_events
            WHERE instance_id='$instance' ORDER BY seq" | tr '\n' ' '; }
want="forced_open:closed>open:admin-pod forced_close:open>closed:admin-pod forced_reset:closed>closed:admin-pod "
stored() { [ "$(rows)" = "$want" ]; }
poll_until 5 stored && pass "each action is an event row: $want" || fail "forced_* rows" "got: $(rows)"
[ "$(metric 'glc_http_requests_total{path="/breakers/{name}/{action}",code="401"}')" = 6 ] &&
  [ "$(metric 'glc_http_requests_total{path="/breakers/{name}/{action}",code="200"}')" = 3 ] &&
  pass "admin requests counted by status (6 x 401, 3 x 200)" ||
  fail "admin request counters" "$(curl -s "$MBASE/metrics" | grep 'breakers/{name}')"
[ "$(grep -c '"msg":"admin action"' "$RT_LOG")" = 3 ] && ! grep -qF "$token" "$RT_LOG" &&
  pass "three 'admin action' log lines; the token is never logged" || fail "admin log lines"
rt_stop

finish
