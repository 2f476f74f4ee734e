"""Handing the call to a human, on request or after repeated misunderstandings."""

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.core.script import MAX_MISSES, SYSTEM_FAULT


def handoff_events(reason: str = "requested") -> List[EventType]:
    """The slots a handoff sets: the summary then reads handoff / human_review."""
    return [SlotSet("handoff", True), SlotSet("next_step", "human_review"), SlotSet("handoff_reason", reason)]


def recovered_events(tracker: Tracker) -> List[EventType]:
    """After an action-server fault, the first turn that works again resumes the script."""
    if tracker.get_slot("handoff_reason") != SYSTEM_FAULT:
        return []
    return [SlotSet("handoff", False), SlotSet("next_step", None), SlotSet("handoff_reason", None)]


class ActionHandoff(Action):
    """Transfers the call to a human agent ("转人工")."""

    def name(self) -> Text:
        return "action_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        dispatcher.utter_message(response="utter_handoff")
        return handoff_events()


def miss_events(dispatcher: CollectingDispatcher, tracker: Tracker, reprompt: str) -> List[EventType]:
    """Count a turn we did not understand: re-prompt, or hand off after MAX_MISSES in a row."""
    misses = int(tracker.get_slot("misses") or 0) + 1
    if misses >= MAX_MISSES:
        dispatcher.utter_message(response="utter_handoff_after_misses")
        return [SlotSet("misses", misses)] + handoff_events("misses")
    dispatcher.utter_message(response=reprompt)
    return [SlotSet("misses", misses)]


class ActionUnclear(Action):
    """Answers a turn the NLU could not understand outside the form."""

    def name(self) -> Text:
        return "action_unclear"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        return miss_events(dispatcher, tracker, "utter_please_rephrase")
