"""Benchmark of the runner's safety overhead (issue 13, performance).

(a) the lock on ``reports/`` (acquire, PID write, stale-staging check, release), median of 200;
(b) the containment checks of a run: scenario name rule and scenario loading, median of 200;
(c) an unchanged rerun in process (``runner.run``) and through the command line, on the tiny
    fixture project (tests/fixtures/notebooks) after one real run; median of 5;
(d) planning the real project (``runner.plan`` over the real notebooks and scenarios), which an
    unchanged rerun of the real project does before skipping every notebook; median of 5.

Targets: (a) + (b) < 50 ms; (c) and (d) < 1 s. Everything runs in throw-away copies.

    .venv/bin/python benchmarks/bench_runner_overhead.py
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "notebooks"


def _median(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        clock = time.perf_counter()
        fn()
        times.append(time.perf_counter() - clock)
    return statistics.median(times)


def tiny_project(folder: Path) -> None:
    (folder / "data" / "raw").mkdir(parents=True)
    (folder / "data" / "raw" / "catalog.yaml").write_text(
        "datasets:\n  tiny:\n    file: tiny.csv\n    sha256: " + "ab" * 32 + "\n"
    )
    shutil.copytree(FIXTURES, folder / "notebooks", ignore=shutil.ignore_patterns("*.py"))
    (folder / "scenarios").mkdir()
    (folder / "scenarios" / "baseline.yaml").write_text("description: B.\nnotebooks: {}\n")
    (folder / "reports").mkdir()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "tiny"
        tiny_project(home)
        os.environ["PERMANENT_RESEARCH_HOME"] = str(home)
        from permanent_research.reporting import runner
        from permanent_research.reporting.parameters import check_scenario_name
        from permanent_research.reporting.scenario_files import load_scenario

        reports = home / "reports"

        def lock() -> None:
            runner.RunLock(reports).acquire().release()

        def containment() -> None:
            check_scenario_name("baseline")
            load_scenario("baseline")

        lock_s = _median(lock, 200)
        containment_s = _median(containment, 200)
        first = runner.run(echo=lambda line: None, progress=False)
        assert first.exit_code == 0, first.summary()
        rerun_s = _median(lambda: runner.run(echo=lambda line: None, progress=False), 5)
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        command = [sys.executable, "-m", "permanent_research.cli", "run"]
        cli_s = _median(
            lambda: subprocess.run(command, env=env, check=True, capture_output=True), 5
        )

        real = Path(tmp) / "real"
        for part in ("data/raw", "data/examples", "notebooks", "scenarios"):
            if (ROOT / part).exists():
                shutil.copytree(ROOT / part, real / part)
        (real / "reports").mkdir()
        os.environ["PERMANENT_RESEARCH_HOME"] = str(real)
        plan_s = _median(lambda: runner.plan(check_sections=False), 5)

    print(f"(a) lock acquire+release:           {lock_s * 1e3:7.2f} ms")
    print(f"(b) containment (name + load):      {containment_s * 1e3:7.2f} ms")
    print(f"(c) unchanged rerun, in process:    {rerun_s * 1e3:7.1f} ms (tiny project)")
    print(f"    unchanged rerun, command line:  {cli_s * 1e3:7.1f} ms (tiny project)")
    print(f"(d) plan of the real project:       {plan_s * 1e3:7.1f} ms")


if __name__ == "__main__":
    main()
