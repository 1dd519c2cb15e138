"""The guided estimate's parts in threads (core/sr/threads.py): same results, really side by side."""

import threading

import numpy as np
import pytest

from digisat_plugin.core.sr import threads
from digisat_plugin.core.sr.guided import estimate_blur, guided_local


@pytest.fixture
def two_threads():
    threads.set_threads(2)
    yield
    threads.set_threads(None)


def test_parts_run_side_by_side_and_keep_their_order(two_threads):
    both = threading.Barrier(2, timeout=10)  # passes only if two parts run at the same time

    def part(x):
        both.wait()
        return x * x, threading.get_ident()

    out = threads.map_threads(part, [3, 4])
    assert [v for v, _ in out] == [9, 16]
    assert len({ident for _, ident in out}) == 2


def test_a_map_inside_a_part_runs_in_that_parts_thread(two_threads):
    def part(x):
        return [ident for ident in threads.map_threads(lambda _: threading.get_ident(), range(3))], threading.get_ident()

    for inner, outer in threads.map_threads(part, [0, 1]):
        assert inner == [outer] * 3


def test_one_thread_runs_in_the_caller():
    threads.set_threads(1)
    try:
        assert threads.map_threads(lambda _: threading.get_ident(), range(4)) == [threading.get_ident()] * 4
    finally:
        threads.set_threads(None)


def test_the_estimate_in_threads_is_the_estimate_in_turn_bit_for_bit(two_threads):
    rng = np.random.default_rng(3)
    guides = rng.uniform(200, 3000, (2, 4, 48, 48)).astype(np.float32)  # a batch of two tiles
    low = guides.reshape(2, 4, 24, 2, 24, 2).mean(axis=(3, 5))[:, :3] * [[[[1.1]], [[0.7]], [[0.9]]]]
    sigma = [0.0, 0.9, 0.9]  # two widths: two groups of bands
    in_threads = guided_local(low, guides, 2, sigma=sigma), estimate_blur(low[0], guides[0], 2)
    threads.set_threads(1)
    in_turn = guided_local(low, guides, 2, sigma=sigma), estimate_blur(low[0], guides[0], 2)
    for a, b in zip(in_threads, in_turn, strict=True):
        assert np.array_equal(a, b)
    assert in_turn[0].shape == (2, 3, 48, 48)


def test_a_task_beside_runs_in_its_own_thread_and_in_turn_on_one(two_threads):
    with threads.beside() as pool:
        assert pool.submit(threading.get_ident).result() != threading.get_ident()
    threads.set_threads(1)  # a Dask worker with one thread
    with threads.beside() as pool:
        assert pool.submit(threading.get_ident).result() == threading.get_ident()
