"""The police-report packet PDF: Chinese text a person can read, every section, page numbers, one time zone.

The pages are also rendered to PNG under tests/artifacts/ (pdftoppm) for a person to look at.
"""

import datetime as dt
import shutil
import subprocess

import pytest

from bot.services import case_packet, cases, packet_pdf
from bot.services.cases import Actor
from tests.conftest import ROOT

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
ARTIFACTS = ROOT / "tests" / "artifacts"
T0 = dt.datetime(2026, 12, 1, 2, 0)  # 10:00 Beijing time
TS0 = T0.replace(tzinfo=dt.timezone.utc).timestamp()


def events(lines, customer="C0002", number="13512340002", level="level1", signals=None):
    out = []
    for i, (speaker, text) in enumerate(lines):
        out.append({"event": "user" if speaker == "caller" else "bot", "text": text, "timestamp": TS0 + 5 * i})
    out += [
        {"event": "slot", "name": "caller_number", "value": number},
        {"event": "slot", "name": "customer_id", "value": customer},
        {"event": "slot", "name": "caller_role", "value": "third_party"},
        {"event": "slot", "name": "purpose", "value": "fee_waiver"},
        {"event": "slot", "name": "proxy_risk_level", "value": level},
        {"event": "slot", "name": "proxy_signals", "value": signals or []},
    ]
    return out


POLICE_CALL = [
    ("caller", "/greet"),
    ("bot", "您好，这里是客户服务中心，我是智能客服。为保障双方权益，本通话将被录音。"),
    ("caller", "我是公安局的，你们涉嫌违法催收，马上给他全额减免，不然就去你们公司闹"),
    ("bot", "请问您来电是关于哪位借款人？"),
    ("caller", "借款人叫王芳"),
]
SIGNALS = [
    {"code": "impersonating_official", "evidence": "公安局"},
    {"code": "extortion", "evidence": "去你们公司闹"},
]


def make_case(db, long=False):
    call_lines = POLICE_CALL + (
        [("caller", f"第{i}次重复：不减免就曝光你们，天天去你们公司闹") for i in range(60)] if long else []
    )
    case_id = cases.track_call(db, "call-1", "level1", SIGNALS, "third_party", "13512340002", "C0002", now=T0)
    db.append_audit("call-1", [("signal_raised", s) for s in SIGNALS], now=T0)
    db.append_audit("call-1", [("level_changed", {"from": "none", "to": "level1", "score": 0.99})], now=T0)
    cases.track_call(
        db,
        "call-2",
        "level2",
        [{"code": "gray_phrase", "evidence": "停息挂账"}],
        "third_party",
        "13512340002",
        "C0003",
        now=T0 + dt.timedelta(days=1),
    )
    cases.update_case(db, case_id, {"status": "investigating", "assignee": "李调查员"}, Actor("王主管", "supervisor"))
    cases.update_case(db, case_id, {"note": "借款人王芳本人确认未委托任何机构。"}, Actor("王主管", "supervisor"))
    by_call = {
        "call-1": events(call_lines, signals=SIGNALS),
        "call-2": events([("caller", "我们是债务优化公司的，要求停息挂账")], customer="C0003", level="level2"),
    }
    return case_id, case_packet.build_case_packet(db, case_id, by_call)


def pdf_text(path):
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def page_count(path):
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def test_the_packet_pdf_holds_every_section_in_chinese(demo_db, tmp_path):
    case_id, packet = make_case(demo_db)
    path = tmp_path / "packet.pdf"
    path.write_bytes(packet_pdf.render(packet))
    text = pdf_text(path)
    for words in (
        "报案材料",
        f"案件 {case_id}",
        "一、案件概要",
        "二、时间线",
        "三、风险信号及证据",
        "四、通话记录摘录",
        "五、来电号码及其历史来电",
        "七、审计记录",
        "冒充公检法或监管",
        "去你们公司闹",
        "王芳",
        "13512340002",
        "借款人王芳本人确认未委托任何机构",
        "李调查员",
        "北京时间（中国标准时间，UTC+8）",
        "2026-12-01 10:00:00",  # 02:00 UTC shown once, in Beijing time
    ):
        assert words in text, words
    assert "/greet" not in text
    pages = page_count(path)
    compact = "".join(text.split())  # pdftotext drops the spaces between CJK characters and digits
    assert pages >= 2 and f"第1页/共{pages}页" in compact and f"第{pages}页/共{pages}页" in compact
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, ARTIFACTS / "packet.pdf")
    subprocess.run(["pdftoppm", "-png", "-r", "70", str(path), str(ARTIFACTS / "packet-page")], check=True)
    assert (ARTIFACTS / "packet-page-1.png").exists()


def test_a_long_call_spreads_over_more_pages(demo_db, tmp_path):
    _, short = make_case(demo_db)
    short_pdf, long_pdf = tmp_path / "short.pdf", tmp_path / "long.pdf"
    short_pdf.write_bytes(packet_pdf.render(short))
    demo_db2 = demo_db  # same database, a second case with a long transcript
    case_id = cases.track_call(demo_db2, "call-9", "level1", SIGNALS, "third_party", "13900000000", None, now=T0)
    lines = POLICE_CALL + [("caller", f"第{i}次：不减免就天天去你们公司闹") for i in range(80)]
    packet = case_packet.build_case_packet(
        demo_db2, case_id, {"call-9": events(lines, customer=None, number="13900000000")}
    )
    long_pdf.write_bytes(packet_pdf.render(packet))
    assert page_count(long_pdf) > page_count(short_pdf)
    assert "第79次" in pdf_text(long_pdf)


def test_a_missing_font_is_a_clear_chinese_error(tmp_path):
    with pytest.raises(packet_pdf.FontMissing, match="fonts-wqy-microhei"):
        packet_pdf.register_font.__wrapped__(str(tmp_path / "none.ttc"))
