"""An in-memory emulator of the QuickBooks Online Accounting API v3 (research/qbo.md)."""

from sandbox.qbo.app import create_app
from sandbox.qbo.errors import QboFault
from sandbox.qbo.oauth_routes import TOKEN_PATH
from sandbox.qbo.seed import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_REALM,
    CompanySeed,
    SeededCompany,
    demo_seed,
    seed_company,
    seed_demo_company,
)
from sandbox.qbo.state import QboState

__all__ = [
    "DEMO_CLIENT_ID",
    "DEMO_CLIENT_SECRET",
    "DEMO_REALM",
    "TOKEN_PATH",
    "CompanySeed",
    "QboFault",
    "QboState",
    "SeededCompany",
    "create_app",
    "demo_seed",
    "seed_company",
    "seed_demo_company",
]
