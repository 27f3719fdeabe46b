"""Group commit: many callers' small writes in one transaction, each caller released only after
the transaction that holds its write has committed.

Why: a webhook must be durable before it is acknowledged, and a durable commit costs an fsync.
One transaction per delivery makes the fsync the ceiling (and on SQLite, where one writer holds
the lock at a time, concurrent deliveries queue on the lock with growing sleeps). Here one
batch is written at a time per store: whatever arrives while a batch commits becomes the next
batch, so the batch size follows the load by itself, with no timer and no delay when idle.

What a caller gets back is only ever the result of a committed transaction; a failed commit is
raised to every caller of that batch (nothing of it was stored). When the failure may belong
to one row (an integrity or data error), each row is tried again on its own, so one bad row
fails only its own caller.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

T = TypeVar("T")
R = TypeVar("R")
# Writes ``items`` on ``conn`` inside the batch's transaction; one result per item, in order.
Store = Callable[[AsyncConnection, Sequence[T]], Awaitable[Sequence[R]]]
MAX_BATCH = 500  # bounds one statement's parameters (SQLite allows 32,766 per statement)
_ROW_ERRORS = (IntegrityError, DataError)  # errors one row can cause; others fail the batch


@dataclass
class _Queue(Generic[T, R]):
    store: Store[T, R]
    pending: list[tuple[T, asyncio.Future[R]]] = field(default_factory=list)
    runner: asyncio.Task[None] | None = None


class GroupCommit:
    """Batches writes per ``store`` function on one engine (one batch in flight per store)."""

    def __init__(self, engine: AsyncEngine, *, max_batch: int = MAX_BATCH) -> None:
        self._engine = engine
        self._max_batch = max_batch
        self._queues: dict[Store[Any, Any], _Queue[Any, Any]] = {}

    async def write(self, store: Store[T, R], item: T) -> R:
        """Write ``item`` with ``store``; returns once it is committed (raises if it is not)."""
        queue: _Queue[T, R] = self._queues.setdefault(store, _Queue(store))
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        queue.pending.append((item, future))
        if queue.runner is None:  # no batch in flight: this caller starts one
            queue.runner = asyncio.create_task(self._drain(queue))
        return await future

    async def _drain(self, queue: _Queue[T, R]) -> None:
        try:
            while queue.pending:
                batch = queue.pending[: self._max_batch]
                del queue.pending[: self._max_batch]
                await self._commit(queue.store, batch)
        except BaseException as exc:  # cancelled with the loop: nobody may wait for ever
            _fail(queue.pending, exc)
            queue.pending.clear()
            raise
        finally:
            queue.runner = None

    async def _commit(self, store: Store[T, R], batch: list[tuple[T, asyncio.Future[R]]]) -> None:
        try:
            results = await self._transaction(store, [item for item, _ in batch])
        except Exception as exc:
            if len(batch) > 1 and isinstance(exc, _ROW_ERRORS):
                for one in batch:  # some row was refused: find which by writing each alone
                    await self._commit(store, [one])
            else:
                _fail(batch, exc)
            return
        except BaseException as exc:  # cancelled mid-batch: its callers must not wait for ever
            _fail(batch, exc)
            raise
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():  # a caller that gave up (cancelled) is not waiting
                future.set_result(result)

    async def _transaction(self, store: Store[T, R], items: list[T]) -> Sequence[R]:
        async with self._engine.begin() as conn:  # commits on leaving, or rolls back
            return await store(conn, items)


def _fail(batch: Sequence[tuple[object, asyncio.Future[Any]]], exc: BaseException) -> None:
    for _, future in batch:
        if future.done():
            continue
        if isinstance(exc, asyncio.CancelledError):
            future.cancel()
        else:
            future.set_exception(exc)
