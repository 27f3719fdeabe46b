"""The real pair as a user runs it: ``costbridge sandbox procore`` delivers a webhook over HTTP to
``costbridge serve``, which posts the purchase order in ``costbridge sandbox qbo``.

Three processes on free loopback ports, configured only by environment variables. What a
controller does on day one (``db upgrade``, ``rules import``, ``links add``) runs as commands
against the same fresh SQLite database before serve starts: nothing reads QuickBooks for them
beforehand. The first sweep looks back zero minutes, so the change can only arrive by webhook.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.fernet import Fernet

from sandbox.demo.company import CUSTOMER, WEBHOOK_AUTHORIZATION
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

RULES_FILE = Path(__file__).resolve().parents[2] / "sandbox" / "demo" / "rules.yaml"
# The demo's one pending change order on this project: SC-001 / 003, "Panel upgrade", $5,400.
# Approved, its line goes onto its commitment's purchase order (amend mode, the default),
# which costbridge posts first, having read the commitment from Procore.
PROJECT, VENDOR = "1021 Main St Renovation", "Bright Spark Electric"
DOC_NUMBER, TAG, TOTAL = "1021-SC-001", "[CO 003 line", Decimal("5400.00")

Launch = Callable[[str, list[str], dict[str, str]], Running]


@pytest.fixture
def launch(tmp_path: Path) -> Iterator[Launch]:
    started: list[Running] = []

    def run(name: str, args: list[str], env: dict[str, str]) -> Running:
        started.append(start(name, args, env=env, cwd=tmp_path, logs=tmp_path))
        return started[-1]

    try:
        yield run
    finally:
        for running in reversed(started):
            running.stop()


@dataclass(frozen=True)
class ProcoreIds:
    project: str
    vendor: str
    change_order: int


def procore_ids(base: str, company: str, client_id: str, secret: str) -> ProcoreIds:
    """What the controller looks up in Procore: the project, the vendor, the pending order."""
    with httpx.Client(base_url=base, timeout=5.0, trust_env=False) as http:
        form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
        token = http.post("/oauth/token", data=form).json()["access_token"]
        http.headers.update({"Authorization": f"Bearer {token}", "Procore-Company-Id": company})
        projects = http.get("/rest/v1.0/projects", params={"company_id": company}).json()
        project = next(p["id"] for p in projects if p["name"] == PROJECT)
        vendors = http.get("/rest/v1.0/vendors", params={"company_id": company}).json()
        pending = http.get(
            f"/rest/v1.0/projects/{project}/commitment_change_orders",
            params={"filters[status]": "pending"},
        ).json()
    (order,) = pending
    return ProcoreIds(
        str(project), str(next(v["id"] for v in vendors if v["name"] == VENDOR)), order["id"]
    )


def day_one(launch: Launch, env: dict[str, str], ids: ProcoreIds) -> None:
    """What a controller does on a fresh database, with the commands only: the schema, the
    rules (accounts named by number and name: the import reads QuickBooks' accounts itself),
    and the two links (QuickBooks' side by name, resolved against its data)."""
    for name, args in (
        ("db", ["db", "upgrade"]),
        ("rules", ["rules", "import", str(RULES_FILE)]),
        ("link-project", ["links", "add", "project", ids.project, f"{CUSTOMER}:{PROJECT}"]),
        ("link-vendor", ["links", "add", "vendor", ids.vendor, VENDOR]),
    ):
        step = launch(name, args, env)
        assert step.process.wait(timeout=60) == 0, step.failure(f"{name} failed")


def posted(qbo: str, realm: str) -> Callable[[], dict[str, Any] | None]:
    def probe() -> dict[str, Any] | None:
        rows = httpx.get(f"{qbo}/_sandbox/{realm}/entities/purchaseorder", trust_env=False).json()
        order = next((r for r in rows if r.get("DocNumber") == DOC_NUMBER), None)
        lines = [line for line in (order or {}).get("Line", []) if TAG in line["Description"]]
        return lines[0] if lines else None

    return probe


@dataclass(frozen=True)
class Sandboxes:
    """The two emulators, running, and what they printed for costbridge's settings."""

    procore: str
    qbo: str
    procore_said: dict[str, str]  # company, client_id, client_secret
    qbo_said: dict[str, str]  # realm, client_id, client_secret, refresh_token


def start_sandboxes(launch: Launch, data_dir: Path, deliver_to: str) -> Sandboxes:
    procore_port, qbo_port = free_port(), free_port()
    env = clean_environment({"COSTBRIDGE_DATA_DIR": str(data_dir), "COSTBRIDGE_LOG_JSON": "false"})
    qbo = launch("qbo", ["sandbox", "qbo", "--port", str(qbo_port)], env)
    procore = launch(
        "procore",
        ["sandbox", "procore", "--port", str(procore_port),
         "--deliver-to", deliver_to, "--authorization", WEBHOOK_AUTHORIZATION],
        env,
    )  # fmt: skip
    qbo_said = wait_until(qbo, "QuickBooks credentials", line_matching(qbo, QBO_SAYS))
    procore_said = wait_until(procore, "Procore credentials", line_matching(procore, PROCORE_SAYS))
    urls = f"http://{HOST}:{procore_port}", f"http://{HOST}:{qbo_port}"
    wait_until(procore, "an answer", answering(f"{urls[0]}/_sandbox/webhooks/deliveries"))
    wait_until(qbo, "an answer", answering(f"{urls[1]}/_sandbox/faults"))
    return Sandboxes(*urls, procore_said.groupdict(), qbo_said.groupdict())


def costbridge_settings(tmp_path: Path, sandboxes: Sandboxes) -> dict[str, str]:
    """What a user puts in .env to point costbridge at the sandboxes (COSTBRIDGE_<NAME>)."""
    procore, qbo = sandboxes.procore_said, sandboxes.qbo_said
    return {
        "database_url": f"sqlite:///{tmp_path / 'costbridge.db'}",
        "data_dir": str(tmp_path / "var"),
        "secret_key": Fernet.generate_key().decode(),
        "procore_api_base": sandboxes.procore,
        "procore_oauth_base": sandboxes.procore,
        "procore_client_id": procore["client_id"],
        "procore_client_secret": procore["client_secret"],
        "procore_company_id": procore["company"],
        "procore_webhook_authorization": WEBHOOK_AUTHORIZATION,
        "qbo_api_base": sandboxes.qbo,
        "qbo_token_url": f"{sandboxes.qbo}/oauth2/v1/tokens/bearer",
        "qbo_client_id": qbo["client_id"],
        "qbo_client_secret": qbo["client_secret"],
        "qbo_realm_id": qbo["realm"],
        "qbo_refresh_token": qbo["refresh_token"],
        "sweep_lookback_minutes": "0",  # the first sweep finds nothing: only a webhook can
        "sweep_interval_minutes": "1440",
        "worker_poll_seconds": "0.2",
        "log_json": "false",
    }


def test_a_change_in_the_sandbox_is_delivered_by_webhook_and_posted(
    tmp_path: Path, launch: Launch
) -> None:
    service = f"http://{HOST}:{free_port()}"
    sandboxes = start_sandboxes(launch, tmp_path / "sandboxes", f"{service}/webhooks/procore")
    fields = costbridge_settings(tmp_path, sandboxes)
    env = clean_environment({f"COSTBRIDGE_{name.upper()}": v for name, v in fields.items()})
    said = sandboxes.procore_said
    ids = procore_ids(sandboxes.procore, said["company"], said["client_id"], said["client_secret"])
    day_one(launch, env, ids)

    serve = launch("serve", ["serve", "--port", service.rsplit(":", 1)[1]], env)
    wait_until(serve, "/healthz", answering(f"{service}/healthz"))
    changed = httpx.patch(
        f"{sandboxes.procore}/_sandbox/change_orders/{ids.change_order}",
        json={"status": "approved"},
        trust_env=False,
    )
    assert changed.status_code == 200, changed.text

    realm = sandboxes.qbo_said["realm"]
    line = wait_until(serve, f"CO 003's line on {DOC_NUMBER}", posted(sandboxes.qbo, realm))
    assert Decimal(str(line["Amount"])) == TOTAL
    deliveries = httpx.get(f"{sandboxes.procore}/_sandbox/webhooks/deliveries", trust_env=False)
    (delivery,) = [
        d for d in deliveries.json() if d["payload"]["resource_id"] == str(ids.change_order)
    ]
    assert (delivery["status"], delivery["event_type"]) == ("delivered", "update")
    with sqlite3.connect(tmp_path / "costbridge.db") as db:
        stored = db.execute(
            "SELECT resource_name, resource_id FROM inbox_events WHERE event_key = ?",
            (delivery["payload"]["id"],),
        ).fetchall()
    assert stored == [("Commitment Change Orders", str(ids.change_order))]
    # Standalone, a manual flush has a client to deliver with: it answers, never 500.
    flushed = httpx.post(f"{sandboxes.procore}/_sandbox/webhooks/dispatch", trust_env=False)
    assert flushed.status_code == 200 and flushed.json()["handled"] == 0
