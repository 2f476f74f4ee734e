"""The anti-proxy team's API (contract §7) and the console's own routes.

Contract §7: `GET /cases`, `GET|PATCH /cases/{id}`, `GET /cases/{id}/packet.pdf`,
`GET /calls?active=true`. The console (bot/web/console.*) also uses `/console/api/…`
(who am I, a call's transcript, the dashboard, the agents' adherence, the watchlist,
industry sharing) and the
server push `/console/stream` (bot/integration/http/console_stream.py).

A supervisor token (BOT_SUPERVISOR_TOKENS) or the operator token (BOT_API_TOKEN) is
needed; an agent token gets 403, no or a wrong token 401. Whatever carries personal data
(a case's customer, numbers and transcripts, a call's transcript, the packet) is audited
with who looked and when.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any, Callable, Dict, Iterable, List, Optional
from urllib.parse import quote

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, json, raw

from bot.core.materials import label
from bot.integration.http import console_stream
from bot.integration.http.auth import error, named_token, token_ok, unauthorized
from bot.presentation import charts
from bot.presentation.channel_payloads import PayloadError, error_message, parse_agent_filter, parse_json_object
from bot.services import adherence_records, case_export, case_packet, cases, dashboard, industry_sharing, packet_pdf
from bot.services.cases import Actor, CaseError
from bot.services.storage import Database, project_database
from bot.settings import env

ROLE_LABELS = {"supervisor": "主管", "operator": "运营管理员"}
ADHERENCE_DAYS = 7  # the console's adherence view without dates: the last seven days, today included
ADHERENCE_MAX_DAYS = 366


def adherence_period(args, today: dt.date) -> tuple:
    """(since, until) of the console's adherence report from the query (YYYY-MM-DD, China days),
    or a CaseError (400) with the catalogue's Chinese message."""

    def day(field: str) -> Optional[dt.date]:
        value = (args.get(field) or "").strip()
        if not value:
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise CaseError(400, "invalid_date", error_message("invalid_date", field=field, value=value[:20])) from None

    since, until = day("since"), day("until")
    until = until or max(today, since or today)
    since = since or until - dt.timedelta(days=ADHERENCE_DAYS - 1)
    if since > until:
        raise CaseError(400, "date_order", error_message("date_order", since=since, until=until))
    if (until - since).days + 1 > ADHERENCE_MAX_DAYS:
        raise CaseError(400, "range_too_long", error_message("range_too_long", limit=ADHERENCE_MAX_DAYS))
    return since, until


def _body(request: Request) -> dict:
    """The request's JSON object, or a CaseError with the channels' own code and Chinese text."""
    try:
        return parse_json_object(request.body)
    except PayloadError as err:
        raise CaseError(400, err.code, err.message) from None


def database() -> Database:
    return project_database()


async def call_events(request: Request, call_id: str) -> Optional[List[dict]]:
    """The call's events as the tracker store keeps them (every session), or None."""
    agent = getattr(request.app.ctx, "agent", None)
    if agent is None or agent.tracker_store is None:
        raise CaseError(503, "not_ready", "服务正在启动，请稍后再试。")
    tracker = await agent.tracker_store.retrieve_full_tracker(call_id)
    if tracker is None or not tracker.events:
        return None
    from rasa.shared.core.trackers import EventVerbosity

    return tracker.current_state(EventVerbosity.ALL)["events"]


async def case_with_personal_data(request: Request, db: Database, case_id: str) -> Dict[str, Any]:
    calls = cases.case_calls(db, cases.require_case(db, case_id).case_id)
    events = {c["call_id"]: (await call_events(request, c["call_id"])) or [] for c in calls}
    return case_packet.build_case_packet(db, case_id, events, env("BOT_SHARING_KEY"))


def call_detail(db: Database, call_id: str, events: List[dict]) -> Dict[str, Any]:
    """What the console shows of one call: who, level, signals, the transcript with times."""
    packet = case_export.build_packet(call_id, events, db)
    record = db.call_record(call_id) or {}
    activity = cases.call_activity_row(db, call_id) or {}
    number = packet["caller_number"] or activity.get("caller_number")
    risk = packet["proxy_risk"]
    return {
        "call_id": call_id,
        "channel": record.get("channel") or "rest",
        "agent_id": record.get("agent_id"),
        "started_at": cases.iso(record.get("started_at") or activity.get("started_at")),
        "ended": bool(record.get("ended_at")),
        "caller_role": packet["caller_role"],
        "caller_role_label": label("caller_role", packet["caller_role"]),
        "purpose": packet["purpose"],
        "purpose_label": label("purpose", packet["purpose"]),
        "identity_verified": packet["identity_verified"],
        "caller_number": number,
        "customer": packet["customer"],
        "level": risk["level"],
        "level_label": label("risk_level", risk["level"]),
        "score": risk["score"],
        "signals": [
            {"code": s.get("code"), "label": label("signal", s.get("code")), "evidence": s.get("evidence")}
            for s in risk["signals"]
        ],
        "next_step": packet["next_step"],
        "case_id": cases.case_for_call(db, call_id),
        "transcript": case_packet.spoken_lines(packet["transcript"]),
        "shared": [
            {"source": m["source"], "imported_at": cases.iso(m["imported_at"])}
            for m in industry_sharing.matches(db, number or "", env("BOT_SHARING_KEY"))
        ],
    }


def case_blueprint(
    operator_tokens: Callable[[], Iterable[str]],
    supervisor_tokens: Callable[[], Dict[str, str]],
    agent_tokens: Callable[[], Iterable[str]],
) -> Blueprint:
    bp = Blueprint("case_api")

    def actor_of(request: Request) -> Optional[Actor]:
        name = named_token(request, supervisor_tokens())
        if name:
            return Actor(name, "supervisor")
        if token_ok(request, operator_tokens()):
            return Actor("operator", "operator")
        return None

    def guarded(handler):
        async def wrapped(request: Request, **kwargs) -> HTTPResponse:
            actor = actor_of(request)
            if actor is None:
                if token_ok(request, agent_tokens()):
                    return error(403, "forbidden", "坐席令牌无权使用反催收专项组工作台，请使用主管令牌或运营令牌。")
                return unauthorized()
            if request.method in ("POST", "PATCH") and not (request.content_type or "").startswith("application/json"):
                # a JSON content type forces a CORS preflight: no other site can make a signed-in
                # browser (e.g. behind an SSO proxy that adds the header) change a case
                return error(415, "json_required", "请求体须为 JSON（Content-Type: application/json）。")
            try:
                return await handler(request, actor, **kwargs)
            except CaseError as err:
                return error(err.status, err.code, err.message)
            except packet_pdf.FontMissing as err:
                return error(503, "font_missing", str(err))
            except industry_sharing.SharingError as err:
                return error(400, "sharing_rejected", str(err))

        wrapped.__name__ = handler.__name__
        return wrapped

    # ---- contract §7 -------------------------------------------------------------------
    async def list_cases(request: Request, actor: Actor) -> HTTPResponse:
        args = request.args
        found = cases.list_cases(
            database(),
            status=args.get("status"),
            level=args.get("level"),
            assignee=args.get("assignee"),
            min_age_days=args.get("min_age_days"),
            max_age_days=args.get("max_age_days"),
        )
        return json({"cases": found}, ensure_ascii=False)

    async def get_case(request: Request, actor: Actor, case_id: str) -> HTTPResponse:
        db = database()
        doc = await case_with_personal_data(request, db, case_id)
        cases.record_view(db, doc["call_id"], "case_viewed", actor, case_id=case_id)
        return json(doc, ensure_ascii=False, default=str)

    async def patch_case(request: Request, actor: Actor, case_id: str) -> HTTPResponse:
        body = _body(request)
        if body is None:
            raise CaseError(400, "invalid_json", "请求体不是有效的 JSON 对象。")
        return json(cases.update_case(database(), case_id, body, actor), ensure_ascii=False)

    async def packet(request: Request, actor: Actor, case_id: str) -> HTTPResponse:
        db = database()
        doc = await case_with_personal_data(request, db, case_id)
        pdf = await asyncio.get_running_loop().run_in_executor(None, packet_pdf.render, doc)
        cases.record_view(db, doc["call_id"], "packet_exported", actor, case_id=case_id)
        name = f"报案材料-{case_id}.pdf"
        return raw(
            pdf,
            content_type="application/pdf",
            headers={
                "Content-Disposition": f"attachment; filename=\"{case_id}.pdf\"; filename*=UTF-8''{quote(name)}",
                "Cache-Control": "no-store",
            },
        )

    async def calls(request: Request, actor: Actor) -> HTTPResponse:
        if (request.args.get("active") or "").lower() not in ("true", "1"):
            raise CaseError(400, "active_required", "目前只提供进行中的通话：请使用 GET /calls?active=true。")
        return json({"calls": cases.active_calls(database())}, ensure_ascii=False)

    bp.add_route(guarded(list_cases), "/cases", methods=["GET"])
    bp.add_route(guarded(get_case), "/cases/<case_id>", methods=["GET"])
    bp.add_route(guarded(patch_case), "/cases/<case_id>", methods=["PATCH"])
    bp.add_route(guarded(packet), "/cases/<case_id>/packet.pdf", methods=["GET"])
    bp.add_route(guarded(calls), "/calls", methods=["GET"])

    # ---- the console's own routes ------------------------------------------------------
    async def me(request: Request, actor: Actor) -> HTTPResponse:
        return json(
            {
                "name": actor.name,
                "role": actor.role,
                "role_label": ROLE_LABELS[actor.role],
                "statuses": [{"code": s, "label": cases.STATUS_LABELS[s]} for s in cases.STATUSES],
                "transitions": {k: list(v) for k, v in cases.TRANSITIONS.items()},
                "sharing_key_set": bool(env("BOT_SHARING_KEY")),
            },
            ensure_ascii=False,
        )

    async def console_call(request: Request, actor: Actor, call_id: str) -> HTTPResponse:
        db = database()
        events = await call_events(request, call_id)
        if events is None:
            raise CaseError(404, "call_not_found", f"找不到通话：{call_id}")
        detail = call_detail(db, call_id, events)
        cases.record_view(db, call_id, "call_viewed", actor)
        return json(detail, ensure_ascii=False, default=str)

    async def console_dashboard(request: Request, actor: Actor) -> HTTPResponse:
        period = request.args.get("period") or "day"
        day = request.args.get("date")
        figures = dashboard.figures(database(), period, day, env("BOT_SHARING_KEY"))
        return json({**figures, "charts": charts.dashboard_charts(figures)}, ensure_ascii=False, default=str)

    async def add_watchlist(request: Request, actor: Actor) -> HTTPResponse:
        body = _body(request)
        if not isinstance(body, dict):
            raise CaseError(400, "not_an_object", "请求体应为 JSON 对象：{\"number\": \"…\", \"case_id\": \"…\"}。")
        db = database()
        case_id = body.get("case_id") or None
        call_id = body.get("call_id") or None
        if case_id:
            call_id = cases.require_case(db, str(case_id)).call_id
        if not call_id:
            raise CaseError(400, "case_required", "请指明案件（case_id）或通话（call_id）。")
        entry = cases.mark_watchlist(db, body.get("number"), body.get("note"), actor, str(call_id), case_id)
        return json(entry, ensure_ascii=False)

    async def console_adherence(request: Request, actor: Actor) -> HTTPResponse:
        since, until = adherence_period(request.args, dashboard.today_cst())
        try:
            agent_id = parse_agent_filter(request.args.get("agent"))
        except PayloadError as err:
            raise CaseError(400, err.code, err.message) from None
        report = adherence_records.report(database(), since, until, agent_id)
        return json({**report, "agent": agent_id, "time_zone": "北京时间（UTC+8）"}, ensure_ascii=False)

    async def sharing_state(request: Request, actor: Actor) -> HTTPResponse:
        rows = industry_sharing.imports(database())
        return json(
            {
                "key_set": bool(env("BOT_SHARING_KEY")),
                "imports": [{**r, "at": cases.iso(r["at"])} for r in rows],
            },
            ensure_ascii=False,
        )

    async def sharing_import(request: Request, actor: Actor) -> HTTPResponse:
        body = _body(request)
        if not isinstance(body, dict) or not isinstance(body.get("content"), str):
            raise CaseError(400, "content_required", "请选择合作机构提供的散列名单文件（CSV）。")
        db = database()
        message = industry_sharing.import_text(db, body["content"], str(body.get("source") or ""), actor.name)
        return json({"message": message}, ensure_ascii=False)

    async def sharing_export(request: Request, actor: Actor) -> HTTPResponse:
        key = env("BOT_SHARING_KEY")
        if not key or len(key) < 16:
            raise CaseError(
                400,
                "sharing_key_missing",
                "未设置协同密钥 BOT_SHARING_KEY（至少 16 个字符，与合作机构约定一致），无法导出。",
            )
        text, count = industry_sharing.export_csv(database(), key)
        stamp = dt.datetime.now(cases.CST).strftime("%Y%m%d")
        return raw(
            text.encode("utf-8"),
            content_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="watchlist-hashed-{stamp}.csv"',
                "X-Hash-Count": str(count),
                "Cache-Control": "no-store",
            },
        )

    async def stream(request: Request, actor: Actor) -> HTTPResponse:
        await console_stream.serve(request, actor, database())

    bp.add_route(guarded(me), "/console/api/me", methods=["GET"])
    bp.add_route(guarded(console_call), "/console/api/calls/<call_id>", methods=["GET"])
    bp.add_route(guarded(console_dashboard), "/console/api/dashboard", methods=["GET"])
    bp.add_route(guarded(add_watchlist), "/console/api/watchlist", methods=["POST"])
    bp.add_route(guarded(console_adherence), "/console/api/adherence", methods=["GET"])
    bp.add_route(guarded(sharing_state), "/console/api/sharing", methods=["GET"])
    bp.add_route(guarded(sharing_import), "/console/api/sharing/import", methods=["POST"])
    bp.add_route(guarded(sharing_export), "/console/api/sharing/export", methods=["GET"])
    bp.add_route(guarded(stream), "/console/stream", methods=["GET"])

    @bp.listener("before_server_stop")
    async def _stop_streams(app, _loop):
        console_stream.STATE["stopping"] = True

    return bp
