"""Reading one caller turn for everything it says, whichever question was asked."""

import pytest

from bot.core.call import Call, absorb
from bot.core.hearing import NLU, hear


def said(text, asked=None, **nlu):
    return hear(text, NLU(**nlu), asked)


@pytest.mark.parametrize(
    "text,subject,role",
    [
        ("我是陈静的妈妈", "陈静", "family"),
        ("你好，我是刘洋的老婆，想问点事", "刘洋", "family"),
        ("我爸叫张伟，他最近住院了", "张伟", "family"),
        ("我老公是周杰", "周杰", "family"),
        ("客户叫周杰", "周杰", None),
        ("借款人是黄丽", "黄丽", None),
        ("受张伟委托来问一下", "张伟", None),
        ("我想问一下马超的案子", "马超", None),
        ("我帮王芳问问还款的事", "王芳", None),
    ],
)
def test_the_borrower_named_in_all_the_ways_people_say_it(text, subject, role):
    heard = said(text)
    assert heard.subject_name == subject
    assert heard.role == role


def test_a_borrower_giving_everything_at_once():
    heard = said("我是张伟，身份证后四位3721，想分期")
    assert (heard.caller_name, heard.id_digits, heard.purposes) == ("张伟", "3721", ("repayment_plan",))


@pytest.mark.parametrize(
    "text,digits",
    [
        ("后四位是3721", "3721"),
        ("身份证最后四个是三七二一", "3721"),
        ("尾号幺零八叉", "108X"),
        ("尾号 108x", "108X"),
        ("四四 零九", "4409"),
        ("身份证号110101199001013721", "3721"),
    ],
)
def test_id_digits_in_arabic_and_chinese_numerals(text, digits):
    assert said(text, asked="identity_code").id_digits == digits


def test_id_digits_are_heard_at_any_question_when_the_caller_says_what_they_are():
    heard = said("身份证尾号4409，我叫李娜", asked="caller_role")
    assert heard.id_digits == "4409" and heard.caller_name == "李娜"


def test_an_amount_is_not_taken_for_id_digits():
    assert said("我欠了4000块", asked="purpose").id_digits is None


def test_a_correction_gives_the_new_digits():
    heard = said("不对不对，是四四零九", asked="identity_code")
    assert heard.id_digits == "4409" and heard.correction


def test_digits_said_at_the_code_question_are_never_read_as_a_name():
    heard = said("身份证最后四个是三七二一", asked="identity_code")
    assert heard.caller_name is None and heard.bare_name is None and heard.subject_name is None


@pytest.mark.parametrize(
    "text",
    ["他本人在住院", "这是他本人同意的", "我替他本人问一下", "麻烦你们跟孙悦本人确认一下也行，她还欠多少"],
)
def test_benren_about_a_third_person_is_never_the_callers_role(text):
    heard = said(text, role="borrower")
    assert heard.role != "borrower" and not heard.claims_borrower


@pytest.mark.parametrize("text", ["我是本人", "本人", "是的，本人", "我就是孙悦本人", "我是借款人孙悦本人"])
def test_the_caller_claiming_to_be_the_borrower(text):
    assert said(text, asked="caller_role").claims_borrower


def test_benren_with_the_name_keeps_the_name():
    heard = said("我就是孙悦本人")
    assert heard.caller_name == "孙悦"


def test_loan_numbers_with_or_without_letters():
    assert said("借款编号L20250001").loan_id == "L20250001"
    assert said("编号是二零二五零零零一", asked="loan_id").loan_digits == "20250001"


def test_several_matters_in_one_sentence_in_the_order_said():
    heard = said("催收天天打电话骚扰我家人，我要投诉，另外想申请分期", purpose="collection_complaint")
    assert heard.purposes == ("collection_complaint", "repayment_plan")


def test_a_complaint_about_a_credit_record_is_a_credit_dispute_not_a_collection_complaint():
    assert said("我要投诉你们乱上征信").purposes == ("credit_dispute",)


def test_dont_know_and_refusals():
    assert said("这个我不知道", asked="identity_code").dont_know
    assert said("不方便说", asked="identity_code").refuses
    assert not said("后四位3721，别的不知道", asked="identity_code").dont_know


def test_the_sms_code_read_back_or_keyed():
    assert said("验证码是幺二三 四五六", asked="sms_code").sms_code == "123456"
    assert said("654321", asked="sms_code").sms_code == "654321"
    assert said("我没有那个手机", asked="sms_code").no_phone


def test_oral_authorisation_is_not_written_authorisation():
    heard = said("他口头授权的，没有委托书", role="authorized_agent")
    assert heard.role == "third_party"


def test_a_name_said_alone_at_the_name_question():
    assert said("孙悦", asked="customer_name").bare_name == "孙悦"
    assert said("王建国啊", asked="customer_name").bare_name == "王建国"
    assert said("没有了", asked="customer_name").bare_name is None
    assert said("王芳女士", asked="customer_name").bare_name == "王芳"


def test_a_long_answer_at_the_name_question_is_no_name():
    heard = said("我在网上看到按照《商业银行信用卡业务监督管理办法》第七十条可以申请个性化分期", asked="customer_name")
    assert heard.bare_name is None and heard.caller_name is None  # not 商业银


def test_a_low_confidence_turn_carries_nothing():
    heard = hear("我是张伟", NLU(role="borrower"), "caller_role", low_confidence=True)
    assert heard.low_confidence and not heard.gave_anything


def test_a_digression_with_content_is_not_only_a_digression():
    heard = said("你好，我是孙悦的老公", intent="greet")
    assert heard.digression is None and heard.role == "family"
    assert said("你是机器人吗", intent="bot_challenge").digression == "bot_challenge"


def test_a_correction_in_the_same_breath_keeps_the_last_number():
    assert said("5386，不对不对，是5836", asked="identity_code").id_digits == "5836"


def test_a_fraud_report_quoting_the_agencys_offers_is_one_matter():
    heard = said("我被骗了，那个债务优化公司收了我三千，说能帮我停息挂账、修复征信", purpose="repayment_plan")
    assert heard.purposes == ("fraud_report",)


def test_the_words_name_the_matter_over_the_nlus_guess():
    heard = said("这单你们别催了，该免的全部给他免掉", purpose="collection_complaint")
    assert heard.purposes == ("fee_waiver",)


@pytest.mark.parametrize(
    "text,first",
    [
        (
            "你们催收说要去我们村里贴大字报，还给我们村委会打电话，这合法吗？另外罚息我也想问能不能减",
            "collection_complaint",
        ),
        ("能不能别往我外婆家打电话了，还有我妈那个钱能不能分期", "collection_complaint"),
        ("你们别到村里闹，还有她到底欠你们多少钱", "collection_complaint"),
        ("先投诉催收，再说罚息减免的事", "collection_complaint"),
        ("我老公找了个债务优化公司，收了三千八服务费，现在人联系不上了", "fraud_report"),
    ],
)
def test_a_complaint_or_fraud_report_is_heard_without_its_keyword_and_beside_a_second_matter(text, first):
    heard = said(text)
    assert heard.purposes[0] == first
    assert len(heard.purposes) >= 1


def test_only_the_word_complaint_about_fees_is_the_fee_matter_not_a_collection_complaint():
    assert said("我要投诉你们利息太高，想减免罚息").purposes == ("fee_waiver",)


@pytest.mark.parametrize(
    "text,role",
    [
        ("我是孙悦的法务，她想申请停息挂账", "third_party"),
        ("我是他请的维权顾问", "third_party"),
        ("我是她的代理律师", "authorized_agent"),
        ("我是高翔的爸爸，也是他的监护人，法院判的", "authorized_agent"),
        ("我这个号码是新办的，你们天天打过来找一个叫许娟的，我根本不认识她", "third_party"),
    ],
)
def test_titles_and_wrongly_called_strangers_give_the_role(text, role):
    assert said(text).role == role


def test_a_relation_followed_by_the_name_names_the_borrower():
    heard = said("我老公林峰之前找了个公司")
    assert (heard.subject_name, heard.role) == ("林峰", "family")


def test_a_self_declared_borrower_speaking_of_the_client_speaks_as_an_agency():
    heard = said("马超，就是我本人。我们的诉求是本金分六十期，委托人……我本人现在确实困难")
    assert heard.claims_borrower and heard.speaks_as_agency


def test_how_would_i_know_is_a_dont_know():
    assert said("我怎么可能知道", asked="identity_code").dont_know


@pytest.mark.parametrize(
    "text,purposes",
    [
        ("罚息减免，然后剩下的能不能分几期", ("fee_waiver", "repayment_plan")),
        ("我们这边要求全额免息，本金分六十期", ("fee_waiver", "repayment_plan")),
        ("我是不是被骗了？我还想自己跟你们谈谈怎么分期还", ("fraud_report", "repayment_plan")),
        # the agency's offer, quoted by its victim, is not a matter of the caller's own
        ("他们说能帮我跟你们谈停息挂账，结果先收了我三千八的服务费，现在电话都打不通了", ("fraud_report",)),
    ],
)
def test_a_plan_in_other_words_and_a_victims_own_request_beside_the_quoted_offer(text, purposes):
    assert said(text).purposes == purposes


def test_id_digits_said_in_pieces_at_the_id_question():
    assert said("三零七，最后一位是叉", asked="identity_code").id_digits == "307X"


@pytest.mark.parametrize("text", ["我马上还", "能不能把我征信上的逾期给删了"])
def test_speaking_of_ones_own_debt_claims_the_borrower(text):
    assert said(text, asked="caller_role").claims_borrower


def test_repaying_someone_else_is_not_a_borrower_claim():
    assert not said("我妈让我帮她还，我马上还她").claims_borrower


@pytest.mark.parametrize("text", ["喂，是那个贷款公司吗", "你们是哪个公司的", "你是谁啊"])
def test_asking_who_is_on_the_line_is_answered_not_a_miss(text):
    assert said(text).digression == "who_are_you"


def test_the_borrower_named_before_an_agency_title():
    heard = said("喂你好，我是高翔的协商专员")
    assert (heard.subject_name, heard.role) == ("高翔", "third_party")


def test_a_common_word_after_a_relation_is_not_taken_for_a_name():
    heard = said("去年我老公查出来尿毒症，一直在透析")
    assert heard.subject_name is None and heard.role is None


def test_the_one_who_hired_an_agency_is_not_the_agency():
    heard = said("我之前找了个什么法务公司，说帮我停息挂账，收了我两千", role="third_party")
    assert heard.role is None
    assert heard.purposes == ("fraud_report",)


@pytest.mark.parametrize(
    "text,subject",
    [
        ("你好，我们家准备买房，银行说我老婆郑敏征信上有你们这的逾期", "郑敏"),
        ("我们是安心法务的协商专员，孙悦的账户现在由我们全权处理", "孙悦"),
        ("我们是诚信协商中心的，代周杰反映一下", "周杰"),
        ("你好，我是孙悦女士的法务", "孙悦"),
        ("我朋友孙悦手机丢了，号码也补不回来了", "孙悦"),
        ("我这边有几个你们的客户，黄丽、孙悦、周杰，都住院了", "黄丽"),
        ("林峰让我帮他处理一下他的欠款", "林峰"),
        ("这里是上岸咨询，许娟是我们的会员", "许娟"),
        ("受黄丽女士书面委托，就她的逾期记录提出异议", "黄丽"),
        ("你们的催收一直打我们公司前台找马超，还跟同事说他欠钱", "马超"),
    ],
)
def test_more_ways_people_name_the_borrower(text, subject):
    heard = said(text)
    assert heard.subject_name == subject
    assert heard.caller_name != subject


def test_a_name_said_after_i_is_the_callers_own():
    assert said("你好，我马超，欠你们六万多那个，我想申请延期").caller_name == "马超"


def test_sending_the_lender_to_ones_hired_agency_is_no_complaint_but_harassment_is():
    text = "我已经委托法务了，以后有什么事你们跟我的法务联系，他们会跟你们谈停息挂账，别再打我电话了"
    assert "collection_complaint" not in said(text).purposes
    assert "collection_complaint" in said("你们天天打电话骚扰我，有事找我的律师").purposes


@pytest.mark.parametrize(
    "text,role",
    [
        ("你好，我妹妹许娟在国外读书，她委托我办她征信异议的事。委托书她签好字寄回来了", "authorized_agent"),
        ("我是许娟的女儿，她写了委托书签了字让我来办", "authorized_agent"),
        ("我是她妈妈，没有委托书", "family"),  # 没有委托书 is no claim of one
        ("我是她老公，委托书还没写", "family"),
        ("我是他的代理人，没有授权书", "third_party"),
    ],
)
def test_a_relative_with_written_authorisation_is_an_agent_one_without_is_not(text, role):
    assert said(text).role == role


def test_saying_one_is_not_the_borrower_changes_an_established_role():
    from bot.core.call import Call, absorb

    claimed = Call(role="borrower", borrower_name="高翔", caller_name="高翔")
    text = "跟你说实话吧，我不是高翔本人，我是他委托的债务规划师"
    heard = said(text, "identity_code", role="third_party", role_confidence=0.77)
    assert heard.role == "third_party" and heard.role_from_words
    assert absorb(claimed, heard, "identity_code").role == "third_party"
    # a question is no denial, and the NLU's guess alone does not change the role
    assert not said("我不是借款人本人吗？", role="third_party", role_confidence=0.6).role_from_words
    assert absorb(claimed, said("嗯", role="third_party", role_confidence=0.6), None).role == "borrower"


@pytest.mark.parametrize(
    "text,asked",
    [
        ("同事 就一般同事 不是朋友", "caller_role"),
        ("喂 我跟高翔就是普通同事 不熟 他借钱把我填成紧急联系人了", None),
        ("我以前同她一个公司的，早就没联系了", "caller_role"),
    ],
)
def test_an_acquaintance_said_without_wo_shi_is_a_third_party(text, asked):
    assert said(text, asked).role == "third_party"
    assert said("我和他是同事，也算朋友吧", "caller_role").role != "third_party"


def test_everyday_words_that_start_with_a_surname_are_no_names():
    for text in ("我马上还", "我马上就还", "马上还", "我全部还清"):
        heard = said(text, "customer_name")
        assert heard.caller_name is None and heard.bare_name is None
    assert said("我是马超", "customer_name").caller_name == "马超"
    assert said("马超", "customer_name").bare_name == "马超"


def test_a_zero_said_as_a_word_before_the_four_digits_is_not_one_of_them():
    assert said("四五六 前面还有个零 零四五六", "identity_code").id_digits == "0456"
    assert said("四四 零九", "identity_code").id_digits == "4409"


def test_a_name_after_benren_and_a_particle_is_the_callers_own():
    for text, name in (("我系本人啦，许娟", "许娟"), ("是本人呀，王建国", "王建国"), ("本人，高翔", "高翔")):
        heard = said(text, "caller_role")
        assert heard.claims_borrower and heard.caller_name == name
    assert said("本人啊", "caller_role").caller_name is None


def test_an_employer_reached_by_the_calls_is_a_bystander_not_an_agency():
    heard = said("我是一家科技公司人事部的，你们的催收一直打我们公司前台找马超")
    assert heard.role == "third_party" and heard.bystander and not heard.speaks_as_agency
    assert said("我们公司专门做债务协商，客户叫马超").speaks_as_agency


@pytest.mark.parametrize(
    "text,purposes",
    [
        ("刚才有人说是你们公司的，让我把钱转到一个个人账户，说能给我减免一半", ("fraud_report",)),
        ("上个月我明明提前还了，还多扣了我一百多利息，这个得退给我", ("fee_waiver",)),
        ("请你们先把他的欠款明细、罚息怎么算的发给我，我核对之后再谈减免", ("account_inquiry", "fee_waiver")),
        ("我要举报一个冒充你们的电话", ("fraud_report",)),
    ],
)
def test_fraud_fees_and_statements_in_other_words(text, purposes):
    assert said(text).purposes == purposes


def test_reporting_to_the_regulator_is_not_a_fraud_report():
    assert "fraud_report" not in said("你们再这样我就向监管举报").purposes


def test_an_agency_keeping_the_lender_from_the_borrower_is_not_a_complaint():
    text = "以后她所有的事都找我。请你们不要再联系何静本人，也不要打她家人和单位的电话。她想延期三个月再还"
    assert said(text).purposes == ("repayment_plan",)


@pytest.mark.parametrize(
    "text,role",
    [
        ("俺是借钱的，你们那个催收的说要去俺村里贴告示", "borrower"),
        ("我系借款人，屋企好穷，可唔可以分期", "borrower"),
        ("我是借款人家属，他人上个月走了", "family"),
        ("借款人是我丈夫，他说根本没借过这笔", "family"),
        ("她是我闺女，住院了，她本人现在没法跟你们沟通", "family"),
        ("本人是王女士的委托律师，代她申请个性化分期", "authorized_agent"),
        ("我是他爱人，也有他签的委托书，他在部队", "authorized_agent"),
        ("我们律所受张先生书面委托，就催收的违规行为提出投诉", "authorized_agent"),
        ("我是他表姐，我们公司专门做协商的，给他做个性化分期", "third_party"),
        ("对，我是他妹妹，嗯，我们这边是做债务协商的", "third_party"),
        ("我是他的代理人，授权书还没办", "third_party"),
        ("我是他的房东，你们打电话问我他住哪", "third_party"),
    ],
)
def test_roles_said_in_dialect_formal_or_mixed_ways(text, role):
    heard = said(text)
    assert ("borrower" if heard.claims_borrower else heard.role) == role


@pytest.mark.parametrize(
    "text,first",
    [
        ("你们打电话给我爸妈说他诈骗，老人吓坏了", "collection_complaint"),
        ("我是他的房东，你们打电话问我他住哪，这是泄露他隐私吧", "collection_complaint"),
        ("我是他妈，你们别老打我了", "collection_complaint"),
        ("我是受她委托来办的，她说借款不是她本人借的", "fraud_report"),
        ("有个自称你们工作人员的让我下载个APP注销账户", "fraud_report"),
        ("我就是本人啊，我就想把账单寄送地址改一下", "other"),
        ("他在部队，想办理提前结清", "account_inquiry"),
        ("他孩子在外地打工，没活干，让我问问能不能缓缓", "repayment_plan"),
    ],
)
def test_purposes_told_without_the_textbook_words(text, first):
    assert said(text).purposes[0] == first


def test_a_name_alone_does_not_take_the_nlus_guess_of_a_relative():
    heard = said("喂，我是周杰", role="family")
    assert heard.caller_name == "周杰" and heard.role is None


def test_the_name_before_just_me_is_the_callers_own():
    assert said("我这边申请一下停息挂账，马超，就是我本人").caller_name == "马超"


def test_the_digits_of_a_half_remembered_loan_number_are_not_id_digits():
    heard = said("不记得了，L2025什么的", asked="loan_id")
    assert heard.id_digits is None and heard.dont_know


def test_a_borrower_who_died_is_another_matter_for_a_person():
    assert said("我父亲王建国上个月去世了，他在你们这有笔贷款，这种情况怎么处理").purposes == ("other",)


def test_words_that_name_a_matter_without_raising_it():
    assert said("把我号码从你们系统里删掉 别再打了 我不投诉 删了就行").purposes == ()
    # a conditional threat to go to the regulator is leverage for the demand, not a complaint
    assert said("罚息到底免不免 不免我今天就打12378 再打12363 天天打 打到你们免为止").purposes == ("fee_waiver",)
    agency = "要求停息挂账 本金分六十期 不同意的话我们直接帮客户向幺两三七八和人民银行投诉"
    assert said(agency).purposes == ("repayment_plan",)
    assert said("身份证号我不会给你的 现在诈骗这么多").purposes == ()
    # a complaint stays one, whatever is threatened after it
    assert said("你们催收天天打我电话，不给我个说法就打12378，发到网上").purposes == ("collection_complaint",)
    assert said("催收说不还就去我单位闹").purposes == ("collection_complaint",)


def test_a_low_confidence_nlu_guess_is_no_reading():
    assert said("喂？你们是不是要起诉我？", purpose="collection_complaint", purpose_confidence=0.4).purposes == ()
    assert said("喂？你们是不是要起诉我？", purpose="collection_complaint", purpose_confidence=0.9).purposes == (
        "collection_complaint",
    )
    assert said("我想问问", purpose="account_inquiry", purpose_confidence=0.3).purposes == ("account_inquiry",)


def test_having_none_is_not_knowing_at_a_number_question():
    assert said("没有", asked="loan_id").dont_know
    assert said("没有啊", asked="identity_code").dont_know
    assert not said("没有了", asked="closing").dont_know


def test_account_words_that_ask_nothing_about_the_account():
    assert said("我征信上的逾期记录 我那笔早就跟你们协商过了 怎么还在上报").purposes == ("credit_dispute",)
    told = "你们催收打给我，把她欠多少钱、逾期多久都跟我说了，我要投诉"
    assert said(told).purposes == ("collection_complaint",)
    assert said("帮他问一下 他现在总共欠多少 逾期多少天了 罚息多少").purposes == ("account_inquiry",)
    assert said("罚息能不能少点，我现在欠多少").purposes == ("fee_waiver", "account_inquiry")
    assert said("我想问问这个月怎么还").purposes == ("account_inquiry",)
    assert said("你先说你们是谁 我怎么知道你们是不是骗子").purposes == ()
    assert said("我收到你们短信说我快到还款日了，我这辈子没在你们这借过钱").purposes == ("fraud_report",)


def test_other_business_is_a_matter_beside_another():
    heard = said("问这个月还多少，再就是改手机号")
    assert heard.purposes == ("account_inquiry", "other") and heard.other_described


@pytest.mark.parametrize(
    "text,subject",
    [
        ("我是广东恒信律师事务所的王律师，代理郑敏女士的案件", "郑敏"),
        ("说我是周杰的紧急联系人，周杰在你们平台欠款严重逾期", "周杰"),
        ("我们公司在做入职背调，候选人高翔说他之前在你们这有点债务纠纷", "高翔"),
        ("我受朋友马超委托来办他贷款的事", "马超"),
        ("代理了你们平台一批客户 今天先处理许娟的", "许娟"),
        ("你们催收的人一直打我们前台 说我们员工林峰欠钱", "林峰"),
        ("我是黄丽的协商代表 她委托我们处理她的债务", "黄丽"),
        ("我跟高翔就是普通同事 不熟", "高翔"),
    ],
)
def test_more_ways_of_naming_the_borrower_called_about(text, subject):
    heard = said(text)
    assert heard.subject_name == subject and heard.caller_name is None


def test_owing_the_lender_in_ones_own_words_is_the_borrower():
    assert said("我在你们这借了两万，想问问怎么还").claims_borrower
    assert said("我还欠你们多少钱").claims_borrower
    assert not said("他在你们这借了两万").claims_borrower


@pytest.mark.parametrize(
    "text,role",
    [
        ("我们公司三月份整个部门都裁掉了，到现在没找到工作", None),  # the caller's employer, no agency
        ("我们公司倒闭了，工资都没发", None),
        ("我们公司专门做债务协商的", "third_party"),
        ("我妈许娟中风了说不了话，我这有公证过的委托书，想给她申请把罚息免掉", "authorized_agent"),
        ("我是郑敏的朋友，她写了委托书让我帮她问问欠款还剩多少", "authorized_agent"),
        ("您好，我这边是医院社工部的，我们有个病人叫高翔", "third_party"),
        ("喂，我是金融监管总局消保局的，我们接到郑敏的投诉", "third_party"),
        ("这里是朝阳区人民法院民二庭，关于马超与贵司借款合同纠纷一案", "third_party"),
        ("我是他老婆，在医院上班", "family"),
    ],
)
def test_roles_from_how_callers_present_themselves(text, role):
    assert said(text).role == role


def test_more_matters_heard_and_not_heard():
    agency = "我们是做债务优化的，以后她的所有事情你们跟我们对接，不要再打她和她家里人的电话"
    assert said(agency).purposes == ()  # keeping the lender away from the borrower is no complaint
    assert said("想了解一下你们公司投诉处理的流程").purposes == ()
    assert said("你们催收天天骂人，我要投诉，投诉流程是什么").purposes == ("collection_complaint",)
    legal = "林峰的身份证被盗用过，这笔贷款不是他本人借的，要求你们注销这笔债务并删除征信记录"
    assert said(legal).purposes == ("fraud_report", "credit_dispute")
    paid = "我在网上找了个帮忙协商的公司，交了六千块，现在电话打不通了"
    assert said(paid).purposes == ("fraud_report",)
    assert said("我弟弟上个月车祸走了，他在你们这里有笔贷款，要怎么处理").purposes == ("other",)
    assert said("核实一下他的负债情况").purposes == ("account_inquiry",)


@pytest.mark.parametrize(
    "text,role,bystander",
    [
        ("我是他同事，他欠你们多少钱啊", "third_party", False),
        ("我是他邻居，你们的人天天来敲门骚扰", "third_party", True),
        ("我是他老板，他生病请了长假，我替他问一下欠多少", "third_party", False),
        ("我不是借款人也不是他亲戚，你们一天给我打八遍电话", "third_party", True),
        ("我是他朋友，想替他问问能不能分期", "family", False),  # a friend is family (contract §1)
        ("我是他老婆，也是他同事", "family", False),
    ],
)
def test_acquaintances_are_neither_relatives_nor_friends(text, role, bystander):
    heard = said(text)
    assert heard.role == role and heard.bystander is bystander


def test_a_signed_agency_contract_claims_written_authorisation():
    assert said("我们公司和客户签了委托协议帮他做债务规划").role == "authorized_agent"


@pytest.mark.parametrize(
    "text",
    [
        "喂你好，我在你们这借了点钱，这个月实在周转不开",
        "我之前在你们那里贷款了，现在想一次性还清",
        "我在你们这边有一笔借款想查一下账单",
        "就是说我那笔贷款现在还剩几期没还",
        "我借了你们的钱没错，但是罚息也太高了",
        "我是持卡人，想问下还款能用微信吗",
        "我是当事人，你们催收的威胁说要上门",
    ],
)
def test_the_borrower_in_their_own_indirect_words(text):
    assert said(text).role == "borrower"


@pytest.mark.parametrize(
    "text,role",
    [
        ("我收到一条短信，说我在你们这儿的借款逾期了", None),  # what the message said, not the caller
        ("我老公在你们这借了钱", "family"),
        ("我是借款人表哥", "family"),
        ("我们的当事人要求停息挂账", "third_party"),
    ],
)
def test_not_the_borrower_though_the_words_are_near(text, role):
    assert said(text).role == role


@pytest.mark.parametrize(
    "text,purposes",
    [
        ("我是他弟媳，他工资降到两千了，一个月还不了那么多", ("repayment_plan",)),
        ("我是他合伙人，他现在生意赔了，想缓一段时间", ("repayment_plan",)),
        ("我是帮他办理委托的，他想问能不能只还本金", ("fee_waiver",)),
        ("我是他合租的室友，你们的人来家里堵门", ("collection_complaint",)),
        ("我不认识你们说的这个人，他留的是我的电话，你们一直打", ("collection_complaint",)),
        ("我跟她不熟就是一个小区的，你们把她欠钱的事发到业主群里了", ("collection_complaint",)),
        ("前两天有个自称法院的人打电话说要冻结我账户", ("fraud_report",)),
        ("我在你们这借款了，我要求你们删除我的人脸信息", ("other",)),
        ("受她委托，她要求撤回之前给别人的授权", ("other",)),
        ("他在你们这儿有没有逾期", ("account_inquiry",)),
        ("我是孙悦的协商专员，她那笔两万多的欠款想跟你们谈一下停息挂账", ("repayment_plan",)),
    ],
)
def test_matters_in_more_of_the_ways_callers_say_them(text, purposes):
    assert said(text).purposes == purposes


def test_a_loan_number_corrected_in_the_same_breath_is_the_last_one():
    heard = said("L二零二五零零幺零，不对，是零零零九，L二零二五零零零九", asked="loan_id")
    assert heard.loan_id == "L20250009" and heard.id_digits is None


def test_not_received_at_the_code_question_is_no_code_and_no_missing_phone():
    heard = said("没收到啊 什么都没有", asked="sms_code")
    assert heard.not_received and not heard.no_phone and heard.sms_code is None and heard.gave_anything
    assert not said("没收到啊", asked="purpose").not_received


def test_a_surname_alone_at_the_name_question_is_half_a_name_not_nothing():
    for text in ("姓黄", "我姓黄", "免贵姓王"):
        heard = said(text, asked="customer_name")
        assert heard.surname_only and heard.gave_anything and heard.bare_name is None
    assert not said("姓孙，孙悦", asked="customer_name").surname_only
    assert not said("姓黄", asked="purpose").surname_only


@pytest.mark.parametrize(
    "text,role,subject",
    [
        ("这里是人民法院执行局，关于马超的借款纠纷", "third_party", "马超"),
        ("你好，这里是江北区人民法院诉前调解中心。关于马超与你司的借款纠纷", "third_party", "马超"),
        ("黄丽住院了，没办法还款，我们这边帮她申请减免罚息", "third_party", None),
        ("我是周杰的同事 也算朋友吧 他把我填成紧急联系人了", "family", "周杰"),
    ],
)
def test_who_is_calling_about_whom_more(text, role, subject):
    heard = said(text)
    assert heard.role == role and heard.subject_name == subject


def test_acting_for_someone_or_having_worked_with_them_at_the_role_question():
    assert said("我代表黄丽", asked="caller_role").role == "third_party"
    assert said("我跟他没关系，就以前的同事", asked="caller_role").role == "third_party"


def test_a_victim_who_also_wants_to_negotiate_has_two_matters_a_quoted_offer_is_not_one():
    both = "一个是被骗的事想登记一下，另外我自己的欠款还是想正经跟你们谈分期"
    assert said(both).purposes == ("fraud_report", "repayment_plan")
    direct = "找了个协商公司，交了六千块，现在电话打不通了，我们自己能不能直接跟你们谈"
    assert said(direct).purposes == ("fraud_report", "repayment_plan")
    assert said("他们说能帮我停息挂账，收了我三千块").purposes == ("fraud_report",)


@pytest.mark.parametrize(
    "text,subject",
    [
        ("我是陈静委托的律师，想谈一下她的分期", "陈静"),
        ("这边是张伟请的法务，来了解情况", "张伟"),
        ("我们村有个老人叫王建国，征信上有你们的逾期", "王建国"),
        ("一个租户名叫刘洋，让我帮忙问问", "刘洋"),
        ("我是周杰先生的代理人，他想申请分期", "周杰"),
        ("关于黄丽女士欠款的事，我们想了解一下", "黄丽"),
        ("我们学生孙悦的家长收到了催收短信", "孙悦"),
        ("麻烦查一下马超还欠你们多少", "马超"),
    ],
)
def test_more_ways_of_naming_the_borrower(text, subject):
    heard = said(text)
    assert heard.subject_name == subject
    assert heard.caller_name is None  # 陈静委托的…: no caller named 陈静委


def test_a_name_with_an_honorific_said_alone_is_an_answer_not_a_third_person():
    assert said("王芳女士", asked="customer_name").bare_name == "王芳"
    assert said("王芳女士", asked="customer_name").subject_name is None


@pytest.mark.parametrize("text", ["我就是刘洋啊", "嗯，我是孙悦", "我是周杰"])
def test_naming_oneself_at_the_role_question_claims_the_borrower(text):
    heard = said(text, asked="caller_role")
    assert heard.claims_borrower and heard.role == "borrower"


@pytest.mark.parametrize("text", ["我是他班主任", "我是孙悦的妈妈", "我是她辅导员，学校的老师", "我是律所的"])
def test_naming_a_relation_or_a_post_at_the_role_question_is_no_borrower_claim(text):
    assert not said(text, asked="caller_role").claims_borrower


@pytest.mark.parametrize("text", ["我是她的班主任", "我是他导师"])
def test_teachers_are_third_parties(text):
    assert said(text).role == "third_party"


@pytest.mark.parametrize(
    "text",
    ["他的手机卡现在放在我们这", "你们打他电话也是我们在接", "我弟的手机在我手上", "她的身份证和手机卡寄给我们了"],
)
def test_the_borrowers_phone_in_the_callers_hands(text):
    assert said(text).line_held


@pytest.mark.parametrize("text", ["我的手机在我手上", "我手机卡在身上"])
def test_ones_own_phone_is_not_the_borrowers(text):
    assert not said(text).line_held


@pytest.mark.parametrize(
    "text", ["我爸上周脑出血，现在还昏迷", "我老公去年过世了", "他在看守所里", "我儿子失联半个月了"]
)
def test_a_borrower_who_cannot_answer_a_callback(text):
    assert said(text).borrower_unreachable


def test_a_borrower_speaking_of_themself_is_reachable():
    assert not said("我是借款人本人，刚从ICU出来").borrower_unreachable


@pytest.mark.parametrize("text", ["想把预留的手机号改成现在这个", "我要更换绑定手机", "预留号码能不能换一下"])
def test_a_change_of_the_registered_phone(text):
    assert said(text).contact_change


@pytest.mark.parametrize("text", ["想约你们领导谈合作", "了解一下你们的投诉流程怎么走的", "我要开一份贷款用途的说明"])
def test_business_in_words_no_list_has_is_other_at_the_purpose_question(text):
    heard = said(text, asked="purpose")
    assert heard.purposes == ("other",) and heard.other_described and not heard.digression


@pytest.mark.parametrize("text", ["好的，我会把材料寄过来", "你是机器人吗", "嗯嗯", "不知道该怎么说"])
def test_no_business_is_read_into_other_answers_at_the_purpose_question(text):
    assert "other" not in said(text, asked="purpose").purposes


def test_no_business_is_invented_outside_the_purpose_question():
    assert said("想约你们领导谈合作").purposes == ()


def test_asr_writes_zero_as_ling_beside_digits():
    assert said("三灵二一", asked="identity_code").id_digits == "3021"
    assert said("后四位是灵灵一八", asked="identity_code").id_digits == "0018"
    assert said("我是灵活就业的", asked="hardship").id_digits is None


@pytest.mark.parametrize("text", ["不涉及具体的借款人", "没有具体的客户，就是问问"])
def test_no_borrower_at_all_is_an_answer_to_the_name_question(text):
    heard = said(text, asked="customer_name")
    assert heard.dont_know and heard.about == "customer_name"


def test_a_broken_phone_is_no_phone_at_the_code_question():
    assert said("我手机摔坏了，收不了", asked="sms_code").no_phone


@pytest.mark.parametrize(
    "text",
    [
        "委托代理人：恒信债务规划服务中心。现提出以下诉求",
        "受托方为某某法务咨询公司，附委托书",
        "代理机构是一家协商工作室",
    ],
)
def test_an_organisation_named_as_the_representative_is_a_third_party(text):
    assert said(text, role="authorized_agent", role_confidence=0.9).role == "third_party"


def test_a_guess_of_the_role_below_the_floor_leaves_the_role_to_be_asked():
    assert said("我想问一下征信的事", role="family", role_confidence=0.27).role is None
    assert said("我想问一下征信的事", role="family", role_confidence=0.8).role == "family"


@pytest.mark.parametrize(
    "text,role",
    [
        ("我是借款人委派的协商代表，申请延期", None),  # not the borrower: whom the borrower sent
        ("我是借款人指定的代理人，有签字的委托书", "authorized_agent"),
        ("我是借款人父亲", "family"),
        ("我是贷款人的老婆", "family"),
        ("您好本人，想问下还款日", "borrower"),
        ("我是欠款人，能不能分期", "borrower"),
        ("我替我妈问一下能不能延期", "family"),
    ],
)
def test_the_borrower_word_and_whose_it_is(text, role):
    heard = said(text)
    assert heard.role == role
    assert heard.claims_borrower == (role == "borrower")


def test_a_gray_company_with_papers_is_still_a_third_party_a_law_firm_is_an_agent():
    assert said("我们是债务协商公司，有客户签的委托书").role == "third_party"
    assert said("我是律师事务所的，有他签的委托书").role == "authorized_agent"


@pytest.mark.parametrize("text", ["能不能把还款日往后推一推", "想申请账单分期", "能不能推迟还款"])
def test_moving_the_due_date_or_splitting_the_bill_is_a_plan(text):
    assert said(text).purposes == ("repayment_plan",)


def test_less_interest_is_a_waiver():
    assert said("家里困难，利息能不能少点").purposes[0] == "fee_waiver"


@pytest.mark.parametrize(
    "text",
    [
        "我替客户……哦不对，我就是借款人本人，想申请分期",
        "帮客户刘洋办一下延期，就是我本人办",
        "我当事人……不是，我本人想问一下我的欠款",
    ],
)
def test_a_borrower_claim_in_an_agencys_words_is_flipped_at_once(text):
    call = absorb(Call(), said(text), None)
    assert call.role == "borrower" and call.flipped


def test_naming_oneself_after_a_correction_claims_the_borrower():
    assert said("哦不对，我就是刘洋").claims_borrower
    assert not said("我就是刘洋").claims_borrower  # alone, a name says nothing of the role


def test_a_consulting_company_with_a_lawyer_and_a_letter_is_a_third_party():
    assert said("我是上海某某法律咨询有限公司的王律师，委托书已经签了").role == "third_party"


@pytest.mark.parametrize(
    "text,subject,role",
    [
        ("俺儿刘洋欠你们多少钱", "刘洋", "family"),
        ("张伟是我表哥，他让我问问", "张伟", "family"),
        ("我是孙悦她小姨", "孙悦", "family"),
        ("我这边是黄丽的委托方，想先了解情况", "黄丽", None),
        ("你们打给我同事说王芳欠钱不还", "王芳", None),
        ("我根本不认识什么周杰，别再打了", "周杰", "third_party"),
    ],
)
def test_still_more_ways_of_naming_the_borrower(text, subject, role):
    heard = said(text)
    assert heard.subject_name == subject
    if role:
        assert heard.role == role


def test_a_complaint_about_calls_to_my_mother_leaves_the_role_to_be_asked():
    heard = said("你们催收的给我妈打电话骂人，必须给个说法", role="family", role_confidence=0.6)
    assert heard.role is None and heard.purposes == ("collection_complaint",)
    assert said("我是他妈，你们别打我电话了", role="family", role_confidence=0.6).role == "family"


def test_one_who_has_already_hired_an_agency_is_not_taken_for_it():
    assert said("我已经委托法务了，以后你们跟他们谈", role="third_party", role_confidence=0.8).role is None


@pytest.mark.parametrize("text", ["我现在用的是他的手机号", "他的卡放我这了"])
def test_more_ways_of_holding_the_borrowers_line(text):
    assert said(text).line_held


def test_the_amount_left_then_a_plan_keeps_the_order_said():
    assert said("想问一下我那笔借款还有多少，能不能再分几期").purposes == ("account_inquiry", "repayment_plan")


def test_a_death_alone_is_other_business_and_beside_a_waiver_only_its_reason():
    assert said("我老公上个月去世了，他的贷款怎么处理").purposes == ("other",)
    assert said("我爸去世了，人都没了，罚息能不能免了").purposes == ("fee_waiver",)


@pytest.mark.parametrize("text", ["嗯……是我", "对对，是我", "是的呀"])
def test_a_yes_after_hesitation_answers_the_role_question(text):
    assert said(text, "caller_role").role == "borrower"
    assert said("嗯……是我", "customer_name").role is None  # only "您是借款人本人吗？" is answered by a yes


def test_asr_homophones_of_the_words_listened_for():
    assert said("你好 我想问一下争信的事情").purposes == ("credit_dispute",)


@pytest.mark.parametrize(
    "text,purposes",
    [
        ("查欠款、征信异议、投诉，都要弄", ("account_inquiry", "credit_dispute", "collection_complaint")),
        ("征信报错了，我要投诉", ("credit_dispute",)),  # 投诉 about the record is that matter
        ("举报这个机构，还有我想知道我现在到底欠你们多少", ("fraud_report", "account_inquiry")),
        ("我想看看我还欠你们多少钱", ("account_inquiry",)),
        ("想知道一共欠多少，一次性还的话能不能少点", ("account_inquiry", "fee_waiver")),
        ("我要告他们，哪个喊他们这么凶的", ("collection_complaint",)),
        ("还有你们催收说话太难听", ("collection_complaint",)),
        ("投诉，还有把我号码从他紧急联系人里删掉", ("collection_complaint", "other")),
        ("投诉你们乱打电话，把我号码删掉", ("collection_complaint",)),
        ("我想举报一个反催收的，我每个月给他们交299", ("fraud_report",)),
        ("有人冒用我身份证借钱，我要查清楚，还要把征信上这一条去掉", ("fraud_report", "credit_dispute")),
        ("中介说能帮我把征信修复，还要把利息免掉，结果收了我三千块跑路了", ("fraud_report",)),
        ("她那笔贷款我想跟你们商量一下怎么还", ("repayment_plan",)),
        ("我想问问怎么还款，用什么方式", ("account_inquiry",)),
        ("把他的欠款清零", ("fee_waiver",)),
        ("我就想问这短信是真是假，钱要不要打", ("fraud_report",)),
        ("短信叫我往一个卡里打钱", ("fraud_report",)),
        # 投诉 said first, as a clause of its own, is a complaint of its own
        ("投诉，还有罚息能不能减一点", ("collection_complaint", "fee_waiver")),
        # the credit record in the collectors' threat is what is complained of, not a dispute
        ("你们催收说我再不还就让我孩子没法上学，征信花了全家都完了，这种话能说吗？我要投诉", ("collection_complaint",)),
        ("我要报被冒用，然后把征信上的逾期给撤了", ("fraud_report", "credit_dispute")),
        ("那个中介说能帮我停息挂账，然后把征信洗白，收了我三千就跑了", ("fraud_report",)),
    ],
)
def test_more_ways_of_naming_each_matter(text, purposes):
    assert said(text).purposes == purposes


def test_a_phone_that_still_gets_texts_is_no_reason_to_skip_the_code():
    assert said("用我媳妇手机打的，我那个停机了，打不出去，短信能收").no_phone is False
    assert said("我那个手机停机了").no_phone is True


@pytest.mark.parametrize(
    "text,purposes",
    [
        # refused, reported, settled or asked about: named without being raised
        ("我本人 我不需要什么分期 你就告诉我一次性结清要多少钱", ("account_inquiry",)),
        ("我不要分期 也不要减免 我就要投诉那个姓刘的催收员", ("collection_complaint",)),
        ("那个催收说我可以申请减免 我是本人 我就问问我现在到底欠多少", ("account_inquiry",)),
        ("上次投诉催收那个事已经处理好了 我是借款人 今天是想问下怎么开结清证明", ("account_inquiry",)),
        ("你好 提前还款怎么操作啊 要不要违约金 我自己的贷款", ("account_inquiry",)),
        ("喂 提前还款的手续费 能不能免掉", ("fee_waiver",)),
        ("我想知道我逾期多少天了 会不会上征信啊", ("account_inquiry",)),
        # victims of an agency or of someone using their papers
        ("我是她丈夫 她手机丢了 有人拿她手机在你们这借了钱", ("fraud_report",)),
        ("我交了钱给一个说能帮我停息挂账的人 现在他电话打不通了", ("fraud_report",)),
        ("有个叫什么上岸帮的说可以帮我把账全免了 先要交一千的服务费 你们跟他们有合作吗", ("fraud_report",)),
        (
            "我以前找过一个法务公司 他们拿走了我的身份证和电话卡 现在我想自己跟你们谈分期",
            ("fraud_report", "repayment_plan"),
        ),
        ("催收的给我单位领导打电话说我是骗子 我工作都差点丢了", ("collection_complaint",)),
        # plans and other business in words of their own
        ("嗯那个 我就是欠款的那个人 刚做完手术 能不能等我出院了再还", ("repayment_plan",)),
        ("我是她老公 她 被裁员了 这个月的账单能不能晚几天扣", ("repayment_plan",)),
        ("我是借款人 我想问问我这个逾期多少天了还有没有办法分期", ("account_inquiry", "repayment_plan")),
        ("嗯 我问一下啊 我本人 我的还款日是每月几号 然后我想改个收款地址", ("account_inquiry", "other")),
        ("我是他的诉讼代理人 有授权委托书 他的联系电话要变更一下", ("other",)),
    ],
)
def test_matters_named_without_being_raised_and_more_of_their_own_words(text, purposes):
    assert said(text).purposes == purposes


def test_a_death_told_as_the_hardship_is_no_matter_of_its_own():
    assert said("我老公去年走了 家里就我一个人挣钱", "hardship").purposes == ()
    assert said("我老公去年走了，他的贷款怎么处理").purposes == ("other",)


@pytest.mark.parametrize(
    "text,role",
    [
        ("你好 提前还款怎么操作啊 要不要违约金 我自己的贷款", "borrower"),
        ("俺自个儿借的 咋整啊 俺家那口子瘫炕上了 这钱能不能缓俩月", "borrower"),
        ("我係佢阿妈 你哋啲催收日日打嚟屋企", "family"),
        ("我是他室友 也是他好哥们 他手机在我这", "family"),
        ("我是他发小 有个自称你们公司法务部的给我打电话", "family"),
        ("我是他儿子 也是他书面指定的委托人 他退休了收入少了一大截", "authorized_agent"),
        ("我是代理律师 委托书是她签的 我们律所盖了章", "authorized_agent"),
        ("我是借款人书面授权的代理人 借款人想变更一下通讯地址", "authorized_agent"),
        ("他口头同意让我处理的 你就告诉我他还欠多少", "third_party"),
        ("我手上有他的身份证复印件 他嘴上同意了的 罚息要给减免", "third_party"),
        ("我是代理她维权的 她的贷款合同有问题 要求退还所有利息", "third_party"),
        ("我是街道办的 我们辖区有个贫困户在你们这借了钱", "third_party"),
        ("我是他的朋友 他把这事交给我们工作室代办了", "third_party"),
        ("我是他的代理人 不过还没有书面委托 他现在失业", "third_party"),
        ("我是他的代理 他没时间来 委托书还在走流程", "third_party"),
        ("我不是他 这号是我刚买的二手号 你们催收在电话里骂人", "third_party"),
    ],
)
def test_who_calls_in_more_of_their_own_words(text, role):
    heard = said(text, role=None)
    assert ("borrower" if heard.claims_borrower else heard.role) == role


def test_more_of_the_development_set_calls():
    # the borrower named by what the agency holds of theirs, or by what is done to them
    assert said("你好，我们是诚信协商中心的，孙悦的身份证原件在我们这儿").subject_name == "孙悦"
    assert said("你们对王建国暴力催收，律师函已经寄出去了").subject_name == "王建国"
    assert said("通知一下，高翔已经加入我们反催收互助会了，以后他的电话都转到我们这").subject_name == "高翔"
    assert said("你好，我是林峰的委托人，他委托我来办罚息减免").subject_name == "林峰"
    assert said("喂，通知你们一下，孙悦以后所有的电话都打到这个号码").subject_name == "孙悦"
    assert said("我这边是债务优化机构，手上有一批贵司的客户，统一申请停息挂账，第一个是黄丽").subject_name == "黄丽"
    assert said("你好 我崽周杰是不是欠你们钱咯").subject_name == "周杰"
    # an agency taking the calls is no complaint, not even in the NLU's guess
    agency = "高翔的账现在由我们团队代理，以后你们的催收电话都打到这个号，我们代他接"
    assert said(agency, purpose="collection_complaint", purpose_confidence=0.9).purposes == ()
    # asking back what the call was about is no business
    assert (
        said(
            "是你们打给我的，我怎么知道什么事", "purpose", purpose="collection_complaint", purpose_confidence=0.8
        ).purposes
        == ()
    )
    assert said("投素，我要投诉，别再打了").purposes == ("collection_complaint",)
    assert said("征信那个逾期能不能消，然后剩下的钱能不能分七").purposes == ("credit_dispute", "repayment_plan")
    assert said("他们是不是用我的名义跟你们打过电话？我想自己来谈").purposes == ("repayment_plan",)
    assert said("没有困难，就是忘了，换了银行卡没绑", "hardship", hardship="poverty").hardship is None
    assert said("没有困难，就是忘了，换了银行卡没绑", "hardship").purposes == ()


@pytest.mark.parametrize(
    "text",
    [
        "喂，这里是人民法院执行局，关于马超的案件，法院已经受理，通知你们即日起停止一切催收，等待判决",
        "喂 你好 我是孙悦的委托代理人 她已经给我签了委托书 以后她的事你们直接找我 不要再给她本人打电话了",
        "我通知你们一下，黄丽已经全权委托我们处理她的债务，从今天起你们不许再给她本人、她家里人和她单位打电话，否则我们就按骚扰报警",
    ],
)
def test_a_demand_to_stop_collecting_from_one_acting_for_the_borrower_is_no_complaint(text):
    assert "collection_complaint" not in said(text).purposes


def test_a_complaint_with_its_own_words_stays_a_complaint_whoever_makes_it():
    assert "collection_complaint" in said("我们是维权中心的，客户被你们暴力催收，要求停止催收").purposes
    assert "collection_complaint" in said("我是他老婆，你们催收天天打电话骂人，要求停止催收").purposes


def test_asking_how_complaints_are_handled_is_no_complaint_even_to_the_nlu():
    heard = hear(
        "我是都市报的记者，在做网贷催收的报道，想了解一下你们投诉处理的流程",
        NLU(purpose="collection_complaint", purpose_confidence=0.8),
    )
    assert "collection_complaint" not in heard.purposes


def test_refusing_to_say_who_is_calling_is_a_refusal_of_the_role_question():
    heard = said("先别管我是谁，你就说要什么材料", asked="caller_role")
    assert heard.refuses and heard.about == "caller_role"


def test_a_threat_of_jail_is_no_borrower_in_jail():
    assert not said("有人打电话讲要抓他去坐牢 是真的不").borrower_unreachable
    assert said("他现在在坐牢，出不来").borrower_unreachable


def test_a_worried_question_about_legal_action_is_answered_not_misunderstood():
    assert said("喂？你们是不是要起诉俺？俺昨天收着个短信说要走法律程序").digression == "legal_worry"
    # with a matter in it, the matter is heard (and the worry is no digression)
    heard = said("你们是不是要起诉我，我想分期")
    assert heard.purposes == ("repayment_plan",) and heard.digression is None


def test_you_know_who_is_a_refusal_of_the_question_asked():
    heard = said("你们短信上写的谁就是谁", asked="customer_name")
    assert heard.refuses and heard.about == "customer_name"
    assert said("你们不是有吗", asked="identity_code").refuses


def test_more_fee_and_plan_wordings():
    assert said("我们要求你们代理免除她的全部债务 逾期记录也要全部铲掉").purposes == ("fee_waiver", "credit_dispute")
    assert said("要求全额退还利息、删除逾期记录").purposes == ("fee_waiver", "credit_dispute")
    assert said("你就说多少期能批").purposes == ("repayment_plan",)
    assert said("孙悦这个案子我们接了，要停西挂帐").purposes == ("repayment_plan",)


def test_the_lenders_calls_reaching_a_stranger_are_no_wrong_number():
    heard = said("打错了吧 我不是王芳 我都不认识她 你们催收一天打我八遍")
    assert heard.not_a_customer is None and heard.role == "third_party"
    assert "collection_complaint" in heard.purposes


def test_the_victim_of_an_agency_is_not_taken_for_the_agency_on_the_nlus_guess():
    text = "你好，我要举报一个代理协商的公司，收了我钱不办事。以后他们打电话来说代表我，你们别理"
    heard = hear(text, NLU(role="third_party", role_confidence=0.55))
    assert heard.role is None and heard.purposes[0] == "fraud_report"  # who is calling is asked
    # an agency in its own words stays one
    assert said("我们是债务协商中心的，客户交了我们服务费").role == "third_party"


def test_a_threat_from_the_lenders_own_people_asked_about_is_a_complaint_not_a_fraud_report():
    lender = "你们的人打电话给我说我儿子再不还就要抓去坐牢，是不是真的？欠钱就要坐牢吗？"
    assert said(lender).purposes == ("collection_complaint",)
    assert said("有人打电话说我儿子再不还就要抓去坐牢，是不是真的").purposes == ("fraud_report",)
    assert said("我收到个电话说是你们公司的，说要抓我去坐牢，是真的吗").purposes == ("fraud_report",)


def test_a_firms_name_is_not_read_as_the_credit_record():
    heard = said("这里是北京德衡正信律师事务所，我是马超的代理律师，要求全额减免马超的全部息费")
    assert heard.purposes == ("fee_waiver",)
    assert said("我正信上有问题").purposes == ("credit_dispute",)  # the ASR homophone still is


def test_not_having_the_registered_phone_is_not_a_code_that_did_not_arrive():
    heard = said("我没有那个手机，收不到验证码", "sms_code")
    assert heard.no_phone and not heard.not_received
    assert said("验证码没收到", "sms_code").not_received


@pytest.mark.parametrize(
    "text",
    [
        "我上个月找了一家说能帮我停息挂账的公司，让我把身份证和手机卡寄过去，结果现在人找不到了",
        "我把身份证给了一个中介，我怕他们用我的名义找你们乱办事",
    ],
)
def test_an_agency_gone_with_the_callers_papers_is_a_fraud_report_and_its_promise_no_plan(text):
    assert said(text).purposes == ("fraud_report",)


def test_being_only_a_few_days_late_is_no_question_about_the_account():
    assert said("我就逾期了几天，能不能分期还").purposes == ("repayment_plan",)
    assert "account_inquiry" in said("我逾期几天了？").purposes


def test_the_nlus_borrower_on_i_am_not_the_borrower_is_dropped():
    heard = said("我不是借款人，我就是收到短信的人", "caller_role", role="borrower", role_confidence=0.95)
    assert heard.role is None and heard.denies_borrower and not heard.claims_borrower
    # a relation said with it is the role
    assert said("我不是借款人本人，我是他老婆", "caller_role", role="borrower").role == "family"


def test_money_paid_to_an_agency_to_pass_on_is_a_fraud_report_and_whether_it_arrived_an_account_question():
    heard = said("我上个礼拜往那个协商公司账户里打了两万块钱，他们说帮我代还给你们，你们那边收到了没有")
    assert heard.purposes == ("fraud_report", "account_inquiry")
    # a second question said as one, after the report
    assert said("我想举报这个电话，再确认我到底有没有逾期", "purpose").purposes == ("fraud_report", "account_inquiry")
    # asking how much in a loan one never took is the report itself
    assert said("不是我借的，我到底有没有欠款").purposes == ("fraud_report",)


@pytest.mark.parametrize(
    "text,asked",
    [
        ("我们是做债务优化的公司，手上有你们平台两百多个逾期客户，想批量做停息挂账", None),
        ("很多，名单可以发给你们", "customer_name"),
    ],
)
def test_an_agency_with_a_book_of_borrowers_names_no_one_and_is_not_asked_again(text, asked):
    heard = said(text, asked)
    assert heard.subject_name is None and heard.dont_know and heard.about == "customer_name"


def test_the_borrower_named_with_that_case():
    assert said("喂，你好，周杰那个案子，我们上周已经跟你们这边谈过了").subject_name == "周杰"


def test_an_agency_acting_to_have_the_debt_written_off_names_the_borrower_and_the_waiver():
    heard = said(
        "我们是专业反催收服务团队，何静已经委托我们代理免除她在贵司的债务，她每个月付费让我们替她接听所有催收电话"
    )
    assert heard.subject_name == "何静"  # not 付费 (付 is a surname, 付费让我们 is no name)
    assert heard.purposes == ("fee_waiver",) and heard.role == "third_party"


def test_more_relatives_and_the_name_the_message_was_addressed_to():
    heard = said("我兄弟高翔欠你们钱那个事，他让我问问能不能分期")
    assert heard.role == "family" and heard.subject_name == "高翔"
    heard = said("短信上写的就是我的名字李红", "customer_name")
    assert heard.caller_name == heard.subject_name == "李红"


def test_saying_who_one_is_not_is_no_miss():
    assert said("我不是借款人，我就是收到短信的人", "caller_role", role="borrower").gave_anything


def test_i_am_not_the_borrower_is_heard_whatever_the_nlu_guessed():
    assert said("我不是借款人", "caller_role").denies_borrower
    assert not said("我不是借款人，我是他老婆", "caller_role").denies_borrower
    assert not said("我不是借款人吗？我就是啊", "caller_role").denies_borrower


@pytest.mark.parametrize("text", ["系啊", "系", "係呀"])
def test_a_cantonese_yes_is_a_yes(text):
    assert said(text, "role_confirm").affirm


def test_the_lenders_people_calling_ones_mother_is_a_complaint_not_a_question_whether_they_are_the_lenders():
    heard = said("我想分期慢慢还，还有就是你们的人别老给我妈打电话了行不行，她心脏不好")
    assert heard.purposes == ("repayment_plan", "collection_complaint")
    assert said("刚才打电话那个是你们的人吗").purposes == ("fraud_report",)


def test_finding_it_in_the_credit_report_comes_before_the_report_of_a_loan_never_taken():
    heard = said("我查征信的时候发现你们这有一笔贷款在我名下，我根本没借过，是被人冒用了，还要把征信上这条给我撤了")
    assert heard.purposes == ("fraud_report", "credit_dispute")


def test_someone_elses_debt_is_not_the_callers_on_the_nlus_guess():
    heard = said(
        "你们催收员骂黄丽的录音我们手上有，要是不把她的欠款全免了，我们就发抖音", role="borrower", role_confidence=0.48
    )
    assert heard.role is None and heard.subject_name == "黄丽"
    assert said("我的欠款能不能免一点", role="borrower", role_confidence=0.6).role == "borrower"


def test_i_am_not_x_names_whom_the_calls_are_for():
    heard = said("我不是什么马超，你们打错了！", "caller_role")
    assert heard.subject_name == "马超" and heard.caller_name is None
    assert said("我不是马超本人，我是他妈妈", "caller_role").subject_name == "马超"


def test_i_am_no_swindler_is_no_fraud_report():
    assert said("我不是骗子，我是真心想还").purposes == ()


def test_a_guardian_the_court_named_is_an_authorised_agent():
    heard = said("我父亲王建国老年痴呆了，法院判了我当他的监护人，我想跟你们商量下还款的事")
    assert heard.role == "authorized_agent" and heard.subject_name == "王建国"


def test_a_job_seeker_is_no_customer():
    assert said("你好 你们公司是正规的吗 在招人吗").not_a_customer == "wrong_number"
