"""nlu-eval keeps held-out sets unread: their errors are printed only once the set is recorded in-sample."""

from pathlib import Path

from bot.ops.nlu_eval import HeadScore, report, set_status
from bot.settings import PROJECT_ROOT


def test_every_evaluation_set_has_a_status_and_unknown_sets_are_held_out(tmp_path):
    status = tmp_path / "nlu_status.yml"
    status.write_text("a: {status: in-sample}\nb: {status: held-out}\n", encoding="utf-8")
    assert set_status(Path("tests/a.yml"), status) == "in-sample"
    assert set_status(Path("tests/b.yml"), status) == "held-out"
    assert set_status(Path("tests/c.yml"), status) == "held-out"
    assert set_status(Path("tests/a.yml"), tmp_path / "missing.yml") == "held-out"


def test_the_project_status_file_names_every_set():
    sets = sorted((PROJECT_ROOT / "tests").glob("nlu_holdout*.yml"))
    import yaml

    named = yaml.safe_load((PROJECT_ROOT / "tests" / "nlu_status.yml").read_text(encoding="utf-8"))
    assert sets and all(p.stem in named for p in sets)


def test_a_hidden_report_shows_figures_but_no_example_or_confusion():
    scores = {h: HeadScore() for h in ("intent", "caller_role", "purpose", "hardship")}
    scores["caller_role"].total = 2
    scores["caller_role"].correct = 1
    scores["caller_role"].errors.append(("我是他同学", "family", "none"))
    shown = report(scores)
    hidden = report(scores, show_errors=0, confusions=False)
    assert "我是他同学" in shown and "family→none" in shown
    assert "我是他同学" not in hidden and "family→none" not in hidden and "50.0%" in hidden


def test_a_purpose_annotated_twice_is_scored_and_trained_as_the_first_said():
    """The call's purpose is its first matter (contract §3): the gold label and the training label of
    "利息能不能减免，还款期限能不能往后推" are fee_waiver, whichever span the file lists last."""
    from bot.nlu.classifier import labels_from_examples
    from bot.ops.nlu_eval import expected_labels

    example = {
        "intent": "inform",
        "entities": [
            {"entity": "purpose", "value": "repayment_plan", "start": 9},
            {"entity": "purpose", "value": "fee_waiver", "start": 0},
        ],
    }
    assert expected_labels(example)["purpose"] == "fee_waiver"
    _, labels = labels_from_examples([("t", "inform", [("purpose", "fee_waiver"), ("purpose", "repayment_plan")])])
    assert labels["purpose"] == ["fee_waiver"]
