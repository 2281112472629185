#!/usr/bin/env bash
# glc build links bin/<app>-runtime: from the build tree and after `cmake --install`;
# relinks only when an input changed; a clear error, exit 2, without a C compiler.
set -u
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
glc=${GLC_BIN:?}
src=${GLC_SOURCE_DIR:?}
build=${GLC_BUILD_DIR:?}
make_tmpdir tmp
example=$src/examples/agent-foundation

# 1. from the build tree
"$glc" build "$example" -o "$tmp/out" > "$tmp/b1.log" 2>&1; rc=$?
bin=$tmp/out/bin/agent-foundation-runtime
[ $rc -eq 0 ] && [ -x "$bin" ] && pass "build tree: linked" || { fail "build tree: linked" "rc=$rc"; cat "$tmp/b1.log"; }
check "linked binary runs" bash -c "\"$bin\" --help | grep -q -- --drain-seconds"
grep -q "glc: linked" "$tmp/b1.log" && pass "first build links" || fail "first build links"

# 2. relink only when inputs change
before=$(stat -c %Y.%s "$bin")
"$glc" build "$example" -o "$tmp/out" > "$tmp/b2.log" 2>&1
grep -q "is up to date" "$tmp/b2.log" && [ "$(stat -c %Y.%s "$bin")" = "$before" ] \
  && pass "unchanged inputs: no relink" || fail "unchanged inputs: no relink" "$(cat "$tmp/b2.log")"
mkdir -p "$tmp/cfg"
cp "$example/config/kubernetes_config.yaml" "$tmp/cfg/"
sed 's/failure_threshold: 5/failure_threshold: 6/' "$example/config/resilience_config.yaml" > "$tmp/cfg/resilience_config.yaml"
"$glc" build "$tmp/cfg" -o "$tmp/out" > "$tmp/b3.log" 2>&1
grep -q "glc: linked" "$tmp/b3.log" && pass "changed table: relinked" || fail "changed table: relinked" "$(cat "$tmp/b3.log")"
rm -f "$bin"
"$glc" build "$tmp/cfg" -o "$tmp/out" > "$tmp/b4.log" 2>&1
[ -x "$bin" ] && pass "missing binary: relinked" || fail "missing binary: relinked"

# 3. no C compiler: clear error, exit 2, text outputs still written
CC=/nonexistent/cc "$glc" build "$example" -o "$tmp/nocc" > "$tmp/b5.log" 2>&1; rc=$?
[ $rc -eq 2 ] && grep -q "cannot run the C compiler '/nonexistent/cc'" "$tmp/b5.log" \
  && pass "no compiler: exit 2 with a clear message" || fail "no compiler: exit 2 with a clear message" "rc=$rc $(cat "$tmp/b5.log")"
[ ! -e "$tmp/nocc/bin/agent-foundation-runtime" ] && pass "no compiler: no binary" || fail "no compiler: no binary"

# 4. after cmake --install into a prefix, from the installed glc only
if cmake --install "$build" --prefix "$tmp/prefix" > "$tmp/install.log" 2>&1; then
  pass "cmake --install"
  iglc=$tmp/prefix/bin/glc
  "$iglc" build "$example" -o "$tmp/iout" > "$tmp/b6.log" 2>&1; rc=$?
  ibin=$tmp/iout/bin/agent-foundation-runtime
  [ $rc -eq 0 ] && [ -x "$ibin" ] && pass "installed glc links" || fail "installed glc links" "rc=$rc $(cat "$tmp/b6.log")"
  # the installed glc looks next to itself first: <prefix>/lib*/libglc_runtime.a
  check "installed runtime library" bash -c "ls '$tmp/prefix'/lib*/libglc_runtime.a"
  check "installed runtime runs" bash -c "\"$ibin\" --help | grep -q -- --metrics-port"
  check "installed headers" test -f "$tmp/prefix/include/glc/breaker.h"
  check "installed runtime main.c" test -f "$tmp/prefix/share/glc/runtime/main.c"
else
  fail "cmake --install" "$(tail -5 "$tmp/install.log")"
fi
finish
