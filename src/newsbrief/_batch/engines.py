"""Where partitions run: a process pool on this machine, or a Dask cluster.

Both engines offer one call, ``map_unordered(fn, items)``, which yields ``(item, result)``
as each task finishes; ``result`` is the exception when a task failed for good. A task whose
worker process died is run again: Dask does this itself (the scheduler reschedules tasks of
a lost worker, up to ``distributed.scheduler.allowed-failures`` times, and ``retries=``
covers exceptions); the local pool does it by starting a fresh pool after a
``BrokenProcessPool`` and resubmitting the tasks that had not finished.
"""

from __future__ import annotations

import multiprocessing
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Literal, Protocol, TypeVar

T = TypeVar("T")
EngineName = Literal["local", "dask"]


class WorkerDied(RuntimeError):
    """A task's worker process died more often than retries allow."""


class Runner(Protocol):
    workers: int

    def map_unordered(
        self, fn: Callable[[Any], Any], items: Sequence[T]
    ) -> Iterator[tuple[T, Any]]: ...

    def close(self) -> None: ...


class LocalRunner:
    """A ``concurrent.futures`` process pool; at most ``workers`` tasks in flight, so the
    tasks lost when a worker dies are the ones that were running."""

    def __init__(self, workers: int, *, retries: int = 3) -> None:
        self.workers = workers
        self.retries = retries
        self._context = multiprocessing.get_context("spawn")

    def map_unordered(
        self, fn: Callable[[Any], Any], items: Sequence[T]
    ) -> Iterator[tuple[T, Any]]:
        """Run ``fn`` over ``items``; yield each item with its result (or exception)."""
        pending: deque[int] = deque(range(len(items)))
        attempts: Counter[int] = Counter()
        while pending:
            with ProcessPoolExecutor(self.workers, mp_context=self._context) as pool:
                for index, result in self._drain(pool, fn, items, pending, attempts):
                    yield items[index], result

    def _drain(
        self,
        pool: ProcessPoolExecutor,
        fn: Callable[[Any], Any],
        items: Sequence[Any],
        pending: deque[int],
        attempts: Counter[int],
    ) -> Iterator[tuple[int, Any]]:
        running: dict[Future[Any], int] = {}
        while pending or running:
            broken = False
            while pending and len(running) < self.workers:
                index = pending.popleft()
                try:
                    running[pool.submit(fn, items[index])] = index
                except BrokenProcessPool:  # a worker died since the last wait: not this task
                    pending.appendleft(index)
                    broken = True
                    break
            if broken and not running:
                return  # a fresh pool takes the pending tasks
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                index = running.pop(future)
                try:
                    yield index, future.result()
                except BrokenProcessPool:
                    broken = True
                    yield from self._retry(index, pending, attempts, WorkerDied("worker died"))
                except Exception as e:
                    yield from self._retry(index, pending, attempts, e)
            if broken:  # the pool is unusable: the tasks still running are lost with it
                for index in running.values():
                    yield from self._retry(index, pending, attempts, WorkerDied("worker died"))
                return

    def _retry(
        self, index: int, pending: deque[int], attempts: Counter[int], error: Exception
    ) -> Iterator[tuple[int, Any]]:
        attempts[index] += 1
        if attempts[index] > self.retries:
            yield index, error
        else:
            pending.appendleft(index)

    def close(self) -> None:
        pass


class DaskRunner:
    """dask.distributed: a LocalCluster of ``workers`` single-threaded processes, or the
    scheduler at ``address``."""

    def __init__(self, workers: int, *, address: str | None = None, retries: int = 3) -> None:
        from distributed import Client, LocalCluster

        self.retries = retries
        self._cluster: Any = None
        if address:
            self._client = Client(address)
        else:
            self._cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
            )
            self._client = Client(self._cluster)
        self.workers = len(self._client.scheduler_info().get("workers", {})) or workers

    def map_unordered(
        self, fn: Callable[[Any], Any], items: Sequence[T]
    ) -> Iterator[tuple[T, Any]]:
        """Submit every item, then yield each with its result (or exception) as it finishes."""
        from distributed import as_completed

        if not items:
            return
        futures = self._client.map(fn, list(items), retries=self.retries, pure=False)
        owner = {future.key: item for future, item in zip(futures, items, strict=True)}
        for future in as_completed(futures):
            try:
                yield owner[future.key], future.result()
            except Exception as e:
                yield owner[future.key], e
            future.release()

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


def make_runner(
    engine: EngineName, workers: int, *, scheduler: str | None = None, retries: int = 3
) -> Runner:
    """The runner for ``--engine``."""
    if engine == "dask":
        return DaskRunner(workers, address=scheduler, retries=retries)
    return LocalRunner(workers, retries=retries)
