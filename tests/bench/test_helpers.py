"""The benchmark's statistics and report helpers (no servers, no timing assertions)."""

import math

import pytest

from bench import report
from bench.calls import mean_turns, ours_factory, stock_factory
from bench.load import Regime, RegimeResult, TurnRecord
from bench.stats import fmt_mib, fmt_ms, fmt_pct, fmt_rate, fmt_ratio, fmt_seconds, percentile, ratio, summarize


def test_percentile_interpolates_between_ranks_like_numpy():
    values = [1, 2, 3, 4]
    assert percentile(values, 0) == 1
    assert percentile(values, 100) == 4
    assert percentile(values, 50) == pytest.approx(2.5)
    assert percentile(values, 95) == pytest.approx(3.85)
    assert percentile(list(range(1, 101)), 99) == pytest.approx(99.01)


def test_percentile_of_unsorted_single_and_empty_input():
    assert percentile([5, 1, 3], 50) == 3
    assert percentile([7.5], 99) == 7.5
    assert percentile([], 50) is None
    with pytest.raises(ValueError):
        percentile([1, 2], 101)


def test_summarize_turns_seconds_into_milliseconds():
    s = summarize([0.010, 0.020, 0.030])
    assert s.count == 3
    assert s.p50 == pytest.approx(20.0)
    assert s.mean == pytest.approx(20.0)
    assert s.max == pytest.approx(30.0)
    assert s.triple() == "20 / 29 / 30"
    empty = summarize([])
    assert empty.count == 0 and empty.p50 is None and empty.triple() == "– / – / –"


def test_ratio_and_its_formatting():
    assert ratio(30.0, 10.0) == pytest.approx(3.0)
    assert ratio(None, 10.0) is None and ratio(1.0, None) is None and ratio(1.0, 0) is None
    assert fmt_ratio(3.0) == "3.0×"
    assert fmt_ratio(12.4) == "12×"
    assert fmt_ratio(0.314) == "0.31×"
    assert fmt_ratio(None) == "n/a"
    assert fmt_ratio(math.nan) == "n/a"


def test_unit_formatting():
    assert fmt_ms(0.84) == "0.8" and fmt_ms(12.4) == "12" and fmt_ms(None) == "–"
    assert fmt_rate(41.26) == "41.3" and fmt_rate(None) == "–"
    assert fmt_mib(1024 * 512) == "512 MiB"
    assert fmt_seconds(14.25) == "14.2 s" or fmt_seconds(14.25) == "14.3 s"
    assert fmt_pct(0.971) == "97.1%" and fmt_pct(None) == "–"


def test_judge_and_combining_results():
    assert report.judge(3.2, 3.0, higher_is_better=True) == report.PASS
    assert report.judge(2.9, 3.0, higher_is_better=True) == report.MISS
    assert report.judge(120.0, 150.0, higher_is_better=False) == report.PASS
    assert report.judge(150.0, 150.0, higher_is_better=False) == report.PASS
    assert report.judge(None, 150.0, higher_is_better=False) == report.NOT_RUN
    assert report.all_pass([report.PASS, report.PASS]) == report.PASS
    assert report.all_pass([report.PASS, report.NOT_RUN]) == report.NOT_RUN
    assert report.all_pass([report.NOT_RUN, report.MISS]) == report.MISS


def test_markdown_table_escapes_pipes_and_pads_short_rows():
    text = report.markdown_table(("a", "b", "c"), [("x|y", 1), ("z", 2, 3)])
    lines = text.splitlines()
    assert lines[0] == "| a | b | c |"
    assert lines[1] == "|---|---|---|"
    assert lines[2] == "| x\\|y | 1 |  |"
    assert lines[3] == "| z | 2 | 3 |"


def test_document_has_machine_results_and_targets():
    rows = [report.Row("saturation, 20 calls: turns/s", "90.0", "30.0", "3.0×", "≥ 3× stock", report.PASS)]
    machine = {"CPU": "Test CPU", "cores": "2", "Python": "3.10.13", "Rasa": "3.6.21", "date": "2026-01-01 00:00 UTC"}
    doc = report.render_document(rows, machine, details=["### Details here"], notes=["a note"])
    assert doc.startswith("# Benchmarks\n")
    assert "| CPU | Test CPU |" in doc and "| Rasa | 3.6.21 |" in doc
    assert "| saturation, 20 calls: turns/s | 90.0 | 30.0 | 3.0× | ≥ 3× stock | pass |" in doc
    assert "- a note" in doc and "### Details here" in doc
    assert doc.endswith("\n")


def test_machine_info_names_what_the_report_needs():
    info = report.machine_info()
    for key in ("CPU", "cores", "RAM", "Python", "Rasa", "date"):
        assert info[key]


def test_regime_result_counts_only_the_measured_window():
    result = RegimeResult(Regime("saturation-1", 1, duration=10.0), window_start=100.0, window_end=110.0)
    result.records = [
        TurnRecord(99.0, 100.5, True, True, "x"),  # started in the warm-up: not measured
        TurnRecord(101.0, 101.02, True, True, "x"),
        TurnRecord(102.0, 102.04, True, False, "x"),  # answered, but not as the script expects
        TurnRecord(103.0, 103.5, False, False, "x"),  # failed
        TurnRecord(109.99, 110.5, True, True, "x"),  # ends after the window
    ]
    assert result.turns == 4
    assert result.errors == 1 and result.unexpected == 1
    # answered turns that ended inside the window: 100.5, 101.02, 102.04 → 3 in 10 s
    assert result.throughput == pytest.approx(0.3)
    assert result.latency().count == 3  # successful measured turns


def test_call_scripts_are_multi_turn_and_vary():
    ours = ours_factory(seed=1)
    kinds = {ours(n).kind for n in range(6)}
    assert kinds == {"borrower", "proxy", "complaint"}
    assert mean_turns(ours_factory()) > 4
    assert {stock_factory()(n).kind for n in range(3)} == {"happy", "sad-helped", "sad-not-helped"}


def test_rewriting_the_benchmark_page_keeps_the_sections_other_commands_wrote():
    old = "# Benchmarks\n\nold table\n\n<!-- soak:start -->\nsoak\n<!-- soak:end -->\n\n<!-- sim:begin -->\nsim\n<!-- sim:end -->\n"
    new = report.keep_marked_sections(old, "# Benchmarks\n\nnew table\n")
    assert "old table" not in new and "new table" in new
    assert "<!-- soak:start -->\nsoak\n<!-- soak:end -->" in new and "<!-- sim:begin -->\nsim\n<!-- sim:end -->" in new
    # A section the new text already carries is not doubled.
    again = report.keep_marked_sections(new, new)
    assert again.count("<!-- sim:begin -->") == 1 and again.count("<!-- soak:start -->") == 1
