"""Text and vector similarity: character shingles, Jaccard, MinHash, cosine."""

from __future__ import annotations

import hashlib
import math
import random
from functools import lru_cache
from typing import FrozenSet, List, Sequence, Tuple

from bot.core.textnorm import normalize

_MERSENNE = (1 << 61) - 1


@lru_cache(maxsize=50000)
def shingles(text: str, n: int = 3) -> FrozenSet[str]:
    """Character n-grams of the normalised text (punctuation, spaces and width ignored).

    Cached: the same stored complaints are compared on every turn of every call.
    """
    norm = normalize(text)
    if len(norm) <= n:
        return frozenset([norm]) if norm else frozenset()
    return frozenset(norm[i : i + n] for i in range(len(norm) - n + 1))


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


class ShingleIndex:
    """Shingle sets with an inverted index: every stored set whose Jaccard similarity with
    a query reaches a threshold, exactly, without comparing the query with every set.

    Search probes only the query's rarest shingles: a stored set sharing none of the
    `|A| - ceil(t·|A|) + 1` rarest shingles of A shares at most `ceil(t·|A|) - 1` with it,
    and Jaccard ≥ t needs `|A ∩ B| ≥ t·|A ∪ B| ≥ t·|A|` (the prefix filter of
    similarity joins; it holds for any order, rarity only makes the probe short). Every
    candidate found is then compared in full.
    """

    def __init__(self) -> None:
        self._items: List[object] = []
        self._sets: List[FrozenSet[str]] = []
        self._postings: dict = {}

    def __len__(self) -> int:
        return len(self._sets)

    def add(self, item: object, shingle_set: FrozenSet[str]) -> None:
        if not shingle_set:
            return
        position = len(self._sets)
        self._items.append(item)
        self._sets.append(shingle_set)
        postings = self._postings
        for shingle in shingle_set:
            # most shingles occur in one complaint: a bare position until a second one
            found = postings.get(shingle)
            if found is None:
                postings[shingle] = position
            elif type(found) is int:
                postings[shingle] = [found, position]
            else:
                found.append(position)

    def search(self, query: FrozenSet[str], threshold: float) -> List[Tuple[object, float]]:
        """(item, Jaccard similarity) of every stored set at or above `threshold` (> 0)."""
        size = len(query)
        if not size or not self._sets:
            return []
        # the least overlap any match needs, rounded down a hair so float error never
        # shortens the probe (a longer probe only finds more candidates to check)
        need = max(1, math.ceil(threshold * size - 1e-9))
        postings = self._postings

        def count(shingle: str) -> int:
            found = postings.get(shingle)
            return 0 if found is None else 1 if type(found) is int else len(found)

        rarest = sorted(query, key=count)[: size - need + 1]
        candidates = set()
        for shingle in rarest:
            found = postings.get(shingle)
            if found is None:
                continue
            if type(found) is int:
                candidates.add(found)
            else:
                candidates.update(found)
        found = []
        for position in sorted(candidates):
            other = self._sets[position]
            common = len(query & other)
            similarity = common / (size + len(other) - common)
            if similarity >= threshold:
                found.append((self._items[position], similarity))
        return found
