"""Reference data of the emulated Procore: companies, apps, projects, vendors, codes, contracts.

Commitments are kept here but seeded by ``ProcoreState``: they have SOV lines and webhooks.
"""

from __future__ import annotations

import itertools
import random
from datetime import datetime

from sandbox.clock import Clock, SystemClock
from sandbox.procore.records import (
    AccessToken,
    BaseType,
    Commitment,
    Company,
    CostCode,
    LineItemType,
    OAuthClient,
    PrimeContract,
    Project,
    Vendor,
    WbsCode,
)


class Store:
    """In-memory collections plus the typed seeding methods tests and the demo use."""

    def __init__(self, clock: Clock | None = None, *, seed: int = 0) -> None:
        self.clock: Clock = clock or SystemClock()
        self.rng = random.Random(seed)  # deterministic tokens, ULIDs and shuffles
        self._ids = itertools.count(1000)
        self.companies: dict[int, Company] = {}
        self.clients: dict[str, OAuthClient] = {}
        self.tokens: dict[str, AccessToken] = {}
        self.projects: dict[int, Project] = {}
        self.vendors: dict[int, Vendor] = {}
        self.cost_codes: dict[int, CostCode] = {}
        self.line_item_types: dict[int, LineItemType] = {}
        self.wbs_codes: dict[int, WbsCode] = {}
        self.commitments: dict[int, Commitment] = {}
        self.prime_contracts: dict[int, PrimeContract] = {}

    def next_id(self) -> int:
        return next(self._ids)

    def now(self) -> datetime:
        return self.clock.now()

    # --- seeding -----------------------------------------------------------------------------

    def add_company(self, company_id: int, name: str = "Sandbox Builders") -> Company:
        company = Company(id=company_id, name=name)
        self.companies[company_id] = company
        return company

    def add_client(self, client_id: str, client_secret: str, company_ids: list[int]) -> OAuthClient:
        """Register an app (DMSA) installed in ``company_ids``."""
        client = OAuthClient(client_id, client_secret, set(company_ids))
        self.clients[client_id] = client
        return client

    def add_project(
        self, company_id: int, name: str, *, project_number: str = "", active: bool = True
    ) -> Project:
        self._company(company_id)
        now = self.now()
        project = Project(self.next_id(), company_id, name, project_number, active, now, now)
        self.projects[project.id] = project
        return project

    def add_vendor(
        self,
        company_id: int,
        name: str,
        *,
        origin_code: str | None = None,
        origin_id: str | None = None,
        is_active: bool = True,
    ) -> Vendor:
        self._company(company_id)
        now = self.now()
        vendor = Vendor(
            self.next_id(), company_id, name, is_active, origin_id, origin_code, now, now
        )
        self.vendors[vendor.id] = vendor
        return vendor

    def add_cost_code(self, project_id: int, full_code: str, name: str) -> CostCode:
        """A project cost code; ``code`` is the last ``-`` tier of ``full_code``."""
        self.project(project_id)
        parent = next(
            (
                c
                for c in self.cost_codes.values()
                if c.project_id == project_id and full_code.startswith(c.full_code + "-")
            ),
            None,
        )
        now = self.now()
        code = full_code.rsplit("-", 1)[-1]
        parent_id = parent.id if parent else None
        cost_code = CostCode(self.next_id(), project_id, code, full_code, name, parent_id, now, now)
        self.cost_codes[cost_code.id] = cost_code
        return cost_code

    def add_line_item_type(
        self, company_id: int, name: str, code: str, base_type: BaseType
    ) -> LineItemType:
        self._company(company_id)
        item_type = LineItemType(self.next_id(), company_id, name, code, base_type)
        self.line_item_types[item_type.id] = item_type
        return item_type

    def add_wbs_code(
        self, project_id: int, cost_code: str, line_item_type: str, *, sub_job: str | None = None
    ) -> WbsCode:
        """The budget code ``[sub_job.]<cost code>.<type code>`` (the existing one if any)."""
        code = self.find_cost_code(project_id, cost_code)
        item_type = self.find_line_item_type(self.project(project_id).company_id, line_item_type)
        flat_code = ".".join(p for p in (sub_job, code.full_code, item_type.code) if p)
        for wbs in self.wbs_codes.values():
            if wbs.project_id == project_id and wbs.flat_code == flat_code:
                return wbs
        description = f"{code.name}.{item_type.name}"
        wbs = WbsCode(self.next_id(), project_id, flat_code, description, code.id, item_type.id)
        self.wbs_codes[wbs.id] = wbs
        return wbs

    def add_prime_contract(
        self, project_id: int, *, number: str = "PC-001", title: str = "", status: str = "Approved"
    ) -> PrimeContract:
        self.project(project_id)
        now = self.now()
        contract = PrimeContract(self.next_id(), project_id, number, title, status, now, now)
        self.prime_contracts[contract.id] = contract
        return contract

    # --- look-ups (KeyError when missing; routes turn that into 404) ---------------------------

    def _company(self, company_id: int) -> Company:
        return self.companies[company_id]

    def project(self, project_id: int) -> Project:
        return self.projects[project_id]

    def vendor(self, vendor_id: int) -> Vendor:
        return self.vendors[vendor_id]

    def find_cost_code(self, project_id: int, full_code: str) -> CostCode:
        for code in self.cost_codes.values():
            if code.project_id == project_id and code.full_code == full_code:
                return code
        raise KeyError(f"cost code {full_code!r} in project {project_id}")

    def find_line_item_type(self, company_id: int, code: str) -> LineItemType:
        for item_type in self.line_item_types.values():
            if item_type.company_id == company_id and item_type.code == code:
                return item_type
        raise KeyError(f"line item type {code!r} in company {company_id}")
