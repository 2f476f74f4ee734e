"""Shared fixtures: an isolated BOT_DATA_DIR and database per test; no Rasa patch outlives its module."""

import contextlib
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """A fresh BOT_DATA_DIR; BOT_DB_URL and BOT_API_TOKEN cleared."""
    monkeypatch.setenv("BOT_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("BOT_DB_URL", raising=False)
    monkeypatch.delenv("BOT_API_TOKEN", raising=False)
    (tmp_path / "var").mkdir()
    return tmp_path / "var"


@pytest.fixture
def db_url(data_dir):
    return f"sqlite:///{data_dir / 'bot.db'}"


@pytest.fixture
def demo_db(db_url):
    """A database holding the demo customers and watchlist."""
    from bot.services.importer import import_file

    demo = ROOT / "bot" / "demo"
    import_file("customers", demo / "customers.csv", db_url)
    import_file("watchlist", demo / "watchlist.csv", db_url)
    from bot.services.storage import Database

    return Database(db_url)


@pytest.fixture(autouse=True, scope="module")
def no_leaked_rasa_patches():
    """Tests that install bot.integration.speedups uninstall them; a module that forgets fails here."""
    from bot.integration import speedups

    yield
    leaked = speedups.installed()
    speedups.uninstall()
    assert not leaked, "bot.integration.speedups still installed after this module: install in a fixture and uninstall"


@contextlib.contextmanager
def rasa_speedups_installed():
    """bot.integration.speedups installed (whatever BOT_RASA_SPEEDUPS says outside), uninstalled afterwards."""
    from bot.integration import speedups

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BOT_RASA_SPEEDUPS", "1")
        assert speedups.install(), speedups.refusal()
    try:
        yield speedups
    finally:
        speedups.uninstall()
