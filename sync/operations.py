"""What operators do: status, retrying dead letters, pausing. Shared by the CLI and Slack."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import col

from db.models import AuditEntry, Control, DeadLetter, DocumentVersion, SourceDocumentRow
from sync import states
from sync.documents import transition
from sync.inbox import enqueue_sync
from sync.models import DocumentKind, DocumentRef
from sync.service import Service
from sync.worker import PAUSED


@dataclass
class Status:
    counts: dict[str, int] = field(default_factory=dict)
    dead_letters: int = 0
    oldest_waiting: datetime | None = None
    last_posted: datetime | None = None
    paused: bool = False


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
    return Status(
        counts={s: n for s, n in rows},
        dead_letters=dead,
        oldest_waiting=waiting,
        last_posted=posted,
        paused=control is not None and control.value == "1",
    )


async def retry_dead(svc: Service, *, actor: str, document_id: int | None = None) -> list[int]:
    """Replay dead letters (all, or one document's): back in the queue with a look-up first."""
    now = svc.clock.now()
    replayed: list[int] = []
    async with svc.sessions() as session, session.begin():
        stmt = select(DeadLetter).where(col(DeadLetter.replayed_at).is_(None))
        if document_id is not None:
            stmt = stmt.where(col(DeadLetter.document_id) == document_id)
        for letter in (await session.execute(stmt)).scalars():
            letter.replayed_at = now
            if letter.version_id is None or letter.document_id is None:
                continue
            version = await session.get(DocumentVersion, letter.version_id)
            row = await session.get(SourceDocumentRow, letter.document_id)
            if version is None or row is None or version.state != states.DEAD:
                continue
            version.attempts = 0
            version.next_attempt_at = None
            # Outcome of the last attempt is unknown to a human: always look before creating.
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
            ref = DocumentRef(
                source=row.source,
                kind=DocumentKind(row.kind),
                id=row.external_id,
                project_id=row.project_id,
            )
            await enqueue_sync(session, ref, now=now)
            session.add(
                AuditEntry(
                    at=now, actor=actor, action="retry", subject=f"document:{row.id}", detail="{}"
                )
            )
            replayed.append(row.id or 0)
    return replayed


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
