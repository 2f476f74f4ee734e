"""Verification codes (contract §5): sent to the registered phone, stored hashed, checked with care."""

import datetime as dt
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import sqlalchemy as sa

from bot.services.sms import (
    AttemptsExhausted,
    SmsUnavailable,
    VerificationCodes,
    configured_sender,
    outbox_sender,
    webhook_sender,
)
from bot.services.storage import Database, sms_codes

T0 = dt.datetime(2026, 12, 1, 2, 0, 0)  # UTC: 10:00 in China


class Phone:
    """A sender that keeps what it delivered, like the borrower's handset."""

    def __init__(self):
        self.inbox = []

    def __call__(self, to, text, at):
        self.inbox.append((to, text))

    @property
    def last_code(self):
        return re.findall(r"(?<![0-9])[0-9]{6}(?![0-9])", self.inbox[-1][1])[0]


@pytest.fixture
def phone():
    return Phone()


@pytest.fixture
def codes(db_url, phone):
    return VerificationCodes(Database(db_url), phone)


def later(minutes=0, seconds=0):
    return T0 + dt.timedelta(minutes=minutes, seconds=seconds)


def test_the_code_read_back_verifies_once(codes, phone):
    sent = codes.send("c1", "13700000001", now=T0)
    assert sent.masked_phone == "137****0001"
    assert sent.expires_at == dt.datetime(2026, 12, 1, 10, 5, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert phone.inbox[0][0] == "13700000001"
    first = codes.check("c1", phone.last_code, now=later(minutes=1))
    assert first.ok and not first.expired and not first.exhausted
    again = codes.check("c1", phone.last_code, now=later(minutes=2))
    assert not again.ok and again.already_used


def test_the_code_is_never_stored_in_clear(codes, phone, db_url):
    codes.send("c1", "13700000001", now=T0)
    with Database(db_url).engine.connect() as conn:
        row = conn.execute(sa.select(sms_codes)).one()._mapping
    assert phone.last_code not in " ".join(str(v) for v in row.values())
    assert len(row["code_hash"]) == 64 and len(row["salt"]) >= 16


def test_the_same_code_hashes_differently_per_row(db_url):
    fixed = VerificationCodes(Database(db_url), Phone())
    fixed.send("a", "13700000001", now=T0)
    fixed.send("b", "13700000001", now=T0)
    with Database(db_url).engine.connect() as conn:
        salts = conn.execute(sa.select(sms_codes.c.salt)).scalars().all()
    assert len(set(salts)) == 2


def test_a_code_expires_after_five_minutes(codes, phone):
    codes.send("c1", "13700000001", now=T0)
    code = phone.last_code
    late = codes.check("c1", code, now=later(minutes=5))
    assert not late.ok and late.expired and late.attempts_left == 3
    assert codes.check("c1", code, now=later(minutes=4, seconds=59)).ok  # expiry did not spend an attempt


def test_three_wrong_codes_end_the_attempt_for_good(codes, phone):
    codes.send("c1", "13700000001", now=T0)
    wrong = "000000" if phone.last_code != "000000" else "111111"
    results = [codes.check("c1", wrong, now=later(seconds=10 * i)) for i in range(3)]
    assert [r.attempts_left for r in results] == [2, 1, 0]
    assert [r.exhausted for r in results] == [False, False, True]
    right = codes.check("c1", phone.last_code, now=later(minutes=1))
    assert not right.ok and right.exhausted and right.attempts_left == 0
    with pytest.raises(AttemptsExhausted):  # a resend buys no more guesses
        codes.send("c1", "13700000001", now=later(minutes=2))
    assert len(phone.inbox) == 1


def test_a_resend_replaces_the_code_and_keeps_the_wrong_attempts(codes, phone):
    codes.send("c1", "13700000001", now=T0)
    old = phone.last_code
    codes.check("c1", "999999" if old != "999999" else "888888", now=later(seconds=5))
    codes.send("c1", "13700000001", now=later(minutes=1))
    new = phone.last_code
    if new != old:
        replaced = codes.check("c1", old, now=later(minutes=2))
        assert not replaced.ok and replaced.attempts_left == 1
        assert codes.check("c1", new, now=later(minutes=2)).ok
    else:  # one in a million: the same code again
        assert codes.check("c1", new, now=later(minutes=2)).ok


def test_nothing_sent_and_other_calls_codes(codes, phone):
    none = codes.check("c1", "123456", now=T0)
    assert not none.ok and none.no_code
    codes.send("c2", "13700000002", now=T0)
    assert codes.check("c1", phone.last_code, now=T0).no_code  # another call's code is not this call's


def test_outbox_line_follows_the_contract(tmp_path, db_url):
    outbox = tmp_path / "sms_outbox.jsonl"
    codes = VerificationCodes(Database(db_url), outbox_sender(outbox))
    codes.send("c1", "13800000000", now=T0)
    codes.send("c2", "13800000001", now=T0)
    lines = outbox.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    first = json.loads(lines[0])
    assert set(first) == {"to", "text", "at"}
    assert first["to"] == "13800000000" and first["at"] == "2026-12-01T10:00:00+08:00"
    text = first["text"]
    runs = re.findall(r"[0-9]+", text)
    six = [r for r in runs if len(r) == 6]
    assert len(six) == 1 and all(len(r) < 6 for r in runs if r not in six)  # the code is the only six digits
    assert "5分钟" in text and "请勿告诉任何人" in text and "工作人员" in text and "法务" in text and "协商" in text
    assert codes.check("c1", six[0], now=T0).ok


def test_outbox_is_the_default_without_a_gateway(data_dir, monkeypatch, db_url):
    monkeypatch.delenv("BOT_SMS_WEBHOOK", raising=False)
    VerificationCodes(Database(db_url), configured_sender()).send("c1", "13800000000")
    assert json.loads((data_dir / "sms_outbox.jsonl").read_text(encoding="utf-8"))["to"] == "13800000000"


class Gateway:
    """A local SMS gateway on 127.0.0.1 that records what it was sent and answers `status`."""

    def __init__(self, status=200, delay=0.0):
        self.received, self.status, self.delay = [], status, delay
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                gateway.received.append((self.headers["Content-Type"], json.loads(body)))
                if gateway.delay:
                    threading.Event().wait(gateway.delay)
                self.send_response(gateway.status)
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/sms"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def test_webhook_gets_to_and_text_as_json(db_url, monkeypatch):
    with Gateway() as gateway:
        monkeypatch.setenv("BOT_SMS_WEBHOOK", gateway.url)
        codes = VerificationCodes(Database(db_url))  # the sender from the setting
        codes.send("c1", "13800000000", now=T0)
    content_type, body = gateway.received[0]
    assert content_type.startswith("application/json")
    assert set(body) == {"to", "text"} and body["to"] == "13800000000"
    code = re.findall(r"(?<![0-9])[0-9]{6}(?![0-9])", body["text"])
    assert len(code) == 1 and codes.check("c1", code[0], now=T0).ok


def test_a_failing_gateway_raises_and_keeps_the_earlier_code(db_url, caplog):
    phone = Phone()
    codes = VerificationCodes(Database(db_url), phone)
    codes.send("c1", "13800000000", now=T0)
    with Gateway(status=503) as gateway:
        codes.sender = webhook_sender(gateway.url)
        with pytest.raises(SmsUnavailable):
            codes.send("c1", "13800000000", now=later(minutes=1))
    assert "短信网关" in caplog.text and "HTTP 503" in caplog.text and "138****0000" in caplog.text
    assert "13800000000" not in caplog.text
    assert codes.check("c1", phone.last_code, now=later(minutes=2)).ok


def test_an_unreachable_or_slow_gateway_fails_quickly(db_url, caplog):
    codes = VerificationCodes(Database(db_url), webhook_sender("http://127.0.0.1:9/sms", timeout=1))
    with pytest.raises(SmsUnavailable):
        codes.send("c1", "13800000000", now=T0)
    assert "无法连接或超时" in caplog.text
    with Gateway(delay=2.0) as gateway:
        codes.sender = webhook_sender(gateway.url, timeout=0.5)
        started = dt.datetime.now()
        with pytest.raises(SmsUnavailable):
            codes.send("c1", "13800000000", now=T0)
        assert (dt.datetime.now() - started).total_seconds() < 1.5
    assert codes.check("c1", "123456", now=T0).no_code


def test_checks_racing_each_other_get_three_attempts_in_all(codes, phone, db_url):
    from concurrent.futures import ThreadPoolExecutor

    codes.send("c1", "13700000001", now=T0)
    guesses = [f"{n:06d}" for n in range(10) if f"{n:06d}" != phone.last_code][:8]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda g: codes.check("c1", g, now=later(seconds=1)), guesses))
    assert not any(r.ok for r in results)
    assert sorted(r.attempts_left for r in results) == [0] * 6 + [1, 2]
    assert codes.check("c1", phone.last_code, now=later(seconds=2)).exhausted
