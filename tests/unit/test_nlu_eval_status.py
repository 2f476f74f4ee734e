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
