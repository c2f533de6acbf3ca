"""The local runner survives a pool that breaks between two submissions (a worker died
after the last wait): the task not yet submitted goes back to the queue, not to the retries."""

from __future__ import annotations

from collections import Counter, deque
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from newsbrief._batch.engines import LocalRunner


class _PoolThatBreaks:
    """Runs the first ``good`` submissions at once, then reports a broken pool."""

    def __init__(self, good: int) -> None:
        self.good = good
        self.submitted: list[Any] = []

    def submit(self, fn: Any, item: Any) -> Future[Any]:
        if len(self.submitted) >= self.good:
            raise BrokenProcessPool("a child process terminated abruptly")
        self.submitted.append(item)
        future: Future[Any] = Future()
        future.set_result(fn(item))
        return future


def test_a_pool_broken_before_submit_requeues_the_task() -> None:
    runner = LocalRunner(2)
    pending: deque[int] = deque(range(3))
    attempts: Counter[int] = Counter()
    pool = _PoolThatBreaks(good=1)
    out = list(runner._drain(pool, lambda x: x * 10, ["a", "b", "c"], pending, attempts))  # type: ignore[arg-type]
    assert out == [(0, "aaaaaaaaaa")]
    assert list(pending) == [1, 2] and not attempts  # nothing counted as a failed attempt


def test_every_item_once_across_fresh_pools() -> None:
    results = dict(LocalRunner(2).map_unordered(_square, [1, 2, 3, 4, 5]))
    assert results == {1: 1, 2: 4, 3: 9, 4: 16, 5: 25}


def _square(x: int) -> int:
    return x * x
