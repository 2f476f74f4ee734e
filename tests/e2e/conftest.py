"""Start the real servers (action server + Rasa with our routes) from the built model."""

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT

TOKEN = "e2e-test-token"
AGENT_TOKENS = {"agent1": "e2e-agent1-token", "agent2": "e2e-agent2-token"}
SUPERVISOR_TOKENS = {"王主管": "e2e-supervisor-token"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Stack:
    """Both servers as `python -m bot run` starts them, on free ports, with their own data dir."""

    def __init__(self, data_dir: Path, extra_env: dict = None):
        from bot.ops.launcher import prepare_state, server_commands, server_env
        from bot.settings import load_settings

        self.port, self.action_port = free_port(), free_port()
        os.environ.update(
            BOT_DATA_DIR=str(data_dir),
            PORT=str(self.port),
            ACTION_PORT=str(self.action_port),
            BOT_API_TOKEN=TOKEN,
            BOT_AGENT_TOKENS=",".join(f"{a}:{t}" for a, t in AGENT_TOKENS.items()),
            BOT_SUPERVISOR_TOKENS=",".join(f"{a}:{t}" for a, t in SUPERVISOR_TOKENS.items()),
        )
        os.environ.pop("BOT_DB_URL", None)
        os.environ.update(extra_env or {})
        self.settings = load_settings()
        prepare_state(self.settings)
        self.env = server_env(self.settings)
        self.commands = server_commands(self.settings)
        self.logs = data_dir / "logs"
        self.logs.mkdir(exist_ok=True)
        self.procs = {}

    def start(self, which=("actions", "rasa")) -> None:
        for name, cmd in zip(("actions", "rasa"), self.commands):
            if name in which:
                log = open(self.logs / f"{name}.log", "ab")
                self.procs[name] = subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        try:
            self.wait_up()
        except Exception:
            self.stop(list(self.procs))  # leave no server behind when start-up fails
            raise

    def wait_up(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            dead = [n for n, p in self.procs.items() if p.poll() is not None]
            if dead:
                raise RuntimeError(f"server {dead} exited; see {self.logs}")
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/webhooks/rest/", timeout=2)
                urllib.request.urlopen(f"http://127.0.0.1:{self.action_port}/health", timeout=2)
                return
            except Exception:
                time.sleep(0.5)
        raise RuntimeError("servers did not come up in time")

    def stop(self, which=("actions", "rasa")) -> None:
        for name in which:
            proc = self.procs.pop(name, None)
            if proc and proc.poll() is None:
                proc.send_signal(signal.SIGINT)
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()

    # ---- client ------------------------------------------------------------
    def say(self, sender: str, text: str, caller_number: str = "13800000001", **metadata) -> list:
        """Send one caller message over the REST channel; the bot's texts."""
        body = {"sender": sender, "message": text, "metadata": {"caller_number": caller_number, **metadata}}
        data = self._request("POST", "/webhooks/rest/webhook", body)
        return [m.get("text") for m in data if m.get("text")]

    def summary(self, call_id: str, token: str = TOKEN):
        return self._request("GET", f"/calls/{call_id}/summary", token=token, raw=True)

    def _request(self, method, path, body=None, token=None, raw=False):
        req = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}",
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Content-Type": "application/json"},
        )
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                status, payload = resp.status, json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as err:
            status, payload = err.code, json.loads(err.read() or b"null")
        return (status, payload) if raw else payload


def separate_stack(data_dir: Path, **env: str) -> "Stack":
    """A stack of its own (not the session's), with extra environment, leaving os.environ as it was."""
    saved = dict(os.environ)
    try:
        return Stack(data_dir, env)
    finally:
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    from bot.ops.train_model import train

    train(quiet=True)
    saved = dict(os.environ)
    s = Stack(tmp_path_factory.mktemp("e2e") / "var")
    try:
        s.start()
        yield s
    finally:
        s.stop()
    os.environ.clear()
    os.environ.update(saved)


class Call:
    """One call: a sender id, its transcript, and helpers to hold it."""

    counter = 0

    def __init__(self, stack: Stack, caller_number: str = "13800000001"):
        Call.counter += 1
        self.stack, self.number = stack, caller_number
        self.id = f"e2e-{os.getpid()}-{Call.counter}"
        self.bot_lines = []

    def say(self, text: str, **metadata) -> str:
        lines = self.stack.say(self.id, text, self.number, **metadata)
        self.bot_lines.extend(lines)
        return "\n".join(lines)

    def summary(self) -> dict:
        status, body = self.stack.summary(self.id)
        assert status == 200, body
        return body


@pytest.fixture
def call(stack):
    return lambda number="13800000001": Call(stack, number)


# ---- the browser tests: Debian's Chromium, driven by Playwright ---------------------------------
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = ROOT / "tests" / "artifacts"  # the screenshots, for a person to look at


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def open_page(browser, width: int, height: int, accept_dialogs: bool = True, **options):
    """A fresh context and page in Chinese at width×height; the page's script errors and the messages
    of its native dialogs (accepted, or dismissed) are kept in page.errors and page.dialogs."""
    # bypass_csp: the pages forbid eval, which Playwright's wait_for_function uses.
    viewport = {"width": width, "height": height}
    context = browser.new_context(bypass_csp=True, locale="zh-CN", viewport=viewport, **options)
    page = context.new_page()
    page.errors, page.dialogs = [], []

    def dialog(d):
        page.dialogs.append(d.message)
        if accept_dialogs:
            d.accept()
        else:
            d.dismiss()

    page.on("pageerror", lambda err: page.errors.append(str(err)))
    page.on("dialog", dialog)
    page.set_default_timeout(60_000)
    return context, page


@pytest.fixture
def viewport():
    """The `page` fixture's size; a module overrides it for another."""
    return {"width": 1280, "height": 900}


@pytest.fixture
def page(browser, viewport):
    context, page = open_page(browser, **viewport)
    yield page
    context.close()
    assert page.errors == []
