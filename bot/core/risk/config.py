"""Load and check the engine's YAML files (risk.yml, lexicon.yml); the engine's only I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Pattern, Tuple

from bot.core.datafiles import DataFileError, load_yaml
from bot.core.risk.model import CALLER_ROLES, LEVELS, MATERIALS, NEXT_STEPS, PURPOSES, SIGNAL_CODES
from bot.core.risk.phrases import PhraseEntry, PhraseMatcher
from bot.core.textnorm import normalize

HERE = Path(__file__).resolve().parent
RISK_PATH = HERE / "risk.yml"
LEXICON_PATH = HERE / "lexicon.yml"
PATTERN_SECTIONS = (
    "refuses_borrower_contact",
    "accepts_borrower_callback",
    "acts_for_borrower",
    "lawyer_claim",
    "impersonating_official",
    "extortion",
    "forged_document",
    "oral_authorisation",
    "claimed_consent",
    "victim_report",
    "reported_speech",
    "self_claim",
)
_WORD_NAME = re.compile(r"\{([a-z_]+)\}")


class ConfigError(ValueError):
    """A risk.yml or lexicon.yml value the engine cannot use."""


@dataclass(frozen=True)
class SignalRule:
    """Default weight and nature of one signal code."""

    weight: float
    ceiling: str
    severe: bool = False
    quotable: bool = False


@dataclass(frozen=True)
class PatternSet:
    """The regular expressions of one pattern section of the lexicon."""

    name: str
    rules: Tuple[Pattern, ...]
    examples: Tuple[str, ...]
    check_negation: bool
    negation_words: Tuple[str, ...] = ()
    negation_window: int = 3

    def search(self, text: str) -> Optional[str]:
        """The first span of normalised text a rule matches (skipping negated ones), else None."""
        norm, starts = clauses(text)
        for rule in self.rules:
            for m in rule.finditer(norm):
                if not (self.check_negation and self._negated(norm, starts, m.start())):
                    return m.group(0)
        return None

    def _negated(self, norm: str, starts: Tuple[int, ...], start: int) -> bool:
        """Whether a negation word sits just before position start, within the same clause."""
        clause_start = max((s for s in starts if s <= start), default=0)
        before = norm[max(clause_start, start - self.negation_window) : start]
        return any(w in before for w in self.negation_words)


_CLAUSE_BREAK = re.compile(r"[，。！？；：,.!?;:、\n]+")


def clauses(text: str) -> Tuple[str, Tuple[int, ...]]:
    """Normalised text and the offsets where its clauses (split at punctuation) start."""
    parts = [normalize(p) for p in _CLAUSE_BREAK.split(text or "")]
    starts, offset = [], 0
    for part in parts:
        if part:
            starts.append(offset)
            offset += len(part)
    return "".join(parts), tuple(starts)


@dataclass(frozen=True)
class LevelRequirement:
    """What a level asks of the script; complaints are always registered, never refused."""

    level: str
    next_step: str
    extra_materials: Tuple[str, ...] = ()
    fallback_step: Optional[str] = None
    follow_up: Tuple[str, ...] = ()
    keep_evidence: bool = False
    register_complaint: bool = True
    offer_direct_route: bool = True


@dataclass(frozen=True)
class TemplateSettings:
    """How complaint texts are compared for near-duplicates."""

    shingle_size: int = 3
    threshold: float = 0.50
    min_chars: int = 20
    method: str = "jaccard"
    num_perm: int = 128
    min_customers: int = 1


@dataclass
class RiskConfig:
    """Everything the engine reads from its YAML files, checked and compiled."""

    thresholds: Dict[str, float]
    signals: Dict[str, SignalRule]
    voiceprint_threshold: float
    multi_account_min: int
    multi_account_days: float
    template: TemplateSettings
    phrase_signals: Tuple[str, ...]
    role_factor: Dict[str, float]
    verified_borrower_ceiling: str
    refuse_roles: Tuple[str, ...]
    acting_roles: Tuple[str, ...]
    accepted_factor: float
    victim_purposes: Tuple[str, ...]
    victim_roles: Tuple[str, ...]
    victim_ceiling: str
    skip_verified_borrower: Tuple[str, ...]
    role_flip_from: Tuple[str, ...]
    requirements: Dict[str, LevelRequirement]
    lexicon: PhraseMatcher
    patterns: Dict[str, PatternSet]
    near_min_len: int = 4


def _fail(where: str, message: str) -> None:
    """Raise a ConfigError naming the place in the file."""
    raise ConfigError(f"{where}: {message}")


def _unit(value: Any, where: str) -> float:
    """A number in [0, 1], or a ConfigError."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
        _fail(where, f"must be a number between 0 and 1, got {value!r}")
    return float(value)


def _code(value: Any, allowed: Tuple[str, ...], where: str) -> str:
    """A contract code from the allowed list, or a ConfigError."""
    if value not in allowed:
        _fail(where, f"{value!r} is not one of {', '.join(allowed)}")
    return value


def _codes(values: Any, allowed: Tuple[str, ...], where: str) -> Tuple[str, ...]:
    """A list of contract codes, or a ConfigError."""
    if not isinstance(values, list):
        _fail(where, "must be a list")
    return tuple(_code(v, allowed, f"{where}[{i}]") for i, v in enumerate(values))


def _section(doc: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    """A required mapping inside a YAML document."""
    value = doc.get(key)
    if not isinstance(value, Mapping):
        _fail(where, f"missing section {key!r}")
    return value


def _thresholds(doc: Mapping[str, Any]) -> Dict[str, float]:
    """Level thresholds, strictly increasing watch < level2 < level1."""
    sec = _section(doc, "levels", "risk.yml")
    out = {lvl: _unit(sec.get(lvl), f"risk.yml levels.{lvl}") for lvl in LEVELS[1:]}
    if not 0 < out["watch"] < out["level2"] < out["level1"]:
        _fail("risk.yml levels", "thresholds must increase: 0 < watch < level2 < level1")
    return out


def _signal_rules(doc: Mapping[str, Any]) -> Dict[str, SignalRule]:
    """Default weight, ceiling and nature of every signal code."""
    sec = _section(doc, "signals", "risk.yml")
    rules = {}
    for code in SIGNAL_CODES:
        item = sec.get(code)
        where = f"risk.yml signals.{code}"
        if not isinstance(item, Mapping):
            _fail(where, "missing")
        weight = _unit(item.get("weight"), f"{where}.weight")
        rules[code] = SignalRule(
            weight,
            _code(item.get("ceiling", "level2"), LEVELS, f"{where}.ceiling"),
            bool(item.get("severe", False)),
            bool(item.get("quotable", False)),
        )
    unknown = set(sec) - set(SIGNAL_CODES)
    if unknown:
        _fail("risk.yml signals", f"unknown signal codes {sorted(unknown)}")
    return rules


def _requirements(doc: Mapping[str, Any]) -> Dict[str, LevelRequirement]:
    """What each level requires of the script, with contract codes only."""
    sec = _section(doc, "requirements", "risk.yml")
    out = {}
    for level in LEVELS:
        item = _section(sec, level, "risk.yml requirements")
        where = f"risk.yml requirements.{level}"
        fallback = item.get("fallback_step")
        out[level] = LevelRequirement(
            level=level,
            next_step=_code(item.get("next_step"), NEXT_STEPS, f"{where}.next_step"),
            extra_materials=_codes(item.get("extra_materials", []), MATERIALS, f"{where}.extra_materials"),
            fallback_step=_code(fallback, NEXT_STEPS, f"{where}.fallback_step") if fallback else None,
            follow_up=_codes(item.get("follow_up", []), NEXT_STEPS, f"{where}.follow_up"),
            keep_evidence=bool(item.get("keep_evidence", False)),
        )
    return out


def _template(doc: Mapping[str, Any]) -> TemplateSettings:
    """Template-complaint settings."""
    sec = _section(doc, "template", "risk.yml")
    method = sec.get("method", "jaccard")
    if method not in ("jaccard", "minhash"):
        _fail("risk.yml template.method", "must be jaccard or minhash")
    return TemplateSettings(
        shingle_size=int(sec.get("shingle_size", 3)),
        threshold=_unit(sec.get("threshold", 0.50), "risk.yml template.threshold"),
        min_chars=int(sec.get("min_chars", 20)),
        method=method,
        num_perm=int(sec.get("num_perm", 128)),
        min_customers=int(sec.get("min_customers", 1)),
    )


def _phrase_entry(item: Any, index: int) -> PhraseEntry:
    """One gray-phrase entry of lexicon.yml."""
    where = f"lexicon.yml gray_phrases[{index}]"
    if not isinstance(item, Mapping) or not normalize(str(item.get("term", ""))):
        _fail(where, "needs a non-empty term")
    tier = _code(item.get("tier", "level2"), ("watch", "level2", "level1"), f"{where}.tier")
    return PhraseEntry(
        term=str(item["term"]),
        weight=_unit(item.get("weight"), f"{where}.weight"),
        tier=tier,
        variants=tuple(str(v) for v in item.get("variants", []) or []),
        fuzzy=bool(item.get("fuzzy", True)),
        near=bool(item.get("near", True)),
        exclude=tuple(str(v) for v in item.get("exclude", []) or []),
        not_after=tuple(str(v) for v in item.get("not_after", []) or []),
        benign_for_borrower=bool(item.get("benign_for_borrower", False)),
    )


def _pattern_words(lexicon: Mapping[str, Any]) -> Dict[str, str]:
    """The named word groups ({benefit}, {harm}) rules may use; whitespace is dropped (YAML folds lines)."""
    sec = lexicon.get("pattern_words") or {}
    if not isinstance(sec, Mapping):
        _fail("lexicon.yml pattern_words", "must be a mapping of name: alternatives")
    words = {}
    for name, value in sec.items():
        text = re.sub(r"\s+", "", str(value or ""))
        if not _WORD_NAME.fullmatch("{" + str(name) + "}") or not text:
            _fail(f"lexicon.yml pattern_words.{name}", "needs a lower-case name and a non-empty value")
        try:
            re.compile(text)
        except re.error as exc:
            _fail(f"lexicon.yml pattern_words.{name}", f"bad regex: {exc}")
        words[str(name)] = text
    return words


def _expand(regex: str, words: Mapping[str, str], where: str) -> str:
    """The regex with every {name} replaced by its word group (as a non-capturing group)."""

    def one(m: re.Match[str]) -> str:
        if m.group(1) not in words:
            _fail(where, f"unknown word group {{{m.group(1)}}}; defined: {', '.join(sorted(words)) or 'none'}")
        return f"(?:{words[m.group(1)]})"

    return _WORD_NAME.sub(one, regex)


def _pattern_set(
    name: str, sec: Any, negation: Mapping[str, Any], words: Optional[Mapping[str, str]] = None
) -> PatternSet:
    """Compile one pattern section and check that every example matches its own rule."""
    where = f"lexicon.yml patterns.{name}"
    if not isinstance(sec, Mapping) or not isinstance(sec.get("rules"), list) or not sec["rules"]:
        _fail(where, "needs a non-empty list of rules")
    rules, examples = [], []
    for i, item in enumerate(sec["rules"]):
        try:
            rule = re.compile(_expand(str(item["regex"]), words or {}, f"{where}.rules[{i}]"))
        except (KeyError, TypeError, re.error) as exc:
            _fail(f"{where}.rules[{i}]", f"bad regex: {exc}")
        example = str(item.get("example", ""))
        if not rule.search(normalize(example)):
            _fail(f"{where}.rules[{i}]", f"example {example!r} does not match its regex")
        rules.append(rule)
        examples.append(example)
    return PatternSet(
        name,
        tuple(rules),
        tuple(examples),
        bool(sec.get("check_negation", False)),
        tuple(str(w) for w in negation.get("words", [])),
        int(negation.get("window", 3)),
    )


def _patterns(lexicon: Mapping[str, Any]) -> Dict[str, PatternSet]:
    """All pattern sections of lexicon.yml."""
    sec = _section(lexicon, "patterns", "lexicon.yml")
    negation = lexicon.get("negation") or {}
    words = _pattern_words(lexicon)
    return {name: _pattern_set(name, sec.get(name), negation, words) for name in PATTERN_SECTIONS}


def _role_factors(sec: Mapping[str, Any]) -> Dict[str, float]:
    """Per-role factors for phrase-based signals (borrower_verified is the verified borrower)."""
    factors = sec.get("role_factor") or {}
    keys = ("borrower_verified",) + CALLER_ROLES
    return {k: _unit(factors.get(k, 1.0), f"risk.yml phrases.role_factor.{k}") for k in keys}


def build_config(risk: Mapping[str, Any], lexicon: Mapping[str, Any]) -> RiskConfig:
    """Check and compile the parsed YAML documents into a RiskConfig."""
    phrases = _section(risk, "phrases", "risk.yml")
    refuse = _section(risk, "refuse_contact", "risk.yml")
    victim = _section(risk, "victim", "risk.yml")
    entries = lexicon.get("gray_phrases")
    if not isinstance(entries, list) or not entries:
        _fail("lexicon.yml", "gray_phrases must be a non-empty list")
    near_min_len = int(phrases.get("near_min_len", 4))
    return RiskConfig(
        thresholds=_thresholds(risk),
        signals=_signal_rules(risk),
        voiceprint_threshold=_unit(
            _section(risk, "voiceprint", "risk.yml").get("threshold"), "risk.yml voiceprint.threshold"
        ),
        multi_account_min=int(_section(risk, "multi_account", "risk.yml").get("min_customers", 3)),
        multi_account_days=float(risk["multi_account"].get("window_days", 30)),
        template=_template(risk),
        phrase_signals=_codes(phrases.get("applies_to", []), SIGNAL_CODES, "risk.yml phrases.applies_to"),
        role_factor=_role_factors(phrases),
        verified_borrower_ceiling=_code(
            phrases.get("verified_borrower_ceiling", "level1"), LEVELS, "risk.yml phrases.verified_borrower_ceiling"
        ),
        refuse_roles=_codes(refuse.get("roles", []), CALLER_ROLES, "risk.yml refuse_contact.roles"),
        acting_roles=_codes(
            _section(risk, "acts_for_borrower", "risk.yml").get("roles", []),
            CALLER_ROLES,
            "risk.yml acts_for_borrower.roles",
        ),
        accepted_factor=_unit(refuse.get("accepted_factor", 1.0), "risk.yml refuse_contact.accepted_factor"),
        victim_purposes=_codes(victim.get("purposes", []), PURPOSES, "risk.yml victim.purposes"),
        victim_roles=_codes(victim.get("roles", []), CALLER_ROLES, "risk.yml victim.roles"),
        victim_ceiling=_code(victim.get("ceiling", "watch"), LEVELS, "risk.yml victim.ceiling"),
        skip_verified_borrower=_codes(
            risk.get("skip_verified_borrower", []), SIGNAL_CODES, "risk.yml skip_verified_borrower"
        ),
        role_flip_from=_codes(
            _section(risk, "role_flip", "risk.yml").get("from_roles", []), CALLER_ROLES, "risk.yml role_flip.from_roles"
        ),
        requirements=_requirements(risk),
        lexicon=PhraseMatcher([_phrase_entry(x, i) for i, x in enumerate(entries)], near_min_len),
        patterns=_patterns(lexicon),
        near_min_len=near_min_len,
    )


def _read_yaml(path: Path) -> Mapping[str, Any]:
    """One YAML file as a mapping (bot.core.datafiles), its refusal as a ConfigError."""
    try:
        return load_yaml(path)
    except DataFileError as exc:
        raise ConfigError(str(exc)) from None


@lru_cache(maxsize=4)
def _load_cached(risk_path: str, lexicon_path: str) -> RiskConfig:
    """Read and build a config once per pair of paths."""
    return build_config(_read_yaml(Path(risk_path)), _read_yaml(Path(lexicon_path)))


def load_config(risk_path: Optional[str] = None, lexicon_path: Optional[str] = None) -> RiskConfig:
    """The engine config from risk.yml and lexicon.yml (defaults: the files beside this module)."""
    return _load_cached(str(risk_path or RISK_PATH), str(lexicon_path or LEXICON_PATH))
