"""Parsing and checking the JSON bodies the IVR and agent channels receive (contract §2)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable, List, Optional

import yaml

from bot.core.materials import CATALOGUE_DIR

IVR_EVENTS = ("start", "utterance", "dtmf", "hangup")
MAX_TEXT = 2000
MAX_NOTE = 4000
MAX_VOICEPRINT = 1024
_CALL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:\-]{0,127}")
_PHONE = re.compile(r"\+?[0-9][0-9\- ]{2,30}")
_AGENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._\-]{0,63}")
_DTMF = re.compile(r"[0-9*#]{1,32}")


@lru_cache(maxsize=1)
def _messages() -> dict:
    with open(CATALOGUE_DIR / "channel_errors.yml", encoding="utf-8") as f:
        return yaml.safe_load(f)


def error_message(code: str, **values: Any) -> str:
    """The Chinese message for an error code, placeholders filled."""
    return _messages().get(code, code).format(**values)


class PayloadError(ValueError):
    """A request body the channel cannot accept (answered with 400)."""

    def __init__(self, code: str, **values: Any):
        self.code = code
        self.message = error_message(code, **values)
        super().__init__(self.message)


@dataclass(frozen=True)
class IVREvent:
    """One event from the telephony platform."""

    call_id: str
    event: str
    caller_number: Optional[str] = None
    text: Optional[str] = None
    asr_confidence: Optional[float] = None
    dtmf: Optional[str] = None
    voiceprint: Optional[List[float]] = None


@dataclass(frozen=True)
class AgentTurn:
    """What the agent panel sends: the caller's words as the agent typed or clicked them."""

    call_id: str
    text: str
    agent_id: Optional[str] = None
    caller_number: Optional[str] = None


@dataclass(frozen=True)
class AgentNote:
    """The agent's disposition and free-text note for a call."""

    disposition: str
    note: str


def parse_ivr_event(body: Any) -> IVREvent:
    """The IVR event in `body`, or PayloadError."""
    body = _object(body)
    event = body.get("event")
    if event not in IVR_EVENTS:
        raise PayloadError("bad_event")
    text = _text(body, "text", required=event == "utterance", allow_empty=True)
    dtmf = None
    if event == "dtmf":
        dtmf = _string(body, "dtmf", required=True, pattern=_DTMF, why="只能是 0-9、* 和 #")
    return IVREvent(
        call_id=call_id(body),
        event=event,
        caller_number=caller_number(body),
        text=text,
        asr_confidence=_confidence(body),
        dtmf=dtmf,
        voiceprint=_voiceprint(body),
    )


def parse_agent_turn(body: Any) -> AgentTurn:
    """The agent webhook body {call_id, agent_id, text, caller_number}, or PayloadError."""
    body = _object(body)
    return AgentTurn(
        call_id=call_id(body),
        text=_text(body, "text", required=False, allow_empty=True) or "",
        agent_id=_string(
            body,
            "agent_id",
            required=False,
            pattern=_AGENT_ID,
            why="只能是字母、数字、点、下划线和连字符，最长 64 个字符",
        ),
        caller_number=caller_number(body),
    )


def parse_agent_note(body: Any, dispositions: Iterable[str]) -> AgentNote:
    """The note body {disposition, note}, or PayloadError."""
    body = _object(body)
    allowed = list(dispositions)
    disposition = body.get("disposition")
    if disposition is None:
        raise PayloadError("missing_field", field="disposition")
    if disposition not in allowed:
        raise PayloadError("bad_field", field="disposition", why="应为 " + "、".join(allowed) + " 之一")
    note = body.get("note", "")
    if note is None:
        note = ""
    if not isinstance(note, str) or len(note) > MAX_NOTE:
        raise PayloadError("bad_field", field="note", why=f"应为不超过 {MAX_NOTE} 字的文字")
    return AgentNote(disposition=disposition, note=note.strip())


def call_id(body: dict) -> str:
    return _string(
        body,
        "call_id",
        required=True,
        pattern=_CALL_ID,
        why="只能是字母、数字、点、冒号、下划线和连字符，最长 128 个字符",
    )


def caller_number(body: dict) -> Optional[str]:
    number = _string(body, "caller_number", required=False, pattern=_PHONE, why="应为电话号码")
    return re.sub(r"[\s\-]", "", number) if number else None


# ---- field helpers ------------------------------------------------------
def _object(body: Any) -> dict:
    if not isinstance(body, dict):
        raise PayloadError("bad_json")
    return body


def _string(body: dict, field: str, required: bool, pattern: re.Pattern, why: str) -> Optional[str]:
    value = body.get(field)
    if value is None or value == "":
        if required:
            raise PayloadError("missing_field", field=field)
        return None
    if not isinstance(value, str) or not pattern.fullmatch(value.strip()):
        raise PayloadError("bad_field", field=field, why=why)
    return value.strip()


def _text(body: dict, field: str, required: bool, allow_empty: bool) -> Optional[str]:
    value = body.get(field)
    if value is None:
        if required:
            raise PayloadError("missing_field", field=field)
        return None
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise PayloadError("bad_field", field=field, why=f"应为不超过 {MAX_TEXT} 字的文字")
    # A leading "/" would reach Rasa as an intent command (/restart): never from outside.
    value = value.strip().lstrip("/").strip()
    if not value and not allow_empty:
        raise PayloadError("missing_field", field=field)
    return value


def _confidence(body: dict) -> Optional[float]:
    value = body.get("asr_confidence")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise PayloadError("bad_field", field="asr_confidence", why="应为 0 到 1 之间的数字")
    return float(value)


def _voiceprint(body: dict) -> Optional[List[float]]:
    value = body.get("voiceprint")
    if value is None:
        return None
    why = f"应为 2 到 {MAX_VOICEPRINT} 个数字组成的数组"
    if not isinstance(value, list) or not 2 <= len(value) <= MAX_VOICEPRINT:
        raise PayloadError("bad_field", field="voiceprint", why=why)
    if any(isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x) for x in value):
        raise PayloadError("bad_field", field="voiceprint", why=why)
    return [float(x) for x in value]
