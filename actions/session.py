"""Session start: the opening line with the recording notice, and the calling number."""

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.tracker_state import caller_number


class ActionSessionStart(Action):
    """Greets with the recording notice and keeps the calling number."""

    def name(self) -> Text:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        events: List[EventType] = [SessionStarted()]
        number = caller_number(tracker)
        if number:
            events.append(SlotSet("caller_number", number))
        dispatcher.utter_message(response="utter_opening")
        events.append(ActionExecuted("action_listen"))
        return events
