#!/usr/bin/env bash
# Start or stop a throw-away PostgreSQL and Redis on localhost for the scale-out test.
#   scripts/services.sh start DIR PG_PORT REDIS_PORT   (installs Debian's packages when missing)
#   scripts/services.sh stop  DIR PG_PORT REDIS_PORT
# PostgreSQL gets role bot/bot and databases bot (project data) and tracker (Rasa).
set -euo pipefail
action=$1; dir=$2; pg_port=$3; redis_port=$4

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

ensure_packages() {
  local missing=()
  [ -n "$(pg_bin)" ] || missing+=(postgresql)
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  if [ ${#missing[@]} -gt 0 ]; then
    echo ">> 安装 ${missing[*]}（扩容测试需要）…" >&2
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; }; then
      echo "错误：无法安装 ${missing[*]}（需要 root 和 Debian 软件源）。" >&2
      exit 1
    fi
  fi
}

as_postgres() { runuser -u postgres -- "$@"; }

case "$action" in
  start)
    ensure_packages
    mkdir -p "$dir"
    chown postgres "$dir"
    bin=$(pg_bin)
    if [ ! -f "$dir/pg/PG_VERSION" ]; then
      as_postgres "$bin/initdb" -D "$dir/pg" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
    fi
    as_postgres "$bin/pg_ctl" -D "$dir/pg" -l "$dir/pg.log" -w \
      -o "-p $pg_port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
    psql -h 127.0.0.1 -p "$pg_port" -U postgres -qtA -c "SELECT 1 FROM pg_roles WHERE rolname='bot'" | grep -q 1 || \
      psql -h 127.0.0.1 -p "$pg_port" -U postgres -q -c "CREATE ROLE bot LOGIN PASSWORD 'bot'"
    for db in bot tracker; do
      psql -h 127.0.0.1 -p "$pg_port" -U postgres -qtA -c "SELECT 1 FROM pg_database WHERE datname='$db'" | grep -q 1 || \
        psql -h 127.0.0.1 -p "$pg_port" -U postgres -q -c "CREATE DATABASE $db OWNER bot"
    done
    redis-server --port "$redis_port" --bind 127.0.0.1 --daemonize yes --save '' --appendonly no \
      --dir "$dir" --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
    for _ in $(seq 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
    ;;
  stop)
    bin=$(pg_bin)
    [ -f "$dir/pg/postmaster.pid" ] && as_postgres "$bin/pg_ctl" -D "$dir/pg" -m fast -w stop >/dev/null || true
    redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
    ;;
  *) echo "usage: $0 start|stop DIR PG_PORT REDIS_PORT" >&2; exit 2 ;;
esac
