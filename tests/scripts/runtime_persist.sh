#!/usr/bin/env bash
# Breaker state and events in a real PostgreSQL (tests/runtime/lib_pipeline.bash), with the
# fast fixture (recovery 1.5 s, checks every 200 ms):
#  1. a Redis outage and recovery produce closed->open, open->half_open, half_open->closed rows
#     for redis (pod name, failure count, no secrets) and a 'closed' state row;
#  2. with PostgreSQL stopped, the database breaker opens and Redis is killed and restarted;
#     once PostgreSQL is back (same data directory) every transition of the outage is stored
#     within seconds, in order, the database breaker's own open and close included;
#  3. a restarted runtime resumes an open breaker from circuit_breaker_state for the time it
#     had left, clamped to the recovery timeout, and ignores an open period that is over.
source "${GLC_SOURCE_DIR:?}/tests/runtime/lib_pipeline.bash"
need_postgres
need_redis
RP=$REDIS_PORT
"$FAST" migrate >"$T/migrate.log" 2>&1 || fatal "migrate" "$(cat "$T/migrate.log")"

secret=pw-$RANDOM-not-stored
export DATABASE_URL="postgresql://postgres:$secret@127.0.0.1:$POSTGRES_PORT/postgres"  # trust auth
export POD_NAME=glc-test-pod-7
unset KAFKA_BROKERS GLC_SLACK_WEBHOOK_URL GLC_PAGERDUTY_ROUTING_KEY GLC_ADMIN_TOKEN
rt_start persist "$FAST" --check-interval-ms 200 --drain-seconds 1
instance=$(grep -a '"msg":"starting"' "$RT_LOG" | jq -r .instance)
ready() { [ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/health/ready")" = 200 ]; }
is_state() { [ "$(breaker_state "$1")" = "$2" ]; }
poll_until 10 ready || fatal "ready with PostgreSQL and Redis up"
[ "$(metric glc_events_writer_up)" = 1 ] && [ "$(metric glc_events_written_total)" = 0 ] &&
  pass "the writer is connected before any event (glc_events_writer_up 1)" ||
  fail "writer up at start" "up=$(metric glc_events_writer_up)"

# --- 1. Redis outage and recovery -----------------------------------------------------------
stop_redis
poll_until 5 is_state redis open || fatal "redis breaker opens when redis-server stops"
start_redis "$RP" >/dev/null 2>&1 || fatal "restart redis-server on port $RP"
poll_until 15 is_state redis closed || fatal "redis breaker closes again"
rows() { q "SELECT from_state||'>'||to_state FROM circuit_breaker_events WHERE service_name='redis' ORDER BY seq" | tr '\n' ' '; }
has_close_row() { rows | grep -q 'half_open>closed'; }
poll_until 5 has_close_row || fatal "the redis close is stored" "rows: $(rows)"
got=$(rows)
if grep -q '^closed>open open>half_open ' <<<"$got" && grep -q 'open>half_open half_open>closed $' <<<"$got"; then
  pass "redis outage: rows closed>open, open>half_open, ..., half_open>closed ($got)"
else
  fail "redis outage rows in order" "got: $got"
fi
first=$(q "SELECT event_type, failure_count, pod_name, instance_id FROM circuit_breaker_events
           WHERE service_name='redis' ORDER BY seq LIMIT 1")
[ "$first" = "state_change|3|glc-test-pod-7|$instance" ] &&
  pass "closed>open row: event_type state_change, failure_count 3, pod_name from POD_NAME, this instance" ||
  fail "closed>open row fields" "got: $first"
leaks=$(q "SELECT count(*) FROM circuit_breaker_events WHERE message ~ '($secret|127\\.0\\.0\\.1|redis://|postgresql://|$RP)'")
[ "$leaks" = 0 ] && [ "$(q "SELECT count(*) FROM circuit_breaker_events WHERE coalesce(message,'') = ''")" = 0 ] &&
  pass "every row has a message, none with a password, URL, host or port" || fail "messages without secrets" "$leaks leaking rows"
st=$(q "SELECT state, failure_count, last_failure_time IS NOT NULL, last_success_time IS NOT NULL,
        next_attempt_time IS NULL, pod_name FROM circuit_breaker_state WHERE service_name='redis'")
[ "$st" = "closed|0|t|t|t|glc-test-pod-7" ] &&
  pass "circuit_breaker_state: redis closed, last failure and success times set, no next attempt" ||
  fail "redis state row" "got: $st"
ts=$(q "SELECT count(*) FROM circuit_breaker_events WHERE occurred_at BETWEEN (now() AT TIME ZONE 'UTC') - interval '2 minutes' AND (now() AT TIME ZONE 'UTC')")
[ "$ts" -ge 3 ] && pass "occurred_at holds the transition time in UTC" || fail "occurred_at in UTC" "$ts recent rows"

# --- 2. PostgreSQL outage --------------------------------------------------------------------
before=$(logged_seqs . | tail -n 1)
pg_pause || fatal "stop PostgreSQL"
t_down=$(now_ms)
poll_until 5 is_state database open || fatal "database breaker opens when PostgreSQL stops"
stop_redis
poll_until 5 is_state redis open || fatal "redis breaker opens during the PostgreSQL outage"
start_redis "$RP" >/dev/null 2>&1 || fatal "restart redis-server"
poll_until 15 is_state redis closed || fatal "redis breaker closes during the PostgreSQL outage"
queued=$(metric 'glc_events_queued{queue="database"}')
[ "${queued:-0}" -ge 4 ] && [ "$(metric glc_events_writer_up)" = 0 ] &&
  pass "while PostgreSQL is down the events wait in the queue ($queued queued, writer down)" ||
  fail "events queued during the outage" "queued=$queued writer_up=$(metric glc_events_writer_up)"
pg_resume || fatal "start PostgreSQL again on the same data directory"
t_up=$(now_ms)
poll_until 15 is_state database closed || fatal "database breaker closes when PostgreSQL is back"
stored() { q "SELECT seq FROM circuit_breaker_events WHERE instance_id='$instance' ORDER BY occurred_at, seq" | tr '\n' ' '; }
all_stored() { [ "$(stored)" = "$(logged_seqs . | tr '\n' ' ')" ]; }
if poll_until 10 all_stored; then
  pass "every transition is stored after the outage, in order ($(( $(now_ms) - t_up )) ms after PostgreSQL returned)"
else
  fail "every transition stored in order" "logged: $(logged_seqs . | tr '\n' ' ')" "stored: $(stored)"
fi
outage=$(q "SELECT service_name||':'||from_state||'>'||to_state FROM circuit_breaker_events
            WHERE instance_id='$instance' AND seq > $before ORDER BY seq" | tr '\n' ' ')
if grep -q 'database:closed>open' <<<"$outage" && grep -q 'database:half_open>closed' <<<"$outage" &&
   grep -q 'redis:closed>open' <<<"$outage" && grep -q 'redis:half_open>closed' <<<"$outage"; then
  pass "the outage's rows include the database breaker's own open and close, and redis's"
else
  fail "outage rows" "got: $outage"
fi
[ "$(q "SELECT count(*) FROM circuit_breaker_events WHERE instance_id='$instance' GROUP BY seq HAVING count(*) > 1")" = "" ] &&
  pass "no event stored twice" || fail "no event stored twice"
order=$(q "SELECT bool_and(o) FROM (SELECT occurred_at >= lag(occurred_at, 1, occurred_at) OVER (ORDER BY seq) AS o
           FROM circuit_breaker_events WHERE instance_id='$instance') t")
[ "$order" = t ] && pass "occurred_at never goes back along seq" || fail "occurred_at follows seq"
[ "$(q "SELECT state FROM circuit_breaker_state WHERE service_name='database'")" = closed ] &&
  pass "state row: database closed after the outage" || fail "database state row closed"
echo "    (PostgreSQL was down for $(( t_up - t_down )) ms)"
rt_stop; rc=$?
[ $rc = 0 ] && pass "runtime exits 0 after SIGTERM" || fail "runtime exit status" "rc=$rc"

# --- 3. resuming an open breaker ---------------------------------------------------------------
q "INSERT INTO circuit_breaker_state (service_name, state, failure_count, next_attempt_time, instance_id, seq, changed_at)
   VALUES ('anthropic_api', 'open', 5, (now() AT TIME ZONE 'UTC') + interval '1 hour', 'elsewhere', 9, now() AT TIME ZONE 'UTC'),
          ('kafka', 'open', 5, (now() AT TIME ZONE 'UTC') - interval '1 minute', 'elsewhere', 9, now() AT TIME ZONE 'UTC')
   ON CONFLICT (service_name) DO UPDATE SET state = EXCLUDED.state, next_attempt_time = EXCLUDED.next_attempt_time" >/dev/null
rt_start resume "$FAST" --check-interval-ms 200 --drain-seconds 1
instance2=$(grep -a '"msg":"starting"' "$RT_LOG" | jq -r .instance)
llm=$(curl -s "$BASE/breakers" | jq -c '.breakers[] | select(.name=="anthropic_api") | [.state, .open_remaining_ms]')
remaining=$(jq '.[1]' <<<"$llm")
if [ "$(jq -r '.[0]' <<<"$llm")" = open ] && [ "$remaining" -gt 0 ] && [ "$remaining" -le 1500 ]; then
  pass "an open breaker is resumed, its remaining time clamped to the recovery timeout ($remaining ms <= 1500)"
else
  fail "resume an open breaker" "anthropic_api: $llm"
fi
[ "$(breaker_state kafka)" = closed ] && pass "an open period already over is not resumed" ||
  fail "kafka (next attempt in the past) starts closed"
grep -q '"msg":"breaker resumed open from circuit_breaker_state","breaker":"anthropic_api","remaining_ms":1500' "$RT_LOG" &&
  pass "the resume is logged" || fail "resume logged"
resumed() { [ "$(q "SELECT event_type||':'||to_state FROM circuit_breaker_events WHERE instance_id='$instance2' AND service_name='anthropic_api'")" = resumed_open:open ]; }
poll_until 5 resumed && pass "the resume is an event (resumed_open)" || fail "resumed_open event stored"
rt_stop

finish
