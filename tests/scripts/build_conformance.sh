#!/usr/bin/env bash
# build_conformance.sh — what `glc build` emits is valid for the tools that consume it, and says
# what the config says. For the example and every tests/build-configs/k8s-*/ config:
#   - glc build CFG -o TMP --no-link succeeds;
#   - every Kubernetes YAML passes tests/conformance/validate-k8s.mjs (strict: unknown fields fail);
#   - kubectl kustomize TMP/kubernetes assembles (skipped with a message without kubectl);
#   - the C table compiles with gcc -std=c99/c11/c17 -Wall -Wextra -Werror -pedantic, and a program
#     linked with it prints the table, which tests/conformance/semantic-k8s.mjs compares with the config;
#   - semantic-k8s.mjs: the manifests' values equal the config's (replicas, strategy, probes,
#     resources, HPA/VPA/PDB/TSC, ports, image tag, securityContext, Service type, ...);
#   - the SQL migrations apply twice (idempotent) to a throw-away PostgreSQL (lib.sh start_postgres)
#     and create the seed's tables and indexes.
# Also: semantic-k8s.mjs itself fails on a manifest that disagrees with its config.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

root=${GLC_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
glc=${GLC_BIN:?GLC_BIN not set}
conf=$root/tests/conformance

if ! command -v node >/dev/null || [ ! -d "$conf/node_modules" ]; then
  echo "build_conformance: node or $conf/node_modules missing; run scripts/setup.sh test" >&2
  fail "node and tests/conformance/node_modules are installed"
  finish
fi

make_tmpdir tmp

configs=("$root/examples/agent-foundation")
for d in "$root"/tests/build-configs/k8s-*/; do configs+=("${d%/}"); done
[ ${#configs[@]} -ge 4 ] && pass "the example and $((${#configs[@]} - 1)) other configs" ||
  fail "at least 3 configs under tests/build-configs/k8s-*" "found: ${configs[*]}"

# A program that prints the generated breaker table, for the semantic check.

have_kubectl=1
command -v kubectl >/dev/null || { have_kubectl=0; echo "SKIP: kubectl is not installed: kubectl kustomize not run"; }

sql_dirs=()
for cfg in "${configs[@]}"; do
  name=$(basename "$cfg")
  out=$tmp/$name
  if ! log=$("$glc" build "$cfg" -o "$out" --no-link 2>&1); then
    fail "$name: glc build --no-link" "$log"
    continue
  fi
  pass "$name: glc build --no-link"

  yamls=("$out"/kubernetes/*.yaml)
  check "$name: ${#yamls[@]} Kubernetes files pass validate-k8s.mjs (strict)" node "$conf/validate-k8s.mjs" "${yamls[@]}"

  if [ $have_kubectl = 1 ]; then
    if kout=$(kubectl kustomize "$out/kubernetes" 2>&1); then
      n=$(grep -c '^kind:' <<<"$kout")
      want=$(cat "$out"/kubernetes/*.yaml | grep -c '^kind:')
      want=$((want - 1)) # the kustomization itself
      [ "$n" = "$want" ] && pass "$name: kubectl kustomize assembles all $n objects" ||
        fail "$name: kubectl kustomize assembles all objects" "got $n, want $want"
    else
      fail "$name: kubectl kustomize" "$kout"
    fi
  fi

  for std in c99 c11 c17; do
    check "$name: glc_breakers.c compiles with gcc -std=$std -Wall -Wextra -Werror -pedantic" \
      gcc -std=$std -Wall -Wextra -Werror -pedantic -c "$out/c/glc_breakers.c" -o "$tmp/$name-$std.o"
  done
  if command -v clang >/dev/null; then
    check "$name: glc_breakers.c compiles with clang -std=c99 -Weverything -Werror (minus padding)" \
      clang -std=c99 -Weverything -Wno-padded -Wno-declaration-after-statement -Wno-unsafe-buffer-usage \
      -Wno-unknown-warning-option -Werror -c "$out/c/glc_breakers.c" -o "$tmp/$name-clang.o"
  fi
  table=$tmp/$name.table
  if gcc -std=c99 -Wall -Wextra -Werror -pedantic -I"$out/c" "$GLC_SOURCE_DIR/tests/conformance/print_table.c" "$out/c/glc_breakers.c" \
       -o "$tmp/$name-print" 2>"$tmp/cc.log" && "$tmp/$name-print" >"$table"; then
    pass "$name: a program linked with the table runs (GLC_BREAKER_COUNT == glc_breaker_count)"
  else
    fail "$name: a program linked with the table runs" "$(cat "$tmp/cc.log")"
    table=""
  fi

  if sout=$(node "$conf/semantic-k8s.mjs" "$cfg" "$out" ${table:+--table "$table"} 2>&1); then
    pass "$name: semantic-k8s.mjs: $(tail -n 1 <<<"$sout")"
  else
    fail "$name: semantic-k8s.mjs: manifests say what the config says" "$sout"
  fi
  sql_dirs+=("$name:$out/sql")
done

# The semantic check is not vacuous: a manifest that disagrees with the config fails it.
ex=$tmp/agent-foundation
if [ -d "$ex/kubernetes" ]; then
  bad=$tmp/tampered
  mkdir -p "$bad" && cp -r "$ex/kubernetes" "$bad/"
  sed -i 's/^  replicas: 9$/  replicas: 8/; s/failureThreshold: 30$/failureThreshold: 29/' "$bad/kubernetes/deployment.yaml"
  sed -i 's/maxUnavailable: 3$/maxUnavailable: 1/' "$bad/kubernetes/pdb.yaml"
  sed -i 's/type: "ClusterIP"/type: "LoadBalancer"/' "$bad/kubernetes/service.yaml"
  sout=$(node "$conf/semantic-k8s.mjs" "$root/examples/agent-foundation" "$bad" 2>&1)
  rc=$?
  if [ $rc = 1 ] && grep -q 'FAIL: Deployment replicas' <<<"$sout" && grep -q 'FAIL: startupProbe.failureThreshold' <<<"$sout" &&
     grep -q 'FAIL: PDB maxUnavailable' <<<"$sout" && grep -q 'FAIL: Service type' <<<"$sout"; then
    pass "semantic-k8s.mjs rejects tampered replicas, probe, PDB and Service type"
  else
    fail "semantic-k8s.mjs rejects tampered manifests" "rc=$rc" "$sout"
  fi
fi

# SQL: apply every config's migrations twice to a real PostgreSQL.
if ! start_postgres >"$tmp/pg.log" 2>&1; then
  fail "start a throw-away PostgreSQL (lib.sh start_postgres)" "$(cat "$tmp/pg.log")"
  finish
fi
psql_run() { psql -X -q -v ON_ERROR_STOP=1 "$DATABASE_URL" "$@"; }
for entry in "${sql_dirs[@]}"; do
  name=${entry%%:*} dir=${entry#*:}
  psql_run -c 'DROP TABLE IF EXISTS circuit_breaker_state, circuit_breaker_events' >/dev/null 2>&1
  ok=1 log=""
  for round in 1 2; do
    for f in "$dir"/*.sql; do
      if ! l=$(psql_run -f "$f" 2>&1); then ok=0; log+="round $round: $f: $l"$'\n'; fi
    done
  done
  [ $ok = 1 ] && pass "$name: the SQL migrations apply twice with ON_ERROR_STOP=1" ||
    fail "$name: the SQL migrations apply twice" "$log"

  tables=$(psql_run -At -c "SELECT table_name FROM information_schema.tables WHERE table_schema='public' ORDER BY 1")
  [ "$tables" = $'circuit_breaker_events\ncircuit_breaker_state' ] &&
    pass "$name: tables circuit_breaker_state and circuit_breaker_events exist" ||
    fail "$name: the seed's tables exist" "got: $tables"
  # The seed's columns and indexes (later migrations may add more; these must stay).
  cols=$(psql_run -At -c "SELECT table_name||'.'||column_name||':'||data_type FROM information_schema.columns
                           WHERE table_schema='public' ORDER BY table_name, ordinal_position")
  missing=""
  for c in circuit_breaker_events.id:uuid circuit_breaker_events.service_name:character\ varying \
           circuit_breaker_events.event_type:character\ varying circuit_breaker_events.from_state:character\ varying \
           circuit_breaker_events.to_state:character\ varying circuit_breaker_events.failure_count:integer \
           circuit_breaker_events.message:text circuit_breaker_events.occurred_at:timestamp\ without\ time\ zone \
           circuit_breaker_state.id:uuid circuit_breaker_state.service_name:character\ varying \
           circuit_breaker_state.state:character\ varying circuit_breaker_state.failure_count:integer \
           circuit_breaker_state.last_failure_time:timestamp\ without\ time\ zone \
           circuit_breaker_state.last_success_time:timestamp\ without\ time\ zone \
           circuit_breaker_state.next_attempt_time:timestamp\ without\ time\ zone \
           circuit_breaker_state.updated_at:timestamp\ without\ time\ zone; do
    grep -qxF "$c" <<<"$cols" || missing+="$c "
  done
  [ -z "$missing" ] && pass "$name: the seed's columns and types" ||
    fail "$name: the seed's columns and types" "missing: $missing" "got: $(tr '\n' ' ' <<<"$cols")"
  idx=$(psql_run -At -c "SELECT indexname||' '||regexp_replace(indexdef, '^.* USING ', '') FROM pg_indexes
                          WHERE schemaname='public' ORDER BY 1")
  missing=""
  for i in 'idx_cb_events_service btree (service_name, occurred_at)' 'idx_cb_events_type btree (event_type)' \
           'idx_circuit_breaker_service btree (service_name)'; do
    grep -qxF "$i" <<<"$idx" || missing+="$i; "
  done
  [ -z "$missing" ] && pass "$name: the seed's three indexes" ||
    fail "$name: the seed's three indexes" "missing: $missing" "got: $idx"
  uniq=$(psql_run -At -c "SELECT count(*) FROM pg_indexes WHERE tablename='circuit_breaker_state' AND indexdef LIKE 'CREATE UNIQUE INDEX%(service_name)'")
  [ "$uniq" = 1 ] && pass "$name: circuit_breaker_state.service_name is UNIQUE (the runtime upserts on it)" ||
    fail "$name: circuit_breaker_state.service_name is UNIQUE" "got $uniq unique indexes"
  # The runtime's upsert and insert work against this schema.
  check "$name: upsert and event insert work" psql_run -c "
    INSERT INTO circuit_breaker_state (service_name, state, failure_count) VALUES ('database', 'open', 3)
      ON CONFLICT (service_name) DO UPDATE SET state = EXCLUDED.state, updated_at = NOW();
    INSERT INTO circuit_breaker_state (service_name, state) VALUES ('database', 'half_open')
      ON CONFLICT (service_name) DO UPDATE SET state = EXCLUDED.state, updated_at = NOW();
    INSERT INTO circuit_breaker_events (service_name, event_type, from_state, to_state)
      VALUES ('database', 'state_change', 'closed', 'open');
    DO \$\$ BEGIN
      IF (SELECT state FROM circuit_breaker_state WHERE service_name = 'database') <> 'half_open' THEN
        RAISE EXCEPTION 'upsert did not update';
      END IF;
    END \$\$;"
done
stop_postgres

finish
