"""Settings a process that runs the networks needs from its start: the one home of them, used
where such processes are started (the CLI, the plugin's worker, the Dask workers, the benchmarks).

glibc's malloc serves every block over 32 MB (a tile's network activations, its input planes)
with a fresh mmap and gives it back on free, so the next tile faults the same memory in again,
4 KB at a time. `glibc.malloc.hugetlb=1` (glibc 2.35+, ignored by older ones and by other C
libraries) makes malloc ask for transparent huge pages on those blocks: on the Virginia scene
through `superresolve` the minor page faults fell from 2.8 M to 0.15 M and the CPU time by about
11 % (system time 11.5 -> 7.3 s, user 71.5 -> 66.4 s; `make bench` prints the difference).
glibc reads GLIBC_TUNABLES once, when a process starts, hence a setting for child processes and a
re-exec of the CLI (digisat_plugin/__main__.py) rather than a call at run time.
"""

from __future__ import annotations

import os
import sys

TUNABLES_VAR = "GLIBC_TUNABLES"
MALLOC_TUNABLES = ("glibc.malloc.hugetlb=1",)


def with_tunables(env=None) -> dict:
    """A copy of `env` (default os.environ) whose GLIBC_TUNABLES holds MALLOC_TUNABLES, keeping
    any other tunable already there (and a user's own value of the same one)."""
    out = dict(os.environ if env is None else env)
    present = [t for t in out.get(TUNABLES_VAR, "").split(":") if t]
    names = {t.split("=", 1)[0] for t in present}
    present += [t for t in MALLOC_TUNABLES if t.split("=", 1)[0] not in names]
    out[TUNABLES_VAR] = ":".join(present)
    return out


def needs_restart(env=None) -> bool:
    """True where this process runs on glibc without the tunables (Linux only: they mean nothing
    elsewhere)."""
    env = os.environ if env is None else env
    return sys.platform.startswith("linux") and with_tunables(env)[TUNABLES_VAR] != env.get(TUNABLES_VAR, "")
