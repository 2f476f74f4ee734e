"""Plain data of the proxy-risk engine: call facts, context, signals, assessment."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Dict, List, Optional, Sequence, Set, Tuple

from bot.core.vocabulary import CALLER_ROLES, LEVELS, MATERIALS, NEXT_STEPS, PURPOSES, SIGNAL_CODES

__all__ = ["CALLER_ROLES", "LEVELS", "MATERIALS", "NEXT_STEPS", "PURPOSES", "SIGNAL_CODES"]


def level_rank(level: str) -> int:
    """Position of a level in the order none < watch < level2 < level1."""
    return LEVELS.index(level)


def max_level(*levels: str) -> str:
    """The highest of the given levels ("none" when given none)."""
    return max(levels, key=level_rank, default="none")


def min_level(*levels: str) -> str:
    """The lowest of the given levels ("level1" when given none)."""
    return min(levels, key=level_rank, default="level1")


@dataclass(frozen=True)
class Signal:
    """One risk signal with the evidence that raised it and its weight in the score."""

    code: str
    evidence: str
    weight: float
    ceiling: str = "level2"  # the highest level this signal can justify on its own
    severe: bool = False  # forces level1 (impersonating_official, extortion, forged_document)
    quotable: bool = False  # raised by words a victim may merely be quoting

    def to_dict(self) -> Dict[str, str]:
        """The contract shape {"code", "evidence"}."""
        return {"code": self.code, "evidence": self.evidence}


@dataclass
class CallFacts:
    """What the dialogue has established about the call so far."""

    caller_role: str = "unknown"
    identity_verified: bool = False
    purpose: str = "unknown"
    utterances: List[str] = field(default_factory=list)  # the caller's turns only
    caller_number: str = ""
    authorisation_shown: bool = False
    voiceprint: Optional[List[float]] = None
    operator_flags: List[str] = field(default_factory=list)  # signal codes an agent flagged by hand


@dataclass
class RiskContext:
    """Operator data the call is compared with (loaded by the caller of the engine)."""

    watchlist_phones: Set[str] = field(default_factory=set)
    watchlist_phrases: List[str] = field(default_factory=list)
    enrolled_voiceprints: List[Tuple[str, Sequence[float]]] = field(default_factory=list)
    number_history: List[Tuple[str, datetime]] = field(default_factory=list)  # earlier calls from this number
    complaint_corpus: List[Tuple[str, str]] = field(default_factory=list)  # (customer_id, complaint text)
    # The same complaints, indexed (bot.core.risk.complaints): with exact Jaccard (template.method
    # jaccard) it is used instead of the corpus when set; MinHash always reads the corpus.
    complaint_search: Optional[Any] = None
    current_customer_id: Optional[str] = None
    now: Optional[datetime] = None


@dataclass
class Assessment:
    """The engine's verdict: level, score, the signals behind it and what the level requires."""

    level: str
    score: float
    signals: List[Signal]
    next_step: str
    extra_materials: List[str]

    def to_dict(self) -> Dict[str, object]:
        """The contract `proxy_risk` shape {"level", "score", "signals": [{"code", "evidence"}]}."""
        return {
            "level": self.level,
            "score": round(self.score, 3),
            "signals": [s.to_dict() for s in self.signals],
        }
