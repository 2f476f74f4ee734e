"""Every channel's request body, checked: the REST webhook, the IVR and the agent panel (contract §2).

One set of limits and one catalogue of Chinese error texts (bot/catalogue/channel_errors.yml)
for every channel and route: the same field is checked the same way wherever it comes
in (a conversation id is a REST `sender` or an IVR/agent `call_id`, and the summary's
`call_id` either way), and the same problem gets the same code and message. The body-size
limit (BOT_MAX_BODY_BYTES) is applied to every POST by bot/integration/http/guard.py.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any, Iterable, List, Optional

from bot.core.datafiles import catalogue

IVR_EVENTS = ("start", "utterance", "dtmf", "hangup")
SPEAKERS = ("caller", "agent")  # the transcript feed's two sides (contract §6)
MAX_TEXT = 2000  # characters of what the caller says (REST message, IVR text, agent text)
MAX_NOTE = 4000  # characters of an agent's note
MAX_ID = 128  # characters of a conversation id
MAX_VOICEPRINT = 1024
_CONVERSATION_ID = re.compile(rf"[\w.:@\-]{{1,{MAX_ID}}}")
_PHONE = re.compile(r"\+?[0-9][0-9\- ]{2,30}")
_AGENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._\-]{0,63}")
_DTMF = re.compile(r"[0-9*#]{1,32}")


def error_message(code: str, **values: Any) -> str:
    """The Chinese message for an error code, placeholders filled (the code itself if unknown)."""
    return catalogue("channel_errors.yml")["errors"].get(code, code).format(**values)


def why(kind: str, **values: Any) -> str:
    """The explanation a `bad_field` message gives for a kind of field."""
    return catalogue("channel_errors.yml")["why"][kind].format(**values)


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
class TranscriptSegment:
    """One speech-recognition segment from the call platform (contract §6)."""

    call_id: str
    speaker: str  # caller | agent
    text: str
    final: bool = True
    agent_id: Optional[str] = None
    caller_number: Optional[str] = None


@dataclass(frozen=True)
class AgentNote:
    """The agent's disposition and free-text note for a call."""

    disposition: str
    note: str


def parse_json_object(raw: Optional[bytes]) -> dict:
    """The request body as a JSON object, or PayloadError saying what it is instead."""
    if not raw:
        raise PayloadError("empty_body")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise PayloadError("invalid_encoding") from None
    try:
        data = json.loads(text)
    except ValueError:
        raise PayloadError("invalid_json") from None
    return _object(data)


def check_rest_message(body: Any) -> None:
    """The REST webhook's {sender, message, metadata}, checked; PayloadError if Rasa must not see it.

    Only checked: Rasa's REST channel reads the body itself. `message` may be empty, and
    a leading "/" is left to Rasa (the web chat opens a call with /greet, as the IVR and
    agent channels do internally).
    """
    body = _object(body)
    conversation_id(body, "sender")
    _caller_text(body.get("message"), "message", required=True)
    metadata = body.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise PayloadError("bad_field", field="metadata", why=why("object"))
    _phone((metadata or {}).get("caller_number"), "caller_number")


def parse_ivr_event(body: Any) -> IVREvent:
    """The IVR event in `body`, or PayloadError."""
    body = _object(body)
    event = body.get("event")
    if event not in IVR_EVENTS:
        raise PayloadError("bad_event")
    text = _text(body, "text", required=event == "utterance", allow_empty=True)
    dtmf = None
    if event == "dtmf":
        dtmf = _string(body, "dtmf", required=True, pattern=_DTMF, kind="dtmf")
    return IVREvent(
        call_id=conversation_id(body, "call_id"),
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
        call_id=conversation_id(body, "call_id"),
        text=_text(body, "text", required=False, allow_empty=True) or "",
        agent_id=_string(body, "agent_id", required=False, pattern=_AGENT_ID, kind="agent_id"),
        caller_number=caller_number(body),
    )


def parse_transcript_segment(body: Any) -> TranscriptSegment:
    """The transcript feed's body {call_id, agent_id, speaker, text, final, caller_number}, or
    PayloadError. `final` defaults to true; `text` may be empty only where nothing was heard."""
    body = _object(body)
    call_id = conversation_id(body, "call_id")
    speaker = body.get("speaker")
    if speaker is None or speaker == "":
        raise PayloadError("missing_field", field="speaker")
    if speaker not in SPEAKERS:
        raise PayloadError("bad_field", field="speaker", why=why("speaker"))
    final = _flag(body, "final", default=True)
    return TranscriptSegment(
        call_id=call_id,
        speaker=speaker,
        text=_text(body, "text", required=True, allow_empty=True) or "",
        final=final,
        agent_id=_string(body, "agent_id", required=False, pattern=_AGENT_ID, kind="agent_id"),
        caller_number=caller_number(body),
    )


def parse_said_item(body: Any, items: Iterable[str]) -> str:
    """The panel's "marked said by hand" body {"item": CODE}, or PayloadError."""
    body = _object(body)
    allowed = list(items)
    item = body.get("item")
    if item is None or item == "":
        raise PayloadError("missing_field", field="item")
    if item not in allowed:
        raise PayloadError("bad_field", field="item", why=why("choice", allowed="、".join(allowed)))
    return item


def parse_end_call(raw: Optional[bytes]) -> bool:
    """The end-call body: empty, or {"confirm_unsaid": true|false}; whether the agent confirmed
    ending with must-say lines still unsaid."""
    if not raw or not raw.strip():
        return False
    return _flag(parse_json_object(raw), "confirm_unsaid", default=False)


def parse_agent_note(body: Any, dispositions: Iterable[str]) -> AgentNote:
    """The note body {disposition, note}, or PayloadError."""
    body = _object(body)
    allowed = list(dispositions)
    disposition = body.get("disposition")
    if disposition is None:
        raise PayloadError("missing_field", field="disposition")
    if disposition not in allowed:
        raise PayloadError("bad_field", field="disposition", why=why("disposition", allowed="、".join(allowed)))
    note = body.get("note", "")
    if note is None:
        note = ""
    if not isinstance(note, str) or len(note) > MAX_NOTE:
        raise PayloadError("bad_field", field="note", why=why("note", limit=MAX_NOTE))
    return AgentNote(disposition=disposition, note=note.strip())


def parse_agent_end(
    raw: Optional[bytes], dispositions: Iterable[str], saved: Optional[str] = None, saved_note: str = ""
) -> AgentNote:
    """The end-call body {disposition, note}: a call ends only with a disposition, sent now or
    saved before by the agent (`saved`; none → PayloadError `disposition_required`); without
    a note the saved one stays."""
    body = parse_json_object(raw) if raw and raw.strip() else {}
    if body.get("disposition") in (None, ""):
        if not saved:
            raise PayloadError("disposition_required")
        body = {**body, "disposition": saved}
    if body.get("note") is None:
        body = {**body, "note": saved_note or ""}
    return parse_agent_note(body, dispositions)


def parse_agent_filter(value: Optional[str]) -> Optional[str]:
    """A report's `agent` query value: an agent id, or None for every agent."""
    value = (value or "").strip()
    if not value:
        return None
    if not _AGENT_ID.fullmatch(value):
        raise PayloadError("bad_field", field="agent", why=why("agent_id"))
    return value


def conversation_id(body: dict, field: str = "call_id") -> str:
    """A conversation id (REST `sender`, IVR/agent `call_id`), taken exactly as sent."""
    value = body.get(field)
    if value is None or value == "" or (isinstance(value, str) and not value.strip()):
        raise PayloadError("missing_field", field=field)
    if not isinstance(value, str) or not _CONVERSATION_ID.fullmatch(value):
        raise PayloadError("bad_field", field=field, why=why("conversation_id", limit=MAX_ID))
    return value


def caller_number(body: dict) -> Optional[str]:
    """The calling number without spaces and dashes, or None."""
    number = _phone(body.get("caller_number"), "caller_number")
    return re.sub(r"[\s\-]", "", number) if number else None


# ---- field helpers ------------------------------------------------------
def _object(body: Any) -> dict:
    if not isinstance(body, dict):
        raise PayloadError("not_an_object")
    return body


def _string(body: dict, field: str, required: bool, pattern: re.Pattern, kind: str) -> Optional[str]:
    value = body.get(field)
    if value is None or value == "":
        if required:
            raise PayloadError("missing_field", field=field)
        return None
    if not isinstance(value, str) or not pattern.fullmatch(value.strip()):
        raise PayloadError("bad_field", field=field, why=why(kind))
    return value.strip()


def _phone(value: Any, field: str) -> Optional[str]:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not _PHONE.fullmatch(value.strip()):
        raise PayloadError("bad_field", field=field, why=why("phone"))
    return value.strip()


def _caller_text(value: Any, field: str, required: bool) -> Optional[str]:
    """What the caller said, as any channel receives it: a string of at most MAX_TEXT characters."""
    if value is None:
        if required:
            raise PayloadError("missing_field", field=field)
        return None
    if not isinstance(value, str):
        raise PayloadError("bad_field", field=field, why=why("text"))
    if len(value) > MAX_TEXT:
        raise PayloadError("text_too_long", field=field, limit=MAX_TEXT)
    if "\x00" in value:
        raise PayloadError("bad_field", field=field, why=why("control_characters"))
    return value


def _text(body: dict, field: str, required: bool, allow_empty: bool) -> Optional[str]:
    value = _caller_text(body.get(field), field, required)
    if value is None:
        return None
    # A leading "/" would reach Rasa as an intent command (/restart): never from these channels.
    value = value.strip().lstrip("/").strip()
    if not value and not allow_empty:
        raise PayloadError("missing_field", field=field)
    return value


def _flag(body: dict, field: str, default: bool) -> bool:
    value = body.get(field)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise PayloadError("bad_field", field=field, why=why("flag"))
    return value


def _confidence(body: dict) -> Optional[float]:
    value = body.get("asr_confidence")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise PayloadError("bad_field", field="asr_confidence", why=why("confidence"))
    return float(value)


def _voiceprint(body: dict) -> Optional[List[float]]:
    value = body.get("voiceprint")
    if value is None:
        return None
    if not isinstance(value, list) or not 2 <= len(value) <= MAX_VOICEPRINT:
        raise PayloadError("bad_field", field="voiceprint", why=why("voiceprint", limit=MAX_VOICEPRINT))
    if any(isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x) for x in value):
        raise PayloadError("bad_field", field="voiceprint", why=why("voiceprint", limit=MAX_VOICEPRINT))
    return [float(x) for x in value]
