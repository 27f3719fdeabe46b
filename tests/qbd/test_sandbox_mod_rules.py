"""The fake company file modifies and reads transactions as QuickBooks Desktop documents it
(QB SDK "Modify, delete and void requests and responses"; InvoiceMod, PurchaseOrderMod): qbXML
in, the transaction read back by qbXML. With the schemas present, every request and answer
here is checked against qbxmlops130.xsd."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from lxml import etree

from sandbox.demo.company_file import JOB_COST_ITEM, seed_demo
from sandbox.qbd import CompanyFile, execute
from sandbox.qbd.records import TxnLine
from sandbox.qbd.schema import qbxml_schema
from sync.clock import FrozenClock

VENDOR = "Bright Spark Electric"
JOB = "Acme Builders:1021 Main St Renovation"
LABOR = "Job Expenses:Labor"
MATERIALS = "Job Expenses:Materials"
REFS = ("VendorRef", "CustomerRef", "ItemRef", "AccountRef", "OverrideItemAccountRef", "ClassRef")
# Each line aggregate's children in qbxml130.xsd order (Add and Mod alike, TxnLineID first in
# a Mod), limited to the elements costbridge writes. EstimateLineMod has no
# OverrideItemAccountRef, so the estimate's lines here never carry it.
REQUEST_ORDER = {
    "PurchaseOrderLine": (
        "ItemRef",
        "Desc",
        "Quantity",
        "Rate",
        "ClassRef",
        "Amount",
        "CustomerRef",
        "OverrideItemAccountRef",
    ),
    "ExpenseLine": ("AccountRef", "Amount", "Memo", "CustomerRef", "ClassRef", "BillableStatus"),
    "ItemLine": (
        "ItemRef",
        "Desc",
        "Quantity",
        "Cost",
        "Amount",
        "CustomerRef",
        "ClassRef",
        "BillableStatus",
        "OverrideItemAccountRef",
    ),
    "InvoiceLine": (
        "ItemRef",
        "Desc",
        "Quantity",
        "Rate",
        "ClassRef",
        "Amount",
        "OverrideItemAccountRef",
    ),
    "EstimateLine": ("ItemRef", "Desc", "Quantity", "Rate", "ClassRef", "Amount"),
    "CreditMemoLine": (
        "ItemRef",
        "Desc",
        "Quantity",
        "Rate",
        "ClassRef",
        "Amount",
        "OverrideItemAccountRef",
    ),
}
# What each line Ret gives back, in the schema's order (no Ret has OverrideItemAccountRef; a
# sales line has no CustomerRef or BillableStatus).
SALES_RET = ("TxnLineID", "ItemRef", "Desc", "Quantity", "Rate", "ClassRef", "Amount")
RET_ORDER = {
    "PurchaseOrderLine": (*SALES_RET, "CustomerRef"),
    "ExpenseLine": (
        "TxnLineID",
        "AccountRef",
        "Amount",
        "Memo",
        "CustomerRef",
        "ClassRef",
        "BillableStatus",
    ),
    "ItemLine": (
        "TxnLineID",
        "ItemRef",
        "Desc",
        "Quantity",
        "Cost",
        "Amount",
        "CustomerRef",
        "ClassRef",
        "BillableStatus",
    ),
    "InvoiceLine": SALES_RET,
    "EstimateLine": SALES_RET,
    "CreditMemoLine": SALES_RET,
}
FULL = {
    "ItemRef": JOB_COST_ITEM,
    "AccountRef": LABOR,
    "OverrideItemAccountRef": LABOR,
    "ClassRef": "Labor",
    "CustomerRef": JOB,
    "Desc": "Rough-in",
    "Memo": "Rough-in",
    "Quantity": "4",
    "Rate": "12.5",
    "Cost": "12.5",
    "Amount": "50.00",
    "BillableStatus": "NotBillable",
}
DESCS_AND_AMOUNTS = [("Conduit", "100.00"), ("Wire", "200.00"), ("Boxes", "300.00")]
# Every kind costbridge writes, with each of its line lists.
TABLES = [
    ("PurchaseOrder", "PurchaseOrderLine"),
    ("Invoice", "InvoiceLine"),
    ("Estimate", "EstimateLine"),
    ("CreditMemo", "CreditMemoLine"),
    ("Bill", "ExpenseLine"),
    ("Bill", "ItemLine"),
    ("VendorCredit", "ExpenseLine"),
    ("VendorCredit", "ItemLine"),
]


# --- qbXML in, qbXML out -----------------------------------------------------------------------


def _valid(document: etree._Element) -> None:
    schema = qbxml_schema()
    if schema is not None:
        assert schema.validate(document), str(schema.error_log).splitlines()[-1:]


def send(company: CompanyFile, request: str) -> etree._Element:
    """One request in its own message set; its ``*Rs``. Both sides checked by the schema."""
    text = (
        '<?xml version="1.0" encoding="utf-8"?><?qbxml version="13.0"?>'
        f'<QBXML><QBXMLMsgsRq onError="stopOnError">{request}</QBXMLMsgsRq></QBXML>'
    )
    _valid(etree.fromstring(text.split("?>", 2)[2].encode()))
    outcome = execute(company, text)
    assert outcome.hresult == "", outcome.message
    answer = etree.fromstring(outcome.response.split("?>", 1)[1].encode())
    _valid(answer)
    return answer[0][0]


def status(rs: etree._Element) -> tuple[str, str]:
    return rs.get("statusCode", ""), rs.get("statusMessage", "")


def element(tag: str, value: str) -> str:
    inner = f"<FullName>{value}</FullName>" if tag in REFS else value
    return f"<{tag}>{inner}</{tag}>"


def line(table: str, verb: str, line_id: str = "", **values: str) -> str:
    """A ``<table><verb>`` aggregate with ``values`` (element → text or FullName) in order."""
    head = element("TxnLineID", line_id) if verb == "Mod" else ""
    body = "".join(element(tag, values[tag]) for tag in REQUEST_ORDER[table] if tag in values)
    return f"<{table}{verb}>{head}{body}</{table}{verb}>"


def full(table: str, **changes: str) -> dict[str, str]:
    """Every element the line aggregate takes, from FULL, with ``changes``."""
    return {tag: changes.get(tag, FULL[tag]) for tag in REQUEST_ORDER[table]}


def party(kind: str) -> str:
    if kind in ("PurchaseOrder", "Bill", "VendorCredit"):
        return element("VendorRef", VENDOR)
    return element("CustomerRef", JOB)


def add(company: CompanyFile, kind: str, *lines: str) -> etree._Element:
    rs = send(
        company,
        f'<{kind}AddRq requestID="1"><{kind}Add>{party(kind)}<RefNumber>R-1</RefNumber>'
        f"{''.join(lines)}</{kind}Add></{kind}AddRq>",
    )
    assert status(rs) == ("0", "Status OK")
    return rs[0]


def mod(company: CompanyFile, ret: etree._Element, *parts: str) -> etree._Element:
    """A Mod of the transaction ``ret`` describes, with its EditSequence; ``parts`` in order."""
    kind = str(ret.tag).removesuffix("Ret")
    txn_id, sequence = ret.findtext("TxnID"), ret.findtext("EditSequence")
    return send(
        company,
        f'<{kind}ModRq requestID="2"><{kind}Mod><TxnID>{txn_id}</TxnID>'
        f"<EditSequence>{sequence}</EditSequence>{''.join(parts)}</{kind}Mod></{kind}ModRq>",
    )


def read(company: CompanyFile, ret: etree._Element, lines: bool = True) -> etree._Element:
    kind = str(ret.tag).removesuffix("Ret")
    include = "<IncludeLineItems>true</IncludeLineItems>" if lines else ""
    rs = send(
        company,
        f'<{kind}QueryRq requestID="3"><TxnID>{ret.findtext("TxnID")}</TxnID>{include}'
        f"</{kind}QueryRq>",
    )
    assert status(rs) == ("0", "Status OK")
    [found] = rs
    return found


def line_rets(ret: etree._Element, table: str = "") -> list[etree._Element]:
    return [c for c in ret if str(c.tag).endswith("LineRet") and str(c.tag).startswith(table)]


def values(line_ret: etree._Element) -> dict[str, str]:
    """A line Ret's children: references by FullName."""
    return {str(c.tag): (c.findtext("FullName") if len(c) else c.text) or "" for c in line_ret}


def ids(ret: etree._Element, table: str = "") -> list[str]:
    return [r.findtext("TxnLineID") or "" for r in line_rets(ret, table)]


def amounts(ret: etree._Element) -> list[str]:
    return [r.findtext("Amount") or "" for r in line_rets(ret)]


def total(ret: etree._Element) -> str:
    for tag in ("TotalAmount", "Subtotal", "AmountDue", "CreditAmount"):
        if ret.find(tag) is not None:
            return ret.findtext(tag) or ""
    raise AssertionError(f"no total in {ret.tag}")


@pytest.fixture
def company(clock: FrozenClock) -> CompanyFile:
    return seed_demo(clock)


def purchase_order(company: CompanyFile) -> etree._Element:
    """Three lines: 100, 200, 300."""
    table = "PurchaseOrderLine"
    return add(
        company,
        "PurchaseOrder",
        *(line(table, "Add", **full(table, Desc=d, Amount=a)) for d, a in DESCS_AND_AMOUNTS),
    )


# --- the rules ---------------------------------------------------------------------------------


def test_a_mod_without_line_aggregates_changes_the_body_only(
    company: CompanyFile, clock: FrozenClock
) -> None:
    added = purchase_order(company)
    before = read(company, added)
    clock.advance(60)
    rs = mod(company, added, "<Memo>Revised scope</Memo>")
    assert status(rs) == ("0", "Status OK")
    after = read(company, added)
    assert after.findtext("Memo") == "Revised scope"
    assert [values(r) for r in line_rets(after)] == [values(r) for r in line_rets(before)]
    assert after.findtext("EditSequence") != before.findtext("EditSequence")
    assert after.findtext("TimeModified") != before.findtext("TimeModified")


def test_lines_not_named_are_deleted_named_ones_keep_what_the_mod_leaves_out(
    company: CompanyFile,
) -> None:
    added = purchase_order(company)
    conduit, wire, boxes = ids(added)
    table = "PurchaseOrderLine"
    rs = mod(
        company,
        added,
        line(table, "Mod", wire),  # only its TxnLineID: kept as it is
        line(table, "Mod", "-1", ItemRef=JOB_COST_ITEM, Desc="Panels", Amount="40.00"),
        line(table, "Mod", conduit, Amount="150.00"),  # a new amount, the rest kept
    )  # Boxes not named: deleted
    assert status(rs) == ("0", "Status OK")
    after = read(company, added)
    lines = [values(r) for r in line_rets(after)]
    assert [v["Desc"] for v in lines] == ["Wire", "Panels", "Conduit"]  # the request's order
    assert ids(after)[0] == wire and ids(after)[2] == conduit
    assert ids(after)[1] not in (conduit, wire, boxes)  # -1: a new line, a new TxnLineID
    assert lines[0] == values(line_rets(added)[1])  # unchanged, every field
    assert lines[2] == {**values(line_rets(added)[0]), "Amount": "150.00"}
    assert total(after) == "390.00"  # 200 + 40 + 150, recomputed


def test_a_line_id_that_is_not_one_of_the_transactions_lines_is_refused_and_nothing_changes(
    company: CompanyFile,
) -> None:
    added = purchase_order(company)
    other = purchase_order(company)
    before = read(company, added)
    table = "PurchaseOrderLine"
    foreign = ids(other)[0]
    for unknown in (foreign, "FFFF-1"):
        rs = mod(
            company,
            added,
            "<Memo>should not stick</Memo>",
            line(table, "Mod", ids(added)[0], Amount="1.00"),
            line(table, "Mod", unknown, Amount="2.00"),
        )
        assert status(rs) == (
            "3120",
            f'Object "{unknown}" specified in the request cannot be found.',
        )
        assert rs.get("statusSeverity") == "Error" and len(rs) == 0
    after = read(company, added)
    assert etree.tostring(after) == etree.tostring(before)  # memo, lines, EditSequence
    assert values(line_rets(read(company, other))[0])["Amount"] == "100.00"


def test_the_total_follows_the_lines_and_below_zero_is_still_refused(
    company: CompanyFile,
) -> None:
    added = purchase_order(company)
    conduit, wire, boxes = ids(added)
    table = "PurchaseOrderLine"
    kept = line(table, "Mod", wire), line(table, "Mod", boxes)
    rs = mod(company, added, line(table, "Mod", conduit, Quantity="2", Rate="7.25"), *kept)
    assert status(rs)[0] == "0"
    assert amounts(rs[0]) == ["14.50", "200.00", "300.00"]  # Quantity x Rate, no Amount sent
    assert total(rs[0]) == "514.50"
    before = read(company, added)
    refused = mod(company, rs[0], kept[0], line(table, "Mod", boxes, Amount="-600.00"))
    assert status(refused)[0] == "3210" and "must be positive" in status(refused)[1]
    assert etree.tostring(read(company, added)) == etree.tostring(before)
    zero = mod(company, rs[0], kept[0], line(table, "Mod", boxes, Amount="-200.00"))
    assert status(zero)[0] == "0" and total(zero[0]) == "0.00"  # zero is accepted


@pytest.mark.parametrize(("kind", "table"), TABLES)
def test_each_kind_keeps_omitted_fields_and_returns_every_field_in_schema_order(
    company: CompanyFile, kind: str, table: str
) -> None:
    text = "Memo" if table == "ExpenseLine" else "Desc"
    added = add(
        company,
        kind,
        line(table, "Add", **full(table)),
        line(table, "Add", **full(table, **{text: "Second", "Amount": "20.00"})),
    )
    first, second = ids(added)
    rs = mod(
        company,
        added,
        line(table, "Mod", "-1", **full(table, **{text: "New", "Amount": "7.00"})),
        line(table, "Mod", first, **{text: "Changed"}),
    )  # the second line is not named: deleted
    assert status(rs)[0] == "0"
    found = read(company, added)
    rets = line_rets(found)
    assert [str(r.tag) for r in rets] == [f"{table}Ret"] * 2
    for ret in rets:
        assert [str(c.tag) for c in ret] == list(RET_ORDER[table])  # every field, in order
    assert values(rets[1]) == {**values(line_rets(added)[0]), text: "Changed"}
    assert values(rets[0])[text] == "New" and second not in ids(found)
    assert total(found) == "57.00"


@pytest.mark.parametrize("kind", ["Bill", "VendorCredit"])
def test_a_bills_expense_and_item_lines_are_modified_each_on_its_own(
    company: CompanyFile, kind: str
) -> None:
    added = add(
        company,
        kind,
        line("ExpenseLine", "Add", **full("ExpenseLine", Amount="10.00")),
        line("ExpenseLine", "Add", **full("ExpenseLine", AccountRef=MATERIALS, Amount="20.00")),
        line("ItemLine", "Add", **full("ItemLine", Amount="30.00")),
    )
    labor, _materials = ids(added, "ExpenseLine")
    [item] = ids(added, "ItemLine")
    only_expenses = mod(company, added, line("ExpenseLine", "Mod", labor))
    assert status(only_expenses)[0] == "0"
    found = read(company, added)
    assert ids(found, "ExpenseLine") == [labor]  # the expense list was touched
    assert ids(found, "ItemLine") == [item]  # the item list was not: it stays
    assert total(found) == "40.00"
    cleared = mod(company, found, "<ClearItemLines>true</ClearItemLines>")
    assert status(cleared)[0] == "0"
    found = read(company, added)
    assert ids(found, "ItemLine") == [] and ids(found, "ExpenseLine") == [labor]
    assert total(found) == "10.00"


def test_a_line_aggregate_the_sandbox_does_not_keep_is_refused_not_dropped(
    company: CompanyFile,
) -> None:
    added = purchase_order(company)
    rs = mod(
        company,
        added,
        "<PurchaseOrderLineGroupMod><TxnLineID>-1</TxnLineID></PurchaseOrderLineGroupMod>",
    )
    assert status(rs)[0] == "3250"
    assert ids(read(company, added)) == ids(added)


def test_a_query_returns_lines_only_when_asked_to(company: CompanyFile) -> None:
    added = purchase_order(company)
    assert line_rets(read(company, added, lines=False)) == []
    assert ids(read(company, added)) == ids(added)
    rs = send(
        company,
        '<PurchaseOrderQueryRq requestID="4"><EntityFilter><FullName>'
        f"{VENDOR}</FullName></EntityFilter></PurchaseOrderQueryRq>",
    )
    assert [line_rets(ret) for ret in rs] == [[]]


# --- the bookkeeper in QuickBooks' own window -------------------------------------------------


def test_an_edit_in_quickbooks_moves_the_edit_sequence_and_is_read_back(
    company: CompanyFile, clock: FrozenClock
) -> None:
    added = purchase_order(company)
    txn_id = added.findtext("TxnID") or ""
    conduit, wire, boxes = ids(added)
    txn = company.txns[txn_id]
    clock.advance(300)
    company.edit_as_user(
        txn_id,
        memo="Checked by Pat",
        add_line=TxnLine("", Decimal("25.00"), desc="Permit fee"),
        change_line=replace(txn.lines[1], amount=Decimal("180.00")),
        remove_line=boxes,
    )
    stale = mod(company, added, "<Memo>ours</Memo>")
    assert status(stale)[0] == "3200"
    found = read(company, added)
    assert found.findtext("Memo") == "Checked by Pat"
    assert found.findtext("EditSequence") != added.findtext("EditSequence")
    assert found.findtext("TimeModified") == "2026-11-02T15:05:00+00:00"
    assert [values(r)["Desc"] for r in line_rets(found)] == ["Conduit", "Wire", "Permit fee"]
    assert amounts(found) == ["100.00", "180.00", "25.00"] and total(found) == "305.00"
    permit = ids(found)[2]
    assert permit not in (conduit, wire, boxes)
    # A Mod that names only the lines it knows deletes the bookkeeper's line: as QuickBooks does.
    rs = mod(company, found, *(line("PurchaseOrderLine", "Mod", i) for i in (conduit, wire)))
    assert status(rs)[0] == "0" and ids(rs[0]) == [conduit, wire]


def test_another_user_saving_is_the_same_save(company: CompanyFile, clock: FrozenClock) -> None:
    added = purchase_order(company)
    clock.advance(60)
    company.faults.touch.add(added.findtext("TxnID") or "")
    assert status(mod(company, added, "<Memo>x</Memo>"))[0] == "3200"
    found = read(company, added)
    assert found.findtext("TimeModified") == "2026-11-02T15:01:00+00:00"
    assert ids(found) == ids(added) and found.findtext("Memo") is None
