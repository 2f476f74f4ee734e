"""What one caller turn says, read for everything at once, whichever question was asked.

Callers do not answer one question at a time: "我是孙悦的妈妈，她失业了，想问问能不能分期"
gives the role, the borrower's name, the hardship and the purpose in one breath.
`hear()` reads a turn for all of them — role (from the NLU and from how people say
it: 我是X的妈妈, 受X委托, 我爸叫X), names, ID digits and loan numbers in Arabic or
Chinese numerals, phone numbers, verification codes, purposes (more than one),
hardship, "不知道", refusals and corrections — into a `Heard`. The call state
(bot/core/call.py) decides what to keep and what is still missing.

Plain Python over the NLU's output and the word lists in bot/catalogue/hearing.yml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

from bot.core.codes import extract_code
from bot.core.datafiles import catalogue
from bot.core.textnorm import spoken_digits_to_arabic
from bot.core.vocabulary import CASE_KINDS

# Turns the NLU reads as a digression: answered briefly, then the script goes on.
DIGRESSIONS = ("chitchat", "bot_challenge", "ask_why", "out_of_scope", "thanks", "greet", "goodbye")
# "喂，是那个贷款公司吗？" / "你们是哪个公司": who is on the other end — answered, not a miss
_WHO_ARE_YOU = re.compile(
    r"(是|这是|这里是)(不是)?(那个|那家)?[^，。？?]{0,8}?(贷款|借款|金融|公司|平台|客服)(吗|么|嘛|吧|啊)"
    r"|你们是(哪|什么)(个|家)?(公司|平台|单位)|你(们)?是谁|哪里打来|哪个公司"
)

# Common Chinese surnames (single and compound): a name is a surname and one or two more characters.
_COMPOUND_SURNAMES = (
    "欧阳",
    "司马",
    "诸葛",
    "上官",
    "慕容",
    "东方",
    "皇甫",
    "令狐",
    "公孙",
    "尉迟",
    "长孙",
    "宇文",
    "夏侯",
    "端木",
)
_SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖"
    "贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷"
    "詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农"
    "司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池"
    "查麻苑迟邝"
)
# Words that look like a name but are not one.
_NOT_NAMES = (
    "看看",
    "问问",
    "随便",
    "路过",
    "借款人",
    "本人",
    "客服",
    "客户",
    "我们",
    "你们",
    "他们",
    "她们",
    "自己",
    "这边",
    "那边",
    "这个",
    "那个",
    "什么",
    "怎么",
    "知道",
    "时候",
    "现在",
    "公司",
    "机构",
    "银行",
    "平台",
    "律师",
    "法务",
    "中心",
    "委托",
    "授权",
    "家属",
    "朋友",
    "名字",
    "姓名",
    "身份",
    "号码",
    "手机",
    "电话",
    "验证",
    "还款",
    "分期",
    "投诉",
    "催收",
    "利息",
    "欠款",
    "借款",
    "孩子",
    "老人",
    "单位",
    "医院",
    "部门",
    "同事",
    "病人",
    "学校",
    # everyday words that start with a surname ("我马上还" is no 马上, "我明天还" no 明天)
    *"马上 明天 明年 明白 明确 高兴 高利 高额 方便 方案 方式 方法 全部 全额 全免 全都 万一 许多 余额 曾经 常常 经常"
    " 向来 向你 向您 于是 白天 周末 任何 程序 包括 金额 关于 时间 应该 连续 连本 当时 当初 齐全 毛钱 钱包"
    " 付费 付款 付钱 付了 付清 费用 钱款 房贷 车贷".split(),
)
# a worried borrower asking what the lender will do ("你们是不是要起诉俺？俺收着个短信说要走法律程序")
_LEGAL_WORRY = re.compile(
    r"(是不是|会不会|是要|真的要|就要|要不要)(要)?(起诉|告我|告俺|抓|坐牢|上门|走法律程序|上法院|冻结)"
    r"|(起诉|法律程序|律师函|传票)[^，。？?]{0,8}(是真的|真的吗|什么意思|怎么办|咋办)"
)
_CJK = re.compile(r"[\u4e00-\u9fff]")
_NAME_CHARS = r"[\u4e00-\u9fff]{2,4}"
_LOAN = re.compile(r"(?<![A-Z0-9])([A-Z]{1,3})\s*([0-9]{6,12})(?![0-9])")
_LOAN_CUE = re.compile(r"(借款编号|借款号|借据号|合同号|合同编号|贷款编号|编号)[是为:：\s]*([A-Z]{0,3}[0-9]{6,12})")
_ID_CUE = re.compile(
    r"(身份证|证件|后四位|后4位|后几位|尾号|末四位|末4位|最后四位|最后4位|最后四个|最后4个|最后几位|后四个|后面四位)"
)
_PHONE = re.compile(r"(?<![0-9])(1[3-9][0-9]{9})(?![0-9])")
_AGENCY_VOICE = re.compile(
    r"(我们|我的|咱们)(的)?(客户|委托人|当事人|会员|学员|案子)"
    r"|代理(她|他|客户|借款人)?维权的|我是(他|她)(花钱)?请(来)?的人|(交给|委托)(了)?我们(的)?(工作室|团队|机构)"
    r"|我们(公司|机构|中心|律所|团队|工作室)(?!的?(前台|同事|员工|领导|人事|座机|电话|总机|号码|老板))"
    r"(?![^，,。？?]{0,12}?(裁|倒闭|关门|破产|降薪|减薪|欠薪|工资|停产|停工|不开工|放假|效益|发不出|拖欠|开除|辞退))|我司"
    r"|(我们|我这边|我们这边)(是|就是)?(专门|专业)?(做|搞)?[^，。,]{0,6}?(债务协商|协商|债务|法务|优化|维权)(的|机构|公司|中心)"
    r"|(我们|我们这边|我这边)(帮|替|给)(她|他|客户|借款人|当事人)(申请|办|处理|协商|弄|谈)"
    r"|(这个|这|那个|这些)单子|我们一天能投"
    r"|(?<![他她])(帮|替|给|为)(客户|委托人|当事人|会员|学员)(?!本人)[\u4e00-\u9fff]{0,4}?(申请|办|处理|协商|问|查|谈)"
    r"|我(的)?(当事人|委托人)|(帮|替|给)(客户|委托人|当事人)(……|…|\.\.\.)"
    r"|在我们(这|这里|这边|公司|平台)(办|交|充|买|开|报)了?(个)?(会员|年卡|月卡|套餐|服务)"
    r"|帮(他|她|客户|借款人|当事人|会员)(们)?接(催收的?|你们的?)?电话"
    r"|(手机卡|电话卡|SIM卡|sim卡|身份证)[^，,。？?]{0,8}?(在|押在|放在|寄到|寄给)(了)?我们(这|这里|这边|手上|手里|那)?"
    r"|(打|拨)(他|她)(的)?(手机|电话)[^，,。？?]{0,4}?(也)?是我们(在)?接"
    r"|(?:^|[，,。\s])我(是)?代表[\u4e00-\u9fff]{2,4}?(?=[，,。\s]|$|来|跟|和|要求|女士|先生)"
)
# an organisation introducing itself: 我这边是医院社工部的 / 我是金融监管总局消保局的 / 我们是一家科技公司的
_ORG_SELF = re.compile(
    r"(?:(我|我们)(这边|这里)?(是|就是|是来自)|(?:^|[，,。\s])(这里|这边)(是))[^，,。？?\s]{0,16}?"
    r"(公司|部门|[^，,。？?不]部|局|所|中心|医院|机构|单位|银行|事务所|委员会|居委会|村委会|街道办|社区|派出所|法院|报社|电视台|学校|大队|支队)的?"
    r"(?=[，,。？?\s]|$|[\u4e00-\u9fff]{0,2}(人|工作人员|员工|社工|警官|警察|民警|干警|辅警|记者|老师|同志|法官|书记员|检察官|科长|主任)"
    r"|[\u4e00-\u9fff]{0,3}(庭|科|处|室|组|队)(?=[，,。？?\s]|$|的))"  # 这里是朝阳区人民法院民二庭
)
# 法务/债务优化/协商 companies (contract §1 third_party, with or without a 委托书); law firms are not among them
_GRAY_COMPANY = re.compile(
    r"(?:(?:我们|我司|我们这边|这边|我这边)(?:是|属于)?|我是)[^，,。？?]{0,8}?(法务|债务优化|债务规划|债务协商|协商|维权|咨询|征信修复)"
    r"(有限)?(责任)?(公司|中心|机构|团队|工作室|平台)"
)
# an organisation named as the one acting for the borrower (a letter's "委托代理人：…服务中心")
_AGENCY_NAMED = re.compile(
    r"(委托代理人|代理人|代理机构|受托人|受托方|受托机构)[:：为是\s]*[^，。,；;！!？?]{0,16}?"
    r"(公司|中心|机构|工作室|平台|团队|服务部)"
)
# claims written authorisation: 有他签的委托书 / 受X书面委托 / 委托材料齐全
_WRITTEN_CLAIM = re.compile(
    r"(?<![没无未])(有|持有|带着|拿着|签了|签过)(他|她|借款人|当事人)?(签的|亲笔签的|签字的)?(的)?(书面)?(授权委托书|委托书|授权书|授权)"
    r"|书面委托|书面授权|书面指定|委托材料齐全|授权材料齐全"
    r"|(?<![没无未])(有|带着|拿着|手上有|这有|这里有|写了|签了|办了|做了)[^，,。？?]{0,6}?(公证|公证过|公证了)?的?(授权委托书|委托书|授权书)"
    r"|签(了|过|订了)[^，,。？?]{0,4}?(委托协议|委托合同|代理合同|代理协议|授权协议)"
    # "委托书她签好字寄回来了": the paper named first, then that it is signed
    r"|(授权委托书|委托书|授权书)[^，,。？?]{0,4}?(签好|签了|签过|已经签|寄回来|寄过来|公证过|公证了|在我手上)"
    r"|(授权委托书|委托书|授权书)是(她|他|借款人|当事人|本人|客户)(本人)?(亲笔|亲自)?签(的|了|过)"
)
# "我不是高翔本人" / "我其实不是借款人": the caller says they are not the borrower ("不是我借的" is the borrower's)
_NOT_THE_BORROWER = re.compile(
    r"我(其实|并|真的|也)?不是([\u4e00-\u9fff]{1,4}?)?(本人|借款人)(?![^，。,！!]{0,4}(吗|[？?]))"
)
_ORAL_ONLY = re.compile(
    r"(委托书|授权书)(还)?(没|未|没有)(办|签|写|有|来得及)|口头|(没有|没|无)(授权委托书|委托书|授权书)"
    r"|(委托书|授权书)[^，,。？?]{0,2}(还在|在)(走流程|办|办理|路上)|(还)?(没有|没|未)(书面)(委托|授权)|嘴上"
    r"|(还)?(没有|没|未)(正式)?(签|办|签署|签订)(委托|授权|委托书|授权书|代理合同|委托合同)|(还在|正在)考虑(是否|要不要)?(委托|授权)"
)
# someone the collection calls reached who acts for nobody: a wrongly called number, an employer, a colleague
_HARMED_BYSTANDER = re.compile(
    r"打(到|给)?我们(公司|单位|厂)(的)?(前台|座机|电话|总机|同事|领导|老板)?|我是[^，。,]{0,12}(公司|单位|厂)(的)?(人事|行政|前台|HR|领导|老板|经理)"
)
# a self-declared borrower who speaks of "the client" or "our demands": an agency's words
_AGENCY_SELF = re.compile(r"我们的(诉求|要求|方案|意见)|(^|[，,。\s])(委托人|当事人)(?!是|叫)")
_CODE_CUE = re.compile(r"(验证码|校验码|短信码|动态码|码是)")
# "他本人/她本人/X本人": the borrower as the subject of the sentence, never the caller's role.
_THIRD_PERSON_SELF = re.compile(r"(他|她|它|人家|孩子|儿子|女儿|老公|老婆|丈夫|妻子|爸|妈|客户|当事人)本人")
_FIRST_PERSON_BORROWER = re.compile(
    r"(^(你好|您好|喂)?[，,\s]*(是|对|嗯)?(的|啊)?[，,\s]*(我)?本人(?!(是|系)[^，。,]{0,12}的)|我(就)?是(借款人)?本人|本人来电|我本人|我(就)?是借款人(?!的|家属|家人|亲属|他|她|母亲|父亲|配偶|指定|授权|书面|委托|委派|聘|请|全权|找|雇|代理|律师|法务|顾问|爷|奶|外公|外婆|姥|公公|婆婆|岳|嫂|妈|爸|老公|老婆|丈夫|妻子|爱人|儿子|女儿|女婿|儿媳|哥|姐|弟|妹|爹|娘|朋友|亲戚|表|堂|舅|姨|叔|婶|姑|侄|外|孙子|孙女|同事|同学|邻|老公|老婆|对象|媳妇)|借款人(就)?是我(?!的|妈|爸|老公|老婆|丈夫|妻子|爱人|儿子|女儿|女婿|儿媳|哥|姐|弟|妹|爹|娘|朋友|亲戚)|我(就)?是(那个)?(借钱|欠钱|贷款|欠款)的(?!人的)|我自己借的|是我借的|我借的钱|我的借款|我的贷款|我欠的|我(的)?征信|我(的)?逾期|我(马上|会|尽快|下个月|月底|这就|一定)(就)?还(钱|款|上|清)?(?!.{0,2}(他|她))|我自己(来)?还|我(还|都|确实)?欠(了)?(你们|贵司|你们家|你们公司|你们平台)|(?<![说他她])我(之前|以前|去年|前年|上个月|今年)?(在|从|跟)你们(这|这里|这边|那|那里|那边|平台|app|APP|公司)?(儿|上)?[^，,。？?的]{0,4}?(借|贷)"
    r"|说我(不还|没还|欠了|欠你们|欠钱|是老赖|逾期)|我借(了|过)?你们(的|家)?|我(那|这)(笔|个)(贷款|借款|钱)|我借的(这|那)(个|笔)|我(自己)?的(卡|账户|账)(?!号|上)|我自己的(贷款|借款|欠款|钱)"
    r"|我(就)?是(那个|这个)?(持卡人|账户的主人|账户本人|借款的|借钱的|借款那个|借钱那个|当事人|贷款人|欠款人)(?!的))"
)
# At the name question, "就我" / "我自己" / "是我本人": the borrower is the caller.
_SELF_ANSWER = re.compile(r"(^|[\s，,])(就|就是|是|嗯)?(我|我自己|自己|我本人|本人)(啊|呀|嘛|哦)?($|[\s，,。])")


@dataclass(frozen=True)
class NLU:
    """The NLU's reading of one message: intent and the whole-sentence role/purpose/hardship."""

    intent: Optional[str] = None
    intent_confidence: float = 0.0
    role: Optional[str] = None
    purpose: Optional[str] = None
    hardship: Optional[str] = None
    role_confidence: float = 1.0
    purpose_confidence: float = 1.0

    @classmethod
    def from_parse(cls, parse: dict) -> NLU:
        """From Rasa's parse data (`latest_message`)."""
        intent = parse.get("intent") or {}
        out: Dict[str, Tuple[Optional[str], float]] = {}
        for e in parse.get("entities") or []:
            if e.get("entity") in ("caller_role", "purpose", "hardship"):
                out[e["entity"]] = (e.get("value"), float(e.get("confidence") or e.get("confidence_entity") or 1.0))
        return cls(
            intent=intent.get("name"),
            intent_confidence=float(intent.get("confidence") or 0.0),
            role=(out.get("caller_role") or (None, 0))[0],
            role_confidence=(out.get("caller_role") or (None, 0.0))[1],
            purpose=(out.get("purpose") or (None, 0))[0],
            purpose_confidence=(out.get("purpose") or (None, 0.0))[1],
            hardship=(out.get("hardship") or (None, 0))[0],
        )


@dataclass(frozen=True)
class Heard:
    """Everything one turn said. None / empty = not said in this turn."""

    text: str = ""
    role: Optional[str] = None
    role_from_words: bool = False  # the role comes from the caller's words, not only the NLU's guess
    claims_borrower: bool = False  # the caller says they are the borrower themself
    caller_name: Optional[str] = None  # the caller's own name
    subject_name: Optional[str] = None  # the borrower's name, said by someone else
    bare_name: Optional[str] = None  # a name said alone at the name question: whose it is depends on the role
    id_digits: Optional[str] = None
    loan_id: Optional[str] = None
    loan_digits: Optional[str] = None  # a loan number said without its letters
    phone: Optional[str] = None
    sms_code: Optional[str] = None
    purposes: Tuple[str, ...] = ()
    other_described: bool = False  # "other" named as business of its own (改手机号), not a vague reading
    # the NLU's confidence when the turn's matter is only its whole-sentence guess (no words named one)
    purpose_guess: Optional[float] = None
    hardship: Optional[str] = None
    dont_know: bool = False
    refuses: bool = False
    about: Optional[str] = None  # the question a "不知道"/refusal is about, when the words name it
    correction: bool = False
    affirm: bool = False
    deny: bool = False
    digression: Optional[str] = None
    wants_human: bool = False
    no_phone: bool = False  # "我没有那个手机" at the code question
    not_received: bool = False  # "没收到" at the code question: the phone is there, the message is not
    surname_only: bool = False  # "姓黄" at the name question: half a name, the full one is asked for
    speaks_as_agency: bool = False  # "我们客户周杰…", "我们委托人": someone acting for the borrower
    bystander: bool = False  # wrongly called, or the borrower's employer: speaks for themself, acts for nobody
    low_confidence: bool = False  # IVR speech below the confidence threshold: nothing is taken from it
    # what makes a callback to the registered phone no check of the borrower's own will:
    line_held: bool = False  # the caller has the borrower's phone or SIM card ("她的手机卡在我们这")
    borrower_unreachable: bool = False  # the borrower cannot answer (昏迷, 去世, 服刑, 失联), said by another
    contact_change: bool = False  # wants the registered phone changed (what a SIM-holding agency wants)
    not_a_customer: Optional[str] = None  # wrong_number | prospect: no account to ask about (_not_a_customer)
    stop_demand: bool = False  # its complaint is only a demand to stop collecting (only_a_stop_demand)
    denies_borrower: bool = False  # "我不是借款人，我就是收到短信的人": not the borrower, and no relation said
    threat_only: bool = False  # its complaint is only a threat to complain ("你们再打她电话我们就投诉你们")
    notes: Tuple[str, ...] = field(default_factory=tuple)

    @property
    def said_role(self) -> Optional[str]:
        """The role the turn gives: the borrower when the caller says they are the borrower."""
        return "borrower" if self.claims_borrower else self.role

    @property
    def gave_anything(self) -> bool:
        """Whether the turn carried any answer the script can use."""
        return bool(
            self.role
            or self.claims_borrower
            or self.caller_name
            or self.subject_name
            or self.bare_name
            or self.id_digits
            or self.loan_id
            or self.loan_digits
            or self.phone
            or self.sms_code
            or self.purposes
            or self.hardship
            or self.dont_know
            or self.refuses
            or self.no_phone
            or self.not_received
            or self.surname_only
            or self.not_a_customer
            or self.denies_borrower
        )


def words() -> dict:
    """bot/catalogue/hearing.yml."""
    return catalogue("hearing.yml")


def _any(text: str, cues) -> bool:
    return any(c in text for c in cues)


def _first_pos(text: str, cues) -> int:
    found = [text.find(c) for c in cues if c in text]
    return min(found) if found else -1


def looks_like_name(chunk: str) -> bool:
    """A surname followed by one or two characters (three for compound surnames), not a common word."""
    if not chunk or not all(_CJK.match(ch) for ch in chunk):
        return False
    if any(bad in chunk for bad in _NOT_NAMES):
        return False
    if chunk[:2] in _COMPOUND_SURNAMES:
        return 3 <= len(chunk) <= 4
    return chunk[0] in _SURNAMES and 2 <= len(chunk) <= 3


def _clean_name(raw: str) -> Optional[str]:
    """The longest name-like prefix of a chunk (stops at particles and verbs that follow a name)."""
    raw = raw.split("本人")[0] if raw else raw
    raw = re.split(r"之前|以前|现在|最近|今年|去年|前几天|上个月|那个|这个", raw)[0] if raw else raw
    raw = (
        re.split(
            r"[的了呢吧啊呀哦嘛，。,.!！？?\s在是想要也和跟说让叫给从被把就都还要现有没问打来去借欠请找他她对委]", raw
        )[0]
        if raw
        else raw
    )
    for size in (4, 3, 2):
        if len(raw) >= size and looks_like_name(raw[:size]):
            if size == 3 and (raw[2:4] in _NAME_BREAKERS or raw[2:3] in ("女", "先")):
                continue  # 郑敏征信上… / 林峰出车祸 / 孙悦女士: the third character starts the next word
            # prefer 3 characters over 2 when the third is not a particle (王建国 over 王建)
            return raw[:size]
    return None


# words that often follow a name directly ("我老婆郑敏征信上有逾期", "我朋友孙悦手机丢了")
_NAME_BREAKERS = frozenset(
    "征信 书面 手机 电话 出车 住院 生病 中风 去世 失业 欠款 借款 贷款 工资 身份 名下 账户 上个 这个 那个 女士 先生 小姐".split()
)


_REL = None


def _relations() -> Tuple[str, ...]:
    global _REL
    if _REL is None:
        _REL = tuple(sorted(words()["relations"], key=len, reverse=True))
    return _REL


_KIN = None


def _kin() -> Tuple[Tuple[str, ...], Tuple[str, ...]]:
    """(relatives, acquaintances): the relations that make a caller family, and the people who know the
    borrower without being relative or friend (hearing.yml `acquaintances`), each longest first."""
    global _KIN
    if _KIN is None:
        acquainted = set(words().get("acquaintances") or ())
        _KIN = (
            tuple(r for r in _relations() if r not in acquainted),
            tuple(sorted(acquainted, key=len, reverse=True)),
        )
    return _KIN


def _for_names(text: str) -> str:
    """The turn as the name patterns read it: 孙悦女士的法务 → 孙悦的法务, 受黄丽女士委托 → 受黄丽委托;
    关于马超的借款纠纷 → 关于，马超的… (no 于马超)."""
    text = re.sub(r"(?<=[\u4e00-\u9fff])(女士|先生|小姐)", "", text)
    return re.sub(r"(关于|对于|至于|由于)", r"\1，", text)


def _subject_and_role(text: str) -> Tuple[Optional[str], Optional[str]]:
    """The borrower's name and the caller's role from how people name the borrower."""
    rel = "|".join(map(re.escape, _relations()))
    original = text
    text = _for_names(text)
    # 我是孙悦的妈妈 / 我是她妈妈 / 我是借款人的老公
    m = re.search(rf"我是([\u4e00-\u9fff]{{0,4}}?)的?({rel})", text)
    if m and m.group(1) not in ("借款人本人",):
        name = _clean_name(m.group(1)) if m.group(1) else None
        if (
            m.group(1) in ("他", "她", "借款人", "他的", "她的", "")
            or name
            or m.group(1).endswith(("借款人", "贷款人", "欠款人", "他", "她"))
        ):
            return name, "family"
    # 我老公林峰… / 我妈王秀英…: the relation, then the name
    for m in re.finditer(rf"我(的)?({rel})({_NAME_CHARS})", text):
        if m.group(3)[0] in _VERB_FIRST:
            continue  # "我老公查出来尿毒症": a verb, not a surname, follows the relation
        name = _clean_name(m.group(3))
        if name:
            return name, "family"
    # 我帮我儿子问 / 替我妈办一下
    if re.search(rf"(帮|替|代)我(的|家)?({rel})(问|办|处理|协商|咨询|申请|投诉|还|反映|联系|了解|查|沟通|谈)", text):
        return None, "family"
    # 周杰是我弟 / 孙悦是我闺女
    for m in re.finditer(rf"({_NAME_CHARS})(就)?是我(的)?({rel})", text):
        raw = m.group(1)
        name = _clean_name(raw[-3:]) or _clean_name(raw[-2:])
        if name:
            return name, "family"
    # 她是我闺女 / 借款人是我丈夫
    if re.search(rf"(他|她|借款人|欠款人)(就)?是我(的)?({rel})", text):
        return None, "family"
    # 我老公在你们这借了钱 / 我妈欠你们的: the relation is the borrower
    kin = "|".join(map(re.escape, _kin()[0]))
    if re.search(
        rf"我(的|家)?({kin})(之前|以前|去年)?(在|从|跟)?你们[^，,。？?]{{0,6}}?(借|贷|欠)|我(的|家)?({kin})欠(了)?你们",
        text,
    ):
        return None, "family"
    # 我爸叫张伟 / 我老公是周杰 / 我妈名字叫…
    m = re.search(rf"我(的)?({rel})(的名字|名字)?(叫|是)({_NAME_CHARS})", text)
    if m:
        name = _clean_name(m.group(5))
        if name:
            return name, "family"
    # 你们天天打过来找一个叫许娟的 (wrongly called: whom the calls are for)
    m = re.search(rf"(找|打给|找一个|一个)叫({_NAME_CHARS})的", text)
    if m and _clean_name(m.group(2)):
        return _clean_name(m.group(2)), None
    # 受张伟委托 / 张伟委托我 / 委托人是张伟 / 替张伟 / 帮张伟 / 代张伟
    m = re.search(rf"受({_NAME_CHARS})(的)?(书面|全权|正式)?(委托|授权|之托)", text)
    if m and _clean_name(m.group(1)):
        return _clean_name(m.group(1)), None
    m = re.search(
        rf"(委托人|当事人|客户|借款人|欠款人|债务人)(的名字|名字|姓名)?(叫|是|为|：|:|，|,)?\s*({_NAME_CHARS})", text
    )
    if m:
        name = _clean_name(m.group(4))
        if name:
            return name, None
    m = re.search(
        r"(替|帮|代|给)([\u4e00-\u9fff]{2,4}?)(问|办|处理|协商|咨询|申请|投诉|打|还|反映|联系|了解|查|沟通|谈)", text
    )
    if m and _clean_name(m.group(2)):
        return _clean_name(m.group(2)), None
    for m in re.finditer(
        rf"({_NAME_CHARS})(的|那个|这个|那笔|这笔)(案子|借款|欠款|账户|贷款|账|事情|事|情况|债务|这笔|那笔|代理|委托人|受托人|[\u4e00-\u9fff]{{0,3}}?(?:{_titles()}))",
        text,
    ):
        name = _clean_name(m.group(1)[-3:]) or _clean_name(m.group(1)[-2:])
        if name:
            return name, None
    # 林峰让我帮他… / 许娟是我们的会员 / 一直打我们公司前台找马超，… / 你们催收员骂黄丽的录音
    for pattern in (
        rf"(?:骂|辱骂|威胁|恐吓|吓唬)({_NAME_CHARS})的(?:录音|电话|短信|视频|截图|聊天记录)",
        rf"({_NAME_CHARS})(让|叫|要|(?<!委)托)(我|我们)",
        rf"({_NAME_CHARS})是我们的(会员|客户|委托人|当事人|学员)",
        rf"找({_NAME_CHARS})(?=[，,。\s]|$)",
    ):
        for m in re.finditer(pattern, text):
            raw = m.group(1)
            name = _clean_name(raw[-3:]) or _clean_name(raw[-2:]) or _clean_name(raw)
            if name:
                return name, None
    m = re.search(rf"({_NAME_CHARS}?)(已经|早就|现在)?(全权|书面|正式)?(委托|授权)(了)?(我|我们)", text)
    if m and _clean_name(m.group(1)[-3:]):
        return _clean_name(m.group(1)[-3:]), None
    # 我是孙悦委托的律师 / 黄丽请的法务
    for m in re.finditer(rf"({_NAME_CHARS})(委托|授权|聘请|请)的", text):
        raw = m.group(1)
        name = _clean_name(raw[-3:]) or _clean_name(raw[-2:])
        if name:
            return name, None
    # 有个农民工叫马超 / 老人名叫王建国 (not 我叫, 你叫, 别叫)
    for m in re.finditer(rf"(?<![我你您别不喊])(?:名叫|叫做|叫)({_NAME_CHARS})", text):
        name = _clean_name(m.group(1))
        if name:
            return name, None
    # 林峰先生遗产继承事宜的代理律师 / 孙悦女士: an honorific names someone other than the speaker
    original = re.sub(r"(关于|对于|至于|由于)", r"\1，", original)
    for m in re.finditer(rf"({_NAME_CHARS})(?:女士|先生|小姐)", original):
        raw = m.group(1)
        name = _clean_name(raw[-3:]) or _clean_name(raw[-2:])
        rest = original[m.end() :]
        before = original[: m.start(1)] + raw[: -len(name)] if name else ""
        alone = re.search(r"(^|[，,。！!？?\s]|我是|我叫|本人|是|叫)$", before) and re.match(
            r"^($|[，,。！!？?\s])", rest
        )
        if name and not alone:  # "王芳女士" alone, "我是王芳女士": a name said as an answer, whose it is is the role's
            return name, None
    return None, None


# More ways people name the borrower they call about (the name follows / precedes the cue).
_NAME_AFTER = (
    # 代理郑敏女士的案件 / 代理周杰先生投诉 / 代表孙悦女士，要求…
    r"(?:代理|代表)([\u4e00-\u9fff]{{2,4}}?)(?=[，,。\s]|的|投诉|提|申请|办理|处理|协商|向|来|跟|和|要求|问|咨询|对|给|就|为)",
    r"我是([\u4e00-\u9fff]{{2,4}}?)(?:她|他)们?(?:村|家|单位|公司|小区|厂)",  # 我是许娟她们村的村委会主任
    r"受(?:朋友|亲戚|同事|老乡|邻居|同学|老板|客户|家属)({n})(?:的)?(?:书面|全权)?(?:委托|之托|授权)",
    r"(?:候选人|员工|职工|同事|租客|房客|学员|学生|会员|用户|业主|住户|居民|村民|病人|患者|紧急联系人是)({n})",
    r"(?:查|问|看)(?:一下|一查|一问|下)({n})",  # 帮我查一下许娟现在还欠多少
    r"(?:处理|办理|办)({n})的",  # 今天先处理许娟的
    r"(?:病人|患者|员工|学生|客户|租客|同事|朋友|邻居)(?:叫|是)({n})",  # 我们有个病人叫高翔
    r"跟({n})(?:就)?(?:是)?(?:普通|一般)?(?:同事|朋友|邻居|同学|老乡)",
    r"说([\u4e00-\u9fff]{{2,4}}?)(?=欠钱|欠款|欠你们|欠了|不还|是老赖|逾期)",  # 打给班主任说林峰欠钱不还
    r"不认识(?:什么|这个|那个|叫)?({n})",
    r"(?:你们)?对({n})(?:的)?(?:暴力催收|催收|违规催收|骚扰)",  # 你们对王建国暴力催收
    # 一批客户…，第一个是黄丽 / 其中一个叫马超
    r"(?:第[一二三四五1-5]个|第[一二三四五1-5]位|其中一个|其中一位)(?:客户|借款人|人)?(?:是|叫|就是)({n})",
)
_NAME_BEFORE = (
    r"({n})的(?:紧急联系人|协商代表|代表|委托方|代理方|受托方|同事|邻居|房东|老板|领导|单位|投诉|举报|借款信息|贷款信息"
    r"|身份证|手机卡|银行卡|账|贷款|借款|欠款)",
    r"({n})在你们(?:这|这里|那|那里|平台|公司)(?:借|欠|有|贷)",
    r"({n})(?:与|和|跟)(?:你司|贵司|你们公司|你们)(?:的)?(?:借款|纠纷|债务|合同)",
    r"([\u4e00-\u9fff]{{2,4}}?)(?:已经|现在|目前|早就)?(?:加入|委托|授权|全权委托|交给)(?:了)?(?:我们|我司|本)",  # 高翔已经加入我们互助会了
    # 孙悦以后所有的电话都打到这个号码 / 孙悦今后的来电
    r"([\u4e00-\u9fff]{{2,4}}?)(?:以后|今后|从今天起|从现在起)(?:所有|全部|一切)?的?(?:电话|来电|事|事情)",
)


def _named_third(text: str) -> Optional[str]:
    """The borrower's name in the other ways callers name whom they call about (see _NAME_AFTER)."""
    text = _for_names(text)
    for pattern in _NAME_AFTER:
        for m in re.finditer(pattern.format(n=_NAME_CHARS), text):
            name = _clean_name(m.group(1))
            if name:
                return name
    for pattern in _NAME_BEFORE:
        for m in re.finditer(pattern.format(n=_NAME_CHARS), text):
            raw = m.group(1)
            name = _clean_name(raw[-3:]) or _clean_name(raw[-2:])
            if name:
                return name
    return None


def _names_self(text: str) -> bool:
    """ "我就是王建国啊", "我是孙悦": the caller says a name as who they are (nothing follows it)."""
    for m in re.finditer(rf"(?:^|[，,。？?！!\s])(?:啊|嗯|对)?[，,]?我(?:就是|就|是)+({_NAME_CHARS})", text):
        name = _clean_name(m.group(1))
        if name and re.match(r"^(啊|呀|嘛|哦|呢|了)?($|[，,。？?！!\s])", m.group(1)[len(name) :] + text[m.end() :]):
            return True
    return False


def _acquaintance(text: str) -> bool:
    """我是他同事 / 我是他以前的领导 / 我不是他亲戚: someone who knows the borrower and is no relative or friend."""
    acq = "|".join(map(re.escape, _kin()[1]))
    if re.search(r"不是(他|她|借款人)?(的)?(亲戚|家人|家属|亲属)", text):
        return True
    if re.search(r"也是(他|她)(的)?(好)?(朋友|哥们|兄弟|闺蜜|发小|亲戚)", text):
        return False  # "我是他室友，也是他好哥们": a friend as well
    m = (
        re.search(rf"我(就)?是[^，,。？?]{{0,8}}?(前|以前的|原来的)?({acq})", text)
        or re.search(rf"(就|只是|就是|是)(他|她)?(的)?(以前|原来|之前)的?({acq})", text)
        # "我跟高翔就是普通同事", "同事，就一般同事": the acquaintance said without 我是
        or re.search(rf"(跟|和|同)[^，,。？?]{{1,4}}?(就是|只是|是|就|算)(个)?(普通|一般)?的?({acq})", text)
        or re.search(rf"^(嗯|呃|就|是|就是|只是)?(个)?(普通|一般)?的?({acq})(?=[，,。\s]|$)", text)
        if acq
        else None
    ) or re.search(
        r"(以前|之前|原来)?(跟|和|同)(他|她|[\u4e00-\u9fff]{2,3}?)(在)?(一个|同一个|一家)(公司|单位|厂|部门)", text
    )
    if not m:
        return False
    if re.search(r"(也算|算是|也是|还是)(个)?(好)?朋友", text):
        return False  # "我是周杰的同事 也算朋友吧": a friend is family (contract §1)
    relatives = "|".join(map(re.escape, _kin()[0]))
    # "我是他老婆，也是他同事" stays family: a relation said first
    return not re.search(rf"我(就)?是[^，,。？?]{{0,6}}?({relatives})", text[: m.start(m.lastindex)])


def _titles(*keys: str) -> str:
    """The titles of these hearing.yml lists (default: agent_titles and third_party_titles), as one
    alternation, longest first."""
    w = words()
    titles = [t for key in keys or ("agent_titles", "third_party_titles") for t in w.get(key) or ()]
    return "|".join(map(re.escape, sorted(titles, key=len, reverse=True)))


def _title_role(text: str) -> Optional[str]:
    """我是孙悦的法务 / 我是他请的维权顾问 → third_party; 我是她的代理律师 / 也是他的监护人 → authorized_agent."""
    for key, role in (("agent_titles", "authorized_agent"), ("third_party_titles", "third_party")):
        titles = _titles(key)
        if titles and re.search(
            rf"(?:(?:我|我们|本人)(?:也)?|(?:^|[，,。\s])也)(是|就是|这边是|是来自)[^。，,？?]{{0,8}}?({titles})", text
        ):
            return role
    # "法院判了我当他的监护人", "指定我为监护人": a guardian the court named (contract §1: authorized_agent)
    if re.search(r"(判|指定|定)(了)?(我|俺)(当|做|为|是)(他|她|我爸|我妈|俺爹|俺娘)?(的)?(法定)?监护人", text):
        return "authorized_agent"
    return None


_STRANGER = re.compile(
    r"(根本|压根|都|并|也)?不认识(什么|这个|那个)?(她|他|这个人|这人|此人|你说的|你们说的|[\u4e00-\u9fff]{2,3}(?=[，。,.！!？?\s]|$))"
    r"|打错(电话|号码|人)?了|(号码|手机号|这个号|这号)是?(我)?(新办的|新买的|刚办的|新换的|刚买的)|二手号"
    r"|我不是你们(要)?找的(那个)?人"
)


# The caller is nobody's customer: dialled the wrong number ("喂 这是哪儿啊" "啊 我打错了吧"), or wants
# to borrow and has no loan yet ("我还没借过，想借", "你们这能借多少？我想借个三万周转一下"). Neither
# is asked for a name or an ID; "你们打错了" (the lender's calls reached the wrong person) is a stranger.
_DIALLED_WRONG = re.compile(
    r"(^|[，,。\s])(啊|哦|噢|呃|嗯|不好意思|对不起|抱歉|哎呀)?[，,\s]?(我|是我)?(可能|好像|应该|是不是|大概)?(打|拨)错(了|电话|号码|号|地方)(了)?"
)
# the caller thinks they reached another business ("我快递三天了还没到", "是人民医院不？我要挂个号")
_OTHER_BUSINESS = re.compile(
    r"查(一下|下)?快递|快递[^，。,？?]{0,6}?没(到|收到|送到)|快递单号|外卖[^，。,？?]{0,4}?(没到|没送|送错)"
    r"|(是|是不是)[^，。,？?]{0,4}?(医院|诊所|顺丰|中通|圆通|韵达|京东|快递公司)(吗|不|么|嘛|吧)?[？?]|挂(个|一个)?[^，。,？?信]{0,8}?的号|挂号(?!信)"
    r"|你们不是(顺丰|快递|医院|银行)|(招人|招聘|缺人)(吗|么|不|没有|呢)|(来|想)应聘|投(个)?简历"
)
_LENDER_CALLED = re.compile(r"(你们|你|他们|催收|催款)[^，。,？?]{0,8}(打|拨)错")
# the lender's calls reached the caller ("打错了吧 我不是王芳 … 你们催收一天打我八遍"): a stranger, not a wrong number
_CALLED_BY_LENDER = re.compile(r"你们|催收|催款|不认识|我不是[\u4e00-\u9fff]{2,3}|打(我|给我)|找我")
_PROSPECT = re.compile(
    r"(还)?(没|没有|从来没|从没)(在你们这|在你们那|在你们平台|在这)?(借|贷)过[^。？?]{0,8}(想|打算|准备|要)(借|贷|申请|办)"
    r"|(你们|这里|这儿|你们这|你们平台)(能|可以|最多能?)(借|贷)(多少|几万)"
    r"|(我)?想(在你们这|在你们平台|跟你们|找你们)?(借|贷)(个|点|一笔|些)?[0-9一二三四五六七八九十两几百千万]+(块|元|万)?(钱)?(周转|用用|急用|应急)?"
    r"|(怎么|如何|在哪)(申请|办)(借款|贷款|额度)|(想|要)(申请|办)(个|一笔)?(贷款|借款)(?!证明)"
)
_PROSPECT_NOT = re.compile(r"(再|又|重新|继续|还能|还可以)(借|贷)|提额|欠款|逾期|还款|还不上|催收|本人借")


def _not_a_customer(text: str, claims_borrower: bool, third_person_self: bool) -> Optional[str]:
    """`wrong_number` or `prospect` when the turn says the caller has no business with an account."""
    if claims_borrower or third_person_self:
        return None
    if _DIALLED_WRONG.search(text) and not (_LENDER_CALLED.search(text) or _CALLED_BY_LENDER.search(text)):
        return "wrong_number"
    if _OTHER_BUSINESS.search(text) and not re.search(r"借款|贷款|欠款|还款|逾期|催收|征信|分期|利息", text):
        return "wrong_number"
    if _PROSPECT.search(text) and not _PROSPECT_NOT.search(text):
        return "prospect"
    return None


# surnames that, right after a relation, are far more often a verb ("我老公查出来…", "我妈于是…")
_VERB_FIRST = frozenset("查于向和从将把被让给跟也还")
NON_BORROWER_GUESSES = ("family", "third_party", "authorized_agent")
# the caller speaks as the one an agency took from ("收了我钱不办事", "我被他们骗了", "我交了三千")
_SELF_VICTIM = re.compile(
    r"(收|骗|拿|卷|扣)(了|走)?(我|俺)(的)?[^，。,？?]{0,6}(钱|费|身份证|手机卡|银行卡|押金|块)|(我|俺)(被|让)[^，。,？?]{0,8}骗"
    r"|(我|俺)(交|给|转|付)(了)?[^，。,？?]{0,6}(钱|费|押金|块|元|千|万)"
)
_HIRED_AGENCY = re.compile(
    r"我(们|老公|老婆|家|爸|妈)?(已经|之前|以前|去年|上个月|前段时间)?(找了|找过|请了|委托了|委托|交给了|被)(个|一个|一家|家)?(什么)?"
    r"[^，。,？?]{0,10}?(公司|中介|机构|法务|律所|优化|反催收)"
)


def _own_name(text: str) -> Optional[str]:
    """The caller's own name: 我叫李娜 / 我是孙悦 / 本人孙悦 / 我姓王叫王建国."""
    for pattern in (
        rf"我叫({_NAME_CHARS})",
        rf"(我的名字|我名字|名字)(是|叫)({_NAME_CHARS})",
        rf"(本人|借款人)(叫|是)?({_NAME_CHARS})",
        rf"本人(?:啦|呀|哈|啊|嘛|哦|呢)?[，,\s]*({_NAME_CHARS})",
        rf"(^|[，,。\s])(我)?叫({_NAME_CHARS})",
        rf"我(就)?是(借款人)?({_NAME_CHARS})",
        rf"我姓.叫({_NAME_CHARS})",
        rf"(?:^|[，,。\s]|你好|您好|喂)我({_NAME_CHARS})(?=[，,。\s]|$)",
        rf"(?:^|[，,。\s])({_NAME_CHARS})[，,\s]*(?:就是|就|是)?我本人",
        rf"(姓名|名字)[是叫:：\s]*({_NAME_CHARS})",
    ):
        for m in re.finditer(pattern, text):
            name = _clean_name(m.groups()[-1])
            if name:
                return name
    return None


def _bare_name(text: str) -> Optional[str]:
    """At the name question, a name said alone ("孙悦", "叫孙悦啊", "姓孙，孙悦")."""
    chunks = re.findall(r"[\u4e00-\u9fff]+", text)
    for chunk in chunks:
        rest = re.sub(r"^(嗯|呃|啊|那个)+", "", chunk)
        named = re.sub(r"^(我叫|叫|是|就是|他叫|她叫|名字叫|名字是|借款人是|借款人叫|姓名)+", "", rest)
        named = re.sub(r"(女士|先生|小姐)$", "", named)
        name = _clean_name(named)
        # the name is the chunk, give or take a particle ("孙悦啊"), or follows 叫/是 ("就是孙悦");
        # never the start of a longer word ("商业银行…" is no 商业银)
        if name and (named != rest or len(named) - len(name) <= 1):
            return name
    return None


def _third_person_self(text: str) -> Tuple[bool, Optional[str]]:
    """Whether 本人 in the turn is about someone else (他本人, 跟孙悦本人确认), and that person's name."""
    if _THIRD_PERSON_SELF.search(text):
        return True, None
    for m in re.finditer(r"([\u4e00-\u9fff]{1,8})本人", text):
        before = m.group(1)
        if re.search("(我|我就是|我是|我自己|是|借款人|就是)$", before):
            continue
        for size in (4, 3, 2):
            name = before[-size:]
            if looks_like_name(name):
                prefix = before[:-size]
                if re.search("(我是|我就是|我叫|本人是|我|借款人)$", prefix):
                    break  # 我是孙悦本人: the caller speaking of themself
                return True, name
    return False, None


_ABOUT = (
    ("customer_name", ("谁就是谁",)),  # "你们短信上写的谁就是谁": the name, not the code
    ("sms_code", ("验证码", "短信")),
    ("loan_id", ("借款编号", "编号", "合同号", "借据")),
    ("identity_code", ("身份证", "证件", "后四位", "后4位", "尾号", "号码")),
    ("customer_name", ("名字", "姓名", "叫什么")),
    ("caller_role", ("我是谁",)),  # "先别管我是谁，你就说要什么材料"
    ("hardship", ("困难", "原因")),
)


def _about(text: str) -> Optional[str]:
    """Which question a "不知道" names ("身份证号我记不清了" is about the ID digits)."""
    for question, cues in _ABOUT:
        if _any(text, cues):
            return question
    return None


def _digits_text(text: str) -> str:
    """Spoken digits as Arabic, separators between digits removed ("四四 零九" → "4409")."""
    raw = spoken_digits_to_arabic(text or "").upper()
    for _ in range(2):  # ASR writes 零 as 灵 beside other digits ("四四灵九"), never alone
        raw = re.sub(r"(?<=[0-9X])灵|灵(?=[0-9X])", "0", raw)
    raw = re.sub(r"(?<=[0-9X])[\s,，、\-—.]+(?=[0-9X])", "", raw)
    return raw


def _id_digits(raw: str, asked_for_id: bool) -> Optional[str]:
    runs = re.findall(r"[0-9]{14,17}[0-9X]|[0-9]{3}[0-9X](?![0-9])", raw)
    long = [r for r in runs if len(r) in (15, 18)]
    if long:
        return long[-1][-4:]
    cue = _ID_CUE.search(raw)
    if cue or asked_for_id:
        after = raw[cue.end() :] if cue else raw
        # the last run said wins: "5386，不对不对，是5836"
        found = re.findall(r"(?<![0-9A-Z])([0-9]{3}[0-9X])(?![0-9])", after) or (
            re.findall(r"(?<![0-9A-Z])([0-9]{3}[0-9X])(?![0-9])", raw) if asked_for_id else []
        )
        if found:
            return found[-1]
        if asked_for_id:
            # "三零七，最后一位是叉": the four said in pieces
            pieces = "".join(re.findall(r"(?<![A-Z0-9])[0-9X]+", raw))
            if len(pieces) == 4 and re.fullmatch(r"[0-9]{3}[0-9X]", pieces):
                return pieces
    return None


def _loan(raw: str, asked_for_loan: bool) -> Tuple[Optional[str], Optional[str]]:
    found = list(_LOAN.finditer(raw.replace(" ", "")))
    if found:  # "L20250010，不对，是L20250009": the last one said is the one meant
        return found[-1].group(1) + found[-1].group(2), None
    m = _LOAN_CUE.search(raw)
    if m:
        value = m.group(2)
        return (value, None) if re.match(r"[A-Z]", value) else (None, value)
    if asked_for_loan:
        m = re.search(r"(?<![0-9])([0-9]{6,12})(?![0-9])", raw)
        if m:
            return None, m.group(1)
    return None, None


def _sms_code(text: str, raw: str, asked_for_code: bool) -> Optional[str]:
    if not (asked_for_code or _CODE_CUE.search(raw)):
        return None
    return extract_code(text)


def _pattern_pos(text: str, patterns) -> int:
    """Where the first of these regular expressions matches (-1: none)."""
    found = [m.start() for m in (re.search(p, text) for p in patterns or ()) if m]
    return min(found) if found else -1


# the caller asks back what the call is about: no business of their own ("是你们打给我的，我怎么知道什么事")
_ASKS_BACK = re.compile(
    r"我怎么知道|我哪知道|你们打给我的|(刚才|刚刚)[^，。,？?]{0,6}(给我)?打(给我|电话|过来)[^，。,？?]{0,4}(什么事|干嘛|干什么)"
)
_KEEP_AWAY = re.compile(
    r"(不要|别|不用)(再)?(联系|打给|找)[^，。,]{0,6}本人|(所有|一切)的?事(情)?(都)?找(我|我们)|电话(请|都)?(打给|找)我们"
    r"|(所有|一切)的?事(情)?[^，。,]{0,6}(跟|和|找)(我|我们)(对接|联系|谈)|(跟|和)(我|我们)对接"
    # "以后有什么事你们跟我的法务联系，别再打我电话了": the borrower sending the lender to a hired agency
    r"|(跟|和|找|联系)我(的|请的|找的|委托的)(法务|律师|代理人?|委托人|顾问|团队|公司)"
    r"|(所有|全部|一切)的?(电话|来电|事)[^，。,]{0,4}(都)?(打到|转到|打给)(我们|我这|这个号码?)"
    r"|(催收)?电话(以后)?(都|全)(打到|转到|打给)(我们|我这|这个号)|我们代(他|她)接"
    r"|(不要|别|不许|不准|不用)(再)?(给|联系|打给|找)(她|他)本人"  # "不要再给她本人打电话了"
)
_CLAUSE = re.compile(r"[^，,。！!？?；;\n\s]+")  # ASR text separates clauses with spaces
_QUOTED_OFFER = re.compile(r"说|承诺|保证|声称|号称|答应|能帮|可以帮|帮我|包|给我办|搞定|不成功")
_OWN_REQUEST = re.compile(
    r"我(还|也|就|自己)?(想|要|打算|希望|得)|能不能|可不可以|可以吗|行不行|自己(跟|和|找)|要求|请你们|你们(必须|要|得|应该)"
    r"|(还是|也|还)想|想(跟|和)你们"
)

# "…，还要把征信上这一条去掉", "我要报被冒用，然后把征信上的逾期给撤了"
_ALSO_WANT = re.compile(r"(还|也)(要|得)(把|给|让|帮|你们)|(然后|再|顺便|另外|同时)(帮我|给我|你们)?(把|给我)")


def _asked_for_oneself(text: str, code: str) -> bool:
    """Whether some clause asks for this matter in the caller's own voice, not quoting an offer."""
    w = words()
    cues = w["purposes"].get(code) or ()
    patterns = w.get("plan_patterns") if code == "repayment_plan" else ()
    quoting = False  # an earlier clause quotes an offer: "说能帮我修复征信，还要把利息免掉" goes on quoting it
    for clause in _CLAUSE.findall(text):
        if _any(clause, cues) or _pattern_pos(clause, patterns) >= 0:
            own = _OWN_REQUEST.search(clause) or (_ALSO_WANT.search(clause) and not quoting)
            if own and not _QUOTED_OFFER.search(clause):
                return True
        quoting = quoting or bool(_QUOTED_OFFER.search(clause))
    return False


# Below this confidence the NLU's whole-sentence guess of a matter that registers a case (a complaint,
# a dispute, a fraud report: each gets a reference and a reply deadline) is not taken on its own:
# "你们是不是要起诉我？" was read as a complaint at 0.40, "现在诈骗这么多" as a fraud report at 0.30.
# Other guesses are taken at any confidence (the in-sample held-out sets lose role and purpose
# accuracy when they are not); the question that follows can correct them.
NLU_FLOOR = 0.45
NLU_FLOOR_OTHER = 0.3
NLU_FLOOR_ANSWERING = 0.7  # the same, for a turn that answers a question about something else
# the NLU's guess of the role alone counts from this confidence; below it the role question asks
NLU_ROLE_FLOOR = 0.4

# Words that name a matter without raising it: negated ("我不投诉"), a conditional threat to go
# elsewhere ("不免的话我就打12378", "否则我们向监管举报"), a remark about the world ("现在诈骗这么多").
_NOT_RAISED = (
    re.compile(r"(我|我们)?(并)?(不|没|没有|不是|不想|不用|不打算|无意)(要|想|是|打算|去)?(投诉|举报)"),
    # asking how complaints are handled is no complaint ("想了解一下你们投诉处理的流程")
    re.compile(r"投诉(处理|受理)?的?(流程|程序|渠道|途径|方式|机制|时限)"),
    re.compile(
        r"(否则|不然|要不然|要不|不同意的话|不答应的话|不处理的话|不解决的话|不同意就|不答应就|不处理就|不解决就|"
        r"不(给|免|减|退|同意|答应|处理|解决)[^，,。！？?!]{0,6}?就)"
        r"(?=[^。！？?!]{0,16}?(12378|12363|幺[二两]三七八|一二三七八|银保监|金融监管|监管|人民银行|人行|消协|"
        r"消保委|媒体|曝光|网上|起诉|法院|律师函|投诉|报警|立案))[^。！？?!]*"
    ),
    # refused in words ("我不需要什么分期", "我不要分期，也不要减免，就要投诉…")
    re.compile(
        r"(不需要|不要|不用|不想|用不着|没想)(什么|办|申请|搞|做)*(分期|减免|停息挂账|延期|协商|免息|投诉|举报)"
    ),
    # what someone else said the caller could do ("那个催收说我可以申请减免")
    re.compile(r"(催收|他们|中介|朋友|那个人|别人|人家|客服)(的)?(人)?(跟我)?说(我|你)(可以|能)[^，,。？?]{0,10}"),
    # an earlier matter already settled ("上次投诉催收那个事已经处理好了")
    re.compile(r"(上次|之前|以前)[^，,。]{0,10}(投诉|申请|办)[^，,。]{0,10}(已经)?(处理好了|解决了|办好了|办完了)"),
    # asking whether a fee is charged is no waiver asked for ("提前还款要不要违约金")
    re.compile(r"(要不要|有没有|收不收|会不会收|要收)(什么)?(违约金|手续费|罚息)"),
    # where the caller saw it is no dispute of it ("我查征信的时候发现…"): the request says so, if any
    re.compile(r"(查|看|打)(了)?(一下|下)?(我的|自己的)?征信(报告)?(的时候|时|才|发现|，发现)"),
    re.compile(
        r"(现在|这年头|如今|到处|外面|网上)[^，,。]{0,4}(诈骗|骗子)[^，,。]{0,4}(这么多|太多|很多|多|横行)|"
        r"怕(被骗|是诈骗|是骗子|遇到骗子)|防(诈骗|骗)|(你们|你)(不会是|是不是|别是|该不会是|不是|可别是)(骗子|诈骗)"
        r"|(我|我们)(又|可|也|真|并|根本)?不是(骗子|来诈骗|诈骗犯)"
    ),
)


def _raised_only(text: str) -> str:
    """The turn without the words that name a matter but do not raise it (see _NOT_RAISED)."""
    for pattern in _NOT_RAISED:
        text = pattern.sub("，", text)
    return text


# Account words that are no question about the account: "怎么还在上报" (why still), what someone else
# told ("把她欠多少钱都跟我说了", "还跟我说他欠多少钱").
_NOT_ACCOUNT = re.compile(
    r"怎么还(在|是|有|没|要|会|不|能|敢|让|把|继续)|"
    r"(跟我|告诉我|和我|对我|给我)(说|讲|透露|念)(了)?[^，,。？?]{0,8}?(欠|还)(了)?多少[^，,。？?]{0,6}?(钱)?(了|的)?|"
    r"把[^，,。？?]{0,6}?(欠|还)(了)?多少[^，,。？?]{0,12}?(说|讲|告诉|透露)"
)


def _asks_about_account(text: str) -> bool:
    """Whether the turn still asks about the account once told-by-others and 怎么还在 are taken out."""
    rest = _NOT_ACCOUNT.sub("，", text)
    cues = words()["purposes"]["account_inquiry"]
    return _any(rest, cues)


def _asked_apart(text: str, code: str, patterns_key: str, other_code: str = "other") -> bool:
    """Whether some clause names this matter (its words) without the other matter's words or
    patterns: "我的还款日是每月几号，然后我想改个收款地址" asks about the account as well."""
    w = words()
    cues = w["purposes"][code]
    other_cues = w["purposes"].get(other_code) or ()
    for clause in _CLAUSE.findall(text):
        if _any(clause, cues) and _pattern_pos(clause, w.get(patterns_key)) < 0 and not _any(clause, other_cues):
            return True
    return False


# 投诉 as an item of its own in a list of matters ("查欠款、征信异议、投诉，都要弄")
_LISTED_COMPLAINT = re.compile(r"、\s*(还有|还要|再)?(要)?投诉(一下)?\s*([，,。；;]|$)|(^|[，,；;])\s*投诉(一下)?\s*、")
# A demand to stop collecting ("通知你们即日起停止一切催收", "不许再给她本人打电话") made by one acting for
# the borrower (an agency, one claiming papers, a court or the police): a demand, not a complaint
_STOP_DEMAND = re.compile(
    r"(停止|暂停|中止)(一切|所有)?(的)?(对(他|她|[\u4e00-\u9fff]{2,3})的?)?(一切|所有)?(的)?催收"
    r"|(不许|不准|不要|别|不得|禁止)(再)?(给|联系|打给|找|催|骚扰)[^，。,？?]{0,16}?(打电话|联系|催收|本人|她|他)"
    r"|(以后)?(有事|有什么事)(就|都|请|直接)?(找|联系)我们"
)


def only_a_stop_demand(text: str) -> bool:
    """Whether the only complaint in the turn is a demand to stop collecting or to keep away from the
    borrower ("通知你们别再联系她，以后有事找我们"): from one acting for the borrower, no complaint."""
    if not _STOP_DEMAND.search(text):
        return False
    rest, _, _ = _purposes(_STOP_DEMAND.sub("，", text), NLU())
    return "collection_complaint" not in rest


_OFFICIAL = re.compile(r"法院|公安|派出所|警察|民警|检察院|执行局|经侦|刑警|警号|金融办|监管局")
# a threat from the lender's own people, and the question whether it is true
_LENDERS_PEOPLE_THREAT = re.compile(
    r"(你们的人|你们催收|你们的催收|你们公司的人|你们那边的人|你们的员工)[^。？?！!]{0,30}?(坐牢|抓|拘留|冻结|上门|起诉)"
    r"[^。？?！!]{0,12}?(真的假的|是真的吗|是真的不|是不是真的|是不是你们)"
)
# what the collectors said, quoted by the caller, up to the end of the sentence
_COLLECTOR_SAID = re.compile(r"(催收|催款|催债|你们的人|你们那边|他们)[^。？?！!，,]{0,6}说[^。？?！!]*")
# 投诉 as a clause of its own ("投诉，还有罚息能不能减一点"); "我要投诉你们乱报征信" is one clause
# a threat to complain if the lender does something ("你们再打她电话我们就投诉你们骚扰"): from an agency, a lever
_THREAT_TO_COMPLAIN = re.compile(
    r"(你们)?(再|要是|如果|假如|敢|还)(再|敢)?[^，,。！!？?]{0,12}?(我们|我)?(就|就要|就去|立马|马上)(要|去)?(投诉|举报|告)[^，,。！!？?]*"
)
_OWN_COMPLAINT = re.compile(
    r"(^|[，,。；;！!？?\s])(这个|这事|这件事|这种事)?(那|那我|所以|还有|另外|然后|我)?(就|还|也|一定)?(要|想|得|必须)?(去)?投诉"
    r"(一下|你们|你们的人|这个|这事|这件事|他们|他)?(吧|啊|呀)?\s*([，,。；;！!？?、]|$|加|和|跟|还有|以及)"
)


def _complaint_said_first(text: str, found: List[Tuple[int, str]]) -> bool:
    """投诉 said as a clause of its own before the other matter ("投诉，还有罚息能不能减一点"): a complaint
    of its own. Said after it ("征信报错了，我要投诉") it is the complaint about that matter."""
    m = _OWN_COMPLAINT.search(text)
    others = [p for p, c in found if c in ("credit_dispute", "fee_waiver", "fraud_report")]
    return bool(m) and bool(others) and m.start() < min(others)


def _purposes(text: str, nlu: NLU, floor: float = 0.0) -> Tuple[Tuple[str, ...], bool, bool]:
    """The matters the turn raises, in the order said; whether "other" among them was named as
    business of its own (other_patterns: 改手机号), not only the NLU's vague reading; and whether
    they are only the NLU's whole-sentence guess (no words named one)."""
    w = words()
    cues = w["purposes"]
    said = text
    text = _raised_only(text)
    # matters named only in words that do not raise them ("想了解一下你们投诉处理的流程"): the NLU's
    # whole-sentence guess of the same matter does not raise it either
    neutralised = {c for c, lst in cues.items() if c in CASE_KINDS and _any(said, lst) and not _any(text, lst)}
    found: List[Tuple[int, str]] = []
    credit_questions = w.get("credit_question_patterns") or ()
    described = {
        "collection_complaint": _pattern_pos(text, w.get("complaint_patterns")),
        "fraud_report": _pattern_pos(text, w.get("fraud_patterns")),
        "repayment_plan": _pattern_pos(text, w.get("plan_patterns")),
        "fee_waiver": _pattern_pos(text, w.get("fee_patterns")),
        "other": _pattern_pos(text, w.get("other_patterns")),
        # a question about the credit record asks about the account (credit_question_patterns)
        "account_inquiry": _pattern_pos(text, [*(w.get("account_patterns") or ()), *credit_questions]),
    }
    death = _pattern_pos(text, w.get("death_patterns"))
    if described["other"] < 0:
        described["other"] = death
    for code, lst in cues.items():
        positions = [p for p in (_first_pos(text, lst), described.get(code, -1)) if p >= 0]
        if positions:
            found.append((min(positions), code))
    found.sort()
    codes = [c for _, c in found]
    # "不要再联系她本人，所有的事都找我们": an agency keeping the lender from the borrower, not a complaint
    keep_away = bool(_KEEP_AWAY.search(text)) and not _any(text, cues["collection_complaint"])
    if "collection_complaint" in codes and keep_away:
        codes.remove("collection_complaint")
    # 投诉 about credit records or fees is that matter, not a collection complaint
    if (
        "collection_complaint" in codes
        and described["collection_complaint"] < 0
        and not _any(text, [c for c in cues["collection_complaint"] if c != "投诉"])
        and not _LISTED_COMPLAINT.search(text)
        and not _complaint_said_first(text, found)
    ):
        if any(c in codes for c in ("credit_dispute", "fee_waiver", "fraud_report")):
            codes.remove("collection_complaint")
    # "催收说…征信花了全家都完了": the record in the collectors' threat is the complaint, not a dispute
    if "credit_dispute" in codes and "collection_complaint" in codes:
        unquoted = _COLLECTOR_SAID.sub("，", text)
        if not _any(unquoted, cues["credit_dispute"]):
            codes.remove("credit_dispute")
    # "不是我借的" is a fraud report; asking how much is owed in it is not a second matter
    if "fraud_report" in codes and "account_inquiry" in codes and described["account_inquiry"] < 0:
        codes.remove("account_inquiry")
    # "你们的人打电话说我儿子要坐牢，是不是真的？": the lender's own collectors' threat, asked about, is a
    # complaint about them; a threat from "有人" or "一个自称…的" is a suspicious call (a fraud report)
    if (
        "fraud_report" in codes
        and "collection_complaint" in codes
        and _LENDERS_PEOPLE_THREAT.search(text)
        and _pattern_pos(_LENDERS_PEOPLE_THREAT.sub("，", text), w.get("fraud_patterns")) < 0
        and not _any(text, cues["fraud_report"])
    ):
        codes.remove("fraud_report")
    # "说他诈骗" in the collectors' words is a complaint about them, not a fraud report
    if (
        "fraud_report" in codes
        and described["fraud_report"] < 0
        and re.search(r"说(他|她|我)[^，。,]{0,4}(诈骗|骗子)", text)
    ):
        codes.remove("fraud_report")
    # a fraud report quotes what the agency offered (停息挂账, 修复征信): those are not matters of their own,
    # unless the caller asks for it in words of their own ("我还想自己跟你们谈谈怎么分期还")
    if "fraud_report" in codes:
        codes = [c for c in codes if c in ("fraud_report", "account_inquiry") or _asked_for_oneself(text, c)]
    # the words name the matters; the NLU's whole-sentence reading counts when no words do
    guessed = False
    if (
        nlu.purpose
        and nlu.purpose not in ("unknown",)
        and not codes
        and not (keep_away and nlu.purpose == "collection_complaint")
        and not _ASKS_BACK.search(text)
        and nlu.purpose not in neutralised
    ):
        if nlu.purpose_confidence >= max(floor, NLU_FLOOR if nlu.purpose in CASE_KINDS else NLU_FLOOR_OTHER):
            codes.append(nlu.purpose)
            guessed = True
    if (
        described["other"] >= 0
        and "account_inquiry" in codes
        and described["account_inquiry"] < 0
        and not re.search("明细|结清|查", text)
        and not _asked_apart(text, "account_inquiry", "other_patterns")
    ):
        codes.remove("account_inquiry")  # "把账单寄送地址改一下": the bill is what is changed, not asked about
    # "会不会上征信", "征信多久能更新": a question about the record, not a dispute of it
    if "credit_dispute" in codes and _pattern_pos(text, credit_questions) >= 0:
        rest = text
        for pattern in credit_questions:
            rest = re.sub(pattern, "，", rest)
        if not _any(rest, cues["credit_dispute"]):
            codes.remove("credit_dispute")
            if "account_inquiry" not in codes:
                codes.append("account_inquiry")
    if (
        "account_inquiry" in codes
        and "repayment_plan" in codes
        and re.search(
            r"账单(分期|延期)|(推迟|推后|延后|往后推|延迟)[^，,。？?]{0,3}还款日|还款日[^，,。？?]{0,3}(往后推|往后挪|推迟|延后|推后)",
            text,
        )
    ):
        codes.remove("account_inquiry")  # "申请账单分期", "推迟还款日": the plan, not a question about the bill
    if (
        "account_inquiry" in codes
        and "repayment_plan" in codes
        and described["account_inquiry"] < 0
        and re.search(r"(商量|协商|谈谈|谈)(一下)?(看)?(怎么|如何|咋)还", text)
        and not _any(text.replace("怎么还", ""), cues["account_inquiry"])
    ):
        codes.remove("account_inquiry")  # "想跟你们商量一下怎么还": the plan, not how to pay
    if "account_inquiry" in codes and "repayment_plan" in codes and described["account_inquiry"] < 0:
        # "这个月的账单能不能晚几天扣": the bill is what the plan is about, in the same breath
        named = {c for c in cues["account_inquiry"] if c in text}
        if named <= {"账单", "还款日"} and not _asked_apart(text, "account_inquiry", "plan_patterns", "repayment_plan"):
            codes.remove("account_inquiry")
    if "account_inquiry" in codes and _NOT_ACCOUNT.search(text) and not _asks_about_account(text):
        codes.remove("account_inquiry")  # "怎么还在上报", "把她欠多少都跟我说了": no question about the account
    # "罚息多少": how much the penalty is, asked about the account, not a waiver asked for
    if "fee_waiver" in codes and "account_inquiry" in codes and described["fee_waiver"] < 0:
        if not re.search(r"(罚息|利息|违约金|费用?)(?!(是|有|一共|总共)?多少)", text) and not _any(
            text, [c for c in cues["fee_waiver"] if c not in ("罚息", "违约金")]
        ):
            codes.remove("fee_waiver")
    if "other" in codes and len(codes) > 1 and described["other"] < 0:
        codes.remove("other")
    # a death told as the reason for a waiver or a plan is the reason, not business of its own
    if "other" in codes and len(codes) > 1 and death >= 0 and _pattern_pos(text, w.get("other_patterns")) < 0:
        if not _any(text, cues["other"]):
            codes.remove("other")
    return tuple(dict.fromkeys(codes)), "other" in codes and described["other"] >= 0, guessed and bool(codes)


_NO_HARDSHIP = re.compile(r"(没有|没|没什么|没啥|不)(什么|啥)?(困难|难处)")


def _hardship(text: str, nlu: NLU) -> Optional[str]:
    if _NO_HARDSHIP.search(text):
        return None  # "没有困难，就是忘了"
    for code, lst in words()["hardships"].items():
        if _any(text, lst):
            return code
    if nlu.hardship and nlu.hardship != "unknown":
        return nlu.hardship
    return None


def _role(
    text: str, nlu: NLU, structural: Optional[str], claims_borrower: bool, third_person_self: bool
) -> Optional[str]:
    w = words()
    if claims_borrower:
        return "borrower"
    if structural:
        return structural
    written = _any(text, w["written_authorisation"])
    oral = _any(text, w["oral_authorisation"])
    role = nlu.role if nlu.role and nlu.role != "unknown" and nlu.role_confidence >= NLU_ROLE_FLOOR else None
    if role == "family" and _CALLS_TO_MY_PEOPLE.search(text):
        role = None  # "你们催收给我妈打电话骂人": whose mother — the borrower's, most often; the role question asks
    if role == "borrower" and third_person_self:
        role = None  # 他本人/她本人: the borrower is the subject, not the caller
    if (
        role == "borrower"
        and _THIRD_PERSON_DEBT.search(text)
        and not re.search(r"我(的|自己的)?(欠款|借款|贷款|账)", text)
    ):
        role = None  # "不把她的欠款全免了…": the debt is someone else's; the role question asks
    if (
        role == "authorized_agent"
        and oral
        and not re.search("(?<![没无])(有|带|拿着|出具|提供)(了)?(书面|授权委托书|委托书|授权书)", text)
    ):
        role = "third_party"  # oral authorisation is no written authorisation
    if role is None and written and re.search("(我|我们)(有|带|拿着|持有)", text) and not oral:
        role = "authorized_agent"
    if oral and role in (None, "family") and not _any(text, _relations()) and _ACTS_FOR.search(text):
        role = "third_party"  # "他口头同意让我处理的": acting for the borrower on a word only, no relative
    return role


_THIRD_PERSON_DEBT = re.compile(r"(她|他)(的|在你们这的|在贵司的)(欠款|借款|贷款|债务|账|逾期|罚息|利息)")
_ACTS_FOR = re.compile(
    r"让我|我来|(他|她)的代理|我处理|我办|我谈|替他|替她|帮他|帮她|给(他|她)(办|处理|减免|申请)|要给|罚息|减免|免了"
)


def plain_speech(text: str) -> str:
    """The turn with regional first-person words as Mandarin ones, for reading (俺/阿拉 → 我, 我系 → 我是,
    佢 → 他, 自家借的 → 自己借的), and a formal "本人是X的律师" as "我是X的律师". What is kept is what was said."""
    for regional, plain in _PLAIN_SPEECH:
        text = text.replace(regional, plain)
    text = re.sub(r"我儿(?![子女])", "我儿子", text)  # 俺儿马超 → 我儿子马超
    text = re.sub(r"(?<![关联体])系我", "是我", text)  # 系我自己 → 是我自己
    text = re.sub(r"分七(?![期个十百千])", "分期", text)  # ASR: 能不能分七 → 分期
    text = text.replace("鱼期", "逾期")
    text = re.sub(r"^(系|係)(?=(啊|呀|嘅|喔|咯|啦|的)?[，,。！!\s]*$)", "是", text)  # Cantonese yes: 系啊 → 是啊
    # ASR: 正信 → 征信, but not in a firm's name ("德衡正信律师事务所")
    text = re.sub(r"正信(?![\u4e00-\u9fff]{0,4}?(律师|事务所|律所|公司|集团|银行|科技|咨询))", "征信", text)
    return re.sub(r"^本人(是|系)(?=[^，。,]{0,12}的)", "我是", text)


_PLAIN_SPEECH = (
    ("俺们", "我们"),
    ("俺", "我"),
    ("自个儿", "自己"),
    ("係", "是"),
    ("阿妈", "妈妈"),
    ("阿爸", "爸爸"),
    ("阿拉", "我"),
    ("我系", "我是"),
    ("嘅", "的"),
    ("佢", "他"),
    ("自家借", "自己借"),
    ("屋企", "家里"),
    ("分其", "分期"),
    # ASR homophones of the words the script listens for
    ("争信", "征信"),
    ("征心", "征信"),
    ("吹收", "催收"),
    ("催手", "催收"),
    ("摧收", "催收"),
    ("头诉", "投诉"),
    ("停西", "停息"),
    ("投素", "投诉"),
)


# Someone else's phone or SIM card in the caller's hands; the borrower unable to answer a call;
# a change of the registered phone. Each makes a callback to that phone no check (call.next_step).
_LINE_HELD = re.compile(
    r"(他|她|借款人|当事人|客户|会员|我哥|我弟|我姐|我妹|我老公|我老婆|我爸|我妈|我儿子|我女儿)(的)?[^，,。？?]{0,3}?"
    r"(手机|手机卡|电话卡|SIM卡|sim卡|卡和手机|身份证和手机卡)[^，,。？?]{0,8}?"
    r"(在|放在|押在|寄到|寄给|交给)(了)?(我|我们)(这|这里|这边|手上|手里|那|身上)?"
    r"|(打|拨)(他|她)(的)?(手机|电话)[^，,。？?]{0,4}?(也)?是我们?(在)?接"
    r"|(他|她)的(手机)?卡[^，,。？?]{0,3}?(放|在|押)(在)?(我|我们)(这|这里|这边|手上|手里|那)"
    r"|用的(是|就是)?(他|她|借款人|客户)的(手机号|手机|号码|电话|卡)"
)
_UNREACHABLE = re.compile(
    r"昏迷|ICU|重症监护|植物人|痴呆|阿尔茨海默|脑死亡|去世|过世|身故|已故|死了|不在人世|服刑|(?<!去)(?<!要)坐牢|被拘留|羁押|看守所|失联"
    r"|联系不上(他|她)|找不到(他|她)(人)?了"
)
_CONTACT_CHANGE = re.compile(
    r"(改|换|更换|修改|变更|更改)(一下)?(成|为)?(我|你们)?(的)?(这边|那边)?(预留|绑定|登记|注册)?(的)?(手机号码|手机号|手机|号码|电话号码|联系电话)"
    r"|(预留|绑定|登记)(的)?(手机号码|手机号|手机|号码|电话)[^，,。？?]{0,8}?(改|换|更换|变更)|换绑手机"
)
_NO_SUBJECT = re.compile(
    r"不涉及(到)?(具体|个人|任何|某个)?(的)?(客户|借款人|人|个人|账户)|没有具体(的)?(客户|借款人|人|对象)|不是(问|为了|关于)(具体|某个|哪个)(的)?(客户|人|借款人)"
    # an agency with a book of borrowers: "手上有你们平台两百多个逾期客户", "很多，名单可以发给你们"
    r"|(手上|手里|我们这|我们这边)(有)?[^，。,？?]{0,10}?[0-9一二三四五六七八九十百千两几]+(多)?(个|位|名)[^，。,？?]{0,6}?(客户|借款人|用户|会员)"
    r"|^(很多|好多|挺多|一大批|一批)[，,。！!\s]|名单(可以|我)?(发|给)(给)?你们|批量(做|办|处理|对接)"
)
# intents that answer no "what can we do for you" (the caller is not naming business)
_NOT_BUSINESS = frozenset(DIGRESSIONS) - {"out_of_scope"} | {"affirm", "deny", "request_human"}
# collectors reaching the caller's relatives: said by the borrower as often as by a relative
_CALLS_TO_MY_PEOPLE = re.compile(
    r"(打|打电话|打到|打给|骚扰|找|联系)(给|到)?我(的|家)?(妈|爸|父母|爸妈|老妈|老爸|母亲|父亲|家人|家里人|亲戚|老婆|老公|孩子|儿子|女儿|朋友|同事|领导)"
    r"|给我(的|家)?(妈|爸|父母|爸妈|老妈|老爸|母亲|父亲|家人|家里人|亲戚|老婆|老公|孩子|儿子|女儿|朋友|同事|领导)[^，,。？?]{0,4}?打"
)
# what names business of one's own at "您今天想办理什么" ("想约个负责人", "了解一下…怎么处理");
# "好的，我会把原件寄过来" answers something else and is no business
_OWN_BUSINESS = re.compile(
    r"想|要|需要|希望|咨询|了解|问问|问一下|打听|办理|申请|约|找(你们|个|一下)|登记|帮我|给我|麻烦"
    r"|把[^，,。？?]{1,12}?(删|改|换|取消|注销|关|停|开|撤)"
)
# a yes in so many words, after the hesitation a phone line carries ("嗯……是我", "对对，是我")
_YES = re.compile(
    r"^[嗯啊呃哦喂…\.。，,\s]*(是的|是我|对的|对|是啊|是呀|没错|就是我|我就是|正是|是本人|本人|是)"
    r"(啊|呀|的|嘛|呢|吧|哈|了|对|是我|是的|[…\.。，,!！\s])*$"
)
_ACK_FIRST = re.compile(r"^(好的|好|行|嗯|哦|噢|知道了|明白|可以|没问题|OK|ok)[，,。\s]")
_SURNAME_ONLY = re.compile(r"^(?:我|免贵|嗯)?姓(.)(?:的|啊|呀|哈)?$")
_NOT_RECEIVED = re.compile(r"(没|没有|还没|没能|未)(收到|来|到|看到|见到)|收不到|没短信|没有短信|没看见")
_NO_SUCH_PHONE = re.compile(
    r"(没有|没)(那个|这个|那部|那台)?(手机|号码|号|卡)|(手机|号码|卡)[^，,。？?]{0,4}?(不在我|不是我的|丢了|坏了|摔坏|停机|没了|被偷)"
    r"|(那个|这个)(手机|号码|号)[^，,。？?]{0,4}?(不用了|没用了|早不用)"
)
_CAN_RECEIVE = re.compile(
    r"短信(还|也|照样)?(能|可以)(收|接)|(能|可以)(收|接)(到|得到)?(短信|验证码)|收得到(短信|验证码)"
)
_HAVE_NONE = re.compile(r"^(嗯|呃|我)?(没有|没|没得|木有|找不到|手上没有)(这个|啊|呀|了|的|哦|诶|耶)*$")


def hear(text: str, nlu: NLU, asked: Optional[str] = None, low_confidence: bool = False) -> Heard:
    """Read one caller turn for everything. `asked` is the question the caller is answering."""
    said_text = (text or "").strip()
    if low_confidence:
        return Heard(text=said_text, low_confidence=True)
    text = plain_speech(said_text)
    w = words()
    raw = _digits_text(text)
    third_person_self, named_subject = _third_person_self(text)
    claims_borrower = bool(_FIRST_PERSON_BORROWER.search(text)) and not third_person_self
    # 我是孙悦本人 / 本人孙悦: the caller claims to be that borrower
    m = re.search(rf"我(就)?是({_NAME_CHARS}?)本人", text)
    if m and not third_person_self:
        claims_borrower = True
    affirm = nlu.intent == "affirm" or bool(_YES.match(text))
    if asked == "caller_role" and affirm and not third_person_self and not _any(text, _relations()):
        claims_borrower = True  # "是的", "嗯……是我" to "您是借款人本人吗？"
    if (
        asked == "customer_name"
        and _SELF_ANSWER.search(text)
        and not third_person_self
        and not _any(text, _relations())
    ):
        claims_borrower = True  # "王建国 就我" to "请问借款人叫什么名字？"
    subject, structural_role = _subject_and_role(text)
    if (
        (asked == "caller_role" or _any(text, ("不对", "不是", "其实", "说错", "我是说")))
        and not subject
        and not third_person_self
        and not _any(text, _relations())
        and _names_self(text)
        and not _ORG_SELF.search(text)
        and not _title_role(text)
    ):
        claims_borrower = True  # "您是借款人本人吗？" "我就是王建国啊": naming oneself answers yes
    subject = subject or named_subject or (None if claims_borrower else _named_third(text))
    if not subject and not claims_borrower:
        # "我不是什么马超，你们打错了！": the one the calls are for is named, by one who is not them
        m = re.search(rf"我(并|根本|真|又)?不是(什么|那个)?({_NAME_CHARS})", text)
        if m and not re.match(r"(本人|借款人|他|她)", text[m.end() : m.end() + 3]):
            subject = _clean_name(m.group(3))
    own = _own_name(text)
    if own and subject and own == subject and structural_role:
        own = None  # "我是孙悦的妈妈": 孙悦 is the borrower, not the caller
    if own and subject and own != subject and (own.startswith(subject) or subject.startswith(own)):
        own = None  # "我是孙悦委托的律师": no caller named 孙悦委
    if own and re.search(rf"我是{re.escape(own)}(女士|先生|小姐)?的", text):
        own = None
    if (
        own
        and own == subject
        and re.search(
            rf"我是{re.escape(own)}(女士|先生|小姐)?([^我想要问，,。？?！!\s]{{0,8}}的|委托|授权|聘请|请)", text
        )
    ):
        own = None  # "我是孙悦委托的律师", "我是林峰先生遗产继承事宜的代理律师": 孙悦, 林峰 are the borrowers
    if m and not third_person_self:
        name = _clean_name(m.group(2) or "")
        if name:
            own, subject = name, None
    if own and not subject and re.search(r"(写的|找的|叫的|点名的|发的)(就|都)?是(我|我的名字)", text):
        subject = own  # "短信上写的就是我的名字李红": the one the message names is the caller
    agency_voice = bool(_AGENCY_VOICE.search(text)) or bool(
        claims_borrower and _AGENCY_SELF.search(text.replace("……", "，"))
    )
    if agency_voice and not structural_role:
        structural_role = None if claims_borrower else "third_party"
    title = _title_role(text)
    if title and not claims_borrower and structural_role != "third_party":
        structural_role = title  # the title says more than the relation: 我是他爸爸，也是他的监护人
    if agency_voice and structural_role == "family" and not claims_borrower:
        structural_role = "third_party"  # "我是他表姐，我们公司专门做协商的": the agency behind the relative
    if not claims_borrower and _WRITTEN_CLAIM.search(text) and not _ORAL_ONLY.search(text):
        # claims written authorisation (contract §1), whoever it is; a 法务/债务优化/协商 company stays
        # an organisation (contract §1 third_party) however many papers it says it has
        structural_role = "third_party" if _GRAY_COMPANY.search(text) else "authorized_agent"
    elif structural_role == "authorized_agent" and _ORAL_ONLY.search(text):
        structural_role = "third_party"  # "我是他的代理人，授权书还没办": no written authorisation
    if not claims_borrower and not structural_role and _GRAY_COMPANY.search(text):
        structural_role = "third_party"  # "我是…法律咨询有限公司的王律师": a company (contract §1)
    if not claims_borrower and _AGENCY_NAMED.search(text):
        structural_role = "third_party"  # "委托代理人：安信债务协商服务中心": an organisation (contract §1)
    not_a_customer = _not_a_customer(text, claims_borrower, third_person_self)
    stranger = (
        bool(_STRANGER.search(text) or _HARMED_BYSTANDER.search(text))
        and not claims_borrower
        and not_a_customer != "wrong_number"
    )
    if stranger and not structural_role:
        structural_role = "third_party"  # wrongly called: someone else, not acting for anyone
    org = _ORG_SELF.search(text)
    if org and own and own in org.group(0):
        own = None  # "我是金融监管总局的": no 金融监
    if not structural_role and not claims_borrower and org:
        structural_role = "third_party"  # an organisation (contract §1), whatever it claims to be
    acquaintance = structural_role in (None, "family") and not claims_borrower and _acquaintance(text)
    if acquaintance:
        structural_role = "third_party"  # a colleague, neighbour, boss: neither relative nor friend
    acting_for = bool(
        agency_voice
        or _GRAY_COMPANY.search(text)
        or _AGENCY_NAMED.search(text)
        or structural_role == "authorized_agent"
        or (_OFFICIAL.search(text) and not claims_borrower)
    )
    role = _role(text, nlu, structural_role, claims_borrower, third_person_self)
    role_from_words = bool(claims_borrower or structural_role)
    if role in NON_BORROWER_GUESSES and not claims_borrower and _NOT_THE_BORROWER.search(text):
        role_from_words = True  # "跟你说实话吧，我不是高翔本人，我是…": the caller's own words deny being the borrower
    denies_borrower = False
    if role in (None, "borrower") and not claims_borrower and not structural_role and _NOT_THE_BORROWER.search(text):
        role, denies_borrower = None, True  # the NLU's "borrower" on "我不是借款人"
    if (
        role in NON_BORROWER_GUESSES
        and not role_from_words
        and own
        and not (_any(text, _relations()) or agency_voice or _WRITTEN_CLAIM.search(text))
    ):
        role = None  # "喂，我是周杰": a name alone says nothing of the role; the role question asks it
    if role == "third_party" and not role_from_words and _HIRED_AGENCY.search(text):
        role = None  # "我之前找了个法务公司…": the one who hired the agency, not the agency
    if role == "third_party" and not role_from_words and _SELF_VICTIM.search(text):
        role = None  # "举报一个协商公司，收了我钱不办事": the agency's victim, not the agency; the role is asked
    bare = None
    if asked == "customer_name" and not (own or subject):
        bare = _bare_name(text)
        if bare and (role == "borrower" or claims_borrower):
            own, bare = bare, None
    id_digits = _id_digits(raw, asked in ("identity_code", "loan_id"))
    if id_digits is None and asked == "identity_code":
        # "四五六，前面还有个零，零四五六": a 零 said as a word, then the four, with a pause between
        id_digits = _id_digits(spoken_digits_to_arabic(text or "").upper(), True)
    loan_id, loan_digits = _loan(raw, asked in ("identity_code", "loan_id"))
    if id_digits and ((loan_digits and loan_digits.endswith(id_digits)) or (loan_id and loan_id.endswith(id_digits))):
        id_digits = None  # the end of the loan number, said again, is no ID digits
    code = _sms_code(text, raw, asked == "sms_code")
    if code and id_digits and code.endswith(id_digits):
        id_digits = None
    phone = None
    pm = _PHONE.search(raw.replace(" ", ""))
    if pm and not code:
        phone = pm.group(1)
    unpunctuated = re.sub(r"[\s，,。.!！?？]", "", text)
    dont_know = _any(text, w["dont_know"]) or bool(
        asked in ("identity_code", "loan_id") and _HAVE_NONE.match(unpunctuated)
    )  # "没有" to "请告诉我您的借款编号"
    no_subject = bool(_NO_SUBJECT.search(text)) and not (subject or claims_borrower)
    dont_know = dont_know or (no_subject and asked in (None, "customer_name"))  # 记者: "不涉及具体客户"
    refuses = _any(text, w["refuse"])
    about = _about(text) if (dont_know or refuses) else None
    if no_subject and dont_know and about is None:
        about = "customer_name"
    no_phone = bool(
        re.search(
            "(没有|不在|没带|不是我的|丢了|换了|停机|寄给|给了|不用那个|没在身边|坏了|摔坏|掉水里|进水|被偷)", text
        )
    ) and (asked == "sms_code" or "手机" in text or "号码" in text or "验证码" in text)
    no_phone = no_phone and not _CAN_RECEIVE.search(text)  # "我那个停机了，打不出去，短信能收"
    # answering another question ("身份证我得问一下我们客户"), the NLU's guess alone raises a matter only when sure
    purposes, other_described, guessed = _purposes(
        text, nlu, NLU_FLOOR_ANSWERING if asked not in (None, "purpose") else 0.0
    )
    stop_demand = "collection_complaint" in purposes and only_a_stop_demand(text)
    threat_only = False
    if "collection_complaint" in purposes and _THREAT_TO_COMPLAIN.search(text):
        rest = _THREAT_TO_COMPLAIN.sub("，", text)
        threat_only = not _any(rest, w["purposes"]["collection_complaint"]) and (
            _pattern_pos(rest, w.get("complaint_patterns")) < 0
        )
    if stop_demand and acting_for:
        # the demand is noted as what it is, business of the agency's own ("other"), not a complaint
        purposes = tuple(p for p in purposes if p != "collection_complaint") or ("other",)
        other_described = other_described or purposes == ("other",)
    if (
        asked == "hardship"
        and "other" in purposes
        and (_pattern_pos(text, w.get("other_patterns")) < 0 or not _OWN_REQUEST.search(text))
    ):
        # "我老公去年走了，家里就我一个人挣钱", "就是忘了，换了银行卡没绑": what is told as the hardship
        # is the reason, no matter of its own, unless asked for in so many words
        purposes = tuple(p for p in purposes if p != "other")
    if (
        asked == "purpose"
        and not purposes
        and not (dont_know or refuses)
        and nlu.intent not in _NOT_BUSINESS
        and not _WHO_ARE_YOU.search(text)
        and len(_CJK.findall(text)) >= 4
        and _OWN_BUSINESS.search(text)
        and not _ACK_FIRST.match(text)
    ):
        # "采访，想约个负责人": business in words no list has is still business, kept as said
        purposes, other_described = ("other",), True
        business_in_own_words = True
    else:
        business_in_own_words = False
    not_received = bool(asked == "sms_code" and not code and _NOT_RECEIVED.search(text))
    # "我没有那个手机，收不到验证码": not having the phone is why nothing arrives; sending again is no help
    not_received = not_received and not (no_phone and _NO_SUCH_PHONE.search(text))
    half = _SURNAME_ONLY.match(unpunctuated) if asked == "customer_name" else None
    surname_only = bool(half and half.group(1) in _SURNAMES and not (own or subject or bare))
    digression = nlu.intent if nlu.intent in DIGRESSIONS else None
    if digression in (None, "out_of_scope", "chitchat") and _WHO_ARE_YOU.search(text):
        digression = "who_are_you"
    if digression in (None, "out_of_scope", "chitchat") and not purposes and _LEGAL_WORRY.search(text):
        digression = "legal_worry"  # "你们是不是要起诉俺？": answered, then the script goes on
    if (nlu.intent == "greet" and (role or purposes or own or subject)) or business_in_own_words:
        digression = None
    if not_a_customer:
        # no account: no role to ask, no matter but the enquiry (a wish to borrow is "other" business)
        role, role_from_words, own, subject, bare = None, False, None, None, None
        loan_id, loan_digits = None, None  # "单号SF1234567890": a parcel's number, not a loan's
        # a wish to borrow, or another business's matter ("查快递"), is "other" business; "打错了" is none
        business = not_a_customer == "prospect" or bool(_OTHER_BUSINESS.search(text))
        purposes = ("other",) if business else ()
        other_described = business
        if digression in ("out_of_scope", "chitchat"):
            digression = None
    return Heard(
        text=said_text,
        role=role,
        role_from_words=role_from_words,
        claims_borrower=claims_borrower,
        caller_name=own,
        subject_name=subject,
        bare_name=bare,
        id_digits=id_digits,
        loan_id=loan_id,
        loan_digits=loan_digits,
        phone=phone,
        sms_code=code,
        purposes=purposes,
        other_described=other_described,
        purpose_guess=nlu.purpose_confidence if guessed and not not_a_customer else None,
        hardship=_hardship(text, nlu),
        dont_know=dont_know and not (id_digits or loan_id or code or own or subject),
        refuses=refuses and not (id_digits or loan_id or code),
        about=about,
        correction=_any(text, w["correction"]) and not not_a_customer,  # "打错了" corrects nothing
        affirm=affirm,
        deny=nlu.intent == "deny",
        digression=digression,
        wants_human=nlu.intent == "request_human",
        no_phone=no_phone and not code and not not_received,
        not_received=not_received,
        surname_only=surname_only,
        speaks_as_agency=agency_voice,
        # reached by the collection and speaking for themself: wrongly called, or an acquaintance complaining
        bystander=(stranger or (acquaintance and set(purposes) == {"collection_complaint"})) and not agency_voice,
        line_held=bool(_LINE_HELD.search(text)),
        borrower_unreachable=bool(_UNREACHABLE.search(text)) and not claims_borrower,
        contact_change=bool(_CONTACT_CHANGE.search(text)),
        not_a_customer=not_a_customer,
        stop_demand=stop_demand,
        denies_borrower=denies_borrower,
        threat_only=threat_only,
    )
