"""Training time of our model: from scratch (fresh copy, empty cache), and a retrain after
one response text in domain.yml changed. Never touches the working tree's models/ or .rasa/."""

from __future__ import annotations

import os
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict

from bench.procs import run_timed

# Not copied: environments, VCS, build products and state of the working tree.
_IGNORE = shutil.ignore_patterns(
    ".venv", ".git", "models", ".rasa", "var", "results", "artifacts", "__pycache__", ".pytest_cache", "*.db", "*.pyc"
)

MODEL_RELATIVE = Path("models") / "script-guide.tar.gz"


@dataclass
class TrainingTimes:
    full_s: float
    retrain_s: float
    changed_response: str


def copy_project(src: Path, dst: Path) -> Path:
    """A copy of the project without .venv, .git, models/, .rasa/, var/."""
    shutil.copytree(src, dst, ignore=_IGNORE, symlinks=True)
    return dst


def project_env(project: Path, base: Dict[str, str]) -> Dict[str, str]:
    """Environment for commands run inside a project copy: its own code and training cache."""
    env = dict(base)
    env["PYTHONPATH"] = str(project)
    env["RASA_CACHE_DIRECTORY"] = str(project / ".rasa" / "cache")
    return env


def change_one_response(domain_file: Path) -> str:
    """Edit the text of one response (utter_goodbye, else the first one); the response name."""
    text = domain_file.read_text(encoding="utf-8")
    for name in ("utter_goodbye", r"utter_\w+"):
        pattern = re.compile(rf"(^\s+({name}):\s*\n\s+- text:\s*\")([^\"\n]*)(\")", re.M)
        match = pattern.search(text)
        if match:
            edited = text[: match.start(3)] + match.group(3) + "（祝您生活愉快）" + text[match.end(3) :]
            domain_file.write_text(edited, encoding="utf-8")
            return match.group(2)
    raise RuntimeError(f"no response text found to change in {domain_file}")


def time_training(project: Path, env: Dict[str, str], logs: Path, timeout: float = 600) -> TrainingTimes:
    """`python -m bot train` in the copy from scratch, then again after one response changed.

    The copy ends as it started: domain.yml restored and the from-scratch model
    put back in place, so it can be served and evaluated.
    """
    cache = project / ".rasa" / "cache"
    shutil.rmtree(project / ".rasa", ignore_errors=True)
    shutil.rmtree(project / "models", ignore_errors=True)
    cache.mkdir(parents=True)
    env = project_env(project, env)
    cmd = [sys.executable, "-m", "bot", "train"]
    full = run_timed("train-full", cmd, project, env, logs / "train-full.log", timeout)
    model = project / MODEL_RELATIVE
    fingerprint = model.with_name("script-guide.fingerprint")
    saved_model = project / "models" / "from-scratch.tar.gz.bak"
    saved_fp = project / "models" / "from-scratch.fingerprint.bak"
    shutil.copy2(model, saved_model)
    shutil.copy2(fingerprint, saved_fp)

    domain = project / "domain.yml"
    original = domain.read_bytes()
    changed = change_one_response(domain)
    try:
        retrain = run_timed("train-retrain", cmd, project, env, logs / "train-retrain.log", timeout)
    finally:
        domain.write_bytes(original)
        os.replace(saved_model, model)
        os.replace(saved_fp, fingerprint)
    return TrainingTimes(full, retrain, changed)
