"""Real processes for the live tests: free loopback ports, logs in files, bounded waits.

Output goes to a file per process (a pipe nobody reads would fill and block it), and every wait
gives up with that log in the failure message.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import httpx

HOST = "127.0.0.1"
T = TypeVar("T")
# What ``costbridge sandbox qbo`` and ``costbridge sandbox procore`` print on start.
QBO_SAYS = (
    r"realm (?P<realm>\d+), client id (?P<client_id>[^,]+), "
    r"client secret (?P<client_secret>[^,]+), refresh token (?P<refresh_token>\S+)"
)
PROCORE_SAYS = (
    r"company (?P<company>\d+), client id (?P<client_id>[^,]+), "
    r"client secret (?P<client_secret>\S+)"
)


def free_port() -> int:
    """A port nothing listens on right now (the OS picks it; we close before the child binds)."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def costbridge_command() -> str:
    """The ``costbridge`` console script of the interpreter running the tests."""
    found = shutil.which("costbridge", path=str(Path(sys.executable).parent))
    assert found, "the costbridge command is not installed beside this Python"
    return found


def clean_environment(settings: Mapping[str, str]) -> dict[str, str]:
    """This process's environment without any costbridge or Slack setting, plus ``settings``."""
    kept = {
        k: v for k, v in os.environ.items() if not k.startswith(("COSTBRIDGE_", "SLACK_"))
    }  # fmt: skip
    return {**kept, "PYTHONUNBUFFERED": "1", **settings}


@dataclass
class Running:
    name: str
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def failure(self, what: str) -> str:
        state = "running" if self.process.poll() is None else f"exited {self.process.returncode}"
        return f"{self.name} ({state}): {what}\n--- {self.log} ---\n{self.output()[-4000:]}"

    def stop(self) -> None:
        """SIGTERM (uvicorn shuts down gracefully), then SIGKILL if it does not end in 10 s."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def start(name: str, args: list[str], *, env: Mapping[str, str], cwd: Path, logs: Path) -> Running:
    log = logs / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 -- our own command, arguments from the test
            [costbridge_command(), *args], cwd=cwd, env=dict(env), stdout=out, stderr=out
        )
    return Running(name, process, log)


def wait_until(
    running: Running, what: str, probe: Callable[[], T | None], *, timeout: float = 20.0
) -> T:
    """Call ``probe`` until it gives something; fail with the log on timeout or exit."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found is not None:
            return found
        assert running.process.poll() is None, running.failure(f"exited waiting for {what}")
        time.sleep(0.1)
    raise AssertionError(running.failure(f"no {what} within {timeout:.0f} s"))


def line_matching(running: Running, pattern: str) -> Callable[[], re.Match[str] | None]:
    return lambda: re.search(pattern, running.output())


def answering(url: str) -> Callable[[], httpx.Response | None]:
    """A probe that gives the response once ``url`` answers below 500."""

    def probe() -> httpx.Response | None:
        try:
            response = httpx.get(url, timeout=2.0, trust_env=False)
        except httpx.HTTPError:
            return None
        return response if response.status_code < 500 else None

    return probe
