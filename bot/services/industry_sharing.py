"""Industry sharing (行业协同): exchange watch-listed phone numbers as keyed hashes.

Partners agree on a key; each exports HMAC-SHA256 hashes of its watch-listed
numbers and imports the others'. A caller's number is hashed with the same key
and compared, so no raw number ever leaves the institution.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from bot.core.risk import hash_phone
from bot.services.storage import Database

HEADER = ["phone_hmac_sha256"]
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


class SharingError(Exception):
    """A partner file that cannot be imported (the message is for the operator)."""


def export_hashed(db: Database, key: str, path: Path) -> int:
    """Write the keyed hashes of every watch-listed phone number; how many were written."""
    hashes = sorted({hash_phone(e["value"], key) for e in db.watchlist_entries("phone")})
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        writer.writerows([h] for h in hashes)
    return len(hashes)


def import_hashed(db: Database, path: Path, source: str) -> str:
    """Add a partner's hashes to the watchlist (kind phone_hash); all rows valid or nothing."""
    if not path.is_file():
        raise SharingError(f"找不到文件：{path}")
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    if not rows or [c.strip() for c in rows[0]] != HEADER:
        raise SharingError(f"第 1 行（表头）应为：{HEADER[0]}")
    bad = [i for i, row in enumerate(rows[1:], start=2) if len(row) != 1 or not _HEX64.match(row[0].strip().lower())]
    if bad:
        lines = "、".join(str(i) for i in bad[:10])
        raise SharingError(f"第 {lines} 行不是 64 位十六进制散列值")
    entries = [
        {"kind": "phone_hash", "value": row[0].strip().lower(), "source": source, "note": "合作机构共享（密钥散列）"}
        for row in rows[1:]
    ]
    counts = db.add_watchlist_entries(entries)
    return (
        f"导入完成：共 {len(entries)} 个散列，新增 {counts['added']}，未变 {counts['unchanged'] + counts['updated']}。"
    )
