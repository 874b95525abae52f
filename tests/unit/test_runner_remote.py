"""``permanent-research run --scheduler``: notebook runs on a dask.distributed cluster.

The cluster is real: a scheduler and a worker started as separate processes on this machine,
as a user would start them; the tiny report project is the one of the local runner tests.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from permanent_research.errors import ParameterError
from permanent_research.reporting import runner

STEMS = ("01_alpha", "02_beta", "08_synthesis")


@pytest.fixture
def project(report_project, tmp_path):
    (tmp_path / "scenarios" / "baseline.yaml").write_text(
        "description: Baseline for the tests.\nnotebooks: {}\n")
    return tmp_path


@pytest.fixture
def cluster(process_cluster):
    """The shared separate-process cluster (tests/unit/conftest.py)."""
    return process_cluster


def add_probe_notebook(project: Path) -> None:
    """A notebook that records, as a headline, where its kernel's Dask work would go."""
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell("scenario = 'baseline'", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(
            "import os\nfrom IPython.display import display\n"
            "where = os.environ.get('PERMANENT_RESEARCH_SCHEDULER', '')\n"
            "display({'text/plain': where, 'application/vnd.permanent-research.headline+json':"
            " {'name': 'where', 'value': where, 'unit': '', 'source': 'env', 'label': 'where'}},"
            " raw=True)"),
    ]
    notebook.metadata["kernelspec"] = {"name": "python3", "language": "python",
                                       "display_name": "Python 3"}
    nbformat.write(notebook, str(project / "notebooks" / "03_probe.ipynb"))


def quiet_run(*args, **kwargs):
    lines: list[str] = []
    summary = runner.run(*args, echo=lines.append, progress=False, **kwargs)
    return summary, lines


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_run_on_a_scheduler_and_workers_started_as_separate_processes(project, cluster):
    address, workers = cluster
    add_probe_notebook(project)
    summary, lines = quiet_run(scheduler=address)
    assert summary.exit_code == 0, summary.summary()
    assert {r.stem: r.status for r in summary.results} == dict.fromkeys(
        (*STEMS, "03_probe"), "ok")
    folder = project / "reports" / "baseline"
    # a notebook's own Dask work (09) goes to the same cluster
    where = json.loads((folder / "03_probe.headlines.json").read_text())["where"]["value"]
    assert where == address
    for stem in STEMS:
        manifest = json.loads((folder / f"{stem}.manifest.json").read_text())
        # computed by a worker of that cluster, not by this process or a local pool
        assert manifest["executed_on"]["worker"] in workers
        for suffix in (".ipynb", ".html", "-noinput.html", ".headlines.json"):
            assert (folder / f"{stem}{suffix}").is_file(), f"{stem}{suffix}"
    # the exports came back and moved into place; the page names the final folder
    assert (folder / "01_alpha_files" / "total.txt").read_text() == "4.5\n"
    assert ".staging" not in (folder / "01_alpha.ipynb").read_text()
    assert "pr-run-" not in (folder / "01_alpha.ipynb").read_text()
    # the synthesis ran after the others, on the cluster, and read their headline files
    # (the kernel found this project although the workers were not told where it is)
    assert ("synthesis saw: ['01_alpha', '02_beta', '03_probe']"
            in (folder / "08_synthesis.ipynb").read_text())
    assert not (project / "reports" / ".staging").exists()

    # unchanged: nothing is sent anywhere
    summary, _ = quiet_run(scheduler=address)
    assert {r.status for r in summary.results} == {"skipped-unchanged"}

    # a failure on the cluster keeps the last good report, and .previous works as locally
    (project / "scenarios" / "baseline.yaml").write_text(
        "description: Baseline for the tests.\nnotebooks:\n  01_alpha: {n: 5}\n"
        "  02_beta: {fail: true}\n")
    summary, _ = quiet_run(scheduler=address, jobs=1)
    statuses = {r.stem: r.status for r in summary.results}
    assert statuses == {"01_alpha": "ok", "02_beta": "failed", "03_probe": "skipped-unchanged",
                        "08_synthesis": "ok"}
    assert "failure requested by the scenario" in next(
        r.error for r in summary.results if r.stem == "02_beta")
    assert (folder / "02_beta.failed.ipynb").is_file() and (folder / "02_beta.html").is_file()
    assert json.loads((folder / "01_alpha.headlines.json").read_text())["total"]["value"] == 5.5
    previous = json.loads((folder / ".previous" / "01_alpha.headlines.json").read_text())
    assert previous["total"]["value"] == 4.5
    assert not (project / "reports" / ".staging").exists()


def test_unreachable_scheduler_names_the_address_and_runs_nothing(project, capsys):
    from permanent_research.cli import main

    before = sorted(p.relative_to(project) for p in project.rglob("*"))
    assert main(["run", "--scheduler", "tcp://127.0.0.1:9"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "tcp://127.0.0.1:9" in err[0] and "nothing ran" in err[0]
    # not even the lock file: nothing under reports/ was touched
    assert sorted(p.relative_to(project) for p in project.rglob("*")) == before


def test_scheduler_from_the_environment_and_local_overrides_it(project, monkeypatch):
    from permanent_research.reporting.remote import SCHEDULER_ENV
    from permanent_research.sensitivity import SCHEDULER_ENV as SENSITIVITY_ENV

    assert SCHEDULER_ENV == SENSITIVITY_ENV  # one variable for both
    monkeypatch.setenv(SCHEDULER_ENV, "tcp://127.0.0.1:9")
    with pytest.raises(ParameterError, match=r"tcp://127\.0\.0\.1:9'.*nothing ran"):
        quiet_run(["01"])
    summary, _ = quiet_run(["01"], scheduler="local")
    assert [r.status for r in summary.results] == ["ok"]
    # "inline" (in-process sensitivity runs) means this machine for the runner too
    monkeypatch.setenv(SCHEDULER_ENV, "inline")
    summary, _ = quiet_run(["01"], force=True)
    assert [r.status for r in summary.results] == ["ok"]


def test_kernels_of_a_local_run_keep_their_dask_work_in_process(project, monkeypatch):
    """The runner runs a notebook per core: a kernel starts no Dask cluster of its own."""
    from permanent_research.reporting.remote import SCHEDULER_ENV

    monkeypatch.delenv(SCHEDULER_ENV, raising=False)
    add_probe_notebook(project)
    summary, _ = quiet_run(["03"])
    assert [r.status for r in summary.results] == ["ok"]
    headlines = project / "reports" / "baseline" / "03_probe.headlines.json"
    assert json.loads(headlines.read_text())["where"]["value"] == "inline"
