"""The evidence packet: transcript with times, signals, customer, level history."""

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
