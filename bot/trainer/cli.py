"""The trainer subcommands of `python -m bot`: validate, test-stories, export-story, graph, coverage,
measure-loop."""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

COMMANDS = ("validate", "test-stories", "export-story", "graph", "coverage", "measure-loop")


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Register the trainer subcommands on `python -m bot`'s parser."""
    val = sub.add_parser("validate", help="检查话术数据：Rasa 自带检查 + 项目检查（有错误时返回非零）")
    val.add_argument("--quick", action="store_true", help="只做项目检查，跳过 Rasa 自带检查")
    ts = sub.add_parser("test-stories", help="用 rasa test 回放测试故事（默认 tests/stories）")
    ts.add_argument("stories", nargs="?", default="tests/stories")
    ex = sub.add_parser("export-story", help="把一通真实通话导出为测试故事")
    ex.add_argument("call_id")
    ex.add_argument("--out", default="tests/stories/exported.yml", help="追加到哪个测试文件")
    ex.add_argument(
        "--keep-personal-data", action="store_true", help="不给姓名、证件号、手机号打码（只用于内部测试数据）"
    )
    gr = sub.add_parser("graph", help="把规则和故事画成流程图（HTML，浏览器打开）")
    gr.add_argument("--out", default="docs/flow.html")
    cov = sub.add_parser("coverage", help="测试覆盖率：哪些意图、话术、表单、规则和故事有测试")
    cov.add_argument(
        "--e2e", action="append", default=None, help="端到端通话记录（rasa_tracker.db 或所在文件夹），可写多次"
    )
    cov.add_argument("--no-e2e", action="store_true", help="只看测试故事")
    ml = sub.add_parser("measure-loop", help="测量改一句话术后“校验 + 训练”要多久、重训了哪些组件")
    ml.add_argument("--keep", action="store_true", help="保留项目副本（调试用）")


def run(args: argparse.Namespace) -> int:
    if args.command == "validate":
        from bot.trainer.validate import main as validate

        return validate(["--quick"] if args.quick else [])
    if args.command == "test-stories":
        return test_stories(Path(args.stories))
    if args.command == "export-story":
        return export_story(args)
    if args.command == "graph":
        from bot.trainer import graph
        from bot.trainer.project import Project

        project = Project.default()
        out = graph.write(project, _abs(args.out))
        print(f"已生成流程图：{project.rel(out)}（用浏览器打开；不需要联网）")
        return 0
    if args.command == "coverage":
        from bot.trainer import coverage

        paths = [Path(p) for p in args.e2e] if args.e2e else None
        print(coverage.main(e2e_paths=paths, use_e2e=not args.no_e2e))
        return 0
    if args.command == "measure-loop":
        from bot.trainer.fastloop import main as measure

        return measure(keep=args.keep)
    return 1


def _abs(path: str) -> Path:
    from bot.settings import PROJECT_ROOT

    p = Path(path)
    return p if p.is_absolute() else PROJECT_ROOT / p


def export_story(args: argparse.Namespace) -> int:
    from bot.core.materials import load_labels
    from bot.services.case_export import tracker_events
    from bot.settings import load_settings
    from bot.trainer import domain as domain_mod
    from bot.trainer.export_story import ExportError, export
    from bot.trainer.project import Project

    settings, project = load_settings(), Project.default()
    events = tracker_events(settings.tracker_db_path, args.call_id)
    if not events:
        print(
            f"找不到通话：{args.call_id}（在 {settings.tracker_db_path} 中没有记录）。"
            "请确认通话编号（REST 渠道是 sender）和 BOT_DATA_DIR。",
            file=sys.stderr,
        )
        return 2
    dom = domain_mod.load(project.domain)
    out = _abs(args.out)
    try:
        result = export(
            args.call_id,
            events,
            out,
            dom.influential_slots(),
            {name: r.first_text for name, r in dom.responses.items()},
            load_labels(),
            hide_personal=not args.keep_personal_data,
        )
    except ExportError as err:
        print(f"没有导出：{err}", file=sys.stderr)
        return 2
    print(
        f"已导出测试故事「{result['name']}」：客户说了 {result['turns']} 句，共 {result['steps']} 步，"
        f"追加到 {project.rel(out)}。"
    )
    print(f"检查它能通过：.venv/bin/python -m bot test-stories {project.rel(out)}")
    return 0


def test_stories(stories: Path) -> int:
    """`rasa test core` on the stories with the current model (trained first if needed)."""
    from bot.ops.logs import quiet_environment
    from bot.ops.train_model import MODEL_PATH, train
    from bot.settings import PROJECT_ROOT

    train(quiet=True)
    path = stories if stories.is_absolute() else PROJECT_ROOT / stories
    with tempfile.TemporaryDirectory() as tmp:
        env = quiet_environment(
            dict(
                os.environ,
                PYTHONPATH=str(PROJECT_ROOT),
                ACTION_PORT="5055",
                BOT_TRACKER_DB=str(Path(tmp) / "tracker.db"),
                BOT_EVENTS_DB=str(Path(tmp) / "events.db"),
                LOG_LEVEL="ERROR",
            )
        )
        print(f">> rasa test 回放 {stories} 里的测试故事…", flush=True)
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "rasa",
                "test",
                "core",
                "--stories",
                str(path),
                "--model",
                str(MODEL_PATH),
                "--fail-on-prediction-errors",
                "--out",
                tmp,
            ],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        failed = Path(tmp) / "failed_test_stories.yml"
        detail = failed.read_text(encoding="utf-8") if failed.exists() else ""
    if result.returncode == 0 and "None of the test stories failed" in detail:
        print("全部通过：每个测试故事里机器人的动作都和预期一致。")
        return 0
    print("有测试故事没通过。下面是 Rasa 给出的失败故事（“# predicted:” 后面是机器人实际做的动作）：")
    print(detail if "story:" in detail else _failed_story(result.stdout + result.stderr))
    return 1


def _failed_story(log: str) -> str:
    """The failed story Rasa prints with --fail-on-prediction-errors (its log otherwise)."""
    m = re.search(r"Failed Story:\s*\n(.*?)(?:\x1b\[0m|\Z)", log, flags=re.S)
    text = m.group(1) if m else log[-3000:]
    return re.sub(r"\x1b\[[0-9;]*m", "", text).strip()
