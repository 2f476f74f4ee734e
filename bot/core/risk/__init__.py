"""Proxy-risk engine (代理维权风险识别): plain Python over plain data, no Rasa, no I/O but its YAML.

Use `assess(CallFacts(...), RiskContext(...))`; the Rasa actions are thin adapters around it.
Within a call, pass each turn's assessment through `carry_forward(previous_signals,
previous_level, assessment, operator_floor)` so that signals stay and the level only rises.
"""

from bot.core.risk.config import ConfigError, LevelRequirement, RiskConfig, load_config
from bot.core.risk.engine import assess, combine, requirements_for
from bot.core.risk.model import (
    LEVELS,
    SIGNAL_CODES,
    VERIFICATION,
    Assessment,
    CallFacts,
    RiskContext,
    Signal,
    level_rank,
    max_level,
    trusted_verification,
)
from bot.core.risk.phone import normalize_phone
from bot.core.risk.phrases import PhraseEntry, PhraseMatch, PhraseMatcher
from bot.core.risk.sharing import hash_phone, hash_phones, match_phone_hash
from bot.core.risk.similarity import cosine, jaccard, minhash_signature, minhash_similarity, shingles
from bot.core.risk.sticky import carry_forward, signal_from_dict

__all__ = [
    "assess",
    "carry_forward",
    "signal_from_dict",
    "trusted_verification",
    "VERIFICATION",
    "load_config",
    "requirements_for",
    "combine",
    "CallFacts",
    "RiskContext",
    "Signal",
    "Assessment",
    "RiskConfig",
    "LevelRequirement",
    "ConfigError",
    "LEVELS",
    "SIGNAL_CODES",
    "level_rank",
    "max_level",
    "PhraseEntry",
    "PhraseMatch",
    "PhraseMatcher",
    "normalize_phone",
    "hash_phone",
    "hash_phones",
    "match_phone_hash",
    "shingles",
    "jaccard",
    "minhash_signature",
    "minhash_similarity",
    "cosine",
]
