"""Proxy-risk flags on real calls: levels change the script, never refuse the consumer."""

import json
import subprocess
import sys

import pytest

from bot.services.storage import Database
from tests.conftest import ROOT

pytestmark = pytest.mark.e2e

DEMO_VOICEPRINT = [0.12, 0.80, -0.33, 0.41, 0.05, -0.27, 0.66, 0.19]


def signals(summary):
    return {s["code"]: s["evidence"] for s in summary["proxy_risk"]["signals"]}


def test_debt_optimisation_agency_is_level2_and_must_be_verified_with_the_borrower(stack, call):
    c = call("13512340000")
    c.say("喂，我们是债务优化中心的协商专员，受客户委托，要求停息挂账")
    closing = c.say("借款人叫张伟")  # a third party names the borrower and is not asked for her ID digits
    s = c.summary()
    assert s["proxy_risk"]["level"] == "level2"
    found = signals(s)
    assert found["gray_phrase"] and "unauthorized_third_party" in found
    assert s["next_step"] == "escalate_team"  # the anti-proxy team's case (contract §7)
    assert {"power_of_attorney", "borrower_confirmation"} <= set(s["materials_requested"])
    assert "在与借款人本人直接核实之前" in closing
    assert "免费" in closing and "手机卡" in closing  # the free, direct route and the warning
    c.say("你们别再给他打电话了，有事直接找我们")
    assert "refuses_borrower_contact" in signals(c.summary())
    audit = Database(stack.settings.db_url).audit_for_call(c.id)
    assert any(r["event"] == "level_changed" and r["detail"]["to"] == "level2" for r in audit)


def test_asr_homophones_of_gray_words_are_caught(call):
    c = call("13512340001")
    c.say("我们是法物公司的，帮客户办挺息挂帐")
    evidence = " ".join(e for code, e in signals(c.summary()).items() if code == "gray_phrase")
    assert evidence, c.summary()


def test_impersonating_police_and_extortion_is_level1_yet_the_complaint_is_registered(stack, call):
    c = call("13512340002")
    c.say("我是公安局的，你们涉嫌违法催收，马上给他全额减免，不然就去你们公司闹")
    c.say("借款人叫王芳")
    c.say("后四位0521")
    c.say("你们催收员天天打电话威胁他，我要投诉")
    s = c.summary()
    assert s["proxy_risk"]["level"] == "level1"
    assert {"impersonating_official", "extortion"} <= set(signals(s))
    assert s["next_step"] == "police_report_packet"
    assert s["complaint_registered"] is True and "编号 TS" in "\n".join(c.bot_lines)
    asked = [line for line in c.bot_lines if line.endswith("？") and "还有其他需要" not in line]
    assert asked == []  # level1: nothing more is asked of this caller
    packet_md = stack.settings.data_dir / "cases" / f"{c.id}.md"
    assert packet_md.exists() and "一级异常维权" in packet_md.read_text(encoding="utf-8")
    out = stack.settings.data_dir / "export"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "case", "export", c.id, "--out", str(out)],
        cwd=ROOT,
        env=stack.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    packet = json.loads((out / f"{c.id}.json").read_text(encoding="utf-8"))
    first_caller_line = next(t for t in packet["transcript"] if t["speaker"] == "caller")
    assert first_caller_line["text"].startswith("我是公安局的") and first_caller_line["at"]
    assert packet["customer"]["customer_id"] == "C0002"
    assert [h["to"] for h in packet["level_history"]][-1] == "level1"


def test_case_export_of_unknown_call_fails_clearly(stack):
    result = subprocess.run(
        [sys.executable, "-m", "bot", "case", "export", "no-such-call"],
        cwd=ROOT,
        env=stack.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2 and "找不到通话" in result.stderr


def test_verified_borrower_citing_article_70_stays_at_most_watch(call):
    c = call()
    c.say("我是本人")
    c.say("张伟")
    c.say("3721")
    c.say("我想申请个性化分期，根据信用卡管理办法第七十条，我有还款意愿")
    c.say("我失业了")
    s = c.summary()
    assert s["proxy_risk"]["level"] in ("none", "watch")
    assert s["next_step"] == "handled" and s["identity_verified"] is True


def test_scam_victim_is_not_a_proxy(call):
    c = call("13800000003")
    c.say("我是借款人本人，我被一个代理公司骗了")
    c.say("我叫李娜")
    c.say("后四位108X")
    c.say("他们说能帮我停息挂账，收了我三千块，还让我把手机卡寄给他们")
    s = c.summary()
    assert s["purpose"] == "fraud_report"
    assert s["proxy_risk"]["level"] in ("none", "watch")
    assert s["next_step"] == "escalate_team"
    # the fraud report is registered with its own reference; it is not a complaint about collection
    assert s["matters"][0]["reference"].startswith("FZ") and s["complaint_registered"] is False
    assert "编号 FZ" in "\n".join(c.bot_lines)


def test_watch_listed_number_and_voiceprint_are_flagged(call):
    c = call("13900009999")
    c.say("你好，我是他表哥", voiceprint=DEMO_VOICEPRINT)
    found = signals(c.summary())
    assert found["watchlist_phone"].endswith("9999")
    assert "voiceprint_match" in found
