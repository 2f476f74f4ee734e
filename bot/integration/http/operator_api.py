"""Operator-only routes: a call's evidence packet and its audit trail.

Operator token (BOT_API_TOKEN) only: an agent's panel token is refused with
403, a missing or wrong token with 401.
"""

from __future__ import annotations

import datetime as dt
from typing import Callable, Iterable

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, json

from bot.integration.http.auth import error, token_ok, unauthorized
from bot.services import case_export
from bot.services.storage import Database, project_database


def operator_blueprint(
    operator_tokens: Callable[[], Iterable[str]],
    agent_tokens: Callable[[], Iterable[str]],
    supervisor_tokens: Callable[[], Iterable[str]] = lambda: [],
    database: Callable[[], Database] = project_database,
) -> Blueprint:
    """The case and audit routes; the token sources are read per request, `database()` is the process's one."""
    bp = Blueprint("operator_api")

    def refused(request: Request):
        if token_ok(request, operator_tokens()):
            return None
        if token_ok(request, agent_tokens()):
            return error(403, "forbidden")
        if token_ok(request, supervisor_tokens()):
            return error(
                403,
                "forbidden",
                "主管令牌请在反催收专项组工作台（/console）中查看案件和报案材料，那里的每次查看都有记录。",
            )
        return unauthorized()

    async def events_of(request: Request, call_id: str):
        tracker = await request.app.ctx.agent.tracker_store.retrieve_full_tracker(call_id)
        if tracker is None or not tracker.events:
            return None
        from rasa.shared.core.trackers import EventVerbosity

        return tracker.current_state(EventVerbosity.ALL)["events"]

    @bp.get("/calls/<call_id>/case")
    async def case_packet(request: Request, call_id: str) -> HTTPResponse:
        denied = refused(request)
        if denied:
            return denied
        events = await events_of(request, call_id)
        if events is None:
            return error(404, "call_not_found", call_id=call_id)
        packet = case_export.build_packet(call_id, events, database())
        return json(packet, ensure_ascii=False, default=str)

    @bp.get("/calls/<call_id>/audit")
    async def audit_trail(request: Request, call_id: str) -> HTTPResponse:
        denied = refused(request)
        if denied:
            return denied
        rows = database().audit_for_call(call_id)
        if not rows and await events_of(request, call_id) is None:
            return error(404, "call_not_found", call_id=call_id)
        return json(
            {
                "call_id": call_id,
                # the database keeps naive UTC: say so (ISO 8601 with +00:00)
                "audit": [
                    {
                        "at": r["at"].replace(tzinfo=dt.timezone.utc).isoformat(),
                        "event": r["event"],
                        "detail": r["detail"],
                    }
                    for r in rows
                ],
            },
            ensure_ascii=False,
        )

    return bp
