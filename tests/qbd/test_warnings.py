"""QuickBooks warnings (status 500-999): the write succeeded, so it is posted, with a note."""

from __future__ import annotations

from sync.engine import states
from tests.qbd.conftest import QbdHarness


async def test_a_warning_is_recorded_in_the_history_and_not_a_failure(
    posted_world: QbdHarness,
) -> None:
    qbd = posted_world
    warning = "The transaction date is far in the past or future."
    qbd.company.faults.warnings.append((530, warning))
    await qbd.poll()
    co = qbd.world.ten_line_change_order_id
    version = await qbd.version_of(co)
    assert version.state == states.POSTED  # not failed, not retried, not waiting on a human
    assert version.attempts == 0 and not version.last_error
    link = await qbd.link_of(co)
    assert link is not None and link.target_id in qbd.company.txns
    history = await qbd.history(co)
    [note] = [h for h in history if h.cause == "target warning"]
    assert "530" in note.detail and "far in the past" in note.detail
    assert [h.to_state for h in history].count(states.FAILED) == 0
    # only the one write that was answered with the warning carries a note
    assert len(qbd.company.of_kind("PurchaseOrder")) == 12
