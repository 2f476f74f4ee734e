"""Personal data at rest (PIPL art. 28): a whole call through the real servers leaves no ID digits or
full phone number in the stored caller text, while the identity check still read what was said."""

import json

import pytest

from bot.services.case_export import tracker_events

pytestmark = pytest.mark.e2e


def test_stored_caller_text_is_masked_and_the_call_still_verified(stack, call):
    c = call("13800000001")
    for text in ("你好", "我是本人", "我叫张伟", "身份证后四位3721", "我想查一下还欠多少钱", "我的手机号是13912345678"):
        assert c.say(text)
    assert c.summary()["identity_verified"] is True  # the check read the raw "3721" of its own turn

    events = tracker_events(stack.settings.tracker_db_path, c.id)
    said = [e for e in events if e.get("event") == "user"]
    texts = [e["text"] for e in said] + [e["parse_data"]["text"] for e in said]
    assert len(said) == 6 and "身份证后四位****" in texts and "我的手机号是139****5678" in texts
    for secret in ("3721", "13912345678", "13800000001"):
        assert not [t for t in texts if secret in t], secret
    # slots are the dialogue's own and stay as they are (what the identity check needs)
    assert any(e.get("event") == "slot" and e.get("value") == "13800000001" for e in events)
    assert "3721" not in json.dumps([e.get("text") for e in events if e.get("event") == "bot"], ensure_ascii=False)
