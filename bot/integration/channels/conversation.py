"""The Rasa side shared by the IVR and agent channels: send one turn, read the call back."""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from sanic.request import Request

from bot.core.call_view import CallView

# What a new call sends to Rasa: the session starts (opening line with the recording
# notice) and the greet rule opens the script, as if the caller had said hello.
START_TEXT = "/greet"


class NotReady(RuntimeError):
    """The Rasa agent is not loaded yet."""


class TurnCollector(CollectingOutputChannel):
    """Collects one turn's bot messages under the channel's own name.

    Rasa picks a response's `channel:` variant by the output channel's name, so
    the agent panel gets the agent variants and the IVR its telephone ones.
    """

    def __init__(self, channel: Text):
        super().__init__()
        self.channel = channel

    def name(self) -> Text:  # type: ignore[override]
        return self.channel

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        if message.get("text"):
            self.messages.append(
                {"recipient_id": recipient_id, "text": message["text"], "utter_action": message.get("utter_action")}
            )

    @property
    def texts(self) -> List[str]:
        return [m["text"] for m in self.messages]


async def load_view(request: Request, call_id: str) -> CallView:
    """The call as plain data (an empty view when Rasa has no conversation with this id)."""
    agent = getattr(request.app.ctx, "agent", None)
    if agent is None or agent.tracker_store is None or not agent.is_ready():
        raise NotReady()
    # The full tracker: the opening line is uttered just before the session-start event,
    # which `retrieve` (latest session only) would cut off.
    tracker = await agent.tracker_store.retrieve_full_tracker(call_id)
    if tracker is None or not tracker.events:
        return CallView(call_id)
    slots = {name: slot.value for name, slot in tracker.slots.items()}
    return CallView.from_events(
        call_id, tracker.get_latest_input_channel(), slots, [event.as_dict() for event in tracker.events]
    )


async def send_turn(
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
    call_id: str,
    text: str,
    channel: str,
    metadata: Optional[Dict[str, Any]],
) -> List[str]:
    """Hand one caller message to Rasa; the bot's texts for this turn."""
    collector = TurnCollector(channel)
    await on_new_message(UserMessage(text, collector, call_id, input_channel=channel, metadata=metadata or None))
    return collector.texts
