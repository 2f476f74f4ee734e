"""The words a key press or a quick reply sends are understood as what they stand for."""

import asyncio

import pytest

from bot.core.hearing import NLU, hear
from bot.ops.train_model import MODEL_PATH, train
from bot.presentation import ivr_reply, panel_state


def phrases():
    """(where, step, text, means) for every IVR key and every complete quick reply."""
    cat = ivr_reply.catalogue()
    found = [(f"ivr any_step {k}", None, v["text"], v["means"]) for k, v in cat["any_step"].items()]
    for step, keys in cat["steps"].items():
        found += [(f"ivr {step} {k}", step, v["text"], v["means"]) for k, v in keys.items()]
    for step, replies in panel_state.catalogue()["quick_replies"].items():
        found += [
            (f"panel {step} {q['label']}", step, q["text"], q["means"]) for q in replies if q.get("complete", True)
        ]
    return found


def understood(text, step, parse):
    """What the script takes from the words at this step (bot/core/hearing.py over the NLU's parse)."""
    heard = hear(text, NLU.from_parse(parse), step)
    got = {"caller_role": "borrower" if heard.claims_borrower else heard.role}
    got["purpose"] = heard.purposes[0] if heard.purposes else None
    got["hardship"] = heard.hardship
    if heard.wants_human:
        got["intent"] = "request_human"
    elif heard.deny or heard.dont_know or heard.refuses or heard.no_phone:
        got["intent"] = "deny"
    elif heard.affirm:
        got["intent"] = "affirm"
    return got


@pytest.fixture(scope="module")
def parsed():
    from bot.ops import logs

    train(quiet=True)
    logs.configure("WARNING")
    from rasa.core.agent import Agent

    agent = Agent.load(str(MODEL_PATH))

    async def parse_all():
        return {text: await agent.parse_message(text) for _, _, text, _ in phrases()}

    return asyncio.run(parse_all())


def test_every_key_and_quick_reply_means_what_it_says(parsed):
    wrong = []
    for where, step, text, means in phrases():
        got = understood(text, step, parsed[text])
        if any(got.get(k) != v for k, v in means.items()):
            wrong.append(f"{where}: “{text}” → {got}, expected {means}")
    assert not wrong, "\n".join(wrong)


def test_digits_from_keys_are_read_as_the_id_last_four_or_the_code():
    assert hear(ivr_reply.keys_to_text("3721", "identity_code"), NLU(), "identity_code").id_digits == "3721"
    assert hear(ivr_reply.keys_to_text("1085", "customer_name"), NLU(), "customer_name").id_digits == "1085"
    assert hear(ivr_reply.keys_to_text("123456", "sms_code"), NLU(), "sms_code").sms_code == "123456"
