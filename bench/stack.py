"""Our full stack as the README deploys it: action server + Rasa server with our routes,
SQLite state under a fresh BOT_DATA_DIR, on free loopback ports."""

from __future__ import annotations

import os
from contextlib import redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Mapping, Optional

from bench.procs import Child, free_port, wait_http

BENCH_TOKEN = "bench-token"


@dataclass
class Served:
    """A running assistant: its processes and where to talk to it."""

    label: str
    port: int
    action_port: int
    children: Dict[str, Child] = field(default_factory=dict)
    startup_s: float = 0.0

    @property
    def webhook(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhooks/rest/webhook"

    def pids(self) -> Dict[str, int]:
        return {name: c.pid for name, c in self.children.items()}

    def wait_until_up(self) -> None:
        """Wait until both servers answer; stop them and re-raise when they do not."""
        try:
            self.startup_s = wait_http(
                [f"http://127.0.0.1:{self.action_port}/health", f"http://127.0.0.1:{self.port}/webhooks/rest/"],
                list(self.children.values()),
            )
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        for name in ("rasa", "actions"):
            child = self.children.pop(name, None)
            if child:
                child.stop()


def start_ours(
    project: Path,
    data_dir: Path,
    logs: Path,
    before_first_start: Optional[Callable[[object], None]] = None,
    extra_env: Optional[Mapping[str, str]] = None,
) -> Served:
    """Start both servers exactly as `python -m bot run` does, from the project at `project`.

    `project` is a copy of the working tree with its own freshly trained
    models/script-guide.tar.gz, so the working tree's models/ is not touched
    (or the working tree itself, when the caller trained it).
    `before_first_start(settings)` runs before the launcher prepares the state
    (e.g. importing the operator's own customers, so the demo data is not loaded);
    `extra_env` is added to both servers' environment.
    """
    from bot.ops.launcher import prepare_state, server_commands, server_env
    from bot.settings import Settings

    port, action_port = free_port(), free_port()
    settings = Settings(
        data_dir=data_dir.resolve(),
        db_url=f"sqlite:///{data_dir.resolve() / 'bot.db'}",
        port=port,
        action_port=action_port,
    )
    saved = os.environ.get("BOT_API_TOKEN")
    os.environ["BOT_API_TOKEN"] = BENCH_TOKEN
    try:
        # prepare_state prints first-start notices (demo data, generated tokens): keep them in the log.
        logs.mkdir(parents=True, exist_ok=True)
        with open(logs / "ours-prepare.log", "a", encoding="utf-8") as out, redirect_stdout(out):
            if before_first_start is not None:
                settings.data_dir.mkdir(parents=True, exist_ok=True)
                before_first_start(settings)
            prepare_state(settings)
        env = server_env(settings)
    finally:
        if saved is None:
            os.environ.pop("BOT_API_TOKEN", None)
        else:
            os.environ["BOT_API_TOKEN"] = saved
    env.update(PYTHONPATH=str(project), BOT_API_TOKEN=BENCH_TOKEN)
    env.update(extra_env or {})
    commands: List[List[str]] = server_commands(settings)
    served = Served("ours", port, action_port)
    for name, cmd in zip(("actions", "rasa"), commands):
        served.children[name] = Child(f"ours-{name}", cmd, project, env, logs / f"ours-{name}.log")
    served.wait_until_up()
    return served
