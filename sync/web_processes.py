"""Web processes for ``costbridge serve --web-workers N``: N processes answer HTTP on one port.

Why: one Python process runs on one core, and in ``serve`` the worker shares it with the web
app. With N web processes the webhook path has cores of its own and the worker's bursts do not
delay acknowledgements. The parent binds the socket once and hands it to every child (spawned,
not forked: a fresh interpreter, no inherited event loop or connections); each child builds its
own service from the same settings and serves ``sync.web.create_app``. The parent keeps the
worker, the scheduler and the companions, and migrates the schema before any child starts.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import socket
import sys
import time
from dataclasses import dataclass, field
from multiprocessing.process import BaseProcess

import structlog
import uvicorn
from fastapi import FastAPI

from sync.logs import configure_logging
from sync.settings import get_settings

log = structlog.get_logger("costbridge.web_processes")
# The exit code of a web process that could not start (uvicorn's own): restarting it would
# fail the same way, so serve stops instead.
STARTUP_FAILURE = 3
_spawn = multiprocessing.get_context("spawn")


class WebProcessFailed(RuntimeError):
    """A web process could not start (a setting, the database): its log says why."""


def bind(host: str, port: int) -> socket.socket:
    """The listening socket the web processes share (the kernel spreads connections).

    Made with the protocol named (``IPPROTO_TCP``), as uvicorn's own bind would get it: asyncio
    sets ``TCP_NODELAY`` only on connections of such a socket, and without it every answer
    waited for the client's delayed ACK (~40 ms a request on Linux)."""
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
    )[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # inherited where it can be
        sock.bind(address)
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    return sock


def uvicorn_config(app: FastAPI, *, host: str, port: int) -> uvicorn.Config:
    """How every web process (and ``serve`` itself) runs uvicorn: no access log (each webhook
    logs its own line), no lifespan (the service is built and closed around the server)."""
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_config=None,
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=10,
    )


def _serve_web(sock: socket.socket, host: str, port: int) -> None:  # in the child
    from sync.service import build_service  # imported here: the parent needs none of it twice
    from sync.web import create_app

    settings = get_settings()
    configure_logging(settings.log_level, json=settings.log_json)

    async def main() -> bool:
        try:
            svc = build_service(settings)
            app = create_app(svc)
        except Exception:
            log.exception("web.process_failed")
            return False
        try:
            server = uvicorn.Server(uvicorn_config(app, host=host, port=port))
            log.info("web.process_started", host=host, port=port)
            await server.serve(sockets=[sock])
            return server.started
        finally:
            await svc.aclose()

    if not asyncio.run(main()):
        sys.exit(STARTUP_FAILURE)


@dataclass
class WebProcesses:
    """N children serving one socket; restarted when one dies, all stopped together."""

    sock: socket.socket
    count: int
    host: str
    port: int
    children: list[BaseProcess] = field(default_factory=list)

    def start(self) -> None:
        while len(self.children) < self.count:
            self.children.append(self._spawn())

    def _spawn(self) -> BaseProcess:
        process = _spawn.Process(
            target=_serve_web, args=(self.sock, self.host, self.port), name="costbridge-web"
        )
        process.start()
        return process

    async def watch(self, stop: asyncio.Event, *, every: float = 0.5) -> None:
        """Until ``stop``: replace a child that died; raise if one could not start."""
        while not stop.is_set():
            for i, child in enumerate(self.children):
                if child.is_alive() or stop.is_set():
                    continue
                if child.exitcode == STARTUP_FAILURE:
                    raise WebProcessFailed("a web process could not start")
                log.error("web.process_died", pid=child.pid, exit_code=child.exitcode)
                self.children[i] = self._spawn()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=every)

    async def stop(self, *, grace: float = 15.0) -> None:
        """SIGTERM each child (uvicorn finishes the requests in flight), SIGKILL stragglers."""
        for child in self.children:
            if child.is_alive():
                child.terminate()
        deadline = time.monotonic() + grace
        for child in self.children:
            await asyncio.to_thread(child.join, max(0.0, deadline - time.monotonic()))
            if child.is_alive():
                child.kill()
                await asyncio.to_thread(child.join)
        self.sock.close()
