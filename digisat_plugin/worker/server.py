"""The worker's loop (child side): read jobs from stdin, run them, answer in JSON lines.

The protocol goes to a private duplicate of stdout; file descriptor 1 itself is pointed at stderr,
so a library that prints (native libraries do, from C) cannot corrupt the stream.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import sys
import threading
import traceback

from ..core.errors import Cancelled, DigisatError
from ..core.progress import Progress
from .codec import dumps


def _protocol_stream():
    fd = os.dup(sys.stdout.fileno())
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    return os.fdopen(fd, "w", encoding="utf-8", buffering=1)


CANCEL = threading.Event()  # set by a {"cancel": true} line: the running job's Progress reports cancelled


def _stdin_lines(lines: queue.Queue) -> None:
    for line in sys.stdin:
        if line.strip() == '{"cancel": true}':
            CANCEL.set()  # read here, not queued: the main thread is busy with the job
        else:
            lines.put(line)
    CANCEL.set()
    lines.put(None)  # stdin closed: the parent is gone or done with us


def run_one(request: dict, send) -> None:
    from .jobs import JOBS

    def report(fraction, message):
        send({"event": "progress", "fraction": fraction, "message": message})

    def log(message):
        send({"event": "log", "message": str(message)})

    job = JOBS.get(request.get("job"))
    CANCEL.clear()
    try:
        if job is None:
            raise DigisatError(f"worker: unknown job {request.get('job')!r}")
        value = job(request.get("args") or {}, Progress(report, CANCEL.is_set), log)
    except Cancelled as exc:
        send({"event": "error", "kind": "cancelled", "message": str(exc)})
    except DigisatError as exc:
        send({"event": "error", "kind": "user", "message": str(exc)})
    except MemoryError:
        send({"event": "error", "kind": "user", "message": "the worker ran out of memory (try a smaller area or "
                                                           "tile size)"})
    except Exception as exc:  # a bug: the traceback goes to the QGIS log, one line to the user
        send({"event": "error", "kind": "bug", "message": f"unexpected error: {type(exc).__name__}: {exc}",
              "details": traceback.format_exc()})
    else:
        send({"event": "result", "value": value})


def _cancel_on_sigterm() -> None:
    """The parent cancels with SIGTERM: raise Cancelled so core removes what it started (the engine its
    temporary rasters, a fetch its .partial folder), as in-process; a second signal, or SIGKILL from
    the parent a second later, ends the process at once."""
    def cancel(_signum, _frame):
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        raise Cancelled()

    signal.signal(signal.SIGTERM, cancel)


def main(argv) -> int:
    idle = float(argv[argv.index("--idle") + 1]) if "--idle" in argv else 0.0
    out = _protocol_stream()
    _cancel_on_sigterm()
    try:
        return _serve(out, idle)
    except Cancelled:  # terminated between two jobs
        return 0


def _serve(out, idle: float) -> int:
    lock = threading.Lock()

    def send(message: dict) -> None:
        text = dumps(message)
        with lock:
            out.write(text + "\n")

    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_stdin_lines, args=(lines,), daemon=True).start()
    while True:
        try:
            line = lines.get(timeout=idle if idle > 0 else None)
        except queue.Empty:
            return 0  # idle long enough: give the memory (and any GPU) back
        if line is None:
            return 0
        if line.strip():
            try:
                request = json.loads(line)
            except ValueError:
                send({"event": "error", "kind": "bug", "message": "worker: a job line that is not JSON"})
                continue
            run_one(request, send)
