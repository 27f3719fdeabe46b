"""The demo contractor's company file, the same books as the QuickBooks Online demo company."""

from __future__ import annotations

from sandbox.clock import Clock
from sandbox.demo.company import CUSTOMER, PROJECTS, VENDORS
from sandbox.qbd.company import CompanyFile

COGS = "CostOfGoodsSold"
ACCOUNTS = [
    ("Accounts Payable", "AccountsPayable", "2000", ""),
    ("Job Expenses", COGS, "5000", ""),
    ("Labor", COGS, "5010", "Job Expenses"),
    ("Materials", COGS, "5020", "Job Expenses"),
    ("Subcontractors", COGS, "5030", "Job Expenses"),
    ("Electrical Subcontract", COGS, "5031", "Job Expenses:Subcontractors"),
    ("Equipment Rental", COGS, "5040", "Job Expenses"),
    ("Site Work", COGS, "5050", "Job Expenses"),
    ("Construction Income", "Income", "4000", ""),
]
JOB_COST_ITEM = "Job Cost"


def seed_demo(clock: Clock | None = None) -> CompanyFile:
    company = CompanyFile("Acme Builders (demo)", clock)
    for name, kind, number, parent in ACCOUNTS:
        company.add("account", name, parent=parent, account_type=kind, account_number=number)
    company.add("account", "Old Materials", account_type=COGS, account_number="5099", active=False)
    for name, _code in VENDORS:
        company.add("vendor", name)
    company.add("customer", CUSTOMER)
    for name, _number in PROJECTS:
        company.add("customer", name, parent=CUSTOMER)
    company.add("item", JOB_COST_ITEM, item_type="NonInventory")
    company.add("item", "Change Order Work", item_type="Service")
    for name in ("Labor", "Materials", "Subs", "Equipment"):
        company.add("class", name)
    return company
