"""Sparse updates of QBO documents: send what costbridge owns, keep everything else. Pure.

QBO keeps the fields a sparse update leaves out, but a ``Line`` array, once sent, replaces all
lines (research §2: "If Line is sent in a sparse update, it replaces all lines"; a line with a
known ``Id`` is updated, one without is created). So the array sent is the document's current
lines with ours brought up to date in place (each merged onto the line QuickBooks has, so a
class a bookkeeper put on it stays), lines that are not ours exactly as they are, and our new
lines at the end.

What is owned, and its value after our write, is a *projection*: flat ``path → text`` pairs of
the header fields we send and, per source line, the line fields we send. Comparing the stored
projection with the document read back tells a bookkeeper's edit from our own.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from sync.models import TargetDocument
from sync.targets.base import Ownership, tagged_line_id

SUBTOTAL = "SubTotalLineDetail"  # QBO appends one to sales documents; never ours, never sent
BILLED = "HasBeenBilled"  # QBO's own BillableStatus once a line was billed: not ours to reset
# Fields QBO sets itself, or that it may change without anyone editing the document.
GONE = "\0gone"  # an adopted line whose source line no longer exists
NOT_COMPARED = frozenset({"Id", "LineNum", "SyncToken", "sparse", "BillableStatus", "LinkedTxn"})

Json = dict[str, Any]
Projection = dict[str, Any]  # {"header": {path: text}, "lines": {source line id: {path: text}}}


def _text(value: Any) -> str:
    """Numbers compare by value ("100" == 100.00), everything else as text."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float | Decimal):
        try:
            return format(Decimal(str(value)).normalize(), "f")
        except InvalidOperation:
            return str(value)
    return "" if value is None else str(value)


def flatten(obj: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    for key, value in obj.items():
        if key in NOT_COMPARED:
            continue
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            yield from flatten(value, f"{path}.")
        elif not isinstance(value, list):
            yield path, _text(value)


def _restricted(current: Mapping[str, Any], like: Mapping[str, Any]) -> dict[str, str]:
    """``current``'s values at the paths ``like`` has (a path it lacks reads as "")."""
    have = dict(flatten(current))
    return {path: have.get(path, "") for path, _ in flatten(like)}


def _header(body: Mapping[str, Any]) -> Json:
    return {k: v for k, v in body.items() if k != "Line"}


def _lines(obj: Mapping[str, Any]) -> list[Json]:
    return [line for line in obj.get("Line") or [] if line.get("DetailType") != SUBTOTAL]


def _built_lines(document: TargetDocument) -> dict[str, Json]:
    lines = document.body.get("Line")
    assert isinstance(lines, list)
    return dict(zip(document.line_keys, lines, strict=True))


def projection(
    document: TargetDocument, obj: Mapping[str, Any], line_ids: Mapping[str, str], header: bool
) -> Projection:
    """What we own in ``obj`` (the document as QBO answered our write), as it stands."""
    built = _built_lines(document)
    by_id = {str(line.get("Id")): line for line in _lines(obj)}
    lines = {
        source_id: _restricted(by_id[target_id], built[source_id])
        for source_id, target_id in line_ids.items()
        if source_id in built and target_id in by_id
    }
    out: Projection = {"lines": lines}
    if header:
        out["header"] = _restricted(obj, _header(document.body))
    return out


def edits(current: Mapping[str, Any], ownership: Ownership, document: TargetDocument) -> list[str]:
    """What a person changed in owned fields since our last write ([] when nothing).

    A field that already holds what ``document`` would write is no edit: our own write whose
    answer was lost, read back on the retry, must not look like someone else's.
    """
    stored: Projection = dict(ownership.fields)
    built = _built_lines(document)
    found: list[str] = []
    header: dict[str, str] = stored.get("header") or {}
    have = dict(flatten(current))
    ours = dict(flatten(_header(document.body)))
    found += [
        f"{path} '{was}' → '{have.get(path, '')}'"
        for path, was in header.items()
        if have.get(path, "") not in (was, ours.get(path))
    ]
    by_id = {str(line.get("Id")): (n, line) for n, line in enumerate(_lines(current), 1)}
    for source_id, fields in (stored.get("lines") or {}).items():
        target_id = ownership.line_ids.get(source_id, "")
        if target_id not in by_id:
            if source_id in built:  # gone in QuickBooks, still wanted by Procore
                found.append(f"line for Procore line {source_id} deleted")
            continue
        number, line = by_id[target_id]
        now = dict(flatten(line))
        wanted = dict(flatten(built[source_id])) if source_id in built else {}
        found += [
            f"line {number} {path} '{was}' → '{now.get(path, '')}'"
            for path, was in fields.items()
            if now.get(path, "") not in (was, wanted.get(path))
        ]
    return found


def _merged(current: Json, built: Json) -> Json:
    """Our line's fields onto the line QuickBooks has: what we do not write stays."""
    detail_type = str(built["DetailType"])
    same_type = current.get("DetailType") == detail_type
    detail = dict(current.get(detail_type) or {}) if same_type else {}
    for key in ("Qty", "UnitPrice"):  # QBO checks Qty * UnitPrice = Amount: ours or none
        detail.pop(key, None)
    billed = detail.get("BillableStatus") == BILLED
    detail.update(built[detail_type])
    if billed:
        detail["BillableStatus"] = BILLED
    dropped = {"Amount", "Description", "DetailType", str(current.get("DetailType"))}
    merged = {k: v for k, v in current.items() if k not in dropped}
    merged.update(built)
    merged[detail_type] = detail
    return merged


def merged_body(
    document: TargetDocument, current: Mapping[str, Any], ownership: Ownership
) -> tuple[Json, list[str | None]]:
    """The sparse body (without Id/SyncToken) and, per line sent, the source line it is."""
    built = _built_lines(document)
    owner = {target_id: source_id for source_id, target_id in ownership.line_ids.items()}
    lines: list[Json] = []
    keys: list[str | None] = []
    for n, line in enumerate(_lines(current)):
        source_id = _owner_of(line, n, owner, document.line_keys, ownership)
        if source_id is None:
            lines.append(line)  # a bookkeeper's line, or another document's: as it is
            keys.append(None)
        elif source_id in built:
            lines.append(_merged(line, built.pop(source_id)))
            keys.append(source_id)
        # else: ours, and its source line is gone: left out, so QBO deletes it
    for source_id, line in built.items():
        lines.append(line)
        keys.append(source_id)
    body = _header(document.body) if ownership.header else {}
    return {**body, "Line": lines}, keys


def _owner_of(
    line: Json, n: int, owner: Mapping[str, str], order: tuple[str, ...], own: Ownership
) -> str | None:
    """The source line a current line was written for, if it is ours."""
    source_id = owner.get(str(line.get("Id")))
    if source_id is not None:
        return source_id
    if own.adopts_all_lines:
        # costbridge wrote the whole document and kept no line ids: every line is ours, by
        # position; one past our lines had its source line removed (GONE: left out)
        return order[n] if n < len(order) else GONE
    if own.header:
        return None  # only lines that amend a purchase order carry tags (sync.engine.amend)
    tagged = tagged_line_id(str(line.get("Description") or ""))
    if tagged is not None and tagged in order and tagged not in own.line_ids:
        return tagged  # an amend whose answer was lost: the line is there already
    return None


def line_ids_after(answer: Mapping[str, Any], keys: list[str | None]) -> dict[str, str]:
    """Source line id → the Id QBO gave the line, by position (QBO answers in our order)."""
    lines = _lines(answer)
    return {key: str(line["Id"]) for key, line in zip(keys, lines, strict=False) if key}
