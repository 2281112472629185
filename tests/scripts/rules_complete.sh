#!/usr/bin/env bash
# Every code in the rule registry (compiler/rules.c) has a docs page with a bad
# and a good example, a failing fixture and a passing fixture; `glc explain`
# prints the page; and no page or fixture names a code that does not exist.
set -u
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
src=${GLC_SOURCE_DIR:?}
glc=${GLC_BIN:?}
codes=$(grep -o '{"GLC[0-9][0-9][0-9]"' "$src/compiler/rules.c" | tr -d '{"' | sort -u)
[ -n "$codes" ] || { fail "registry parsed"; finish; }
for c in $codes; do
  page=$src/docs/rules/$c.md
  if [ -f "$page" ] && grep -q "^# $c" "$page" && grep -qi '^bad' "$page" && grep -qi '^good' "$page"; then
    pass "$c page"
  else
    fail "$c page" "docs/rules/$c.md missing, or without '# $c', 'Bad' and 'Good'"
  fi
  ls -d "$src/tests/cases/$c-fail"* >/dev/null 2>&1 && pass "$c failing fixture" || fail "$c failing fixture"
  ls -d "$src/tests/cases/$c-pass"* >/dev/null 2>&1 && pass "$c passing fixture" || fail "$c passing fixture"
  "$glc" explain "$c" | cmp -s - "$page" && pass "$c explain" || fail "$c explain" "glc explain $c differs from the page"
done
for f in "$src"/docs/rules/GLC*.md; do
  c=$(basename "$f" .md)
  grep -qx "$c" <<<"$codes" || fail "stray page $c" "no such code in compiler/rules.c"
done
for d in "$src"/tests/cases/GLC*; do
  c=$(basename "$d"); c=${c%%-*}
  grep -qx "$c" <<<"$codes" || fail "stray case $(basename "$d")" "no such code"
done
# the index docs/rules/README.md ends with exactly `glc explain --list`
want=$("$glc" explain --list)
have=$(sed -n '/^| code |/,$p' "$src/docs/rules/README.md")
[ "$want" = "$have" ] && pass "docs/rules/README.md index is current" \
  || fail "docs/rules/README.md index is current" "regenerate its table with: glc explain --list"
finish
