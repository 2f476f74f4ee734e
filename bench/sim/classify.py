"""What the bot just asked, from generic Chinese question cues (never from today's exact lines).

A bot turn is the list of texts (REST) or prompts (IVR) it answered one caller turn
with. Its *last question* is the last sentence that asks something (ends in ？, ends
in 吗/呢, or requests: 请问/请告诉/请提供/请说/请输入/请按1…). That question gets
one answer kind, the first rule that matches:

| kind | cues |
|---|---|
| sms_code | 验证码, 校验码, 动态码 |
| loan_id / id_digits / registered_phone | 借款编号, 合同号 / 后四位, 身份证 / 手机号, 预留号码; when one question offers several ("后四位或者借款编号") the caller picks the alternative it can answer |
| role | 本人吗, 是不是本人, 什么关系, 什么人, 哪一方, 您的身份 — "您是借款人本人吗" is role, never confirm |
| borrower_name / caller_name | 姓名, 名字, 叫什么, 称呼, 贵姓, 哪位: borrower_name when it names 借款人/客户 or asks whose (谁的), or asks a bare 姓名 of a caller who really is the borrower; caller_name when it asks the caller's own (您的姓名, 您叫什么, 您贵姓) or anything else |
| closing | 还有其他/别的…吗 (anything else?) |
| purpose | 什么事, 哪方面, 办理什么, 来电目的, 什么业务, 有什么可以帮; a bare "请您说" (go ahead) |
| hardship | 困难, 原因 |
| case_detail | 经过, 具体情况, 详细, 什么时间, 哪个号码, 说明, 理由 |
| confirm | 是吗, 对吗, 是否, 可以吗, 好吗, or any other yes/no question |
| other | anything else asked |

A data question that only reads a value back for a yes/no ("尾号0001的手机，对吗？",
"回拨您的预留手机号，可以吗？") is confirm; so is a read-back of what the caller said
("您是说您是借款人本人，对吗？", "您说的名字是王建国，对吗？"): it asks for a yes, not the value again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

KINDS = (
    "role",
    "caller_name",
    "borrower_name",
    "id_digits",
    "loan_id",
    "registered_phone",
    "purpose",
    "hardship",
    "case_detail",
    "sms_code",
    "confirm",
    "closing",
    "other",
)
DATA_KINDS = ("loan_id", "id_digits", "registered_phone")  # priority when a question names several

_SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]*")
_REQUEST = re.compile(
    r"请问|(?<![不申邀聘提])请(?!不要|勿|稍)[^，。？！]{0,10}?(?:告诉|提供|说|讲|报|输入|描述|回答|选择|确认|补充|读|念)"
    r"|麻烦您?(?:告诉|提供|说|讲|报|输入)|能否(?:告诉|提供|说)|您?可以(?:告诉|提供)"
    r"|(?<!随时)按[0-9０-９]"
)
_NOT_A_REQUEST = re.compile(r"随时按\s*0|人工(?:服务)?[^。？]{0,6}按\s*0|按\s*0\s*(?:转|可转|即可转)?人工")
_YES_NO_TAIL = re.compile(r"(?:吗|么|嘛|呢|是否|对不对|是不是|好不好|行不行|可不可以)[？?。！!]*$")

_SMS = re.compile(r"验证码|校验码|动态码|短信码")
_DATA = {
    "loan_id": re.compile(r"借款编号|借款合同|合同号|合同编号|贷款编号|借据号|编号"),
    "id_digits": re.compile(r"后四位|后4位|最后四位|最后4位|身份证号|身份证尾号|证件号"),
    "registered_phone": re.compile(
        r"手机号|手机号码|预留(?:的)?(?:手机|电话|号码)|电话号码|联系电话|注册(?:的)?手机|绑定(?:的)?手机|手机尾号"
    ),
}
_ALTERNATION = re.compile(r"或者|或是|或|还是|也可以|亦可")
_ROLE = re.compile(
    r"本人[吗么嘛]|是不是(?:借款人)?本人|是否(?:为|是)?(?:借款人)?本人|本人还是|什么关系|关系是|是借款人的(?:什么|谁)"
    r"|什么人|哪一方|什么身份|您的身份是|是借款人吗|代表(?:谁|哪)|替谁|帮谁|您是(?:借款人)?本人|本人(?:、|，|,|或)"
)
_NAME = re.compile(r"姓名|名字|叫什么|怎么称呼|如何称呼|称呼您|贵姓|尊姓|哪位|谁的")
_YOUR_NAME = re.compile(r"您的?(?:姓名|名字|全名)|您叫|您贵姓|称呼您|您怎么称呼|您尊姓|你的?(?:姓名|名字)|你叫")
_BORROWER_WORD = re.compile(r"借款人|客户|贷款人|您(?:要)?(?:咨询|询问|来电)的")
_CLOSING = re.compile(r"还有(?:其他|其它|别的|什么)(?:[^。？]{0,12})(?:吗|么|需要|问题|事)")
_PURPOSE = re.compile(
    r"什么事|哪方面|哪些方面|办理什么|办什么|来电目的|来电的目的|什么业务|哪项业务|有什么可以|需要什么帮助|能帮您什么"
    r"|咨询什么|什么需求|什么诉求|想了解什么|来电是|哪类|什么问题|想咨询|来电原因"
)
_HARDSHIP = re.compile(r"困难|原因|为什么(?:逾期|还不上)|收入情况")
_CASE = re.compile(
    r"经过|具体情况|详细|具体说|具体描述|什么时间|什么时候|哪个号码|哪一天|说了什么|怎么催|发生了什么|怎么回事"
    r"|说明|理由|哪一条|哪一笔"
)
_INVITATION = re.compile(r"^(?:好的?[，,]?\s*)?(?:请您?说|请讲|您请说|请继续|您说)[。！!]?$")
_CONFIRM = re.compile(r"是吗|对吗|是否|对不对|是不是|确认|可以吗|好吗|行吗|同意吗|方便吗|没问题吧|对吧")
_HEARD_BACK = re.compile(r"(?:您|你)(?:刚才)?(?:是说|说的|说)[^。？?]{0,24}?[，,]\s*(?:对吗|是吗|对不对|对吧|是不是)")
_READ_BACK = re.compile(r"[0-9][0-9*＊]*[*＊]{2,}[0-9]+|尾号\s*[0-9]{3,4}|[0-9]{4,}")

_MISUNDERSTOOD = re.compile(
    r"没(?:有)?听清|没(?:有)?听明白|没(?:有)?听懂|没(?:有)?理解|没(?:有)?明白|不太明白|没能理解|未能理解"
    r"|换(?:个|一种|种|一个)(?:说法|方式说)|再说一遍|重新说一遍|再说一次|无法识别|没能识别"
)
_GOODBYE = re.compile(
    r"再见|感谢(?:您的)?来电|祝您[^。]{0,8}(?:愉快|顺利|平安)|通话(?:到此)?结束|挂机"
    r"|(?:为您|正在|马上|这就)(?:转接|转到|转为|转)(?:人工|客服|坐席|专员)|已为您转"
)


@dataclass(frozen=True)
class Question:
    """The bot's last question in a turn: its text, its kind, and for an either-or data question
    the alternatives in the order the bot named them (the caller picks one it can answer)."""

    text: str
    kind: str
    alternatives: Tuple[str, ...] = ()


def sentences(text: str) -> List[str]:
    return [s.strip() for s in _SENTENCE.findall(text or "") if s.strip()]


def is_question(sentence: str) -> bool:
    s = sentence.strip()
    if not s:
        return False
    if s.endswith(("？", "?")):
        return True
    if _YES_NO_TAIL.search(s):
        return True
    return _REQUEST.search(_NOT_A_REQUEST.sub("", s)) is not None


def last_question(texts: Sequence[str]) -> Optional[Tuple[str, str]]:
    """(question sentence, the whole text it is in) of the turn's last question, or None."""
    for text in reversed([t for t in texts if t]):
        for sentence in reversed(sentences(text)):
            if is_question(sentence):
                return sentence, text
    return None


def _data_kinds(text: str) -> List[str]:
    """Data kinds named in `text`, in the order the text names them."""
    found = []
    for kind, pattern in _DATA.items():
        match = pattern.search(text)
        if match:
            found.append((match.start(), kind))
    # "身份证号码的后四位" names id digits, not a phone; "手机尾号" is the phone.
    return [kind for _, kind in sorted(found)]


def _is_read_back(sentence: str) -> bool:
    """A yes/no question that reads a value back (尾号0001的手机对吗?) or proposes an action (回拨…可以吗?)."""
    tail = re.search(r"(?:可以|好|行|对|同意|方便|没问题)(?:吗|么|吧)[？?。]*$|对不对[？?。]*$|是吗[？?。]*$", sentence)
    return bool(tail) or (_READ_BACK.search(sentence) is not None and _YES_NO_TAIL.search(sentence) is not None)


def classify(sentence: str, truth_role: str = "", context: str = "") -> Question:
    """The answer kind of one question sentence (`context`: the whole bot text it came from,
    used only when the sentence alone says nothing more than 'other')."""
    kind, alternatives = _classify(sentence, truth_role)
    if kind == "other" and context and context != sentence:
        kind, alternatives = _classify(context, truth_role)
    return Question(sentence, kind, alternatives)


def _classify(s: str, truth_role: str) -> Tuple[str, Tuple[str, ...]]:
    if _SMS.search(s):
        return "sms_code", ()
    if _HEARD_BACK.search(s):
        return "confirm", ()
    data = _data_kinds(s)
    if data and not _is_read_back(s):
        if len(data) > 1 and _ALTERNATION.search(s):
            return data[0], tuple(data)
        return min(data, key=DATA_KINDS.index), ()
    if _ROLE.search(s):
        return "role", ()
    if _NAME.search(s):
        yours = _YOUR_NAME.search(s) is not None
        borrower = _BORROWER_WORD.search(s) is not None or "谁的" in s or (truth_role == "borrower" and not yours)
        return ("borrower_name" if borrower else "caller_name"), ()
    if data:
        return "confirm", ()
    if _CLOSING.search(s):
        return "closing", ()
    if _PURPOSE.search(s) or _INVITATION.search(s.strip()):
        return "purpose", ()
    if _HARDSHIP.search(s):
        return "hardship", ()
    if _CASE.search(s):
        return "case_detail", ()
    if _CONFIRM.search(s) or _YES_NO_TAIL.search(s):
        return "confirm", ()
    return "other", ()


def question_of(texts: Sequence[str], truth_role: str = "") -> Optional[Question]:
    """The classified last question of a bot turn, or None when the turn asks nothing."""
    found = last_question(texts)
    if found is None:
        return None
    sentence, whole = found
    return classify(sentence, truth_role, whole)


def misunderstood(texts: Sequence[str]) -> bool:
    """The bot says it did not understand or hear (没听清, 没听明白, 换个说法…)."""
    return any(_MISUNDERSTOOD.search(t or "") for t in texts)


def says_goodbye(texts: Sequence[str]) -> bool:
    """The bot closes the call or hands it to a person (再见, 感谢来电, 为您转人工…)."""
    return any(_GOODBYE.search(t or "") for t in texts)
