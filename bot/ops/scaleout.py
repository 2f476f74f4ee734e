"""`python -m bot run-scaleout` (`make run-scaleout`): the production layout on one machine.

In the foreground like `make run`: PostgreSQL, Redis and RabbitMQ (Debian's packages,
installed and started by scripts/services.sh, data under BOT_DATA_DIR/services), then,
under the supervisor of `make run` (bot/ops/supervisor.py: a process that exits is
restarted with back-off):

- the action server (ACTION_PORT),
- BOT_RASA_SERVERS Rasa servers (default 2) on PORT+1 … PORT+N, with the PostgreSQL
  tracker store, the Redis lock store and the Pika event broker
  (deploy/endpoints.scaleout.yml),
- the analytics consumer (RabbitMQ → per-day counts, bot/ops/analytics.py),
- nginx on PORT, its configuration rendered from deploy/nginx.conf.template into
  BOT_DATA_DIR/nginx/.

Ctrl-C (or SIGTERM) stops the supervised processes, then the three services.
docker-compose.yml lays out the same processes as containers.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Sequence

from bot.ops.launcher import announce_when_up, prepare_state, server_env
from bot.ops.supervisor import Child, Supervisor, popen_in
from bot.ops.train_model import train
from bot.settings import PROJECT_ROOT, Settings, env, env_int, load_settings

SERVICES = PROJECT_ROOT / "scripts" / "services.sh"
NGINX_TEMPLATE = PROJECT_ROOT / "deploy" / "nginx.conf.template"
EVENT_QUEUE = "scriptguide_events"  # deploy/endpoints.scaleout.yml declares it
LOCK_LIFETIME_S = 15
PID_FILE = "pids.json"


@dataclass(frozen=True)
class Layout:
    """Where everything of the scale-out stack listens (all on 127.0.0.1 but nginx)."""

    port: int  # nginx
    action_port: int
    rasa_ports: Sequence[int]
    pg_port: int
    redis_port: int
    rabbit_port: int
    services_dir: Path

    @property
    def db_url(self) -> str:
        return f"postgresql://bot:bot@127.0.0.1:{self.pg_port}/bot"

    @property
    def tracker_url(self) -> str:
        return f"postgresql://bot:bot@127.0.0.1:{self.pg_port}/tracker"


def layout(settings: Settings) -> Layout:
    """Ports from PORT, ACTION_PORT, BOT_RASA_SERVERS and BOT_SCALEOUT_PORTS."""
    servers = env_int("BOT_RASA_SERVERS", 2, minimum=1)
    ports = [int(p) for p in (env("BOT_SCALEOUT_PORTS") or "5432,6379,5672").split(",")]
    if len(ports) != 3:
        raise SystemExit("BOT_SCALEOUT_PORTS 应为三个端口：PostgreSQL,Redis,RabbitMQ，例如 5432,6379,5672。")
    return Layout(
        port=settings.port,
        action_port=settings.action_port,
        rasa_ports=[settings.port + 1 + i for i in range(servers)],
        pg_port=ports[0],
        redis_port=ports[1],
        rabbit_port=ports[2],
        services_dir=settings.data_dir / "services",
    )


def scaleout_env(base: Dict[str, str], lay: Layout) -> Dict[str, str]:
    """What every process of the stack reads: the endpoints file and where the services are."""
    return dict(
        base,
        BOT_ENDPOINTS="deploy/endpoints.scaleout.yml",
        BOT_DB_URL=lay.db_url,
        BOT_TRACKER_URL=lay.tracker_url,
        BOT_PG_HOST="127.0.0.1",
        BOT_PG_PORT=str(lay.pg_port),
        BOT_PG_USER="bot",
        BOT_PG_PASSWORD="bot",
        BOT_PG_TRACKER_DB="tracker",
        BOT_REDIS_HOST="127.0.0.1",
        BOT_REDIS_PORT=str(lay.redis_port),
        BOT_RABBITMQ_HOST="127.0.0.1",
        BOT_RABBITMQ_PORT=str(lay.rabbit_port),
        BOT_RABBITMQ_USER="guest",  # RabbitMQ's default login, accepted on loopback only
        BOT_RABBITMQ_PASSWORD="guest",
        TICKET_LOCK_LIFETIME=base.get("TICKET_LOCK_LIFETIME") or str(LOCK_LIFETIME_S),
    )


def nginx_config(listen: str, upstreams: Sequence[str], pid: str, error_log: str, temp: str) -> str:
    """deploy/nginx.conf.template with its placeholders filled in."""
    servers = "\n".join(f"        server {u} max_fails=1 fail_timeout=5s;" for u in upstreams)
    text = NGINX_TEMPLATE.read_text(encoding="utf-8")
    for key, value in {
        "listen": listen,
        "upstreams": servers,
        "pid": pid,
        "error_log": error_log,
        "temp": temp,
    }.items():
        text = text.replace("{{" + key + "}}", value)
    return text


# The copy docker-compose.yml mounts: two Rasa containers, nginx's own paths in its image.
COMPOSE_NGINX = dict(
    listen="80",
    upstreams=["rasa1:5005", "rasa2:5005"],
    pid="/var/run/nginx.pid",
    error_log="/dev/stderr",
    temp="/var/cache/nginx",
)


def write_nginx_config(settings: Settings, lay: Layout) -> Path:
    """BOT_DATA_DIR/nginx/nginx.conf for this layout."""
    root = settings.data_dir / "nginx"
    (root / "temp").mkdir(parents=True, exist_ok=True)
    path = root / "nginx.conf"
    path.write_text(
        nginx_config(
            f"{lay.port}",
            [f"127.0.0.1:{p}" for p in lay.rasa_ports],
            str(root / "nginx.pid"),
            "stderr",
            str(root / "temp"),
        ),
        encoding="utf-8",
    )
    return path


def nginx_binary() -> str:
    return shutil.which("nginx") or "/usr/sbin/nginx"


def children(settings: Settings, lay: Layout, nginx_conf: Path) -> List[Child]:
    """The supervised processes: action server, Rasa servers, analytics consumer, nginx."""
    py = sys.executable
    out = [Child("actions", "动作服务", [py, "-m", "bot.integration.action_server", "--port", str(lay.action_port)])]
    for i, port in enumerate(lay.rasa_ports, 1):
        out.append(Child(f"rasa{i}", f"Rasa 服务 {i}（端口 {port}）", [py, "-m", "bot", "serve", "--port", str(port)]))
    out.append(Child("analytics", "统计消费进程", [py, "-m", "bot", "analytics", "consume"]))
    out.append(
        Child(
            "nginx",
            "nginx",
            [nginx_binary(), "-e", "stderr", "-p", str(nginx_conf.parent), "-c", str(nginx_conf), "-g", "daemon off;"],
        )
    )
    return out


def services(action: str, lay: Layout) -> None:
    """scripts/services.sh start|stop for PostgreSQL, Redis and RabbitMQ."""
    lay.services_dir.mkdir(parents=True, exist_ok=True)
    for path in (lay.services_dir.parent, lay.services_dir):  # PostgreSQL runs as its own user
        os.chmod(path, os.stat(path).st_mode | 0o005)
    if action == "start" and os.geteuid() == 0:
        reach = subprocess.run(["runuser", "-u", "postgres", "--", "test", "-x", str(lay.services_dir)], check=False)
        if reach.returncode != 0:
            raise SystemExit(
                f"错误：PostgreSQL 的系统用户 postgres 进不了 {lay.services_dir}（上级目录权限不足）；"
                "请把 BOT_DATA_DIR 放到其他用户可进入的目录下（例如 chmod o+x 各级上级目录）。"
            )
    ports = [str(lay.pg_port), str(lay.redis_port), str(lay.rabbit_port)]
    subprocess.run(["bash", str(SERVICES), action, str(lay.services_dir), *ports], check=action == "start")


def run() -> int:
    """Everything `make run-scaleout` does; returns when stopped by Ctrl-C or SIGTERM."""
    base = load_settings()
    lay = layout(base)
    subprocess.run(["bash", str(SERVICES), "install", "nginx", "rabbitmq"], check=True)
    print(
        f">> 启动 PostgreSQL（{lay.pg_port}）、Redis（{lay.redis_port}）、RabbitMQ（{lay.rabbit_port}），"
        f"数据在 {lay.services_dir} …",
        flush=True,
    )
    try:
        services("start", lay)
        os.environ.update(BOT_DB_URL=lay.db_url, BOT_TRACKER_URL=lay.tracker_url)
        settings = load_settings()
        prepare_state(settings)
        train()
        env_ = scaleout_env(server_env(settings), lay)
        conf = write_nginx_config(settings, lay)
        supervisor = Supervisor(
            children(settings, lay, conf), popen_in(PROJECT_ROOT, env_), pid_file=settings.data_dir / PID_FILE
        )
        signal.signal(signal.SIGINT, supervisor.request_stop)
        signal.signal(signal.SIGTERM, supervisor.request_stop)
        print(
            f">> {len(lay.rasa_ports)} 个 Rasa 服务（端口 {', '.join(map(str, lay.rasa_ports))}）由 nginx "
            f"在端口 {lay.port} 统一对外。",
            flush=True,
        )
        announce_when_up(settings, supervisor)
        return supervisor.run()
    finally:
        print(">> 正在停止 PostgreSQL、Redis、RabbitMQ …", flush=True)
        services("stop", lay)
        print(">> 已停止。", flush=True)
