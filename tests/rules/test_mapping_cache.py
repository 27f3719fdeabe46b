"""The mapping cache (``sync.engine.mapping_cache``) against the real engine and both sandboxes:
every rule, link and reference write is seen by the very next mapping, in this process or from
another one on the same database, and mapping gives what it gave before there was a cache."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from mappings.document import DocumentMapping, map_document
from mappings.references import ReferenceIndex
from mappings.rules import Conditions, Outputs, Rule, RuleOrigin
from sandbox.demo.company import PROJECTS, VENDORS
from sandbox.procore import create_app as procore_app
from sandbox.qbo import create_app as qbo_app
from sandbox.transport import SandboxTransport
from sync.engine import reference
from sync.engine.mapping_cache import MAX_KEYS, MappingCache, cache_for
from sync.engine.mapping_step import map_for_target
from sync.models import (
    CostCode,
    CostType,
    DocumentKind,
    PartyRef,
    ProjectRef,
    SourceDocument,
    SourceLine,
    TargetKind,
)
from sync.rules.links import add_link, remove_link
from sync.rules.service import deactivate_rule, save_rules
from sync.rules.store import load_links, load_rules
from sync.service import Service, build_service
from tests.e2e.conftest import Harness

PO = TargetKind.PURCHASE_ORDER
LABOR = CostType(id="1", name="Labor", base_type="labor")
OTHER = CostType(id="5", name="Other", base_type="other")  # no demo rule maps it


def order(h: Harness, *types: CostType, number: str = "1", vendor: int = 0) -> SourceDocument:
    """A commitment change order on the demo's first project, one line per cost type."""
    return SourceDocument(
        kind=DocumentKind.COMMITMENT_CHANGE_ORDER,
        id=f"CO-{number}",
        number=number,
        status="approved",
        approved=True,
        project=ProjectRef(id=str(h.world.project_ids[0]), name=PROJECTS[0][0]),
        vendor=PartyRef(id=str(h.world.vendor_ids[vendor]), name=VENDORS[vendor][0]),
        updated_at=datetime(2026, 12, 4, tzinfo=UTC),
        lines=tuple(
            SourceLine(
                id=f"{number}-{i}",
                position=i + 1,
                amount=Decimal("100.00"),
                cost_code=CostCode(id="31-000", code="31-000"),
                cost_type=ct,
            )
            for i, ct in enumerate(types)
        ),
    )


def other_rule(h: Harness, account: str, *, code: str = "31-*") -> Rule:
    now = h.clock.now()
    return Rule(
        conditions=Conditions(cost_code=code, cost_type_base="other"),
        outputs=Outputs(account_id=h.world.qbo_id("account", account)),
        author="jane",
        origin=RuleOrigin.CLI,
        created_at=now,
        updated_at=now,
    )


async def mapped(svc: Service, doc: SourceDocument) -> DocumentMapping:
    """One mapping in its own transaction, as the worker does it."""
    async with svc.sessions() as session, session.begin():
        return await map_for_target(svc, session, doc, PO)


async def save(svc: Service, rule: Rule) -> Rule:
    async with svc.sessions() as session, session.begin():
        [saved], _ = await save_rules(session, [rule], actor="jane", now=svc.clock.now())
        return saved


def kinds(mapping: DocumentMapping) -> list[str]:
    return [r.kind for r in mapping.reasons]


def account_of(mapping: DocumentMapping, line: int) -> object:
    assert mapping.mapped is not None
    ref = mapping.mapped.lines[line].account
    return ref.id if ref else None


@pytest.fixture
async def other_process(harness: Harness) -> AsyncIterator[Service]:
    """A second service on the same database with its own engine: another process, as far as
    the cache can tell (it shares no memory with the first)."""
    h = harness
    svc = build_service(
        h.svc.settings,
        clock=h.clock,
        procore_transport=SandboxTransport(procore_app(h.world.procore)),
        qbo_transport=SandboxTransport(qbo_app(h.world.qbo)),
        extensions=(),
    )
    assert cache_for(svc.engine) is not cache_for(h.svc.engine)
    try:
        yield svc
    finally:
        await svc.aclose()


async def test_a_rule_saved_through_the_service_is_seen_by_the_next_mapping(
    harness: Harness,
) -> None:
    h = harness
    doc = order(h, LABOR, OTHER)
    cache = cache_for(h.svc.engine)
    assert kinds(await mapped(h.svc, doc)) == ["unmapped"]
    before = cache.stats.hits
    assert kinds(await mapped(h.svc, doc)) == ["unmapped"]
    assert cache.stats.hits - before == 3  # rules, references and links, from memory

    saved = await save(h.svc, other_rule(h, "Site Work"))
    misses = cache.stats.misses
    after = await mapped(h.svc, doc)
    assert kinds(after) == []
    assert account_of(after, 1) == h.world.qbo_id("account", "Site Work")
    assert cache.stats.misses - misses == 1  # the rules only

    async with h.svc.sessions() as session, session.begin():
        assert saved.id is not None
        await deactivate_rule(session, saved.id, actor="jane", now=h.clock.now())
    assert kinds(await mapped(h.svc, doc)) == ["unmapped"]


async def test_a_rule_saved_by_another_process_is_seen(
    harness: Harness, other_process: Service
) -> None:
    h = harness
    doc = order(h, OTHER)
    assert kinds(await mapped(h.svc, doc)) == ["unmapped"]
    saved = await save(other_process, other_rule(h, "Site Work"))
    assert kinds(await mapped(h.svc, doc)) == []

    # A new version of the same rule, elsewhere: the new account, not the remembered one.
    changed = saved.model_copy(
        update={"outputs": Outputs(account_id=h.world.qbo_id("account", "Materials"))}
    )
    await save(other_process, changed)
    assert account_of(await mapped(h.svc, doc), 0) == h.world.qbo_id("account", "Materials")

    async with other_process.sessions() as session, session.begin():
        assert saved.id is not None
        await deactivate_rule(session, saved.id, actor="jane", now=h.clock.now())
    assert kinds(await mapped(h.svc, doc)) == ["unmapped"]


async def test_a_rule_rolled_back_is_forgotten_even_when_mapped_inside_its_transaction(
    harness: Harness,
) -> None:
    """A mapping inside the writing transaction (``requeue_resolved`` does that) sees the
    uncommitted rule; after the rollback, neither it nor its stamp may come back."""
    h = harness
    doc = order(h, OTHER)
    assert kinds(await mapped(h.svc, doc)) == ["unmapped"]

    class Abandon(Exception):
        pass

    with pytest.raises(Abandon):
        async with h.svc.sessions() as session, session.begin():
            await save_rules(session, [other_rule(h, "Site Work")], actor="j", now=h.clock.now())
            inside = await map_for_target(h.svc, session, doc, PO)
            assert account_of(inside, 0) == h.world.qbo_id("account", "Site Work")
            raise Abandon
    # The next committed write is as many writes as the abandoned one was: a count alone
    # would match what the abandoned transaction left in memory.
    await save(h.svc, other_rule(h, "Materials"))
    assert account_of(await mapped(h.svc, doc), 0) == h.world.qbo_id("account", "Materials")


async def test_links_added_and_removed_are_seen(harness: Harness, other_process: Service) -> None:
    h = harness
    doc = order(h, LABOR, vendor=1)
    vendor = str(h.world.vendor_ids[1])
    assert kinds(await mapped(h.svc, doc)) == []

    await remove_link(h.svc, "vendor", vendor, actor="jane", source="procore")
    assert kinds(await mapped(h.svc, doc)) == ["vendor_not_linked"]

    await add_link(other_process, "vendor", vendor, VENDORS[1][0], actor="jane", source="procore")
    after = await mapped(h.svc, doc)
    assert kinds(after) == []
    assert after.vendor is not None
    assert after.vendor.id == h.world.qbo_id("vendor", VENDORS[1][0])


async def test_reference_data_refreshed_by_another_process_is_seen(
    harness: Harness, other_process: Service
) -> None:
    """An account made inactive in QuickBooks, read by the other process's refresh: this one
    must not keep mapping to it from memory."""
    h = harness
    doc = order(h, LABOR)
    assert kinds(await mapped(h.svc, doc)) == []
    labor = h.world.qbo_id("account", "Labor")
    h.world.qbo.realm(h.world.qbo_company.realm_id).entities["Account"][labor]["Active"] = False
    async with other_process.sessions() as session, session.begin():
        await reference.refresh(session, other_process.target, now=h.clock.now())
    assert kinds(await mapped(h.svc, doc)) == ["invalid_target"]


async def before_the_cache(svc: Service, session: AsyncSession, doc: SourceDocument) -> object:
    """``map_for_target`` as it was before the cache: everything read for every document."""
    now = svc.clock.now()
    records = await reference.current(session, svc.target, now=now)
    rules = await load_rules(session)
    links = await load_links(session, source=doc.source, target=svc.target.name)
    mapping = map_document(doc, rules, ReferenceIndex(records), links, PO)
    if any(r.kind == "invalid_target" for r in mapping.reasons):
        records = await reference.current(session, svc.target, now=now, force=True)
        mapping = map_document(doc, rules, ReferenceIndex(records), links, PO)
    return mapping


async def test_mappings_are_the_same_with_and_without_the_cache(harness: Harness) -> None:
    h = harness
    docs = [
        order(h, LABOR, OTHER, number="1"),
        order(h, OTHER, OTHER, LABOR, number="2", vendor=2),
        order(h, LABOR, number="3", vendor=3),
    ]
    cache = cache_for(h.svc.engine)
    rounds = [None, other_rule(h, "Site Work", code="31-000"), other_rule(h, "Materials")]
    for rule in rounds:
        if rule is not None:
            await save(h.svc, rule)
        results: dict[str, list[object]] = {}
        for label, enabled in (("cached", True), ("uncached", False), ("cached again", True)):
            cache.enabled = enabled
            results[label] = [await mapped(h.svc, doc) for doc in docs]
        async with h.svc.sessions() as session, session.begin():
            results["before"] = [await before_the_cache(h.svc, session, doc) for doc in docs]
        assert results["cached"] == results["uncached"] == results["before"]
        assert results["cached again"] == results["before"]


async def test_the_cache_holds_a_bounded_number_of_entries(harness: Harness) -> None:
    h = harness
    cache = MappingCache()
    async with h.svc.sessions() as session, session.begin():
        for n in range(3 * MAX_KEYS):
            await cache.inputs(session, h.svc.target, source=f"source-{n}", now=h.clock.now())
    # One rule index, one reference index for the one target, at most MAX_KEYS link sets.
    assert len(cache) == 2 + MAX_KEYS
