"""A person's choices become rules and links, like any other (saved, versioned, audited)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.grouping import GroupSpec, group_reasons, lines_of
from bot.services.choices import Choice
from db.models import DocumentVersion
from mappings.describe import describe_conditions
from mappings.learn import rule_from_choice
from mappings.references import ReferenceIndex
from mappings.rules import OutputField
from sync.engine import reference
from sync.engine.documents import reasons_of
from sync.models import ReferenceKind, SourceDocument, TargetRef
from sync.rules.service import save_rules
from sync.rules.store import link_entity

_KIND = {
    "account": ReferenceKind.ACCOUNT,
    "item": ReferenceKind.ITEM,
    "vendor": ReferenceKind.VENDOR,
    "customer": ReferenceKind.CUSTOMER,
}


class ChoiceError(ValueError):
    """A choice that cannot be applied; the message is for the person who made it."""


async def apply_choices(
    session: AsyncSession,
    *,
    target: str,
    doc: SourceDocument,
    version: DocumentVersion,
    choices: Sequence[Choice],
    user: str,
    now: datetime,
) -> list[str]:
    """Save a rule or a link per choice; returns what was saved, in words."""
    specs = group_reasons(reasons_of(version))
    refs = ReferenceIndex(await reference.cached(session, target))
    saved: list[str] = []
    for choice in choices:
        if not 0 <= choice.group < len(specs) or not specs[choice.group].picker:
            raise ChoiceError("This message is out of date; use the latest one.")
        spec = specs[choice.group]
        record = refs.get(_KIND[spec.picker], choice.value)
        if record is None or not record.active:
            raise ChoiceError(f"{choice.label} is inactive or missing in QuickBooks.")
        if spec.picker in ("account", "item"):
            saved.append(await _save_rule(session, spec, doc, choice, record.id, user, now))
        else:
            ref = TargetRef(id=record.id, name=record.name)
            saved.append(await _link(session, spec, doc.source, target, ref, user, now))
    return [s for s in saved if s]


async def _save_rule(
    session: AsyncSession,
    spec: GroupSpec,
    doc: SourceDocument,
    choice: Choice,
    value: str,
    user: str,
    now: datetime,
) -> str:
    lines = lines_of(doc, spec)
    if not lines:
        raise ChoiceError("This message is out of date; use the latest one.")
    field = OutputField.ITEM if spec.picker == "item" else OutputField.ACCOUNT
    try:
        rule = rule_from_choice(lines[0], doc, value, choice.scope, user, now, field=field)
    except ValueError as exc:
        raise ChoiceError(str(exc)) from exc
    # The one way rules are written: validated, versioned, audited, touched documents re-queued.
    [saved], _requeued = await save_rules(session, [rule], actor=user, now=now)
    where = describe_conditions(saved.conditions)
    return f"rule #{saved.id} saved: {where} → {choice.label}"


async def _link(
    session: AsyncSession,
    spec: GroupSpec,
    source: str,
    target: str,
    ref: TargetRef,
    user: str,
    now: datetime,
) -> str:
    kind = "vendor" if spec.picker == "vendor" else "project"
    source_id = spec.datum("vendor_id") if kind == "vendor" else spec.datum("project_id")
    if not source_id:
        raise ChoiceError("This message is out of date; use the latest one.")
    await link_entity(
        session,
        source=source,
        source_kind=kind,
        source_id=source_id,
        target=target,
        target_ref=ref,
        actor=user,
        now=now,
    )
    name = spec.datum("vendor_name") or spec.datum("project_name") or source_id
    return f"{kind} {name} linked to {ref.name}"
