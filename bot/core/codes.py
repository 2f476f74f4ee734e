"""Verification codes as people see and say them (contract §5): the SMS text, the masked
number the caller hears, and the code read out of what the caller says or keys.

Pure: the sending, storing and checking are `bot.services.sms`.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import Optional

from bot.core.datafiles import catalogue
from bot.core.textnorm import spoken_digits_to_arabic

CODE_LENGTH = 6
EXPIRY_MINUTES = 5
MAX_WRONG = 3

_SIX = re.compile(r"(?<![0-9])[0-9]{6}(?![0-9])")
# Digit groups a caller may put between the digits of one code: spaces, commas, dashes.
_GROUPS = re.compile(r"[0-9]+(?:[ \t,，、\-]+[0-9]+)*")


@cache
def _template() -> str:
    text = str(catalogue("sms.yml")["verification_code"])
    return "".join(line.strip() for line in text.splitlines())


def sms_text(code: str, minutes: int = EXPIRY_MINUTES) -> str:
    """The SMS carrying the code; the code is its only run of six digits (or ValueError)."""
    if not re.fullmatch(r"[0-9]{6}", code or ""):
        raise ValueError("a verification code is six digits")
    text = _template().format(code=code, minutes=minutes)
    runs = _SIX.findall(text)
    if runs != [code] or re.search(r"[0-9]{7,}", text):
        raise ValueError("sms.yml: the code must be the only run of six digits in the SMS")
    return text


def masked_phone(phone: str) -> str:
    """The number as the caller hears it: 137****0001."""
    digits = re.sub(r"\D", "", phone or "")
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix) :]
    if len(digits) >= 8:
        return f"{digits[:3]}****{digits[-4:]}"
    return "****"


def extract_code(text: str) -> Optional[str]:
    """The six-digit code in what a caller said or keyed, or None.

    Arabic digits or Chinese numerals (幺/一, 两/二, 洞/零, 三…九), with spaces or commas
    between ("验证码是 幺二三 四五六", "1 2 3, 4 5 6", "123456#"). A longer number (a phone
    number) is not a code; two different codes in one sentence are ambiguous (None), so
    the caller is asked again rather than an attempt spent on a guess.
    """
    raw = spoken_digits_to_arabic(unicodedata.normalize("NFKC", text or ""))
    found = []
    for cluster in _GROUPS.finditer(raw):
        groups = re.findall(r"[0-9]+", cluster.group(0))
        joined = "".join(groups)
        if len(joined) == CODE_LENGTH:
            found.append(joined)
        else:
            found.extend(g for g in groups if len(g) == CODE_LENGTH)
    distinct = list(dict.fromkeys(found))
    return distinct[0] if len(distinct) == 1 else None
