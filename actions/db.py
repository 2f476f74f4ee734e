"""The action server's handle on the project database."""

import functools
import logging
from functools import lru_cache

from sqlalchemy.exc import DBAPIError

from bot.services.storage import Database
from bot.settings import load_settings

logger = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def database() -> Database:
    """One Database per action-server process, at BOT_DB_URL."""
    return Database(load_settings().db_url)


def logs_database_errors(run):
    """Log a clear line when the database is locked or unavailable, then let the action fail.

    Every write is one transaction, so a failed action leaves nothing half-written; the
    Rasa server then apologises and hands off (bot/integration/fault_tolerance.py).
    """

    @functools.wraps(run)
    async def wrapper(self, dispatcher, tracker, domain):
        try:
            return await run(self, dispatcher, tracker, domain)
        except DBAPIError as error:
            logger.error(
                "call %s: 数据库被锁定或不可用，动作 %s 未写入任何数据（%s）",
                tracker.sender_id,
                self.name(),
                getattr(error, "orig", error),
            )
            raise

    return wrapper
