"""Day one: rules and links made before any document was mapped resolve against QuickBooks
itself; nothing unresolved is stored; a link re-queues what waited for it."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select
from sqlmodel import col

from db.models import EntityLink, MappingRuleRow, ReferenceEntry
from mappings.io_csv import import_csv
from sync.engine import states
from sync.engine.requeue import RequeueRefused, requeue_document
from sync.rules.links import (
    LinkError,
    SourceEntity,
    add_link,
    list_links,
    pick_entity,
    remove_link,
    suggest,
)
from sync.rules.report import render_import
from tests.e2e.conftest import Harness
from tests.e2e.scenario import commitment_change_order, one_line
from tests.rules.test_service import run_import, states_of

BY_NUMBER_AND_NAME = (
    "cost_code,cost_type_base,account_id,note\n"
    "03-*,labor,5010,by number\n"
    "31-*,other,Job Expenses:Site Work,by full name\n"
)


async def count(h: Harness, model: type) -> int:
    async with h.svc.sessions() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


async def test_a_fresh_import_fetches_the_accounts_and_stores_real_ids(harness: Harness) -> None:
    h = harness
    assert await count(h, ReferenceEntry) == 0  # nothing was ever mapped: the cache is empty
    rules_before = await count(h, MappingRuleRow)

    report = await run_import(h, import_csv(BY_NUMBER_AND_NAME))

    assert not report.errors and report.applied
    accounts = [rule.outputs.account_id for rule in report.saved]
    assert accounts == [h.world.qbo_id("account", n) for n in ("Labor", "Site Work")]
    assert await count(h, ReferenceEntry) > 0  # fetched from QuickBooks by the import itself
    again = await run_import(h, import_csv(BY_NUMBER_AND_NAME))
    assert not again.errors and again.diff.is_empty and not again.saved
    assert render_import(again, dry_run=False, replace=False).startswith("Nothing to change.")
    assert await count(h, MappingRuleRow) == rules_before + 2


async def test_an_account_that_does_not_exist_is_refused_and_nothing_is_stored(
    harness: Harness,
) -> None:
    h = harness
    rules_before = await count(h, MappingRuleRow)
    text = BY_NUMBER_AND_NAME + "16-*,commitment,9999 Nowhere,no such account\n"

    report = await run_import(h, import_csv(text))

    assert [(e.where, e.field) for e in report.errors] == [("line 4", "account_id")]
    assert "no account has the id, number or name '9999 Nowhere'" in report.errors[0].message
    assert not report.applied
    assert await count(h, MappingRuleRow) == rules_before


async def test_an_account_created_after_the_cache_was_filled_is_found(harness: Harness) -> None:
    h = harness
    await run_import(h, import_csv(BY_NUMBER_AND_NAME))  # fills the cache
    realm = h.world.qbo_company.realm_id
    new_id = h.world.qbo.add_account(
        realm, "Winter Protection", "Cost of Goods Sold", acct_num="5060"
    )
    text = "cost_code,account_id\n01-500,5060\n"

    report = await run_import(h, import_csv(text))

    assert not report.errors
    assert [r.outputs.account_id for r in report.saved] == [new_id]


async def _unlink_first_project(h: Harness) -> None:
    async with h.svc.sessions() as session, session.begin():
        await session.execute(
            delete(EntityLink).where(
                col(EntityLink.source_kind) == "project",
                col(EntityLink.source_id) == str(h.world.project_ids[0]),
            )
        )


async def test_links_add_by_name_links_and_the_waiting_document_posts(harness: Harness) -> None:
    h = harness
    await _unlink_first_project(h)
    commitment_change_order(h.world, one_line("100.00", "03-300", "L"), commitment_number="SC-7")
    await h.deliver()
    await h.drain()
    assert await states_of(h) == [states.NEEDS_ATTENTION]
    assert h.qbo_rows("PurchaseOrder") == []

    linked = await add_link(
        h.svc, "project", "1021 Main St Renovation", "1021 Main St Renovation",
        actor="jane", source="procore",
    )  # fmt: skip

    job = h.world.qbo_id("customer", "Acme Builders:1021 Main St Renovation")
    assert linked.entity.id == str(h.world.project_ids[0]) and linked.record.id == job
    assert len(linked.requeued) == 1
    await h.drain()  # no other step
    assert await states_of(h) == [states.POSTED]
    [po] = h.qbo_rows("PurchaseOrder")
    assert {
        line["AccountBasedExpenseLineDetail"]["CustomerRef"]["value"] for line in po["Line"]
    } == {job}
    [link] = [k for k in await list_links(h.svc) if k.entity.id == str(h.world.project_ids[0])]
    assert link.author == "jane" and link.target_id == job


async def test_links_refuse_what_names_nothing(harness: Harness) -> None:
    h = harness
    # Waiting (an "Other" line no rule maps): costbridge keeps it and knows its vendor by name.
    waiting = one_line("450.00", "31-000", "O")
    commitment_change_order(h.world, waiting, commitment_number="SC-8", vendor=1)
    await h.deliver()
    await h.drain()

    with pytest.raises(LinkError, match="no vendor has the id, number or name 'Nobody'"):
        await add_link(h.svc, "vendor", "Granite Supply Co", "Nobody", actor="j", source="procore")
    with pytest.raises(LinkError, match="no project 'Atlantis'"):
        await add_link(h.svc, "project", "Atlantis", "x", actor="j", source="procore")
    linked = await add_link(
        h.svc, "vendor", "granite supply", "Granite Supply Co", actor="j", source="procore"
    )  # the source's name as a person types it: case and legal form do not matter
    assert linked.entity.id == str(h.world.vendor_ids[1])


async def test_links_suggest_offers_and_applies_nothing(harness: Harness) -> None:
    h = harness
    await _unlink_first_project(h)
    commitment_change_order(h.world, one_line("100.00", "03-300", "L"), commitment_number="SC-9")
    await h.deliver()
    await h.drain()
    before = await list_links(h.svc)

    found = await suggest(h.svc)

    [item] = found
    assert item.entity.kind == "project" and item.entity.name == "1021 Main St Renovation"
    best = item.candidates[0]
    assert best.record.name == "Acme Builders:1021 Main St Renovation" and "name" in best.reason
    assert await list_links(h.svc) == before  # nothing applied
    vendor = str(h.world.vendor_ids[0])  # by id: its documents posted, payloads purged
    removed = await remove_link(h.svc, "vendor", vendor, actor="j", source="procore")
    assert removed.id == vendor
    with pytest.raises(LinkError, match="is not linked"):
        await remove_link(h.svc, "vendor", vendor, actor="j", source="procore")


async def test_requeue_drives_a_dead_document_again_and_refuses_a_posted_one(
    harness: Harness,
) -> None:
    h = harness
    order = commitment_change_order(h.world, one_line(), commitment_number="SC-10")
    h.world.qbo.faults.error_next = 100
    h.world.qbo.faults.error_status = 503
    await h.deliver()
    for _ in range(5):  # the backoff: the worker runs what is due, the clock moves
        await h.drain()
        h.clock.advance(3600)
    assert await states_of(h) == [states.DEAD]
    h.world.qbo.faults.error_next = 0  # someone fixed QuickBooks' side

    done = await requeue_document(h.svc, f"procore:{order}", actor="cli")
    assert done.state == states.DEAD
    await h.drain()
    assert await states_of(h) == [states.POSTED] and len(h.qbo_rows("PurchaseOrder")) == 1
    with pytest.raises(RequeueRefused, match="posted and unchanged"):
        await requeue_document(h.svc, str(done.document_id), actor="cli")
    with pytest.raises(RequeueRefused, match="no document '999999'"):
        await requeue_document(h.svc, "999999", actor="cli")


def test_a_source_name_that_fits_several_is_refused_with_the_candidates() -> None:
    seen = [
        SourceEntity("project", "11", "Main St", "1021"),
        SourceEntity("project", "12", "Main Street", "1021"),
        SourceEntity("vendor", "7", "Acme Drywall LLC", "V-1"),
    ]
    assert pick_entity(seen, "project", "12").id == "12"
    assert pick_entity(seen, "project", "main st").id == "11"
    assert pick_entity(seen, "vendor", "ACME Drywall").id == "7"  # legal form and case ignored
    assert pick_entity(seen, "project", "9999").name == ""  # an id not seen yet: as given
    with pytest.raises(LinkError, match=r"'1021' names several projects: project 11 .*project 12"):
        pick_entity(seen, "project", "1021")
    with pytest.raises(LinkError, match="no vendor 'Nobody'"):
        pick_entity(seen, "vendor", "Nobody")
