"""Agent side panel channel: `POST /webhooks/agent/webhook` and the panel's call endpoints (contract §2),
the call platform's transcript feed `POST /webhooks/agent/transcript` (contract §6) and the open
panel's live stream `GET /webhooks/agent/calls/<call_id>/stream` (bot/integration/http/panel_stream.py).

Every route needs `Authorization: Bearer <agent token>`; tokens are the
operator's (`bot.settings.agent_tokens`). What the panel shows is derived in
`bot.presentation.panel_state`; this class moves it between HTTP, Rasa and the call records.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, json

from bot.core import adherence as must_say
from bot.core.call_view import CallView
from bot.integration.channels.conversation import START_TEXT, NotReady, load_view, send_turn
from bot.integration.http import panel_stream
from bot.integration.http.auth import error, token_owner, unauthorized
from bot.presentation import panel_state
from bot.presentation.channel_payloads import (
    PayloadError,
    conversation_id,
    error_message,
    parse_agent_end,
    parse_agent_note,
    parse_agent_turn,
    parse_end_call,
    parse_json_object,
    parse_said_item,
    parse_transcript_segment,
)
from bot.services import adherence_records
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
            record, view, metadata, refused = await self._turn_context(request, turn, agent_id)
            if refused:
                return refused
            db = self.database()
            if record is None:
                record = db.start_call(turn.call_id, self.name(), agent_id)
                text = turn.text or START_TEXT
            elif not turn.text:
                return error(400, "text_required")
            else:
                text = turn.text
            try:
                texts = await send_turn(on_new_message, turn.call_id, text, self.name(), metadata)
            except Exception:  # noqa: BLE001 - the panel gets a clear answer, the log the details
                logger.exception("agent turn failed for call %s", turn.call_id)
                return error(503, "bot_unavailable")
            self.close_if_finished(await load_view(request, turn.call_id), agent_id)
            return json(await self.answer(request, turn.call_id, agent_id, texts), ensure_ascii=False)

        async def transcript(request: Request, agent_id: str) -> HTTPResponse:
            segment = parse_transcript_segment(parse_json_object(request.body))
            record, view, metadata, refused = await self._turn_context(request, segment, agent_id)
            if refused:
                return refused
            db = self.database()
            texts: Optional[List[str]] = None
            try:
                if record is None:  # the first segment starts the call, as the panel's first turn does
                    db.start_call(segment.call_id, self.name(), agent_id)
                    texts = await send_turn(on_new_message, segment.call_id, START_TEXT, self.name(), metadata)
                    view = await load_view(request, segment.call_id)
                elif segment.final and not segment.text:
                    return error(400, "text_required")
                if not segment.final:
                    if segment.text:
                        db.add_segment(segment.call_id, segment.speaker, False, segment.text)
                elif segment.speaker == "caller" and segment.text:
                    db.add_segment(segment.call_id, "caller", True, segment.text)
                    said = await send_turn(on_new_message, segment.call_id, segment.text, self.name(), metadata)
                    texts = (texts or []) + said
                elif segment.speaker == "agent" and segment.text:
                    items = adherence_records.hear_agent(db, segment.call_id, view.slots, segment.text)
                    db.add_segment(segment.call_id, "agent", True, segment.text, items)
            except Exception:  # noqa: BLE001 - the platform gets a clear answer, the log the details
                logger.exception("transcript segment failed for call %s", segment.call_id)
                return error(503, "bot_unavailable")
            if texts is not None:
                self.close_if_finished(await load_view(request, segment.call_id), agent_id)
            return json(await self.answer(request, segment.call_id, agent_id, texts), ensure_ascii=False)

        async def call_state(request: Request, agent_id: str, call_id: str) -> HTTPResponse:
            record, view, refused = await self._own_call(request, agent_id, call_id)
            if refused:
                return refused
            return json(await self.answer(request, call_id, agent_id, None, view), ensure_ascii=False)

        async def end_call(request: Request, agent_id: str, call_id: str) -> HTTPResponse:
            confirm = parse_end_call(request.body)
            record, view, refused = await self._own_call(request, agent_id, call_id)
            if refused:
                return refused
            codes = [d["code"] for d in panel_state.dispositions()]
            end = parse_agent_end(request.body, codes, record["disposition"], record["note"])
            db = self.database()
            if not record["ended_at"]:
                owed = adherence_records.live(db, view)
                if owed.unsaid and not confirm:
                    return _unsaid(call_id, owed)
                adherence_records.keep_at_end(db, view, agent_id, confirm and bool(owed.unsaid), owed)
                db.end_call(call_id)
            db.save_call_note(call_id, end.disposition, end.note)
            return json(await self.answer(request, call_id, agent_id, [], view), ensure_ascii=False)

        async def mark_said(request: Request, agent_id: str, call_id: str) -> HTTPResponse:
            item = parse_said_item(parse_json_object(request.body), must_say.ITEMS)
            record, view, refused = await self._own_call(request, agent_id, call_id)
            if refused or _ended(record):
                return refused or _ended(record)
            self.database().mark_said(call_id, agent_id, item)
            return json(await self.answer(request, call_id, agent_id, None, view), ensure_ascii=False)

        async def stream(request: Request, agent_id: str, call_id: str):
            record, view, refused = await self._own_call(request, agent_id, call_id)
            if refused:
                return refused
            await panel_stream.serve(
                request,
                call_id,
                render=lambda: self.answer(request, call_id, agent_id, None),
                marks=lambda: self.marks(request, call_id),
                interim=lambda: self.interim(call_id),
                still_allowed=lambda: self.agent_for(request) == agent_id,
            )

        async def save_note(request: Request, agent_id: str, call_id: str) -> HTTPResponse:
            note = parse_agent_note(parse_json_object(request.body), [d["code"] for d in panel_state.dispositions()])
            record, view, refused = await self._own_call(request, agent_id, call_id)
            if refused:
                return refused
            db = self.database()
            db.save_call_note(call_id, note.disposition, note.note)
            return json(await self.answer(request, call_id, agent_id, [], view), ensure_ascii=False)

        async def call_list(request: Request, agent_id: str) -> HTTPResponse:
            records = self.database().agent_calls(agent_id, since=panel_state.day_start())
            return json(panel_state.call_list(records), ensure_ascii=False)

        bp.add_route(guarded(me), "/me", methods=["GET"])
        bp.add_route(guarded(call_list), "/calls", methods=["GET"])
        bp.add_route(guarded(webhook), "/webhook", methods=["POST"])
        bp.add_route(guarded(transcript), "/transcript", methods=["POST"])
        bp.add_route(guarded(stream), "/calls/<call_id>/stream", methods=["GET"])
        bp.add_route(guarded(mark_said), "/calls/<call_id>/said", methods=["POST"])
        bp.add_route(guarded(call_state), "/calls/<call_id>", methods=["GET"])
        bp.add_route(guarded(end_call), "/calls/<call_id>/end", methods=["POST"])
        bp.add_route(guarded(save_note), "/calls/<call_id>/note", methods=["POST", "PUT"])
        return bp

    async def answer(
        self,
        request: Request,
        call_id: str,
        agent_id: str,
        texts: Optional[List[str]],
        view: Optional[CallView] = None,
    ) -> Dict[str, Any]:
        """What the panel gets: `panel_state.answer` with the call's record, adherence, the agent's
        heard lines and the interim buffer (`texts` None: the lines standing)."""
        db = self.database()
        if view is None or texts is not None:
            view = await load_view(request, call_id)
        record = db.call_record(call_id)
        heard = db.segments(call_id, speaker="agent")
        agent_lines = [{"text": s["text"], "at": _unix(s["at"])} for s in heard]
        return panel_state.answer(
            view,
            texts,
            record,
            agent_id,
            adherence=adherence_records.live(db, view, heard),
            agent_lines=agent_lines,
            interim=self.interim(call_id),
            customer=self._card_customer(view),
        )

    def _card_customer(self, view: CallView) -> Any:
        """The customer record for the panel's card, read only when the card may show it."""
        customer_id = panel_state.card_customer_id(view.slots)
        return self.database().customer(customer_id) if customer_id else None

    def close_if_finished(self, view: CallView, agent_id: Optional[str]) -> Optional[dict]:
        """A call the bot closed by saying goodbye ends by itself, with an automatic disposition
        the agent confirms or changes (and its adherence kept); the updated record, or None."""
        if not panel_state.said_goodbye(view):
            return None
        db = self.database()
        record = db.call_record(view.call_id)
        if record and not record["ended_at"]:
            adherence_records.keep_at_end(db, view, agent_id, False)
        db.close_call(view.call_id, panel_state.automatic_disposition(view.slots))
        return db.call_record(view.call_id)

    def interim(self, call_id: str) -> List[Dict[str, Any]]:
        """The newest non-final segment of each speaker, oldest first."""
        newest: Dict[str, dict] = {}
        for segment in self.database().segments(call_id, final=False):
            newest[segment["speaker"]] = segment
        return [
            {"speaker": s["speaker"], "text": s["text"], "at": _unix(s["at"])}
            for s in sorted(newest.values(), key=lambda s: s["id"])
        ]

    async def marks(self, request: Request, call_id: str) -> tuple:
        """(what changes when the panel must be redrawn, what changes when the interim text does):
        the tracker's last event, the newest final segment, the hand ticks and the call record;
        the newest non-final segment. Read from the shared stores, so a change made in another
        process (the action server, another Rasa server) shows too."""
        db = self.database()
        final, interim = db.segment_marks(call_id)
        record = db.call_record(call_id) or {}
        row = db.adherence_row(call_id) or {}
        tracker = await panel_stream.tracker_mark(request, call_id)
        panel = (tracker, final, str(row.get("updated_at")), str(record.get("ended_at")), str(record.get("note_at")))
        return panel, interim

    async def _turn_context(self, request: Request, turn: Any, agent_id: str):
        """(record, view, metadata, None) for a typed turn or a transcript segment of this agent's call,
        or (…, error response): another agent's call, another channel's, or an ended one."""
        if turn.agent_id and turn.agent_id != agent_id:
            return None, None, {}, error(403, "agent_mismatch")
        record = self.database().call_record(turn.call_id)
        view = await load_view(request, turn.call_id)
        refused = _refusal(record, view, agent_id, new_ok=True) or _ended(record)
        metadata = {
            "caller_number": turn.caller_number or view.caller_metadata.get("caller_number"),
            "agent_id": agent_id,
        }
        return record, view, {k: v for k, v in metadata.items() if v}, refused

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


def _unsaid(call_id: str, owed: must_say.Adherence) -> HTTPResponse:
    """409 unsaid_items: the must-say lines the agent was not heard saying (end again with
    {"confirm_unsaid": true} to end the call all the same)."""
    items = [{"key": i, "label": must_say.label(i), "state": owed.state(i)} for i in owed.unsaid]
    message = error_message("unsaid_items", items="、".join(i["label"] for i in items))
    return json(
        {"error": {"code": "unsaid_items", "message": message, "call_id": call_id, "items": items}},
        status=409,
        ensure_ascii=False,
    )


def _unix(moment: Optional[dt.datetime]) -> Optional[float]:
    """A naive UTC datetime from the project database as Unix seconds (Rasa's event time)."""
    return moment.replace(tzinfo=dt.timezone.utc).timestamp() if moment else None


def _ended(record: Optional[dict]) -> Optional[HTTPResponse]:
    if record and record["ended_at"]:
        return error(409, "call_ended", call_id=record["call_id"])
    return None
