#!/usr/bin/env bash
# Alerts through libcurl to local HTTP sinks (tests/runtime/http_sink.c) standing in for a
# Slack incoming webhook and the PagerDuty Events API v2:
#  1. Redis stops: the redis breaker opens; Slack gets a message naming it, PagerDuty a trigger
#     (routing key, dedup key "fixture/redis", severity critical). Redis returns: Slack gets the
#     close, PagerDuty the resolve under the same dedup key. One open alert per outage.
#  2. A PagerDuty sink that answers 500 then 202: the trigger is retried and delivered; a Slack
#     sink that answers 400: not retried, counted as failed.
# The webhook URL and the routing key never reach the log.
source "${GLC_SOURCE_DIR:?}/tests/runtime/lib_pipeline.bash"
need_redis
RP=$REDIS_PORT

slack_secret=T000-B000-$RANDOM-webhook-secret
routing_key=rk-$RANDOM-routing-secret
unset DATABASE_URL KAFKA_BROKERS GLC_ADMIN_TOKEN
export POD_NAME=alert-pod-1 GLC_PAGERDUTY_ROUTING_KEY=$routing_key GLC_ALERT_BACKOFF_MS=100

sink_start slack 200; SLACK_LOG=$SINK_LOG; SLACK_PORT=$SINK_PORT
sink_start pagerduty 202; PD_LOG=$SINK_LOG; PD_PORT=$SINK_PORT
export GLC_SLACK_WEBHOOK_URL=http://127.0.0.1:$SLACK_PORT/services/$slack_secret
export GLC_PAGERDUTY_URL=http://127.0.0.1:$PD_PORT/v2/enqueue
rt_start alerts "$FAST" --check-interval-ms 200 --drain-seconds 0
grep -q '"msg":"alerts enabled","slack":true,"pagerduty":true' "$RT_LOG" &&
  pass "both channels enabled (listed in the table, configured in the environment)" || fail "alerts enabled"
is_state() { [ "$(breaker_state "$1")" = "$2" ]; }
requests() { wc -l <"$1"; }
at_least() { [ "$(requests "$1")" -ge "$2" ]; }

# --- 1. open and close -------------------------------------------------------------------------
poll_until 5 is_state redis closed || fatal "redis breaker closed at start"
stop_redis
poll_until 5 is_state redis open || fatal "redis breaker opens"
poll_until 5 at_least "$SLACK_LOG" 1 && poll_until 5 at_least "$PD_LOG" 1 || fatal "alerts sent on open"
slack=$(head -n 1 "$SLACK_LOG")
text=$(jq -r '.body | fromjson | .text' <<<"$slack")
if [ "$(jq -r .method <<<"$slack")" = POST ] && [ "$(jq -r .path <<<"$slack")" = "/services/$slack_secret" ] &&
   grep -q 'circuit breaker `redis` opened (after 3 consecutive failures)' <<<"$text" && grep -q alert-pod-1 <<<"$text"; then
  pass "Slack: a POST to the webhook naming the breaker: $text"
else
  fail "Slack open message" "$slack"
fi
pd=$(head -n 1 "$PD_LOG" | jq -c '.body | fromjson')
if [ "$(jq -r .routing_key <<<"$pd")" = "$routing_key" ] && [ "$(jq -r .event_action <<<"$pd")" = trigger ] &&
   [ "$(jq -r .dedup_key <<<"$pd")" = fixture/redis ] && [ "$(jq -r .payload.severity <<<"$pd")" = critical ] &&
   [ "$(jq -r .payload.source <<<"$pd")" = alert-pod-1 ] && [ "$(head -n 1 "$PD_LOG" | jq -r .path)" = /v2/enqueue ]; then
  pass "PagerDuty: trigger with the routing key, dedup_key fixture/redis, severity critical"
else
  fail "PagerDuty trigger" "$pd"
fi
start_redis "$RP" >/dev/null 2>&1 || fatal "restart redis-server"
poll_until 15 is_state redis closed || fatal "redis breaker closes"
poll_until 5 at_least "$SLACK_LOG" 2 && poll_until 5 at_least "$PD_LOG" 2 || fatal "alerts sent on close"
text=$(tail -n 1 "$SLACK_LOG" | jq -r '.body | fromjson | .text')
grep -q 'circuit breaker `redis` closed again' <<<"$text" && pass "Slack: the close: $text" || fail "Slack close message" "$text"
pd=$(tail -n 1 "$PD_LOG" | jq -c '.body | fromjson')
[ "$(jq -r .event_action <<<"$pd")" = resolve ] && [ "$(jq -r .dedup_key <<<"$pd")" = fixture/redis ] &&
  [ "$(jq -r .routing_key <<<"$pd")" = "$routing_key" ] &&
  pass "PagerDuty: resolve under the same dedup_key" || fail "PagerDuty resolve" "$pd"
sleep 1
[ "$(requests "$SLACK_LOG")" = 2 ] && [ "$(requests "$PD_LOG")" = 2 ] &&
  pass "one alert per channel for the open, one for the close (no re-alert from half-open)" ||
  fail "alert count" "slack $(requests "$SLACK_LOG"), pagerduty $(requests "$PD_LOG")"
[ "$(metric 'glc_alerts_sent_total{channel="slack",result="ok"}')" = 2 ] &&
  [ "$(metric 'glc_alerts_sent_total{channel="pagerduty",result="ok"}')" = 2 ] &&
  pass "glc_alerts_sent_total{result=\"ok\"} is 2 per channel" || fail "alert counters" "$(curl -s "$MBASE/metrics" | grep glc_alert)"
rt_stop
if grep -qF "$slack_secret" "$RT_LOG" || grep -qF "$routing_key" "$RT_LOG"; then
  fail "the webhook URL and routing key are never logged"
else
  pass "the webhook URL and routing key are never logged"
fi

# --- 2. retry on 500, none on 400 ----------------------------------------------------------------
sink_start slack2 400; SLACK_LOG=$SINK_LOG
export GLC_SLACK_WEBHOOK_URL=http://127.0.0.1:$SINK_PORT/services/$slack_secret
sink_start pagerduty2 500,202; PD_LOG=$SINK_LOG
export GLC_PAGERDUTY_URL=http://127.0.0.1:$SINK_PORT/v2/enqueue
export GLC_ADMIN_TOKEN=alerts-test-token-0123456789abcdef
rt_start retry "$FAST" --check-interval-ms 200 --drain-seconds 0
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $GLC_ADMIN_TOKEN" "$MBASE/breakers/anthropic_api/open")
[ "$code" = 200 ] || fatal "force anthropic_api open" "HTTP $code"
poll_until 5 at_least "$PD_LOG" 2 || fatal "PagerDuty retried" "$(cat "$PD_LOG")"
statuses=$(jq -r .status "$PD_LOG" | tr '\n' ' ')
same=$(jq -r .body "$PD_LOG" | sort -u | wc -l)
sev=$(head -n 1 "$PD_LOG" | jq -r '.body | fromjson | .payload.severity')
[ "$statuses" = "500 202 " ] && [ "$same" = 1 ] && [ "$sev" = error ] &&
  pass "PagerDuty answering 500 then 202: the same trigger retried once and delivered (severity error: not a readiness breaker)" ||
  fail "retry after 500" "statuses: $statuses; distinct bodies: $same; severity $sev"
retried() { [ "$(metric 'glc_alert_retries_total{channel="pagerduty"}')" = 1 ] &&
            [ "$(metric 'glc_alerts_sent_total{channel="pagerduty",result="ok"}')" = 1 ]; }
poll_until 3 retried && pass "glc_alert_retries_total{channel=\"pagerduty\"} 1, sent ok 1" ||
  fail "retry counters" "$(curl -s "$MBASE/metrics" | grep glc_alert)"
failed() { [ "$(metric 'glc_alerts_sent_total{channel="slack",result="failed"}')" = 1 ]; }
poll_until 3 failed && sleep 0.5 && [ "$(requests "$SLACK_LOG")" = 1 ] &&
  [ "$(metric 'glc_alert_retries_total{channel="slack"}')" = 0 ] &&
  pass "Slack answering 400: one request, not retried, counted as failed" ||
  fail "no retry on 400" "requests $(requests "$SLACK_LOG")" "$(curl -s "$MBASE/metrics" | grep glc_alert)"
grep -q '"msg":"alert not delivered; retrying","channel":"pagerduty","breaker":"anthropic_api","alert":"open","status":500' "$RT_LOG" &&
  pass "the retry is logged with the status" || fail "retry logged"
rt_stop
if grep -qF "$slack_secret" "$RT_LOG" || grep -qF "$routing_key" "$RT_LOG"; then
  fail "no secret in the log of the retry run"
else
  pass "no secret in the log of the retry run"
fi

finish
