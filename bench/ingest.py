"""Benchmark durable webhook ingest the way a user runs it: ``costbridge serve`` on a real port.

Run: ``.venv/bin/python bench/ingest.py`` (both backends) or with ``--backend sqlite`` /
``--backend postgresql --pg-url postgresql://postgres@127.0.0.1:5432/bench_ingest``.

For each backend this process starts ``costbridge serve`` as a child process on a free loopback
port (a fresh SQLite file; on PostgreSQL the bench database's ``public`` schema is dropped and
recreated, so the database name must contain "bench"), then acts as Procore: it POSTs real
v4.0 webhook payloads (``sandbox.procore.payloads``), every one a distinct event, with the
configured ``Authorization`` header over ``--connections`` concurrent HTTP connections (httpx).
After serve has stopped it reads the database and compares what was stored with what was
acknowledged. It prints acks/s, p50/p99/max latency, stored and acknowledged. It asserts no
time; it exits 1 only when an acknowledged event is missing from the database.

The serve process logs as configured by default (INFO, JSON) into a file in the run's folder;
``--web-workers`` and ``--no-worker`` are passed on to ``serve``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
from sqlalchemy import text
from sqlalchemy.engine import make_url

from db.session import create_engine
from sandbox.procore.payloads import ChangeEvent, build_payload, new_ulid

HOST = "127.0.0.1"
AUTHORIZATION = "Bearer bench-ingest-shared-secret"
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/bench_ingest"
PROCORE_TIMEOUT_S = 5.0  # Procore gives up on a delivery after 5 s (research §1)
# Far longer than Procore waits: the bench measures the whole tail instead of cutting it off.
TIMEOUT = httpx.Timeout(30.0).as_dict()


@dataclass
class Run:
    """What the load generator saw."""

    latencies: list[float] = field(default_factory=list)
    acknowledged: set[str] = field(default_factory=set)
    refused: Counter[str] = field(default_factory=Counter)  # status or exception → count
    seconds: float = 0.0


def payloads(count: int, seed: int) -> list[tuple[str, bytes]]:
    """``count`` distinct Procore v4.0 deliveries: (event id, body)."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    out: list[tuple[str, bytes]] = []
    seen: set[str] = set()
    while len(out) < count:
        ulid = new_ulid(now, rng)
        if ulid in seen:
            continue
        seen.add(ulid)
        event = ChangeEvent(
            event_id=len(out) + 1,
            ulid=ulid,
            resource_name="Commitment Change Orders",
            resource_id=100_000 + len(out),
            event_type="update",
            company_id=4_264_807,
            project_id=1_021,
            user_id=7,
            source_application_id=None,
            timestamp=now,
        )
        out.append((ulid, json.dumps(build_payload(event, "v4.0")).encode()))
    return out


async def post_all(base: str, deliveries: list[tuple[str, bytes]], connections: int) -> Run:
    """POST every delivery over ``connections`` concurrent keep-alive connections.

    Each connection is its own httpx transport, driven directly: ``AsyncClient`` (and most of
    all one client's pool shared by 16 tasks) costs this process more CPU per request than the
    server under test spends, and on 2 cores the generator would then measure itself."""
    run = Run()
    url = f"{base}/webhooks/procore"
    headers = {
        "Host": base.removeprefix("http://"),
        "Authorization": AUTHORIZATION,
        "Content-Type": "application/json",
    }
    pending = iter(deliveries)
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    transports = [httpx.AsyncHTTPTransport(limits=limits) for _ in range(connections)]

    async def connection(transport: httpx.AsyncHTTPTransport) -> None:
        for key, body in pending:  # one shared iterator: each delivery is sent once
            request = httpx.Request("POST", url, content=body, headers=headers)
            request.extensions["timeout"] = TIMEOUT
            started = time.perf_counter()
            try:
                response = await transport.handle_async_request(request)
                await response.aread()
                await response.aclose()
            except httpx.HTTPError as exc:
                run.refused[type(exc).__name__] += 1
                continue
            run.latencies.append(time.perf_counter() - started)
            if 200 <= response.status_code < 300:
                run.acknowledged.add(key)
            else:
                run.refused[str(response.status_code)] += 1

    try:
        started = time.perf_counter()
        await asyncio.gather(*(connection(t) for t in transports))
        run.seconds = time.perf_counter() - started
    finally:
        for transport in transports:
            await transport.aclose()
    return run


@dataclass(frozen=True)
class Cpu:
    """CPU seconds so far: the serve process tree, this process, the whole machine (Linux)."""

    serve: float
    generator: float
    machine: float

    @staticmethod
    def now(serve_pid: int) -> Cpu | None:
        try:
            tick = os.sysconf("SC_CLK_TCK")
            with open("/proc/stat") as stat:
                fields = [int(x) for x in stat.readline().split()[1:]]
            busy = sum(fields) - fields[3] - fields[4]  # all but idle and iowait
            return Cpu(_tree_ticks(serve_pid) / tick, sum(os.times()[:2]), busy / tick)
        except (OSError, ValueError):
            return None


def _tree_ticks(root: int) -> int:
    """utime + stime of ``root`` and its descendants (the web workers)."""
    stats: dict[int, tuple[int, int]] = {}  # pid → (parent, ticks)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                after = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            stats[int(entry.name)] = (int(after[1]), int(after[11]) + int(after[12]))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += stats.get(pid, (0, 0))[1]
        todo += [child for child, (parent, _) in stats.items() if parent == pid]
    return total


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def costbridge() -> str:
    found = shutil.which("costbridge", path=str(Path(sys.executable).parent))
    if not found:
        sys.exit("the costbridge command is not installed beside this Python")
    return found


def serve_environment(database_url: str, data_dir: Path) -> dict[str, str]:
    kept = {k: v for k, v in os.environ.items() if not k.startswith(("COSTBRIDGE_", "SLACK_"))}
    return {
        **kept,
        "COSTBRIDGE_DATABASE_URL": database_url,
        "COSTBRIDGE_DATA_DIR": str(data_dir),
        "COSTBRIDGE_PROCORE_WEBHOOK_AUTHORIZATION": AUTHORIZATION,
        # Nothing listens there: the worker's fetches fail fast instead of reaching the internet.
        "COSTBRIDGE_PROCORE_API_BASE": f"http://{HOST}:9",
        "COSTBRIDGE_PROCORE_OAUTH_BASE": f"http://{HOST}:9",
        "COSTBRIDGE_SWEEP_LOOKBACK_MINUTES": "0",
        "COSTBRIDGE_SWEEP_INTERVAL_MINUTES": "1440",
    }


def launch(
    command: list[str], env: dict[str, str], log: Path, cwd: Path
) -> subprocess.Popen[bytes]:
    """Start serve with its output in ``log`` (a pipe nobody reads would fill and block it)."""
    with log.open("wb") as out:
        return subprocess.Popen(command, env=env, stdout=out, stderr=out, cwd=cwd)


def wait_for_health(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"serve exited {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1.0, trust_env=False).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    sys.exit(f"serve did not answer /healthz in 60 s:\n{log.read_text()[-3000:]}")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


async def reset_postgresql(url: str) -> None:
    name = make_url(url).database or ""
    if "bench" not in name:
        sys.exit(f"refusing to drop the schema of {name!r}: use a database named *bench*")
    engine = create_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


async def stored_keys(url: str) -> list[str]:
    engine = create_engine(url)
    async with engine.connect() as conn:
        rows = await conn.execute(text("SELECT event_key FROM inbox_events"))
        keys = [str(r[0]) for r in rows]
    await engine.dispose()
    return keys


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


async def bench(name: str, url: str, args: argparse.Namespace, folder: Path) -> bool:
    if name == "postgresql":
        await reset_postgresql(url)
    port = free_port()
    base = f"http://{HOST}:{port}"
    command = [costbridge(), "serve", "--host", HOST, "--port", str(port)]
    if args.web_workers:
        command += ["--web-workers", str(args.web_workers)]
    if not args.worker:
        command.append("--no-worker")
    log = folder / f"serve-{name}.log"
    process = launch(command, serve_environment(url, folder / name), log, folder)
    try:
        wait_for_health(base, process, log)
        seed = random.SystemRandom().getrandbits(32)
        warm = payloads(args.warmup, seed)
        measured = payloads(args.events + args.warmup, seed)[args.warmup :]
        warm_run = await post_all(base, warm, args.connections)  # connections, caches, JIT-less
        before = Cpu.now(process.pid)
        run = await post_all(base, measured, args.connections)
        after = Cpu.now(process.pid)
    finally:
        stop(process)
    keys = await stored_keys(url)
    stored = set(keys)
    acknowledged = warm_run.acknowledged | run.acknowledged
    missing = acknowledged - stored
    lat = sorted(run.latencies)
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] if lat else 0.0
    print(
        f"{name:>10}  {len(run.acknowledged) / run.seconds:8.0f} acks/s  "
        f"p50 {ms(statistics.median(lat) if lat else 0.0)}  p99 {ms(p99)}  "
        f"max {ms(lat[-1] if lat else 0.0)}  "
        f"over {PROCORE_TIMEOUT_S:.0f} s: {sum(1 for x in lat if x > PROCORE_TIMEOUT_S)}"
    )
    print(
        f"{'':>10}  sent {len(measured) + len(warm)}  acknowledged {len(acknowledged)}  "
        f"stored {len(keys)} (distinct {len(stored)})  acknowledged but not stored "
        f"{len(missing)}  refused {dict(warm_run.refused + run.refused) or 0}"
    )
    if before and after and run.acknowledged:
        per_ack = 1000 / len(run.acknowledged)  # ms of CPU per acknowledgement
        serve_s, gen_s = after.serve - before.serve, after.generator - before.generator
        others = max(0.0, after.machine - before.machine - serve_s - gen_s)
        print(
            f"{'':>10}  cpu per ack: serve {serve_s * per_ack:.2f} ms, load generator "
            f"{gen_s * per_ack:.2f} ms; other processes used {others / run.seconds:.2f} cores"
        )
    return not missing and len(keys) == len(stored)


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", PG_DEFAULT))
    parser.add_argument("--events", type=int, default=20_000, help="measured deliveries")
    parser.add_argument("--warmup", type=int, default=500, help="deliveries before measuring")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--web-workers", type=int, default=0, help="serve --web-workers")
    parser.add_argument(
        "--worker", action=argparse.BooleanOptionalAction, default=True, help="serve's worker"
    )
    parser.add_argument("--keep", action="store_true", help="keep the run's folder (logs)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    print(
        f"costbridge serve, {args.connections} connections, {args.events} distinct events "
        f"(+{args.warmup} warm-up), web workers {args.web_workers}, "
        f"worker {'on' if args.worker else 'off'}, {os.cpu_count()} cores"
    )
    ok = True
    try:
        if args.backend in ("sqlite", "both"):
            ok &= await bench("sqlite", f"sqlite:///{folder / 'ingest.db'}", args, folder)
        if args.backend in ("postgresql", "both"):
            ok &= await bench("postgresql", args.pg_url, args, folder)
    finally:
        if args.keep:
            print(f"logs in {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
