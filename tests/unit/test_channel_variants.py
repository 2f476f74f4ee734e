"""One domain for every channel: agent variants everywhere, chat buttons the panel also offers."""

import yaml

from bot.presentation import panel_state
from tests.conftest import ROOT


def responses():
    with open(ROOT / "domain.yml", encoding="utf-8") as f:
        return yaml.safe_load(f)["responses"]


def test_every_response_has_an_agent_variant_for_every_condition():
    for name, variants in responses().items():
        plain = [v for v in variants if not v.get("channel")]
        agent = [v for v in variants if v.get("channel") == "agent"]
        conditions = {str(v.get("condition")) for v in plain}
        assert conditions <= {str(v.get("condition")) for v in agent}, name


def test_agent_variants_are_written_for_the_agent():
    for name, variants in responses().items():
        for v in variants:
            if v.get("channel") == "agent":
                assert panel_state.split_line(v["text"])["instruction"], name
                assert "buttons" not in v, name


# A handoff on the panel is the agent's own call: the call-back time the web chat promises is not said there.
CHAT_ONLY_PLACEHOLDERS = {
    "utter_handoff": {"{callback_hours}"},
    "utter_handoff_after_misses": {"{callback_hours}"},
    "utter_system_busy": {"{callback_hours}"},
}


def test_agent_variants_keep_the_placeholders_of_the_caller_version():
    import re

    for name, variants in responses().items():
        caller = {p for v in variants if not v.get("channel") for p in re.findall(r"\{\w+\}", v["text"])}
        caller -= CHAT_ONLY_PLACEHOLDERS.get(name, set())
        for v in variants:
            if v.get("channel") == "agent":
                assert set(re.findall(r"\{\w+\}", v["text"])) == caller, name


def test_chat_buttons_send_answers_the_panel_also_offers():
    offered = {
        q["text"]
        for replies in panel_state.catalogue()["quick_replies"].values()
        for q in replies
        if q.get("complete", True)
    }
    buttons = [b for variants in responses().values() for v in variants for b in v.get("buttons", [])]
    assert buttons
    assert {b["payload"] for b in buttons} <= offered
