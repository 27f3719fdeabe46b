"""Benchmark the mapping rule engine: 10,000 lines against 2,000 rules.

Run: ``.venv/bin/python bench/bench_mappings.py``. Prints lines per second with the rule index,
with a naive scan of every rule (same resolution code, ``RuleIndex(buckets=False)``), the ratio,
and whole-document mapping throughput. A benchmark, not a test: figures vary with the machine.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.workload import TARGET_KIND, workload
from mappings.document import map_document
from mappings.index import RuleIndex
from mappings.references import ReferenceIndex
from mappings.resolve import resolve_line

NAIVE_SAMPLE = 1_000  # the naive scan is slow; time a sample and report per-line figures


def rate(n: int, seconds: float) -> str:
    return f"{n / seconds:>12,.0f} lines/s ({seconds * 1000:,.1f} ms for {n:,} lines)"


def main() -> None:
    work = workload()
    refs = ReferenceIndex(work.records)
    links = work.links
    rules = work.rules
    docs = work.docs
    pairs = [(line, doc) for doc in docs for line in doc.lines]
    kind = TARGET_KIND

    t = time.perf_counter()
    index = RuleIndex(rules)
    build = time.perf_counter() - t

    t = time.perf_counter()
    indexed = [resolve_line(line, doc, index, refs, kind) for line, doc in pairs]
    t_indexed = time.perf_counter() - t

    naive_index = RuleIndex(rules, buckets=False)
    sample = pairs[:NAIVE_SAMPLE]
    t = time.perf_counter()
    naive = [resolve_line(line, doc, naive_index, refs, kind) for line, doc in sample]
    t_naive = time.perf_counter() - t
    assert naive == indexed[:NAIVE_SAMPLE], "index and scan disagree"

    t = time.perf_counter()
    mapped = [map_document(doc, index, refs, links, kind) for doc in docs]
    t_docs = time.perf_counter() - t

    attention = sum(len(m.reasons) for m in mapped)
    per_indexed = t_indexed / len(pairs)
    per_naive = t_naive / len(sample)
    print(f"rules: {len(rules):,} ({len(index):,} active); lines: {len(pairs):,}")
    print(f"index build:        {build * 1000:,.1f} ms")
    print(f"resolve (indexed):  {rate(len(pairs), t_indexed)}")
    print(f"resolve (naive):    {rate(len(sample), t_naive)}")
    print(f"ratio:              {per_naive / per_indexed:,.1f}x faster with the index")
    print(f"naive, all lines:   ~{per_naive * len(pairs):,.2f} s (extrapolated)")
    print(f"map_document:       {rate(len(pairs), t_docs)} in {len(docs)} documents")
    print(f"attention reasons:  {attention:,} (ambiguous/unmapped lines in the workload)")


if __name__ == "__main__":
    main()
