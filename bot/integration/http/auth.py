"""Bearer-token checks for the project's HTTP routes."""

from __future__ import annotations

import hmac
from typing import Any, Dict, Iterable, Mapping, Optional, TypeVar

from sanic.request import Request
from sanic.response import HTTPResponse, json

from bot.presentation.channel_payloads import error_message


def bearer_token(request: Request) -> Optional[str]:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    return header[len("Bearer ") :].strip() or None


Owner = TypeVar("Owner")


def token_owner(request: Request, owners: Mapping[str, Owner]) -> Optional[Owner]:
    """Whose bearer token the request carries (token → owner), or None.

    Compared in constant time against every token, with no early exit, so the time
    taken tells nothing about which token (or how much of one) matched.
    """
    given = bearer_token(request)
    found = None
    if given:
        for token, owner in owners.items():
            if hmac.compare_digest(given.encode("utf-8"), token.encode("utf-8")):
                found = owner
    return found


def token_ok(request: Request, accepted: Iterable[str]) -> bool:
    """Whether the request's bearer token is one of `accepted`."""
    return token_owner(request, dict.fromkeys(accepted, True)) is not None


def error(status: int, code: str, message: Optional[str] = None, **values: Any) -> HTTPResponse:
    """A JSON error body: a stable code for programs, a Chinese message for people.

    The message is the catalogue's for `code` (bot/catalogue/channel_errors.yml, placeholders
    from `values`) unless one is given (a PayloadError carries its own).
    """
    text = message if message is not None else error_message(code, **values)
    return json({"error": {"code": code, "message": text}}, status=status)


def unauthorized() -> HTTPResponse:
    response = error(401, "unauthorized")
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
