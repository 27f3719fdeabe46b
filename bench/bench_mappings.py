"""Benchmark the mapping rule engine: 10,000 lines against 2,000 rules.

Run: ``.venv/bin/python bench/bench_mappings.py``. Prints lines per second with the rule index,
with a naive scan of every rule (same resolution code, ``RuleIndex(buckets=False)``), the ratio,
and whole-document mapping throughput. A benchmark, not a test: figures vary with the machine.
"""

from __future__ import annotations

import random
import sys
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mappings.document import map_document
from mappings.index import RuleIndex
from mappings.references import EntityLinks, ReferenceIndex
from mappings.resolve import resolve_line
from mappings.rules import Conditions, Outputs, Rule, RuleOrigin
from sync.models import (
    CostCode,
    CostType,
    DocumentKind,
    PartyRef,
    ProjectRef,
    ReferenceKind,
    ReferenceRecord,
    SourceDocument,
    SourceLine,
    TargetKind,
    TargetRef,
)

N_RULES = 2_000
N_LINES = 10_000
LINES_PER_DOC = 100
NAIVE_SAMPLE = 1_000  # the naive scan is slow; time a sample and report per-line figures
T0 = datetime(2026, 11, 2, tzinfo=UTC)

COST_TYPES = [
    CostType(id="1", name="Labor", base_type="labor"),
    CostType(id="2", name="Materials", base_type="materials"),
    CostType(id="3", name="Equipment", base_type="equipment"),
    CostType(id="4", name="Subcontract", base_type="commitment"),
    CostType(id="5", name="Other", base_type="other"),
]
DIVISIONS = [f"{d:02d}" for d in range(1, 50)]
CODES = [f"{d}-{n:03d}" for d in DIVISIONS for n in range(100, 1000, 25)]  # 49 x 36 codes
PROJECTS = [f"P{i}" for i in range(40)]


def make_rules(rnd: random.Random, accounts: list[str]) -> list[Rule]:
    """A realistic mix: mostly exact cost code (+ cost type), some prefixes, few globs/others."""
    rules: list[Rule] = []

    def add(cond: dict[str, object], priority: int | None = None) -> None:
        rules.append(
            Rule(
                id=len(rules) + 1,
                conditions=Conditions.model_validate(cond),
                outputs=Outputs(account_id=rnd.choice(accounts), class_id="C1"),
                priority=priority,
                author="bench",
                origin=RuleOrigin.SEED,
                created_at=T0,
                updated_at=T0,
            )
        )

    seen: set[tuple[str, str]] = set()
    while len(rules) < int(N_RULES * 0.7):
        key = (rnd.choice(CODES), rnd.choice(COST_TYPES).name)
        if key not in seen:  # distinct, so they do not make every line ambiguous
            seen.add(key)
            add({"cost_code": key[0], "cost_type": key[1]})
    for division in DIVISIONS:
        for ct in COST_TYPES:
            add({"cost_code": f"{division}-*", "cost_type_base": ct.base_type})
    for i in range(40):
        add({"cost_code": f"{DIVISIONS[i]}-?00", "cost_type": "Labor", "project_id": "P1"})
    for project in PROJECTS:
        add({"project_id": project, "cost_type": "Other"})
    while len(rules) < N_RULES:
        add({"project_id": rnd.choice(PROJECTS), "cost_code": rnd.choice(CODES), "cost_type":
             rnd.choice(COST_TYPES).name, "vendor_id": f"V{rnd.randrange(50)}"})  # fmt: skip
    for ct in COST_TYPES:
        add({"cost_type_base": ct.base_type}, priority=-1)  # catch-alls, so nothing is unmapped
    return rules


def make_docs(rnd: random.Random) -> list[SourceDocument]:
    docs: list[SourceDocument] = []
    for d in range(N_LINES // LINES_PER_DOC):
        lines = tuple(
            SourceLine(
                id=f"{d}-{i}",
                position=i + 1,
                description="work",
                amount=Decimal(rnd.randrange(1, 100_000)) / 100,
                cost_code=CostCode(id=code, code=code),
                cost_type=rnd.choice(COST_TYPES),
            )
            for i, code in enumerate(rnd.choices(CODES, k=LINES_PER_DOC))
        )
        docs.append(
            SourceDocument(
                kind=DocumentKind.COMMITMENT_CHANGE_ORDER,
                id=f"CO{d}",
                number=str(d),
                status="approved",
                approved=True,
                project=ProjectRef(id=rnd.choice(PROJECTS), name="p"),
                vendor=PartyRef(id=f"V{rnd.randrange(50)}", name="v"),
                updated_at=T0,
                lines=lines,
            )
        )
    return docs


def rate(n: int, seconds: float) -> str:
    return f"{n / seconds:>12,.0f} lines/s ({seconds * 1000:,.1f} ms for {n:,} lines)"


def main() -> None:
    rnd = random.Random(20261102)  # fixed: the same workload every run
    accounts = [str(5000 + i) for i in range(300)]
    records = [
        ReferenceRecord(kind=ReferenceKind.ACCOUNT, id=a, name=f"Account {a}", number=a)
        for a in accounts
    ]
    records.append(ReferenceRecord(kind=ReferenceKind.CLASS, id="C1", name="Jobs"))
    records.append(ReferenceRecord(kind=ReferenceKind.VENDOR, id="QV", name="Vendor"))
    records.append(ReferenceRecord(kind=ReferenceKind.CUSTOMER, id="QC", name="Customer:Job"))
    refs = ReferenceIndex(records)
    links = EntityLinks(
        vendors={f"V{i}": TargetRef(id="QV") for i in range(50)},
        projects={p: TargetRef(id="QC") for p in PROJECTS},
    )
    rules = make_rules(rnd, accounts)
    docs = make_docs(rnd)
    pairs = [(line, doc) for doc in docs for line in doc.lines]
    kind = TargetKind.PURCHASE_ORDER

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
