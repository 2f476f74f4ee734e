"""The domain file as the trainer tools read it: names, lines, response variants (no Rasa)."""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Set

from bot.trainer import yamlfile

AGENT_CHANNEL = "agent"
# Actions Rasa brings itself: stories may use them without listing them in the domain.
DEFAULT_ACTIONS = frozenset(
    {
        "action_listen",
        "action_restart",
        "action_session_start",
        "action_default_fallback",
        "action_deactivate_loop",
        "action_revert_fallback_events",
        "action_default_ask_affirmation",
        "action_default_ask_rephrase",
        "action_two_stage_fallback",
        "action_unlikely_intent",
        "action_back",
        "action_extract_slots",
    }
)
DEFAULT_INTENTS = frozenset({"restart", "back", "out_of_scope", "session_start", "nlu_fallback"})
_PLACEHOLDER = re.compile(r"(?<!\{)\{([^{}]*)\}(?!\})")


@dataclass
class Variant:
    """One variant of a response: its text, channel, whether it has a condition, its line."""

    text: str
    channel: Optional[str]
    conditional: bool
    line: Optional[int]
    condition: tuple = ()  # the slot conditions, as sorted (name, value) pairs

    @property
    def placeholders(self) -> List[str]:
        return placeholders(self.text)


@dataclass
class Response:
    name: str
    line: Optional[int]
    variants: List[Variant] = field(default_factory=list)

    @property
    def caller_facing(self) -> bool:
        """Whether a caller hears it: some variant is not for the agent panel only."""
        return any(v.channel != AGENT_CHANNEL for v in self.variants)

    @property
    def has_agent_variant(self) -> bool:
        return any(v.channel == AGENT_CHANNEL for v in self.variants)

    def conditions_without_agent_variant(self) -> List[tuple]:
        """Conditions a caller variant has that no agent variant covers (an unconditional one covers all)."""
        agent = {v.condition for v in self.variants if v.channel == AGENT_CHANNEL}
        if () in agent:
            return []
        caller = [v.condition for v in self.variants if v.channel != AGENT_CHANNEL]
        return list(dict.fromkeys(c for c in caller if c not in agent))

    @property
    def first_text(self) -> str:
        """The caller-facing text trainers recognise the response by (first non-agent variant)."""
        for v in self.variants:
            if v.channel != AGENT_CHANNEL:
                return v.text
        return self.variants[0].text if self.variants else ""


@dataclass
class Domain:
    """Intents, slots, forms, actions and responses, each with its line in domain.yml."""

    path: Path
    intents: Dict[str, Optional[int]] = field(default_factory=dict)
    entities: Dict[str, Optional[int]] = field(default_factory=dict)
    slots: Dict[str, dict] = field(default_factory=dict)
    slot_lines: Dict[str, Optional[int]] = field(default_factory=dict)
    forms: Dict[str, List[str]] = field(default_factory=dict)
    form_lines: Dict[str, Optional[int]] = field(default_factory=dict)
    actions: Dict[str, Optional[int]] = field(default_factory=dict)
    responses: Dict[str, Response] = field(default_factory=dict)
    section_lines: Dict[str, Optional[int]] = field(default_factory=dict)

    def slot_values(self, slot: str) -> List[str]:
        """The values of a categorical slot."""
        return [str(v) for v in (self.slots.get(slot) or {}).get("values") or []]

    def influential_slots(self) -> Set[str]:
        """Slots that influence the dialogue (Rasa's default: all but type any); requested_slot too."""
        out = {"requested_slot"}
        for name, spec in self.slots.items():
            spec = spec or {}
            if spec.get("influence_conversation", spec.get("type") != "any"):
                out.add(name)
        return out

    def knows_action(self, name: str) -> bool:
        return name in self.actions or name in self.forms or name in self.responses or name in DEFAULT_ACTIONS

    def knows_intent(self, name: str) -> bool:
        return name in self.intents or name in DEFAULT_INTENTS


def placeholders(text: str) -> List[str]:
    """The {names} a template fills in (Python format fields; {{ }} is a literal brace)."""
    names = []
    try:
        for _, field_name, _, _ in string.Formatter().parse(text or ""):
            if field_name is not None:
                names.append(field_name)
    except ValueError:  # unbalanced braces: report what the simple pattern sees
        names = _PLACEHOLDER.findall(text or "")
    return names


def load(path: Path) -> Domain:
    """Read domain.yml (raises yamlfile.YamlSyntaxError)."""
    doc = yamlfile.load(path) or {}
    domain = Domain(path)
    if not isinstance(doc, dict):
        return domain
    for section in doc:
        domain.section_lines[str(section)] = yamlfile.key_line(doc, section)
    domain.intents = _names(doc.get("intents"))
    domain.entities = _names(doc.get("entities"))
    domain.actions = _names(doc.get("actions"))
    slots = doc.get("slots") or {}
    if isinstance(slots, dict):
        domain.slots = {str(k): (v if isinstance(v, dict) else {}) for k, v in slots.items()}
        domain.slot_lines = {str(k): yamlfile.key_line(slots, k) for k in slots}
    forms = doc.get("forms") or {}
    if isinstance(forms, dict):
        for name, spec in forms.items():
            required = (spec or {}).get("required_slots") if isinstance(spec, dict) else None
            domain.forms[str(name)] = (
                [str(s) for s in required or []] if isinstance(required, list) else [str(s) for s in (required or {})]
            )
            domain.form_lines[str(name)] = yamlfile.key_line(forms, name)
    responses = doc.get("responses") or {}
    if isinstance(responses, dict):
        for name, variants in responses.items():
            domain.responses[str(name)] = Response(str(name), yamlfile.key_line(responses, name), _variants(variants))
    return domain


def _names(raw: Any) -> Dict[str, Optional[int]]:
    """Names listed as `- name` or `- name: {...}` or as mapping keys, with their lines."""
    out: Dict[str, Optional[int]] = {}
    if isinstance(raw, list):
        for i, item in enumerate(raw):
            name = next(iter(item), None) if isinstance(item, dict) else item
            if name is not None:
                out[str(name)] = yamlfile.item_line(raw, i)
    elif isinstance(raw, dict):
        out = {str(k): yamlfile.key_line(raw, k) for k in raw}
    return out


def _condition(raw: Any) -> tuple:
    if not isinstance(raw, list):
        return ()
    return tuple(sorted((str(c.get("name")), str(c.get("value"))) for c in raw if isinstance(c, dict)))


def _variants(raw: Any) -> List[Variant]:
    if not isinstance(raw, list):
        return []
    out = []
    for i, item in enumerate(raw):
        if isinstance(item, dict):
            out.append(
                Variant(
                    str(item.get("text") or ""),
                    item.get("channel"),
                    bool(item.get("condition")),
                    yamlfile.item_line(raw, i),
                    _condition(item.get("condition")),
                )
            )
    return out
