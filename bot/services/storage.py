"""The project's own database: customers, watchlist, call subjects, cases, call records, SMS codes.

SQLAlchemy Core over any URL (SQLite file by default, PostgreSQL for
scale-out). The conversations themselves are not here: they are Rasa's `events`
table, written by our tracker store (bot/integration/tracker_store.py) in its
own database file.

Free text a caller or an agent wrote (a case's detail, an agent's note) is stored
masked (`bot.core.masking.mask_at_rest`): no ID digits, no full phone number.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Iterable, List, Optional, Sequence, Tuple

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.pool import QueuePool

from bot.core.masking import mask_at_rest
from bot.services import analytics, complaint_index
from bot.settings import env_float, load_settings

metadata = sa.MetaData()

customers = sa.Table(
    "customers",
    metadata,
    sa.Column("customer_id", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(64), nullable=False),
    sa.Column("id_last4", sa.String(4), nullable=False, index=True),
    sa.Column("registered_phone", sa.String(20), nullable=False),
    sa.Column("loan_id", sa.String(64), nullable=False, index=True),
    sa.Column("outstanding", sa.String(24), nullable=False),  # canonical decimal text, e.g. "8650.00"
    sa.Column("overdue_days", sa.Integer, nullable=False),
)

watchlist = sa.Table(
    "watchlist",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("source", sa.String(128), nullable=False, default=""),
    sa.Column("note", sa.Text, nullable=False, default=""),
    sa.UniqueConstraint("kind", "value", name="uq_watchlist_kind_value"),
)

# Which borrower each call was about, with the calling number: the call history
# the risk engine reads ("one number calling about many accounts").
call_subjects = sa.Table(
    "call_subjects",
    metadata,
    sa.Column("call_id", sa.String(128), primary_key=True),
    sa.Column("caller_number", sa.String(20), nullable=True, index=True),
    sa.Column("customer_id", sa.String(64), nullable=False),
    sa.Column("recorded_at", sa.DateTime, nullable=False),
)

# Registered complaints, disputes and fraud reports, each with a reference number.
cases = sa.Table(
    "cases",
    metadata,
    sa.Column("reference", sa.String(32), primary_key=True),
    sa.Column("call_id", sa.String(128), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("customer_id", sa.String(64), nullable=True),
    sa.Column("caller_role", sa.String(32), nullable=False),
    sa.Column("detail", sa.Text, nullable=False, default=""),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("reply_due", sa.Date, nullable=False),
    sa.UniqueConstraint("call_id", "kind", name="uq_cases_call_kind"),
)

# Every flag and level change, append-only (UPDATE and DELETE are refused by triggers).
audit = sa.Table(
    "audit",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("call_id", sa.String(128), nullable=False, index=True),
    # signal_raised | level_changed | evidence_kept, and the console's case_* / *_viewed / watchlist_added / sharing_*
    sa.Column("event", sa.String(32), nullable=False),
    sa.Column("detail", sa.JSON, nullable=False),
)

# Calls held over the IVR and agent channels: who took them, when they ended, the agent's note.
call_records = sa.Table(
    "call_records",
    metadata,
    sa.Column("call_id", sa.String(128), primary_key=True),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("agent_id", sa.String(64), nullable=True),
    sa.Column("started_at", sa.DateTime, nullable=False),
    sa.Column("ended_at", sa.DateTime, nullable=True),
    sa.Column("disposition", sa.String(32), nullable=True),
    sa.Column("note", sa.Text, nullable=False, default=""),
    sa.Column("note_at", sa.DateTime, nullable=True),
)

# The call platform's speech recognition for agent calls (contract §6): the agent's final
# segments, each with the must-say items it was heard saying (matched when it came in, on the
# words as heard; the text is kept masked), and a small buffer of the latest non-final segments
# per speaker (speaker caller|agent, final false), which a final caller segment clears.
transcript_segments = sa.Table(
    "transcript_segments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("call_id", sa.String(128), nullable=False, index=True),
    sa.Column("speaker", sa.String(16), nullable=False),
    sa.Column("final", sa.Boolean, nullable=False),
    sa.Column("text", sa.Text, nullable=False, default=""),
    sa.Column("items", sa.JSON, nullable=False),  # adherence items this segment said
    sa.Column("at", sa.DateTime, nullable=False),  # UTC
)
INTERIM_KEPT = 3  # non-final segments kept per call and speaker

# The agent's adherence per call: items ticked by hand while the call runs; when it ends, what
# was required and said, the score, and whether the agent confirmed ending with items unsaid.
call_adherence = sa.Table(
    "call_adherence",
    metadata,
    sa.Column("call_id", sa.String(128), primary_key=True),
    sa.Column("agent_id", sa.String(64), nullable=True, index=True),
    sa.Column("manual", sa.JSON, nullable=False),  # items the agent marked said by hand
    sa.Column("required", sa.JSON(none_as_null=True), nullable=True),  # set when the call ends
    sa.Column("said", sa.JSON(none_as_null=True), nullable=True),
    sa.Column("unsaid", sa.JSON(none_as_null=True), nullable=True),
    sa.Column("score", sa.Float, nullable=True),
    sa.Column("confirm_unsaid", sa.Boolean, nullable=False, default=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),  # UTC
    sa.Column("ended_at", sa.DateTime, nullable=True),  # UTC
)

# Verification codes sent to a registered phone (contract §5; bot/services/sms.py). The code
# itself is never stored: HMAC-SHA256 of it under a random per-row salt.
sms_codes = sa.Table(
    "sms_codes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("call_id", sa.String(128), nullable=False, index=True),
    sa.Column("phone", sa.String(20), nullable=False),
    sa.Column("salt", sa.String(64), nullable=False),
    sa.Column("code_hash", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),  # UTC
    sa.Column("expires_at", sa.DateTime, nullable=False),  # UTC
    sa.Column("wrong_attempts", sa.Integer, nullable=False, default=0),
    sa.Column("used", sa.Boolean, nullable=False, default=False),
)

# Counters that tell long-running processes to re-read what they keep in memory
# (the retention command bumps `cases_rewritten` when it clears case texts).
maintenance = sa.Table(
    "maintenance",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Integer, nullable=False),
)

# The anti-proxy team's cases (contract §7): one per flagged call, later calls from the same
# number or about the same borrower linked to the open one. Their notes, status and assignee
# changes are rows of the audit table (event case_*), which is the history.
team_cases = sa.Table(
    "team_cases",
    metadata,
    sa.Column("case_id", sa.String(16), primary_key=True),  # K + yyyymmdd (China Standard Time) + 4 digits
    sa.Column("call_id", sa.String(128), nullable=False),  # the call that opened it
    sa.Column("level", sa.String(16), nullable=False),  # the highest level of its calls
    sa.Column("signals", sa.JSON, nullable=False),  # [{"code", "evidence"}] of its calls, first seen first
    sa.Column("status", sa.String(16), nullable=False),  # open | investigating | reported | closed
    sa.Column("assignee", sa.String(64), nullable=True),
    sa.Column("customer_id", sa.String(64), nullable=True, index=True),
    sa.Column("caller_number", sa.String(20), nullable=True, index=True),
    sa.Column("opened_at", sa.DateTime, nullable=False),  # UTC
    sa.Column("updated_at", sa.DateTime, nullable=False),  # UTC
)

# Which calls belong to which case (a call belongs to one case at most).
team_case_calls = sa.Table(
    "team_case_calls",
    metadata,
    sa.Column("call_id", sa.String(128), primary_key=True),
    sa.Column("case_id", sa.String(16), nullable=False, index=True),
    sa.Column("caller_number", sa.String(20), nullable=True, index=True),
    sa.Column("customer_id", sa.String(64), nullable=True, index=True),
    sa.Column("level", sa.String(16), nullable=False),
    sa.Column("linked_at", sa.DateTime, nullable=False),  # UTC
)

# Every call the risk check has seen, as the console lists them: who is on the line, the
# level now and the highest so far, when it started and was last heard (UTC).
call_activity = sa.Table(
    "call_activity",
    metadata,
    sa.Column("call_id", sa.String(128), primary_key=True),
    sa.Column("caller_number", sa.String(20), nullable=True),
    sa.Column("caller_role", sa.String(32), nullable=False),
    sa.Column("customer_id", sa.String(64), nullable=True),
    sa.Column("level", sa.String(16), nullable=False),
    sa.Column("max_level", sa.String(16), nullable=False),
    sa.Column("started_at", sa.DateTime, nullable=False, index=True),
    sa.Column("last_seen", sa.DateTime, nullable=False, index=True),
)

# Industry sharing: each import of a partner's hashed list, and when each hash first came
# from each source (the console shows source and date on a match).
sharing_imports = sa.Table(
    "sharing_imports",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime, nullable=False),  # UTC
    sa.Column("source", sa.String(128), nullable=False),
    sa.Column("by", sa.String(64), nullable=False),
    sa.Column("total", sa.Integer, nullable=False),
    sa.Column("added", sa.Integer, nullable=False),
)
shared_hashes = sa.Table(
    "shared_hashes",
    metadata,
    sa.Column("hash", sa.String(64), primary_key=True),
    sa.Column("source", sa.String(128), primary_key=True),
    sa.Column("first_imported_at", sa.DateTime, nullable=False),  # UTC
)

_APPEND_ONLY_SQLITE = (
    "CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit "
    "BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit "
    "BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END",
)
_APPEND_ONLY_POSTGRES = (
    "CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'audit is append-only'; END; $$ LANGUAGE plpgsql",
    "DROP TRIGGER IF EXISTS audit_append_only ON audit",
    "CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit "
    "FOR EACH ROW EXECUTE FUNCTION audit_append_only()",
)


@dataclass(frozen=True)
class Customer:
    """One borrower record."""

    customer_id: str
    name: str
    id_last4: str
    registered_phone: str
    loan_id: str
    outstanding: Decimal
    overdue_days: int


@dataclass(frozen=True)
class Case:
    """A registered complaint, dispute or fraud report."""

    reference: str
    call_id: str
    kind: str
    reply_due: dt.date


_engines: dict = {}


def engine_for(url: str) -> Engine:
    """One engine per URL per process, tables created on first use."""
    if url not in _engines:
        kwargs = {}
        if url.startswith("sqlite"):
            # Wait this long for a locked database, then fail the whole transaction (nothing
            # half-written); shorter than the action timeout so the bot answers in time.
            busy = env_float("BOT_DB_BUSY_TIMEOUT", 3.0)
            kwargs["connect_args"] = {"timeout": busy, "check_same_thread": False}
            kwargs["poolclass"] = QueuePool  # keep connections: opening one costs more than a query
        engine = sa.create_engine(url, future=True, **kwargs)
        if url.startswith("sqlite"):
            tune_sqlite(engine)  # WAL: readers go on while one writes
        metadata.create_all(engine)
        complaint_index.create_tables(engine)
        analytics.create_tables(engine)
        statements = {"sqlite": _APPEND_ONLY_SQLITE, "postgresql": _APPEND_ONLY_POSTGRES}
        with engine.begin() as conn:
            for statement in statements.get(engine.dialect.name, ()):
                conn.exec_driver_sql(statement)
        _engines[url] = engine
    return _engines[url]


COMPLAINT_DAYS = 180  # other calls' complaints the template check compares with

# engine → (generation, last rowid read, [(call_id, customer_id, detail, created_at)], rewrites seen)
_complaint_cache: dict = {}
CASES_REWRITTEN = "cases_rewritten"


def _complaint_rows(engine: Engine) -> Tuple[int, List[tuple]]:
    """Every registered case with a text, read incrementally by rowid (SQLite only).

    The generation changes when the rows had to be read again from the start.
    """
    generation, last, rows, rewrites = _complaint_cache.get(engine, (0, 0, [], 0))
    rowid = sa.literal_column("rowid")
    with engine.connect() as conn:
        rewritten = sa.select(maintenance.c.value).where(maintenance.c.key == CASES_REWRITTEN).scalar_subquery()
        newest, now_rewrites = conn.execute(
            sa.select(sa.select(sa.func.max(rowid)).select_from(cases).scalar_subquery(), rewritten)
        ).one()
        newest, now_rewrites = newest or 0, now_rewrites or 0
        # the table was replaced (a restored backup) or texts were cleared (retention): read it again
        if newest < last or now_rewrites != rewrites:
            generation, last, rows, rewrites = generation + 1, 0, [], now_rewrites
        if newest > last:
            fresh = conn.execute(
                sa.select(rowid, cases.c.call_id, cases.c.customer_id, cases.c.detail, cases.c.created_at)
                .where(rowid > last, rowid <= newest, cases.c.detail != "")
                .order_by(rowid)
            ).all()
            rows = rows + [tuple(r[1:]) for r in fresh]
            last = newest
    _complaint_cache[engine] = (generation, last, rows, rewrites)
    return generation, rows


def template_settings() -> Tuple[int, int]:
    """(shingle size, min chars) of the template check (bot/core/risk/risk.yml)."""
    from bot.core.risk import load_config

    t = load_config().template
    return t.shingle_size, t.min_chars


def tune_sqlite(engine) -> None:
    """WAL journal and synchronous=NORMAL on every connection of a SQLite engine."""
    if engine.dialect.name != "sqlite":
        return

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    engine.dispose()  # connections opened before this get the pragmas when reopened


class Database:
    """Queries the dialogue and the CLI need, nothing more."""

    def __init__(self, url: str):
        self.engine = engine_for(url)

    # customers -----------------------------------------------------------
    def customer_count(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(customers)).scalar_one()

    def customers_by_code(self, code: str) -> List[Customer]:
        """Customers whose ID last four or loan number equals the code (a loan number said
        without its letters matches the loan number's digits)."""
        code = code.strip().upper()
        match = [customers.c.id_last4 == code, sa.func.upper(customers.c.loan_id) == code]
        if code.isdigit() and len(code) >= 6:
            match.append(sa.func.upper(customers.c.loan_id).like(f"%{code}"))
        query = sa.select(customers).where(sa.or_(*match))
        with self.engine.connect() as conn:
            return [_customer(row) for row in conn.execute(query)]

    def customers_by_name(self, name: str) -> List[Customer]:
        """Customers recorded under exactly this name."""
        with self.engine.connect() as conn:
            return [_customer(row) for row in conn.execute(sa.select(customers).where(customers.c.name == name))]

    def customer(self, customer_id: str) -> Optional[Customer]:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(customers).where(customers.c.customer_id == customer_id)).first()
        return _customer(row) if row else None

    def all_customers(self) -> List[Customer]:
        with self.engine.connect() as conn:
            return [_customer(r) for r in conn.execute(sa.select(customers))]

    # watchlist -----------------------------------------------------------
    def watchlist_entries(self, kind: Optional[str] = None) -> List[dict]:
        query = sa.select(watchlist)
        if kind:
            query = query.where(watchlist.c.kind == kind)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query.order_by(watchlist.c.id))]

    # calls ---------------------------------------------------------------
    def record_call_subject(
        self, call_id: str, caller_number: Optional[str], customer_id: str, now: Optional[dt.datetime] = None
    ) -> None:
        """Remember which borrower a call was about (last match wins)."""
        now = now or dt.datetime.utcnow()
        with self.engine.begin() as conn:
            conn.execute(call_subjects.delete().where(call_subjects.c.call_id == call_id))
            conn.execute(
                call_subjects.insert().values(
                    call_id=call_id, caller_number=caller_number, customer_id=customer_id, recorded_at=now
                )
            )

    def calls_from_number(self, caller_number: str, exclude_call_id: str = "") -> List[tuple]:
        """(customer_id, when) of earlier calls from this number."""
        query = sa.select(call_subjects.c.customer_id, call_subjects.c.recorded_at).where(
            call_subjects.c.caller_number == caller_number,
            call_subjects.c.call_id != exclude_call_id,
        )
        with self.engine.connect() as conn:
            return [(r[0], r[1]) for r in conn.execute(query)]

    # cases ---------------------------------------------------------------
    def register_case(
        self,
        call_id: str,
        kind: str,
        caller_role: str,
        customer_id: Optional[str],
        detail: str,
        reply_days: int,
        now: Optional[dt.datetime] = None,
    ) -> Case:
        """Register a case once per call and kind; a repeat returns the first one."""
        now = now or dt.datetime.now()
        with self.engine.begin() as conn:
            row = conn.execute(sa.select(cases).where(cases.c.call_id == call_id, cases.c.kind == kind)).first()
            if row:
                return Case(row.reference, row.call_id, row.kind, row.reply_due)
            day = now.strftime("%Y%m%d")
            prefix = {"complaint": "TS", "dispute": "YY", "fraud": "FZ"}.get(kind, "GD")
            same_day = conn.execute(
                sa.select(sa.func.count()).select_from(cases).where(cases.c.reference.like(f"{prefix}{day}%"))
            ).scalar_one()
            reference = f"{prefix}{day}{same_day + 1:04d}"
            due = (now + dt.timedelta(days=reply_days)).date()
            conn.execute(
                cases.insert().values(
                    reference=reference,
                    call_id=call_id,
                    kind=kind,
                    customer_id=customer_id,
                    caller_role=caller_role,
                    detail=mask_at_rest(detail or ""),
                    created_at=now,
                    reply_due=due,
                )
            )
            # the template check's shared index, in the same transaction as the case
            template = template_settings()
            complaint_index.add(conn, reference, call_id, customer_id, now, mask_at_rest(detail or ""), *template)
        return Case(reference, call_id, kind, due)

    def update_case_detail(self, reference: str, detail: str) -> None:
        """The caller's own account of a registered case, as it grows during the call."""
        text = (detail or "")[:4000]
        with self.engine.begin() as conn:
            old = conn.execute(sa.select(cases.c.detail).where(cases.c.reference == reference)).scalar()
            conn.execute(cases.update().where(cases.c.reference == reference).values(detail=text))
            # the template check's shared index follows, in the same transaction
            complaint_index.replace(conn, reference, old or "", text, *template_settings())

    def cases_for_call(self, call_id: str) -> List[dict]:
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(sa.select(cases).where(cases.c.call_id == call_id))]

    def complaint_texts(self, exclude_call_id: str = "", days: int = COMPLAINT_DAYS) -> List[tuple]:
        """(customer_id, text) of complaint texts other calls registered in the last `days` days.

        Every caller turn asks for these. On SQLite the rows are kept in this process and
        only rows added since the last call are read (cases are never updated or deleted,
        so their rowids only grow); other databases are queried in full.
        """
        since = dt.datetime.now() - dt.timedelta(days=days)
        if self.engine.dialect.name == "sqlite":
            _, rows = _complaint_rows(self.engine)
            return [
                (customer_id or "", detail)
                for call_id, customer_id, detail, created in rows
                if call_id != exclude_call_id and created >= since
            ]
        query = sa.select(cases.c.customer_id, cases.c.detail).where(
            cases.c.detail != "", cases.c.call_id != exclude_call_id, cases.c.created_at >= since
        )
        with self.engine.connect() as conn:
            return [(r[0] or "", r[1]) for r in conn.execute(query)]

    def sync_complaint_index(self) -> int:
        """Index the registered complaints the shared index lacks (rebuild if the template
        settings changed); the number of comparable complaints it holds."""
        complaint_index.sync(self.engine, cases, *template_settings())
        return complaint_index.count(self.engine)

    def complaint_search(
        self, exclude_call_id: str, days: int = COMPLAINT_DAYS
    ) -> complaint_index.DatabaseComplaintSearch:
        """The template check's search over the shared index, less this call and old complaints."""
        since = dt.datetime.now() - dt.timedelta(days=days)
        return complaint_index.DatabaseComplaintSearch(self.engine, cases, exclude_call_id, since, *template_settings())

    # audit ---------------------------------------------------------------
    def append_audit(self, call_id: str, rows: Iterable[tuple], now: Optional[dt.datetime] = None) -> None:
        """Append (event, detail) rows for a call, all in one transaction."""
        rows = list(rows)
        if not rows:
            return
        now = now or dt.datetime.utcnow()
        with self.engine.begin() as conn:
            conn.execute(
                audit.insert(),
                [{"at": now, "call_id": call_id, "event": event, "detail": detail} for event, detail in rows],
            )

    def audit_for_call(self, call_id: str) -> List[dict]:
        with self.engine.connect() as conn:
            return [
                dict(r._mapping)
                for r in conn.execute(sa.select(audit).where(audit.c.call_id == call_id).order_by(audit.c.id))
            ]

    # call records (IVR and agent channels) -------------------------------
    def call_record(self, call_id: str) -> Optional[dict]:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(call_records).where(call_records.c.call_id == call_id)).first()
        return dict(row._mapping) if row else None

    def start_call(self, call_id: str, channel: str, agent_id: Optional[str] = None) -> dict:
        """Record a call's start once; a repeat returns the first record."""
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    call_records.insert().values(
                        call_id=call_id, channel=channel, agent_id=agent_id, started_at=dt.datetime.utcnow(), note=""
                    )
                )
        except sa.exc.IntegrityError:
            pass
        return self.call_record(call_id)

    def end_call(self, call_id: str) -> None:
        """Mark the call ended (the first end time stays)."""
        with self.engine.begin() as conn:
            conn.execute(
                call_records.update()
                .where(call_records.c.call_id == call_id, call_records.c.ended_at.is_(None))
                .values(ended_at=dt.datetime.utcnow())
            )

    def save_call_note(self, call_id: str, disposition: str, note: str) -> None:
        """The agent's disposition and note (the note stored masked, like caller text)."""
        with self.engine.begin() as conn:
            conn.execute(
                call_records.update()
                .where(call_records.c.call_id == call_id)
                .values(disposition=disposition, note=mask_at_rest(note or ""), note_at=dt.datetime.utcnow())
            )

    # transcript segments and adherence (agent channel, contract §6) --------
    def add_segment(self, call_id: str, speaker: str, final: bool, text: str, items: Iterable[str] = ()) -> int:
        """Store one segment (masked); a non-final one replaces the oldest beyond INTERIM_KEPT,
        a final caller segment clears the caller's interim buffer. The new row's id."""
        now = dt.datetime.utcnow()
        with self.engine.begin() as conn:
            if final and speaker == "caller":
                conn.execute(
                    transcript_segments.delete().where(
                        transcript_segments.c.call_id == call_id,
                        transcript_segments.c.speaker == "caller",
                        transcript_segments.c.final.is_(False),
                    )
                )
            row_id = conn.execute(
                transcript_segments.insert().values(
                    call_id=call_id,
                    speaker=speaker,
                    final=final,
                    text=mask_at_rest(text or ""),
                    items=list(items),
                    at=now,
                )
            ).inserted_primary_key[0]
            if not final:
                ids = conn.execute(
                    sa.select(transcript_segments.c.id)
                    .where(
                        transcript_segments.c.call_id == call_id,
                        transcript_segments.c.speaker == speaker,
                        transcript_segments.c.final.is_(False),
                    )
                    .order_by(transcript_segments.c.id.desc())
                ).scalars()
                old = list(ids)[INTERIM_KEPT:]
                if old:
                    conn.execute(transcript_segments.delete().where(transcript_segments.c.id.in_(old)))
        return row_id

    def segments(self, call_id: str, speaker: Optional[str] = None, final: Optional[bool] = True) -> List[dict]:
        """The call's segments in order (final ones by default)."""
        query = sa.select(transcript_segments).where(transcript_segments.c.call_id == call_id)
        if speaker:
            query = query.where(transcript_segments.c.speaker == speaker)
        if final is not None:
            query = query.where(transcript_segments.c.final.is_(final))
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query.order_by(transcript_segments.c.id))]

    def segment_marks(self, call_id: str) -> Tuple[int, int]:
        """(newest final segment id, newest non-final segment id) of the call: what the panel's
        stream compares to see that something was heard."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(transcript_segments.c.final, sa.func.max(transcript_segments.c.id))
                .where(transcript_segments.c.call_id == call_id)
                .group_by(transcript_segments.c.final)
            ).all()
        marks = {bool(final): newest or 0 for final, newest in rows}
        return marks.get(True, 0), marks.get(False, 0)

    def adherence_row(self, call_id: str) -> Optional[dict]:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(call_adherence).where(call_adherence.c.call_id == call_id)).first()
        return dict(row._mapping) if row else None

    def mark_said(self, call_id: str, agent_id: Optional[str], item: str) -> None:
        """The agent ticked an item said by hand (kept apart from what the transcript heard)."""
        with self.engine.begin() as conn:
            row = conn.execute(sa.select(call_adherence).where(call_adherence.c.call_id == call_id)).first()
            now = dt.datetime.utcnow()
            if row is None:
                conn.execute(
                    call_adherence.insert().values(
                        call_id=call_id, agent_id=agent_id, manual=[item], confirm_unsaid=False, updated_at=now
                    )
                )
            elif item not in (row.manual or []):
                conn.execute(
                    call_adherence.update()
                    .where(call_adherence.c.call_id == call_id)
                    .values(manual=list(row.manual or []) + [item], updated_at=now)
                )

    def save_adherence(
        self,
        call_id: str,
        agent_id: Optional[str],
        required: Sequence[str],
        said: Sequence[str],
        score: float,
        confirm_unsaid: bool,
    ) -> None:
        """The call's adherence as it ended (kept with the call record; the report reads it)."""
        now = dt.datetime.utcnow()
        values = dict(
            agent_id=agent_id,
            required=list(required),
            said=list(said),
            unsaid=[i for i in required if i not in said],
            score=score,
            confirm_unsaid=bool(confirm_unsaid),
            updated_at=now,
            ended_at=now,
        )
        with self.engine.begin() as conn:
            found = conn.execute(sa.select(call_adherence.c.call_id).where(call_adherence.c.call_id == call_id)).first()
            if found:
                conn.execute(call_adherence.update().where(call_adherence.c.call_id == call_id).values(**values))
            else:
                conn.execute(call_adherence.insert().values(call_id=call_id, manual=[], **values))

    def adherence_records(
        self, since: dt.datetime, until: Optional[dt.datetime] = None, agent_id: Optional[str] = None
    ) -> List[dict]:
        """Ended agent calls with their adherence, started in [since, until) (UTC), oldest first:
        call_id, agent_id, started_at, required, said, score, confirm_unsaid."""
        query = (
            sa.select(
                call_records.c.call_id,
                call_records.c.agent_id,
                call_records.c.started_at,
                call_adherence.c.required,
                call_adherence.c.said,
                call_adherence.c.score,
                call_adherence.c.confirm_unsaid,
            )
            .join(call_adherence, call_adherence.c.call_id == call_records.c.call_id)
            .where(call_records.c.channel == "agent", call_adherence.c.required.is_not(None))
            .where(call_records.c.started_at >= since)
        )
        if until is not None:
            query = query.where(call_records.c.started_at < until)
        if agent_id:
            query = query.where(call_records.c.agent_id == agent_id)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query.order_by(call_records.c.started_at))]

    def close_call(self, call_id: str, disposition: str) -> None:
        """The dialogue ended the call (the bot said goodbye): mark it ended, and give it `disposition`
        unless the agent already chose one. Such a disposition has no `note_at` until the agent confirms it."""
        with self.engine.begin() as conn:
            conn.execute(
                call_records.update()
                .where(call_records.c.call_id == call_id, call_records.c.ended_at.is_(None))
                .values(ended_at=dt.datetime.utcnow())
            )
            conn.execute(
                call_records.update()
                .where(call_records.c.call_id == call_id, call_records.c.disposition.is_(None))
                .values(disposition=disposition)
            )

    def agent_calls(self, agent_id: str, since: dt.datetime, limit: int = 200) -> List[dict]:
        """The agent's panel calls started since `since` (naive UTC): open ones first, then newest first,
        each with the caller role and risk level the risk check last noted (None when not yet)."""
        query = (
            sa.select(call_records, call_activity.c.caller_role, call_activity.c.level)
            .select_from(call_records.outerjoin(call_activity, call_activity.c.call_id == call_records.c.call_id))
            .where(
                call_records.c.channel == "agent",
                call_records.c.agent_id == agent_id,
                call_records.c.started_at >= since,
            )
            .order_by(
                sa.case((call_records.c.ended_at.is_(None), 0), else_=1),
                call_records.c.started_at.desc(),
                call_records.c.call_id,
            )
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    def add_watchlist_entries(self, rows: Iterable[dict]) -> dict:
        """Upsert watchlist rows (kind, value, source, note)."""
        with self.engine.begin() as conn:
            return upsert_rows(conn, watchlist, ["kind", "value"], rows)


def _customer(row) -> Customer:
    m = row._mapping
    return Customer(
        customer_id=m["customer_id"],
        name=m["name"],
        id_last4=m["id_last4"],
        registered_phone=m["registered_phone"],
        loan_id=m["loan_id"],
        outstanding=Decimal(str(m["outstanding"])),
        overdue_days=int(m["overdue_days"]),
    )


def upsert_rows(conn, table: sa.Table, key_columns: Sequence[str], rows: Iterable[dict]) -> dict:
    """Insert new rows, update changed ones, leave equal ones: counts by outcome."""
    counts = {"added": 0, "updated": 0, "unchanged": 0}
    for row in rows:
        cond = sa.and_(*[table.c[k] == row[k] for k in key_columns])
        existing = conn.execute(sa.select(table).where(cond)).first()
        if existing is None:
            conn.execute(table.insert().values(**row))
            counts["added"] += 1
            continue
        current = existing._mapping
        changed = {k: v for k, v in row.items() if _differs(current[k], v)}
        if changed:
            conn.execute(table.update().where(cond).values(**changed))
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    return counts


def _differs(stored, new) -> bool:
    return stored != new


@lru_cache(maxsize=1)
def project_database() -> Database:
    """The project database at BOT_DB_URL: one per process, made on first use.

    The Rasa server's channels and routes and the action server's warm-up look it up
    here instead of building a Database per request.
    """
    return Database(load_settings().db_url)
