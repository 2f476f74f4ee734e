"""The IVR and agent channels and the pages, through the real HTTP server."""

import json
import os
import urllib.error
import urllib.request

import pytest

from tests.e2e.conftest import AGENT_TOKENS, TOKEN

pytestmark = pytest.mark.e2e
A1, A2 = AGENT_TOKENS["agent1"], AGENT_TOKENS["agent2"]
counter = iter(range(1, 10_000))


def new_id(prefix):
    return f"{prefix}-{os.getpid()}-{next(counter)}"


def http(stack, method, path, body=None, token=None, raw=None):
    """(status, headers, parsed JSON or text) for one request; `raw` sends bytes as they are."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(
        f"http://127.0.0.1:{stack.port}{path}", method=method, data=data, headers={"Content-Type": "application/json"}
    )
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            status, headers, payload = resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as err:
        status, headers, payload = err.code, err.headers, err.read()
    text = payload.decode("utf-8")
    if "json" in (headers.get("Content-Type") or ""):
        return status, headers, json.loads(text)
    return status, headers, text


def end_call(stack, call_id, disposition, token=A1):
    """(status, body) of ending an agent call with that disposition, the unsaid lines confirmed."""
    body = {"disposition": disposition, "confirm_unsaid": True}
    status, _, answer = http(stack, "POST", f"/webhooks/agent/calls/{call_id}/end", body, token=token)
    return status, answer


def ivr(stack, call_id, event, **fields):
    status, _, body = http(stack, "POST", "/webhooks/ivr/webhook", {"call_id": call_id, "event": event, **fields})
    assert status == 200, body
    return body


def said(answer):
    return "\n".join(p["text"] for p in answer["prompts"])


# ---- IVR -----------------------------------------------------------------------
def test_a_borrower_holds_a_whole_call_by_phone_with_keys_for_role_and_id(stack):
    c = new_id("ivr")
    first = ivr(stack, c, "start", caller_number="13800000001")
    assert "本通话将被录音" in said(first) and "本人按1" in said(first)
    assert (first["expect"], first["dtmf_max_digits"], first["transfer"], first["hangup"]) == ("speech", 1, None, False)
    assert "姓名" in said(ivr(stack, c, "dtmf", dtmf="1"))
    asked_id = ivr(stack, c, "utterance", text="我叫张伟", asr_confidence=0.92)
    assert "按键输入" in said(asked_id)
    assert (asked_id["expect"], asked_id["dtmf_max_digits"]) == ("dtmf", 4)
    verified = ivr(stack, c, "dtmf", dtmf="3721#")
    assert "身份核实通过" in said(verified) and verified["expect"] == "speech"
    ivr(stack, c, "utterance", text="我想申请分期还款", asr_confidence=0.9)
    closing = ivr(stack, c, "utterance", text="我失业了", asr_confidence=0.88)
    assert "失业证明" in said(closing)
    for prompt in closing["prompts"]:
        assert not set(prompt["text"]) & set("*#`[]😀") and set(prompt) == {"text"}
    goodbye = ivr(stack, c, "utterance", text="没有了", asr_confidence=0.95)
    assert goodbye["hangup"] is True and goodbye["expect"] == "none"
    assert ivr(stack, c, "hangup")["hangup"] is True

    status, body = stack.summary(c)
    assert status == 200
    assert (body["channel"], body["caller_role"], body["identity_verified"], body["customer_id"]) == (
        "ivr",
        "borrower",
        True,
        "C0001",
    )
    assert body["materials_requested"] == ["id_card", "unemployment_proof", "repayment_proposal"]


def test_low_asr_confidence_is_asked_again_without_guessing_read_back_once_then_reaches_a_human(stack):
    c = new_id("ivr")
    ivr(stack, c, "start", caller_number="13800000002")
    again = ivr(stack, c, "utterance", text="我是借款人本人", asr_confidence=0.2)
    assert said(again).startswith("抱歉，没听清") and "借款人本人吗" in said(again)
    assert stack.summary(c)[1]["caller_role"] == "unknown"  # nothing was guessed
    heard = ivr(stack, c, "utterance", text="我是借款人本人", asr_confidence=0.9)
    assert "姓名" in said(heard) and stack.summary(c)[1]["caller_role"] == "borrower"
    assert said(ivr(stack, c, "utterance", text="王芳", asr_confidence=0.3)).startswith("抱歉，没听清")
    # the second miss: the name heard only unsure is read back once for a key, instead of the human
    silence = ivr(stack, c, "utterance", text="")
    assert "王芳" in said(silence) and "对请按1" in said(silence) and silence["transfer"] is None
    silence = ivr(stack, c, "utterance", text="")
    assert silence["transfer"] is not None and "人工" in said(silence)  # never "没听清" forever
    s = stack.summary(c)[1]
    assert s["handoff"] is True and s["next_step"] == "human_review"


def test_keys_that_mean_nothing_here_are_asked_again(stack):
    c = new_id("ivr")
    ivr(stack, c, "start", caller_number="13800000001")
    wrong = ivr(stack, c, "dtmf", dtmf="7")
    assert said(wrong).startswith("抱歉，这个按键无效") and "本人按1" in said(wrong)
    ivr(stack, c, "dtmf", dtmf="1")
    ivr(stack, c, "utterance", text="我叫张伟")
    ivr(stack, c, "dtmf", dtmf="3721")
    no_keys = ivr(stack, c, "dtmf", dtmf="2")
    assert "直接说出来" in said(no_keys)


@pytest.mark.parametrize("how", ["speech", "key 0"])
def test_a_handoff_answers_with_a_transfer(stack, how):
    c = new_id("ivr")
    ivr(stack, c, "start", caller_number="13800000003")
    answer = (
        ivr(stack, c, "utterance", text="转人工", asr_confidence=0.9)
        if how == "speech"
        else ivr(stack, c, "dtmf", dtmf="0")
    )
    assert answer["transfer"] == {"queue": "human_service", "reason": "客户要求转人工"}
    assert answer["expect"] == "none" and "转接人工" in said(answer)
    assert stack.summary(c)[1]["handoff"] is True


def test_hangup_closes_the_call_and_the_summary_stays_final(stack):
    c = new_id("ivr")
    ivr(stack, c, "start", caller_number="13800000001")
    ivr(stack, c, "utterance", text="我是借款人本人")
    ivr(stack, c, "hangup")
    before = stack.summary(c)
    for event, extra in (("utterance", {"text": "喂"}), ("dtmf", {"dtmf": "1"}), ("start", {}), ("hangup", {})):
        status, _, body = http(stack, "POST", "/webhooks/ivr/webhook", {"call_id": c, "event": event, **extra})
        assert status == 409 and body["error"]["code"] == "call_ended", body
    assert stack.summary(c) == before and before[0] == 200


def test_events_before_start_and_a_repeated_start(stack):
    c = new_id("ivr")
    status, _, body = http(stack, "POST", "/webhooks/ivr/webhook", {"call_id": c, "event": "utterance", "text": "喂"})
    assert status == 409 and body["error"]["code"] == "call_not_started"
    status, _, body = http(stack, "POST", "/webhooks/ivr/webhook", {"call_id": c, "event": "hangup"})
    assert status == 404 and body["error"]["code"] == "call_not_found"
    first = ivr(stack, c, "start")
    assert ivr(stack, c, "start")["prompts"] == first["prompts"]  # a retry hears the same prompt


def test_a_rest_conversation_cannot_be_taken_over_by_the_ivr(stack):
    c = new_id("rest")
    stack.say(c, "你好")
    status, _, body = http(stack, "POST", "/webhooks/ivr/webhook", {"call_id": c, "event": "start"})
    assert status == 409 and body["error"]["code"] == "other_channel"


def test_the_voiceprint_reaches_the_risk_engine(stack):
    c = new_id("ivr")
    enrolled = [0.12, 0.80, -0.33, 0.41, 0.05, -0.27, 0.66, 0.19]  # bot/demo/watchlist.csv
    ivr(stack, c, "start", caller_number="13800000004", voiceprint=enrolled)
    ivr(stack, c, "utterance", text="我是借款人本人", asr_confidence=0.9)
    codes = [s["code"] for s in stack.summary(c)[1]["proxy_risk"]["signals"]]
    assert "voiceprint_match" in codes


@pytest.mark.parametrize(
    "raw",
    [
        b"not json",
        b"",
        b"[1, 2]",
        b'"start"',
        b"{\"call_id\": \"c-1\"",
        b'{"event": "start"}',
        b'{"call_id": "c 1", "event": "start"}',
        b'{"call_id": "c-1", "event": "ring"}',
        b'{"call_id": "c-1", "event": "utterance"}',
        b'{"call_id": "c-1", "event": "utterance", "text": "hi", "asr_confidence": "high"}',
        b'{"call_id": "c-1", "event": "dtmf", "dtmf": "abc"}',
        b'{"call_id": "c-1", "event": "start", "voiceprint": "0.1 0.2"}',
        b'{"call_id": "c-1", "event": "start", "voiceprint": [NaN, 1]}',
        b'{"call_id": "c-1", "event": "start", "caller_number": {"n": 1}}',
        "{\"call_id\": \"c-1\", \"event\": \"start\", \"caller_number\": \"\u00e9\"}".encode("latin-1"),
    ],
)
def test_malformed_ivr_payloads_get_400_with_a_json_error(stack, raw):
    status, headers, body = http(stack, "POST", "/webhooks/ivr/webhook", raw=raw)
    assert status == 400, body
    assert "json" in headers["Content-Type"]
    assert body["error"]["code"] and any("\u4e00" <= ch <= "\u9fff" for ch in body["error"]["message"])


# ---- agent panel ------------------------------------------------------------------
def agent(stack, body, token=A1, expect=200):
    status, _, answer = http(stack, "POST", "/webhooks/agent/webhook", body, token=token)
    assert status == expect, answer
    return answer


@pytest.mark.parametrize(
    "method, path",
    [
        ("POST", "/webhooks/agent/webhook"),
        ("GET", "/webhooks/agent/me"),
        ("GET", "/webhooks/agent/calls"),
        ("GET", "/webhooks/agent/calls/p-x"),
        ("POST", "/webhooks/agent/calls/p-x/end"),
        ("POST", "/webhooks/agent/calls/p-x/note"),
    ],
)
@pytest.mark.parametrize("token", [None, "wrong-token", TOKEN])  # the API token is not an agent token
def test_agent_routes_need_an_agent_token(stack, method, path, token):
    status, headers, body = http(stack, method, path, {"call_id": "p-x", "text": "hi"}, token=token)
    assert status == 401 and body["error"]["code"] == "unauthorized"
    assert headers["WWW-Authenticate"] == "Bearer"


def test_the_agent_holds_a_proxy_call_and_sees_the_risk_and_the_checklist(stack):
    c = new_id("p")
    status, _, me = http(stack, "GET", "/webhooks/agent/me", token=A1)
    assert status == 200 and me["agent_id"] == "agent1"
    start = agent(stack, {"call_id": c, "agent_id": "agent1", "text": "", "caller_number": "13900000009"})
    assert [l["instruction"] for l in start["lines"]] == ["请告知客户", "请询问客户"]
    assert "本通话将被录音" in start["lines"][0]["words"]
    assert start["checklist"][0] == {
        "key": "recording_notice",
        "label": "录音告知",
        "status": "done",
        "detail": "已告知本通话录音",
        "say": "suggested",  # put up by the bot; the agent's voice not heard (typed call, no transcript)
    }
    assert [q["label"] for q in start["quick_replies"]][:4] == ["借款人本人", "亲属/朋友", "授权代理人", "代表机构"]
    flagged = agent(stack, {"call_id": c, "agent_id": "agent1", "text": "我们是债务优化中心的，要求停息挂账"})
    assert flagged["risk"]["level"] == "level2" and flagged["risk"]["colour"] == "orange"
    assert "停息挂账" in [s["evidence"] for s in flagged["risk"]["signals"]]
    assert "核实" in flagged["risk"]["requirement"]
    # a third party is never asked for the borrower's ID digits: naming the borrower is enough
    closing = agent(stack, {"call_id": c, "agent_id": "agent1", "text": "借款人叫张伟"})
    assert closing["checklist_complete"] and closing["wrapped_up"]
    assert [i["status"] for i in closing["checklist"]] == ["done"] * 6
    words = "\n".join(l["words"] for l in closing["lines"])
    assert "授权委托书原件" in words and "免费" in words
    assert all(l["text"].startswith("请") for l in closing["lines"])
    assert closing["transcript"][2] == {"speaker": "caller", "text": "我们是债务优化中心的，要求停息挂账"}
    summary = closing["summary"]
    assert (summary["channel"], summary["caller_role"], summary["next_step"]) == (
        "agent",
        "third_party",
        "escalate_team",
    )
    # the same summary as the API's, less the anti-proxy team's case id (not the agent's business)
    api_summary = stack.summary(c)[1]
    assert api_summary["case_id"] and summary["case_id"] is None
    assert {k: v for k, v in api_summary.items() if k != "case_id"} == {
        k: v for k, v in summary.items() if k != "case_id"
    }

    status, _, saved = http(
        stack,
        "POST",
        f"/webhooks/agent/calls/{c}/note",
        {"disposition": "callback", "note": "代理机构来电，已要求授权委托书原件"},
        token=A1,
    )
    assert status == 200 and saved["note"] == {"disposition": "callback", "note": "代理机构来电，已要求授权委托书原件"}
    status, _, owed = http(stack, "POST", f"/webhooks/agent/calls/{c}/end", {"disposition": "resolved"}, token=A1)
    assert status == 409 and owed["error"]["code"] == "unsaid_items"  # nothing heard: confirm first
    status, ended = end_call(stack, c, "resolved")
    assert status == 200 and ended["ended"] is True and ended["quick_replies"] == []
    refused = agent(stack, {"call_id": c, "text": "喂"}, expect=409)
    assert refused["error"]["code"] == "call_ended"
    status, _, edited = http(
        stack, "PUT", f"/webhooks/agent/calls/{c}/note", {"disposition": "escalated", "note": "改为转专项组"}, token=A1
    )
    assert status == 200 and edited["note"]["disposition"] == "escalated"
    status, _, reread = http(stack, "GET", f"/webhooks/agent/calls/{c}", token=A1)
    assert status == 200 and reread["note"]["note"] == "改为转专项组" and reread["ended"]


def test_a_call_belongs_to_the_agent_who_took_it(stack):
    c = new_id("p")
    agent(stack, {"call_id": c, "text": ""})
    assert (
        agent(stack, {"call_id": c, "text": "我是借款人本人"}, token=A2, expect=403)["error"]["code"] == "other_agent"
    )
    status, _, body = http(stack, "GET", f"/webhooks/agent/calls/{c}", token=A2)
    assert status == 403
    mismatch = agent(stack, {"call_id": c, "agent_id": "agent2", "text": "hi"}, expect=403)
    assert mismatch["error"]["code"] == "agent_mismatch"


def test_agent_input_errors(stack):
    c = new_id("p")
    assert agent(stack, {"text": "hi"}, expect=400)["error"]["code"] == "missing_field"
    status, _, body = http(stack, "POST", "/webhooks/agent/webhook", raw=b"{oops", token=A1)
    assert status == 400 and body["error"]["code"] == "invalid_json"
    agent(stack, {"call_id": c, "text": ""})
    assert agent(stack, {"call_id": c, "text": "  "}, expect=400)["error"]["code"] == "text_required"
    status, _, body = http(stack, "POST", f"/webhooks/agent/calls/{c}/note", {"disposition": "won"}, token=A1)
    assert status == 400 and body["error"]["code"] == "bad_field"
    status, _, body = http(stack, "GET", "/webhooks/agent/calls/nobody-here", token=A1)
    assert status == 404 and body["error"]["code"] == "call_not_found"
    ivr_call = new_id("ivr")
    ivr(stack, ivr_call, "start")
    assert agent(stack, {"call_id": ivr_call, "text": "hi"}, expect=409)["error"]["code"] == "other_channel"


# ---- pages ------------------------------------------------------------------------
def test_the_pages_are_served_without_any_token_in_them(stack):
    for path, title in (("/panel", "坐席侧边栏"), ("/chat", "在线客服")):
        status, headers, html = http(stack, "GET", path)
        assert status == 200 and headers["Content-Type"].startswith("text/html") and title in html
        assert A1 not in html and "e2e-test-token" not in html
        assert "default-src 'self'" in headers["Content-Security-Policy"]
    status, headers, js = http(stack, "GET", "/web/panel.js")
    assert status == 200 and headers["Content-Type"].startswith("text/javascript") and A1 not in js
    assert http(stack, "GET", "/web/nope.js")[0] == 404
    assert http(stack, "GET", "/web/..%2Fconfig.py")[0] == 404


# ---- one set of limits and texts on every channel ----------------------------------------
WEBHOOKS = {
    "rest": ("/webhooks/rest/webhook", None, "sender", "message", {}),
    "ivr": ("/webhooks/ivr/webhook", None, "call_id", "text", {"event": "utterance"}),
    "agent": ("/webhooks/agent/webhook", A1, "call_id", "text", {}),
}


def refused(stack, channel, raw=None, body=None):
    path, token, *_ = WEBHOOKS[channel]
    status, _, answer = http(stack, "POST", path, body, token=token, raw=raw)
    assert status == 400, (channel, answer)
    return answer["error"]["code"], answer["error"]["message"]


@pytest.mark.parametrize("raw", [b"", b"\xff\xfe", b"{oops", b"[1, 2]"])
def test_every_webhook_refuses_a_bad_body_with_the_same_code_and_text(stack, raw):
    answers = {channel: refused(stack, channel, raw=raw) for channel in WEBHOOKS}
    assert len(set(answers.values())) == 1, answers
    assert any("\u4e00" <= ch <= "\u9fff" for ch in answers["rest"][1])


@pytest.mark.parametrize("channel", list(WEBHOOKS))
def test_every_webhook_has_the_same_limits_for_ids_and_text(stack, channel):
    from bot.presentation.channel_payloads import MAX_ID, MAX_TEXT

    _, _, id_field, text_field, base = WEBHOOKS[channel]
    code, message = refused(stack, channel, body={**base, id_field: "x" * (MAX_ID + 1), text_field: "你好"})
    assert code == "bad_field" and f"最长 {MAX_ID} 个字符" in message and id_field in message
    code, message = refused(stack, channel, body={**base, id_field: new_id("lim"), text_field: "长" * (MAX_TEXT + 1)})
    assert (code, message) == ("text_too_long", f"字段 {text_field} 过长（最多 {MAX_TEXT} 个字符）。")
