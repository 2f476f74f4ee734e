"""The YAML files trainers edit: every rule's example matches, bad values are reported clearly."""

import copy
import re
from pathlib import Path

import pytest
import yaml

from bot.core.risk import ConfigError, load_config
from bot.core.risk.config import LEXICON_PATH, PATTERN_SECTIONS, RISK_PATH, build_config, clauses
from bot.core.risk.model import SIGNAL_CODES

RISK_DIR = Path(__file__).resolve().parents[2] / "bot" / "core" / "risk"


@pytest.fixture(scope="module")
def docs():
    with open(RISK_PATH, encoding="utf-8") as a, open(LEXICON_PATH, encoding="utf-8") as b:
        return yaml.safe_load(a), yaml.safe_load(b)


def test_default_config_loads_and_is_cached():
    assert load_config() is load_config()
    assert set(load_config().signals) == set(SIGNAL_CODES)


@pytest.mark.parametrize("section", PATTERN_SECTIONS)
def test_every_pattern_example_is_found_by_its_section(section):
    patterns = load_config().patterns[section]
    for example in patterns.examples:
        assert patterns.search(example), (section, example)


def test_negation_is_confined_to_its_clause():
    forged = load_config().patterns["forged_document"]
    assert forged.search("你们不用管，证明我们来开")
    assert not forged.search("证明我们不能开")
    assert clauses("你们不用管，证明我们来开")[1] == (0, 5)


def test_word_groups_are_expanded_and_line_breaks_in_them_ignored():
    # pattern_words are folded YAML (">-"): the spaces between lines must not end up in the regex
    extortion = load_config().patterns["extortion"]
    assert all(" " not in rule.pattern for rule in extortion.rules)
    assert extortion.search("违约金要是不给我免掉，我们就拉横幅")
    assert not extortion.search("你们不给我个说法我就去投诉")


def test_weights_are_in_range_and_thresholds_increase(docs):
    cfg = load_config()
    assert 0 < cfg.thresholds["watch"] < cfg.thresholds["level2"] < cfg.thresholds["level1"] <= 1
    assert all(0 <= e.weight <= 1 for e in cfg.lexicon.entries)
    assert {"impersonating_official", "impersonating_lawyer", "extortion", "forged_document"} == {
        code for code, rule in cfg.signals.items() if rule.severe
    }


def broken(docs, which, mutate):
    risk, lexicon = copy.deepcopy(docs)
    mutate(risk if which == "risk" else lexicon)
    return risk, lexicon


@pytest.mark.parametrize(
    "which, mutate, message",
    [
        ("risk", lambda d: d["levels"].update(level2=0.9), "thresholds must increase"),
        ("risk", lambda d: d["signals"]["extortion"].update(weight=1.5), "signals.extortion.weight"),
        ("risk", lambda d: d["signals"].update(made_up={"weight": 0.1}), "unknown signal codes"),
        ("risk", lambda d: d["requirements"]["level2"].update(next_step="refuse"), "next_step"),
        ("risk", lambda d: d["requirements"]["level2"].update(extra_materials=["selfie"]), "extra_materials"),
        ("risk", lambda d: d["victim"].update(roles=["robot"]), "victim.roles"),
        ("lexicon", lambda d: d["gray_phrases"][0].update(weight="high"), "gray_phrases[0].weight"),
        ("lexicon", lambda d: d["gray_phrases"][0].update(term=""), "non-empty term"),
        ("lexicon", lambda d: d["patterns"]["extortion"]["rules"][0].update(example="你好"), "does not match"),
        ("lexicon", lambda d: d["patterns"]["extortion"]["rules"][0].update(regex="(未闭合"), "bad regex"),
        (
            "lexicon",
            lambda d: d["patterns"]["extortion"]["rules"][0].update(regex="{benefits}就{harm}"),
            "patterns.extortion.rules[0]: unknown word group {benefits}",
        ),
        ("lexicon", lambda d: d["pattern_words"].update(harm="  "), "pattern_words.harm"),
        ("lexicon", lambda d: d["pattern_words"].update(harm="(曝光"), "pattern_words.harm: bad regex"),
        ("risk", lambda d: d["role_flip"].update(from_roles=["caller"]), "role_flip.from_roles"),
    ],
)
def test_bad_values_are_reported_with_their_place(docs, which, mutate, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        build_config(*broken(docs, which, mutate))


def test_trainer_comments_are_in_chinese():
    for name in ("risk.yml", "lexicon.yml"):
        text = (RISK_DIR / name).read_text(encoding="utf-8")
        comments = [line for line in text.splitlines() if line.strip().startswith("#")]
        assert comments and any(re.search(r"[\u4e00-\u9fff]", c) for c in comments)


def test_engine_is_plain_python_without_rasa():
    for path in RISK_DIR.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(import|from)\s+rasa", source, re.M), path.name


def test_library_code_does_not_print():
    for path in RISK_DIR.glob("*.py"):
        if path.name != "evaluate.py":
            assert "print(" not in path.read_text(encoding="utf-8"), path.name
