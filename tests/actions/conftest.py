"""Trackers built from small fixtures, the demo database, and a runner for actions."""

import asyncio

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from tests.conftest import ROOT


@pytest.fixture(scope="session")
def domain():
    with open(ROOT / "domain.yml", encoding="utf-8") as f:
        return yaml.safe_load(f)


@pytest.fixture(autouse=True)
def action_db(demo_db, db_url, monkeypatch):
    """Actions read BOT_DB_URL: point it at the demo database."""
    from actions.db import database

    monkeypatch.setenv("BOT_DB_URL", db_url)
    database.cache_clear()
    yield demo_db
    database.cache_clear()


def make_tracker(
    slots=None,
    text="",
    intent="inform",
    entities=(),
    set_this_turn=None,
    requested_slot=None,
    active_loop="call_form",
    metadata=None,
    history=(),
):
    """A tracker whose latest user message is `text`; `set_this_turn` are slots set after it."""
    slots = dict(slots or {})
    slots["requested_slot"] = requested_slot
    set_this_turn = dict(set_this_turn or {})
    slots.update(set_this_turn)
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "entities": [{"entity": k, "value": v} for k, v in entities],
        "metadata": metadata or {},
    }
    events = list(history) + [{"event": "user", "text": text, "parse_data": latest}]
    events += [{"event": "slot", "name": k, "value": v} for k, v in set_this_turn.items()]
    return Tracker(
        "call-1", slots, latest, events, False, None, {"name": active_loop} if active_loop else {}, "action_listen"
    )


def run_action(action, tracker, domain):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, domain))
    return events, dispatcher.messages


def slot_events(events):
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def responses(messages):
    return [m.get("response") for m in messages]
