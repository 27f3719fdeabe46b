"""Mapping rules and entity links in the database.

Every rule, wherever it comes from (Slack, CLI, CSV/YAML import, the demo seed), is written
through ``save_rule``: validated by the ``mappings`` model, versioned, and audited. Callers use
``sync.rules.service.save_rules``, which also re-queues the waiting documents a change touches.
Every write of a rule or a link moves its stamp (``db.data_versions``) in the same transaction:
the mapping caches of every process (``sync.engine.mapping_cache``) are keyed by it.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db import data_versions
from db.models import AuditEntry, EntityLink, MappingRuleRow, MappingRuleVersion
from mappings.references import EntityLinks
from mappings.rules import Conditions, Outputs, Rule, RuleOrigin
from sync.models import TargetRef


def _rule_of(row: MappingRuleRow) -> Rule:
    return Rule(
        id=row.id,
        conditions=Conditions.model_validate_json(row.conditions),
        outputs=Outputs.model_validate_json(row.outputs),
        priority=row.priority,
        active=row.active,
        author=row.author,
        origin=RuleOrigin(row.origin),
        created_at=row.created_at,
        updated_at=row.updated_at,
        version=row.version,
        note=row.note,
    )


async def load_rules(session: AsyncSession, *, include_inactive: bool = False) -> list[Rule]:
    stmt = select(MappingRuleRow).order_by(col(MappingRuleRow.id))
    if not include_inactive:
        stmt = stmt.where(col(MappingRuleRow.active).is_(True))
    return [_rule_of(row) for row in (await session.execute(stmt)).scalars()]


async def save_rule(session: AsyncSession, rule: Rule, *, actor: str, now: datetime) -> Rule:
    """Insert a new rule (``rule.id is None``) or a new version of an existing one."""
    conditions = rule.conditions.model_dump_json(exclude_defaults=True)
    outputs = rule.outputs.model_dump_json(exclude_defaults=True)
    if rule.id is None:
        row = MappingRuleRow(
            conditions=conditions,
            outputs=outputs,
            priority=rule.priority,
            active=rule.active,
            author=rule.author,
            origin=rule.origin.value,
            version=1,
            note=rule.note,
            created_at=now,
            updated_at=now,
        )
        action = "rule.create"
    else:
        existing = await session.get(MappingRuleRow, rule.id, with_for_update=True)
        if existing is None:
            raise LookupError(f"rule #{rule.id} does not exist")
        row = existing
        row.conditions, row.outputs, row.priority = conditions, outputs, rule.priority
        row.active, row.note, row.author = rule.active, rule.note, rule.author
        row.version += 1
        row.updated_at = now
        action = "rule.update" if rule.active else "rule.deactivate"
    session.add(row)
    await session.flush()
    await data_versions.bump(session, data_versions.RULES)
    assert row.id is not None
    session.add(
        MappingRuleVersion(
            rule_id=row.id,
            version=row.version,
            conditions=conditions,
            outputs=outputs,
            priority=row.priority,
            active=row.active,
            author=actor,
            at=now,
        )
    )
    session.add(
        AuditEntry(
            at=now,
            actor=actor,
            action=action,
            subject=f"rule:{row.id}",
            detail=json.dumps(
                {
                    "conditions": json.loads(conditions),
                    "outputs": json.loads(outputs),
                    "priority": row.priority,
                    "active": row.active,
                    "version": row.version,
                }
            ),
        )
    )
    return _rule_of(row)


async def load_links(session: AsyncSession, *, source: str, target: str) -> EntityLinks:
    rows = (
        await session.execute(
            select(EntityLink).where(
                col(EntityLink.source) == source,
                col(EntityLink.target) == target,
            )
        )
    ).scalars()
    vendors: dict[str, TargetRef] = {}
    projects: dict[str, TargetRef] = {}
    for row in rows:
        ref = TargetRef(id=row.target_id, name=row.target_name)
        (vendors if row.source_kind == "vendor" else projects)[row.source_id] = ref
    return EntityLinks(vendors=vendors, projects=projects)


async def link_entity(
    session: AsyncSession,
    *,
    source: str,
    source_kind: str,
    source_id: str,
    target: str,
    target_ref: TargetRef,
    actor: str,
    now: datetime,
) -> None:
    """Link a source project/vendor to a target customer:job/vendor (replacing any old link)."""
    existing = (
        await session.execute(
            select(EntityLink)
            .where(
                col(EntityLink.source) == source,
                col(EntityLink.source_kind) == source_kind,
                col(EntityLink.source_id) == source_id,
                col(EntityLink.target) == target,
            )
            .with_for_update()
        )
    ).scalar_one_or_none()
    row = existing or EntityLink(
        source=source,
        source_kind=source_kind,
        source_id=source_id,
        target=target,
        target_id="",
        created_at=now,
    )
    row.target_id, row.target_name, row.author = target_ref.id, target_ref.name, actor
    session.add(row)
    await data_versions.bump(session, data_versions.LINKS)
    session.add(
        AuditEntry(
            at=now,
            actor=actor,
            action="link",
            subject=f"{source}:{source_kind}:{source_id}",
            detail=json.dumps(
                {"target": target, "target_id": target_ref.id, "target_name": target_ref.name}
            ),
        )
    )
