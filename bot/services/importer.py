"""Operator CSV import: customers and watchlist (contract §4).

Every row is validated first; a file with any bad row imports nothing and the
report names each bad row by its line number. Re-importing the same file
changes nothing.

The demo data (bot/demo/) is loaded only into an empty database. Real data must
not meet it there: `demo_present` finds demo rows still in the database, and
`import_file(..., replace_demo=True)` removes them (demo customers, the demo
watchlist and the call history about demo customers) in the same transaction
that imports the file, so a rejected file leaves the demo as it was.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Callable, Dict, List, Tuple

import sqlalchemy as sa

from bot.services import storage

CUSTOMER_COLUMNS = ["customer_id", "name", "id_last4", "registered_phone", "loan_id", "outstanding", "overdue_days"]
WATCHLIST_COLUMNS = ["kind", "value", "source", "note"]
WATCHLIST_KINDS = ("phone", "voiceprint", "phrase")

_ID = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")
_LAST4 = re.compile(r"^[0-9]{3}[0-9X]$")
_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")


class ImportRejected(Exception):
    """The file was not imported; `errors` lists what to fix."""

    def __init__(self, errors: List[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class ImportReport:
    """What an import did."""

    rows: int
    counts: Dict[str, int] = field(default_factory=dict)
    demo_removed: DemoPresence | None = None

    def describe(self) -> str:
        c = self.counts
        text = (
            f"导入完成：共 {self.rows} 行，新增 {c.get('added', 0)}，"
            f"更新 {c.get('updated', 0)}，未变 {c.get('unchanged', 0)}。"
        )
        if self.demo_removed:
            text += (
                f"已先删除演示数据：演示客户 {self.demo_removed.customers} 个、"
                f"演示观察名单 {self.demo_removed.watchlist} 条（及演示客户的来电记录）。"
            )
        return text


def normalize_phone(value: str) -> str:
    """Digits only, without the +86 / 0086 country prefix."""
    digits = re.sub(r"\D", "", value or "")
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            return digits[len(prefix) :]
    return digits


def read_csv(path: Path) -> Tuple[List[str], List[Tuple[int, Dict[str, str]]]]:
    """Header and (line number, row) pairs; UTF-8 (with or without BOM) or GB18030."""
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise ImportRejected(["文件编码无法识别，请保存为 UTF-8 编码的 CSV。"])
    if "\x00" in text:
        raise ImportRejected(["文件含有二进制内容（NUL 字符），不是 CSV 文本文件，请另存为 CSV 后重试。"])
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise ImportRejected(["文件是空的：第 1 行应为表头。"]) from None
    rows = []
    for values in _rows_or_reject(reader):
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            rows.append((line, {"__error__": f"有 {len(values)} 列，表头有 {len(header)} 列"}))
            continue
        rows.append((line, {h: v.strip() for h, v in zip(header, values)}))
    return header, rows


def _rows_or_reject(reader):
    """The reader's rows; a malformed CSV line becomes a rejection naming the line."""
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            raise ImportRejected([f"第 {reader.line_num} 行：CSV 格式错误（{err}）"]) from None


def check_header(header: List[str], expected: List[str]) -> List[str]:
    missing = [c for c in expected if c not in header]
    extra = [c for c in header if c not in expected]
    errors = []
    if missing:
        errors.append(f"第 1 行（表头）缺少列：{', '.join(missing)}。应为：{','.join(expected)}")
    if extra:
        errors.append(f"第 1 行（表头）有不认识的列：{', '.join(extra)}。应为：{','.join(expected)}")
    return errors


def validate_customer(row: Dict[str, str]) -> Tuple[dict, List[str]]:
    """A customers row as a database row, and what is wrong with it."""
    problems = []
    cid = row["customer_id"]
    if not _ID.match(cid):
        problems.append("customer_id 不能为空，只能含字母、数字、-、_")
    name = row["name"]
    if not name or len(name) > 64:
        problems.append("name（姓名）不能为空")
    last4 = row["id_last4"].upper()
    if not _LAST4.match(last4):
        problems.append(f"id_last4（身份证后四位）应为 4 位，前三位是数字、末位是数字或 X，现为“{row['id_last4']}”")
    phone = normalize_phone(row["registered_phone"])
    if not _MOBILE.match(phone):
        problems.append(f"registered_phone（预留手机号）应为 11 位手机号，现为“{row['registered_phone']}”")
    loan = row["loan_id"]
    if not _ID.match(loan):
        problems.append("loan_id（借款编号）不能为空，只能含字母、数字、-、_")
    outstanding = None
    try:
        outstanding = Decimal(row["outstanding"].replace(",", ""))
        if not outstanding.is_finite() or outstanding < 0:
            raise InvalidOperation
        outstanding = outstanding.quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        problems.append(f"outstanding（待还金额）应为不小于 0 的数字，现为“{row['outstanding']}”")
    overdue = None
    if re.fullmatch(r"[0-9]{1,5}", row["overdue_days"]):
        overdue = int(row["overdue_days"])
    else:
        problems.append(f"overdue_days（逾期天数）应为不小于 0 的整数，现为“{row['overdue_days']}”")
    record = dict(
        customer_id=cid,
        name=name,
        id_last4=last4,
        registered_phone=phone,
        loan_id=loan,
        outstanding=str(outstanding),
        overdue_days=overdue,
    )
    return record, problems


def validate_watchlist(row: Dict[str, str]) -> Tuple[dict, List[str]]:
    """A watchlist row as a database row, and what is wrong with it."""
    problems = []
    kind = row["kind"].lower()
    value = row["value"]
    if kind not in WATCHLIST_KINDS:
        problems.append(f"kind 应为 phone、voiceprint 或 phrase 之一，现为“{row['kind']}”")
    elif kind == "phone":
        value = normalize_phone(value)
        if not re.fullmatch(r"[0-9]{5,15}", value):
            problems.append(f"phone 的 value 应为电话号码，现为“{row['value']}”")
    elif kind == "voiceprint":
        try:
            floats = [float(x) for x in value.split()]
            if len(floats) < 2 or not all(math.isfinite(x) for x in floats):
                raise ValueError
            if not any(floats):
                raise ValueError
            value = " ".join(repr(x) for x in floats)
        except ValueError:
            problems.append("voiceprint 的 value 应为空格分隔的至少 2 个有限小数，且不能全为 0")
    elif not value:
        problems.append("phrase 的 value 不能为空")
    record = dict(kind=kind, value=value, source=row["source"], note=row["note"])
    return record, problems


DEMO_DIR = Path(__file__).resolve().parents[1] / "demo"


@dataclass(frozen=True)
class DemoPresence:
    """Demo rows still in the database."""

    customers: int
    watchlist: int

    def __bool__(self) -> bool:
        return bool(self.customers or self.watchlist)


def _demo_records(kind: str) -> List[dict]:
    _, validate, _, _ = _KINDS[kind]
    _, rows = read_csv(DEMO_DIR / f"{kind}.csv")
    return [validate(row)[0] for _, row in rows]


def _demo_customer_ids(conn) -> List[str]:
    """Demo customers still as the demo wrote them (one changed by a real import is real)."""
    found = []
    for demo in _demo_records("customers"):
        row = conn.execute(sa.select(storage.customers).where(storage.customers.c.customer_id == demo["customer_id"]))
        row = row.first()
        if row and all(row._mapping[k] == demo[k] for k in ("name", "id_last4", "registered_phone", "loan_id")):
            found.append(demo["customer_id"])
    return found


def _demo_watchlist_ids(conn) -> List[int]:
    found = []
    table = storage.watchlist
    for demo in _demo_records("watchlist"):
        row = conn.execute(
            sa.select(table.c.id).where(
                table.c.kind == demo["kind"], table.c.value == demo["value"], table.c.source == demo["source"]
            )
        ).first()
        if row:
            found.append(row[0])
    return found


def demo_present(db_url: str) -> DemoPresence:
    """How many demo customers and watchlist entries the database still holds."""
    with storage.engine_for(db_url).connect() as conn:
        return DemoPresence(len(_demo_customer_ids(conn)), len(_demo_watchlist_ids(conn)))


def _remove_demo(conn) -> DemoPresence:
    customer_ids, watch_ids = _demo_customer_ids(conn), _demo_watchlist_ids(conn)
    if customer_ids:
        conn.execute(storage.customers.delete().where(storage.customers.c.customer_id.in_(customer_ids)))
        conn.execute(storage.call_subjects.delete().where(storage.call_subjects.c.customer_id.in_(customer_ids)))
    if watch_ids:
        conn.execute(storage.watchlist.delete().where(storage.watchlist.c.id.in_(watch_ids)))
    return DemoPresence(len(customer_ids), len(watch_ids))


_KINDS: Dict[str, Tuple[List[str], Callable, object, List[str]]] = {
    "customers": (CUSTOMER_COLUMNS, validate_customer, storage.customers, ["customer_id"]),
    "watchlist": (WATCHLIST_COLUMNS, validate_watchlist, storage.watchlist, ["kind", "value"]),
}


def import_file(kind: str, path: Path, db_url: str, replace_demo: bool = False) -> ImportReport:
    """Validate the whole file, then import it in one transaction, or raise ImportRejected.

    With replace_demo, the demo rows still in the database are removed in that transaction."""
    columns, validate, table, keys = _KINDS[kind]
    if not path.is_file():
        raise ImportRejected([f"找不到文件：{path}"])
    header, rows = read_csv(path)
    errors = check_header(header, columns)
    if errors:
        raise ImportRejected(errors)
    records, seen = [], {}
    for line, row in rows:
        if "__error__" in row:
            errors.append(f"第 {line} 行：{row['__error__']}")
            continue
        record, problems = validate(row)
        key = tuple(record[k] for k in keys)
        if not problems and key in seen:
            problems.append(f"与第 {seen[key]} 行重复")
        seen.setdefault(key, line)
        errors.extend(f"第 {line} 行：{p}" for p in problems)
        records.append(record)
    if errors:
        raise ImportRejected(errors)
    if not records:
        raise ImportRejected(["文件只有表头，没有数据行。"])
    engine = storage.engine_for(db_url)
    with engine.begin() as conn:
        removed = _remove_demo(conn) if replace_demo else DemoPresence(0, 0)
        counts = storage.upsert_rows(conn, table, keys, records)
    return ImportReport(rows=len(records), counts=counts, demo_removed=removed)
