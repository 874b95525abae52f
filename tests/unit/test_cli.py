"""The ``permanent-research`` command, run as a subprocess like a user would.

Bad input gives exit status 2 and exactly one line ``error: ...`` on stderr, never a traceback.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from permanent_research.cli import build_parser, main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "notebooks"
EXECUTABLE = Path(sys.executable).with_name("permanent-research")


@pytest.fixture
def project(tmp_path):
    raw = tmp_path / "data" / "raw"
    raw.mkdir(parents=True)
    (raw / "tiny.csv").write_text("nis_code,value\n21001,1\n")
    import hashlib

    digest = hashlib.sha256((raw / "tiny.csv").read_bytes()).hexdigest()
    entry = (
        "  tiny:\n    file: tiny.csv\n    title: Tiny\n    publisher: test\n    source: test\n"
        "    licence: CC0\n    reference_period: '2020'\n"
        "    columns:\n      nis_code: {dtype: string}\n      value: {dtype: int}\n"
    )
    (raw / "catalog.yaml").write_text(
        "datasets:\n" + entry + f"    sha256: {digest}\n" + entry.replace("tiny:", "stale:")
        + "    sha256: " + "f" * 64 + "\n"
    )
    shutil.copytree(FIXTURES, tmp_path / "notebooks", ignore=shutil.ignore_patterns("*.py"))
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "baseline.yaml").write_text("description: Base.\nnotebooks: {}\n")
    (tmp_path / "reports").mkdir()
    return tmp_path


def cli(project: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PERMANENT_RESEARCH_HOME": str(project), "CI": "1"}
    return subprocess.run(
        [str(EXECUTABLE), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=project,
        timeout=600,
        check=False,
    )


def assert_one_line_error(done: subprocess.CompletedProcess, *fragments: str) -> None:
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def test_unknown_notebook(project):
    done = cli(project, "run", "03_gamma")
    assert_one_line_error(
        done, "unknown notebook '03_gamma'", "available: 01_alpha, 02_beta, 08_synthesis"
    )
    assert not any((project / "reports").iterdir())


def test_unknown_parameter(project):
    (project / "scenarios" / "typo.yaml").write_text(
        "description: Typo.\nnotebooks:\n  01_alpha: {lable: x}\n"
    )
    done = cli(project, "run", "--scenario", "typo")
    assert_one_line_error(done, "typo.yaml", "01_alpha", "'lable'", "did you mean label?")


def test_ill_typed_value(project):
    (project / "scenarios" / "baseline.yaml").write_text(
        "description: Base.\nnotebooks:\n  02_beta: {fail: 'yes'}\n"
    )
    done = cli(project, "run")
    assert_one_line_error(done, "02_beta parameter fail='yes' is str, expected bool")


def test_invalid_yaml(project):
    path = project / "scenarios" / "broken.yaml"
    path.write_text("description: Broken\nnotebooks:\n  01_alpha: [\n")
    done = cli(project, "run", "--scenario", str(path))
    assert_one_line_error(done, f"{path}:", "invalid YAML")


def test_unknown_top_level_key(project):
    (project / "scenarios" / "extra.yaml").write_text("description: x\nparams: {}\n")
    done = cli(project, "run", "--all-scenarios")
    assert_one_line_error(done, "unknown top-level key(s) 'params'", "allowed: description")


def test_bad_jobs_value_is_an_argparse_error(project):
    done = cli(project, "run", "--jobs", "0")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "'0' is not a positive integer" in done.stderr


def test_data_check_reports_each_dataset(project):
    done = cli(project, "data", "check")
    assert done.returncode == 1
    lines = done.stdout.strip().splitlines()
    assert lines[0] == "tiny: ok"
    assert lines[1].startswith("stale: problem: ") and "stale" in lines[1]
    assert lines[2] == "2 dataset(s), 1 problem(s)"
    assert "Traceback" not in done.stderr


def test_main_returns_two_for_user_errors(project, monkeypatch, capsys):
    monkeypatch.setenv("PERMANENT_RESEARCH_HOME", str(project))
    assert main(["run", "nope"]) == 2
    assert capsys.readouterr().err.startswith("error: unknown notebook 'nope'")


def test_parser_contract():
    args = build_parser().parse_args(
        ["run", "02", "--scenario", "a", "--scenario", "b.yaml", "--jobs", "3", "--force"]
    )
    assert args.notebooks == ["02"] and args.scenario == ["a", "b.yaml"]
    assert args.jobs == 3 and args.force and not args.all_scenarios


@pytest.mark.slow
def test_failing_notebook_exits_one_after_the_others_ran(project):
    (project / "scenarios" / "baseline.yaml").write_text(
        "description: Base.\nnotebooks:\n  02_beta: {fail: true}\n"
    )
    done = cli(project, "run", "01", "02", "--jobs", "2")
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stdout
    lines = done.stdout.strip().splitlines()
    assert "01_alpha [baseline]: ok (" in done.stdout
    assert "02_beta [baseline]: FAILED (ValueError: failure requested by the scenario)" in lines
    assert lines[-1].startswith("2 report(s): 1 ok, 0 unchanged (skipped), 1 failed")
    assert (project / "reports" / "baseline" / "02_beta.failed.html").is_file()
    assert not (project / "reports" / ".staging").exists()


def test_data_build_writes_processed_tables(project):
    catalog = project / "data" / "raw" / "catalog.yaml"
    catalog.write_text(catalog.read_text().split("  stale:")[0])  # keep the valid entry only
    done = cli(project, "data", "build")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "tiny: wrote data/processed/tiny.parquet",
        "1 table(s) written",
    ]
    assert (project / "data" / "processed" / "tiny.parquet").is_file()
