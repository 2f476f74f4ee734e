"""`python -m bot export-story CALL_ID`: a real call from the tracker store as a test story.

Plain Python over the events Rasa's SQL tracker store keeps. The story holds
what `rasa test` compares — the intent of every caller turn, every action the
bot ran and the form's active_loop steps — plus the caller's words under
`user:` (names, ID digits and phone numbers masked) and the bot's lines as
comments, so a trainer can read it. Steps Rasa runs by itself
(action_listen, action_session_start, action_extract_slots, the form's
validate_* action) are not story steps; `requested_slot: null` is written
where the form ends, because the wrap-up rule waits for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, Set

import yaml

from bot.core.call_view import slots_from_events
from bot.core.clock import china_time
from bot.core.masking import mask

NOT_STORY_ACTIONS = {"action_listen", "action_session_start", "action_extract_slots", "action_unlikely_intent"}
FILE_HEADER = """\
# 从真实通话导出的测试故事（python -m bot export-story CALL_ID 追加到这里）。
# rasa test 比对每一轮的意图和机器人的动作；user: 下是客户原话（姓名、证件号、手机号已打码），
# “# 客服：”注释是当时机器人说的话，只供阅读。
version: "3.1"
stories:
"""


class ExportError(ValueError):
    """The call cannot be exported (no events, already exported, unusable target file)."""


@dataclass
class Turn:
    """One story step: kind is user, action, active_loop or slot."""

    kind: str
    name: Optional[str] = None
    text: str = ""
    value: Any = None
    entities: List[tuple] = field(default_factory=list)
    said: List[str] = field(default_factory=list)


def applied(events: Iterable[dict]) -> List[dict]:
    """The events of the latest session, without reverted ones (Rasa's rules, forms kept whole)."""
    out: List[dict] = []
    for e in events:
        kind = e.get("event")
        if kind == "session_started":  # keep the opening lines action_session_start said
            starts = [
                i for i, x in enumerate(out) if x.get("event") == "action" and x.get("name") == "action_session_start"
            ]
            out = [x for x in out[starts[-1] :] if x.get("event") == "bot"] if starts else []
        elif kind == "restart":
            out = []
        elif kind == "undo":
            _drop_back_to(out, "action")
        elif kind == "rewind":
            _drop_back_to(out, "user")
            _drop_back_to(out, "action")
        else:
            out.append(e)
    return out


def _drop_back_to(events: List[dict], kind: str) -> None:
    while events:
        if events.pop().get("event") == kind:
            return


def turns(
    events: Iterable[dict], influential_slots: Set[str] = frozenset(), responses: Optional[Dict[str, str]] = None
) -> List[Turn]:
    """Story steps from tracker events. responses: name → template, used for bot lines with values."""
    out: List[Turn] = []
    opening: List[str] = []
    last_slot: Dict[str, Any] = {}
    for e in applied(events):
        kind = e.get("event")
        if kind == "user":
            parse = e.get("parse_data") or {}
            intent = (parse.get("intent") or {}).get("name")
            entities = [(x.get("entity"), x.get("value")) for x in parse.get("entities") or []]
            out.append(Turn("user", intent, text=e.get("text") or "", entities=entities))
        elif kind == "action":
            name = e.get("name")
            if name and name not in NOT_STORY_ACTIONS and not name.startswith("validate_"):
                out.append(Turn("action", name))
        elif kind == "bot":
            line = _bot_line(e, responses or {})
            target = next((t for t in reversed(out) if t.kind == "action"), None)
            (target.said if target is not None else opening).append(line)
        elif kind == "active_loop":
            out.append(Turn("active_loop", e.get("name")))
            if e.get("name") is None:
                out.append(Turn("slot", "requested_slot", value=None))
        elif kind == "slot":
            name, value = e.get("name"), e.get("value")
            if name in influential_slots and name != "requested_slot" and last_slot.get(name, object()) != value:
                out.append(Turn("slot", name, value=value))
            last_slot[name] = value
    if opening:
        out.insert(0, Turn("opening", said=opening))
    return out


def _bot_line(event: dict, responses: Dict[str, str]) -> str:
    """What the bot said; lines with filled-in values (account facts, references) as their template."""
    name = (event.get("metadata") or {}).get("utter_action")
    template = responses.get(name or "")
    if template and "{" in template:
        return template
    return event.get("text") or (name or "")


def masker(events: Iterable[dict]) -> Callable[[str], str]:
    """A function that hides this call's personal data: name, ID digits, phone numbers."""
    names, codes = set(), set()
    for e in events:
        if e.get("event") == "slot" and e.get("value"):
            if e.get("name") == "customer_name":
                names.add(str(e["value"]))
            elif e.get("name") in ("identity_code", "caller_number"):
                codes.add(str(e["value"]))

    def hide(text: str) -> str:
        for code in sorted(codes, key=len, reverse=True):
            text = text.replace(code, "*" * len(code))
        for name in sorted(names, key=len, reverse=True):
            if len(name) >= 2:
                text = text.replace(name, name[0] + "*" * (len(name) - 1))
        text = mask(text)
        return re.sub(r"(?<![0-9])[0-9]{4}(?![0-9])", "****", text)  # stray ID/loan digits

    return hide


def story_name(call_id: str, events: List[dict], labels: Dict[str, Dict[str, str]]) -> str:
    """通话 CALL_ID：来电身份 · 来电目的（日期）."""
    slots = slots_from_events(events)
    role = labels.get("caller_role", {}).get(slots.get("caller_role") or "", "")
    purpose = labels.get("purpose", {}).get(slots.get("purpose") or "", "")
    when = next((e.get("timestamp") for e in events if e.get("timestamp")), None)
    date = china_time(when, "%Y-%m-%d")
    about = " · ".join(x for x in (role, purpose) if x)
    return f"通话 {call_id}" + (f"：{about}" if about else "") + (f"（{date}）" if date else "")


def render(name: str, steps: List[Turn], hide=lambda s: s) -> str:
    """The story as YAML text (an item of `stories:`), comments included."""
    out = [f"- story: {_quote(name)}", "  steps:"]
    for t in steps:
        if t.kind == "opening":
            out += [f"  # 客服：{hide(line)}" for line in t.said]
        elif t.kind == "user":
            text = " ".join(hide(t.text).split()) or "（空）"
            out += ["  - user: |", f"      {text}", f"    intent: {t.name}"]
            if t.entities:
                out.append("    # 识别到：" + "，".join(f"{k}={v}" for k, v in t.entities))
        elif t.kind == "action":
            out.append(f"  - action: {t.name}")
            out += [f"  # 客服：{hide(line)}" for line in t.said]
        elif t.kind == "active_loop":
            out.append(f"  - active_loop: {t.name if t.name else 'null'}")
        elif t.kind == "slot":
            out += ["  - slot_was_set:", f"    - {t.name}: {_scalar(t.value)}"]
    return "\n".join(out) + "\n"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _scalar(value: Any) -> str:
    return (
        "null"
        if value is None
        else yaml.safe_dump(value, allow_unicode=True, default_flow_style=True).strip().removesuffix("...").strip()
    )


def append_story(path: Path, story_text: str, name: str) -> None:
    """Append the story under `stories:` of path (created with a header when missing)."""
    if not path.exists() or not path.read_text(encoding="utf-8").strip():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(FILE_HEADER + story_text, encoding="utf-8")
        return
    original = path.read_text(encoding="utf-8")
    try:
        doc = yaml.safe_load(original) or {}
    except yaml.YAMLError as exc:
        raise ExportError(f"{path} 不是有效的 YAML，先修好它或换一个文件（--out）：{exc}") from exc
    if not isinstance(doc, dict):
        raise ExportError(f"{path} 不是测试故事文件，请换一个文件（--out）。")
    stories = doc.get("stories") or []
    if any(isinstance(s, dict) and s.get("story") == name for s in stories):
        raise ExportError(f"{path} 里已经有故事「{name}」：这通电话已经导出过。")
    top_keys = re.findall(r"^([A-Za-z_]+):", original, flags=re.M)
    if "stories" in doc and top_keys[-1:] != ["stories"]:
        raise ExportError(f"{path} 的 stories: 不在文件最后，无法追加：请换一个文件（--out）。")
    text = original if original.endswith("\n") else original + "\n"
    if "stories" not in doc:
        text += "stories:\n"
    elif doc.get("stories") is None or re.search(r"^stories:\s*\[\s*\]\s*$", original, flags=re.M):
        text = re.sub(r"^stories:.*$", "stories:", text, flags=re.M)
    new = text + story_text
    yaml.safe_load(new)  # never leave a file rasa test cannot read
    path.write_text(new, encoding="utf-8")


def export(
    call_id: str,
    events: List[dict],
    out: Path,
    influential_slots: Set[str],
    responses: Dict[str, str],
    labels: Dict[str, Dict[str, str]],
    hide_personal: bool = True,
) -> dict:
    """Build the story of one call and append it to out; what was written."""
    session = applied(events)
    if not any(e.get("event") == "user" for e in session):
        raise ExportError(f"通话 {call_id} 里没有客户说的话，无法导出。")
    steps = turns(events, influential_slots, responses)
    name = story_name(call_id, session, labels)
    hide = masker(events) if hide_personal else (lambda s: s)
    text = render(name, steps, hide)
    append_story(out, text, name)
    return {
        "name": name,
        "turns": sum(1 for t in steps if t.kind == "user"),
        "steps": sum(1 for t in steps if t.kind in ("user", "action", "active_loop", "slot")),
        "text": text,
    }
