#!/usr/bin/env bash
# The diagnostic formats and exit codes of `glc check`, end to end:
# SARIF validates against the official SARIF 2.1.0 schema, JSON has the
# documented shape, GitHub annotations are escaped, --werror and the exit
# codes 0/1/2 behave as documented, and text is colourless without a terminal.
set -u
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
glc=${GLC_BIN:?}
src=${GLC_SOURCE_DIR:?}
conf=$src/tests/conformance
make_tmpdir tmp
cd "$src/tests/cases" || exit 1
[ -d "$conf/node_modules" ] || { fail "conformance deps" "run: (cd tests/conformance && npm ci)"; finish; }

# SARIF: the example (warnings with related locations), a failing case and a
# suppressed finding must all be valid SARIF 2.1.0.
example=$src/examples/agent-foundation
"$glc" check "$example" --format sarif > "$tmp/example.sarif"; rc=$?
[ $rc -eq 0 ] && pass "sarif example exit 0" || fail "sarif example exit 0" "rc=$rc"
check "sarif example validates" node "$conf/validate-sarif.mjs" "$tmp/example.sarif"
"$glc" check GLC003-fail --format sarif > "$tmp/fail.sarif"
check "sarif failing case validates" node "$conf/validate-sarif.mjs" "$tmp/fail.sarif"
check "sarif has regions and rule metadata" node -e '
  const s = JSON.parse(require("fs").readFileSync(process.argv[1]));
  const run = s.runs[0], r = run.results[0];
  if (s.version !== "2.1.0") throw "version";
  if (!r.locations[0].physicalLocation.region.startLine) throw "region";
  const rule = run.tool.driver.rules[r.ruleIndex];
  if (rule.id !== r.ruleId || !rule.helpUri || !rule.help.markdown) throw "rule metadata";' "$tmp/example.sarif"

# JSON: exactly one object with the documented fields.
"$glc" check "$example" --format json > "$tmp/example.json"
check "json shape" node -e '
  const j = JSON.parse(require("fs").readFileSync(process.argv[1]));
  if (!Array.isArray(j.diagnostics) || typeof j.errors !== "number" || typeof j.warnings !== "number") throw "shape";
  if (j.warnings !== j.diagnostics.filter(d => d.severity === "warning").length) throw "count";
  const d = j.diagnostics.find(d => d.code === "GLC121");
  if (!d || d.line !== 30 || d.column !== 7 || d.path !== "kubernetes.autoscaling.horizontal.max_replicas") throw "GLC121";
  for (const x of j.diagnostics) for (const k of ["code","severity","message","file","line","column"]) if (!(k in x)) throw k;' "$tmp/example.json"
check "json stdout only" bash -c "test \"\$(\"$glc\" check \"$example\" --format json 2>&1 >/dev/null)\" = ''"

# GitHub annotations: one line per finding, properties and data escaped.
"$glc" check "$example" --format github > "$tmp/gh.txt"
check "github lines" grep -q '^::warning file=.*kubernetes_config.yaml,line=30,col=7,endColumn=24,title=GLC121::HPA can reach 100 pods' "$tmp/gh.txt"
check "github escapes newlines" bash -c "! grep -v '^::' '$tmp/gh.txt'"
mkdir -p "$tmp/we,ird"
cp "$src/tests/cases/GLC003-fail/kubernetes_config.yaml" "$tmp/we,ird/kubernetes_config.yaml"
"$glc" check "$tmp/we,ird" --format github > "$tmp/gh2.txt"
check "github escapes ',' in file=" grep -q 'file=.*we%2Cird/kubernetes_config.yaml,line=10' "$tmp/gh2.txt"
check "github escapes newline in data" grep -q "::unknown key 'termination_grace_periode'%0Ahelp: did you mean" "$tmp/gh2.txt"

# Exit codes and --werror.
"$glc" check "$example" >/dev/null 2>&1; rc=$?
[ $rc -eq 0 ] && pass "warnings exit 0" || fail "warnings exit 0" "rc=$rc"
"$glc" check "$example" --werror >/dev/null 2>&1; rc=$?
[ $rc -eq 1 ] && pass "--werror exit 1" || fail "--werror exit 1" "rc=$rc"
"$glc" check GLC003-fail >/dev/null 2>&1; rc=$?
[ $rc -eq 1 ] && pass "errors exit 1" || fail "errors exit 1" "rc=$rc"
"$glc" check "$tmp/does-not-exist" >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && pass "missing path exit 2" || fail "missing path exit 2" "rc=$rc"
"$glc" check "$tmp" >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && pass "dir without configs exit 2" || fail "dir without configs exit 2" "rc=$rc"
"$glc" check --format xml "$example" >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && pass "bad --format exit 2" || fail "bad --format exit 2" "rc=$rc"
"$glc" frobnicate >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && pass "unknown command exit 2" || fail "unknown command exit 2" "rc=$rc"

# Text: no colour when stderr is not a terminal, or with NO_COLOR under a pty.
check "no colour off a terminal" bash -c "! \"$glc\" check \"$example\" 2>&1 | grep -q \$'\\033'"
if command -v script >/dev/null; then
  out=$(NO_COLOR=1 script -qec "\"$glc\" check \"$example\"" /dev/null)
  ! grep -q $'\033' <<<"$out" && pass "NO_COLOR on a terminal" || fail "NO_COLOR on a terminal"
  out=$(script -qec "\"$glc\" check \"$example\"" /dev/null)
  grep -q $'\033\[' <<<"$out" && pass "colour on a terminal" || fail "colour on a terminal"
fi

# Suppression: counted in the summary and in JSON, with its reason.
mkdir -p "$tmp/supp"
cp "$example/config/resilience_config.yaml" "$tmp/supp/"
sed 's/^      max_replicas: 100$/      max_replicas: 100  # glc-ignore GLC121: the node group limit is raised by a quota request/' \
  "$example/config/kubernetes_config.yaml" > "$tmp/supp/kubernetes_config.yaml"
"$glc" check "$tmp/supp" > /dev/null 2> "$tmp/supp.txt"
check "suppressed not shown" bash -c "! grep -q GLC121 '$tmp/supp.txt'"
check "suppressed counted" grep -q ', 1 suppressed' "$tmp/supp.txt"
"$glc" check "$tmp/supp" --format json > "$tmp/supp.json"
check "suppression in json" node -e '
  const j = JSON.parse(require("fs").readFileSync(process.argv[1]));
  if (j.suppressed !== 1 || j.suppressions[0].code !== "GLC121" || !j.suppressions[0].suppression_reason) throw "x";' "$tmp/supp.json"
"$glc" check "$tmp/supp" --format sarif > "$tmp/supp.sarif"
check "suppression in sarif validates" node "$conf/validate-sarif.mjs" "$tmp/supp.sarif"

# explain and schema
check "explain prints the page" bash -c "\"$glc\" explain GLC121 | grep -q '^# GLC121'"
check "explain lowercase" bash -c "\"$glc\" explain glc121 | grep -q GLC121"
"$glc" explain GLC999 >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && pass "explain unknown exit 2" || fail "explain unknown exit 2" "rc=$rc"
check "schema is the embedded JSON" bash -c "\"$glc\" schema kubernetes | cmp - '$src/schema/kubernetes_config.schema.json'"
finish
