"""Text normalisation for Chinese caller speech: width, digits, pinyin.

Plain Python, no Rasa: the NLU component, the identity checks and the risk
engine all read caller text through these helpers, so a typo or an ASR
homophone is handled the same way everywhere.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import List

from pypinyin import Style, lazy_pinyin

# Spoken digits as ASR engines and callers write them ("幺三八", "两千").
_CN_DIGITS = {
    "零": "0",
    "〇": "0",
    "洞": "0",
    "一": "1",
    "幺": "1",
    "壹": "1",
    "二": "2",
    "两": "2",
    "贰": "2",
    "三": "3",
    "叁": "3",
    "四": "4",
    "肆": "4",
    "五": "5",
    "伍": "5",
    "六": "6",
    "陆": "6",
    "七": "7",
    "柒": "7",
    "拐": "7",
    "八": "8",
    "捌": "8",
    "九": "9",
    "玖": "9",
    "勾": "9",
}
_CN_X = {"叉": "X", "乂": "X", "x": "X"}

_KEEP = re.compile(r"[^0-9a-z\u4e00-\u9fff]+")

# Initials and finals that southern accents and ASR confuse.
_FUZZY_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"))
_FUZZY_FINALS = (("ang", "an"), ("eng", "en"), ("ing", "in"), ("iang", "ian"), ("uang", "uan"))


def normalize(text: str) -> str:
    """Full-width to half-width, lower case, punctuation and spaces removed."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return _KEEP.sub("", text)


def spoken_digits_to_arabic(text: str) -> str:
    """Turn spoken digits ("幺三八叉") into "138X"; other characters stay."""
    out = []
    text = unicodedata.normalize("NFKC", text or "")
    for i, ch in enumerate(text):
        if text[i + 1 : i + 2] == "位":  # "后四位" is a cue, not a digit
            out.append(ch)
            continue
        out.append(_CN_DIGITS.get(ch) or _CN_X.get(ch) or ch)
    return "".join(out)


def fuzzy_syllable(syllable: str) -> str:
    """Fold a pinyin syllable so that common ASR/accent confusions compare equal."""
    s = syllable
    for a, b in _FUZZY_INITIALS:
        if s.startswith(a):
            s = b + s[len(a) :]
            break
    if s.startswith("n"):
        s = "l" + s[1:]
    for a, b in _FUZZY_FINALS:
        if s.endswith(a):
            s = s[: -len(a)] + b
            break
    return s


@lru_cache(maxsize=4096)
def _pinyin_cached(text: str) -> tuple:
    return tuple(lazy_pinyin(text, style=Style.NORMAL, errors=lambda chunk: list(chunk)))


def pinyin(text: str, fuzzy: bool = False) -> List[str]:
    """Syllables of the normalised text; non-Chinese characters are kept one by one."""
    syllables = list(_pinyin_cached(normalize(text)))
    if fuzzy:
        syllables = [fuzzy_syllable(s) for s in syllables]
    return syllables


def pinyin_key(text: str) -> str:
    """A fuzzy pinyin string for homophone-tolerant comparison ("挺息挂帐" == "停息挂账")."""
    return " ".join(pinyin(text, fuzzy=True))
