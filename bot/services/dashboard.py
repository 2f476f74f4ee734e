"""The figures of the console's dashboard, per day or per week (China Standard Time days).

Each figure is one function over the project database (tests/unit/test_dashboard.py checks
each on a fixed data set with known answers); `figures` gathers them for the console.
Numbers are shown masked (138****0001): the dashboard is not a case view.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

import sqlalchemy as sa

from bot.core.materials import label
from bot.core.risk import load_config
from bot.core.risk.complaints import stored_complaint_shingles
from bot.core.risk.similarity import ShingleIndex
from bot.core.vocabulary import LEVELS
from bot.services import industry_sharing
from bot.services.cases import CST, STATUS_LABELS, STATUSES, CaseError, iso, mask_number, to_cst
from bot.services.storage import (
    Database,
    audit,
    call_activity,
    call_subjects,
    cases,
    shared_hashes,
    sharing_imports,
    team_case_calls,
    team_cases,
)

PERIODS = {"day": 1, "week": 7}
DUE_BUCKETS = ((0, 0, "今天到期"), (1, 3, "1–3 天"), (4, 7, "4–7 天"), (8, 10_000, "8 天以上"))


@dataclass(frozen=True)
class Window:
    """A period of whole China Standard Time days: [start, end) as naive UTC, and its days."""

    period: str
    first_day: dt.date
    last_day: dt.date

    @property
    def start(self) -> dt.datetime:
        return _utc(self.first_day)

    @property
    def end(self) -> dt.datetime:
        return _utc(self.last_day + dt.timedelta(days=1))

    @property
    def days(self) -> List[dt.date]:
        return [self.first_day + dt.timedelta(days=i) for i in range((self.last_day - self.first_day).days + 1)]

    def bucket(self, moment: dt.datetime) -> str:
        """The chart bucket of a stored time: the hour on a day view, the date on a week view."""
        local = to_cst(moment)
        return f"{local.hour:02d}" if self.period == "day" else local.strftime("%m-%d")

    def buckets(self) -> List[str]:
        if self.period == "day":
            return [f"{h:02d}" for h in range(24)]
        return [d.strftime("%m-%d") for d in self.days]


def _utc(day: dt.date) -> dt.datetime:
    """Midnight of a China Standard Time day, as naive UTC (how the tables store times)."""
    return dt.datetime.combine(day, dt.time(0), CST).astimezone(dt.timezone.utc).replace(tzinfo=None)


def today_cst(now: Optional[dt.datetime] = None) -> dt.date:
    return to_cst(now or dt.datetime.utcnow()).date()


def window(period: str, day: Optional[str] = None, now: Optional[dt.datetime] = None) -> Window:
    """The day, or the seven days ending on `day` (YYYY-MM-DD, default today in Beijing)."""
    if period not in PERIODS:
        raise CaseError(400, "invalid_period", "period 只能是 day（按日）或 week（按周）。")
    if day:
        try:
            last = dt.date.fromisoformat(day)
        except ValueError:
            raise CaseError(400, "invalid_date", f"日期格式应为 YYYY-MM-DD：{day[:20]}") from None
    else:
        last = today_cst(now)
    return Window(period, last - dt.timedelta(days=PERIODS[period] - 1), last)


# ---- the figures -------------------------------------------------------------------------
def calls_by_level(db: Database, w: Window) -> Dict[str, Any]:
    """Calls that started in the window by the highest level they reached, in total and per bucket."""
    with db.engine.connect() as conn:
        rows = conn.execute(
            sa.select(call_activity.c.started_at, call_activity.c.max_level).where(
                call_activity.c.started_at >= w.start, call_activity.c.started_at < w.end
            )
        ).all()
    totals = Counter(r.max_level for r in rows)
    series: Dict[str, Counter] = {b: Counter() for b in w.buckets()}
    for r in rows:
        series[w.bucket(r.started_at)][r.max_level] += 1
    return {
        "total": len(rows),
        "by_level": {level: totals.get(level, 0) for level in LEVELS},
        "series": [{"bucket": b, **{level: c.get(level, 0) for level in LEVELS}} for b, c in series.items()],
    }


def top_signals(db: Database, w: Window, limit: int = 8) -> List[Dict[str, Any]]:
    """Signal codes raised in the window, by the number of calls that raised them."""
    with db.engine.connect() as conn:
        rows = conn.execute(
            sa.select(audit.c.call_id, audit.c.detail).where(
                audit.c.event == "signal_raised", audit.c.at >= w.start, audit.c.at < w.end
            )
        ).all()
    calls: Dict[str, set] = defaultdict(set)
    for r in rows:
        code = r.detail.get("code") if isinstance(r.detail, dict) else None
        if code:
            calls[code].add(r.call_id)
    ranked = sorted(calls.items(), key=lambda item: (-len(item[1]), item[0]))[:limit]
    return [{"code": code, "label": label("signal", code), "calls": len(ids)} for code, ids in ranked]


def multi_borrower_numbers(db: Database, w: Window, minimum: int = 2) -> List[Dict[str, Any]]:
    """Numbers that called about `minimum` or more different borrowers in the window."""
    with db.engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                call_subjects.c.caller_number,
                sa.func.count(sa.distinct(call_subjects.c.customer_id)).label("borrowers"),
                sa.func.count().label("calls"),
                sa.func.max(call_subjects.c.recorded_at).label("last"),
            )
            .where(
                call_subjects.c.caller_number.isnot(None),
                call_subjects.c.recorded_at >= w.start,
                call_subjects.c.recorded_at < w.end,
            )
            .group_by(call_subjects.c.caller_number)
            .having(sa.func.count(sa.distinct(call_subjects.c.customer_id)) >= minimum)
            .order_by(sa.desc("borrowers"), call_subjects.c.caller_number)
        ).all()
        case_of = {
            r.caller_number: r.case_id
            for r in conn.execute(
                sa.select(team_case_calls.c.caller_number, team_case_calls.c.case_id).where(
                    team_case_calls.c.caller_number.in_([r.caller_number for r in rows])
                )
            )
        }
    return [
        {
            "number": mask_number(r.caller_number),
            "borrowers": r.borrowers,
            "calls": r.calls,
            "last_call": iso(r.last),
            "case_id": case_of.get(r.caller_number),
        }
        for r in rows
    ]


def complaint_clusters(
    db: Database, w: Window, threshold: Optional[float] = None, examples: int = 3
) -> List[Dict[str, Any]]:
    """Groups of near-identical complaint texts registered in the window (the template check's
    shingles and threshold, risk.yml `template`), largest first; single texts are left out."""
    settings = load_config().template
    threshold = settings.threshold if threshold is None else threshold
    with db.engine.connect() as conn:
        rows = conn.execute(
            sa.select(cases.c.reference, cases.c.customer_id, cases.c.detail, cases.c.created_at)
            .where(cases.c.detail != "", cases.c.created_at >= w.start, cases.c.created_at < w.end)
            .order_by(cases.c.created_at, cases.c.reference)
        ).all()
    index, kept = ShingleIndex(), []
    parent = list(range(len(rows)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, r in enumerate(rows):
        found = stored_complaint_shingles(r.detail, settings.shingle_size, settings.min_chars)
        if not found:
            continue
        for j, _sim in index.search(found, threshold):
            parent[root(i)] = root(j)  # type: ignore[arg-type]
        index.add(i, found)
        kept.append(i)
    groups: Dict[int, List[int]] = defaultdict(list)
    for i in kept:
        groups[root(i)].append(i)
    clusters = [sorted(members) for members in groups.values() if len(members) >= 2]
    clusters.sort(key=lambda m: (-len(m), m[0]))
    return [
        {
            "size": len(members),
            "customers": len({rows[i].customer_id for i in members if rows[i].customer_id}),
            "references": [rows[i].reference for i in members],
            "examples": [_excerpt(rows[i].detail) for i in members[:examples]],
            "first": iso(rows[members[0]].created_at),
            "last": iso(rows[members[-1]].created_at),
        }
        for members in clusters
    ]


def _excerpt(text: str, chars: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= chars else text[:chars] + "…"


def complaints_due(db: Database, today: dt.date, items: int = 10) -> Dict[str, Any]:
    """Registered complaints, disputes and reports still within their reply deadline, by days left."""
    with db.engine.connect() as conn:
        rows = conn.execute(
            sa.select(cases.c.reference, cases.c.kind, cases.c.reply_due, cases.c.created_at)
            .where(cases.c.reply_due >= today)
            .order_by(cases.c.reply_due, cases.c.reference)
        ).all()
    buckets = []
    for low, high, name in DUE_BUCKETS:
        count = sum(1 for r in rows if low <= (r.reply_due - today).days <= high)
        buckets.append({"label": name, "count": count})
    return {
        "total": len(rows),
        "buckets": buckets,
        "items": [
            {
                "reference": r.reference,
                "kind": r.kind,
                "kind_label": label("case_kind", r.kind),
                "reply_due": r.reply_due.isoformat(),
                "days_left": (r.reply_due - today).days,
            }
            for r in rows[:items]
        ],
    }


def cases_by_status(db: Database, w: Window) -> Dict[str, Any]:
    """All cases by status now, and those opened in the window by status and level."""
    with db.engine.connect() as conn:
        rows = conn.execute(sa.select(team_cases.c.status, team_cases.c.level, team_cases.c.opened_at)).all()
    opened = [r for r in rows if w.start <= r.opened_at < w.end]
    return {
        "now": [{"status": s, "label": STATUS_LABELS[s], "count": sum(r.status == s for r in rows)} for s in STATUSES],
        "opened": len(opened),
        "opened_level1": sum(r.level == "level1" for r in opened),
        "opened_level2": sum(r.level == "level2" for r in opened),
    }


def sharing(db: Database, w: Window, key: Optional[str]) -> Dict[str, Any]:
    """Partner lists imported in the window, every source's hashes, and this window's callers
    whose number a partner listed (source and date of the import)."""
    with db.engine.connect() as conn:
        imported = conn.execute(
            sa.select(sharing_imports)
            .where(sharing_imports.c.at >= w.start, sharing_imports.c.at < w.end)
            .order_by(sharing_imports.c.id.desc())
        ).all()
        sources = conn.execute(
            sa.select(
                shared_hashes.c.source,
                sa.func.count().label("hashes"),
                sa.func.max(shared_hashes.c.first_imported_at).label("last"),
            )
            .group_by(shared_hashes.c.source)
            .order_by(shared_hashes.c.source)
        ).all()
        numbers = conn.execute(
            sa.select(call_activity.c.caller_number, sa.func.count().label("calls"))
            .where(
                call_activity.c.caller_number.isnot(None),
                call_activity.c.started_at >= w.start,
                call_activity.c.started_at < w.end,
            )
            .group_by(call_activity.c.caller_number)
        ).all()
    matches = []
    for r in numbers:
        for m in industry_sharing.matches(db, r.caller_number, key):
            matches.append(
                {
                    "number": mask_number(r.caller_number),
                    "calls": r.calls,
                    "source": m["source"],
                    "imported_at": iso(m["imported_at"]),
                }
            )
    return {
        "key_set": bool(key),
        "imports": [
            {"at": iso(r.at), "source": r.source, "by": r.by, "total": r.total, "added": r.added} for r in imported
        ],
        "sources": [{"source": r.source, "hashes": r.hashes, "last_import": iso(r.last)} for r in sources],
        "matches": matches,
    }


def figures(
    db: Database,
    period: str = "day",
    day: Optional[str] = None,
    key: Optional[str] = None,
    now: Optional[dt.datetime] = None,
) -> Dict[str, Any]:
    """Every dashboard figure for the period."""
    w = window(period, day, now)
    return {
        "period": w.period,
        "first_day": w.first_day.isoformat(),
        "last_day": w.last_day.isoformat(),
        "time_zone": "北京时间（UTC+8）",
        "calls_by_level": calls_by_level(db, w),
        "top_signals": top_signals(db, w),
        "multi_borrower_numbers": multi_borrower_numbers(db, w),
        "complaint_clusters": complaint_clusters(db, w),
        "complaints_due": complaints_due(db, today_cst(now)),
        "cases_by_status": cases_by_status(db, w),
        "sharing": sharing(db, w, key),
    }


def level_labels() -> List[Tuple[str, str]]:
    return [(level, label("risk_level", level)) for level in LEVELS]
