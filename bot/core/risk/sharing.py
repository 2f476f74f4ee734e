"""Industry sharing (行业协同): exchange watch-listed numbers as keyed hashes, never in clear."""

from __future__ import annotations

import hashlib
import hmac
from typing import Iterable, Set, Union

from bot.core.risk.phone import normalize_phone

Key = Union[str, bytes]


def _key_bytes(key: Key) -> bytes:
    """The partner key as bytes; an empty key is refused."""
    raw = key.encode("utf-8") if isinstance(key, str) else bytes(key)
    if not raw:
        raise ValueError("partner key must not be empty")
    return raw


def hash_phone(number: str, key: Key) -> str:
    """HMAC-SHA256 (hex) of the normalised number under the partner key."""
    digits = normalize_phone(number)
    if not digits:
        raise ValueError(f"not a phone number: {number!r}")
    return hmac.new(_key_bytes(key), digits.encode("ascii"), hashlib.sha256).hexdigest()


def hash_phones(numbers: Iterable[str], key: Key) -> Set[str]:
    """Keyed hashes of many numbers, for sending to a partner."""
    return {hash_phone(n, key) for n in numbers}


def match_phone_hash(number: str, hashes: Iterable[str], key: Key) -> bool:
    """Whether the number's keyed hash is among the partner's hashes."""
    mine = hash_phone(number, key)
    return any(hmac.compare_digest(mine, h.strip().lower()) for h in hashes)
