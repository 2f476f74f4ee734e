"""Scale-out on existing engines: two Rasa servers, PostgreSQL tracker store and project
database, Redis lock store. Turns of each call alternate between the servers; every call's
state and summary must be exactly what one server gives."""

import os
import subprocess
import tempfile

import pytest

from tests.conftest import ROOT
from tests.e2e.conftest import TOKEN, Stack, free_port

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


@pytest.fixture(scope="module")
def services():
    work = tempfile.mkdtemp(prefix="sg-services-")  # readable by the postgres user
    os.chmod(work, 0o755)
    pg_port, redis_port = free_port(), free_port()
    script = str(ROOT / "scripts" / "services.sh")
    subprocess.run(["bash", script, "start", work, str(pg_port), str(redis_port)], check=True, timeout=600)
    yield {
        "BOT_PG_HOST": "127.0.0.1",
        "BOT_PG_PORT": str(pg_port),
        "BOT_PG_USER": "bot",
        "BOT_PG_PASSWORD": "bot",
        "BOT_PG_TRACKER_DB": "tracker",
        "BOT_REDIS_HOST": "127.0.0.1",
        "BOT_REDIS_PORT": str(redis_port),
        "BOT_ENDPOINTS": "deploy/endpoints.scaleout.yml",
        "BOT_DB_URL": f"postgresql://bot:bot@127.0.0.1:{pg_port}/bot",
        "BOT_TRACKER_URL": f"postgresql://bot:bot@127.0.0.1:{pg_port}/tracker",
    }
    subprocess.run(["bash", script, "stop", work, str(pg_port), str(redis_port)], timeout=120)


class ScaledStack(Stack):
    """One action server and two Rasa servers on the shared PostgreSQL and Redis."""

    def __init__(self, data_dir, env):
        saved = dict(os.environ)
        try:
            super().__init__(data_dir, env)
        finally:  # as separate_stack does, for this subclass
            os.environ.clear()
            os.environ.update(saved)
        self.env.update(env)
        self.second_port = free_port()
        while self.second_port in (self.port, self.action_port):
            self.second_port = free_port()

    def start(self, which=("actions", "rasa", "rasa2")):
        super().start([w for w in which if w != "rasa2"])
        if "rasa2" in which:
            log = open(self.logs / "rasa2.log", "ab")
            env = dict(self.env, PORT=str(self.second_port))
            command = [str(self.second_port) if arg == str(self.port) else arg for arg in self.commands[1]]
            self.procs["rasa2"] = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
            first = self.port
            self.port = self.second_port
            try:
                self.wait_up()
            finally:
                self.port = first

    def stop(self, which=("actions", "rasa", "rasa2")):
        super().stop(which)


def say_on(stack, port, sender, text):
    first, stack.port = stack.port, port
    try:
        return stack.say(sender, text)
    finally:
        stack.port = first


def hold(stack, sender, turns, alternate):
    for i, text in enumerate(turns):
        port = stack.second_port if alternate and i % 2 else stack.port
        say_on(stack, port, sender, text)


def comparable(summary):
    """The summary without what differs by construction: the call id and the case reference numbers
    (both stacks number their cases and the team's cases on their own)."""
    out = {k: v for k, v in summary.items() if k != "call_id"}
    out["case_id"] = bool(summary.get("case_id"))
    out["matters"] = [
        {"purpose": m["purpose"], "registered": bool(m["reference"])} for m in summary.get("matters") or []
    ]
    return out


def test_two_servers_on_postgres_and_redis_match_one_server(stack, services, tmp_path):
    scaled = ScaledStack(tmp_path / "var", services)
    try:
        scaled.start()
        for name, turns in CALLS.items():
            hold(stack, f"one-{name}", turns, alternate=False)  # the single-server reference
            hold(scaled, f"two-{name}", turns, alternate=True)
            _, reference = stack.summary(f"one-{name}")
            status_a, via_a = scaled.summary(f"two-{name}")
            first, scaled.port = scaled.port, scaled.second_port
            status_b, via_b = scaled.summary(f"two-{name}")
            scaled.port = first
            assert status_a == status_b == 200
            assert via_a == via_b
            assert comparable(via_a) == comparable(reference), name
    finally:
        scaled.stop()
    from bot.services.case_export import tracker_events

    events = tracker_events(services["BOT_TRACKER_URL"], "two-agency")
    assert sum(1 for e in events if e["event"] == "user") == len(CALLS["agency"])
    assert TOKEN  # the same operator token works on both servers (checked above)
