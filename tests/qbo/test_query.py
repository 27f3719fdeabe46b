"""The query language of research §4, through the client and the raw endpoints."""

from __future__ import annotations

import httpx
import pytest

from sandbox.qbo import QboState, SeededCompany
from sync.errors import FatalError
from sync.models import ReferenceKind
from sync.targets.qbo import MemoryTokenStore, QboClient, QboTarget


def _names(page: dict[str, object], entity: str) -> list[str]:
    rows = page.get(entity) or []
    assert isinstance(rows, list)
    return [str(r.get("FullyQualifiedName") or r.get("DisplayName")) for r in rows]


async def test_like_is_case_insensitive_with_percent(client: QboClient) -> None:
    page = await client.query("select * from Account where FullyQualifiedName like 'job exp%'")
    assert _names(page, "Account") == [
        "Job Expenses",
        "Job Expenses:Labor",
        "Job Expenses:Materials",
        "Job Expenses:Subcontractors",
        "Job Expenses:Equipment Rental",
    ]
    page = await client.query("SELECT * FROM Account WHERE Name LIKE '%rent%'")
    assert _names(page, "Account") == ["Job Expenses:Equipment Rental"]


async def test_active_only_by_default(client: QboClient) -> None:
    default = await client.query("SELECT * FROM Vendor")
    assert "Dormant Drywall LLC" not in _names(default, "Vendor")
    both = await client.query("SELECT * FROM Vendor WHERE Active IN (true, false)")
    assert "Dormant Drywall LLC" in _names(both, "Vendor")
    inactive = await client.query("SELECT * FROM Vendor WHERE Active = false")
    assert _names(inactive, "Vendor") == ["Dormant Drywall LLC"]


async def test_in_refs_by_value_and_equality(client: QboClient, company: SeededCompany) -> None:
    acme = company.ids["customer"]["Acme Builders"]
    page = await client.query(f"SELECT * FROM Customer WHERE Job = true AND ParentRef = '{acme}'")
    assert _names(page, "Customer") == ["Acme Builders:1021 Main St Renovation"]
    ids = [company.ids["vendor"]["Ace Concrete Subcontracting"], "9999"]
    page = await client.query(f"SELECT * FROM Vendor WHERE Id IN ('{ids[0]}', '{ids[1]}')")
    assert _names(page, "Vendor") == ["Ace Concrete Subcontracting"]
    escaped = await client.query("SELECT * FROM Vendor WHERE DisplayName = 'Nobody\\'s Vendor'")
    assert escaped == {}


async def test_count_order_and_paging(client: QboClient) -> None:
    count = await client.query("SELECT COUNT(*) FROM Account WHERE Active IN (true,false)")
    assert count == {"totalCount": 9}
    ordered = await client.query("SELECT * FROM Account ORDER BY Name DESC MAXRESULTS 3")
    assert [r["Name"] for r in ordered["Account"]] == [
        "Subcontractors",
        "Retainage Payable",
        "Materials",
    ]
    page2 = await client.query("SELECT * FROM Account ORDERBY Name STARTPOSITION 4 MAXRESULTS 3")
    assert page2["startPosition"] == 4 and page2["maxResults"] == 3
    assert [r["Name"] for r in page2["Account"]] == ["Job Expenses", "Labor", "Materials"]
    past_end = await client.query("SELECT * FROM Account STARTPOSITION 100")
    assert past_end == {}


async def test_dot_path_compares_datetimes(client: QboClient) -> None:
    page = await client.query(
        "SELECT * FROM Vendor WHERE MetaData.LastUpdatedTime >= '2026-11-02T07:00:00-08:00'"
    )
    assert len(page["Vendor"]) == 2
    later = await client.query(
        "SELECT * FROM Vendor WHERE MetaData.LastUpdatedTime > '2026-11-02T07:00:00-08:00'"
    )
    assert later == {}


async def test_parse_and_validation_errors_are_fatal(client: QboClient) -> None:
    with pytest.raises(FatalError) as parse_error:
        await client.query("SELECT * FROM Bill WHERE TxnDate")
    assert parse_error.value.code == "4000"
    assert parse_error.value.detail.startswith("QueryParserError: Encountered")
    with pytest.raises(FatalError) as invalid:
        await client.query("SELECT * FROM Bill WHERE NoSuchField = '1'")
    assert invalid.value.code == "4001"
    assert "Property NoSuchField not found for Entity Bill" in invalid.value.detail


async def test_get_query_parameter(
    http: httpx.AsyncClient, client: QboClient, store: MemoryTokenStore
) -> None:
    await client.preferences()
    assert store.tokens is not None
    token = store.tokens.access_token
    response = await http.get(
        "/v3/company/9130350000000000/query",
        params={"query": "select * from Class", "minorversion": "65"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    assert _names(response.json()["QueryResponse"], "Class") == ["Labor", "Materials", "Subs"]
    assert "time" in response.json()


async def test_reference_data_includes_inactive_and_pages(
    target: QboTarget, client: QboClient, company: SeededCompany, state: QboState
) -> None:
    for n in range(1, 1006):  # more than one page of 1000
        state.add_class(company.realm_id, f"Cost code {n:04d}")
    records = await target.load_reference_data(
        {ReferenceKind.ACCOUNT, ReferenceKind.CUSTOMER, ReferenceKind.CLASS}
    )
    by_kind = {kind: [r for r in records if r.kind == kind] for kind in ReferenceKind}
    assert len(by_kind[ReferenceKind.CLASS]) == 1008
    labor = next(r for r in by_kind[ReferenceKind.ACCOUNT] if r.name == "Job Expenses:Labor")
    assert (labor.number, labor.type, labor.parent_id) == (
        "5010",
        "Cost of Goods Sold",
        company.ids["account"]["Job Expenses"],
    )
    old = next(r for r in by_kind[ReferenceKind.ACCOUNT] if r.name == "Old Materials")
    assert old.active is False
    assert "Acme Builders:1021 Main St Renovation" in [
        r.name for r in by_kind[ReferenceKind.CUSTOMER]
    ]
