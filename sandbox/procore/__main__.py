"""Run the emulator standalone: ``python -m sandbox.procore [--port 8101] [--empty]
[--deliver-to URL [--authorization VALUE]]``.

Webhooks go out over HTTP by themselves while it runs (``standalone``).
"""

from __future__ import annotations

import argparse

from uvicorn.config import LOGGING_CONFIG

from sandbox.procore import ProcoreState, seed_demo_company
from sandbox.procore.destination import register_destination
from sandbox.procore.standalone import serve


def main() -> None:
    parser = argparse.ArgumentParser(description="Procore sandbox")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8101)
    parser.add_argument("--empty", action="store_true", help="do not seed the demo company")
    parser.add_argument(
        "--deliver-to",
        metavar="URL",
        help="register a hook sending change order webhooks here, "
        "e.g. http://127.0.0.1:8000/webhooks/procore",
    )
    parser.add_argument(
        "--authorization", metavar="VALUE", help="the Authorization header that hook sends"
    )
    args = parser.parse_args()
    state = ProcoreState()
    if not args.empty:
        seed_demo_company(state)
    if args.deliver_to:
        try:
            register_destination(state, args.deliver_to, authorization=args.authorization)
        except ValueError as exc:  # e.g. --empty: no company to hold the hook
            parser.error(f"--deliver-to: {exc}")
        unsigned = "" if args.authorization else " without an Authorization header"
        print(f"delivering change order webhooks to {args.deliver_to}{unsigned}", flush=True)
    serve(state, host=args.host, port=args.port, log_config=LOGGING_CONFIG)


if __name__ == "__main__":
    main()
