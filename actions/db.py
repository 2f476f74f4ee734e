"""The action server's handle on the project database."""

import functools
import logging

from sqlalchemy.exc import DBAPIError

from bot.services.storage import project_database

logger = logging.getLogger(__name__)

# One Database per action-server process, at BOT_DB_URL: the same accessor the Rasa server uses.
database = project_database


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
