"""Run the emulator standalone with the demo company: ``python -m sandbox.qbo [port]``."""

from __future__ import annotations

import sys

import uvicorn

from sandbox.qbo import create_app, seed_demo_company
from sandbox.qbo.state import QboState


def main() -> None:
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8401
    state = QboState()
    state.faults.hang_seconds = 130.0  # past QBO's own 120 s limit, so clients time out
    company = seed_demo_company(state)
    print(f"realm {company.realm_id}; refresh token {company.refresh_token}")
    uvicorn.run(create_app(state), host="127.0.0.1", port=port)


if __name__ == "__main__":
    main()
