"""`python -m bot run`: prepare state, train if needed, run both servers in the foreground.

The servers are supervised (bot/ops/supervisor.py): one that exits is restarted with
back-off while the other keeps serving; only Ctrl-C or SIGTERM stops them both.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
import urllib.request
from typing import Dict, List

from bot.ops.logs import quiet_environment
from bot.ops.supervisor import Child, Supervisor, popen_in
from bot.ops.train_model import MODEL_PATH, train
from bot.services import importer
from bot.services.storage import Database
from bot.settings import PROJECT_ROOT, Settings, agent_tokens, api_token, env, load_settings, supervisor_tokens

DEMO_DIR = importer.DEMO_DIR
PID_FILE = "pids.json"  # in BOT_DATA_DIR: {"launcher": pid, "actions": pid, "rasa": pid} while running


def server_env(settings: Settings) -> Dict[str, str]:
    """Environment both servers read (endpoints.yml interpolates these)."""
    return quiet_environment(
        dict(
            os.environ,
            PYTHONPATH=str(PROJECT_ROOT),
            BOT_DATA_DIR=str(settings.data_dir),
            BOT_DB_URL=settings.db_url,
            ACTION_PORT=str(settings.action_port),
            BOT_TRACKER_DB=str(settings.tracker_db_path),
            BOT_EVENTS_DB=str(settings.events_db_path),
            PORT=str(settings.port),
            ACTION_HOST=env("ACTION_HOST") or "127.0.0.1",
        )
    )


def prepare_state(settings: Settings) -> None:
    """Create BOT_DATA_DIR, load the demo data on first start into an empty database, show new tokens once.

    The demo is never loaded next to real customers: only when no customer is stored
    and it was never loaded before (`.demo_loaded`), so it does not come back after
    `python -m bot import customers FILE --replace-demo` removed it."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    marker = settings.data_dir / ".demo_loaded"
    if not marker.exists() and Database(settings.db_url).customer_count() == 0:
        importer.import_file("customers", DEMO_DIR / "customers.csv", settings.db_url)
        importer.import_file("watchlist", DEMO_DIR / "watchlist.csv", settings.db_url)
        marker.write_text("demo data loaded\n")
        print(
            ">> 首次启动：数据库为空，已载入演示客户和观察名单（bot/demo/）。"
            "导入真实客户时请用 python -m bot import customers 文件 --replace-demo 同时删除演示数据。"
        )
    token, generated = api_token(settings)
    if generated:
        print(
            "!! 警告：未设置 BOT_API_TOKEN，已生成开发用令牌（仅显示这一次，保存在 "
            f"{settings.token_file}）：\n   {token}\n   生产环境请设置 BOT_API_TOKEN。",
            flush=True,
        )
    agents, generated = agent_tokens(settings)
    if generated:
        print(
            "!! 警告：未设置 BOT_AGENT_TOKENS，已生成坐席 agent1 的开发用令牌（仅显示这一次，保存在 "
            f"{settings.agent_tokens_file}）：\n   {next(iter(agents))}\n"
            f"   坐席侧边栏：http://localhost:{settings.port}/panel",
            flush=True,
        )
    supervisors, generated = supervisor_tokens(settings)
    if generated:
        print(
            "!! 警告：未设置 BOT_SUPERVISOR_TOKENS，已生成主管 supervisor1 的开发用令牌（仅显示这一次，保存在 "
            f"{settings.supervisor_tokens_file}）：\n   {next(iter(supervisors))}\n"
            f"   反催收专项组工作台：http://localhost:{settings.port}/console",
            flush=True,
        )


def server_commands(settings: Settings) -> List[List[str]]:
    """The action server and the Rasa server, as commands."""
    return [
        [sys.executable, "-m", "bot.integration.action_server", "--port", str(settings.action_port)],
        [sys.executable, "-m", "bot", "serve", "--port", str(settings.port)],
    ]


def rasa_answers(port: int) -> bool:
    """Whether the Rasa server on `port` answers HTTP yet."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/webhooks/rest/", timeout=2):
            return True
    except Exception:
        return False


def announce_when_up(settings: Settings, supervisor: Supervisor, timeout: float = 180) -> threading.Thread:
    """In the background: print the start-up line once the Rasa server first answers."""

    def wait() -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not supervisor.stopping:
            if rasa_answers(settings.port):
                print(
                    f">> 已启动：Rasa 服务 http://localhost:{settings.port}，动作服务端口 "
                    f"{settings.action_port}。按 Ctrl-C 停止。",
                    flush=True,
                )
                return
            time.sleep(0.5)

    thread = threading.Thread(target=wait, name="announce-when-up", daemon=True)
    thread.start()
    return thread


def supervised_children(settings: Settings) -> List[Child]:
    """The two servers of server_commands, named for the supervisor's log lines and pid file."""
    actions, rasa = server_commands(settings)
    return [Child("actions", "动作服务", actions), Child("rasa", "Rasa 服务", rasa)]


def run() -> int:
    """Everything the README's run command does; returns when stopped by Ctrl-C or SIGTERM."""
    settings = load_settings()
    prepare_state(settings)
    train()
    supervisor = Supervisor(
        supervised_children(settings),
        popen_in(PROJECT_ROOT, server_env(settings)),
        pid_file=settings.data_dir / PID_FILE,
    )
    signal.signal(signal.SIGINT, supervisor.request_stop)
    signal.signal(signal.SIGTERM, supervisor.request_stop)
    announce_when_up(settings, supervisor)
    code = supervisor.run()
    print(">> 已停止。", flush=True)
    return code


def serve_only() -> None:
    """Just the Rasa server (the action server runs separately)."""
    from bot.integration.server import serve

    settings = load_settings()
    if not MODEL_PATH.exists():
        raise SystemExit("找不到模型，请先运行 python -m bot train。")
    endpoints = PROJECT_ROOT / (env("BOT_ENDPOINTS") or "endpoints.yml")
    serve(str(MODEL_PATH), str(endpoints), str(PROJECT_ROOT / "credentials.yml"), settings.port)
