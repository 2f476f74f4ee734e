"""GET /calls/{call_id}/summary (contract §3)."""

from __future__ import annotations

from typing import Callable, Iterable

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, json

from bot.core.call_view import CallView
from bot.core.summary import build_summary
from bot.integration.http.auth import error, token_ok, unauthorized
from bot.services import adherence_records
from bot.services.cases import case_for_call
from bot.services.storage import project_database

SUPERVISOR_REFUSED = "主管令牌只能在反催收专项组工作台（/console）中查看通话，请在工作台中打开该通话。"


def summary_blueprint(
    tokens: Callable[[], Iterable[str]], supervisor_tokens: Callable[[], Iterable[str]] = lambda: []
) -> Blueprint:
    """The summary routes; `tokens()` gives the tokens accepted at request time. A supervisor
    token gets 403: supervisors read personal data only through the console, where it is audited."""
    bp = Blueprint("call_summary")

    @bp.get("/calls/<call_id>/summary")
    async def call_summary(request: Request, call_id: str) -> HTTPResponse:
        if not token_ok(request, tokens()):
            if token_ok(request, supervisor_tokens()):
                return error(403, "forbidden", SUPERVISOR_REFUSED)
            return unauthorized()
        agent = getattr(request.app.ctx, "agent", None)
        if agent is None or agent.tracker_store is None:
            return error(503, "not_ready")
        tracker = await agent.tracker_store.retrieve(call_id)
        if tracker is None or not tracker.events:
            return error(404, "call_not_found", call_id=call_id)
        slots = {name: slot.value for name, slot in tracker.slots.items()}
        db = project_database()
        case_id = case_for_call(db, call_id)
        channel = tracker.get_latest_input_channel()
        adherence = None
        if channel == "agent":  # contract §3: the agent's must-say lines, on agent calls only
            view = CallView.from_events(call_id, channel, slots, [e.as_dict() for e in tracker.events])
            adherence = adherence_records.for_summary(db, view)
        summary = build_summary(call_id, channel, slots, case_id=case_id, adherence=adherence)
        return json(summary, ensure_ascii=False)

    return bp
