"""Every qbXML request the service emitted in this test run validates against Intuit's XSD.

Runs last in the directory (alphabetical order after the session tests fill ``EMITTED``);
it also produces requests of every kind itself, so it checks something when run alone.
"""

from __future__ import annotations

import pytest
from lxml import etree

from sandbox.qbd.schema import qbxml_schema
from sync.models import TargetKind
from sync.targets.qbd import requests as rq
from sync.targets.qbd.qbxml import message_set
from tests.qbd.conftest import EMITTED

pytestmark = pytest.mark.skipif(qbxml_schema() is None, reason="qbXML schemas not available")

BODY = {
    "party": "80000001-1",
    "txn_date": "2026-12-01",
    "ref_number": "SC-001-001",
    "memo": "Procore commitment change order 001 [costbridge:procore-cco-1]",
    "total": "21.00",
    "lines": [
        {
            "amount": "10.00",
            "desc": "a",
            "account": "A",
            "item": "",
            "class": "C",
            "customer": "J",
            "billable": True,
            "quantity": "2",
            "rate": "5",
        },
        {
            "amount": "11.00",
            "desc": "b",
            "account": "",
            "item": "I",
            "class": "",
            "customer": "J",
            "billable": None,
        },
    ],
}


def _every_kind() -> list[str]:
    out = []
    for kind in TargetKind:
        body = BODY
        if kind in (TargetKind.INVOICE, TargetKind.ESTIMATE, TargetKind.CREDIT_MEMO):
            body = {**BODY, "lines": [{**BODY["lines"][1], "customer": ""}]}  # type: ignore[dict-item]
        out += [
            message_set([rq.txn_add(kind, body, "1", "Job Cost")]),
            message_set(
                [rq.txn_mod(kind, body, "2", txn_id="1-1", edit_sequence="9", po_item="Job Cost")]
            ),
            message_set([rq.txn_find(kind, body, "3")]),
            message_set([rq.txn_read(kind, "1-1", "4")]),
            message_set([rq.txn_void(kind, "1-1", "10")]),  # TxnVoidRq or TxnDelRq by kind
        ]
    for name in rq.LIST_QUERY:
        out += [
            message_set([rq.list_query(name, "5")]),
            message_set([rq.list_query(name, "6", iterator_id="{x}")]),
            message_set([rq.list_read(name, "Acme Builders:Job", "7")]),
        ]
    out += [
        message_set([rq.customer_add("1021 Main St", "80000001-1", "8")]),
        message_set([rq.vendor_add("Bright Spark Electric", "9")]),
    ]
    return out


def _invalid(requests: list[str]) -> list[str]:
    schema = qbxml_schema()
    assert schema is not None
    bad = []
    for text in requests:
        root = etree.fromstring(text.split("?>", 2)[2].encode("utf-8"))
        if not schema.validate(root):
            bad.append(f"{str(schema.error_log).splitlines()[-1:]}: {text[:300]}")
    return bad


def test_every_kind_of_request_is_valid() -> None:
    assert _invalid(_every_kind()) == []


def test_out_of_order_is_caught() -> None:
    text = message_set([rq.txn_add(TargetKind.BILL, BODY, "1", "Job Cost")])
    swapped = text.replace(
        "<TxnDate>2026-12-01</TxnDate><RefNumber>SC-001-001</RefNumber>",
        "<RefNumber>SC-001-001</RefNumber><TxnDate>2026-12-01</TxnDate>",
    )
    assert swapped != text and _invalid([swapped])


def test_every_request_emitted_in_the_suite_is_valid() -> None:
    assert _invalid(EMITTED) == []
    if not EMITTED:
        pytest.skip("run with the other tests/qbd modules to check what the service emitted")
