"""The caller simulator (`make sim`, `python -m bench.sim`): the instrument of issue 12.

Scripted caller personas (tests/sim/personas/*.yml, an evaluation set written blind from
the contract and the domain brief) hold whole calls against the real servers over REST
or IVR, answering whatever the bot last asked the way that caller would. The simulator
depends only on the public contract (shared/CONTRACT.md: channels §2, summary §3, import
§4, SMS outbox §5) and on generic Chinese question cues, never on today's exact lines.

Modules, one job each:
- `personas`  the evaluation set and its accounts, loaded and checked;
- `classify`  what kind of answer the bot's last question asks for (role, names, ID digits,
  loan id, phone, purpose, hardship, case detail, code, yes/no, anything-else, other);
- `facts`     account facts in Arabic and Chinese numerals (said by the caller, leaked by the bot);
- `caller`    which line a persona says, whether it was informative, the code read back, the
  signed web number;
- `score`     the metrics (completed, summary correct, re-asks, stuck, misunderstood, turns,
  leaks: definitions in its docstring);
- `play`      one call over HTTP, and many at once;
- `servers`   the servers on a fresh data dir holding only the personas' accounts;
- `report`    tables, the JSON report, transcripts, the docs/benchmarks.md section;
- `run`       the command line.
"""
