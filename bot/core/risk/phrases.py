"""Lexicon matching that survives typos and ASR homophones (fuzzy pinyin over sliding windows)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Iterable, List, Sequence, Tuple

from bot.core.textnorm import normalize, pinyin

# Pinyin initials, longest first so that "zh" wins over "z".
_INITIALS = (
    "zh",
    "ch",
    "sh",
    "b",
    "p",
    "m",
    "f",
    "d",
    "t",
    "n",
    "l",
    "g",
    "k",
    "h",
    "j",
    "q",
    "x",
    "r",
    "z",
    "c",
    "s",
    "y",
    "w",
)
_KIND_RANK = {"exact": 0, "homophone": 1, "near": 2}


@dataclass(frozen=True)
class PhraseEntry:
    """One lexicon entry: the term, its spellings and how much it weighs."""

    term: str
    weight: float
    tier: str = "level2"  # the highest level the phrase can justify on its own
    variants: Tuple[str, ...] = ()
    fuzzy: bool = True  # also match homophones / near-homophones
    near: bool = True  # with fuzzy: also tolerate one misheard syllable (off where that hits common words)
    exclude: Tuple[str, ...] = ()  # spans that sound alike but are other words (惨淡 ≠ 铲单)
    not_after: Tuple[str, ...] = ()  # skip when right after these words (你们法务部 is the lender's)
    benign_for_borrower: bool = False  # a borrower asking for it is exercising a right

    @property
    def forms(self) -> Tuple[str, ...]:
        """The term and its variants, normalised, without duplicates."""
        seen: Dict[str, None] = {}
        for form in (self.term,) + tuple(self.variants):
            norm = normalize(form)
            if norm:
                seen.setdefault(norm, None)
        return tuple(seen)


@dataclass(frozen=True)
class PhraseMatch:
    """Where and how an entry matched inside one utterance."""

    entry: PhraseEntry
    span: str
    start: int
    end: int
    kind: str  # exact | homophone | near

    @property
    def evidence(self) -> str:
        """The caller's words, with the lexicon term when they were not spelled the same."""
        return self.span if self.kind == "exact" else f"{self.span}≈{self.entry.term}"


def split_syllable(syllable: str) -> Tuple[str, str]:
    """Split a pinyin syllable into (initial, final)."""
    for initial in _INITIALS:
        if syllable.startswith(initial) and len(syllable) > len(initial):
            return initial, syllable[len(initial) :]
    return "", syllable


def near_syllables(a: str, b: str) -> bool:
    """Whether two syllables share their initial or their final (a likely mishearing)."""
    if not a.isalpha() or not b.isalpha():
        return False
    ia, fa = split_syllable(a)
    ib, fb = split_syllable(b)
    return (ia == ib and ia != "") or fa == fb


def syllables_of(norm: str) -> List[str]:
    """Fuzzy pinyin syllables aligned one-to-one with the characters of normalised text."""
    syl = pinyin(norm, fuzzy=True)
    if len(syl) == len(norm):
        return syl
    return [(pinyin(ch, fuzzy=True) or [ch])[0] for ch in norm]


_REMEMBERED = 20000  # utterances whose matches a matcher keeps


class PhraseMatcher:
    """Finds lexicon entries in caller text, exactly, by homophone, or with one misheard syllable."""

    def __init__(self, entries: Iterable[PhraseEntry], near_min_len: int = 4) -> None:
        """Precompute the pinyin of every spelling of every entry."""
        self.entries = list(entries)
        self.near_min_len = near_min_len
        self._forms = [(e, f, syllables_of(f)) for e in self.entries for f in e.forms]
        self._found: Dict[str, Tuple[PhraseMatch, ...]] = {}

    def find(self, text: str) -> List[PhraseMatch]:
        """All non-overlapping matches in one utterance, longest and most exact first.

        Remembered per utterance: a call's earlier turns are scanned again on every turn.
        """
        found = self._found.get(text)
        if found is None:
            if len(self._found) >= _REMEMBERED:
                self._found.clear()
            found = self._found[text] = tuple(self._find(text))
        return list(found)

    def _find(self, text: str) -> List[PhraseMatch]:
        norm = normalize(text)
        if not norm:
            return []
        syl = syllables_of(norm)
        found = []
        for entry, form, form_syl in self._forms:
            found.extend(self._scan(entry, form, form_syl, norm, syl))
        return _without_overlaps(found)

    def _scan(
        self, entry: PhraseEntry, form: str, form_syl: Sequence[str], norm: str, syl: Sequence[str]
    ) -> List[PhraseMatch]:
        """Slide one spelling over the utterance and keep the windows that match."""
        size = len(form_syl)
        out = []
        for i in range(len(syl) - size + 1):
            kind = self._window_kind(entry, form, form_syl, norm[i : i + size], syl[i : i + size])
            if kind and self._allowed(entry, norm, i, size):
                out.append(PhraseMatch(entry, norm[i : i + size], i, i + size, kind))
        return out

    def _window_kind(
        self, entry: PhraseEntry, form: str, form_syl: Sequence[str], chars: str, window: Sequence[str]
    ) -> str:
        """How a window matches a spelling: exact, homophone, near, or "" for no match."""
        if chars == form:
            return "exact"
        if not entry.fuzzy:
            return ""
        diffs = [(a, b) for a, b in zip(window, form_syl) if a != b]
        if not diffs:
            return "homophone"
        if entry.near and len(diffs) == 1 and len(form_syl) >= self.near_min_len and near_syllables(*diffs[0]):
            return "near"
        return ""

    @staticmethod
    def _allowed(entry: PhraseEntry, norm: str, start: int, size: int) -> bool:
        """False when the span is a listed false friend or follows an excluded word."""
        if norm[start : start + size] in {normalize(x) for x in entry.exclude}:
            return False
        before = norm[:start]
        return not any(before.endswith(normalize(w)) for w in entry.not_after if normalize(w))


def _without_overlaps(matches: List[PhraseMatch]) -> List[PhraseMatch]:
    """Keep the longest, most exact match where matches overlap; report in text order."""
    ranked = sorted(matches, key=lambda m: (-(m.end - m.start), _KIND_RANK[m.kind], m.start))
    kept: List[PhraseMatch] = []
    for m in ranked:
        if all(m.end <= k.start or m.start >= k.end for k in kept):
            kept.append(m)
    return sorted(kept, key=lambda m: m.start)
