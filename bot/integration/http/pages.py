"""GET /panel, /chat and /console: the agent side panel, the caller web chat and the
anti-proxy team's console, as static files.

Plain HTML/CSS/JS shipped in bot/web (no build step, nothing fetched from
outside); they talk to the agent and REST channel webhooks.
"""

from __future__ import annotations

import re
from pathlib import Path

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, raw

from bot.integration.http.auth import error

WEB_DIR = Path(__file__).resolve().parents[2] / "web"
PAGES = {"panel": "panel.html", "chat": "chat.html", "console": "console.html"}
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
}
_ASSET = re.compile(r"[a-z0-9_\-]+\.(css|js|svg)")
HEADERS = {
    "Cache-Control": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'self'",
}


def _file(name: str) -> HTTPResponse:
    path = WEB_DIR / name
    if not path.is_file():
        return error(404, "not_found", name=name)
    return raw(path.read_bytes(), content_type=TYPES[path.suffix], headers=HEADERS)


def pages_blueprint() -> Blueprint:
    """The pages and their assets under /web/."""
    bp = Blueprint("pages")

    @bp.get("/panel")
    async def panel(request: Request) -> HTTPResponse:
        return _file(PAGES["panel"])

    @bp.get("/chat")
    async def chat(request: Request) -> HTTPResponse:
        return _file(PAGES["chat"])

    @bp.get("/console")
    async def console(request: Request) -> HTTPResponse:
        return _file(PAGES["console"])

    @bp.get("/web/<name>")
    async def asset(request: Request, name: str) -> HTTPResponse:
        if not _ASSET.fullmatch(name):
            return error(404, "not_found", name=name)
        return _file(name)

    return bp
