"""Agent side panel channel: `POST /webhooks/agent/webhook` and the panel's call endpoints (contract §2).

Every route needs `Authorization: Bearer <agent token>`; tokens are the
operator's (`bot.settings.agent_tokens`). What the panel shows is derived in
`bot.presentation.panel_state`; this class moves it between HTTP, Rasa and the call records.
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, json

from bot.core.call_view import CallView
from bot.integration.channels.conversation import START_TEXT, NotReady, load_view, send_turn
from bot.integration.http.auth import error, token_owner, unauthorized
from bot.presentation import panel_state
from bot.presentation.channel_payloads import (
    PayloadError,
    conversation_id,
    parse_agent_end,
    parse_agent_note,
    parse_agent_turn,
    parse_json_object,
)
from bot.services.storage import Database, project_database
from bot.settings import agent_tokens, load_settings

logger = logging.getLogger(__name__)


class AgentInput(InputChannel):
    """The agent types (or the desktop forwards) what the caller says; the panel shows what to do next."""

    @classmethod
    def name(cls) -> Text:
        return "agent"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> AgentInput:
        tokens, generated = agent_tokens(load_settings())
        if generated:
            logger.warning(
                "未配置坐席令牌，已生成开发用令牌（见 BOT_DATA_DIR/agent_tokens）。生产环境请设置 BOT_AGENT_TOKENS。"
            )
        return cls(tokens)

    def __init__(self, tokens: Dict[str, str], database: Callable[[], Database] = project_database):
        self.tokens = dict(tokens)
        self.database = database  # the process's one Database, looked up on first use

    def agent_for(self, request: Request) -> Optional[str]:
        """The agent id of the request's bearer token, or None."""
        return token_owner(request, self.tokens)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("agent_webhook", __name__)

        def guarded(handler):
            async def wrapped(request: Request, **kwargs) -> HTTPResponse:
                agent_id = self.agent_for(request)
                if agent_id is None:
                    return unauthorized()
                try:
                    if "call_id" in kwargs:
                        conversation_id({"call_id": kwargs["call_id"]})
                    return await handler(request, agent_id, **kwargs)
                except PayloadError as err:
                    return error(400, err.code, err.message)
                except NotReady:
                    return error(503, "not_ready")

            wrapped.__name__ = handler.__name__
            return wrapped

        @bp.get("/")
        async def health(request: Request) -> HTTPResponse:
            return json({"status": "ok"})

        async def me(request: Request, agent_id: str) -> HTTPResponse:
            return json({"agent_id": agent_id, "dispositions": panel_state.dispositions()}, ensure_ascii=False)

        async def webhook(request: Request, agent_id: str) -> HTTPResponse:
            turn = parse_agent_turn(parse_json_object(request.body))
            if turn.agent_id and turn.agent_id != agent_id:
                return error(403, "agent_mismatch")
            db = self.database()
            record = db.call_record(turn.call_id)
            view = await load_view(request, turn.call_id)
            refused = _refusal(record, view, agent_id, new_ok=True) or _ended(record)
            if refused:
                return refused
            if record is None:
                record = db.start_call(turn.call_id, self.name(), agent_id)
                text = turn.text or START_TEXT
            elif not turn.text:
                return error(400, "text_required")
            else:
                text = turn.text
            metadata = {
                "caller_number": turn.caller_number or view.caller_metadata.get("caller_number"),
                "agent_id": agent_id,
            }
            try:
                texts = await send_turn(
                    on_new_message, turn.call_id, text, self.name(), {k: v for k, v in metadata.items() if v}
                )
            except Exception:  # noqa: BLE001 - the panel gets a clear answer, the log the details
                logger.exception("agent turn failed for call %s", turn.call_id)
                return error(503, "bot_unavailable")
            view = await load_view(request, turn.call_id)
            record = self.close_if_finished(view) or record
            return self.panel_answer(view, texts, record, agent_id)

        async def call_state(request: Request, agent_id: str, call_id: str) -> HTTPResponse:
            record, view, refused = await self._own_call(request, agent_id, call_id)
            if refused:
                return refused
            return self.panel_answer(view, None, record, agent_id)

        async def end_call(request: Request, agent_id: str, call_id: str) -> HTTPResponse:
            record, view, refused = await self._own_call(request, agent_id, call_id)
            if refused:
                return refused
            codes = [d["code"] for d in panel_state.dispositions()]
            end = parse_agent_end(request.body, codes, record["disposition"], record["note"])
            db = self.database()
            db.end_call(call_id)
            db.save_call_note(call_id, end.disposition, end.note)
            return self.panel_answer(view, [], db.call_record(call_id), agent_id)

        async def save_note(request: Request, agent_id: str, call_id: str) -> HTTPResponse:
            note = parse_agent_note(parse_json_object(request.body), [d["code"] for d in panel_state.dispositions()])
            record, view, refused = await self._own_call(request, agent_id, call_id)
            if refused:
                return refused
            db = self.database()
            db.save_call_note(call_id, note.disposition, note.note)
            return self.panel_answer(view, [], db.call_record(call_id), agent_id)

        async def call_list(request: Request, agent_id: str) -> HTTPResponse:
            records = self.database().agent_calls(agent_id, since=panel_state.day_start())
            return json(panel_state.call_list(records), ensure_ascii=False)

        bp.add_route(guarded(me), "/me", methods=["GET"])
        bp.add_route(guarded(webhook), "/webhook", methods=["POST"])
        bp.add_route(guarded(call_state), "/calls/<call_id>", methods=["GET"])
        bp.add_route(guarded(end_call), "/calls/<call_id>/end", methods=["POST"])
        bp.add_route(guarded(save_note), "/calls/<call_id>/note", methods=["POST", "PUT"])
        bp.add_route(guarded(call_list), "/calls", methods=["GET"])
        return bp

    def panel_answer(
        self, view: CallView, texts: Optional[list], record: Optional[dict], agent_id: str
    ) -> HTTPResponse:
        """The panel's JSON for the call; the customer record is read only when the card may show it."""
        customer_id = panel_state.card_customer_id(view.slots)
        customer = self.database().customer(customer_id) if customer_id else None
        return json(panel_state.answer(view, texts, record, agent_id, customer), ensure_ascii=False)

    def close_if_finished(self, view: CallView) -> Optional[dict]:
        """A call the bot closed by saying goodbye ends by itself, with an automatic disposition
        the agent confirms or changes; the updated record, or None when the call goes on."""
        if not panel_state.said_goodbye(view):
            return None
        db = self.database()
        db.close_call(view.call_id, panel_state.automatic_disposition(view.slots))
        return db.call_record(view.call_id)

    async def _own_call(self, request: Request, agent_id: str, call_id: str):
        """(record, view, None) for this agent's call, or (None, None, error response)."""
        record = self.database().call_record(call_id)
        if record is None:
            return None, None, error(404, "call_not_found", call_id=call_id)
        view = await load_view(request, call_id)
        refused = _refusal(record, view, agent_id, new_ok=False)
        return record, view, refused


def _refusal(record: Optional[dict], view: CallView, agent_id: str, new_ok: bool) -> Optional[HTTPResponse]:
    """Why this agent may not continue this call, as an error response (None: go ahead)."""
    call_id = view.call_id
    if record is None:
        if view.started or not new_ok:
            return error(409, "other_channel", call_id=call_id)
        return None
    if record["channel"] != "agent":
        return error(409, "other_channel", call_id=call_id)
    if record["agent_id"] != agent_id:
        return error(403, "other_agent", call_id=call_id)
    return None


def _ended(record: Optional[dict]) -> Optional[HTTPResponse]:
    if record and record["ended_at"]:
        return error(409, "call_ended", call_id=record["call_id"])
    return None
