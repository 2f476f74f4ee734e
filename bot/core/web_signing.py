"""Signed web numbers (contract §2): the lender's web backend vouches for a caller's login phone.

A browser can write anything into the REST channel's metadata, so with a signing
key set `metadata.caller_number` counts only with `caller_number_exp` (unix
seconds, not past) and `caller_number_sig` = hex HMAC-SHA256 of
"{sender}|{caller_number}|{exp}" under the key. Pure: the channel
(bot/integration/channels/rest.py) applies it to each message.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Any, Union

Key = Union[str, bytes]
_HEX = re.compile(r"[0-9a-fA-F]{64}")


def _key(key: Key) -> bytes:
    return key if isinstance(key, bytes) else key.encode("utf-8")


def message(sender: str, number: str, exp: Union[int, str]) -> bytes:
    """The signed bytes: "{sender}|{caller_number}|{exp}" in UTF-8."""
    return f"{sender}|{number}|{int(exp)}".encode()


def sign(key: Key, sender: str, number: str, exp: Union[int, str]) -> str:
    """The hex HMAC-SHA256 the lender's backend puts into metadata.caller_number_sig."""
    return hmac.new(_key(key), message(sender, number, exp), hashlib.sha256).hexdigest()


def _expiry(exp: Any) -> Union[int, None]:
    """exp as whole unix seconds (an int, or a string of digits), else None."""
    if isinstance(exp, bool):
        return None
    if isinstance(exp, int):
        return exp
    if isinstance(exp, str) and exp.strip().isdigit() and exp.strip().isascii():
        return int(exp.strip())
    return None


def verify(key: Key, sender: Any, number: Any, exp: Any, sig: Any, now: float) -> bool:
    """Whether `sig` signs this sender and number and `exp` is not past `now` (constant time)."""
    expiry = _expiry(exp)
    if not key or expiry is None or not isinstance(sender, str) or not isinstance(number, str):
        return False
    if not isinstance(sig, str) or not _HEX.fullmatch(sig):
        return False
    expected = sign(key, sender, number, expiry)
    return hmac.compare_digest(expected, sig.lower()) and now <= expiry
