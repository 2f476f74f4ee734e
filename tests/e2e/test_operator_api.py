"""Operator-only routes: evidence packet and audit trail; agent tokens cannot use them."""

import pytest

from tests.e2e.conftest import AGENT_TOKENS, TOKEN

pytestmark = pytest.mark.e2e

AGENT = AGENT_TOKENS["agent1"]


def get(stack, path, token):
    return stack._request("GET", path, token=token, raw=True)


def test_case_packet_and_audit_need_the_operator_token(stack, call):
    c = call("13512349999")
    c.say("我们是债务优化公司的，要求停息挂账")
    c.say("借款人叫张伟")
    c.say("后四位3721")
    status, packet = get(stack, f"/calls/{c.id}/case", TOKEN)
    assert status == 200 and packet["proxy_risk"]["level"] == "level2"
    assert any(t["speaker"] == "caller" and "停息挂账" in t["text"] for t in packet["transcript"])
    status, audit = get(stack, f"/calls/{c.id}/audit", TOKEN)
    assert status == 200
    assert any(r["event"] == "level_changed" and r["detail"]["to"] == "level2" for r in audit["audit"])
    for path in (f"/calls/{c.id}/case", f"/calls/{c.id}/audit"):
        status, body = get(stack, path, AGENT)
        assert status == 403 and body["error"]["code"] == "forbidden"
        assert get(stack, path, None)[0] == 401
        assert get(stack, path, "wrong")[0] == 401
    assert get(stack, f"/calls/{c.id}/summary", AGENT)[0] == 401  # agents use the panel, not this API


def test_unknown_call_is_404(stack):
    for path in ("/calls/nope/case", "/calls/nope/audit"):
        status, body = get(stack, path, TOKEN)
        assert status == 404 and body["error"]["code"] == "call_not_found"
