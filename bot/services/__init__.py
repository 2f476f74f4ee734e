"""Services: persistence and the operator's work on stored data.

The project database (customers, watchlist, cases, call records, audit), the risk
service that gathers what the pure engine needs from it, the evidence packet,
industry sharing and the CSV importer. Modules here may import `bot.core`,
`bot.settings`, SQLAlchemy and the standard library; not Rasa or Sanic, and not
`bot.integration`, `bot.presentation` or `bot.ops`.
"""
