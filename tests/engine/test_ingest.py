"""Webhook ingest through the real ASGI app: stored once, acknowledged only once committed."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection

from db.models import InboxEvent, WorkItem
from sync.clock import FrozenClock
from sync.engine import queue
from sync.engine.worker import run_until_idle
from sync.service import Service, build_service
from sync.settings import Settings
from sync.web import create_app

AUTH = "Bearer ingest-test-secret"
HEADERS = {"Authorization": AUTH, "Content-Type": "application/json"}


def delivery(ulid: str, **overrides: Any) -> bytes:
    """A Procore v4.0 webhook body, as the emulator builds them."""
    body = {
        "id": ulid,
        "timestamp": "2026-12-04T12:00:00Z",
        "reason": "update",
        "company_id": "4264807",
        "project_id": "1021",
        "user_id": "7",
        "resource_type": "Commitment Change Orders",
        "resource_id": "555",
    }
    return json.dumps(body | overrides).encode()


def ulid(n: int) -> str:
    return f"01JMYXMZRBVKK0PC6XS8SA{n:04d}"


@pytest.fixture
async def svc(db_url: str, tmp_path: Path, clock: FrozenClock) -> AsyncIterator[Service]:
    settings = Settings(
        _env_file=None,
        database_url=db_url,
        data_dir=str(tmp_path),
        procore_webhook_authorization=AUTH,
        procore_api_base="http://127.0.0.1:9",  # nothing listens: no call may leave the test
    )
    service = build_service(settings, clock=clock, extensions=())
    try:
        yield service
    finally:
        await service.aclose()


@pytest.fixture
async def http(svc: Service) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(svc))
    async with httpx.AsyncClient(transport=transport, base_url="http://costbridge.test") as c:
        yield c


async def count(svc: Service, table: type[InboxEvent] | type[WorkItem]) -> int:
    async with svc.sessions() as session:
        return int((await session.execute(select(func.count()).select_from(table))).scalar_one())


async def post_all(http: httpx.AsyncClient, bodies: list[bytes]) -> list[httpx.Response]:
    """Every body posted at once: the deliveries race each other into the database."""
    return list(
        await asyncio.gather(
            *(http.post("/webhooks/procore", content=b, headers=HEADERS) for b in bodies)
        )
    )


async def test_fifty_concurrent_copies_of_one_event_store_one_row(
    svc: Service, http: httpx.AsyncClient
) -> None:
    responses = await post_all(http, [delivery(ulid(1))] * 50)
    assert {r.status_code for r in responses} == {200}
    outcomes = sorted(r.json()["status"] for r in responses)
    assert outcomes == ["duplicate"] * 49 + ["stored"]
    assert await count(svc, InboxEvent) == 1
    assert await count(svc, WorkItem) == 1
    # a later copy, alone, is a duplicate as well
    again = await http.post("/webhooks/procore", content=delivery(ulid(1)), headers=HEADERS)
    assert (again.status_code, again.json()["status"]) == (200, "duplicate")
    assert await count(svc, InboxEvent) == 1


async def test_fifty_concurrent_distinct_events_store_fifty_rows_each_queued(
    svc: Service, http: httpx.AsyncClient
) -> None:
    responses = await post_all(http, [delivery(ulid(n), resource_id=str(n)) for n in range(50)])
    assert {(r.status_code, r.json()["status"]) for r in responses} == {(200, "stored")}
    ids = {r.json()["event_id"] for r in responses}
    assert len(ids) == 50
    async with svc.sessions() as session:
        rows = (await session.execute(select(InboxEvent))).scalars().all()
        items = (await session.execute(select(WorkItem))).scalars().all()
    assert {row.id for row in rows} == ids
    assert {row.resource_id for row in rows} == {str(n) for n in range(50)}
    assert all(row.outcome == "received" and row.payload for row in rows)
    assert {(i.key, i.kind, i.state) for i in items} == {
        (f"event:{i}", "event", queue.QUEUED) for i in ids
    }
    assert {json.loads(i.data)["inbox_id"] for i in items} == ids


async def test_mixed_batch_of_copies_and_new_events(svc: Service, http: httpx.AsyncClient) -> None:
    await http.post("/webhooks/procore", content=delivery(ulid(1)), headers=HEADERS)
    bodies = [delivery(ulid(n % 5)) for n in range(40)]  # 0..4, each eight times; 1 is stored
    responses = await post_all(http, bodies)
    assert {r.status_code for r in responses} == {200}
    assert sum(r.json()["status"] == "stored" for r in responses) == 4
    assert await count(svc, InboxEvent) == 5
    assert await count(svc, WorkItem) == 5


async def test_a_failing_write_answers_503_and_stores_nothing(
    svc: Service, http: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(conn: AsyncConnection, *args: Any, **kwargs: Any) -> None:
        # the events' INSERT has run in this transaction: a failure now must undo it too
        raise OperationalError("INSERT INTO work_items", {}, Exception("disk I/O error"))

    monkeypatch.setattr(queue, "enqueue_new", broken)
    # few: each refusal logs its traceback, which the tests' console renderer draws slowly
    responses = await post_all(http, [delivery(ulid(n)) for n in range(4)])
    assert {r.status_code for r in responses} == {503}
    assert await count(svc, InboxEvent) == 0
    assert await count(svc, WorkItem) == 0

    monkeypatch.undo()  # the database is back: Procore's redeliveries are stored
    responses = await post_all(http, [delivery(ulid(n)) for n in range(4)])
    assert {(r.status_code, r.json()["status"]) for r in responses} == {(200, "stored")}
    assert await count(svc, InboxEvent) == 4


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (delivery(ulid(1), resource_id="9" * 65), "resource_id is longer than 64"),
        (delivery(ulid(1), resource_type="x" * 129), "resource_name is longer than 128"),
        (delivery("U" * 129), "event_key is longer than 128"),
        (delivery(ulid(1), reason="up\x00date"), "event_type contains a NUL"),
        (json.dumps(json.loads(delivery(ulid(1)))).encode("utf-16"), "not UTF-8"),
    ],
)
async def test_what_cannot_be_stored_is_400_and_changes_nothing(
    svc: Service, http: httpx.AsyncClient, body: bytes, message: str
) -> None:
    response = await http.post("/webhooks/procore", content=body, headers=HEADERS)
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert await count(svc, InboxEvent) == 0


async def test_other_refusals_store_nothing(svc: Service, http: httpx.AsyncClient) -> None:
    huge = await http.post("/webhooks/procore", content=b"x" * 300_000, headers=HEADERS)
    assert huge.status_code == 413
    wrong = await http.post(
        "/webhooks/procore", content=delivery(ulid(1)), headers={"Authorization": "Bearer no"}
    )
    assert wrong.status_code == 401
    get = await http.get("/webhooks/procore", headers=HEADERS)
    assert (get.status_code, get.headers["allow"]) == (405, "POST")
    assert await count(svc, InboxEvent) == 0
    # the other routes are the app's as before
    assert (await http.get("/healthz")).json() == {"status": "ok", "database": "ok"}
    assert (await http.post("/webhooks/elsewhere", content=b"{}")).status_code == 404


async def test_a_stale_work_item_under_a_reused_id_is_queued_again(
    svc: Service, http: httpx.AsyncClient, clock: FrozenClock
) -> None:
    """SQLite hands out the highest id again after rows were deleted by hand."""
    async with svc.sessions() as session, session.begin():
        session.add(
            WorkItem(
                key="event:1", kind="event", state=queue.DONE, attempts=2,
                run_after=clock.now(), updated_at=clock.now(),
            )
        )  # fmt: skip
    response = await http.post("/webhooks/procore", content=delivery(ulid(1)), headers=HEADERS)
    assert response.json() == {"status": "stored", "event_id": 1}
    async with svc.sessions() as session:
        (item,) = (await session.execute(select(WorkItem))).scalars().all()
    assert (item.state, item.attempts, json.loads(item.data)) == (queue.QUEUED, 0, {"inbox_id": 1})


async def test_the_worker_takes_what_was_acknowledged(
    svc: Service, http: httpx.AsyncClient
) -> None:
    other = delivery(ulid(2), resource_type="Submittals")  # a resource we do not sync
    await post_all(http, [other, delivery(ulid(1))])
    await run_until_idle(svc, max_items=2)  # the two events; their syncs would call Procore
    async with svc.sessions() as session:
        rows = (await session.execute(select(InboxEvent).order_by(InboxEvent.event_key))).all()
    assert [(r[0].outcome, r[0].processed_at is not None) for r in rows] == [
        ("queued", True),
        ("not_synced", True),
    ]
