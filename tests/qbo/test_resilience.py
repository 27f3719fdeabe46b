"""Throttling, server errors, timeouts and stale SyncTokens, as the engine will see them."""

from __future__ import annotations

import pytest

from sandbox.qbo import QboState, SeededCompany
from sync.errors import RetryableError, SystemAwayError
from sync.models import TargetKind
from sync.targets.base import Ownership
from sync.targets.qbo import QboClient, QboTarget

from .conftest import mapped_po


async def test_429_then_success_sleeps_the_documented_minute(
    client: QboClient, state: QboState, sleeps: list[float]
) -> None:
    state.faults.throttle_next = 2
    prefs = await client.preferences()
    assert "AccountingInfoPrefs" in prefs
    assert sleeps == [pytest.approx(66.0), pytest.approx(66.0)]  # 60 s plus 10 % jitter
    assert [c.status for c in state.calls] == [429, 429, 200]


async def test_429_honours_retry_after(
    client: QboClient, state: QboState, sleeps: list[float]
) -> None:
    state.faults.throttle_next = 1
    state.faults.retry_after = 7
    await client.preferences()
    assert sleeps == [7.0]


async def test_429_gives_up_after_max_retries(
    client: QboClient, state: QboState, sleeps: list[float]
) -> None:
    state.faults.throttle_next = 10
    with pytest.raises(SystemAwayError) as caught:  # a wait for QuickBooks, not a failure
        await client.preferences()
    assert caught.value.code == "3001"
    assert len(sleeps) == 3
    assert len(state.calls) == 4


@pytest.mark.parametrize("status", [500, 503])
async def test_5xx_on_a_write_is_outcome_unknown(
    client: QboClient, state: QboState, status: int
) -> None:
    state.faults.error_next = 1
    state.faults.error_status = status
    with pytest.raises(RetryableError) as caught:
        await client.write("Vendor", {"DisplayName": "Someone"}, request_id="r1")
    assert caught.value.outcome_unknown
    assert caught.value.code == "10000"


async def test_5xx_on_a_read_is_retryable_but_known(client: QboClient, state: QboState) -> None:
    state.faults.error_next = 1
    with pytest.raises(RetryableError) as caught:
        await client.preferences()
    assert not caught.value.outcome_unknown


async def test_timeout_on_a_write_is_outcome_unknown(client: QboClient, state: QboState) -> None:
    await client.preferences()  # tokens first, so the timeout hits the write itself
    state.faults.timeout_next = 1
    with pytest.raises(RetryableError) as caught:
        await client.write("Vendor", {"DisplayName": "Someone"}, request_id="r1")
    assert caught.value.outcome_unknown
    assert caught.value.detail == "ReadTimeout"


async def test_stale_sync_token_is_retryable_5010(
    target: QboTarget, client: QboClient, company: SeededCompany
) -> None:
    document = target.build(mapped_po(company), TargetKind.PURCHASE_ORDER, "key-1")
    created = await target.create(document, "req-1")
    body = {**document.body, "Id": created.id, "SyncToken": "0", "PrivateNote": "edit 1"}
    await client.write("PurchaseOrder", body, request_id="edit-1")
    with pytest.raises(RetryableError) as caught:
        await client.write("PurchaseOrder", {**body, "PrivateNote": "edit 2"}, request_id="edit-2")
    assert caught.value.code == "5010"
    assert "Stale Object Error" in caught.value.detail
    # the target re-reads the SyncToken, so the engine's retry goes through (a person's choice
    # of our version, here: the edits above were to a field costbridge owns)
    updated = await target.update(document, created, "req-upd", Ownership(overwrite=True))
    assert updated.sync_token == "2"
