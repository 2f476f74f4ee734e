"""Plain data of the proxy-risk engine: call facts, context, signals, assessment."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Dict, List, Optional, Sequence, Set, Tuple

from bot.core.vocabulary import (
    CALLER_ROLES,
    LEVELS,
    MATERIALS,
    NEXT_STEPS,
    PURPOSES,
    SIGNAL_CODES,
    TRUSTED_VERIFICATION,
    VERIFICATION,
)

__all__ = [
    "CALLER_ROLES",
    "LEVELS",
    "MATERIALS",
    "NEXT_STEPS",
    "PURPOSES",
    "SIGNAL_CODES",
    "TRUSTED_VERIFICATION",
    "VERIFICATION",
]


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
    quoted: bool = False  # those words were attributed to someone else ("他们说…", "那个自称…的人")
    own_claim: bool = False  # those words follow the caller presenting as an organisation ("我们是…")

    def to_dict(self) -> Dict[str, str]:
        """The contract shape {"code", "evidence"}."""
        return {"code": self.code, "evidence": self.evidence}


@dataclass
class CallFacts:
    """What the dialogue has established about the call so far.

    `verification` is how the borrower was verified (contract §3 v1.1). Only
    `registered_phone` and `sms_code` count as a verified borrower: `knowledge` (name and
    ID digits) is what a proxy holding the ID card also has. Callers written before the
    levels existed set only `identity_verified`; with `verification` left at "none",
    `identity_verified=True` is read as a trusted verification (the contract's meaning of
    identity_verified since v1.1). Once `verification` is set, it alone decides.

    `role_claims` are the roles the caller claimed, each with the sentence that claimed it,
    in call order (e.g. ("authorized_agent", "我是她的法务"), ("borrower", "我就是孙悦本人")).
    """

    caller_role: str = "unknown"
    identity_verified: bool = False
    purpose: str = "unknown"
    utterances: List[str] = field(default_factory=list)  # the caller's turns only
    caller_number: str = ""
    authorisation_shown: bool = False
    voiceprint: Optional[List[float]] = None
    operator_flags: List[str] = field(default_factory=list)  # signal codes an agent flagged by hand
    verification: str = "none"  # none | knowledge | registered_phone | sms_code
    role_claims: Tuple[Tuple[str, str], ...] = ()  # (role code, the caller's sentence), in call order


def trusted_verification(facts: CallFacts) -> bool:
    """Whether the caller proved possession of the borrower's phone (registered_phone or sms_code).

    Old callers that set only identity_verified (verification "none") keep working.
    """
    if facts.verification not in VERIFICATION:
        raise ValueError(f"unknown verification {facts.verification!r}; expected one of {', '.join(VERIFICATION)}")
    if facts.verification == "none":
        return facts.identity_verified
    return facts.verification in TRUSTED_VERIFICATION


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
