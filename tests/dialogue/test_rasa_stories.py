"""`rasa test` on the test stories: every purpose × role path and the digressions."""

import os
import subprocess
import sys

from bot.ops.logs import quiet_environment
from bot.ops.train_model import MODEL_PATH, train
from tests.conftest import ROOT


def test_test_stories_pass_with_fail_on_prediction_errors(tmp_path):
    train(quiet=True)
    env = quiet_environment(
        dict(
            os.environ,
            PYTHONPATH=str(ROOT),
            ACTION_PORT="5055",
            BOT_TRACKER_DB=str(tmp_path / "tracker.db"),
            BOT_EVENTS_DB=str(tmp_path / "events.db"),
        )
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "rasa",
            "test",
            "core",
            "--stories",
            "tests/stories",
            "--model",
            str(MODEL_PATH),
            "--fail-on-prediction-errors",
            "--out",
            str(tmp_path),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    failed = tmp_path / "failed_test_stories.yml"
    detail = failed.read_text(encoding="utf-8") if failed.exists() else result.stdout[-3000:]
    assert result.returncode == 0, detail
    assert "None of the test stories failed" in failed.read_text(encoding="utf-8")
