"""Scoring one simulated call, from its transcript and its summary (no servers here).

- **completed**: the call ended without a crash (every request answered) and the summary's
  `next_step` is not null.
- **summary correct**: caller_role, purpose, matters (their purposes in order),
  complaint_registered, identity_verified, verification (when the persona gives it) equal
  the expected ones, next_step is one of the expected, and proxy_risk.level lies within
  [min_level, max_level]. Every field that differs is listed.
- **re-ask**: a question of a kind the caller had already answered informatively (heard: an
  IVR turn below the confidence threshold does not count as said), or, for borrower_name,
  caller_name, id_digits and loan_id, whose fact was already in the (heard) opening lines —
  the real account's name, its ID last four (Arabic or Chinese numerals), its loan id.
  An either-or question ("后四位或借款编号") is a re-ask when any alternative was answered.
- **stuck**: a data question (role, names, ID digits, loan id, phone, purpose, hardship,
  case detail, code) of one kind asked three or more times; for yes/no, closing and other
  questions, the same question text asked three or more times.
- **misunderstood**: bot turns that say they did not understand or hear.
- **turns**: caller turns sent (opening lines, answers, keys) when the call ended.
- **leak**: a bot text (every text, prompt and channel) that contains an account fact — the
  loan id, the outstanding amount (22100, 22,100.00, 22100.00, 2.21万, 二万二千一百) or the
  overdue days (逾期60天) — of the persona's real account when the persona may not hear it,
  or of any other account, for every persona.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Set

from bench.sim.classify import Question
from bench.sim.facts import find_facts
from bench.sim.personas import LEVELS, Customer, Persona

REPEATABLE = ("confirm", "closing", "other")  # kinds that name no one fact: stuck by identical text


@dataclass
class Turn:
    """One exchange: what the caller said (nothing for the IVR start) and the bot's answer."""

    n: int  # caller turn number, 1-based; 0 = the IVR start event
    caller: Optional[str]
    said_as: str  # opening, a kind answered, other, start, hangup
    bot: List[str]
    dtmf: bool = False
    confidence: Optional[float] = None
    question: Optional[str] = None
    kind: Optional[str] = None
    reask: bool = False
    misunderstood: bool = False
    status: Optional[int] = 200
    ivr: Optional[Dict[str, object]] = None


@dataclass(frozen=True)
class Leak:
    customer_id: str
    fact: str
    found: str
    text: str


class Ledger:
    """What the caller has said and the bot has asked so far in one call (re-asks, stuck)."""

    def __init__(self) -> None:
        self.informed: Set[str] = set()
        self.opening_said: Set[str] = set()
        self.asked: Counter = Counter()
        self.asked_text: Counter = Counter()
        self.text_kinds: Dict[str, str] = {}
        self.reasks: List[Dict[str, object]] = []

    def heard_opening(self, kinds: Iterable[str]) -> None:
        self.opening_said |= set(kinds) & {"borrower_name", "caller_name", "id_digits", "loan_id"}

    def asked_question(self, turn: int, question: Question, chosen: str) -> bool:
        """Count a question (answered as `chosen`); True when it is a re-ask."""
        self.asked[chosen] += 1
        self.asked_text[_norm(question.text)] += 1
        self.text_kinds.setdefault(_norm(question.text), chosen)
        kinds = question.alternatives or (chosen,)
        why = [k for k in kinds if k in self.informed] or [k for k in kinds if k in self.opening_said]
        if why:
            origin = "answered" if why[0] in self.informed else "opening"
            self.reasks.append(
                {"turn": turn, "kind": chosen, "question": question.text, "already": why[0], "in": origin}
            )
            return True
        return False

    def answered(self, kind: str, informative: bool, heard: bool) -> None:
        if informative and heard:
            self.informed.add(kind)

    def stuck(self) -> List[str]:
        """Kinds (or, for yes/no and other questions, question texts) asked three or more times."""
        out = [k for k, c in self.asked.items() if c >= 3 and k not in REPEATABLE]
        out += [f"“{t}”" for t, c in self.asked_text.items() if c >= 3 and self.text_kinds.get(t) in REPEATABLE]
        return out


def _norm(text: str) -> str:
    return re.sub(r"[\s，。！？!?、,.]", "", text or "")


def find_leaks(texts: Sequence[str], persona: Persona, customers: Mapping[str, Customer]) -> List[Leak]:
    """Account facts in the bot's texts that this persona may not hear.

    A fact of another account that reads the same as one of the persona's own (two accounts
    overdue 0 days) is not counted for a persona that may hear its own account.
    """
    own = customers.get(persona.truth_customer) if persona.truth_customer else None
    leaks: List[Leak] = []
    for text in texts:
        own_facts = set(find_facts(text, own)) if own is not None and persona.may_hear_account else set()
        for customer in customers.values():
            if customer is own and persona.may_hear_account:
                continue
            for fact, found in find_facts(text, customer):
                if (fact, found) not in own_facts:
                    leaks.append(Leak(customer.customer_id, fact, found, text))
    return leaks


def level_index(level: Optional[str]) -> int:
    return LEVELS.index(level) if level in LEVELS else -1


def compare_summary(expect: Mapping[str, object], summary: Optional[Mapping[str, object]]) -> List[str]:
    """Every expected field the summary does not match, as 'field: expected X, got Y'."""
    if not summary:
        return ["summary: none could be read"]
    diffs: List[str] = []

    def differ(name: str, want, got) -> None:
        diffs.append(f"{name}: expected {want}, got {got}")

    def accepts(want, got) -> bool:
        """A list in `expect` names every acceptable value (where the contract leaves it open)."""
        return got in want if isinstance(want, list) else got == want

    for name in ("caller_role", "purpose", "complaint_registered", "identity_verified"):
        if not accepts(expect.get(name), summary.get(name)):
            differ(name, expect.get(name), summary.get(name, "missing"))
    if "matters" in summary and isinstance(summary["matters"], list):
        got = [m.get("purpose") if isinstance(m, dict) else m for m in summary["matters"]]
    else:
        got = "missing"
    if got != list(expect.get("matters") or []):
        differ("matters", list(expect.get("matters") or []), got)
    if expect.get("verification") is not None and not accepts(expect["verification"], summary.get("verification")):
        differ("verification", expect["verification"], summary.get("verification", "missing"))
    steps = list(expect.get("next_step") or [])
    if summary.get("next_step") not in steps:
        differ("next_step", " or ".join(map(str, steps)), summary.get("next_step"))
    level = (summary.get("proxy_risk") or {}).get("level")
    low, high = level_index(str(expect["min_level"])), level_index(str(expect["max_level"]))
    if not low <= level_index(level) <= high:
        differ("proxy_risk.level", f"{expect['min_level']}..{expect['max_level']}", level)
    return diffs


@dataclass
class CallResult:
    """Everything measured about one persona's call."""

    persona: str
    file: str
    channel: str
    call_id: str
    completed: bool
    summary_correct: bool
    differences: List[str]
    reasks: int
    reask_details: List[Dict[str, object]]
    stuck: List[str]
    misunderstood: int
    turns: int
    leaks: List[Leak]
    ended_by: str
    error: Optional[str]
    summary: Optional[Dict[str, object]]
    transcript: List[Turn] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> Dict[str, object]:
        data = asdict(self)
        data["leaks"] = [asdict(leak) for leak in self.leaks]
        return data


def score_call(
    persona: Persona,
    customers: Mapping[str, Customer],
    call_id: str,
    transcript: List[Turn],
    ledger: Ledger,
    summary: Optional[Dict[str, object]],
    ended_by: str,
    error: Optional[str],
    seconds: float = 0.0,
) -> CallResult:
    texts = [t for turn in transcript for t in turn.bot]
    completed = error is None and bool(summary) and summary.get("next_step") is not None
    differences = compare_summary(persona.expect, summary)
    return CallResult(
        persona=persona.id,
        file=persona.file,
        channel=persona.channel,
        call_id=call_id,
        completed=completed,
        summary_correct=not differences,
        differences=differences,
        reasks=len(ledger.reasks),
        reask_details=ledger.reasks,
        stuck=ledger.stuck(),
        misunderstood=sum(1 for t in transcript if t.misunderstood),
        turns=max((t.n for t in transcript), default=0),
        leaks=find_leaks(texts, persona, customers),
        ended_by=ended_by,
        error=error,
        summary=summary,
        transcript=transcript,
        seconds=seconds,
    )


@dataclass(frozen=True)
class Totals:
    label: str
    calls: int
    completed: int
    correct: int
    reasks: int
    calls_with_reasks: int
    stuck: int
    misunderstood: int
    mean_turns: Optional[float]
    leaks: int
    calls_with_leaks: int


def totals(label: str, results: Sequence[CallResult]) -> Totals:
    done = [r for r in results if r.completed]
    return Totals(
        label=label,
        calls=len(results),
        completed=len(done),
        correct=sum(1 for r in results if r.summary_correct),
        reasks=sum(r.reasks for r in results),
        calls_with_reasks=sum(1 for r in results if r.reasks),
        stuck=sum(1 for r in results if r.stuck),
        misunderstood=sum(r.misunderstood for r in results),
        mean_turns=(sum(r.turns for r in done) / len(done)) if done else None,
        leaks=sum(len(r.leaks) for r in results),
        calls_with_leaks=sum(1 for r in results if r.leaks),
    )
