"""Emulator behaviour that the client tests do not reach: raw envelopes, updates, admin API."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest

from sandbox.qbo import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    TOKEN_PATH,
    QboState,
    SeededCompany,
    create_app,
    jsonio,
)
from sandbox.transport import SandboxTransport

from .conftest import BASE

REALM = "9130350000000000"


class Api:
    """A bare authenticated caller, to see exactly what goes over the wire."""

    def __init__(self, http: httpx.AsyncClient, token: str) -> None:
        self.http = http
        self.headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}

    async def post(self, entity: str, body: str | dict[str, Any], **params: str) -> httpx.Response:
        content = body if isinstance(body, str) else None
        return await self.http.post(
            f"/v3/company/{REALM}/{entity}",
            params=params,
            content=content,
            json=None if content is not None else body,
            headers=self.headers,
        )

    async def get(self, path: str, **params: str) -> httpx.Response:
        return await self.http.get(
            f"/v3/company/{REALM}/{path}", params=params, headers=self.headers
        )


@pytest.fixture
async def api(http: httpx.AsyncClient, company: SeededCompany) -> Api:
    assert company.refresh_token is not None
    response = await http.post(
        TOKEN_PATH,
        auth=(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET),
        data={"grant_type": "refresh_token", "refresh_token": company.refresh_token},
    )
    return Api(http, response.json()["access_token"])


def _bill(company: SeededCompany, amounts: list[str], doc: str = "B-1") -> str:
    """Raw JSON text with Decimal amounts, so they travel exactly as written."""
    account = {"value": company.ids["account"]["Subcontractors"]}
    body = {
        "VendorRef": {"value": company.ids["vendor"]["Ace Concrete Subcontracting"]},
        "DocNumber": doc,
        "Line": [
            {
                "DetailType": "AccountBasedExpenseLineDetail",
                "Amount": Decimal(a),
                "AccountBasedExpenseLineDetail": {"AccountRef": account},
            }
            for a in amounts
        ],
    }
    return jsonio.dumps(body).decode()


async def test_amounts_round_trip_as_exact_json_numbers(api: Api, company: SeededCompany) -> None:
    response = await api.post("bill", _bill(company, ["12500.00", "0.10", "0.20"]))
    assert response.status_code == 200
    assert '"Amount":12500.00' in response.text
    assert '"TotalAmt":12500.30' in response.text
    assert response.headers["intuit_tid"]
    assert response.json()["time"].startswith("2026-11-02T15:00:00")


async def test_replay_ignores_the_new_body(
    api: Api, company: SeededCompany, state: QboState
) -> None:
    first = await api.post("bill", _bill(company, ["1.00"]), requestid="same")
    second = await api.post("bill", '{"nonsense": true}', requestid="same")
    assert (second.status_code, second.content) == (first.status_code, first.content)
    assert len(state.realm(REALM).rows("Bill")) == 1
    too_long = await api.post("bill", _bill(company, ["1.00"], "B-2"), requestid="x" * 51)
    assert too_long.json()["Fault"]["Error"][0]["code"] == "6000"


async def test_full_and_sparse_update(api: Api, company: SeededCompany) -> None:
    created = (await api.post("bill", _bill(company, ["10.00", "5.00"]))).json()["Bill"]
    assert created["SyncToken"] == "0" and created["Balance"] == 15
    sparse = await api.post(
        "bill", {"Id": created["Id"], "SyncToken": "0", "sparse": True, "PrivateNote": "memo"}
    )
    kept = sparse.json()["Bill"]
    assert (kept["SyncToken"], kept["PrivateNote"], kept["DocNumber"]) == ("1", "memo", "B-1")
    assert [line["Id"] for line in kept["Line"]] == ["1", "2"]

    full = dict(created, SyncToken="1", TotalAmt=999)  # read-only values are ignored
    full.pop("DocNumber")
    full["Line"] = [created["Line"][1], {**created["Line"][0], "Id": "0", "Amount": 7}]
    body = (await api.post("bill", full)).json()["Bill"]
    assert body["SyncToken"] == "2"
    assert "DocNumber" not in body  # a full update sets omitted writable fields to null
    assert "PrivateNote" not in body
    assert [line["Id"] for line in body["Line"]] == ["2", "3"]  # line Id semantics
    assert body["TotalAmt"] == 12
    assert body["MetaData"]["CreateTime"] == created["MetaData"]["CreateTime"]

    stale = await api.post("bill", dict(full, SyncToken="1"))
    assert stale.status_code == 400
    assert stale.json()["Fault"]["Error"][0]["code"] == "5010"


async def test_delete_void_and_deleted_reads(api: Api, company: SeededCompany) -> None:
    bill = (await api.post("bill", _bill(company, ["3.00"]))).json()["Bill"]
    deleted = await api.post("bill", {"Id": bill["Id"], "SyncToken": "0"}, operation="delete")
    assert deleted.json()["Bill"] == {"domain": "QBO", "status": "Deleted", "Id": bill["Id"]}
    gone = await api.get(f"bill/{bill['Id']}")
    assert gone.status_code == 400
    assert gone.json()["Fault"]["Error"][0]["code"] == "610"
    vendor = company.ids["vendor"]["Ace Concrete Subcontracting"]
    refused = await api.post("vendor", {"Id": vendor, "SyncToken": "0"}, operation="delete")
    assert refused.json()["Fault"]["Error"][0]["code"] == "500"
    void_bill = await api.post("bill", {"Id": "1", "SyncToken": "0"}, operation="void")
    assert void_bill.json()["Fault"]["Error"][0]["code"] == "500"


async def test_doc_number_duplicates_follow_the_preference(
    api: Api, company: SeededCompany, state: QboState
) -> None:
    await api.post("bill", _bill(company, ["1.00"], "DUP"))
    dup = await api.post("bill", _bill(company, ["1.00"], "DUP"))
    assert dup.json()["Fault"]["Error"][0]["code"] == "6140"
    allowed = await api.post(
        "bill", _bill(company, ["1.00"], "DUP"), include="allowduplicatedocnum"
    )
    assert allowed.status_code == 200
    state.realm(REALM).settings.warn_duplicate_docnum = False
    assert (await api.post("bill", _bill(company, ["1.00"], "DUP"))).status_code == 200


async def test_hierarchy_names_and_name_rules(api: Api, company: SeededCompany) -> None:
    parent = company.ids["customer"]["Acme Builders"]
    renamed = await api.post(
        "customer", {"Id": parent, "SyncToken": "0", "sparse": True, "DisplayName": "Acme Corp"}
    )
    assert renamed.status_code == 200
    job = (
        await api.get(
            f"customer/{company.ids['customer']['Acme Builders:1021 Main St Renovation']}"
        )
    ).json()
    assert job["Customer"]["FullyQualifiedName"] == "Acme Corp:1021 Main St Renovation"
    assert job["Customer"]["Level"] == 1
    orphan = await api.post("customer", {"DisplayName": "Lost job", "Job": True})
    assert orphan.json()["Fault"]["Error"][0] == {
        "Message": "Required Param Missing",
        "Detail": "Required parameter ParentRef is missing in the request",
        "code": "2020",
        "element": "ParentRef",
    }
    no_income = await api.post("item", {"Name": "Consulting", "Type": "Service"})
    assert no_income.json()["Fault"]["Error"][0]["element"] == "IncomeAccountRef"
    colon = await api.post("account", {"Name": "A:B", "AccountType": "Expense"})
    assert colon.json()["Fault"]["Error"][0]["code"] == "6000"
    untyped = await api.post("account", {"Name": "Untyped"})
    assert untyped.json()["Fault"]["Error"][0]["code"] == "6010"
    dup_account = await api.post("account", {"Name": "job expenses", "AccountType": "Expense"})
    assert dup_account.json()["Fault"]["Error"][0]["code"] == "6240"
    unknown = await api.post("vendor", {"DisplayName": "X", "Colour": "red"})
    assert unknown.json()["Fault"]["Error"][0]["code"] == "2010"


async def test_minorversion_is_recorded_and_floored(api: Api, state: QboState) -> None:
    await api.get("preferences")
    await api.get("preferences", minorversion="70")
    await api.get("preferences", minorversion="80")
    assert [c.minor_version for c in state.calls] == [75, 75, 80]


async def test_unknown_entity_is_unsupported(api: Api) -> None:
    response = await api.get("widget/1")
    assert response.json()["Fault"]["Error"][0]["code"] == "500"


async def test_admin_api_seeds_switches_faults_and_issues_tokens(clock: Any) -> None:
    state = QboState(clock)
    app = create_app(state)
    async with httpx.AsyncClient(transport=SandboxTransport(app), base_url=BASE) as http:
        seeded = await http.post(
            "/_sandbox/seed",
            json={
                "realm_id": "42",
                "app": {"client_id": "c", "client_secret": "s"},
                "accounts": [
                    {"name": "Job Costs", "account_type": "Cost of Goods Sold"},
                    {
                        "name": "Concrete",
                        "account_type": "Cost of Goods Sold",
                        "parent": "Job Costs",
                        "acct_num": "5100",
                    },
                ],
                "customers": [{"name": "Owner", "jobs": [{"name": "Tower"}]}],
                "vendors": [{"name": "Old Sub", "active": False}],
                "book_close_date": "2025-12-31",
            },
        )
        assert seeded.status_code == 200
        ids = seeded.json()["ids"]
        assert ids["customer"]["Owner:Tower"]
        listed = (await http.get("/_sandbox/42/entities/account")).json()
        assert [a["FullyQualifiedName"] for a in listed] == ["Job Costs", "Job Costs:Concrete"]
        assert (await http.get("/_sandbox/42/entities/vendor")).json()[0]["Active"] is False
        assert state.realm("42").book_close_date() == "2025-12-31"

        issued = (
            await http.post("/_sandbox/tokens", json={"client_id": "c", "realm_id": "42"})
        ).json()
        token = await http.post(
            TOKEN_PATH,
            auth=("c", "s"),
            data={"grant_type": "refresh_token", "refresh_token": issued["refresh_token"]},
        )
        access = token.json()["access_token"]
        switches = await http.post("/_sandbox/faults", json={"drop_after_commit_next": 1})
        assert switches.json()["drop_after_commit_next"] == 1
        with pytest.raises(httpx.RemoteProtocolError):
            await http.post(
                "/v3/company/42/vendor",
                json={"DisplayName": "Committed"},
                headers={"Authorization": f"Bearer {access}"},
            )
        names = [v["DisplayName"] for v in (await http.get("/_sandbox/42/entities/vendor")).json()]
        assert "Committed" in names  # the write happened although the answer was lost
        await http.post("/_sandbox/faults", json={"timeout_next": 1})
        with pytest.raises(httpx.ReadTimeout):
            await http.get(
                "/v3/company/42/preferences", headers={"Authorization": f"Bearer {access}"}
            )
        wrong_realm = await http.get(
            f"/v3/company/{REALM}/preferences", headers={"Authorization": f"Bearer {access}"}
        )
        assert wrong_realm.status_code == 401


def test_other_realm_is_isolated(state: QboState, company: SeededCompany) -> None:
    state.add_realm("other")
    assert state.realm("other").rows("Vendor") == []
    assert state.realm(company.realm_id).rows("Vendor")
