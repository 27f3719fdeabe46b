"""The demo world: a realistic construction company in the sandbox Procore and QuickBooks.

Three projects, five vendors, twenty change orders (one with ten lines across labour,
materials, equipment and subcontract), and a few lines (cost type "Other") that the seed rules
in ``sandbox/demo/rules.yaml`` deliberately leave unmapped, so that some change orders wait for a
human.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from sandbox.procore import ProcoreState
from sandbox.procore.demo import seed_reference_data
from sandbox.procore.state import LineSeed
from sandbox.qbo import QboState
from sandbox.qbo.seed import (
    AccountSeed,
    AppSeed,
    CompanySeed,
    CustomerSeed,
    ItemSeed,
    NamedSeed,
    SeededCompany,
    seed_company,
)
from sync.clock import Clock

CommitmentType = Literal["WorkOrderContract", "PurchaseOrderContract"]
PROCORE_COMPANY_ID = 5358233
PROCORE_CLIENT_ID = "costbridge-demo"
PROCORE_CLIENT_SECRET = "demo-procore-secret"  # noqa: S105 - sandbox-only credential
QBO_REALM = "9130350000000000"
QBO_CLIENT_ID = "costbridge-demo"
QBO_CLIENT_SECRET = "demo-qbo-secret"  # noqa: S105 - sandbox-only credential
WEBHOOK_AUTHORIZATION = "Bearer demo-webhook-secret"
CUSTOMER = "Acme Builders"

# (Procore name, number, QuickBooks customer:job under the owner)
PROJECTS = [
    ("1021 Main St Renovation", "1021"),
    ("Riverside Clinic", "2040"),
    ("Oak Street Lofts", "3300"),
]
VENDORS = [
    ("Bright Spark Electric", "V-200"),
    ("Granite Supply Co", "V-310"),
    ("Summit Equipment Rental", "V-420"),
    ("Delta Drywall LLC", "V-515"),
    ("Keystone Plumbing Inc.", "V-630"),
]
EXTRA_COST_CODES = [("31-000", "Earthwork")]


def qbo_seed() -> CompanySeed:
    """A small contractor's chart of accounts, vendors, customer:jobs, items and classes."""
    cogs = "Cost of Goods Sold"
    return CompanySeed(
        realm_id=QBO_REALM,
        company_name="Acme Builders (demo)",
        app=AppSeed(client_id=QBO_CLIENT_ID, client_secret=QBO_CLIENT_SECRET),
        accounts=[
            AccountSeed(
                name="Accounts Payable (A/P)",
                account_type="Accounts Payable",
                sub_type="AccountsPayable",
            ),
            AccountSeed(name="Job Expenses", account_type=cogs, acct_num="5000"),
            AccountSeed(
                name="Labor",
                account_type=cogs,
                sub_type="CostOfLaborCos",
                acct_num="5010",
                parent="Job Expenses",
            ),
            AccountSeed(
                name="Materials",
                account_type=cogs,
                sub_type="SuppliesMaterialsCogs",
                acct_num="5020",
                parent="Job Expenses",
            ),
            AccountSeed(
                name="Subcontractors",
                account_type=cogs,
                sub_type="OtherCostsOfServiceCos",
                acct_num="5030",
                parent="Job Expenses",
            ),
            AccountSeed(
                name="Electrical Subcontract",
                account_type=cogs,
                sub_type="OtherCostsOfServiceCos",
                acct_num="5031",
                parent="Subcontractors",
            ),
            AccountSeed(
                name="Equipment Rental",
                account_type=cogs,
                sub_type="EquipmentRentalCos",
                acct_num="5040",
                parent="Job Expenses",
            ),
            AccountSeed(
                name="Site Work", account_type=cogs, acct_num="5050", parent="Job Expenses"
            ),
            AccountSeed(name="Old Materials", account_type=cogs, acct_num="5099", active=False),
            AccountSeed(name="Construction Income", account_type="Income", acct_num="4000"),
        ],
        vendors=[NamedSeed(name=name) for name, _ in VENDORS],
        customers=[
            CustomerSeed(name=CUSTOMER, jobs=[NamedSeed(name=name) for name, _ in PROJECTS])
        ],
        items=[
            ItemSeed(
                name="Change Order Work",
                income_account="Construction Income",
                expense_account="Subcontractors",
            )
        ],
        classes=[
            NamedSeed(name="Labor"),
            NamedSeed(name="Materials"),
            NamedSeed(name="Subs"),
            NamedSeed(name="Equipment"),
        ],
        preferences={"AccountingInfoPrefs": {"ClassTrackingPerTxnLine": True}},
    )


def _l(
    desc: str,
    amount: str,
    code: str,
    kind: str,
    qty: str | None = None,
    unit: str | None = None,
    uom: str = "",
) -> LineSeed:
    return LineSeed(desc, amount, code, kind, qty, unit, uom)


# The ten-line change order: labour, materials, equipment and subcontract across cost codes.
TEN_LINES = [
    _l("Electrician labour, L2 rough-in", "4620.00", "16-100", "L", "66", "70.00", "hr"),
    _l("Conduit and boxes", "1875.40", "16-100", "M"),
    _l("Floor boxes (sub)", "18450.00", "16-100", "S", "4", "4612.50", "ea"),
    _l("Scissor lift, 2 weeks", "845.00", "01-100", "E"),
    _l("Concrete labour", "3310.25", "03-300", "L"),
    _l("Ready-mix, 12 cy", "6120.40", "03-300", "M", "12", "510.0333", "cy"),
    _l("Pump truck", "950.00", "03-300", "E"),
    _l("Drywall patch (sub)", "2250.00", "09-200", "S"),
    _l("Plumbing re-route (sub)", "7425.55", "15-400", "S"),
    _l("Supervision", "1180.00", "01-100", "L", "16", "73.75", "hr"),
]

# (project index, vendor index, commitment number, [(co number, status, lines, title)])
COMMITMENTS: list[tuple[int, int, str, list[tuple[str, str, list[LineSeed], str]]]] = [
    (
        0,
        0,
        "SC-001",
        [
            ("001", "approved", TEN_LINES, "L2 floor boxes and patching"),
            ("002", "approved", [_l("Add 6 receptacles", "1260.00", "16-100", "S")], "Receptacles"),
            ("003", "pending", [_l("Panel upgrade", "5400.00", "16-100", "S")], "Panel upgrade"),
        ],
    ),
    (
        0,
        1,
        "PO-004",
        [
            ("001", "approved", [_l("Extra slab pour", "6120.40", "03-300", "M")], "Slab"),
            (
                "002",
                "approved",
                [_l("Rebar", "980.10", "03-300", "M"), _l("Haul-off", "450.00", "31-000", "O")],
                "Rebar and haul-off",
            ),
        ],
    ),
    (
        1,
        2,
        "PO-010",
        [
            ("001", "approved", [_l("Excavator, 3 days", "2850.00", "31-000", "E")], "Excavator"),
            ("002", "approved", [_l("Compactor", "390.00", "31-000", "E")], "Compactor"),
            ("003", "approved", [_l("Dump truck, 2 days", "1280.00", "31-000", "E")], "Hauling"),
        ],
    ),
    (
        1,
        3,
        "SC-011",
        [
            ("001", "approved", [_l("Level 5 finish, lobby", "3200.00", "09-200", "S")], "Lobby"),
            (
                "002",
                "approved",
                [
                    _l("Soffit framing", "1875.00", "09-200", "S"),
                    _l("Permit fee", "125.00", "01-100", "O"),
                ],
                "Soffits",
            ),
            ("003", "approved", [_l("Fire tape", "640.00", "09-200", "S")], "Fire tape"),
        ],
    ),
    (
        1,
        4,
        "SC-012",
        [
            ("001", "approved", [_l("Med gas rough-in", "9850.00", "15-400", "S")], "Med gas"),
            ("002", "rejected", [_l("Sink relocation", "1100.00", "15-400", "S")], "Sink"),
            ("003", "approved", [_l("Backflow preventer", "2145.30", "15-400", "S")], "Backflow"),
        ],
    ),
    (
        2,
        0,
        "SC-020",
        [
            (
                "001",
                "approved",
                [
                    _l("EV chargers (4)", "14200.00", "16-100", "S"),
                    _l("Trenching labour", "1640.00", "31-000", "L"),
                ],
                "EV chargers",
            ),
            ("002", "approved", [_l("Site lighting", "3875.00", "16-100", "S")], "Site lighting"),
        ],
    ),
    (
        2,
        1,
        "PO-021",
        [
            (
                "001",
                "approved",
                [
                    _l("Pavers", "4410.00", "31-000", "M"),
                    _l("Delivery surcharge", "210.00", "31-000", "O"),
                ],
                "Pavers",
            ),
        ],
    ),
]
# Each commitment's title and schedule of values (it posts as a purchase order; in ``amend`` mode
# its change orders add their lines to it).
COMMITMENT_SCHEDULES: dict[str, tuple[str, list[LineSeed]]] = {
    "SC-001": (
        "Electrical subcontract",
        [
            _l("Electrical rough-in (sub)", "48500.00", "16-100", "S"),
            _l("Fixtures and devices", "12400.00", "16-100", "M"),
            _l("Temporary power", "1850.00", "01-100", "E"),
        ],
    ),
    "PO-004": (
        "Concrete supply",
        [
            _l("Ready-mix, 80 cy", "12800.00", "03-300", "M", "80", "160.00", "cy"),
            _l("Rebar, #4 and #5", "3950.00", "03-300", "M"),
        ],
    ),
    "PO-010": (
        "Earthwork equipment",
        [
            _l("Excavator, 2 weeks", "6400.00", "31-000", "E"),
            _l("Fuel", "820.00", "31-000", "M"),
        ],
    ),
    "SC-011": ("Drywall subcontract", [_l("Drywall L1-L3 (sub)", "68000.00", "09-200", "S")]),
    "SC-012": (
        "Plumbing subcontract",
        [
            _l("Plumbing rough-in (sub)", "54250.00", "15-400", "S"),
            _l("Fixtures", "9300.00", "15-400", "M"),
        ],
    ),
    "SC-020": ("Site electrical", [_l("Site electrical (sub)", "22000.00", "16-100", "S")]),
    "PO-021": ("Paving supply", [_l("Base course, 120 t", "3480.00", "31-000", "M")]),
}
# (project index, [(co number, status, lines, title)])
PRIME_CHANGE_ORDERS = [
    (
        0,
        [
            (
                "PCO-001",
                "approved",
                [
                    _l("Owner floor boxes", "21500.00", "16-100", "S"),
                    _l("Patching", "1250.00", "09-200", "L"),
                ],
                "Owner floor boxes",
            )
        ],
    ),
    (
        2,
        [
            ("PCO-001", "approved", [_l("EV chargers", "17900.00", "16-100", "S")], "EV chargers"),
            ("PCO-002", "pending", [_l("Bike racks", "2300.00", "31-000", "M")], "Bike racks"),
        ],
    ),
]


@dataclass
class DemoWorld:
    """Both sandboxes, seeded, and what costbridge must be told about them."""

    procore: ProcoreState
    qbo: QboState
    qbo_company: SeededCompany
    project_ids: list[int] = field(default_factory=list)
    vendor_ids: list[int] = field(default_factory=list)
    change_order_ids: list[int] = field(default_factory=list)
    ten_line_change_order_id: int = 0

    @property
    def qbo_refresh_token(self) -> str:
        assert self.qbo_company.refresh_token is not None
        return self.qbo_company.refresh_token

    def qbo_id(self, kind: str, name: str) -> str:
        return self.qbo_company.ids[kind][name]


def build_world(clock: Clock | None = None) -> DemoWorld:
    """Seed both emulators; nothing is delivered until the caller dispatches webhooks."""
    procore = ProcoreState(clock)
    qbo = QboState(clock)
    world = DemoWorld(procore=procore, qbo=qbo, qbo_company=seed_company(qbo, qbo_seed()))
    procore.add_company(PROCORE_COMPANY_ID, "Acme Builders")
    procore.add_client(PROCORE_CLIENT_ID, PROCORE_CLIENT_SECRET, [PROCORE_COMPANY_ID])
    for name, number in PROJECTS:
        project = procore.add_project(PROCORE_COMPANY_ID, name, project_number=number)
        seed_reference_data(procore, PROCORE_COMPANY_ID, project.id)
        for code, code_name in EXTRA_COST_CODES:
            procore.add_cost_code(project.id, code, code_name)
        world.project_ids.append(project.id)
    for name, code in VENDORS:
        world.vendor_ids.append(procore.add_vendor(PROCORE_COMPANY_ID, name, origin_code=code).id)
    return world


def add_change_orders(world: DemoWorld) -> None:
    """Create the seven commitments and their twenty change orders (each creation queues a
    webhook when a hook exists)."""
    procore = world.procore
    for project, vendor, number, orders in COMMITMENTS:
        kind: CommitmentType = (
            "PurchaseOrderContract" if number.startswith("PO") else "WorkOrderContract"
        )
        title, schedule = COMMITMENT_SCHEDULES[number]
        commitment = procore.add_commitment(
            world.project_ids[project],
            world.vendor_ids[vendor],
            type=kind,
            number=number,
            title=title,
            lines=schedule,
        )
        for co_number, status, lines, title in orders:
            order = procore.add_commitment_change_order(
                commitment.id, co_number, lines, title=title, status=status
            )
            world.change_order_ids.append(order.id)
            if lines is TEN_LINES:
                world.ten_line_change_order_id = order.id
    for project, orders in PRIME_CHANGE_ORDERS:
        prime = procore.add_prime_contract(
            world.project_ids[project], number="PC-001", title="Owner contract"
        )
        for co_number, status, lines, title in orders:
            order = procore.add_prime_change_order(
                prime.id, co_number, lines, title=title, status=status
            )
            world.change_order_ids.append(order.id)


CHANGE_ORDER_RESOURCES = ("Commitment Change Orders", "Prime Change Orders")
COMMITMENT_RESOURCES = ("Work Order Contracts", "Purchase Order Contracts")


def register_hook(
    world: DemoWorld,
    destination_url: str,
    resources: tuple[str, ...] = CHANGE_ORDER_RESOURCES + COMMITMENT_RESOURCES,
) -> None:
    """What an installer does once in Procore: a company hook with our Authorization value,
    triggered by every event on ``resources`` (the README's list)."""
    hook = world.procore.add_hook(
        PROCORE_COMPANY_ID,
        destination_url,
        payload_version="v4.0",
        namespace="costbridge",
        authorization=WEBHOOK_AUTHORIZATION,
    )
    for resource in resources:
        for event in ("create", "update", "delete"):
            world.procore.add_trigger(hook.id, resource, event)
