"""Caller web chat: Rasa's REST channel, where a web number counts only when signed (contract §2).

`POST /webhooks/rest/webhook` as before (the channel keeps Rasa's name "rest").
A browser can write anything into `metadata`, so with BOT_WEB_SIGNING_KEY set
`metadata.caller_number` reaches the conversation only when the lender's web
backend signed it (`caller_number_exp`, `caller_number_sig`; `bot.core.web_signing`);
an unsigned, expired or wrongly signed number is removed, with its expiry and
signature, before Rasa sees the message — the call goes on as one without a number.
Unset (development), numbers are trusted and the start-up log says so once.

The message's `input_channel` is always "rest": a body claiming to be the IVR or
the agent panel does not get their variants or their label in the summary.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Dict, Optional, Text

from rasa.core.channels.rest import RestInput
from sanic.request import Request

from bot.core import web_signing
from bot.settings import env

logger = logging.getLogger(__name__)

SIGNED_FIELDS = ("caller_number", "caller_number_exp", "caller_number_sig")
_warned = False


def warn_trusted_once() -> None:
    global _warned
    if not _warned:
        _warned = True
        logger.warning(
            "未设置 BOT_WEB_SIGNING_KEY：网页聊天（REST 和 socket.io）metadata.caller_number 中的号码将被直接信任，"
            "仅可用于开发环境。生产环境请设置 BOT_WEB_SIGNING_KEY，并由贷款机构的网站后端签名（见 docs/operations.md）。"
        )


class SignedRestInput(RestInput):
    """Rasa's REST channel that drops an unsigned, expired or wrongly signed caller_number."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> SignedRestInput:
        return cls(env("BOT_WEB_SIGNING_KEY"))

    def __init__(self, signing_key: Optional[str] = None) -> None:
        self.signing_key = signing_key or None
        if self.signing_key is None:
            warn_trusted_once()

    def _extract_input_channel(self, req: Request) -> Text:
        return self.name()

    def get_metadata(self, request: Request) -> Optional[Dict[Text, Any]]:
        body = request.json if isinstance(request.json, dict) else {}
        return self.vouched(super().get_metadata(request), body.get("sender"), time.time())

    def vouched(self, metadata: Any, sender: Any, now: float) -> Any:
        """The metadata with caller_number kept only if signed for this sender and not expired."""
        return vouched(self.signing_key, metadata, sender, now)


def vouched(signing_key: Optional[str], metadata: Any, sender: Any, now: float) -> Any:
    """`metadata` with caller_number (and its expiry and signature) kept only if signed for this
    sender and not expired; everything as it came when no key is set. Both web channels use it."""
    if signing_key is None or not isinstance(metadata, dict):
        return metadata
    if not any(field in metadata for field in SIGNED_FIELDS):
        return metadata
    if web_signing.verify(
        signing_key,
        sender,
        metadata.get("caller_number"),
        metadata.get("caller_number_exp"),
        metadata.get("caller_number_sig"),
        now,
    ):
        return metadata
    if metadata.get("caller_number") is not None:
        logger.info("call %s: 网页号码未签名、签名不符或已过期，按未提供号码处理", sender)
    return {k: v for k, v in metadata.items() if k not in SIGNED_FIELDS}
