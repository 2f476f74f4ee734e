"""Every channel's body is checked by one set of limits, with one catalogue of Chinese texts.

The same problem sent to the REST webhook, the IVR webhook and the agent webhook gets the
same code and the same message (naming that channel's field), and the same size of text
or conversation id is accepted or refused on all three.
"""

import pytest

from bot.presentation.channel_payloads import (
    MAX_ID,
    MAX_TEXT,
    PayloadError,
    check_rest_message,
    error_message,
    parse_agent_turn,
    parse_ivr_event,
    parse_json_object,
)


class Channel:
    """How one channel names its fields and checks its body."""

    def __init__(self, name, id_field, text_field, check, base):
        self.name, self.id_field, self.text_field, self.check, self.base = name, id_field, text_field, check, base

    def body(self, conversation="c-1", text="你好", caller_number=None, **extra):
        body = {**self.base, self.id_field: conversation, self.text_field: text, **extra}
        if caller_number is not None:
            if self.name == "rest":
                body["metadata"] = {"caller_number": caller_number}
            else:
                body["caller_number"] = caller_number
        return {k: v for k, v in body.items() if v is not ...}


CHANNELS = [
    Channel("rest", "sender", "message", check_rest_message, {}),
    Channel("ivr", "call_id", "text", parse_ivr_event, {"event": "utterance"}),
    Channel("agent", "call_id", "text", parse_agent_turn, {}),
]
by_name = pytest.mark.parametrize("channel", CHANNELS, ids=lambda c: c.name)


def refusal(channel, body):
    with pytest.raises(PayloadError) as err:
        channel.check(body)
    return err.value.code, err.value.message


@pytest.mark.parametrize(
    "raw,code",
    [(b"", "empty_body"), (b"\xff\xfe", "invalid_encoding"), (b"not json", "invalid_json"), (b"{oops", "invalid_json")],
)
def test_bodies_that_are_not_json_get_one_code_and_message_on_every_channel(raw, code):
    with pytest.raises(PayloadError) as err:
        parse_json_object(raw)
    assert err.value.code == code and err.value.message == error_message(code)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err.value.message)


@by_name
@pytest.mark.parametrize("body", [[], "x", 3, None])
def test_a_body_that_is_not_an_object(channel, body):
    assert refusal(channel, body) == ("not_an_object", "请求体应为 JSON 对象（{...}）。")


@by_name
def test_the_conversation_id_follows_one_rule(channel):
    field = channel.id_field
    assert refusal(channel, channel.body(conversation=...)) == ("missing_field", f"缺少字段 {field}。")
    assert refusal(channel, channel.body(conversation="")) == ("missing_field", f"缺少字段 {field}。")
    bad = error_message("bad_field", field=field, why=f"只能包含字母、数字和 . _ : @ -，最长 {MAX_ID} 个字符")
    for value in ("a/../b", "c 1", " c-1", "c-1\n", 12, "x" * (MAX_ID + 1)):
        assert refusal(channel, channel.body(conversation=value)) == ("bad_field", bad), value
    for value in ("c-1", "web-0f3a", "客户-1", "a.b:c@d_e", "x" * MAX_ID):
        channel.check(channel.body(conversation=value))  # accepted on every channel


@by_name
def test_the_callers_text_follows_one_rule(channel):
    field = channel.text_field
    channel.check(channel.body(text="长" * MAX_TEXT))
    too_long = ("text_too_long", f"字段 {field} 过长（最多 {MAX_TEXT} 个字符）。")
    assert refusal(channel, channel.body(text="长" * (MAX_TEXT + 1))) == too_long
    assert refusal(channel, channel.body(text=123)) == ("bad_field", f"字段 {field} 的值无效：应为文字。")
    assert refusal(channel, channel.body(text="a\x00b")) == (
        "bad_field",
        f"字段 {field} 的值无效：含有不允许的控制字符。",
    )


@by_name
def test_the_calling_number_follows_one_rule(channel):
    for number in ("13800000001", "+86 138-0000-0001"):
        channel.check(channel.body(caller_number=number))
    for number in ("call me", "<script>", 13800000001, "1" * 40):
        assert refusal(channel, channel.body(caller_number=number)) == (
            "bad_field",
            "字段 caller_number 的值无效：应为电话号码。",
        ), number


def test_rest_specifics():
    check_rest_message({"sender": "c-1", "message": "", "metadata": {"x": [1]}})  # empty text: Rasa's own handling
    check_rest_message({"sender": "web-1", "message": "/greet"})  # the web chat opens a call with it
    assert refusal(CHANNELS[0], {"sender": "c-1"}) == ("missing_field", "缺少字段 message。")
    assert refusal(CHANNELS[0], {"sender": "c-1", "message": "hi", "metadata": "x"}) == (
        "bad_field",
        "字段 metadata 的值无效：应为 JSON 对象。",
    )


def test_every_code_the_routes_use_has_a_chinese_text():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "bot"
    used = set()
    for path in list((root / "integration").rglob("*.py")) + list((root / "presentation").rglob("*.py")):
        used |= set(re.findall(r'(?:error\(\d+, |PayloadError\()"(\w+)"', path.read_text(encoding="utf-8")))
    from bot.core.datafiles import catalogue

    texts = catalogue("channel_errors.yml")["errors"]
    assert len(used) > 15
    assert sorted(used - set(texts)) == [], "codes without a text in bot/catalogue/channel_errors.yml"
