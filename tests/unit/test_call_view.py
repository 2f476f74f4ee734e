"""A call as plain data, read from serialised Rasa events."""

from bot.core.call_view import BOT, CALLER, CallView

EVENTS = [
    {"event": "action", "name": "action_session_start"},
    {"event": "bot", "text": "您好，本通话将被录音。", "metadata": {"utter_action": "utter_opening"}},
    {"event": "session_started"},
    {"event": "user", "text": "/greet", "metadata": {"caller_number": "13800000001", "voiceprint": [0.1, 0.2]}},
    {
        "event": "bot",
        "text": "请问您是借款人本人吗？",
        "metadata": {"utter_action": "utter_ask_caller_role"},
        "data": {"buttons": [{"title": "本人", "payload": "我是本人"}]},
    },
    {"event": "user", "text": "我是本人", "metadata": {"caller_number": None, "dtmf": "1"}},
    {"event": "slot", "name": "caller_role", "value": "borrower"},
    {"event": "bot", "text": "请告诉我您的姓名。", "metadata": {"utter_action": "utter_ask_customer_name"}},
]


def test_the_transcript_hides_commands_and_keeps_what_was_said():
    view = CallView.from_events("c-1", "ivr", {"caller_role": "borrower"}, EVENTS)
    assert [(l.speaker, l.text) for l in view.lines] == [
        (BOT, "您好，本通话将被录音。"),
        (BOT, "请问您是借款人本人吗？"),
        (CALLER, "我是本人"),
        (BOT, "请告诉我您的姓名。"),
    ]
    assert view.lines[1].buttons == ({"title": "本人", "payload": "我是本人"},)
    assert view.started


def test_what_the_bot_said_and_the_standing_prompt():
    view = CallView.from_events("c-1", "ivr", {}, EVENTS)
    assert view.said() == {"utter_opening", "utter_ask_caller_role", "utter_ask_customer_name"}
    assert [l.text for l in view.last_bot_turn()] == ["请告诉我您的姓名。"]
    assert view.last_said(["utter_opening", "utter_ask_caller_role"]) == "utter_ask_caller_role"
    assert view.last_said(["utter_handoff"]) is None


def test_the_callers_metadata_keeps_the_latest_value_of_each_key():
    view = CallView.from_events("c-1", "ivr", {}, EVENTS)
    assert view.caller_metadata == {"caller_number": "13800000001", "voiceprint": [0.1, 0.2], "dtmf": "1"}


def test_an_unknown_call_is_an_empty_view():
    view = CallView("c-2")
    assert not view.started and view.last_bot_turn() == [] and view.said() == set()
