#!/usr/bin/env bash
# bench_scale.sh — how `glc check` scales with the number of circuit breakers.
#
#   bench/bench_scale.sh [GLC_BIN]        (default: build/compiler/glc)
#
# Runs `glc check` on the example kubernetes_config.yaml plus a generated
# resilience_config.yaml (bench/gen_breakers.py) with 1k, 10k and 100k breakers,
# and `glc check examples/agent-foundation` itself. Prints a markdown table:
# wall time (median of 5 runs with hyperfine -N when installed, else of 5 runs
# timed with date +%s%N) and peak RSS (GNU time's %M, else Python's
# resource.getrusage of the child). Targets: 100k breakers under 1 s and
# 200 MiB, about 10x per step (linear); the example check under 5 ms.
# Exit status 1 when a target is missed. NO_HYPERFINE=1 forces the date-based timer. Build with -DCMAKE_BUILD_TYPE=Release
# (or RelWithDebInfo, the default) — not a sanitizer build — for real figures.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
glc=${1:-${GLC_BIN:-$root/build/compiler/glc}}
[ -x "$glc" ] || { echo "bench_scale: no glc binary at $glc (pass it as the first argument)" >&2; exit 2; }
glc=$(cd "$(dirname "$glc")" && pwd)/$(basename "$glc")
k8s=$root/examples/agent-foundation/config/kubernetes_config.yaml
tmp=$(mktemp -d "${TMPDIR:-/tmp}/glc-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export NO_COLOR=1 LC_ALL=C

# median_ms CMD... : median wall time of 5 runs, in ms (with 2 decimals)
median_ms() {
  if [ -z "${NO_HYPERFINE:-}" ] && command -v hyperfine > /dev/null; then
    hyperfine -N --warmup "${WARMUP:-2}" --runs "${RUNS:-5}" -i --export-json "$tmp/h.json" \
      -- "$(printf '%q ' "$@")" > /dev/null 2>&1 || return 1
    python3 -c 'import json,sys; print("%.2f" % (json.load(open(sys.argv[1]))["results"][0]["median"] * 1000))' "$tmp/h.json"
  else
    local t0 t1 times=()
    "$@" > /dev/null 2>&1
    for _ in 1 2 3 4 5; do
      t0=$(date +%s%N); "$@" > /dev/null 2>&1; t1=$(date +%s%N)
      times+=($(((t1 - t0) / 1000)))
    done
    printf '%s\n' "${times[@]}" | sort -n | sed -n 3p | awk '{ printf "%.2f\n", $1 / 1000 }'
  fi
}

# peak_kib CMD... : peak resident set size of CMD, in KiB
peak_kib() {
  if [ -x /usr/bin/time ] && /usr/bin/time -f %M true > /dev/null 2>&1; then
    /usr/bin/time -f %M "$@" 2>&1 > /dev/null | tail -n 1
  else
    python3 - "$@" <<'EOF'
import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
EOF
  fi
}

status=0
echo "glc: $("$glc" --version) ($glc)"
if [ -z "${NO_HYPERFINE:-}" ] && command -v hyperfine > /dev/null; then timer="hyperfine -N, median of ${RUNS:-5} (example: of ${EXAMPLE_RUNS:-200}, 20 warmup)"
else timer="date +%s%N, median of 5"; fi
echo "machine: $(nproc) CPUs, $(uname -sr); timer: $timer"
echo
echo "| input | breakers | file size | wall time (ms) | growth | peak RSS (MiB) | exit |"
echo "|---|---:|---:|---:|---:|---:|---:|"
prev=""
for n in 1000 10000 100000; do
  res=$tmp/$n/resilience_config.yaml
  mkdir -p "$tmp/$n"
  python3 "$here/gen_breakers.py" "$n" "$res"
  "$glc" check "$k8s" "$res" > /dev/null 2>&1
  rc=$?
  ms=$(median_ms "$glc" check "$k8s" "$res")
  kib=$(peak_kib "$glc" check "$k8s" "$res")
  mib=$(awk -v k="$kib" 'BEGIN { printf "%.1f", k / 1024 }')
  size=$(awk -v b="$(wc -c < "$res")" 'BEGIN { printf "%.1f MB", b / 1e6 }')
  growth=$([ -n "$prev" ] && awk -v a="$ms" -v b="$prev" 'BEGIN { printf "%.1fx", a / b }' || echo "-")
  echo "| example k8s + generated resilience | $n | $size | $ms | $growth | $mib | $rc |"
  prev=$ms
  if [ "$n" = 100000 ]; then
    awk -v t="$ms" 'BEGIN { exit !(t >= 1000) }' && { echo "MISSED: 100k breakers took $ms ms (target < 1000)" >&2; status=1; }
    awk -v m="$mib" 'BEGIN { exit !(m >= 200) }' && { echo "MISSED: 100k breakers used $mib MiB (target < 200)" >&2; status=1; }
  fi
done
ex=$root/examples/agent-foundation
ms=$(WARMUP=20 RUNS=${EXAMPLE_RUNS:-200} median_ms "$glc" check "$ex")
kib=$(peak_kib "$glc" check "$ex")
"$glc" check "$ex" > /dev/null 2>&1
echo "| examples/agent-foundation | 5 | $(cat "$ex"/config/*.yaml | wc -c) B | $ms | - | $(awk -v k="$kib" 'BEGIN { printf "%.1f", k / 1024 }') | $? |"
awk -v t="$ms" 'BEGIN { exit !(t > 5) }' && { echo "MISSED: the example check took $ms ms (target <= 5)" >&2; status=1; }
exit $status
