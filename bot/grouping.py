"""Unresolved lines grouped so that one answer fixes a whole group (pure, no I/O).

Reasons come from the mapper (``mappings.document``), one per line or per document. Lines with
the same reason, output field, cost code and cost type want the same answer, so they share a
picker; document-level reasons (vendor, project links) get a picker of their own. The order is
deterministic: the Apply handler regroups the same version's reasons and finds the same groups
by index.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sync.errors import AttentionReason
from sync.models import SourceDocument, SourceLine

REASON_TITLES = {
    "unmapped": "No rule",
    "ambiguous": "Conflicting rules",
    "invalid_target": "Account inactive or missing",
    "vendor_not_linked": "Vendor not linked",
    "project_not_linked": "Project not linked to a customer:job",
    "target_rejected": "QuickBooks refused it",
    "target_missing": "Missing in QuickBooks",
    "source_unapproved": "No longer approved in Procore",
    "source_deleted": "Deleted in Procore",
    "no_credit_document": "No credit document for this route",
    "edited_in_target": "Edited in QuickBooks since costbridge wrote it",
}
# Reasons a line-level pick answers, and what is picked for each output field.
_LINE_PICKERS = {"account": "account", "item": "item"}


@dataclass(frozen=True)
class GroupSpec:
    reason: str
    field: str  # the output field ("account", "item", "class"...) or "" for the document
    cost_code: str
    cost_code_name: str
    cost_type: str
    line_ids: tuple[str, ...]
    messages: tuple[str, ...]
    picker: str  # account | item | vendor | customer | ""
    data: tuple[tuple[str, str], ...] = ()

    @property
    def title(self) -> str:
        reason = REASON_TITLES.get(self.reason, self.reason.replace("_", " ").capitalize())
        if not self.line_ids:
            return reason
        code = f"{self.cost_code} {self.cost_code_name}".strip() or "no cost code"
        kind = f" · {self.cost_type}" if self.cost_type else ""
        field = f" ({self.field})" if self.field and self.field not in ("account", "item") else ""
        return f"{reason}{field}: {code}{kind}"

    def datum(self, key: str) -> str:
        return dict(self.data).get(key, "")


def group_reasons(reasons: Sequence[AttentionReason]) -> list[GroupSpec]:
    """Document-level groups first (in reason order), then line groups in first-seen order."""
    doc_groups: list[GroupSpec] = []
    line_groups: dict[tuple[str, str, str, str], list[AttentionReason]] = {}
    for reason in reasons:
        if reason.line_id is None:
            doc_groups.append(_document_group(reason))
            continue
        d = reason.data
        key = (reason.kind, d.get("field", ""), d.get("cost_code", ""), d.get("cost_type", ""))
        line_groups.setdefault(key, []).append(reason)
    groups = list(doc_groups)
    for (kind, field, code, cost_type), members in line_groups.items():
        first = members[0].data
        messages = tuple(dict.fromkeys(m.message for m in members if kind != "unmapped"))
        groups.append(
            GroupSpec(
                reason=kind,
                field=field,
                cost_code=code,
                cost_code_name=first.get("cost_code_name", ""),
                cost_type=cost_type,
                line_ids=tuple(m.line_id for m in members if m.line_id is not None),
                messages=messages,
                picker=_LINE_PICKERS.get(field, ""),
            )
        )
    return groups


def _document_group(reason: AttentionReason) -> GroupSpec:
    d = reason.data
    picker = ""
    if reason.kind == "vendor_not_linked" and d.get("vendor_id"):
        picker = "vendor"
    elif reason.kind == "project_not_linked":
        picker = "customer"
    elif reason.kind == "invalid_target" and d.get("target_kind") in ("vendor", "customer"):
        picker = d["target_kind"]
    return GroupSpec(
        reason=reason.kind,
        field="",
        cost_code="",
        cost_code_name="",
        cost_type="",
        line_ids=(),
        messages=(reason.message,),
        picker=picker,
        data=tuple(sorted(d.items())),
    )


def lines_of(doc: SourceDocument | None, spec: GroupSpec) -> list[SourceLine]:
    if doc is None:
        return []
    wanted = set(spec.line_ids)
    return [line for line in doc.lines if line.id in wanted]
