"""The QGIS side of the worker: start it, send a job, relay progress and log lines, return the result.

`run_job(job, args, python=...)` is all the tasks and Processing algorithms call. A core Progress
gives the progress callback and the cancel test. Pure Python (no Qt), so it runs on a QgsTask
thread or in a Processing algorithm alike.

Cancel: a {"cancel": true} line makes the job's Progress report cancelled, so core cleans up as
in-process; after CANCEL_GRACE seconds the child is stopped anyway (SIGTERM, SIGKILL after
STOP_GRACE). Crash, SIGKILL, out of memory: the engine's temporary files are removed here by the
child's pid. Either way its private temporary folder is deleted and the caller gets one line
(Cancelled or WorkerError).
The final outputs appear only by the engine's rename, so a killed run leaves nothing.

A worker that finished a job cleanly is kept for the next one (`keep_alive` seconds, one per
interpreter and device): the networks load once.
"""

from __future__ import annotations

import collections
import glob
import os
import queue
import shutil
import signal
import subprocess
import tempfile
import threading
import time

from ..core.errors import Cancelled, DigisatError
from ..core.progress import as_progress
from ..core.runtime import with_tunables
from ..core.sr.threads import THREADS_VAR
from ..toolbelt.layouts import child_env
from .codec import dumps

PACKAGE = __name__.split(".")[0]  # "digisat_plugin", whatever the plugin folder is called
PACKAGE_PARENT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CANCEL_GRACE = 1.2  # seconds a cancelled job has to clean up after itself, as core does in-process
STOP_GRACE = 0.5  # then seconds between SIGTERM and SIGKILL (cancel must stop the worker within 2 s)
POLL = 0.05  # seconds between cancel checks while waiting for the worker
DEFAULT_KEEP_ALIVE = 300.0


class _LateCancel(Cancelled):
    """Cancelled after the job had finished: its outputs are removed here, the worker is fine."""


class WorkerError(DigisatError):
    """The worker could not be started, or stopped without answering (crash, kill, out of memory)."""


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def remove_partial_outputs(paths, pid: int) -> None:
    """The engine's temporary files for `paths` written by process `pid` (core/io/cog.py names them
    '.<name>.<pid>.part.tif' and '.<name>.<pid>.cog.part.tif' beside the output)."""
    for path in paths:
        if not path:
            continue
        folder, name = os.path.split(os.path.abspath(path))
        for leftover in glob.glob(os.path.join(glob.escape(folder), f".{glob.escape(name)}.{pid}.*part.tif")):
            try:
                os.remove(leftover)
            except OSError:
                pass


class WorkerProcess:
    def __init__(self, python: str, device: str = "auto", keep_alive: float = 0.0, threads: int = 0):
        self.python, self.device, self.threads = python, device, int(threads or 0)
        self.tmpdir = tempfile.mkdtemp(prefix="digisat-worker-")
        # core/runtime.py: malloc settings read at start-up; a --target environment's PYTHONPATH and
        # QGIS's own variables on Windows (toolbelt/layouts.py)
        env = child_env(python, with_tunables(os.environ))
        env["PYTHONPATH"] = os.pathsep.join(p for p in (PACKAGE_PARENT, env.get("PYTHONPATH", "")) if p)
        env["PYTHONUNBUFFERED"] = "1"
        for name in ("TMPDIR", "TEMP", "TMP"):  # whatever core puts in a temp folder dies with this one
            env[name] = self.tmpdir
        if self.threads > 0:  # the plugin's setting: the networks' and the estimate's threads (core/sr/threads.py)
            env[THREADS_VAR] = str(self.threads)
        if device == "cpu":  # a CUDA build of ONNX Runtime then never touches (or reserves memory on) a GPU
            env["CUDA_VISIBLE_DEVICES"] = "-1"
        self.args = [python, "-m", f"{PACKAGE}.worker", "--idle", f"{keep_alive:g}"]
        try:
            self.proc = subprocess.Popen(self.args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=subprocess.PIPE, env=env, text=True,
                                         encoding="utf-8", errors="replace", bufsize=1,
                                         start_new_session=(os.name == "posix"))
        except OSError as exc:
            shutil.rmtree(self.tmpdir, ignore_errors=True)
            raise WorkerError(f"cannot start the digisat worker ({python}: {exc.strerror}); check the Python "
                              "in Settings (digisat environment)") from None
        self.pid = self.proc.pid
        self.events: queue.Queue = queue.Queue()
        self.stderr_tail = collections.deque(maxlen=40)
        self.healthy = True
        self.readers = [threading.Thread(target=self._read_stdout, daemon=True),
                        threading.Thread(target=self._read_stderr, daemon=True)]
        for reader in self.readers:
            reader.start()

    def _read_stdout(self):
        import json

        for line in self.proc.stdout:
            try:
                self.events.put(json.loads(line))
            except ValueError:
                self.stderr_tail.append(line.rstrip())
        self.events.put(None)

    def _read_stderr(self):
        for line in self.proc.stderr:
            if line.strip():
                self.stderr_tail.append(line.rstrip())

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        """Kill the worker (SIGTERM, SIGKILL after STOP_GRACE s) and remove its temporary folder."""
        self.healthy = False
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
            self.proc.terminate()
            try:
                self.proc.wait(STOP_GRACE)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._close_pipes()
        shutil.rmtree(self.tmpdir, ignore_errors=True)

    def _close_pipes(self) -> None:
        """Close the pipes once the readers have seen their end (left open they were ResourceWarnings, with a
        traceback each, in QGIS's Python warning log)."""
        for reader in getattr(self, "readers", ()):
            if reader is not threading.current_thread():
                reader.join(timeout=1.0)
        for pipe in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if pipe is not None and not any(r.is_alive() for r in getattr(self, "readers", ())):
                try:
                    pipe.close()
                except OSError:
                    pass

    def cancel(self) -> None:
        """Cooperative cancel first (core's own cleanup runs: temporary rasters, a fetch's .partial
        folder), then stop() whatever happened: a cancelled worker is never reused."""
        try:
            self.proc.stdin.write('{"cancel": true}\n')
            self.proc.stdin.flush()
        except OSError:
            pass
        end = time.monotonic() + CANCEL_GRACE
        while time.monotonic() < end:
            try:
                event = self.events.get(timeout=POLL)
            except queue.Empty:
                continue
            if event is None or event.get("event") in ("result", "error"):
                break
        self.stop()

    def _died(self) -> WorkerError:
        rc = self.proc.wait()
        last = next((line for line in reversed(self.stderr_tail) if line.strip()), "")
        if rc < 0:
            why = f"was killed ({_signal_name(-rc)}{'; out of memory?' if -rc == signal.SIGKILL else ''})"
        else:
            why = f"exited with status {rc}" + (f": {' '.join(last.split())[:160]}" if last else "")
        return WorkerError(f"the digisat worker process {why}; no output was written, the next run starts a "
                           "new worker")

    def run(self, job: str, args: dict, progress=None, log=None, outputs=()):
        progress = as_progress(progress)
        try:
            try:
                self.proc.stdin.write(dumps({"job": job, "args": args}) + "\n")
                self.proc.stdin.flush()
            except OSError:
                pass  # it died before reading: reported below as the end of its output
            while True:
                try:
                    event = self.events.get(timeout=POLL)
                except queue.Empty:
                    progress.check()
                    continue
                if event is None:
                    raise self._died()
                kind = event.get("event")
                if kind == "progress":
                    progress.update(event["fraction"], event.get("message"))
                elif kind == "log":
                    if log is not None:
                        log(event["message"])
                elif kind == "result":
                    if progress.cancelled:  # it finished before it saw the cancel: nothing is kept, as in-process
                        for path in outputs:
                            if path and os.path.exists(path):
                                os.remove(path)
                        raise _LateCancel()
                    return event.get("value")
                elif kind == "error":
                    if event.get("kind") == "cancelled":
                        raise Cancelled(event["message"])
                    if event.get("kind") == "bug":
                        error = DigisatError(event["message"])
                        error.details = event.get("details", "")
                        raise error
                    raise DigisatError(event["message"])
        except _LateCancel:
            raise
        except Cancelled:
            self.cancel()
            remove_partial_outputs(outputs, self.pid)
            raise
        except WorkerError:
            self.stop()
            remove_partial_outputs(outputs, self.pid)
            raise
        except DigisatError:
            raise  # the job failed cleanly (the engine removed its own files): the worker can serve again
        except BaseException:
            self.stop()
            remove_partial_outputs(outputs, self.pid)
            raise


_idle: dict = {}  # (python, device, threads) -> WorkerProcess waiting for its next job
_busy: set = set()  # workers running a job now
_lock = threading.Lock()


def _take(python: str, device: str, threads: int = 0):
    with _lock:
        worker = _idle.pop((python, device, int(threads or 0)), None)
    if worker is not None and worker.alive:
        return worker
    if worker is not None:
        worker.stop()
    return None


def _keep(worker: WorkerProcess) -> None:
    with _lock:
        key = (worker.python, worker.device, worker.threads)
        previous = _idle.pop(key, None)
        _idle[key] = worker
    if previous is not None:
        previous.stop()


def run_job(job: str, args: dict, python: str, device: str = "auto", progress=None, log=None, outputs=(),
            keep_alive: float = DEFAULT_KEEP_ALIVE, threads: int = 0):
    """Run one job in a worker; returns its JSON result. Raises DigisatError (one line), Cancelled,
    WorkerError. `outputs`: files the job writes, whose temporary copies are removed if it is killed.
    threads: CPU threads for the networks (0: every core)."""
    worker = _take(python, device, threads) or WorkerProcess(python, device, keep_alive, threads)
    with _lock:
        _busy.add(worker)
    try:
        value = worker.run(job, args, progress, log, outputs)
    except DigisatError:
        if worker.healthy and worker.alive and keep_alive > 0:
            _keep(worker)
        elif worker.healthy:
            worker.stop()
        raise
    finally:
        with _lock:
            _busy.discard(worker)
    if keep_alive > 0 and worker.alive:
        _keep(worker)
    else:
        worker.stop()
    return value


def running_pids() -> list:
    """Process ids of the workers running a job now (the tests kill and watch them)."""
    with _lock:
        return [w.pid for w in _busy]


def idle_workers() -> list:
    with _lock:
        return list(_idle.values())


def shutdown(python: str | None = None) -> None:
    """Stop the kept-alive workers (all, or those of one interpreter: after a repair or removal)."""
    with _lock:
        keys = [k for k in _idle if python is None or k[0] == python]
        workers = [_idle.pop(k) for k in keys]
    for worker in workers:
        worker.stop()


def wait_until_gone(pid: int, timeout: float = 2.0) -> bool:
    """True once no process `pid` runs (tests and the bench check cancel times with it)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            os.kill(pid, 0)
        except OSError:
            return True
        time.sleep(0.02)
    return False
