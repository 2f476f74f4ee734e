"""bot.integration.speedups: each patch does what Rasa's own code does, and the switch and
the version check leave Rasa's code in place.

The equivalence tests run twice, with the patches installed ("speedups") and with
Rasa's own code ("stock", as under BOT_RASA_SPEEDUPS=0): the same expectations hold
for both. Every install here is undone after its test (the `rasa_mode` fixture).
"""

import logging

import pytest
from jsonschema import ValidationError, validate

from bot.integration import speedups as rasa_speedups


@pytest.fixture(params=["speedups", "stock"])
def rasa_mode(request, monkeypatch):
    """The patches installed for one test ("speedups"), or Rasa's code with the switch off ("stock")."""
    monkeypatch.setenv("BOT_RASA_SPEEDUPS", "0" if request.param == "stock" else "1")
    assert rasa_speedups.install() is (request.param == "speedups")
    yield request.param
    rasa_speedups.uninstall()


@pytest.fixture
def remote_action(rasa_mode):
    from rasa.core.actions.action import RemoteAction

    return RemoteAction("action_x", None)


def _owners():
    """Every Rasa class or module a patch touches."""
    import rasa.shared.core.trackers as trackers
    from rasa.core.actions.action import RemoteAction
    from rasa.engine.runner.dask import DaskGraphRunner
    from rasa.shared.core.events import Event
    from rasa.shared.core.slots import Slot
    from rasa.utils.endpoints import EndpointConfig

    return (Event, EndpointConfig, DaskGraphRunner, Slot, trackers, RemoteAction)


def _snapshot():
    return {(owner.__name__, name): value for owner in _owners() for name, value in vars(owner).items()}


def _changed(before, after):
    missing = object()
    return {k for k in before.keys() | after.keys() if before.get(k, missing) is not after.get(k, missing)}


PATCHED = {
    ("Event", "resolve_by_type"),
    ("EndpointConfig", "request"),
    ("DaskGraphRunner", "run"),
    ("Slot", "__copy__"),
    ("rasa.shared.core.trackers", "dataclasses"),
    ("RemoteAction", "_validate_action_result"),
}


def test_uninstall_puts_back_every_original_attribute(monkeypatch):
    monkeypatch.setenv("BOT_RASA_SPEEDUPS", "1")
    before = _snapshot()
    try:
        assert rasa_speedups.install() is True
        assert rasa_speedups.install() is True  # twice is once
        assert _changed(before, _snapshot()) == PATCHED
    finally:
        rasa_speedups.uninstall()
    assert not rasa_speedups.installed()
    assert _changed(before, _snapshot()) == set()
    from rasa.engine.runner.dask import DaskGraphRunner
    from rasa.shared.core.slots import Slot

    assert DaskGraphRunner.run.__module__ == "rasa.engine.runner.dask" and "__copy__" not in vars(Slot)
    rasa_speedups.uninstall()  # nothing installed: nothing to do


def test_switched_off_nothing_is_patched_and_the_log_says_so(monkeypatch, caplog):
    monkeypatch.setenv("BOT_RASA_SPEEDUPS", "0")
    before = _snapshot()
    with caplog.at_level(logging.INFO, logger="bot.integration.speedups"):
        assert rasa_speedups.install() is False
    assert _changed(before, _snapshot()) == set() and not rasa_speedups.active()
    assert "BOT_RASA_SPEEDUPS=0" in caplog.text and "Rasa 原版代码" in caplog.text


def test_another_rasa_release_is_not_patched_and_the_log_names_both_versions(monkeypatch, caplog):
    monkeypatch.setenv("BOT_RASA_SPEEDUPS", "1")
    monkeypatch.setattr(rasa_speedups, "installed_rasa_version", lambda: "3.6.22")
    before = _snapshot()
    with caplog.at_level(logging.WARNING, logger="bot.integration.speedups"):
        assert rasa_speedups.install() is False
    assert _changed(before, _snapshot()) == set() and not rasa_speedups.active()
    line = caplog.records[-1].getMessage()
    assert "Rasa 3.6.21" in line and "Rasa 3.6.22" in line and "原版代码" in line and "照常运行" in line


def test_the_installed_rasa_is_the_one_the_patches_were_tested_with():
    import rasa.version

    from bot.settings import PROJECT_ROOT

    assert rasa_speedups.installed_rasa_version() == rasa.version.__version__ == rasa_speedups.EXPECTED_RASA_VERSION
    pins = (PROJECT_ROOT / "requirements.txt").read_text() + (PROJECT_ROOT / "constraints.txt").read_text()
    assert pins.count(f"rasa=={rasa_speedups.EXPECTED_RASA_VERSION}\n") == 2


GOOD = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "a", "value": 1}], "responses": [{"text": "你好"}]},
]
BAD = [{"events": "nope"}, {"events": [{"no_event_key": 1}]}, {"responses": "x"}]


@pytest.mark.parametrize("result", GOOD)
def test_valid_results_pass(remote_action, result):
    assert remote_action._validate_action_result(result) is True
    validate(result, remote_action.action_response_format_spec())


@pytest.mark.parametrize("result", BAD)
def test_invalid_results_fail_like_rasa(remote_action, result):
    with pytest.raises(ValidationError) as mine:
        remote_action._validate_action_result(result)
    with pytest.raises(ValidationError):
        validate(result, remote_action.action_response_format_spec())
    assert "Failed to validate Action server response" in mine.value.message


def test_cached_event_lookup_resolves_like_rasa(rasa_mode):
    from rasa.shared.core.events import BotUttered, Event, SlotSet, UserUttered

    assert Event.resolve_by_type("slot") is SlotSet
    assert Event.resolve_by_type("slot") is SlotSet
    assert Event.resolve_by_type("user") is UserUttered and Event.resolve_by_type("bot") is BotUttered
    assert Event.resolve_by_type("topic") is None
    assert Event.resolve_by_type("no_such", default=SlotSet) is SlotSet
    with pytest.raises(ValueError):
        Event.resolve_by_type("no_such")


def test_sqlite_engines_get_wal_and_normal_sync(tmp_path):
    import sqlalchemy as sa

    engine = sa.create_engine(f"sqlite:///{tmp_path / 't.db'}")
    from bot.services.storage import tune_sqlite

    tune_sqlite(engine)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL


# ---- per-event dispatch gives the same verdict as Rasa's oneOf schema ---------------------------
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st

_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=5))
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)),
    max_leaves=6,
)
_names = st.sampled_from(
    [
        "slot",
        "bot",
        "user",
        "action",
        "active_loop",
        "followup",
        "reset_slots",
        "session_started",
        "nonsense",
        "",
        "SLOT",
    ]
)
_keys = st.sampled_from(
    ["name", "value", "text", "timestamp", "metadata", "parse_data", "policy", "confidence", "entities", "intent"]
)
_event = st.one_of(
    st.fixed_dictionaries(
        {"event": _names},
        optional={k: _values for k in ["name", "value", "text", "timestamp", "metadata", "confidence"]},
    ),
    st.dictionaries(_keys, _values, max_size=3),
    _values,
)
_result = st.one_of(
    st.fixed_dictionaries(
        {},
        optional={
            "events": st.one_of(st.lists(_event, max_size=4), _values),
            "responses": st.one_of(st.lists(_values, max_size=2), _values),
        },
    ),
    _values,
)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_result)
def test_dispatching_validator_agrees_with_the_full_schema(result):
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    spec = RemoteAction.action_response_format_spec()
    assert rasa_speedups._validator().is_valid(result) == validator_for(spec)(spec).is_valid(result)


def test_an_unknown_event_is_refused_with_rasas_error(remote_action):
    with pytest.raises(ValidationError) as err:
        remote_action._validate_action_result({"events": [{"event": "teleport", "name": "x"}]})
    assert "Failed to validate Action server response" in err.value.message


_EDGE_EVENTS = [
    {"event": "slot", "name": "a", "value": None},
    {"event": "slot", "name": 3, "value": 1},
    {"event": "slot", "name": "a"},
    {"event": "slot", "value": 1},
    {"event": "slot", "name": "a", "value": 1, "timestamp": True},
    {"event": "slot", "name": "a", "value": 1, "timestamp": "1"},
    {"event": "slot", "name": "a", "value": 1, "timestamp": 1.5, "metadata": {}},
    {"event": "slot", "name": "a", "value": 1, "metadata": []},
    {"event": "slot", "name": "a", "value": 1, "metadata": None, "timestamp": None},
    {"event": "bot", "text": "你好", "metadata": "x"},
    {"event": "bot", "text": 5},
    {"event": "active_loop", "name": None, "timestamp": 3},
    {"event": "followup", "name": "action_x", "timestamp": False},
    {"event": "action", "name": 5},
    {"event": "user", "text": None, "parse_data": {"intent": {"name": 1}}},
]


@pytest.mark.parametrize("event", _EDGE_EVENTS, ids=lambda e: str(e)[:60])
def test_dispatching_validator_agrees_on_edge_events(event):
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    spec = RemoteAction.action_response_format_spec()
    result = {"events": [event]}
    assert rasa_speedups._validator().is_valid(result) == validator_for(spec)(spec).is_valid(result)


def test_tracker_state_has_the_same_active_loop_as_with_dataclasses(rasa_mode):
    import dataclasses

    import rasa.shared.core.trackers as trackers
    from rasa.shared.core.trackers import TrackerActiveLoop

    trigger = {
        "text": "我想分期",
        "intent": {"name": "inform", "confidence": 0.9},
        "entities": [{"entity": "purpose", "value": "repayment_plan", "start": 0, "end": 4}],
        "intent_ranking": [{"name": "inform", "confidence": 0.9}],
        "n": None,
        "t": (1, 2),
    }
    loop = TrackerActiveLoop("call_form", True, False, trigger)
    mine = trackers.dataclasses.asdict(loop)
    assert mine == dataclasses.asdict(loop)
    assert list(mine) == ["name", "is_interrupted", "rejected", "trigger_message"]
    mine["trigger_message"]["entities"][0]["value"] = "changed"  # a copy, not the original
    assert trigger["entities"][0]["value"] == "repayment_plan"
    with pytest.raises(TypeError):
        trackers.dataclasses.asdict(TrackerActiveLoop)


def test_action_call_json_is_the_same_data_and_never_refused():
    import json

    state = {
        "sender_id": "c1",
        "slots": {"purpose": "repayment_plan", "score": 0.25, "n": None},
        "events": [{"event": "user", "text": '我想分期/延期 "好"', "timestamp": 1.5e9}],
    }
    assert json.loads(rasa_speedups._dumps(state)) == state
    assert "我想分期/延期" in rasa_speedups._dumps(state)  # UTF-8, no escapes
    odd = {"x": float("nan")}
    assert json.loads(rasa_speedups._dumps(odd))["x"] != json.loads(rasa_speedups._dumps(odd))["x"]
