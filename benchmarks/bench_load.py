"""What ``data/processed`` saves: raw parse vs processed read, per dataset and per notebook kernel.

Part 1 (in one process, imports warm): for every catalogued table, the median time of
``read_table`` (checksum + strict CSV parse + pandera validation) against ``load`` served from
a valid ``data/processed`` cache (checksum + manifest + parquet read).

Part 2 (kernel side): for each notebook, a fresh Python process that imports the data layer and
loads the datasets that notebook loads, first with an empty ``data/processed`` (raw parse, cache
written) and then with the cache in place, as a report kernel would meet it. Wall time per
process, including interpreter start-up and imports (pandera is imported only on a cache miss).

Runs in a throw-away project whose ``data/raw`` is a symlink to the repository's, so the
repository's own ``data/processed`` is neither read nor written.

    .venv/bin/python benchmarks/bench_load.py [--repeat 5] [--save FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_LOAD_CALL = re.compile(r'load\(\\?"([a-z0-9_]+)\\?"\)')


def _median_seconds(action, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        clock = time.perf_counter()
        action()
        times.append(time.perf_counter() - clock)
    return statistics.median(times)


def _per_dataset(repeat: int) -> list[dict]:
    from permanent_research.data import dataset_names, load, read_catalog, read_table

    catalog = read_catalog()
    rows = []
    for name in dataset_names():
        load(name)  # warm imports and write the cache
        raw = _median_seconds(lambda n=name: read_table(catalog[n]), repeat)
        cached = _median_seconds(lambda n=name: load(n), repeat)
        rows.append({"dataset": name, "raw_ms": raw * 1e3, "processed_ms": cached * 1e3})
    return rows


def _notebook_datasets() -> dict[str, list[str]]:
    found = {}
    for path in sorted((ROOT / "notebooks").glob("0*.ipynb")):
        names = sorted(set(_LOAD_CALL.findall(path.read_text(encoding="utf-8"))))
        if names:
            found[path.stem] = names
    return found


def _kernel_seconds(names: list[str], env: dict[str, str], repeat: int) -> float:
    code = (
        "from permanent_research.data import load\n"
        + "".join(f"load({name!r})\n" for name in names)
    )
    times = []
    for _ in range(repeat):
        clock = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], env=env, check=True)
        times.append(time.perf_counter() - clock)
    return statistics.median(times)


def _per_notebook(project: Path, env: dict[str, str], repeat: int) -> list[dict]:
    processed = project / "data" / "processed"
    rows = []
    for stem, names in _notebook_datasets().items():
        cold_times = []
        for _ in range(repeat):
            shutil.rmtree(processed, ignore_errors=True)
            cold_times.append(_kernel_seconds(names, env, 1))
        warm = _kernel_seconds(names, env, repeat)
        rows.append({"notebook": stem, "datasets": len(names),
                     "raw_s": statistics.median(cold_times), "processed_s": warm})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--save", help="write the figures as JSON")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench_load_") as temporary:
        project = Path(temporary)
        (project / "data").mkdir()
        (project / "data" / "raw").symlink_to(ROOT / "data" / "raw")
        os.environ["PERMANENT_RESEARCH_HOME"] = str(project)
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}

        datasets = _per_dataset(options.repeat)
        print(f"{'dataset':32s} {'raw ms':>9s} {'processed ms':>13s} {'speed-up':>9s}")
        for row in datasets:
            print(f"{row['dataset']:32s} {row['raw_ms']:9.1f} {row['processed_ms']:13.1f} "
                  f"{row['raw_ms'] / row['processed_ms']:8.1f}x")
        raw_total = sum(r["raw_ms"] for r in datasets)
        cached_total = sum(r["processed_ms"] for r in datasets)
        print(f"{'TOTAL':32s} {raw_total:9.1f} {cached_total:13.1f} "
              f"{raw_total / cached_total:8.1f}x")

        notebooks = _per_notebook(project, env, options.repeat)
        print(f"\n{'notebook kernel (fresh process)':32s} {'raw s':>9s} {'processed s':>13s} "
              f"{'saved s':>9s}")
        for row in notebooks:
            print(f"{row['notebook']:32s} {row['raw_s']:9.2f} {row['processed_s']:13.2f} "
                  f"{row['raw_s'] - row['processed_s']:9.2f}")
        saved = sum(r["raw_s"] - r["processed_s"] for r in notebooks)
        print(f"{'TOTAL saved over one report run':32s} {saved:33.2f}")

    if options.save:
        Path(options.save).parent.mkdir(parents=True, exist_ok=True)
        Path(options.save).write_text(
            json.dumps({"datasets": datasets, "notebooks": notebooks}, indent=2)
        )


if __name__ == "__main__":
    main()
