#!/usr/bin/env bash
# hostile.sh — `glc check` on hostile input never crashes, hangs or passes.
#
# Every case is generated here, at test time, into a temp dir (nothing large
# is committed; tests/hostile/README.md lists the corpus). For each case:
#   - the exit status is 1 (findings) or 2 (I/O), never 0 and never a signal;
#   - stderr holds a located diagnostic `FILE:LINE:COL: error: ... [CODE]`
#     with the expected code (pure I/O errors: exit 2 and a clear message);
#   - it takes at most 1 s (wall clock; a correctness bound, not a benchmark;
#     x4 in sanitizer builds; a case over the bound is re-run once so a loaded
#     machine does not fail it);
#   - stderr stays small (the per-code output cap) and free of sanitizer reports.
# Then a subset runs under valgrind (memcheck, definite+indirect leaks are
# errors) when valgrind is installed and the binary is not sanitizer-built.
#
# Environment: GLC_BIN (the glc binary), GLC_SOURCE_DIR, GLC_BUILD_DIR (optional).
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
if ldd "$glc" 2>/dev/null | grep -q -E 'libasan|libubsan'; then sanitized=1; fi
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

# YAML syntax errors
printf 'kubernetes:\n  cluster:\n    name: x\n   region: y\n' > syntax-indent.yaml
printf 'kubernetes:\n  cluster:\n    availability_zones: [a, b\n  deployment: {}\n' > syntax-unclosed-flow.yaml
printf 'kubernetes:\n  cluster: {name: x\n' > syntax-unclosed-map.yaml
printf 'kubernetes:\n  cluster:\n    name: "abc\n' > syntax-unclosed-quote.yaml
printf 'kubernetes:\n\tcluster:\n\t\tname: x\n' > syntax-tab-indent.yaml
printf 'kubernetes:\n  cluster: value: x\n' > syntax-key-value-value.yaml
printf 'kubernetes:\n  app: {name: [x}\n' > syntax-mismatched.yaml
printf 'kubernetes:\n  app: {name: *nope}\n' > syntax-unknown-alias.yaml
printf 'kubernetes:\n  ? [a, b]\n  : 1\n' > syntax-complex-key.yaml
printf 'kubernetes:\n  app: &a {name: x}\n  *a : 1\n' > syntax-alias-map-as-key.yaml

# binary and encodings
awk 'BEGIN { srand(42); for (i = 0; i < 65536; i++) printf "%c", int(rand() * 256) }' > binary-random.yaml
printf '\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00' > binary-png.yaml
{ printf 'kubernetes:\n  app:\n    name: demo\x00\n'; } > binary-nul.yaml
printf 'kubernetes:\n  app:\n    name: "\x1b]0;pwned\x07"\n' > binary-escape-seq.yaml
printf 'kubernetes:\n  app:\n    name: "caf\xe9"\n' > utf8-latin1.yaml
printf 'kubernetes:\n  app:\n    name: "\xc0\xaf"\n' > utf8-overlong.yaml
printf 'kubernetes:\n  app:\n    name: "\xed\xa0\x80"\n' > utf8-surrogate.yaml
printf 'kubernetes:\n  app:\n    name: "x\\0y"\n' > escaped-nul.yaml

# alias bombs
{
  echo 'kubernetes:'
  echo '  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'
  for i in 1 2 3 4 5 6 7 8 9; do
    printf '  a%d: &a%d [' "$i" "$i"
    for j in 1 2 3 4 5 6 7 8; do printf '*a%d, ' $((i - 1)); done
    printf '*a%d]\n' $((i - 1))
  done
} > bomb-billion-laughs.yaml
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

# not a config
: > empty.yaml
printf '   \n\n\t\n' > whitespace-only.yaml
printf '# a comment\n# and another\n' > comment-only.yaml
printf -- '---\n' > document-marker-only.yaml
printf -- '---\n...\n' > document-end-only.yaml
printf 'kubernetes: {}\n---\nkubernetes: {}\n' > two-documents.yaml
printf -- '- kubernetes\n- circuit_breaker\n' > top-level-list.yaml
printf 'just a string\n' > top-level-scalar.yaml
printf 'kubernets:\n  cluster: {}\n' > unknown-top-level.yaml
{ printf '%s\n' "$valid_k8s"; printf 'circuit_breaker:\n  services: {}\n'; } > both-top-level.yaml
printf 'kubernetes:\n  kubernetes: 1\n  junk: 2\n' > unknown-keys.yaml

# wrong types
with_k8s type-list-for-map.yaml 's/requests: {cpu: 500m, memory: 1Gi}/requests: [500m, 1Gi]/'
with_k8s type-map-for-scalar.yaml 's/name: demo/name: {first: demo}/'
with_k8s type-replicas-quoted.yaml 's/replicas: 3/replicas: "9"/'
with_k8s type-replicas-float.yaml 's/replicas: 3/replicas: 9.5/'
with_k8s type-replicas-hex-signed.yaml 's/replicas: 3/replicas: -0x3/'
{ printf '%s\n' "$valid_k8s"; printf '  autoscaling:\n    horizontal: {enabled: yes, min_replicas: 1, max_replicas: 3}\n'; } > type-enabled-yes.yaml
printf 'kubernetes: [1, 2]\n' > type-section-list.yaml
printf 'circuit_breaker:\n  services: [database, redis]\n' > type-services-list.yaml
printf 'circuit_breaker:\n  services:\n    database: 5\n' > type-breaker-scalar.yaml
with_k8s tag-binary.yaml 's/name: demo/name: !!binary ZGVtbw==/'
with_k8s tag-str.yaml 's/replicas: 3/replicas: !!str 3/'
with_k8s tag-local.yaml 's/  resources:/  resources: !local/'

# numbers out of range
with_k8s int-over-int64.yaml 's/replicas: 3/replicas: 99999999999999999999/'
with_k8s int-under-int64.yaml 's/replicas: 3/replicas: -9223372036854775809/'
with_k8s int-zero.yaml 's/replicas: 3/replicas: 0/'
with_k8s int-huge-digits.yaml "s/replicas: 3/replicas: $(head -c 100000 /dev/zero | tr '\0' 9)/"
with_k8s qty-garbage.yaml 's/cpu: 500m/cpu: 5e999999999m/'

# names: quotes, newlines and YAML indicators
with_k8s name-newline.yaml 's/name: demo/name: "de\\nmo"/'
with_k8s name-quote.yaml "s/name: demo/name: 'de\"mo'/"
with_k8s name-indicator.yaml 's/name: demo/name: "- x"/'
printf 'circuit_breaker:\n  services:\n    "a: b": {}\n    "- x": {}\n    "{": {}\n    "#": {}\n    true: {}\n' > breaker-bad-names.yaml

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

# elapsed_ms CMD... : run CMD with a 5 s timeout; sets RC and MS; output in out/err
run_glc() {
  local t0 t1
  t0=$(date +%s%N)
  timeout 5 "$glc" "$@" > out.txt 2> err.txt
  RC=$?
  t1=$(date +%s%N)
  MS=$(((t1 - t0) / 1000000))
}

# hostile NAME CODE : `glc check NAME` must fail with a located CODE diagnostic
hostile() {
  local f=$1 code=$2 why=""
  run_glc check "$f"
  if [ "$MS" -gt "$limit_ms" ]; then run_glc check "$f"; fi # once more: a loaded machine
  if [ "$RC" -ge 124 ]; then why="exit $RC (timeout or signal)"
  elif [ "$RC" -ne 1 ] && [ "$RC" -ne 2 ]; then why="exit $RC, want 1 or 2"
  elif grep -q -E 'Sanitizer|runtime error:' err.txt; then why="sanitizer report"
  elif ! grep -q -E "^$f:[0-9]+:[0-9]+: error: .*\\[$code\\]\$" err.txt; then why="no located [$code] error"
  elif [ "$MS" -gt "$limit_ms" ]; then why="took ${MS} ms (limit ${limit_ms} ms)"
  elif [ "$(wc -c < err.txt)" -gt 200000 ]; then why="stderr is $(wc -c < err.txt) bytes"
  fi
  if [ -n "$why" ]; then
    fail "$f: $why" "$(head -c 1500 err.txt)"
  else
    pass "$f -> exit $RC, [$code], ${MS} ms"
  fi
}

for c in \
  syntax-indent:GLC001 syntax-unclosed-flow:GLC001 syntax-unclosed-map:GLC001 \
  syntax-unclosed-quote:GLC001 syntax-tab-indent:GLC001 syntax-key-value-value:GLC001 \
  syntax-mismatched:GLC001 syntax-unknown-alias:GLC001 syntax-complex-key:GLC001 \
  syntax-alias-map-as-key:GLC001 \
  binary-random:GLC010 binary-png:GLC010 binary-nul:GLC010 binary-escape-seq:GLC010 \
  utf8-latin1:GLC010 utf8-overlong:GLC010 utf8-surrogate:GLC010 escaped-nul:GLC010 \
  bomb-billion-laughs:GLC011 bomb-quadratic:GLC011 bomb-merge:GLC011 many-anchors:GLC003 \
  deep-flow:GLC011 deep-flow-unclosed:GLC011 deep-block-seq:GLC011 deep-block-map:GLC011 \
  empty:GLC010 whitespace-only:GLC010 comment-only:GLC010 document-marker-only:GLC010 \
  document-end-only:GLC010 two-documents:GLC010 top-level-list:GLC010 top-level-scalar:GLC010 \
  unknown-top-level:GLC010 both-top-level:GLC010 unknown-keys:GLC003 \
  type-list-for-map:GLC004 type-map-for-scalar:GLC004 type-replicas-quoted:GLC004 \
  type-replicas-float:GLC004 type-replicas-hex-signed:GLC004 type-enabled-yes:GLC004 \
  type-section-list:GLC004 type-services-list:GLC004 type-breaker-scalar:GLC004 \
  tag-binary:GLC001 tag-str:GLC001 tag-local:GLC001 \
  int-over-int64:GLC005 int-under-int64:GLC005 int-zero:GLC005 int-huge-digits:GLC005 \
  qty-garbage:GLC007 \
  name-newline:GLC008 name-quote:GLC008 name-indicator:GLC008 breaker-bad-names:GLC008 \
  huge-string:GLC008 huge-key:GLC003 huge-file-70mb:GLC011 \
  dup-key-100k:GLC002 unknown-key-100k:GLC003 ignore-flood:GLC012 list-dup-100k:GLC002; do
  hostile "${c%%:*}.yaml" "${c##*:}"
done

# The cap: 100k duplicates print 100 findings and one line for the rest.
run_glc check dup-key-100k.yaml
check "dup-key-100k: 100 [GLC002] shown" test "$(grep -c '\[GLC002\]$' err.txt)" -eq 100
check "dup-key-100k: '... and 99899 more [GLC002]'" grep -q '^glc: note: \.\.\. and 99899 more \[GLC002\] in dup-key-100k.yaml' err.txt
check "dup-key-100k: the summary counts all" grep -q -E '^glc: 1000[0-9]{2} errors' err.txt
run_glc check --format json dup-key-100k.yaml
check "dup-key-100k: --format json lists every finding" \
  test "$(grep -c '"code": "GLC002"' out.txt)" -eq 99999

# The terminal never sees raw control bytes from the input.
run_glc check binary-escape-seq.yaml
check "binary-escape-seq: no ESC byte on stderr" bash -c '! grep -q $'"'"'\x1b'"'"' err.txt'
run_glc check binary-random.yaml
check "binary-random: no control bytes on stderr" bash -c '! LC_ALL=C grep -q "[[:cntrl:]]" <(tr -d "\n\t" < err.txt)'

# Valid uses of YAML features still work: merge keys, anchors, aliases, BOM, CRLF.
cat > merge-valid.yaml <<'EOF'
circuit_breaker:
  services:
    database: &defaults
      failure_threshold: 3
      recovery_timeout: 30
      half_open_max_calls: 2
      success_threshold: 2
    redis:
      <<: *defaults
      failure_threshold: 5
    kafka: {<<: *defaults}
EOF
run_glc check merge-valid.yaml
check "merge-valid: exit 0 without errors" test "$RC" -eq 0
{ printf '\xef\xbb\xbf'; printf '%s\n' "$valid_k8s" | sed 's/$/\r/'; } > bom-crlf-valid.yaml
run_glc check bom-crlf-valid.yaml
check "bom-crlf-valid: exit 0" test "$RC" -eq 0

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
  for f in syntax-unclosed-flow.yaml bomb-billion-laughs.yaml bomb-quadratic.yaml deep-flow.yaml \
           deep-block-seq.yaml dup-key-10k.yaml binary-random.yaml utf8-latin1.yaml huge-key.yaml \
           both-top-level.yaml type-enabled-yes.yaml merge-valid.yaml "$src/examples/agent-foundation"; do
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
