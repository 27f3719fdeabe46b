"""List requests of the fake QuickBooks: queries (with iterators), CustomerAdd, VendorAdd."""

from __future__ import annotations

import uuid

from lxml import etree

from sandbox.qbd.answers import NO_MATCH, QbError, ref, rs, stamp, sub, text
from sandbox.qbd.company import CompanyFile, Iterator
from sandbox.qbd.records import ListRow

KIND_OF_QUERY = {
    "AccountQueryRq": "account",
    "VendorQueryRq": "vendor",
    "CustomerQueryRq": "customer",
    "ItemQueryRq": "item",
    "ClassQueryRq": "class",
}
RET_OF = {
    "account": "AccountRet",
    "vendor": "VendorRet",
    "customer": "CustomerRet",
    "class": "ClassRet",
}


def _ret(company: CompanyFile, row: ListRow) -> etree._Element:
    tag = f"Item{row.item_type}Ret" if row.kind == "item" else RET_OF[row.kind]
    ret = etree.Element(tag)
    sub(ret, "ListID", row.list_id)
    sub(ret, "TimeCreated", stamp(row.created))
    sub(ret, "TimeModified", stamp(row.modified))
    sub(ret, "EditSequence", row.edit_sequence)
    sub(ret, "Name", row.name)
    if row.kind != "vendor":
        sub(ret, "FullName", row.full_name)
    sub(ret, "IsActive", "true" if row.active else "false")
    if row.parent_id:
        parent = company.lists[row.kind][row.parent_id]
        ref(ret, "ParentRef", parent.list_id, parent.full_name)
    if row.kind in ("account", "customer", "item", "class"):
        sub(ret, "Sublevel", str(row.sublevel))
    if row.kind == "account":
        sub(ret, "AccountType", row.account_type)
        if row.account_number:
            sub(ret, "AccountNumber", row.account_number)
    return ret


def _matches(row: ListRow, request: etree._Element) -> bool:
    ids = [e.text for e in request.findall("ListID")]
    names = [(e.text or "").lower() for e in request.findall("FullName")]
    if ids:
        return row.list_id in ids
    if names:
        return row.full_name.lower() in names
    status = text(request, "ActiveStatus") or "ActiveOnly"
    if status == "ActiveOnly" and not row.active:
        return False
    if status == "InactiveOnly" and row.active:
        return False
    wanted = text(request, "NameFilter/Name").lower()
    how = text(request, "NameFilter/MatchCriterion")
    name = row.full_name.lower()
    if how == "StartsWith":
        return name.startswith(wanted)
    if how == "Contains":
        return wanted in name
    if how == "EndsWith":
        return name.endswith(wanted)
    return True


def query(company: CompanyFile, request: etree._Element) -> etree._Element:
    tag = str(request.tag)
    kind = KIND_OF_QUERY[tag]
    rid = request.get("requestID", "")
    answer_tag = tag.removesuffix("Rq") + "Rs"
    iterator = request.get("iterator", "")
    limit = int(text(request, "MaxReturned") or 0)
    if iterator == "Continue":
        state = company.iterators.get(request.get("iteratorID", ""))
        if state is None or company.faults.stale_iterator:
            company.faults.stale_iterator = False
            message = f'The iteratorID "{request.get("iteratorID", "")}" is not valid.'
            return rs(answer_tag, rid, 3391, message)
        rows, iterator_id = state.rows, request.get("iteratorID", "")
    else:
        rows = [r for r in company.lists[kind].values() if _matches(r, request)]
        iterator_id = "{" + str(uuid.uuid4()) + "}" if iterator == "Start" else ""
    page, rest = (rows[:limit], rows[limit:]) if limit else (rows, [])
    if not page and iterator != "Continue":
        return rs(answer_tag, rid, 1, NO_MATCH)
    answer = rs(answer_tag, rid)
    if iterator:
        answer.set("iteratorRemainingCount", str(len(rest)))
        answer.set("iteratorID", iterator_id)
        company.iterators[iterator_id] = Iterator(kind, rest, 0)
    elif rest:
        pass  # MaxReturned without an iterator: the rest is simply not returned
    for row in page:
        answer.append(_ret(company, row))
    return answer


def add_name(company: CompanyFile, request: etree._Element) -> etree._Element:
    """CustomerAdd (a job with ParentRef) or VendorAdd."""
    tag = str(request.tag)
    kind = "customer" if tag == "CustomerAddRq" else "vendor"
    rid = request.get("requestID", "")
    add = request[0]
    name = text(add, "Name")
    parent = None
    if add.find("ParentRef") is not None:
        parent = company.by_id(kind, text(add, "ParentRef/ListID")) or company.by_name(
            kind, text(add, "ParentRef/FullName")
        )
        if parent is None:
            wanted = text(add, "ParentRef/FullName") or text(add, "ParentRef/ListID")
            message = f'There is an invalid reference to a parent "{wanted}" in the Customers list.'
            return rs(tag.removesuffix("Rq") + "Rs", rid, 3130, message)
    full = f"{parent.full_name}:{name}" if parent else name
    if company.name_in_use(full):
        message = f'The name "{full}" of the list element is already in use.'
        return rs(tag.removesuffix("Rq") + "Rs", rid, 3100, message)
    if company.faults.in_use:
        company.faults.in_use -= 1
        raise QbError(3180, "This list has been modified by another user.")
    row = company.add(kind, name, parent=parent.full_name if parent else "")
    answer = rs(tag.removesuffix("Rq") + "Rs", rid)
    answer.append(_ret(company, row))
    return answer
