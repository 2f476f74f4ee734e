"""export-story: tracker events → test story; a call held over REST round-trips through `rasa test`."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.trainer.export_story import ExportError, export, turns
from tests.conftest import ROOT

FIXTURE = Path(__file__).parent / "fixtures" / "call_events.json"  # a real call: 张伟, 3721, a digression
LABELS = {"caller_role": {"borrower": "借款人本人"}, "purpose": {"repayment_plan": "协商还款"}}


def steps(events):
    return [(t.kind, t.name) for t in turns(events, {"requested_slot"}) if t.kind != "opening"]


def test_story_steps_from_tracker_events():
    kinds = steps(json.loads(FIXTURE.read_text(encoding="utf-8")))
    assert kinds[:3] == [("user", "greet"), ("action", "call_form"), ("active_loop", "call_form")]
    names = {name for _, name in kinds}
    assert not names & {"action_listen", "action_session_start", "action_extract_slots", "validate_call_form"}
    i = kinds.index(("user", "bot_challenge"))  # the form's rejected turn: a rule answers, the form asks again
    assert kinds[i + 1 : i + 3] == [("action", "utter_bot_challenge"), ("action", "call_form")]
    j = kinds.index(("active_loop", None))  # the wrap-up rule waits for requested_slot: null
    assert kinds[j + 1 : j + 3] == [("slot", "requested_slot"), ("action", "action_wrap_up")]
    assert kinds[-2:] == [("user", "deny"), ("action", "utter_goodbye")]


def test_export_masks_personal_data_and_refuses_a_second_export(tmp_path):
    events = json.loads(FIXTURE.read_text(encoding="utf-8"))
    out = tmp_path / "exported.yml"
    result = export("call-a", events, out, {"requested_slot"}, {}, LABELS)
    assert result["name"].startswith("通话 call-a：借款人本人 · 协商还款")
    text = out.read_text(encoding="utf-8")
    assert "张伟" not in text and "3721" not in text and "13800000001" not in text
    assert "张*" in text and "后四位****" in text
    doc = yaml.safe_load(text)
    story = doc["stories"][0]
    assert story["steps"][0] == {"user": "你好\n", "intent": "greet"}
    assert {"slot_was_set": [{"requested_slot": None}]} in story["steps"]
    with pytest.raises(ExportError):
        export("call-a", events, out, {"requested_slot"}, {}, LABELS)


def test_export_appends_to_an_existing_test_file(tmp_path):
    out = tmp_path / "test_calls.yml"
    out.write_text(
        'version: "3.1"\nstories:\n- story: 已有的故事\n  steps:\n  - intent: greet\n  - action: call_form\n',
        encoding="utf-8",
    )
    export("call-a", json.loads(FIXTURE.read_text(encoding="utf-8")), out, {"requested_slot"}, {}, LABELS)
    names = [s["story"] for s in yaml.safe_load(out.read_text(encoding="utf-8"))["stories"]]
    assert names[0] == "已有的故事" and names[1].startswith("通话 call-a")


def test_call_without_caller_turns_is_not_exported(tmp_path):
    with pytest.raises(ExportError):
        export("empty", [{"event": "action", "name": "action_listen"}], tmp_path / "x.yml", set(), {}, LABELS)


# ---- round trip with the real servers -------------------------------------------------------------------
CALLS = {
    "export-borrower": [
        "你好",
        "我是借款人本人",
        "张伟",
        "后四位3721",
        "你是机器人吗",
        "我想申请分期还款",
        "我失业了",
        "没有了",
    ],
    "export-agency": ["我们是债务优化中心的，要求停息挂账", "借款人叫张伟", "后四位3721", "转人工", "谢谢"],
}


@pytest.fixture(scope="module")
def held_calls(tmp_path_factory):
    """Both servers started as in tests/e2e, the calls held over REST; the data dir they wrote."""
    from bot.ops.train_model import train
    from tests.e2e.conftest import separate_stack

    train(quiet=True)
    stack = separate_stack(tmp_path_factory.mktemp("export") / "var")
    try:
        stack.start()
        for call_id, lines in CALLS.items():
            for line in lines:
                stack.say(call_id, line)
    finally:
        stack.stop()
    return stack.settings.data_dir


def bot(*args, data_dir):
    env = dict(os.environ, PYTHONPATH=str(ROOT), BOT_DATA_DIR=str(data_dir))
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )


@pytest.mark.e2e
def test_exported_calls_pass_rasa_test(held_calls, tmp_path):
    out = tmp_path / "exported.yml"
    for call_id in CALLS:
        result = bot("export-story", call_id, "--out", str(out), data_dir=held_calls)
        assert result.returncode == 0, result.stderr
        assert "已导出测试故事" in result.stdout
    doc = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert len(doc["stories"]) == 2
    agency = doc["stories"][1]["steps"]
    assert agency[0]["user"].strip() == "我们是债务优化中心的，要求停息挂账" and agency[0]["intent"] == "inform"
    assert {"action": "action_wrap_up"} in agency

    tested = bot("test-stories", str(out), data_dir=held_calls)
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "全部通过" in tested.stdout


@pytest.mark.e2e
def test_unknown_call_is_reported(held_calls):
    result = bot("export-story", "no-such-call", data_dir=held_calls)
    assert result.returncode == 2 and "找不到通话" in result.stderr
