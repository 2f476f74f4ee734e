"""`make bench` → `python -m bench`: one run, under 15 minutes, progress printed, stops by itself.

Phases (a phase that fails is reported and the others still run; one that would not fit the
time budget is skipped and marked "not run"):
  1. copy the project to a temp dir; train our model there from scratch, then retrain after
     one response text changed (training time);
  2. serve our stack from that copy (action server + Rasa + SQLite under a temp BOT_DATA_DIR)
     and drive it: saturation with 1/10/20/50 concurrent calls, then 40 live callers;
  3. `rasa init --no-prompt` in a temp dir (it trains the stock assistant) while a textbook
     Chinese DIET pipeline trains on our data/ in the background;
  4. NLU holdout accuracy of our model; 5. of the textbook model;
  6. serve the stock assistant the same way, same load;
then print the table and write docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
import shutil
import sqlite3
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional

from bench import calls, nlu, procs, report, stock, training
from bench.load import Regime, RegimeResult, run_regime, warm_up
from bench.procs import RssSampler
from bench.stack import Served, start_ours
from bench.stats import fmt_mib, fmt_ms, fmt_pct, fmt_rate, fmt_ratio, fmt_seconds, ratio

ROOT = Path(__file__).resolve().parent.parent
BUDGET_S = 14 * 60  # the whole run; phases that would not fit are skipped and marked "not run"
RSS_LIMIT_KIB = 1.2e9 / 1024  # 1.2 GB


@dataclass
class StackRun:
    """One assistant under load: its regimes, memory and start-up."""

    results: Dict[str, RegimeResult] = field(default_factory=dict)
    peak_rss_kib: Dict[str, int] = field(default_factory=dict)
    peak_total_kib: Optional[int] = None
    cpu_ms_per_turn: Dict[str, Dict[str, float]] = field(default_factory=dict)
    client_cpu_ms_per_turn: Dict[str, float] = field(default_factory=dict)
    startup_s: Optional[float] = None
    warmup_failures: int = 0
    db_counts: Dict[str, int] = field(default_factory=dict)


@dataclass
class Bench:
    started: float = field(default_factory=time.monotonic)
    budget_s: float = BUDGET_S
    machine: Dict[str, str] = field(default_factory=dict)
    ours: StackRun = field(default_factory=StackRun)
    stock: StackRun = field(default_factory=StackRun)
    train: Optional[training.TrainingTimes] = None
    stock_init_s: Optional[float] = None
    textbook_train_s: Optional[float] = None
    nlu_ours: Optional[dict] = None
    nlu_textbook: Optional[dict] = None
    failures: List[str] = field(default_factory=list)
    notes: List[str] = field(default_factory=list)

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def remaining(self) -> float:
        return self.budget_s - self.elapsed()


def say(bench: Bench, text: str) -> None:
    mins, secs = divmod(int(bench.elapsed()), 60)
    print(f"[{mins:2d}:{secs:02d}] {text}", flush=True)


def regimes(args: argparse.Namespace) -> List[Regime]:
    sat = [Regime(f"saturation-{c}", c, args.duration, warmup=args.warmup) for c in (1, 10, 20, 50)]
    live = Regime("live-40", 40, args.live_duration, think_time=2.0, warmup=args.warmup + 2.0)
    return sat + [live]


def phase(bench: Bench, name: str, needs_s: float, action: Callable[[], None]) -> bool:
    """Run one phase if the budget allows; a failure is recorded, not fatal."""
    if bench.remaining() < needs_s:
        msg = f"{name}: skipped, {bench.remaining():.0f} s left of the time budget, needs ~{needs_s:.0f} s"
        say(bench, "!! " + msg)
        bench.failures.append(msg)
        return False
    say(bench, f"== {name}")
    try:
        action()
        return True
    except KeyboardInterrupt:
        raise
    except Exception as err:  # noqa: BLE001 - reported, the other phases still run
        msg = f"{name}: {type(err).__name__}: {err}"
        say(bench, "!! " + msg)
        traceback.print_exc(file=sys.stderr)
        bench.failures.append(msg.splitlines()[0])
        return False


def drive(bench: Bench, served: Served, run: StackRun, factory: calls.ScriptFactory, args: argparse.Namespace) -> None:
    """Warm up, then every regime, sampling memory all along; stops the servers at the end."""
    run.startup_s = served.startup_s
    say(bench, f"   {served.label}: servers up in {served.startup_s:.1f} s (pids {served.pids()}); warming up")
    try:
        with RssSampler(served.pids()) as sampler:
            run.warmup_failures = asyncio.run(
                warm_up(served.webhook, factory, f"{served.label}-warm", args.warmup_calls)
            )
            for regime in regimes(args):
                say(
                    bench,
                    f"   {served.label} {regime.name}: {regime.concurrency} concurrent calls"
                    + (f", {regime.think_time:.0f} s pauses" if regime.live else "")
                    + f", {regime.duration:.0f} s",
                )
                cpu_before = {n: procs.tree_cpu_seconds(p) for n, p in served.pids().items()}
                client_before = time.process_time()
                result = asyncio.run(
                    run_regime(
                        served.webhook,
                        factory,
                        regime,
                        f"{served.label}-{regime.name}-{os.getpid()}",
                        progress=lambda text: say(bench, f"      {text}"),
                    )
                )
                answered = sum(1 for r in result.records if r.ok)
                if answered:
                    run.cpu_ms_per_turn[regime.name] = {
                        n: (procs.tree_cpu_seconds(p) - cpu_before[n]) * 1000 / answered
                        for n, p in served.pids().items()
                    }
                    run.client_cpu_ms_per_turn[regime.name] = (time.process_time() - client_before) * 1000 / answered
                run.results[regime.name] = result
                cpu = run.cpu_ms_per_turn.get(regime.name, {})
                say(
                    bench,
                    f"   {served.label} {regime.name}: {result.describe()}; server CPU per "
                    "turn " + ", ".join(f"{n} {v:.1f} ms" for n, v in cpu.items()),
                )
                for sample in result.error_samples[:2]:
                    say(bench, f"      error: {sample}")
        run.peak_rss_kib = dict(sampler.peak)
        run.peak_total_kib = sampler.peak_total
        say(
            bench,
            f"   {served.label}: peak RSS "
            + ", ".join(f"{n} {fmt_mib(v)}" for n, v in sampler.peak.items())
            + f", together {fmt_mib(sampler.peak_total)}",
        )
    finally:
        served.stop()


def db_counts(data_dir: Path) -> Dict[str, int]:
    """Rows the load left behind (the state later turns were served against)."""
    counts: Dict[str, int] = {}
    queries = {
        "conversations": ("rasa_tracker.db", "SELECT COUNT(DISTINCT sender_id) FROM events"),
        "tracker events": ("rasa_tracker.db", "SELECT COUNT(*) FROM events"),
        "registered cases": ("bot.db", "SELECT COUNT(*) FROM cases"),
        "call subjects": ("bot.db", "SELECT COUNT(*) FROM call_subjects"),
        "audit rows": ("bot.db", "SELECT COUNT(*) FROM audit"),
    }
    for name, (db, sql) in queries.items():
        path = data_dir / db
        if not path.exists():
            continue
        try:
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
                counts[name] = int(conn.execute(sql).fetchone()[0])
        except sqlite3.Error:
            pass
    return counts


# ---- the table --------------------------------------------------------------------


def _lat(run: StackRun, name: str):
    r = run.results.get(name)
    return r.latency() if r else None


def _tput(run: StackRun, name: str) -> Optional[float]:
    r = run.results.get(name)
    return r.throughput if r else None


def _acc(scores: Optional[dict], head: str) -> Optional[float]:
    return scores[head]["accuracy"] if scores and head in scores else None


def build_rows(b: Bench) -> List[report.Row]:
    rows: List[report.Row] = []
    labels = {
        "saturation-1": "saturation, 1 call (serial)",
        "saturation-10": "saturation, 10 calls",
        "saturation-20": "saturation, 20 calls",
        "saturation-50": "saturation, 50 calls",
    }
    for name, label in labels.items():
        ours_t, stock_t = _tput(b.ours, name), _tput(b.stock, name)
        r = ratio(ours_t, stock_t)
        target, result = "", ""
        if name == "saturation-20":
            target, result = "≥ 3× stock", report.judge(r, 3.0, higher_is_better=True)
        rows.append(report.Row(f"{label}: turns/s", fmt_rate(ours_t), fmt_rate(stock_t), fmt_ratio(r), target, result))
        lo, ls = _lat(b.ours, name), _lat(b.stock, name)
        target, result = "", ""
        if name == "saturation-1":
            target = "p50 ≤ 25 ms"
            result = report.judge(lo.p50 if lo else None, 25.0, higher_is_better=False)
        rows.append(
            report.Row(
                f"{label}: latency p50 / p95 / p99 ms",
                lo.triple() if lo else "–",
                ls.triple() if ls else "–",
                _ratios(lo, ls),
                target,
                result,
            )
        )
    lo, ls = _lat(b.ours, "live-40"), _lat(b.stock, "live-40")
    rows.append(
        report.Row(
            "live calls, 40 callers, 2 s pauses: latency p50 / p95 / p99 ms",
            lo.triple() if lo else "–",
            ls.triple() if ls else "–",
            _ratios(lo, ls),
            "p95 ≤ 150 ms",
            report.judge(lo.p95 if lo else None, 150.0, higher_is_better=False),
        )
    )
    o, s = _cpu(b.ours, "saturation-1"), _cpu(b.stock, "saturation-1")
    rows.append(
        report.Row(
            "server CPU per turn, Rasa + action server (serial), ms",
            _cpu_text(b.ours, "saturation-1"),
            _cpu_text(b.stock, "saturation-1"),
            fmt_ratio(ratio(o, s)),
        )
    )
    for key, label in (("rasa", "Rasa server"), ("actions", "action server")):
        o, s = b.ours.peak_rss_kib.get(key), b.stock.peak_rss_kib.get(key)
        rows.append(report.Row(f"peak RSS, {label} (with children)", fmt_mib(o), fmt_mib(s), fmt_ratio(ratio(o, s))))
    o, s = b.ours.peak_total_kib, b.stock.peak_total_kib
    rows.append(
        report.Row(
            "peak RSS, Rasa + action server together",
            fmt_mib(o),
            fmt_mib(s),
            fmt_ratio(ratio(o, s)),
            "≤ 1.2 GB",
            report.judge(o, RSS_LIMIT_KIB, higher_is_better=False),
        )
    )
    full = b.train.full_s if b.train else None
    rows.append(
        report.Row(
            "training from scratch (`python -m bot train`, empty cache)",
            fmt_seconds(full),
            "",
            "",
            "≤ 90 s",
            report.judge(full, 90.0, higher_is_better=False),
        )
    )
    rows.append(
        report.Row("retrain after one response text changed", fmt_seconds(b.train.retrain_s if b.train else None))
    )
    for head, label in (("caller_role", "role"), ("purpose", "purpose")):
        o, t = _acc(b.nlu_ours, head), _acc(b.nlu_textbook, head)
        results = [report.judge(o, 0.95, higher_is_better=True)]
        results.append(report.judge(o, t, higher_is_better=True) if t is not None else report.NOT_RUN)
        rows.append(
            report.Row(
                f"holdout accuracy, {label} ({head})",
                fmt_pct(o),
                f"{fmt_pct(t)} (textbook)" if t is not None else "–",
                fmt_ratio(ratio(o, t)),
                "≥ 95% and ≥ textbook",
                report.all_pass(results),
            )
        )
    errs = [
        f"{sum(r.errors for r in run.results.values())} / {sum(r.unexpected for r in run.results.values())}"
        if run.results
        else "–"
        for run in (b.ours, b.stock)
    ]
    rows.append(report.Row("failed turns / unexpected replies (all regimes)", errs[0], errs[1]))
    return rows


def _cpu(run: StackRun, name: str) -> Optional[float]:
    cpu = run.cpu_ms_per_turn.get(name)
    return sum(cpu.values()) if cpu else None


def _cpu_text(run: StackRun, name: str) -> str:
    cpu = run.cpu_ms_per_turn.get(name)
    if not cpu:
        return "–"
    return f"{sum(cpu.values()):.1f} ({cpu.get('rasa', 0):.1f} + {cpu.get('actions', 0):.1f})"


def _ratios(ours, anchor) -> str:
    if not ours or not anchor:
        return "n/a"
    return " / ".join(
        fmt_ratio(ratio(a, b)) for a, b in ((ours.p50, anchor.p50), (ours.p95, anchor.p95), (ours.p99, anchor.p99))
    )


def details(b: Bench) -> List[str]:
    out: List[str] = []
    headers = (
        "regime",
        "callers",
        "pause",
        "turns",
        "calls done",
        "turns/s",
        "p50",
        "p95",
        "p99",
        "mean",
        "max",
        "failed",
        "unexpected",
        "server CPU ms/turn: Rasa + actions",
        "load generator CPU ms/turn",
    )
    for label, run in (("Ours", b.ours), ("Stock `rasa init` assistant", b.stock)):
        if not run.results:
            continue
        rows = []
        for name, r in run.results.items():
            lat = r.latency()
            rows.append(
                (
                    name,
                    r.regime.concurrency,
                    f"{r.regime.think_time:.0f} s",
                    r.turns,
                    r.calls_completed,
                    fmt_rate(r.throughput),
                    fmt_ms(lat.p50),
                    fmt_ms(lat.p95),
                    fmt_ms(lat.p99),
                    fmt_ms(lat.mean),
                    fmt_ms(lat.max),
                    r.errors,
                    r.unexpected,
                    _cpu_text(run, name),
                    fmt_ms(run.client_cpu_ms_per_turn.get(name)),
                )
            )
        out += [f"### {label}: every regime (latency in ms)", "", report.markdown_table(headers, rows), ""]
        extra = [f"start-up until both servers answered: {fmt_seconds(run.startup_s)}"]
        if run.db_counts:
            extra.append("state left by the load: " + ", ".join(f"{k} {v}" for k, v in run.db_counts.items()))
        if run.warmup_failures:
            extra.append(f"failed warm-up turns: {run.warmup_failures}")
        out += [f"- {e}" for e in extra] + [""]
    if b.nlu_ours or b.nlu_textbook:
        heads = ("intent", "caller_role", "purpose", "hardship")
        rows = []
        for label, scores in (("ours (config.yml)", b.nlu_ours), ("textbook DIET", b.nlu_textbook)):
            if scores:
                rows.append(
                    (
                        label,
                        *(
                            f"{fmt_pct(scores[h]['accuracy'])} ({scores[h]['correct']}/{scores[h]['total']})"
                            for h in heads
                        ),
                    )
                )
        out += [
            "### NLU holdout (tests/nlu_holdout.yml), every head",
            "",
            report.markdown_table(("model", *heads), rows),
            "",
        ]
    timings = []
    if b.train:
        timings.append(
            f"our training from scratch {fmt_seconds(b.train.full_s)}; retrain after "
            f"changing the text of `{b.train.changed_response}` {fmt_seconds(b.train.retrain_s)}"
        )
    if b.stock_init_s:
        timings.append(
            f"`rasa init --no-prompt` (scaffold + training the stock assistant) {fmt_seconds(b.stock_init_s)}"
        )
    if b.textbook_train_s:
        timings.append(f"textbook pipeline training {fmt_seconds(b.textbook_train_s)}")
    if b.stock_init_s and b.textbook_train_s:
        timings.append(
            "these two ran at the same time (and alongside the scoring of our model), "
            "so both are longer than either alone; neither is a target"
        )
    if timings:
        out += ["### Training", ""] + [f"- {t}" for t in timings] + [""]
    if b.failures:
        out += ["### Not measured in this run", ""] + [f"- {f}" for f in b.failures] + [""]
    try:
        load = " / ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:
        load = "unknown"
    out.append(f"Whole run: {b.elapsed():.0f} s; load average at the end (1/5/15 min): {load}.")
    return out


def method_notes(args: argparse.Namespace) -> List[str]:
    return [
        "Ours: the README's deployment — `python -m rasa_sdk --actions actions` and `python -m bot "
        "serve` (Rasa + our routes), SQLite tracker store (the project's endpoints.yml: "
        "`bot.integration.tracker_store.SQLTrackerStore`, Rasa's `events` table with cheaper reads and "
        "saves, see docs/operations.md) and project database under a fresh BOT_DATA_DIR with the demo customers — started through `bot.ops.launcher` (server_commands, "
        "server_env, prepare_state), from a copy of the working tree with a model trained from "
        "scratch in that copy (the working tree's models/ and .rasa/ are not touched).",
        "Anchor: `rasa init --no-prompt` generated and trained in a temp dir by the same Rasa "
        "install, served by `rasa run actions` + `rasa run` with the REST channel; its "
        "endpoints.yml gets the action endpoint and a SQLite tracker store (Rasa's own `type: "
        "SQL`; stock leaves both commented out) so both assistants store every turn in a "
        "SQLite file.",
        "Calls: ours mixes a borrower call (greeting, role, name, ID digits, purpose, hardship → "
        "materials and recap; 6 turns), a third-party proxy call (gray-industry opening, whom, ID "
        "digits, refusal; 4 turns) and a family member's collection complaint (4 turns), details "
        "drawn at random; the stock assistant gets its own greet / mood / bot-challenge paths "
        "(4 turns). Every call is a new sender. Client: asyncio + aiohttp in one process on the "
        "same machine, keep-alive connections.",
        f"Saturation: each of N callers sends its next turn as soon as the previous one is answered, "
        f"{args.warmup:.0f} s unmeasured then {args.duration:.0f} s measured; turns/s counts turns "
        f"answered inside the window. Live: 40 callers, each pausing 2 s between turns and between "
        f"calls, {args.live_duration:.0f} s measured. Regimes run one after another against the "
        "same servers and database, which keep growing (see state left by the load).",
        "Server CPU per turn: user + system CPU time (/proc/<pid>/stat) of each server process and "
        "its children over a regime, divided by the turns answered in it; it varies much less with "
        "other load on the machine than latency does, so compare it first when two runs disagree. "
        "Load generator CPU per turn is the benchmark process's own (it shares the 2 cores).",
        "Memory: VmRSS from /proc/<pid>/status of each server process plus its children, sampled "
        "every 0.2 s from the warm-up to the end of the last regime; 'together' is the peak of "
        "the sum at one instant.",
        "Training: `python -m bot train` (the README's training) in the copy with an empty Rasa "
        "cache, wall clock including start-up; then one response text in domain.yml is changed "
        "and it is run again (Rasa's cache reuses the unchanged NLU training).",
        f"NLU: bot.ops.nlu_eval on tests/nlu_holdout.yml for both models (predicted_labels maps "
        f"entity values the same way for both). Textbook pipeline: JiebaTokenizer, "
        f"CountVectorsFeaturizer, char_wb 1–4-gram CountVectorsFeaturizer, DIETClassifier "
        f"({args.textbook_epochs} epochs, entity recognition on), EntitySynonymMapper; policies "
        f"RulePolicy + TEDPolicy in its config, "
        + (
            "trained as well."
            if args.textbook_full
            else "but only its NLU is trained (`rasa train nlu`): policies do not change NLU accuracy."
        ),
        "Rasa telemetry is switched off (RASA_TELEMETRY_ENABLED=false) in every process the "
        "benchmark starts, so nothing leaves the machine.",
    ]


# ---- main ---------------------------------------------------------------------------


def parse_args(argv: Optional[List[str]]) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--duration", type=float, default=15.0, help="measured seconds per saturation regime")
    p.add_argument("--live-duration", type=float, default=25.0, help="measured seconds of the live regime")
    p.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds before each regime")
    p.add_argument("--warmup-calls", type=int, default=6, help="calls held serially before the regimes")
    p.add_argument("--textbook-epochs", type=int, default=100)
    p.add_argument(
        "--textbook-full",
        action="store_true",
        help="train the textbook config's TEDPolicy too (slower; NLU accuracy is the same)",
    )
    p.add_argument("--skip-stock", action="store_true", help="no stock anchor")
    p.add_argument("--skip-textbook", action="store_true", help="no textbook NLU comparison")
    p.add_argument(
        "--quick",
        action="store_true",
        help="development run: 4 s regimes, 5 textbook epochs; writes results/benchmarks-quick.md",
    )
    p.add_argument("--budget", type=float, default=BUDGET_S, help="seconds for the whole run")
    p.add_argument("--out", type=Path, default=None, help="default docs/benchmarks.md")
    p.add_argument("--keep-temp", action="store_true", help="keep the temp dir (copies, logs, databases)")
    args = p.parse_args(argv)
    if args.quick:
        args.duration, args.live_duration, args.warmup = 4.0, 6.0, 1.0
        args.warmup_calls, args.textbook_epochs = 3, 5
    if args.out is None:
        args.out = ROOT / ("results/benchmarks-quick.md" if args.quick else "docs/benchmarks.md")
    return args


def child_env() -> Dict[str, str]:
    from bot.ops.logs import quiet_environment

    env = quiet_environment(dict(os.environ, RASA_TELEMETRY_ENABLED="false"))
    for key in (
        "RASA_CACHE_DIRECTORY",
        "BOT_DATA_DIR",
        "BOT_DB_URL",
        "PORT",
        "ACTION_PORT",
        "BOT_TRACKER_DB",
        "BOT_EVENTS_DB",
    ):
        env.pop(key, None)
    return env


def run(args: argparse.Namespace) -> Bench:
    bench = Bench(budget_s=args.budget)
    bench.machine = report.machine_info()
    importlib.import_module("bot.ops.launcher")  # the launcher as of the project copy made below
    tmp = Path(tempfile.mkdtemp(prefix="script-guide-bench-"))
    logs = tmp / "logs"
    logs.mkdir()
    env = child_env()
    project = tmp / "project"
    say(bench, f"benchmark run; temp dir {tmp}; budget {args.budget:.0f} s")
    n_regimes = len(regimes(args))
    load_s = n_regimes * (args.warmup + 1) + 2 + 4 * args.duration + args.live_duration + 20
    failed = False
    try:

        def train_ours() -> None:
            training.copy_project(ROOT, project)
            say(bench, f"   copied the project to {project}; training from scratch")
            bench.train = training.time_training(project, env, logs, timeout=max(60.0, bench.remaining() - 60))
            say(
                bench,
                f"   trained from scratch in {bench.train.full_s:.1f} s; retrain after "
                f"changing {bench.train.changed_response}: {bench.train.retrain_s:.1f} s",
            )

        if not phase(bench, "1/6 training time of our model", 120, train_ours):
            bench.failures.append("everything else: it needs our trained model")
            return bench

        phase(
            bench,
            "2/6 our stack under load",
            load_s + 30,
            lambda: drive(bench, start_ours(project, tmp / "ours-var", logs), bench.ours, calls.ours_factory(), args),
        )
        bench.ours.db_counts = db_counts(tmp / "ours-var")

        holdout = project / "tests" / "nlu_holdout.yml"
        project_env = training.project_env(project, env)
        stock_dir = tmp / "stock"
        textbook: Optional[nlu.TextbookTraining] = None
        if not args.skip_textbook:
            # Nothing timed as a target runs while it trains: it overlaps `rasa init` and the
            # scoring of our model, and is done before the stock assistant is put under load.
            textbook = nlu.TextbookTraining(
                project, tmp / "textbook", project_env, logs, epochs=args.textbook_epochs, full=args.textbook_full
            )
            say(bench, f"   textbook DIET pipeline ({args.textbook_epochs} epochs) training in the background")

        stock_ready = False
        if not args.skip_stock:

            def stock_init() -> None:
                bench.stock_init_s = stock.create(
                    stock_dir, env, logs, timeout=max(60.0, bench.remaining() - load_s - 60)
                )
                say(bench, f"   rasa init (scaffold + training) took {bench.stock_init_s:.1f} s")

            stock_ready = phase(
                bench, "3/6 generate and train the stock assistant (`rasa init --no-prompt`)", 90, stock_init
            )

        def nlu_ours() -> None:
            bench.nlu_ours = nlu.score_model(
                project, project / training.MODEL_RELATIVE, holdout, project_env, logs, "ours"
            )
            say(
                bench,
                f"   ours: role {fmt_pct(bench.nlu_ours['caller_role']['accuracy'])}, "
                f"purpose {fmt_pct(bench.nlu_ours['purpose']['accuracy'])}",
            )

        phase(bench, "4/6 NLU holdout accuracy of our config.yml", 60, nlu_ours)

        if textbook is not None:

            def textbook_nlu() -> None:
                reserve = (load_s + 60) if stock_ready else 0
                # finish() counts from the training's start; leave room to score it and for the
                # stock assistant's load phase.
                since_start = time.monotonic() - textbook.started
                bench.textbook_train_s = textbook.finish(
                    timeout=since_start + max(10.0, bench.remaining() - reserve - 45),
                    progress=lambda text: say(bench, f"      {text}"),
                )
                say(bench, f"   textbook trained in {bench.textbook_train_s:.1f} s; scoring it")
                bench.nlu_textbook = nlu.score_model(
                    project,
                    textbook.model,
                    holdout,
                    project_env,
                    logs,
                    "textbook",
                    timeout=max(30.0, bench.remaining() - reserve),
                )
                say(
                    bench,
                    f"   textbook: role {fmt_pct(bench.nlu_textbook['caller_role']['accuracy'])}, "
                    f"purpose {fmt_pct(bench.nlu_textbook['purpose']['accuracy'])}",
                )

            if not phase(bench, "5/6 NLU holdout accuracy of a textbook Chinese DIET pipeline", 60, textbook_nlu):
                textbook.child.stop()

        if stock_ready:
            phase(
                bench,
                "6/6 the stock assistant under the same load",
                load_s + 30,
                lambda: drive(
                    bench,
                    stock.start(stock_dir, tmp / "stock-var", env, logs),
                    bench.stock,
                    calls.stock_factory(),
                    args,
                ),
            )
            bench.stock.db_counts = db_counts(tmp / "stock-var")
    except BaseException:
        failed = True
        raise
    finally:
        procs.stop_all()
        if args.keep_temp or failed or bench.failures:
            say(bench, f"temp dir kept (logs, databases): {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return bench


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    procs.install_cleanup()
    try:
        bench = run(args)
    except KeyboardInterrupt:
        print("\n!! interrupted; every process the benchmark started has been stopped.", flush=True)
        return 130
    rows = build_rows(bench)
    say(bench, "== results")
    print()
    print(report.machine_table(bench.machine))
    print()
    print(report.rows_table(rows))
    print()
    text = report.render_document(
        rows,
        bench.machine,
        details(bench),
        method_notes(args),
        command="make bench" + (" (--quick: not representative)" if args.quick else ""),
    )
    path = report.write_document(args.out, text)
    say(bench, f"written to {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    for failure in bench.failures:
        say(bench, f"!! not measured: {failure}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
