"""Seeding a company: from JSON (admin API, fixtures) and the ready-made demo company.

References between seeded objects are by name (an item's accounts, an account's parent), so a
seed file reads like a chart of accounts rather than a list of ids.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from sandbox.qbo.state import QboState


class _Seed(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AccountSeed(_Seed):
    name: str
    account_type: str
    sub_type: str | None = None
    acct_num: str | None = None
    parent: str | None = None  # the parent account's name
    active: bool = True


class NamedSeed(_Seed):
    name: str
    active: bool = True


class CustomerSeed(_Seed):
    name: str
    active: bool = True
    jobs: list[NamedSeed] = Field(default_factory=list)


class ItemSeed(_Seed):
    name: str
    type: str = "Service"
    income_account: str | None = None
    expense_account: str | None = None
    active: bool = True


class AppSeed(_Seed):
    client_id: str
    client_secret: str


class CompanySeed(_Seed):
    realm_id: str
    company_name: str = "Sandbox Company"
    app: AppSeed | None = None
    accounts: list[AccountSeed] = Field(default_factory=list)
    vendors: list[NamedSeed] = Field(default_factory=list)
    customers: list[CustomerSeed] = Field(default_factory=list)
    items: list[ItemSeed] = Field(default_factory=list)
    classes: list[NamedSeed] = Field(default_factory=list)
    departments: list[NamedSeed] = Field(default_factory=list)
    preferences: dict[str, dict[str, Any]] = Field(default_factory=dict)
    book_close_date: date | None = None


class SeededCompany(BaseModel):
    """Ids by kind and name (jobs as "Customer:Job"), plus a refresh token when an app was set."""

    realm_id: str
    ids: dict[str, dict[str, str]]
    refresh_token: str | None = None


def seed_company(state: QboState, seed: CompanySeed) -> SeededCompany:
    realm = seed.realm_id
    state.add_realm(realm, seed.company_name)
    ids: dict[str, dict[str, str]] = {
        k: {} for k in ("account", "vendor", "customer", "item", "class", "department")
    }
    accounts = ids["account"]
    for acc in seed.accounts:
        accounts[acc.name] = state.add_account(
            realm,
            acc.name,
            acc.account_type,
            sub_type=acc.sub_type,
            acct_num=acc.acct_num,
            parent_id=accounts[acc.parent] if acc.parent else None,
            active=acc.active,
        )
    for vendor in seed.vendors:
        ids["vendor"][vendor.name] = state.add_vendor(realm, vendor.name, active=vendor.active)
    for customer in seed.customers:
        parent = state.add_customer(realm, customer.name, active=customer.active)
        ids["customer"][customer.name] = parent
        for job in customer.jobs:
            job_id = state.add_job(realm, parent, job.name, active=job.active)
            ids["customer"][f"{customer.name}:{job.name}"] = job_id
    for item in seed.items:
        ids["item"][item.name] = state.add_item(
            realm,
            item.name,
            item_type=item.type,
            income_account_id=accounts[item.income_account] if item.income_account else None,
            expense_account_id=accounts[item.expense_account] if item.expense_account else None,
            active=item.active,
        )
    for cls in seed.classes:
        ids["class"][cls.name] = state.add_class(realm, cls.name, active=cls.active)
    for dept in seed.departments:
        ids["department"][dept.name] = state.add_department(realm, dept.name, active=dept.active)
    for section, values in seed.preferences.items():
        state.set_preferences(realm, section, **values)
    if seed.book_close_date is not None:
        state.close_books(realm, seed.book_close_date)
    token = None
    if seed.app is not None:
        state.register_app(seed.app.client_id, seed.app.client_secret)
        token = state.issue_refresh_token(seed.app.client_id, realm)
    return SeededCompany(realm_id=realm, ids=ids, refresh_token=token)


DEMO_REALM = "9130350000000000"
DEMO_CLIENT_ID = "costbridge-demo"
DEMO_CLIENT_SECRET = "demo-secret"  # noqa: S105 - a sandbox-only credential


def demo_seed(realm_id: str = DEMO_REALM) -> CompanySeed:
    """A small construction company: job-cost COGS accounts, subs, two customers with jobs."""
    return CompanySeed(
        realm_id=realm_id,
        company_name="Costbridge Demo Builders",
        app=AppSeed(client_id=DEMO_CLIENT_ID, client_secret=DEMO_CLIENT_SECRET),
        accounts=[
            AccountSeed(
                name="Accounts Payable (A/P)",
                account_type="Accounts Payable",
                sub_type="AccountsPayable",
            ),
            AccountSeed(name="Job Expenses", account_type="Cost of Goods Sold", acct_num="5000"),
            AccountSeed(
                name="Labor",
                account_type="Cost of Goods Sold",
                sub_type="CostOfLaborCos",
                acct_num="5010",
                parent="Job Expenses",
            ),
            AccountSeed(
                name="Materials",
                account_type="Cost of Goods Sold",
                sub_type="SuppliesMaterialsCogs",
                acct_num="5020",
                parent="Job Expenses",
            ),
            AccountSeed(
                name="Subcontractors",
                account_type="Cost of Goods Sold",
                sub_type="OtherCostsOfServiceCos",
                acct_num="5030",
                parent="Job Expenses",
            ),
            AccountSeed(
                name="Equipment Rental",
                account_type="Cost of Goods Sold",
                sub_type="EquipmentRentalCos",
                acct_num="5040",
                parent="Job Expenses",
            ),
            AccountSeed(
                name="Old Materials",
                account_type="Cost of Goods Sold",
                acct_num="5099",
                active=False,
            ),
            AccountSeed(
                name="Construction Income",
                account_type="Income",
                sub_type="ServiceFeeIncome",
                acct_num="4000",
            ),
            AccountSeed(
                name="Retainage Payable",
                account_type="Other Current Liability",
                sub_type="OtherCurrentLiabilities",
                acct_num="2100",
            ),
        ],
        vendors=[
            NamedSeed(name="Norton Lumber and Building Materials"),
            NamedSeed(name="Ace Concrete Subcontracting"),
            NamedSeed(name="Dormant Drywall LLC", active=False),
        ],
        customers=[
            CustomerSeed(name="Acme Builders", jobs=[NamedSeed(name="1021 Main St Renovation")]),
            CustomerSeed(name="Harbor View HOA", jobs=[NamedSeed(name="Clubhouse Remodel")]),
        ],
        items=[
            ItemSeed(
                name="Labor",
                income_account="Construction Income",
                expense_account="Labor",
            ),
            ItemSeed(
                name="Materials",
                type="NonInventory",
                income_account="Construction Income",
                expense_account="Materials",
            ),
            ItemSeed(name="Change Order Work", income_account="Construction Income"),
        ],
        classes=[NamedSeed(name="Labor"), NamedSeed(name="Materials"), NamedSeed(name="Subs")],
        departments=[NamedSeed(name="North"), NamedSeed(name="South")],
    )


def seed_demo_company(state: QboState, realm_id: str = DEMO_REALM) -> SeededCompany:
    return seed_company(state, demo_seed(realm_id))
