"""Combine risk signals into a score and a level, and say what the level requires."""

from __future__ import annotations

from dataclasses import replace
from typing import Dict, List, Optional

from bot.core.risk.config import LevelRequirement, RiskConfig, load_config
from bot.core.risk.model import (
    LEVELS,
    Assessment,
    CallFacts,
    RiskContext,
    Signal,
    max_level,
    min_level,
    trusted_verification,
)
from bot.core.risk.signals import FINDERS, is_verified_borrower

__all__ = [
    "assess",
    "load_config",
    "requirements_for",
    "collect_signals",
    "adjust_signals",
    "combine",
    "decide_level",
    "level_for_score",
    "fit_score",
    "next_step_for",
    "is_victim_report",
]


def collect_signals(facts: CallFacts, context: RiskContext, config: RiskConfig) -> List[Signal]:
    """Every raw signal the finders raise for this call."""
    out: List[Signal] = []
    for finder in FINDERS:
        out.extend(finder(facts, context, config))
    return out


def _role_key(facts: CallFacts, config: RiskConfig) -> str:
    """The role_factor key for this caller (the verified borrower has its own)."""
    if is_verified_borrower(facts):
        return "borrower_verified"
    return facts.caller_role if facts.caller_role in config.role_factor else "unknown"


def is_victim_report(facts: CallFacts, config: RiskConfig) -> bool:
    """Whether the caller reports being a victim (their quoted words are evidence, not intent):
    a borrower, relative or not-yet-identified caller reporting fraud, or saying an agency
    took their money (lexicon patterns.victim_report)."""
    if facts.caller_role not in config.victim_roles:
        return False
    if facts.purpose in config.victim_purposes:
        return True
    return any(config.patterns["victim_report"].search(text) for text in facts.utterances)


def _adjust_one(signal: Signal, facts: CallFacts, config: RiskConfig, victim: bool = False) -> Optional[Signal]:
    """One signal after role factors, protections and caps; None when it must not count."""
    verified = is_verified_borrower(facts)
    by_operator = signal.evidence == "operator_flag"
    if verified and signal.code in config.skip_verified_borrower and not by_operator:
        return None
    if signal.code in config.phrase_signals and not by_operator:
        signal = replace(signal, weight=signal.weight * config.role_factor[_role_key(facts, config)])
        if verified:
            signal = replace(signal, ceiling=min_level(signal.ceiling, config.verified_borrower_ceiling))
    # a victim's words are quotes unless they present as an organisation; anyone's reported speech is a quote
    quoting = (victim and not signal.own_claim) or (signal.quoted and facts.caller_role in config.victim_roles)
    if quoting and signal.quotable and not by_operator:
        signal = replace(signal, ceiling=min_level(signal.ceiling, config.victim_ceiling), severe=False)
    return signal if signal.weight > 0 else None


def adjust_signals(signals: List[Signal], facts: CallFacts, config: RiskConfig) -> List[Signal]:
    """Apply the genuine-consumer protections and drop duplicates; strongest first."""
    kept: Dict[tuple, Signal] = {}
    victim = is_victim_report(facts, config)
    for signal in signals:
        adjusted = _adjust_one(signal, facts, config, victim)
        if adjusted is not None:
            kept.setdefault((adjusted.code, adjusted.evidence), adjusted)
    return sorted(kept.values(), key=lambda s: (not s.severe, -s.weight))


def combine(signals: List[Signal]) -> float:
    """Noisy-OR of the signal weights: 1 - prod(1 - w), in [0, 1]."""
    rest = 1.0
    for s in signals:
        rest *= 1.0 - min(max(s.weight, 0.0), 1.0)
    return 1.0 - rest


def level_for_score(score: float, thresholds: Dict[str, float]) -> str:
    """The highest level whose threshold the score reaches."""
    level = "none"
    for name in LEVELS[1:]:
        if score >= thresholds[name]:
            level = name
    return level


def decide_level(score: float, signals: List[Signal], config: RiskConfig) -> str:
    """Level by score, held under the signals' ceilings; any severe signal makes level1."""
    if any(s.severe for s in signals):
        return "level1"
    cap = max_level(*(s.ceiling for s in signals))
    return min_level(level_for_score(score, config.thresholds), cap)


def fit_score(score: float, level: str, thresholds: Dict[str, float]) -> float:
    """Keep the reported score inside the band of the decided level."""
    index = LEVELS.index(level)
    low = thresholds.get(level, 0.0)
    high = thresholds[LEVELS[index + 1]] - 0.001 if index + 1 < len(LEVELS) else 1.0
    return round(min(max(score, low), high), 3)


def requirements_for(level: str, config: Optional[RiskConfig] = None) -> LevelRequirement:
    """What a level requires of the script: next_step, fallback, follow-ups, extra materials."""
    cfg = config or load_config()
    if level not in cfg.requirements:
        raise ValueError(f"unknown level {level!r}; expected one of {', '.join(LEVELS)}")
    return cfg.requirements[level]


def assess(facts: CallFacts, context: Optional[RiskContext] = None, config: Optional[RiskConfig] = None) -> Assessment:
    """Assess one call: signals with evidence, score in [0, 1], level and what it requires."""
    cfg = config or load_config()
    trusted_verification(facts)  # refuses a verification code the contract does not know
    signals = adjust_signals(collect_signals(facts, context or RiskContext(), cfg), facts, cfg)
    level = decide_level(combine(signals), signals, cfg)
    requirement = requirements_for(level, cfg)
    return Assessment(
        level,
        fit_score(combine(signals), level, cfg.thresholds),
        signals,
        next_step_for(requirement, signals),
        list(requirement.extra_materials),
    )


def next_step_for(requirement: LevelRequirement, signals: List[Signal]) -> str:
    """The level's next step; where crime is suspected (a severe signal) its follow-up, the police-report packet."""
    if requirement.follow_up and any(s.severe for s in signals):
        return requirement.follow_up[0]
    return requirement.next_step
