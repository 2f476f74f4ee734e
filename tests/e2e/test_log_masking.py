"""No token, phone number or ID number reaches the logs in full, even at DEBUG."""

import pytest

from tests.e2e.conftest import TOKEN, separate_stack

pytestmark = pytest.mark.e2e


def test_logs_of_a_whole_call_are_masked(tmp_path):
    stack = separate_stack(tmp_path / "var", LOG_LEVEL="DEBUG")  # Rasa then logs every message and slot
    stack.start()
    try:
        sender = "mask-1"
        for text in (
            "你好",
            "我是本人",
            "我叫张伟，身份证号110101199001013721",
            "我想查一下还欠多少钱",
            "我的手机号是13912345678",
        ):
            assert stack.say(sender, text, caller_number="13800000001")
        status, _ = stack.summary(sender)
        assert status == 200
    finally:
        stack.stop()
    logs = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in stack.logs.glob("*.log"))
    assert "identity check" in logs and "138****0001" in logs  # the logs are there, masked
    for secret in ("13800000001", "13912345678", "110101199001013721", TOKEN):
        assert secret not in logs, secret
    assert "****3721" in logs
