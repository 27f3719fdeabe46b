"""An in-memory emulator of the Procore REST API and webhooks (see research/procore.md §0-§3).

In-process: ``httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(state)))``.
Standalone: ``python -m sandbox.procore`` (uvicorn, seeded with the demo company).
"""

from sandbox.procore.app import create_app
from sandbox.procore.demo import seed_demo_company
from sandbox.procore.state import LineSeed, ProcoreState

__all__ = ["LineSeed", "ProcoreState", "create_app", "seed_demo_company"]
