"""Benchmark of the static site build (issue 12: under 15 s for the 12 reports; an unchanged
rerun under 2 s).

Times, on the executed notebooks already in ``reports/`` (run ``make reports`` first):

(a) ``permanent-research site --force``: a full Sphinx + myst-nb build (no execution);
(b) ``permanent-research site`` again with nothing changed (the input digest matches);

each as a fresh command (imports included), median of ``--repeats``.

    .venv/bin/python benchmarks/bench_site.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _median(command: list[str], repeats: int) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    times = []
    for _ in range(repeats):
        clock = time.perf_counter()
        subprocess.run(command, env=env, capture_output=True, cwd=ROOT)
        times.append(time.perf_counter() - clock)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    reports = ROOT / "reports"
    count = len([p for p in reports.glob("*/*.ipynb") if ".failed" not in p.name])
    if not count:
        sys.exit("no executed notebooks in reports/: run `make reports` first")
    base = [sys.executable, "-m", "permanent_research.cli", "site"]
    full = _median([*base, "--force"], args.repeats)
    unchanged = _median(base, max(args.repeats, 5))
    print(f"(a) site build from {count} executed notebooks: median {full:.2f} s")
    print(f"(b) unchanged rerun: median {unchanged:.2f} s")


if __name__ == "__main__":
    main()
