"""GET /panel, /chat, /widget and /console: the agent side panel, the caller web chat (over
REST, and over socket.io as the standard Rasa web-chat widget talks) and the anti-proxy
team's console, as static files.

Plain HTML/CSS/JS shipped in bot/web (nothing fetched from outside); they talk to the
agent, REST and socket.io channels. The one third-party file, the browser's socket.io
client, is vendored from the npm registry at build time (scripts/vendor_web.sh) into
bot/web/vendor/ and served as /web/vendor/socket.io.min.js; without it /widget uses REST.
"""

from __future__ import annotations

import re
from pathlib import Path

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, raw

from bot.integration.http.auth import error

WEB_DIR = Path(__file__).resolve().parents[2] / "web"
PAGES = {"panel": "panel.html", "chat": "chat.html", "widget": "widget.html", "console": "console.html"}
VENDOR_DIR = WEB_DIR / "vendor"
VENDOR_FILES = ("socket.io.min.js",)  # what scripts/vendor_web.sh writes
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


def _file(name: str, folder: Path = WEB_DIR) -> HTTPResponse:
    path = folder / name
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

    @bp.get("/widget")
    async def widget(request: Request) -> HTTPResponse:
        return _file(PAGES["widget"])

    @bp.get("/console")
    async def console(request: Request) -> HTTPResponse:
        return _file(PAGES["console"])

    @bp.get("/web/<name>")
    async def asset(request: Request, name: str) -> HTTPResponse:
        if not _ASSET.fullmatch(name):
            return error(404, "not_found", name=name)
        return _file(name)

    @bp.get("/web/vendor/<name>")
    async def vendored(request: Request, name: str) -> HTTPResponse:
        if name not in VENDOR_FILES:
            return error(404, "not_found", name=name)
        return _file(name, VENDOR_DIR)

    return bp
