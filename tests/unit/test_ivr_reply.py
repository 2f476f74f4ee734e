"""What the IVR answers: keys to words, TTS-clean prompts, expect / transfer / hangup."""

import re

import pytest
import yaml

from bot.core.call_view import BOT, CALLER, CallView, Line
from bot.presentation import ivr_reply
from tests.conftest import ROOT


def view(slots=None, lines=()):
    return CallView("c-1", "ivr", dict(slots or {}), list(lines))


@pytest.mark.parametrize(
    "digits, step, text",
    [
        ("1", "caller_role", "我是借款人本人"),
        ("4", "caller_role", "我是代表机构来电的"),
        ("0", "purpose", "转人工"),
        ("0", None, "转人工"),
        ("3721", "identity_code", "身份证后四位3721"),
        ("3721#", "customer_name", "身份证后四位3721"),
    ],
)
def test_keys_stand_for_words_the_nlu_understands(digits, step, text):
    assert ivr_reply.keys_to_text(digits, step) == text


@pytest.mark.parametrize(
    "digits, step",
    [
        ("5", "caller_role"),
        ("1", "purpose"),
        ("372", "identity_code"),
        ("37210", "identity_code"),
        ("1", None),
        ("*", "caller_role"),
    ],
)
def test_keys_that_mean_nothing_at_this_step(digits, step):
    assert ivr_reply.keys_to_text(digits, step) is None


def test_expect_and_digits_per_step():
    assert (ivr_reply.expect_for("identity_code"), ivr_reply.max_digits("identity_code")) == ("dtmf", 4)
    assert (ivr_reply.expect_for("customer_name"), ivr_reply.max_digits("customer_name")) == ("speech", 4)
    assert (ivr_reply.expect_for("caller_role"), ivr_reply.max_digits("caller_role")) == ("speech", 1)
    assert (ivr_reply.expect_for(None), ivr_reply.max_digits(None)) == ("speech", 1)
    assert ivr_reply.has_keys("caller_role") and not ivr_reply.has_keys("purpose")


def test_prompts_are_plain_sentences_for_tts():
    assert ivr_reply.speakable("**请注意** 😀  您好 `12378`\n") == "请注意 您好 12378"


def test_a_plain_turn_asks_for_speech():
    answer = ivr_reply.reply(["请问您是借款人本人吗？"], view({"requested_slot": "caller_role"}), "q")
    assert answer == {
        "prompts": [{"text": "请问您是借款人本人吗？"}],
        "expect": "speech",
        "dtmf_max_digits": 1,
        "transfer": None,
        "hangup": False,
    }


def test_a_handoff_transfers_with_the_reason():
    lines = [Line(CALLER, "转人工"), Line(BOT, "正在为您转接人工客服", "utter_handoff")]
    answer = ivr_reply.reply(["正在为您转接人工客服"], view({"handoff": True}, lines), "human_service")
    assert answer["transfer"] == {"queue": "human_service", "reason": "客户要求转人工"}
    assert (answer["expect"], answer["hangup"]) == ("none", False)
    lines = [Line(BOT, "还是没能理解", "utter_handoff_after_misses")]
    assert ivr_reply.reply([], view({"handoff": True}, lines), "q")["transfer"]["reason"] == "连续未能听懂客户，转人工"


def test_goodbye_ends_the_call():
    lines = [Line(CALLER, "没有了"), Line(BOT, "感谢您的来电，再见。", "utter_goodbye")]
    answer = ivr_reply.reply(["感谢您的来电，再见。"], view({}, lines), "q")
    assert (answer["expect"], answer["hangup"], answer["dtmf_max_digits"]) == ("none", True, 0)


def test_a_reprompt_repeats_the_standing_question_without_guessing():
    lines = [
        Line(BOT, "您好，本通话将被录音。", "utter_opening"),
        Line(BOT, "请问您是借款人本人吗？本人请按1", "utter_ask_caller_role"),
    ]
    answer = ivr_reply.reprompt("bad_keys", view({"requested_slot": "caller_role"}, lines), "q")
    assert [p["text"] for p in answer["prompts"]] == ["抱歉，这个按键无效。", "请问您是借款人本人吗？本人请按1"]


def test_hangup_answer():
    assert ivr_reply.hung_up() == {
        "prompts": [],
        "expect": "none",
        "dtmf_max_digits": 0,
        "transfer": None,
        "hangup": True,
    }


def test_the_ivr_role_prompt_reads_out_every_key_of_the_menu():
    with open(ROOT / "domain.yml", encoding="utf-8") as f:
        variants = yaml.safe_load(f)["responses"]["utter_ask_caller_role"]
    asked = next(v["text"] for v in variants if v.get("channel") == "ivr" and not v.get("condition"))
    denied = next(v["text"] for v in variants if v.get("channel") == "ivr" and v.get("condition"))
    for key in ivr_reply.catalogue()["steps"]["caller_role"]:
        assert f"按{key}" in asked
    assert "按1" not in denied  # they said they are not the borrower


def test_every_response_the_ivr_can_say_is_clean_for_tts():
    with open(ROOT / "domain.yml", encoding="utf-8") as f:
        responses = yaml.safe_load(f)["responses"]
    for name, variants in responses.items():
        for v in variants:
            if v.get("channel") in (None, "ivr"):
                text = re.sub(r"\{\w+\}", "X", v["text"])
                assert ivr_reply.speakable(text) == text.strip(), name
