"""Logging set-up shared by the servers and the commands."""

from __future__ import annotations

import logging
import os
import re
import warnings
from typing import Iterable

from bot.core.masking import mask
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
# The mask itself is pure (bot/core/masking.py, also used for text kept at rest).
_SECRET_ENV = SECRET_VARIABLES


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
