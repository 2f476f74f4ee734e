"""Bearer-token checks for the project's HTTP routes."""

from __future__ import annotations

import hmac
from typing import Dict, Iterable, Optional

from sanic.request import Request
from sanic.response import HTTPResponse, json


def bearer_token(request: Request) -> Optional[str]:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    return header[len("Bearer ") :].strip() or None


def token_ok(request: Request, accepted: Iterable[str]) -> bool:
    """Constant-time comparison against every accepted token."""
    given = bearer_token(request)
    if not given:
        return False
    ok = False
    for token in accepted:
        ok |= hmac.compare_digest(given.encode("utf-8"), token.encode("utf-8"))
    return ok


def error(status: int, code: str, message: str) -> HTTPResponse:
    """A JSON error body: a stable code for programs, a Chinese message for people."""
    return json({"error": {"code": code, "message": message}}, status=status)


def unauthorized() -> HTTPResponse:
    response = error(401, "unauthorized", "缺少或无效的访问令牌（Authorization: Bearer <token>）。")
    response.headers["WWW-Authenticate"] = "Bearer"
    return response


def named_token(request: Request, tokens: Dict[str, str]) -> Optional[str]:
    """The name behind the request's bearer token (token → name; constant-time), or None."""
    given = bearer_token(request)
    found = None
    for token, name in tokens.items():
        if given and hmac.compare_digest(given.encode("utf-8"), token.encode("utf-8")):
            found = name
    return found
