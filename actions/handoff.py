"""Handing the call to a human, on request or after repeated misunderstandings."""

from dataclasses import replace
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.tracker_state import call_state
from bot.core.call import MAX_MISSES, SYSTEM_FAULT, Call, handed_off, handoff_slots
from bot.settings import callback_hours


def handoff_events(call: Call, reason: str = "requested") -> List[EventType]:
    """The slots a handoff sets (the summary then reads handoff / human_review): the one place they are built."""
    call = handed_off(call, reason)
    return [SlotSet("call", call.to_slot())] + [SlotSet(k, v) for k, v in handoff_slots(reason, call.level1).items()]


def recovered_events(tracker: Tracker) -> List[EventType]:
    """After an action-server fault, the first turn that works again resumes the script."""
    if tracker.get_slot("handoff_reason") != SYSTEM_FAULT:
        return []
    call = replace(call_state(tracker), handoff=False, handoff_reason=None)
    return [
        SlotSet("call", call.to_slot()),
        SlotSet("handoff", False),
        SlotSet("next_step", None),
        SlotSet("handoff_reason", None),
    ]


class ActionHandoff(Action):
    """Transfers the call to a human agent ("转人工") outside the script's questions."""

    def name(self) -> Text:
        return "action_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        dispatcher.utter_message(response="utter_handoff", callback_hours=callback_hours())
        return handoff_events(call_state(tracker))


class ActionUnclear(Action):
    """A turn the NLU could not understand outside the script's questions: re-prompt, or hand off
    after MAX_MISSES in a row (the same count the script keeps)."""

    def name(self) -> Text:
        return "action_unclear"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        call = call_state(tracker)
        call = replace(call, misses=call.misses + 1)
        if call.misses >= MAX_MISSES:
            dispatcher.utter_message(response="utter_handoff_after_misses", callback_hours=callback_hours())
            return handoff_events(call, "misses")
        dispatcher.utter_message(response="utter_please_rephrase")
        return [SlotSet("call", call.to_slot())]
