"""The call log for benchmarks: each record's batch size and entity, ``/_sandbox/calls/summary``
and ``DELETE /_sandbox/calls``."""

from __future__ import annotations

import time
from typing import Any

import httpx

from sandbox.qbo import QboState, SeededCompany
from sandbox.qbo.state import CallRecord

from .test_limits import Company, connect

EMPTY = {
    "total": 0,
    "by_status": {},
    "by_call": {},
    "batch": {"requests": 0, "items": 0},
    "throttled": {},
    "replayed": 0,
}


async def summary(http: httpx.AsyncClient, **params: str) -> dict[str, Any]:
    answer = await http.get("/_sandbox/calls/summary", params=params)
    assert answer.status_code == 200
    body: dict[str, Any] = answer.json()
    return body


async def some_calls(acme: Company, state: QboState) -> None:
    """Seven calls: two reads, a create and its replay, a duplicate, a batch, a forced 429."""
    assert (await acme.preferences()).status_code == 200
    assert (await acme.preferences()).status_code == 200
    vendor = f"/v3/company/{acme.realm_id}/vendor"
    created = {"DisplayName": "Summary Vendor"}
    for _ in range(2):  # the second is answered from the requestid's stored answer
        sent = await acme.http.post(
            vendor, params={"requestid": "r-1"}, json=created, headers=acme.headers
        )
        assert sent.status_code == 200
    duplicate = await acme.http.post(vendor, json=created, headers=acme.headers)
    assert duplicate.status_code == 400
    queries = [{"bId": f"q{n}", "Query": "SELECT * FROM Department"} for n in range(3)]
    assert (await acme.batch(*queries)).status_code == 200
    state.faults.throttle_next = 1
    throttled = await acme.http.get(
        f"/v3/company/{acme.realm_id}/query",
        params={"query": "SELECT * FROM Vendor"},
        headers=acme.headers,
    )
    assert throttled.status_code == 429


async def test_the_summary_counts_by_call_status_batch_throttle_and_replay(
    http: httpx.AsyncClient, state: QboState, company: SeededCompany
) -> None:
    assert await summary(http) == EMPTY
    acme = await connect(http, state, company.realm_id)
    await some_calls(acme, state)

    assert await summary(http) == {
        "total": 7,
        "by_status": {"200": 5, "400": 1, "429": 1},
        "by_call": {
            "GET preferences": {"count": 2, "by_status": {"200": 2}},
            "GET query": {"count": 1, "by_status": {"429": 1}},
            "POST batch": {"count": 1, "by_status": {"200": 1}},
            "POST vendor": {"count": 3, "by_status": {"200": 2, "400": 1}},
        },
        "batch": {"requests": 1, "items": 3},
        "throttled": {"forced": 1},
        "replayed": 1,
    }


async def test_each_record_says_what_was_called_and_whether_it_was_a_batch(
    http: httpx.AsyncClient, state: QboState, company: SeededCompany
) -> None:
    acme = await connect(http, state, company.realm_id)
    await some_calls(acme, state)
    calls = (await http.get("/_sandbox/calls")).json()
    batch = calls[5]
    assert batch == {
        "method": "POST",
        "path": f"/v3/company/{company.realm_id}/batch",
        "minor_version": 75,
        "request_id": None,
        "status": 200,
        "replayed": False,
        "realm_id": company.realm_id,
        "entity": "batch",
        "batch": True,
        "batch_items": 3,
        "throttled_by": None,
    }
    assert [(c["entity"], c["batch"], c["batch_items"]) for c in calls[:2]] == [
        ("preferences", False, None)
    ] * 2
    assert calls[6]["throttled_by"] == "forced" and calls[6]["entity"] == "query"


async def test_a_batch_that_is_not_json_counts_as_a_batch_of_none(
    http: httpx.AsyncClient, state: QboState, company: SeededCompany
) -> None:
    acme = await connect(http, state, company.realm_id)
    answer = await acme.http.post(
        f"/v3/company/{acme.realm_id}/batch", content=b"{not json", headers=acme.headers
    )
    assert answer.status_code == 400
    assert answer.json()["Fault"]["Error"][0]["code"] == "2010"
    assert (state.calls[-1].batch, state.calls[-1].batch_items) == (True, 0)


async def test_the_summary_can_be_for_one_realm_and_delete_empties_the_log(
    http: httpx.AsyncClient, state: QboState, company: SeededCompany
) -> None:
    acme = await connect(http, state, company.realm_id)
    other = await connect(http, state, "4620816365000000000")
    await acme.preferences()
    await other.preferences()
    await other.preferences()
    assert (await summary(http, realm_id=other.realm_id))["total"] == 2
    assert (await summary(http, realm_id=acme.realm_id))["total"] == 1
    assert (await summary(http))["total"] == 3

    assert (await http.delete("/_sandbox/calls")).json() == {"deleted": 3}
    assert state.calls == []
    assert await summary(http) == EMPTY
    await acme.preferences()
    assert (await summary(http))["by_call"] == {
        "GET preferences": {"count": 1, "by_status": {"200": 1}}
    }


async def test_the_summary_of_twenty_thousand_calls_is_quick(
    http: httpx.AsyncClient, state: QboState
) -> None:
    bill = CallRecord("POST", "/v3/company/1/bill", 75, None, 200, realm_id="1", entity="bill")
    throttled = CallRecord(
        "GET", "/v3/company/1/query", 75, None, 429, entity="query", throttled_by="concurrent"
    )
    state.calls.extend([bill] * 15_000 + [throttled] * 5_000)
    started = time.perf_counter()
    counted = await summary(http)
    assert time.perf_counter() - started < 1.0  # about 10 ms; generous for a loaded CI machine
    assert counted["by_call"] == {
        "GET query": {"count": 5_000, "by_status": {"429": 5_000}},
        "POST bill": {"count": 15_000, "by_status": {"200": 15_000}},
    }
    assert counted["throttled"] == {"concurrent": 5_000}
