"""Personal data out of sight: the masks for log lines and for text kept at rest.

`mask` is what every log line passes (bot/ops/logs.py installs it as a filter):
phone numbers as 138****2222, ID numbers as ****3721, tokens as ****.

`mask_at_rest` is stricter, for caller text the project stores (the tracker store,
case details, agents' notes, evidence packets; PIPL art. 28 treats financial
accounts as sensitive): phone numbers as in the logs, and no ID digits at all —
a whole ID number, the last four (3721, 108X), a loan number (L********), a
verification code and every other run of four or more digits become stars, also
when spoken in Chinese numerals ("三七二一") or typed with spaces ("3 7 2 1").
Amounts, dates and quantities stay readable (8650.00元, 12,000, 2024年, 2024-01-15,
3721元), and so do the project's own reference numbers (TS202612010001).
What an identity check needs is kept in the dialogue's own slots, never re-read
from stored text.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Iterable

from bot.core.textnorm import spoken_digits_to_arabic

# ---- log lines ---------------------------------------------------------------
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(?:[0-9]{17}[0-9Xx]|[0-9]{15})(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![0-9])(?:\+?86[- ]?)?(1[3-9][0-9])[- ]?([0-9]{4})[- ]?([0-9]{4})(?![0-9])")
_LANDLINE = re.compile(r"(?<![0-9])(0[0-9]{2,3})-?([0-9]{3,4})([0-9]{4})(?![0-9])")
_BEARER = re.compile(r"(Bearer\s+)[^\s'\",}]+")
_JSON_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


def mask(text: str, secrets: Iterable[str] = ()) -> str:
    """Phone numbers as 138****2222, ID numbers as ****3721, tokens and keys as ****."""
    # JSON log lines escape Chinese (\u53f7); digits glued to the escape would hide a number
    text = _JSON_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    for secret in secrets:
        if secret and len(secret) >= 6:
            text = text.replace(secret, "****")
    text = _BEARER.sub(r"\1****", text)
    text = _ID_NUMBER.sub(lambda m: "****" + m.group(0)[-4:], text)
    text = _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)
    return _LANDLINE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)


# ---- text at rest ------------------------------------------------------------
# Digits as callers type or speak them; a digit before 位 is a count ("后四位"), not a digit.
_SPOKEN = "零〇洞一幺壹二两贰三叁四肆五伍六陆七柒拐八捌九玖勾"
_SPOKEN_VALUE = {ch: spoken_digits_to_arabic(ch) for ch in _SPOKEN}
_DIGIT = rf"(?:[0-9０-９{_SPOKEN}](?!位))"
_SEP = r"[ \t,，、\-]"
_X = r"[Xx×叉]"
_REST = re.compile(
    r"(?P<ref>(?<![A-Za-z0-9])(?:TS|YY|FZ|GD|K)[0-9]{12}(?![0-9]))"
    r"|(?P<loan>(?<![A-Za-z0-9])[A-Za-z]{1,3}[0-9]{6,12}(?![0-9]))"
    rf"|(?P<run>(?<![0-9０-９*]){_DIGIT}(?:{_SEP}?{_DIGIT})*(?:{_SEP}?{_X}(?![A-Za-z]))?(?![0-9０-９]))"
)
# What may follow or precede a number that is an amount, a date or a count rather than an identifier.
_UNIT_AFTER = re.compile(r"\s?(?:[.．][0-9]|[元块圆万千百年月日号天期笔个次%％分秒岁条张人])")
_CURRENCY_BEFORE = re.compile(r"(?:[¥￥$]|RMB|rmb)\s?$")
_GROUPED_AMOUNT = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+")
_DATE = re.compile(r"[0-9]{4}-[0-9]{1,2}(?:-[0-9]{1,2})?")


def _digits(run: str) -> str:
    out = []
    for ch in run:
        if ch in _SPOKEN_VALUE:
            out.append(_SPOKEN_VALUE[ch])
        elif ch.isdigit():
            out.append(unicodedata.normalize("NFKC", ch))
        elif ch in "Xx×叉":
            out.append("X")
    return "".join(out)


def _masked_run(run: str, before: str, after: str) -> str:
    digits = _digits(run)
    if len(digits) < 4:
        return run
    if re.fullmatch(r"(?:0086|86)?1[3-9][0-9]{9}", digits):
        return f"{digits[-11:-8]}****{digits[-4:]}"
    if re.fullmatch(r"[0-9]{17}[0-9X]|[0-9]{15}", digits):
        return "*" * len(digits)
    plain = run.isascii()
    if plain and (_GROUPED_AMOUNT.fullmatch(run) or _DATE.fullmatch(run)):
        return run
    if "X" not in digits and (_UNIT_AFTER.match(after) or _CURRENCY_BEFORE.search(before)):
        return run
    landline = re.fullmatch(r"(0[0-9]{2,3})([0-9]{3,4})([0-9]{4})", digits)
    if landline:
        return f"{landline.group(1)}****{landline.group(3)}"
    return "*" * len(digits)


def mask_at_rest(text: str) -> str:
    """Caller text as the project may keep it: no ID digits, no loan number, phone numbers masked."""
    if not text:
        return text

    def replace(m: re.Match) -> str:
        if m.group("ref"):
            return m.group(0)
        if m.group("loan"):
            loan = m.group(0)
            letters = len(loan) - len(loan.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"))
            return loan[:letters] + "*" * (len(loan) - letters)
        return _masked_run(m.group(0), text[max(0, m.start() - 4) : m.start()], text[m.end() : m.end() + 2])

    return _REST.sub(replace, text)
