"""The evaluation set as data: personas (tests/sim/personas/*.yml) and their accounts.

The format is tests/sim/README.md's. Loading checks what the simulator relies on
(unique ids, a known channel, answer lists of known kinds, the expected summary's
fields) and says which file and persona is wrong; it never changes a persona.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import yaml

ROOT = Path(__file__).resolve().parents[2]
SIM_DIR = ROOT / "tests" / "sim"
PERSONA_DIR = SIM_DIR / "personas"
CUSTOMERS_CSV = SIM_DIR / "customers.csv"
WATCHLIST_CSV = SIM_DIR / "watchlist.csv"

CHANNELS = ("rest", "ivr")
ANSWER_KINDS = (
    "role",
    "caller_name",
    "borrower_name",
    "id_digits",
    "loan_id",
    "registered_phone",
    "purpose",
    "hardship",
    "case_detail",
    "sms_code",
    "confirm",
    "other",
)
LEVELS = ("none", "watch", "level2", "level1")
EXPECT_REQUIRED = (
    "caller_role",
    "purpose",
    "matters",
    "complaint_registered",
    "identity_verified",
    "next_step",
    "min_level",
    "max_level",
    "may_hear_account",
)


class PersonaError(ValueError):
    """A persona file the simulator cannot play (the message names the file and persona)."""


@dataclass(frozen=True)
class Customer:
    """One account of tests/sim/customers.csv (contract §4 columns)."""

    customer_id: str
    name: str
    id_last4: str
    registered_phone: str
    loan_id: str
    outstanding: str
    overdue_days: int


@dataclass(frozen=True)
class Persona:
    """One scripted caller: who they really are, what they say, what a correct call ends with."""

    id: str
    file: str  # the file's stem: borrowers, relatives, proxies
    note: str
    channel: str
    caller_number: Optional[str]
    signed_number: bool
    voiceprint: Optional[Tuple[float, ...]]
    truth_role: str
    truth_customer: Optional[str]
    truth_proxy: bool
    opening: Tuple[str, ...]
    answers: Mapping[str, Tuple[str, ...]]
    expect: Mapping[str, object]
    low_confidence_turns: frozenset = field(default_factory=frozenset)
    dtmf: Mapping[str, str] = field(default_factory=dict)

    @property
    def may_hear_account(self) -> bool:
        return bool(self.expect.get("may_hear_account"))

    @property
    def reads_code(self) -> bool:
        return "read" in self.answers.get("sms_code", ())


def _text(value) -> str:
    return "" if value is None else str(value)


def _persona(raw: Mapping, file: str) -> Persona:
    pid = _text(raw.get("id")).strip()
    where = f"{file}: {pid or '(no id)'}"
    if not pid:
        raise PersonaError(f"{where}: missing id")
    channel = raw.get("channel")
    if channel not in CHANNELS:
        raise PersonaError(f"{where}: channel must be one of {CHANNELS}, not {channel!r}")
    truth = raw.get("truth") or {}
    opening = tuple(_text(line) for line in raw.get("opening") or ())
    if not opening:
        raise PersonaError(f"{where}: no opening line")
    answers: Dict[str, Tuple[str, ...]] = {}
    for kind, lines in (raw.get("answers") or {}).items():
        if kind not in ANSWER_KINDS:
            raise PersonaError(f"{where}: unknown answer kind {kind!r}")
        lines = lines if isinstance(lines, list) else [lines]
        if not lines:
            raise PersonaError(f"{where}: answers.{kind} is empty")
        answers[kind] = tuple(_text(line) for line in lines)
    expect = dict(raw.get("expect") or {})
    missing = [k for k in EXPECT_REQUIRED if k not in expect]
    if missing:
        raise PersonaError(f"{where}: expect lacks {', '.join(missing)}")
    for key in ("min_level", "max_level"):
        if expect[key] not in LEVELS:
            raise PersonaError(f"{where}: expect.{key} must be one of {LEVELS}")
    if not isinstance(expect["next_step"], list):
        expect["next_step"] = [expect["next_step"]]
    ivr = raw.get("ivr") or {}
    dtmf = {str(k): _text(v) for k, v in (ivr.get("dtmf") or {}).items()}
    unknown = [k for k in dtmf if k not in ANSWER_KINDS]
    if unknown:
        raise PersonaError(f"{where}: ivr.dtmf names unknown kinds {unknown}")
    voiceprint = raw.get("voiceprint")
    number = raw.get("caller_number")
    return Persona(
        id=pid,
        file=file,
        note=_text(raw.get("note")),
        channel=channel,
        caller_number=None if number is None else _text(number),
        signed_number=bool(raw.get("signed_number")),
        voiceprint=tuple(float(x) for x in voiceprint) if voiceprint else None,
        truth_role=_text(truth.get("role")),
        truth_customer=truth.get("customer"),
        truth_proxy=bool(truth.get("proxy")),
        opening=opening,
        answers=answers,
        expect=expect,
        low_confidence_turns=frozenset(int(t) for t in ivr.get("low_confidence_turns") or ()),
        dtmf=dtmf,
    )


def load_personas(directory: Path = PERSONA_DIR) -> List[Persona]:
    """Every persona of every *.yml under `directory`, in file then list order."""
    personas: List[Persona] = []
    seen: Dict[str, str] = {}
    for path in sorted(directory.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        if not isinstance(data, list):
            raise PersonaError(f"{path.name}: expected a YAML list of personas")
        for raw in data:
            persona = _persona(raw, path.stem)
            if persona.id in seen:
                raise PersonaError(f"{path.name}: {persona.id} is also in {seen[persona.id]}")
            seen[persona.id] = path.name
            personas.append(persona)
    return personas


def load_customers(path: Path = CUSTOMERS_CSV) -> Dict[str, Customer]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return {
            row["customer_id"]: Customer(
                customer_id=row["customer_id"],
                name=row["name"],
                id_last4=row["id_last4"].upper(),
                registered_phone=row["registered_phone"],
                loan_id=row["loan_id"],
                outstanding=row["outstanding"],
                overdue_days=int(row["overdue_days"] or 0),
            )
            for row in csv.DictReader(f)
        }


def check_against_accounts(personas: Sequence[Persona], customers: Mapping[str, Customer]) -> List[str]:
    """Problems that make a persona unplayable against these accounts (unknown customer)."""
    return [
        f"{p.file}: {p.id}: truth.customer {p.truth_customer} is not in customers.csv"
        for p in personas
        if p.truth_customer and p.truth_customer not in customers
    ]
