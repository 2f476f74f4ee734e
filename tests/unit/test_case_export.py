"""The evidence packet: transcript with times, signals, customer, level history."""

import datetime as dt
import time

import pytest

from bot.services import case_export

EVENTS = [
    {"event": "user", "text": "我是公安局的，不给减免就去你们公司闹", "timestamp": 1764000000.0},
    {"event": "bot", "text": "请问您是借款人本人吗？", "timestamp": 1764000001.0},
    {"event": "slot", "name": "caller_number", "value": "13900009999"},
    {"event": "slot", "name": "customer_id", "value": "C0001"},
    {"event": "slot", "name": "proxy_risk_level", "value": "level1"},
    {"event": "slot", "name": "proxy_signals", "value": [{"code": "extortion", "evidence": "去你们公司闹"}]},
]


def test_packet_holds_transcript_customer_signals_and_history(demo_db, tmp_path):
    demo_db.append_audit(
        "c1",
        [
            ("signal_raised", {"code": "extortion", "evidence": "去你们公司闹"}),
            ("level_changed", {"from": "none", "to": "level1", "score": 0.99}),
        ],
    )
    packet = case_export.build_packet("c1", EVENTS, demo_db)
    assert packet["customer"]["name"] == "张伟" and packet["caller_number"] == "13900009999"
    assert [t["speaker"] for t in packet["transcript"]] == ["caller", "bot"]
    assert packet["transcript"][0]["at"].startswith("2025-11-25")
    assert packet["level_history"][0]["to"] == "level1"
    paths = case_export.write_packet(packet, tmp_path)
    md = paths[1].read_text(encoding="utf-8")
    assert "一级异常维权" in md and "去你们公司闹" in md and "来电人：我是公安局的" in md
    assert paths[0].suffix == ".json"


def test_missing_tracker_store_gives_no_events(tmp_path):
    assert case_export.tracker_events(tmp_path / "none.db", "c1") == []


@pytest.fixture
def server_in_new_york(monkeypatch):
    """The process's local time zone far from UTC+8, so only an explicit conversion passes."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_every_time_in_the_packet_is_china_standard_time(demo_db, tmp_path, server_in_new_york):
    utc = dt.timezone.utc
    said = dt.datetime(2025, 11, 24, 16, 30, 0, tzinfo=utc).timestamp()  # 00:30 on the 25th in Beijing
    events = [
        {"event": "user", "text": "/greet", "timestamp": said - 5},  # the channel's command, not speech
        {"event": "user", "text": "我是公安局的，不给减免就去你们公司闹", "timestamp": said},
        {"event": "bot", "text": "请问您是借款人本人吗？", "timestamp": said + 1.6},
        {"event": "slot", "name": "proxy_risk_level", "value": "level1"},
    ]
    # The database keeps naive UTC datetimes (datetime.utcnow()).
    demo_db.append_audit(
        "c-tz",
        [("signal_raised", {"code": "extortion", "evidence": "去你们公司闹"})],
        now=dt.datetime(2025, 11, 24, 16, 30, 2),
    )
    demo_db.append_audit(
        "c-tz",
        [("level_changed", {"from": "none", "to": "level1", "score": 0.99})],
        now=dt.datetime(2025, 11, 24, 23, 59, 59),
    )
    packet = case_export.build_packet("c-tz", events, demo_db)
    assert packet["time_zone"] == "UTC+8"
    assert [(t["at"], t["speaker"]) for t in packet["transcript"]] == [
        ("2025-11-25 00:30:00", "caller"),
        ("2025-11-25 00:30:01", "bot"),
    ]
    assert [s["at"] for s in packet["signals_raised"]] == ["2025-11-25 00:30:02"]
    assert [h["at"] for h in packet["level_history"]] == ["2025-11-25 07:59:59"]
    exported = dt.datetime.strptime(packet["exported_at"], "%Y-%m-%d %H:%M:%S")
    beijing_now = dt.datetime.now(utc).astimezone(dt.timezone(dt.timedelta(hours=8))).replace(tzinfo=None)
    assert abs((beijing_now - exported).total_seconds()) < 60

    md = case_export.write_packet(packet, tmp_path)[1].read_text(encoding="utf-8")
    assert md.count("UTC+8") == 1 and "本材料中的时间均为中国标准时间" in md
    assert "2025-11-25 00:30:00 来电人：我是公安局的" in md and "2025-11-25 00:30:01 客服：" in md
    assert "- 2025-11-25 00:30:02 `extortion`：去你们公司闹" in md
    assert "- 2025-11-25 07:59:59：无 → 一级异常维权（分数 0.99）" in md
    assert "/greet" not in md and "16:30" not in md and "23:59" not in md
