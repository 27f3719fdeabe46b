"""Commitments (work order and purchase order contracts) with their SOV: the emulator serves
them, changes them and emits their webhooks; ``ProcoreSource`` resolves, fetches, normalises
and sweeps them."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, urlencode

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.procore import LineSeed, create_app
from sandbox.procore.records import Commitment, CommitmentType
from sync.errors import NotFoundError
from sync.models import DocumentKind, DocumentRef
from sync.sources.procore import ProcoreSource, normalize
from tests.procore.conftest import (
    API,
    CLIENT_ID,
    COMPANY_ID,
    HOOK_AUTH,
    World,
    make_client,
    make_http,
)

# (description, amount, cost code, type code, quantity, unit cost, uom, sub job)
SIX_LINES = [
    ("Mobilization", "12500.00", "01-100", "E", None, None, "", None),
    ("Rough-in labour", "48211.20", "16-100", "L", "640", "75.33", "hr", None),
    ("Switchgear", "86400.00", "16-100", "M", "2", "43200.00", "ea", None),
    ("Lighting fixtures", "23456.78", "16-100", "M", None, None, "", None),
    ("Low-voltage subcontract", "17999.99", "16-100", "S", None, None, "", "SJ1"),
    ("Allowance credit", "-1234.56", "09-200", "O", None, None, "", None),
]
SIX_LINE_TOTAL = "187333.41"
WO_STATUSES = {
    "Draft": False, "Out For Bid": False, "Out For Signature": False, "Approved": True,
    "Complete": True, "Terminated": False, "Void": False,
}  # fmt: skip
PO_STATUSES = {
    "Draft": False, "Processing": False, "Submitted": False, "Partially Received": True,
    "Received": True, "Approved": True, "Closed": True,
}  # fmt: skip


def six_lines() -> list[LineSeed]:
    return [LineSeed(d, a, c, t, q, u, m, s) for d, a, c, t, q, u, m, s in SIX_LINES]


def seed_subcontract(world: World, **options: Any) -> Commitment:
    values: dict[str, Any] = {
        "number": "SC-002",
        "title": "Electrical subcontract",
        "description": "Base scope per bid 14",
        "lines": six_lines(),
        **options,
    }
    return world.state.add_commitment(world.project.id, world.vendor.id, **values)


def ref_to(world: World, commitment: Commitment) -> DocumentRef:
    return DocumentRef(
        kind=DocumentKind.COMMITMENT, id=str(commitment.id), project_id=str(world.project.id)
    )


def commitment_path(commitment: Commitment, kind: str = "commitments") -> str:
    return f"/rest/v1.0/{kind}/{commitment.id}"


# --- the emulator ------------------------------------------------------------------------------


async def test_sandbox_serves_the_schedule_of_values_with_exact_decimal_strings(world, client):
    commitment = seed_subcontract(world, contract_date="2026-10-15")
    params = {"project_id": world.project.id}

    shown = await client.get(commitment_path(commitment), params)

    assert shown["grand_total"] == SIX_LINE_TOTAL
    assert (shown["type"], shown["status"], shown["executed"]) == (
        "WorkOrderContract",
        "Approved",
        True,
    )
    assert (shown["number"], shown["title"], shown["description"]) == (
        "SC-002",
        "Electrical subcontract",
        "Base scope per bid 14",
    )
    assert (shown["contract_date"], shown["execution_date"]) == ("2026-10-15", "2026-11-02")
    assert shown["vendor"] == {"id": world.vendor.id, "name": "Bright Spark Electric",
                               "origin_id": None}  # fmt: skip
    assert shown["deleted_at"] is None
    items = shown["line_items"]
    assert [i["amount"] for i in items] == [row[1] for row in SIX_LINES]
    assert [i["position"] for i in items] == [1, 2, 3, 4, 5, 6]
    assert [i["wbs_code"]["flat_code"] for i in items] == [
        "01-100.E", "16-100.L", "16-100.M", "16-100.M", "SJ1.16-100.S", "09-200.O",
    ]  # fmt: skip
    labour = items[1]
    assert (labour["quantity"], labour["unit_cost"], labour["uom"]) == (
        Decimal("640"),
        "75.33",
        "hr",
    )
    assert labour["cost_code"]["full_code"] == "16-100"
    assert (labour["line_item_type"]["code"], labour["line_item_type"]["base_type"]) == (
        "L",
        "labor",
    )
    assert labour["total_amount"] == "48211.20"
    assert labour["created_at"] == labour["updated_at"] == "2026-11-02T15:00:00Z"

    listed = await client.get_all("/rest/v1.0/commitments", params)
    assert {c["id"] for c in listed} == {world.commitment.id, commitment.id}
    assert all("line_items" not in c for c in listed)  # the list is the compact form


async def test_type_specific_endpoints_answer_only_their_own_type(world, client):
    subcontract = seed_subcontract(world)
    order = seed_subcontract(world, type="PurchaseOrderContract", number="PO-002", status="Draft")
    params = {"project_id": world.project.id}

    shown = await client.get(commitment_path(subcontract, "work_order_contracts"), params)
    lines = await client.get_all(
        commitment_path(order, "purchase_order_contracts") + "/line_items", params
    )

    assert shown["id"] == subcontract.id and len(shown["line_items"]) == 6
    assert [line["description"] for line in lines] == [row[0] for row in SIX_LINES]
    with pytest.raises(NotFoundError):
        await client.get(commitment_path(order, "work_order_contracts"), params)
    with pytest.raises(NotFoundError):
        await client.get(commitment_path(subcontract, "purchase_order_contracts"), params)


def test_executed_follows_the_status_per_type(world):
    subcontract = seed_subcontract(world, status="Draft")
    order = seed_subcontract(world, type="PurchaseOrderContract", status="Draft")
    for commitment, statuses in ((subcontract, WO_STATUSES), (order, PO_STATUSES)):
        for status, executed in statuses.items():
            world.state.update_commitment(commitment.id, status=status)
            assert commitment.executed is executed, (commitment.type, status)


def test_a_status_procore_does_not_have_is_refused(world):
    with pytest.raises(ValueError, match="not one of"):
        seed_subcontract(world, status="Received")  # a purchase order status
    subcontract = seed_subcontract(world)
    with pytest.raises(ValueError, match="not one of"):
        world.state.update_commitment(subcontract.id, status="approved", title="Renamed")
    assert (subcontract.status, subcontract.title) == ("Approved", "Electrical subcontract")


async def test_deleted_commitment_is_gone_from_every_read(world, client):
    commitment = seed_subcontract(world)
    world.clock.advance(60)
    world.state.delete_commitment(commitment.id)
    params = {"project_id": world.project.id}

    assert commitment.deleted_at == commitment.updated_at == world.clock.now()
    with pytest.raises(NotFoundError):
        await client.get(commitment_path(commitment), params)
    with pytest.raises(NotFoundError):
        await client.get(commitment_path(commitment, "work_order_contracts"), params)
    listed = await client.get_all("/rest/v1.0/commitments", params)
    assert [c["id"] for c in listed] == [world.commitment.id]
    with pytest.raises(KeyError):
        world.state.update_commitment(commitment.id, status="Void")


async def test_admin_seeds_changes_and_deletes_commitments(world, http):
    body = {
        "project_id": world.project.id,
        "vendor_id": world.vendor.id,
        "type": "PurchaseOrderContract",
        "number": "PO-010",
        "status": "Draft",
        "lines": [{"description": "Wire", "amount": "10.05", "cost_code": "16-100",
                   "cost_type": "M"}],
    }  # fmt: skip
    seeded = await http.post("/_sandbox/seed/commitments", json=body)
    commitment_id = seeded.json()["id"]
    commitment = world.state.commitments[commitment_id]
    world.clock.advance(60)

    changed = await http.patch(
        f"/_sandbox/commitments/{commitment_id}", json={"status": "Partially Received"}
    )
    refused = await http.patch(f"/_sandbox/commitments/{commitment_id}", json={"status": "Void"})
    deleted = await http.delete(f"/_sandbox/commitments/{commitment_id}")
    again = await http.delete(f"/_sandbox/commitments/{commitment_id}")

    assert changed.status_code == 200
    assert changed.json()["updated_at"] == world.clock.now().isoformat()
    assert refused.status_code == 422 and "not one of" in refused.text  # a work order status
    assert commitment.status == "Partially Received" and commitment.executed
    assert [line.amount for line in commitment.lines] == [Decimal("10.05")]
    assert deleted.status_code == 200 and commitment.deleted_at is not None
    assert again.status_code == 404


# --- webhooks --------------------------------------------------------------------------------


class Receiver:
    """A webhook endpoint that records what arrives."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.app = Starlette(routes=[Route("/procore/webhook", self.handle, methods=["POST"])])

    async def handle(self, request: Request) -> Response:
        self.received.append((dict(request.headers), await request.body()))
        return Response(status_code=200)


@pytest.fixture
async def receiver(world):
    receiver = Receiver()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=receiver.app)) as http:
        world.state.webhook_http = http
        hook = world.state.add_hook(
            COMPANY_ID,
            "http://receiver.test/procore/webhook",
            payload_version="v2.0",  # carries source_application_id (v4.0 does not)
            authorization=HOOK_AUTH,
        )
        for resource in ("Work Order Contracts", "Purchase Order Contracts"):
            for event_type in ("create", "update", "delete"):
                world.state.add_trigger(hook.id, resource, event_type)
        yield receiver


async def delivered(world: World, receiver: Receiver, source: ProcoreSource) -> list[Any]:
    await world.state.dispatch_pending()
    events = [source.parse_event(headers, raw) for headers, raw in receiver.received]
    receiver.received.clear()
    return events


async def test_changes_emit_webhooks_named_by_commitment_type(world, source, receiver):
    subcontract = seed_subcontract(world, status="Draft")
    order = seed_subcontract(world, type="PurchaseOrderContract", number="PO-002", status="Draft")
    created = await delivered(world, receiver, source)

    world.state.update_commitment(subcontract.id, status="Approved")
    world.state.update_commitment(order.id, lines=six_lines()[:2])
    updated = await delivered(world, receiver, source)

    world.state.delete_commitment(order.id)
    world.state.delete_commitment(subcontract.id, source_application_id=CLIENT_ID)
    deleted = await delivered(world, receiver, source)

    seen = [[(e.resource_name, e.resource_id, e.event_type) for e in batch]
            for batch in (created, updated, deleted)]  # fmt: skip
    assert seen == [
        [
            ("Work Order Contracts", str(subcontract.id), "create"),
            ("Purchase Order Contracts", str(order.id), "create"),
        ],
        [
            ("Work Order Contracts", str(subcontract.id), "update"),
            ("Purchase Order Contracts", str(order.id), "update"),
        ],
        [
            ("Purchase Order Contracts", str(order.id), "delete"),
            ("Work Order Contracts", str(subcontract.id), "delete"),
        ],
    ]
    assert all(e.project_id == str(world.project.id) for e in created + updated + deleted)
    assert [e.caused_by_us for e in deleted] == [False, True]  # our own write is stamped

    refs = [ref for e in created for ref in await source.resolve(e)]
    assert refs == [ref_to(world, subcontract), ref_to(world, order)]


async def test_admin_changes_go_through_the_same_webhooks(world, http, source, receiver):
    commitment = seed_subcontract(world, status="Draft")
    await delivered(world, receiver, source)

    await http.patch(f"/_sandbox/commitments/{commitment.id}", json={"title": "Rev 1"})
    await http.delete(f"/_sandbox/commitments/{commitment.id}")

    events = await delivered(world, receiver, source)
    assert [(e.resource_name, e.resource_id, e.event_type) for e in events] == [
        ("Work Order Contracts", str(commitment.id), "update"),
        ("Work Order Contracts", str(commitment.id), "delete"),
    ]


def event(resource_name: str, resource_id: str = "4242", project_id: str = "77") -> Any:
    payload = {
        "id": "01JMYXMZRBVKK0PC6XS8SA4QRE", "timestamp": "2026-11-02T15:00:00Z",
        "reason": "update", "company_id": str(COMPANY_ID), "project_id": project_id,
        "user_id": "5447", "resource_type": resource_name, "resource_id": resource_id,
    }  # fmt: skip
    return json.dumps(payload).encode()


@pytest.mark.parametrize("name", ["Work Order Contracts", "Purchase Order Contracts"])
async def test_resolve_maps_commitment_events(source, name):
    parsed = source.parse_event({"Authorization": HOOK_AUTH}, event(name))
    assert await source.resolve(parsed) == [
        DocumentRef(kind=DocumentKind.COMMITMENT, id="4242", project_id="77")
    ]


@pytest.mark.parametrize(
    "name", ["Work Order Contract Line Items", "Purchase Order Contract Line Items"]
)
async def test_resolve_ignores_sov_line_events(world, source, name):
    parsed = source.parse_event({"Authorization": HOOK_AUTH}, event(name))
    assert await source.resolve(parsed) == []
    assert world.requests == []  # nothing is looked up for a line id


# --- fetching ----------------------------------------------------------------------------------


async def test_six_line_commitment_is_normalised_exactly(world, source):
    commitment = seed_subcontract(world, contract_date="2026-10-15")
    world.state.vendors[world.vendor.id].name = "Bright Spark Electric LLC"

    doc = await source.fetch(ref_to(world, commitment))

    assert doc.kind is DocumentKind.COMMITMENT
    assert (doc.id, doc.number, doc.title, doc.description) == (
        str(commitment.id),
        "SC-002",
        "Electrical subcontract",
        "Base scope per bid 14",
    )
    assert doc.status == "approved" and doc.approved and not doc.deleted
    assert (doc.contract_id, doc.contract_number) == ("", "")
    assert doc.document_date == date(2026, 10, 15)
    assert doc.updated_at == world.clock.now()
    assert doc.vendor is not None
    assert (doc.vendor.id, doc.vendor.name, doc.vendor.code) == (
        str(world.vendor.id),
        "Bright Spark Electric LLC",
        "V-200",
    )
    assert (doc.project.id, doc.project.number) == (str(world.project.id), "1021")
    assert doc.total == Decimal(SIX_LINE_TOTAL) and str(doc.total) == SIX_LINE_TOTAL
    assert [line.amount for line in doc.lines] == [Decimal(row[1]) for row in SIX_LINES]
    assert all(type(line.amount) is Decimal for line in doc.lines)
    assert [line.id for line in doc.lines] == [str(line.id) for line in commitment.lines]
    assert [
        (line.cost_code.code, line.cost_type.code, line.cost_type.base_type)
        for line in doc.lines
        if line.cost_code and line.cost_type
    ] == [
        ("01-100", "E", "equipment"), ("16-100", "L", "labor"), ("16-100", "M", "materials"),
        ("16-100", "M", "materials"), ("16-100", "S", "commitment"), ("09-200", "O", "other"),
    ]  # fmt: skip
    low_voltage = doc.lines[4]  # in sub job SJ1: the cost code is still the project's own
    expected = world.state.find_cost_code(world.project.id, "16-100")
    assert low_voltage.cost_code is not None
    assert (low_voltage.cost_code.id, low_voltage.cost_code.name) == (
        str(expected.id),
        "Electrical",
    )
    labour = doc.lines[1]
    assert (labour.quantity, labour.unit_cost, labour.uom) == (
        Decimal("640"),
        Decimal("75.33"),
        "hr",
    )
    assert type(labour.quantity) is Decimal
    assert doc.url == (
        f"https://app.procore.test/{world.project.id}/project/commitments"
        f"/work_order_contracts/{commitment.id}"
    )
    paths = [r.url.path for r in world.requests]
    assert paths.count(commitment_path(commitment)) == 1  # one read carries the lines
    assert "/rest/v1.0/vendors" in paths  # the vendor as the company's list says now


@pytest.mark.parametrize(
    ("commitment_type", "statuses"),
    [("WorkOrderContract", WO_STATUSES), ("PurchaseOrderContract", PO_STATUSES)],
)
async def test_approved_follows_procore_statuses(
    world, source, commitment_type: CommitmentType, statuses: dict[str, bool]
):
    commitment = seed_subcontract(world, type=commitment_type, status="Draft")
    for status, approved in statuses.items():
        world.state.update_commitment(commitment.id, status=status)
        doc = await source.fetch(ref_to(world, commitment))
        assert (doc.status, doc.approved) == (status.lower(), approved)


async def test_document_date_falls_back_to_the_execution_date(world, source):
    draft = seed_subcontract(world, type="PurchaseOrderContract", status="Draft")
    assert (await source.fetch(ref_to(world, draft))).document_date is None
    world.clock.advance(86400)
    world.state.update_commitment(draft.id, status="Approved")

    doc = await source.fetch(ref_to(world, draft))

    assert doc.document_date == date(2026, 11, 3)
    assert doc.url.endswith(f"/project/commitments/purchase_order_contracts/{draft.id}")


async def test_commitment_without_lines_is_a_valid_empty_document(world, source):
    doc = await source.fetch(ref_to(world, world.commitment))
    assert doc.lines == () and doc.total == Decimal("0") and doc.approved
    assert "/rest/v1.0/cost_codes" not in [r.url.path for r in world.requests]


async def test_deleted_commitment_is_not_found(world, source):
    commitment = seed_subcontract(world)
    world.state.delete_commitment(commitment.id)
    with pytest.raises(NotFoundError):
        await source.fetch(ref_to(world, commitment))


def test_a_soft_deleted_answer_is_a_deleted_document():
    data = {"id": 5, "number": "SC-9", "status": "Approved", "type": "WorkOrderContract",
            "updated_at": "2026-11-02T15:00:00Z", "deleted_at": "2026-11-02T15:00:00Z"}  # fmt: skip
    project = normalize.project_ref({"id": 1, "name": "Job"})
    doc = normalize.commitment(data, [], project, None, "")
    assert doc.deleted and doc.approved and doc.vendor is None


def test_sov_line_without_wbs_code_uses_its_embedded_codes():
    item = {
        "id": 9, "position": 3, "description": "Panel", "amount": "1200.50",
        "quantity": Decimal("2"), "unit_cost": "600.25", "uom": "ea",
        "cost_code": {"id": 31, "code": "100", "full_code": "16-100", "name": "Electrical"},
        "line_item_type": {"id": 41, "name": "Materials", "code": "M", "base_type": "materials"},
    }  # fmt: skip
    line = normalize.sov_line(item, 1, {}, {})
    assert (line.id, line.position, line.amount) == ("9", 3, Decimal("1200.50"))
    assert line.cost_code is not None and line.cost_type is not None
    assert (line.cost_code.id, line.cost_code.code) == ("31", "16-100")
    assert (line.cost_type.id, line.cost_type.base_type) == ("41", "materials")

    with_wbs = {**item, "wbs_code": {"id": 7, "flat_code": "09-200.L", "description": "x"}}
    codes = {"09-200": normalize.cost_code({"id": 32, "full_code": "09-200", "name": "Drywall"})}
    preferred = normalize.sov_line(with_wbs, 1, codes, {})
    assert preferred.cost_code is not None and preferred.cost_type is not None
    assert (preferred.cost_code.id, preferred.cost_type.code) == ("32", "L")


# --- the sweep ---------------------------------------------------------------------------------


def ignoring_updated_at_filter(app: Callable[..., Any]) -> Callable[..., Any]:
    """The emulator as a Procore whose commitments list ignores ``filters[updated_at]``."""

    async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] == "/rest/v1.0/commitments":
            query = parse_qsl(scope["query_string"].decode())
            kept = [(k, v) for k, v in query if k != "filters[updated_at]"]
            scope = {**scope, "query_string": urlencode(kept).encode()}
        await app(scope, receive, send)

    return wrapped


def seed_sweep_window(world: World) -> tuple[Any, Commitment, Commitment, Commitment]:
    """An old untouched commitment, one updated and one created inside the window."""
    old = seed_subcontract(world, number="SC-OLD", status="Draft")
    touched = seed_subcontract(world, number="SC-TOUCHED", status="Draft")
    since = world.clock.now() + timedelta(minutes=30)
    world.clock.advance(3600)
    world.state.update_commitment(touched.id, status="Approved")
    fresh = seed_subcontract(world, type="PurchaseOrderContract", number="PO-NEW")
    return since, old, touched, fresh


async def test_list_changed_finds_updated_commitments(world, source):
    since, old, touched, fresh = seed_sweep_window(world)

    refs = [found.ref for found in await source.list_changed(since)]

    assert refs == [ref_to(world, touched), ref_to(world, fresh)]
    [listed] = [r for r in world.requests if r.url.path == "/rest/v1.0/commitments"]
    assert listed.url.params["project_id"] == str(world.project.id)
    assert listed.url.params["filters[updated_at]"] == (
        "2026-11-02T15:30:00Z...2026-11-02T16:00:00Z"
    )
    assert str(old.id) not in {r.id for r in refs}


async def test_list_changed_skips_old_commitments_when_procore_ignores_the_filter(world):
    since, old, touched, fresh = seed_sweep_window(world)
    app = ignoring_updated_at_filter(create_app(world.state))
    async with make_http(world, app) as http:
        client = make_client(world, http)
        source = ProcoreSource(
            client, webhook_authorization=HOOK_AUTH, client_id=CLIENT_ID, app_base=API
        )
        window = {"project_id": world.project.id, "filters[updated_at]": "2030-01-01...2030-01-02"}
        everything = await client.get_all("/rest/v1.0/commitments", window)

        refs = [found.ref for found in await source.list_changed(since)]

    assert len(everything) == 4  # the filter really is ignored: every commitment comes back
    assert refs == [ref_to(world, touched), ref_to(world, fresh)]
    assert str(old.id) not in {r.id for r in refs}
    assert str(world.commitment.id) not in {r.id for r in refs}
