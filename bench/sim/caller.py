"""The caller's side of a call: which line a persona says to a question, and what it proves.

- Answer lists are indexed by how many times the caller has answered that kind (the
  1st answer is the 1st line, the 2nd the 2nd, …; after the list runs out the last line
  is repeated).
- `sms_code: read` reads the newest code sent to the persona's real account's
  registered phone during this call from BOT_DATA_DIR/sms_outbox.jsonl (contract §5:
  the only run of six digits in `text`) and says it as a caller would; `no_phone` says
  the caller does not have that phone.
- An answer is *informative* unless it is a refusal, a "不知道", a no_phone, or (for ID
  digits, loan id and code) carries no such value; re-asks are counted against informative
  answers only (bench.sim.score).
- The web login's number (contract §2): `caller_number_sig` is the hex HMAC-SHA256 of
  "{sender}|{caller_number}|{exp}" under the signing key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Mapping, Optional, Sequence

from bench.sim.classify import Question
from bench.sim.facts import digits_normalized, mentions_id_last4, mentions_loan_id, mentions_name
from bench.sim.personas import Customer, Persona

NO_PHONE_LINE = "我没有那个手机，收不到验证码"
NO_CODE_YET_LINE = "还没收到验证码"
CLOSING_LINE = "没有了，谢谢"
CODE_LINE = "验证码是{code}"

_REFUSAL = re.compile(
    r"不知道|不晓得|不清楚|不记得|记不清|记不住|记不太清|没记|忘了|不方便|不能(?:随便)?透露|不告诉|不给|不说|不想说|不用知道"
    r"|哪知道|怎么会知道|怎么可能知道|凭什么|没见过|没有编号|不需要|我看不到"
    r"|^没有[，。 ]|^没有$|^不$"
)
_PHONE = re.compile(r"(?<![0-9])1[0-9]{10}(?![0-9])|(?<![0-9])0[0-9]{9,11}(?![0-9])|这个|本机|我打的|现在打的|登录")
_ROLE_WORDS = re.compile(
    r"本人|我是|借钱的|借款人|老公|老婆|丈夫|妻子|爱人|妈|爸|爹|儿子|女儿|闺女|姐|妹|哥|弟|朋友|闺蜜|同事|亲属|家属|监护人"
    r"|律师|委托|代理|法务|机构|公司|中心|专员|顾问|团队|代办|代表|维权|民警|警察|派出所|法院|书记员|监管|人事|HR"
    r"|不认识|没关系|路人|机主"
)
_NAME_WORDS = re.compile(
    r"姓|叫|名字|我是|^[\u4e00-\u9fff]{2,4}(?:[，,。 ]|$)|小[\u4e00-\u9fff]|经理|主任|律师|警官|专员|处长|[\u4e00-\u9fff]处$|某"
)
_CODE = re.compile(r"(?<![0-9])[0-9]{6}(?![0-9])")
_LOAN = re.compile(r"L[0-9]{6,}", re.IGNORECASE)
_FOUR = re.compile(r"(?<![0-9])[0-9]{3}[0-9X](?![0-9])", re.IGNORECASE)


def sign_number(key: str, sender: str, caller_number: str, exp: int) -> str:
    """Contract §2: hex HMAC-SHA256 of "{sender}|{caller_number}|{exp}" under the web signing key."""
    message = f"{sender}|{caller_number}|{exp}".encode()
    return hmac.new(key.encode("utf-8"), message, hashlib.sha256).hexdigest()


def rest_metadata(persona: Persona, sender: str, key: str, now: Optional[float] = None) -> Dict[str, object]:
    """The REST message metadata this caller's web page sends: the number, signed when the login vouches for it."""
    if not persona.caller_number:
        return {}
    metadata: Dict[str, object] = {"caller_number": persona.caller_number}
    if persona.signed_number:
        exp = int(now if now is not None else time.time()) + 600
        metadata["caller_number_exp"] = exp
        metadata["caller_number_sig"] = sign_number(key, sender, persona.caller_number, exp)
    return metadata


def informative(kind: str, line: str) -> bool:
    """Whether saying `line` to a `kind` question gave the bot what it asked for."""
    if line == NO_PHONE_LINE or line == NO_CODE_YET_LINE:
        return False
    text = digits_normalized(line)
    if kind == "id_digits":
        return bool(_FOUR.search(text)) and not _REFUSAL.search(line)
    if kind == "loan_id":
        return bool(_LOAN.search(text)) and not _REFUSAL.search(line)
    if kind == "sms_code":
        return bool(_CODE.search(text))
    if kind in ("confirm", "other", "closing"):
        return False  # nothing a later question could be asking for again
    if _REFUSAL.search(line.strip()):
        return False
    if kind == "registered_phone":
        return bool(_PHONE.search(text))
    if kind == "role":
        return bool(_ROLE_WORDS.search(line))
    if kind in ("caller_name", "borrower_name"):
        return bool(_NAME_WORDS.search(line.strip()))
    return True


def latest_code(outbox: Path, phone: str, skip_lines: int = 0) -> Optional[str]:
    """The newest 6-digit code sent to `phone` in the SMS outbox, ignoring its first `skip_lines` lines."""
    try:
        lines = outbox.read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    want = re.sub(r"\D", "", phone)
    for raw in reversed(lines[skip_lines:]):
        try:
            item = json.loads(raw)
        except ValueError:
            continue
        if re.sub(r"\D", "", str(item.get("to", ""))) != want:
            continue
        codes = _CODE.findall(str(item.get("text", "")))
        if codes:
            return codes[0]
    return None


def outbox_lines(outbox: Path) -> int:
    try:
        return len(outbox.read_text(encoding="utf-8").splitlines())
    except OSError:
        return 0


@dataclass(frozen=True)
class Answer:
    """What the caller says (or keys) to one question."""

    kind: str  # the kind answered (for an either-or question: the alternative chosen)
    text: str  # the words, or the keys for DTMF
    dtmf: bool = False
    informative: bool = False


class Caller:
    """One persona during one call: remembers how often each kind was answered."""

    def __init__(
        self,
        persona: Persona,
        customers: Mapping[str, Customer],
        outbox: Optional[Path] = None,
        outbox_start: int = 0,
    ) -> None:
        self.persona = persona
        self.customer = customers.get(persona.truth_customer) if persona.truth_customer else None
        self.outbox = outbox
        self.outbox_start = outbox_start
        self.answered: Counter = Counter()
        self.said_purpose = False

    def line(self, kind: str) -> str:
        """The persona's next line for `kind` (the last one again once the list runs out)."""
        lines = self.persona.answers.get(kind) or self.persona.answers.get("other") or ("嗯",)
        return lines[min(self.answered[kind], len(lines) - 1)]

    def choose(self, question: Question) -> str:
        """The kind the caller answers: for an either-or question, the first alternative it can answer."""
        if question.alternatives:
            for kind in question.alternatives:
                if informative(kind, self._peek(kind)):
                    return kind
            return question.alternatives[0]
        return question.kind

    def _peek(self, kind: str) -> str:
        if kind in self.persona.dtmf:
            return self.persona.dtmf[kind]
        return self.line(kind)

    def answer(self, question: Question) -> Answer:
        kind = self.choose(question)
        if kind == "closing":
            return self._closing()
        if kind in self.persona.dtmf:
            keys = self.persona.dtmf[kind]
            self.answered[kind] += 1
            return Answer(kind, keys, dtmf=True, informative=bool(re.search(r"[0-9]", keys)))
        text = self.line(kind)
        self.answered[kind] += 1
        if kind == "sms_code":
            text = self._code_line(text)
        if kind == "purpose":
            self.said_purpose = True
        return Answer(kind, text, informative=informative(kind, text))

    def other(self) -> Answer:
        """What the caller says when the bot asked nothing and the call goes on."""
        text = self.line("other")
        self.answered["other"] += 1
        return Answer("other", text)

    def _closing(self) -> Answer:
        """'Anything else?': a caller with several matters who never got to say them all says them now."""
        matters = self.persona.expect.get("matters") or []
        if len(matters) > 1 and not self.said_purpose:
            text = self.line("purpose")
            self.answered["purpose"] += 1
            self.said_purpose = True
            return Answer("purpose", text, informative=informative("purpose", text))
        self.answered["closing"] += 1
        return Answer("closing", CLOSING_LINE)

    def _code_line(self, plan: str) -> str:
        if plan == "no_phone":
            return NO_PHONE_LINE
        if plan != "read":
            return plan
        if self.customer is None or self.outbox is None:
            return NO_CODE_YET_LINE
        code = latest_code(self.outbox, self.customer.registered_phone, self.outbox_start)
        return CODE_LINE.format(code=code) if code else NO_CODE_YET_LINE


def opening_facts(persona: Persona, customer: Optional[Customer], lines: Sequence[str]) -> set:
    """Kinds whose fact the caller already said in these (heard) lines: the real account's name
    (for caller_name only when the caller is, or says they are, that person), ID last four, loan id."""
    if customer is None:
        return set()
    own_name = persona.truth_role == "borrower" or any(
        mentions_name(line, customer.name) for line in persona.answers.get("caller_name", ())
    )
    said = set()
    for text in lines:
        if mentions_name(text, customer.name):
            said.add("borrower_name")
            if own_name:
                said.add("caller_name")
        if mentions_id_last4(text, customer.id_last4):
            said.add("id_digits")
        if mentions_loan_id(text, customer.loan_id):
            said.add("loan_id")
    return said
