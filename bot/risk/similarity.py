"""Text and vector similarity: character shingles, Jaccard, MinHash, cosine."""
from __future__ import annotations

import hashlib
import math
import random
from functools import lru_cache
from typing import FrozenSet, List, Sequence, Tuple

from bot.textnorm import normalize

_MERSENNE = (1 << 61) - 1


@lru_cache(maxsize=50000)
def shingles(text: str, n: int = 3) -> FrozenSet[str]:
    """Character n-grams of the normalised text (punctuation, spaces and width ignored).

    Cached: the same stored complaints are compared on every turn of every call.
    """
    norm = normalize(text)
    if len(norm) <= n:
        return frozenset([norm]) if norm else frozenset()
    return frozenset(norm[i:i + n] for i in range(len(norm) - n + 1))


def jaccard(a: FrozenSet[str], b: FrozenSet[str]) -> float:
    """Jaccard similarity of two shingle sets (0 when both are empty)."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def _shingle_hash(shingle: str) -> int:
    """A stable 61-bit hash of one shingle (independent of PYTHONHASHSEED)."""
    digest = hashlib.blake2b(shingle.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % _MERSENNE


@lru_cache(maxsize=8)
def _permutations(num_perm: int, seed: int) -> Tuple[Tuple[int, int], ...]:
    """The (a, b) pairs of the universal hash functions used by MinHash."""
    rng = random.Random(seed)
    return tuple((rng.randrange(1, _MERSENNE), rng.randrange(0, _MERSENNE)) for _ in range(num_perm))


def minhash_signature(items: FrozenSet[str], num_perm: int = 128, seed: int = 1) -> List[int]:
    """MinHash signature of a shingle set; equal positions estimate Jaccard similarity."""
    perms = _permutations(num_perm, seed)
    hashes = [_shingle_hash(s) for s in items]
    if not hashes:
        return [_MERSENNE] * num_perm
    return [min((a * h + b) % _MERSENNE for h in hashes) for a, b in perms]


def minhash_similarity(sig_a: Sequence[int], sig_b: Sequence[int]) -> float:
    """Estimated Jaccard similarity: the share of equal signature positions."""
    if not sig_a or len(sig_a) != len(sig_b):
        return 0.0
    return sum(1 for x, y in zip(sig_a, sig_b) if x == y) / len(sig_a)


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    """Cosine similarity of two vectors of equal length (0 for a zero vector)."""
    if len(a) != len(b):
        raise ValueError(f"vector lengths differ: {len(a)} != {len(b)}")
    dot = sum(float(x) * float(y) for x, y in zip(a, b))
    norm_a = math.sqrt(sum(float(x) * float(x) for x in a))
    norm_b = math.sqrt(sum(float(y) * float(y) for y in b))
    if norm_a == 0.0 or norm_b == 0.0:
        return 0.0
    return dot / (norm_a * norm_b)
