"""The action server (`python -m bot.action_server --port N`): rasa_sdk with masked logs."""
from __future__ import annotations

import argparse
import os

from bot import logs


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.action_server")
    parser.add_argument("--port", type=int, default=int(os.environ.get("ACTION_PORT", "5055")))
    args = parser.parse_args()
    from rasa_sdk import utils
    from rasa_sdk.endpoint import run

    utils.configure_colored_logging(os.environ.get("LOG_LEVEL", "INFO"))
    utils.update_sanic_log_level()
    logs.install_masking()
    run("actions", args.port, "*")


if __name__ == "__main__":
    main()
