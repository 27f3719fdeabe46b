"""``costbridge serve --web-workers 2`` as a user runs it: two web processes share the port,
every delivery they acknowledge is stored once, and SIGTERM stops them all."""

from __future__ import annotations

import json
import socket
import sqlite3
from pathlib import Path

import httpx

from sync.web_processes import bind
from tests.procore.processes import HOST, answering, clean_environment, free_port, start, wait_until

AUTH = "Bearer web-workers-test"


def event(key: str) -> bytes:
    """A Procore v4.0 webhook body."""
    body = {
        "id": key,
        "reason": "update",
        "company_id": "1",
        "project_id": "2",
        "resource_type": "Commitment Change Orders",
        "resource_id": "3",
    }
    return json.dumps(body).encode()


def test_two_web_processes_store_what_they_acknowledge_and_stop_on_sigterm(
    tmp_path: Path,
) -> None:
    port = free_port()
    database = tmp_path / "costbridge.db"
    env = clean_environment(
        {
            "COSTBRIDGE_DATABASE_URL": f"sqlite:///{database}",
            "COSTBRIDGE_DATA_DIR": str(tmp_path / "var"),
            "COSTBRIDGE_PROCORE_WEBHOOK_AUTHORIZATION": AUTH,
            "COSTBRIDGE_PROCORE_API_BASE": f"http://{HOST}:9",  # nothing there: no real calls
            "COSTBRIDGE_PROCORE_OAUTH_BASE": f"http://{HOST}:9",
            "COSTBRIDGE_SWEEP_INTERVAL_MINUTES": "1440",
            "COSTBRIDGE_LOG_JSON": "false",
        }
    )
    args = ["serve", "--port", str(port), "--web-workers", "2", "--no-worker"]
    serve = start("serve", args, env=env, cwd=tmp_path, logs=tmp_path)
    try:
        base = f"http://{HOST}:{port}"
        wait_until(serve, "/healthz", answering(f"{base}/healthz"), timeout=60)
        both = lambda: serve.output().count("web.process_started") == 2 or None  # noqa: E731
        wait_until(serve, "two web processes", both, timeout=60)
        keys = [f"01JMYXMZRBVKK0PC6XS8SA{n:04d}" for n in range(40)]
        with httpx.Client(base_url=base, trust_env=False, timeout=10) as http:
            answers = [  # ten delivered twice
                http.post("/webhooks/procore", headers={"Authorization": AUTH}, content=event(key))
                for key in [*keys, *keys[:10]]
            ]
        assert [a.status_code for a in answers] == [200] * 50
        assert [a.json()["status"] for a in answers[40:]] == ["duplicate"] * 10
        with sqlite3.connect(database) as db:
            stored = [row[0] for row in db.execute("SELECT event_key FROM inbox_events")]
        assert sorted(stored) == keys
    finally:
        serve.process.terminate()  # SIGTERM: the parent stops its web processes, then itself
        code = serve.process.wait(timeout=30)
    assert code == 0, serve.failure("serve did not stop cleanly")
    assert serve.output().count("Finished server process") == 2  # both stopped gracefully
    assert "service.stopped" in serve.output()


def test_the_shared_socket_sends_without_waiting_for_acks() -> None:
    """asyncio sets TCP_NODELAY only on connections of a socket made for IPPROTO_TCP; without
    it every answer of a web process waited for the client's delayed ACK."""
    sock = bind(HOST, 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    finally:
        sock.close()
