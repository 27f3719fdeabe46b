"""The product's Desktop Mod plan (sync.targets.qbd.sparse) against the fake company file's
line rules: a bill's or vendor credit's two line lists are modified each on its own, so a
list that keeps none of its lines must be cleared, not just left unnamed."""

from __future__ import annotations

from lxml import etree

from sandbox.qbd import CompanyFile
from sync.models import TargetKind
from sync.targets.base import Ownership
from sync.targets.qbd import requests as rq
from sync.targets.qbd import sparse
from tests.qbd.test_sandbox_mod_rules import LABOR, add, company, full, ids, line, read, send
from tests.qbd.test_sandbox_mod_rules import total as total_of

__all__ = ["company"]  # the fixture, reused


def list_id(company: CompanyFile, kind: str, full_name: str) -> str:
    (found,) = [r.list_id for r in company.lists[kind].values() if r.full_name == full_name]
    return found


def test_a_vendor_credit_that_keeps_no_item_line_clears_the_item_list(
    company: CompanyFile,
) -> None:
    added = add(
        company,
        "VendorCredit",
        line("ExpenseLine", "Add", **full("ExpenseLine", Amount="10.00")),
        line("ItemLine", "Add", **full("ItemLine", Amount="30.00")),
    )
    [expense], [item] = ids(added, "ExpenseLine"), ids(added, "ItemLine")
    body = {
        "party": added.findtext("VendorRef/ListID"),
        "txn_date": "",
        "ref_number": "R-1",
        "memo": "revised [costbridge:procore-cco-1]",
        "lines": [
            {
                "key": "E",
                "amount": "15.00",
                "desc": "",
                "account": list_id(company, "account", LABOR),
                "item": "",
                "class": "",
                "customer": "",
                "billable": None,
            }
        ],
        "total": "15.00",
    }
    ownership = Ownership(line_ids={"E": expense, "I": item})
    current = read(company, added)
    plan = sparse.mod_plan(TargetKind.VENDOR_CREDIT, body, current, ownership)
    assert plan == [
        {"line": 0, "txn_line_id": expense, "group": "ExpenseLine"},
        {"clear": "ItemLine", "group": "ItemLine"},
    ]
    request = rq.txn_mod(
        TargetKind.VENDOR_CREDIT,
        body,
        "9",
        txn_id=current.findtext("TxnID") or "",
        edit_sequence=current.findtext("EditSequence") or "",
        po_item="",
        plan=plan,
    )
    answer = send(company, etree.tostring(request, encoding="unicode"))
    assert answer.get("statusCode") == "0"
    found = read(company, added)
    assert ids(found, "ItemLine") == [] and ids(found, "ExpenseLine") == [expense]
    assert total_of(found) == "15.00"
    line_ids, _owned = sparse.owned_after(TargetKind.VENDOR_CREDIT, body, answer[0], plan)
    assert line_ids == {"E": expense}
