"""What ProcoreSource does not read twice: a change order the sweep's list already answered,
and the projects, commitments, vendors, cost codes and cost types documents share — until
their own webhook says they changed, or the cache's lifetime ends."""

from __future__ import annotations

import json
from datetime import timedelta

from sandbox.procore import LineSeed
from sync.models import DocumentKind, DocumentRef
from sync.sources.base import SourceEvent
from sync.sources.procore import ProcoreSource
from sync.sources.procore.source import CACHE_TTL
from tests.procore.conftest import COMPANY_ID, World


def orders(world: World, count: int) -> list[int]:
    return [
        world.state.add_commitment_change_order(
            world.commitment.id,
            f"{n:03d}",
            [LineSeed(f"Line {n}", "100.00", "16-100", "S")],
            title=f"CO {n}",
            status="approved",
        ).id
        for n in range(1, count + 1)
    ]


def ref(world: World, order_id: int) -> DocumentRef:
    return DocumentRef(
        kind=DocumentKind.COMMITMENT_CHANGE_ORDER,
        id=str(order_id),
        project_id=str(world.project.id),
    )


def paths(world: World) -> list[str]:
    return [r.url.path for r in world.requests if r.url.path != "/oauth/token"]


def event(world: World, resource: str, resource_id: int) -> SourceEvent:
    return SourceEvent(
        source="procore",
        key=f"{resource}-{resource_id}-{len(world.requests)}",
        resource_name=resource,
        resource_id=str(resource_id),
        event_type="update",
        company_id=str(COMPANY_ID),
        project_id=str(world.project.id),
        occurred_at=None,
        caused_by_us=False,
    )


async def test_a_listed_change_order_costs_one_read_for_its_lines(
    world: World, source: ProcoreSource
) -> None:
    since = world.clock.now() - timedelta(minutes=1)
    made = orders(world, 20)
    listed = {found.ref.id: found for found in await source.list_changed(since)}
    world.requests.clear()

    docs = [await source.fetch(ref(world, o), listed[str(o)].payload) for o in made]

    # one line-items read per change order; the vendor list, cost codes and types once
    line_reads = [p for p in paths(world) if p.endswith("/line_items")]
    assert len(line_reads) == 20
    assert sorted(set(paths(world)) - set(line_reads)) == [
        "/rest/v1.0/cost_codes",
        "/rest/v1.0/line_item_types",
        "/rest/v1.0/vendors",
    ]
    assert len(paths(world)) == 23  # ≤ 1.15 per change order, falling as the batch grows
    assert [d.number for d in docs] == [f"{n:03d}" for n in range(1, 21)]
    assert {d.vendor.name for d in docs if d.vendor} == {"Bright Spark Electric"}
    assert {d.contract_number for d in docs} == {"SC-001"}
    assert {d.project.name for d in docs} == {"1021 Main St"}


async def test_a_listed_answer_as_the_queue_stores_it_reads_the_same(
    world: World, source: ProcoreSource
) -> None:
    """The payload goes through the work queue as JSON (Decimals as text): same document."""
    since = world.clock.now() - timedelta(minutes=1)
    [order] = orders(world, 1)
    [found] = [f for f in await source.list_changed(since) if f.ref.id == str(order)]
    assert found.payload is not None
    stored = json.loads(json.dumps(found.payload, default=str))

    assert await source.fetch(ref(world, order), stored) == await source.fetch(ref(world, order))


async def test_a_renamed_vendor_is_read_again_after_its_webhook(
    world: World, source: ProcoreSource
) -> None:
    first, second = orders(world, 2)
    assert (await source.fetch(ref(world, first))).vendor.name == "Bright Spark Electric"  # type: ignore[union-attr]
    world.state.vendors[world.vendor.id].name = "Bright Spark Electric LLC"

    cached = await source.fetch(ref(world, second))
    assert cached.vendor is not None and cached.vendor.name == "Bright Spark Electric"

    await source.resolve(event(world, "Company Vendors", world.vendor.id))
    fresh = await source.fetch(ref(world, second))
    assert fresh.vendor is not None and fresh.vendor.name == "Bright Spark Electric LLC"


async def test_a_commitment_renumbered_is_read_again_after_its_webhook(
    world: World, source: ProcoreSource
) -> None:
    [order] = orders(world, 1)
    assert (await source.fetch(ref(world, order))).contract_number == "SC-001"
    world.state.commitments[world.commitment.id].number = "SC-001A"
    assert (await source.fetch(ref(world, order))).contract_number == "SC-001"

    await source.resolve(event(world, "Work Order Contracts", world.commitment.id))
    assert (await source.fetch(ref(world, order))).contract_number == "SC-001A"


async def test_cached_answers_end_with_their_lifetime(world: World, source: ProcoreSource) -> None:
    [order] = orders(world, 1)
    await source.fetch(ref(world, order))
    world.state.vendors[world.vendor.id].name = "Renamed Without A Webhook"
    world.clock.advance(CACHE_TTL.total_seconds() + 1)

    doc = await source.fetch(ref(world, order))
    assert doc.vendor is not None and doc.vendor.name == "Renamed Without A Webhook"


async def test_a_vendor_added_after_the_list_was_read_is_read_on_its_own(
    world: World, source: ProcoreSource
) -> None:
    [order] = orders(world, 1)
    await source.fetch(ref(world, order))
    newcomer = world.state.add_vendor(COMPANY_ID, "Granite Supply Co", origin_code="V-310")
    other = world.state.add_commitment(world.project.id, newcomer.id, number="PO-002")
    later = world.state.add_commitment_change_order(
        other.id, "001", [LineSeed("Slab", "50.00", "03-300", "M")], status="approved"
    )
    world.requests.clear()

    doc = await source.fetch(ref(world, later.id))
    assert doc.vendor is not None and doc.vendor.name == "Granite Supply Co"
    assert f"/rest/v1.0/vendors/{newcomer.id}" in paths(world)
    assert "/rest/v1.0/vendors" not in paths(world)  # the list is not read again so soon
