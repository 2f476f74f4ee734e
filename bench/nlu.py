"""NLU comparison: role and purpose accuracy on tests/nlu_holdout.yml for our config.yml and
for a textbook Chinese Rasa pipeline trained on the same data/.

Both models are scored by bot.ops.nlu_eval (its predicted_labels maps the
caller_role / purpose / hardship entity values of a parse the same way for
both). DIET extracts spans; EntitySynonymMapper turns the spans seen in
training into their values, an unseen span stays as text and counts wrong.

`python -m bench.nlu MODEL HOLDOUT` scores one model and prints JSON (run in
a subprocess so TensorFlow is never loaded into the benchmark process).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Dict

from bench.procs import Child, finish, run_timed

TEXTBOOK_CONFIG = """\
# Textbook Chinese Rasa pipeline (the benchmark's comparison; written at bench time).
recipe: default.v1
language: zh
assistant_id: textbook-zh

pipeline:
  - name: JiebaTokenizer
  - name: CountVectorsFeaturizer
  - name: CountVectorsFeaturizer
    analyzer: char_wb
    min_ngram: 1
    max_ngram: 4
  - name: DIETClassifier
    epochs: {epochs}
    entity_recognition: true
  - name: EntitySynonymMapper

policies:
  - name: RulePolicy
  - name: TEDPolicy
    max_history: 5
    epochs: 100
"""


def write_textbook_config(path: Path, epochs: int = 100) -> Path:
    path.write_text(TEXTBOOK_CONFIG.format(epochs=epochs), encoding="utf-8")
    return path


class TextbookTraining:
    """The textbook pipeline training on the project's data/, started in the background.

    By default only the NLU part is trained (`rasa train nlu`): the policies do
    not change NLU accuracy. With full=True, TEDPolicy is trained as well.
    """

    def __init__(
        self, project: Path, workdir: Path, env: Dict[str, str], logs: Path, epochs: int = 100, full: bool = False
    ) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        config = write_textbook_config(workdir / "config.yml", epochs)
        env = dict(env, RASA_CACHE_DIRECTORY=str(workdir / ".rasa" / "cache"))
        if full:
            cmd = [
                sys.executable,
                "-m",
                "rasa",
                "train",
                "--config",
                str(config),
                "--domain",
                str(project / "domain.yml"),
                "--data",
                str(project / "data"),
                "--out",
                str(workdir / "models"),
                "--fixed-model-name",
                "textbook",
            ]
        else:
            cmd = [
                sys.executable,
                "-m",
                "rasa",
                "train",
                "nlu",
                "--config",
                str(config),
                "--nlu",
                str(project / "data"),
                "--out",
                str(workdir / "models"),
                "--fixed-model-name",
                "textbook",
            ]
        self.model = workdir / "models" / "textbook.tar.gz"
        self.started = time.monotonic()
        self.child = Child("textbook-train", cmd, workdir, env, logs / "textbook-train.log")

    def finish(self, timeout: float, progress=None) -> float:
        """Wait for the training; seconds since it started."""
        seconds = finish(self.child, self.started, timeout, progress)
        if not self.model.exists():
            raise RuntimeError(f"textbook training produced no model at {self.model}")
        return seconds


def score_model(
    project: Path, model: Path, holdout: Path, env: Dict[str, str], logs: Path, name: str, timeout: float = 600
) -> Dict[str, dict]:
    """Accuracy per head of one model on the holdout, scored in a subprocess."""
    out = logs / f"nlu-{name}.json"
    cmd = [sys.executable, "-m", "bench.nlu", str(model), str(holdout), str(out)]
    run_timed(f"nlu-eval-{name}", cmd, project, env, logs / f"nlu-{name}.log", timeout)
    return json.loads(out.read_text(encoding="utf-8"))


def _main(model: str, holdout: str, out: str) -> int:
    from bot.ops.nlu_eval import evaluate

    scores, _ = evaluate(Path(holdout), Path(model))  # the NLU alone: models are compared here
    Path(out).write_text(
        json.dumps(
            {
                head: {"accuracy": s.accuracy, "correct": s.correct, "total": s.total, "errors": s.errors[:10]}
                for head, s in scores.items()
            },
            ensure_ascii=False,
            indent=1,
        ),
        encoding="utf-8",
    )
    return 0


if __name__ == "__main__":
    sys.exit(_main(*sys.argv[1:4]))
