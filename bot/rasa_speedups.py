"""Local fixes for measured hot spots in Rasa 3.6's server (see docs/benchmarks.md).

- Rasa validates every action-server response with `jsonschema.validate`, which
  checks the schema itself on every call: half of the Rasa server's CPU per turn
  in our profile. A validator built once gives the same answer and error.
- Loading a conversation resolves every stored event's class by walking all
  subclasses of `Event` (a recursive scan per event): a sixth of the CPU. The
  classes do not change once imported, so the lookup is cached by type name.
- Saving a turn commits to SQLite with a full fsync: in WAL mode
  `synchronous=NORMAL` keeps every committed turn across a crash of the process
  (not across a power cut of the machine) at a fraction of the cost.
"""
from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def _validator():
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    spec = RemoteAction.action_response_format_spec()
    cls = validator_for(spec)
    cls.check_schema(spec)
    return cls(spec)


def _install_event_lookup() -> None:
    from rasa.shared.core.events import Event

    if getattr(Event.resolve_by_type, "_cached", False):
        return
    original = Event.resolve_by_type
    found = {}

    def resolve_by_type(type_name, default=None):
        cls = found.get(type_name)
        if cls is None:
            cls = original(type_name, default)
            if cls is not None and cls is not default:
                found[type_name] = cls
        return cls

    resolve_by_type._cached = True
    Event.resolve_by_type = staticmethod(resolve_by_type)


def install() -> None:
    """Apply both fixes in this process (the Rasa server)."""
    _install_event_lookup()
    from jsonschema import ValidationError
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    if getattr(RemoteAction._validate_action_result, "_prebuilt", False):
        return

    def validate_action_result(self, result):
        try:
            _validator().validate(result)
            return True
        except ValidationError as e:
            e.message += (
                ". Failed to validate Action server response from API, make sure your "
                "response from the Action endpoint is valid. For more information about "
                f"the format visit {DOCS_BASE_URL}/custom-actions")
            raise e

    validate_action_result._prebuilt = True
    RemoteAction._validate_action_result = validate_action_result


def tune_sqlite(engine) -> None:
    """WAL journal and synchronous=NORMAL on every connection of a SQLite engine."""
    import sqlalchemy as sa

    if engine.dialect.name != "sqlite":
        return

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    engine.dispose()  # connections opened before this get the pragmas when reopened


async def tune_tracker_store(app, _loop) -> None:
    """Server listener: tune Rasa's SQL tracker store once the agent is loaded."""
    store = getattr(getattr(app.ctx, "agent", None), "tracker_store", None)
    while hasattr(store, "_tracker_store"):  # Rasa wraps the store (failsafe, awaitable)
        store = store._tracker_store
    engine = getattr(store, "engine", None)
    if engine is not None:
        tune_sqlite(engine)
