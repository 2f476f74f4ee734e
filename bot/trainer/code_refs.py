"""Which responses the Python code utters, and with which template values (read with ast)."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Set

RESPONSE_NAME = re.compile(r"^utter_[A-Za-z0-9_]+$")
RESPONSE_PREFIX = re.compile(r"^utter_[A-Za-z0-9_]*$")
# utter_message's own parameters: not template values.
UTTER_PARAMS = {"text", "image", "json_message", "template", "response", "attachment", "buttons", "elements"}


@dataclass(frozen=True)
class Ref:
    """A place in the code that names a response (file, line) and the action it runs in."""

    name: str
    file: Path
    line: int
    action: Optional[str] = None


@dataclass
class CodeRefs:
    """Responses named in code, name prefixes built at run time, template values per response."""

    names: Dict[str, List[Ref]] = field(default_factory=dict)
    prefixes: Dict[str, List[Ref]] = field(default_factory=dict)
    kwargs: Dict[str, Set[str]] = field(default_factory=dict)
    prefix_kwargs: Dict[str, Set[str]] = field(default_factory=dict)  # values passed with f"utter_x_{...}"
    action_responses: Dict[str, Set[str]] = field(default_factory=dict)
    keys: Set[str] = field(default_factory=set)  # utter_-like strings used as dict keys, not responses

    def uttered_names(self) -> Dict[str, List[Ref]]:
        """Names code utters as responses (strings only ever used as dict keys left out)."""
        return {n: refs for n, refs in self.names.items() if n not in self.keys or n in self.kwargs}

    def uses(self, response: str) -> bool:
        """Whether code may utter this response (named, or matching a run-time prefix)."""
        return response in self.names or any(response.startswith(p) for p in self.prefixes)

    def values_for(self, response: str) -> Set[str]:
        """Template values code passes when uttering this response."""
        values = set(self.kwargs.get(response, set()))
        for prefix, names in self.prefix_kwargs.items():
            if response.startswith(prefix):
                values |= names
        return values


def scan(dirs: Iterable[Path], exclude: Iterable[Path] = ()) -> CodeRefs:
    """Scan every .py file under dirs (skipping exclude) for response names."""
    refs = CodeRefs()
    skipped = [Path(p).resolve() for p in exclude]
    for folder in dirs:
        for path in sorted(Path(folder).rglob("*.py")) if Path(folder).is_dir() else []:
            resolved = path.resolve()
            if "__pycache__" in path.parts or any(s == resolved or s in resolved.parents for s in skipped):
                continue
            try:
                tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            except (SyntaxError, UnicodeDecodeError):
                continue
            _Visitor(path, refs, _module_names(tree)).visit(tree)
    return refs


class _Visitor(ast.NodeVisitor):
    def __init__(self, path: Path, refs: CodeRefs, module: Optional[Dict[str, _Names]] = None):
        self.path, self.refs = path, refs
        self.module = module or {}
        self.action: Optional[str] = None

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        outer = self.action
        self.action = _action_name(node) or outer
        self.generic_visit(node)
        self.action = outer

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str) and RESPONSE_NAME.match(node.value):
            self._add(self.refs.names, node.value, node)

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        first = node.values[0] if node.values else None
        if (
            isinstance(first, ast.Constant)
            and isinstance(first.value, str)
            and RESPONSE_PREFIX.match(first.value)
            and len(node.values) > 1
        ):
            self._add(self.refs.prefixes, first.value, node)
            return
        self.generic_visit(node)

    def visit_Dict(self, node: ast.Dict) -> None:
        self.refs.keys.update(c for k in node.keys if k is not None for c in _constants(k) if RESPONSE_NAME.match(c))
        self.generic_visit(node)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        self.refs.keys.update(c for c in _constants(node.slice) if RESPONSE_NAME.match(c))
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "get" and node.args:
            self.refs.keys.update(c for c in _constants(node.args[0]) if RESPONSE_NAME.match(c))
        if isinstance(func, ast.Attribute) and func.attr in ("utter_message", "generate"):
            # dispatcher.utter_message(response=..., **values) in actions; nlg.generate(name, ..., **values)
            # on the Rasa server. The name may be a module constant or what a module function returns.
            given = [kw.value for kw in node.keywords if kw.arg in ("response", "template")]
            if func.attr == "generate" and node.args:
                given.append(node.args[0])
            found = _Names()
            for expr in given:
                found.add(self._resolve(expr))
            values = {kw.arg for kw in node.keywords if kw.arg and kw.arg not in UTTER_PARAMS}
            for name in found.names:
                self.refs.kwargs.setdefault(name, set()).update(values)
            for prefix in found.prefixes:
                self.refs.prefix_kwargs.setdefault(prefix, set()).update(values)
        self.generic_visit(node)

    def _add(self, table: Dict[str, List[Ref]], name: str, node: ast.AST) -> None:
        table.setdefault(name, []).append(Ref(name, self.path, node.lineno, self.action))
        if self.action and table is self.refs.names:
            self.refs.action_responses.setdefault(self.action, set()).add(name)

    def _resolve(self, expr: ast.AST) -> _Names:
        """The response names an expression can be: constants, module constants, a module function's returns."""
        if isinstance(expr, ast.IfExp):  # "utter_x" if … else a_function(…): both arms
            found = self._resolve(expr.body)
            found.add(self._resolve(expr.orelse))
            return found
        found = _Names(_constants(expr))
        if isinstance(expr, ast.Name) and expr.id in self.module:
            found.add(self.module[expr.id])
        if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.func.id in self.module:
            found.add(self.module[expr.func.id])
        return found


@dataclass
class _Names:
    names: List[str] = field(default_factory=list)
    prefixes: List[str] = field(default_factory=list)

    def add(self, other: _Names) -> None:
        self.names += other.names
        self.prefixes += other.prefixes


def _module_names(tree: ast.Module) -> Dict[str, _Names]:
    """Module-level `NAME = "utter_x"` constants and the response names module functions return."""
    table: Dict[str, _Names] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            names = [c for c in _constants(stmt.value) if RESPONSE_NAME.match(c)]
            if names:
                table[stmt.targets[0].id] = _Names(names)
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found = _Names()
            for node in ast.walk(stmt):
                if isinstance(node, ast.Return) and node.value is not None:
                    found.names += [c for c in _constants(node.value) if RESPONSE_NAME.match(c)]
                    value = node.value
                    if isinstance(value, ast.JoinedStr) and value.values and isinstance(value.values[0], ast.Constant):
                        first = value.values[0].value
                        if isinstance(first, str) and RESPONSE_PREFIX.match(first) and len(value.values) > 1:
                            found.prefixes.append(first)
            if found.names or found.prefixes:
                table[stmt.name] = found
    return table


def _action_name(node: ast.ClassDef) -> Optional[str]:
    """The string a class's `name()` method returns (a Rasa SDK action), if constant."""
    for item in node.body:
        if isinstance(item, ast.FunctionDef) and item.name == "name":
            for stmt in ast.walk(item):
                if isinstance(stmt, ast.Return) and isinstance(stmt.value, ast.Constant):
                    return str(stmt.value.value)
    return None


def _constants(node: ast.AST) -> List[str]:
    """String constants an expression can evaluate to (a constant, or both arms of an if)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _constants(node.body) + _constants(node.orelse)
    return []
