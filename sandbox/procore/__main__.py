"""Run the emulator standalone: ``python -m sandbox.procore [--port 8101] [--empty]``."""

from __future__ import annotations

import argparse

import httpx
import uvicorn

from sandbox.procore import ProcoreState, create_app, seed_demo_company


def main() -> None:
    parser = argparse.ArgumentParser(description="Procore sandbox")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8101)
    parser.add_argument("--empty", action="store_true", help="do not seed the demo company")
    args = parser.parse_args()
    # Deliveries go out over the network here; flush them: POST /_sandbox/webhooks/dispatch.
    state = ProcoreState(webhook_http=httpx.AsyncClient())
    if not args.empty:
        seed_demo_company(state)
    uvicorn.run(create_app(state), host=args.host, port=args.port)


if __name__ == "__main__":
    main()
