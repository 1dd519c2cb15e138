"""Independent parts of the guided estimate on all the cores, in threads.

numpy's arithmetic and scipy.ndimage's filters release the GIL on large arrays, while one
estimate runs on one core: the blur candidates of `estimate_blur`, the tiles of a batch and the
bands of different blur in `guided_local` are independent, so threads run them side by side (the
estimate is most of what a run costs outside the networks, and all of a window's blur fit).
Results are the same, bit for bit: each part is computed as it would be alone.

A part that itself maps runs its own parts in turn (no nested pools: a map uses at most one
thread per core). The engine's guard check runs in a thread of its own beside a blur fit
(`beside`, core/sr/engine.py), so for that while up to twice as many threads share the cores.
The Dask workers share the cores out between them (core/batch.py: `set_threads`); with one
thread set, everything runs in turn, as before the threads.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor

_inside = threading.local()
_limit: list = []  # the threads set for this process (set_threads), else $DIGISAT_THREADS, else one per core
# how the plugin's setting (toolbelt/settings.py: worker_threads) reaches its worker process
THREADS_VAR = "DIGISAT_THREADS"


def set_threads(n: int | None) -> None:
    """At most n threads per map in this process (None or 0: one per available core)."""
    _limit[:] = [int(n)] if n else []


def available() -> int:
    if _limit:
        return max(_limit[0], 1)
    value = os.environ.get(THREADS_VAR, "")
    if value.isdigit() and int(value) > 0:
        return int(value)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def map_threads(fn, items) -> list:
    """[fn(x) for x in items], in up to `available()` threads (in turn inside another map)."""
    items = list(items)
    n = min(available(), len(items))
    if n <= 1 or getattr(_inside, "active", False):
        return [fn(x) for x in items]

    def run(x):
        _inside.active = True
        try:
            return fn(x)
        finally:
            _inside.active = False

    with ThreadPoolExecutor(n, thread_name_prefix="digisat-estimate") as pool:
        return list(pool.map(run, items))


class _InTurn:
    """`beside` on one thread: a task submitted runs at once, in the caller's thread."""

    def submit(self, fn, *args) -> Future:
        future = Future()
        future.set_result(fn(*args))
        return future

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> bool:
        return False


def beside():
    """An executor (a context manager with `submit`) for one task that runs beside the caller's
    work in a thread of its own, or at once in turn where this process has one thread."""
    if available() > 1:
        return ThreadPoolExecutor(1, thread_name_prefix="digisat-beside")
    return _InTurn()
