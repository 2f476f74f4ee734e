"""What the IVR answers: keys turned into words, prompts fit for TTS, expect / transfer / hangup.

Plain rules over the call's slots and the bot's lines; the channel in
`bot/integration/channels/ivr.py` only moves them between HTTP and Rasa.
"""

from __future__ import annotations

import re
from typing import Any, Dict, Iterable, List, Optional

from bot.core.call_view import CallView, Line
from bot.core.datafiles import catalogue as catalogue_file

SPEECH, DTMF, NONE = "speech", "dtmf", "none"
HANDOFF_RESPONSES = ("utter_handoff", "utter_handoff_after_misses", "utter_system_busy")
GOODBYE_RESPONSES = ("utter_goodbye",)
_NOT_SPOKEN = re.compile(
    "[*_#`>|~\\[\\]]"  # markdown
    "|[\U0001f000-\U0001faff\u2600-\u27bf\ufe0f\u200d]"  # emoji and their joiners
)


def catalogue() -> dict:
    """bot/catalogue/ivr.yml: prompts, key menus, transfer reasons."""
    return catalogue_file("ivr.yml")


def prompt(key: str) -> str:
    return catalogue()["prompts"][key]


def keys_to_text(digits: str, step: Optional[str]) -> Optional[str]:
    """The words a key press stands for at this step of the script; None when it means nothing here."""
    digits = digits.rstrip("#")
    cat = catalogue()
    if digits in cat["any_step"]:
        return cat["any_step"][digits]["text"]
    menu = cat["steps"].get(step or "", {})
    if digits in menu:
        return menu[digits]["text"]
    digit_step = cat["digit_steps"].get(step or "")
    if digit_step and re.fullmatch(rf"[0-9]{{{digit_step['length']}}}", digits):
        return digit_step["text"].format(digits=digits)
    return None


def has_keys(step: Optional[str]) -> bool:
    """Whether this step has keys of its own (beyond the ones valid at every step)."""
    cat = catalogue()
    return bool(cat["steps"].get(step or "")) or step in cat["digit_steps"]


def max_digits(step: Optional[str]) -> int:
    """How many keys the platform should collect at this step."""
    cat = catalogue()
    lengths = [len(k) for k in cat["any_step"]] + [len(k) for k in cat["steps"].get(step or "", {})]
    if step in cat["digit_steps"]:
        lengths.append(int(cat["digit_steps"][step]["length"]))
    return max(lengths, default=1)


def expect_for(step: Optional[str]) -> str:
    """Digits where the script asks for ID digits or the SMS code, speech elsewhere (keys work at every step)."""
    return DTMF if step in ("identity_code", "sms_code") else SPEECH


def speakable(text: str) -> str:
    """A line as plain text for TTS: no markdown, no emoji, single spaces."""
    return re.sub(r"\s+", " ", _NOT_SPOKEN.sub("", text or "")).strip()


def reply(texts: Iterable[str], view: CallView, queue: str) -> Dict[str, Any]:
    """The contract's IVR answer after a turn that produced `texts`."""
    prompts = [{"text": t} for t in (speakable(x) for x in texts) if t]
    step = view.slots.get("requested_slot")
    answer: Dict[str, Any] = {
        "prompts": prompts,
        "expect": expect_for(step),
        "dtmf_max_digits": max_digits(step),
        "transfer": None,
        "hangup": False,
    }
    if view.slots.get("handoff"):
        reasons = catalogue()["transfer_reasons"]
        cause = view.last_said(HANDOFF_RESPONSES)
        answer.update(
            expect=NONE,
            dtmf_max_digits=0,
            transfer={"queue": queue, "reason": reasons.get(cause or "", reasons["default"])},
        )
    elif view.last_bot_turn() and view.last_bot_turn()[-1].utter_action in GOODBYE_RESPONSES:
        answer.update(expect=NONE, dtmf_max_digits=0, hangup=True)
    return answer


def reprompt(key: str, view: CallView, queue: str) -> Dict[str, Any]:
    """Say `key`'s prompt and repeat the question now standing, without asking Rasa."""
    return reply([prompt(key)] + standing_question(view), view, queue)


def standing_question(view: CallView) -> List[str]:
    """The last thing the bot asked (the final line of its last turn)."""
    turn: List[Line] = view.last_bot_turn()
    return [turn[-1].text] if turn else []


def hung_up() -> Dict[str, Any]:
    """The answer to a hangup event."""
    return {"prompts": [], "expect": NONE, "dtmf_max_digits": 0, "transfer": None, "hangup": True}
