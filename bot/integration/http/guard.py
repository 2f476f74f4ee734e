"""Bad input at the door: the body-size limit for every POST, and the REST webhook's payload check.

Rasa's REST channel accepts a missing sender (every such request lands in one
conversation called "default"), a non-string message, or a 2 MB body, and
answers an empty body with a 500. Here the REST body is checked by the same rules,
limits and Chinese texts as the IVR and agent channels' bodies
(`bot.presentation.channel_payloads`) before Rasa sees it; a refused request gets a
4xx JSON error and changes no stored state.
"""

from __future__ import annotations

from sanic import Sanic
from sanic.exceptions import PayloadTooLarge
from sanic.request import Request

from bot.integration.http.auth import error
from bot.presentation.channel_payloads import PayloadError, check_rest_message, parse_json_object
from bot.settings import env_int

DEFAULT_MAX_BODY = 16 * 1024
REST_WEBHOOK = "/webhooks/rest/webhook"
# Routes that take a file: a partner's hashed list (65 bytes a number, ~30,000 numbers).
LARGE_BODY_PATHS = {"/console/api/sharing/import": 2 * 1024 * 1024}


def max_body_bytes() -> int:
    """BOT_MAX_BODY_BYTES (at least 1 KiB): the largest body any POST route accepts."""
    return env_int("BOT_MAX_BODY_BYTES", DEFAULT_MAX_BODY, minimum=1024)


def install(app: Sanic) -> None:
    """Body-size limit for every route, payload checks for the REST webhook."""
    limit = max_body_bytes()
    app.config.REQUEST_MAX_SIZE = max(limit, 64 * 1024, *LARGE_BODY_PATHS.values())  # Sanic's own early cut-off

    @app.exception(PayloadTooLarge)
    async def too_large(request: Request, exception: Exception):
        return error(413, "payload_too_large", limit=limit)

    @app.middleware("request")
    async def guard(request: Request):
        if request.method not in ("POST", "PATCH"):
            return None
        allowed = LARGE_BODY_PATHS.get(request.path.rstrip("/"), limit)
        declared = request.headers.get("content-length", "")
        if (declared.isdigit() and int(declared) > allowed) or len(request.body or b"") > allowed:
            return error(413, "payload_too_large", limit=allowed)
        if request.path.rstrip("/") == REST_WEBHOOK:
            try:
                check_rest_message(parse_json_object(request.body))
            except PayloadError as err:
                return error(400, err.code, err.message)
        return None
