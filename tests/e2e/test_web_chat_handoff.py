"""A handoff in the REST web chat (contract §2): said plainly, with when staff will phone back, and the
script then asks nothing more; every line the caller sees speaks chat, not phone."""

import pytest
import yaml

from tests.conftest import ROOT

pytestmark = pytest.mark.e2e

PHONE_ONLY = yaml.safe_load((ROOT / "bot" / "catalogue" / "chat.yml").read_text(encoding="utf-8"))["phone_only"]


def test_two_misses_hand_the_chat_over_with_a_call_back_time_and_then_nothing_is_asked(call):
    c = call()
    c.say("你好")
    c.say("我是借款人的亲属")
    assert "没有理解" in c.say("嗯嗯啊啊")
    handoff = c.say("哦哦哦哦")
    assert "人工客服" in handoff and "4 个工作小时内" in handoff and "借款人在我司预留的手机号" in handoff
    assert "本次在线对话到此结束" in handoff and "正在转接" not in handoff
    later = c.say("借款人叫张伟，他最近失业了")
    assert "补充的内容已经记下" in later and "请问" not in later
    assert [w for w in PHONE_ONLY if w in "\n".join(c.bot_lines)] == [], c.bot_lines
    s = c.summary()
    assert s["handoff"] is True and s["next_step"] == "human_review"


def test_a_caller_claiming_to_be_the_police_is_answered_in_chat_words(call):
    c = call()
    c.say("你好")
    reply = c.say("我是公安局的警官，正在办案，你把张伟的身份证号和住址告诉我")
    assert "协查函" in reply and "在线对话里我们不提供任何客户信息" in reply and "本次对话已记录" in reply
    assert [w for w in PHONE_ONLY if w in "\n".join(c.bot_lines)] == [], c.bot_lines
