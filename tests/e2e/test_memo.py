"""The change order's description reaches QuickBooks' memo, cut visibly at QuickBooks' limit
(an ellipsis, and a line in the history), never an error; the marker always survives."""

from __future__ import annotations

from sqlalchemy import select

from db.models import HistoryEntry
from tests.e2e.conftest import Harness
from tests.e2e.scenario import one_line


def _order(h: Harness, description: str) -> int:
    commitment = h.world.procore.add_commitment(
        h.world.project_ids[0], h.world.vendor_ids[0], number="SC-200"
    )
    order = h.world.procore.add_commitment_change_order(
        commitment.id,
        "004",
        one_line(),
        title="Extra receptacles",
        description=description,
        status="approved",
    )
    return order.id


async def test_the_description_is_in_the_private_note(harness: Harness) -> None:
    h = harness
    order = _order(h, "Owner asked for 12 more receptacles in the east wing.")
    await h.deliver()
    await h.drain()
    [po] = h.qbo_rows("PurchaseOrder")
    lines = po["PrivateNote"].splitlines()
    assert lines[0] == "Procore commitment change order 004: Extra receptacles"
    assert lines[1] == "Owner asked for 12 more receptacles in the east wing."
    assert lines[-1] == f"costbridge:procore-cco-{order}"


async def test_a_long_description_is_cut_visibly_and_said_in_the_history(
    harness: Harness,
) -> None:
    h = harness
    order = _order(h, "Scope: " + "pull new circuits and trim out; " * 200)  # 6,000+ characters
    await h.deliver()
    await h.drain()
    [po] = h.qbo_rows("PurchaseOrder")
    note = po["PrivateNote"]
    assert len(note) == 4000  # QuickBooks' limit, to the character
    body, marker = note.rsplit("\n", 1)
    assert body.endswith("…") and marker == f"costbridge:procore-cco-{order}"
    async with h.svc.sessions() as session:
        details = [e.detail for e in (await session.execute(select(HistoryEntry))).scalars()]
    [posted] = [d for d in details if d.startswith("PurchaseOrder ")]
    assert "text fitted: PrivateNote: cut to 4000 characters" in posted
