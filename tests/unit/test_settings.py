"""One settings module: every environment variable read through it, and documented."""

import ast
import re
from pathlib import Path

import pytest

from bot import settings

ROOT = Path(__file__).resolve().parents[2]


def _env_names_read(path: Path):
    """Names passed to env()/env_float()/env_int()/env_flag() in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("env", "env_float", "env_int", "env_flag")
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            yield node.args[0].value


def test_no_module_reads_the_environment_itself():
    readers = []
    for path in list((ROOT / "bot").rglob("*.py")) + list((ROOT / "actions").rglob("*.py")):
        if path.name == "settings.py":
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"os\.environ\.get\(|os\.getenv\(|os\.environ\[[^\]]+\](?!\s*=)", text):
            readers.append(str(path.relative_to(ROOT)))
    assert readers == []


def test_every_name_read_is_a_listed_setting():
    listed = {v.name for v in settings.VARIABLES}
    for path in (ROOT / "bot").rglob("*.py"):
        for name in _env_names_read(path):
            assert name in listed, f"{path.relative_to(ROOT)} reads {name}"


def test_endpoint_files_use_only_listed_settings():
    listed = {v.name for v in settings.VARIABLES}
    for path in [ROOT / "endpoints.yml", *(ROOT / "deploy").glob("*.yml")]:
        for name in re.findall(r"\$\{([A-Z_]+)\}", path.read_text(encoding="utf-8")):
            assert name in listed, f"{path.name} uses {name}"


def test_an_unlisted_name_is_refused():
    with pytest.raises(KeyError):
        settings.env("BOT_NO_SUCH_SETTING")


def test_values_and_fallbacks(monkeypatch):
    monkeypatch.setenv("BOT_ACTION_TIMEOUT", "0.1")
    assert settings.env_float("BOT_ACTION_TIMEOUT", 5.0, minimum=0.5) == 0.5
    monkeypatch.setenv("BOT_ACTION_TIMEOUT", "abc")
    assert settings.env_float("BOT_ACTION_TIMEOUT", 5.0) == 5.0
    monkeypatch.setenv("BOT_RASA_SPEEDUPS", "0")
    assert settings.env_flag("BOT_RASA_SPEEDUPS", True) is False
    monkeypatch.delenv("BOT_RASA_SPEEDUPS")
    assert settings.env_flag("BOT_RASA_SPEEDUPS", True) is True


def test_operations_doc_carries_the_settings_table():
    doc = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    section = re.search(r"<!-- settings:begin -->\n(.*?)\n<!-- settings:end -->", doc, re.S)
    assert section, "docs/operations.md has no settings section (python -m bot settings prints it)"
    assert section.group(1).strip() == settings.markdown_table().strip(), (
        "docs/operations.md's settings table is stale: paste `python -m bot settings` between the markers"
    )
