"""``costbridge demo --target qbd``: the same flow into QuickBooks Desktop, through the Web
Connector simulator and a fake company file (sandbox/qbd), all in this process.

First Web Connector run: costbridge reads the company file's lists. Then Procore's webhooks
arrive, the worker maps the change orders and queues their purchase orders and invoices
("accepted, outcome to follow"). Second run: QuickBooks Desktop creates them and the answers
move the documents to posted.
"""

from __future__ import annotations

import httpx
import typer
from pydantic import SecretStr

from mappings.references import ReferenceIndex
from mappings.rules import RuleOrigin
from sandbox.demo.company import (
    DemoWorld,
    add_change_orders,
    build_world,
    register_hook,
)
from sandbox.demo.company_file import seed_demo
from sandbox.demo.setup import (
    SERVICE_BASE,
    demo_rules,
    demo_settings,
    drain,
    link_demo_entities,
    sandbox_service,
    summary,
)
from sandbox.qbd import CompanyFile, WebConnector, read_qwc
from sandbox.qbd.connector import SessionLog
from sync.models import ReferenceKind, ReferenceRecord
from sync.rules.service import import_rules
from sync.service import Service
from sync.settings import Settings
from sync.targets.qbd.company import ensure_configured
from sync.targets.qbd.qwc import build_qwc
from sync.web import create_app

QBWC_PASSWORD = "demo-qbwc-password"  # noqa: S105 - sandbox-only credential
QBD_BASE = "https://costbridge.local"


def qbd_settings(base: Settings, world: DemoWorld) -> Settings:
    return demo_settings(base, world).model_copy(
        update={
            "target": "qbd",
            "qbd_company": "demo",
            "qbd_username": "costbridge-demo",
            "qbd_password": SecretStr(QBWC_PASSWORD),
            "public_base_url": QBD_BASE,
        }
    )


def company_references(company: CompanyFile) -> ReferenceIndex:
    """The company file's rows by their own name, so the demo rules file can name accounts."""
    return ReferenceIndex(
        ReferenceRecord(kind=ReferenceKind(kind), id=row.list_id, name=row.name)
        for kind, rows in company.lists.items()
        for row in rows.values()
    )


async def seed_costbridge_qbd(svc: Service, company: CompanyFile) -> None:
    """Rules (the demo rules file, resolved to the company file's ListIDs) and the company
    file itself, as the controller sets them up on day one."""
    now = svc.clock.now()
    async with svc.sessions() as session, session.begin():
        report = await import_rules(
            session,
            demo_rules().rules,
            settings=svc.settings,
            target=svc.target,
            actor="demo-seed",
            origin=RuleOrigin.SEED,
            now=now,
            refs=company_references(company),
        )
        if report.errors:
            raise RuntimeError("; ".join(str(e) for e in report.errors))
        await ensure_configured(session, svc.settings, now=now)


async def link_world(svc: Service, world: DemoWorld, company: CompanyFile) -> None:
    now = svc.clock.now()
    async with svc.sessions() as session, session.begin():
        await link_demo_entities(session, svc, world, company.id, now=now)


async def web_connector(
    svc: Service, http: httpx.AsyncClient, company: CompanyFile
) -> WebConnector:
    """The simulator, set up from the .qwc file costbridge writes (as an office would)."""
    from sync.targets.qbd.company import by_name

    async with svc.sessions() as session:
        row = await by_name(session, svc.settings.qbd_company)
        assert row is not None
        qwc = build_qwc(row, svc.settings)
    return WebConnector(read_qwc(qwc), QBWC_PASSWORD, company, http)


def _report(label: str, log: SessionLog) -> None:
    typer.echo(
        f"Web Connector run ({label}): authenticate → {log.status or '(work)'}, "
        f"{len(log.requests)} qbXML requests, progress {log.progress[-1:] or '-'}, "
        f"closed: {log.closed or log.last_error or '-'}"
    )


async def run_demo_qbd(settings: Settings, *, once: bool, port: int) -> int:
    world = build_world()
    company = seed_demo()
    svc = await sandbox_service(qbd_settings(settings, world), world)
    await seed_costbridge_qbd(svc, company)
    await link_world(svc, world, company)
    web = create_app(svc)
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=web), base_url=SERVICE_BASE)
    try:
        world.procore.webhook_http = http
        register_hook(world, f"{SERVICE_BASE}/webhooks/procore")
        connector = await web_connector(svc, http, company)
        _report("lists", await connector.run())
        add_change_orders(world)
        deliveries = await world.procore.dispatch_pending()
        typer.echo(f"Procore delivered {len(deliveries)} webhooks")
        typer.echo(f"worker ran {await drain(svc)} work items")
        _report("documents", await connector.run())
        # The commitments' purchase orders are in QuickBooks now: their change orders, woken
        # by those answers, add their lines to them on the next run.
        typer.echo(f"worker ran {await drain(svc)} work items")
        _report("change orders onto their commitments", await connector.run())
        typer.echo("\nDocuments after the Web Connector's third run:")
        posted, waiting = await summary(svc)
        typer.echo(
            f"\n{posted} posted to the sandbox QuickBooks Desktop company file "
            f"({len(company.txns)} transactions there), {waiting} waiting for a human."
        )
        if once:
            return 0
        from sync.runtime import serve

        typer.echo(
            f"\ncostbridge is running on http://127.0.0.1:{port}; the Web Connector endpoint "
            f"is /qbwc (WSDL: /qbwc?wsdl). Ctrl-C stops it."
        )
        await serve(svc, web, host="127.0.0.1", port=port)
        return 0
    finally:
        await http.aclose()
        await svc.aclose()
