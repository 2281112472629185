#!/usr/bin/env bash
# services_selftest.sh — the test servers of lib.sh start, answer, and leave nothing behind.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if ! start_redis; then
  fail "start_redis"
  finish
fi
pass "start_redis on port $REDIS_PORT"
redis_pid=$REDIS_PID redis_port=$REDIS_PORT
check "redis-cli -p PORT ping answers PONG" \
  bash -c '[ "$(redis-cli -h 127.0.0.1 -p "$1" ping)" = PONG ]' _ "$REDIS_PORT"
check "REDIS_URL is redis://127.0.0.1:PORT/0" test "$REDIS_URL" = "redis://127.0.0.1:$REDIS_PORT/0"
check "redis keeps no dump file" \
  bash -c '[ "$(redis-cli -h 127.0.0.1 -p "$1" config get save | tail -n 1)" = "" ]' _ "$REDIS_PORT"

if ! start_postgres; then
  fail "start_postgres"
  finish
fi
pass "start_postgres on port $POSTGRES_PORT"
pg_dir=$POSTGRES_DIR pg_port=$POSTGRES_PORT
pg_pid=$(head -n 1 "$POSTGRES_DIR/data/postmaster.pid")
check "DATABASE_URL is postgresql://postgres@127.0.0.1:PORT/postgres" \
  test "$DATABASE_URL" = "postgresql://postgres@127.0.0.1:$POSTGRES_PORT/postgres"
check "psql \$DATABASE_URL -c 'select 1'" \
  bash -c '[ "$("$1/psql" "$2" -XAtqc "select 1")" = 1 ]' _ "$GLC_PG_BIN_DIR" "$DATABASE_URL"
check "postgres listens on 127.0.0.1 only" \
  bash -c '[ "$("$1/psql" "$2" -XAtqc "show listen_addresses")" = 127.0.0.1 ]' _ "$GLC_PG_BIN_DIR" "$DATABASE_URL"
check "postgres can create a table" \
  "$GLC_PG_BIN_DIR/psql" "$DATABASE_URL" -Xq -v ON_ERROR_STOP=1 -c 'create table t (id int primary key); insert into t values (1)'

stop_postgres
stop_redis

check "redis-server process is gone" _glc_not_running "$redis_pid"
check "redis port is closed" bash -c '! redis-cli -h 127.0.0.1 -p "$1" ping' _ "$redis_port"
check "postmaster process is gone" _glc_not_running "$pg_pid"
check "postgres port is closed" \
  bash -c '! "$1/pg_isready" -q -h 127.0.0.1 -p "$2"' _ "$(_glc_pg_bin)" "$pg_port"
check "postgres temp directory is removed" test ! -e "$pg_dir"
check "no cleanup left registered" test "${#GLC_CLEANUPS[@]}" -eq 0
leftover=$(pgrep -f -- "-p $pg_port |--port $redis_port" || true)
check "no process mentions either port" test -z "$leftover"

finish
