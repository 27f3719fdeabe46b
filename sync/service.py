"""The running service's parts, built once from settings and handed to everything else.

Tests and the demo build the same object with sandbox transports and a frozen clock, so the
production wiring is what gets tested.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from db.session import create_engine, session_factory
from sync.clock import Clock, SystemClock
from sync.health import PROCORE, QBO, HealthSignals
from sync.secret_box import secret_box_from
from sync.settings import Settings
from sync.sources.base import Source
from sync.sources.procore import ProcoreClient, ProcoreSource
from sync.targets.base import Target
from sync.targets.qbd import QbdTarget
from sync.targets.qbo import QboClient, QboTarget
from sync.token_store import DbTokenStore

Sleep = Callable[[float], Awaitable[None]]
# Told about a document's state change, from the durable ``notify`` work items (e.g. Slack).
Notifier = Callable[["Service", dict[str, Any]], Awaitable[None]]
# Outbound calls: TLS verified by default (httpx), bounded time for every request.
TIMEOUT = httpx.Timeout(30.0, connect=10.0)


@dataclass
class Service:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    source: Source
    target: Target
    target_account: str  # e.g. the QuickBooks realm: part of every idempotency key
    http_clients: list[httpx.AsyncClient] = field(default_factory=list)
    notifiers: list[Notifier] = field(default_factory=list)
    # What the clients saw about their connections; the worker records it (sync.health_store).
    health: HealthSignals = field(default_factory=HealthSignals)

    async def aclose(self) -> None:
        for client in self.http_clients:
            await client.aclose()
        await self.engine.dispose()


def build_service(
    settings: Settings,
    *,
    clock: Clock | None = None,
    procore_transport: httpx.AsyncBaseTransport | None = None,
    qbo_transport: httpx.AsyncBaseTransport | None = None,
    sleep: Sleep = asyncio.sleep,
    engine: AsyncEngine | None = None,
) -> Service:
    """Wire settings into a service. Transports are for sandboxes; None means the network."""
    clock = clock or SystemClock()
    engine = engine or create_engine(settings.database_url)
    sessions = session_factory(engine)
    health = HealthSignals()
    procore_http = httpx.AsyncClient(transport=procore_transport, timeout=TIMEOUT)
    qbo_http = httpx.AsyncClient(transport=qbo_transport, timeout=TIMEOUT)
    procore = ProcoreClient(
        procore_http,
        api_base=settings.procore_api_base,
        oauth_base=settings.procore_oauth_base,
        client_id=settings.procore_client_id,
        client_secret=settings.procore_client_secret.get_secret_value(),
        company_id=settings.procore_company_id,
        clock=clock,
        sleep=sleep,
        max_retries=settings.procore_max_retries,
        report=health.reporter(PROCORE, clock),
    )
    source = ProcoreSource(
        procore,
        webhook_authorization=settings.procore_webhook_authorization.get_secret_value(),
        client_id=settings.procore_client_id,
        app_base=settings.procore_app_base,
    )
    tokens = DbTokenStore(
        sessions,
        secret_box_from(settings),
        clock=clock,
        provider="qbo",
        account=settings.qbo_realm_id,
        seed_token=settings.qbo_refresh_token.get_secret_value(),
    )
    qbo = QboClient(
        qbo_http,
        api_base=settings.qbo_api_base,
        token_url=settings.qbo_token_url,
        client_id=settings.qbo_client_id,
        client_secret=settings.qbo_client_secret.get_secret_value(),
        realm_id=settings.qbo_realm_id,
        token_store=tokens,
        initial_refresh_token=settings.qbo_refresh_token.get_secret_value(),
        minor_version=settings.qbo_minor_version,
        clock=clock,
        sleep=sleep,
        max_retries=settings.qbo_max_retries,
        report=health.reporter(QBO, clock),
    )
    # COSTBRIDGE_TARGET picks the accounting system; the rest of the engine does not care.
    target: Target = QboTarget(qbo)
    target_account = f"qbo:{settings.qbo_realm_id}"
    if settings.target == "qbd":
        target = QbdTarget(sessions, clock, settings)
        target_account = target.name
    return Service(
        settings=settings,
        engine=engine,
        sessions=sessions,
        clock=clock,
        source=source,
        target=target,
        target_account=target_account,
        http_clients=[procore_http, qbo_http],
        health=health,
    )
