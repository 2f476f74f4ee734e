"""test-stories: `rasa test` on a stories file, with a Chinese verdict and the failed story."""

import os
import subprocess
import sys

from tests.conftest import ROOT

WRONG = """version: "3.1"
stories:
- story: 致谢后道别（期望错了）
  steps:
  - intent: thanks
  - action: utter_goodbye
"""


def bot(*args):
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        timeout=600,
    )


def test_a_wrong_expectation_fails_and_shows_what_the_bot_did(tmp_path):
    stories = tmp_path / "wrong.yml"
    stories.write_text(WRONG, encoding="utf-8")
    result = bot("test-stories", str(stories))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "有测试故事没通过" in result.stdout
    assert "utter_goodbye  # predicted: utter_you_are_welcome" in result.stdout
