"""The simulator end to end on three personas: it starts the real servers, holds the calls over
REST and IVR, reads the summaries and stops the servers. Asserts only that the harness produced a
complete report for each call, never how well the bot did."""

import json

import pytest

from bench import procs
from bench.sim import report
from bench.sim.personas import load_customers, load_personas
from bench.sim.run import run

pytestmark = pytest.mark.e2e

SMOKE = ("bor-001", "bor-012", "prx-001")  # REST with a signed number, IVR with keys and low confidence, a proxy


def test_three_personas_give_a_complete_report_each(tmp_path):
    from bot.ops.train_model import train

    train(quiet=True)
    personas = [p for p in load_personas() if p.id in SMOKE]
    results, seconds = run(personas, load_customers(), tmp_path, jobs=2, deadline=240)

    assert [r.persona for r in results] == list(SMOKE)
    assert procs._LIVE == []  # both servers stopped
    for result, persona in zip(results, personas):
        assert result.error is None, result.error
        assert result.summary and result.summary["call_id"] == result.call_id
        assert result.ended_by in ("goodbye", "handoff", "next_step", "transfer", "bot_hangup", "max_turns")
        said = [t for t in result.transcript if t.caller is not None]
        assert [t.caller for t in said[: len(persona.opening)]] == list(persona.opening)
        assert result.turns == len(said) and all(t.bot or t.ivr for t in said)
        assert result.channel == persona.channel
    ivr = results[1]
    assert ivr.transcript[0].said_as == "start"
    data = report.json_report(results, {"personas": 3})
    assert len(json.loads(json.dumps(data, default=str))["calls"]) == 3
    assert "| all | 3 |" in report.totals_table(report.groups(results))
