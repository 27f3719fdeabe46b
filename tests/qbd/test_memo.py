"""Desktop: the description reaches the transaction's Memo in Latin-1, cut visibly ("...") at
QuickBooks' 4,095 characters with a line in the history; the marker always survives."""

from __future__ import annotations

from tests.e2e.scenario import one_line
from tests.qbd.conftest import QbdHarness


def _order(qbd: QbdHarness, description: str) -> int:
    commitment = qbd.world.procore.add_commitment(
        qbd.world.project_ids[0], qbd.world.vendor_ids[0], number="SC-300"
    )
    return qbd.world.procore.add_commitment_change_order(
        commitment.id, "005", one_line(), title="Trench", description=description,
        status="approved",
    ).id  # fmt: skip


async def _posted_memo(qbd: QbdHarness) -> str:
    assert (await qbd.poll()).progress[-1] == 100  # the lists
    await qbd.deliver_and_drain()
    await qbd.poll()
    [txn] = qbd.company.txns.values()
    return txn.memo


async def test_the_description_reaches_the_memo_in_latin1(qbd: QbdHarness) -> None:
    order = _order(qbd, "Reroute “main” trench — east side")
    memo = await _posted_memo(qbd)
    assert memo == (
        'Procore commitment change order 005: Trench - Reroute "main" trench - east side '
        f"[costbridge:procore-cco-{order}]"
    )


async def test_a_long_description_is_cut_visibly_and_said_in_the_history(
    qbd: QbdHarness,
) -> None:
    order = _order(qbd, "Dig and backfill. " * 400)  # 7,200 characters
    memo = await _posted_memo(qbd)
    tag = f"[costbridge:procore-cco-{order}]"
    assert memo.endswith("... " + tag) and len(memo) <= 4095
    details = " ".join(e.detail for e in await qbd.history(order))
    assert "text fitted: Memo: cut to" in details
