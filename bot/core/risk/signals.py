"""Signal finders, one per family: each reads the call facts and context and returns signals."""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache
from typing import Callable, Dict, FrozenSet, Iterable, List, Optional, Sequence, Tuple

from bot.core.materials import label
from bot.core.risk.complaints import stored_complaint_shingles
from bot.core.risk.config import RiskConfig, clauses
from bot.core.risk.model import SIGNAL_CODES, CallFacts, RiskContext, Signal, trusted_verification
from bot.core.risk.phone import normalize_phone
from bot.core.risk.phrases import PhraseEntry, PhraseMatch, PhraseMatcher
from bot.core.risk.similarity import cosine, jaccard, minhash_signature, minhash_similarity, shingles
from bot.core.textnorm import normalize

SignalFinder = Callable[[CallFacts, RiskContext, RiskConfig], List[Signal]]


def make_signal(
    config: RiskConfig,
    code: str,
    evidence: str,
    weight: Optional[float] = None,
    ceiling: Optional[str] = None,
    quotable: Optional[bool] = None,
    quoted: bool = False,
    own_claim: bool = False,
) -> Signal:
    """A signal carrying the configured weight, ceiling and nature of its code."""
    rule = config.signals[code]
    return Signal(
        code,
        evidence,
        rule.weight if weight is None else weight,
        ceiling or rule.ceiling,
        rule.severe,
        rule.quotable if quotable is None else quotable,
        quoted,
        own_claim,
    )


def is_verified_borrower(facts: CallFacts) -> bool:
    """Whether the caller is the borrower and proved it beyond knowledge (registered_phone or sms_code)."""
    return facts.caller_role == "borrower" and trusted_verification(facts)


def whose_words(config: RiskConfig, text: str, span: str, start: Optional[int] = None) -> Dict[str, bool]:
    """Who speaks the words at `span` of this utterance, as make_signal keywords:
    quoted — they follow "他们说…" / "那个自称…" (someone else's words);
    own_claim — not quoted, and in their clause the caller presents as an organisation ("我们是…")."""
    norm, starts = clauses(text)
    at = norm.find(span) if start is None else start
    if at <= 0:
        return {"quoted": False, "own_claim": False}
    quoted = config.patterns["reported_speech"].search(norm[:at]) is not None
    clause_start = max((s for s in starts if s <= at), default=0)
    own = not quoted and config.patterns["self_claim"].search(norm[clause_start:at]) is not None
    return {"quoted": quoted, "own_claim": own}


def watchlist_phone_signals(facts: CallFacts, context: RiskContext, config: RiskConfig) -> List[Signal]:
    """watchlist_phone: the calling number is on the operator's watchlist."""
    number = normalize_phone(facts.caller_number)
    listed = {normalize_phone(p) for p in context.watchlist_phones}
    if number and number in listed:
        return [make_signal(config, "watchlist_phone", number)]
    return []


@lru_cache(maxsize=32)
def _watchlist_matcher(phrases: Tuple[str, ...], near_min_len: int) -> PhraseMatcher:
    """A fuzzy matcher over the operator's watch-listed phrases."""
    return PhraseMatcher([PhraseEntry(p, 1.0) for p in phrases if normalize(p)], near_min_len)


def watchlist_phrase_signals(facts: CallFacts, context: RiskContext, config: RiskConfig) -> List[Signal]:
    """watchlist_phrase: the caller said a phrase the operator watch-listed (homophones too)."""
    if not context.watchlist_phrases:
        return []
    matcher = _watchlist_matcher(tuple(context.watchlist_phrases), config.near_min_len)
    matches = _first_matches(matcher, facts.utterances)
    return [
        make_signal(config, "watchlist_phrase", m.evidence, **whose_words(config, text, m.span, m.start))
        for m, text in matches
    ]


def _first_matches(matcher: PhraseMatcher, utterances: Iterable[str]) -> List[Tuple[PhraseMatch, str]]:
    """The first match of every entry over all utterances, in call order, with its utterance."""
    seen: Dict[str, Tuple[PhraseMatch, str]] = {}
    for text in utterances:
        for m in matcher.find(text):
            seen.setdefault(m.entry.term, (m, text))
    return list(seen.values())


def gray_phrase_signals(facts: CallFacts, context: RiskContext, config: RiskConfig) -> List[Signal]:
    """gray_phrase: gray-industry wording, weighted per lexicon entry; a borrower's rights are free."""
    out = []
    for m, text in _first_matches(config.lexicon, facts.utterances):
        if m.entry.benign_for_borrower and facts.caller_role == "borrower":
            continue
        voice = whose_words(config, text, m.span, m.start)
        out.append(make_signal(config, "gray_phrase", m.evidence, m.entry.weight, m.entry.tier, **voice))
    return out


def voiceprint_signals(facts: CallFacts, context: RiskContext, config: RiskConfig) -> List[Signal]:
    """voiceprint_match: the caller's embedding is close to an enrolled watch-listed one."""
    if not facts.voiceprint:
        return []
    best: Optional[Tuple[float, str]] = None
    for enrolled_as, vector in context.enrolled_voiceprints:
        if len(vector) != len(facts.voiceprint):
            continue
        sim = cosine(facts.voiceprint, vector)
        if best is None or sim > best[0]:
            best = (sim, enrolled_as)
    if best is None or best[0] < config.voiceprint_threshold:
        return []
    return [make_signal(config, "voiceprint_match", f"与观察名单声纹（{best[1]}）相似度 {best[0]:.3f}")]


def multi_account_signals(facts: CallFacts, context: RiskContext, config: RiskConfig) -> List[Signal]:
    """multi_account_number: this number called about >= N distinct borrowers within D days."""
    if not context.number_history:
        return []
    now = context.now or max(ts for _, ts in context.number_history)
    start = now - timedelta(days=config.multi_account_days)
    customers = {cid for cid, ts in context.number_history if cid and start <= ts <= now}
    if context.current_customer_id:
        customers.add(context.current_customer_id)
    if len(customers) < config.multi_account_min:
        return []
    days = f"{config.multi_account_days:g}"
    return [make_signal(config, "multi_account_number", f"该号码 {days} 天内为 {len(customers)} 位不同借款人来电")]


def complaint_texts(utterances: Sequence[str], min_chars: int) -> List[str]:
    """The caller's whole complaint and every long turn, as candidates for comparison."""
    long_turns = [u for u in utterances if len(normalize(u)) >= min_chars]
    whole = "".join(utterances)
    return ([whole] if len(normalize(whole)) >= min_chars else []) + long_turns


def _shingle_similarity(sa: FrozenSet[str], sb: FrozenSet[str], config: RiskConfig) -> float:
    t = config.template
    la, lb = len(sa), len(sb)
    if min(la, lb) < t.threshold * max(la, lb):
        return 0.0  # Jaccard ≤ |small| / |large|: this pair cannot reach the threshold
    if t.method == "minhash":
        return minhash_similarity(minhash_signature(sa, t.num_perm), minhash_signature(sb, t.num_perm))
    return jaccard(sa, sb)


def template_signals(facts: CallFacts, context: RiskContext, config: RiskConfig) -> List[Signal]:
    """template_complaint: the complaint near-duplicates complaints from OTHER customers' calls."""
    t = config.template
    texts = complaint_texts(facts.utterances, t.min_chars)
    if not texts:
        return []
    mine = [(s, len(s)) for s in (shingles(text, t.shingle_size) for text in texts) if s]
    exact = t.method != "minhash"
    hits: Dict[str, float] = {}
    search = context.complaint_search
    if exact and search is not None:
        if (search.shingle_size, search.min_chars) != (t.shingle_size, t.min_chars):
            raise ValueError("complaint index built for other template settings")
        for sa, _ in mine:
            for customer_id, sim in search.matches(sa, t.threshold):
                if customer_id != context.current_customer_id:
                    hits[customer_id] = max(sim, hits.get(customer_id, 0.0))
        corpus: Sequence[Tuple[str, str]] = ()
    else:
        corpus = context.complaint_corpus
    for customer_id, other in corpus:
        if customer_id == context.current_customer_id:
            continue
        theirs = stored_complaint_shingles(other, t.shingle_size, t.min_chars)
        if theirs is None:
            continue
        lb, sim = len(theirs), 0.0
        for sa, la in mine:
            if (la if la < lb else lb) < t.threshold * (la if la > lb else lb):
                continue  # Jaccard ≤ |small| / |large|: this pair cannot reach the threshold
            if exact:  # Jaccard: |A ∩ B| / |A ∪ B|, without building the union
                common = len(sa & theirs)
                pair = common / (la + lb - common)
            else:
                pair = _shingle_similarity(sa, theirs, config)
            if pair > sim:
                sim = pair
        if sim >= t.threshold:
            hits[customer_id] = max(sim, hits.get(customer_id, 0.0))
    if len(hits) < t.min_customers:
        return []
    ids = ",".join(sorted(hits))
    return [make_signal(config, "template_complaint", f"与其他客户（{ids}）的投诉文本相似度 {max(hits.values()):.2f}")]


def oral_only(facts: CallFacts, config: RiskConfig) -> Optional[str]:
    """The caller's words saying the authorisation is oral only or that there is no 委托书, else None."""
    found = _first_pattern(config, "oral_authorisation", facts.utterances)
    return found[1] if found else None


def written_authorisation(facts: CallFacts, config: RiskConfig) -> bool:
    """Whether a written authorisation counts as shown: the caller of the engine says so (from the role)
    and the caller did not say it is only oral ("口头授权", "没有委托书但是他同意的")."""
    return facts.authorisation_shown and oral_only(facts, config) is None


def unauthorized_third_party_signals(facts: CallFacts, context: RiskContext, config: RiskConfig) -> List[Signal]:
    """unauthorized_third_party: an organisation, or an agent without shown (written) authorisation."""
    role = facts.caller_role
    found_oral = _first_pattern(config, "oral_authorisation", facts.utterances)
    if role == "family":
        found_oral = _first_pattern(config, "claimed_consent", facts.utterances)  # "这是他本人同意的"
    if role in ("authorized_agent", "unknown", "family") and found_oral:
        turn, oral = found_oral
        evidence = f"来电身份：{label('caller_role', role)}，没有书面授权（“{oral}”）"
        voice = whose_words(config, facts.utterances[turn], oral)
        return [make_signal(config, "unauthorized_third_party", evidence, quotable=True, **voice)]
    if role == "third_party" or (role == "authorized_agent" and not facts.authorisation_shown):
        evidence = f"来电身份：{label('caller_role', role)}，未出示书面授权"
        return [make_signal(config, "unauthorized_third_party", evidence)]
    if role in config.acting_roles and not facts.authorisation_shown:
        found = _first_pattern(config, "acts_for_borrower", facts.utterances)
        if found:
            text = facts.utterances[found[0]]
            voice = whose_words(config, text, found[1])
            return [make_signal(config, "unauthorized_third_party", found[1], quotable=True, **voice)]
    return []


def _first_pattern(config: RiskConfig, section: str, utterances: Iterable[str]) -> Optional[Tuple[int, str]]:
    """(turn index, span) of the first turn a pattern section matches, else None."""
    patterns = config.patterns[section]
    for i, text in enumerate(utterances):
        span = patterns.search(text)
        if span:
            return i, span
    return None


def _last_pattern_turn(config: RiskConfig, section: str, utterances: Sequence[str]) -> int:
    """Index of the last turn a pattern section matches, or -1."""
    patterns = config.patterns[section]
    return max((i for i, text in enumerate(utterances) if patterns.search(text)), default=-1)


def refuses_contact_signals(facts: CallFacts, context: RiskContext, config: RiskConfig) -> List[Signal]:
    """refuses_borrower_contact: asks us not to contact the borrower (discounted if later accepted)."""
    if facts.caller_role not in config.refuse_roles:
        return []
    found = _first_pattern(config, "refuses_borrower_contact", facts.utterances)
    if not found:
        return []
    last_refusal = _last_pattern_turn(config, "refuses_borrower_contact", facts.utterances)
    accepted = _last_pattern_turn(config, "accepts_borrower_callback", facts.utterances) >= last_refusal
    weight = config.signals["refuses_borrower_contact"].weight
    if accepted:
        weight *= config.accepted_factor
    return [make_signal(config, "refuses_borrower_contact", found[1], weight)]


def lawyer_claim_signals(facts: CallFacts, context: RiskContext, config: RiskConfig) -> List[Signal]:
    """lawyer_claim_unauthorized: claims to be a lawyer or law firm without shown written authorisation."""
    if written_authorisation(facts, config):
        return []
    return _quoted_signal(config, "lawyer_claim_unauthorized", "lawyer_claim", facts.utterances)


def impersonating_lawyer_signals(facts: CallFacts, context: RiskContext, config: RiskConfig) -> List[Signal]:
    """impersonating_lawyer: claims to be a lawyer or law firm (with papers or without) on a line or in a
    voice the watchlist knows as an agency's: a lawyer impersonated (NIFA level 1). A borrower verified
    by phone or code who says they are a lawyer speaks of their job (risk.yml skip_verified_borrower)."""
    found = _first_pattern(config, "lawyer_claim", facts.utterances)
    if not found or whose_words(config, facts.utterances[found[0]], found[1])["quoted"]:
        return []
    line = watchlist_phone_signals(facts, context, config) or voiceprint_signals(facts, context, config)
    if not line:
        return []
    where = "来电号码" if line[0].code == "watchlist_phone" else "声纹"
    return [make_signal(config, "impersonating_lawyer", f"自称“{found[1]}”，{where}在观察名单上")]


def _quoted_signal(config: RiskConfig, code: str, section: str, texts: Sequence[str]) -> List[Signal]:
    """`code` on the first text matching pattern `section`, marked quoted where it reports others' words."""
    found = _first_pattern(config, section, texts)
    if not found:
        return []
    return [make_signal(config, code, found[1], **whose_words(config, texts[found[0]], found[1]))]


def _pattern_signals(code: str, section: str) -> SignalFinder:
    """A finder raising `code` on the first turn matching lexicon pattern `section`."""

    def finder(facts: CallFacts, context: RiskContext, config: RiskConfig) -> List[Signal]:
        """Raise the code on the first matching turn."""
        return _quoted_signal(config, code, section, facts.utterances)

    finder.__name__ = f"{code}_signals"
    finder.__doc__ = f"{code}: the caller's words match lexicon patterns.{section}."
    return finder


impersonation_signals = _pattern_signals("impersonating_official", "impersonating_official")
forged_document_signals = _pattern_signals("forged_document", "forged_document")


def extortion_signals(facts: CallFacts, context: RiskContext, config: RiskConfig) -> List[Signal]:
    """extortion: a benefit demanded (免息, 减免, 删征信, 赔偿…) under a threat of harm (曝光, 闹, 天天投诉…).

    Each turn is read alone and joined to the turn before it, so "利息全免。" followed by
    "你们不同意，我们就去你们公司闹" counts; a threat with no benefit demanded does not.
    """
    turns = list(facts.utterances)
    texts: List[str] = []
    for i, text in enumerate(turns):
        texts.append(text)
        if i:
            texts.append(f"{turns[i - 1]}，{text}")
    return _quoted_signal(config, "extortion", "extortion", texts)


def _short(sentence: str, limit: int = 40) -> str:
    """A caller's sentence for evidence: trimmed, at most `limit` characters."""
    text = " ".join((sentence or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def role_flip_signals(facts: CallFacts, context: RiskContext, config: RiskConfig) -> List[Signal]:
    """role_flip: presented as family, agent or organisation, later in the call claims to be the borrower;
    or claimed to be the borrower, later speaks as an agent or a third party (an agency unmasked)."""
    presented: Optional[Tuple[str, str]] = None
    as_borrower: Optional[str] = None
    for role, sentence in facts.role_claims:
        if role == "borrower" and as_borrower is None and presented is None:
            as_borrower = sentence
        elif as_borrower is not None and role in ("third_party", "authorized_agent") and sentence != as_borrower:
            # "我是林峰本人" … "身份证我得问一下我们客户": the borrower's name, then an agency's words
            evidence = f"先称“{_short(as_borrower)}”，后称“{_short(sentence)}”"
            return [make_signal(config, "role_flip", evidence)]
        if presented is None and role in config.role_flip_from:
            presented = (role, sentence)
        elif presented is not None and role == "borrower":
            first_role, first = presented
            if first == sentence:  # "我们客户周杰这笔借款……就是我的借款": both in one breath
                evidence = f"同一句里先以{label('caller_role', first_role)}口吻、又称本人：“{_short(sentence)}”"
            else:
                evidence = f"先称“{_short(first)}”，后称“{_short(sentence)}”"
            return [make_signal(config, "role_flip", evidence)]
    return []


def operator_flag_signals(facts: CallFacts, context: RiskContext, config: RiskConfig) -> List[Signal]:
    """Signals an agent flagged by hand (e.g. forged_document on a doubtful certificate)."""
    out = []
    for code in dict.fromkeys(facts.operator_flags):
        if code in SIGNAL_CODES:
            rule = config.signals[code]
            out.append(Signal(code, "operator_flag", rule.weight, rule.ceiling, rule.severe, False))
    return out


FINDERS: Tuple[SignalFinder, ...] = (
    watchlist_phone_signals,
    watchlist_phrase_signals,
    voiceprint_signals,
    multi_account_signals,
    template_signals,
    gray_phrase_signals,
    unauthorized_third_party_signals,
    refuses_contact_signals,
    lawyer_claim_signals,
    impersonating_lawyer_signals,
    impersonation_signals,
    extortion_signals,
    forged_document_signals,
    role_flip_signals,
    operator_flag_signals,
)
