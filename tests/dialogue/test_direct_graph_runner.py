"""The server's direct graph runner (bot.integration.speedups) gives what Rasa's dask runner gives."""

import asyncio

import pytest

from bot.integration import speedups as rasa_speedups
from bot.ops.train_model import MODEL_PATH, train
from tests.conftest import rasa_speedups_installed

SENTENCES = [
    "你好",
    "我是借款人本人",
    "我是他老婆，想问能不能分期",
    "身份证后四位3721",
    "我们是法务公司，代表客户要求停息挂账",
    "你们催收太过分了，我要投诉",
    "转人工",
    "我叫张伟",
    "征信上有逾期，我要申请异议",
    "有人冒充你们骗我转账",
    "嗯",
    "",
]


@pytest.fixture(scope="module")
def agent():
    """The model loaded with the speed-ups installed (as the server loads it); uninstalled afterwards."""
    from bot.ops import logs

    train(quiet=True)
    logs.configure("WARNING")
    from rasa.core.agent import Agent

    with rasa_speedups_installed():
        yield Agent.load(str(MODEL_PATH))


def _both(runner_call):
    """The call's result with the speed-ups, then with Rasa's own code (as BOT_RASA_SPEEDUPS=0 runs it)."""
    from rasa.engine.runner.dask import DaskGraphRunner

    assert rasa_speedups.installed()
    first = runner_call()
    rasa_speedups.uninstall()
    try:
        assert DaskGraphRunner.run.__module__ == "rasa.engine.runner.dask"
        second = runner_call()
    finally:
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("BOT_RASA_SPEEDUPS", "1")
            assert rasa_speedups.install()
    return first, second


def test_same_parse_for_every_sentence(agent):
    for text in SENTENCES:
        mine, dasks = _both(lambda: asyncio.run(agent.parse_message(text)))
        assert mine == dasks, text


def test_same_next_action_after_every_sentence(agent):
    from rasa.shared.core.events import ActionExecuted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    processor = agent.processor
    for text in SENTENCES:
        parsed = asyncio.run(agent.parse_message(text))
        tracker = DialogueStateTracker.from_events(
            "t",
            [ActionExecuted("action_listen"), UserUttered(text, parsed["intent"], parsed["entities"], parsed)],
            slots=agent.domain.slots,
        )
        mine, dasks = _both(lambda: processor.predict_next_with_tracker(tracker))
        assert mine == dasks, text


def test_slot_copies_are_independent_equal_copies(agent):
    import copy

    def copies():
        clones = []
        for slot in agent.domain.slots:
            clone = copy.copy(slot)
            assert type(clone) is type(slot) and clone.__dict__ == slot.__dict__
            clone.value = "changed" if slot.type_name == "text" else clone.value
            if slot.type_name == "text":
                assert slot.value != "changed"
            clones.append((type(clone), clone.__dict__))
        return clones

    mine, stock = _both(copies)
    assert mine == stock
