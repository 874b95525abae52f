"""The report runner on the tiny fixture notebooks (tests/fixtures/notebooks).

Planning tests start no kernel. Tests marked ``slow`` run real kernels through papermill in
worker processes (a few seconds each); they run in ``make test`` too.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from permanent_research.errors import NotebookError, ScenarioError
from permanent_research.reporting import runner
from permanent_research.reporting.manifest import content_hash

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "notebooks"
STEMS = ["01_alpha", "02_beta", "08_synthesis"]


@pytest.fixture
def project(report_project, tmp_path):
    """A tiny project copy: catalog, notebooks/, scenarios/baseline.yaml, reports/."""
    set_baseline(tmp_path, "")
    return tmp_path


def set_baseline(project: Path, notebooks_yaml: str) -> None:
    body = notebooks_yaml or " {}"
    (project / "scenarios" / "baseline.yaml").write_text(
        f"description: Baseline for the tests.\nnotebooks:{body}\n"
    )


def quiet_run(*args, **kwargs):
    lines: list[str] = []
    summary = runner.run(*args, echo=lines.append, progress=False, **kwargs)
    return summary, lines


def status_of(summary) -> dict[str, str]:
    return {f"{r.stem}[{r.scenario}]": r.status for r in summary.results}


def no_staging(project: Path) -> bool:
    return not (project / "reports" / ".staging").exists()


# --------------------------------------------------------------------------- planning only


def test_plan_baseline_runs_every_notebook_other_scenarios_only_theirs(project, monkeypatch):
    (project / "scenarios" / "small.yaml").write_text(
        "description: Small.\nnotebooks:\n  01_alpha: {n: 4}\n"
    )
    jobs = runner.plan(all_scenarios=True)
    assert [(j.scenario, j.stem) for j in jobs] == [
        ("baseline", "01_alpha"),
        ("baseline", "02_beta"),
        ("baseline", "08_synthesis"),
        ("small", "01_alpha"),
    ]
    small = jobs[-1]
    # the notebook gets the file the runner resolved, never a name to look up again: a path
    # relative to the project (no machine path on the page) that resolves to that same file
    assert small.parameters == {"scenario": "scenarios/small.yaml", "n": 4}
    from permanent_research.reporting.scenario_files import load_scenario

    elsewhere = project / "reports"
    monkeypatch.chdir(elsewhere)
    assert load_scenario(small.parameters["scenario"]).path == (
        project / "scenarios" / "small.yaml").resolve()
    assert jobs[1].parameters == {}  # 02_beta declares no `scenario` parameter
    assert small.report_dir == str(project / "reports" / "small")


def test_names_restrict_and_prefixes_resolve(project):
    jobs = runner.plan(["02", "01_alpha.ipynb"])
    assert [j.stem for j in jobs] == ["01_alpha", "02_beta"]


@pytest.mark.parametrize(
    ("name", "pattern"),
    [
        ("99_nope", "unknown notebook '99_nope'; available: 01_alpha, 02_beta, 08_synthesis"),
        ("0", "ambiguous notebook '0'; matches: 01_alpha, 02_beta, 08_synthesis"),
    ],
)
def test_unknown_or_ambiguous_notebook_name(project, name, pattern):
    with pytest.raises(NotebookError) as info:
        runner.run([name], echo=lambda line: None, progress=False)
    assert str(info.value) == pattern
    assert not any((project / "reports").iterdir())  # nothing ran, nothing written


def test_bad_parameter_stops_everything_before_any_kernel(project):
    set_baseline(project, "\n  02_beta: {fail: true}\n  01_alpha: {nn: 4}")
    with pytest.raises(ScenarioError, match="notebook 01_alpha has no parameter 'nn'; did you"):
        runner.run(echo=lambda line: None, progress=False)
    assert not any((project / "reports").iterdir())


def test_ill_typed_parameter_in_a_named_scenario(project):
    path = project / "scenarios" / "odd.yaml"
    path.write_text("description: Odd.\nnotebooks:\n  01_alpha: {n: many}\n")
    with pytest.raises(ScenarioError) as info:
        runner.plan(scenarios=["odd"])
    assert str(info.value) == (
        f"{path}: notebook 01_alpha parameter n='many' is str, expected int like the default 3"
    )


def test_scenario_naming_an_unknown_notebook(project):
    set_baseline(project, "\n  03_gamma: {}")
    with pytest.raises(ScenarioError, match=r"unknown notebook\(s\) 03_gamma under 'notebooks'"):
        runner.plan()


def test_hash_changes_with_each_input(project):
    before = {j.stem: j.content_hash for j in runner.plan()}
    assert before == {j.stem: j.content_hash for j in runner.plan()}  # deterministic
    set_baseline(project, "\n  01_alpha: {n: 4}")
    after = {j.stem: j.content_hash for j in runner.plan()}
    assert after["01_alpha"] != before["01_alpha"]
    assert after["02_beta"] == before["02_beta"]
    catalog = project / "data" / "raw" / "catalog.yaml"
    catalog.write_text(catalog.read_text().replace("ab" * 32, "cd" * 32))
    data_changed = {j.stem: j.content_hash for j in runner.plan()}
    assert all(data_changed[s] != after[s] for s in STEMS)


def test_a_notebook_reading_sibling_scenarios_reruns_when_one_changes(project, monkeypatch):
    monkeypatch.setattr(runner, "SIBLING_SCENARIO_READERS", frozenset({"01_alpha"}))
    other = project / "scenarios" / "other.yaml"
    other.write_text("description: Other.\nnotebooks: {}\n")
    before = {j.stem: j.content_hash for j in runner.plan()}
    other.write_text("description: Other, edited.\nnotebooks: {}\n")
    after = {j.stem: j.content_hash for j in runner.plan()}
    assert after["01_alpha"] != before["01_alpha"]  # it reads other.yaml
    assert after["02_beta"] == before["02_beta"]  # it does not


def test_every_notebook_that_reads_sibling_scenarios_is_declared():
    from permanent_research.reporting.parameters import SIBLING_SCENARIO_READERS

    notebooks = Path(__file__).resolve().parents[2] / "notebooks"
    readers = {path.stem for path in notebooks.glob("*.py")
               if ".siblings()" in path.read_text(encoding="utf-8")}
    assert readers  # notebook 06 explains the other scenarios
    assert readers == set(SIBLING_SCENARIO_READERS)


def test_synthesis_hash_covers_the_headline_files_it_gathers(project):
    (project / "scenarios" / "other.yaml").write_text("description: Other.\nnotebooks: {}\n")
    set_baseline(project, "\n  08_synthesis: {compare_scenarios: [baseline, other]}")
    (synthesis,) = [j for j in runner.plan() if j.stem == "08_synthesis"]
    assert synthesis.gathers == ("baseline", "other")
    reports = project / "reports"
    empty = runner._with_gathered_hash(synthesis, reports).content_hash
    (reports / "other").mkdir()
    headlines = reports / "other" / "06_model.headlines.json"
    headlines.write_text('{"x": {"value": 1}}')
    one = runner._with_gathered_hash(synthesis, reports).content_hash
    headlines.write_text('{"x": {"value": 2}}')
    two = runner._with_gathered_hash(synthesis, reports).content_hash
    assert len({empty, one, two}) == 3
    # its own headlines are not an input (it would never be current)
    (reports / "baseline").mkdir()
    (reports / "baseline" / "08_synthesis.headlines.json").write_text("{}")
    assert runner._with_gathered_hash(synthesis, reports).content_hash == two
    # a notebook whose last attempt failed makes the gathered numbers stale: rerun
    (reports / "other" / "06_model.failed.json").write_text("{}")
    assert runner._with_gathered_hash(synthesis, reports).content_hash != two


def test_content_hash_ignores_key_order_but_not_values():
    common = {"notebook_digest": "n", "package_digest": "p", "data_checksums": {"a": "1"}}
    one = content_hash(parameters={"a": 1, "b": 2}, scenario_section={}, **common)
    two = content_hash(parameters={"b": 2, "a": 1}, scenario_section={}, **common)
    three = content_hash(parameters={"a": 1, "b": 3}, scenario_section={}, **common)
    assert one == two != three


# --------------------------------------------------------------------------- with kernels


@pytest.mark.slow
def test_layout_provenance_skip_and_rerun(project):
    summary, lines = quiet_run(jobs=2)
    assert summary.exit_code == 0, summary.summary()
    assert status_of(summary) == {f"{s}[baseline]": "ok" for s in STEMS}
    assert len(lines) == 3 and all(": ok (" in line for line in lines)
    folder = project / "reports" / "baseline"
    for stem in STEMS:
        for suffix in (".ipynb", ".html", "-noinput.html", ".manifest.json", ".headlines.json"):
            assert (folder / f"{stem}{suffix}").is_file(), f"{stem}{suffix}"
    assert no_staging(project)

    # exports moved into place; the report shows the final export folder, not the staging one
    assert (folder / "01_alpha_files" / "total.txt").read_text() == "4.5\n"
    executed = (folder / "01_alpha.ipynb").read_text()
    assert ".staging" not in executed and "export_dir" not in json.loads(
        (folder / "01_alpha.manifest.json").read_text()
    )["parameters"]
    manifest = json.loads((folder / "01_alpha.manifest.json").read_text())
    # every parameter the report computed with and where it came from; no runner plumbing
    assert manifest["parameters"] == {"n": 3, "rate": 0.5, "label": "alpha", "items": [1, 2]}
    assert set(manifest["parameter_origins"].values()) == {"notebook default"}
    assert manifest["status"] == "ok" and manifest["inputs"]["data"] == {"tiny.csv": "ab" * 32}
    assert manifest["git"] == {"commit": "unknown", "dirty": False}  # tmp project: no repo
    assert manifest["versions"]["papermill"] and manifest["versions"]["python"]
    mode = (folder / "01_alpha.ipynb").stat().st_mode & 0o777  # as the umask says
    for name in ("01_alpha.manifest.json", "01_alpha.headlines.json", "../index.html"):
        assert (folder / name).stat().st_mode & 0o777 == mode, name  # not mkstemp's 0600
    headlines = json.loads((folder / "01_alpha.headlines.json").read_text())
    assert headlines["total"]["value"] == 4.5  # 3 * 0.5 + 1 + 2

    # synthesis ran after the others and saw their headline files
    assert "synthesis saw: ['01_alpha', '02_beta']" in (folder / "08_synthesis.ipynb").read_text()

    # both HTML pages end with the provenance footer; the supervisors' one hides the code
    full = (folder / "01_alpha.html").read_text()
    hidden = (folder / "01_alpha-noinput.html").read_text()
    for page in (full, hidden):
        footer = page[page.rindex('class="pr-provenance"') :]
        for expected in ("Provenance", "baseline", "tiny.csv", "ab" * 32, "papermill"):
            assert expected in footer
    code = '<span class="n">rate</span>'  # `rate` in the highlighted source of a code cell
    assert code in full and code not in hidden
    assert "total: 4.5" in hidden

    index = (project / "reports" / "index.html").read_text()
    for stem in STEMS:
        assert f'href="baseline/{stem}-noinput.html"' in index
    assert "Total: <strong>4.5</strong> units" in index

    # nothing changed: everything skipped, no file touched
    stamps = {p: p.stat().st_mtime_ns for p in folder.rglob("*")}
    summary, lines = quiet_run()
    assert status_of(summary) == {f"{s}[baseline]": "skipped-unchanged" for s in STEMS}
    assert lines[0] == "01_alpha [baseline]: unchanged, skipped"
    assert stamps == {p: p.stat().st_mtime_ns for p in folder.rglob("*")}
    assert "skipped-unchanged" in (project / "reports" / "index.html").read_text()

    # a changed parameter reruns that notebook (and the synthesis that reads it), not the rest
    set_baseline(project, "\n  01_alpha: {n: 5}")
    summary, _ = quiet_run(jobs=1)
    assert status_of(summary) == {
        "01_alpha[baseline]": "ok",
        "02_beta[baseline]": "skipped-unchanged",
        "08_synthesis[baseline]": "ok",
    }
    assert json.loads((folder / "01_alpha.headlines.json").read_text())["total"]["value"] == 5.5
    # the run before is kept for `permanent-research diff`
    previous = json.loads((folder / ".previous" / "01_alpha.headlines.json").read_text())
    assert previous["total"]["value"] == 4.5

    # a changed notebook source reruns it
    notebook = project / "notebooks" / "02_beta.ipynb"
    notebook.write_text(notebook.read_text().replace("beta ran", "beta ran again"))
    summary, _ = quiet_run(["02"], jobs=1)
    assert status_of(summary) == {"02_beta[baseline]": "ok"}

    # --force reruns an unchanged notebook
    summary, _ = quiet_run(["02_beta"], jobs=1, force=True)
    assert status_of(summary) == {"02_beta[baseline]": "ok"}
    assert no_staging(project)


@pytest.mark.slow
def test_failure_keeps_last_good_report_and_others_run(project):
    summary, _ = quiet_run(["01", "02"], jobs=2)
    assert summary.exit_code == 0
    folder = project / "reports" / "baseline"
    good = {
        name: (folder / name).read_bytes()
        for name in ("02_beta.ipynb", "02_beta.html", "02_beta-noinput.html")
        + ("02_beta.manifest.json", "02_beta.headlines.json")
    }

    set_baseline(project, "\n  02_beta: {fail: true}\n  01_alpha: {n: 7}")
    summary, lines = quiet_run(jobs=2)
    assert summary.exit_code == 1
    assert status_of(summary) == {
        "01_alpha[baseline]": "ok",  # the others still ran
        "02_beta[baseline]": "failed",
        "08_synthesis[baseline]": "ok",
    }
    failed = next(r for r in summary.results if r.status == "failed")
    assert failed.error == "ValueError: failure requested by the scenario"
    assert "02_beta [baseline]: FAILED (ValueError: failure requested by the scenario)" in lines
    assert "1 failed" in summary.summary() and "02_beta [baseline]" in summary.summary()
    # the last good report is byte-identical
    assert good == {name: (folder / name).read_bytes() for name in good}
    # the failed run is kept with its error visible
    kept = (folder / "02_beta.failed.ipynb").read_text()
    assert "failure requested by the scenario" in kept and '"ename": "ValueError"' in kept
    assert "failure requested by the scenario" in (folder / "02_beta.failed.html").read_text()
    index = (project / "reports" / "index.html").read_text()
    row = index[index.index("<code>02_beta</code>") :].split("</tr>")[0]
    assert 'class="failed"' in row and "ValueError: failure requested by the scenario" in row
    assert "baseline/02_beta.failed.html" in row and "baseline/02_beta-noinput.html" in row
    assert no_staging(project)

    # the same failing inputs are retried, not skipped
    summary, _ = quiet_run(["02"], jobs=1)
    assert status_of(summary) == {"02_beta[baseline]": "failed"}
    assert good == {name: (folder / name).read_bytes() for name in good}

    # once fixed, the report is replaced and the failure files are gone
    set_baseline(project, "\n  02_beta: {fail: false, threshold: 0.5}")
    summary, _ = quiet_run(["02"], jobs=1)
    assert status_of(summary) == {"02_beta[baseline]": "ok"}
    assert not list(folder.glob("02_beta.failed.*"))
    manifest = json.loads((folder / "02_beta.manifest.json").read_text())
    assert manifest["parameters"]["threshold"] == 0.5
    assert 'class="failed"' not in (project / "reports" / "index.html").read_text()
    assert no_staging(project)


def test_bad_section_stops_the_run_before_any_kernel(project, monkeypatch):
    import sys
    import types

    from permanent_research.reporting import scenario_files

    module = types.ModuleType("fake_programme_validators")

    def validate(mapping, *, source):
        raise ScenarioError(f"{source}: homes must be positive")

    module.validate = validate
    monkeypatch.setitem(sys.modules, "fake_programme_validators", module)
    monkeypatch.setitem(
        scenario_files.SECTION_VALIDATORS, "programme", "fake_programme_validators:validate"
    )
    (project / "scenarios" / "baseline.yaml").write_text(
        "description: Base.\nnotebooks: {}\nprogramme: {homes: -1}\n"
    )
    with pytest.raises(ScenarioError, match="baseline.yaml:programme: homes must be positive"):
        runner.run(echo=lambda line: None, progress=False)
    assert not any((project / "reports").iterdir())


def test_run_summary_exit_code_line_and_frame():
    results = (
        runner.JobResult("baseline", "01_alpha", "ok", 1.25),
        runner.JobResult("baseline", "02_beta", "failed", 0.5, "ValueError: x"),
        runner.JobResult("small", "01_alpha", "skipped-unchanged"),
    )
    summary = runner.RunSummary(results=results, wall_s=2.0)
    assert summary.exit_code == 1
    assert runner.RunSummary(results=results[::2]).exit_code == 0
    assert summary.summary() == (
        "3 report(s): 1 ok, 1 unchanged (skipped), 1 failed in 2.0 s "
        "— failed: 02_beta [baseline]"
    )
    assert [r.line() for r in results] == [
        "01_alpha [baseline]: ok (1.2 s)",
        "02_beta [baseline]: FAILED (ValueError: x)",
        "01_alpha [small]: unchanged, skipped",
    ]
    frame = summary.to_frame()
    assert list(frame["status"]) == ["ok", "failed", "skipped-unchanged"]
    assert "ValueError: x" in summary._repr_html_()


def test_a_file_named_by_a_parameter_enters_the_hash(project):
    # inputs outside the catalog (data/examples, a researcher's CSV) must rerun the notebook
    sites = project / "data" / "examples" / "sites.csv"
    sites.parent.mkdir(parents=True)
    sites.write_text("site_id,area_m2\nA,5000\n")
    set_baseline(project, "\n  01_alpha: {label: data/examples/sites.csv}")
    before = {j.stem: j.content_hash for j in runner.plan()}
    sites.write_text("site_id,area_m2\nA,9000\n")
    after = {j.stem: j.content_hash for j in runner.plan()}
    assert after["01_alpha"] != before["01_alpha"]
    assert after["02_beta"] == before["02_beta"]


def test_referenced_files_ignores_text_that_is_no_file(tmp_path):
    (tmp_path / "a.csv").write_text("x\n1\n")
    found = runner.referenced_files({"a": "a.csv", "b": "not a file", "c": 3, "d": ""}, tmp_path)
    assert list(found) == ["file:a.csv"] and len(found["file:a.csv"]) == 64


@pytest.mark.slow
def test_an_unchanged_rerun_imports_no_analysis_module(project):
    """Nothing to do: no section validator, pandas, papermill or nbconvert is imported."""
    import subprocess
    import sys

    (project / "scenarios" / "baseline.yaml").write_text(
        "description: Baseline for the tests.\nnotebooks: {}\nprogramme: {}\n"
    )
    summary, _ = quiet_run(jobs=2)
    assert summary.exit_code == 0, summary.summary()
    probe = (
        "import sys\n"
        "from permanent_research.reporting import runner\n"
        "summary = runner.run(echo=lambda line: None, progress=False)\n"
        "assert {r.status for r in summary.results} == {'skipped-unchanged'}, summary.summary()\n"
        "heavy = ['pandas', 'papermill', 'nbconvert', 'permanent_research.programme']\n"
        "print(sorted(name for name in heavy if name in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]", done.stderr
