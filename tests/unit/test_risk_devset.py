"""The labelled development set: well-formed, varied, and the engine meets its targets on it."""

from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
import yaml

from bot.core.risk.model import CALLER_ROLES, LEVELS, PURPOSES, level_rank
from bot.ops.risk_eval import main, metrics, run

DEVSET = Path(__file__).resolve().parents[1] / "risk_devset.yml"
GROUPS = {"borrower", "family", "agent", "victim", "proxy"}


@pytest.fixture(scope="module")
def doc():
    with open(DEVSET, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@pytest.fixture(scope="module")
def results(doc):
    return run(doc["calls"], datetime.fromisoformat(doc["now"]))


def test_devset_is_large_and_well_formed(doc):
    calls = doc["calls"]
    assert len(calls) >= 60
    assert len({c["id"] for c in calls}) == len(calls)
    for c in calls:
        assert c["group"] in GROUPS and c["expected_level"] in LEVELS, c["id"]
        assert c["caller_role"] in CALLER_ROLES and c["purpose"] in PURPOSES, c["id"]
        assert isinstance(c["identity_verified"], bool) and isinstance(c["authorisation_shown"], bool)
        assert c["description"] and c["utterances"] and all(isinstance(u, str) for u in c["utterances"])


def test_labels_follow_the_rule_genuine_at_most_watch_proxy_at_least_level2(doc):
    for c in doc["calls"]:
        rank = level_rank(c["expected_level"])
        assert (rank >= level_rank("level2")) == (c["group"] == "proxy"), c["id"]


def test_devset_covers_every_kind_of_call(doc):
    groups = Counter(c["group"] for c in doc["calls"])
    assert all(groups[g] >= 5 for g in GROUPS), groups
    contexts = Counter(k for c in doc["calls"] for k in (c.get("context") or {}))
    for key in (
        "prior_calls",
        "voiceprint_similarity",
        "complaint_corpus",
        "watchlist_phones",
        "watchlist_phrases",
        "operator_flags",
    ):
        assert contexts[key] >= 1, key
    levels = Counter(c["expected_level"] for c in doc["calls"])
    assert all(levels[lvl] >= 5 for lvl in LEVELS), levels


def test_targets_are_met(results):
    m = metrics(results)
    assert m["proxy_hit"] / m["proxy_total"] >= 0.95
    assert m["genuine_high"] == 0


def test_main_prints_the_table(capsys):
    m = main(str(DEVSET))
    out = capsys.readouterr().out
    assert "precision" in out and "proxy recall at level2+" in out and "genuine callers at level2+" in out
    assert set(m["levels"]) == set(LEVELS)
