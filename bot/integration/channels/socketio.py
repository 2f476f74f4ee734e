"""Caller web chat over socket.io, for the standard Rasa web-chat widget (contract §2).

Rasa's `SocketIOInput` (events `session_request` / `session_confirm`, `user_uttered`,
`bot_uttered`, at /socket.io/), with the rules of the REST channel
(bot/integration/channels/rest.py):

- with BOT_WEB_SIGNING_KEY set, `metadata.caller_number` counts only when the
  lender's web backend signed it for this conversation (`caller_number_exp`,
  `caller_number_sig`; the signed sender is the widget's `session_id`); an
  unsigned, expired or wrongly signed number is removed before Rasa sees it;
- the message is checked like a REST body (a conversation id, a text of bounded
  length, metadata an object), and socket.io packets are bounded by BOT_MAX_BODY_BYTES;
- the message's `input_channel` is always "socketio", so the caller gets the
  chat wording of domain.yml (the default variants), never the IVR's or the panel's.

It also fixes Rasa 3.6 with python-socketio 5.x: Rasa calls the now asynchronous
`enter_room` without awaiting it, so with `session_persistence` the widget never
joined its session's room and never received an answer.

The widget's metadata comes under `metadata` (credentials `metadata_key`), or
`customData` as the rasa-webchat widget sends it.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint

from bot.integration.channels.rest import vouched, warn_trusted_once
from bot.integration.http.guard import max_body_bytes
from bot.presentation.channel_payloads import PayloadError, check_rest_message
from bot.settings import env

logger = logging.getLogger(__name__)

WIDGET_METADATA_KEY = "customData"  # what the rasa-webchat widget sends its metadata as


class SignedSocketIOInput(SocketIOInput):
    """Rasa's socket.io channel with signed caller numbers and checked messages."""

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> SignedSocketIOInput:
        credentials = credentials or {}
        return cls(
            credentials.get("user_message_evt", "user_uttered"),
            credentials.get("bot_message_evt", "bot_uttered"),
            credentials.get("namespace"),
            credentials.get("session_persistence", False),
            credentials.get("socketio_path", "/socket.io"),
            credentials.get("jwt_key"),
            credentials.get("jwt_method", "HS256"),
            credentials.get("metadata_key", "metadata"),
            signing_key=env("BOT_WEB_SIGNING_KEY"),
        )

    def __init__(self, *args: Any, signing_key: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.signing_key = signing_key or None
        if self.signing_key is None:
            warn_trusted_once()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Rasa's blueprint, with our session_request and user message handlers in place of Rasa's."""
        bp = super().blueprint(on_new_message)
        sio = self.sio
        sio.eio.max_http_buffer_size = max_body_bytes()

        async def session_request(sid: Text, data: Optional[Dict]) -> None:
            data = data if isinstance(data, dict) else {}
            session_id = data.get("session_id")
            if not isinstance(session_id, str) or not session_id.strip():
                session_id = uuid.uuid4().hex
            if self.session_persistence:
                await sio.enter_room(sid, session_id, namespace=self.namespace)
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        async def handle_message(sid: Text, data: Any) -> None:
            data = data if isinstance(data, dict) else {}
            if self.session_persistence:
                sender = data.get("session_id")
                if not sender:
                    logger.warning("socket.io: a message without session_id (send session_request first) ignored")
                    return
            else:
                sender = sid
            metadata = self.metadata_of(data)
            try:
                check_rest_message({"sender": sender, "message": data.get("message"), "metadata": metadata})
            except PayloadError as err:
                room = sender if self.session_persistence else sid
                await sio.emit(self.bot_message_evt, {"text": err.message}, room=room, namespace=self.namespace)
                return
            message = UserMessage(
                data.get("message", ""),
                SocketIOOutput(sio, self.bot_message_evt),
                sender,
                input_channel=self.name(),
                metadata=vouched(self.signing_key, metadata, sender, time.time()),
            )
            await on_new_message(message)

        sio.on("session_request", session_request, namespace=self.namespace)
        sio.on(self.user_message_evt, handle_message, namespace=self.namespace)
        return bp

    def metadata_of(self, data: Dict[str, Any]) -> Any:
        """The message's metadata: under metadata_key, else customData (rasa-webchat); JSON text is read."""
        metadata = data.get(self.metadata_key)
        if metadata is None:
            metadata = data.get(WIDGET_METADATA_KEY)
        if isinstance(metadata, str):
            try:
                metadata = json.loads(metadata)
            except ValueError:
                return "not an object"  # refused by the message check, as a REST body would be
        return {} if metadata is None else metadata
