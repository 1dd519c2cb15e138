"""Processes that run the networks start with glibc's malloc asking for huge pages
(core/runtime.py): the CLI restarts itself with the setting, batch workers get it."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from digisat_plugin.core.runtime import TUNABLES_VAR, needs_restart, with_tunables
from tests.conftest import REPO


def test_tunables_are_added_once_beside_the_users_own():
    assert with_tunables({})[TUNABLES_VAR] == "glibc.malloc.hugetlb=1"
    other = {TUNABLES_VAR: "glibc.malloc.arena_max=2"}
    assert with_tunables(other)[TUNABLES_VAR] == "glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1"
    assert with_tunables(with_tunables(other)) == with_tunables(other)
    # a user's own choice of the same tunable wins
    assert with_tunables({TUNABLES_VAR: "glibc.malloc.hugetlb=0"})[TUNABLES_VAR] == "glibc.malloc.hugetlb=0"
    assert other == {TUNABLES_VAR: "glibc.malloc.arena_max=2"}  # the input is not changed


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc tunables: Linux only")
def test_needs_restart_only_without_the_tunable():
    assert needs_restart({})
    assert not needs_restart(with_tunables({}))
    assert not needs_restart({TUNABLES_VAR: "glibc.malloc.hugetlb=0"})


def _environ(pid: int) -> list:
    with open(f"/proc/{pid}/environ", "rb") as fh:
        return fh.read().split(b"\0")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc and glibc tunables: Linux only")
def test_the_cli_restarts_itself_with_the_malloc_tunable(tmp_path):
    """Started without GLIBC_TUNABLES, `python -m digisat_plugin` re-executes itself (same pid,
    same arguments) with it, seen from outside; the restarted process still parses its arguments
    and ends in the usual one-line error (an empty folder is no product)."""
    env = {k: v for k, v in os.environ.items() if k != TUNABLES_VAR}
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    proc = subprocess.Popen([sys.executable, "-m", "digisat_plugin", "batch", str(tmp_path), "--out",
                             str(tmp_path / "out"), "--scheduler", "tcp://127.0.0.1:9", "--quiet"],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen = False
    deadline = time.monotonic() + 60
    while proc.poll() is None and time.monotonic() < deadline and not seen:
        try:
            seen = b"GLIBC_TUNABLES=glibc.malloc.hugetlb=1" in _environ(proc.pid)
        except OSError:
            break
        time.sleep(0.05)
    _out, err = proc.communicate(timeout=120)
    assert seen
    assert proc.returncode == 2
    assert err.strip().splitlines() == [err.strip()] and "no band rasters found" in err
