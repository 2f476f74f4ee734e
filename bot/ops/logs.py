"""Logging set-up shared by the servers and the commands."""

from __future__ import annotations

import logging
import os
import re
import warnings
from typing import Iterable

from bot.settings import SECRET_VARIABLES, env

QUIET_ENV = {
    "TF_CPP_MIN_LOG_LEVEL": "3",  # TensorFlow's C++ start-up chatter
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    "PYTHONWARNINGS": "ignore",
    "RASA_TELEMETRY_ENABLED": "false",  # no calls to Rasa's telemetry service from operators' servers
}


def quiet_environment(env: dict) -> dict:
    """The environment with library start-up noise turned off (explicit settings win)."""
    return {**QUIET_ENV, **env}


def configure(level_name: str = "") -> None:
    """Plain logging plus Rasa's structlog, at LOG_LEVEL (default INFO)."""
    level = logging.getLevelName((level_name or env("LOG_LEVEL") or "INFO").upper())
    warnings.filterwarnings("ignore")
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(level)
    logging.getLogger().setLevel(level)
    for noisy in ("tensorflow", "absl", "matplotlib", "apscheduler", "sanic.access"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))


# ---- personal data and secrets never reach a log in full ----------------------
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(?:[0-9]{17}[0-9Xx]|[0-9]{15})(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![0-9])(?:\+?86[- ]?)?(1[3-9][0-9])[- ]?([0-9]{4})[- ]?([0-9]{4})(?![0-9])")
_LANDLINE = re.compile(r"(?<![0-9])(0[0-9]{2,3})-?([0-9]{3,4})([0-9]{4})(?![0-9])")
_BEARER = re.compile(r"(Bearer\s+)[^\s'\",}]+")
_SECRET_ENV = SECRET_VARIABLES


_JSON_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


def mask(text: str, secrets: Iterable[str] = ()) -> str:
    """Phone numbers as 138****2222, ID numbers as ****3721, tokens and keys as ****."""
    # JSON log lines escape Chinese (\u53f7); digits glued to the escape would hide a number
    text = _JSON_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    for secret in secrets:
        if secret and len(secret) >= 6:
            text = text.replace(secret, "****")
    text = _BEARER.sub(r"\1****", text)
    text = _ID_NUMBER.sub(lambda m: "****" + m.group(0)[-4:], text)
    text = _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)
    return _LANDLINE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)


def known_secrets() -> list:
    """Secrets configured for this process (tokens, keys), to scrub from logs."""
    found = []
    for name in _SECRET_ENV:
        for part in re.split(r"[,:;\s]+", env(name) or ""):
            if len(part) >= 6:
                found.append(part)
    token_file = env("BOT_DATA_DIR")
    if token_file and os.path.exists(os.path.join(token_file, "api_token")):
        with open(os.path.join(token_file, "api_token"), encoding="utf-8") as f:
            found.append(f.read().strip())
    return found


class MaskingFilter(logging.Filter):
    """Rewrites every record's message with `mask` before any handler writes it."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to logging's own error path
            return True
        masked = mask(message, self.secrets)
        if masked != message or record.args:
            record.msg, record.args = masked, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = mask(logging.Formatter().formatException(record.exc_info), self.secrets)
        return True


def install_masking(secrets: Iterable[str] = ()) -> MaskingFilter:
    """Attach the masking filter to every handler that exists now (root, Sanic, Rasa)."""
    masking = MaskingFilter(list(secrets) or known_secrets())
    loggers = [logging.getLogger()] + [logging.getLogger(name) for name in list(logging.Logger.manager.loggerDict)]
    for logger in loggers:
        for handler in getattr(logger, "handlers", []):
            if not any(isinstance(f, MaskingFilter) for f in handler.filters):
                handler.addFilter(masking)
    return masking
