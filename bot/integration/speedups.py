"""Local fixes for measured hot spots in Rasa 3.6's server (see docs/benchmarks.md).

- Rasa validates every action-server response with `jsonschema.validate`, which
  checks the schema itself on every call and then tries each event against all 23
  event-type branches of a `oneOf`. Here the validators are built once and each
  event is checked against the one branch its `event` name selects (the branches
  differ by that name, so this accepts exactly what the `oneOf` accepts); anything
  unusual goes through the full schema, which gives Rasa's own error.
- Rasa opens a new HTTP client session, and so a new TCP connection, for every
  call to the action server. Here one session per event loop keeps connections
  alive (for less time than the action server does, so it never reuses a
  connection the server is closing).
- Loading a conversation resolves every stored event's class by walking all
  subclasses of `Event` (a recursive scan per event). The classes do not change
  once imported, so the lookup is cached by type name.
- Rasa runs each graph (the NLU pipeline, the policies) through dask, whose
  scheduling and a fresh minimal schema per call cost more than our components.
  Here the same nodes run in dependency order directly, with the minimal schema
  kept per set of targets.
- Each copy of a conversation (Rasa makes several per turn) copies every slot with
  `copy.copy`, which goes through the generic reduce protocol; slots get a direct
  `__copy__` that does the same (a new object with the same attributes).
- Every call to the action server serialises the conversation with
  `dataclasses.asdict(tracker.active_loop)`, a generic deep copy of the message
  that started the form. Plain dicts, lists and scalars are copied directly here;
  anything else still goes through `dataclasses`.
- JSON sent to the action server is written by ujson, as UTF-8 rather than
  escaped, instead of the standard library's encoder.

Every fix replaces one attribute of Rasa's (a method, a module's reference);
`install()` records what it replaced and `uninstall()` puts it back, so tests can
install them for one module and leave Rasa as it was for the next.

The fixes were written and tested for one Rasa release (EXPECTED_RASA_VERSION):
with any other installed, or with BOT_RASA_SPEEDUPS=0, `install()` patches
nothing, logs why in Chinese and the server runs Rasa's own code. `active()` is the
same decision for the other speed-ups (our tracker store, the SQLite tuning).
"""

from __future__ import annotations

import asyncio
import logging
from functools import lru_cache
from typing import Any, Callable, Dict, List, Optional, Tuple

from bot.settings import env_flag

logger = logging.getLogger(__name__)

# The Rasa release the fixes were written against and tested with (constraints.txt pins it).
EXPECTED_RASA_VERSION = "3.6.21"

# Seconds an idle connection to the action server is kept; below the 5 s after which
# the action server (Sanic's KEEP_ALIVE_TIMEOUT) closes it.
KEEPALIVE_S = 2.0


class _ResponseValidators:
    """The action response schema, split so each event is checked against its own branch."""

    def __init__(self, spec: Dict[str, Any]):
        from jsonschema.validators import validator_for

        cls = validator_for(spec)
        cls.check_schema(spec)
        self.full = cls(spec)
        events = spec["properties"]["events"]
        item = events["items"]
        base = {k: v for k, v in item.items() if k != "oneOf"}
        self.top = cls(
            {**spec, "properties": {**spec["properties"], "events": {k: v for k, v in events.items() if k != "items"}}}
        )
        self.by_event: Dict[str, Any] = {}
        self.plain: set = set()
        for branch in item["oneOf"]:
            name = branch["properties"]["event"]["const"]
            self.by_event[name] = cls({"allOf": [base, branch]})
            if branch == {"properties": {"event": {"const": name}}}:
                self.plain.add(name)  # nothing beyond the common fields
        self._slot_branch_known = any(
            b
            == {
                "properties": {"event": {"const": "slot"}, "name": {"type": "string"}, "value": {}},
                "required": ["name", "value"],
            }
            for b in item["oneOf"]
        )
        self._base_known = base == {
            "type": "object",
            "properties": {
                "event": {"type": "string"},
                "timestamp": {"type": ["number", "null"]},
                "metadata": {"type": ["object", "null"]},
            },
            "required": ["event"],
        }

    @staticmethod
    def _common_fields_ok(event: Dict[str, Any]) -> bool:
        """The fields every event may have: timestamp a number or null, metadata an object or null."""
        import numbers

        ts = event.get("timestamp")
        if ts is not None and (isinstance(ts, bool) or not isinstance(ts, numbers.Number)):
            return False
        metadata = event.get("metadata")
        return metadata is None or isinstance(metadata, dict)

    def _quick(self, name: str, event: Dict[str, Any]) -> Optional[bool]:
        """The verdict for the events actions return most (slots, utterances), else None."""
        if not self._base_known:
            return None
        if name == "slot" and self._slot_branch_known:
            return (
                "name" in event
                and "value" in event
                and isinstance(event["name"], str)
                and self._common_fields_ok(event)
            )
        if name in self.plain:
            return self._common_fields_ok(event)
        return None

    def is_valid(self, result: Any) -> bool:
        if not self.top.is_valid(result):
            return False
        for event in result.get("events") or ():
            name = event.get("event") if isinstance(event, dict) else None
            check = self.by_event.get(name) if isinstance(name, str) else None
            if check is None:
                return False
            verdict = self._quick(name, event)
            if verdict is None:
                verdict = check.is_valid(event)
            if not verdict:
                return False
        return True

    def validate(self, result: Any) -> None:
        if not self.is_valid(result):
            self.full.validate(result)  # raises Rasa's usual ValidationError


@lru_cache(maxsize=1)
def _validator() -> _ResponseValidators:
    from rasa.core.actions.action import RemoteAction

    return _ResponseValidators(RemoteAction.action_response_format_spec())


_sessions: Dict[int, Any] = {}


def _dumps(obj: Any) -> str:
    """JSON for the action server: ujson, or the standard library for what ujson refuses
    (NaN, for one), so a request never fails only because of the encoder."""
    import json

    import ujson

    try:
        return ujson.dumps(obj, ensure_ascii=False, escape_forward_slashes=False)
    except (OverflowError, TypeError, ValueError):
        return json.dumps(obj)


def _session_for_loop() -> Any:
    import aiohttp

    loop = asyncio.get_running_loop()
    session = _sessions.get(id(loop))
    if session is None or session.closed:
        connector = aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_S, limit=100)
        session = aiohttp.ClientSession(connector=connector, json_serialize=_dumps)
        _sessions[id(loop)] = session
    return session


async def close_sessions(*_args: Any) -> None:
    """Server listener: close the kept-alive client sessions of this process."""
    for key, session in list(_sessions.items()):
        _sessions.pop(key, None)
        if not session.closed:
            await session.close()


# ---- the switch -------------------------------------------------------------------------------


def installed_rasa_version() -> Optional[str]:
    """The version of the installed Rasa package, or None when it cannot be told."""
    from importlib import metadata

    try:
        return metadata.version("rasa")
    except metadata.PackageNotFoundError:
        return None


def refusal() -> Optional[str]:
    """Why this process must run stock Rasa code (a Chinese log line), or None when the fixes apply."""
    if not env_flag("BOT_RASA_SPEEDUPS", True):
        return "BOT_RASA_SPEEDUPS=0：Rasa 提速补丁已关闭，本进程使用 Rasa 原版代码（对话结果不变，每轮耗时更多）。"
    found = installed_rasa_version()
    if found != EXPECTED_RASA_VERSION:
        return (
            f"Rasa 提速补丁未启用：补丁按 Rasa {EXPECTED_RASA_VERSION} 编写并测试，当前安装的是 "
            f"Rasa {found or '（未知版本）'}；本进程使用 Rasa 原版代码，服务照常运行。"
            f"请在 {EXPECTED_RASA_VERSION} 上重新核对补丁（tests/unit/test_rasa_speedups.py）后再更新版本号。"
        )
    return None


def active() -> bool:
    """Whether the speed-ups apply in this process: switched on and the Rasa they were tested with."""
    return refusal() is None


# ---- the patches ------------------------------------------------------------------------------


def _keepalive_request() -> Tuple[Any, str, Any]:
    """EndpointConfig.request with one kept-alive client session per event loop."""
    import aiohttp
    from aiohttp import ContentTypeError
    from rasa.utils.endpoints import ClientResponseError, EndpointConfig, concat_url

    original = vars(EndpointConfig)["request"]

    async def request(
        self,
        method: str = "post",
        subpath: Optional[str] = None,
        content_type: Optional[str] = "application/json",
        compress: bool = False,
        **kwargs: Any,
    ) -> Optional[Any]:
        if self.cafile or self.basic_auth:  # TLS and auth set-ups keep Rasa's own path
            return await original(self, method, subpath, content_type, compress, **kwargs)
        headers = {}
        if content_type:
            headers["Content-Type"] = content_type
        headers.update(kwargs.pop("headers", None) or {})
        if self.headers:
            headers.update(self.headers)
        kwargs.setdefault("timeout", aiohttp.ClientTimeout(total=300))
        async with _session_for_loop().request(
            method,
            concat_url(self.url, subpath),
            headers=headers,
            params=self.combine_parameters(kwargs),
            compress=compress,
            **kwargs,
        ) as response:
            if response.status >= 400:
                raise ClientResponseError(response.status, response.reason, await response.content.read())
            try:
                return await response.json()
            except ContentTypeError:
                return None

    return EndpointConfig, "request", request


def _event_lookup() -> Tuple[Any, str, Any]:
    """Event.resolve_by_type with the classes found once per type name."""
    from rasa.shared.core.events import Event

    original = Event.resolve_by_type
    found = {}

    def resolve_by_type(type_name, default=None):
        cls = found.get(type_name)
        if cls is None:
            cls = original(type_name, default)
            if cls is not None and cls is not default:
                found[type_name] = cls
        return cls

    return Event, "resolve_by_type", staticmethod(resolve_by_type)


def _graph_runner() -> Tuple[Any, str, Any]:
    """DaskGraphRunner.run: the same nodes, run in dependency order without dask."""
    from rasa.engine.exceptions import GraphRunError
    from rasa.engine.runner.dask import DaskGraphRunner

    def run(self, inputs=None, targets=None):
        run_targets = list(targets if targets else self._graph_schema.target_names)
        schemas = self.__dict__.setdefault("_minimal_schemas", {})
        key = tuple(run_targets)
        schema = schemas.get(key)
        if schema is None:
            schema = schemas[key] = self._graph_schema.minimal_graph_schema(run_targets)
        results: Dict[str, Any] = {}
        for name, value in (inputs or {}).items():
            if isinstance(value, str) and value in schema.nodes:
                raise GraphRunError(
                    f"Input value '{value}' clashes with a node name. Make sure that none of "
                    f"the input names passed to the `run` method are the same as node names "
                    f"in the graph schema."
                )
            results[name] = (name, value)

        def compute(name: str) -> Any:
            if name not in results and name not in schema.nodes:
                return name  # as dask does: the node logs it and reports what is missing
            if name not in results:
                needs = schema.nodes[name].needs.values()
                results[name] = self._instantiated_nodes[name](*[compute(n) for n in needs])
            return results[name]

        try:
            return dict(compute(target) for target in run_targets)
        except RuntimeError as e:
            raise GraphRunError("Error running runner.") from e

    return DaskGraphRunner, "run", run


class _Dataclasses:
    """`dataclasses` for rasa.shared.core.trackers, with a quicker `asdict`."""

    def __getattr__(self, name: str) -> Any:
        import dataclasses

        return getattr(dataclasses, name)

    @staticmethod
    def asdict(obj: Any) -> Dict[str, Any]:
        import dataclasses

        if not dataclasses.is_dataclass(obj) or isinstance(obj, type):
            raise TypeError("asdict() should be called on dataclass instances")
        return {f.name: _copied(getattr(obj, f.name)) for f in dataclasses.fields(obj)}


_ATOMS = (str, int, float, bool, type(None))


def _copied(value: Any) -> Any:
    """What dataclasses' `_asdict_inner(value, dict)` returns, quicker for plain data."""
    kind = type(value)
    if kind in _ATOMS:
        return value  # deepcopy returns atoms themselves
    if kind is dict:
        return {_copied(k): _copied(v) for k, v in value.items()}
    if kind is list:
        return [_copied(v) for v in value]
    import dataclasses

    return dataclasses._asdict_inner(value, dict)


def _tracker_asdict() -> Tuple[Any, str, Any]:
    """rasa.shared.core.trackers' `dataclasses` with the quicker `asdict`."""
    import rasa.shared.core.trackers as trackers

    return trackers, "dataclasses", _Dataclasses()


def _slot_copy() -> Tuple[Any, str, Any]:
    """Slot.__copy__: a new object with the same attributes, without the reduce protocol."""
    from rasa.shared.core.slots import Slot

    def __copy__(self):
        cls = type(self)
        new = cls.__new__(cls)
        new.__dict__.update(self.__dict__)
        return new

    return Slot, "__copy__", __copy__


def _response_validation() -> Tuple[Any, str, Any]:
    """RemoteAction._validate_action_result with the validators built once, one branch per event."""
    from jsonschema import ValidationError
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    def validate_action_result(self, result):
        try:
            _validator().validate(result)
            return True
        except ValidationError as e:
            e.message += (
                ". Failed to validate Action server response from API, make sure your "
                "response from the Action endpoint is valid. For more information about "
                f"the format visit {DOCS_BASE_URL}/custom-actions"
            )
            raise e

    return RemoteAction, "_validate_action_result", validate_action_result


# Every patch, in the order install() applies them.
PATCHES: Tuple[Callable[[], Tuple[Any, str, Any]], ...] = (
    _event_lookup,
    _keepalive_request,
    _graph_runner,
    _slot_copy,
    _tracker_asdict,
    _response_validation,
)

_MISSING = object()
# What install() replaced: (owner, attribute, the owner's own value before, or _MISSING).
_replaced: List[Tuple[Any, str, Any]] = []


def installed() -> bool:
    """Whether the patches are in place in this process."""
    return bool(_replaced)


def install() -> bool:
    """Apply the fixes in this process (the Rasa server); False (logged) when stock Rasa code runs."""
    if _replaced:
        return True
    reason = refusal()
    if reason:
        logger.warning(reason)
        return False
    try:
        for patch in PATCHES:
            owner, name, value = patch()
            _replaced.append((owner, name, vars(owner).get(name, _MISSING)))
            setattr(owner, name, value)
    except Exception:
        uninstall()  # all or nothing
        raise
    logger.info("Rasa 提速补丁已启用（Rasa %s，%d 处）。", EXPECTED_RASA_VERSION, len(_replaced))
    return True


def uninstall() -> None:
    """Put back every attribute install() replaced (the process runs stock Rasa code again)."""
    while _replaced:
        owner, name, original = _replaced.pop()
        if original is _MISSING:
            delattr(owner, name)
        else:
            setattr(owner, name, original)
