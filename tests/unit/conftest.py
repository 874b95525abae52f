"""Fixtures shared by the unit tests: a throw-away data project and a tiny report project."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from permanent_research import config

TINY_COLUMNS = {
    "nis_code": {"dtype": "string", "description": "NIS"},
    "year": {"dtype": "int", "description": "year"},
    "measure": {"dtype": "string", "description": "measure"},
    "value": {"dtype": "float", "description": "EUR"},
}


@pytest.fixture
def raw_project(tmp_path, monkeypatch) -> Callable[..., Path]:
    """A throw-away project home whose catalog holds one dataset, 'real_estate_sales'.

    Call it with the CSV text (and optionally a checksum or extra catalog fields); it writes
    ``data/raw/prices.csv`` and a matching catalog and returns the CSV's path.
    """
    raw = tmp_path / "data" / "raw"
    raw.mkdir(parents=True)
    monkeypatch.setenv(config.ENV_HOME, str(tmp_path))

    def write(
        csv_text: str | bytes, *, checksum: str | None = None, extra: dict | None = None
    ) -> Path:
        path = raw / "prices.csv"
        if isinstance(csv_text, bytes):
            path.write_bytes(csv_text)
        else:
            path.write_text(csv_text, encoding="utf-8")
        entry = {
            "file": "prices.csv",
            "title": "test prices",
            "publisher": "test",
            "source": "test",
            "licence": "CC0",
            "reference_period": "2020",
            "sha256": checksum or hashlib.sha256(path.read_bytes()).hexdigest(),
            "key": ["nis_code", "year", "measure"],
            "columns": TINY_COLUMNS,
        }
        entry.update(extra or {})
        (raw / "catalog.yaml").write_text(
            yaml.safe_dump({"datasets": {"real_estate_sales": entry}}), encoding="utf-8"
        )
        return path

    return write


FIXTURE_NOTEBOOKS = Path(__file__).resolve().parents[1] / "fixtures" / "notebooks"


@pytest.fixture
def report_project(tmp_path, monkeypatch) -> Path:
    """The tiny report project of :func:`make_report_project` in ``tmp_path``."""
    return make_report_project(tmp_path, monkeypatch)


def make_report_project(root: Path, monkeypatch) -> Path:
    """A tiny report project under ``root``: catalog, the fixture notebooks, ``reports/``.

    ``scenarios/`` exists but is empty (the tests write their own ``baseline.yaml``);
    ``PERMANENT_RESEARCH_HOME`` points at ``root`` and ``CI`` is unset.
    """
    import shutil

    raw = root / "data" / "raw"
    raw.mkdir(parents=True)
    (raw / "catalog.yaml").write_text(
        "datasets:\n  tiny:\n    file: tiny.csv\n    sha256: " + "ab" * 32 + "\n"
    )
    shutil.copytree(FIXTURE_NOTEBOOKS, root / "notebooks", ignore=shutil.ignore_patterns("*.py"))
    (root / "scenarios").mkdir()
    (root / "reports").mkdir()
    monkeypatch.setenv("PERMANENT_RESEARCH_HOME", str(root))
    monkeypatch.delenv("CI", raising=False)
    return root


@pytest.fixture
def process_cluster(tmp_path_factory):
    """(address, worker addresses) of a real dask scheduler and a 2-process worker, each started
    as a separate process the way a user starts them (``dask scheduler`` / ``dask worker``).

    The processes get this source tree on ``PYTHONPATH`` but not the test's
    ``PERMANENT_RESEARCH_HOME``: whatever a task needs of the project must be handed over.
    """
    import json
    import os
    import subprocess
    import sys
    import time

    import permanent_research

    folder = tmp_path_factory.mktemp("cluster")
    source = str(Path(permanent_research.__file__).resolve().parents[1])
    env = {k: v for k, v in os.environ.items() if k != config.ENV_HOME}
    env["PYTHONPATH"] = os.pathsep.join([source, *filter(None, [env.get("PYTHONPATH")])])
    scheduler_file = folder / "scheduler.json"
    processes = [subprocess.Popen(
        [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
         "--port", "0", "--no-dashboard", "--scheduler-file", str(scheduler_file)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        deadline = time.monotonic() + 60
        while not scheduler_file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        address = json.loads(scheduler_file.read_text())["address"]
        processes.append(subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nworkers", "2",
             "--nthreads", "1", "--no-dashboard", "--memory-limit", "1GB"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        from distributed import Client

        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
            workers = set(client.scheduler_info()["workers"])
        yield address, workers
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
