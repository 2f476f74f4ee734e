"""Phone-number normalisation shared by the watchlist check and industry sharing."""

from __future__ import annotations

import re
import unicodedata

from bot.core.textnorm import spoken_digits_to_arabic

_NON_DIGIT = re.compile(r"\D+")


def normalize_phone(number: str) -> str:
    """Digits only, without the +86 / 0086 country prefix ("+86 138-0000-0000" -> "13800000000")."""
    text = spoken_digits_to_arabic(unicodedata.normalize("NFKC", number or "")).strip()
    digits = _NON_DIGIT.sub("", text)
    if digits.startswith("0086"):
        return digits[4:]
    if text.startswith("+86"):
        return digits[2:]
    if len(digits) == 13 and digits.startswith("861"):
        return digits[2:]
    return digits
