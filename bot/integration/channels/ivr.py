"""IVR channel: `POST /webhooks/ivr/webhook` for a telephony platform (contract §2).

Thin: payload checks and answers are plain Python (`bot.presentation.channel_payloads`,
`bot.presentation.ivr_reply`); this class moves them between HTTP, Rasa and the call records.
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, json

from bot.integration.channels.conversation import START_TEXT, NotReady, load_view, send_turn
from bot.integration.http.auth import error, token_ok, unauthorized
from bot.presentation import ivr_reply
from bot.presentation.channel_payloads import IVREvent, PayloadError, parse_ivr_event, parse_json_object
from bot.services.storage import Database, project_database
from bot.settings import env

logger = logging.getLogger(__name__)

DEFAULT_MIN_CONFIDENCE = 0.6
DEFAULT_QUEUE = "human_service"


class IVRInput(InputChannel):
    """Telephony events in, TTS prompts and what to listen for out."""

    @classmethod
    def name(cls) -> Text:
        return "ivr"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> IVRInput:
        """credentials.yml: min_asr_confidence, transfer_queue; BOT_IVR_MIN_CONFIDENCE and BOT_IVR_TOKEN win."""
        credentials = credentials or {}
        confidence = env("BOT_IVR_MIN_CONFIDENCE") or credentials.get("min_asr_confidence")
        return cls(
            min_confidence=float(confidence if confidence is not None else DEFAULT_MIN_CONFIDENCE),
            queue=str(credentials.get("transfer_queue") or DEFAULT_QUEUE),
            token=env("BOT_IVR_TOKEN"),
        )

    def __init__(
        self,
        min_confidence: float = DEFAULT_MIN_CONFIDENCE,
        queue: str = DEFAULT_QUEUE,
        token: Optional[str] = None,
        database: Callable[[], Database] = project_database,
    ):
        self.min_confidence = min_confidence
        self.queue = queue
        self.token = token
        self.database = database  # the process's one Database, looked up on first use

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("ivr_webhook", __name__)

        @bp.get("/")
        async def health(request: Request) -> HTTPResponse:
            return json({"status": "ok"})

        @bp.post("/webhook")
        async def receive(request: Request) -> HTTPResponse:
            if self.token and not token_ok(request, [self.token]):
                return unauthorized()
            try:
                event = parse_ivr_event(parse_json_object(request.body))
                return await self._handle(request, event, on_new_message)
            except PayloadError as err:
                return error(400, err.code, err.message)
            except NotReady:
                return error(503, "not_ready")

        return bp

    async def _handle(
        self, request: Request, event: IVREvent, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> HTTPResponse:
        db = self.database()
        call_id = event.call_id
        record = db.call_record(call_id)
        view = await load_view(request, call_id)
        if (record and record["channel"] != self.name()) or (record is None and view.started):
            return error(409, "other_channel", call_id=call_id)
        if record and record["ended_at"]:
            return error(409, "call_ended", call_id=call_id)

        if event.event == "hangup":
            if record is None:
                return error(404, "call_not_found", call_id=call_id)
            db.end_call(call_id)
            return json(ivr_reply.hung_up())
        low_confidence = False
        if event.event == "start":
            if record is not None:  # a repeated start: say the standing prompt again
                return json(
                    ivr_reply.reply([l.text for l in view.last_bot_turn()], view, self.queue), ensure_ascii=False
                )
            db.start_call(call_id, self.name())
            text = START_TEXT
        elif record is None:
            return error(409, "call_not_started", call_id=call_id)
        elif event.event == "utterance":
            # Below the confidence threshold nothing is taken from the words, but the turn still
            # goes to the script: two such turns in a row count as misses and reach a human.
            low_confidence = not event.text or (
                event.asr_confidence is not None and event.asr_confidence < self.min_confidence
            )
            text = event.text or "…"
        else:
            step = view.slots.get("requested_slot")
            text = ivr_reply.keys_to_text(event.dtmf or "", step)
            if text is None:
                key = "bad_keys" if ivr_reply.has_keys(step) else "no_keys_here"
                return json(ivr_reply.reprompt(key, view, self.queue), ensure_ascii=False)

        metadata = {
            "low_confidence": low_confidence,
            "caller_number": event.caller_number or view.caller_metadata.get("caller_number"),
            "voiceprint": event.voiceprint or view.caller_metadata.get("voiceprint"),
            "asr_confidence": event.asr_confidence,
            "dtmf": event.dtmf,
        }
        try:
            texts = await send_turn(
                on_new_message, call_id, text, self.name(), {k: v for k, v in metadata.items() if v is not None}
            )
        except Exception:  # noqa: BLE001 - the platform gets a clear answer, the log the details
            logger.exception("IVR turn failed for call %s", call_id)
            return error(503, "bot_unavailable")
        view = await load_view(request, call_id)
        return json(ivr_reply.reply(texts, view, self.queue), ensure_ascii=False)
