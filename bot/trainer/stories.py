"""Stories and rules as plain data with their file and line (no Rasa)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple

from bot.trainer import yamlfile

INTENT, ACTION, ACTIVE_LOOP, SLOT, OR, CHECKPOINT = "intent", "action", "active_loop", "slot", "or", "checkpoint"


@dataclass(frozen=True)
class Step:
    """One step: an intent (with text and entities), an action, an active_loop, a slot, an or."""

    kind: str
    name: Optional[str]
    line: Optional[int]
    text: Optional[str] = None
    entities: Tuple[Tuple[str, str], ...] = ()
    options: Tuple[str, ...] = ()  # the intents of an `or` step

    @property
    def key(self) -> Tuple[str, Optional[str]]:
        """What identifies the step in a flow (kind and name; `or` joins its intents)."""
        if self.kind == OR:
            return (OR, "|".join(self.options))
        return (self.kind, self.name)


@dataclass
class Block:
    """A story or a rule."""

    kind: str  # "story" or "rule"
    name: str
    file: Path
    line: Optional[int]
    steps: List[Step] = field(default_factory=list)
    condition: List[Step] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{'规则' if self.kind == 'rule' else '故事'}「{self.name}」"


def read_blocks(path: Path) -> List[Block]:
    """The stories and rules of one file (raises yamlfile.YamlSyntaxError)."""
    doc = yamlfile.load(path)
    blocks: List[Block] = []
    if not isinstance(doc, dict):
        return blocks
    for section, kind in (("stories", "story"), ("rules", "rule")):
        items = doc.get(section) or []
        if not isinstance(items, list):
            continue
        for index, item in enumerate(items):
            if not isinstance(item, dict) or kind not in item:
                continue
            block = Block(kind, str(item.get(kind)), path, yamlfile.item_line(items, index))
            block.steps = _steps(item.get("steps"))
            block.condition = _steps(item.get("condition"))
            blocks.append(block)
    return blocks


def read_all(paths: Iterable[Path]) -> Tuple[List[Block], Dict[Path, yamlfile.YamlSyntaxError]]:
    """Blocks of every file that parses, and the syntax error of each file that does not."""
    blocks: List[Block] = []
    broken: Dict[Path, yamlfile.YamlSyntaxError] = {}
    for path in paths:
        try:
            blocks.extend(read_blocks(path))
        except yamlfile.YamlSyntaxError as exc:
            broken[path] = exc
    return blocks, broken


def _steps(raw: Any) -> List[Step]:
    if not isinstance(raw, list):
        return []
    return [step for i, item in enumerate(raw) for step in _step(item, yamlfile.item_line(raw, i))]


def _step(item: Any, line: Optional[int]) -> List[Step]:
    if not isinstance(item, dict):
        return []
    if "intent" in item or "user" in item:
        text = str(item["user"]).strip() if item.get("user") is not None else None
        return [Step(INTENT, item.get("intent"), line, text, _entities(item.get("entities")))]
    if "action" in item:
        return [Step(ACTION, str(item["action"]), line)]
    if "active_loop" in item:
        value = item["active_loop"]
        return [Step(ACTIVE_LOOP, None if value is None else str(value), line)]
    if "slot_was_set" in item:
        out = []
        for slot in item.get("slot_was_set") or []:
            if isinstance(slot, dict):
                out += [Step(SLOT, str(k), line, text=_text(v)) for k, v in slot.items()]
            else:
                out.append(Step(SLOT, str(slot), line))
        return out
    if "or" in item:
        intents = tuple(str(x.get("intent")) for x in item.get("or") or [] if isinstance(x, dict) and x.get("intent"))
        return [Step(OR, None, line, options=intents)]
    if "checkpoint" in item:
        return [Step(CHECKPOINT, str(item["checkpoint"]), line)]
    return []


def _entities(raw: Any) -> Tuple[Tuple[str, str], ...]:
    out = []
    for entity in raw or []:
        if isinstance(entity, dict):
            out += [(str(k), _text(v)) for k, v in entity.items() if k not in ("role", "group")]
        else:
            out.append((str(entity), ""))
    return tuple(out)


def _text(value: Any) -> str:
    return "null" if value is None else str(value)
