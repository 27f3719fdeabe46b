"""Mapping a whole source document: every line resolved, the links checked, all or nothing.

A document is mapped only when nothing needs a human; otherwise the result lists every reason at
once (the Slack message shows them together), and no ``MappedDocument`` is built, so nothing
half-mapped can ever be posted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mappings.explain import explain_line
from mappings.index import RuleIndex
from mappings.references import EntityLinks, ReferenceIndex
from mappings.resolve import FieldStatus, LineResolution, resolve_line
from mappings.rules import OutputField, Rule
from sync.errors import AttentionReason
from sync.models import (
    MappedDocument,
    MappedLine,
    ReferenceKind,
    SourceDocument,
    TargetKind,
    TargetRef,
)


@dataclass(frozen=True)
class DocumentMapping:
    """The outcome of mapping one document version."""

    document: SourceDocument
    target_kind: TargetKind
    lines: tuple[LineResolution, ...]  # in the document's line order
    reasons: tuple[AttentionReason, ...]  # document-level first, then line by line
    customer: TargetRef | None  # the project's customer:job, if linked and valid
    vendor: TargetRef | None  # commitment change orders: the linked vendor, if valid
    department: TargetRef | None  # the location the lines agree on, if any rule set one
    mapped: MappedDocument | None  # present exactly when ``reasons`` is empty

    @property
    def needs_attention(self) -> bool:
        return bool(self.reasons)

    def explain(self) -> str:
        """Every line's explanation, after the document-level reasons."""
        head = [r.message for r in self.reasons if r.line_id is None]
        return "\n".join([*head, *(explain_line(lr) for lr in self.lines)])


def map_document(
    doc: SourceDocument,
    rules: Sequence[Rule] | RuleIndex,
    refs: ReferenceIndex,
    links: EntityLinks,
    target_kind: TargetKind,
) -> DocumentMapping:
    """Map ``doc`` for a ``target_kind`` document.

    ``rules`` may be a prebuilt ``RuleIndex``: a worker mapping many documents builds it once.
    """
    index = rules if isinstance(rules, RuleIndex) else RuleIndex(rules)
    reasons: list[AttentionReason] = []
    customer = _customer(doc, refs, links, reasons)
    vendor = _vendor(doc, refs, links, reasons)
    lines = tuple(resolve_line(line, doc, index, refs, target_kind) for line in doc.lines)
    department = _department(lines, refs, reasons)
    for lr in lines:
        reasons.extend(lr.reasons)
    mapped = None
    if not reasons:
        mapped = MappedDocument(
            source=doc,
            vendor=vendor,
            customer=customer,
            department=department,
            lines=tuple(_mapped_line(lr, customer) for lr in lines),
        )
    return DocumentMapping(
        document=doc,
        target_kind=target_kind,
        lines=lines,
        reasons=tuple(reasons),
        customer=customer,
        vendor=vendor,
        department=department,
        mapped=mapped,
    )


def _checked_link(
    link: TargetRef,
    kind: ReferenceKind,
    refs: ReferenceIndex,
    reasons: list[AttentionReason],
    what: str,
    data: dict[str, str],
) -> TargetRef | None:
    """The link with the target's current name, or an ``invalid_target`` reason."""
    record = refs.get(kind, link.id)
    if record is not None and record.active:
        # The target's current name, not the one stored with the link: vendors get renamed.
        return TargetRef(id=record.id, name=record.name)
    problem = "missing" if record is None else "inactive"
    shown = record.name if record else (link.name or link.id)
    reasons.append(
        AttentionReason(
            kind="invalid_target",
            message=f"{what} is linked to {kind.value} {shown}, which is {problem} "
            "in the accounting system.",
            data={**data, "target_kind": kind.value, "target_id": link.id, "problem": problem},
        )
    )
    return None


def _customer(
    doc: SourceDocument, refs: ReferenceIndex, links: EntityLinks, reasons: list[AttentionReason]
) -> TargetRef | None:
    project = doc.project
    data = {
        "project_id": project.id,
        "project_name": project.name,
        "project_number": project.number,
    }
    link = links.customer_for(project.id)
    if link is None:
        reasons.append(
            AttentionReason(
                kind="project_not_linked",
                message=f"Project {project.name} is not linked to a customer:job.",
                data=data,
            )
        )
        return None
    return _checked_link(
        link, ReferenceKind.CUSTOMER, refs, reasons, f"Project {project.name}", data
    )


def _vendor(
    doc: SourceDocument, refs: ReferenceIndex, links: EntityLinks, reasons: list[AttentionReason]
) -> TargetRef | None:
    # Commitments and their change orders are written against a vendor (purchase orders); a
    # prime change order goes to the owner, so its vendor field is irrelevant.
    if not doc.kind.has_vendor:
        return None
    if doc.vendor is None:
        reasons.append(
            AttentionReason(
                kind="vendor_not_linked",
                message=f"{doc.kind.noun} {doc.number} has no vendor.",
                data={"vendor_id": "", "vendor_name": "", "vendor_code": ""},
            )
        )
        return None
    v = doc.vendor
    data = {"vendor_id": v.id, "vendor_name": v.name, "vendor_code": v.code}
    link = links.vendor_for(v.id)
    if link is None:
        reasons.append(
            AttentionReason(
                kind="vendor_not_linked",
                message=f"Vendor {v.name} is not linked to a vendor in the accounting system.",
                data=data,
            )
        )
        return None
    return _checked_link(link, ReferenceKind.VENDOR, refs, reasons, f"Vendor {v.name}", data)


def _department(
    lines: tuple[LineResolution, ...], refs: ReferenceIndex, reasons: list[AttentionReason]
) -> TargetRef | None:
    """The document's location: QuickBooks carries it on the header, not per line.

    Lines whose rules set no location do not care; lines that set different ones cannot all be
    honoured, which is ambiguous at document level.
    """
    chosen: dict[str, list[str]] = {}
    for lr in lines:
        value = lr.value(OutputField.DEPARTMENT)
        if isinstance(value, str):
            chosen.setdefault(value, []).append(lr.line.id)
    if not chosen:
        return None
    if len(chosen) > 1:
        names = sorted(refs.display_name(ReferenceKind.DEPARTMENT, d) for d in chosen)
        reasons.append(
            AttentionReason(
                kind="ambiguous",
                message=f"Lines set different locations ({', '.join(names)}); "
                "a document has one location.",
                data={
                    "field": OutputField.DEPARTMENT.value,
                    "values": ",".join(sorted(chosen)),
                    "line_ids": ",".join(i for d in sorted(chosen) for i in chosen[d]),
                },
            )
        )
        return None
    (dept_id,) = chosen
    record = refs.get(ReferenceKind.DEPARTMENT, dept_id)
    return TargetRef(id=dept_id, name=record.name if record else "")


def _ref(lr: LineResolution, field: OutputField) -> TargetRef | None:
    fr = lr.field(field)
    if fr.status is not FieldStatus.RESOLVED or not isinstance(fr.value, str):
        return None
    return TargetRef(id=fr.value, name=fr.target.name if fr.target else "")


def _mapped_line(lr: LineResolution, customer: TargetRef | None) -> MappedLine:
    line = lr.line
    billable = lr.value(OutputField.BILLABLE)
    tax_code = lr.value(OutputField.TAX_CODE)
    return MappedLine(
        source_line_id=line.id,
        description=lr.description,
        amount=line.amount,
        quantity=line.quantity,
        unit_cost=line.unit_cost,
        account=_ref(lr, OutputField.ACCOUNT),
        item=_ref(lr, OutputField.ITEM),
        class_ref=_ref(lr, OutputField.CLASS),
        customer=customer,
        billable=billable if isinstance(billable, bool) else None,
        tax_code=tax_code if isinstance(tax_code, str) else None,
        rule_ids=lr.rule_ids,
    )
