"""Which lines the agent must say in a call, and which of them the agent was heard saying.

Pure: the call's slots say what is required (contract §3 `adherence`, §6), the agent's
speech-recognition segments say what was said. The key phrases are bot/catalogue/adherence.yml:
an item is said when one segment (or two in a row) covers every key-concept group of one of
its phrasings, each group by any of its spellings, matched with the risk engine's phrase
machinery (`bot.core.risk.phrases.PhraseMatcher`: exact, ASR homophones, one misheard
syllable in long spellings). Half a line is not the line: a group missing is no match. A
complaint's reference must be read out digit for digit (Arabic or Chinese numerals) with its
reply deadline (N days, or the due date).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Set, Tuple

from bot.core import materials as material_catalogue
from bot.core.call import CASE_KINDS, NON_BORROWER_ROLES
from bot.core.datafiles import catalogue
from bot.core.risk.phrases import PhraseEntry, PhraseMatcher

ITEMS = ("recording_notice", "materials", "direct_route", "complaint_reference", "level2_line", "level1_line")
SAID, MANUAL, SUGGESTED, PENDING, NOT_NEEDED = "said", "manual", "suggested", "pending", "not_needed"
TRANSCRIPT = "transcript"  # how an item was ticked: heard in the agent's speech, or by hand (`manual`)


def load_catalogue() -> Mapping[str, Any]:
    return catalogue("adherence.yml")


def label(item: str) -> str:
    return load_catalogue()["items"][item]["label"]


def state_label(state: str) -> str:
    return load_catalogue()["states"][state]


# ---- what this call requires ------------------------------------------------------------------
@dataclass(frozen=True)
class Reference:
    """A registered case's number as the agent must read it out, with its reply deadline."""

    reference: str
    reply_days: int
    reply_due: Optional[dt.date] = None

    @property
    def digits(self) -> str:
        return re.sub(r"\D", "", self.reference)


@dataclass(frozen=True)
class Context:
    """What the matcher needs to know of the call: the materials asked for and the references."""

    materials: Tuple[str, ...] = ()
    references: Tuple[Reference, ...] = ()


def references_in(slots: Mapping[str, Any], due: Optional[Mapping[str, dt.date]] = None) -> Tuple[Reference, ...]:
    """Every registered case of the call (its `matters` slot), with reply days and due date."""
    out = []
    for matter in slots.get("matters") or []:
        ref = (matter or {}).get("reference")
        kind = CASE_KINDS.get((matter or {}).get("purpose"))
        if ref and kind:
            out.append(Reference(ref, material_catalogue.reply_days(kind), (due or {}).get(ref)))
    return tuple(out)


def context_of(slots: Mapping[str, Any], due: Optional[Mapping[str, dt.date]] = None) -> Context:
    return Context(tuple(slots.get("materials_requested") or ()), references_in(slots, due))


def required_items(slots: Mapping[str, Any]) -> List[str]:
    """The lines this call requires of the agent, in the catalogue's order.

    Always the recording notice; the materials once the wrap-up asked for any; the free direct
    route for anyone but the borrower; the reference and deadline of every registered case; the
    level2 line at level2, the level1 line at level1 (which replaces it).
    """
    level = slots.get("proxy_risk_level") or "none"
    wanted = {"recording_notice"}
    if slots.get("materials_requested"):
        wanted.add("materials")
    if slots.get("caller_role") in NON_BORROWER_ROLES:
        wanted.add("direct_route")
    if references_in(slots):
        wanted.add("complaint_reference")
    if level == "level2":
        wanted.add("level2_line")
    if level == "level1":
        wanted.add("level1_line")
    return [item for item in ITEMS if item in wanted]


def suggested_items(said_actions: Iterable[str]) -> Set[str]:
    """The items whose line the bot has put in front of the agent (`CallView.said()`)."""
    used = set(said_actions)
    items = load_catalogue()["items"]
    return {item for item in ITEMS if used & set(items[item].get("suggested_by") or ())}


# ---- hearing the agent ----------------------------------------------------------------------------
@lru_cache(maxsize=512)
def _group_matcher(spellings: Tuple[str, ...]) -> PhraseMatcher:
    return PhraseMatcher(PhraseEntry(term=s, weight=1.0) for s in spellings)


def _group_heard(text: str, spellings: Sequence[str]) -> bool:
    return bool(_group_matcher(tuple(spellings)).find(text))


def _phrasing_heard(text: str, groups: Sequence[Sequence[str]]) -> bool:
    return all(_group_heard(text, group) for group in groups)


_CN_DIGIT = {
    "零": 0,
    "〇": 0,
    "洞": 0,
    "一": 1,
    "幺": 1,
    "壹": 1,
    "二": 2,
    "两": 2,
    "贰": 2,
    "三": 3,
    "叁": 3,
    "四": 4,
    "肆": 4,
    "五": 5,
    "伍": 5,
    "六": 6,
    "陆": 6,
    "七": 7,
    "柒": 7,
    "拐": 7,
    "八": 8,
    "捌": 8,
    "九": 9,
    "玖": 9,
    "勾": 9,
}
_CN_RUN = re.compile("[" + "".join(_CN_DIGIT) + "十拾百佰]+")
_DIGIT_SEP = r"[\s,，、.\-—]+"
_DIGIT_CLUSTER = re.compile(rf"[0-9]+(?:{_DIGIT_SEP}[0-9]+)*")


def _cn_value(run: str) -> str:
    """A run of Chinese numerals as Arabic: digit by digit ("二零二六" → 2026), or as a
    number when it has 十/百 ("十五" → 15, "二十" → 20)."""
    if not any(ch in "十拾百佰" for ch in run):
        return "".join(str(_CN_DIGIT[ch]) for ch in run)
    total = number = 0
    for ch in run:
        if ch in "百佰":
            total += (number or 1) * 100
            number = 0
        elif ch in "十拾":
            total += (number or 1) * 10
            number = 0
        else:
            number = _CN_DIGIT[ch]
    return str(total + number)


def arabic_numbers(text: str) -> str:
    """The text with spoken numbers in Arabic digits ("编号二零二六…，十五天内" → "编号2026…，15天内")."""
    text = unicodedata.normalize("NFKC", text or "")
    return _CN_RUN.sub(lambda m: _cn_value(m.group(0)), text)


def reference_said(text: str, reference: Reference) -> bool:
    """All the digits of the reference and no more: read in one go or in groups ("2026 1201
    0001"), the number starting and ending where a group does (a wrong, partial or longer
    number is not it)."""
    digits = reference.digits
    if not digits:
        return False
    for cluster in _DIGIT_CLUSTER.finditer(arabic_numbers(text)):
        groups = re.findall(r"[0-9]+", cluster.group(0))
        for start in range(len(groups)):
            joined = ""
            for group in groups[start:]:
                joined += group
                if joined == digits:
                    return True
                if not digits.startswith(joined):
                    break
    return False


def deadline_said(text: str, reference: Reference) -> bool:
    """The reply deadline: "15天（内）" / "15个工作日", or the due date ("12月16日/号")."""
    norm = arabic_numbers(text)
    if re.search(rf"(?<![0-9]){reference.reply_days}\s*(?:个)?\s*(?:工作)?\s*(?:天|日)", norm):
        return True
    due = reference.reply_due
    return bool(due) and bool(re.search(rf"(?<![0-9]){due.month}\s*月\s*0?{due.day}\s*(?:日|号)", norm))


def heard_items(text: str, context: Context = Context()) -> Set[str]:
    """The items one agent utterance says in full (whether required or not)."""
    items = load_catalogue()["items"]
    wanted_materials = load_catalogue()["materials"]
    found = set()
    for item in ITEMS:
        spec = items[item]
        phrasings = [p["groups"] for p in spec.get("any_of") or []]
        if item == "materials":
            if not context.materials:
                continue
            labels = material_catalogue.load_catalogue()["labels"]
            extra = [wanted_materials.get(code) or [labels.get(code, code)] for code in context.materials]
            phrasings = [list(groups) + extra for groups in phrasings]
        if not any(_phrasing_heard(text, groups) for groups in phrasings):
            continue
        if spec.get("reference_digits"):
            refs = context.references
            if not refs or not all(reference_said(text, r) for r in refs):
                continue
            if spec.get("deadline") and not any(deadline_said(text, r) for r in refs):
                continue
        found.add(item)
    return found


def heard_in_segments(texts: Sequence[str], context: Context = Context()) -> Set[str]:
    """The items said by the newest segment, alone or with the one before it (a line the
    recogniser cut in two at a pause)."""
    if not texts:
        return set()
    found = heard_items(texts[-1], context)
    if len(texts) >= 2:  # what the two together say and the earlier one did not say alone
        found |= heard_items(texts[-2] + "，" + texts[-1], context) - heard_items(texts[-2], context)
    return found


# ---- the call's adherence -------------------------------------------------------------------------
@dataclass(frozen=True)
class Adherence:
    """Required items, how each was said (transcript / manual), and what the bot suggested."""

    required: Tuple[str, ...]
    heard: Tuple[str, ...] = ()  # items heard in the agent's speech (required or not)
    manual: Tuple[str, ...] = ()  # items the agent ticked by hand
    suggested: Tuple[str, ...] = ()

    @property
    def said(self) -> List[str]:
        """The required items said, heard or ticked by hand, in the catalogue's order."""
        done = set(self.heard) | set(self.manual)
        return [item for item in self.required if item in done]

    @property
    def unsaid(self) -> List[str]:
        return [item for item in self.required if item not in self.said]

    @property
    def score(self) -> float:
        return round(len(self.said) / len(self.required), 2) if self.required else 1.0

    def state(self, item: str) -> str:
        """said / manual / suggested / pending / not_needed."""
        if item not in self.required:
            return NOT_NEEDED
        if item in self.heard:
            return SAID
        if item in self.manual:
            return MANUAL
        return SUGGESTED if item in self.suggested else PENDING

    def summary(self) -> Dict[str, Any]:
        """Contract §3 `adherence`."""
        return {"required": list(self.required), "said": self.said, "score": self.score}


def evaluate(
    slots: Mapping[str, Any],
    said_actions: Iterable[str] = (),
    heard: Iterable[str] = (),
    manual: Iterable[str] = (),
) -> Adherence:
    """The call's adherence now: `heard` are the items matched in its agent segments."""
    required = tuple(required_items(slots))
    return Adherence(
        required=required,
        heard=tuple(i for i in ITEMS if i in set(heard)),
        manual=tuple(i for i in ITEMS if i in set(manual)),
        suggested=tuple(i for i in ITEMS if i in suggested_items(said_actions)),
    )
