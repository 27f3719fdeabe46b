"""Backfill benchmark: N change orders already in Procore, found by costbridge's first sweep.

Run: ``.venv/bin/python bench/backfill.py --orders 2000`` (add ``--hourly-limit 1500`` to make
the backlog cross Procore's hourly window). Everything runs as a user runs it, in separate
processes talking HTTP: ``costbridge sandbox procore`` (Procore's real limits: 3,600 calls an
hour, 100 per 10 seconds, answered in its ``X-Rate-Limit-*`` headers), ``costbridge sandbox qbo
--real-limits`` (500 calls a minute, 10 at once), and ``costbridge serve`` (web, worker and
scheduler; its sweep at start finds the backlog). The rules and links are set with the CLI, as
on day one.

Prints, for each system, its API calls per change order (as the sandbox counted them,
``/_sandbox/calls/summary``, 429s included; token calls apart), the elapsed time against the time
the limits allow for those calls, dead letters, what did not post, and the service's peak RSS.
A benchmark, not a test: it prints figures and asserts nothing about time.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cryptography.fernet import Fernet

from sandbox.demo.company import CUSTOMER, PROJECTS, VENDORS
from tests.procore.processes import (
    HOST,
    PROCORE_SAYS,
    QBO_SAYS,
    Running,
    answering,
    clean_environment,
    free_port,
    line_matching,
    start,
    wait_until,
)

RULES_FILE = Path(__file__).resolve().parent.parent / "sandbox" / "demo" / "rules.yaml"
ORDERS_PER_COMMITMENT = 20
LINES = [  # cost codes and types the demo rules map
    ("Electrical rough-in", "16-100", "S"),
    ("Conduit", "16-100", "M"),
    ("Ready-mix", "03-300", "M"),
    ("Excavator", "31-000", "E"),
    ("Drywall (sub)", "09-200", "S"),
]
QBO_PER_MINUTE = 500  # research/qbo.md: 500 requests a minute per realm


def seed(base: str, said: dict[str, str], orders: int) -> tuple[list[str], list[str], list[str]]:
    """Commitments (N/20, no schedule of values) and N approved change orders, through the
    sandbox's admin API (no webhook is registered: only the sweep can find them)."""
    admin = httpx.Client(base_url=f"{base}/_sandbox", timeout=30.0, trust_env=False)
    api = httpx.Client(base_url=base, timeout=30.0, trust_env=False)
    form = {
        "grant_type": "client_credentials",
        "client_id": said["client_id"],
        "client_secret": said["client_secret"],
    }
    token = api.post("/oauth/token", data=form).json()["access_token"]
    api.headers.update({"Authorization": f"Bearer {token}", "Procore-Company-Id": said["company"]})
    company = said["company"]
    projects = [
        str(p["id"]) for p in api.get("/rest/v1.0/projects", params={"company_id": company}).json()
    ]
    vendors = [
        str(v["id"]) for v in api.get("/rest/v1.0/vendors", params={"company_id": company}).json()
    ]
    made, commitments = 0, []
    for n in range((orders + ORDERS_PER_COMMITMENT - 1) // ORDERS_PER_COMMITMENT):
        commitment = admin.post(
            "/seed/commitments",
            json={
                "project_id": int(projects[n % len(projects)]),
                "vendor_id": int(vendors[n % len(vendors)]),
                "number": f"BF-{n:03d}",  # not the demo company's SC-001…
                "title": f"Subcontract {n}",
                "status": "Draft",  # read by the sweep, nothing to post
            },
        ).json()["id"]
        commitments.append(str(commitment))
        for k in range(min(ORDERS_PER_COMMITMENT, orders - made)):
            desc, code, kind = LINES[(n + k) % len(LINES)]
            response = admin.post(
                "/seed/commitment_change_orders",
                json={
                    "commitment_id": commitment,
                    "number": f"{k + 1:03d}",
                    "lines": [
                        {
                            "description": desc,
                            "amount": f"{100 + k}.25",
                            "cost_code": code,
                            "cost_type": kind,
                        }
                    ],
                    "title": f"{desc} {n}-{k}",
                    "status": "approved",
                },
            )
            response.raise_for_status()
            made += 1
    return projects, vendors, commitments


def day_one(env: dict[str, str], folder: Path, projects: list[str], vendors: list[str]) -> None:
    steps = [["db", "upgrade"], ["rules", "import", str(RULES_FILE)]]
    for pid, (name, _) in zip(projects, PROJECTS, strict=False):
        steps.append(["links", "add", "project", pid, f"{CUSTOMER}:{name}"])
    for vid, (name, _) in zip(vendors, VENDORS, strict=False):
        steps.append(["links", "add", "vendor", vid, name])
    for n, args in enumerate(steps):
        step = start(f"day-one-{n}", args, env=env, cwd=folder, logs=folder)
        assert step.process.wait(timeout=120) == 0, step.failure(" ".join(args))


def settled(db: Path, commitments: list[str]) -> tuple[Counter[str], int]:
    """The benchmark's change orders by state (not the demo company's), and dead letters."""
    marks = ",".join("?" * len(commitments))
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        rows = conn.execute(
            "SELECT v.state, COUNT(*) FROM source_documents d JOIN document_versions v "
            "ON v.id = d.current_version_id WHERE d.kind = 'commitment_change_order' "
            f"AND d.contract_id IN ({marks}) GROUP BY v.state",
            commitments,
        ).fetchall()
        dead = conn.execute("SELECT COUNT(*) FROM dead_letters").fetchone()[0]
    return Counter({state: n for state, n in rows}), int(dead)


def api_calls(base: str) -> tuple[int, dict[str, int]]:
    """API calls a sandbox answered since its count was reset (token calls apart), and all
    its answers by status."""
    summary: dict[str, Any] = httpx.get(f"{base}/_sandbox/calls/summary", trust_env=False).json()
    tokens = sum(
        entry["count"] for call, entry in summary["by_call"].items() if "oauth" in call.lower()
    )
    return int(summary["total"]) - tokens, dict(summary["by_status"])


def peak_rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"VmHWM:\s+(\d+) kB", status)
    return int(match.group(1)) / 1024 if match else float("nan")


def allowed_seconds(procore_calls: int, qbo_calls: int, hourly: int, spike: int) -> float:
    """The least time Procore's two windows and QuickBooks' per-minute limit allow."""
    per_second = spike / 10.0
    if procore_calls <= hourly:
        procore = procore_calls / per_second
    else:  # the rest waits for the next hour
        hours, rest = divmod(procore_calls, hourly)
        procore = hours * 3600 + rest / per_second
    return max(procore, qbo_calls / QBO_PER_MINUTE * 60)


@dataclass(frozen=True)
class Sandboxes:
    procore: str
    qbo: str
    procore_said: dict[str, str]
    qbo_said: dict[str, str]


def start_sandboxes(folder: Path, started: list[Running]) -> Sandboxes:
    env = clean_environment(
        {"COSTBRIDGE_DATA_DIR": str(folder / "sandboxes"), "COSTBRIDGE_LOG_JSON": "false"}
    )
    pport, qport = free_port(), free_port()
    qbo = start(
        "qbo",
        ["sandbox", "qbo", "--port", str(qport), "--real-limits"],
        env=env,
        cwd=folder,
        logs=folder,
    )
    procore = start(
        "procore", ["sandbox", "procore", "--port", str(pport)], env=env, cwd=folder, logs=folder
    )
    started += [qbo, procore]
    qsaid = wait_until(qbo, "QuickBooks credentials", line_matching(qbo, QBO_SAYS))
    psaid = wait_until(procore, "Procore credentials", line_matching(procore, PROCORE_SAYS))
    pbase, qbase = f"http://{HOST}:{pport}", f"http://{HOST}:{qport}"
    wait_until(procore, "an answer", answering(f"{pbase}/_sandbox/webhooks/deliveries"))
    wait_until(qbo, "an answer", answering(f"{qbase}/_sandbox/faults"))
    return Sandboxes(pbase, qbase, psaid.groupdict(), qsaid.groupdict())


def service_env(folder: Path, box: Sandboxes) -> dict[str, str]:
    """What a user puts in .env to point costbridge at the sandboxes."""
    psaid, qsaid = box.procore_said, box.qbo_said
    settings = {
        "database_url": f"sqlite:///{folder / 'costbridge.db'}",
        "data_dir": str(folder / "var"),
        "secret_key": Fernet.generate_key().decode(),
        "procore_api_base": box.procore,
        "procore_oauth_base": box.procore,
        "procore_client_id": psaid["client_id"],
        "procore_client_secret": psaid["client_secret"],
        "procore_company_id": psaid["company"],
        "procore_webhook_authorization": "Bearer bench",
        "qbo_api_base": box.qbo,
        "qbo_token_url": f"{box.qbo}/oauth2/v1/tokens/bearer",
        "qbo_client_id": qsaid["client_id"],
        "qbo_client_secret": qsaid["client_secret"],
        "qbo_realm_id": qsaid["realm"],
        "qbo_refresh_token": qsaid["refresh_token"],
        "commitment_change_orders": "separate",  # one purchase order each, as measured before
        "sweep_lookback_minutes": "600",  # the sweep at start finds the whole backlog
        "sweep_interval_minutes": "1440",
        "worker_poll_seconds": "0.2",
        "log_json": "true",
    }
    return clean_environment({f"COSTBRIDGE_{k.upper()}": v for k, v in settings.items()})


def watch(
    serve: Running, db: Path, commitments: list[str], orders: int, timeout: float
) -> tuple[Counter[str], int, float]:
    """Until every change order has settled (posted, or waiting for a person, or dead)."""
    t0 = time.monotonic()
    states: Counter[str] = Counter()
    dead, last_print = 0, 0.0
    while time.monotonic() < t0 + timeout:
        time.sleep(1.0)
        assert serve.process.poll() is None, serve.failure("exited")
        try:
            states, dead = settled(db, commitments)
        except sqlite3.OperationalError:  # not created yet, or busy
            continue
        if time.monotonic() - last_print > 30:
            print(f"  {time.monotonic() - t0:6.0f} s: {dict(states)}", flush=True)
            last_print = time.monotonic()
        if states["posted"] + states["needs_attention"] + states["dead"] >= orders:
            break
    return states, dead, time.monotonic() - t0


def report(
    args: argparse.Namespace,
    box: Sandboxes,
    serve: Running,
    outcome: tuple[Counter[str], int, float],
) -> None:
    states, dead, elapsed = outcome
    procore, procore_status = api_calls(box.procore)
    qbo, qbo_status = api_calls(box.qbo)
    allowed = allowed_seconds(procore, qbo, args.hourly_limit, args.spike_limit)
    at_goal = allowed_seconds(
        int(args.orders * 1.1), int(args.orders * 0.05), args.hourly_limit, args.spike_limit
    )
    n = args.orders
    rows = [
        ("change orders", f"{n} {dict(states)} (and the sandbox demo company's 27 documents)"),
        ("dead letters", f"{dead}"),
        ("elapsed", f"{elapsed:.0f} s"),
        ("Procore calls", f"{procore} = {procore / n:.3f} per change order (goal ≤ 1.1)"),
        ("  by status", f"{procore_status}"),
        ("QuickBooks calls", f"{qbo} = {qbo / n:.3f} per change order (goal ≤ 0.05)"),
        ("  by status", f"{qbo_status}"),
        (
            "limits allow these",
            f"{allowed:.0f} s: elapsed ÷ allowed = {elapsed / max(allowed, 1):.2f}",
        ),
        (
            "limits allow goal",
            f"{at_goal:.0f} s: elapsed ÷ that = {elapsed / max(at_goal, 1):.2f} (goal ≤ 1.2)",
        ),
        ("peak RSS (serve)", f"{peak_rss_mb(serve.process.pid):.0f} MB (goal ≤ 200 MB)"),
    ]
    print()
    for label, value in rows:
        print(f"{label + ':':<20} {value}")


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--hourly-limit", type=int, default=3600)
    parser.add_argument("--spike-limit", type=int, default=100)
    parser.add_argument("--timeout-minutes", type=float, default=150.0)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="costbridge-backfill-"))
    started: list[Running] = []
    try:
        box = start_sandboxes(folder, started)
        t0 = time.monotonic()
        projects, vendors, commitments = seed(box.procore, box.procore_said, args.orders)
        print(f"seeded {args.orders} change orders in {time.monotonic() - t0:.0f} s")
        env = service_env(folder, box)
        day_one(env, folder, projects, vendors)
        limits = {"hourly_limit": args.hourly_limit, "spike_limit": args.spike_limit}
        # Configuring the limits starts their windows afresh: costbridge's calls only.
        httpx.put(f"{box.procore}/_sandbox/rate_limits", json=limits, trust_env=False)
        for base in (box.procore, box.qbo):  # count costbridge's calls from here on
            httpx.delete(f"{base}/_sandbox/calls", trust_env=False).raise_for_status()
        port = str(free_port())
        serve = start("serve", ["serve", "--port", port], env=env, cwd=folder, logs=folder)
        started.append(serve)
        timeout = args.timeout_minutes * 60
        outcome = watch(serve, folder / "costbridge.db", commitments, args.orders, timeout)
        report(args, box, serve, outcome)
        return 0
    finally:
        for running in reversed(started):
            running.stop()
        if args.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
