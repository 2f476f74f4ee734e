"""The production path as `make run-scaleout` starts it: PostgreSQL, Redis and RabbitMQ, two Rasa
servers and the action server under the supervisor, nginx in front. Whole calls must give
exactly the summaries of the embedded stack (`make run`), whichever server takes each turn;
a Rasa server killed mid-call must cost the call nothing (the next turn goes to the other,
no turn lost or stored twice) and come back; the events reach the analytics counts over
RabbitMQ; a PostgreSQL backup restores into an empty stack where the call resumes."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.core.masking import mask_at_rest
from tests.conftest import ROOT
from tests.e2e.conftest import AGENT_TOKENS, TOKEN, free_port

pytestmark = pytest.mark.e2e

CALLS = {
    "borrower_plan": ["你好", "我是本人", "张伟", "3721", "我想申请分期还款", "我失业了"],
    "agency": ["喂，我们是债务优化中心的，要求停息挂账", "借款人叫王芳", "后四位0521", "你们别联系她，有事找我们"],
    "family_complaint": [
        "我是他老婆，你们催收的天天打电话骂人，我要投诉",
        "借款人叫李娜",
        "后四位108X",
        "昨天晚上打了二十多次",
    ],
    "victim": ["我是借款人本人，我被一个代理公司骗了", "刘洋", "6634", "他们收了我五千块，让我把手机卡寄过去"],
}


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def _nginx_port(servers: int) -> int:
    """A free port whose next `servers` ports are free too (the Rasa servers take them)."""
    while True:
        port = free_port()
        if port + servers < 65535 and all(_free(port + i) for i in range(1, servers + 1)):
            return port


class Scaleout:
    """`python -m bot run-scaleout` in its own process group, on free ports, with its own data dir."""

    def __init__(self, data_dir: Path, servers: int = 2):
        self.data_dir = data_dir
        self.port = _nginx_port(servers)
        self.action_port = free_port()
        self.pg, self.redis, self.rabbit = free_port(), free_port(), free_port()
        self.rasa_ports = [self.port + i for i in range(1, servers + 1)]
        self.env = dict(
            os.environ,
            PYTHONPATH=str(ROOT),
            BOT_DATA_DIR=str(data_dir),
            PORT=str(self.port),
            ACTION_PORT=str(self.action_port),
            BOT_RASA_SERVERS=str(servers),
            BOT_SCALEOUT_PORTS=f"{self.pg},{self.redis},{self.rabbit}",
            BOT_API_TOKEN=TOKEN,
            BOT_AGENT_TOKENS=",".join(f"{a}:{t}" for a, t in AGENT_TOKENS.items()),
        )
        for key in ("BOT_DB_URL", "BOT_TRACKER_URL", "BOT_ENDPOINTS", "BOT_PG_PORT", "BOT_REDIS_PORT"):
            self.env.pop(key, None)
        self.db_url = f"postgresql://bot:bot@127.0.0.1:{self.pg}/bot"
        self.tracker_url = f"postgresql://bot:bot@127.0.0.1:{self.pg}/tracker"
        self.proc = None

    def start(self, timeout: float = 600) -> None:
        data = self.data_dir
        data.mkdir(parents=True, exist_ok=True)
        self.log = open(data.parent / f"{data.name}-scaleout.log", "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "run-scaleout"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, f"run-scaleout exited; see {self.log.name}"
            # each Rasa server directly first: a probe through nginx while one is still loading
            # marks it failed for nginx's fail_timeout, and a failover test run in that window
            # finds no live server at all
            if all(self._answers(p) for p in self.rasa_ports) and self._answers(self.action_port, "/health"):
                if self._answers(self.port):
                    time.sleep(6)  # past nginx's fail_timeout, should its own start have marked one failed
                    return
            time.sleep(1)
        raise RuntimeError("the scale-out stack did not come up in time")

    @staticmethod
    def _answers(port: int, path: str = "/webhooks/rest/") -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2):
                return True
        except Exception:
            return False

    def stop(self) -> None:
        """Ctrl-C, as an operator stops it: every process and service must be gone after."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(timeout=90)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                subprocess.run(
                    [
                        "bash",
                        str(ROOT / "scripts/services.sh"),
                        "stop",
                        str(self.data_dir / "services"),
                        str(self.pg),
                        str(self.redis),
                        str(self.rabbit),
                    ],
                    timeout=120,
                )
                raise

    def pids(self) -> dict:
        return json.loads((self.data_dir / "pids.json").read_text())

    def say(self, sender: str, text: str, port: int = None) -> list:
        body = {"sender": sender, "message": text, "metadata": {"caller_number": "13800000001"}}
        req = urllib.request.Request(
            f"http://127.0.0.1:{port or self.port}/webhooks/rest/webhook",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                assert resp.status == 200
                return [m.get("text") for m in json.loads(resp.read()) if m.get("text")]
        except urllib.error.HTTPError as err:  # say what the stack said, for a CI log
            raise AssertionError(f"{sender} 「{text}」: HTTP {err.code}\n{self.log_tail()}") from err

    def log_tail(self, lines: int = 80) -> str:
        """The end of the stack's log (supervisor, servers and nginx's error log), and its pids."""
        self.log.flush()
        text = Path(self.log.name).read_text(encoding="utf-8", errors="replace").splitlines()
        try:
            pids = self.pids()
        except (OSError, ValueError):
            pids = {}
        return f"pids {pids}\n--- {self.log.name}, last {lines} lines ---\n" + "\n".join(text[-lines:])

    def wait_healthy(self, timeout: float = 180) -> None:
        """Until nginx and every Rasa server answer, so that a test that killed one and
        failed before it came back does not fail the next tests too."""
        deadline, waited = time.monotonic() + timeout, False
        while time.monotonic() < deadline:
            if all(self._answers(p) for p in [*self.rasa_ports, self.port]):
                if waited:
                    time.sleep(6)  # past nginx's fail_timeout for a server marked failed meanwhile
                return
            waited = True
            time.sleep(1)
        raise AssertionError(f"the scale-out stack is not healthy\n{self.log_tail()}")

    def summary(self, call_id: str, port: int = None):
        req = urllib.request.Request(
            f"http://127.0.0.1:{port or self.port}/calls/{call_id}/summary",
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, json.loads(resp.read())

    def user_turns(self, call_id: str) -> list:
        engine = sa.create_engine(self.tracker_url)
        try:
            with engine.connect() as conn:
                rows = conn.execute(
                    sa.text("SELECT data FROM events WHERE sender_id = :s AND type_name = 'user' ORDER BY id"),
                    {"s": call_id},
                ).all()
            return [json.loads(r[0])["text"] for r in rows]  # stored masked (bot.core.masking)
        finally:
            engine.dispose()


@pytest.fixture(scope="module")
def scaleout():
    from bot.ops.train_model import train

    train(quiet=True)
    work = Path(tempfile.mkdtemp(prefix="sg-scaleout-"))  # PostgreSQL's own user must reach it
    os.chmod(work, 0o755)
    stack = Scaleout(work / "var")
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()
        if not os.environ.get("KEEP_SCALEOUT"):
            shutil.rmtree(work, ignore_errors=True)


@pytest.fixture(autouse=True)
def _healthy(request):
    """Each test starts on a stack whose servers all answer."""
    if "scaleout" in request.fixturenames:
        request.getfixturevalue("scaleout").wait_healthy()
    yield


@pytest.fixture(scope="module")
def embedded(tmp_path_factory):
    """`make run`'s stack of its own, so that no other test's calls change the reference."""
    from tests.e2e.conftest import separate_stack

    stack = separate_stack(tmp_path_factory.mktemp("embedded") / "var")
    stack.start()
    try:
        yield stack
    finally:
        stack.stop()


def comparable(summary):
    """The summary without what differs by construction: the call id and the case reference numbers
    (both stacks number their cases and the team's cases on their own)."""
    out = {k: v for k, v in summary.items() if k != "call_id"}
    out["case_id"] = bool(summary.get("case_id"))
    out["matters"] = [
        {"purpose": m["purpose"], "registered": bool(m["reference"])} for m in summary.get("matters") or []
    ]
    return out


def test_whole_calls_through_nginx_match_the_embedded_stack(embedded, scaleout):
    for name, turns in CALLS.items():
        for text in turns:
            embedded.say(f"one-{name}", text)
        for i, text in enumerate(turns):  # through nginx, and straight to each server in turn
            scaleout.say(f"two-{name}", text, port=None if i % 3 == 0 else scaleout.rasa_ports[i % 2])
        _, reference = embedded.summary(f"one-{name}")
        answers = [scaleout.summary(f"two-{name}", port) for port in [scaleout.port, *scaleout.rasa_ports]]
        assert all(status == 200 for status, _ in answers)
        assert all(body == answers[0][1] for _, body in answers), name
        assert comparable(answers[0][1]) == comparable(reference), name
        assert scaleout.user_turns(f"two-{name}") == [mask_at_rest(t) for t in turns]


def _listening(port: int) -> bool:
    """Whether anything on this machine listens on the TCP port (/proc/net/tcp, state 0A)."""
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                return True
    return False


def _refused(port: int) -> bool:
    """Whether a connection to the port is refused (nobody accepts on it any more)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return False
    except ConnectionRefusedError:
        return True
    except OSError:
        return False


def _wait_dead(pid: int, port: int, timeout: float = 10) -> None:
    """Until the killed server is gone: the process reaped or a zombie, its listening socket
    out of /proc/net/tcp and connections to its port refused. A process's sockets outlive its
    SIGKILL by a few milliseconds while its threads exit; a turn sent then is taken by the
    dying process and reset, which is the case of a server dying while it handles a turn
    (502, see docs/operations.md), not of a dead one."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            state = "gone"
        if state in ("gone", "Z", "X") and not _listening(port) and _refused(port):
            return
        time.sleep(0.01)
    raise AssertionError(f"the killed Rasa server (pid {pid}) still holds port {port}")


def test_a_rasa_server_killed_mid_call_costs_the_call_nothing(embedded, scaleout):
    turns = CALLS["borrower_plan"]
    for text in turns:
        embedded.say("one-failover", text)
    before = scaleout.pids()
    for i, text in enumerate(turns):
        if i == 3:  # mid-call, between two turns: one server dies
            os.kill(before["rasa1"], signal.SIGKILL)
            _wait_dead(before["rasa1"], scaleout.rasa_ports[0])
        scaleout.say("two-failover", text)  # every turn through nginx, answered
    assert scaleout.user_turns("two-failover") == [mask_at_rest(t) for t in turns]  # none lost, none twice
    _, reference = embedded.summary("one-failover")
    _, via = scaleout.summary("two-failover")
    assert comparable(via) == comparable(reference)
    # the supervisor brings the dead one back, on its port
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        pids = scaleout.pids()
        if pids.get("rasa1") not in (None, before["rasa1"]) and scaleout._answers(scaleout.rasa_ports[0]):
            break
        time.sleep(1)
    else:
        pytest.fail("the killed Rasa server was not restarted")
    assert pids["rasa2"] == before["rasa2"]  # the other one was left alone
    scaleout.say("two-after", "你好", port=scaleout.rasa_ports[0])


def test_events_reach_the_analytics_counts_over_rabbitmq(scaleout):
    call = "two-analytics"
    for text in CALLS["agency"]:
        scaleout.say(call, text)
    _, summary = scaleout.summary(call)
    engine = sa.create_engine(scaleout.db_url)
    try:
        deadline = time.monotonic() + 60
        row = None
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                row = conn.execute(
                    sa.text("SELECT turns, level, signals FROM analytics_calls WHERE call_id = :c"), {"c": call}
                ).first()
            if row and row[0] == len(CALLS["agency"]):
                break
            time.sleep(1)
        assert row is not None, "no event of the call reached the analytics tables"
        assert row[0] == len(CALLS["agency"])
        assert row[1] == summary["proxy_risk"]["level"] != "none"
        assert set(row[2].split(",")) == {s["code"] for s in summary["proxy_risk"]["signals"]}
    finally:
        engine.dispose()


def test_complaints_the_action_server_registers_are_in_the_shared_postgres_index(scaleout):
    """What the action server registered is found by any other process straight from
    PostgreSQL (nothing built in memory), with the verdict of comparing the texts."""
    import datetime as dt

    from bot.core.risk.similarity import shingles
    from bot.services import complaint_index, storage

    turns = CALLS["family_complaint"][:-1] + ["昨天晚上打了二十多次电话，还骂我们全家，说要上门去单位找领导"]
    for text in turns:
        scaleout.say("two-long-complaint", text)
    engine = sa.create_engine(scaleout.db_url)
    try:
        with engine.connect() as conn:
            found = conn.execute(
                sa.text("SELECT call_id, customer_id, detail FROM cases WHERE call_id = 'two-long-complaint'")
            ).all()
        assert found and len(found[0][2]) >= 20, found
        call_id, customer_id, detail = found[0]
        search = complaint_index.DatabaseComplaintSearch(
            engine, storage.cases, "another-call", dt.datetime.now() - dt.timedelta(days=1), 3, 20
        )
        assert (customer_id or "", 1.0) in search.matches(shingles(detail), 0.5)
        own = complaint_index.DatabaseComplaintSearch(
            engine, storage.cases, call_id, dt.datetime.now() - dt.timedelta(days=1), 3, 20
        )
        assert (customer_id or "", 1.0) not in own.matches(shingles(detail), 0.5)  # never with itself
    finally:
        engine.dispose()


def test_a_postgres_backup_restores_into_empty_databases(scaleout, tmp_path):
    """`python -m bot backup` with the stack's PostgreSQL URLs (pg_dump, while it serves), then
    `restore` into two empty databases: the held call's conversation and cases are there."""
    for text in CALLS["borrower_plan"][:3]:
        scaleout.say("two-backup", text)
    admin = sa.create_engine(f"postgresql://postgres@127.0.0.1:{scaleout.pg}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in ("bot_restored", "tracker_restored"):
            conn.exec_driver_sql(f"CREATE DATABASE {name} OWNER bot")
    admin.dispose()
    base = dict(os.environ, PYTHONPATH=str(ROOT), BOT_DATA_DIR=str(tmp_path / "a"))
    run = lambda env, *args: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "bot", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    done = run(
        dict(base, BOT_DB_URL=scaleout.db_url, BOT_TRACKER_URL=scaleout.tracker_url), "backup", str(tmp_path / "bk")
    )
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "bk").glob("*.pgdump")) == ["bot.pgdump", "tracker.pgdump"]
    target_db = scaleout.db_url.rsplit("/", 1)[0] + "/bot_restored"
    target_tracker = scaleout.tracker_url.rsplit("/", 1)[0] + "/tracker_restored"
    env = dict(base, BOT_DATA_DIR=str(tmp_path / "b"), BOT_DB_URL=target_db, BOT_TRACKER_URL=target_tracker)
    restored = run(env, "restore", str(tmp_path / "bk"))
    assert restored.returncode == 0, restored.stderr
    engine = sa.create_engine(target_tracker)
    try:
        with engine.connect() as conn:
            users = conn.exec_driver_sql(
                "SELECT count(*) FROM events WHERE sender_id = 'two-backup' AND type_name = 'user'"
            ).scalar()
        assert users == 3
    finally:
        engine.dispose()
    assert run(env, "restore", str(tmp_path / "bk")).returncode == 2  # now it holds data: refused
