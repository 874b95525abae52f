"""Per-cell execution times of every notebook (papermill ``metadata.papermill.duration``).

Runs ``permanent-research run --force`` for one scenario in a throw-away copy of the project
(data/raw, data/examples, notebooks, scenarios; so ``reports/`` is neither touched nor raced)
and prints, per notebook, the total cell time and the slowest cells. ``--save FILE`` writes
the figures as JSON; ``--compare FILE`` prints them next to an earlier ``--save``.

    .venv/bin/python benchmarks/bench_notebook_cells.py [--jobs 2] [--top 6]
        [--save benchmarks/results/cells_before.json] [--compare ...]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _cell_times(path: Path) -> list[dict]:
    notebook = json.loads(path.read_text())
    rows = []
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "code":
            continue
        duration = cell.get("metadata", {}).get("papermill", {}).get("duration")
        first = next((line for line in "".join(cell["source"]).splitlines() if line.strip()
                      and not line.startswith("#")), "")
        rows.append({"cell": index, "s": float(duration or 0.0), "source": first[:60]})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--scenario", default="baseline")
    parser.add_argument("--top", type=int, default=6)
    parser.add_argument("--save")
    parser.add_argument("--compare")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench_cells_") as temporary:
        project = Path(temporary)
        for part in ("data/raw", "data/examples", "notebooks", "scenarios"):
            shutil.copytree(ROOT / part, project / part)
        (project / "reports").mkdir()
        env = {**os.environ, "PERMANENT_RESEARCH_HOME": str(project), "CI": "1",
               "MPLBACKEND": "Agg"}
        executable = str(Path(sys.executable).with_name("permanent-research"))
        subprocess.run([executable, "data", "build"], env=env, capture_output=True, check=True)
        clock = time.perf_counter()
        done = subprocess.run([executable, "run", "--force", "--jobs", str(options.jobs),
                               "--scenario", options.scenario], env=env, capture_output=True,
                              text=True, check=False)
        wall = time.perf_counter() - clock
        if done.returncode:
            print(done.stdout[-2000:], done.stderr[-2000:])
        results = {path.stem: _cell_times(path) for path in
                   sorted((project / "reports" / options.scenario).glob("[0-9]*.ipynb"))
                   if not path.stem.endswith(".failed")}

    earlier = json.loads(Path(options.compare).read_text()) if options.compare else {}
    print(f"run --force wall {wall:.1f} s (jobs {options.jobs}, load average "
          f"{os.getloadavg()[0]:.1f}, exit {done.returncode})")
    for stem, rows in results.items():
        total = sum(row["s"] for row in rows)
        before = sum(row["s"] for row in earlier.get(stem, []))
        extra = f"  (before {before:.1f})" if earlier else ""
        print(f"{stem:<30} cells total {total:6.1f} s{extra}")
        for row in sorted(rows, key=lambda r: -r["s"])[:options.top]:
            print(f"    [{row['cell']:>2}] {row['s']:5.2f}  {row['source']}")
    if options.save:
        Path(options.save).parent.mkdir(parents=True, exist_ok=True)
        Path(options.save).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
