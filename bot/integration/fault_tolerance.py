"""When the action server is down or slow: apologise, hand off, keep the conversation intact.

Rasa's own behaviour is to log the failure and answer nothing (after up to
five minutes when the server hangs). Here every call to the action server is
bounded by BOT_ACTION_TIMEOUT seconds; the first failure in a turn makes the
bot say `utter_system_busy` and mark a handoff (reason `system_fault`), and the
turn's other custom actions are skipped instead of waiting again. No event of
the failed action is applied, so the conversation is exactly where it was and
goes on normally once the action server answers again.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, List, Optional

from bot.core.call import SYSTEM_FAULT, handoff_slots
from bot.settings import callback_hours, env_float

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 5.0
BUSY_RESPONSE = "utter_system_busy"

_failed_turns: Dict[str, Optional[float]] = {}


def action_timeout() -> float:
    return env_float("BOT_ACTION_TIMEOUT", DEFAULT_TIMEOUT, minimum=0.5)


def _turn_of(tracker) -> Optional[float]:
    """The timestamp of the caller's latest message: one turn's identity."""
    message = tracker.latest_message
    for event in reversed(tracker.events):
        if getattr(event, "type_name", None) == "user":
            return event.timestamp
    return getattr(message, "timestamp", None)


def _slot_mapping_actions(domain) -> set:
    """Custom actions run inside action_extract_slots (their bot messages are dropped there)."""
    return {m.get("action") for slot in domain.slots for m in slot.mappings if m.get("action")}


async def _fallback_events(action_name: str, nlg, tracker, output_channel, domain, first: bool) -> List[Any]:
    """What a failed or skipped custom action returns instead of its own events."""
    from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet

    events: List[Any] = []
    if action_name == "action_session_start":
        events.append(SessionStarted())
    if first:
        message = await nlg.generate(BUSY_RESPONSE, tracker, output_channel.name(), callback_hours=callback_hours())
        if message and action_name in _slot_mapping_actions(domain):
            await output_channel.send_response(tracker.sender_id, message)
        elif message:
            events.append(
                BotUttered(
                    message.get("text"),
                    data={k: v for k, v in message.items() if k != "text"},
                    metadata={"utter_action": BUSY_RESPONSE},
                )
            )
    if first or action_name.startswith("validate_"):
        # (a form whose validation sets no slot would be rejected; this ends it quietly instead)
        events += [SlotSet(name, value) for name, value in handoff_slots(SYSTEM_FAULT).items()]
    if action_name.startswith("validate_"):
        events.append(SlotSet("requested_slot", None))  # end the form; it resumes later
    if action_name == "action_session_start":
        events.append(ActionExecuted("action_listen"))
    return events


def install() -> None:
    """Wrap RemoteAction.run in this process (the Rasa server) with the bounded fallback."""
    from rasa.core.actions.action import ActionExecutionRejection, RemoteAction

    if getattr(RemoteAction.run, "_bounded", False):
        return
    original = RemoteAction.run

    async def run(self, output_channel, nlg, tracker, domain):
        turn = _turn_of(tracker)
        sender = tracker.sender_id
        already_failed = sender in _failed_turns and _failed_turns[sender] == turn
        if already_failed:
            return await _fallback_events(self.name(), nlg, tracker, output_channel, domain, first=False)
        try:
            return await asyncio.wait_for(
                original(self, output_channel, nlg, tracker, domain), timeout=action_timeout()
            )
        except ActionExecutionRejection:
            raise
        except Exception as error:  # unreachable, slow or broken action server
            logger.error(
                "call %s: custom action %s failed (%s: %s); apologising and handing off",
                sender,
                self.name(),
                type(error).__name__,
                error,
            )
            _failed_turns[sender] = turn
            if len(_failed_turns) > 10000:
                _failed_turns.clear()
            return await _fallback_events(self.name(), nlg, tracker, output_channel, domain, first=True)

    run._bounded = True
    RemoteAction.run = run
