"""The layers of bot/ as its package docstrings state them: checked over every module's imports.

The imports are read from the source (every `import` and `from … import`, at
module level and inside functions), so a lazy import inside a function counts
as much as one at the top.
"""

import ast
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parents[2] / "bot"

# Third-party packages the pure core may not use (I/O, web, Rasa).
CORE_FORBIDDEN = (
    "rasa",
    "rasa_sdk",
    "sanic",
    "sqlalchemy",
    "requests",
    "aiohttp",
    "httpx",
    "urllib",
    "socket",
    "sqlite3",
    "subprocess",
    "asyncio",
)
# Which bot packages each layer may import (besides itself and the standard library).
ALLOWED = {
    "core": {"core"},
    "presentation": {"core", "presentation"},
    "services": {"core", "services", "settings"},
    "nlu": {"core", "nlu"},
}


def modules(package: str):
    return sorted(p for p in (BOT / package).rglob("*.py"))


def imported(path: Path):
    """Every module name imported anywhere in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            if node.module == "bot":
                for alias in node.names:
                    yield f"bot.{alias.name}"


def layer_of(module: str):
    parts = module.split(".")
    if parts[0] != "bot" or len(parts) < 2:
        return None
    return parts[1]


@pytest.mark.parametrize("path", modules("core"), ids=lambda p: str(p.relative_to(BOT)))
def test_core_imports_nothing_that_does_io(path):
    for name in imported(path):
        top = name.split(".")[0]
        assert top not in CORE_FORBIDDEN, f"{path.relative_to(BOT)} imports {name}"
        if top == "bot":
            assert layer_of(name) in ALLOWED["core"], f"{path.relative_to(BOT)} imports {name}"


@pytest.mark.parametrize("layer", ["presentation", "services", "nlu"])
def test_each_layer_imports_only_the_layers_below(layer):
    wrong = []
    for path in modules(layer):
        for name in imported(path):
            top = layer_of(name)
            if top is not None and top not in ALLOWED[layer]:
                wrong.append(f"{path.relative_to(BOT)} → {name}")
            if layer != "nlu" and name.split(".")[0] in ("rasa", "rasa_sdk", "sanic"):
                wrong.append(f"{path.relative_to(BOT)} → {name}")
    assert not wrong, "\n".join(wrong)


def test_only_the_integration_layer_and_nlu_component_import_rasa_or_sanic():
    outside = []
    for path in BOT.rglob("*.py"):
        rel = path.relative_to(BOT)
        if rel.parts[0] in ("integration", "trainer") or rel == Path("nlu/component.py"):
            continue
        for name in imported(path):
            if name.split(".")[0] in ("rasa", "rasa_sdk", "sanic"):
                outside.append(f"{rel} → {name}")
    # The launcher and the CLI start Rasa's processes and train its model.
    allowed = {"ops/train_model.py", "ops/logs.py", "ops/nlu_eval.py"}
    assert sorted(o for o in outside if o.split(" ")[0] not in allowed) == []


def test_no_import_circle():
    graph = {}
    for path in BOT.rglob("*.py"):
        rel = path.relative_to(BOT.parent).with_suffix("")
        name = ".".join(rel.parts[:-1] if rel.name == "__init__" else rel.parts)
        graph[name] = set()
        for imp in imported(path):
            if imp.startswith("bot"):
                graph[name].add(imp)
    known = set(graph)

    def resolve(name):
        while name and name not in known:
            name = name.rpartition(".")[0]
        return name

    edges = {m: {resolve(i) for i in deps if resolve(i) and resolve(i) != m} for m, deps in graph.items()}
    # a package's __init__ re-exporting its own modules is not a circle
    edges = {m: {d for d in deps if not (m.startswith(d + ".") or d.startswith(m + "."))} for m, deps in edges.items()}
    state, stack, circles = {}, [], []

    def visit(m):
        state[m] = "open"
        stack.append(m)
        for d in edges.get(m, ()):
            if state.get(d) == "open":
                circles.append(stack[stack.index(d) :] + [d])
            elif d not in state:
                visit(d)
        stack.pop()
        state[m] = "done"

    for m in sorted(edges):
        if m not in state:
            visit(m)
    assert not circles, " ; ".join(" → ".join(c) for c in circles)


def test_at_most_six_modules_at_the_top_of_bot():
    top = sorted(p.name for p in BOT.glob("*.py"))
    assert len(top) <= 6, top


def test_every_package_says_what_it_may_import():
    for init in BOT.rglob("__init__.py"):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and len(doc) > 40, f"{init.relative_to(BOT)} has no docstring saying what it is for"
