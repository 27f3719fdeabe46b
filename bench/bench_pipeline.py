"""Benchmark the webhook endpoint and the whole pipeline on the embedded default (SQLite).

Run: ``.venv/bin/python bench/bench_pipeline.py``. Prints

- webhook acknowledgement latency (p50/p95/p99 in ms) for N deliveries to the real
  ``POST /webhooks/procore`` (verify, store durably, queue, answer), and deliveries per second;
- duplicates absorbed (deliveries sent vs events stored);
- end-to-end throughput: change orders fetched from the sandbox Procore, mapped and posted to
  the sandbox QuickBooks, per second, with the count posted.

Everything runs in-process (httpx ASGI transports), so the figures measure costbridge, not a
network. A benchmark, not a test: figures vary with the machine.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
import structlog

from sandbox.demo.company import build_world, register_hook
from sandbox.demo.setup import SERVICE_BASE, demo_settings, sandbox_service, seed_costbridge
from sandbox.procore.state import LineSeed
from sync.engine.worker import run_until_idle
from sync.settings import Settings
from sync.web import create_app

N_ORDERS = 200
DUPLICATES = 2  # each delivery is sent 1 + 2 times, as Procore's at-least-once may do


async def main() -> None:
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(40))
    with tempfile.TemporaryDirectory() as tmp:
        world = build_world()
        settings = demo_settings(Settings(_env_file=None, data_dir=tmp), world)
        svc = await sandbox_service(settings, world)
        await seed_costbridge(svc, world)
        web = create_app(svc)
        latencies: list[float] = []

        async def timed(request: httpx.Request) -> None:
            request.extensions["started"] = time.perf_counter()

        async def record(response: httpx.Response) -> None:
            if response.request.url.path == "/webhooks/procore":
                latencies.append(time.perf_counter() - response.request.extensions["started"])

        http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=web),
            base_url=SERVICE_BASE,
            event_hooks={"request": [timed], "response": [record]},
        )
        world.procore.webhook_http = http
        world.procore.switches.duplicate = DUPLICATES
        # Measure costbridge, not the sandbox's simulated rate limit (tests cover 429s).
        world.procore.limiter.configure(hourly_limit=10**9, spike_limit=10**9)
        register_hook(world, f"{SERVICE_BASE}/webhooks/procore")
        for n in range(N_ORDERS):
            commitment = world.procore.add_commitment(
                world.project_ids[n % 3], world.vendor_ids[n % 5], number=f"SC-{n:04d}"
            )
            lines = [
                LineSeed("Labour", f"{100 + n}.25", "03-300", "L"),
                LineSeed("Materials", f"{200 + n}.10", "03-300", "M"),
                LineSeed("Subcontract", f"{300 + n}.00", "16-100", "S"),
            ]
            world.procore.add_commitment_change_order(
                commitment.id, "001", lines, title=f"CO {n}", status="approved"
            )

        started = time.perf_counter()
        deliveries = await world.procore.dispatch_pending()
        ingest_seconds = time.perf_counter() - started
        started = time.perf_counter()
        await run_until_idle(svc)
        pipeline_seconds = time.perf_counter() - started
        posted = len(world.qbo.realm(world.qbo_company.realm_id).rows("PurchaseOrder"))
        await http.aclose()
        await svc.aclose()

    ms = sorted(x * 1000 for x in latencies)
    sent = sum(d.sent_count for d in deliveries)
    print(f"webhook deliveries sent:    {sent} ({len(deliveries)} events x {1 + DUPLICATES})")
    print(
        f"ack latency p50/p95/p99:    {statistics.median(ms):.1f} / "
        f"{ms[int(len(ms) * 0.95)]:.1f} / {ms[int(len(ms) * 0.99)]:.1f} ms"
    )
    print(f"ingest rate:                {sent / ingest_seconds:,.0f} deliveries/s")
    print(
        f"purchase orders posted:     {posted} of {N_ORDERS} change orders "
        f"(duplicates absorbed: {sent - len(deliveries)})"
    )
    print(
        f"end-to-end throughput:      {posted / pipeline_seconds:,.1f} change orders/s "
        f"({pipeline_seconds:.1f} s, fetch + map + post through both sandboxes)"
    )


if __name__ == "__main__":
    asyncio.run(main())
