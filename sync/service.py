"""The running service's parts, built once from settings and handed to everything else.

Tests and the demo build the same object with sandbox transports and a frozen clock, so the
production wiring is what gets tested. The engine knows no Slack and no demo by name: what
they provide (work kinds, notifiers, scheduled jobs, web routes, companions of ``serve``) is
registered on ``Service.hooks`` by the installed extensions (``sync.extensions``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from db.group_commit import GroupCommit
from db.session import create_engine, session_factory
from sync.clock import Clock, SystemClock
from sync.errors import FatalError
from sync.extensions import EXTENSIONS, installed
from sync.health.signals import PROCORE, QBO, HealthSignals
from sync.secret_box import secret_box_from
from sync.settings import Settings
from sync.sources.base import Source
from sync.sources.procore import ProcoreClient, ProcoreSource
from sync.targets.base import Target
from sync.targets.qbd import QbdTarget
from sync.targets.qbo import QboClient, QboTarget
from sync.targets.qbo.token_store import DbTokenStore

if TYPE_CHECKING:
    from fastapi import FastAPI

Sleep = Callable[[float], Awaitable[None]]
Part = TypeVar("Part")
# A work kind's handler, run by the worker with the item's data.
WorkHandler = Callable[["Service", dict[str, Any]], Awaitable[None]]
# Told about a document's state change or a connection's health, from durable ``notify`` items.
Notifier = Callable[["Service", dict[str, Any]], Awaitable[None]]
# Adds routes to the web app (``sync.web.create_app``).
WebMount = Callable[["FastAPI", "Service"], None]
# An extension's entry point: registers what it provides on the service.
Extension = Callable[["Service"], None]
# Outbound calls: TLS verified by default (httpx), bounded time for every request.
TIMEOUT = httpx.Timeout(30.0, connect=10.0)


class Companion(Protocol):
    """Runs beside ``serve`` for as long as it serves (e.g. Slack over Socket Mode)."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


# Asked once the web app is built: None when not wanted; raises ``ConfigurationError`` when
# wanted but impossible, before anything has started.
CompanionFactory = Callable[["Service"], Companion | None]


@dataclass(frozen=True)
class ScheduledJob:
    """``run(svc)`` on an APScheduler trigger (``interval`` or ``cron`` with its options)."""

    id: str
    run: Callable[[Service], Awaitable[object]]
    trigger: str
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class Hooks:
    """What extensions plug into the engine; the engine calls them without knowing whose."""

    work: dict[str, WorkHandler] = field(default_factory=dict)
    notifiers: list[Notifier] = field(default_factory=list)
    jobs: list[ScheduledJob] = field(default_factory=list)
    web: list[WebMount] = field(default_factory=list)
    companions: list[CompanionFactory] = field(default_factory=list)
    # Long-lived objects an extension keeps with the service (e.g. the Slack bot).
    parts: list[object] = field(default_factory=list)

    def add_work(self, kind: str, handler: WorkHandler) -> None:
        if kind in self.work:
            raise ValueError(f"work kind {kind!r} is registered twice")
        self.work[kind] = handler

    def part(self, kind: type[Part]) -> Part | None:
        """The registered part of this type, if any."""
        for part in self.parts:
            if isinstance(part, kind):
                return part
        return None


@dataclass
class Service:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    # The configured systems by name (``svc.sources["procore"]``), built at start.
    sources: dict[str, Source]
    targets: dict[str, Target]
    # Per target, the account (e.g. the QuickBooks realm): part of every idempotency key.
    target_accounts: dict[str, str]
    default_target: str  # where documents go (COSTBRIDGE_TARGET)
    # Small concurrent writes committed together (webhook deliveries): db.group_commit.
    writes: GroupCommit
    http_clients: list[httpx.AsyncClient] = field(default_factory=list)
    # What the clients saw about their connections; the worker records it (sync.health.store).
    health: HealthSignals = field(default_factory=HealthSignals)
    hooks: Hooks = field(default_factory=Hooks)

    @property
    def target(self) -> Target:
        return self.targets[self.default_target]

    @property
    def target_account(self) -> str:
        return self.target_accounts[self.default_target]

    def source(self, name: str) -> Source:
        """The configured source of that name; a document of another one is a contract error."""
        try:
            return self.sources[name]
        except KeyError:
            raise FatalError(f"source {name!r} is not configured") from None

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
    extensions: Sequence[Extension] | None = None,
) -> Service:
    """Wire settings into a service. Transports are for sandboxes; None means the network.

    ``extensions`` default to the installed ones (the Slack bot); ``()`` builds the engine alone.
    """
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
    account = f"qbo:{settings.qbo_realm_id}"
    if settings.target == "qbd":
        target = QbdTarget(sessions, clock, settings)
        account = target.name
    svc = Service(
        settings=settings,
        engine=engine,
        sessions=sessions,
        clock=clock,
        sources={source.name: source},
        targets={target.name: target},
        target_accounts={target.name: account},
        default_target=target.name,
        writes=GroupCommit(engine),
        http_clients=[procore_http, qbo_http],
        health=health,
    )
    for extension in installed(EXTENSIONS) if extensions is None else extensions:
        extension(svc)
    return svc
