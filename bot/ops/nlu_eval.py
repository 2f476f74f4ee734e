"""`python -m bot nlu-eval`: role, purpose, hardship and intent accuracy on the held-out set."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from bot.nlu.classifier import HEADS, NONE, first_per_head
from bot.settings import PROJECT_ROOT

TARGET = 0.97  # issue 12: role and purpose, as the dialogue hears them
FLOOR = 0.95  # below this `make test` fails: the accuracy the dialogue had when the target was set


@dataclass
class HeadScore:
    """Accuracy of one head and the examples it got wrong."""

    correct: int = 0
    total: int = 0
    errors: List[Tuple[str, str, str]] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0


def expected_labels(example) -> Dict[str, str]:
    """Per-head gold labels of a Rasa training example. A head annotated twice counts with its first
    span in the text ("利息能不能减免，还款期限能不能往后推": fee_waiver): the call's `purpose` is its
    first matter (contract §3), and the dialogue hears matters in the order said."""
    entities = sorted(example.get("entities") or [], key=lambda e: e.get("start") or 0)
    found = first_per_head((e["entity"], str(e["value"])) for e in entities)
    labels = {"intent": example.get("intent")}
    labels.update({h: found.get(h, NONE) for h in HEADS[1:]})
    return labels


def predicted_labels(parsed: dict) -> Dict[str, str]:
    """Per-head labels from a Rasa parse result (a head given twice: its first)."""
    found = first_per_head((e["entity"], str(e["value"])) for e in parsed.get("entities") or [])
    labels = {"intent": (parsed.get("intent") or {}).get("name")}
    labels.update({h: found.get(h, NONE) for h in HEADS[1:]})
    return labels


def score(pairs: List[Tuple[str, Dict[str, str], Dict[str, str]]]) -> Dict[str, HeadScore]:
    """Accuracy per head over (text, expected, predicted) triples."""
    scores = {h: HeadScore() for h in HEADS}
    for text, gold, pred in pairs:
        for head in HEADS:
            s = scores[head]
            s.total += 1
            if gold[head] == pred[head]:
                s.correct += 1
            else:
                s.errors.append((text, gold[head], pred[head]))
    return scores


def evaluate(holdout: Path, model: Optional[Path] = None) -> Tuple[Dict[str, HeadScore], Dict[str, HeadScore]]:
    """Parse every held-out example with the trained model; score the NLU alone and the turn as heard."""
    from bot.ops import logs

    logs.configure("WARNING")
    from rasa.core.agent import Agent
    from rasa.shared.nlu.training_data.loading import load_data

    from bot.ops.train_model import MODEL_PATH

    agent = Agent.load(str(model or MODEL_PATH))
    examples = load_data(str(holdout)).intent_examples

    async def parse_all():
        return [await agent.parse_message(e.get("text")) for e in examples]

    parsed = asyncio.run(parse_all())
    return score([(e.get("text"), expected_labels(e), predicted_labels(p)) for e, p in zip(examples, parsed)]), score(
        [(e.get("text"), expected_labels(e), heard_labels(e.get("text"), p)) for e, p in zip(examples, parsed)]
    )


def heard_labels(text: str, parsed: dict) -> Dict[str, str]:
    """Per-head labels as the dialogue reads the turn: the NLU's parse through bot.core.hearing.hear()."""
    from bot.core.hearing import NLU, hear

    heard = hear(text, NLU.from_parse(parsed))
    labels = predicted_labels(parsed)
    labels["caller_role"] = "borrower" if heard.claims_borrower else (heard.role or NONE)
    labels["purpose"] = heard.purposes[0] if heard.purposes else NONE
    labels["hardship"] = heard.hardship or NONE
    return labels


def report(scores: Dict[str, HeadScore], show_errors: int = 15, confusions: bool = True) -> str:
    """The accuracy table, in Markdown, with a few errors per head."""
    lines = ["| head | accuracy | correct / total | target |", "|---|---|---|---|"]
    for head in HEADS:
        s = scores[head]
        target = f"≥ {TARGET:.0%}" if head in ("caller_role", "purpose") else ""
        lines.append(f"| {head} | {s.accuracy:.1%} | {s.correct} / {s.total} | {target} |")
    for head in HEADS:
        errors = scores[head].errors[:show_errors]
        if errors:
            lines.append(f"\n{head} errors (gold → predicted):")
            lines.extend(f"  {text}  [{gold} → {pred}]" for text, gold, pred in errors)
    confusion = Counter((g, p) for h in ("caller_role", "purpose") for _, g, p in scores[h].errors)
    if confusion and confusions:
        lines.append(
            "\nmost frequent confusions: " + ", ".join(f"{g}→{p} ×{n}" for (g, p), n in confusion.most_common(6))
        )
    return "\n".join(lines)


STATUS_FILE = PROJECT_ROOT / "tests" / "nlu_status.yml"


def set_status(path: Path, status_file: Path = STATUS_FILE) -> str:
    """`in-sample` or `held-out` for an evaluation set, from tests/nlu_status.yml; a set the file does
    not name is held-out (nobody has read it)."""
    import yaml

    try:
        entries = yaml.safe_load(status_file.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        entries = {}
    entry = entries.get(path.stem) or {}
    return "in-sample" if entry.get("status") == "in-sample" else "held-out"


def main(holdout: str = "tests/nlu_holdout.yml", model: Optional[str] = None, show_errors: bool = False) -> int:
    path = Path(holdout)
    if not path.is_absolute():
        path = PROJECT_ROOT / path
    status = set_status(path)
    nlu_only, as_heard = evaluate(path, Path(model) if model else None)
    print(f"{path.name}: {status}\n")
    hide = status == "held-out" and not show_errors
    print("## The NLU model alone\n")
    print(report(nlu_only, show_errors=0, confusions=not hide))
    print("\n## As the dialogue hears the turn (the NLU, then bot/core/hearing.py)\n")
    print(report(as_heard, show_errors=0 if hide else 15, confusions=not hide))
    if hide:
        print(
            "\n（保留集：错误样例与混淆统计不显示，以免读过之后它不再是保留集；"
            "--show-errors 可显示，之后请在 tests/nlu_status.yml 把它记为 in-sample。）"
        )
    ok = all(as_heard[h].accuracy >= TARGET for h in ("caller_role", "purpose"))
    print(f"\n达到目标（来电身份与目的准确率均 ≥ {TARGET:.0%}）。" if ok else f"\n未达到目标（≥ {TARGET:.0%}）。")
    return 0
