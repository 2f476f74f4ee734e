"""The words a key press or a quick reply sends are understood as what they stand for."""

import asyncio

import pytest

from bot.ops.train_model import MODEL_PATH, train
from bot.presentation import ivr_reply, panel_state


def phrases():
    """(where, text, means) for every IVR key and every complete quick reply."""
    cat = ivr_reply.catalogue()
    found = [(f"ivr any_step {k}", v["text"], v["means"]) for k, v in cat["any_step"].items()]
    for step, keys in cat["steps"].items():
        found += [(f"ivr {step} {k}", v["text"], v["means"]) for k, v in keys.items()]
    for step, replies in panel_state.catalogue()["quick_replies"].items():
        found += [(f"panel {step} {q['label']}", q["text"], q["means"]) for q in replies if q.get("complete", True)]
    return found


@pytest.fixture(scope="module")
def parsed():
    from bot.ops import logs

    train(quiet=True)
    logs.configure("WARNING")
    from rasa.core.agent import Agent

    agent = Agent.load(str(MODEL_PATH))

    async def parse_all():
        return {text: await agent.parse_message(text) for _, text, _ in phrases()}

    return asyncio.run(parse_all())


def test_every_key_and_quick_reply_means_what_it_says(parsed):
    wrong = []
    for where, text, means in phrases():
        result = parsed[text]
        got = {"intent": result["intent"]["name"], **{e["entity"]: e["value"] for e in result.get("entities") or []}}
        if any(got.get(k) != v for k, v in means.items()):
            wrong.append(f"{where}: “{text}” → {got}, expected {means}")
    assert not wrong, "\n".join(wrong)


def test_identity_digits_from_keys_are_read_as_the_id_last_four():
    from bot.core.identity import parse_code

    assert parse_code(ivr_reply.keys_to_text("3721", "identity_code")) == "3721"
    assert parse_code(ivr_reply.keys_to_text("1085", "customer_name")) == "1085"
