"""Helpers for the trainer-tool tests: a copy of the project to break one thing at a time."""

import shutil
from pathlib import Path

from tests.conftest import ROOT

COPIED = ("domain.yml", "config.yml", "data", "tests/stories", "bot", "actions")


def copy_project(dest: Path) -> Path:
    """The real project's trainer-edited files and code, copied under dest."""
    for name in COPIED:
        src, dst = ROOT / name, dest / name
        if src.is_dir():
            shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
    return dest


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    """Replace text in a fixture file (the text must be there)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
