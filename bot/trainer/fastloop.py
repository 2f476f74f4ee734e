"""`python -m bot measure-loop`: measure the trainer's check-and-train cycle on a copy of the project.

Copies the training inputs and Rasa's cache (.rasa/cache) to a temporary
folder — the project itself is never modified — then times, each with the
`rasa train` command bot/ops/train_model.py runs (logging left on, to count the
components Rasa trains and those it restores from its cache):
  1. training with an empty cache (everything trains: the cost without the cache);
  2. training again with nothing changed;
  3. `python -m bot validate` + training after changing one response text;
  4. training after adding one NLU example.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional

from bot.ops.logs import quiet_environment
from bot.settings import PROJECT_ROOT

COPIED = ("domain.yml", "config.yml", "data", "tests/stories", "bot", "actions")
TRAINED = re.compile(r"Starting to train component '([^']+)'")
RESTORED = re.compile(r"Restored component '([^']+)' from cache")


@dataclass
class Run:
    step: str
    seconds: float
    trained: List[str] = field(default_factory=list)
    restored: List[str] = field(default_factory=list)
    validate_seconds: Optional[float] = None


def copy_project(dest: Path, root: Path = PROJECT_ROOT) -> None:
    """The training inputs, the code they need and the warm cache, copied under dest."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in COPIED:
        src = root / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=ignore)
        elif src.exists():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    if (root / ".rasa" / "cache").is_dir():
        shutil.copytree(root / ".rasa" / "cache", dest / ".rasa" / "cache")


def rasa_train(workdir: Path, cache: Optional[Path] = None) -> Run:
    """`rasa train` as bot/ops/train_model.py runs it (without --quiet), timed, components counted."""
    env = quiet_environment(dict(os.environ, PYTHONPATH=str(workdir), LOG_LEVEL="INFO"))
    if cache is not None:
        env["RASA_CACHE_DIRECTORY"] = str(cache)
    cmd = [
        sys.executable,
        "-m",
        "rasa",
        "train",
        "--fixed-model-name",
        "script-guide",
        "--out",
        str(workdir / "models"),
        "--domain",
        "domain.yml",
        "--config",
        "config.yml",
        "--data",
        "data",
    ]
    started = time.monotonic()
    result = subprocess.run(cmd, cwd=workdir, env=env, capture_output=True, text=True)
    seconds = time.monotonic() - started
    log = result.stdout + result.stderr
    if result.returncode != 0:
        raise RuntimeError(f"rasa train failed in {workdir}:\n{log[-3000:]}")
    return Run("", seconds, TRAINED.findall(log), RESTORED.findall(log))


def validate(workdir: Path) -> float:
    """Seconds `python -m bot validate` takes in the copy."""
    env = quiet_environment(dict(os.environ, PYTHONPATH=str(workdir)))
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "bot", "validate"], cwd=workdir, env=env, capture_output=True)
    return time.monotonic() - started


def change_response_text(workdir: Path) -> str:
    """Append a word to the first response text in the copy's domain.yml; the response's name."""
    path = workdir / "domain.yml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    in_responses, name = False, ""
    for i, line in enumerate(lines):
        if line.startswith("responses:"):
            in_responses = True
        elif in_responses and re.match(r"^  (utter_\w+):", line):
            name = line.strip().rstrip(":")
        elif in_responses and name and re.match(r'^\s*-?\s*text: "', line):
            lines[i] = line.rstrip("\n").rstrip('"') + '谢谢。"\n'
            path.write_text("".join(lines), encoding="utf-8")
            return name
    raise RuntimeError("no response text found in domain.yml")


def add_nlu_example(workdir: Path) -> str:
    """Add one greeting example in the copy's data/nlu; the file changed."""
    path = workdir / "data" / "nlu" / "basics.yml"
    text = path.read_text(encoding="utf-8")
    marker = "- intent: greet\n  examples: |\n"
    if marker not in text:
        raise RuntimeError(f"{path} has no greet examples")
    path.write_text(text.replace(marker, marker + "    - 喂您好，请问是客服热线吗\n", 1), encoding="utf-8")
    return "data/nlu/basics.yml"


def measure(keep: bool = False) -> List[Run]:
    work = Path(tempfile.mkdtemp(prefix="trainer-loop-"))
    try:
        copy_project(work)
        runs = []
        cold = rasa_train(work, cache=work / "empty-cache")
        cold.step = "空缓存，从头训练（没有缓存时的代价）"
        runs.append(cold)
        same = rasa_train(work)
        same.step = "什么都没改，再训练一次"
        runs.append(same)
        name = change_response_text(work)
        seconds = validate(work)
        changed = rasa_train(work)
        changed.step, changed.validate_seconds = f"改了一句话术（{name}）：校验 + 训练", seconds
        runs.append(changed)
        add_nlu_example(work)
        nlu = rasa_train(work)
        nlu.step = "加了一条 NLU 例句（data/nlu/basics.yml）"
        runs.append(nlu)
        return runs
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)


def render(runs: List[Run]) -> str:
    out = ["快速循环测量（项目副本 + 项目现有的 .rasa/cache；项目本身没有被修改）", ""]
    for run in runs:
        total = run.seconds + (run.validate_seconds or 0)
        timing = (
            f"校验 {run.validate_seconds:.1f} 秒 + 训练 {run.seconds:.1f} 秒 = {total:.1f} 秒"
            if run.validate_seconds is not None
            else f"训练 {run.seconds:.1f} 秒"
        )
        out.append(f"- {run.step}：{timing}")
        out.append(f"    重新训练 {len(run.trained)} 个组件：{', '.join(run.trained) or '无'}")
        out.append(f"    从缓存恢复 {len(run.restored)} 个组件：{', '.join(run.restored) or '无'}")
    return "\n".join(out)


def main(keep: bool = False) -> int:
    print(">> 在项目副本里测量“改一句话术 → 校验 → 训练”的时间（约两三分钟）…", flush=True)
    print(render(measure(keep)))
    return 0
