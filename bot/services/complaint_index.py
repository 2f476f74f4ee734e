"""The template check's complaint index, kept in the project database itself.

Why here and not in each process: the index used to be built in memory by every
action-server process (13–15 MiB per 1,000 complaints, 400 MB at 30,000, once per
process, and only on SQLite; on PostgreSQL every turn read and compared every stored
complaint). Now every complaint's shingles are written once, when the case is
registered, to two tables of the project database, SQLite and PostgreSQL alike:

- `complaint_entries`: one row per registered complaint text (its case reference, call,
  customer, time and number of distinct shingles; 0 when too short to compare);
- `complaint_postings`: one row per shingle (a 64-bit hash), its posting list — the
  entries holding it — as packed little-endian uint32 ids, appended to with one
  upsert per shingle (`entries || new`, atomic on both databases).

A turn's search reads the posting lists of the caller's shingles (one indexed
statement, a few kilobytes), counts per entry how many of them it holds (numpy), and
keeps the entries holding at least `ceil(t·|A|)` (no complaint with fewer can reach
Jaccard t: `|A∩B| ≥ t·|A∪B| ≥ t·|A|`) whose count also gives Jaccard ≥ t with their
stored size. Those few are compared again on their real text shingles, so the
verdict and the similarity the evidence quotes are exactly those of comparing one by
one (a 64-bit hash collision could only add a candidate, which the text then
refutes). Every process and every machine reads the same index; nothing is built at
start-up or held in memory between turns.

Why not PostgreSQL's pg_trgm: under a `C` LC_CTYPE it drops every CJK character
(`show_trgm('你们催收…')` is empty; under C.UTF-8 it works), its trigrams are padded
per word and differ from the engine's, and SQLite has nothing like it. Why not
MinHash LSH: it misses some pairs above the threshold; this index misses none.
`python -m bench.template_scale` measures all of this (docs/benchmarks.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from dataclasses import dataclass, field
from typing import Dict, FrozenSet, Iterable, List, Optional, Sequence, Tuple

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from bot.core.risk.complaints import stored_complaint_shingles

metadata = sa.MetaData()

complaint_entries = sa.Table(
    "complaint_entries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("reference", sa.String(32), nullable=False, unique=True),
    sa.Column("call_id", sa.String(128), nullable=False),
    sa.Column("customer_id", sa.String(64), nullable=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("size", sa.Integer, nullable=False),  # distinct shingle hashes; 0 = too short to compare
)

complaint_postings = sa.Table(
    "complaint_postings",
    metadata,
    sa.Column("shingle", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("entries", sa.LargeBinary, nullable=False),  # uint32 little-endian entry ids
)

# The settings the stored shingles were made with: ("shingle_size", "3"), ("min_chars", "20").
complaint_index_meta = sa.Table(
    "complaint_index_meta",
    metadata,
    sa.Column("key", sa.String(32), primary_key=True),
    sa.Column("value", sa.String(64), nullable=False),
)

_IDS = np.dtype("<u4")


def shingle_hash(shingle: str) -> int:
    """A stable signed 64-bit hash of one shingle (fits BIGINT and SQLite INTEGER)."""
    return int.from_bytes(hashlib.blake2b(shingle.encode("utf-8"), digest_size=8).digest(), "big", signed=True)


def hashed(found: Iterable[str]) -> List[int]:
    return sorted({shingle_hash(s) for s in found})


def create_tables(engine: Engine) -> None:
    metadata.create_all(engine)


def _append_statement(conn: Connection) -> sa.sql.expression.TextClause:
    concat = (
        "CAST(complaint_postings.entries || excluded.entries AS BLOB)"
        if conn.dialect.name == "sqlite"
        else "complaint_postings.entries || excluded.entries"
    )
    return sa.text(
        "INSERT INTO complaint_postings (shingle, entries) VALUES (:shingle, :entries) "
        f"ON CONFLICT (shingle) DO UPDATE SET entries = {concat}"
    )


def _index(conn: Connection, rows: Sequence[Tuple[str, str, Optional[str], dt.datetime, List[int]]]) -> int:
    """Entries and postings for (reference, call, customer, when, hashes) rows; those comparable."""
    postings: Dict[int, List[int]] = {}
    # an entry left by a cases table that was emptied and refilled: the new case wins
    # (posting lists still naming the old id find no entry and are ignored)
    conn.execute(complaint_entries.delete().where(complaint_entries.c.reference.in_([r[0] for r in rows])))
    for reference, call_id, customer_id, created_at, hashes in rows:
        entry = conn.execute(
            complaint_entries.insert().values(
                reference=reference, call_id=call_id, customer_id=customer_id, created_at=created_at, size=len(hashes)
            )
        ).inserted_primary_key[0]
        for h in hashes:
            postings.setdefault(h, []).append(entry)
    if postings:
        conn.execute(
            _append_statement(conn),
            [{"shingle": h, "entries": np.asarray(ids, dtype=_IDS).tobytes()} for h, ids in sorted(postings.items())],
        )
    return sum(1 for row in rows if row[4])


def add(
    conn: Connection,
    reference: str,
    call_id: str,
    customer_id: Optional[str],
    created_at: dt.datetime,
    text: str,
    shingle_size: int,
    min_chars: int,
) -> bool:
    """Index one registered complaint inside the caller's transaction; False when it is too
    short to compare (it still gets an entry of size 0, so `sync` does not look at it again)."""
    found = stored_complaint_shingles(text or "", shingle_size, min_chars)
    return bool(_index(conn, [(reference, call_id, customer_id, created_at, hashed(found) if found else [])]))


def replace(conn: Connection, reference: str, old_text: str, new_text: str, shingle_size: int, min_chars: int) -> None:
    """Index a registered complaint's new text in place of its old one (the caller's account
    grows during the call; retention clears it), inside the caller's transaction. The old
    entry's id is taken out of the posting lists of the old text's shingles, so they do not
    grow with every update."""
    old = conn.execute(
        sa.select(
            complaint_entries.c.id,
            complaint_entries.c.call_id,
            complaint_entries.c.customer_id,
            complaint_entries.c.created_at,
        ).where(complaint_entries.c.reference == reference)
    ).first()
    if old is None:
        return  # not indexed (yet): sync picks it up
    entry, call_id, customer_id, created_at = old
    before = stored_complaint_shingles(old_text or "", shingle_size, min_chars)
    if before:
        for shingle, blob in conn.execute(
            sa.select(complaint_postings.c.shingle, complaint_postings.c.entries).where(
                complaint_postings.c.shingle.in_(hashed(before))
            )
        ).all():
            ids = np.frombuffer(bytes(blob), dtype=_IDS)
            conn.execute(
                complaint_postings.update()
                .where(complaint_postings.c.shingle == shingle)
                .values(entries=ids[ids != entry].tobytes())
            )
    conn.execute(complaint_entries.delete().where(complaint_entries.c.id == entry))
    found = stored_complaint_shingles(new_text or "", shingle_size, min_chars)
    _index(conn, [(reference, call_id, customer_id, created_at, hashed(found) if found else [])])


def _settings(conn: Connection) -> Dict[str, str]:
    return {r[0]: r[1] for r in conn.execute(sa.select(complaint_index_meta.c.key, complaint_index_meta.c.value))}


def sync(engine: Engine, cases: sa.Table, shingle_size: int, min_chars: int, batch: int = 2000) -> int:
    """Index every registered case with a text that is not indexed yet (a database from before
    the index); rebuilt from scratch when the template settings changed. Complaints added."""
    wanted = {"shingle_size": str(shingle_size), "min_chars": str(min_chars)}
    with engine.begin() as conn:
        if _settings(conn) != wanted:
            conn.execute(complaint_postings.delete())
            conn.execute(complaint_entries.delete())
            conn.execute(complaint_index_meta.delete())
            conn.execute(complaint_index_meta.insert(), [{"key": k, "value": v} for k, v in wanted.items()])
    added = 0
    while True:
        with engine.begin() as conn:
            missing = conn.execute(
                sa.select(cases.c.reference, cases.c.call_id, cases.c.customer_id, cases.c.created_at, cases.c.detail)
                .select_from(cases.outerjoin(complaint_entries, complaint_entries.c.reference == cases.c.reference))
                .where(complaint_entries.c.id.is_(None), cases.c.detail != "")
                .order_by(cases.c.created_at)
                .limit(batch)
            ).all()
            if not missing:
                return added
            rows = []
            for reference, call_id, customer_id, created_at, detail in missing:
                found = stored_complaint_shingles(detail, shingle_size, min_chars)
                rows.append((reference, call_id, customer_id, created_at, hashed(found) if found else []))
            added += _index(conn, rows)


def count(engine: Engine) -> int:
    """Complaints in the index that can be compared."""
    with engine.connect() as conn:
        return conn.execute(
            sa.select(sa.func.count()).select_from(complaint_entries).where(complaint_entries.c.size > 0)
        ).scalar_one()


@dataclass
class DatabaseComplaintSearch:
    """What `bot.core.risk` asks of a complaint search, answered by the database index.

    Made per turn; the posting lists and entries it reads are kept for the turn's other
    texts (they share most shingles). Statements are written out rather than built with
    SQLAlchemy's expression language: they carry only integers made here, and building
    an IN list of a hundred values cost more than running it."""

    engine: Engine
    cases: sa.Table
    exclude_call_id: str
    since: dt.datetime
    shingle_size: int
    min_chars: int
    _postings: Dict[int, np.ndarray] = field(default_factory=dict, repr=False)
    # entry id → (customer_id, size, text), or None when excluded, too old or gone
    _entries: Dict[int, Optional[Tuple[str, int, str]]] = field(default_factory=dict, repr=False)

    def _lists(self, hashes: Sequence[int]) -> List[np.ndarray]:
        wanted = [h for h in hashes if h not in self._postings]
        if wanted:
            for h in wanted:
                self._postings[h] = np.empty(0, dtype=_IDS)
            sql = f"SELECT shingle, entries FROM complaint_postings WHERE shingle IN ({','.join(map(str, wanted))})"
            with self.engine.connect() as conn:
                for h, blob in conn.exec_driver_sql(sql).fetchall():
                    self._postings[h] = np.frombuffer(bytes(blob), dtype=_IDS)
        return [self._postings[h] for h in hashes]

    def _load_entries(self, ids: Sequence[int]) -> None:
        wanted = [i for i in ids if i not in self._entries]
        if not wanted:
            return
        for i in wanted:
            self._entries[i] = None
        mark = "?" if self.engine.dialect.paramstyle == "qmark" else "%s"
        sql = (
            "SELECT e.id, e.customer_id, e.size, c.detail FROM complaint_entries e "
            "JOIN cases c ON c.reference = e.reference "
            f"WHERE e.id IN ({','.join(map(str, wanted))}) AND e.call_id != {mark} AND e.created_at >= {mark}"
        )
        with self.engine.connect() as conn:
            for entry, customer_id, size, text in conn.exec_driver_sql(sql, (self.exclude_call_id, self.since)):
                self._entries[entry] = (customer_id or "", size, text)

    def candidates(self, query: FrozenSet[str], threshold: float) -> List[Tuple[str, str]]:
        """(customer_id, stored text) of other calls' complaints whose hashed shingles reach
        `threshold` against `query`."""
        hashes = hashed(query)
        lists = [a for a in self._lists(hashes) if a.size]
        if not lists:
            return []
        need = max(1, math.ceil(threshold * len(hashes) - 1e-9))
        ids, counts = np.unique(np.concatenate(lists), return_counts=True)
        keep = counts >= need
        if not keep.any():
            return []
        common = dict(zip(ids[keep].tolist(), counts[keep].tolist()))
        self._load_entries(list(common))
        size, found = len(hashes), []
        for entry, shared in common.items():
            stored = self._entries[entry]
            if stored and shared * (1 + threshold) >= threshold * (size + stored[1]) - 1e-9:
                found.append((stored[0], stored[2]))
        return found

    def matches(self, query: FrozenSet[str], threshold: float) -> List[Tuple[str, float]]:
        """(customer_id, exact Jaccard similarity) of other calls' complaints at or above `threshold`."""
        out = []
        for customer_id, text in self.candidates(query, threshold):
            theirs = stored_complaint_shingles(text, self.shingle_size, self.min_chars)
            if not theirs:
                continue
            common = len(query & theirs)
            similarity = common / (len(query) + len(theirs) - common)
            if similarity >= threshold:
                out.append((customer_id, similarity))
        return out
