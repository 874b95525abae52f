"""Fault injection (issue 13): locks, kills, filesystem faults, bad inputs, containment.

Each test reproduces a defect found on main by trying bad inputs and faults as a careless or
unlucky user would, on the tiny fixture project (tests/fixtures/notebooks). Tests marked
``slow`` start real kernels.
"""

from __future__ import annotations

import errno
import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
import yaml

from permanent_research import cli
from permanent_research.errors import ReportsError, ScenarioError
from permanent_research.reporting import runner

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "notebooks"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def project(report_project, tmp_path):
    """A tiny project: catalog, the fixture notebooks plus one that sleeps, a baseline."""
    sleeper = nbformat.v4.new_notebook()
    sleeper.cells = [
        nbformat.v4.new_code_cell("seconds = 120", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("import time\ntime.sleep(seconds)"),
    ]
    nbformat.write(sleeper, tmp_path / "notebooks" / "03_sleep.ipynb")
    (tmp_path / "scenarios" / "baseline.yaml").write_text(
        "description: Baseline for the tests.\nnotebooks: {}\n"
    )
    return tmp_path


def quiet_run(*args, **kwargs):
    lines: list[str] = []
    summary = runner.run(*args, echo=lines.append, progress=False, **kwargs)
    return summary, lines


def tree(root: Path) -> dict[str, str]:
    """Every file under ``root`` with its sha256 (folders as ``<dir>``)."""
    found = {}
    for path in sorted(root.rglob("*")):
        key = path.relative_to(root).as_posix()
        found[key] = "<dir>" if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def snapshot(folder: Path) -> dict[str, str]:
    return {k: v for k, v in tree(folder).items() if ".failed." not in k}


def run_cli(argv, capsys) -> tuple[int, str, str]:
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(err: str) -> bool:
    return err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


# --------------------------------------------------------------------------- the lock


def test_a_second_run_is_refused_naming_the_holders_pid(project, capsys):
    reports = project / "reports"
    holder = runner.RunLock(reports).acquire()
    try:
        with pytest.raises(ReportsError, match=rf"another run \(PID {os.getpid()}\) is writing"):
            quiet_run(["01"])
        code, out, err = run_cli(["run", "01"], capsys)
        assert code == 2 and one_line_error(err) and f"PID {os.getpid()}" in err
        assert not (reports / "baseline").exists()  # the refused run wrote nothing
    finally:
        holder.release()


def test_a_lock_held_by_another_process_then_killed_is_taken_over(project):
    reports = project / "reports"
    code = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from permanent_research.reporting.runner import RunLock\n"
        "RunLock(Path(sys.argv[1])).acquire()\n"
        "print('locked', flush=True)\n"
        "time.sleep(120)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    holder = subprocess.Popen(
        [sys.executable, "-c", code, str(reports)], stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(ReportsError, match=rf"PID {holder.pid}\)"):
            runner.RunLock(reports).acquire()
        stale = reports / ".staging" / "baseline" / "01_alpha-dead"
        stale.mkdir(parents=True)
        (stale / "01_alpha.ipynb").write_text("{}")
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    lock = runner.RunLock(reports).acquire()  # the dead holder's lock is taken over
    try:
        assert (reports / ".lock").read_text().strip() == str(os.getpid())
        assert not (reports / ".staging").exists()  # its staging went with it
    finally:
        lock.release()


def test_a_lock_file_naming_a_dead_pid_does_not_block(project):
    reports = project / "reports"
    (reports / ".lock").write_text(f"{dead_pid()}\n")
    with runner.RunLock(reports):
        assert (reports / ".lock").read_text().strip() == str(os.getpid())


# --------------------------------------------------------------------------- kills


def _descendants(pid: int) -> list:
    import psutil

    return psutil.Process(pid).children(recursive=True)


def _alive(processes) -> list:
    import psutil

    alive = []
    for process in processes:
        try:
            if process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
                alive.append(process)
        except psutil.NoSuchProcess:
            continue
    return alive


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_a_killed_run_leaves_no_process_and_the_next_run_cleans_staging(project, sig):
    pytest.importorskip("psutil")
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "MPLBACKEND": "Agg"}
    run = subprocess.Popen(
        [sys.executable, "-m", "permanent_research.cli", "run", "03", "--jobs", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 90
        kernel = []
        while time.monotonic() < deadline and not kernel:
            time.sleep(0.3)
            found = _descendants(run.pid)
            kernel = [p for p in found if "ipykernel" in " ".join(p.cmdline())]
        assert kernel, "the run never started a kernel"
        time.sleep(1.0)  # the kernel is executing the sleeping cell
        children = _descendants(run.pid)
        assert len(children) >= 2  # a worker and its kernel (and the resource tracker)
    finally:
        run.send_signal(sig)
        run.wait()
    deadline = time.monotonic() + 10
    while _alive(children) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _alive(children) == [], [p.cmdline() for p in _alive(children)]
    assert (project / "reports" / ".staging").exists()  # what the killed run left behind

    summary, _ = quiet_run(["01"])
    assert summary.exit_code == 0, summary.summary()
    assert not (project / "reports" / ".staging").exists()


# --------------------------------------------------------------------------- filesystem faults


@pytest.mark.slow
def test_read_only_reports_on_an_unchanged_rerun_is_one_line(project, capsys, monkeypatch):
    first, _ = quiet_run(["01"])
    assert first.exit_code == 0
    reports = project / "reports"
    before = tree(reports)

    # root ignores permission bits: make every write under reports/ fail as on a read-only mount
    real_open, real_mkdir = os.open, os.mkdir

    def refuse(path, *args, **kwargs):
        flags = args[0] if args else kwargs.get("flags", 0)
        if str(path).startswith(str(reports)) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real_open(path, *args, **kwargs)

    def refuse_mkdir(path, *args, **kwargs):
        if str(path).startswith(str(reports)):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real_mkdir(path, *args, **kwargs)

    with monkeypatch.context() as patch:  # not monkeypatch.undo(): the project's env stays
        patch.setattr(os, "open", refuse)
        patch.setattr(os, "mkdir", refuse_mkdir)
        code, out, err = run_cli(["run", "01"], capsys)
    assert code == 2 and one_line_error(err), err
    assert "Read-only file system" in err and str(reports) in err
    assert tree(reports) == before  # the last good report, byte for byte


@pytest.mark.slow
@pytest.mark.parametrize("failing_call", [1, 3, 6])
def test_disk_full_during_the_final_move_keeps_the_last_good_report(
    project, monkeypatch, capsys, failing_call
):
    first, _ = quiet_run(["01"])
    assert first.exit_code == 0
    folder = project / "reports" / "baseline"
    before = snapshot(folder)
    real_replace = os.replace
    calls = {"n": 0}

    def full(source, target, *args, **kwargs):
        # only the moves into the report folder count; the n-th one finds the disk full
        if Path(target).parent == folder or Path(source).parent == folder:
            calls["n"] += 1
            if calls["n"] == failing_call:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(target))
        return real_replace(source, target, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", full)
        code, out, err = run_cli(["run", "01", "--force"], capsys)
    assert code == 1 and "Traceback" not in out + err
    assert "1 failed" in out and "No space left on device" in out
    assert snapshot(folder) == before  # every file of the last good report is back
    assert (folder / "01_alpha.failed.json").is_file()
    index = (project / "reports" / "index.html").read_text()
    assert "No space left on device" in index  # the index was rebuilt and tells the truth
    assert not (project / "reports" / ".staging").exists()

    again, _ = quiet_run(["01"])  # the failure makes the next plain run retry, and it recovers
    assert [r.status for r in again.results] == ["ok"]
    assert not (folder / "01_alpha.failed.json").exists()


# --------------------------------------------------------------------------- bad inputs


def _real_assumptions() -> dict:
    baseline = yaml.safe_load((REPO / "scenarios" / "baseline.yaml").read_text())
    return dict(baseline["assumptions"])


BAD_SCENARIOS = {
    "export_dir": b"description: t\nnotebooks:\n  01_alpha: {export_dir: ../data/raw}\n",
    "scenario_param": b"description: t\nnotebooks:\n  01_alpha: {scenario: ../x}\n",
    "not_utf8": b"description: caf\xe9\nnotebooks: {}\n",
    "bad_yaml": b"description: [unclosed\n",
}
BAD_FILE_NAMES = ["....yaml", "..yaml", "index.html.yaml", "a b.yaml"]


def test_non_utf8_scenario_is_one_line_naming_the_file(project, capsys):
    path = project / "scenarios" / "latin.yaml"
    path.write_bytes(BAD_SCENARIOS["not_utf8"])
    code, _, err = run_cli(["run", "01", "--scenario", str(path)], capsys)
    assert code == 2 and one_line_error(err)
    assert f"{path}:1: not UTF-8" in err


@pytest.mark.parametrize(
    ("key", "value"), [("horizon_years", 10**400), ("land_subsidy_share", 5.0)]
)
def test_overflowing_or_out_of_range_assumption_is_one_line(project, capsys, key, value):
    assumptions = _real_assumptions()
    assumptions[key] = value
    text = yaml.safe_dump({"description": "b", "notebooks": {}, "assumptions": assumptions})
    (project / "scenarios" / "baseline.yaml").write_text(text)
    code, _, err = run_cli(["run", "01"], capsys)
    assert code == 2 and one_line_error(err) and key in err
    assert not any((project / "reports").iterdir())


def test_cli_turns_an_unexpected_exception_into_one_line(monkeypatch, capsys):
    def boom(args):
        raise RuntimeError("something\nbroke")

    monkeypatch.setattr(cli, "_run", boom)
    monkeypatch.delenv("PERMANENT_RESEARCH_DEBUG", raising=False)
    code, _, err = run_cli(["run"], capsys)
    assert code == 3 and one_line_error(err) and "RuntimeError: something broke" in err


@pytest.mark.slow
def test_bad_inputs_write_nothing_outside_reports(project, capsys):
    """Containment: across the bad inputs of issue 13 only reports/ and data/processed change."""
    before = tree(project)
    scenarios = project / "scenarios"
    outcomes = []
    for name, body in BAD_SCENARIOS.items():
        path = scenarios / f"{name}.yaml"
        path.write_bytes(body)
        outcomes.append((2, run_cli(["run", "01", "--scenario", str(path)], capsys)))
        path.unlink()
    for name in BAD_FILE_NAMES:
        path = scenarios / name
        path.write_bytes(b"description: t\nnotebooks:\n  01_alpha: {}\n")
        outcomes.append((2, run_cli(["run", "01", "--scenario", str(path)], capsys)))
        # --all-scenarios refuses the whole run, naming the file, before anything runs
        outcomes.append((2, run_cli(["run", "01", "--all-scenarios"], capsys)))
        path.unlink()
    for argv in (["run", "99"], ["run", "01", "--scenario", "../../etc/passwd"]):
        outcomes.append((2, run_cli(argv, capsys)))
    assumptions = _real_assumptions()
    assumptions["horizon_years"] = 10**400
    (scenarios / "big.yaml").write_text(
        yaml.safe_dump(
            {"description": "b", "notebooks": {"01_alpha": {}}, "assumptions": assumptions}
        )
    )
    outcomes.append((2, run_cli(["run", "01", "--scenario", "big"], capsys)))
    (scenarios / "big.yaml").unlink()
    # one that does run a kernel: a notebook failing under a valid scenario
    (scenarios / "fails.yaml").write_text("description: f\nnotebooks:\n  02_beta: {fail: true}\n")
    outcomes.append((1, run_cli(["run", "02", "--scenario", "fails"], capsys)))
    (scenarios / "fails.yaml").unlink()

    for expected, (code, out, err) in outcomes:
        assert code == expected, (code, out, err)
        assert "Traceback" not in out + err
        if code == 2:
            assert one_line_error(err), err
    after = tree(project)
    changed = {
        key
        for key in before.keys() | after.keys()
        if before.get(key) != after.get(key)
        and not key.startswith(("reports/", "data/processed/"))
        and key not in ("reports", "data/processed")
    }
    assert changed == set()
    assert (project / "reports" / "fails" / "02_beta.failed.json").is_file()


# --------------------------------------------------------------------------- the synthesis


def test_synthesis_marks_numbers_of_a_notebook_whose_last_run_failed(tmp_path, monkeypatch):
    from permanent_research.reporting.synthesis import headline_table

    folder = tmp_path / "reports" / "baseline"
    folder.mkdir(parents=True)
    (tmp_path / "data" / "raw").mkdir(parents=True)
    (tmp_path / "data" / "raw" / "catalog.yaml").write_text("datasets: {}\n")
    monkeypatch.setenv("PERMANENT_RESEARCH_HOME", str(tmp_path))
    for stem in ("02_rent_trends", "03_affordability"):
        (folder / f"{stem}.headlines.json").write_text('{"x": {"value": 1, "label": "X"}}')
    (folder / "03_affordability.failed.json").write_text('{"status": "failed"}')
    table = headline_table("baseline").set_index("notebook")
    assert table.loc["03_affordability", "stale"]
    assert not table.loc["02_rent_trends", "stale"]
    # the synthesis's reader-facing appendix says so too
    from permanent_research.reporting.synthesis import appendix_table

    appendix = appendix_table("baseline").set_index("Report")
    assert "stale" in appendix.loc["03_affordability", "Status"]
    assert appendix.loc["02_rent_trends", "Status"] == ""


# --------------------------------------------------------------------------- escaping


def test_tables_escape_caption_headers_cells_and_index():
    import pandas as pd

    from permanent_research.reporting.tables import table_html

    evil = "<script>alert(1)</script>"
    frame = pd.DataFrame({evil: [evil], "n": [1.5]}, index=[evil])
    for index in (False, True):
        page = table_html(frame, caption=evil, formats={"n": "{:.1f}"}, index=index)
        assert "<script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# --------------------------------------------------------------------------- the index


def test_index_status_is_the_last_runs_outcome(tmp_path):
    import json

    from permanent_research.reporting.index import collect_rows

    folder = tmp_path / "baseline"
    folder.mkdir()
    ok = {"status": "ok", "started": "2026-12-01T10:00:00+00:00"}
    (folder / "03_a.manifest.json").write_text(json.dumps(ok))
    (folder / "03_a-noinput.html").write_text("")
    # an old failure a later success could not remove: the notebook is fixed
    old = {"status": "failed", "error": "E: old", "started": "2026-11-30T10:00:00+00:00"}
    (folder / "03_a.failed.json").write_text(json.dumps(old))
    # a failure after the last success: failed
    (folder / "04_b.manifest.json").write_text(json.dumps(ok))
    new = {"status": "failed", "error": "E: new", "started": "2026-12-01T11:00:00+00:00"}
    (folder / "04_b.failed.json").write_text(json.dumps(new))
    (folder / "05_c.failed.json").write_text(json.dumps(new))  # never succeeded
    rows = {row["stem"]: row for row in collect_rows(tmp_path)[0]["rows"]}
    assert {stem: row["status"] for stem, row in rows.items()} == {
        "03_a": "ok", "04_b": "failed", "05_c": "failed"
    }
    assert rows["03_a"]["error"] is None and rows["04_b"]["error"] == "E: new"
    # the run that just finished has the last word
    assert collect_rows(tmp_path, {("baseline", "04_b"): "ok"})[0]["rows"][1]["status"] == "ok"


# --------------------------------------------------------------------------- input files


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("/etc/hosts", "resolves outside the project"),
        ("../../../../../../etc/hosts", "resolves outside the project"),
        ("data/missing.csv", "does not exist"),
        ("data", "is a folder, not a file"),
    ],
)
def test_a_file_parameter_must_name_a_file_inside_the_project(tmp_path, value, problem):
    (tmp_path / "data").mkdir()
    with pytest.raises(ScenarioError) as info:
        runner.check_input_files("07_b", {"sites_csv": value}, tmp_path, source="s.yaml")
    message = str(info.value)
    assert message.startswith(f"s.yaml: notebook 07_b parameter sites_csv={value!r}")
    assert problem in message and "\n" not in message


def test_a_file_parameter_inside_the_project_is_accepted(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "sites.csv").write_text("a\n1\n")
    runner.check_input_files("07_b", {"sites_csv": "data/sites.csv", "n": 3}, tmp_path)


# --------------------------------------------------------------------------- determinism


def test_exported_csv_is_byte_identical_across_last_digit_noise(tmp_path):
    import pandas as pd

    from permanent_research.reporting.present import write_table

    value = sum([0.1] * 10)  # 0.9999999999999999: the sum in another order gives 1.0
    one = write_table(pd.DataFrame({"att": [value, 1 / 3]}), "a", tmp_path / "one")[0]
    two = write_table(pd.DataFrame({"att": [1.0, 1 / 3]}), "a", tmp_path / "two")[0]
    assert one.read_bytes() == two.read_bytes()
    assert pd.read_csv(one)["att"].iloc[1] == pytest.approx(1 / 3, rel=1e-11)


def test_index_labels_headlines_a_report_marks_invalid(tmp_path):
    import json

    from permanent_research.reporting.index import write_index

    folder = tmp_path / "baseline"
    folder.mkdir()
    ok = {"status": "ok", "started": "2026-12-01T10:00:00+00:00"}
    (folder / "01_a.manifest.json").write_text(json.dumps(ok))
    (folder / "01_a-noinput.html").write_text("")
    records = {"change": {"value": -8.8, "unit": "%", "label": "Deflated change",
                          "status": "invalid"},
               "count": {"value": 3, "unit": "", "label": "Count"}}
    (folder / "01_a.headlines.json").write_text(json.dumps(records))
    page = write_index(tmp_path).read_text()
    assert "Deflated change: <strong>" in page and "<em>(invalid)</em>" in page
    assert page.count("<em>(invalid)</em>") == 1
