"""GET /calls/{call_id}/summary (contract §3)."""

from __future__ import annotations

from typing import Callable, Iterable

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, json

from bot.core.summary import build_summary
from bot.integration.http.auth import error, token_ok, unauthorized


def summary_blueprint(tokens: Callable[[], Iterable[str]]) -> Blueprint:
    """The summary routes; `tokens()` gives the tokens accepted at request time."""
    bp = Blueprint("call_summary")

    @bp.get("/calls/<call_id>/summary")
    async def call_summary(request: Request, call_id: str) -> HTTPResponse:
        if not token_ok(request, tokens()):
            return unauthorized()
        agent = getattr(request.app.ctx, "agent", None)
        if agent is None or agent.tracker_store is None:
            return error(503, "not_ready")
        tracker = await agent.tracker_store.retrieve(call_id)
        if tracker is None or not tracker.events:
            return error(404, "call_not_found", call_id=call_id)
        slots = {name: slot.value for name, slot in tracker.slots.items()}
        return json(build_summary(call_id, tracker.get_latest_input_channel(), slots), ensure_ascii=False)

    return bp
