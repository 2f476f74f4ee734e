"""The call summary API's access rules and errors (contract §3)."""

import pytest

pytestmark = pytest.mark.e2e


def test_summary_requires_the_token(stack, call):
    c = call()
    c.say("你好")
    status, body = stack.summary(c.id, token=None)
    assert status == 401 and body["error"]["code"] == "unauthorized"
    status, body = stack.summary(c.id, token="wrong")
    assert status == 401
    status, body = stack.summary(c.id)
    assert status == 200 and body["call_id"] == c.id and body["channel"] == "rest"


def test_unknown_call_is_404_json(stack):
    status, body = stack.summary("no-such-call")
    assert status == 404
    assert body["error"]["code"] == "call_not_found" and "找不到通话" in body["error"]["message"]
