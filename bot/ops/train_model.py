"""Train the model only when what it is trained from has changed."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterable, List

from bot.ops.logs import quiet_environment
from bot.settings import PROJECT_ROOT

MODEL_NAME = "script-guide"
MODELS_DIR = PROJECT_ROOT / "models"
MODEL_PATH = MODELS_DIR / f"{MODEL_NAME}.tar.gz"
FINGERPRINT_FILE = MODELS_DIR / f"{MODEL_NAME}.fingerprint"

# What a trained model depends on: training data, domain, pipeline and the
# code of our own NLU component.
TRAINING_INPUTS = ("data", "domain.yml", "config.yml", "bot/nlu", "bot/core/textnorm.py")


def _files(root: Path, inputs: Iterable[str]) -> List[Path]:
    files: List[Path] = []
    for name in inputs:
        path = root / name
        if path.is_dir():
            files.extend(p for p in sorted(path.rglob("*")) if p.is_file() and "__pycache__" not in p.parts)
        elif path.is_file():
            files.append(path)
    return files


def fingerprint(root: Path = PROJECT_ROOT) -> str:
    """Hash of every training input's path and content."""
    digest = hashlib.sha256()
    for path in _files(root, TRAINING_INPUTS):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def is_up_to_date() -> bool:
    """Whether the model exists and was trained from the current inputs."""
    return MODEL_PATH.exists() and FINGERPRINT_FILE.exists() and FINGERPRINT_FILE.read_text().strip() == fingerprint()


def train(force: bool = False, quiet: bool = False) -> bool:
    """Train when inputs changed (or when forced); True when a training ran."""
    if not force and is_up_to_date():
        if not quiet:
            print(">> 模型已是最新，跳过训练。", flush=True)
        return False
    print(">> 训练模型（data/、domain.yml 或 config.yml 有变化）…", flush=True)
    MODELS_DIR.mkdir(exist_ok=True)
    started = time.monotonic()
    current = fingerprint()
    # Warnings stay quiet here; `make validate` is where trainers read them.
    env = quiet_environment(dict(os.environ, PYTHONPATH=str(PROJECT_ROOT)))
    cmd = [
        sys.executable,
        "-m",
        "rasa",
        "train",
        "--fixed-model-name",
        MODEL_NAME,
        "--out",
        str(MODELS_DIR),
        "--domain",
        "domain.yml",
        "--config",
        "config.yml",
        "--data",
        "data",
        "--quiet",
    ]
    # Rasa's English warnings are held back (make validate reports them in Chinese) unless training fails.
    result = subprocess.run(cmd, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0 or not MODEL_PATH.exists():
        print((result.stdout + result.stderr)[-6000:], flush=True)
        raise SystemExit(
            "训练失败：请查看上面的错误信息，修正 data/、domain.yml 或 config.yml 后重试"
            "（make validate 会用中文指出问题所在）。"
        )
    FINGERPRINT_FILE.write_text(current + "\n")
    print(f">> 训练完成，用时 {time.monotonic() - started:.0f} 秒：{MODEL_PATH.relative_to(PROJECT_ROOT)}", flush=True)
    return True
