"""The pure core: the call script, identity checks, materials, the summary, the risk engine.

Plain Python over plain data, the rules as they read in the guidance. A module
here may import the standard library, PyYAML (to read the catalogues and rule
files next to it), pypinyin and other modules of `bot.core` — never Rasa, Sanic,
SQLAlchemy, the network or the database, and no other `bot` package
(tests/unit/test_layers.py checks every module). Whatever needs I/O gets it passed
in by the services or integration layers above.
"""
