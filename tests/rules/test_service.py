"""The rules service against the real engine and both sandboxes: imports, dry runs, re-queuing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlmodel import col

from db.models import AuditEntry, DocumentVersion, MappingRuleRow, MappingRuleVersion, WorkItem
from mappings.io_csv import import_csv
from mappings.rule_rows import ParsedRules
from mappings.rules import RuleOrigin
from sync.engine import states
from sync.rules.service import ImportReport, deactivate_rule, import_rules
from tests.e2e.conftest import Harness
from tests.e2e.scenario import commitment_change_order, one_line

EARTHWORK = "cost_code,cost_type_base,account_id,note\n31-*,other,Site Work,earthwork extras\n"


def waiting_order(h: Harness, n: int) -> int:
    """An approved change order with a mapped line and an unmapped "Other" line."""
    lines = [*one_line("100.00", "03-300", "L"), *one_line("450.00", "31-000", "O")]
    return commitment_change_order(h.world, lines, commitment_number=f"SC-{n}", number=f"00{n}")


async def snapshot(h: Harness) -> dict[str, Any]:
    """What an import could change: rules, their versions, the audit log, the queue, states."""
    async with h.svc.sessions() as session:
        counts = {
            m.__name__: (await session.execute(select(func.count()).select_from(m))).scalar_one()
            for m in (MappingRuleRow, MappingRuleVersion, AuditEntry)
        }
        queue = sorted(
            (w.key, w.state, w.run_after.isoformat())
            for w in (await session.execute(select(WorkItem))).scalars()
        )
        versions = sorted(
            (v.id, v.state) for v in (await session.execute(select(DocumentVersion))).scalars()
        )
    return {"counts": counts, "queue": queue, "versions": versions}


async def run_import(h: Harness, parsed: ParsedRules, **kw: Any) -> ImportReport:
    async with h.svc.sessions() as session, session.begin():
        return await import_rules(
            session,
            parsed.rules,
            settings=h.svc.settings,
            target=h.svc.target,
            actor="jane",
            origin=RuleOrigin.CSV,
            now=h.clock.now(),
            **kw,
        )


async def states_of(h: Harness) -> list[str]:
    async with h.svc.sessions() as session:
        rows = await session.execute(
            select(col(DocumentVersion.state)).order_by(col(DocumentVersion.document_id))
        )
        return [s for (s,) in rows]


async def test_dry_run_with_a_bad_row_names_row_and_field_and_changes_nothing(
    harness: Harness,
) -> None:
    h = harness
    waiting_order(h, 1)
    await h.deliver()
    await h.drain()
    before = await snapshot(h)
    text = EARTHWORK + "03-*,labour,Labor,typo in the base type\n,,Nowhere,\n"
    parsed = import_csv(text)
    assert [(e.where, e.field) for e in parsed.errors] == [("line 3", "cost_type_base")]
    report = await run_import(h, parsed, dry_run=True)
    assert [(e.where, e.field) for e in report.errors] == [("line 4", "account_id")]
    assert not report.applied and report.impact is None
    assert await snapshot(h) == before


async def test_dry_run_counts_waiting_documents_that_would_be_resolved(harness: Harness) -> None:
    h = harness
    waiting_order(h, 1)
    waiting_order(h, 2)
    commitment_change_order(h.world, one_line(), commitment_number="SC-3")  # posts
    await h.deliver()
    await h.drain()
    assert sorted(await states_of(h)) == [states.NEEDS_ATTENTION] * 2 + [states.POSTED]
    before = await snapshot(h)

    report = await run_import(h, import_csv(EARTHWORK), dry_run=True)

    assert not report.errors and not report.applied
    assert [a.where for a in report.diff.added] == ["line 2"]
    assert report.diff.kept == (1, 2, 3, 4, 5, 6)
    impact = report.impact
    assert impact is not None
    assert impact.waiting == 2
    assert [r.split(" (")[0] for r in impact.resolved] == [
        "commitment change order 001",
        "commitment change order 002",
    ]
    # Posted payloads are purged by default: said, counted, not guessed about.
    assert impact.posted_checked == 0 and len(impact.posted_purged) == 1
    assert await snapshot(h) == before


async def test_an_imported_rule_requeues_and_posts_the_waiting_document(harness: Harness) -> None:
    h = harness
    waiting_order(h, 1)
    await h.deliver()
    await h.drain()
    assert await states_of(h) == [states.NEEDS_ATTENTION]
    assert h.qbo_rows("PurchaseOrder") == []

    report = await run_import(h, import_csv(EARTHWORK))
    assert report.applied and report.requeued == 1
    (saved,) = report.saved
    assert saved.id == 7 and saved.origin is RuleOrigin.CSV and saved.author == "jane"
    await h.drain()

    assert await states_of(h) == [states.POSTED]
    [po] = h.qbo_rows("PurchaseOrder")
    accounts = [line["AccountBasedExpenseLineDetail"]["AccountRef"]["value"] for line in po["Line"]]
    assert accounts == [h.world.qbo_id("account", n) for n in ("Labor", "Site Work")]
    async with h.svc.sessions() as session:
        audit = (
            (await session.execute(select(AuditEntry).where(col(AuditEntry.subject) == "rule:7")))
            .scalars()
            .one()
        )
    assert (audit.action, audit.actor) == ("rule.create", "jane")


async def test_importing_the_same_file_twice_adds_nothing(harness: Harness) -> None:
    h = harness
    assert (await run_import(h, import_csv(EARTHWORK))).applied
    again = await run_import(h, import_csv(EARTHWORK))
    assert not again.applied and again.diff.unchanged == (7,) and again.diff.is_empty


async def test_deactivation_requeues_only_the_waiting_documents_it_touches(
    harness: Harness,
) -> None:
    h = harness
    waiting_order(h, 1)  # a labour line (rule #1) and an unmapped line
    await h.deliver()
    await h.drain()
    now = h.clock.now()
    async with h.svc.sessions() as session, session.begin():
        _, requeued = await deactivate_rule(session, 3, actor="jane", now=now)  # equipment
    assert requeued == 0
    async with h.svc.sessions() as session, session.begin():
        rule, requeued = await deactivate_rule(session, 1, actor="jane", now=now)  # labour
    assert requeued == 1 and not rule.active and rule.version == 2
    async with h.svc.sessions() as session:
        queued = (
            (await session.execute(select(WorkItem).where(col(WorkItem.state) == "queued")))
            .scalars()
            .all()
        )
    assert [w.key.split(":")[2] for w in queued] == ["commitment_change_order"]


async def test_posted_lines_that_would_map_differently_are_listed_never_reposted(
    harness: Harness,
) -> None:
    h = harness
    h.svc.settings = h.svc.settings.model_copy(update={"purge_payloads": False})
    commitment_change_order(h.world, one_line("100.00", "03-300", "L"))
    await h.deliver()
    await h.drain()
    [po] = h.qbo_rows("PurchaseOrder")

    labour_to_materials = (
        "id,cost_type_base,account_id,class_id,author\n1,labor,5020,Labor,demo-seed\n"
    )
    dry = await run_import(h, import_csv(labour_to_materials), dry_run=True)
    assert [(f.field, f.after) for f in dry.diff.changed[0].changes] == [("account_id", "4")]
    impact = dry.impact
    assert impact is not None and impact.posted_checked == 1 and impact.posted_purged == ()
    [change] = impact.changed_lines
    assert (change.line, change.field) == (1, "Account")
    assert (change.before, change.after) == (
        "5010 Job Expenses:Labor",
        "5020 Job Expenses:Materials",
    )

    applied = await run_import(h, import_csv(labour_to_materials))
    assert applied.applied and applied.requeued == 0
    await h.drain()
    assert h.qbo_rows("PurchaseOrder") == [po]  # not re-posted, not updated
