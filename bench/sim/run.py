"""`python -m bench.sim`: start the servers with the personas' accounts, play the personas, report.

Stops by itself (a deadline bounds the whole run, every request has a timeout) and
leaves no server running, also on Ctrl-C or SIGTERM. The data dir (BOT_DATA_DIR with
the databases, the SMS outbox and the servers' logs) is var/sim/data, emptied at each
start; the JSON report is var/sim/report.json.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import time
from pathlib import Path
from typing import List, Optional

from bench.procs import install_cleanup, stop_all
from bench.sim import personas as persona_data
from bench.sim import report, servers
from bench.sim.play import play_all
from bench.sim.score import CallResult

ROOT = Path(__file__).resolve().parents[2]
OUT_DIR = ROOT / "var" / "sim"
DOC = ROOT / "docs" / "benchmarks.md"


def parse_args(argv: Optional[List[str]]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.sim", description=__doc__.split("\n")[0])
    p.add_argument("--only", action="append", default=[], metavar="ID", help="play only this persona (repeatable)")
    p.add_argument("--channel", choices=("rest", "ivr"), help="play only the personas of this channel")
    p.add_argument(
        "--show",
        action="append",
        default=[],
        metavar="ID",
        help="print this persona's transcript (plays it if --only omits it)",
    )
    p.add_argument("--jobs", type=int, default=4, help="calls held at the same time (default 4)")
    p.add_argument("--write-doc", action="store_true", help="write the totals into docs/benchmarks.md (full runs only)")
    p.add_argument("--deadline", type=float, default=600.0, help="seconds the calls may take in all (default 600)")
    p.add_argument("--personas", type=Path, default=persona_data.PERSONA_DIR, help=argparse.SUPPRESS)
    p.add_argument("--out", type=Path, default=OUT_DIR, help="where the report and the data dir go (default var/sim)")
    p.add_argument("--no-train", action="store_true", help=argparse.SUPPRESS)
    return p.parse_args(argv)


def select(all_personas, only: List[str], channel: Optional[str], show: List[str]):
    known = {p.id for p in all_personas}
    unknown = [i for i in only + show if i not in known]
    if unknown:
        raise SystemExit(f"no such persona: {', '.join(unknown)}")
    wanted = set(only) | set(show) if (only or show) else None
    chosen = [
        p for p in all_personas if (wanted is None or p.id in wanted) and (channel is None or p.channel == channel)
    ]
    if not chosen:
        raise SystemExit("no persona to play")
    return chosen


def run(
    chosen,
    customers,
    out: Path,
    jobs: int = 4,
    deadline: float = 600.0,
    progress=None,
) -> tuple:
    """Start the servers, play `chosen`, stop the servers; (results, seconds the calls took)."""
    data_dir, logs = out / "data", out / "logs"
    shutil.rmtree(data_dir, ignore_errors=True)
    shutil.rmtree(logs, ignore_errors=True)
    served = servers.start(ROOT, data_dir, logs, persona_data.CUSTOMERS_CSV, persona_data.WATCHLIST_CSV)
    try:
        started = time.monotonic()
        results: List[CallResult] = asyncio.run(
            asyncio.wait_for(
                play_all(
                    chosen,
                    f"http://127.0.0.1:{served.port}",
                    servers.TOKEN,
                    servers.SIGNING_KEY,
                    customers,
                    data_dir / "sms_outbox.jsonl",
                    jobs=jobs,
                    progress=progress,
                ),
                timeout=deadline,
            )
        )
        return results, time.monotonic() - started
    finally:
        served.stop()
        stop_all()


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    install_cleanup()
    all_personas = persona_data.load_personas(args.personas)
    customers = persona_data.load_customers()
    problems = persona_data.check_against_accounts(all_personas, customers)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 2
    chosen = select(all_personas, args.only, args.channel, args.show)
    if not args.no_train:
        from bot.ops.train_model import train

        train(quiet=True)
    print(f"sim: {len(chosen)} personas, {args.jobs} at a time …", flush=True)
    done = []

    def progress(result: CallResult) -> None:
        done.append(result)
        if len(done) % 10 == 0 or len(done) == len(chosen):
            print(f"sim: {len(done)}/{len(chosen)} calls", flush=True)

    try:
        results, seconds = run(chosen, customers, args.out, args.jobs, args.deadline, progress)
    except asyncio.TimeoutError:
        print(f"sim: the calls did not finish within {args.deadline:.0f} s; servers stopped", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("sim: interrupted; servers stopped", file=sys.stderr)
        return 130
    rows = report.groups(results)
    print()
    print(report.call_table(results))
    print()
    print(report.totals_table(rows))
    print(report.misses_line(results))
    print(f"\n{len(results)} calls in {seconds:.0f} s")
    meta = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "personas": len(results),
        "jobs": args.jobs,
        "seconds": round(seconds, 1),
        "partial": len(chosen) != len(all_personas),
    }
    path = report.write_json(args.out / "report.json", report.json_report(results, meta))
    print(f"report: {path}")
    for pid in args.show:
        print()
        print(report.transcript(next(r for r in results if r.persona == pid)))
    if args.write_doc:
        if meta["partial"]:
            print("--write-doc: not written, this run played only part of the personas", file=sys.stderr)
        else:
            report.write_doc(DOC, report.doc_section(results, seconds, args.jobs))
            print(f"written: {DOC.relative_to(ROOT)}")
    return 0
