"""Run a vectorised model over many rows, in chunks, on ``dask.distributed``.

Where the work runs (``scheduler=``):

* ``None``: the scheduler named by the environment variable ``PERMANENT_RESEARCH_SCHEDULER``
  when it is set, otherwise a :class:`distributed.LocalCluster` of one single-threaded worker
  process per core, started once per Python session and reused;
* an address such as ``"tcp://10.0.0.5:8786"``: an existing cluster;
* a :class:`distributed.Client`: that client's cluster;
* ``"inline"``: this process, chunk after chunk, without Dask (small runs, debugging; the
  environment variable may say ``inline`` too: the report runner sets it for its kernels).

Work is cut into chunks of whole rows (never one task per draw). Chunk boundaries fall on
multiples of the model's ``block_rows`` attribute (1 when absent), so a model whose own
randomness is seeded per block of global rows gives the same numbers however it is chunked.
Every chunk keeps its global row numbers as the index of the table the model receives.
"""

from __future__ import annotations

import atexit
import math
import os
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd

from permanent_research.errors import ParameterError

__all__ = ["SCHEDULER_ENV", "DEFAULT_CHUNK_ROWS", "evaluate", "evaluate_many", "check_output",
           "session", "run_tasks", "describe"]

SCHEDULER_ENV = "PERMANENT_RESEARCH_SCHEDULER"
DEFAULT_CHUNK_ROWS = 16_384
#: Chunks per worker thread when the chunk size is left to the engine.
TASKS_PER_THREAD = 4
_LOCAL: dict[str, Any] = {}
_CONNECT_TIMEOUT = "5s"


def _format_row(table: pd.DataFrame, position: int) -> str:
    row = table.iloc[position]
    shown = ", ".join(f"{k}={v:.6g}" if isinstance(v, (float, np.floating)) else f"{k}={v}"
                      for k, v in row.items())
    return shown if len(shown) <= 300 else shown[:297] + "..."


def check_output(output: Any, table: pd.DataFrame) -> pd.DataFrame:
    """The model's output as a float frame indexed like ``table``, or a one-line error.

    Accepts a DataFrame (one column per output), a Series (one output) or a 1-D array, with one
    row per input row in the same order. Raises :class:`ParameterError` naming the input row
    where an output is missing or infinite, or the row counts when they differ.
    """
    if isinstance(output, pd.Series):
        output = output.to_frame(name=output.name if output.name is not None else "output")
    elif isinstance(output, np.ndarray) and output.ndim == 1:
        output = pd.DataFrame({"output": output})
    elif not isinstance(output, pd.DataFrame):
        raise ParameterError(f"the model returned {type(output).__name__}; it must return a "
                             "DataFrame (one column per output) or a Series, one row per input "
                             "row")
    if len(output) != len(table):
        first, last = (table.index[0], table.index[-1]) if len(table) else (0, 0)
        raise ParameterError(f"the model returned {len(output)} rows for {len(table)} input rows "
                             f"(rows {first}-{last}); it must return one row per input row")
    if output.shape[1] == 0:
        raise ParameterError("the model returned no output column")
    try:
        values = output.to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise ParameterError(f"the model returned non-numeric output(s): "
                             f"{', '.join(map(str, output.columns))}") from None
    bad = ~np.isfinite(values)
    if bad.any():
        position, column = np.argwhere(bad)[0]
        raise ParameterError(
            f"the model returned {values[position, column]} for output "
            f"{output.columns[column]!r} at input row {table.index[position]} "
            f"({_format_row(table, position)})")
    # positional: a model may build its result with a fresh 0..n index
    return pd.DataFrame(values, index=table.index, columns=[str(c) for c in output.columns])


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


def _progress_bar(total: int, description: str, show: bool) -> Any:
    """A tqdm bar (widget in notebooks with ipywidgets, text otherwise), or nothing."""
    if not show:
        return _NoBar()
    try:
        import ipywidgets  # noqa: F401
        from tqdm.auto import tqdm
    except ImportError:
        from tqdm import tqdm
    return tqdm(total=total, desc=description, unit="run")


def _run_table(model: Callable, table: pd.DataFrame) -> pd.DataFrame:
    return check_output(model(table), table)


def _run_design(model: Callable, space: Any, unit: np.ndarray, start: int) -> pd.DataFrame:
    table = space.transform(unit).set_axis(pd.RangeIndex(start, start + len(unit)), axis=0)
    return check_output(model(table), table)


def _run_design_rows(model: Callable, space: Any, design: Any, low: int, high: int,
                     start: int) -> pd.DataFrame:
    return _run_design(model, space, design.rows(low, high), start)


def _run_draws(model: Callable, space: Any, seed: int, start: int, stop: int) -> pd.DataFrame:
    table = space.draw(start, stop, seed)
    output = check_output(model(table), table)
    clash = [c for c in output.columns if c in table.columns]
    if clash:
        raise ParameterError(f"the model's output(s) {', '.join(clash)} carry input names; "
                             "rename them")
    return pd.concat([table, output], axis=1)


def _close_local() -> None:
    client = _LOCAL.pop("client", None)
    cluster = _LOCAL.pop("cluster", None)
    if client is not None:
        client.close()
    if cluster is not None:
        cluster.close()


def _local_client() -> Any:
    from distributed import Client, LocalCluster

    client = _LOCAL.get("client")
    if client is None or client.status != "running":
        try:
            cluster = LocalCluster(n_workers=max(os.cpu_count() or 1, 1), threads_per_worker=1,
                                   processes=True, dashboard_address=":0")
        except RuntimeError as error:
            # the usual cause: worker processes re-import an unguarded __main__ and fail
            raise ParameterError(
                f"could not start a local Dask cluster ({str(error).splitlines()[0][:80]}); a "
                "script that uses it must guard its entry point with "
                "`if __name__ == \"__main__\":`, or pass scheduler=\"inline\" or a scheduler "
                "address; nothing ran") from None
        client = Client(cluster)
        _LOCAL.update(cluster=cluster, client=client)
        atexit.register(_close_local)
    return client


def _connect(address: str) -> Any:
    from distributed import Client

    try:
        return Client(address, timeout=_CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise ParameterError(f"could not reach the Dask scheduler at {address!r} ({reason[:120]})"
                             "; nothing ran") from None


@contextmanager
def _client(scheduler: Any):
    """The Dask client to use (None for inline runs); closes clients it opened itself."""
    if isinstance(scheduler, str) and scheduler == "inline":
        yield None
        return
    if scheduler is not None and not isinstance(scheduler, str):
        if not hasattr(scheduler, "submit") or not hasattr(scheduler, "gather"):
            raise ParameterError(f"scheduler={scheduler!r} must be None, 'inline', a scheduler "
                                 "address or a distributed.Client")
        yield scheduler
        return
    address = scheduler or os.environ.get(SCHEDULER_ENV) or None
    if address == "inline":  # the variable may say so too (the report runner does)
        yield None
        return
    if address is None:
        yield _local_client()
        return
    client = _connect(address)
    try:
        yield client
    finally:
        client.close()


def describe(where: Any) -> str:
    """Where :func:`session` runs the work, in words (for reports)."""
    if where is None or (isinstance(where, str) and where == "inline"):
        return "in this process"
    try:
        workers = len(where.scheduler_info()["workers"])
        address = where.scheduler.address
    except Exception:
        return "on a Dask cluster"
    local = where is _LOCAL.get("client")
    return (f"on a local Dask cluster of {workers} worker process{'es' if workers != 1 else ''}"
            if local else f"on the Dask cluster at {address} ({workers} workers)")


@contextmanager
def session(scheduler: Any):
    """Connect once for several steps: yields ``"inline"`` or a ``distributed.Client``."""
    with _client(scheduler) as client:
        yield "inline" if client is None else client


def run_tasks(calls: list[tuple], scheduler: Any) -> list:
    """Run independent ``(function, *args)`` calls where ``scheduler`` says; results in order."""
    with _client(scheduler) as client:
        if client is None:
            return [function(*args) for function, *args in calls]
        token = uuid.uuid4().hex[:8]
        futures = [client.submit(*call, key=f"pr-task-{token}-{i}", pure=False)
                   for i, call in enumerate(calls)]
        try:
            return client.gather(futures)
        finally:
            for future in futures:
                future.release()


def _cut(first: int, stop: int, size: int) -> list[tuple[int, int]]:
    """Rows ``first .. stop - 1`` cut at the multiples of ``size`` between them."""
    cuts = [first, *range((first // size + 1) * size, stop, size), stop]
    return [(a, b) for a, b in zip(cuts[:-1], cuts[1:], strict=True) if b > a]


def _chunks(first: int, n_rows: int, chunk_size: int, align: int,
            tail: int = 0) -> list[tuple[int, int]]:
    """Global row ranges; cuts fall on multiples of the chunk size (itself of ``align``).

    ``tail``: the last ``tail`` chunks are cut again into quarters (rounded up to ``align``),
    so that the workers finish together: the last tasks are short.
    """
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, (int, np.integer)) or (
            chunk_size < 1):
        raise ParameterError(f"chunk_size={chunk_size!r} must be an integer >= 1")
    size = int(math.ceil(chunk_size / align) * align)
    bounds = _cut(first, first + n_rows, size)
    if tail <= 0 or len(bounds) <= 1:
        return bounds
    piece = int(math.ceil(size / 4 / align) * align)
    keep = max(len(bounds) - tail, 0)
    return bounds[:keep] + [part for a, b in bounds[keep:] for part in _cut(a, b, piece)]


def _threads(client: Any) -> int:
    """Worker threads of the client's cluster (1 inline)."""
    if client is None:
        return 1
    try:
        return max(1, sum(client.nthreads().values()))
    except Exception:  # an odd scheduler answer: plan as for one thread
        return 1


def _slots(client: Any) -> list[str]:
    """One worker address per worker thread (empty when the scheduler does not say)."""
    try:
        return [address for address, n in sorted(client.nthreads().items())
                for _ in range(int(n))]
    except Exception:  # an odd scheduler answer: let the scheduler place the calls
        return []


def _auto_chunk(n_rows: int, align: int, threads: int) -> int:
    """Rows per task: about :data:`TASKS_PER_THREAD` tasks per worker thread, at most
    :data:`DEFAULT_CHUNK_ROWS` (rounded up to ``align`` by :func:`_chunks`).

    A few tasks per thread keep every worker busy to the end of the job (the last chunks are
    small), and the chunk size never changes the numbers. Inline, one chunk per
    ``DEFAULT_CHUNK_ROWS`` rows keeps memory flat.
    """
    if threads <= 1:
        return DEFAULT_CHUNK_ROWS
    return max(1, min(DEFAULT_CHUNK_ROWS, math.ceil(n_rows / (TASKS_PER_THREAD * threads))))


def _plan(model: Callable, table: pd.DataFrame | None, draws: tuple | None, design: tuple | None,
          chunk_size: int | None, first_row: int, threads: int) -> tuple[list[tuple], list[int]]:
    """The calls ``(function, *args)`` of one job, one per chunk, and their row counts."""
    if not callable(model):
        raise ParameterError(f"model={model!r} is not callable")
    if sum(x is not None for x in (table, draws, design)) != 1:
        raise ParameterError("give one of table, draws or design")
    align = int(getattr(model, "block_rows", 1) or 1)
    if table is not None:
        n_rows = len(table)
        table = table.set_axis(pd.RangeIndex(first_row, first_row + n_rows), axis=0)
        func = _run_table
    elif design is not None:
        n_rows = len(design[1])
        func = _run_design_rows if hasattr(design[1], "rows") else _run_design
    else:
        n_rows = int(draws[2])
        func = _run_draws
    tail = 0
    if chunk_size is None:
        chunk_size = _auto_chunk(n_rows, align, threads)
        # one chunk per thread at the end, each cut in four: with whole chunks to the end, a
        # worker that draws the last one runs it while the others wait (on two workers and
        # the Sobol' job of the benchmark, a third of a second of the 2-worker run)
        tail = threads if threads > 1 else 0
    bounds = _chunks(int(first_row), n_rows, chunk_size, align, tail)

    def call(start: int, stop: int) -> tuple:
        if table is not None:
            return (func, model, table.iloc[start - first_row:stop - first_row])
        if design is not None:
            space, unit = design
            if func is _run_design_rows:
                return (func, model, space, unit, start - first_row, stop - first_row, start)
            return (func, model, space, unit[start - first_row:stop - first_row], start)
        space, seed, _ = draws
        return (func, model, space, seed, start, stop)

    return [call(a, b) for a, b in bounds], [b - a for a, b in bounds]


def evaluate_many(jobs: list[dict], *, scheduler: Any = None, progress: bool = False,
                  description: str = "model runs", then: Callable | None = None) -> Any:
    """Several :func:`evaluate` jobs at once: every chunk of every job is queued before any
    result is awaited, so a small job (the Sobol' noise check) fills the workers that the
    tail of a large one leaves idle. ``jobs``: keyword arguments of :func:`evaluate` (model,
    table / draws / design, chunk_size, first_row). Returns one frame per job.

    ``then(parts, sizes)``, when given, names further calls ``(function, *args)`` on the
    chunks' results: ``parts[j]`` holds job ``j``'s chunks in row order (futures on a cluster,
    frames inline) and ``sizes[j]`` their row counts; a call may pass a list of parts as an
    argument and its function receives the frames. On a cluster they are queued with the
    chunks, each to start on a worker as soon as the chunks it names are done (no round trip
    through this process between the runs and what follows them), and dealt round the worker
    threads in turn (a worker that leaves may hand its calls to the others). Returns
    ``(frames, results of the calls in order)`` then.
    """
    with _client(scheduler) as client:
        threads = _threads(client)
        plans = [_plan(job["model"], job.get("table"), job.get("draws"), job.get("design"),
                       job.get("chunk_size"), int(job.get("first_row", 0)), threads)
                 for job in jobs]
        sizes = [job_sizes for _, job_sizes in plans]
        bar = _progress_bar(sum(sum(job_sizes) for job_sizes in sizes), description, progress)
        results: list[list] = []
        followed: list = []
        if client is None:
            for calls, job_sizes in plans:
                parts = []
                for (head, *args), size in zip(calls, job_sizes, strict=True):
                    parts.append(head(*args))
                    bar.update(size)
                results.append(parts)
            if then is not None:
                followed = [function(*args) for function, *args in then(results, sizes)]
        else:
            from distributed import as_completed

            token = uuid.uuid4().hex[:8]
            futures, sizes_of = [], {}
            for j, (calls, job_sizes) in enumerate(plans):
                job_futures = [client.submit(*call, key=f"pr-{token}-{j}-{i}", pure=False)
                               for i, call in enumerate(calls)]
                sizes_of.update({f.key: n for f, n in zip(job_futures, job_sizes, strict=True)})
                futures.append(job_futures)
            flat = [f for job_futures in futures for f in job_futures]
            # the calls that follow are dealt round the worker threads: they all become ready
            # when the last chunk is done, and the scheduler, left alone, sends most of them
            # to the worker that holds more of their chunks (the others wait for it to steal)
            slots = _slots(client)
            after = [] if then is None else [
                client.submit(*call, key=f"pr-then-{token}-{i}", pure=False,
                              workers=[slots[i % len(slots)]] if slots else None,
                              allow_other_workers=True)
                for i, call in enumerate(then(futures, sizes))]
            try:
                with client.as_current():
                    for future in as_completed(flat):
                        if future.status == "error":
                            future.result()  # raises the model's own error
                        bar.update(sizes_of[future.key])
                gathered = client.gather(flat)
                followed = client.gather(after)
            finally:
                for future in flat + after:
                    future.release()
            position = 0
            for job_futures in futures:
                results.append(gathered[position:position + len(job_futures)])
                position += len(job_futures)
        bar.close()
    frames = []
    for parts in results:
        if not parts:
            raise ParameterError("nothing to run: zero rows")
        frames.append(pd.concat(parts).reset_index(drop=True))
    return frames if then is None else (frames, followed)


def evaluate(
    model: Callable,
    table: pd.DataFrame | None = None,
    *,
    draws: tuple[Any, int, int] | None = None,
    design: tuple[Any, np.ndarray] | None = None,
    scheduler: Any = None,
    chunk_size: int | None = None,
    progress: bool = False,
    description: str = "model runs",
    first_row: int = 0,
) -> pd.DataFrame:
    """Run ``model`` on every row, chunk by chunk, where ``scheduler`` says.

    Parameters
    ----------
    model
        Vectorised model: DataFrame of inputs (one row per run) -> DataFrame or Series of
        outputs, same rows in the same order. May carry ``block_rows`` (see the module notes).
    table
        Inputs already drawn (its row positions are the global row numbers), or
    draws
        ``(input_space, seed, n_rows)``: draw the inputs on the workers instead; the result then
        holds the inputs followed by the outputs; or
    design
        ``(input_space, unit)``: points of the unit hypercube (rows x inputs), turned into
        inputs on the workers (each input's inverse CDF); ``unit`` may also be an object with
        ``len()`` and ``rows(start, stop)`` that the workers ask for their rows (nothing to
        ship).
    scheduler, chunk_size, progress
        Where to run (module notes), rows per chunk (rounded up to the model's ``block_rows``;
        default: about four chunks per worker thread, at most :data:`DEFAULT_CHUNK_ROWS`, the
        last chunk per thread cut in four so that the workers finish together), and whether to
        show a progress bar.
    first_row
        Global number of the first row (the table's rows are numbered from it).

    Returns
    -------
    pandas.DataFrame
        Outputs (and inputs for ``draws``), one row per run, index 0 .. n-1.
    """
    job = dict(model=model, table=table, draws=draws, design=design, chunk_size=chunk_size,
               first_row=first_row)
    return evaluate_many([job], scheduler=scheduler, progress=progress,
                         description=description)[0]
