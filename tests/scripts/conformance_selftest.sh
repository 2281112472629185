#!/usr/bin/env bash
# conformance_selftest.sh — the third-party validators in tests/conformance reject what
# they must (unknown Kubernetes fields, undeclared Terraform references, invalid SARIF).
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

root=${GLC_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
conf=$root/tests/conformance

if ! command -v node >/dev/null; then
  echo "conformance_selftest: node is not installed; run scripts/setup.sh test" >&2
  fail "node is installed"
  finish
fi
if [ ! -d "$conf/node_modules" ]; then
  echo "conformance_selftest: $conf/node_modules is missing; run scripts/setup.sh test" \
       "(or: npm ci --prefix tests/conformance)" >&2
  fail "tests/conformance/node_modules is installed"
  finish
fi

for v in k8s tf sarif; do
  if out=$(node "$conf/validate-$v.mjs" --self-test 2>&1); then
    pass "validate-$v.mjs --self-test ($(printf '%s\n' "$out" | tail -n 1 | sed 's/ passed, 0 failed/ checks/'))"
  else
    fail "validate-$v.mjs --self-test" "$out"
  fi
done

finish
