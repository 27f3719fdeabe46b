"""Creating a vendor or a customer:job in the target and linking it (issue 3 "or create it").

The name is decided here, once, from the source's data: the Slack confirmation shows it, the
work item carries it, and the target creates exactly that. The target is asked idempotently
(``key`` → a deterministic request id; the target looks the name up first), so a retried work
item or a replay links the same party instead of adding a second one.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from sync.engine import reference
from sync.models import ReferenceKind, ReferenceRecord, TargetRef
from sync.rules.store import link_entity, load_links
from sync.targets.base import PartyRequest, Target

# QuickBooks refuses ':' (it separates Customer:Job levels), tabs and newlines in DisplayName
# (research/qbo.md §3.6). Desktop allows 41 characters in a name: keep well inside both.
_FORBIDDEN = re.compile(r"[:\t\r\n]+")
MAX_NAME = 41
MAX_REQUEST_ID = 50


def clean_name(text: str) -> str:
    name = " ".join(_FORBIDDEN.sub(" - ", text).split())
    return name[:MAX_NAME].rstrip(" -")


def job_name(project_name: str, project_number: str) -> str:
    """``Name (Number)``: the Procore project number keeps it unique across all names."""
    number = project_number.strip()
    if not number or number in project_name:
        return clean_name(project_name)
    suffix = f" ({clean_name(number)})"
    return clean_name(project_name)[: MAX_NAME - len(suffix)].rstrip(" -") + suffix


@dataclass(frozen=True)
class PartyPlan:
    """What will be created, shown in the confirmation and carried by the work item."""

    document_id: int
    source: str
    source_kind: str  # "vendor" | "project" (the entity_links vocabulary)
    source_id: str
    kind: str  # ReferenceKind value: "vendor" | "customer"
    name: str
    parent_id: str = ""
    parent_name: str = ""
    user: str = ""

    @property
    def key(self) -> str:
        return f"party:{self.source}:{self.source_kind}:{self.source_id}"

    @property
    def full_name(self) -> str:
        return f"{self.parent_name}:{self.name}" if self.parent_name else self.name

    def data(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def of(cls, data: dict[str, Any]) -> PartyPlan:
        # the work item may carry more (a deferred answer): only the plan's own fields count
        text = {k: str(data.get(k) or "") for k in cls.__dataclass_fields__}
        return cls(
            document_id=int(data["document_id"]),
            source=text["source"],
            source_kind=text["source_kind"],
            source_id=text["source_id"],
            kind=text["kind"],
            name=text["name"],
            parent_id=text["parent_id"],
            parent_name=text["parent_name"],
            user=text["user"],
        )

    def request(self, target: str, work_kind: str) -> PartyRequest:
        link = {
            "source": self.source,
            "source_kind": self.source_kind,
            "source_id": self.source_id,
            "actor": self.user,
        }
        follow_up = {"key": work_key(self), "kind": work_kind, "data": self.data()}
        return PartyRequest(
            kind=ReferenceKind(self.kind),
            name=self.name,
            parent_id=self.parent_id,
            key=request_id(self.key, target),
            link=link,
            follow_up=follow_up,
        )


def work_key(plan: PartyPlan) -> str:
    return f"slack:{plan.key}"


def request_id(key: str, target: str) -> str:
    """Deterministic: the same plan always sends the same request id (a replay is answered)."""
    digest = hashlib.sha256(f"{target}|{key}".encode()).hexdigest()
    return f"cb-party-{digest}"[:MAX_REQUEST_ID]


async def record_link(
    session: AsyncSession,
    plan: PartyPlan,
    created: ReferenceRecord,
    *,
    target: str,
    now: datetime,
) -> None:
    """The link, authored by the person who confirmed (audited by ``link_entity``).

    A deferred target may have linked it already when its answer arrived: not twice."""
    links = await load_links(session, source=plan.source, target=target)
    held = links.vendors if plan.source_kind == "vendor" else links.projects
    if (ref := held.get(plan.source_id)) is not None and ref.id == created.id:
        return
    await link_entity(
        session,
        source=plan.source,
        source_kind=plan.source_kind,
        source_id=plan.source_id,
        target=target,
        target_ref=TargetRef(id=created.id, name=created.name),
        actor=plan.user,
        now=now,
    )


async def create_and_link(
    session: AsyncSession, target: Target, plan: PartyPlan, *, work_kind: str, now: datetime
) -> ReferenceRecord:
    """Create (or find) the party, link it and refresh the cached lists.

    Raises ``NeedsHumanError`` for a name QuickBooks holds for another party, and
    ``OutcomeToFollow`` for a target that answers later (QuickBooks Desktop).
    """
    created = await target.create_party(plan.request(target.name, work_kind))
    await record_link(session, plan, created, target=target.name, now=now)
    # The pipeline maps against the cache: without the new party it would call it missing.
    await reference.refresh(session, target, now=now)
    return created
