"""Logging set-up shared by the servers and the commands."""
from __future__ import annotations

import logging
import os
import warnings

QUIET_ENV = {
    "TF_CPP_MIN_LOG_LEVEL": "3",  # TensorFlow's C++ start-up chatter
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    "PYTHONWARNINGS": "ignore",
}


def quiet_environment(env: dict) -> dict:
    """The environment with library start-up noise turned off (explicit settings win)."""
    return {**QUIET_ENV, **env}


def configure(level_name: str = "") -> None:
    """Plain logging plus Rasa's structlog, at LOG_LEVEL (default INFO)."""
    level = logging.getLevelName((level_name or os.environ.get("LOG_LEVEL") or "INFO").upper())
    warnings.filterwarnings("ignore")
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(level)
    logging.getLogger().setLevel(level)
    for noisy in ("tensorflow", "absl", "matplotlib", "apscheduler", "sanic.access"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
