"""Benchmark of ``permanent-research diff`` and the Changes page (issue 12, "What changed").

Builds two synthetic reports folders of the full size (3 scenarios × 9 notebooks × 20 headline
numbers, with manifests), a third of the numbers moved, then times

(a) ``diff_reports(new, old)`` in process (median of repeats);
(b) ``render_changes`` of that diff;
(c) the command ``permanent-research diff OLD --html FILE`` end to end (a fresh interpreter,
    imports included), which is what a supervisor waits for;
(d) ``check_file`` on every page and executed notebook of ``reports/`` when there are some.

    .venv/bin/python benchmarks/bench_diff.py [--repeats 20]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ("baseline", "pessimistic", "optimistic")
STEMS = tuple(f"0{i}_notebook" for i in range(1, 10))


def _write(root: Path, shift: float) -> None:
    for scenario in SCENARIOS:
        folder = root / scenario
        folder.mkdir(parents=True)
        for n, stem in enumerate(STEMS):
            heads = {f"number_{k}": {"name": f"number_{k}",
                                     "value": 1000.0 + k + (shift if k % 3 == 0 else 0),
                                     "unit": "EUR", "label": f"Number {k}"}
                     for k in range(20)}
            manifest = {"parameters": {"n_draws": 1000}, "scenario_file": f"{scenario}.yaml",
                        "inputs": {"notebook_sha256": f"{stem}{shift if n % 2 else 0}",
                                   "data": {"a.csv": "x"}},
                        "git": {"commit": "c", "dirty": False}}
            (folder / f"{stem}.headlines.json").write_text(json.dumps(heads))
            (folder / f"{stem}.manifest.json").write_text(json.dumps(manifest))


def _median(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        clock = time.perf_counter()
        fn()
        times.append(time.perf_counter() - clock)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    from permanent_research.reporting.diff import diff_reports, render_changes
    from permanent_research.reporting.pagecheck import check_file

    with tempfile.TemporaryDirectory() as tmp:
        old, new = Path(tmp) / "old", Path(tmp) / "new"
        _write(old, 0.0)
        _write(new, 5.0)
        found = diff_reports(new, old)
        rows, moved = len(found.to_frame()), len(found.changed)
        t_diff = _median(lambda: diff_reports(new, old), args.repeats)
        t_page = _median(lambda: render_changes(found), args.repeats)
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        command = [sys.executable, "-m", "permanent_research.cli", "diff", str(old),
                   "--html", str(Path(tmp) / "changes.html")]
        # the CLI compares with reports/ of the project; point it at the synthetic one
        env["PERMANENT_RESEARCH_HOME"] = tmp
        (Path(tmp) / "reports").symlink_to(new)
        (Path(tmp) / "data" / "raw").mkdir(parents=True)
        (Path(tmp) / "data" / "raw" / "catalog.yaml").write_text("datasets: {}\n")

        def cli() -> None:
            subprocess.run(command, env=env, check=True, capture_output=True)

        t_cli = _median(cli, max(3, args.repeats // 4))
    print(f"(a) diff_reports: {rows} headlines ({moved} moved), median {1000 * t_diff:.1f} ms")
    print(f"(b) render_changes: median {1000 * t_page:.1f} ms")
    print(f"(c) permanent-research diff OLD --html FILE: median {t_cli:.2f} s")
    pages = sorted((ROOT / "reports").glob("*/*-noinput.html")) + sorted(
        p for p in (ROOT / "reports").glob("*/*.ipynb") if ".failed." not in p.name)
    if pages:
        clock = time.perf_counter()
        problems = sum(len(check_file(p)) for p in pages)
        print(f"(d) check_file on {len(pages)} pages/notebooks of reports/: "
              f"{time.perf_counter() - clock:.2f} s, {problems} problem(s)")


if __name__ == "__main__":
    main()
