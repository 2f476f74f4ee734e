"""Identity checks: parse what the caller said and compare it with the record.

The borrower is verified by name plus the last four ID digits (or the loan
number). Names are compared by fuzzy pinyin too, because speech recognisers
write homophones (章伟 for 张伟). The calling number is compared with the
registered phone and the result kept; it never verifies on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Optional

from bot.core.textnorm import normalize, pinyin_key, spoken_digits_to_arabic

MAX_ATTEMPTS = 3

_LOAN = re.compile(r"(?<![A-Z0-9])([A-Z]{1,3}[0-9]{6,12})(?![0-9])")
_DIGIT_RUN = re.compile(r"[0-9X]+")
_NAME_CUES = (
    "我叫",
    "名字叫",
    "名字是",
    "姓名是",
    "姓名",
    "叫做",
    "他叫",
    "她叫",
    "借款人叫",
    "借款人是",
    "借款人",
    "我是",
    "本人",
    "是",
)
_FILLER = re.compile(
    r"(身份证号?码?|证件号?码?|后四位|后4位|尾号|末四位|借款编号|借款号|合同号|编号|号码|"
    r"我的|他的|她的|是的|就是|那个|嗯|呃|啊|哦|呀|吧|呢|的|了|对|好)"
)
_CN = re.compile(r"[\u4e00-\u9fff]+")


@dataclass(frozen=True)
class Match:
    """The result of comparing what was said with the customer records."""

    customer_id: Optional[str]
    phone_match: Optional[bool]

    @property
    def matched(self) -> bool:
        return self.customer_id is not None


def parse_code(text: str) -> Optional[str]:
    """The ID last four or the loan number in an utterance, if any."""
    raw = spoken_digits_to_arabic(text or "").upper().replace(" ", "")
    loan = _LOAN.search(raw)
    if loan:
        return loan.group(1)
    runs = [r for r in _DIGIT_RUN.findall(raw) if any(ch.isdigit() for ch in r)]
    for run in runs:
        if len(run) == 4 and re.fullmatch(r"[0-9]{3}[0-9X]", run):
            return run
    for run in runs:  # a whole ID number read out: keep only the last four
        if len(run) in (15, 18) and re.fullmatch(r"[0-9]{14,17}[0-9X]", run):
            return run[-4:]
    return None


_CODE_CUES = ("后四位", "后4位", "尾号", "末四位", "身份证", "借款编号", "借款号", "合同号", "编号")


def has_code_cue(text: str) -> bool:
    """Whether the caller is plainly giving ID digits or a loan number (unprompted)."""
    raw = spoken_digits_to_arabic(text or "").upper()
    if _LOAN.search(raw.replace(" ", "")):
        return True
    return any(cue in (text or "") for cue in _CODE_CUES) and parse_code(text) is not None


def parse_name(text: str) -> Optional[str]:
    """A Chinese personal name in an utterance, with fillers and digits removed."""
    cleaned = spoken_digits_to_arabic(text or "")
    cleaned = _LOAN.sub("", cleaned.upper())
    cleaned = re.sub(r"[0-9X]", "", cleaned)
    cleaned = _FILLER.sub("", cleaned)
    for cue in _NAME_CUES:
        if cue in cleaned:
            cleaned = cleaned.split(cue, 1)[1] or cleaned
    chunks = [c for c in _CN.findall(cleaned) if 2 <= len(c) <= 4]
    return chunks[0] if chunks else None


def has_name_cue(text: str) -> bool:
    return any(cue in (text or "") for cue in ("我叫", "名字", "姓名", "他叫", "她叫", "借款人叫"))


def same_name(said: str, recorded: str) -> bool:
    """Whether what was said contains the recorded name, in characters or in sound."""
    said_n, rec_n = normalize(said), normalize(recorded)
    if not said_n or not rec_n:
        return False
    if rec_n in said_n:
        return True
    rec_key = pinyin_key(rec_n)
    size = len(rec_n)
    return any(pinyin_key(said_n[i : i + size]) == rec_key for i in range(len(said_n) - size + 1))


def phones_equal(a: Optional[str], b: Optional[str]) -> Optional[bool]:
    """Whether two phone numbers are the same line; None when one is unknown."""
    da, db = _digits(a), _digits(b)
    if not da or not db:
        return None
    return da[-11:] == db[-11:]


def _digits(phone: Optional[str]) -> str:
    return re.sub(r"\D", "", phone or "")


def match_customer(name_said: str, code: str, candidates: Iterable, caller_number: Optional[str]) -> Match:
    """Compare a name and a code with the candidate records that carry that code."""
    for customer in candidates:
        if same_name(name_said, customer.name):
            return Match(customer.customer_id, phones_equal(caller_number, customer.registered_phone))
    return Match(None, None)
