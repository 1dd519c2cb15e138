import os
import sys

from .core.runtime import needs_restart, with_tunables

if needs_restart():  # glibc reads its malloc tunables at start-up only (core/runtime.py)
    os.execve(sys.executable, sys.orig_argv, with_tunables())

from .cli import main  # noqa: E402 (after the restart: nothing imported twice)

sys.exit(main())
