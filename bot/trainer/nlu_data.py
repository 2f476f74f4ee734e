"""NLU examples per intent from data/nlu (plain YAML, annotations stripped)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Optional

from bot.trainer import yamlfile

_ANNOTATION = re.compile(r"\[([^\]]*)\](?:\{[^}]*\}|\([^)]*\))")


@dataclass
class IntentExamples:
    intent: str
    file: Path
    line: Optional[int]
    examples: List[str] = field(default_factory=list)


def plain(example: str) -> str:
    """An example without entity annotations: `我是[他妈妈]{...}` → `我是他妈妈`."""
    return _ANNOTATION.sub(r"\1", example).strip()


def read(paths: Iterable[Path]) -> Dict[str, List[IntentExamples]]:
    """intent → its example blocks (one per file that has it); files that do not parse are skipped."""
    out: Dict[str, List[IntentExamples]] = {}
    for path in paths:
        try:
            doc = yamlfile.load(path)
        except yamlfile.YamlSyntaxError:
            continue
        items = doc.get("nlu") if isinstance(doc, dict) else None
        for index, item in enumerate(items or []):
            if not isinstance(item, dict) or "intent" not in item:
                continue
            lines = str(item.get("examples") or "").splitlines()
            examples = [plain(x.strip()[1:]) for x in lines if x.strip().startswith("-")]
            out.setdefault(str(item["intent"]), []).append(
                IntentExamples(str(item["intent"]), path, yamlfile.item_line(items, index), examples)
            )
    return out


def first_example(data: Dict[str, List[IntentExamples]], intent: str) -> str:
    for block in data.get(intent, []):
        if block.examples:
            return block.examples[0]
    return ""
