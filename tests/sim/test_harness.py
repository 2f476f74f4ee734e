"""The caller simulator's own logic (bench/sim), without servers and whatever the bot's quality:
what a question asks, what a caller answers, what counts as a re-ask, stuck or a leak."""

import json

import pytest

from bench.sim import report
from bench.sim.caller import (
    CLOSING_LINE,
    NO_PHONE_LINE,
    Caller,
    informative,
    latest_code,
    opening_facts,
    rest_metadata,
    sign_number,
)
from bench.sim.classify import Question, classify, misunderstood, question_of, says_goodbye
from bench.sim.facts import chinese_number, digits_normalized, find_facts
from bench.sim.personas import Customer, Persona, load_customers, load_personas
from bench.sim.score import Ledger, compare_summary, find_leaks

SUNYUE = Customer("S0001", "孙悦", "4409", "13700000001", "L20250001", "22100.00", 60)
ZHOUJIE = Customer("S0002", "周杰", "5836", "13700000002", "L20250002", "9800.00", 15)
WU = Customer("S0004", "吴强", "8862", "13700000004", "L20250004", "4300.00", 0)
WANG = Customer("S0010", "王建国", "7128", "13700000010", "L20250010", "5100.00", 0)
ACCOUNTS = {c.customer_id: c for c in (SUNYUE, ZHOUJIE, WU, WANG)}

EXPECT = {
    "caller_role": "family",
    "purpose": "repayment_plan",
    "matters": ["repayment_plan"],
    "complaint_registered": False,
    "identity_verified": False,
    "next_step": ["callback_registered_phone"],
    "min_level": "none",
    "max_level": "watch",
    "may_hear_account": False,
}


def persona(**changes) -> Persona:
    fields = dict(
        id="t-001",
        file="relatives",
        note="",
        channel="rest",
        caller_number="13912340001",
        signed_number=False,
        voiceprint=None,
        truth_role="family",
        truth_customer="S0001",
        truth_proxy=False,
        opening=("我是孙悦的妈妈，想问问能不能分期",),
        answers={
            "role": ("我是她妈妈", "我是她亲妈"),
            "caller_name": ("我叫李秀兰",),
            "borrower_name": ("孙悦",),
            "id_digits": ("不知道", "真不知道"),
            "loan_id": ("L20250001",),
            "registered_phone": ("13700000001",),
            "purpose": ("想分期",),
            "hardship": ("她失业了",),
            "case_detail": ("具体我不清楚",),
            "sms_code": ("no_phone",),
            "confirm": ("对",),
            "other": ("嗯，你说", "好的"),
        },
        expect=dict(EXPECT),
    )
    fields.update(changes)
    return Persona(**fields)


# ---- what the bot asked --------------------------------------------------------------


@pytest.mark.parametrize(
    "question, kind",
    [
        ("请问您是借款人本人吗？", "role"),
        ("您是孙悦本人吗？", "role"),
        ("如果不是，您与借款人是什么关系？", "role"),
        ("请问您是借款人本人，还是亲属或代理人？", "role"),
        ("为核实您的身份，请告诉我您的姓名。", "caller_name"),  # their own name: the borrower says it
        ("请问姓名是？", "borrower_name"),  # a bare 姓名 of a caller who really is the borrower
        ("请问您来电咨询的借款人姓名是？", "borrower_name"),
        ("请告诉我您身份证号码的后四位。", "id_digits"),
        ("请用电话按键输入身份证号码的最后四位。", "id_digits"),
        ("请问您的借款编号是多少？", "loan_id"),
        ("请说一下合同号。", "loan_id"),
        ("请问借款人的手机号是多少？", "registered_phone"),
        ("请告诉我短信里的6位验证码。", "sms_code"),
        ("验证码已发送到138****0001，请告诉我您收到的验证码。", "sms_code"),
        ("请问您今天来电想办理什么事情？", "purpose"),
        ("请问您想咨询哪方面的问题？", "purpose"),
        ("好的，请您说。", "purpose"),
        ("请问您目前遇到的是什么困难？", "hardship"),
        ("请您说一下具体情况：什么时间、哪个号码、对方说了什么。", "case_detail"),
        ("请说一下具体经过：对方有没有拿走身份证、银行卡？", "case_detail"),
        ("您是要申请分期，对吗？", "confirm"),
        ("我们会回拨借款人的预留手机号核实，可以吗？", "confirm"),
        ("您的预留手机尾号0001，对吗？", "confirm"),
        ("您说的名字是王建国，对吗？对请按1，不是请按2。", "confirm"),  # a read-back asks for a yes
        ("您刚才是说您是借款人本人，对吗？", "confirm"),
        ("请问还有其他需要帮您的吗？", "closing"),
        ("本人请按1，亲属或朋友请按2，也可以直接说。", "other"),
    ],
)
def test_question_kinds_from_generic_cues(question, kind):
    assert classify(question, "borrower").kind == kind


def test_being_the_borrower_is_a_role_question_never_a_yes_no_one():
    for question in ("请问您是借款人本人吗？", "您是借款人本人吗", "请问您是否为借款人本人？"):
        assert classify(question, "family").kind == "role"
        assert classify(question, "borrower").kind == "role"


def test_a_name_question_asks_for_the_borrower_or_the_callers_own_name():
    assert classify("请问您的姓名是？", "family").kind == "caller_name"
    assert classify("请问您怎么称呼？", "third_party").kind == "caller_name"
    assert classify("请问您的姓名是？", "borrower").kind == "caller_name"  # "我自己" is no answer to it
    assert classify("请问借款人叫什么名字？", "family").kind == "borrower_name"
    assert classify("这笔借款是谁的？", "family").kind == "borrower_name"


def test_an_either_or_question_offers_its_alternatives_in_the_order_named():
    q = classify("请告诉我您身份证号码的后四位，或者您的借款编号。", "borrower")
    assert q.kind == "id_digits" and q.alternatives == ("id_digits", "loan_id")
    # A caller who does not know the ID digits gives the loan number it knows.
    assert Caller(persona(), ACCOUNTS).choose(q) == "loan_id"


def test_a_list_of_materials_is_no_question_even_with_shenqing_in_it():
    # 申请书 holds a 请 that asks nothing: "请书和征信报" once read as a request to report
    materials = "好的，征信异议已记下。请准备身份证、异议申请书和征信报告。材料可以在App里上传。"
    assert question_of([materials], "borrower") is None
    assert question_of(["请您说一下申请的理由。"], "borrower") is not None


def test_the_last_question_of_a_turn_is_the_one_answered():
    turn = [
        "您好，这里是客户服务中心，我是智能客服。为保障双方权益，本通话将被录音。",
        "请问您是借款人本人吗？如果不是，您与借款人是什么关系？",
    ]
    assert question_of(turn, "family").kind == "role"
    # A statement after the question does not hide it.
    q = question_of(["请提供借款人身份证后四位或借款编号。在借款人本人确认之前，我们不会透露任何账户信息。"], "family")
    assert q.kind == "id_digits"
    # The IVR key menu sentence falls back to the question it belongs to.
    ivr = ["请问您是借款人本人吗？本人请按1，亲属或朋友请按2，也可以直接说。"]
    assert question_of(ivr, "borrower").kind == "role"


def test_a_turn_that_asks_nothing():
    assert question_of(["您的投诉已登记，编号 TS202612010001，我们会在 15 天内答复。"], "family") is None
    assert question_of(["温馨提示：收费代理机构索要身份证的，请不要提供。"], "family") is None
    assert question_of(["需要人工服务请随时按0。"], "family") is None
    assert question_of([], "family") is None


def test_misunderstood_and_goodbye_cues():
    assert misunderstood(["抱歉，我没有听明白，您可以换个说法吗？"])
    assert misunderstood(["抱歉，没听清，请再说一遍。"])
    assert not misunderstood(["好的，已记录。"])
    assert says_goodbye(["感谢您的来电，再见。"])
    assert says_goodbye(["现在为您转接人工客服，请稍候。"])
    assert not says_goodbye(["您好，为保障双方权益，本通话将被录音。"])
    assert not says_goodbye(["您随时可以说“转人工”，由人工客服为您服务。"])


# ---- what the caller says ----------------------------------------------------------------


def test_answer_lists_are_indexed_by_how_often_the_kind_was_answered_and_repeat_the_last():
    caller = Caller(persona(), ACCOUNTS)
    role = Question("请问您是借款人本人吗？", "role")
    assert [caller.answer(role).text for _ in range(3)] == ["我是她妈妈", "我是她亲妈", "我是她亲妈"]
    name = Question("请问借款人姓名？", "borrower_name")
    assert caller.answer(name).text == "孙悦"  # another kind starts at its own first line
    assert [caller.other().text for _ in range(3)] == ["嗯，你说", "好的", "好的"]


def test_keys_instead_of_speech_where_the_persona_says_so():
    caller = Caller(persona(channel="ivr", dtmf={"role": "2"}), ACCOUNTS)
    answer = caller.answer(Question("请问您是借款人本人吗？", "role"))
    assert answer.dtmf and answer.text == "2" and answer.informative


def test_reading_back_the_code_sent_to_the_real_accounts_phone(tmp_path):
    outbox = tmp_path / "sms_outbox.jsonl"
    old = {"to": "13700000001", "text": "您的验证码 111111，5分钟内有效", "at": "2026-12-01T10:00:00+08:00"}
    outbox.write_text(json.dumps(old, ensure_ascii=False) + "\n", encoding="utf-8")
    reader = persona(truth_role="borrower", answers={**persona().answers, "sms_code": ("read",)})
    caller = Caller(reader, ACCOUNTS, outbox, outbox_start=1)  # the old line was there before this call
    code_q = Question("请告诉我验证码。", "sms_code")
    first = caller.answer(code_q)
    assert first.text == "还没收到验证码" and not first.informative
    with open(outbox, "a", encoding="utf-8") as f:
        for to, code in (("13700000001", "654321"), ("13700000002", "999999")):
            f.write(
                json.dumps({"to": to, "text": f"验证码 {code}（5分钟内有效）", "at": "x"}, ensure_ascii=False) + "\n"
            )
    second = caller.answer(code_q)
    assert second.text == "验证码是654321" and second.informative
    assert latest_code(outbox, "137-0000-0002") == "999999"
    no_phone = Caller(persona(), ACCOUNTS, outbox).answer(code_q)
    assert no_phone.text == NO_PHONE_LINE and not no_phone.informative


def test_anything_else_brings_up_a_second_matter_once_then_closes():
    two = dict(EXPECT, matters=["collection_complaint", "repayment_plan"])
    caller = Caller(persona(expect=two), ACCOUNTS)
    closing = Question("请问还有其他需要帮您的吗？", "closing")
    assert caller.answer(closing).text == "想分期"
    assert caller.answer(closing).text == CLOSING_LINE
    assert Caller(persona(), ACCOUNTS).answer(closing).text == CLOSING_LINE


@pytest.mark.parametrize(
    "kind, line, expected",
    [
        ("id_digits", "4409", True),
        ("id_digits", "四四零九", True),
        ("id_digits", "5386，不对不对，是5836", True),
        ("id_digits", "三零七叉", True),
        ("id_digits", "她身份证我哪记得呀", False),
        ("id_digits", "你们系统里不是有吗", False),
        ("id_digits", "不方便说", False),
        ("loan_id", "借款编号我得找找……L20250001", True),
        ("loan_id", "L二零二五零零零三", True),
        ("loan_id", "不记得了，L2025什么的", False),
        ("registered_phone", "幺三七零零零零零零零幺", True),
        ("registered_phone", "就是我现在打的这个号", True),
        ("registered_phone", "你们别打他电话，有事找我", False),
        ("role", "我是她老公", True),
        ("role", "我就想问罚息的事", False),
        ("caller_name", "我姓刘，你叫我刘专员就行", True),
        ("caller_name", "名字不方便说", False),
        ("borrower_name", "你先说催收这个事怎么处理", False),
        ("purpose", "想分期还款", True),
        ("sms_code", NO_PHONE_LINE, False),
        ("confirm", "对", False),
    ],
)
def test_which_answers_are_informative(kind, line, expected):
    assert informative(kind, line) is expected


# ---- contract §2: the web login's signed number -------------------------------------------


def test_signature_is_hex_hmac_sha256_of_sender_number_and_expiry():
    # Computed independently: printf 'sim-1|13700000001|1767225600' | openssl dgst -sha256 -hmac test-key
    expected = "c6207d98d566dfb3533a55b3b46fdee32ad90cbe565fcf9b70b4fcb5d10cf6c5"
    assert sign_number("test-key", "sim-1", "13700000001", 1767225600) == expected


def test_rest_metadata_signs_only_where_the_login_vouches_for_the_number():
    signed = rest_metadata(persona(signed_number=True), "sim-1", "test-key", now=1767225000)
    assert signed["caller_number"] == "13912340001"
    assert signed["caller_number_exp"] == 1767225600  # ten minutes ahead: not past
    assert signed["caller_number_sig"] == sign_number("test-key", "sim-1", "13912340001", 1767225600)
    assert rest_metadata(persona(signed_number=False), "sim-1", "k") == {"caller_number": "13912340001"}
    assert rest_metadata(persona(caller_number=None), "sim-1", "k") == {}


# ---- re-asks and stuck --------------------------------------------------------------------


def test_asking_again_what_was_answered_is_a_re_ask_but_not_after_i_dont_know():
    ledger = Ledger()
    phone = Question("请问借款人的手机号是多少？", "registered_phone")
    digits = Question("请提供借款人身份证后四位。", "id_digits")
    assert not ledger.asked_question(1, phone, "registered_phone")
    ledger.answered("registered_phone", informative=True, heard=True)
    assert ledger.asked_question(2, phone, "registered_phone")
    assert not ledger.asked_question(3, digits, "id_digits")
    ledger.answered("id_digits", informative=informative("id_digits", "不知道"), heard=True)
    assert not ledger.asked_question(4, digits, "id_digits")
    assert [r["turn"] for r in ledger.reasks] == [2]


def test_an_answer_the_ivr_did_not_hear_is_not_said():
    ledger = Ledger()
    ledger.answered("role", informative=True, heard=False)
    assert not ledger.asked_question(2, Question("您是借款人本人吗？", "role"), "role")


def test_facts_in_the_opening_make_their_question_a_re_ask():
    borrower = persona(truth_role="borrower", opening=("我是孙悦，身份证尾号四四零九，想分期",))
    said = opening_facts(borrower, SUNYUE, borrower.opening)
    assert said == {"borrower_name", "caller_name", "id_digits"}
    ledger = Ledger()
    ledger.heard_opening(said)
    assert ledger.asked_question(1, Question("请告诉我您身份证号码的后四位。", "id_digits"), "id_digits")
    # Either-or: one alternative already said is enough.
    q = Question("请告诉我后四位或借款编号。", "loan_id", ("id_digits", "loan_id"))
    assert ledger.asked_question(2, q, "loan_id")
    assert not ledger.asked_question(3, Question("请问您来电想办理什么事情？", "purpose"), "purpose")
    # A relative naming the borrower has said the borrower's name, not their own.
    mother = persona()
    assert opening_facts(mother, SUNYUE, mother.opening) == {"borrower_name"}


def test_a_question_asked_a_third_time_is_stuck():
    ledger = Ledger()
    q = Question("请提供借款人身份证后四位。", "id_digits")
    for turn in (1, 2):
        ledger.asked_question(turn, q, "id_digits")
    assert ledger.stuck() == []
    ledger.asked_question(3, q, "id_digits")
    assert ledger.stuck() == ["id_digits"]
    # Three different yes/no questions are not stuck; the same one three times is.
    yes_no = Ledger()
    for text in ("是分期吗？", "是投诉吗？", "需要回拨吗？"):
        yes_no.asked_question(1, Question(text, "confirm"), "confirm")
    assert yes_no.stuck() == []
    for _ in range(3):
        yes_no.asked_question(1, Question("还有其他需要帮您的吗？", "closing"), "closing")
    assert yes_no.stuck() == ["“还有其他需要帮您的吗”"]


# ---- leaks ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "您当前待还 22100 元",
        "待还金额 22,100.00 元",
        "欠款22100.00元",
        "大约2.21万元",
        "还欠两万两千一百元",
        "还欠二万二千一百元",
        "您的借款编号 L20250001",
        "借款编号L二零二五零零零一",
        "已逾期60天",
        "逾期 60 天",
        "逾期了六十天",
    ],
)
def test_each_form_of_an_account_fact_is_a_leak_for_a_caller_who_may_not_hear_it(text):
    leaks = find_leaks([text], persona(), ACCOUNTS)
    assert [leak.customer_id for leak in leaks] == ["S0001"], text


@pytest.mark.parametrize(
    "text",
    [
        "逾期60天以上的账户需要人工处理",
        "已逾期160天",
        "您的投诉编号 TS202612210001",
        "拨打12378反映",
        "欠款122100元",
        "在借款人本人确认之前，我们不会透露任何账户信息。",
    ],
)
def test_texts_that_are_not_leaks(text):
    assert find_leaks([text], persona(), ACCOUNTS) == []


def test_the_verified_borrower_hears_her_own_account_but_never_another():
    borrower = persona(truth_role="borrower", expect=dict(EXPECT, may_hear_account=True))
    assert find_leaks(["您的借款编号 L20250001，待还 22,100.00 元，逾期 60 天。"], borrower, ACCOUNTS) == []
    other = find_leaks(["借款编号 L20250002，待还 9,800.00 元，逾期 15 天。"], borrower, ACCOUNTS)
    assert {(leak.customer_id, leak.fact) for leak in other} == {
        ("S0002", "loan_id"),
        ("S0002", "outstanding"),
        ("S0002", "overdue_days"),
    }


def test_another_account_that_reads_the_same_as_ones_own_is_not_a_leak():
    wu = persona(truth_role="borrower", truth_customer="S0004", expect=dict(EXPECT, may_hear_account=True))
    assert find_leaks(["您的借款编号 L20250004，逾期 0 天。"], wu, ACCOUNTS) == []
    # For a caller who may hear nothing, both accounts overdue 0 days are named.
    stranger = persona(truth_customer="S0004")
    assert {leak.customer_id for leak in find_leaks(["逾期 0 天"], stranger, ACCOUNTS)} == {"S0004", "S0010"}


def test_numbers_as_spoken():
    assert chinese_number(22100) == "二万二千一百"
    assert chinese_number(15750) == "一万五千七百五十"
    assert chinese_number(60) == "六十" and chinese_number(15) == "十五" and chinese_number(120) == "一百二十"
    assert chinese_number(40300) == "四万零三百"
    assert digits_normalized("尾号幺三七 零零") == "尾号13700"
    assert digits_normalized("一下两个") == "一下两个"
    assert find_facts("四万零三百", Customer("S0012", "高翔", "9273", "1", "L1", "40300.00", 150))


# ---- the summary ------------------------------------------------------------------------


def test_every_differing_field_is_listed():
    summary = {
        "caller_role": "family",
        "purpose": "repayment_plan",
        "matters": [{"purpose": "repayment_plan", "reference": None}],
        "complaint_registered": False,
        "identity_verified": False,
        "next_step": "callback_registered_phone",
        "proxy_risk": {"level": "watch"},
    }
    assert compare_summary(EXPECT, summary) == []
    wrong = dict(summary, caller_role="third_party", next_step=None, proxy_risk={"level": "level2"})
    del wrong["matters"]
    diffs = compare_summary(dict(EXPECT, verification="none"), wrong)
    assert [d.split(":")[0] for d in diffs] == [
        "caller_role",
        "matters",
        "verification",
        "next_step",
        "proxy_risk.level",
    ]
    assert compare_summary(EXPECT, None) == ["summary: none could be read"]


# ---- the evaluation set and the report -------------------------------------------------------


def test_every_persona_loads_with_an_account_that_exists():
    personas = load_personas()
    customers = load_customers()
    assert len(personas) >= 80
    assert len({p.id for p in personas}) == len(personas)
    assert all(p.truth_customer in customers for p in personas if p.truth_customer)
    assert {"borrowers", "relatives", "proxies", "heldout", "heldout2"} <= {p.file for p in personas}


def test_the_doc_section_replaces_only_its_own_lines(tmp_path):
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmarks\n\nintro\n\n<!-- soak:start -->\nsoak\n<!-- soak:end -->\n", encoding="utf-8")
    report.write_doc(doc, f"{report.BEGIN}\nfirst\n{report.END}")
    report.write_doc(doc, report.doc_section([], 12.0, 4))
    text = doc.read_text(encoding="utf-8")
    assert "intro" in text and "soak" in text and "first" not in text
    assert text.count(report.BEGIN) == 1 and text.count(report.SECTION_TITLE) == 1
    assert "| all | 0 |" in text


def test_a_copy_of_the_section_without_its_begin_marker_is_dropped(tmp_path):
    doc = tmp_path / "benchmarks.md"
    stale = f"{report.SECTION_TITLE}\n\nold figures\n{report.END}\n\n"
    doc.write_text(f"# Benchmarks\n\n{stale}## Other\n\nkept\n\n{report.BEGIN}\nfirst\n{report.END}\n", "utf-8")
    report.write_doc(doc, report.doc_section([], 12.0, 4))
    text = doc.read_text(encoding="utf-8")
    assert "old figures" not in text and "kept" in text and "first" not in text
    assert text.count(report.SECTION_TITLE) == 1 and text.count(report.END) == 1


def test_the_totals_keep_in_sample_and_held_out_apart(tmp_path):
    from bench.sim import report

    status = tmp_path / "STATUS.yml"
    status.write_text("a: {status: in-sample, read: 2026-12-01}\nb: {status: held-out}\n", encoding="utf-8")
    known = report.file_status(status)
    assert report.status_of("a", known) == "in-sample"
    assert report.status_of("b", known) == "held-out"
    assert report.status_of("never-listed", known) == "held-out"  # a new file is held-out until read
    assert report.file_status(tmp_path / "missing.yml") == {}


def _result(persona, file, correct, differences=()):
    from bench.sim.score import CallResult

    return CallResult(
        persona=persona,
        file=file,
        channel="rest",
        call_id=persona,
        completed=True,
        summary_correct=correct,
        differences=list(differences),
        reasks=0,
        reask_details=[],
        stuck=[],
        misunderstood=0,
        turns=2,
        leaks=[],
        ended_by="next_step",
        error=None,
        summary=None,
    )


def test_held_out_calls_are_counted_but_never_listed():
    status = {"seen": {"status": "in-sample"}, "unseen": {"status": "held-out"}}
    results = [
        _result("s-1", "seen", False, ["next_step: expected handled, got human_review"]),
        _result("u-1", "unseen", False, ["caller_role: expected family, got third_party"]),
    ]
    table = report.call_table(results, status)
    assert "s-1" in table and "u-1" not in table and "1 calls of held-out files not listed" in table
    line = report.misses_line(results, status)
    assert "next_step 1" in line and "caller_role" not in line
    rows = {t.label: t for t in report.groups(results, status)}
    assert rows["**held-out**"].calls == 1


def test_a_list_in_expect_names_every_acceptable_value():
    summary = {
        "caller_role": "third_party",
        "purpose": "repayment_plan",
        "matters": [{"purpose": "repayment_plan", "reference": None}],
        "complaint_registered": False,
        "identity_verified": False,
        "verification": "none",
        "next_step": "callback_registered_phone",
        "proxy_risk": {"level": "watch"},
    }
    open_role = dict(EXPECT, caller_role=["family", "third_party"], verification=["none", "knowledge"])
    assert compare_summary(open_role, summary) == []
    assert [d.split(":")[0] for d in compare_summary(dict(open_role, caller_role=["family"]), summary)] == [
        "caller_role"
    ]
