"""Send notebook runs to a ``dask.distributed`` cluster (``permanent-research run --scheduler``).

The runner stays in charge of everything that touches ``reports/``: the lock, the staging
folders, the atomic move into place and ``.previous``. Only the execution moves: each job is
one Dask task that runs :func:`~permanent_research.reporting.runner._execute` in a **child
process** of the worker (papermill changes the working directory of its process, so two
notebooks must never share one), into a temporary folder on the worker; the task returns the
outcome and the bytes of every file written there, and the runner writes them into the job's
own staging folder and commits them exactly as after a local run.

Workers must see the project (notebooks, ``data/``, ``scenarios/``) at the same path as the
machine that runs the command (a shared file system, or the same checkout at the same path) and
have this package installed. A job whose notebook a worker cannot see fails with one line.

The kernels inherit the worker's environment, plus ``PERMANENT_RESEARCH_HOME`` set to the
runner's project. A notebook that itself uses Dask (``09_what_decides_the_answer``) starts its
own local cluster on the worker's machine unless the workers set ``PERMANENT_RESEARCH_SCHEDULER``;
while a notebook runs its task steps out of the worker's thread pool (``secede``), so such a
notebook may send its own work to the same cluster without waiting on itself.
"""

from __future__ import annotations

import concurrent.futures as futures
import os
import pickle
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from permanent_research.errors import ParameterError

__all__ = ["SCHEDULER_ENV", "LOCAL", "connect", "cluster_threads", "DaskPool",
           "execute_on_worker"]

#: Environment variable naming the scheduler (shared with :mod:`permanent_research.sensitivity`).
SCHEDULER_ENV = "PERMANENT_RESEARCH_SCHEDULER"
#: ``--scheduler local``: this machine's worker processes even when the variable is set.
LOCAL = "local"
_CONNECT_TIMEOUT = "5s"
_JOB_FILE = "job.pickle"
_OUTCOME_FILE = "outcome.pickle"


def connect(address: str) -> Any:
    """A ``distributed.Client`` for ``address``, or a one-line :class:`ParameterError`."""
    try:
        from distributed import Client
    except ImportError:  # pragma: no cover - a dependency of the package
        raise ParameterError(f"scheduler={address!r} needs the 'distributed' package; nothing "
                             "ran") from None
    try:
        return Client(address, timeout=_CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise ParameterError(f"could not reach the Dask scheduler at {address!r} "
                             f"({reason[:120]}); nothing ran") from None


def cluster_threads(client: Any) -> int:
    """Worker threads of the cluster (at least 1): the default number of notebooks at once."""
    try:
        return max(1, sum(client.nthreads().values()))
    except Exception:  # a scheduler that answers oddly still runs one notebook at a time
        return 1


def _collect(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def execute_on_worker(job: Any, project_root: str) -> dict[str, Any]:
    """Dask task: run one job in a child process; return its outcome and the files it wrote.

    Returns ``{"outcome": {...}, "files": {relative path: bytes}, "worker": address}``.
    """
    from dataclasses import replace

    worker = _worker_address()
    if not Path(job.notebook).is_file():
        return {"outcome": {"status": "failed", "duration_s": 0.0,
                            "error": (f"worker {worker} cannot see {job.notebook}: workers must "
                                      "see the project at the same path")},
                "files": {}, "worker": worker}
    folder = Path(tempfile.mkdtemp(prefix="pr-run-"))
    try:
        staging = folder / "staging"
        remote_job = replace(job, staging_dir=str(staging))
        (folder / _JOB_FILE).write_bytes(pickle.dumps(remote_job))
        package = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ, PERMANENT_RESEARCH_HOME=project_root,
                   PYTHONPATH=os.pathsep.join(
                       [package, *filter(None, [os.environ.get("PYTHONPATH")])]))
        command = [sys.executable, "-m", "permanent_research.reporting.remote", str(folder)]
        seceded = _secede()
        try:
            done = subprocess.run(command, env=env, stdin=subprocess.DEVNULL,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                  check=False)
        finally:
            if seceded:
                from distributed import rejoin

                rejoin()
        outcome_file = folder / _OUTCOME_FILE
        if outcome_file.is_file():
            outcome = pickle.loads(outcome_file.read_bytes())
        else:
            last = (done.stderr or b"").decode(errors="replace").strip().splitlines()
            outcome = {"status": "failed", "duration_s": 0.0,
                       "error": (f"the notebook's process on worker {worker} exited with code "
                                 f"{done.returncode}" + (f": {last[-1][:200]}" if last else ""))}
        _record_worker(staging, job.stem, worker)
        files = _collect(staging) if staging.is_dir() else {}
        return {"outcome": outcome, "files": files, "worker": worker}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _record_worker(staging: Path, stem: str, worker: str) -> None:
    """Name the worker in the job's manifest (provenance: where the report was computed)."""
    from permanent_research.reporting.manifest import read_json, write_json_atomic

    for name in (f"{stem}.manifest.json", f"{stem}.failed.json"):
        record = read_json(staging / name)
        if isinstance(record, dict):
            record["executed_on"] = {"worker": worker, "host": socket.gethostname()}
            write_json_atomic(staging / name, record)


def _worker_address() -> str:
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except (ImportError, ValueError):
        return socket.gethostname()


def _secede() -> bool:
    """Leave the worker's thread pool while the notebook runs (see the module notes)."""
    try:
        from distributed import get_worker, secede

        get_worker()
    except (ImportError, ValueError):
        return False
    secede()
    return True


def _child(folder: str) -> int:
    """Entry point of the child process: execute the pickled job, pickle the outcome."""
    from permanent_research.reporting.runner import _execute, _worker_init

    _worker_init(os.getppid())  # die with the worker, and take the kernel along
    job = pickle.loads((Path(folder) / _JOB_FILE).read_bytes())
    outcome = _execute(job)
    temporary = Path(folder) / (_OUTCOME_FILE + ".part")
    temporary.write_bytes(pickle.dumps(outcome))
    os.replace(temporary, Path(folder) / _OUTCOME_FILE)
    return 0


def _unpack(result: dict[str, Any], staging: Path) -> dict[str, Any]:
    """Write a remote job's files into its staging folder; return its outcome."""
    staging.mkdir(parents=True, exist_ok=True)
    root = staging.resolve()
    for name, data in result["files"].items():
        target = (staging / name).resolve()
        if root not in target.parents:  # a worker may only write inside the job's folder
            raise ParameterError(f"worker {result.get('worker')} returned a file outside its "
                                 f"staging folder: {name!r}")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return dict(result["outcome"], worker=result.get("worker"))


class DaskPool:
    """The runner's executor on a Dask cluster: ``submit(_execute, job)`` like a process pool.

    At most ``max_workers`` notebooks run at once (the rest wait here, not on the cluster, so
    a notebook's own Dask work is never queued behind notebooks). Each returned
    :class:`concurrent.futures.Future` resolves once the job's files are in its staging folder.
    """

    def __init__(self, client: Any, *, max_workers: int, project_root: str) -> None:
        self.client = client
        self.max_workers = max(1, int(max_workers))
        self.project_root = project_root
        self._lock = threading.Lock()
        self._queue: list[tuple[Any, futures.Future]] = []
        self._running: dict[Any, tuple[Any, futures.Future]] = {}
        self._token = uuid.uuid4().hex[:8]
        self._count = 0

    def submit(self, function: Callable, job: Any) -> futures.Future:
        from permanent_research.reporting.runner import _execute

        if function is not _execute:
            raise ParameterError("DaskPool runs the runner's jobs only")
        result: futures.Future = futures.Future()
        with self._lock:
            self._queue.append((job, result))
            self._start_ready()
        return result

    def _start_ready(self) -> None:
        while self._queue and len(self._running) < self.max_workers:
            job, result = self._queue.pop(0)
            self._count += 1
            remote = self.client.submit(execute_on_worker, job, self.project_root,
                                        key=f"pr-run-{self._token}-{self._count}-{job.stem}",
                                        pure=False)
            self._running[remote.key] = (job, result)
            remote.add_done_callback(self._finished)

    def _finished(self, remote: Any) -> None:
        with self._lock:
            job, result = self._running.pop(remote.key)
            self._start_ready()
        try:
            outcome = _unpack(remote.result(), Path(job.staging_dir))
        except BaseException as failure:  # cancelled, worker lost, unpicklable: the job failed
            result.set_exception(failure if isinstance(failure, Exception)
                                 else RuntimeError(str(failure)))
        else:
            result.set_result(outcome)
        finally:
            remote.release()

    def __enter__(self) -> DaskPool:
        return self

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._queue.clear()


if __name__ == "__main__":
    sys.exit(_child(sys.argv[1]))
