"""Identity checks: compare what the caller said with the customer records.

Names are compared by fuzzy pinyin too, because speech recognisers write
homophones (章伟 for 张伟). The calling number is compared with each record's
registered phone: several records with the same name and digits are told apart
by it (or by the loan number), never picked arbitrarily. What the caller said is
read by bot/core/hearing.py; what a match is worth is decided by bot/core/call.py
(knowledge alone never unlocks an account).
"""

from __future__ import annotations

import re
from typing import Iterable, List, Optional

from bot.core.call import Candidate
from bot.core.textnorm import normalize, pinyin_key


def same_name(said: str, recorded: str) -> bool:
    """Whether what was said contains the recorded name, in characters or in sound."""
    said_n, rec_n = normalize(said), normalize(recorded)
    if not said_n or not rec_n:
        return False
    if rec_n in said_n:
        return True
    rec_key = pinyin_key(rec_n)
    size = len(rec_n)
    return any(pinyin_key(said_n[i : i + size]) == rec_key for i in range(len(said_n) - size + 1))


def phones_equal(a: Optional[str], b: Optional[str]) -> Optional[bool]:
    """Whether two phone numbers are the same line; None when one is unknown."""
    da, db = _digits(a), _digits(b)
    if not da or not db:
        return None
    return da[-11:] == db[-11:]


def _digits(phone: Optional[str]) -> str:
    return re.sub(r"\D", "", phone or "")


def candidates(name_said: str, records: Iterable, caller_number: Optional[str]) -> List[Candidate]:
    """Every record (carrying the code said) whose name matches, with its phone match.

    `caller_number` must be a number the channel vouches for (the IVR platform, the
    agent's phone system, a signed web number); None when there is none.
    """
    return [
        Candidate(r.customer_id, phones_equal(caller_number, r.registered_phone))
        for r in records
        if same_name(name_said, r.name)
    ]
