"""`python -m bench.template_scale`: the template check's cost per turn as stored complaints grow,
on both stores, with its recall against exact Jaccard.

The action server's template check searches the index kept in the project database
(bot/services/complaint_index.py; shared by every process). This measures it on SQLite
(a file under a temp dir) and on PostgreSQL (Debian's, started by scripts/services.sh
in a temp dir and stopped at the end), up to 100,000 stored complaints:

- ms per turn: `template_signals` (the engine's whole template check) for a caller
  text that near-duplicates a stored one, through the real `Database.complaint_search`;
- index on disk (its two tables with their indexes) and the memory the search itself
  allocates in the action server (tracemalloc; the index is not held in the process);
- registering one complaint (the case and its shingles, one transaction);
- recall and precision of the index's verdicts against exact Jaccard (the in-memory
  `ShingleIndex`, itself tested equal to comparing one by one) on a labelled set:
  variants of stored complaints with 0–60% of their characters replaced, so their
  true similarity falls on both sides of the threshold;
- for comparison, the one-by-one path at 10,000 and pg_trgm's treatment of CJK text
  under the `C` and `C.UTF-8` locales;
- a projection to 1,000,000 from the growth between 10,000 and 100,000.

Synthetic complaints of 30–120 characters; a 46-character alphabet means many shared
shingles (the hard case: every shingle's posting list grows with the corpus), 2,500
characters is closer to free text. Writes its tables between the template-scale
markers of docs/benchmarks.md (`--out`), and prints them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import random
import shutil
import subprocess
import tempfile
import time
import tracemalloc
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from bot.core.risk import CallFacts, RiskContext, load_config
from bot.core.risk.complaints import ComplaintIndex, ComplaintSearch, StoredComplaint, stored_complaint_shingles
from bot.core.risk.signals import template_signals
from bot.core.risk.similarity import shingles

ROOT = Path(__file__).resolve().parent.parent
SMALL = list("你们催收天天打电话给我家人同事我要投诉违规上门威胁银保监会停息挂账减免利息罚息本金分期还款困难失业医疗")
LARGE = [chr(c) for c in range(0x4E00, 0x4E00 + 2500)]
ALPHABETS = (("46 (many shared shingles)", SMALL), ("2,500", LARGE))
START, END = "<!-- template-scale:start -->", "<!-- template-scale:end -->"
LIMIT_MS, LIMIT_MIB = 5.0, 300.0


@dataclass
class Point:
    store: str
    alphabet: str
    size: int
    ms_per_turn: float
    search_kib: float
    disk_mib: float
    register_ms: float
    server_mib: Optional[float] = None  # PostgreSQL: PSS of its processes


@dataclass
class Recall:
    store: str
    alphabet: str
    size: int
    labelled: int
    positives: int
    found: int
    false_positives: int
    identical_evidence: bool


@dataclass
class Run:
    points: List[Point] = field(default_factory=list)
    recalls: List[Recall] = field(default_factory=list)
    one_by_one: Dict[Tuple[str, int], float] = field(default_factory=dict)
    trgm: Dict[str, str] = field(default_factory=dict)
    notes: List[str] = field(default_factory=list)


def complaint_text(rng: random.Random, alphabet: List[str]) -> str:
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(30, 120)))


def variant(rng: random.Random, text: str, alphabet: List[str], rate: float) -> str:
    """`text` with about `rate` of its characters replaced."""
    return "".join(rng.choice(alphabet) if rng.random() < rate else ch for ch in text)


# ---- the stores -----------------------------------------------------------------------


class Store:
    """A project database (SQLite file or PostgreSQL URL) the bench fills fast."""

    def __init__(self, name: str, url: str):
        from bot.services import storage

        self.name, self.url = name, url
        storage._engines.pop(url, None)
        self.db = storage.Database(url)
        self.engine = self.db.engine
        self.storage = storage
        self.count = 0

    def bulk_add(self, stored: List[StoredComplaint], shingle_size: int, min_chars: int) -> None:
        """Cases, entries and posting lists as the index keeps them, written in bulk (COPY on
        PostgreSQL) rather than one registration at a time."""
        import numpy as np

        from bot.services.complaint_index import hashed

        with self.engine.connect() as conn:
            entry = conn.exec_driver_sql("SELECT COALESCE(MAX(id), 0) FROM complaint_entries").scalar()
        cases, entries, postings = [], [], {}
        for c in stored:
            entry += 1
            self.count += 1
            reference = f"TS{self.count:010d}"
            found = stored_complaint_shingles(c.text, shingle_size, min_chars)
            hashes = hashed(found) if found else []
            due = (c.created_at + dt.timedelta(days=15)).date()
            cases.append((reference, c.call_id, "complaint", c.customer_id, "third_party", c.text, c.created_at, due))
            entries.append((entry, reference, c.call_id, c.customer_id, c.created_at, len(hashes)))
            for h in hashes:
                postings.setdefault(h, []).append(entry)
        blobs = [(h, np.asarray(ids, dtype="<u4").tobytes()) for h, ids in postings.items()]
        raw = self.engine.raw_connection()
        try:
            cur = raw.cursor()
            if self.engine.dialect.name == "sqlite":
                cur.executemany("INSERT INTO cases VALUES (?,?,?,?,?,?,?,?)", cases)
                cur.executemany("INSERT INTO complaint_entries VALUES (?,?,?,?,?,?)", entries)
                cur.executemany(
                    "INSERT INTO complaint_postings VALUES (?, ?) ON CONFLICT (shingle) DO UPDATE "
                    "SET entries = CAST(complaint_postings.entries || excluded.entries AS BLOB)",
                    blobs,
                )
            else:
                _copy(cur, "cases", cases)
                _copy(cur, "complaint_entries", entries)
                cur.execute("CREATE TEMP TABLE new_postings (shingle bigint, entries bytea)")
                _copy(cur, "new_postings", [(h, "\\\\x" + b.hex()) for h, b in blobs])
                cur.execute(
                    "INSERT INTO complaint_postings SELECT * FROM new_postings ON CONFLICT (shingle) DO UPDATE "
                    "SET entries = complaint_postings.entries || EXCLUDED.entries"
                )
                cur.execute("DROP TABLE new_postings")
                cur.execute("SELECT setval(pg_get_serial_sequence('complaint_entries', 'id'), %s)", (entry,))
            raw.commit()
            if self.engine.dialect.name != "sqlite":
                raw.set_isolation_level(0)
                cur.execute("VACUUM ANALYZE")
                raw.set_isolation_level(1)
        finally:
            raw.close()

    def disk_mib(self) -> float:
        """Size of the index's two tables with their indexes."""
        with self.engine.connect() as conn:
            if self.engine.dialect.name == "sqlite":
                try:
                    total = conn.exec_driver_sql(
                        "SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'complaint_%' "
                        "OR name LIKE 'sqlite_autoindex_complaint_%'"
                    ).scalar()
                except Exception:  # noqa: BLE001 - SQLite built without dbstat
                    total = None
                return (total or 0) / 2**20
            total = conn.exec_driver_sql(
                "SELECT pg_total_relation_size('complaint_postings') + pg_total_relation_size('complaint_entries')"
            ).scalar()
            return total / 2**20


def _copy(cur, table: str, rows: List[tuple]) -> None:
    import io

    buf = io.StringIO()
    for row in rows:
        buf.write("\t".join("\\N" if v is None else str(v) for v in row) + "\n")
    buf.seek(0)
    cur.copy_expert(f"COPY {table} FROM STDIN", buf)


def postgres_pss_mib(pg_dir: Path) -> Optional[float]:
    """Proportional set size of every postgres process of this cluster (shared memory counted once)."""
    try:
        leader = int((pg_dir / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    from bench.procs import descendants

    total = 0
    for pid in descendants(leader):
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


# ---- measurements ---------------------------------------------------------------------


def time_turn(facts: CallFacts, context, config, repeat: int) -> float:
    """ms per turn; `context` is a RiskContext or a function making a fresh one per turn (the
    action server builds a new search every turn, so nothing read in one turn helps the next)."""
    make = context if callable(context) else (lambda: context)
    template_signals(facts, make(), config)
    started = time.perf_counter()
    for _ in range(repeat):
        template_signals(facts, make(), config)
    return (time.perf_counter() - started) / repeat * 1000


def search_kib(facts: CallFacts, context, config) -> float:
    make = context if callable(context) else (lambda: context)
    fresh = make()
    gc.collect()
    tracemalloc.start()
    template_signals(facts, fresh, config)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1024


def register_ms(store: Store, rng: random.Random, alphabet: List[str], count: int = 20) -> float:
    started = time.perf_counter()
    for i in range(count):
        store.db.register_case(
            f"bench-reg-{store.count}-{i}", "complaint", "third_party", f"R{i}", complaint_text(rng, alphabet), 15
        )
    return (time.perf_counter() - started) / count * 1000


def labelled_set(rng: random.Random, stored: List[StoredComplaint], alphabet: List[str], n: int) -> List[CallFacts]:
    rates = [0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.6]
    out = []
    for i in range(n):
        base = rng.choice(stored).text
        out.append(
            CallFacts(
                caller_role="third_party", utterances=["我要投诉", variant(rng, base, alphabet, rates[i % len(rates)])]
            )
        )
    return out


def recall(store: Store, exact: ComplaintIndex, queries: List[CallFacts], config, since) -> Recall:
    """The database index's matches against exact Jaccard, per (query, customer)."""
    t = config.template
    positives = found = false_pos = 0
    identical = True
    for facts in queries:
        query = shingles(facts.utterances[-1], t.shingle_size)
        truth = {c.customer_id for c, _ in ComplaintSearch(exact, "labelled", since).index.search(query, t.threshold)}
        got = {cid for cid, _ in store.db.complaint_search("labelled").matches(query, t.threshold)}
        positives += len(truth)
        found += len(truth & got)
        false_pos += len(got - truth)
        a = template_signals(facts, RiskContext(complaint_search=ComplaintSearch(exact, "labelled", since)), config)
        b = template_signals(facts, RiskContext(complaint_search=store.db.complaint_search("labelled")), config)
        identical &= a == b
    return Recall(store.name, "", 0, len(queries), positives, found, false_pos, identical)


def one_by_one_ms(stored: List[StoredComplaint], facts: CallFacts, config, repeat: int) -> float:
    listed = RiskContext(complaint_corpus=[(c.customer_id, c.text) for c in stored], current_customer_id="me")
    return time_turn(facts, listed, config, repeat)


def trgm_check(pg_url: str) -> Dict[str, str]:
    """show_trgm of a Chinese complaint in a database under each locale."""
    import sqlalchemy as sa

    text = "你们催收天天打电话骂人"
    out = {}
    admin = sa.create_engine(pg_url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    for locale in ("C", "C.UTF-8"):
        name = "trgm_" + locale.replace(".", "_").replace("-", "_").lower()
        try:
            with admin.connect() as conn:
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
                conn.exec_driver_sql(
                    f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' "
                    f"LC_CTYPE '{locale}' LC_COLLATE '{locale}'"
                )
            eng = sa.create_engine(pg_url.rsplit("/", 1)[0] + "/" + name)
            with eng.connect() as conn:
                conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                trigrams = conn.exec_driver_sql(f"SELECT cardinality(show_trgm('{text}'))").scalar()
                sim = conn.exec_driver_sql(f"SELECT similarity('{text}', '完全不同的一句话')").scalar()
            eng.dispose()
            out[locale] = f"{trigrams} trigrams of 「{text}」; similarity with an unrelated sentence {sim:.2f}"
            with admin.connect() as conn:
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
        except Exception as err:  # noqa: BLE001 - reported, not fatal
            out[locale] = f"not checked ({type(err).__name__}: {str(err).splitlines()[0][:80]})"
    admin.dispose()
    return out


class Postgres:
    """A throw-away PostgreSQL started by scripts/services.sh (which installs it when missing)."""

    def __init__(self, work: Path):
        from bench.procs import free_port

        self.work, self.pg_port, self.redis_port = work, free_port(), free_port()
        work.mkdir(parents=True, exist_ok=True)
        os.chmod(work.parent, 0o755)
        os.chmod(work, 0o755)
        subprocess.run(
            ["bash", str(ROOT / "scripts/services.sh"), "start", str(work), str(self.pg_port), str(self.redis_port)],
            check=True,
            timeout=900,
        )
        self.url = f"postgresql://bot:bot@127.0.0.1:{self.pg_port}/bot"
        admin = f"postgresql://postgres@127.0.0.1:{self.pg_port}/postgres"
        self.admin_url = admin

    def fresh_db(self, name: str) -> str:
        import sqlalchemy as sa

        eng = sa.create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        with eng.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
            conn.exec_driver_sql(f"CREATE DATABASE {name} OWNER bot")
        eng.dispose()
        return f"postgresql://bot:bot@127.0.0.1:{self.pg_port}/{name}"

    def stop(self) -> None:
        subprocess.run(
            [
                "bash",
                str(ROOT / "scripts/services.sh"),
                "stop",
                str(self.work),
                str(self.pg_port),
                str(self.redis_port),
            ],
            timeout=120,
        )


def run(sizes: List[int], repeat: int, stores: List[str], labelled: int) -> Run:
    config = load_config()
    t = config.template
    result = Run()
    tmp = Path(tempfile.mkdtemp(prefix="template-scale-"))
    pg: Optional[Postgres] = None
    try:
        if "postgresql" in stores:
            pg = Postgres(tmp / "pg")
            result.trgm = trgm_check(pg.admin_url)
        for alphabet_name, alphabet in ALPHABETS:
            targets: List[Store] = []
            for store_name in stores:
                slug = "s" if alphabet is SMALL else "l"
                if store_name == "sqlite":
                    targets.append(Store("SQLite", f"sqlite:///{tmp / f'bot-{slug}.db'}"))
                else:
                    targets.append(Store("PostgreSQL", pg.fresh_db(f"scale_{slug}")))
            rng = random.Random(7)
            now = dt.datetime.now()
            since = now - dt.timedelta(days=180)
            stored: List[StoredComplaint] = []
            exact = ComplaintIndex(t.shingle_size, t.min_chars)
            for size in sizes:
                fresh = [
                    StoredComplaint(f"C{i}", f"call-{i}", now, complaint_text(rng, alphabet))
                    for i in range(len(stored), size)
                ]
                stored.extend(fresh)
                for c in fresh:
                    exact.add(c)
                facts = CallFacts(
                    caller_role="third_party",
                    utterances=["我要投诉", stored[0].text[5:] + "".join(rng.choice(alphabet) for _ in range(10))],
                )
                if size == 10_000 and (alphabet_name, size) not in result.one_by_one:
                    result.one_by_one[(alphabet_name, size)] = one_by_one_ms(stored, facts, config, repeat)
                for store in targets:
                    started = time.perf_counter()
                    store.bulk_add(fresh, t.shingle_size, t.min_chars)
                    print(
                        f"   {store.name} {alphabet_name}: {size:,} stored ({time.perf_counter() - started:.0f} s to load)",
                        flush=True,
                    )

                    def context(store=store):
                        return RiskContext(
                            complaint_search=store.db.complaint_search("this-call"), current_customer_id="me"
                        )

                    ms = time_turn(facts, context, config, repeat)
                    kib = search_kib(facts, context, config)
                    reg = register_ms(store, random.Random(size), alphabet)
                    server = postgres_pss_mib(pg.work / "pg") if store.name == "PostgreSQL" and pg else None
                    point = Point(store.name, alphabet_name, size, ms, kib, store.disk_mib(), reg, server)
                    result.points.append(point)
                    print(f"   {point}", flush=True)
                    if size == sizes[-1]:
                        r = recall(
                            store, exact, labelled_set(random.Random(3), stored, alphabet, labelled), config, since
                        )
                        r.alphabet, r.size = alphabet_name, size
                        result.recalls.append(r)
                        print(f"   {r}", flush=True)
            for store in targets:
                store.engine.dispose()
                store.storage._engines.pop(store.url, None)
            del exact, stored
            gc.collect()
    finally:
        if pg:
            pg.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return result


# ---- the report -----------------------------------------------------------------------


def projection(points: List[Point], store: str, alphabet: str, attr: str) -> Optional[float]:
    """Linear growth from the last two sizes, carried on to 1,000,000."""
    mine = sorted((p for p in points if p.store == store and p.alphabet == alphabet), key=lambda p: p.size)
    if len(mine) < 2:
        return None
    a, b = mine[-2], mine[-1]
    slope = (getattr(b, attr) - getattr(a, attr)) / (b.size - a.size)
    return getattr(b, attr) + slope * (1_000_000 - b.size)


def render(result: Run, sizes: List[int]) -> str:
    rows = [
        "| store | characters drawn from | stored complaints | ms per turn | search allocates in the action server, KiB "
        "| index on disk, MiB | PostgreSQL processes (PSS), MiB | registering one complaint, ms | ≤ 5 ms and ≤ 300 MB |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for p in result.points:
        ok = ""
        if p.size >= 100_000:
            mem = (p.server_mib or 0) + p.search_kib / 1024
            ok = "pass" if p.ms_per_turn <= LIMIT_MS and mem <= LIMIT_MIB else "**miss**"
        rows.append(
            f"| {p.store} | {p.alphabet} | {p.size:,} | {p.ms_per_turn:.2f} | {p.search_kib:.0f} | {p.disk_mib:.0f} | "
            f"{'' if p.server_mib is None else f'{p.server_mib:.0f}'} | {p.register_ms:.1f} | {ok} |"
        )
    for store in sorted({p.store for p in result.points}):
        for alphabet, _ in ALPHABETS:
            ms = projection(result.points, store, alphabet, "ms_per_turn")
            disk = projection(result.points, store, alphabet, "disk_mib")
            if ms is not None:
                rows.append(f"| {store} | {alphabet} | 1,000,000 (projected) | {ms:.1f} | | {disk:.0f} | | | |")
    out = ["\n".join(rows), ""]
    if result.one_by_one:
        out.append(
            "Comparing one by one (the old PostgreSQL path, every stored complaint read and compared on every turn): "
            + "; ".join(
                f"{size:,} complaints, {name}: {ms:.1f} ms per turn" for (name, size), ms in result.one_by_one.items()
            )
            + "."
        )
        out.append("")
    if result.recalls:
        out += [
            "| store | characters drawn from | stored complaints | labelled texts | (text, customer) pairs at or above the threshold (exact Jaccard) | found by the index | recall | false matches | signals identical to exact |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for r in result.recalls:
            rec = r.found / r.positives if r.positives else 1.0
            out.append(
                f"| {r.store} | {r.alphabet} | {r.size:,} | {r.labelled} | {r.positives} | {r.found} | {rec:.1%} | "
                f"{r.false_positives} | {'yes' if r.identical_evidence else '**no**'} |"
            )
        out.append("")
    if result.trgm:
        out.append(
            "pg_trgm on the same Chinese text: "
            + "; ".join(f"LC_CTYPE `{loc}`: {what}" for loc, what in result.trgm.items())
            + "."
        )
        out.append("")
    return "\n".join(out)


def write(section: str, path: Path) -> None:
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    block = f"{START}\n{section.rstrip()}\n{END}"
    if START in text and END in text:
        head, rest = text.split(START, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = (
            text.rstrip("\n") + "\n\n## Template check at scale (`python -m bench.template_scale`)\n\n" + block + "\n"
        )
    path.write_text(text, encoding="utf-8")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.template_scale", description=__doc__)
    parser.add_argument("--sizes", default="1000,10000,100000", help="numbers of stored complaints, comma-separated")
    parser.add_argument("--repeat", type=int, default=20, help="turns timed per measurement")
    parser.add_argument("--stores", default="sqlite,postgresql")
    parser.add_argument("--labelled", type=int, default=180, help="labelled texts for recall")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md", help="'-' prints only")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    result = run(sizes, args.repeat, [s.strip() for s in args.stores.split(",")], args.labelled)
    section = (
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; limits: ≤ {LIMIT_MS:g} ms per turn and "
        f"≤ {LIMIT_MIB:g} MB at 100,000 stored complaints.\n\n" + render(result, sizes)
    )
    print(section)
    if str(args.out) != "-":
        write(section, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
