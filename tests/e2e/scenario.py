"""Small builders for end-to-end scenarios (on top of the demo world's projects and vendors)."""

from __future__ import annotations

from sandbox.demo.company import TEN_LINES, DemoWorld
from sandbox.procore.state import LineSeed


def commitment_change_order(
    world: DemoWorld,
    lines: list[LineSeed] | None = None,
    *,
    project: int = 0,
    vendor: int = 0,
    commitment_number: str = "SC-100",
    number: str = "001",
    status: str = "approved",
) -> int:
    """A commitment in the project with one change order on it; returns the change order id."""
    commitment = world.procore.add_commitment(
        world.project_ids[project], world.vendor_ids[vendor], number=commitment_number
    )
    order = world.procore.add_commitment_change_order(
        commitment.id,
        number,
        lines if lines is not None else TEN_LINES,
        title="Test CO",
        status=status,
    )
    return order.id


def one_line(amount: str = "1260.00", code: str = "16-100", kind: str = "S") -> list[LineSeed]:
    return [LineSeed("Add receptacles", amount, code, kind)]


def prime_change_order(world: DemoWorld, lines: list[LineSeed], *, project: int = 0) -> int:
    prime = world.procore.add_prime_contract(world.project_ids[project], number="PC-001")
    order = world.procore.add_prime_change_order(
        prime.id, "PCO-001", lines, title="Owner change", status="approved"
    )
    return order.id
