"""Updates send what costbridge owns and nothing else; a bookkeeper's edit to it stops them.

Driven through the QBO sandbox, which keeps what a sparse update leaves out and replaces all
lines when ``Line`` is sent (research §2), so a client that sends the wrong lines loses them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from sandbox.qbo import SeededCompany
from sync.errors import EDITED_IN_TARGET, EditedInTargetError
from sync.models import MappedDocument, MappedLine, PostedRef, TargetKind, TargetRef
from sync.targets.base import Ownership, line_tag, tagged_line_id
from sync.targets.qbo import QboClient, QboTarget

from .conftest import mapped_po

PO = TargetKind.PURCHASE_ORDER


def owned(posted: PostedRef, **changes: Any) -> Ownership:
    return Ownership(line_ids=posted.line_ids, fields=posted.owned_fields, **changes)


async def bookkeeper_edits(client: QboClient, posted: PostedRef, **fields: Any) -> dict[str, Any]:
    """A sparse save in QuickBooks' own window: the fields given, nothing else."""
    current = await client.read("PurchaseOrder", posted.id)
    body = {"Id": posted.id, "SyncToken": current["SyncToken"], "sparse": True, **fields}
    return await client.write(
        "PurchaseOrder", body, request_id=f"bookkeeper-{current['SyncToken']}"
    )


def with_amount(mapped: MappedDocument, index: int, amount: str) -> MappedDocument:
    lines = list(mapped.lines)
    lines[index] = lines[index].model_copy(update={"amount": Decimal(amount)})
    return mapped.model_copy(update={"lines": tuple(lines)})


async def test_create_records_each_line_and_the_owned_fields(
    target: QboTarget, company: SeededCompany
) -> None:
    mapped = mapped_po(company)
    posted = await target.create(target.build(mapped, PO, "key-1"), "req-1")
    assert list(posted.line_ids) == [line.source_line_id for line in mapped.lines]
    assert len(set(posted.line_ids.values())) == 10
    header = posted.owned_fields["header"]
    assert header["DocNumber"] == "P-1021-CO-007"
    assert header["PrivateNote"].endswith("costbridge:key-1")
    assert posted.owned_fields["lines"]["L3"]["Amount"] == "1234567.89"


async def test_a_bookkeepers_memo_line_and_class_survive_our_update(
    target: QboTarget, client: QboClient, company: SeededCompany
) -> None:
    mapped = mapped_po(company)
    posted = await target.create(target.build(mapped, PO, "key-1"), "req-1")
    current = await client.read("PurchaseOrder", posted.id)
    lines = current["Line"]
    # line 2 has no class from us: the bookkeeper puts one on it; and adds a freight line
    lines[1]["AccountBasedExpenseLineDetail"]["ClassRef"] = {"value": company.ids["class"]["Labor"]}
    freight = {
        "Amount": 75,
        "Description": "Freight (added in QuickBooks)",
        "DetailType": "AccountBasedExpenseLineDetail",
        "AccountBasedExpenseLineDetail": {
            "AccountRef": {"value": company.ids["account"]["Materials"]}
        },
    }
    await bookkeeper_edits(client, posted, Memo="Call before delivery", Line=[*lines, freight])

    revised = with_amount(mapped, 4, "1250.00")  # line 5: 1000.00 → 1250.00
    updated = await target.update(
        target.build(revised, PO, "key-1"), posted, "req-2", owned(posted)
    )

    after = await client.read("PurchaseOrder", posted.id)
    assert after["Memo"] == "Call before delivery"
    assert [line["Description"] for line in after["Line"]][-1] == "Freight (added in QuickBooks)"
    assert len(after["Line"]) == 11
    by_id = {line["Id"]: line for line in after["Line"]}
    assert Decimal(str(by_id[posted.line_ids["L5"]]["Amount"])) == Decimal("1250.00")
    class_ref = by_id[posted.line_ids["L2"]]["AccountBasedExpenseLineDetail"]["ClassRef"]
    assert class_ref["value"] == company.ids["class"]["Labor"]
    assert updated.line_ids == posted.line_ids  # the same lines, edited in place
    assert Decimal(str(after["TotalAmt"])) == sum(
        (Decimal(str(line["Amount"])) for line in after["Line"]), Decimal("0")
    )


async def test_an_edit_to_a_field_we_own_stops_the_update_and_says_what(
    target: QboTarget, client: QboClient, company: SeededCompany
) -> None:
    mapped = mapped_po(company)
    posted = await target.create(target.build(mapped, PO, "key-1"), "req-1")
    current = await client.read("PurchaseOrder", posted.id)
    lines = current["Line"]
    lines[2]["Amount"] = 1234000  # line 3, ours
    await bookkeeper_edits(client, posted, PrivateNote="Approved by Sam", Line=lines)
    revised = target.build(with_amount(mapped, 4, "1250.00"), PO, "key-1")

    with pytest.raises(EditedInTargetError) as caught:
        await target.update(revised, posted, "req-2", owned(posted))

    edits = caught.value.edits
    assert any(edit.startswith("PrivateNote") and "Approved by Sam" in edit for edit in edits)
    assert any(edit.startswith("line 3 Amount '1234567.89' → '1234000'") for edit in edits)
    assert caught.value.reasons[0].kind == EDITED_IN_TARGET
    assert "P-1021-CO-007 was edited in QuickBooks by someone else" in str(caught.value)
    untouched = await client.read("PurchaseOrder", posted.id)
    assert untouched["PrivateNote"] == "Approved by Sam"  # nothing was written

    # a person chose Procore's version: it goes through, and our fields are ours again
    await target.update(revised, posted, "req-3", owned(posted, overwrite=True))
    after = await client.read("PurchaseOrder", posted.id)
    assert after["PrivateNote"].endswith("costbridge:key-1")
    assert Decimal(str(after["Line"][2]["Amount"])) == Decimal("1234567.89")


async def test_our_line_deleted_in_quickbooks_is_a_conflict(
    target: QboTarget, client: QboClient, company: SeededCompany
) -> None:
    mapped = mapped_po(company)
    posted = await target.create(target.build(mapped, PO, "key-1"), "req-1")
    current = await client.read("PurchaseOrder", posted.id)
    await bookkeeper_edits(client, posted, Line=current["Line"][1:])
    with pytest.raises(EditedInTargetError) as caught:
        await target.update(target.build(mapped, PO, "key-1"), posted, "req-2", owned(posted))
    assert caught.value.edits == ["line for Procore line L1 deleted"]


async def test_a_line_removed_in_procore_goes_and_the_bookkeepers_line_stays(
    target: QboTarget, client: QboClient, company: SeededCompany
) -> None:
    mapped = mapped_po(company)
    posted = await target.create(target.build(mapped, PO, "key-1"), "req-1")
    current = await client.read("PurchaseOrder", posted.id)
    extra = {
        "Amount": 10,
        "DetailType": "AccountBasedExpenseLineDetail",
        "AccountBasedExpenseLineDetail": {"AccountRef": {"value": company.ids["account"]["Labor"]}},
    }
    await bookkeeper_edits(client, posted, Line=[*current["Line"], extra])
    fewer = mapped.model_copy(update={"lines": mapped.lines[:8]})
    updated = await target.update(target.build(fewer, PO, "key-1"), posted, "req-2", owned(posted))
    after = await client.read("PurchaseOrder", posted.id)
    assert len(after["Line"]) == 9  # our 8 and the bookkeeper's
    assert set(updated.line_ids) == {f"L{i}" for i in range(1, 9)}
    assert Decimal(str(after["Line"][-1]["Amount"])) == Decimal("10")


async def test_unknown_ownership_adopts_every_line_as_ours(
    target: QboTarget, client: QboClient, company: SeededCompany
) -> None:
    """A link from before lines were recorded, or a document found after a lost answer:
    costbridge wrote all of it, so the update brings all of it to this version."""
    mapped = mapped_po(company)
    posted = await target.create(target.build(mapped, PO, "key-1"), "req-1")
    fewer = mapped.model_copy(update={"lines": mapped.lines[:3]})
    updated = await target.update(target.build(fewer, PO, "key-1"), posted, "req-2", Ownership())
    after = await client.read("PurchaseOrder", posted.id)
    assert [Decimal(str(line["Amount"])) for line in after["Line"]] == [
        line.amount for line in fewer.lines
    ]
    assert updated.line_ids == {k: v for k, v in posted.line_ids.items() if k in ("L1", "L2", "L3")}


def change_order_lines(company: SeededCompany, number: str, amounts: list[str]) -> MappedDocument:
    """A change order's lines as ``sync.engine.amend.tagged`` hands them over."""
    base = mapped_po(company, number)
    lines = tuple(
        MappedLine(
            source_line_id=f"{number}-{i}",
            description=f"extra {i} {line_tag(number, f'{number}-{i}')}",
            amount=Decimal(amount),
            account=TargetRef(id=company.ids["account"]["Labor"]),
        )
        for i, amount in enumerate(amounts, start=1)
    )
    return base.model_copy(update={"lines": lines})


async def test_amending_adds_edits_and_removes_only_the_change_orders_lines(
    target: QboTarget, client: QboClient, company: SeededCompany
) -> None:
    commitment = await target.create(target.build(mapped_po(company), PO, "com-1"), "req-1")
    first = change_order_lines(company, "001", ["100.00", "200.00"])
    second = change_order_lines(company, "002", ["-50.00", "25.00"])
    amend = Ownership(header=False)
    existing = commitment.model_copy(update={"sync_token": ""})
    one = await target.update(target.build(first, PO, "cco-1"), existing, "a-1", amend)
    two = await target.update(target.build(second, PO, "cco-2"), existing, "a-2", amend)
    po = await client.read("PurchaseOrder", commitment.id)
    assert len(po["Line"]) == 14
    assert po["PrivateNote"].endswith("costbridge:com-1")  # the header stays the commitment's
    assert tagged_line_id(po["Line"][-1]["Description"]) == "002-2"

    revised = change_order_lines(company, "002", ["-75.00", "25.00", "5.00"])
    two = await target.update(
        target.build(revised, PO, "cco-2"), two, "a-3", owned(two, header=False)
    )
    po = await client.read("PurchaseOrder", commitment.id)
    amounts = {line["Id"]: Decimal(str(line["Amount"])) for line in po["Line"]}
    assert [amounts[two.line_ids[f"002-{i}"]] for i in (1, 2, 3)] == [
        Decimal("-75.00"), Decimal("25.00"), Decimal("5.00")
    ]  # fmt: skip
    assert [amounts[one.line_ids[f"001-{i}"]] for i in (1, 2)] == [
        Decimal("100.00"), Decimal("200.00")
    ]  # fmt: skip
    assert len(po["Line"]) == 15

    await target.remove_lines(two, owned(two, header=False, overwrite=True), "a-4", "k")
    po = await client.read("PurchaseOrder", commitment.id)
    assert len(po["Line"]) == 12
    assert {tagged_line_id(line.get("Description") or "") for line in po["Line"]} >= {"001-1"}


async def test_an_amend_whose_answer_was_lost_is_not_added_twice(
    target: QboTarget, client: QboClient, company: SeededCompany
) -> None:
    commitment = await target.create(target.build(mapped_po(company), PO, "com-1"), "req-1")
    first = target.build(change_order_lines(company, "001", ["100.00", "200.00"]), PO, "cco-1")
    existing = commitment.model_copy(update={"sync_token": ""})
    await target.update(first, existing, "a-1", Ownership(header=False))
    # the answer never reached us: nothing recorded, the same write again
    again = await target.update(first, existing, "a-1", Ownership(header=False))
    po = await client.read("PurchaseOrder", commitment.id)
    assert len(po["Line"]) == 12
    assert set(again.line_ids) == {"001-1", "001-2"}


async def test_our_own_update_whose_answer_was_lost_is_no_conflict(
    target: QboTarget, client: QboClient, company: SeededCompany
) -> None:
    """The retry reads the document our lost write already changed: that is no edit."""
    mapped = mapped_po(company)
    posted = await target.create(target.build(mapped, PO, "key-1"), "req-1")
    revised = target.build(with_amount(mapped, 4, "1250.00"), PO, "key-1")
    await target.update(revised, posted, "req-2", owned(posted))  # landed; the answer is lost
    again = await target.update(revised, posted, "req-2", owned(posted))  # what we knew before
    after = await client.read("PurchaseOrder", posted.id)
    assert len(after["Line"]) == 10 and again.line_ids == posted.line_ids
    assert Decimal(str(after["Line"][4]["Amount"])) == Decimal("1250.00")
