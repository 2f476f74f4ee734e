"""`python -m bench.template_scale` measures the database index per size and alphabet, and its
recall against exact Jaccard (SQLite here; the PostgreSQL half needs the services)."""

from bench import template_scale


def test_measures_every_size_and_alphabet_and_finds_every_labelled_match():
    result = template_scale.run([300, 600], repeat=1, stores=["sqlite"], labelled=18)
    assert [(p.alphabet, p.size) for p in result.points] == [
        (a, s) for a, _ in template_scale.ALPHABETS for s in (300, 600)
    ]
    assert all(p.ms_per_turn > 0 and p.store == "SQLite" for p in result.points)
    assert len(result.recalls) == 2
    for r in result.recalls:
        assert r.positives > 0 and r.found == r.positives and r.false_positives == 0 and r.identical_evidence
    text = template_scale.render(result, [300, 600])
    assert "| SQLite | 2,500 | 600 |" in text and "1,000,000 (projected)" in text
