"""The caller web chat over the socket.io channel (contract §2), through the real servers.

A python-socketio client talks to /socket.io/ as the standard Rasa web-chat widget does
(session_request, user_uttered, bot_uttered with the session_id): the caller gets the chat
wording, a handoff says when staff will phone back and then asks nothing more.
"""

import pytest
import yaml

from bot.core.call_view import slots_from_events
from bot.services.case_export import tracker_events
from tests.conftest import ROOT
from tests.e2e.sio_client import WidgetCaller, run, texts

pytestmark = pytest.mark.e2e

PHONE_ONLY = yaml.safe_load((ROOT / "bot" / "catalogue" / "chat.yml").read_text(encoding="utf-8"))["phone_only"]
QUESTIONS = ("请问", "请告诉我", "请说")  # how the script's questions start


def phone_words(text):
    return [w for w in PHONE_ONLY if w in text]


def test_a_widget_chat_speaks_chat_and_a_handoff_says_when_staff_call_back(stack):
    async def chat():
        async with WidgetCaller(stack.port, "sio-handoff-1") as caller:
            assert caller.session_id == "sio-handoff-1"  # the widget's own id is kept
            turns = [await caller.say("/greet")]
            turns.append(await caller.say("我是借款人本人"))
            turns.append(await caller.say("转人工"))
            turns.append(await caller.say("我叫张伟，身份证后四位是1234"))
            turns.append(await caller.say("你好，还在吗"))
            return turns

    greeting, role, handoff, after, again = run(chat())
    assert "对话内容会被记录" in texts(greeting)
    buttons = [b["title"] for m in greeting for b in m.get("quick_replies") or []]
    assert "借款人本人" in buttons  # the widget shows the quick replies
    assert "请告诉我您的姓名" in texts(role)

    said = texts(handoff)
    assert "人工客服" in said and "4 个工作小时内" in said and "预留的手机号" in said
    assert "本次在线对话到此结束" in said and "正在转接" not in said and "稍候" not in said

    for turn in (after, again):  # what the caller adds is kept for the staff; nothing more is asked
        assert "补充的内容已经记下" in texts(turn) and "4 个工作小时内" in texts(turn)
        assert not any(q in texts(turn) for q in QUESTIONS), texts(turn)

    everything = texts(greeting + role + handoff + after + again)
    assert phone_words(everything) == [], everything

    status, summary = stack.summary("sio-handoff-1")
    assert status == 200 and summary["channel"] == "rest"  # the contract's label for the web chat
    assert summary["handoff"] is True and summary["next_step"] == "human_review"


def test_a_widget_that_reconnects_goes_on_with_its_conversation(stack):
    async def first():
        async with WidgetCaller(stack.port, "sio-reconnect-1") as caller:
            await caller.say("/greet")
            return await caller.say("我是借款人本人")

    async def second():
        async with WidgetCaller(stack.port, "sio-reconnect-1") as caller:  # a reload: a new socket
            return await caller.say("我叫张伟")

    assert "姓名" in texts(run(first()))
    assert "身份证号码的最后四位" in texts(run(second()))


def test_a_message_the_channel_cannot_take_is_answered_and_not_stored(stack):
    async def chat():
        async with WidgetCaller(stack.port, "sio-too-long") as caller:
            return await caller.say("啊" * 2001)

    answer = texts(run(chat()))
    assert "过长" in answer and "2000" in answer
    events = tracker_events(stack.settings.tracker_db_path, "sio-too-long")
    assert [e for e in events if e.get("event") == "user"] == []
    assert slots_from_events(events).get("caller_number") is None


def test_the_vendored_socketio_client_is_served_and_nothing_else_under_vendor(stack):
    import urllib.error
    import urllib.request

    base = f"http://127.0.0.1:{stack.port}"
    with urllib.request.urlopen(base + "/web/vendor/socket.io.min.js", timeout=10) as resp:
        assert resp.headers["Content-Type"].startswith("text/javascript")
        assert b"Socket.IO v4." in resp.read(200)
    for name in ("evil.js", "..%2F..%2Fsettings.py", "socket.io.min.js.map"):
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(f"{base}/web/vendor/{name}", timeout=10)
        assert err.value.code == 404
