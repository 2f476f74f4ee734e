#!/usr/bin/env bash
# Start or stop the scale-out stack's services on localhost: PostgreSQL and Redis, and
# RabbitMQ when a port is given for it (`make run-scaleout`, the scale-out tests, the benchmark).
#   scripts/services.sh install [nginx] [rabbitmq]         (Debian's packages, when missing)
#   scripts/services.sh start DIR PG_PORT REDIS_PORT [RABBIT_PORT]
#   scripts/services.sh stop  DIR PG_PORT REDIS_PORT [RABBIT_PORT]
# PostgreSQL gets role bot/bot and databases bot (project data) and tracker (Rasa), with a
# UTF-8 cluster under the C.UTF-8 locale; RabbitMQ keeps its data in DIR/rabbitmq, listens
# on 127.0.0.1 only and takes the default guest/guest login (loopback only).
# Every service runs as a daemon of its own and is stopped by `stop` (epmd included).
set -euo pipefail
action=$1; shift

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

ensure_packages() {
  local missing=()
  [ -n "$(pg_bin)" ] || missing+=(postgresql)
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  for extra in "$@"; do
    case "$extra" in
      nginx) command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx-light) ;;
      rabbitmq) [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || missing+=(rabbitmq-server) ;;
    esac
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo ">> 安装 ${missing[*]}（扩容部署需要，仅首次）…" >&2
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo -n"; fi
    if ! { $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
           $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; }; then
      echo "错误：无法安装 ${missing[*]}（需要 root 和 Debian 软件源）。" >&2
      echo "请以 root 运行：apt-get update && apt-get install -y ${missing[*]}，然后重试。" >&2
      exit 1
    fi
  fi
}

as_postgres() { runuser -u postgres -- "$@"; }

# RabbitMQ's own scripts, as the rabbitmq user, with everything under DIR/rabbitmq.
# The node's Erlang distribution port (RabbitMQ's default, port + 20000, would pass 65535 for
# high ports) and a range beside it for the CLI tools, which must not take the node's.
dist_port() { local port=$1; if [ "$port" -gt 40000 ]; then echo $((port - 20000)); else echo $((port + 20000)); fi; }

rabbit() {
  local dir=$1 port=$2; shift 2
  local dist; dist=$(dist_port "$port")
  runuser -u rabbitmq -- env HOME=/var/lib/rabbitmq \
    RABBITMQ_NODENAME="scriptguide-$port@localhost" RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
    RABBITMQ_NODE_PORT="$port" ERL_EPMD_ADDRESS=127.0.0.1 \
    RABBITMQ_CTL_DIST_PORT_MIN=$((dist + 1)) RABBITMQ_CTL_DIST_PORT_MAX=$((dist + 10)) \
    RABBITMQ_MNESIA_BASE="$dir/rabbitmq/mnesia" RABBITMQ_LOG_BASE="$dir/rabbitmq/log" \
    RABBITMQ_PID_FILE="$dir/rabbitmq/pid" RABBITMQ_ENABLED_PLUGINS_FILE="$dir/rabbitmq/enabled_plugins" \
    "$@"
}

case "$action" in
  install)
    ensure_packages "$@"
    ;;
  start)
    dir=$1; pg_port=$2; redis_port=$3; rabbit_port=${4:-}
    if [ -n "$rabbit_port" ]; then ensure_packages rabbitmq; else ensure_packages; fi
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
    if [ -n "$rabbit_port" ]; then
      mkdir -p "$dir/rabbitmq"
      [ -f "$dir/rabbitmq/enabled_plugins" ] || echo "[]." > "$dir/rabbitmq/enabled_plugins"
      chown -R rabbitmq "$dir/rabbitmq"
      # in the background of its own session (`-detached` loses the node's environment here)
      # the node's distribution port only for the server: the CLI tools pick their own
      rabbit "$dir" "$rabbit_port" RABBITMQ_DIST_PORT="$(dist_port "$rabbit_port")" \
        setsid /usr/lib/rabbitmq/bin/rabbitmq-server \
        >"$dir/rabbitmq/server.out" 2>&1 </dev/null &
      for _ in $(seq 180); do
        (echo >"/dev/tcp/127.0.0.1/$rabbit_port") 2>/dev/null && break
        sleep 0.5
      done
      if ! (echo >"/dev/tcp/127.0.0.1/$rabbit_port") 2>/dev/null; then
        tail -n 5 "$dir/rabbitmq/server.out" >&2 || true
        echo "错误：RabbitMQ 未能在 90 秒内启动（日志：$dir/rabbitmq/）。" >&2
        exit 1
      fi
    fi
    ;;
  stop)
    dir=$1; pg_port=$2; redis_port=$3; rabbit_port=${4:-}
    bin=$(pg_bin)
    [ -f "$dir/pg/postmaster.pid" ] && as_postgres "$bin/pg_ctl" -D "$dir/pg" -m fast -w stop >/dev/null || true
    redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
    if [ -n "$rabbit_port" ] && [ -d "$dir/rabbitmq" ]; then
      rabbit "$dir" "$rabbit_port" /usr/lib/rabbitmq/bin/rabbitmqctl -q -n "scriptguide-$rabbit_port@localhost" \
        stop >/dev/null 2>&1 || true
      rm -f "$dir/rabbitmq/pid"
      # epmd (Erlang's port mapper) outlives the node; stop it when no other node uses it
      if command -v epmd >/dev/null 2>&1 && ! epmd -names 2>/dev/null | grep -q "^name "; then
        epmd -kill >/dev/null 2>&1 || true
      fi
    fi
    ;;
  *) echo "usage: $0 install [nginx] [rabbitmq] | start|stop DIR PG_PORT REDIS_PORT [RABBIT_PORT]" >&2; exit 2 ;;
esac
