"""The same whole calls with the Rasa speed-ups on and with BOT_RASA_SPEEDUPS=0 (stock Rasa code):
the same replies, turn by turn, and the same summary.

Two fresh stacks (their own databases, so history-dependent risk signals and case
reference numbers start alike) hold each call in the same order.
"""

import pytest

from tests.e2e.conftest import TOKEN, separate_stack

pytestmark = pytest.mark.e2e

CALLS = {
    "borrower_repayment_plan": (
        "13800000001",
        ["你好", "我是本人", "我叫张伟", "后四位3721", "我想申请分期还款", "我失业了"],
    ),
    "proxy_third_party": (
        "13900000077",
        ["你好", "我们是债务优化中心的，要求停息挂账", "借款人叫张伟", "后四位3721", "你们必须马上停息挂账"],
    ),
    "family_correction_then_complaint": (
        "13800000009",
        [
            "你好",
            "我是他朋友",
            "不对，我是他妈妈",
            "借款人叫张伟",
            "后四位3721",
            "我要投诉你们的催收人员天天骚扰",
            "上个月有个陌生号码天天打电话，说不还钱就上门",
        ],
    ),
    "borrower_complaint_registered": (
        "13800000001",
        ["你好", "我是本人", "张伟", "后四位3721", "我要投诉你们的催收人员天天骚扰", "天天打电话骂人，还打给我同事"],
    ),
    "identity_fails_three_times": (
        "13800000001",
        ["我是本人，想查一下还欠多少钱", "张伟", "1234", "张伟", "0000", "张伟", "9999", "我叫张伟，后四位3721"],
    ),
    "asks_for_a_human": ("13800000002", ["你好", "转人工"]),
}


@pytest.fixture(scope="module")
def stacks(tmp_path_factory):
    """{"speedups": stack, "stock": stack}, both running for this module."""
    from bot.ops.train_model import train

    train(quiet=True)
    started = {}
    try:
        for mode, flag in (("speedups", "1"), ("stock", "0")):
            stack = separate_stack(tmp_path_factory.mktemp(mode) / "var", BOT_RASA_SPEEDUPS=flag)
            stack.start()
            started[mode] = stack
        yield started
    finally:
        for stack in started.values():
            stack.stop()


def hold(stack, call_id, number, lines):
    """Every reply (texts and buttons) turn by turn, and the summary at the end."""
    replies = []
    for text in lines:
        body = {"sender": call_id, "message": text, "metadata": {"caller_number": number}}
        replies.append(stack._request("POST", "/webhooks/rest/webhook", body))
    status, summary = stack.summary(call_id, TOKEN)
    assert status == 200, summary
    return replies, summary


def test_each_stack_runs_in_the_mode_it_was_asked_for(stacks):
    fast = (stacks["speedups"].logs / "rasa.log").read_text(encoding="utf-8", errors="replace")
    stock = (stacks["stock"].logs / "rasa.log").read_text(encoding="utf-8", errors="replace")
    assert "Rasa 提速补丁已启用" in fast and "BOT_RASA_SPEEDUPS=0" not in fast
    assert "BOT_RASA_SPEEDUPS=0：Rasa 提速补丁已关闭" in stock and "提速补丁已启用" not in stock


@pytest.mark.parametrize("name", list(CALLS))
def test_same_call_same_replies_and_summary_both_ways(stacks, name):
    number, lines = CALLS[name]
    fast_replies, fast_summary = hold(stacks["speedups"], f"switch-{name}", number, lines)
    stock_replies, stock_summary = hold(stacks["stock"], f"switch-{name}", number, lines)
    for n, (mine, stock) in enumerate(zip(fast_replies, stock_replies)):
        assert mine == stock, f"turn {n + 1} ({lines[n]})"
    assert fast_summary == stock_summary
    assert all(fast_replies), "every turn was answered"
    assert fast_summary["next_step"], "each call reached a next step"
