#!/usr/bin/env bash
# `<app>-runtime migrate` against a real PostgreSQL on 127.0.0.1: twice on a fresh database
# (the second applies nothing), the seed's tables and indexes plus 015's columns, the applied
# versions recorded; the embedded SQL is exactly what glc build writes to sql/; three
# concurrent runs take turns; an unreachable database and a failing migration exit 1 with a
# clear message, nothing half-applied, and no URL or password in the output.
source "${GLC_SOURCE_DIR:?}/tests/runtime/lib_pipeline.bash"
need_postgres

migrate() { "$FAST" migrate "$@" 2>&1; }

out=$(migrate); rc=$?
[ $rc = 0 ] && grep -q '"msg":"migrations applied","applied":3' <<<"$out" &&
  pass "migrate on a fresh database applies 013, 014, 015 (exit 0)" ||
  fail "migrate on a fresh database" "rc=$rc" "$out"
out=$(migrate); rc=$?
[ $rc = 0 ] && grep -q '"msg":"schema is up to date","applied":0' <<<"$out" &&
  pass "migrate again: nothing applied (exit 0)" || fail "migrate again is a no-op" "rc=$rc" "$out"

tables=$(q "SELECT table_name FROM information_schema.tables WHERE table_schema='public' ORDER BY 1" | tr '\n' ' ')
[ "$tables" = "circuit_breaker_events circuit_breaker_state glc_schema_migrations " ] &&
  pass "tables: circuit_breaker_events, circuit_breaker_state, glc_schema_migrations" ||
  fail "tables created" "got: $tables"
idx=$(q "SELECT indexname||' '||regexp_replace(indexdef, '^.* USING ', '') FROM pg_indexes
         WHERE schemaname='public' AND (indexname LIKE 'idx_%' OR indexname LIKE 'uq_%') ORDER BY 1")
want=$'idx_cb_events_service btree (service_name, occurred_at)\nidx_cb_events_type btree (event_type)\nidx_circuit_breaker_service btree (service_name)\nuq_cb_events_instance_seq btree (instance_id, seq)'
[ "$idx" = "$want" ] && pass "the seed's three indexes and 015's unique (instance_id, seq)" ||
  fail "indexes" "got: $idx"
[ "$(q "SELECT count(*) FROM pg_indexes WHERE tablename='circuit_breaker_state' AND indexdef LIKE 'CREATE UNIQUE INDEX%(service_name)'")" = 1 ] &&
  pass "circuit_breaker_state.service_name is UNIQUE" || fail "circuit_breaker_state.service_name is UNIQUE"
cols=$(q "SELECT table_name||'.'||column_name FROM information_schema.columns WHERE table_schema='public'
          AND column_name IN ('pod_name','instance_id','seq','changed_at') ORDER BY 1" | tr '\n' ' ')
[ "$cols" = "circuit_breaker_events.instance_id circuit_breaker_events.pod_name circuit_breaker_events.seq circuit_breaker_state.changed_at circuit_breaker_state.instance_id circuit_breaker_state.pod_name circuit_breaker_state.seq " ] &&
  pass "015's columns" || fail "015's columns" "got: $cols"
[ "$(q "SELECT string_agg(version, ',' ORDER BY version) FROM glc_schema_migrations")" = "013,014,015" ] &&
  [ "$(q "SELECT count(*) FROM glc_schema_migrations WHERE checksum ~ '^[0-9a-f]{32}\$'")" = 3 ] &&
  pass "glc_schema_migrations records 013, 014, 015 with checksums" ||
  fail "applied versions recorded" "$(q 'SELECT * FROM glc_schema_migrations')"

# The embedded SQL is what glc build writes (minus its one-line header).
glc=${GLC_BIN:-$GLC_BUILD_DIR/compiler/glc}
if [ -x "$glc" ] && "$glc" build "$GLC_SOURCE_DIR/examples/agent-foundation" -o "$T/out" --no-link >"$T/build.log" 2>&1; then
  for f in "$T"/out/sql/*.sql; do tail -n +2 "$f"; done >"$T/generated.sql"
  migrate --print >"$T/embedded.sql"
  if cmp -s "$T/generated.sql" "$T/embedded.sql" && [ "$(ls "$T"/out/sql/*.sql | wc -l)" = 3 ]; then
    pass "migrate --print is byte-identical to glc build's sql/*.sql (013, 014, 015)"
  else
    fail "migrate --print equals glc build's sql/" "$(diff "$T/generated.sql" "$T/embedded.sql" | head -n 20)"
  fi
else
  fail "glc build of the example (for the SQL comparison)" "$(tail -n 5 "$T/build.log" 2>/dev/null)"
fi

# Replicas starting together: the advisory lock makes them take turns.
q "CREATE DATABASE racing" >/dev/null
race_url="${DATABASE_URL%/*}/racing"
for i in 1 2 3; do (DATABASE_URL=$race_url "$FAST" migrate >"$T/race$i.log" 2>&1; echo $? >"$T/race$i.rc") & done
wait
rcs=$(cat "$T"/race{1,2,3}.rc | tr '\n' ' ')
applied=$(grep -l '"msg":"migrations applied","applied":3' "$T"/race{1,2,3}.log | wc -l)
[ "$rcs" = "0 0 0 " ] && [ "$applied" = 1 ] &&
  pass "three concurrent migrate runs: all exit 0, exactly one applies" ||
  fail "concurrent migrate" "exit codes: $rcs; runs that applied: $applied" "$(cat "$T"/race1.log)"

# Unreachable: exit 1, a clear message, no URL, no password.
dead_port=$(free_port)
secret=pw-$RANDOM-not-printed
bad_url="postgresql://app:$secret@127.0.0.1:$dead_port/app"
out=$(DATABASE_URL=$bad_url "$FAST" migrate 2>&1); rc=$?
if [ $rc = 1 ] && grep -q '"msg":"cannot connect to the database (DATABASE_URL)","reason":"connect_refused"' <<<"$out" &&
   ! grep -qF "$secret" <<<"$out" && ! grep -qF "$bad_url" <<<"$out" && ! grep -qF "postgresql://" <<<"$out"; then
  pass "unreachable database: exit 1, 'cannot connect ... connect_refused', no URL or password"
else
  fail "unreachable database" "rc=$rc" "$out"
fi
out=$(env -u DATABASE_URL "$FAST" migrate 2>&1); rc=$?
[ $rc = 1 ] && grep -q 'DATABASE_URL is not set' <<<"$out" && pass "DATABASE_URL unset: exit 1" ||
  fail "DATABASE_URL unset" "rc=$rc" "$out"
out=$("$FAST" migrate --bogus 2>&1); rc=$?
[ $rc = 2 ] && pass "migrate with an unknown flag: exit 2" || fail "migrate --bogus exits 2" "rc=$rc"

# A failing migration (014 meets an incompatible table): exit 1, everything rolled back.
q "CREATE DATABASE broken" >/dev/null
broken_url="${DATABASE_URL%/*}/broken"
psql -X -q "$broken_url" -c "CREATE TABLE circuit_breaker_events (x integer)" >/dev/null
out=$(DATABASE_URL=$broken_url "$FAST" migrate 2>&1); rc=$?
left=$(psql -X -At "$broken_url" -c "SELECT string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.tables WHERE table_schema='public'")
if [ $rc = 1 ] && grep -q '"msg":"migration failed; nothing was applied","version":"014"' <<<"$out" &&
   grep -q '"sqlstate":"42703"' <<<"$out" && [ "$left" = circuit_breaker_events ]; then
  pass "a failing migration: exit 1 naming 014 and the SQLSTATE; 013 and the bookkeeping rolled back"
else
  fail "a failing migration" "rc=$rc; tables left: $left" "$out"
fi

finish
