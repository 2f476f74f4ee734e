"""Command line: `python -m bot run | serve | train | import | nlu-eval`."""
from __future__ import annotations

import argparse
import os
import sys
import warnings
from pathlib import Path
from typing import List, Optional

from bot.logs import QUIET_ENV

for _key, _value in QUIET_ENV.items():  # before TensorFlow is imported anywhere
    os.environ.setdefault(_key, _value)
warnings.filterwarnings("ignore")


def _import(args: argparse.Namespace) -> int:
    from bot.config import load_settings
    from bot.importer import ImportRejected, import_file

    settings = load_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    try:
        report = import_file(args.kind, Path(args.file), settings.db_url)
    except ImportRejected as rejected:
        print(f"未导入任何数据：{args.file} 有 {len(rejected.errors)} 处问题，请修正后重新导入。",
              file=sys.stderr)
        for line in rejected.errors:
            print(f"  {line}", file=sys.stderr)
        return 2
    print(report.describe())
    return 0


def _nlu_eval(args: argparse.Namespace) -> int:
    from bot.nlu.evaluate import main

    return main(args.holdout, args.model)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="话术向导 (Script Guide)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="准备数据、按需训练，并启动 Rasa 服务和动作服务")
    serve = sub.add_parser("serve", help="只启动 Rasa 服务（动作服务需另行启动）")
    serve.add_argument("--port", type=int, default=None)
    train = sub.add_parser("train", help="按需训练模型（--force 强制重训）")
    train.add_argument("--force", action="store_true")
    imp = sub.add_parser("import", help="导入客户或观察名单 CSV（合同 §4）")
    imp.add_argument("kind", choices=["customers", "watchlist"])
    imp.add_argument("file")
    ev = sub.add_parser("nlu-eval", help="在保留集上报告来电身份与目的的准确率")
    ev.add_argument("--holdout", default="tests/nlu_holdout.yml")
    ev.add_argument("--model", default=None)
    args = parser.parse_args(argv)

    if args.command == "run":
        from bot.launcher import run

        return run()
    if args.command == "serve":
        if args.port:
            os.environ["PORT"] = str(args.port)
        from bot.launcher import serve_only

        serve_only()
        return 0
    if args.command == "train":
        from bot.training import train as do_train

        do_train(force=args.force)
        return 0
    if args.command == "import":
        return _import(args)
    if args.command == "nlu-eval":
        return _nlu_eval(args)
    return 1


if __name__ == "__main__":
    sys.exit(main())
