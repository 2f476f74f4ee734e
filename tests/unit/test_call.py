"""The call state's rules: keep what was said, ask only what is missing, never loop, tell only whom allowed."""

import itertools
from dataclasses import replace

import pytest

from bot.core.call import (
    MAX_ASKS,
    Call,
    Candidate,
    Matter,
    absorb,
    apply_identity,
    asking,
    may_disclose_account,
    needs_identity_check,
    next_question,
    next_step,
    pending_registrations,
    reported_role,
    wants_sms,
)
from bot.core.hearing import NLU, hear
from bot.core.vocabulary import CALLER_ROLES, LEVELS, PURPOSES, VERIFICATION


def run(call, text, asked=None, **nlu):
    return absorb(call, hear(text, NLU(**nlu), asked), asked)


def test_the_slot_round_trip_keeps_everything():
    call = Call(
        role="family",
        role_claims=(("family", "我是她妈妈"),),
        borrower_name="陈静",
        matters=(Matter("collection_complaint", "骚扰", "TS1"),),
        asked=(("caller_role", 1),),
        declined=("identity_code",),
        verification="knowledge",
    )
    assert Call.from_slot(call.to_slot()) == call
    assert Call.from_slot(None) == Call()


def test_a_question_is_asked_only_for_what_is_missing():
    call = run(Call(), "我是孙悦的妈妈，她失业了，想问问能不能分期")
    assert call.role == "family" and call.borrower_name == "孙悦" and call.hardship == "unemployment"
    assert call.purposes == ("repayment_plan",)
    assert next_question(call) is None  # nothing is missing for a relative: wrap up


def test_non_borrowers_are_never_asked_for_the_borrowers_id_digits():
    call = run(Call(), "我是她老公", asked="caller_role")
    call = run(call, "孙悦", asked="customer_name")
    assert next_question(call) == "purpose"


@pytest.mark.parametrize("question", ["caller_role", "customer_name", "identity_code", "purpose", "hardship"])
def test_no_question_is_asked_a_third_time(question):
    call = Call(
        role="borrower" if question != "caller_role" else None,
        borrower_name=None if question in ("caller_role", "customer_name") else "张伟",
        matters=()
        if question in ("caller_role", "customer_name", "identity_code", "purpose")
        else (Matter("repayment_plan"),),
    )
    for _ in range(5):
        q = next_question(call)
        call = asking(call, q)
        call = run(call, "嗯嗯", asked=q)
    assert call.times_asked(question) <= MAX_ASKS


def test_dont_know_moves_to_the_alternative():
    call = Call(role="borrower", borrower_name="张伟")
    call = asking(call, next_question(call))
    assert call.times_asked("identity_code") == 1
    call = run(call, "不记得了", asked="identity_code")
    assert next_question(call) == "loan_id"
    call = run(asking(call, "loan_id"), "也不知道", asked="loan_id")
    assert next_question(call) == "purpose"
    assert next_step(run(call, "我想分期")) == "callback_registered_phone"


def test_complaints_count_before_identity():
    call = run(Call(), "你们催收天天骚扰我家里人，我要投诉", purpose="collection_complaint")
    assert pending_registrations(call) == [0] and call.role is None


def test_two_matters_are_both_kept_and_digressions_do_not_overwrite_details():
    call = run(Call(), "催收骚扰我，我要投诉，还想申请分期")
    assert call.purposes == ("collection_complaint", "repayment_plan")
    detail = call.matters[0].detail
    call = run(call, "你是机器人吗", asked="case_detail", intent="bot_challenge")
    assert call.matters[0].detail == detail


def test_misses_count_every_turn_that_fills_nothing_low_confidence_included():
    call = run(Call(), "好的，我会把那个原件寄过来", asked="purpose")
    assert call.misses == 1
    call = absorb(call, hear("我想分期", NLU(), "purpose", low_confidence=True), "purpose")
    assert call.misses == 2


def test_identity_levels():
    call = Call(role="borrower", borrower_name="张伟", id_digits="3721")
    assert needs_identity_check(call)
    on_phone, outcome = apply_identity(call, [Candidate("C1", True)])
    assert outcome == "verified" and on_phone.identity_verified
    elsewhere, outcome = apply_identity(call, [Candidate("C1", False)])
    assert outcome == "knowledge" and not elsewhere.identity_verified
    assert wants_sms(elsewhere, "none") and not wants_sms(elsewhere, "level2")
    failed = call
    for _ in range(3):
        failed, outcome = apply_identity(failed, [])
        failed = run(failed, "3721", asked="identity_code")
    assert outcome == "failed" and failed.identity_failed and next_step(failed) == "human_review"


def test_a_role_flip_is_never_verified_and_hears_the_callback():
    call = run(Call(), "我是孙悦的法务，替她来协商", role="third_party")
    call = run(call, "其实我就是孙悦本人")
    assert call.flipped and call.role == "borrower"
    assert not needs_identity_check(run(call, "后四位4409", asked="identity_code"))
    assert next_step(call) == "callback_registered_phone"


# ---- who may hear account facts: every role × purpose × verification × risk level ----------------
SIGNAL_SETS = [(), ("watchlist_phone",), ("voiceprint_match",), ("gray_phrase",)]


@pytest.mark.parametrize(
    "role,purpose,verification,level,signals",
    list(itertools.product(CALLER_ROLES, PURPOSES, VERIFICATION, LEVELS, SIGNAL_SETS)),
)
def test_account_facts_only_in_the_allowed_cells(role, purpose, verification, level, signals):
    call = Call(
        role=None if role == "unknown" else role,
        verification=verification,
        customer_id="C1",
        matters=(Matter(purpose),),
    )
    allowed = (
        role == "borrower"
        and verification in ("registered_phone", "sms_code")
        and level in ("none", "watch")
        and not {"watchlist_phone", "voiceprint_match"} & set(signals)
    )
    assert may_disclose_account(call, level, signals) is allowed


def test_a_flipped_caller_never_hears_the_account_even_with_a_code():
    call = Call(role="borrower", verification="sms_code", flipped=True, customer_id="C1")
    assert not may_disclose_account(call, "none")


def test_next_steps():
    assert (
        next_step(Call(role="borrower", verification="registered_phone", matters=(Matter("repayment_plan"),)))
        == "handled"
    )
    assert (
        next_step(Call(role="borrower", verification="knowledge", matters=(Matter("repayment_plan"),)))
        == "callback_registered_phone"
    )
    assert next_step(Call(role="family", matters=(Matter("collection_complaint", reference="T"),))) == "handled"
    assert next_step(Call(role="family", matters=(Matter("repayment_plan"),))) == "callback_registered_phone"
    assert next_step(Call(role="family", matters=(Matter("fraud_report"),))) == "escalate_team"
    # a level2 call opens the anti-proxy team's case (contract §7): the team verifies with the borrower
    assert next_step(Call(role="third_party", matters=(Matter("fee_waiver"),)), "level2") == "escalate_team"
    assert next_step(Call(), "level1", "police_report_packet") == "police_report_packet"
    assert next_step(Call(role="borrower", ambiguous=True, matters=(Matter("account_inquiry"),))) == "human_review"


def test_a_registered_complaint_is_handled_whether_or_not_the_caller_was_verified():
    complaint = (Matter("collection_complaint", reference="TS1"),)
    refused = Call(role="borrower", borrower_name="林峰", declined=("identity_code", "loan_id"), matters=complaint)
    assert next_step(refused) == "handled"  # would not give the ID: the complaint still stands, no callback
    assert next_step(Call(role="borrower", verification="knowledge", matters=complaint)) == "handled"
    # two accounts match the name and digits: a person checks whose account the complaint is about
    assert next_step(Call(role="borrower", ambiguous=True, matters=complaint)) == "human_review"
    # a complaint and a plan: the plan still needs the borrower's callback
    both = Call(role="borrower", verification="knowledge", matters=complaint + (Matter("repayment_plan"),))
    assert next_step(both) == "callback_registered_phone"


def test_someone_wrongly_called_asking_for_their_number_to_be_removed_goes_to_a_person():
    call = run(Call(), "我根本不认识这个人，你们天天打我电话，把我的号码从紧急联系人里删掉")
    assert call.bystander and call.purposes == ("collection_complaint", "other")
    assert next_step(call) == "human_review"  # no borrower to call back about the stranger's number


def test_a_second_wrong_code_ends_the_code_attempt_as_human_review():
    from bot.core.call import apply_sms, asking

    call = asking(Call(role="borrower", verification="knowledge", sms="sent"), "sms_code")
    call, outcome = apply_sms(call, ok=False, exhausted=False)
    assert outcome == "wrong" and call.sms == "sent"  # asked once more
    call, outcome = apply_sms(asking(call, "sms_code"), ok=False, exhausted=False)
    assert outcome == "failed" and call.sms == "exhausted"  # never asked a third time: the attempt ends
    assert next_step(replace(call, matters=(Matter("account_inquiry"),))) == "human_review"


def test_an_agency_that_says_it_is_the_borrower_in_the_same_breath_is_a_flip():
    call = run(Call(), "你好，我们客户周杰这笔借款……就是我的借款，想问下现在还欠多少")
    assert call.flipped and not may_disclose_account(
        Call(role="borrower", verification="registered_phone", flipped=call.flipped)
    )


def test_agency_wording_makes_the_caller_a_third_party():
    assert run(Call(), "我们委托人孙悦的事，想谈一下停息挂账").role == "third_party"


def test_an_established_role_is_not_changed_by_the_nlus_guess_alone():
    call = absorb(Call(), hear("我是林峰的老婆", NLU()), None)
    call = absorb(call, hear("我们是想自己还的，就是被骗怕了", NLU(role="borrower")), None)
    assert call.role == "family" and not call.flipped
    call = absorb(call, hear("不对，其实我就是借款人本人", NLU(role="borrower")), None)
    assert call.role == "borrower" and call.flipped


def test_a_caller_who_names_themself_as_the_borrower_is_the_borrower():
    call = run(Call(), "喂，我是周杰")
    assert call.role is None  # a name alone says nothing of the role
    call = run(call, "周杰", asked="customer_name")
    assert call.role == "borrower" and call.borrower_name == "周杰"
    call = run(Call(), "王建国 就我", asked="customer_name")
    assert call.role == "borrower" and call.caller_name == call.borrower_name == "王建国"
    call = run(run(Call(), "我是他老婆，我叫李娜"), "张伟", asked="customer_name")
    assert call.role == "family" and call.borrower_name == "张伟"


def test_an_agency_behind_the_borrowers_name_is_reported_as_a_third_party():
    flipped = run(Call(), "你好，我们客户周杰这笔借款……就是我的借款，想问下现在还欠多少")
    assert flipped.role == "borrower" and reported_role(flipped) == "third_party"
    borrower = run(Call(), "我是张伟本人，想申请分期")
    assert reported_role(borrower) == "borrower"
    assert reported_role(borrower, ["voiceprint_match"]) == "third_party"
    assert reported_role(borrower, ["gray_phrase"]) == "borrower"  # borrowers say 停息挂账 too
    relative = run(Call(), "我是郑敏的表哥，她的事我来办")
    assert reported_role(relative, ["forged_document"]) == "third_party"
    victim = run(Call(), "我是借款人本人，我被一个债务优化公司骗了，交了四千八服务费")
    assert reported_role(victim, ["watchlist_phone"]) == "borrower"  # a victim keeps their role


def test_other_business_named_after_a_matter_is_kept_a_vague_other_is_not():
    call = run(Call(), "我是张伟本人，想问下这个月还多少")
    assert [m.purpose for m in run(call, "还有，我想把预留手机号改成现在这个").matters] == ["account_inquiry", "other"]
    assert [m.purpose for m in run(call, "嗯，就这样", purpose="other").matters] == ["account_inquiry"]


def test_an_agency_on_the_borrowers_own_phone_goes_to_human_review_not_a_callback():
    from dataclasses import replace as with_

    flipped = with_(run(Call(), "你好，我们客户周杰这笔借款……就是我的借款，想问下还欠多少"), phone_match=True)
    assert next_step(flipped, "watch", None, ["role_flip"]) == "human_review"
    elsewhere = with_(flipped, phone_match=False)  # the registered phone is still the borrower's
    assert next_step(elsewhere, "watch", None, ["role_flip"]) == "callback_registered_phone"
    # at level2 the team has the case (contract §7), on the borrower's phone or not
    assert next_step(flipped, "level2", "escalate_team", ["role_flip"]) == "escalate_team"


@pytest.mark.parametrize(
    "text",
    ["你们回电话也是打到我这，他的手机在我手上", "他现在还在重症监护室昏迷", "顺便把预留手机号改成我这个新号"],
)
def test_a_callback_that_would_check_nothing_goes_to_human_review(text):
    call = run(Call(), "我是张伟的哥哥，想给他申请分期")
    assert next_step(call) == "callback_registered_phone"
    call = run(call, text)
    assert next_step(call) == "human_review"
    assert next_step(run(call, "好的")) == "human_review"  # kept for the rest of the call


def test_a_borrower_changing_the_phone_with_knowledge_only_goes_to_human_review():
    call = Call(role="borrower", verification="knowledge", borrower_name="张伟", id_digits="3721")
    call = run(call, "想把预留手机号换成现在这个")
    assert next_step(call) == "human_review"


def test_a_complaint_from_someone_who_names_no_account_is_handled_once_registered():
    call = run(Call(), "我是借钱的那个，就是要投诉你们催收打我孩子学校", asked=None)
    call = run(call, "不方便说", asked="customer_name")
    assert call.role == "borrower" and not call.borrower_name
    assert next_step(call) == "handled"  # registered with its reference; nobody's phone to call back
    call = run(call, "还想问问能不能分期")
    assert next_step(call) == "human_review"


def test_other_business_named_first_stays_beside_the_next_matter():
    call = run(Call(), "想把预留手机号改成现在这个，顺便问下我还欠多少")
    assert call.purposes == ("other", "account_inquiry")
    call = run(Call(), "嗯那个，我想问问我还欠多少", purpose="other", purpose_confidence=0.9)
    assert call.purposes == ("account_inquiry",)  # the NLU's vague "other" gives way


def test_an_unsure_reading_is_corroborated_only_by_the_same_name_or_number():
    from bot.core.call import corroborated
    from bot.core.hearing import Heard

    unsure = Heard(text="我系本人啦，许娟", claims_borrower=True, role="borrower", caller_name="许娟")
    assert corroborated(unsure, Heard(text="许娟", bare_name="许娟"))
    assert not corroborated(unsure, Heard(text="王建国", bare_name="王建国"))
    assert not corroborated(unsure, Heard(text="许娟", bare_name="许娟", low_confidence=True))
    digits = Heard(text="四四零九", id_digits="4409")
    assert corroborated(digits, Heard(text="是4409", id_digits="4409"))
    assert not corroborated(digits, Heard(text="4410", id_digits="4410"))


def test_an_unsure_nlu_guess_adds_no_second_matter_but_words_do():
    from bot.core.call import absorb
    from bot.core.hearing import NLU, hear

    reported = Call(role="borrower", matters=(Matter("fraud_report", "交了四千八", "FZ1"),))
    unsure = hear("要不要报警？", NLU(intent="inform", purpose="collection_complaint", purpose_confidence=0.55))
    assert unsure.purpose_guess == 0.55
    assert absorb(reported, unsure, None).purposes == ("fraud_report",)
    sure = hear("要不要报警？", NLU(intent="inform", purpose="collection_complaint", purpose_confidence=0.95))
    assert absorb(reported, sure, None).purposes == ("fraud_report", "collection_complaint")
    words = hear("另外我还想申请分期", NLU(intent="inform", purpose="repayment_plan", purpose_confidence=0.3))
    assert words.purpose_guess is None
    assert absorb(reported, words, None).purposes == ("fraud_report", "repayment_plan")
    # the first matter of a call may be the NLU's guess alone
    assert absorb(Call(), unsure, None).purposes == ("collection_complaint",)


def test_a_role_heard_only_unsure_is_confirmed_once_after_two_asks():
    from bot.core.call import absorb, next_question
    from bot.core.hearing import Heard

    call = Call(asked=(("caller_role", 2),), unsure_role="borrower")
    assert next_question(call) == "role_confirm"
    yes = absorb(call, Heard(text="对", affirm=True), "role_confirm")
    assert yes.role == "borrower" and yes.unsure_role is None and yes.misses == 0
    no = absorb(call, Heard(text="不是", deny=True), "role_confirm")
    assert no.role is None and no.misses == 0
    # asked once only: a no (or anything) moves on to the next question, never a third role question
    asked = Call(asked=(("caller_role", 2), ("role_confirm", 1)), unsure_role="borrower")
    assert next_question(asked) == "customer_name"
    # while the role may still be asked, it is asked, not confirmed
    assert next_question(Call(asked=(("caller_role", 1),), unsure_role="borrower")) == "caller_role"


def test_a_name_heard_only_unsure_is_read_back_instead_of_the_human_or_a_third_ask():
    from bot.core.call import confirms_tentative, held_unsure, next_question, reads_back
    from bot.core.hearing import Heard

    borrower = Call(role="borrower", asked=(("caller_role", 1), ("customer_name", 1)), misses=1)
    unsure = hear("王建国", NLU(), "customer_name")
    held = held_unsure(replace(borrower, misses=2), unsure, "customer_name")
    assert held.unsure_name == "王建国" and next_question(held) == "name_confirm" and reads_back(held)
    assert confirms_tentative(held, Heard(text="对", affirm=True), "name_confirm")
    assert not confirms_tentative(held, Heard(text="不是", deny=True), "name_confirm")
    no = absorb(held, Heard(text="不是", deny=True), "name_confirm")
    assert no.unsure_name is None and no.misses == 0 and next_question(no) == "customer_name"
    # one miss only, and the name may still be asked: it is asked again, not read back
    once = held_unsure(borrower, unsure, "customer_name")
    assert next_question(once) == "customer_name"
    # read back once only
    asked = replace(held, asked=held.asked + (("name_confirm", 1),))
    assert next_question(asked) != "name_confirm" and not reads_back(asked)


def test_a_wrong_number_is_told_where_it_called_and_asked_nothing():
    call = run(Call(), "啊 我打错了吧", asked="caller_role")
    assert call.not_customer == "wrong_number" and call.ended and call.role is None
    assert next_question(call) is None and next_step(call) == "handled"
    # the lender's calls reaching the wrong person is a stranger with a complaint, not a wrong number
    stranger = run(Call(), "你们打错了，我不认识什么张伟，别再打了")
    assert stranger.not_customer is None and stranger.role == "third_party"


@pytest.mark.parametrize("text", ["我还没借过，想借", "你们这能借多少？利息多少？我想借个三万块钱周转一下"])
def test_one_who_wants_to_borrow_is_not_asked_for_a_borrower_or_an_id(text):
    call = run(Call(), text, asked="caller_role")
    assert call.not_customer == "prospect" and call.purposes == ("other",)
    assert next_question(call) is None and next_step(call) == "handled"
    # "没借过" with no wish to borrow is still someone's name on a loan they never took
    assert run(Call(), "我从来没在你们这借过钱，怎么有欠款").purposes == ("fraud_report",)


def test_an_account_after_all_takes_the_call_back_to_the_script():
    call = run(Call(), "我打错了吧", asked="caller_role")
    call = run(replace(call, ended=False), "哦不对，我是张伟的老婆，想问问他那笔分期")
    assert call.not_customer is None and call.role == "family" and next_question(call) is not None


def test_at_level1_one_who_spoke_of_the_borrower_in_the_third_person_is_a_third_party():
    call = replace(run(Call(), "我直说吧 林峰的账你们全免了 不然录音我们全发抖音"), level1=True)
    assert call.role is None and call.borrower_name == "林峰"
    assert reported_role(call) == "third_party"
    assert reported_role(replace(call, level1=False)) is None  # below level1 the role question asks


def test_at_level1_the_nlus_guess_registers_no_case_but_a_demand_in_words_is_noted():
    call = Call(role="third_party", level1=True, matters=(Matter("repayment_plan"),))
    threat = absorb(
        call, hear("你们要是继续催收，后果自负", NLU(purpose="collection_complaint", purpose_confidence=0.8)), None
    )
    assert threat.purposes == ("repayment_plan",)  # a threat guessed as a complaint registers nothing
    demand = absorb(call, hear("还有罚息全部给我免了", NLU()), None)
    assert demand.purposes == ("repayment_plan", "fee_waiver")


@pytest.mark.parametrize(
    "text",
    ["在吗 我快递三天了还没到 单号SF1234567890 帮我查下", "喂？是人民医院不？我要挂个王医生的号，心内科的"],
)
def test_one_who_thinks_they_reached_another_business_is_a_wrong_number(text):
    call = run(Call(), text)
    assert call.not_customer == "wrong_number" and call.ended
    assert call.purposes == ("other",)  # another business's matter (a plain "打错了" has none)
    assert call.loan_id is None  # the parcel's number is not taken for a loan number (no "对不上")
    assert next_question(call) is None and next_step(call) == "handled"
    # sending a parcel of papers to the lender is no wrong number
    assert run(Call(), "我的借款材料已经快递过去了，你们收到没有").not_customer is None


def test_a_stranger_asking_how_much_the_borrower_owes_is_told_nothing_and_needs_no_callback():
    call = run(Call(), "你们天天打我电话找林峰，我根本不认识这个人，我要投诉")
    call = run(call, "第一别打我电话了；第二他到底欠了多少啊", asked="purpose")
    assert call.bystander and "account_inquiry" in call.purposes
    # the complaint is registered and answered; nothing about the borrower to follow up for them
    assert next_step(call) == "handled"


def test_one_who_says_they_are_not_the_borrower_is_not_asked_their_role_again():
    call = run(Call(), "我不是借款人，我就是收到短信的人", asked="caller_role", role="borrower", role_confidence=0.95)
    assert call.role is None and not call.is_borrower
    assert next_question(call) != "caller_role"


def test_a_turn_heard_unsure_adds_nothing_to_the_case():
    call = replace(run(Call(), "我要举报，有人冒充你们公司让我转钱"), turns=1)
    assert call.matters and call.matters[0].case_kind
    before = call.matters[0].detail
    unsure = absorb(call, hear("是昨天下午打来的，一个男的", NLU(), None, low_confidence=True), None)
    assert unsure.matters[0].detail == before and not unsure.added_detail
    clear = run(call, "是昨天下午打来的，一个男的")
    assert "昨天下午" in clear.matters[0].detail and clear.added_detail


def test_an_agencys_threat_to_complain_is_no_complaint_but_a_consumers_is():
    agency = run(Call(), "我们是专业反催收服务团队，何静已经委托我们代理，不要再联系她本人")
    assert agency.role == "third_party"
    after = run(agency, "你们再打她电话我们就投诉你们骚扰")
    assert "collection_complaint" not in after.purposes and not pending_registrations(after)
    borrower = run(Call(role="borrower", borrower_name="何静"), "你们再打我电话我就投诉")
    assert borrower.purposes == ("collection_complaint",)


def test_a_complaint_said_as_its_own_sentence_before_a_fee_request_is_both():
    call = run(Call(), "你们半夜十二点给我打电话什么意思？这个我要投诉。还有罚息滚得也太狠了，能不能给我免了")
    assert call.purposes == ("collection_complaint", "fee_waiver")


def test_one_who_denied_being_the_borrower_is_not_made_the_borrower_by_the_name_on_a_message():
    call = run(Call(), "我收到短信说我逾期了，可是我从来没在你们这借过钱", asked="caller_role")
    call = run(call, "我不是借款人，我就是收到短信的人", asked="caller_role", role="borrower", role_confidence=0.9)
    call = run(call, "短信上写的就是我的名字李红", asked="customer_name")
    call = run(call, "那我要报警吗？")
    assert call.role is None and not call.is_borrower and call.borrower_name == "李红"
    assert next_question(call) not in ("identity_code", "caller_role")


def test_an_agent_on_a_known_agencys_line_or_voice_is_that_agency():
    lawyer = Call(role="authorized_agent", borrower_name="马超")
    assert reported_role(lawyer, ["watchlist_phone"]) == "third_party"
    assert reported_role(lawyer, ["voiceprint_match"]) == "third_party"
    assert reported_role(lawyer, ["gray_phrase"]) == "authorized_agent"  # words alone do not unmask them


def test_a_lawyer_not_yet_instructed_has_no_written_authorisation():
    heard = hear("我是律所的律师，黄丽女士来所里咨询过，目前还没有正式签委托，想先了解一下情况", NLU())
    assert heard.role == "third_party"
