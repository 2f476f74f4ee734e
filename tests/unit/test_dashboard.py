"""The dashboard's figures on a fixed data set whose answers are known, day and week (Beijing days)."""

import datetime as dt

import pytest

from bot.core.risk import hash_phone
from bot.presentation import charts
from bot.services import cases, dashboard, industry_sharing
from bot.services.cases import Actor, CaseError
from bot.services.storage import call_activity

KEY = "dashboard-test-key-0123456789"
# 1 December 2026, Beijing time: 02:00 UTC is 10:00 there; 17:00 UTC is already 2 December.
DAY = dt.datetime(2026, 12, 1, 2, 0)
TEMPLATE = "本人因疫情失业收入下降，无力偿还贷款，要求停息挂账并减免全部罚息，否则将向银保监会投诉"


def call(db, call_id, level, at, number=None, customer=None, role="third_party", signals=()):
    cases.track_call(db, call_id, level, list(signals), role, number, customer, now=at)
    with db.engine.begin() as conn:  # the highest level as if the call had reached it
        conn.execute(call_activity.update().where(call_activity.c.call_id == call_id).values(max_level=level))
    for s in signals:
        db.append_audit(call_id, [("signal_raised", s)], now=at)


@pytest.fixture
def data(demo_db):
    db = demo_db
    gray = {"code": "gray_phrase", "evidence": "停息挂账"}
    police = {"code": "impersonating_official", "evidence": "公安局"}
    third = {"code": "unauthorized_third_party", "evidence": "第三方"}
    # the day: 5 calls (2 none, 1 watch, 1 level2, 1 level1)
    call(db, "d1", "none", DAY, "13800000001", "C0001", "borrower")
    call(db, "d2", "none", DAY + dt.timedelta(hours=1), "13800000002", "C0002", "borrower")
    call(db, "d3", "watch", DAY + dt.timedelta(hours=2), "13900000003", None, signals=[gray])
    call(db, "d4", "level2", DAY + dt.timedelta(hours=3), "13966660000", "C0003", signals=[gray, third])
    call(db, "d5", "level1", DAY + dt.timedelta(hours=3, minutes=30), "13512340002", "C0002", signals=[police, third])
    # earlier in the week, and one call just after the day (already 2 December in Beijing)
    call(db, "w1", "level2", DAY - dt.timedelta(days=3), "13966660000", "C0001", signals=[gray])
    call(db, "w2", "none", DAY - dt.timedelta(days=6), "13700000000", "C0003", "borrower")
    call(db, "next", "level1", dt.datetime(2026, 12, 1, 17, 0), "13600000000", signals=[police])
    call(db, "old", "level2", DAY - dt.timedelta(days=9), "13966660000", "C0002", signals=[gray])
    # which borrower each call was about: 13966660000 asks about three borrowers this week
    for call_id, number, customer, at in (
        ("d4", "13966660000", "C0003", DAY + dt.timedelta(hours=3)),
        ("w1", "13966660000", "C0001", DAY - dt.timedelta(days=3)),
        ("x1", "13966660000", "C0002", DAY - dt.timedelta(days=2)),
        ("d1", "13800000001", "C0001", DAY),
        ("d2", "13800000002", "C0002", DAY),
        ("y1", "13800000002", "C0002", DAY),
    ):
        db.record_call_subject(call_id, number, customer, at)
    # complaints: three near-identical texts (one cluster), one different, one outside the week
    for i, (customer, text, at) in enumerate(
        (
            ("C0001", TEMPLATE, DAY),
            ("C0002", TEMPLATE.replace("疫情", "生病"), DAY + dt.timedelta(hours=1)),
            ("C0003", TEMPLATE + "。", DAY - dt.timedelta(days=2)),
            ("C0004", "催收员每天打电话到我单位，影响我工作，请你们核实并停止这种行为", DAY),
            ("C0005", TEMPLATE, DAY - dt.timedelta(days=20)),
        )
    ):
        db.register_case(f"k{i}", "complaint", "third_party", customer, text, 15, now=at)
    db.register_case("k9", "dispute", "borrower", "C0001", "", 20, now=DAY - dt.timedelta(days=19))
    # sharing: a partner lists 13512340002 (called today) and one number nobody called
    content = "phone_hmac_sha256\n" + hash_phone("13512340002", KEY) + "\n" + hash_phone("13000000000", KEY) + "\n"
    industry_sharing.import_text(db, content, "甲消费金融", "王主管", now=DAY - dt.timedelta(days=1))
    return db


def test_calls_by_level_per_day_and_week(data):
    day = dashboard.calls_by_level(data, dashboard.window("day", "2026-12-01"))
    assert day["total"] == 5
    assert day["by_level"] == {"none": 2, "watch": 1, "level2": 1, "level1": 1}
    hours = {s["bucket"]: s for s in day["series"]}
    assert len(hours) == 24 and hours["10"]["none"] == 1 and hours["13"]["level2"] == 1 and hours["13"]["level1"] == 1
    week = dashboard.calls_by_level(data, dashboard.window("week", "2026-12-01"))
    assert week["total"] == 7 and week["by_level"]["level2"] == 2  # w1 and d4; "old" is 9 days back
    assert [s["bucket"] for s in week["series"]] == ["11-25", "11-26", "11-27", "11-28", "11-29", "11-30", "12-01"]
    assert {s["bucket"]: s["none"] for s in week["series"]}["11-25"] == 1
    nextday = dashboard.calls_by_level(data, dashboard.window("day", "2026-12-02"))
    assert nextday["by_level"]["level1"] == 1  # 17:00 UTC on 1 December is 2 December in Beijing


def test_top_signals_count_calls(data):
    top = dashboard.top_signals(data, dashboard.window("day", "2026-12-01"))
    assert [(s["code"], s["calls"]) for s in top] == [
        ("gray_phrase", 2),
        ("unauthorized_third_party", 2),
        ("impersonating_official", 1),
    ]
    assert top[0]["label"] == "灰产用语"


def test_numbers_calling_about_several_borrowers(data):
    week = dashboard.multi_borrower_numbers(data, dashboard.window("week", "2026-12-01"))
    assert [(n["number"], n["borrowers"], n["calls"]) for n in week] == [("139****0000", 3, 3)]
    assert week[0]["case_id"]  # its flagged calls are a case
    assert dashboard.multi_borrower_numbers(data, dashboard.window("day", "2026-12-01")) == []


def test_near_identical_complaints_cluster(data):
    week = dashboard.complaint_clusters(data, dashboard.window("week", "2026-12-01"))
    assert len(week) == 1
    cluster = week[0]
    assert cluster["size"] == 3 and cluster["customers"] == 3 and len(cluster["examples"]) == 3
    assert cluster["examples"][0].startswith("本人因疫情失业")
    day = dashboard.complaint_clusters(data, dashboard.window("day", "2026-12-01"))
    assert [c["size"] for c in day] == [2]


def test_complaints_within_their_reply_deadline(data):
    due = dashboard.complaints_due(data, dt.date(2026, 12, 10))
    # replies due: k0,k1,k3 on 12-16 (6 days), k2 on 12-14 (4 days), k9 on 12-02 (past), k4 long past
    assert due["total"] == 4
    assert {b["label"]: b["count"] for b in due["buckets"]} == {"今天到期": 0, "1–3 天": 0, "4–7 天": 4, "8 天以上": 0}
    assert due["items"][0]["days_left"] == 4 and due["items"][0]["kind_label"] == "投诉"


def test_cases_by_status(data):
    case_id = cases.case_for_call(data, "d5")
    cases.update_case(data, case_id, {"status": "investigating"}, Actor("王主管", "supervisor"))
    figures = dashboard.cases_by_status(data, dashboard.window("day", "2026-12-01"))
    now = {s["status"]: s["count"] for s in figures["now"]}
    # d4, w1 and "old" share 13966660000 → one case; d5 its own; "next" its own
    assert now == {"open": 2, "investigating": 1, "reported": 0, "closed": 0}
    # opened today: d4's case (w1 and "old", recorded after it, joined it) and d5's
    assert (figures["opened"], figures["opened_level1"], figures["opened_level2"]) == (2, 1, 1)


def test_industry_sharing_imports_and_matches(data):
    week = dashboard.sharing(data, dashboard.window("week", "2026-12-01"), KEY)
    assert [(i["source"], i["total"], i["added"]) for i in week["imports"]] == [("甲消费金融", 2, 2)]
    assert week["sources"] == [{"source": "甲消费金融", "hashes": 2, "last_import": "2026-11-30T10:00:00+08:00"}]
    assert week["matches"] == [
        {"number": "135****0002", "calls": 1, "source": "甲消费金融", "imported_at": "2026-11-30T10:00:00+08:00"}
    ]
    assert dashboard.sharing(data, dashboard.window("week", "2026-12-01"), None)["matches"] == []


def test_bad_period_or_date_is_a_chinese_400():
    for args in (("month", None), ("day", "2026-13-01")):
        with pytest.raises(CaseError) as bad:
            dashboard.window(*args)
        assert bad.value.status == 400


def test_charts_are_svg_with_escaped_labels(data):
    figures = dashboard.figures(data, "week", "2026-12-01", KEY)
    drawn = charts.dashboard_charts(figures)
    assert set(drawn) == {"calls_by_level", "top_signals", "cases_by_status", "complaints_due"}
    assert all(svg.startswith("<svg") and "</svg>" in svg for svg in drawn.values())
    assert "灰产用语" in drawn["top_signals"]
    assert "&lt;b&gt;" in charts.horizontal_bars([("<b>", 1, "#000")], "t")
