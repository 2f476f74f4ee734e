"""The prebuilt action-response validator accepts and rejects exactly what Rasa's does."""
import pytest
from jsonschema import ValidationError, validate

from bot import rasa_speedups


@pytest.fixture(scope="module")
def remote_action():
    from rasa.core.actions.action import RemoteAction
    rasa_speedups.install()
    return RemoteAction("action_x", None)


GOOD = [{"events": [], "responses": []},
        {"events": [{"event": "slot", "name": "a", "value": 1}], "responses": [{"text": "你好"}]}]
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


def test_cached_event_lookup_resolves_like_rasa():
    from rasa.shared.core.events import BotUttered, Event, SlotSet, UserUttered
    rasa_speedups.install()
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
    rasa_speedups.tune_sqlite(engine)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
