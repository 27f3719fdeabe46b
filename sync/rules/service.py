"""Changing rules, wherever the change comes from: the CLI, a file import, the demo seed, Slack.

``save_rules`` is the one way in: each rule is validated (the ``mappings`` model), versioned and
audited by ``rule_store.save_rule``, then every waiting document that one of the changed rules
touches, in its old or its new form, is queued again so the worker re-maps it. Posted documents
are never queued by a rule change. ``import_rules`` turns a parsed file into such a change, all
in the caller's transaction (all or nothing), or only reports it (dry run).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from mappings.conditions import rule_matches
from mappings.diff import RuleDiff, diff_rules, planned_rules
from mappings.io_targets import TargetCheck, needs_references, resolve_targets, unresolvable
from mappings.references import ReferenceIndex
from mappings.rule_rows import FileError, LocatedSpec
from mappings.rules import Rule, RuleOrigin
from sync.engine import reference, states
from sync.engine.documents import enqueue_sync, payload_of, ref_of
from sync.errors import CostbridgeError
from sync.rules.impact import Impact, assess, current_in_state
from sync.rules.store import load_rules, save_rule
from sync.settings import Settings
from sync.targets.base import Target


async def requeue_touched(session: AsyncSession, rules: Sequence[Rule], *, now: datetime) -> int:
    """Queue every waiting document a line of which one of ``rules`` matches; returns how many.

    A waiting version without a stored payload cannot be checked, so it is queued too (a sync
    of an unchanged document only re-maps it).
    """
    count = 0
    for row, version in await current_in_state(session, states.NEEDS_ATTENTION):
        doc = payload_of(version)
        if doc is not None and not any(
            rule_matches(rule, line, doc) for rule in rules for line in doc.lines
        ):
            continue
        await enqueue_sync(session, ref_of(row), now=now)
        count += 1
    return count


async def save_rules(
    session: AsyncSession, rules: Sequence[Rule], *, actor: str, now: datetime
) -> tuple[list[Rule], int]:
    """Save each rule (new, new version or deactivation), then re-queue what they touch.

    Returns the saved rules and how many waiting documents were queued again.
    """
    existing = {r.id: r for r in await load_rules(session, include_inactive=True)}
    saved = [await save_rule(session, rule, actor=actor, now=now) for rule in rules]
    previous = [existing[r.id] for r in rules if r.id is not None and r.id in existing]
    requeued = await requeue_touched(session, [*saved, *previous], now=now)
    return saved, requeued


async def deactivate_rule(
    session: AsyncSession, rule_id: int, *, actor: str, now: datetime
) -> tuple[Rule, int]:
    rules = {r.id: r for r in await load_rules(session, include_inactive=True)}
    rule = rules.get(rule_id)
    if rule is None:
        raise LookupError(f"rule #{rule_id} does not exist")
    if not rule.active:
        return rule, 0
    (saved,), requeued = await save_rules(
        session, [rule.model_copy(update={"active": False})], actor=actor, now=now
    )
    return saved, requeued


@dataclass(frozen=True)
class ImportReport:
    diff: RuleDiff = field(default_factory=RuleDiff)
    errors: tuple[FileError, ...] = ()
    impact: Impact | None = None
    applied: bool = False
    saved: tuple[Rule, ...] = ()
    requeued: int = 0


async def import_rules(
    session: AsyncSession,
    rules: Sequence[LocatedSpec],
    *,
    settings: Settings,
    target: Target,
    actor: str,
    origin: RuleOrigin,
    now: datetime,
    replace: bool = False,
    dry_run: bool = False,
    refs: ReferenceIndex | None = None,
) -> ImportReport:
    """Check a parsed file against the rules in force; apply it unless ``dry_run`` or errors.

    ``refs`` resolves account/item/class/location numbers and names to ids; by default the
    target's reference data, fetched when the cache is empty or stale, and fetched again when
    a value names nothing in it (it may be newer than the cache). The caller owns the
    transaction: no rule is written when the report has errors or ``dry_run`` is set.
    """
    checked = await _resolve(session, rules, target, now=now, refs=refs)
    current = await load_rules(session, include_inactive=True)
    diff = diff_rules(current, checked.rules, replace=replace)
    errors = checked.errors + diff.errors
    if errors:
        return ImportReport(errors=errors)
    planned = planned_rules(diff, actor=actor, origin=origin, now=now)
    replaced = {r.id for r in planned if r.id is not None}
    after = [r for r in current if r.id not in replaced] + planned
    impact = await assess(
        session, before=current, after=after, settings=settings, target=target.name
    )
    if dry_run or diff.is_empty:
        return ImportReport(diff=diff, impact=impact)
    saved, requeued = await save_rules(session, planned, actor=actor, now=now)
    return ImportReport(
        diff=diff,
        impact=impact,
        applied=True,
        saved=tuple(saved),
        requeued=requeued,
    )


async def _resolve(
    session: AsyncSession,
    rules: Sequence[LocatedSpec],
    target: Target,
    *,
    now: datetime,
    refs: ReferenceIndex | None,
) -> TargetCheck:
    if refs is not None or not needs_references(rules):
        return resolve_targets(rules, refs or ReferenceIndex(()))
    try:
        return await reference.look_up(
            session,
            target,
            now=now,
            find=lambda index: resolve_targets(rules, index),
            found=lambda checked: not checked.errors,
        )
    except CostbridgeError as exc:  # away, refused, down: nothing is stored unchecked
        return unresolvable(rules, f"the {target.name} reference data cannot be read ({exc})")
