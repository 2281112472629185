#!/usr/bin/env bash
# The database writer's queue is bounded (GLC_EVENT_QUEUE_MAX, here 5): with PostgreSQL down,
# 20 operator actions fill it past its bound; the 15 oldest events are dropped, counted in
# glc_events_dropped_total{queue="database"} and logged, never silently; when PostgreSQL comes
# back the 5 newest are written, in order. Checks run once a minute here, so the only
# transitions are the operator's.
source "${GLC_SOURCE_DIR:?}/tests/runtime/lib_pipeline.bash"
need_postgres
"$FAST" migrate >"$T/migrate.log" 2>&1 || fatal "migrate" "$(cat "$T/migrate.log")"
pg_pause || fatal "stop PostgreSQL"

export GLC_EVENT_QUEUE_MAX=5 GLC_ADMIN_TOKEN=queue-test-token-0123456789abcdef
unset REDIS_URL KAFKA_BROKERS GLC_SLACK_WEBHOOK_URL GLC_PAGERDUTY_ROUTING_KEY POD_NAME
rt_start queue "$FAST" --check-interval-ms 60000 --drain-seconds 0
instance=$(grep -a '"msg":"starting"' "$RT_LOG" | jq -r .instance)
grep -q '"msg":"storing breaker events in the database","queue_max":5' "$RT_LOG" &&
  pass "GLC_EVENT_QUEUE_MAX=5 is in force" || fail "queue bound from GLC_EVENT_QUEUE_MAX"

codes=""
for i in $(seq 1 10); do
  for action in open close; do
    codes+=$(curl -s -o /dev/null -w '%{http_code} ' -X POST -H "Authorization: Bearer $GLC_ADMIN_TOKEN" \
               "$MBASE/breakers/anthropic_api/$action")
  done
done
[ "$codes" = "$(printf '200 %.0s' $(seq 20))" ] && pass "20 admin actions accepted with PostgreSQL down" ||
  fail "admin actions" "codes: $codes"
dropped() { [ "$(metric 'glc_events_dropped_total{queue="database"}')" = 15 ]; }
poll_until 5 dropped && pass "glc_events_dropped_total{queue=\"database\"} is 15 (20 events, bound 5)" ||
  fail "drop counter" "got $(metric 'glc_events_dropped_total{queue="database"}')"
[ "$(metric 'glc_events_queued{queue="database"}')" = 5 ] && pass "5 events queued" ||
  fail "queue depth" "got $(metric 'glc_events_queued{queue="database"}')"
logged_drop() { grep -a '"msg":"event queue full: oldest breaker events dropped","queue":"database"' "$RT_LOG" |
                jq -s 'map(.dropped) | add' | grep -qx 15; }
poll_until 12 logged_drop && pass "the drops are logged (15 in all)" ||
  fail "drops logged" "$(grep -a 'event queue full' "$RT_LOG")"

newest=$(logged_seqs anthropic_api | tail -n 5 | tr '\n' ' ')
pg_resume || fatal "start PostgreSQL again"
stored() { q "SELECT seq FROM circuit_breaker_events WHERE instance_id='$instance' ORDER BY seq" | tr '\n' ' '; }
all5() { [ "$(stored)" = "$newest" ]; }
poll_until 10 all5 && pass "PostgreSQL back: the 5 newest events are written, in order ($newest)" ||
  fail "the newest events written" "want: $newest" "got:  $(stored)"
types=$(q "SELECT string_agg(event_type, ',' ORDER BY seq) FROM circuit_breaker_events WHERE instance_id='$instance'")
[ "$types" = "forced_close,forced_open,forced_close,forced_open,forced_close" ] &&
  pass "their event types are forced_open/forced_close" || fail "event types" "got: $types"
[ "$(metric 'glc_events_dropped_total{queue="database"}')" = 15 ] && [ "$(metric glc_events_written_total)" = 5 ] &&
  pass "counters after the flush: 15 dropped, 5 written" ||
  fail "counters after the flush" "dropped $(metric 'glc_events_dropped_total{queue="database"}'), written $(metric glc_events_written_total)"
rt_stop

finish
