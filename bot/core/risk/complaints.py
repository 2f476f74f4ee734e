"""Stored complaints indexed for the template check, kept by the caller between turns.

The engine stays pure: it is handed a complaint search — any object with `shingle_size`,
`min_chars` and `matches(query_shingles, threshold)` — in `RiskContext.complaint_search`.
The action server's is the database index (bot/services/complaint_index.py, shared by
every process); `ComplaintSearch` over an in-memory `ComplaintIndex` is the same search
in one process (tests and the benchmark compare the two). Without one, the engine
compares with `RiskContext.complaint_corpus` one by one; all give the same verdict
(tests/unit/test_risk_complaint_index.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import FrozenSet, List, Optional, Tuple

from bot.core.risk.similarity import ShingleIndex, shingles
from bot.core.textnorm import normalize


@dataclass(frozen=True)
class StoredComplaint:
    """A complaint text another call registered."""

    customer_id: str
    call_id: str
    created_at: datetime
    text: str


@lru_cache(maxsize=50000)
def stored_complaint_shingles(text: str, n: int, min_chars: int) -> Optional[FrozenSet[str]]:
    """A stored complaint's shingles, or None when it is too short to compare.

    Cached: the same stored complaints are compared on every turn of every call.
    """
    if len(normalize(text)) < min_chars:
        return None
    return shingles(text, n) or None


class ComplaintIndex:
    """Every stored complaint long enough to compare, by shingle."""

    def __init__(self, shingle_size: int, min_chars: int) -> None:
        self.shingle_size = shingle_size
        self.min_chars = min_chars
        self._index = ShingleIndex()

    def __len__(self) -> int:
        return len(self._index)

    def add(self, complaint: StoredComplaint) -> None:
        found = stored_complaint_shingles(complaint.text, self.shingle_size, self.min_chars)
        if found:
            self._index.add(complaint, found)

    def search(self, query: FrozenSet[str], threshold: float) -> List[Tuple[StoredComplaint, float]]:
        """(complaint, Jaccard similarity) of every complaint at or above `threshold`."""
        return self._index.search(query, threshold)  # type: ignore[return-value]


@dataclass(frozen=True)
class ComplaintSearch:
    """The index, less this call's own complaints and those older than `since`."""

    index: ComplaintIndex
    exclude_call_id: str
    since: datetime

    @property
    def shingle_size(self) -> int:
        return self.index.shingle_size

    @property
    def min_chars(self) -> int:
        return self.index.min_chars

    def matches(self, query: FrozenSet[str], threshold: float) -> List[Tuple[str, float]]:
        """(customer_id, similarity) of the other calls' complaints at or above `threshold`."""
        return [
            (c.customer_id, sim)
            for c, sim in self.index.search(query, threshold)
            if c.call_id != self.exclude_call_id and c.created_at >= self.since
        ]
