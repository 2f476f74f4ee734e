"""The call state: what the caller has said so far, what is still missing, what happens next.

Every caller turn is read for everything (bot/core/hearing.py) and absorbed here,
whichever question was asked; a question is asked only for what is still
missing, never a third time, and "不知道" gets the alternative instead of the same
question. Complaints are registered the turn they are heard, whoever calls and
whatever identity step is pending; identity decides only what may be disclosed.

`Call` is plain, frozen data (kept in the `call` slot as a dict); the functions
here are the rules. The Rasa form is a thin shell around them
(actions/call_form.py): it does the look-ups and writes these functions ask for
and utters the responses they name.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any, Dict, List, Optional, Tuple

from bot.core.hearing import Heard
from bot.core.vocabulary import CASE_KINDS, TRUSTED_VERIFICATION

MAX_ASKS = 2  # no question is asked a third time
MAX_ATTEMPTS = 3  # identity checks before human review
MAX_MISSES = 2  # turns in a row that fill nothing → the human
NLU_SURE = 0.7  # a matter the NLU alone guesses is added beside another only from this confidence
SYSTEM_FAULT = "system_fault"

QUESTIONS = (
    "caller_role",
    "role_confirm",  # "您是说您是借款人本人，对吗？": the role heard only unsure, once, after the role was asked twice
    "customer_name",
    "name_confirm",  # "您说的名字是王建国，对吗？": a name heard only unsure, once, instead of a third try or the human
    "identity_code",
    "loan_id",
    "sms_code",
    "purpose",
    "hardship",
    "case_detail",
)
CONFIRMATIONS = ("role_confirm", "name_confirm")  # read back what was heard only unsure, for a yes or a no
HARDSHIP_PURPOSES = ("repayment_plan", "fee_waiver")
HARDSHIP_ROLES = ("borrower", "family", "authorized_agent")
# reported as `complaint_registered`; a fraud report has its own reference in `matters`
COMPLAINT_KINDS = ("complaint",)
NON_BORROWER_ROLES = ("family", "authorized_agent", "third_party")
# Signals that mean the line itself is known to the anti-proxy team: nothing is told on it.
LINE_SIGNALS = ("watchlist_phone", "voiceprint_match")


def signal_codes(signals: Any) -> List[str]:
    """The codes of the `proxy_signals` slot's value ([{"code", "evidence"}, …])."""
    return [s.get("code") for s in signals or [] if isinstance(s, dict)]


@dataclass(frozen=True)
class Matter:
    """One request the caller raised, with its reference once registered."""

    purpose: str
    detail: str = ""
    reference: Optional[str] = None

    @property
    def case_kind(self) -> Optional[str]:
        return CASE_KINDS.get(self.purpose)


@dataclass(frozen=True)
class Call:
    """What the dialogue knows about the call so far."""

    role: Optional[str] = None
    role_claims: Tuple[Tuple[str, str], ...] = ()  # (role, sentence) each time the role changed
    caller_name: Optional[str] = None
    borrower_name: Optional[str] = None  # the borrower's name: the caller's own for a borrower
    id_digits: Optional[str] = None
    loan_id: Optional[str] = None
    matters: Tuple[Matter, ...] = ()
    hardship: Optional[str] = None
    asked: Tuple[Tuple[str, int], ...] = ()
    declined: Tuple[str, ...] = ()
    misses: int = 0
    # identity
    checked: Tuple[str, ...] = ()  # name|code combinations already compared with the records
    identity_attempts: int = 0
    verification: str = "none"
    customer_id: Optional[str] = None
    phone_match: Optional[bool] = None
    ambiguous: bool = False
    flipped: bool = False  # presented as someone else, then claimed to be the borrower
    bystander: bool = False  # reached by the collection calls, acts for nobody (materials: their own evidence)
    denied_borrower: bool = False  # said they are not the borrower ("我不是借款人"), and no more
    sms: Optional[str] = None  # sent | ok | exhausted | no_phone | unavailable
    sms_masked: Optional[str] = None
    sms_resent: bool = False  # sent again once after "没收到"
    subject_customer_id: Optional[str] = None  # whom a non-borrower calls about, when known
    handoff: bool = False
    handoff_reason: Optional[str] = None
    level1: bool = False
    # a callback to the registered phone would not reach the borrower's own will (hearing.Heard)
    line_held: bool = False
    borrower_unreachable: bool = False
    contact_change: bool = False
    ended: bool = False  # the caller said goodbye: no more questions
    not_customer: Optional[str] = None  # wrong_number | prospect: nobody's account, nothing to ask
    added_detail: bool = False  # this turn added to a registered case's detail
    wrapped: bool = False
    # the latest turn heard below the ASR threshold that said something, as (text, question asked):
    # taken only once a clear turn repeats one of its facts (corroborated)
    tentative: Tuple[str, ...] = ()
    unsure_role: Optional[str] = None  # the role a turn below the ASR threshold said, to confirm (role_confirm)
    unsure_name: Optional[str] = None  # the name the held unsure turn said, to confirm (name_confirm)
    turns: int = 0
    notes: Tuple[str, ...] = field(default_factory=tuple)

    # ---- reading ---------------------------------------------------------------------------
    @classmethod
    def from_slot(cls, value: Any) -> Call:
        if not isinstance(value, dict):
            return cls()
        data = dict(value)
        data["matters"] = tuple(Matter(**m) for m in data.get("matters") or [])
        for key in ("role_claims", "asked"):
            data[key] = tuple(tuple(x) for x in data.get(key) or [])
        for key in ("declined", "checked", "notes", "tentative"):
            data[key] = tuple(data.get(key) or [])
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})

    def to_slot(self) -> Dict[str, Any]:
        data = asdict(self)
        data["matters"] = [asdict(m) for m in self.matters]
        data["role_claims"] = [list(x) for x in self.role_claims]
        data["asked"] = [list(x) for x in self.asked]
        for key in ("declined", "checked", "notes", "tentative"):
            data[key] = list(data[key])
        return data

    @property
    def is_borrower(self) -> bool:
        return self.role == "borrower"

    @property
    def identity_verified(self) -> bool:
        """Contract §3: true only with registered_phone or sms_code."""
        return self.is_borrower and self.verification in TRUSTED_VERIFICATION and not self.flipped

    @property
    def identity_failed(self) -> bool:
        return self.is_borrower and not self.identity_verified and self.identity_attempts >= MAX_ATTEMPTS

    @property
    def purpose(self) -> Optional[str]:
        return self.matters[0].purpose if self.matters else None

    @property
    def purposes(self) -> Tuple[str, ...]:
        return tuple(m.purpose for m in self.matters)

    def times_asked(self, question: str) -> int:
        return dict(self.asked).get(question, 0)

    def can_ask(self, question: str) -> bool:
        return self.times_asked(question) < MAX_ASKS and question not in self.declined

    @property
    def code(self) -> Optional[str]:
        """What the identity check compares: the loan number if given, else the ID digits."""
        return self.loan_id or self.id_digits


# ---- absorbing a turn ---------------------------------------------------------------------------
def absorb(call: Call, heard: Heard, asked: Optional[str]) -> Call:
    """Keep everything the turn said, whichever question was asked."""
    changes: Dict[str, Any] = {"turns": call.turns + 1}
    role = call.role
    claims = list(call.role_claims)
    new_role = heard.said_role
    if role and new_role and not heard.role_from_words:
        new_role = None  # an established role changes only by the caller's words, never by the NLU's guess
    if new_role is None and role is None and heard.caller_name and heard.id_digits and not heard.subject_name:
        new_role = "borrower"  # "我是张伟，身份证后四位3721": own name and own ID digits
    if heard.claims_borrower and heard.speaks_as_agency:
        # "我们客户周杰这笔借款……就是我的借款": an agency's words, then the borrower's
        claims.append(("third_party", heard.text))
        changes["flipped"] = True
    if new_role and new_role != role:
        earlier = {r for r, _ in claims}
        if new_role == "borrower" and earlier & set(NON_BORROWER_ROLES):
            changes["flipped"] = True
        if role == "borrower" and new_role in NON_BORROWER_ROLES:
            # was taken for the borrower, is not: whatever was checked as the borrower no longer counts
            changes.update(verification="none", customer_id=None, phone_match=None, checked=())
        claims.append((new_role, heard.text))
        role = new_role
    elif new_role and not claims:
        claims.append((new_role, heard.text))
    if heard.denies_borrower and role == "borrower":
        # "我不是借款人，我就是收到短信的人": taken for the borrower, is not; nothing checked as them counts
        changes.update(verification="none", customer_id=None, phone_match=None, checked=())
        role = None
    if asked == "role_confirm" and role is None and call.unsure_role and heard.affirm and not heard.deny:
        role = call.unsure_role  # "对" to "您是说您是借款人本人，对吗？"
        claims.append((role, heard.text))
    if role == "unknown":
        role = None
    changes["role"] = role
    if role:
        changes["unsure_role"] = None
    changes["role_claims"] = tuple(claims)
    changes["bystander"] = (call.bystander or heard.bystander) and not heard.speaks_as_agency and role != "borrower"
    changes["line_held"] = call.line_held or heard.line_held
    changes["borrower_unreachable"] = (call.borrower_unreachable or heard.borrower_unreachable) and role != "borrower"
    changes["contact_change"] = call.contact_change or heard.contact_change

    # names: a borrower's own name is the borrower's name
    caller_name = heard.caller_name or call.caller_name
    borrower_name = heard.subject_name or call.borrower_name
    if heard.bare_name:
        if role == "borrower":
            caller_name = heard.bare_name
        else:
            borrower_name = heard.bare_name
    denied = call.denied_borrower or (heard.denies_borrower and role is None)
    changes["denied_borrower"] = denied and role is None
    if role is None and caller_name and borrower_name == caller_name and not heard.subject_name and not denied:
        # "喂，我是周杰" … "借款人叫什么名字？" "周杰": the caller named themself as the borrower
        role = "borrower"
        claims.append((role, heard.text))
        changes.update(role=role, role_claims=tuple(claims))
    if role == "borrower":
        if heard.caller_name:
            borrower_name = heard.caller_name
        elif heard.subject_name and not heard.caller_name and heard.claims_borrower:
            borrower_name = heard.subject_name
        borrower_name = borrower_name or caller_name
    changes["caller_name"] = caller_name
    changes["borrower_name"] = borrower_name
    # digits: the latest wins (a correction, or a repeat)
    if heard.id_digits:
        changes["id_digits"] = heard.id_digits
    if heard.loan_id or heard.loan_digits:
        changes["loan_id"] = heard.loan_id or heard.loan_digits
    if heard.hardship:
        changes["hardship"] = heard.hardship

    not_customer = call.not_customer
    if heard.not_a_customer and role is None:
        not_customer = heard.not_a_customer
    elif heard.role or heard.claims_borrower or heard.subject_name:
        not_customer = None  # "打错了…哦不对，我是想问我老公那笔": there is an account after all
    changes["not_customer"] = not_customer
    if not_customer == "wrong_number" and not call.matters:
        changes["ended"] = True  # dialled the wrong number: told where they called, and goodbye

    matters = list(call.matters)
    if asked == "case_detail" and not heard.digression and heard.text and matters:
        for i in range(len(matters) - 1, -1, -1):  # the detail belongs to the latest case
            if matters[i].case_kind:
                detail = (matters[i].detail + " " + heard.text).strip()
                matters[i] = replace(matters[i], detail=detail[:2000])
                break
    if heard.purposes and (call.level1 or role in ("third_party", "authorized_agent")):
        dropped = set()
        if heard.stop_demand:
            dropped.add("collection_complaint")  # "别再联系她，以后有事找我们": the agency's demand
        if heard.threat_only and role == "third_party":
            dropped.add("collection_complaint")  # "再打她电话我们就投诉你们": the agency's lever, no complaint
        if call.level1 and heard.purpose_guess is not None:
            # level1: "要是继续催收，后果自负" registers no case on the NLU's guess ("能免多少" is still noted)
            dropped.update(p for p in heard.purposes if p in CASE_KINDS)
        if dropped:
            kept = tuple(p for p in heard.purposes if p not in dropped)
            if not kept and heard.stop_demand:
                heard = replace(heard, purposes=("other",), other_described=True)  # the demand, noted
            else:
                heard = replace(heard, purposes=kept)
    matters = _with_matters(matters, heard)
    changes["matters"] = tuple(matters)

    added_detail = False
    if (
        asked is None
        and call.turns >= 1
        and not heard.gave_anything
        and not heard.digression
        and not heard.wants_human
        and not heard.low_confidence  # "没听清" is what the caller hears: nothing unsure goes into the case
        and heard.text
        and any(m.case_kind for m in matters)
    ):
        for i in range(len(matters) - 1, -1, -1):  # more words about the case after it was registered
            if matters[i].case_kind:
                matters[i] = replace(matters[i], detail=(matters[i].detail + " " + heard.text).strip()[:2000])
                added_detail = True
                break
        changes["matters"] = tuple(matters)
    changes["added_detail"] = added_detail

    declined = list(call.declined)
    about = heard.about or asked
    if about and (heard.dont_know or heard.refuses) and about in QUESTIONS:
        declined.append(about)
        if about == "identity_code" and not call.loan_id and heard.refuses:
            declined.append("loan_id")  # will not give it: do not ask for the other number either
    if heard.denies_borrower and role is None:
        declined.append("caller_role")  # said who they are not, and no more: not asked again
    if heard.no_phone:
        changes["sms"] = "no_phone"
        declined.append("sms_code")
    described_hardship = (
        asked == "hardship"
        and not heard.hardship
        and bool(heard.text)
        and not (heard.digression or heard.wants_human or heard.low_confidence)
    )
    if asked == "hardship" and (heard.deny or described_hardship):
        declined.append("hardship")  # answered in words no list has: taken as said, not asked again
    if asked == "case_detail" and heard.text:
        declined.append("case_detail")  # asked once, answered: the detail is kept
    changes["declined"] = tuple(dict.fromkeys(declined))

    useful = (
        heard.gave_anything
        or added_detail
        or (asked == "case_detail" and bool(heard.text))
        or (asked == "hardship" and heard.deny)
        or described_hardship
    )
    if asked in CONFIRMATIONS and (heard.affirm or heard.deny):
        useful = True  # a yes or a no answers the confirmation
    if asked == "name_confirm" and heard.deny:
        changes["unsure_name"] = None  # not that name: the name is asked again if it still can be
    if heard.digression or heard.wants_human:
        useful = True
    changes["misses"] = 0 if useful and not heard.low_confidence else call.misses + 1
    return replace(call, **changes)


def _with_matters(matters: List[Matter], heard: Heard) -> List[Matter]:
    """The matters, with those the turn raises added in the order said (each once)."""
    matters = list(matters)
    if matters and heard.purpose_guess is not None and heard.purpose_guess < NLU_SURE:
        return matters  # "要不要报警？" after a fraud report: the NLU's unsure guess raises no second matter
    for purpose in heard.purposes:
        if purpose == "unknown" or purpose in (m.purpose for m in matters):
            continue
        if purpose == "other" and matters and not heard.other_described:
            continue  # a vague "other" after a matter is no matter; 改手机号 is
        described = CASE_KINDS.get(purpose) or (purpose == "other" and heard.other_described)
        matters.append(Matter(purpose, detail=heard.text[:2000] if described else ""))
    if len(matters) > 1 and matters[0].purpose == "other" and not matters[0].detail:
        matters = matters[1:]  # a vague "other" first gives way to the matter named after it; 改手机号 stays
    return matters


def corroborated(tentative: Heard, heard: Heard) -> bool:
    """Whether a clear turn repeats a fact of a reading of speech below the ASR threshold: the same
    name, or the same digits. "我系本人啦，许娟" heard unsure, then "许娟，言午许" heard clearly: the
    unsure turn was heard right, and what else it said (本人) counts too."""
    if heard.low_confidence or tentative.low_confidence:
        return False
    names = {tentative.caller_name, tentative.subject_name, tentative.bare_name} - {None}
    said = {heard.caller_name, heard.subject_name, heard.bare_name} - {None}
    if names & said:
        return True
    numbers = {tentative.id_digits, tentative.loan_id, tentative.loan_digits} - {None}
    return bool(numbers & ({heard.id_digits, heard.loan_id, heard.loan_digits} - {None}))


def confirms_tentative(call: Call, heard: Heard, asked: Optional[str]) -> bool:
    """ "对" to "您说的名字是王建国，对吗？": the unsure turn that said the name was heard right."""
    return asked == "name_confirm" and bool(call.unsure_name and call.tentative) and heard.affirm and not heard.deny


def absorb_corroborated(call: Call, tentative: Heard, asked: Optional[str]) -> Call:
    """The unsure turn, now confirmed, is kept as if heard clearly (it was counted as a turn already)."""
    return replace(absorb(call, tentative, asked), turns=call.turns, tentative=(), unsure_name=None)


def keep_matters(call: Call, heard: Heard, with_role: bool = False) -> Call:
    """Only the matters of a turn heard below the ASR threshold: the turns a call reaches a human
    with, and the level1 turn whose words decided the level (the caller is told the demand is
    recorded, and is asked nothing more). For that one `with_role`: who the words say is calling
    ("我是城南派出所的民警") is kept too when no role is known, as the words were trusted for level1."""
    call = replace(call, matters=tuple(_with_matters(list(call.matters), heard)))
    if with_role and call.role is None and heard.role and heard.role_from_words:
        call = replace(call, role=heard.said_role, role_claims=call.role_claims + ((heard.said_role, heard.text),))
    return call


def held_unsure(call: Call, unsure: Heard, asked: Optional[str]) -> Call:
    """A turn below the ASR threshold, read as if clear (`unsure`), held aside: the turn itself, to be
    kept once a clear turn corroborates it, and the role it says, to be read back (role_confirm)."""
    if unsure.gave_anything:
        name = unsure.caller_name or unsure.subject_name or unsure.bare_name
        call = replace(call, tentative=(unsure.text, asked or ""), unsure_name=None if call.borrower_name else name)
    if call.role is None and unsure.role_from_words and unsure.said_role:
        call = replace(call, unsure_role=unsure.said_role)
    return call


# ---- identity -------------------------------------------------------------------------------------
def identity_key(call: Call) -> Optional[str]:
    if not call.borrower_name or not call.code:
        return None
    return f"{call.borrower_name}|{call.code}"


def needs_identity_check(call: Call) -> bool:
    """Name and a code are known for the borrower and that pair was not compared yet."""
    key = identity_key(call)
    if not call.is_borrower or key is None or key in call.checked:
        return False
    return call.verification == "none" and call.identity_attempts < MAX_ATTEMPTS and not call.flipped


def needs_subject_lookup(call: Call) -> bool:
    """A non-borrower named whom they call about: note that customer (for the multi-account signal)."""
    return (
        (not call.is_borrower)
        and bool(call.borrower_name)
        and call.subject_customer_id is None
        and (f"subject|{call.borrower_name}|{call.code}" not in call.checked)
    )


@dataclass(frozen=True)
class Candidate:
    """A customer record whose name and code match what was said."""

    customer_id: str
    phone_match: Optional[bool]  # calling number == registered phone (None: number unknown or untrusted)


def apply_identity(call: Call, candidates: List[Candidate]) -> Tuple[Call, str]:
    """Take the result of comparing name + code with the records.

    Returns the new state and what to tell the caller: `verified` (registered
    phone), `knowledge` (matched, phone not proven), `ambiguous` (several records:
    ask for the loan number), `mismatch` or `failed` (third failure).
    """
    key = identity_key(call)
    checked = call.checked + ((key,) if key else ())
    if len(candidates) > 1:
        on_phone = [c for c in candidates if c.phone_match]
        if len(on_phone) == 1:
            candidates = on_phone
        elif not call.loan_id:
            return replace(call, checked=checked, ambiguous=True), "ambiguous"
    if len(candidates) == 1:
        c = candidates[0]
        level = "registered_phone" if c.phone_match else "knowledge"
        new = replace(
            call,
            checked=checked,
            verification=level,
            customer_id=c.customer_id,
            phone_match=c.phone_match,
            ambiguous=False,
        )
        return new, ("verified" if level == "registered_phone" else "knowledge")
    attempts = call.identity_attempts + 1
    failed = attempts >= MAX_ATTEMPTS
    # keep the name, ask again for the number (after two misses, the loan number instead)
    new = replace(
        call,
        checked=checked,
        identity_attempts=attempts,
        id_digits=None,
        loan_id=None,
        ambiguous=False,
    )
    return new, ("failed" if failed else "mismatch")


def wants_sms(call: Call, risk_level: str, signal_codes=()) -> bool:
    """Offer the code to the registered phone: the borrower matched by knowledge only."""
    return (
        call.is_borrower
        and call.verification == "knowledge"
        and call.sms is None
        and not call.flipped
        and not blocked(risk_level, signal_codes)
        and "sms_code" not in call.declined
    )


def sms_sent(call: Call, masked: Optional[str]) -> Call:
    if masked is None:
        return replace(call, sms="unavailable")
    return replace(call, sms="sent", sms_masked=masked)


def wants_resend(call: Call, heard) -> bool:
    """ "没收到": the code is sent once more (a new code; the wrong attempts so far still count)."""
    return call.sms == "sent" and heard.not_received and not call.sms_resent


def not_received_again(call: Call) -> Call:
    """Not received after the resend either: go on without it, as without the phone (the callback)."""
    declined = tuple(dict.fromkeys(call.declined + ("sms_code",)))
    return replace(call, sms="no_phone", declined=declined)


def apply_sms(call: Call, ok: bool, exhausted: bool) -> Tuple[Call, str]:
    """The code read back: verified, wrong (asked once more), or failed. The code is asked at most
    twice (no question a third time), so a wrong code at the second ask ends the attempt as the third
    wrong code would (contract §5: human review)."""
    if ok:
        return replace(call, sms="ok", verification="sms_code"), "verified"
    if exhausted or call.times_asked("sms_code") >= MAX_ASKS:
        return replace(call, sms="exhausted"), "failed"
    return call, "wrong"


# ---- what may be told ---------------------------------------------------------------------------------
# Evidence that the one on the line is an agency, whatever role it claims: it spoke as an agency and
# then as the borrower (a role flip), or the line or the voice is a known agency's.
AGENCY_EVIDENCE = ("role_flip", "watchlist_phone", "voiceprint_match")


def reported_role(call: Call, signal_codes=()) -> Optional[str]:
    """The caller's role as the summary and the risk engine take it (contract §1): an agency that
    claims to be the borrower or a relative, and is shown to be an agency, acts for the borrower
    without shown authorisation: `third_party`. A victim reporting the agency keeps their role."""
    codes = set(signal_codes or ())
    if call.level1 and call.role is None and call.borrower_name and call.borrower_name != call.caller_name:
        # level1 asks nothing more: one who spoke of the borrower in the third person ("林峰的账你们全免了")
        # and showed no authorisation acts for the borrower without it (contract §1)
        return "third_party"
    victim = any(m.purpose == "fraud_report" for m in call.matters)
    if call.role in ("borrower", "family") and not victim:
        if call.flipped or codes & set(AGENCY_EVIDENCE):
            return "third_party"
        if call.role == "family" and "forged_document" in codes:
            return "third_party"  # "证明我们都能开": a relative does not supply hospital stamps
    if call.role == "authorized_agent" and codes & set(LINE_SIGNALS):
        # "我是王律师，受马超先生委托" from a known agency's line or voice: that agency, whatever it claims
        return "third_party"
    return call.role


def blocked(risk_level: str, signal_codes=()) -> bool:
    """Nothing about an account at level2 or above, or on a watch-listed line or voiceprint."""
    return risk_level in ("level2", "level1") or any(c in LINE_SIGNALS for c in signal_codes)


def may_disclose_account(call: Call, risk_level: str = "none", signal_codes=()) -> bool:
    """Account facts: only the borrower verified by registered phone or SMS code, on a clean call."""
    return call.identity_verified and not blocked(risk_level, signal_codes)


# ---- registering matters ----------------------------------------------------------------------------
def pending_registrations(call: Call) -> List[int]:
    """Matters that register a case (complaint, dispute, fraud) and have no reference yet."""
    return [i for i, m in enumerate(call.matters) if m.case_kind and not m.reference]


def registered(call: Call, index: int, reference: str) -> Call:
    matters = list(call.matters)
    matters[index] = replace(matters[index], reference=reference)
    return replace(call, matters=tuple(matters))


def complaint_registered(call: Call) -> bool:
    return any(m.reference and m.case_kind in COMPLAINT_KINDS for m in call.matters)


# ---- asking ---------------------------------------------------------------------------------------
def next_question(call: Call) -> Optional[str]:
    """The one question still worth asking, or None: the script is done (wrap up)."""
    if call.handoff or call.level1 or call.ended or call.not_customer:
        return None
    if call.role is None and call.can_ask("caller_role"):
        return "caller_role"
    if call.role is None and call.unsure_role and call.times_asked("role_confirm") == 0:
        return "role_confirm"
    if not call.borrower_name and call.unsure_name and call.times_asked("name_confirm") == 0:
        if call.misses >= MAX_MISSES or not call.can_ask("customer_name"):
            return "name_confirm"  # read back, instead of the human or a third ask
    if not call.borrower_name and call.can_ask("customer_name") and not call.identity_failed:
        return "customer_name"
    if call.is_borrower and not call.identity_failed and not call.flipped:
        if call.verification == "none":
            if call.ambiguous and call.can_ask("loan_id"):
                return "loan_id"
            if call.borrower_name and not call.code:
                if call.can_ask("identity_code"):
                    return "identity_code"
                if call.can_ask("loan_id"):  # "不知道", or asked twice: the other number
                    return "loan_id"
        elif call.verification == "knowledge" and call.sms == "sent" and call.can_ask("sms_code"):
            return "sms_code"
    if not call.matters and call.can_ask("purpose"):
        return "purpose"
    if (
        any(p in HARDSHIP_PURPOSES for p in call.purposes)
        and call.role in HARDSHIP_ROLES
        and not call.hardship
        and call.can_ask("hardship")
    ):
        return "hardship"
    cases = [m for m in call.matters if m.case_kind]
    if cases and call.times_asked("case_detail") == 0 and "case_detail" not in call.declined:
        if len(cases[-1].detail) < 16:
            return "case_detail"
    return None


def reads_back(call: Call) -> bool:
    """Whether the next question reads back the role or the name heard only unsure, for a yes or a no.
    It comes before the two-misses handoff: an unsure "我是本人" or "王建国" is a reading to confirm, not
    nothing heard (each asked once; if the answer fills nothing either, the call goes to the human)."""
    return next_question(call) in CONFIRMATIONS


def asking(call: Call, question: Optional[str]) -> Call:
    """Count that the question is being asked now."""
    if question is None:
        return call
    asked = dict(call.asked)
    asked[question] = asked.get(question, 0) + 1
    return replace(call, asked=tuple(asked.items()))


def handed_off(call: Call, reason: str) -> Call:
    return replace(call, handoff=True, handoff_reason=reason)


def handoff_slots(reason: str, level1: bool = False) -> Dict[str, Any]:
    """The slots a handoff sets, wherever it happens (the script, the Rasa server's fault fallback).
    A level1 call keeps its level1 next step (the police-report packet, the team): "叫你们负责人来接"
    after it is decided puts a person on the line, it does not make the call a plain review."""
    slots = {"handoff": True, "next_step": "human_review", "handoff_reason": reason}
    if level1:
        del slots["next_step"]
    return slots


# ---- after the call -----------------------------------------------------------------------------------
def next_step(call: Call, risk_level: str = "none", risk_next_step: Optional[str] = None, signal_codes=()) -> str:
    """What happens after the call, as a contract `next_step` code."""
    if risk_level == "level1" or call.level1:
        return risk_next_step or "police_report_packet"
    if (call.handoff and call.handoff_reason != SYSTEM_FAULT) or call.identity_failed or call.sms == "exhausted":
        return "human_review"
    if call.not_customer and not any(m.case_kind for m in call.matters):
        return "handled"  # a wrong number, a wish to borrow: told what to do, nothing to follow up
    step = _planned_step(call, risk_level, risk_next_step, signal_codes)
    if step == "callback_registered_phone" and (call.line_held or call.borrower_unreachable or call.contact_change):
        # the phone is in the caller's hands, the borrower cannot answer it, or the caller wants it
        # replaced: a callback would check nothing
        return "human_review"
    return step


def _planned_step(call: Call, risk_level: str, risk_next_step: Optional[str], signal_codes) -> str:
    if risk_level == "level2":
        # a level2 call opens the anti-proxy team's case (contract §7): the team verifies with the borrower
        # before anything is done, by the registered phone or, where the caller holds it, otherwise
        return risk_next_step or "escalate_team"
    if call.flipped:
        if call.phone_match and reported_role(call, signal_codes) == "third_party":
            # an agency calling from the borrower's registered phone holds the SIM card: a callback
            # would reach the agency again
            return "human_review"
        return "callback_registered_phone"
    purposes = [p for p in call.purposes if p not in ("unknown",)]
    if call.bystander:
        # one the calls reached asking how much the borrower owes is told only the borrower hears it:
        # nothing to follow up with the borrower for them
        if purposes and set(purposes) == {"account_inquiry"}:
            return "handled"  # told that only the borrower hears it: that is the answer
        purposes = [p for p in purposes if p != "account_inquiry"]
    if "fraud_report" in purposes:
        return "escalate_team"
    complaints_only = bool(purposes) and all(p == "collection_complaint" for p in purposes)
    if complaints_only and not (call.is_borrower and call.ambiguous):
        # registered, with its reference and reply deadline: the complaint is answered as registered,
        # whoever called and whether or not they were verified (two accounts match: a person checks whose)
        return "handled"
    if not call.is_borrower:
        if call.bystander and set(purposes) <= {"collection_complaint", "other"}:
            # wrongly called, acting for nobody ("把我的号码删掉"): their own request, no borrower to call
            return "human_review"
        if call.role is None or not purposes or purposes == ["other"]:
            return "human_review"
        return "callback_registered_phone"
    if call.ambiguous:
        return "human_review"
    if not call.identity_verified:
        if call.verification == "none" and not (call.borrower_name or call.code or call.customer_id):
            # nothing says whose account it is: no registered phone to call back
            return "human_review"
        return "callback_registered_phone"
    if not purposes or purposes == ["other"]:
        return "human_review"
    return "handled"
