"""YAML files read with their line numbers (ruamel.yaml), so messages can point at a line."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError


class YamlSyntaxError(ValueError):
    """A file that is not valid YAML; line is 1-based (None when unknown)."""

    def __init__(self, path: Path, line: Optional[int], detail: str):
        super().__init__(f"{path}:{line}: {detail}")
        self.path, self.line, self.detail = path, line, detail


def load(path: Path) -> Any:
    """The document with line information (CommentedMap / CommentedSeq), or YamlSyntaxError."""
    yaml = YAML(typ="rt")
    try:
        with open(path, encoding="utf-8") as fh:
            return yaml.load(fh)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise YamlSyntaxError(path, line, _syntax_hint(exc)) from exc
    except (YAMLError, UnicodeDecodeError) as exc:
        raise YamlSyntaxError(path, None, str(exc).splitlines()[0]) from exc


def _syntax_hint(exc: MarkedYAMLError) -> str:
    problem = (exc.problem or exc.context or "").strip()
    if "mapping values are not allowed" in problem:
        return "这一行的冒号位置不对：文字里有英文冒号时请给整段文字加英文双引号，或检查缩进"
    if "could not find expected ':'" in problem:
        return "缺少英文冒号“:”，或上一行的引号没有配对"
    if "found character '\\t'" in problem:
        return "用了 Tab 缩进：YAML 只能用空格缩进"
    if "did not find expected key" in problem or "expected <block end>" in problem:
        return "缩进不一致：同一级的条目要对齐（只用空格）"
    if "found duplicate key" in problem or "duplicate key" in str(exc):
        return "同一段里出现了重复的名字，请删除或改名其中一个"
    if "found unexpected end of stream" in problem or "while scanning a quoted scalar" in str(exc):
        return "引号没有配对：请检查这一行及上一行的引号"
    return f"YAML 格式错误（{problem or exc}）：请检查缩进、冒号和引号"


def key_line(node: Any, key: Any) -> Optional[int]:
    """1-based line of a mapping key, or None when the node carries no line information."""
    try:
        return node.lc.key(key)[0] + 1
    except (AttributeError, KeyError, TypeError):
        return None


def item_line(node: Any, index: int) -> Optional[int]:
    """1-based line of a sequence item."""
    try:
        return node.lc.item(index)[0] + 1
    except (AttributeError, KeyError, IndexError, TypeError):
        return None


def node_line(node: Any) -> Optional[int]:
    """1-based line where a mapping or sequence node starts."""
    try:
        return node.lc.line + 1
    except AttributeError:
        return None


def find_line(path: Path, needle: str, start: int = 1) -> Optional[int]:
    """First 1-based line at or after start that contains needle."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    for number, text in enumerate(lines[start - 1 :], start):
        if needle in text:
            return number
    return None
