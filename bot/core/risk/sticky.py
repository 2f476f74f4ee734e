"""Risk within one call: signals once raised stay, and the level only rises (issue 13).

The engine assesses the whole call afresh on every turn, so a caller who changes what
the dialogue knows ("我就是本人", a new role, a verification) could make earlier
signals disappear and the level fall. `carry_forward` holds on to them: every signal
raised earlier in the call stays with the evidence it was first raised with, and the
level never falls below the one already reached. Only an operator's recorded decision
(`operator_floor`) lets it fall, and then only as far as the operator decided and as
the current evidence allows.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Dict, Mapping, Optional, Sequence, Tuple

from bot.core.risk.config import RiskConfig, load_config
from bot.core.risk.engine import combine, fit_score, next_step_for, requirements_for
from bot.core.risk.model import LEVELS, Assessment, Signal, max_level

__all__ = ["carry_forward", "signal_from_dict"]


def signal_from_dict(item: Mapping[str, Any]) -> Signal:
    """A signal as kept in the conversation ({"code", "evidence", "weight", "ceiling", "severe"}).

    Older dicts carry only code, evidence and weight: their ceiling is taken as level2 and
    they are not severe (the level they reached is kept by the level floor anyway).
    """
    ceiling = item.get("ceiling")
    return Signal(
        str(item.get("code") or ""),
        str(item.get("evidence") or ""),
        float(item.get("weight") or 0.0),
        ceiling if ceiling in LEVELS else "level2",
        bool(item.get("severe", False)),
    )


def _key(signal: Signal, config: RiskConfig) -> Tuple[str, str]:
    """One entry per code; phrase signals (one per phrase said) and an agent's flag apart."""
    several = signal.code in config.phrase_signals or signal.evidence == "operator_flag"
    return (signal.code, signal.evidence if several else "")


def _level(value: Optional[str], what: str) -> str:
    """A level code ("" and None read as none), or a ValueError."""
    level = value or "none"
    if level not in LEVELS:
        raise ValueError(f"unknown {what} {value!r}; expected one of {', '.join(LEVELS)}")
    return level


def carry_forward(
    previous_signals: Sequence[Mapping[str, Any]],
    previous_level: Optional[str],
    assessment: Assessment,
    operator_floor: Optional[str] = None,
    config: Optional[RiskConfig] = None,
) -> Assessment:
    """This turn's assessment with the call's earlier risk kept.

    - Signals: every earlier signal stays, with the evidence it was first raised with (one
      entry per code, one per phrase for gray_phrase/watchlist_phrase, an agent's flag apart);
      signals new this turn are added. A signal raised both times keeps the larger weight
      and stays severe if it was severe either time.
    - Level: never below `previous_level` (a level may rise within a call, never fall).
    - `operator_floor`: the level of an operator's recorded decision for this call
      (bot.services.risk_service.record_operator_decision / operator_floor), or None. When
      given it replaces `previous_level` as the floor, so the level falls to it — but never
      below what this turn's assessment finds on its own: an operator can release a level
      held only by stickiness, not overrule the evidence the call still shows. Signals stay
      in the summary either way.
    Score, next step and extra materials follow the resulting level, as in `assess`.
    """
    cfg = config or load_config()
    floor = _level(operator_floor, "operator floor") if operator_floor is not None else None
    if floor is None:
        floor = _level(previous_level, "previous level")
    kept: Dict[Tuple[str, str], Signal] = {}
    for item in previous_signals or []:
        signal = signal_from_dict(item)
        if signal.code:
            kept.setdefault(_key(signal, cfg), signal)
    for signal in assessment.signals:
        key = _key(signal, cfg)
        first = kept.get(key)
        if first is None:
            kept[key] = signal
        else:
            kept[key] = replace(first, weight=max(first.weight, signal.weight), severe=first.severe or signal.severe)
    signals = sorted(kept.values(), key=lambda s: (not s.severe, -s.weight))
    level = max_level(floor, assessment.level)
    requirement = requirements_for(level, cfg)
    return Assessment(
        level,
        fit_score(max(combine(signals), assessment.score), level, cfg.thresholds),
        signals,
        next_step_for(requirement, signals),
        list(requirement.extra_materials),
    )
