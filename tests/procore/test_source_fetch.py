"""ProcoreSource.fetch / list_changed against the emulator: normalised change orders."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from sandbox.procore import LineSeed
from sync.errors import NotFoundError
from sync.models import DocumentKind, DocumentRef
from tests.procore.conftest import World

# (description, amount, cost code, type code, quantity, unit cost, uom, sub job)
TEN_LINES = [
    ("Electrician overtime", "2310.75", "16-100", "L", "33", "70.025", "hr", None),
    ("Floor boxes + conduit", "18450.00", "16-100", "S", "4", "4612.50", "ea", None),
    ("Copper wire", "1289.33", "16-100", "M", None, None, "", None),
    ("Scissor lift rental", "845.00", "01-100", "E", None, None, "", None),
    ("Formwork labour", "4200.10", "03-300", "L", None, None, "", "SJ1"),
    ("Ready-mix concrete", "6120.40", "03-300", "M", "12", "510.0333", "cy", None),
    ("Concrete pump", "1500.00", "03-300", "E", None, None, "", None),
    ("Drywall subcontract", "9999.99", "09-200", "S", None, None, "", None),
    ("Plumbing rough-in labour", "0.01", "15-400", "L", None, None, "", None),
    ("Credit: unused fixtures", "-350.25", "15-400", "M", None, None, "", None),
]


def seed_ten_line_cco(world: World, status: str = "approved"):
    lines = [LineSeed(d, a, c, t, q, u, m, s) for d, a, c, t, q, u, m, s in TEN_LINES]
    return world.state.add_commitment_change_order(
        world.commitment.id, "002", lines, title="Add 4 floor boxes L2", status=status
    )


async def test_ten_line_commitment_change_order_is_normalised_exactly(world, source):
    order = seed_ten_line_cco(world)
    ref = DocumentRef(
        kind=DocumentKind.COMMITMENT_CHANGE_ORDER,
        id=str(order.id),
        project_id=str(world.project.id),
    )

    doc = await source.fetch(ref)

    assert doc.kind is DocumentKind.COMMITMENT_CHANGE_ORDER
    assert (doc.id, doc.number, doc.title) == (str(order.id), "002", "Add 4 floor boxes L2")
    assert doc.status == "approved" and doc.approved and not doc.deleted
    assert doc.vendor is not None
    assert (doc.vendor.id, doc.vendor.name, doc.vendor.code) == (
        str(world.vendor.id),
        "Bright Spark Electric",
        "V-200",
    )
    assert (doc.project.id, doc.project.name, doc.project.number) == (
        str(world.project.id),
        "1021 Main St",
        "1021",
    )
    assert doc.contract_id == str(world.commitment.id)
    assert [line.amount for line in doc.lines] == [Decimal(row[1]) for row in TEN_LINES]
    assert all(type(line.amount) is Decimal for line in doc.lines)
    assert doc.total == Decimal("44365.33")
    assert [line.cost_code.code for line in doc.lines if line.cost_code] == [
        row[2] for row in TEN_LINES
    ]
    assert [line.cost_type.base_type for line in doc.lines if line.cost_type] == [
        "labor", "commitment", "materials", "equipment", "labor",
        "materials", "equipment", "commitment", "labor", "materials",
    ]  # fmt: skip
    formwork = doc.lines[4]
    assert formwork.cost_code is not None and formwork.cost_type is not None
    expected_code = world.state.find_cost_code(world.project.id, "03-300")
    assert (formwork.cost_code.id, formwork.cost_code.name) == (
        str(expected_code.id),
        "Cast-in-Place Concrete",
    )
    assert (formwork.cost_type.code, formwork.cost_type.name) == ("L", "Labor")
    concrete = doc.lines[5]
    assert (concrete.quantity, concrete.unit_cost, concrete.uom) == (
        Decimal("12"),
        Decimal("510.0333"),
        "cy",
    )
    assert [line.position for line in doc.lines] == list(range(1, 11))
    assert (
        doc.url
        == f"https://app.procore.test/{world.project.id}/project/change_order_packages/{order.legacy_package_id}"
    )


async def test_cost_codes_and_types_are_cached_per_client(world, source):
    order = seed_ten_line_cco(world)
    ref = DocumentRef(
        kind=DocumentKind.COMMITMENT_CHANGE_ORDER,
        id=str(order.id),
        project_id=str(world.project.id),
    )
    await source.fetch(ref)
    await source.fetch(ref)
    paths = [r.url.path for r in world.requests]
    assert paths.count("/rest/v1.0/cost_codes") == 1
    assert paths.count("/rest/v1.0/line_item_types") == 1


async def test_a_new_cost_code_refreshes_the_cache(world, source):
    order = seed_ten_line_cco(world)
    ref = DocumentRef(
        kind=DocumentKind.COMMITMENT_CHANGE_ORDER,
        id=str(order.id),
        project_id=str(world.project.id),
    )
    await source.fetch(ref)
    world.state.add_cost_code(world.project.id, "31-200", "Earthwork")
    world.state.update_change_order(
        order.id, lines=[LineSeed("Excavation", "700.00", "31-200", "E")]
    )
    doc = await source.fetch(ref)
    assert doc.lines[0].cost_code is not None
    assert (doc.lines[0].cost_code.code, doc.lines[0].cost_code.name) == ("31-200", "Earthwork")


async def test_prime_change_order_lines_come_from_its_package(world, source):
    order = world.state.add_prime_change_order(
        world.prime.id,
        "PCO-007",
        [
            LineSeed("Owner floor boxes", "21500.00", "16-100", "S"),
            LineSeed("Patching", "1250.50", "09-200", "L"),
        ],
        title="Owner change",
        status="pending",
    )
    ref = DocumentRef(
        kind=DocumentKind.PRIME_CHANGE_ORDER, id=str(order.id), project_id=str(world.project.id)
    )

    doc = await source.fetch(ref)

    assert doc.kind is DocumentKind.PRIME_CHANGE_ORDER
    assert doc.status == "pending" and not doc.approved
    assert doc.vendor is None
    assert [(line.description, line.amount) for line in doc.lines] == [
        ("Owner floor boxes", Decimal("21500.00")),
        ("Patching", Decimal("1250.50")),
    ]
    assert [
        (line.cost_code.code, line.cost_type.code)
        for line in doc.lines
        if line.cost_code and line.cost_type
    ] == [
        ("16-100", "S"),
        ("09-200", "L"),
    ]
    assert doc.lines[1].cost_type is not None and doc.lines[1].cost_type.base_type == "labor"
    paths = [r.url.path for r in world.requests]
    assert f"/rest/v1.0/change_order_packages/{order.legacy_package_id}" in paths


async def test_deleted_change_order_is_not_found(world, source):
    order = seed_ten_line_cco(world)
    world.state.delete_change_order(order.id)
    ref = DocumentRef(
        kind=DocumentKind.COMMITMENT_CHANGE_ORDER,
        id=str(order.id),
        project_id=str(world.project.id),
    )
    with pytest.raises(NotFoundError):
        await source.fetch(ref)


async def test_list_changed_filters_by_updated_at(world, source):
    old_cco = seed_ten_line_cco(world, status="draft")
    untouched = world.state.add_prime_change_order(world.prime.id, "PCO-001", title="Old")
    since = world.clock.now() + timedelta(minutes=30)
    world.clock.advance(3600)
    world.state.set_status(old_cco.id, "approved")
    fresh_pco = world.state.add_prime_change_order(world.prime.id, "PCO-002", title="New")
    inactive = world.state.add_project(world.project.company_id, "Closed job", active=False)
    closed_contract = world.state.add_commitment(inactive.id, world.vendor.id)
    world.state.add_commitment_change_order(closed_contract.id, "009")

    refs = [found.ref for found in await source.list_changed(since)]

    assert {(r.kind, r.id) for r in refs} == {
        (DocumentKind.COMMITMENT_CHANGE_ORDER, str(old_cco.id)),
        (DocumentKind.PRIME_CHANGE_ORDER, str(fresh_pco.id)),
    }
    assert str(untouched.id) not in {r.id for r in refs}
    assert all(r.project_id == str(world.project.id) for r in refs)
    filters = [
        r.url.params.get("filters[updated_at]")
        for r in world.requests
        if "change_orders" in r.url.path
    ]
    assert filters[0] == "2026-11-02T15:30:00Z...2026-11-02T16:00:00Z"
