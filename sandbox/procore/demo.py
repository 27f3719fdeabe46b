"""A demo company: one project, vendors, cost codes and types, commitments and change orders."""

from __future__ import annotations

from sandbox.procore.records import BaseType
from sandbox.procore.state import LineSeed, ProcoreState

DEMO_COMPANY_ID = 5358233
DEMO_CLIENT_ID = "costbridge-demo"
DEMO_CLIENT_SECRET = "demo-secret"  # noqa: S105 -- a sandbox-only credential

COST_CODES = [
    ("01-100", "General Conditions"),
    ("03-300", "Cast-in-Place Concrete"),
    ("09-200", "Drywall"),
    ("15-400", "Plumbing"),
    ("16-100", "Electrical"),
]
LINE_ITEM_TYPES: list[tuple[str, str, BaseType]] = [
    ("Labor", "L", "labor"),
    ("Materials", "M", "materials"),
    ("Equipment", "E", "equipment"),
    ("Subcontract", "S", "commitment"),
    ("Other", "O", "other"),
]


def seed_reference_data(state: ProcoreState, company_id: int, project_id: int) -> None:
    """The default cost codes (per project) and line item types (per company, once)."""
    for full_code, name in COST_CODES:
        state.add_cost_code(project_id, full_code, name)
    if not any(t.company_id == company_id for t in state.line_item_types.values()):
        for name, code, base_type in LINE_ITEM_TYPES:
            state.add_line_item_type(company_id, name, code, base_type)


def seed_demo_company(
    state: ProcoreState,
    *,
    company_id: int = DEMO_COMPANY_ID,
    client_id: str = DEMO_CLIENT_ID,
    client_secret: str = DEMO_CLIENT_SECRET,
) -> dict[str, int]:
    """Seed a small, realistic company; returns the ids a demo needs."""
    state.add_company(company_id, "Acme Builders")
    state.add_client(client_id, client_secret, [company_id])
    project = state.add_project(company_id, "1021 Main St", project_number="1021")
    seed_reference_data(state, company_id, project.id)
    electric = state.add_vendor(company_id, "Bright Spark Electric", origin_code="V-200")
    supply = state.add_vendor(company_id, "Granite Supply Co", origin_code="V-310")
    subcontract = state.add_commitment(project.id, electric.id, number="SC-001", title="Electrical")
    order = state.add_commitment(
        project.id, supply.id, type="PurchaseOrderContract", number="PO-004", title="Concrete"
    )
    prime = state.add_prime_contract(project.id, number="PC-001", title="Owner contract")
    cco = state.add_commitment_change_order(
        subcontract.id,
        "001",
        [
            LineSeed("Floor boxes + conduit", "18450.00", "16-100", "S", "4", "4612.50", "ea"),
            LineSeed("Electrician overtime", "2310.75", "16-100", "L", "33", "70.025", "hr"),
            LineSeed("Scissor lift rental", "845.00", "01-100", "E"),
        ],
        title="Add 4 floor boxes L2",
        status="approved",
    )
    po_co = state.add_commitment_change_order(
        order.id,
        "001",
        [LineSeed("Extra slab pour", "6120.40", "03-300", "M", "12", "510.0333", "cy")],
        title="Slab thickening",
        status="pending",
    )
    pco = state.add_prime_change_order(
        prime.id,
        "PCO-001",
        [
            LineSeed("Owner-requested floor boxes", "21500.00", "16-100", "S"),
            LineSeed("Drywall patching", "1250.00", "09-200", "L"),
        ],
        title="Owner change: floor boxes",
        status="approved",
    )
    return {
        "company_id": company_id,
        "project_id": project.id,
        "commitment_change_order_id": cco.id,
        "pending_commitment_change_order_id": po_co.id,
        "prime_change_order_id": pco.id,
    }
