"""Benchmark of the report pipeline against the papermill floor (issue 2, performance).

(a) floor: K papermill runs of a notebook that only imports pandas, statsmodels.api and
    seaborn, K = number of notebooks in notebooks/, in ``--jobs`` worker processes;
(b) ``permanent-research run --force --jobs N`` over the real notebooks (baseline scenario);
(c) the same command again with nothing changed.

The runs use a throw-away copy of the project (data/raw, data/examples, notebooks, scenarios)
so they neither touch nor race with ``reports/``. Targets: (b) <= 1.5 x (a); (c) < 3 s.

    .venv/bin/python benchmarks/bench_reports.py [--jobs 2] [--scenario baseline]
"""

from __future__ import annotations

import argparse
import concurrent.futures as futures
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FLOOR_SOURCE = "import pandas\nimport statsmodels.api\nimport seaborn\n"


def _floor_one(args: tuple[str, str, str]) -> float:
    import papermill as pm

    source, output, cwd = args
    clock = time.perf_counter()
    pm.execute_notebook(source, output, kernel_name="python3", progress_bar=False, cwd=cwd)
    return time.perf_counter() - clock


def floor(k: int, jobs: int, folder: Path) -> float:
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(FLOOR_SOURCE)]
    notebook.metadata["kernelspec"] = {"name": "python3", "language": "python",
                                       "display_name": "Python 3"}
    source = folder / "floor.ipynb"
    nbformat.write(notebook, str(source))
    tasks = [(str(source), str(folder / f"floor_{i}.ipynb"), str(folder)) for i in range(k)]
    clock = time.perf_counter()
    context = multiprocessing.get_context("spawn")
    with futures.ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        list(pool.map(_floor_one, tasks))
    return time.perf_counter() - clock


def copy_project(target: Path) -> None:
    for part in ("data/raw", "data/examples", "notebooks", "scenarios"):
        shutil.copytree(ROOT / part, target / part)
    (target / "reports").mkdir()


def cli(project: Path, *args: str) -> tuple[float, subprocess.CompletedProcess]:
    env = {**os.environ, "PERMANENT_RESEARCH_HOME": str(project), "CI": "1",
           "MPLBACKEND": "Agg"}
    executable = Path(sys.executable).with_name("permanent-research")
    clock = time.perf_counter()
    done = subprocess.run([str(executable), *args], env=env, capture_output=True, text=True,
                          check=False)
    return time.perf_counter() - clock, done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--scenario", default="baseline")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench_reports_") as temporary:
        work = Path(temporary)
        project = work / "project"
        copy_project(project)
        cli(project, "data", "build")  # as `make reports` does, before (and not timed)
        k = len(list((project / "notebooks").glob("*.ipynb")))
        (work / "floor").mkdir()
        floor_s = floor(k, options.jobs, work / "floor")

        run_s, first = cli(project, "run", "--force", "--jobs", str(options.jobs),
                           "--scenario", options.scenario)
        rerun_s, second = cli(project, "run", "--jobs", str(options.jobs),
                              "--scenario", options.scenario)

        print(f"notebooks K = {k}, jobs = {options.jobs}, scenario = {options.scenario}, "
              f"cores = {os.cpu_count()}, load average = {os.getloadavg()[0]:.1f}")
        print(f"{'measure':<44}{'seconds':>10}")
        print(f"{'(a) floor: K papermill runs (pandas+sm+sns)':<44}{floor_s:>10.1f}")
        print(f"{'(b) run --force (execute + 2 HTML + index)':<44}{run_s:>10.1f}")
        print(f"{'(c) unchanged rerun':<44}{rerun_s:>10.2f}")
        print(f"{'ratio (b)/(a)  [target <= 1.5]':<44}{run_s / floor_s:>10.2f}")
        print(f"exit codes: run {first.returncode}, rerun {second.returncode}")
        for label, done in (("run", first), ("rerun", second)):
            lines = done.stdout.strip().splitlines()
            print(f"{label}: {lines[-1] if lines else done.stderr.strip()}")
        print(f"{'notebook':<30}{'status':>8}{'execute s':>11}{'render s':>10}")
        folder = project / "reports" / options.scenario
        for path in sorted((project / "notebooks").glob("*.ipynb")):
            manifest = folder / f"{path.stem}.manifest.json"
            failed = folder / f"{path.stem}.failed.json"
            record = json.loads((failed if failed.exists() else manifest).read_text()) \
                if (failed.exists() or manifest.exists()) else {}
            print(f"{path.stem:<30}{record.get('status', '-'):>8}"
                  f"{record.get('duration_s', float('nan')):>11.1f}"
                  f"{record.get('render_s', float('nan')):>10.1f}")


if __name__ == "__main__":
    main()
