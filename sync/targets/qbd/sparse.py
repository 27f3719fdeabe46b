"""Sparse Mods of QuickBooks Desktop transactions: ours brought up to date, the rest kept. Pure.

Intuit's rule for a transaction Mod ("Modify, delete and void requests and responses"): a Mod
that includes any line aggregate deletes every existing line it does not identify by its
``TxnLineID``; a line aggregate with only its ``TxnLineID`` keeps that line as it is;
``TxnLineID`` -1 adds one. So a Mod lists the transaction's lines in its order — ours with our
content and their ids, everyone else's by id only — then our new lines; ours whose source line
is gone are left out, and QuickBooks deletes them.

Bills and vendor credits hold two line lists (expense lines, then item lines: the schema's
order), so a plan is built per list. What is owned, and its value after our write, is a
projection like QuickBooks Online's (``sync.targets.qbo.sparse``): the header fields we send
and, per source line, the line fields we send, read back from the transaction's Ret.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from lxml import etree

from sync.models import TargetKind
from sync.targets.base import Ownership, tagged_line_id
from sync.targets.qbd.responses import text_of

Json = dict[str, Any]
Entry = dict[
    str, Any
]  # {"keep": TxnLineID, "group": g} | {"line": i, "txn_line_id": id, "group": g}
GONE = "\0gone"
BILL_GROUPS = ("ExpenseLine", "ItemLine")
PARTY_PATH = {
    TargetKind.PURCHASE_ORDER: "VendorRef/ListID",
    TargetKind.BILL: "VendorRef/ListID",
    TargetKind.VENDOR_CREDIT: "VendorRef/ListID",
    TargetKind.INVOICE: "CustomerRef/ListID",
    TargetKind.ESTIMATE: "CustomerRef/ListID",
    TargetKind.CREDIT_MEMO: "CustomerRef/ListID",
}


def groups(kind: TargetKind) -> tuple[str, ...]:
    if kind is TargetKind.PURCHASE_ORDER:
        return ("PurchaseOrderLine",)
    if kind in (TargetKind.BILL, TargetKind.VENDOR_CREDIT):
        return BILL_GROUPS
    return (f"{kind.value}Line",)


def group_of(kind: TargetKind, line: Mapping[str, Any]) -> str:
    """Which line list a body line is written to (bills: by account, else by item)."""
    if kind in (TargetKind.BILL, TargetKind.VENDOR_CREDIT):
        return "ExpenseLine" if line["account"] else "ItemLine"
    return groups(kind)[0]


def _paths(group: str, line: Mapping[str, Any]) -> dict[str, str]:
    """Where each field we set on a line reads back in its Ret (only the fields we set)."""
    text = "Memo" if group == "ExpenseLine" else "Desc"
    rate = "Cost" if group == "ItemLine" else "Rate"
    paths = {
        "amount": "Amount",
        "desc": text,
        "class": "ClassRef/ListID",
        "customer": "CustomerRef/ListID",
        "quantity": "Quantity",
        "rate": rate,
    }
    if group == "ExpenseLine":
        paths["account"] = "AccountRef/ListID"
    else:  # a purchase order line's account override is not returned: not compared
        paths["item"] = "ItemRef/ListID"
    return {key: path for key, path in paths.items() if line.get(key)}


def _norm(value: str) -> str:
    try:
        return format(Decimal(value).normalize(), "f")
    except InvalidOperation:
        return value


def _read(element: etree._Element, paths: Mapping[str, str]) -> dict[str, str]:
    return {key: _norm(text_of(element, path)) for key, path in paths.items()}


def _wanted(line: Mapping[str, Any], paths: Mapping[str, str]) -> dict[str, str]:
    return {key: _norm(str(line[key])) for key in paths}


def ret_lines(ret: etree._Element) -> list[tuple[str, etree._Element]]:
    """The transaction's lines in order, each with its list (``ExpenseLine``...)."""
    found = []
    for child in ret:
        tag = str(child.tag)
        if tag.endswith("LineRet") and "Group" not in tag:
            found.append((tag.removesuffix("Ret"), child))
    return found


def _header_paths(kind: TargetKind, body: Mapping[str, Any]) -> dict[str, str]:
    paths = {"party": PARTY_PATH[kind], "ref_number": "RefNumber", "memo": "Memo"}
    if body.get("txn_date"):
        paths["txn_date"] = "TxnDate"
    return paths


def _keys(body: Mapping[str, Any]) -> list[str]:
    return [str(line.get("key", "")) for line in body["lines"]]


def add_plan(kind: TargetKind, body: Mapping[str, Any]) -> list[Entry]:
    """An Add's lines as they are written (and answered): list by list, each in body order."""
    lines = body["lines"]
    return [
        {"line": i, "txn_line_id": "-1", "group": group}
        for group in groups(kind)
        for i, line in enumerate(lines)
        if group_of(kind, line) == group
    ]


def mod_plan(
    kind: TargetKind, body: Mapping[str, Any], ret: etree._Element, ownership: Ownership
) -> list[Entry]:
    """The Mod's lines (module docstring), list by list."""
    lines = body["lines"]
    keys = _keys(body)
    wanted = {key: i for i, key in enumerate(keys)}
    owner = {target: source for source, target in ownership.line_ids.items()}
    by_group: dict[str, list[Entry]] = {group: [] for group in groups(kind)}
    for n, (group, element) in enumerate(ret_lines(ret)):
        txn_line_id = text_of(element, "TxnLineID")
        source = _owner_of(element, n, txn_line_id, owner, keys, ownership)
        if source is None:
            by_group.setdefault(group, []).append({"keep": txn_line_id, "group": group})
        elif source in wanted and group_of(kind, lines[wanted[source]]) == group:
            i = wanted.pop(source)
            by_group[group].append({"line": i, "txn_line_id": txn_line_id, "group": group})
        # else: ours, and gone from the source (or moved to the other list): left out
    for i in sorted(wanted.values()):
        group = group_of(kind, lines[i])
        by_group[group].append({"line": i, "txn_line_id": "-1", "group": group})
    had = {group for group, _ in ret_lines(ret)}
    return [
        entry
        for group in groups(kind)
        for entry in (by_group.get(group) or _cleared(kind, group, had))
    ]


def _cleared(kind: TargetKind, group: str, had: set[str]) -> list[Entry]:
    """A list that had lines and keeps none of them: a Mod that names no line of it leaves it
    as it is (bills and vendor credits hold two lists), so it is cleared explicitly."""
    if len(groups(kind)) > 1 and group in had:
        return [{"clear": group, "group": group}]
    return []


def _owner_of(
    element: etree._Element,
    n: int,
    txn_line_id: str,
    owner: Mapping[str, str],
    keys: list[str],
    ownership: Ownership,
) -> str | None:
    source = owner.get(txn_line_id)
    if source is not None:
        return source
    if ownership.adopts_all_lines:
        # costbridge wrote the whole transaction and kept no line ids: ours, by position
        return keys[n] if n < len(keys) else GONE
    if ownership.header:
        return None  # only lines that amend a purchase order carry tags (sync.engine.amend)
    tagged = tagged_line_id(text_of(element, "Desc") or text_of(element, "Memo"))
    if tagged is not None and tagged in keys and tagged not in ownership.line_ids:
        return tagged
    return None


def lost_lines(
    kind: TargetKind,
    body: Mapping[str, Any],
    before: list[Entry],
    ret: etree._Element,
    ownership: Ownership,
) -> dict[str, str]:
    """Lines a Mod of ours added before its answer was lost: source line → TxnLineID.

    ``before`` is that Mod's plan. A line the transaction has now that was neither in it nor
    ours is what its -1 lines became (list by list, in order), so it is not added again.
    """
    known = {str(e.get("keep") or e.get("txn_line_id")) for e in before} - {"-1"}
    known |= set(ownership.line_ids.values())
    keys = _keys(body)
    found: dict[str, str] = {}
    for group in groups(kind):
        added = [
            text_of(element, "TxnLineID")
            for g, element in ret_lines(ret)
            if g == group and text_of(element, "TxnLineID") not in known
        ]
        sent = [
            keys[e["line"]]
            for e in before
            if e["group"] == group and e.get("txn_line_id") == "-1" and "line" in e
        ]
        found.update(zip(sent, added, strict=False))
    return found


def _entries(plan: list[Entry], ret: etree._Element) -> Iterator[tuple[Entry, str, etree._Element]]:
    """Each planned line with the Ret line QuickBooks answered for it (same order)."""
    written = [entry for entry in plan if "clear" not in entry]
    for entry, (group, element) in zip(written, ret_lines(ret), strict=False):
        yield entry, group, element


def owned_after(
    kind: TargetKind,
    body: Mapping[str, Any],
    ret: etree._Element,
    plan: list[Entry],
    *,
    header: bool = True,
) -> tuple[dict[str, str], Json]:
    """Line ids (source → TxnLineID) and the owned fields, from the Add/Mod answer; the
    header's only when it is owned (``Ownership.header``)."""
    lines = body["lines"]
    keys = _keys(body)
    line_ids: dict[str, str] = {}
    projected: dict[str, dict[str, str]] = {}
    for entry, group, element in _entries(plan, ret):
        if "line" not in entry or not keys[entry["line"]]:
            continue
        key, line = keys[entry["line"]], lines[entry["line"]]
        line_ids[key] = text_of(element, "TxnLineID")
        projected[key] = _read(element, _paths(group, line))
    fields = _read(ret, _header_paths(kind, body)) if header else {}
    return line_ids, {"header": fields, "lines": projected}


def edits(
    kind: TargetKind, body: Mapping[str, Any], ret: etree._Element, ownership: Ownership
) -> list[str]:
    """What a person changed in owned fields since our last write ([] when nothing); a field
    already holding what ``body`` would write is no edit (our own write, answer lost)."""
    stored: Json = dict(ownership.fields)
    found: list[str] = []
    header_paths = _header_paths(kind, body)
    now = _read(ret, header_paths)
    ours = _wanted(body, header_paths)
    for key, was in (stored.get("header") or {}).items():
        if now.get(key, "") not in (was, ours.get(key)):
            found.append(f"{header_paths.get(key, key)} '{was}' → '{now.get(key, '')}'")
    lines = body["lines"]
    keys = _keys(body)
    by_id = {
        text_of(element, "TxnLineID"): (n, group, element)
        for n, (group, element) in enumerate(ret_lines(ret), 1)
    }
    for source, fields in (stored.get("lines") or {}).items():
        txn_line_id = ownership.line_ids.get(source, "")
        line = lines[keys.index(source)] if source in keys else None
        if txn_line_id not in by_id:
            if line is not None:
                found.append(f"line for Procore line {source} deleted")
            continue
        n, group, element = by_id[txn_line_id]
        paths = _paths(group, line) if line is not None else {}
        current = _read(element, {key: path for key, path in _all_paths(group).items()})
        wanted = _wanted(line, paths) if line is not None else {}
        found += [
            f"line {n} {_all_paths(group).get(key, key)} '{was}' → '{current.get(key, '')}'"
            for key, was in fields.items()
            if current.get(key, "") not in (was, wanted.get(key))
        ]
    return found


def _all_paths(group: str) -> dict[str, str]:
    everything = {k: "x" for k in ("amount", "desc", "class", "customer", "quantity", "rate")}
    everything["account" if group == "ExpenseLine" else "item"] = "x"
    return _paths(group, everything)
