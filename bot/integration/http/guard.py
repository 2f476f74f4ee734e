"""Bad input at the door: size limits and payload checks before Rasa sees a request.

Rasa's REST channel accepts a missing sender (every such request lands in one
conversation called "default"), a non-string message, or a 2 MB body, and
answers an empty body with a 500. The checks here refuse all of that with a
4xx JSON error and change no stored state.
"""

from __future__ import annotations

import json
import re
from typing import Any, Optional, Tuple

from sanic import Sanic
from sanic.exceptions import PayloadTooLarge
from sanic.request import Request

from bot.integration.http.auth import error
from bot.settings import env_int

DEFAULT_MAX_BODY = 16 * 1024
# Routes that take a file: a partner's hashed list (65 bytes a number, ~30,000 numbers).
LARGE_BODY_PATHS = {"/console/api/sharing/import": 2 * 1024 * 1024}
MAX_TEXT_CHARS = 2000
MAX_SENDER_CHARS = 128
_SENDER = re.compile(r"^[\w\-.:@]+$")
_PHONE = re.compile(r"^\+?[0-9][0-9\- ]{2,23}$")

Problem = Tuple[str, str]  # (code, Chinese message)


def max_body_bytes() -> int:
    try:
        return env_int("BOT_MAX_BODY_BYTES", DEFAULT_MAX_BODY, minimum=1024)
    except ValueError:
        return DEFAULT_MAX_BODY


def parse_json_object(body: bytes) -> Tuple[Optional[dict], Optional[Problem]]:
    """The body as a JSON object, or what is wrong with it."""
    if not body:
        return None, ("empty_body", "请求体为空，应为 JSON 对象。")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None, ("invalid_encoding", "请求体不是有效的 UTF-8 文本。")
    try:
        data = json.loads(text)
    except ValueError:
        return None, ("invalid_json", "请求体不是有效的 JSON。")
    if not isinstance(data, dict):
        return None, ("not_an_object", "请求体应为 JSON 对象（{...}）。")
    return data, None


def check_sender(value: Any, field: str = "sender") -> Optional[Problem]:
    if not isinstance(value, str) or not value.strip():
        return ("missing_" + field, f"缺少 {field}，或 {field} 不是非空字符串。")
    if len(value) > MAX_SENDER_CHARS or not _SENDER.match(value):
        return ("invalid_" + field, f"{field} 只能包含字母、数字、-_.:@，且不超过 {MAX_SENDER_CHARS} 个字符。")
    return None


def check_text(value: Any, field: str = "message") -> Optional[Problem]:
    if not isinstance(value, str):
        return ("invalid_" + field, f"{field} 应为字符串。")
    if len(value) > MAX_TEXT_CHARS:
        return ("text_too_long", f"{field} 过长（最多 {MAX_TEXT_CHARS} 个字符）。")
    if "\x00" in value:
        return ("invalid_" + field, f"{field} 含有不允许的控制字符。")
    return None


def check_caller_number(value: Any) -> Optional[Problem]:
    if value is None:
        return None
    if not isinstance(value, str) or not _PHONE.match(value):
        return ("invalid_caller_number", "caller_number 应为电话号码字符串。")
    return None


def check_rest_payload(data: dict) -> Optional[Problem]:
    """What is wrong with a REST channel payload (contract §2), if anything."""
    problem = check_sender(data.get("sender")) or check_text(data.get("message"))
    if problem:
        return problem
    metadata = data.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        return ("invalid_metadata", "metadata 应为 JSON 对象。")
    return check_caller_number((metadata or {}).get("caller_number"))


def install(app: Sanic) -> None:
    """Body-size limit for every route, payload checks for the REST webhook."""
    limit = max_body_bytes()
    app.config.REQUEST_MAX_SIZE = max(limit, 64 * 1024, *LARGE_BODY_PATHS.values())  # Sanic's own early cut-off

    @app.exception(PayloadTooLarge)
    async def too_large(request: Request, exception: Exception):
        return error(413, "payload_too_large", f"请求体过大（最多 {limit} 字节）。")

    @app.middleware("request")
    async def guard(request: Request):
        if request.method not in ("POST", "PATCH"):
            return None
        allowed = LARGE_BODY_PATHS.get(request.path.rstrip("/"), limit)
        declared = request.headers.get("content-length", "")
        if (declared.isdigit() and int(declared) > allowed) or len(request.body or b"") > allowed:
            return error(413, "payload_too_large", f"请求体过大（最多 {allowed} 字节）。")
        if request.path.rstrip("/") == "/webhooks/rest/webhook":
            data, problem = parse_json_object(request.body)
            problem = problem or check_rest_payload(data)
            if problem:
                return error(400, *problem)
        return None
