"""The real servers for the simulator: a fresh BOT_DATA_DIR with the personas' accounts.

The accounts (tests/sim/customers.csv) and the watch list (tests/sim/watchlist.csv) are
imported before the launcher's first-start step, so the demo customers are never loaded;
the web login's number signing key (contract §2) is set to a test key the caller side
knows. Both servers start on free loopback ports through `bench.stack.start_ours`.
"""

from __future__ import annotations

from pathlib import Path

from bench.stack import BENCH_TOKEN, Served, start_ours

SIGNING_KEY = "sim-web-signing-key"
TOKEN = BENCH_TOKEN


def start(project: Path, data_dir: Path, logs: Path, customers: Path, watchlist: Path) -> Served:
    """Both servers with only the simulator's accounts and watch list loaded."""
    from bot.services import importer

    def load_accounts(settings) -> None:
        importer.import_file("customers", customers, settings.db_url)
        importer.import_file("watchlist", watchlist, settings.db_url)

    return start_ours(
        project, data_dir, logs, before_first_start=load_accounts, extra_env={"BOT_WEB_SIGNING_KEY": SIGNING_KEY}
    )
