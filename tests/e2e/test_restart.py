"""A restart of the Rasa server loses no conversation (SQL tracker store under BOT_DATA_DIR)."""

import pytest

pytestmark = pytest.mark.e2e


def test_call_resumes_after_rasa_server_restart(stack, call):
    c = call()
    c.say("我是本人")
    c.say("张伟")
    stack.stop(["rasa"])
    stack.start(["rasa"])
    reply = c.say("3721")
    assert "身份核实通过" in reply and "想办理什么事情" in reply
    s = c.summary()
    assert s["caller_role"] == "borrower" and s["identity_verified"] is True
