"""`python -m bench.template_scale` prints one row per size and alphabet, both paths agreeing."""

from bench import template_scale


def test_prints_a_row_per_size_and_alphabet(capsys):
    rows = template_scale.run([300, 600], repeat=1)
    assert len(rows) == 2 + 4
    printed = capsys.readouterr().out
    assert "| 46 (many shared shingles) | 300 |" in printed and "| 2,500 | 600 |" in printed
    for row in rows[2:]:
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert float(cells[2]) > 0 and float(cells[3]) > 0  # both paths timed
