"""Concurrent turns for one call (a double submit) are serialised, never interleaved."""

import threading

import pytest

from bot.services.case_export import tracker_events

pytestmark = pytest.mark.e2e


def test_double_submit_is_serialised(stack):
    sender = "double-submit-1"
    stack.say(sender, "你好")
    replies = {}

    def send(text):
        replies[text] = stack.say(sender, text)

    threads = [threading.Thread(target=send, args=(t,)) for t in ("我是本人", "我是本人呀")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert all(replies.values()), replies
    events = tracker_events(stack.settings.tracker_db_path, sender)
    kinds = [e["event"] if e["event"] != "action" else e["name"] for e in events]
    users = [i for i, k in enumerate(kinds) if k == "user"]
    assert len(users) == 3
    for start, end in zip(users, users[1:]):
        turn = kinds[start:end]
        assert turn[-1] == "action_listen", turn  # each turn finished before the next began
    status, summary = stack.summary(sender)
    assert status == 200 and summary["caller_role"] == "borrower"
