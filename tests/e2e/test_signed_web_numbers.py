"""Signed web numbers through the real servers (contract §2): a browser's caller_number counts only when signed."""

import time

import pytest

from bot.core.call_view import slots_from_events
from bot.core.web_signing import sign
from bot.services.case_export import tracker_events
from tests.e2e.conftest import separate_stack

pytestmark = pytest.mark.e2e

KEY = "e2e-web-signing-key-0123456789"
NUMBER = "13800000001"


def rest(stack, sender, text, metadata):
    return stack._request("POST", "/webhooks/rest/webhook", {"sender": sender, "message": text, "metadata": metadata})


def stored(stack, sender):
    """(the caller_number slot, every caller_number the stored messages carry)."""
    events = tracker_events(stack.settings.tracker_db_path, sender)
    carried = {(e.get("metadata") or {}).get("caller_number") for e in events if e.get("event") == "user"} - {None}
    return slots_from_events(events).get("caller_number"), carried


@pytest.fixture(scope="module")
def signed_stack(tmp_path_factory):
    stack = separate_stack(tmp_path_factory.mktemp("signed") / "var", BOT_WEB_SIGNING_KEY=KEY)
    stack.start()
    try:
        yield stack
    finally:
        stack.stop()


def test_a_correctly_signed_number_reaches_the_call(signed_stack):
    exp = int(time.time()) + 300
    metadata = {
        "caller_number": NUMBER,
        "caller_number_exp": exp,
        "caller_number_sig": sign(KEY, "web-ok", NUMBER, exp),
    }
    assert rest(signed_stack, "web-ok", "你好", metadata)
    assert stored(signed_stack, "web-ok") == (NUMBER, {NUMBER})


@pytest.mark.parametrize(
    "sender, metadata",
    [
        ("web-unsigned", {"caller_number": NUMBER}),
        (
            "web-wrong",
            {"caller_number": NUMBER, "caller_number_exp": 4102444800, "caller_number_sig": "0" * 64},
        ),
        (  # signed for another conversation: a signature cannot be replayed elsewhere
            "web-replayed",
            {
                "caller_number": NUMBER,
                "caller_number_exp": 4102444800,
                "caller_number_sig": sign(KEY, "web-ok", NUMBER, 4102444800),
            },
        ),
        (
            "web-expired",
            {
                "caller_number": NUMBER,
                "caller_number_exp": 1_700_000_000,
                "caller_number_sig": sign(KEY, "web-expired", NUMBER, 1_700_000_000),
            },
        ),
    ],
)
def test_an_unsigned_wrong_or_expired_number_is_no_number(signed_stack, sender, metadata):
    replies = rest(signed_stack, sender, "你好", metadata)
    assert replies and all("text" in r for r in replies)  # the call goes on, as one without a number
    rest(signed_stack, sender, "我是本人", {"caller_number": NUMBER})  # nor does a later unsigned turn count
    assert stored(signed_stack, sender) == (None, set())


def test_with_a_key_start_up_does_not_warn_that_numbers_are_trusted(signed_stack):
    log = (signed_stack.logs / "rasa.log").read_text(encoding="utf-8", errors="replace")
    assert "BOT_WEB_SIGNING_KEY" not in log


def test_without_a_key_numbers_are_trusted_and_each_start_says_so_once(stack):
    assert rest(stack, "web-dev", "你好", {"caller_number": NUMBER})
    assert stored(stack, "web-dev")[0] == NUMBER
    log = (stack.logs / "rasa.log").read_text(encoding="utf-8", errors="replace")
    starts = log.count("Rasa server on http")  # other tests restart the session's server
    assert starts >= 1 and log.count("未设置 BOT_WEB_SIGNING_KEY") == starts and "仅可用于开发环境" in log


# ---- the socket.io channel (the browser widget) applies the same rule ---------------------------------
def widget_call(stack, session_id, metadata, key="metadata"):
    """A borrower who names herself and her ID digits over socket.io; every turn carries `metadata`."""
    from tests.e2e.sio_client import WidgetCaller, run, texts

    async def chat():
        async with WidgetCaller(stack.port, session_id) as caller:
            said = []
            for text in ("你好", "我是借款人本人", "我叫张伟", "身份证后四位3721"):
                said += await caller.say(text, metadata, key)
            return texts(said)

    return run(chat())


def test_over_socketio_a_signed_number_verifies_the_borrower(signed_stack):
    exp = int(time.time()) + 300
    metadata = {
        "caller_number": NUMBER,
        "caller_number_exp": exp,
        "caller_number_sig": sign(KEY, "sio-ok", NUMBER, exp),
    }
    said = widget_call(signed_stack, "sio-ok", metadata)
    assert stored(signed_stack, "sio-ok") == (NUMBER, {NUMBER})
    assert "身份核实通过" in said and "验证码" not in said
    status, summary = signed_stack.summary("sio-ok")
    assert status == 200 and summary["verification"] == "registered_phone" and summary["identity_verified"] is True


@pytest.mark.parametrize(
    "session_id, metadata, key",
    [
        ("sio-unsigned", {"caller_number": NUMBER}, "metadata"),
        ("sio-unsigned-widget", {"caller_number": NUMBER}, "customData"),  # as rasa-webchat sends it
        (
            "sio-replayed",
            {
                "caller_number": NUMBER,
                "caller_number_exp": 4102444800,
                "caller_number_sig": sign(KEY, "web-ok", NUMBER, 4102444800),
            },
            "metadata",
        ),
    ],
)
def test_over_socketio_an_unsigned_number_does_not_verify(signed_stack, session_id, metadata, key):
    said = widget_call(signed_stack, session_id, metadata, key)
    assert stored(signed_stack, session_id) == (None, set())
    assert "验证码" in said  # matched by what she knows only: the SMS code is asked, as for no number
    status, summary = signed_stack.summary(session_id)
    assert status == 200 and summary["verification"] != "registered_phone" and summary["identity_verified"] is False
