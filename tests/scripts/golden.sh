#!/usr/bin/env bash
# Golden CLI tests: for each tests/cases/<case>/ with an expected.txt, run
#   glc <args>          (args from the case's `cmd` file; default: check <case>)
# from tests/cases, capture stdout+stderr and the exit status, and compare.
# A case named GLCnnn-fail* must report [GLCnnn]; GLCnnn-pass* must not.
# GLC_UPDATE=1 rewrites expected.txt from the current output.
set -u
glc=${GLC_BIN:?GLC_BIN not set}
cd "${GLC_SOURCE_DIR:?}/tests/cases" || exit 1
pass=0 fail=0
for dir in */; do
  c=${dir%/}
  [ -f "$c/expected.txt" ] || { [ -n "${GLC_UPDATE:-}" ] && [ -f "$c/expect" ]; } || continue
  if [ -f "$c/cmd" ]; then read -r -a args < "$c/cmd"; else args=(check "$c"); fi
  out=$(NO_COLOR=1 "$glc" "${args[@]}" 2>&1; echo "exit: $?")
  if [ -n "${GLC_UPDATE:-}" ]; then printf '%s\n' "$out" > "$c/expected.txt"; fi
  ok=1
  if [ "$out" != "$(cat "$c/expected.txt")" ]; then
    echo "FAIL: $c: output differs"; diff -u "$c/expected.txt" <(printf '%s\n' "$out") | head -40; ok=0
  fi
  code=${c%%-*}
  case "$c" in
    GLC[0-9][0-9][0-9]-fail*) grep -q "\[$code\]" <<<"$out" || { echo "FAIL: $c: [$code] not reported"; ok=0; } ;;
    GLC[0-9][0-9][0-9]-pass*) ! grep -q "\[$code\]" <<<"$out" || { echo "FAIL: $c: [$code] reported"; ok=0; } ;;
  esac
  if [ $ok = 1 ]; then pass=$((pass+1)); else fail=$((fail+1)); fi
done
echo "golden: $pass passed, $fail failed"
[ $fail -eq 0 ] && [ $pass -gt 0 ]
