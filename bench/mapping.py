"""Benchmark the worker's own mapping path: ``map_for_target`` over a real database.

Run: ``.venv/bin/python bench/mapping.py`` (a fresh SQLite file in a temporary folder), or
``--database-url postgresql://postgres@127.0.0.1:5432/bench_mapping`` (the ``public`` schema
of that database is dropped and recreated, so its name must contain "bench").
``--no-cache`` maps with the cache off: every input read and built for every document, as
before the cache (the "before" figure).

It migrates the database, stores the workload of ``bench/workload.py`` through the product's
own writers (2,005 rules with ``save_rules``, the reference data with ``reference.store``, the
project and vendor links with ``link_entity``), then maps 10,000 lines in 100 change orders,
each in its own transaction, through ``map_for_target`` exactly as the pipeline calls it.
QuickBooks is never called: every record the rules name is stored and active, and any call
would fail loudly. It prints seconds, lines/s, documents/s, the cache's hits and misses and
the figure against the issue's goal; it asserts no time. Figures vary with the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
import structlog
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bench.workload import LINES_PER_DOC, T0, TARGET_KIND, Workload, workload
from db.migrate import upgrade
from db.session import create_engine
from sync.clock import FrozenClock
from sync.engine import reference
from sync.engine.mapping_cache import CacheStats, cache_for
from sync.engine.mapping_step import map_for_target
from sync.rules.service import save_rules
from sync.rules.store import link_entity
from sync.service import Service, build_service
from sync.settings import Settings

GOAL_SECONDS = 1.0  # issue 17: 10,000 lines x 2,005 rules through map_for_target


def refuse(request: httpx.Request) -> httpx.Response:
    """Neither Procore nor QuickBooks is part of this benchmark."""
    return httpx.Response(503, text=f"the mapping benchmark calls no one ({request.url})")


async def fresh_database(url: str) -> None:
    engine = create_engine(url)
    try:
        if engine.dialect.name == "postgresql":
            name = make_url(url).database or ""
            if "bench" not in name:
                raise SystemExit(f"refusing to drop the schema of {name!r}: use a bench database")
            async with engine.begin() as conn:
                await conn.execute(text("DROP SCHEMA public CASCADE"))
                await conn.execute(text("CREATE SCHEMA public"))
        await upgrade(engine)
    finally:
        await engine.dispose()


async def store(svc: Service, work: Workload) -> None:
    """The workload, through the writers Slack, the CLI and the demo use."""
    now = svc.clock.now()
    target = svc.target.name
    async with svc.sessions() as session, session.begin():
        await reference.store(session, target, work.records, now=now)
        for kind, links in (("project", work.links.projects), ("vendor", work.links.vendors)):
            for source_id, ref in links.items():
                await link_entity(
                    session,
                    source="procore",
                    source_kind=kind,
                    source_id=source_id,
                    target=target,
                    target_ref=ref,
                    actor="bench",
                    now=now,
                )
        await save_rules(session, work.rules, actor="bench", now=now)


@dataclass
class Run:
    reasons: int = 0  # attention reasons found (0 expected: every line maps)
    calls: list[float] = field(default_factory=list)  # each map_for_target call
    documents: list[float] = field(default_factory=list)  # the same, with its transaction
    cpu: float = 0.0  # this process's CPU time for it all: less sensitive to a busy machine


async def map_all(svc: Service, work: Workload) -> Run:
    """Every document mapped in its own transaction, as ``pipeline`` maps a version. Like the
    worker, nothing keeps a mapping once its document is done (holding 100 of them would only
    feed the garbage collector)."""
    run = Run()
    for doc in work.docs:
        started = time.perf_counter()
        async with svc.sessions() as session, session.begin():
            called = time.perf_counter()
            mapping = await map_for_target(svc, session, doc, TARGET_KIND)
            run.calls.append(time.perf_counter() - called)
        run.documents.append(time.perf_counter() - started)
        run.reasons += len(mapping.reasons)
    return run


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--no-cache", action="store_true", help="map with the cache off")
    args = parser.parse_args()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(40))
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        await fresh_database(url)
        settings = Settings(_env_file=None, data_dir=tmp, database_url=url)
        svc = build_service(
            settings,
            clock=FrozenClock(T0),
            procore_transport=httpx.MockTransport(refuse),
            qbo_transport=httpx.MockTransport(refuse),
            extensions=(),
        )
        try:
            work = workload(numbered=False)
            started = time.perf_counter()
            await store(svc, work)
            stored = time.perf_counter() - started
            cache = cache_for(svc.engine)
            cache.enabled = not args.no_cache
            # Storing 2,005 rules through the ORM leaves garbage; collected now, its collection
            # is not charged to whichever document happens to trigger it.
            gc.collect()
            cpu = time.process_time()
            run = await map_all(svc, work)
            run.cpu = time.process_time() - cpu
        finally:
            await svc.aclose()
    report(run, work, url, cache_on=not args.no_cache, stats=cache.stats, stored=stored)


def report(
    run: Run, work: Workload, url: str, *, cache_on: bool, stats: CacheStats, stored: float
) -> None:
    lines = sum(len(doc.lines) for doc in work.docs)
    docs = len(work.docs)
    calls = sum(run.calls)
    later = sorted(run.calls[1:])
    verdict = "met" if calls < GOAL_SECONDS else "NOT met"
    backend = make_url(url).get_backend_name()
    print(f"backend:            {backend}, cache {'on' if cache_on else 'off'}")
    print(f"stored:             {len(work.rules):,} rules, links, references in {stored:.1f} s")
    print(f"mapped:             {lines:,} lines in {docs} documents of {LINES_PER_DOC} lines")
    print(f"map_for_target:     {calls:.3f} s in all")
    print(f"  with transactions {sum(run.documents):.3f} s (each document's own, as the worker)")
    print(f"  CPU time          {run.cpu:.3f} s (this process, all threads)")
    print(f"lines/s:            {lines / calls:,.0f}")
    print(f"documents/s:        {docs / calls:,.1f}")
    first = "reads and builds what is kept" if cache_on else "reads and builds, as every one"
    print(f"first document:     {run.calls[0] * 1000:,.1f} ms ({first})")
    print(f"later, median:      {later[len(later) // 2] * 1000:,.1f} ms per document")
    print(f"cache:              {stats.hits:,} hits, {stats.misses:,} misses")
    print(f"attention reasons:  {run.reasons:,} (0 expected: every line maps)")
    print(f"goal:               < {GOAL_SECONDS:.0f} s for {lines:,} lines: {verdict}")


if __name__ == "__main__":
    asyncio.run(main())
