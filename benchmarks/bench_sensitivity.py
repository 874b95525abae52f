"""Benchmark: Sobol' and Monte Carlo sweeps of the comparison model on Dask (issue 10).

Targets:

* Sobol' with every uncertain input of the baseline scenario and N = 2^13 base samples on a
  2-worker ``LocalCluster``: under 30 s and under 2 GB peak per worker;
* scaling: the same job on 2 workers at least 1.7x faster than on 1 worker (measured in this
  run);
* overhead: a 100,000-run sweep through Dask no more than 15 % slower than calling the
  vectorised model directly.

Run: ``.venv/bin/python benchmarks/bench_sensitivity.py [--quick] [--repeats 3] [--phases]``
(``--phases``: after each Sobol' run, its phases and each worker's idle spells, from the Dask
task stream). Times are
wall seconds of the job only (clusters are started and warmed up first: worker imports are a
once-per-session cost); each job runs ``--repeats`` times, alternating 1 and 2 workers (and the
direct call with Dask) so that both see the same background load, and medians are reported with
every run and the load average. Peak memory per worker is each worker process's maximum
resident set size.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import statistics
import time

from permanent_research.scenarios import load_assumptions
from permanent_research.sensitivity import comparison_model, input_space, sobol, sweep


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cluster(workers: int):
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                           dashboard_address=":0", memory_limit="4GB")
    return cluster, Client(cluster)


def _timed(function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - start, result


def _median(values: list[float]) -> float:
    return float(statistics.median(values))


def _cpu(client) -> float:
    """CPU seconds used so far by the client process and every worker process."""
    return time.process_time() + sum(client.run(time.process_time).values())


def _phase(key: str) -> str:
    # keys of the engine's tasks: pr-<token>-<job>-<chunk> (job 0 the Sobol' runs, job 1 the
    # noise check) and pr-then-<token>-<call> (the bootstrap and the N/2 estimate)
    parts = str(key).split("-")
    if parts[:2] == ["pr", "then"]:
        return "analysis"
    return {"0": "runs", "1": "noise check"}.get(parts[2] if len(parts) > 3 else "", "other")


def _phases(records: list[dict], start: float, wall: float) -> list[str]:
    """Where a run's wall time went, from the Dask task stream: per phase, the tasks' compute
    seconds and when they ran; per worker, busy seconds and the idle spells over 20 ms."""
    spans: dict[str, list[float]] = {}
    busy: dict[str, list[tuple[float, float]]] = {}
    for record in records:
        for part in record["startstops"]:
            if part["action"] != "compute":
                continue
            a, b = part["start"] - start, part["stop"] - start
            span = spans.setdefault(_phase(record["key"]), [a, b, 0.0, 0])
            span[0], span[1] = min(span[0], a), max(span[1], b)
            span[2] += b - a
            span[3] += 1
            busy.setdefault(record["worker"], []).append((a, b))
    lines = [f"    {name}: {n} tasks, {total:.2f} s compute, from {a:.2f} s to {b:.2f} s"
             for name, (a, b, total, n) in sorted(spans.items(), key=lambda kv: kv[1][0])]
    for worker, intervals in sorted(busy.items()):
        idle, last = [], 0.0
        for a, b in sorted(intervals):
            if a - last > 0.02:
                idle.append(f"{last:.2f}-{a:.2f}")
            last = max(last, b)
        if wall - last > 0.02:
            idle.append(f"{last:.2f}-{wall:.2f}")
        total = sum(b - a for a, b in intervals)
        port = worker.rsplit(":", 1)[-1]
        lines.append(f"    worker {port}: busy {total:.2f} s of {wall:.2f} s; idle "
                     f"{', '.join(idle) or 'never'}")
    return lines


def _load() -> str:
    return ", ".join(f"{v:.1f}" for v in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="N = 2^11 and 20,000 runs")
    parser.add_argument("--repeats", type=int, default=3,
                        help="runs of each job per worker count (medians reported)")
    parser.add_argument("--phases", action="store_true",
                        help="after each Sobol' run, where its time went (Dask task stream)")
    args = parser.parse_args()
    n_base = 2**11 if args.quick else 2**13
    n_sweep = 20_000 if args.quick else 100_000
    from distributed import get_task_stream

    model = comparison_model(load_assumptions("baseline"), seed=1)
    print(f"load average before the run (1, 5, 15 min): {_load()} on {os.cpu_count()} cores")
    inputs = model.inputs
    k = len(inputs)
    print(f"comparison model: {k} uncertain inputs, {len(model.outputs)} outputs, "
          f"{load_assumptions('baseline').horizon_years} years per run")

    clusters = {workers: _cluster(workers) for workers in (1, 2)}
    timings: dict[int, list[float]] = {1: [], 2: []}
    sweeps: dict[str, list[float]] = {"direct": [], "dask1": [], "dask2": []}
    space = input_space(inputs)

    def direct():
        table = space.draw(0, n_sweep, 7)
        return model(table)

    try:
        for _, client in clusters.values():
            # warm-up: imports (a small Sobol' too: SALib and scipy's qmc are first imported
            # by its tasks, which made the first timed run of each cluster the slowest)
            sweep(model, inputs, n_runs=8_192, seed=0, scheduler=client)
            sobol(model, inputs, n_base=256, seed=1, scheduler=client)
        direct()  # warm-up in this process
        # alternate 2 and 1 workers: the machine is shared, and alternating exposes both to
        # the same background load
        for _ in range(args.repeats):
            for workers in (2, 1):
                _, client = clusters[workers]
                cpu_before = _cpu(client)
                with contextlib.ExitStack() as stack:
                    stream = (stack.enter_context(get_task_stream(client=client))
                              if args.phases else None)
                    started = time.time()
                    elapsed, result = _timed(sobol, model, inputs, n_base=n_base,
                                             seed=20261201, scheduler=client)
                cpu = _cpu(client) - cpu_before
                timings[workers].append(elapsed)
                peaks = client.run(
                    lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
                print(f"Sobol' N = {n_base:,} ({result.n_runs:,} runs) on {workers} worker(s): "
                      f"{elapsed:6.1f} s wall, {cpu:6.1f} s CPU; peak RSS per worker "
                      f"{', '.join(f'{v:,.0f}' for v in peaks.values())} MB; largest change "
                      f"N/2 -> N {result.max_change():.3f}; load {_load()}")
                if stream is not None:
                    print("\n".join(_phases(stream.data, started, elapsed)))
        print("  three inputs with the largest first-order index, per output:")
        for output in result.table["output"].unique():
            print(f"    {output}: {', '.join(result.ranking(output, by='S1')[:3])}")
        # the overhead: direct call and Dask on 1 worker alternate, so both see the same load
        for _ in range(args.repeats):
            sweeps["direct"].append(_timed(direct)[0])
            sweeps["dask1"].append(_timed(sweep, model, inputs, n_runs=n_sweep, seed=7,
                                          scheduler=clusters[1][1])[0])
            sweeps["dask2"].append(_timed(sweep, model, inputs, n_runs=n_sweep, seed=7,
                                          scheduler=clusters[2][1])[0])
    finally:
        for cluster, client in clusters.values():
            client.close()
            cluster.close()
    one, two = _median(timings[1]), _median(timings[2])
    print(f"Sobol' medians of {args.repeats}: 1 worker {one:.1f} s / 2 workers {two:.1f} s = "
          f"scaling {one / two:.2f}x [target >= 1.7x]; all runs: 1 worker "
          f"{', '.join(f'{v:.1f}' for v in timings[1])}; 2 workers "
          f"{', '.join(f'{v:.1f}' for v in timings[2])}")
    d, d1, d2 = (_median(sweeps[key]) for key in ("direct", "dask1", "dask2"))
    print(f"{n_sweep:,}-run sweep, medians of {args.repeats}: direct call {d:.2f} s; Dask, "
          f"1 worker {d1:.2f} s ({d1 / d - 1:+.0%}) [target <= +15 %]; Dask, 2 workers "
          f"{d2:.2f} s ({d2 / d - 1:+.0%})")
    print(f"  all runs: direct {', '.join(f'{v:.2f}' for v in sweeps['direct'])}; 1 worker "
          f"{', '.join(f'{v:.2f}' for v in sweeps['dask1'])}; 2 workers "
          f"{', '.join(f'{v:.2f}' for v in sweeps['dask2'])}")
    print(f"client process peak RSS: {_peak_mb():,.0f} MB; load average after: {_load()}")


if __name__ == "__main__":
    main()
