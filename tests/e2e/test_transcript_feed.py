"""The call platform's transcript feed (contract §6) against the real servers: final caller
segments drive the script, the agent's segments tick only the lines said in full, the panel's
stream pushes every change, ending the call with a line owed is refused until confirmed, and the
adherence is in the summary, the record and the report."""

import http.client as httpclient
import json
import subprocess
import sys
import threading
import time

import pytest

from tests.conftest import ROOT
from tests.e2e.conftest import AGENT_TOKENS, TOKEN
from tests.e2e.test_channels import agent, end_call, http, new_id

pytestmark = pytest.mark.e2e
A1, A2 = AGENT_TOKENS["agent1"], AGENT_TOKENS["agent2"]

OPENING = "您好，这里是客户服务中心，很高兴为您服务。为保障双方权益，本通话将被录音。"
MATERIALS = "请您准备借款人签名的授权委托书原件、代理人身份证，我们还会联系借款人本人确认。"
LEVEL2 = "在与借款人本人直接核实之前，我们不会处理这次的诉求，我们会回拨借款人预留的手机核实。"
HALF_DIRECT_ROUTE = "借款人直接找我们协商是免费的。"  # the card warning left out: not the line


def segment(stack, call_id, speaker, text, final=True, token=A1, expect=200, **extra):
    body = {"call_id": call_id, "agent_id": "agent1", "speaker": speaker, "text": text, "final": final, **extra}
    status, _, answer = http(stack, "POST", "/webhooks/agent/transcript", body, token=token)
    assert status == expect, answer
    return answer


def states(answer):
    return {i["key"]: i["state"] for i in answer["must_say"]}


class Listener:
    """Reads the panel's stream in a thread, keeping (event, data) as they come."""

    def __init__(self, stack, call_id, token=A1):
        self.events, self.status = [], None
        self.conn = httpclient.HTTPConnection("127.0.0.1", stack.port, timeout=60)
        self.conn.request(
            "GET", f"/webhooks/agent/calls/{call_id}/stream", headers={"Authorization": f"Bearer {token}"}
        )
        self.response = self.conn.getresponse()
        self.status = self.response.status
        self.content_type = self.response.getheader("Content-Type") or ""
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        name, data = None, ""
        try:
            for raw in self.response:
                line = raw.decode("utf-8").rstrip("\n")
                if line.startswith("event: "):
                    name = line[7:]
                elif line.startswith("data: "):
                    data += line[6:]
                elif line == "" and name:
                    self.events.append((name, json.loads(data)))
                    name, data = None, ""
        except Exception:
            pass

    def wait(self, test, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, data in list(self.events):
                if test(name, data):
                    return data
            time.sleep(0.1)
        raise AssertionError(f"no such event; got {[n for n, _ in self.events]}")

    def close(self):
        self.conn.close()


def test_a_whole_call_from_the_transcript(stack):
    c = new_id("t")
    first = segment(stack, c, "agent", OPENING, caller_number="13900000009")  # the first segment starts the call
    assert "本通话将被录音" in first["lines"][0]["words"]
    assert states(first)["recording_notice"] == "said"
    assert first["transcript"][-1] == {"speaker": "agent", "text": OPENING}

    listener = Listener(stack, c)
    try:
        assert listener.status == 200 and listener.content_type.startswith("text/event-stream")
        hello = listener.wait(lambda n, d: n == "panel")
        assert hello["call_id"] == c and states(hello)["recording_notice"] == "said"

        interim = segment(stack, c, "caller", "我们是债务", final=False)
        assert interim["interim"] == [{"speaker": "caller", "text": "我们是债务"}]
        assert [t for t in interim["transcript"] if t["speaker"] == "caller"] == []  # changed nothing
        listener.wait(lambda n, d: n == "interim" and d["text"] == "我们是债务" and d["speaker"] == "caller")

        flagged = segment(stack, c, "caller", "我们是债务优化中心的，要求停息挂账")
        assert flagged["risk"]["level"] == "level2" and flagged["interim"] == []
        listener.wait(lambda n, d: n == "panel" and d["risk"]["level"] == "level2")

        closing = segment(stack, c, "caller", "借款人叫张伟")
        words = "\n".join(line["words"] for line in closing["lines"])
        assert "授权委托书原件" in words and "免费" in words
        assert closing["adherence"]["required"] == ["recording_notice", "materials", "direct_route", "level2_line"]
        assert states(closing)["materials"] == "suggested" and states(closing)["direct_route"] == "suggested"

        for text in (MATERIALS, LEVEL2, HALF_DIRECT_ROUTE):
            answer = segment(stack, c, "agent", text)
        assert states(answer) == {
            "recording_notice": "said",
            "materials": "said",
            "direct_route": "suggested",  # half said
            "complaint_reference": "not_needed",
            "level2_line": "said",
            "level1_line": "not_needed",
        }
        pushed = listener.wait(lambda n, d: n == "panel" and states(d)["level2_line"] == "said")
        assert pushed["checklist"][0]["say"] == "said"

        status, _, refused = http(
            stack, "POST", f"/webhooks/agent/calls/{c}/end", {"disposition": "resolved"}, token=A1
        )
        assert status == 409 and refused["error"]["code"] == "unsaid_items"
        assert [i["key"] for i in refused["error"]["items"]] == ["direct_route"]
        assert "直接协商免费提示" in refused["error"]["message"]
        status, _, still = http(stack, "GET", f"/webhooks/agent/calls/{c}", token=A1)
        assert status == 200 and not still["ended"]

        status, ended = end_call(stack, c, "resolved")
        assert status == 200 and ended["ended"] is True
        listener.wait(lambda n, d: n == "panel" and d["ended"])
    finally:
        listener.close()

    expected = {
        "required": ["recording_notice", "materials", "direct_route", "level2_line"],
        "said": ["recording_notice", "materials", "level2_line"],
        "score": 0.75,
    }
    assert stack.summary(c)[1]["adherence"] == expected
    assert segment(stack, c, "agent", "还有别的吗", expect=409)["error"]["code"] == "call_ended"

    from bot.services.storage import Database

    row = Database(stack.settings.db_url).adherence_row(c)
    assert row["confirm_unsaid"] is True and row["unsaid"] == ["direct_route"] and row["score"] == 0.75

    day = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 8 * 3600))
    out = subprocess.run(
        [sys.executable, "-m", "bot", "report", "adherence", "--since", day, "--agent", "agent1", "--json"],
        cwd=ROOT,
        env=stack.env,
        capture_output=True,
        text=True,
        check=True,
    )
    report = json.loads(out.stdout)
    assert report["agents"][0]["agent_id"] == "agent1" and report["agents"][0]["calls"] >= 1
    table = subprocess.run(
        [sys.executable, "-m", "bot", "report", "adherence", "--since", day],
        cwd=ROOT,
        env=stack.env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "| agent1 |" in table and day in table


def test_typed_turns_tick_nothing_and_a_hand_tick_is_recorded_as_manual(stack):
    c = new_id("t")
    start = agent(stack, {"call_id": c, "agent_id": "agent1", "text": ""})
    assert states(start)["recording_notice"] == "suggested"  # the bot put it up; nobody heard the agent
    typed = agent(stack, {"call_id": c, "agent_id": "agent1", "text": "我是借款人本人"})
    assert states(typed)["recording_notice"] == "suggested" and typed["adherence"]["said"] == []
    status, _, ticked = http(stack, "POST", f"/webhooks/agent/calls/{c}/said", {"item": "recording_notice"}, token=A1)
    assert status == 200 and states(ticked)["recording_notice"] == "manual"
    assert ticked["adherence"]["manual"] == ["recording_notice"] and ticked["adherence"]["score"] == 1.0
    status, _, body = http(stack, "POST", f"/webhooks/agent/calls/{c}/said", {"item": "greeting"}, token=A1)
    assert status == 400 and body["error"]["code"] == "bad_field"
    status, _, ended = http(stack, "POST", f"/webhooks/agent/calls/{c}/end", {"disposition": "resolved"}, token=A1)
    assert status == 200 and ended["summary"]["adherence"]["said"] == ["recording_notice"]


def test_transcript_errors(stack):
    c = new_id("t")
    status, _, body = http(stack, "POST", "/webhooks/agent/transcript", {"call_id": c, "speaker": "agent", "text": "x"})
    assert status == 401
    status, _, body = http(
        stack, "POST", "/webhooks/agent/transcript", {"call_id": c, "speaker": "agent", "text": "x"}, token=TOKEN
    )
    assert status == 401  # the API token is not an agent's
    for bad, code in [
        ({"speaker": "agent", "text": "x"}, "missing_field"),
        ({"call_id": c, "text": "x"}, "missing_field"),
        ({"call_id": c, "speaker": "robot", "text": "x"}, "bad_field"),
        ({"call_id": c, "speaker": "caller", "text": "x", "final": "yes"}, "bad_field"),
        ({"call_id": c, "speaker": "caller"}, "missing_field"),
        ({"call_id": c, "speaker": "caller", "text": 5}, "bad_field"),
    ]:
        status, _, body = http(stack, "POST", "/webhooks/agent/transcript", bad, token=A1)
        assert status == 400 and body["error"]["code"] == code, (bad, body)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in body["error"]["message"])
    status, _, body = http(stack, "POST", "/webhooks/agent/transcript", raw=b"{oops", token=A1)
    assert status == 400 and body["error"]["code"] == "invalid_json"

    segment(stack, c, "caller", "喂，你好")
    assert segment(stack, c, "caller", " ", expect=400)["error"]["code"] == "text_required"
    assert segment(stack, c, "agent", "您好", token=A2, expect=403)["error"]["code"] == "agent_mismatch"
    body = {"call_id": c, "speaker": "agent", "text": "您好"}
    status, _, refused = http(stack, "POST", "/webhooks/agent/transcript", body, token=A2)
    assert status == 403 and refused["error"]["code"] == "other_agent"
    status, _, _ = http(stack, "GET", f"/webhooks/agent/calls/{c}/stream", token=A2)
    assert status == 403

    rest_call = new_id("rest")
    stack.say(rest_call, "你好")
    assert segment(stack, rest_call, "caller", "你好", expect=409)["error"]["code"] == "other_channel"
