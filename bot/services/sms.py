"""Verification codes sent to the registered phone (contract §5): send, store hashed, check.

Knowledge (name plus ID digits) is what a proxy holding the borrower's ID card has
too; the code proves possession of the registered phone. The dialogue calls

    codes = VerificationCodes(database())           # sender from BOT_SMS_WEBHOOK / the outbox
    sent = codes.send(call_id, customer.registered_phone)   # may raise SmsUnavailable
    ... "验证码已发送到尾号{sent.masked_phone[-4:]}的手机" ...
    result = codes.check(call_id, extract_code(text))       # bot.core.codes.extract_code

A code expires after 5 minutes, is accepted once, and three wrong codes in a call
end the attempt: every later check is `exhausted` (human review), also after a
resend — a new code replaces the previous one but keeps the call's wrong
attempts, so resending never buys more guesses. The code is stored only as
HMAC-SHA256 under a random per-row salt.

Senders: with BOT_SMS_WEBHOOK set, the code is POSTed there as
`{"to": phone, "text": ...}` (the lender's SMS gateway); unset, one JSON line
`{"to", "text", "at"}` is appended to BOT_DATA_DIR/sms_outbox.jsonl (development).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

import sqlalchemy as sa

from bot.core.codes import CODE_LENGTH, EXPIRY_MINUTES, MAX_WRONG, masked_phone, sms_text
from bot.services.storage import Database, sms_codes
from bot.settings import env, load_settings

logger = logging.getLogger(__name__)

CHINA = dt.timezone(dt.timedelta(hours=8))
WEBHOOK_TIMEOUT = 3.0  # seconds: the caller is waiting on the line


class SmsUnavailable(RuntimeError):
    """The code could not be sent (the gateway failed or timed out); nothing was stored."""


class AttemptsExhausted(RuntimeError):
    """Three wrong codes in this call already: no new code is sent (human review)."""


@dataclass(frozen=True)
class SentCode:
    """What the caller may hear about a sent code."""

    masked_phone: str  # 137****0001
    expires_at: dt.datetime  # timezone-aware (UTC+8)


@dataclass(frozen=True)
class CodeCheck:
    """The outcome of reading a code back."""

    ok: bool
    expired: bool = False
    exhausted: bool = False  # three wrong codes in this call: no more attempts (human review)
    attempts_left: int = MAX_WRONG
    no_code: bool = False  # nothing was sent in this call (or the code was accepted already)
    already_used: bool = False  # the code was accepted before; a code is accepted once


# A sender delivers (phone, text) at a time; it raises SmsUnavailable when it cannot.
Sender = Callable[[str, str, dt.datetime], None]


def _utc(now: Optional[dt.datetime]) -> dt.datetime:
    """`now` as naive UTC, as the database keeps times (naive input is taken as UTC)."""
    now = now or dt.datetime.now(dt.timezone.utc)
    if now.tzinfo is not None:
        now = now.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return now


def _china(utc: dt.datetime) -> dt.datetime:
    return utc.replace(tzinfo=dt.timezone.utc).astimezone(CHINA)


def outbox_sender(path: Path) -> Sender:
    """Development: append {"to", "text", "at"} as one JSON line to `path`."""

    def send(phone: str, text: str, at: dt.datetime) -> None:
        at_text = _china(_utc(at)).isoformat(timespec="seconds")
        line = json.dumps({"to": phone, "text": text, "at": at_text}, ensure_ascii=False)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "a", encoding="utf-8") as f:
                f.write(line.replace("\n", " ") + "\n")
        except OSError as err:
            logger.error("验证码短信未能写入开发用发件箱 %s（%s）", path, err)
            raise SmsUnavailable(str(err)) from err

    return send


def webhook_sender(url: str, timeout: float = WEBHOOK_TIMEOUT) -> Sender:
    """Production: POST {"to", "text"} as JSON to the lender's SMS gateway; any non-2xx is a failure."""

    def send(phone: str, text: str, at: dt.datetime) -> None:
        body = json.dumps({"to": phone, "text": text}, ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(
            url, data=body, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                status = response.status
        except urllib.error.HTTPError as err:
            status = err.code
        except (urllib.error.URLError, OSError, ValueError) as err:
            reason = getattr(err, "reason", err)
            logger.error(
                "验证码短信发送失败：短信网关（BOT_SMS_WEBHOOK）无法连接或超时（%s），号码 %s",
                reason,
                masked_phone(phone),
            )
            raise SmsUnavailable(str(reason)) from err
        if not 200 <= status < 300:
            logger.error(
                "验证码短信发送失败：短信网关（BOT_SMS_WEBHOOK）返回 HTTP %s，号码 %s", status, masked_phone(phone)
            )
            raise SmsUnavailable(f"HTTP {status}")

    return send


def configured_sender() -> Sender:
    """BOT_SMS_WEBHOOK when set, else the outbox file under BOT_DATA_DIR."""
    url = env("BOT_SMS_WEBHOOK")
    if url:
        return webhook_sender(url)
    return outbox_sender(load_settings().data_dir / "sms_outbox.jsonl")


def _digest(salt: str, code: str) -> str:
    return hmac.new(salt.encode("ascii"), code.encode("ascii"), hashlib.sha256).hexdigest()


class VerificationCodes:
    """Codes per call, kept in the project database's `sms_codes` table."""

    def __init__(self, db: Database, sender: Optional[Sender] = None, expiry_minutes: int = EXPIRY_MINUTES):
        self.db = db
        self.sender = sender or configured_sender()
        self.expiry = dt.timedelta(minutes=expiry_minutes)

    def _wrong_attempts(self, call_id: str) -> int:
        with self.db.engine.connect() as conn:
            return (
                conn.execute(
                    sa.select(sa.func.max(sms_codes.c.wrong_attempts)).where(sms_codes.c.call_id == call_id)
                ).scalar()
                or 0
            )

    def send(self, call_id: str, phone: str, now: Optional[dt.datetime] = None) -> SentCode:
        """Send a new code to `phone` for this call, replacing any earlier one.

        Raises SmsUnavailable when the gateway fails (nothing stored, an earlier code stays
        valid) and AttemptsExhausted after three wrong codes in this call."""
        now = _utc(now)
        wrong = self._wrong_attempts(call_id)  # a resend keeps the call's wrong attempts
        if wrong >= MAX_WRONG:
            raise AttemptsExhausted(call_id)
        code = f"{secrets.randbelow(10**CODE_LENGTH):0{CODE_LENGTH}d}"
        self.sender(phone, sms_text(code, int(self.expiry.total_seconds() // 60)), now)
        salt = secrets.token_hex(16)
        with self.db.engine.begin() as conn:
            conn.execute(sms_codes.delete().where(sms_codes.c.call_id == call_id))
            conn.execute(
                sms_codes.insert().values(
                    call_id=call_id,
                    phone=phone,
                    salt=salt,
                    code_hash=_digest(salt, code),
                    created_at=now,
                    expires_at=now + self.expiry,
                    wrong_attempts=wrong,
                    used=False,
                )
            )
        return SentCode(masked_phone(phone), _china(now + self.expiry))

    def check(self, call_id: str, given: Optional[str], now: Optional[dt.datetime] = None) -> CodeCheck:
        """Whether `given` is this call's current code (a wrong one counts against the call)."""
        now = _utc(now)
        given = (given or "").strip()
        with self.db.engine.begin() as conn:
            # Take one attempt first (one atomic UPDATE): checks racing each other cannot
            # try more than the attempts left, whatever their number.
            reserved = conn.execute(
                sms_codes.update()
                .where(
                    sms_codes.c.call_id == call_id,
                    sms_codes.c.used.is_(False),
                    sms_codes.c.wrong_attempts < MAX_WRONG,
                    sms_codes.c.expires_at > now,
                )
                .values(wrong_attempts=sms_codes.c.wrong_attempts + 1)
            ).rowcount
            row = conn.execute(
                sa.select(sms_codes).where(sms_codes.c.call_id == call_id).order_by(sms_codes.c.id.desc())
            ).first()
            if row is None:
                return CodeCheck(ok=False, no_code=True)
            if not reserved:
                left = max(0, MAX_WRONG - row.wrong_attempts)
                if left == 0:
                    return CodeCheck(ok=False, exhausted=True, attempts_left=0)
                if row.used:
                    return CodeCheck(ok=False, no_code=True, already_used=True, attempts_left=left)
                return CodeCheck(ok=False, expired=True, attempts_left=left)
            if hmac.compare_digest(_digest(row.salt, given), row.code_hash):
                conn.execute(
                    sms_codes.update()
                    .where(sms_codes.c.id == row.id)
                    .values(used=True, wrong_attempts=sms_codes.c.wrong_attempts - 1)
                )
                return CodeCheck(ok=True, attempts_left=MAX_WRONG - row.wrong_attempts + 1)
            left = max(0, MAX_WRONG - row.wrong_attempts)
            if left == 0:
                logger.warning(
                    "call %s: 验证码连续 %d 次错误，本通电话不再接受验证码，请转人工复核", call_id, MAX_WRONG
                )
            return CodeCheck(ok=False, exhausted=left == 0, attempts_left=left)
