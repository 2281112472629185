#!/usr/bin/env bash
# hostile.sh — `glc check` on hostile input never crashes, hangs or passes.
#
# Inputs: the committed corpus tests/hostile/ (small files; GLCnnn-<what>.yaml must fail with
# GLCnnn, valid-<what>.yaml must pass) and large cases generated here at test time into a temp
# dir (alias bombs, 100k-deep nesting, 10 MB values, a 70 MB file, 100k-key floods; nothing
# large is committed). For each hostile case:
#   - the exit status is 1 (findings) or 2 (I/O), never 0 and never a signal or timeout (5 s);
#   - stderr holds a located diagnostic `FILE:LINE:COL: error: ... [CODE]` with the expected
#     code (pure I/O errors: exit 2 and a clear message instead);
#   - it takes at most 1 s (wall clock; a correctness bound, not a benchmark; x4 in sanitizer
#     builds; a case over the bound is re-run once so a loaded machine does not fail it);
#   - stderr stays small (the per-code output cap) and free of sanitizer reports.
# Then a subset runs under valgrind (memcheck; definite and indirect leaks are errors) when
# valgrind is installed and the binary is not sanitizer-built.
#
# Environment: GLC_BIN (the glc binary), GLC_SOURCE_DIR, GLC_BUILD_DIR (unused).
# GLC_HOSTILE_KEEP=1 keeps the generated corpus and prints its path.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

glc=${GLC_BIN:?GLC_BIN not set}
src=${GLC_SOURCE_DIR:?GLC_SOURCE_DIR not set}
export NO_COLOR=1 LC_ALL=C
# A sanitizer report must not look like an ordinary exit 1.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=86"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}halt_on_error=1:exitcode=86"

sanitized=0
# (ctest passes GLC_SANITIZE; the ldd probe reads all its input: under pipefail a
# `grep -q` that stops early would SIGPIPE ldd and hide a sanitizer build)
if [ "${GLC_SANITIZE:-0}" = 1 ] || ldd "$glc" 2>/dev/null | grep -E 'libasan|libubsan' >/dev/null; then sanitized=1; fi
limit_ms=1000
[ $sanitized = 1 ] && limit_ms=4000

if [ -n "${GLC_HOSTILE_KEEP:-}" ]; then
  T=$(mktemp -d "${TMPDIR:-/tmp}/glc-hostile.XXXXXX"); echo "corpus: $T"
else
  make_tmpdir T
fi
cd "$T" || exit 1

# ---------------------------------------------------------------- the corpus

valid_k8s='kubernetes:
  cluster:
    name: demo
    region: us-east-1
    availability_zones: [us-east-1a, us-east-1b, us-east-1c]
  deployment:
    replicas: 3
    replica_distribution: {us-east-1a: 1, us-east-1b: 1, us-east-1c: 1}
  resources:
    requests: {cpu: 500m, memory: 1Gi}
    limits: {cpu: "1", memory: 2Gi}'

# with_k8s FILE SED-EXPR : the valid config edited by sed
with_k8s() { printf '%s\n' "$valid_k8s" | sed -e "$2" > "$1"; }

repeat() { # repeat N STRING : STRING N times, no separator
  local n=$1 s=$2
  head -c "$n" /dev/zero | tr '\0' '\n' | sed "s|.*|$s|" | tr -d '\n'
}

# The committed corpus is run from its own directory, the generated one from $T.
corpus=$src/tests/hostile
awk 'BEGIN { srand(42); for (i = 0; i < 65536; i++) printf "%c", int(rand() * 256) }' > binary-random.yaml

# alias bombs
{
  echo 'kubernetes:'
  printf '  big: &big {'
  for i in $(seq 1 1000); do printf 'k%d: %d, ' "$i" "$i"; done
  echo 'end: 0}'
  printf '  list: ['; repeat 100000 '*big, '; echo '*big]'
} > bomb-quadratic.yaml
{
  echo 'circuit_breaker:'
  printf '  services:\n    database: &d {'
  for i in $(seq 1 1000); do printf 'k%d: %d, ' "$i" "$i"; done
  echo 'end: 0}'
  printf '    redis: {<<: ['; repeat 20000 '*d, '; echo '*d]}'
} > bomb-merge.yaml
{
  echo 'kubernetes:'
  printf '  anchors: ['; for i in $(seq 1 100000); do printf '&a%d %d, ' "$i" "$i"; done; echo '0]'
  printf '  aliases: ['; repeat 100000 '*a1, '; echo '*a1]'
} > many-anchors.yaml

# deep nesting
{ printf 'kubernetes: '; head -c 100000 /dev/zero | tr '\0' '['; head -c 100000 /dev/zero | tr '\0' ']'; echo; } > deep-flow.yaml
{ printf 'kubernetes: '; head -c 100000 /dev/zero | tr '\0' '{' ; echo; } > deep-flow-unclosed.yaml
{ printf 'kubernetes:\n  '; repeat 100000 '- '; echo x; } > deep-block-seq.yaml
{ echo 'kubernetes:'; for i in $(seq 1 200); do printf '%*sk%d:\n' "$i" '' "$i"; done; printf '%*sk: x\n' 201 ''; } > deep-block-map.yaml

with_k8s int-huge-digits.yaml "s/replicas: 3/replicas: $(head -c 100000 /dev/zero | tr '\0' 9)/"

# size
{ printf 'kubernetes:\n  app:\n    name: "'; head -c 10485760 /dev/zero | tr '\0' a; printf '"\n'; } > huge-string.yaml
{ printf 'kubernetes:\n  "'; head -c 1048576 /dev/zero | tr '\0' k; printf '": 1\n'; } > huge-key.yaml
{ printf '%s\n' "$valid_k8s"; head -c 73400320 /dev/zero | tr '\0' '#'; echo; } > huge-file-70mb.yaml

# floods
{ echo 'kubernetes:'; yes '  app: {}' | head -n 100000; } > dup-key-100k.yaml
{ echo 'kubernetes:'; for i in $(seq 1 100000); do echo "  junk$i: 1"; done; } > unknown-key-100k.yaml
{ printf '%s\n' "$valid_k8s"; yes '# glc-ignore GLC121' | head -n 100000; } > ignore-flood.yaml
{ echo 'circuit_breaker:'; echo '  services: {}'; echo '  monitoring:'; printf '    alert_channels: ['; repeat 100000 'slack, '; echo 'slack]'; } > list-dup-100k.yaml

# ------------------------------------------------------------- the checks

# run_glc ARGS... : glc with a 5 s timeout; sets RC and MS; output in $T/out.txt, $T/err.txt
run_glc() {
  local t0 t1
  t0=$(date +%s%N)
  timeout "${RUN_TIMEOUT:-5}" "$glc" "$@" > "$T/out.txt" 2> "$T/err.txt"
  RC=$?
  t1=$(date +%s%N)
  MS=$(((t1 - t0) / 1000000))
}

# hostile FILE CODE : `glc check FILE` (relative to the current dir) fails with a located CODE
hostile() {
  local f=$1 code=$2 why="" err=$T/err.txt
  run_glc check "$f"
  if [ "$MS" -gt "$limit_ms" ]; then run_glc check "$f"; fi # once more: a loaded machine
  if [ "$RC" -ge 124 ]; then why="exit $RC (timeout or signal)"
  elif [ "$RC" -ne 1 ] && [ "$RC" -ne 2 ]; then why="exit $RC, want 1 or 2"
  elif grep -q -E 'Sanitizer|runtime error:' "$err"; then why="sanitizer report"
  elif ! grep -q -E "^$f:[0-9]+:[0-9]+: error: .*\\[$code\\]\$" "$err"; then why="no located [$code] error"
  elif [ "$MS" -gt "$limit_ms" ]; then why="took ${MS} ms (limit ${limit_ms} ms)"
  elif [ "$(wc -c < "$err")" -gt 200000 ]; then why="stderr is $(wc -c < "$err") bytes"
  fi
  if [ -n "$why" ]; then
    fail "$f: $why" "$(head -c 1500 "$err")"
  else
    pass "$f -> exit $RC, [$code], ${MS} ms"
  fi
}

# The committed corpus: GLCnnn-*.yaml fail with GLCnnn, valid-*.yaml pass.
cd "$corpus" || exit 1
n=0
for f in GLC[0-9][0-9][0-9]-*.yaml; do
  hostile "$f" "${f%%-*}"
  n=$((n + 1))
done
[ "$n" -ge 40 ] || fail "tests/hostile holds $n cases, expected at least 40"
for f in valid-*.yaml; do
  run_glc check "$f"
  if [ "$RC" -eq 0 ] && ! grep -q -E ': error:|Sanitizer|runtime error:' "$T/err.txt"; then pass "$f -> exit 0"
  else fail "$f: exit $RC, want 0" "$(head -c 1500 "$T/err.txt")"; fi
done

# The generated corpus.
cd "$T" || exit 1
for c in \
  binary-random:GLC010 bomb-quadratic:GLC011 bomb-merge:GLC011 many-anchors:GLC003 \
  deep-flow:GLC011 deep-flow-unclosed:GLC011 deep-block-seq:GLC011 deep-block-map:GLC011 \
  int-huge-digits:GLC005 huge-string:GLC008 huge-key:GLC003 huge-file-70mb:GLC011 \
  dup-key-100k:GLC002 unknown-key-100k:GLC003 ignore-flood:GLC012 list-dup-100k:GLC002; do
  hostile "${c%%:*}.yaml" "${c##*:}"
done

# The cap: 100k duplicates print 100 findings and one line for the rest.
run_glc check dup-key-100k.yaml
check "dup-key-100k: 100 [GLC002] shown" test "$(grep -c '\[GLC002\]$' err.txt)" -eq 100
check "dup-key-100k: '... and 99899 more [GLC002]'" grep -q '^glc: note: \.\.\. and 99899 more \[GLC002\] in dup-key-100k.yaml' err.txt
check "dup-key-100k: the summary counts all" grep -q -E '^glc: 1000[0-9]{2} errors' err.txt
# completeness, not speed: 100k findings as JSON take seconds under ASan
RUN_TIMEOUT=120 run_glc check --format json dup-key-100k.yaml
check "dup-key-100k: --format json lists every finding" \
  test "$(grep -c '"code": "GLC002"' out.txt)" -eq 99999

# The terminal never sees raw control bytes from the input.
(cd "$corpus" && run_glc check GLC010-binary-escape-seq.yaml)
check "binary-escape-seq: no ESC byte on stderr" bash -c '! grep -q $'"'"'\x1b'"'"' err.txt'
run_glc check binary-random.yaml
check "binary-random: no control bytes on stderr" bash -c '! LC_ALL=C grep -q "[[:cntrl:]]" <(tr -d "\n\t" < err.txt)'

# I/O problems: exit 2 and a clear message, no diagnostic needed.
io_case() { # NAME PATTERN ARGS...
  local name=$1 pat=$2
  shift 2
  run_glc check "$@"
  if [ "$RC" -eq 2 ] && grep -q -- "$pat" err.txt; then pass "$name -> exit 2"
  else fail "$name: exit $RC, want 2 with '$pat'" "$(head -c 600 err.txt)"; fi
}
io_case "nonexistent path" "does not exist" no/such/file.yaml
mkdir -p emptydir
io_case "directory without configs" "no kubernetes_config.yaml or resilience_config.yaml in 'emptydir'" emptydir
if [ "$(id -u)" -ne 0 ]; then
  printf '%s\n' "$valid_k8s" > unreadable.yaml
  chmod 000 unreadable.yaml
  io_case "unreadable file" "cannot read 'unreadable.yaml'" unreadable.yaml
  chmod 600 unreadable.yaml
else
  echo "SKIP: unreadable file (running as root, which can read it)"
fi

# ---------------------------------------------------------------- valgrind

if [ $sanitized = 1 ]; then
  echo "SKIP: valgrind (sanitizer build: ASan and UBSan ran every case above)"
elif ! command -v valgrind > /dev/null; then
  echo "SKIP: valgrind (not installed)"
else
  { echo 'kubernetes:'; yes '  app: {}' | head -n 10000; } > dup-key-10k.yaml
  for f in "$corpus"/GLC001-syntax-unclosed-flow.yaml "$corpus"/GLC011-bomb-billion-laughs.yaml \
           bomb-quadratic.yaml deep-flow.yaml deep-block-seq.yaml dup-key-10k.yaml binary-random.yaml \
           "$corpus"/GLC010-utf8-latin1.yaml huge-key.yaml "$corpus"/GLC010-both-top-level.yaml \
           "$corpus"/GLC004-type-enabled-yes.yaml "$corpus"/valid-merge-keys.yaml \
           "$src/examples/agent-foundation"; do
    timeout 120 valgrind -q --error-exitcode=99 --leak-check=full \
      --errors-for-leak-kinds=definite,indirect "$glc" check "$f" > /dev/null 2> vg.txt
    rc=$?
    if [ $rc -eq 99 ] || [ $rc -ge 124 ] || grep -q '^==[0-9]*==' vg.txt; then
      fail "valgrind: $(basename "$f"): exit $rc" "$(grep '^==' vg.txt | head -30)"
    else
      pass "valgrind: $(basename "$f"): clean (exit $rc)"
    fi
  done
fi

finish
