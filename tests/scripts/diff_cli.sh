#!/usr/bin/env bash
# diff_cli.sh — glc diff end to end. A temporary git repository holds the example configs
# (examples/agent-foundation/config), committed; each case edits the working tree, runs
# `glc diff --format json`, and checks the impact lines (class and message substring), the
# findings introduced/resolved, the changed outputs and the exit status, then restores the
# tree. Every JSON report is validated against schema/diff.schema.json (ajv), the markdown
# report is parsed with markdown-it, GitHub annotations are checked for escaping and the
# 10-per-type limit, colour follows the terminal and NO_COLOR, and git problems exit 2.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

glc=${GLC_BIN:?GLC_BIN not set}
root=${GLC_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
conf=$root/tests/conformance
schema=$root/schema/diff.schema.json

command -v git >/dev/null || { echo "diff_cli: git is not installed" >&2; exit 77; }
have_node=1
if ! command -v node >/dev/null || [ ! -d "$conf/node_modules" ]; then
  echo "diff_cli: node or $conf/node_modules is missing; run scripts/setup.sh test" >&2
  have_node=0
  fail "node and tests/conformance/node_modules are installed"
fi

make_tmpdir T
# git must not find a repository above the test's own, nor read the user's configuration
export GIT_CEILING_DIRECTORIES=$T GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=glc GIT_AUTHOR_EMAIL=glc@example.invalid
export GIT_COMMITTER_NAME=glc GIT_COMMITTER_EMAIL=glc@example.invalid
unset NO_COLOR

repo=$T/repo
mkdir -p "$repo"
cp -r "$root/examples/agent-foundation/config" "$repo/"
git -C "$repo" init -q
git -C "$repo" add config
git -C "$repo" commit -qm "example configs"
K=$repo/config/kubernetes_config.yaml
R=$repo/config/resilience_config.yaml

# json_check FILE EXPECT... : each EXPECT is
#   CLASS|SUBSTRING   an impact line of that class whose message contains SUBSTRING
#   none              no impact line at all
#   introduced=CODE   / resolved=CODE   a finding of that code
#   introduced=0 / resolved=0 / outputs=0   nothing of that kind
#   output=PATH       PATH is among the changed outputs
# Prints what is missing, and the report's impact lines when something is.
json_check() {
  node -e '
    const fs = require("fs");
    const [file, ...want] = process.argv.slice(1);
    const d = JSON.parse(fs.readFileSync(file, "utf8"));
    const bad = [];
    for (const w of want) {
      let ok;
      if (w === "none") ok = d.impact.length === 0;
      else if (w === "introduced=0") ok = d.diagnostics.introduced.length === 0;
      else if (w === "resolved=0") ok = d.diagnostics.resolved.length === 0;
      else if (w === "outputs=0") ok = d.outputs.length === 0;
      else if (w.startsWith("introduced=")) ok = d.diagnostics.introduced.some((f) => f.code === w.slice(11));
      else if (w.startsWith("resolved=")) ok = d.diagnostics.resolved.some((f) => f.code === w.slice(9));
      else if (w.startsWith("output=")) ok = d.outputs.some((o) => o.path === w.slice(7) && o.diff.startsWith("--- "));
      else {
        const [cls, sub] = [w.slice(0, w.indexOf("|")), w.slice(w.indexOf("|") + 1)];
        ok = d.impact.some((i) => i.class === cls && i.message.includes(sub) && i.file && i.line >= 1);
      }
      if (!ok) bad.push("missing: " + w);
    }
    const s = d.summary, n = (c) => d.impact.filter((i) => i.class === c).length;
    if (s.breaking !== n("breaking") || s.risky !== n("risky") || s.safe !== n("safe") ||
        s.introduced !== d.diagnostics.introduced.length || s.resolved !== d.diagnostics.resolved.length ||
        s.outputs_changed !== d.outputs.length) bad.push("summary counts disagree with the lists");
    if (bad.length) {
      console.log(bad.join("\n"));
      console.log("impact:\n" + d.impact.map((i) => "  " + i.class + "  " + i.message).join("\n"));
      console.log("introduced: " + d.diagnostics.introduced.map((f) => f.code).join(" ") +
                  "; resolved: " + d.diagnostics.resolved.map((f) => f.code).join(" "));
      process.exit(1);
    }' "$@"
}

n=0
JSONS=()
# case NAME WANT_RC "DIFF ARGS" EXPECT... ; the edit is already in the working tree
case_run() {
  local name=$1 want=$2 args=$3 out rc detail
  shift 3
  n=$((n + 1))
  out=$T/case$n.json
  # shellcheck disable=SC2086
  (cd "$repo" && "$glc" diff --format json $args) >"$out" 2>"$T/case$n.err"
  rc=$?
  JSONS+=("$out")
  if [ "$rc" -ne "$want" ]; then
    fail "$name: exit $want" "got exit $rc" "$(cat "$T/case$n.err")" "$(head -c 3000 "$out")"
  elif [ "$have_node" = 0 ]; then
    pass "$name: exit $want (impact lines not checked: no node)"
  elif detail=$(json_check "$out" "$@"); then
    pass "$name: exit $want, $*"
  else
    fail "$name" "$detail"
  fi
  git -C "$repo" checkout -q -- config
}

# --- 1. a comment-only and formatting-only change -----------------------------------------
sed -i -e 's|^# config/kubernetes_config.yaml|# the production service (edited comment)|' \
       -e 's|^    replicas: 9$|    replicas:   9    # three per zone|' \
       -e 's|path: /health/live|path: "/health/live"|' \
       -e 's|^  load_balancer:|\n  # the NLB\n  load_balancer:|' "$K"
sed -i -e 's|^      - slack$|      - slack      # team channel|' "$R"
case_run "comment-only change" 0 "" none introduced=0 resolved=0 outputs=0

# --- 2. replicas down (with the HPA minimum) ----------------------------------------------
sed -i -e 's/^    replicas: 9$/    replicas: 6/' -e 's/us-east-1\([abc]\): 3$/us-east-1\1: 2/' \
       -e 's/min_replicas: 9/min_replicas: 6/' "$K"
case_run "replicas down" 0 "" "risky|replicas 9 → 6" "risky|zone loss now leaves 4 pods (was 6), below HPA min 6" \
  "risky|HPA min 9 → 6" "safe|no restart: replicas and HPA bounds only" output=kubernetes/deployment.yaml

# --- 3. replicas up -------------------------------------------------------------------------
sed -i -e 's/^    replicas: 9$/    replicas: 12/' -e 's/us-east-1\([abc]\): 3$/us-east-1\1: 4/' "$K"
case_run "replicas up" 0 "" "safe|replicas 9 → 12" "safe|zone loss now leaves 8 pods (was 6)" \
  "safe|no restart: replicas only"

# --- 4. a zone removed ----------------------------------------------------------------------
sed -i -e '/^      - us-east-1c$/d' -e '/^      us-east-1c: 3$/d' -e 's/us-east-1a: 3$/us-east-1a: 5/' \
       -e 's/us-east-1b: 3$/us-east-1b: 4/' "$K"
case_run "zone removed" 0 "" "risky|zone us-east-1c removed" "risky|zone loss now leaves 4 pods (was 6)" \
  output=terraform/eks.tf

# --- 5. requests raised ---------------------------------------------------------------------
sed -i -e 's/cpu: 2000m/cpu: 3000m/' "$K"
case_run "requests raised" 1 "" "risky|cpu request 2000m → 3000m: 2 pods per node (was 3)" \
  "risky|pods will be restarted (template change: resources)" \
  "breaking|capacity at HPA max drops from 90 to 60 pods, below HPA max 100"

# --- 6. HPA max lowered ---------------------------------------------------------------------
sed -i -e 's/max_replicas: 100/max_replicas: 80/' "$K"
case_run "HPA max lowered" 0 "" "risky|HPA max 100 → 80" "safe|no restart: HPA bounds only" resolved=GLC121 \
  introduced=0 output=kubernetes/hpa.yaml

# --- 7. a probe timing change ---------------------------------------------------------------
sed -i -e '/^    liveness:/,/^$/s/failure_threshold: 3/failure_threshold: 2/' "$K"
case_run "probe timing" 0 "" \
  "risky|liveness probe stricter (failure_threshold 3 → 2): a pod is restarted after 20 s of failed checks (was 30 s)" \
  "risky|pods will be restarted (template change: probes)"
sed -i -e '/^    liveness:/,/^$/s/period: 10/period: 20/' "$K"
case_run "probe timing, looser" 0 "" "safe|a pod is restarted after 60 s of failed checks (was 30 s)" \
  "risky|pods will be restarted (template change: probes)"

# --- 8. a breaker threshold change ----------------------------------------------------------
sed -i -e '/^    redis:/,/^$/s/failure_threshold: 3/failure_threshold: 2/' "$R"
case_run "breaker threshold" 0 "" "risky|redis breaker opens sooner (failure_threshold 3 → 2)" output=c/glc_breakers.c
sed -i -e '/^    redis:/,/^$/s/failure_threshold: 3/failure_threshold: 2/' "$R"
case_run "breaker threshold, --fail-on risky" 1 "--fail-on risky" "risky|redis breaker opens sooner"
sed -i -e '/^    kafka:/,/^$/s/failure_threshold: 5/failure_threshold: 8/' "$R"
case_run "breaker threshold raised" 0 "--fail-on risky" "safe|kafka breaker opens later (failure_threshold 5 → 8)"

# --- 9. a breaker added ---------------------------------------------------------------------
sed -i -e 's/^  monitoring:/    stripe_api:\n      failure_threshold: 5\n      recovery_timeout: 60\n      half_open_max_calls: 3\n      success_threshold: 2\n\n  monitoring:/' "$R"
case_run "breaker added" 0 "--fail-on risky" "safe|breaker stripe_api added" output=c/glc_breakers.h

# --- 10. a breaker removed ------------------------------------------------------------------
sed -i -e '/^    openai_api:/,/^$/d' "$R"
case_run "breaker removed" 0 "" "risky|breaker openai_api removed"
sed -i -e '/^    redis:/,/^$/d' "$R"
case_run "readiness breaker removed" 1 "" "breaking|breaker redis removed, but readiness still depends on it" \
  introduced=GLC173 resolved=GLC174

# --- 11. an alert channel removed -----------------------------------------------------------
sed -i -e '/^      - pagerduty$/d' "$R"
case_run "alert channel removed" 0 "" "risky|alerts to pagerduty removed"
sed -i -e '/^      - pagerduty$/d' "$R"
case_run "alert channel removed, --fail-on risky" 1 "--fail-on risky" "risky|alerts to pagerduty removed"

# --- more: zone loss below what the HPA minimum keeps, load balancer, node type -------------
sed -i -e 's/us-east-1a: 3$/us-east-1a: 5/' -e 's/us-east-1c: 3$/us-east-1c: 1/' "$K"
case_run "uneven zones" 1 "" "breaking|zone loss now leaves 4 pods (was 6), below HPA min 9" \
  "risky|pods move between zones (us-east-1a 3 → 5, us-east-1c 3 → 1)" introduced=GLC104
sed -i -e 's/cross_zone: true/cross_zone: false/' -e 's/deregistration_delay: 30/deregistration_delay: 20/' "$K"
case_run "load balancer" 0 "" "risky|cross-zone load balancing off" "risky|deregistration delay 30 → 20 s" \
  "safe|no restart: load balancer only" output=terraform/nlb.tf
sed -i -e 's/^    name: greenlang-production$/    name: greenlang-production\n    node_group:\n      instance_type: m6i.2xlarge/' "$K"
case_run "node type" 0 "" "risky|node type c6i.2xlarge → m6i.2xlarge"
sed -i -e 's/^    replicas: 9$/    replicas: [9/' "$K"
case_run "new config does not parse" 1 "" none introduced=GLC001 resolved=0 outputs=0

# --- the JSON reports validate against the documented schema --------------------------------
if [ "$have_node" = 1 ]; then
  check "every JSON report validates against schema/diff.schema.json" \
    node "$conf/validate-json.mjs" "$schema" "${JSONS[@]}"
  check "glc schema diff prints the embedded schema" bash -c "\"$glc\" schema diff | cmp - '$schema'"
fi

# --- text: colour only on a terminal, never with NO_COLOR -----------------------------------
sed -i -e 's/max_replicas: 100/max_replicas: 80/' "$K"
out=$(cd "$repo" && "$glc" diff 2>&1)
rc=$?
if [ "$rc" -eq 0 ] && grep -q '^Impact$' <<<"$out" && grep -q 'risky .*HPA max 100 → 80' <<<"$out" &&
    grep -q '^-  maxReplicas: 100$' <<<"$out" && grep -q '^glc: 0 breaking, 1 risky, 1 safe' <<<"$out" &&
    ! grep -q $'\033' <<<"$out"; then
  pass "text report, no colour when not a terminal"
else
  fail "text report, no colour when not a terminal" "exit $rc" "$out"
fi
if command -v script >/dev/null; then
  out=$(cd "$repo" && script -qec "'$glc' diff" /dev/null 2>&1)
  if grep -q $'\033\\[' <<<"$out"; then pass "text report is coloured on a terminal"
  else fail "text report is coloured on a terminal" "$out"; fi
  out=$(cd "$repo" && NO_COLOR=1 script -qec "'$glc' diff" /dev/null 2>&1)
  if ! grep -q $'\033\\[' <<<"$out" && grep -q 'HPA max 100 → 80' <<<"$out"; then pass "NO_COLOR turns colour off on a terminal"
  else fail "NO_COLOR turns colour off on a terminal" "$out"; fi
fi

# --- markdown: a table, a list, a details block with a diff fence ---------------------------
sed -i -e 's/cpu: 2000m/cpu: 3000m/' "$K"
(cd "$repo" && "$glc" diff --format markdown) >"$T/report.md"
rc=$?
if [ "$rc" -ne 1 ]; then
  fail "markdown report exits 1 on a breaking change" "got $rc"
elif [ "$have_node" = 1 ]; then
  if out=$(node "$conf/check-markdown.mjs" "$T/report.md" --expect table,list,details,diff 2>&1) &&
      grep -q '^table 7$' <<<"$out" && grep -q '^list 4$' <<<"$out" &&
      grep -q '^details Generated output: 2 files changed$' <<<"$out" && grep -q '🔴 \*\*breaking\*\*' "$T/report.md"; then
    pass "markdown report renders: summary table, impact list, <details> with diff fences"
  else
    fail "markdown report renders: summary table, impact list, <details> with diff fences" "$out" "$(cat "$T/report.md")"
  fi
fi
git -C "$repo" checkout -q -- config

# --- github: escaping and the 10-per-type limit ---------------------------------------------
# two directories whose names need escaping as a property (',' and ':'); the new side raises
# the HPA cpu target (a '%' in the message) and introduces a finding with notes (newlines)
old=$T/old
new="$T/new,dir:x"
mkdir -p "$old" "$new"
cp -r "$root/examples/agent-foundation/config" "$old/"
cp -r "$root/examples/agent-foundation/config" "$new/"
sed -i -e 's/target_cpu_percentage: 70/target_cpu_percentage: 80/' -e 's/^    replicas: 9$/    replicas: 12/' \
       -e 's/us-east-1a: 3$/us-east-1a: 7/' -e 's/us-east-1c: 3$/us-east-1c: 2/' "$new/config/kubernetes_config.yaml"
out=$("$glc" diff "$old" "$new" --format github)
rc=$?
file_re='file=[^,:]*new%2Cdir%3Ax/config/kubernetes_config\.yaml,line=[0-9]+,col=[0-9]+'
if [ "$rc" -eq 1 ] &&
    grep -Eq "^::warning $file_re,title=glc diff%3A risky::HPA cpu target 70%25 → 80%25: scales out later" <<<"$out" &&
    grep -Eq "^::warning $file_re,title=GLC104::[^%]*%0A(note|help): " <<<"$out" &&
    grep -Eq "^::error $file_re,title=glc diff%3A breaking::zone loss now leaves 5 pods \(was 6\)" <<<"$out" &&
    [ "$(grep -cv '^::' <<<"$out")" -eq 0 ] &&
    tail -n 1 <<<"$out" | grep -q '^::notice title=glc diff::glc diff .* → .*: 1 breaking'; then
  pass "github annotations: %, newline, ':' and ',' escaped; one line per annotation; summary notice last"
else
  fail "github annotations: %, newline, ':' and ',' escaped; one line per annotation; summary notice last" "exit $rc" "$out"
fi
# 15 breakers → 3: twelve risky removals, ten shown as warnings, the rest counted
mkdir -p "$T/many-old" "$T/many-new"
{
  printf 'circuit_breaker:\n  services:\n'
  for i in $(seq 1 15); do printf '    dep_%02d:\n      failure_threshold: 5\n' "$i"; done
} >"$T/many-old/resilience_config.yaml"
{
  printf 'circuit_breaker:\n  services:\n'
  for i in $(seq 1 3); do printf '    dep_%02d:\n      failure_threshold: 5\n' "$i"; done
} >"$T/many-new/resilience_config.yaml"
out=$("$glc" diff "$T/many-old" "$T/many-new" --format github)
rc=$?
if [ "$rc" -eq 0 ] && [ "$(grep -c '^::warning ' <<<"$out")" -eq 10 ] &&
    tail -n 1 <<<"$out" | grep -q '^::notice title=glc diff::.*12 risky.*(2 more annotations not shown.*2 warnings'; then
  pass "github: at most 10 annotations per type, the rest counted in the final notice"
else
  fail "github: at most 10 annotations per type, the rest counted in the final notice" "exit $rc" "$out"
fi
out=$("$glc" diff "$T/many-old" "$T/many-new" --format github --fail-on risky >/dev/null 2>&1; echo $?)
[ "$out" = 1 ] && pass "two directories, --fail-on risky: exit 1" || fail "two directories, --fail-on risky: exit 1" "got $out"

# --- errors: exit 2 with a clear message ----------------------------------------------------
expect_error() { # NAME DIR REGEX ARGS...
  local name=$1 dir=$2 re=$3 err rc
  shift 3
  err=$(cd "$dir" && "$glc" diff "$@" 2>&1 >/dev/null)
  rc=$?
  if [ "$rc" -eq 2 ] && grep -Eq "$re" <<<"$err"; then pass "$name: exit 2, '$err'"
  else fail "$name: exit 2 and /$re/" "got exit $rc: $err"; fi
}
late=$T/late
mkdir -p "$late"
git -C "$late" init -q
echo "# service" >"$late/README.md"
git -C "$late" add README.md
git -C "$late" commit -qm readme
cp -r "$root/examples/agent-foundation/config" "$late/"
git -C "$late" add config
git -C "$late" commit -qm configs
expect_error "--base where the file did not exist" "$late" \
  "config/kubernetes_config.yaml does not exist at revision HEAD~1" --base HEAD~1
expect_error "a file not committed yet" "$late" "config/new/kubernetes_config.yaml does not exist at revision HEAD" \
  "$(mkdir -p "$late/config/new" && cp "$late/config/kubernetes_config.yaml" "$late/config/new/" && echo config/new)"
mkdir -p "$T/nongit"
cp -r "$root/examples/agent-foundation/config" "$T/nongit/"
expect_error "a directory outside git" "$T/nongit" "'\./config' is not in a git repository"
expect_error "an unknown revision" "$repo" "unknown revision 'no-such-rev'" --base no-such-rev
expect_error "an unknown format" "$repo" "takes text, json, markdown or github" --format sarif
expect_error "a directory without configs" "$repo" "no kubernetes_config.yaml" "$T/many-new/.."
expect_error "configs on one side only" "$T" "has kubernetes_config.yaml but '.*many-old' has none" "$T/many-old" "$repo"

# --- configs at the repository top: the old side (HEAD:kubernetes_config.yaml) renders the same
top=$T/top
mkdir -p "$top"
cp "$root"/examples/agent-foundation/config/*.yaml "$top/"
git -C "$top" init -q
git -C "$top" add .
git -C "$top" commit -qm top
sed -i -e 's/max_replicas: 100/max_replicas: 80/' "$top/kubernetes_config.yaml"
out=$(cd "$top" && "$glc" diff --format json)
if grep -q '"outputs_changed": 1' <<<"$out" && grep -q '"path": "kubernetes/hpa.yaml"' <<<"$out"; then
  pass "configs at the repository top: only the file that changes is in the output diff"
else
  fail "configs at the repository top: only the file that changes is in the output diff" "$out"
fi

# --- nothing changed, and the old side's files are named REV:path ---------------------------
out=$(cd "$repo" && "$glc" diff 2>&1)
rc=$?
[ "$rc" -eq 0 ] && grep -q '^glc: no change' <<<"$out" && pass "no change: exit 0" || fail "no change: exit 0" "$out"
sed -i -e 's/max_replicas: 100/max_replicas: 80/' "$K"
out=$(cd "$repo/config" && "$glc" diff --format json .)
git -C "$repo" checkout -q -- config
if grep -q '"file": "HEAD:config/kubernetes_config.yaml"' <<<"$out" &&
    grep -q '"file": "config/kubernetes_config.yaml"' <<<"$out"; then
  pass "paths are repository-relative, the old side as HEAD:path (run from a subdirectory)"
else
  fail "paths are repository-relative, the old side as HEAD:path (run from a subdirectory)" "$out"
fi

finish
