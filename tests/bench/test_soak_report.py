"""The soak section is written once into docs/benchmarks.md and replaced on the next run."""

from bench.soak import END, START, write


def test_section_is_appended_then_replaced(tmp_path):
    page = tmp_path / "benchmarks.md"
    page.write_text("# Benchmarks\n\ntable\n", encoding="utf-8")
    write(f"{START}\nfirst\n{END}\n", page)
    write(f"{START}\nsecond\n{END}\n", page)
    text = page.read_text(encoding="utf-8")
    assert text.count(START) == 1 and "second" in text and "first" not in text
    assert text.startswith("# Benchmarks\n\ntable\n")
