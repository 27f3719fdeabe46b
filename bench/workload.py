"""The mapping benchmarks' workload, in one place: 2,005 rules, 10,000 lines in 100 change
orders, the target's reference data and the links. Fixed seed: the same workload every run.

``bench_mappings.py`` maps it with the pure ``mappings`` code over a prebuilt index;
``mapping.py`` stores it through the product's own writers and maps it as the worker does.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from mappings.references import EntityLinks
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

N_RULES = 2_000  # plus one catch-all per cost type: 2,005
N_LINES = 10_000
LINES_PER_DOC = 100
SEED = 20261102
T0 = datetime(2026, 11, 2, tzinfo=UTC)
TARGET_KIND = TargetKind.PURCHASE_ORDER

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
VENDORS = [f"V{i}" for i in range(50)]
ACCOUNTS = [str(5000 + i) for i in range(300)]
CLASS_ID, VENDOR_ID, CUSTOMER_ID = "C1", "QV", "QC"


@dataclass(frozen=True)
class Workload:
    rules: list[Rule]
    docs: list[SourceDocument]
    records: list[ReferenceRecord]
    links: EntityLinks


def make_rules(rnd: random.Random, *, numbered: bool = True) -> list[Rule]:
    """A realistic mix: mostly exact cost code (+ cost type), some prefixes, few globs/others.

    ``numbered=False`` leaves ids to storage (rules about to be saved).
    """
    rules: list[Rule] = []

    def add(cond: dict[str, object], priority: int | None = None) -> None:
        rules.append(
            Rule(
                id=len(rules) + 1 if numbered else None,
                conditions=Conditions.model_validate(cond),
                outputs=Outputs(account_id=rnd.choice(ACCOUNTS), class_id=CLASS_ID),
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
             rnd.choice(COST_TYPES).name, "vendor_id": rnd.choice(VENDORS)})  # fmt: skip
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
                vendor=PartyRef(id=rnd.choice(VENDORS), name="v"),
                updated_at=T0,
                lines=lines,
            )
        )
    return docs


def make_records() -> list[ReferenceRecord]:
    """The target's reference data: every account, class, vendor and customer the rules and
    links name, all active (so no mapping asks for a fresh read)."""
    records = [
        ReferenceRecord(kind=ReferenceKind.ACCOUNT, id=a, name=f"Account {a}", number=a)
        for a in ACCOUNTS
    ]
    records.append(ReferenceRecord(kind=ReferenceKind.CLASS, id=CLASS_ID, name="Jobs"))
    records.append(ReferenceRecord(kind=ReferenceKind.VENDOR, id=VENDOR_ID, name="Vendor"))
    records.append(
        ReferenceRecord(kind=ReferenceKind.CUSTOMER, id=CUSTOMER_ID, name="Customer:Job")
    )
    return records


def make_links() -> EntityLinks:
    return EntityLinks(
        vendors={v: TargetRef(id=VENDOR_ID, name="Vendor") for v in VENDORS},
        projects={p: TargetRef(id=CUSTOMER_ID, name="Customer:Job") for p in PROJECTS},
    )


def workload(*, numbered: bool = True) -> Workload:
    rnd = random.Random(SEED)
    rules = make_rules(rnd, numbered=numbered)
    return Workload(rules, make_docs(rnd), make_records(), make_links())
