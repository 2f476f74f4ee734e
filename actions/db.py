"""The action server's handle on the project database."""
from functools import lru_cache

from bot.config import load_settings
from bot.storage import Database


@lru_cache(maxsize=1)
def database() -> Database:
    """One Database per action-server process, at BOT_DB_URL."""
    return Database(load_settings().db_url)
