"""`python -m bench.template_scale`: the template check's cost per turn as stored complaints grow.

Compares the two ways bot.core.risk compares a caller's complaint with other calls' complaints:
one by one over a list (PostgreSQL, and any corpus handed in as a list) and through the
shingle index the action server keeps on SQLite (bot.core.risk.complaints). Synthetic
complaints of 30–120 characters; a small alphabet means many shared shingles (the hard
case for the index), a large one is closer to free text. Also prints the memory the
cached shingles and the index take (Python allocations, tracemalloc) and how long
building the index takes. Both paths
must give the same verdict; the run stops if they do not.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import random
import time
import tracemalloc
from typing import List

from bot.core.risk import CallFacts, RiskContext, load_config
from bot.core.risk.complaints import ComplaintIndex, ComplaintSearch, StoredComplaint, stored_complaint_shingles
from bot.core.risk.signals import template_signals
from bot.core.risk.similarity import shingles

SMALL = list("你们催收天天打电话给我家人同事我要投诉违规上门威胁银保监会停息挂账减免利息罚息本金分期还款困难失业医疗")
LARGE = [chr(c) for c in range(0x4E00, 0x4E00 + 2500)]


def _per_turn_ms(facts, context, config, repeat: int) -> float:
    template_signals(facts, context, config)
    started = time.perf_counter()
    for _ in range(repeat):
        template_signals(facts, context, config)
    return (time.perf_counter() - started) / repeat * 1000


def run(sizes: List[int], repeat: int) -> List[str]:
    config = load_config()
    t = config.template
    since = dt.datetime.now() - dt.timedelta(days=180)
    rows = [
        "| characters drawn from | stored complaints | one by one, ms/turn | index, ms/turn "
        "| index build, s | cached shingles + index, MiB |",
        "|---|---|---|---|---|---|",
    ]
    print("\n".join(rows), flush=True)
    for name, alphabet in (("46 (many shared shingles)", SMALL), ("2,500", LARGE)):
        for size in sizes:
            rng = random.Random(size)

            def text(n: int, rng: random.Random = rng, alphabet: str = alphabet) -> str:
                return "".join(rng.choice(alphabet) for _ in range(n))

            stored = [
                StoredComplaint(f"C{i}", f"call-{i}", dt.datetime.now(), text(rng.randint(30, 120)))
                for i in range(size)
            ]
            facts = CallFacts(caller_role="third_party", utterances=["我要投诉", stored[0].text[5:] + text(10)])
            stored_complaint_shingles.cache_clear()
            shingles.cache_clear()
            gc.collect()
            started = time.perf_counter()
            index = ComplaintIndex(t.shingle_size, t.min_chars)
            for complaint in stored:
                index.add(complaint)
            build = time.perf_counter() - started
            # memory: the same build again under tracemalloc (it slows the build, so apart)
            stored_complaint_shingles.cache_clear()
            shingles.cache_clear()
            gc.collect()
            tracemalloc.start()
            traced = ComplaintIndex(t.shingle_size, t.min_chars)
            for complaint in stored:
                traced.add(complaint)
            memory = tracemalloc.get_traced_memory()[0] / 2**20
            tracemalloc.stop()
            del traced
            listed = RiskContext(complaint_corpus=[(c.customer_id, c.text) for c in stored], current_customer_id="me")
            indexed = RiskContext(complaint_search=ComplaintSearch(index, "this-call", since), current_customer_id="me")
            if template_signals(facts, listed, config) != template_signals(facts, indexed, config):
                raise SystemExit(f"the two paths disagree at {size} complaints ({name})")
            one_by_one = _per_turn_ms(facts, listed, config, repeat)
            with_index = _per_turn_ms(facts, indexed, config, repeat)
            rows.append(f"| {name} | {size:,} | {one_by_one:.2f} | {with_index:.2f} | {build:.1f} | {memory:.0f} |")
            print(rows[-1], flush=True)
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.template_scale", description=__doc__)
    parser.add_argument("--sizes", default="1000,10000,30000", help="numbers of stored complaints, comma-separated")
    parser.add_argument("--repeat", type=int, default=5, help="turns timed per measurement")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    run(sizes, args.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
