"""An import's report in words: what changes in the rules, and what that does to documents."""

from __future__ import annotations

from mappings.describe import describe_conditions
from mappings.diff import RuleDiff
from sync.rules.impact import Impact
from sync.rules.service import ImportReport

_SHOWN = 20  # list at most this many documents or lines, then say how many more


def _more(items: list[str]) -> list[str]:
    extra = len(items) - _SHOWN
    return items[:_SHOWN] + ([f"    … and {extra} more"] if extra > 0 else [])


def render_diff(diff: RuleDiff, *, replace: bool) -> list[str]:
    out = [
        f"{len(diff.added)} rule(s) added, {len(diff.changed)} changed, "
        f"{len(diff.removed)} removed (deactivated), {len(diff.unchanged)} unchanged."
    ]
    if diff.kept and not replace:
        out.append(
            f"{len(diff.kept)} active rule(s) not in the file are kept "
            "(--replace would deactivate them)."
        )
    for a in diff.added:
        out.append(f"  + {a.where}: {describe_conditions(a.spec.conditions)}")
    for c in diff.changed:
        fields = "; ".join(f"{f.field} {f.before!r} → {f.after!r}" for f in c.changes)
        out.append(f"  ~ rule #{c.before.id} ({c.where}): {fields}")
    for r in diff.removed:
        out.append(f"  - rule #{r.id}: {describe_conditions(r.conditions)}")
    return out


def render_impact(impact: Impact) -> list[str]:
    out = [
        f"Waiting documents: {impact.waiting}; {len(impact.resolved)} would be resolved"
        + (f": {', '.join(impact.resolved)}" if impact.resolved else ".")
    ]
    if impact.waiting_unchecked:
        out.append(
            f"  {len(impact.waiting_unchecked)} waiting document(s) have no stored payload and "
            "could not be checked (they are re-queued and re-mapped anyway)."
        )
    out.append(
        f"Posted documents (a rule change never re-posts them): {impact.posted_checked} checked, "
        f"{len(impact.changed_lines)} line change(s) if they were synced again."
    )
    out.extend(
        _more(
            [
                f"    {c.document} line {c.line}: {c.field} {c.before} → {c.after}"
                for c in impact.changed_lines
            ]
        )
    )
    if impact.posted_purged:
        out.append(
            f"  {len(impact.posted_purged)} posted document(s) could not be checked: their "
            "payload was purged after posting (COSTBRIDGE_PURGE_PAYLOADS)."
        )
    return out


def render_import(report: ImportReport, *, dry_run: bool, replace: bool) -> str:
    if dry_run:
        head = "Dry run: nothing was changed."
    elif report.applied:
        head = "Imported."
    else:
        head = "Nothing to change."
    out = [head, *render_diff(report.diff, replace=replace)]
    if report.impact is not None:
        out.extend(render_impact(report.impact))
    if report.applied:
        out.append(
            f"{report.requeued} waiting document(s) queued again (a running worker re-maps them)."
        )
    return "\n".join(out)
