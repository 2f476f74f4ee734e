"""The anchor: the stock assistant `rasa init --no-prompt` creates, with the same Rasa install.

It is generated into a temp dir at bench time (never committed), trained
there by `rasa init` itself, and served like ours: its action server
(`rasa run actions`) plus `rasa run` with the REST channel, the action
endpoint and a SQLite tracker store under the temp dir (the stock
endpoints.yml leaves both commented out; we fill them in so that both
assistants store every turn in a SQLite file; the stock one through Rasa's own
`type: SQL` store).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Dict

from bench.procs import Child, free_port, run_timed
from bench.stack import Served

ENDPOINTS = """\
# Written by the benchmark: the stock endpoints.yml with the action server and a SQLite
# tracker store filled in, as our assistant is served.
action_endpoint:
  url: "http://127.0.0.1:{action_port}/webhook"

tracker_store:
  type: SQL
  dialect: sqlite
  db: {tracker_db}
"""


def create(directory: Path, env: Dict[str, str], logs: Path, timeout: float = 600) -> float:
    """`rasa init --no-prompt` into `directory` (it trains the model); wall seconds."""
    directory.mkdir(parents=True, exist_ok=True)
    return run_timed(
        "stock-init",
        [sys.executable, "-m", "rasa", "init", "--no-prompt", "--init-dir", str(directory)],
        directory,
        env,
        logs / "stock-init.log",
        timeout,
    )


def start(directory: Path, data_dir: Path, env: Dict[str, str], logs: Path) -> Served:
    """Serve the stock assistant on free loopback ports."""
    port, action_port = free_port(), free_port()
    data_dir.mkdir(parents=True, exist_ok=True)
    endpoints = data_dir / "endpoints.yml"
    endpoints.write_text(
        ENDPOINTS.format(action_port=action_port, tracker_db=data_dir / "rasa_tracker.db"), encoding="utf-8"
    )
    served = Served("stock", port, action_port)
    served.children["actions"] = Child(
        "stock-actions",
        [sys.executable, "-m", "rasa", "run", "actions", "--port", str(action_port)],
        directory,
        env,
        logs / "stock-actions.log",
    )
    served.children["rasa"] = Child(
        "stock-rasa",
        [
            sys.executable,
            "-m",
            "rasa",
            "run",
            "--port",
            str(port),
            "--model",
            str(directory / "models"),
            "--endpoints",
            str(endpoints),
            "--credentials",
            str(directory / "credentials.yml"),
        ],
        directory,
        env,
        logs / "stock-rasa.log",
    )
    served.wait_until_up()
    return served
