"""coverage: what the test stories and recorded e2e calls exercise, and what nothing tests."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from bot.trainer import coverage
from bot.trainer.project import Project
from tests.conftest import ROOT

MINI = Path(__file__).parent / "fixtures" / "mini"
CALL = Path(__file__).parent / "fixtures" / "call_events.json"


def test_untested_response_intent_and_rule_are_listed():
    report = coverage.main(Project.at(MINI), use_e2e=False)
    untested = [line for line in report.splitlines() if "未测试" in line]
    assert any(line.startswith("utter_you_are_welcome") for line in untested)
    assert any(line.startswith("thanks") for line in untested)
    assert any(line.startswith("规则「致谢」") for line in untested)
    assert not any(line.startswith("utter_greet") for line in untested)
    assert "话术：3 个，2 个有测试，1 个没有任何测试：utter_you_are_welcome" in report


def test_recorded_calls_count_responses_actions_said(tmp_path):
    db = tmp_path / "rasa_tracker.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, data TEXT)")
    for event in json.loads(CALL.read_text(encoding="utf-8")):
        conn.execute("INSERT INTO events (sender_id, data) VALUES (?, ?)", ("call-a", json.dumps(event)))
    conn.commit()
    conn.close()
    tables = coverage.build(Project.default(), *coverage.e2e_source([db]))
    responses = {r.name: r for r in tables["话术"]}
    assert responses["utter_materials"].e2e == 1  # said by action_wrap_up, which test stories never run
    assert responses["utter_materials"].tests == 0
    rules = {r.name: r for r in tables["规则和故事"]}
    assert rules["规则「问候后开始话术流程」"].e2e == 1
    assert rules["故事「借款人本人来电协商还款」"].e2e == 1


def test_command_prints_the_table_and_exits_0():
    result = subprocess.run(
        [sys.executable, "-m", "bot", "coverage", "--no-e2e"],
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "== 话术 ==" in result.stdout and "== 规则和故事 ==" in result.stdout and "== 小结 ==" in result.stdout
