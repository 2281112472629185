#!/usr/bin/env bash
# docs/config.md is generated from the embedded schemas: fail when it is stale.
set -u
doc="${GLC_SOURCE_DIR:?}/docs/config.md"
marker='<!-- generated below: glc schema kubernetes --markdown; glc schema resilience --markdown -->'
want=$("${GLC_BIN:?}" schema kubernetes --markdown; "$GLC_BIN" schema resilience --markdown) || exit 1
have=$(sed -n "/^$marker\$/,\$p" "$doc" | tail -n +2)
if [ "$want" != "$have" ]; then
  echo "FAIL: docs/config.md is stale; regenerate its generated part with:"
  echo "  glc schema kubernetes --markdown; glc schema resilience --markdown"
  diff <(printf '%s\n' "$have") <(printf '%s\n' "$want") | head -20
  echo "docs_config: 0 passed, 1 failed"; exit 1
fi
echo "docs_config: 1 passed, 0 failed"
