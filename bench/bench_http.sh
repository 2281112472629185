#!/usr/bin/env bash
# bench/bench_http.sh — /health/live and /health/ready of the linked runtime
# against nginx serving a static body of the same size, on this machine, in
# the same run (wrk, keep-alive). Prints a markdown table for docs/performance.md.
#
#   bench/bench_http.sh [BUILD_DIR]      (default: build)
#   env: DURATION (s, default 10), CONNS (default 50), THREADS (default 2)
#
# Not a test: numbers depend on the machine. Everything runs on 127.0.0.1 and
# stops by itself.
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."
BUILD=${1:-build}
DURATION=${DURATION:-10} CONNS=${CONNS:-50} THREADS=${THREADS:-2}
source tests/scripts/lib.sh
for t in wrk nginx; do command -v $t >/dev/null || { echo "bench_http: $t is not installed (scripts/setup.sh installs it)"; exit 2; }; done
make_tmpdir tmp

# the runtime, built by glc from the example
"$BUILD/compiler/glc" build examples/agent-foundation -o "$tmp/out" >/dev/null 2>&1
bin=$tmp/out/bin/agent-foundation-runtime
rt_port=$(free_port); rt_mport=$(free_port)
"$bin" --port "$rt_port" --metrics-port "$rt_mport" --bind 127.0.0.1 >/dev/null 2>&1 &
rt_pid=$!
cleanup kill "$rt_pid"

# nginx with a static body as long as the runtime's /health/live body
body=$(curl -s "http://127.0.0.1:$rt_port/health/live" || true)
for i in $(seq 50); do [ -n "$body" ] && break; sleep 0.1; body=$(curl -s "http://127.0.0.1:$rt_port/health/live" || true); done
ng_port=$(free_port)
mkdir -p "$tmp/nginx"
printf '%s' "$body" > "$tmp/nginx/live.json"
cat > "$tmp/nginx/nginx.conf" <<CONF
worker_processes 2;
error_log $tmp/nginx/error.log;
pid $tmp/nginx/nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
  default_type application/json;
  keepalive_requests 1000000;
  client_body_temp_path $tmp/nginx; proxy_temp_path $tmp/nginx; fastcgi_temp_path $tmp/nginx;
  uwsgi_temp_path $tmp/nginx; scgi_temp_path $tmp/nginx;
  server { listen 127.0.0.1:$ng_port; root $tmp/nginx; location / { try_files /live.json =404; } }
}
CONF
nginx -c "$tmp/nginx/nginx.conf" -p "$tmp/nginx" -g 'daemon off;' &
ng_pid=$!
cleanup kill "$ng_pid"
sleep 0.5

# wrk prints "Requests/sec:" and, with --latency, the 99% line
measure() { # URL -> "rps p99"
  local out
  out=$(wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --latency "$1")
  awk '/Requests\/sec:/ {rps=$2} $1=="99%" {p99=$2} END {print rps, p99}' <<<"$out"
}
read -r ng_rps ng_p99 < <(measure "http://127.0.0.1:$ng_port/live.json")
read -r live_rps live_p99 < <(measure "http://127.0.0.1:$rt_port/health/live")
read -r ready_rps ready_p99 < <(measure "http://127.0.0.1:$rt_port/health/ready")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
echo "| endpoint | requests/s | p99 latency | vs nginx |"
echo "|---|---|---|---|"
echo "| nginx static body | $ng_rps | $ng_p99 | 1.00 |"
echo "| runtime /health/live | $live_rps | $live_p99 | $(ratio "$live_rps" "$ng_rps") |"
echo "| runtime /health/ready | $ready_rps | $ready_p99 | $(ratio "$ready_rps" "$ng_rps") |"
echo
echo "wrk -t$THREADS -c$CONNS -d${DURATION}s --latency, keep-alive, $(nproc) cores, $(date -u +%Y-%m-%d)"
