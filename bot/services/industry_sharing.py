"""Industry sharing (行业协同): exchange watch-listed phone numbers as keyed hashes.

Partners agree on a key; each exports HMAC-SHA256 hashes of its watch-listed
numbers and imports the others'. A caller's number is hashed with the same key
and compared, so no raw number ever leaves the institution.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path
from typing import Dict, List, Optional

import sqlalchemy as sa

from bot.core.risk import hash_phone
from bot.services.storage import Database, shared_hashes, sharing_imports

HEADER = ["phone_hmac_sha256"]
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


class SharingError(Exception):
    """A partner file that cannot be imported (the message is for the operator)."""


def export_csv(db: Database, key: str) -> tuple[str, int]:
    """The CSV text of our watch-listed numbers' keyed hashes, and how many it holds."""
    hashes = sorted({hash_phone(e["value"], key) for e in db.watchlist_entries("phone")})
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows([h] for h in hashes)
    return out.getvalue(), len(hashes)


def export_hashed(db: Database, key: str, path: Path) -> int:
    """Write the keyed hashes of every watch-listed phone number; how many were written."""
    text, count = export_csv(db, key)
    Path(path).write_text(text, encoding="utf-8")
    return count


def import_hashed(db: Database, path: Path, source: str, by: str = "命令行") -> str:
    """Add a partner's hashes to the watchlist (kind phone_hash); all rows valid or nothing."""
    if not path.is_file():
        raise SharingError(f"找不到文件：{path}")
    return import_text(db, path.read_bytes().decode("utf-8-sig", errors="replace"), source, by)


def import_text(db: Database, text: str, source: str, by: str, now: Optional[dt.datetime] = None) -> str:
    """Import a partner's hashed list given as CSV text; the report for the operator.

    Each import is logged (sharing_imports) and each hash keeps the date it first came from
    each source (shared_hashes), which the console shows on a match.
    """
    source = (source or "").strip()
    if not source:
        raise SharingError("请填写来源机构名称。")
    if len(source) > 128:
        raise SharingError("来源机构名称过长（最多 128 个字符）。")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    if not rows or [c.strip() for c in rows[0]] != HEADER:
        raise SharingError(f"第 1 行（表头）应为：{HEADER[0]}")
    bad = [i for i, row in enumerate(rows[1:], start=2) if len(row) != 1 or not _HEX64.match(row[0].strip().lower())]
    if bad:
        lines = "、".join(str(i) for i in bad[:10])
        raise SharingError(f"第 {lines} 行不是 64 位十六进制散列值")
    hashes = list(dict.fromkeys(row[0].strip().lower() for row in rows[1:]))
    entries = [{"kind": "phone_hash", "value": h, "source": source, "note": "合作机构共享（密钥散列）"} for h in hashes]
    counts = db.add_watchlist_entries(entries)
    now = now or dt.datetime.utcnow()
    with db.engine.begin() as conn:
        known = {r[0] for r in conn.execute(sa.select(shared_hashes.c.hash).where(shared_hashes.c.source == source))}
        fresh = [{"hash": h, "source": source, "first_imported_at": now} for h in hashes if h not in known]
        if fresh:
            conn.execute(shared_hashes.insert(), fresh)
        conn.execute(sharing_imports.insert().values(at=now, source=source, by=by, total=len(hashes), added=len(fresh)))
    return (
        f"导入完成：共 {len(hashes)} 个散列，新增 {counts['added']}，未变 {counts['unchanged'] + counts['updated']}。"
    )


def imports(db: Database, limit: int = 50) -> List[Dict[str, object]]:
    """The latest imports, newest first: when, from whom, by whom, how many."""
    with db.engine.connect() as conn:
        rows = conn.execute(sa.select(sharing_imports).order_by(sharing_imports.c.id.desc()).limit(limit)).all()
    return [dict(r._mapping) for r in rows]


def matches(db: Database, number: str, key: Optional[str]) -> List[Dict[str, object]]:
    """Which partners listed this number (source, first imported), under the shared key."""
    if not key or not number:
        return []
    try:
        mine = hash_phone(number, key)
    except ValueError:
        return []
    with db.engine.connect() as conn:
        rows = conn.execute(
            sa.select(shared_hashes).where(shared_hashes.c.hash == mine).order_by(shared_hashes.c.first_imported_at)
        ).all()
    return [{"source": r.source, "imported_at": r.first_imported_at} for r in rows]
