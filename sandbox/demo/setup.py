"""What every demo sets up: settings pointed at the sandboxes, the firm's rules and links, and
the summary of what posted and what waits."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path

import typer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db.migrate import upgrade
from db.models import DocumentVersion, SourceDocumentRow, TargetLink
from mappings.io_yaml import import_yaml
from mappings.references import ReferenceIndex
from mappings.rule_rows import ParsedRules
from mappings.rules import RuleOrigin
from sandbox.demo.company import (
    CUSTOMER,
    PROCORE_CLIENT_ID,
    PROCORE_CLIENT_SECRET,
    PROCORE_COMPANY_ID,
    PROJECTS,
    QBO_CLIENT_ID,
    QBO_CLIENT_SECRET,
    QBO_REALM,
    VENDORS,
    WEBHOOK_AUTHORIZATION,
    DemoWorld,
)
from sandbox.procore import create_app as procore_app
from sandbox.qbo import create_app as qbo_app
from sandbox.transport import SandboxTransport
from sync.engine import queue, states
from sync.engine.documents import reasons_of
from sync.engine.worker import run_until_idle
from sync.models import ReferenceKind, ReferenceRecord, TargetRef
from sync.rules.service import import_rules
from sync.rules.store import link_entity
from sync.service import Service, build_service
from sync.settings import Settings

PROCORE_BASE = "http://procore.sandbox"
QBO_BASE = "http://qbo.sandbox"
SERVICE_BASE = "http://costbridge.local"
DEMO_RULES_FILE = "rules.yaml"  # beside this module


def demo_settings(base: Settings, world: DemoWorld) -> Settings:
    """The user's settings, pointed at the sandboxes, with a fresh demo database."""
    from pydantic import SecretStr

    data_dir = Path(base.data_dir)
    return base.model_copy(
        update={
            "database_url": f"sqlite:///{data_dir / 'demo.db'}",
            "procore_api_base": PROCORE_BASE,
            "procore_oauth_base": PROCORE_BASE,
            "procore_client_id": PROCORE_CLIENT_ID,
            "procore_client_secret": SecretStr(PROCORE_CLIENT_SECRET),
            "procore_company_id": str(PROCORE_COMPANY_ID),
            "procore_webhook_authorization": SecretStr(WEBHOOK_AUTHORIZATION),
            "qbo_api_base": QBO_BASE,
            "qbo_token_url": f"{QBO_BASE}/oauth2/v1/tokens/bearer",
            "qbo_client_id": QBO_CLIENT_ID,
            "qbo_client_secret": SecretStr(QBO_CLIENT_SECRET),
            "qbo_realm_id": QBO_REALM,
            "qbo_refresh_token": SecretStr(world.qbo_refresh_token),
        }
    )


def demo_rules() -> ParsedRules:
    """The demo firm's rules, from the seed file shipped with the sandbox package."""
    text = resources.files("sandbox.demo").joinpath(DEMO_RULES_FILE).read_text(encoding="utf-8")
    parsed = import_yaml(text)
    if not parsed.ok:
        raise RuntimeError("; ".join(str(e) for e in parsed.errors))
    return parsed


def world_references(world: DemoWorld) -> ReferenceIndex:
    """The sandbox QuickBooks' records by name, so the seed file can name accounts."""
    return ReferenceIndex(
        ReferenceRecord(kind=ReferenceKind(kind), id=ext_id, name=name)
        for kind, by_name in world.qbo_company.ids.items()
        for name, ext_id in by_name.items()
    )


async def seed_costbridge(svc: Service, world: DemoWorld) -> None:
    """What the firm's controller set up on day one: rules, project and vendor links."""
    now = svc.clock.now()
    parsed = demo_rules()
    async with svc.sessions() as session, session.begin():
        report = await import_rules(
            session,
            parsed.rules,
            settings=svc.settings,
            target=svc.target,
            actor="demo-seed",
            origin=RuleOrigin.SEED,
            now=now,
            refs=world_references(world),
        )
        if report.errors:
            raise RuntimeError("; ".join(str(e) for e in report.errors))
        await link_demo_entities(session, svc, world, world.qbo_id, now=now)


async def link_demo_entities(
    session: AsyncSession,
    svc: Service,
    world: DemoWorld,
    id_of: Callable[[str, str], str],
    *,
    now: datetime,
) -> None:
    """Link the demo's projects to customer:jobs and vendors to vendors (``id_of(kind, name)``
    gives the target's id: QuickBooks Online's or the Desktop company file's)."""
    for project_id, (name, _number) in zip(world.project_ids, PROJECTS, strict=True):
        job = f"{CUSTOMER}:{name}"
        await link_entity(
            session,
            source="procore",
            source_kind="project",
            source_id=str(project_id),
            target=svc.target.name,
            target_ref=TargetRef(id=id_of("customer", job), name=job),
            actor="demo-seed",
            now=now,
        )
    for vendor_id, (name, _code) in zip(world.vendor_ids, VENDORS, strict=True):
        await link_entity(
            session,
            source="procore",
            source_kind="vendor",
            source_id=str(vendor_id),
            target=svc.target.name,
            target_ref=TargetRef(id=id_of("vendor", name), name=name),
            actor="demo-seed",
            now=now,
        )


def fresh_demo_database(data_dir: Path) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        (data_dir / f"demo.db{suffix}").unlink(missing_ok=True)


# The first pass waits out short waits (Procore's 10-second spike window and the pause after
# it) but not retry backoffs or what waits for a person.
SHORT_WAIT = timedelta(seconds=45)
MAX_WAITS = 4


async def drain(svc: Service) -> int:
    """Run the queue until idle, waiting as a real worker would for work due within
    ``SHORT_WAIT`` (a rate-limit window); returns the items run."""
    ran = await run_until_idle(svc)
    for _ in range(MAX_WAITS):
        async with svc.sessions() as session:
            due = await queue.next_due(session)
        wait = (due - svc.clock.now()).total_seconds() if due is not None else None
        if wait is None or wait > SHORT_WAIT.total_seconds():
            break
        typer.echo(f"waiting {max(wait, 0):.0f} s for Procore's rate limit to reset")
        await asyncio.sleep(max(wait, 0) + 0.05)
        ran += await run_until_idle(svc)
    return ran


async def summary(svc: Service) -> tuple[int, int]:
    """Print what posted and what waits; returns (posted, waiting)."""
    async with svc.sessions() as session:
        rows = (
            await session.execute(
                select(SourceDocumentRow, DocumentVersion)
                .join(
                    DocumentVersion,
                    col(DocumentVersion.id) == col(SourceDocumentRow.current_version_id),
                )
                .order_by(col(SourceDocumentRow.id))
            )
        ).all()
        links = {
            link.document_id: link for link in (await session.execute(select(TargetLink))).scalars()
        }
    posted = waiting = 0
    for doc, version in rows:
        label = f"{doc.kind.replace('_', ' ')} {doc.number:<8} {doc.title[:34]:<34}"
        if version.state == states.POSTED:
            posted += 1
            link = links[doc.id or 0]
            onto = "lines on " if link.amends_document_id is not None else ""
            typer.echo(
                f"  posted   {label} → {onto}{link.target_kind} {link.doc_number} "
                f"(${version.total})"
            )
        elif version.state == states.NEEDS_ATTENTION:
            waiting += 1
            why = "; ".join(r.message for r in reasons_of(version))
            typer.echo(f"  waiting  {label} ← {why}")
        else:
            typer.echo(f"  {version.state:<8} {label} (Procore status: {version.source_status})")
    return posted, waiting


async def sandbox_service(settings: Settings, world: DemoWorld) -> Service:
    """The real service on a fresh demo database, talking to this world's emulators."""
    fresh_demo_database(Path(settings.data_dir))
    svc = build_service(
        settings,
        procore_transport=SandboxTransport(procore_app(world.procore)),
        qbo_transport=SandboxTransport(qbo_app(world.qbo)),
    )
    await upgrade(svc.engine)
    return svc
