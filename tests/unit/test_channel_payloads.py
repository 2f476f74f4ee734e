"""The IVR and agent channels' request bodies: what is accepted, what gets a 400 and why."""

import pytest

from bot.presentation.channel_payloads import (
    PayloadError,
    error_message,
    parse_agent_note,
    parse_agent_turn,
    parse_ivr_event,
)


def test_a_full_ivr_event_is_read():
    event = parse_ivr_event(
        {
            "call_id": "c-1",
            "event": "utterance",
            "caller_number": "138-0000-0001",
            "text": " 我是本人 ",
            "asr_confidence": 0.91,
            "voiceprint": [0.1, 2, -3],
        }
    )
    assert (event.call_id, event.event, event.text) == ("c-1", "utterance", "我是本人")
    assert event.caller_number == "13800000001"
    assert event.asr_confidence == 0.91 and event.voiceprint == [0.1, 2.0, -3.0]


def test_start_and_hangup_need_only_the_call_and_event():
    assert parse_ivr_event({"call_id": "c-1", "event": "start"}).caller_number is None
    assert parse_ivr_event({"call_id": "c-1", "event": "hangup"}).event == "hangup"


def test_dtmf_keys_are_read():
    assert parse_ivr_event({"call_id": "c-1", "event": "dtmf", "dtmf": "3721#"}).dtmf == "3721#"


def test_an_empty_asr_text_is_accepted_as_silence():
    assert parse_ivr_event({"call_id": "c-1", "event": "utterance", "text": "  "}).text == ""


def test_a_leading_slash_never_reaches_rasa_as_a_command():
    assert parse_ivr_event({"call_id": "c", "event": "utterance", "text": "/restart"}).text == "restart"
    assert parse_agent_turn({"call_id": "c", "text": "//greet"}).text == "greet"


@pytest.mark.parametrize(
    "body, code",
    [
        (None, "not_an_object"),
        ([1, 2], "not_an_object"),
        ("start", "not_an_object"),
        ({"event": "start"}, "missing_field"),
        ({"call_id": "", "event": "start"}, "missing_field"),
        ({"call_id": "c 1", "event": "start"}, "bad_field"),
        ({"call_id": 12, "event": "start"}, "bad_field"),
        ({"call_id": "x" * 200, "event": "start"}, "bad_field"),
        ({"call_id": "c-1"}, "bad_event"),
        ({"call_id": "c-1", "event": "ring"}, "bad_event"),
        ({"call_id": "c-1", "event": "utterance"}, "missing_field"),
        ({"call_id": "c-1", "event": "utterance", "text": 5}, "bad_field"),
        ({"call_id": "c-1", "event": "utterance", "text": "字" * 3000}, "text_too_long"),
        ({"call_id": "c-1", "event": "dtmf"}, "missing_field"),
        ({"call_id": "c-1", "event": "dtmf", "dtmf": "12a"}, "bad_field"),
        ({"call_id": "c-1", "event": "dtmf", "dtmf": 1}, "bad_field"),
        ({"call_id": "c-1", "event": "utterance", "text": "嗯", "asr_confidence": "high"}, "bad_field"),
        ({"call_id": "c-1", "event": "utterance", "text": "嗯", "asr_confidence": 1.5}, "bad_field"),
        ({"call_id": "c-1", "event": "utterance", "text": "嗯", "asr_confidence": True}, "bad_field"),
        ({"call_id": "c-1", "event": "start", "caller_number": "call me"}, "bad_field"),
        ({"call_id": "c-1", "event": "start", "caller_number": 13800000001}, "bad_field"),
        ({"call_id": "c-1", "event": "start", "voiceprint": "0.1 0.2"}, "bad_field"),
        ({"call_id": "c-1", "event": "start", "voiceprint": [0.1]}, "bad_field"),
        ({"call_id": "c-1", "event": "start", "voiceprint": [0.1, "a"]}, "bad_field"),
        ({"call_id": "c-1", "event": "start", "voiceprint": [0.1, float("nan")]}, "bad_field"),
    ],
)
def test_malformed_ivr_events_are_refused_with_a_code_and_a_chinese_message(body, code):
    with pytest.raises(PayloadError) as err:
        parse_ivr_event(body)
    assert err.value.code == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err.value.message)


def test_an_agent_turn_is_read():
    turn = parse_agent_turn(
        {"call_id": "p-1", "agent_id": "agent1", "text": "我是本人", "caller_number": "13800000001"}
    )
    assert (turn.call_id, turn.agent_id, turn.text, turn.caller_number) == ("p-1", "agent1", "我是本人", "13800000001")
    assert parse_agent_turn({"call_id": "p-1"}).text == ""


@pytest.mark.parametrize(
    "body",
    [
        None,
        {"text": "hi"},
        {"call_id": "p 1"},
        {"call_id": "p-1", "agent_id": "坐席一"},
        {"call_id": "p-1", "text": []},
    ],
)
def test_malformed_agent_turns_are_refused(body):
    with pytest.raises(PayloadError):
        parse_agent_turn(body)


def test_an_agent_note_is_checked_against_the_dispositions():
    note = parse_agent_note({"disposition": "callback", "note": " 要回拨 "}, ["resolved", "callback"])
    assert (note.disposition, note.note) == ("callback", "要回拨")
    assert parse_agent_note({"disposition": "resolved", "note": None}, ["resolved"]).note == ""
    for body in (
        {},
        {"disposition": "won"},
        {"disposition": "resolved", "note": 3},
        {"disposition": "resolved", "note": "字" * 5000},
        "resolved",
    ):
        with pytest.raises(PayloadError):
            parse_agent_note(body, ["resolved"])


def test_error_messages_fill_their_placeholders():
    assert "c-9" in error_message("call_ended", call_id="c-9")
    assert error_message("no_such_code") == "no_such_code"
