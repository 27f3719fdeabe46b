"""Batch: per-item faults with HTTP 200, no visibility between items, the 30-item cap."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from sandbox.qbo import QboState, SeededCompany
from sync.errors import FatalError, NeedsHumanError
from sync.targets.qbo import MemoryTokenStore, QboClient
from sync.targets.qbo.faults import classify


async def test_one_failing_item(client: QboClient, state: QboState, company: SeededCompany) -> None:
    items: list[dict[str, Any]] = [
        {"bId": "b1", "operation": "create", "Vendor": {"DisplayName": "Batch Vendor"}},
        {"bId": "b2", "operation": "create", "Vendor": {"DisplayName": "Acme Builders"}},
        {"bId": "b3", "Query": "SELECT * FROM Department"},
    ]
    answers = await client.batch(items, request_id="batch-1")

    assert [a["bId"] for a in answers] == ["b1", "b2", "b3"]
    assert answers[0]["Vendor"]["DisplayName"] == "Batch Vendor"
    assert answers[1]["Fault"]["Error"][0]["code"] == "6240"
    error = classify(200, answers[1], write=True)
    assert isinstance(error, NeedsHumanError) and error.code == "6240"
    assert [d["Name"] for d in answers[2]["QueryResponse"]["Department"]] == ["North", "South"]
    assert state.calls[-1].status == 200
    names = [v["DisplayName"] for v in state.realm(company.realm_id).rows("Vendor")]
    assert names.count("Batch Vendor") == 1


async def test_later_items_cannot_see_earlier_creations(client: QboClient) -> None:
    answers = await client.batch(
        [
            {"bId": "c1", "operation": "create", "Class": {"Name": "Fresh class"}},
            {"bId": "c2", "Query": "SELECT * FROM Class WHERE Name = 'Fresh class'"},
        ],
        request_id="batch-2",
    )
    assert answers[0]["Class"]["Name"] == "Fresh class"
    # queries read the store; only references are blinded to same-batch creations
    assert answers[1]["QueryResponse"]["Class"][0]["Id"] == answers[0]["Class"]["Id"]


async def test_reference_to_same_batch_object_is_2500(
    client: QboClient, company: SeededCompany, state: QboState
) -> None:
    labor = company.ids["account"]["Labor"]
    next_id = str(state.realm(company.realm_id).next_id)
    answers = await client.batch(
        [
            {"bId": "v", "operation": "create", "Vendor": {"DisplayName": "New Sub"}},
            {
                "bId": "b",
                "operation": "create",
                "Bill": {
                    "VendorRef": {"value": next_id},  # the id the vendor above receives
                    "Line": [
                        {
                            "DetailType": "AccountBasedExpenseLineDetail",
                            "Amount": 5,
                            "AccountBasedExpenseLineDetail": {"AccountRef": {"value": labor}},
                        }
                    ],
                },
            },
        ],
        request_id="batch-3",
    )
    assert answers[0]["Vendor"]["Id"] == next_id
    assert answers[1]["Fault"]["Error"][0]["code"] == "2500"


async def test_more_than_30_items_is_a_fault(
    client: QboClient, http: httpx.AsyncClient, store: MemoryTokenStore
) -> None:
    await client.preferences()
    items = [{"bId": f"q{i}", "Query": "SELECT * FROM Class"} for i in range(31)]
    with pytest.raises(FatalError):
        await client.batch(items, request_id="too-many")  # refused before sending
    assert store.tokens is not None
    token = store.tokens.access_token
    response = await http.post(
        "/v3/company/9130350000000000/batch",
        json={"BatchItemRequest": items},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 400
    assert response.json()["Fault"]["Error"][0]["code"] == "6000"
