"""Issue 13 leftovers: huge integers refused before any kernel; input files named on the
command line (``run --input PARAMETER=FILE``), allowed outside the project and only read."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import nbformat
import pytest

from permanent_research.cli import main
from permanent_research.errors import ParameterError, ScenarioError
from permanent_research.reporting import runner
from permanent_research.reporting.scenario_files import check_overrides, notebook_parameters

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


def _defaults(stem: str) -> dict:
    return notebook_parameters(nbformat.read(NOTEBOOKS / f"{stem}.ipynb", as_version=4))


# ------------------------------------------------------------------ 10**400
@pytest.mark.parametrize(
    ("stem", "overrides", "expected"),
    [
        ("06_permanent_vs_temporary", {"n_draws": 10**400},
         "n_draws=1…(401-digit integer) is outside the allowed range; allowed: integer in "
         "[100, 1_000_000]"),
        ("06_permanent_vs_temporary", {"seed": -(10**400)},
         "seed=-1…(401-digit integer) is outside the allowed range"),
        ("03_affordability", {"rbdh_income_eur_month": 10**400},
         "rbdh_income_eur_month=1…(401-digit integer) is outside the allowed range"),
        ("03_affordability", {"rent_values_eur_month": [500, 10**400]},
         "rent_values_eur_month="),
    ],
)
def test_a_huge_integer_is_a_one_line_error_naming_parameter_and_range(stem, overrides,
                                                                       expected):
    with pytest.raises(ScenarioError) as info:
        check_overrides(stem, _defaults(stem), overrides, source="s.yaml")
    message = str(info.value)
    assert expected in message and "\n" not in message and len(message) < 300


def test_a_huge_integer_in_a_scenario_stops_the_run_before_any_kernel(tmp_path, capsys):
    from permanent_research.config import paths

    scenario = tmp_path / "big.yaml"
    scenario.write_text("description: big\nnotebooks:\n  06_permanent_vs_temporary: "
                        "{n_draws: 1" + "0" * 400 + "}\n")
    reports = paths().reports
    before = sorted(reports.rglob("*")) if reports.exists() else []
    assert main(["run", "06", "--scenario", str(scenario)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "n_draws" in err and "[100, 1_000_000]" in err
    assert "OverflowError" not in err
    assert (sorted(reports.rglob("*")) if reports.exists() else []) == before


# ------------------------------------------------------------------ run --input
def _reader_notebook(project: Path) -> None:
    """A notebook with an input-file parameter that reads the file and records its lines."""
    cells = [
        nbformat.v4.new_markdown_cell("# Reader (test)"),
        nbformat.v4.new_code_cell('scenario = "baseline"\ntable_csv = "data/raw/tiny.csv"',
                                  metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(
            "from pathlib import Path\n"
            "from permanent_research.config import paths\n"
            "from permanent_research.reporting.headlines import headline\n"
            "rows = (paths().root / table_csv).read_text().splitlines()\n"
            "headline('rows', len(rows), unit='rows', source='the input file', digits=0)\n"),
    ]
    node = nbformat.v4.new_notebook(cells=cells, metadata={"kernelspec": {
        "display_name": "Python 3", "language": "python", "name": "python3"}})
    nbformat.write(node, project / "notebooks" / "03_reader.ipynb")
    (project / "data" / "raw" / "tiny.csv").write_text("a\n1\n")


@pytest.fixture
def project(report_project, tmp_path):
    (tmp_path / "scenarios" / "baseline.yaml").write_text("description: test\n")
    _reader_notebook(tmp_path)
    return tmp_path


@pytest.fixture
def outside(tmp_path_factory):
    folder = tmp_path_factory.mktemp("elsewhere")
    path = folder / "my_sites.csv"
    path.write_text("a\n1\n2\n3\n")
    return path


def test_a_file_named_on_the_command_line_may_lie_outside_the_project(project, outside):
    (job,) = runner.plan(["03"], inputs={"table_csv": str(outside)})
    assert job.parameters["table_csv"] == str(outside.resolve())
    assert job.command_line == ("table_csv",)
    # its content enters the report's hash: an edited file reruns the report
    outside.write_text("a\n1\n")
    (again,) = runner.plan(["03"], inputs={"table_csv": str(outside)})
    assert again.content_hash != job.content_hash
    # the same file from a scenario is still refused: only the command line may name it
    (project / "scenarios" / "baseline.yaml").write_text(
        f"description: test\nnotebooks:\n  03_reader: {{table_csv: {outside}}}\n")
    with pytest.raises(ScenarioError, match="table_csv=.* resolves outside the project"):
        runner.plan(["03"])
    (project / "scenarios" / "baseline.yaml").write_text("description: test\n")


@pytest.mark.parametrize(
    ("name", "make", "expected"),
    [
        ("n", lambda p: p, r"--input n=.*'n' is not an input-file parameter of the selected "
                           r"notebooks; allowed: table_csv"),
        ("table_csv", lambda p: p.with_name("missing.csv"), r"missing\.csv does not exist"),
        ("table_csv", lambda p: p.parent, r"is a folder, not a file"),
    ],
)
def test_bad_named_inputs_are_one_line_errors(project, outside, name, make, expected):
    with pytest.raises(ParameterError, match=expected) as info:
        runner.plan(["03"], inputs={name: str(make(outside))})
    assert "\n" not in str(info.value)
    assert not any((project / "reports").iterdir())


def test_cli_input_needs_parameter_equals_file(project, capsys):
    with pytest.raises(SystemExit) as info:
        main(["run", "03", "--input", "table_csv"])
    assert info.value.code == 2
    assert "PARAMETER=FILE" in capsys.readouterr().err


@pytest.mark.slow
def test_run_reads_the_named_file_and_never_writes_it(project, outside, capsys):
    outside.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)  # read-only
    before = (outside.read_bytes(), outside.stat().st_mtime_ns, sorted(outside.parent.iterdir()))
    code = main(["run", "03", "--input", f"table_csv={outside}", "--jobs", "1"])
    assert code == 0, capsys.readouterr()
    folder = project / "reports" / "baseline"
    headlines = json.loads((folder / "03_reader.headlines.json").read_text())
    assert headlines["rows"]["value"] == 4  # the outside file's lines, not tiny.csv's 2
    manifest = json.loads((folder / "03_reader.manifest.json").read_text())
    assert manifest["parameter_origins"]["table_csv"] == "command line"
    after = (outside.read_bytes(), outside.stat().st_mtime_ns, sorted(outside.parent.iterdir()))
    assert after == before  # same bytes, untouched, nothing written beside it
    assert not os.access(outside, os.W_OK) or os.geteuid() == 0
