"""What operators do: status, retrying dead letters, pausing. Shared by the CLI and Slack."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db.models import AuditEntry, Control, DeadLetter, DocumentVersion, SourceDocumentRow
from sync.engine import queue, states
from sync.engine.documents import enqueue_sync, ref_of, transition
from sync.engine.worker import PAUSED
from sync.service import Service
from sync.targets.qbd.health import CompanyHealth, company_health


@dataclass
class Status:
    counts: dict[str, int] = field(default_factory=dict)
    dead_letters: int = 0
    oldest_waiting: datetime | None = None
    last_posted: datetime | None = None
    paused: bool = False
    # QuickBooks Desktop: last poll, waiting requests and silence per company file.
    web_connectors: list[CompanyHealth] = field(default_factory=list)


async def status(svc: Service) -> Status:
    """Counts of current versions by state, and the timestamps an operator asks about."""
    async with svc.sessions() as session:
        current = select(col(SourceDocumentRow.current_version_id))
        rows = (
            await session.execute(
                select(col(DocumentVersion.state), func.count())
                .where(col(DocumentVersion.id).in_(current))
                .group_by(col(DocumentVersion.state))
            )
        ).all()
        waiting = (
            await session.execute(
                select(func.min(col(DocumentVersion.updated_at))).where(
                    col(DocumentVersion.state) == states.NEEDS_ATTENTION
                )
            )
        ).scalar_one_or_none()
        posted = (
            await session.execute(
                select(func.max(col(DocumentVersion.updated_at))).where(
                    col(DocumentVersion.state) == states.POSTED
                )
            )
        ).scalar_one_or_none()
        dead = (
            await session.execute(
                select(func.count())
                .select_from(DeadLetter)
                .where(col(DeadLetter.replayed_at).is_(None))
            )
        ).scalar_one()
        control = await session.get(Control, PAUSED)
        connectors = await company_health(session, svc.settings, now=svc.clock.now())
    return Status(
        web_connectors=connectors,
        counts={s: n for s, n in rows},
        dead_letters=dead,
        oldest_waiting=waiting,
        last_posted=posted,
        paused=control is not None and control.value == "1",
    )


async def retry_dead(svc: Service, *, actor: str, document_id: int | None = None) -> list[str]:
    """Replay dead letters (all, or one document's); returns what went back to the queue.

    A document version goes back as ``failed`` with its attempts reset and a look-up forced
    before any create; a work item that died before a version existed (e.g. Procore down
    while resolving an event) is queued again as it was.
    """
    now = svc.clock.now()
    replayed: list[str] = []
    async with svc.sessions() as session, session.begin():
        stmt = select(DeadLetter).where(col(DeadLetter.replayed_at).is_(None))
        if document_id is not None:
            stmt = stmt.where(col(DeadLetter.document_id) == document_id)
        for letter in (await session.execute(stmt)).scalars():
            letter.replayed_at = now
            if letter.version_id is None:
                await _requeue_item(session, letter, now=now)
                replayed.append(letter.subject)
            elif await _revive_version(session, letter, actor=actor, now=now):
                replayed.append(f"document:{letter.document_id}")
            session.add(
                AuditEntry(at=now, actor=actor, action="retry", subject=letter.subject, detail="{}")
            )
    return replayed


async def _requeue_item(session: AsyncSession, letter: DeadLetter, *, now: datetime) -> None:
    kind = letter.subject.split(":", 1)[0]
    await queue.enqueue(
        session, key=letter.subject, kind=kind, data=json.loads(letter.payload), now=now
    )


async def _revive_version(
    session: AsyncSession, letter: DeadLetter, *, actor: str, now: datetime
) -> bool:
    assert letter.version_id is not None and letter.document_id is not None
    version = await session.get(DocumentVersion, letter.version_id)
    row = await session.get(SourceDocumentRow, letter.document_id)
    if version is None or row is None or version.state != states.DEAD:
        return False
    version.attempts = 0
    version.next_attempt_at = None
    # What the last attempt did is unknown to a human: always look before creating.
    version.outcome_unknown = True
    await transition(
        session,
        version,
        states.FAILED,
        "retry requested",
        now=now,
        actor=actor,
        detail=f"dead letter {letter.id} replayed",
    )
    await enqueue_sync(session, ref_of(row), now=now)
    return True


async def set_paused(svc: Service, paused: bool, *, actor: str) -> None:
    now = svc.clock.now()
    async with svc.sessions() as session, session.begin():
        control = await session.get(Control, PAUSED)
        if control is None:
            control = Control(name=PAUSED)
        control.value = "1" if paused else "0"
        session.add(control)
        session.add(
            AuditEntry(
                at=now,
                actor=actor,
                action="pause" if paused else "resume",
                subject="worker",
                detail="{}",
            )
        )
