"""`python -m bot run`: prepare state, train if needed, run both servers in the foreground."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Dict, List

from bot.ops.logs import quiet_environment
from bot.ops.train_model import MODEL_PATH, train
from bot.services import importer
from bot.services.storage import Database
from bot.settings import PROJECT_ROOT, Settings, agent_tokens, api_token, env, load_settings

DEMO_DIR = Path(__file__).resolve().parents[1] / "demo"


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
            PORT=str(settings.port),
            ACTION_HOST=env("ACTION_HOST") or "127.0.0.1",
        )
    )


def prepare_state(settings: Settings) -> None:
    """Create BOT_DATA_DIR, load the demo data on first start, show new tokens once."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    marker = settings.data_dir / ".demo_loaded"
    if not marker.exists() and Database(settings.db_url).customer_count() == 0:
        importer.import_file("customers", DEMO_DIR / "customers.csv", settings.db_url)
        importer.import_file("watchlist", DEMO_DIR / "watchlist.csv", settings.db_url)
        marker.write_text("demo data loaded\n")
        print(">> 首次启动：已载入演示客户和观察名单（bot/demo/），真实数据请用 python -m bot import。")
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


def server_commands(settings: Settings) -> List[List[str]]:
    """The action server and the Rasa server, as commands."""
    return [
        [sys.executable, "-m", "bot.integration.action_server", "--port", str(settings.action_port)],
        [sys.executable, "-m", "bot", "serve", "--port", str(settings.port)],
    ]


def wait_until_up(port: int, processes: List[subprocess.Popen], timeout: float = 180) -> bool:
    """Poll the Rasa server until it answers, or a process dies, or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in processes):
            return False
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/webhooks/rest/", timeout=2):
                return True
        except Exception:
            time.sleep(0.5)
    return False


def run() -> int:
    """Everything the README's run command does."""
    settings = load_settings()
    prepare_state(settings)
    train()
    env = server_env(settings)
    processes = [subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=env) for cmd in server_commands(settings)]

    def stop(*_args) -> None:
        for p in processes:
            if p.poll() is None:
                p.send_signal(signal.SIGINT)
        for p in processes:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()

    signal.signal(signal.SIGTERM, lambda *a: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        if wait_until_up(settings.port, processes):
            print(
                f">> 已启动：Rasa 服务 http://localhost:{settings.port}，动作服务端口 "
                f"{settings.action_port}。按 Ctrl-C 停止。",
                flush=True,
            )
        while all(p.poll() is None for p in processes):
            time.sleep(0.5)
        print("!! 有一个服务意外退出，正在停止另一个。", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\n>> 正在停止…", flush=True)
        return 0
    finally:
        stop()


def serve_only() -> None:
    """Just the Rasa server (the action server runs separately)."""
    from bot.integration.server import serve

    settings = load_settings()
    if not MODEL_PATH.exists():
        raise SystemExit("找不到模型，请先运行 python -m bot train。")
    endpoints = PROJECT_ROOT / (env("BOT_ENDPOINTS") or "endpoints.yml")
    serve(str(MODEL_PATH), str(endpoints), str(PROJECT_ROOT / "credentials.yml"), settings.port)
