"""Fixtures: the QBO emulator in process, the demo company, a client and target against it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from decimal import Decimal

import httpx
import pytest

from sandbox.qbo import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    TOKEN_PATH,
    QboState,
    SeededCompany,
    create_app,
    seed_demo_company,
)
from sandbox.transport import SandboxTransport
from sync.clock import FrozenClock
from sync.models import (
    DocumentKind,
    MappedDocument,
    MappedLine,
    PartyRef,
    ProjectRef,
    SourceDocument,
    SourceLine,
    TargetRef,
)
from sync.targets.qbo import MemoryTokenStore, QboClient, QboTarget

BASE = "https://qbo.test"


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 11, 2, 15, 0, tzinfo=UTC))


@pytest.fixture
def state(clock: FrozenClock) -> QboState:
    return QboState(clock)


@pytest.fixture
def company(state: QboState) -> SeededCompany:
    return seed_demo_company(state)


@pytest.fixture
async def http(state: QboState) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=SandboxTransport(create_app(state)), base_url=BASE
    ) as client:
        yield client


@pytest.fixture
def store() -> MemoryTokenStore:
    return MemoryTokenStore()


@pytest.fixture
def sleeps() -> list[float]:
    return []


def make_client(
    http: httpx.AsyncClient,
    company: SeededCompany,
    store: MemoryTokenStore,
    clock: FrozenClock,
    sleeps: list[float],
) -> QboClient:
    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    assert company.refresh_token
    return QboClient(
        http,
        api_base=BASE,
        token_url=BASE + TOKEN_PATH,
        client_id=DEMO_CLIENT_ID,
        client_secret=DEMO_CLIENT_SECRET,
        realm_id=company.realm_id,
        token_store=store,
        initial_refresh_token=company.refresh_token,
        clock=clock,
        sleep=sleep,
        jitter=lambda: 0.1,
    )


@pytest.fixture
def client(
    http: httpx.AsyncClient,
    company: SeededCompany,
    store: MemoryTokenStore,
    clock: FrozenClock,
    sleeps: list[float],
) -> QboClient:
    return make_client(http, company, store, clock, sleeps)


@pytest.fixture
def target(client: QboClient) -> QboTarget:
    return QboTarget(client)


# Cents that a float would mangle: 0.1 + 0.2, 1234567.89, a few odd amounts.
TEN_AMOUNTS = [
    Decimal("0.10"),
    Decimal("0.20"),
    Decimal("1234567.89"),
    Decimal("19.99"),
    Decimal("1000.00"),
    Decimal("0.01"),
    Decimal("333.33"),
    Decimal("-50.05"),
    Decimal("7.77"),
    Decimal("42.42"),
]


def source_document(number: str = "CO-007", amounts: list[Decimal] | None = None) -> SourceDocument:
    amounts = amounts or TEN_AMOUNTS
    return SourceDocument(
        kind=DocumentKind.COMMITMENT_CHANGE_ORDER,
        id="5501",
        number=number,
        title="Add footing drains",
        status="approved",
        approved=True,
        project=ProjectRef(id="77", name="1021 Main St", number="P-1021"),
        vendor=PartyRef(id="v1", name="Norton Lumber"),
        document_date=date(2026, 11, 1),
        updated_at=datetime(2026, 11, 1, 12, 0, tzinfo=UTC),
        lines=tuple(
            SourceLine(id=f"L{i}", position=i, amount=amount, description=f"line {i}")
            for i, amount in enumerate(amounts, start=1)
        ),
    )


def mapped_po(company: SeededCompany, number: str = "CO-007") -> MappedDocument:
    """Ten lines split across accounts, alternating between the two jobs."""
    ids = company.ids
    accounts = ["Labor", "Materials", "Subcontractors", "Equipment Rental"]
    jobs = ["Acme Builders:1021 Main St Renovation", "Harbor View HOA:Clubhouse Remodel"]
    source = source_document(number)
    lines = tuple(
        MappedLine(
            source_line_id=line.id,
            description=line.description,
            amount=line.amount,
            account=TargetRef(id=ids["account"][accounts[i % 4]]),
            customer=TargetRef(id=ids["customer"][jobs[i % 2]]),
            class_ref=TargetRef(id=ids["class"]["Labor"]) if i % 3 == 0 else None,
            billable=True if i % 2 == 0 else None,
        )
        for i, line in enumerate(source.lines)
    )
    return MappedDocument(
        source=source,
        vendor=TargetRef(id=ids["vendor"]["Norton Lumber and Building Materials"]),
        customer=TargetRef(id=ids["customer"][jobs[0]]),
        lines=lines,
    )
