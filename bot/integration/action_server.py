"""The action server (`python -m bot.integration.action_server --port N`): rasa_sdk with masked logs."""

from __future__ import annotations

import argparse
import logging

from bot.ops import logs
from bot.settings import env, env_int

logger = logging.getLogger(__name__)


def warm_up() -> None:
    """Index the complaint texts the risk check compares with before the first call."""
    try:
        from bot.services import risk_service
        from bot.services.storage import project_database

        count = risk_service.warm_up(project_database())
        logger.info("风险检查：已为 %d 条已登记的投诉文本建立索引（模板投诉比对用）", count)
    except Exception as err:  # noqa: BLE001 - the first turn builds the index instead
        logger.warning("风险检查：启动时未能建立投诉文本索引（%s），将在第一通电话时建立", err)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.integration.action_server")
    parser.add_argument("--port", type=int, default=env_int("ACTION_PORT", 5055))
    args = parser.parse_args()
    from rasa_sdk import utils
    from rasa_sdk.endpoint import run

    utils.configure_colored_logging(env("LOG_LEVEL") or "INFO")
    utils.update_sanic_log_level()
    logs.install_masking()
    warm_up()
    run("actions", args.port, "*")


if __name__ == "__main__":
    main()
