"""Command line: `python -m bot run | run-scaleout | serve | train | import | case | share | retention |
nlu-eval | risk-eval | analytics | backup | restore`,
and the trainer tools (bot/trainer/cli.py): `validate | test-stories | export-story | graph | coverage | measure-loop`."""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from pathlib import Path
from typing import List, Optional

from bot.ops.logs import QUIET_ENV
from bot.settings import env

for _key, _value in QUIET_ENV.items():  # before TensorFlow is imported anywhere
    os.environ.setdefault(_key, _value)
warnings.filterwarnings("ignore")


def _import(args: argparse.Namespace) -> int:
    from bot.services.importer import ImportRejected, demo_present, import_file
    from bot.settings import load_settings

    settings = load_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    demo = demo_present(settings.db_url)
    if demo and not (args.replace_demo or args.keep_demo):
        print(
            f"未导入任何数据：数据库里还有演示数据（演示客户 {demo.customers} 个、演示观察名单 {demo.watchlist} 条，"
            "来自 bot/demo/）。演示客户与真实客户可能编号或号码相同，混在一起会核对错人。\n"
            f"  导入真实数据并删除演示数据：python -m bot import {args.kind} {args.file} --replace-demo\n"
            f"  仅用于测试、保留演示数据：python -m bot import {args.kind} {args.file} --keep-demo",
            file=sys.stderr,
        )
        return 2
    try:
        report = import_file(args.kind, Path(args.file), settings.db_url, replace_demo=args.replace_demo)
    except ImportRejected as rejected:
        print(f"未导入任何数据：{args.file} 有 {len(rejected.errors)} 处问题，请修正后重新导入。", file=sys.stderr)
        for line in rejected.errors:
            print(f"  {line}", file=sys.stderr)
        return 2
    print(report.describe())
    return 0


def _case_export(args: argparse.Namespace) -> int:
    from bot.services import case_export
    from bot.services.storage import Database
    from bot.settings import load_settings

    settings = load_settings()
    events = case_export.tracker_events(settings.tracker_url, args.call_id)
    if not events:
        print(f"找不到通话：{args.call_id}（对话记录库中没有这通电话）", file=sys.stderr)
        return 2
    db = Database(settings.db_url)
    packet = case_export.build_packet(args.call_id, events, db)
    out = Path(args.out) if args.out else settings.data_dir / "cases"
    for path in case_export.write_packet(packet, out):
        print(f"已导出：{path}")
    if args.pdf:
        from bot.services.packet_pdf import FontMissing

        try:
            path = _write_pdf(args.call_id, packet, db, settings, out)
        except FontMissing as err:
            print(str(err), file=sys.stderr)
            return 2
        print(f"已导出报案材料（PDF）：{path}")
    return 0


def _retention(args: argparse.Namespace) -> int:
    import getpass

    from bot.services import retention
    from bot.services.storage import Database
    from bot.settings import load_settings

    days = args.days
    if days is None:
        configured = env("BOT_RETENTION_DAYS")
        if not configured:
            print("未设置保留期限（BOT_RETENTION_DAYS，或用 --days N 指定），通话记录将一直保留，本次未删除任何数据。")
            return 0
        if not configured.strip().isdigit():
            print(f"BOT_RETENTION_DAYS 应为正整数（天数），现为“{configured}”。", file=sys.stderr)
            return 2
        days = int(configured)
    if days < 1:
        print("保留期限至少为 1 天。", file=sys.stderr)
        return 2
    settings = load_settings()
    report = retention.purge(
        Database(settings.db_url),
        settings.tracker_url,
        days,
        by=args.by or getpass.getuser(),
        dry_run=args.dry_run,
        cases_dir=settings.data_dir / "cases",
    )
    print(report.describe())
    return 0


def _write_pdf(call_id: str, packet: dict, db, settings, out: Path) -> Path:
    """The police-report PDF: of the call's case (every call in it) when it has one, else of the call."""
    from bot.services import case_export, case_packet, cases, packet_pdf

    key = env("BOT_SHARING_KEY")
    case_id = cases.case_for_call(db, call_id)
    if case_id:
        calls = cases.case_calls(db, case_id)
        events = {c["call_id"]: case_export.tracker_events(settings.tracker_url, c["call_id"]) for c in calls}
        doc = case_packet.build_case_packet(db, case_id, events, key)
        name = case_id
    else:
        numbers = [case_packet.number_view(db, packet["caller_number"], key)] if packet["caller_number"] else []
        doc = packet_pdf.call_packet(packet, case_packet.audit_trail(db, [call_id]), numbers)
        name = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in call_id)
    path = out / f"{name}.pdf"
    path.write_bytes(packet_pdf.render(doc))
    return path


def _sharing_key(args: argparse.Namespace) -> Optional[str]:
    key = env("BOT_SHARING_KEY")
    if args.key_file:
        key = Path(args.key_file).read_text(encoding="utf-8").strip()
    if not key or len(key) < 16:
        print(
            "需要协同密钥：用 --key-file 指定密钥文件，或设置 BOT_SHARING_KEY（至少 16 个字符，与合作机构约定一致）。",
            file=sys.stderr,
        )
        return None
    return key


def _watchlist_share(args: argparse.Namespace) -> int:
    from bot.services import industry_sharing as sharing
    from bot.services.storage import Database
    from bot.settings import load_settings

    key = _sharing_key(args)
    if key is None:
        return 2
    db = Database(load_settings().db_url)
    if args.action == "export-hashed":
        count = sharing.export_hashed(db, key, Path(args.file))
        print(f"已导出 {count} 个号码的密钥散列到 {args.file}（不含明文号码）。")
        return 0
    try:
        report = sharing.import_hashed(db, Path(args.file), args.source)
    except sharing.SharingError as err:
        print(f"未导入任何数据：{err}", file=sys.stderr)
        return 2
    print(report)
    return 0


def _analytics(args: argparse.Namespace) -> int:
    from bot.ops import analytics
    from bot.settings import load_settings

    if args.action == "update":
        count = analytics.update_from_sql(load_settings().events_db_path)
        print(f"已汇总 {count} 条新事件。")
        return 0
    if args.action == "consume":
        return analytics.consume()
    return analytics.show(args.days, args.json)


def _backup(args: argparse.Namespace) -> int:
    from bot.ops import backup

    try:
        if args.command == "backup":
            lines = backup.backup(Path(args.dest))
            print(f"已备份到 {args.dest}：")
        else:
            lines = backup.restore(Path(args.src), force=args.force)
            print(f"已从 {args.src} 恢复：")
    except backup.BackupError as err:
        print(f"错误：{err}", file=sys.stderr)
        return 2
    for line in lines:
        print(f"  {line}")
    return 0


def _report(args: argparse.Namespace) -> int:
    """python -m bot report adherence: the agents' must-say lines per agent and per day."""
    import datetime as dt
    import json

    from bot.services import adherence_records
    from bot.services.storage import Database
    from bot.settings import load_settings

    try:
        since = dt.date.fromisoformat(args.since)
        until = dt.date.fromisoformat(args.until) if args.until else None
    except ValueError:
        print("错误：日期格式应为 YYYY-MM-DD", file=sys.stderr)
        return 2
    report = adherence_records.report(Database(load_settings().db_url), since, until, args.agent)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
        return 0
    period = f"{report['since']} 至 {report['until'] or '今天'}"
    print(f"坐席必说话术执行情况（{period}，按通话开始日期，北京时间；只含已结束的坐席通话）")
    print()
    print("| 坐席 | 通话数 | 应说 | 已说 | 得分 | 未说完即结束 |")
    print("|---|---|---|---|---|---|")
    for r in report["agents"]:
        print(
            f"| {r['agent_id']} | {r['calls']} | {r['required']} | {r['said']} | {r['score']:.2f} | {r['unsaid_confirmed']} |"
        )
    print()
    print("| 坐席 | 日期 | 通话数 | 应说 | 已说 | 得分 | 未说完即结束 |")
    print("|---|---|---|---|---|---|---|")
    for r in report["days"]:
        print(
            f"| {r['agent_id']} | {r['day']} | {r['calls']} | {r['required']} | {r['said']} | {r['score']:.2f} "
            f"| {r['unsaid_confirmed']} |"
        )
    if not report["agents"]:
        print(f"（{period} 没有已结束的坐席通话）")
    return 0


def _nlu_eval(args: argparse.Namespace) -> int:
    from bot.ops.nlu_eval import main

    return main(args.holdout, args.model, show_errors=args.show_errors)


class ChineseArgumentParser(argparse.ArgumentParser):
    """argparse with its mistakes said in Chinese (operators and trainers read them): a missing or
    unknown argument, a bad choice or a missing value, then how to ask for help. Exit code 2 as before."""

    MESSAGES = (
        (r"the following arguments are required: (.*)", "缺少必填参数：{0}"),
        (r"unrecognized arguments: (.*)", "无法识别的参数：{0}"),
        (r"argument (\S+): invalid choice: (.*?) \(choose from (.*)\)", "参数 {0} 的取值 {1} 无效，可选：{2}"),
        (r"argument (\S+): expected one argument", "参数 {0} 需要一个值"),
        (r"argument (\S+): invalid (\w+) value: (.*)", "参数 {0} 的值 {2} 不是有效的数字"),
    )

    def error(self, message: str) -> None:  # type: ignore[override]
        import re

        for pattern, chinese in self.MESSAGES:
            m = re.fullmatch(pattern, message)
            if m:
                message = chinese.format(*m.groups())
                break
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}：错误：{message}\n查看用法：{self.prog} --help\n")

    def format_usage(self) -> str:
        return super().format_usage().replace("usage: ", "用法：", 1)

    def format_help(self) -> str:
        return super().format_help().replace("usage: ", "用法：", 1)


def main(argv: Optional[List[str]] = None) -> int:
    parser = ChineseArgumentParser(prog="python -m bot", description="话术向导 (Script Guide)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="准备数据、按需训练，并启动 Rasa 服务和动作服务")
    sub.add_parser(
        "run-scaleout", help="生产布局：PostgreSQL、Redis、RabbitMQ、多个 Rasa 服务和 nginx（BOT_RASA_SERVERS 个）"
    )
    ana = sub.add_parser("analytics", help="把事件总线的事件汇总为每日统计（不读对话记录库）")
    ana.add_argument("action", choices=["update", "consume", "show"])
    ana.add_argument("--days", type=int, default=7, help="show：最近几天")
    ana.add_argument("--json", action="store_true", help="show：输出 JSON（仪表盘读取的格式）")
    bak = sub.add_parser("backup", help="备份项目数据库、对话记录库和数据目录里的状态到一个空目录")
    bak.add_argument("dest")
    res = sub.add_parser("restore", help="从备份目录恢复（请先停止服务）")
    res.add_argument("src")
    res.add_argument("--force", action="store_true", help="覆盖已有数据")
    serve = sub.add_parser("serve", help="只启动 Rasa 服务（动作服务需另行启动）")
    serve.add_argument("--port", type=int, default=None)
    train = sub.add_parser("train", help="按需训练模型（--force 强制重训）")
    train.add_argument("--force", action="store_true")
    imp = sub.add_parser("import", help="导入客户或观察名单 CSV（合同 §4）")
    imp.add_argument("kind", choices=["customers", "watchlist"])
    imp.add_argument("file")
    demo = imp.add_mutually_exclusive_group()
    demo.add_argument("--replace-demo", action="store_true", help="导入的同时删除演示数据（bot/demo/）")
    demo.add_argument("--keep-demo", action="store_true", help="保留演示数据（仅用于测试）")
    ev = sub.add_parser("nlu-eval", help="在保留集上报告来电身份与目的的准确率")
    ev.add_argument("--holdout", default="tests/nlu_holdout.yml")
    ev.add_argument("--model", default=None)
    ev.add_argument("--show-errors", action="store_true", help="保留集也显示错误样例（之后它就不再是保留集）")
    case = sub.add_parser("case", help="通话证据材料包")
    case.add_argument("action", choices=["export"])
    case.add_argument("call_id")
    case.add_argument("--out", default=None, help="输出目录（默认 BOT_DATA_DIR/cases）")
    case.add_argument("--pdf", action="store_true", help="同时导出可打印的报案材料 PDF（有案件时含案件的全部来电）")
    share = sub.add_parser("share", help="行业协同：导出/导入观察名单号码的密钥散列")
    share.add_argument("action", choices=["export-hashed", "import-hashed"])
    share.add_argument("file")
    share.add_argument("--key-file", default=None)
    share.add_argument("--source", default="合作机构", help="导入时记录的来源机构")
    keep = sub.add_parser("retention", help="按保留期限匿名化旧通话（BOT_RETENTION_DAYS），写入审计")
    keep.add_argument("--days", type=int, default=None, help="保留天数（默认 BOT_RETENTION_DAYS）")
    keep.add_argument("--dry-run", action="store_true", help="只统计将匿名化的通话，不改动数据")
    keep.add_argument("--by", default=None, help="审计记录里的执行人（默认当前系统用户）")
    rep = sub.add_parser("report", help="报表：adherence 坐席必说话术执行情况（按坐席、按天）")
    rep.add_argument("kind", choices=["adherence"])
    rep.add_argument("--since", required=True, help="起始日期 YYYY-MM-DD（含）")
    rep.add_argument("--until", default=None, help="截止日期 YYYY-MM-DD（含，默认今天）")
    rep.add_argument("--agent", default=None, help="只看这位坐席（坐席编号）")
    rep.add_argument("--json", action="store_true", help="输出 JSON")
    sub.add_parser("risk-eval", help="在标注通话集上报告各风险等级的精确率和召回率")
    sub.add_parser("settings", help="列出所有环境变量、默认值和含义（docs/operations.md 里的表）")
    from bot.trainer import cli as trainer_cli  # validate, test-stories, export-story, graph, coverage, measure-loop

    trainer_cli.add_parsers(sub)
    args = parser.parse_args(argv)

    if args.command == "run":
        from bot.ops.launcher import run

        return run()
    if args.command == "run-scaleout":
        from bot.ops.scaleout import run as run_scaleout

        return run_scaleout()
    if args.command == "analytics":
        return _analytics(args)
    if args.command in ("backup", "restore"):
        return _backup(args)
    if args.command == "serve":
        if args.port:
            os.environ["PORT"] = str(args.port)
        from bot.ops.launcher import serve_only

        serve_only()
        return 0
    if args.command == "train":
        from bot.ops.train_model import train as do_train

        do_train(force=args.force)
        return 0
    if args.command == "import":
        return _import(args)
    if args.command == "nlu-eval":
        return _nlu_eval(args)
    if args.command == "case":
        return _case_export(args)
    if args.command == "share":
        return _watchlist_share(args)
    if args.command == "retention":
        return _retention(args)
    if args.command == "report":
        return _report(args)
    if args.command == "risk-eval":
        from bot.ops.risk_eval import main as risk_eval

        risk_eval()
        return 0
    if args.command == "settings":
        from bot.settings import markdown_table

        print(markdown_table())
        return 0
    if args.command in trainer_cli.COMMANDS:
        return trainer_cli.run(args)
    return 1
