"""Every committed notebook follows the house conventions (docs/conventions.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
EXPECTED = [
    "01_brussels_context",
    "02_rent_trends",
    "03_affordability",
    "04_displacement",
    "05_temporary_use_effects",
    "06_permanent_vs_temporary",
    "07_building_programme",
    "08_synthesis",
    "09_what_decides_the_answer",
]


def test_the_notebooks_exist():
    assert [path.stem for path in NOTEBOOKS] == EXPECTED


@pytest.fixture(params=NOTEBOOKS, ids=lambda path: path.stem)
def notebook(request):
    return request.param, nbformat.read(request.param, as_version=4)


def test_committed_without_outputs(notebook):
    path, node = notebook
    dirty = [i for i, c in enumerate(node.cells) if c.cell_type == "code" and c.outputs]
    counted = [i for i, c in enumerate(node.cells) if c.get("execution_count")]
    assert dirty == [] and counted == [], f"{path.name}: strip outputs of cells {dirty + counted}"


def test_kernelspec_is_python3(notebook):
    path, node = notebook
    assert node.metadata.get("kernelspec", {}).get("name") == "python3", path.name


def test_starts_with_a_title_and_question(notebook):
    path, node = notebook
    first = node.cells[0]
    assert first.cell_type == "markdown" and first.source.lstrip().startswith("# "), path.name


def test_one_parameters_cell_of_literals_without_plumbing(notebook):
    path, node = notebook
    tagged = [c for c in node.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, f"{path.name}: {len(tagged)} cells tagged 'parameters'"
    tree = ast.parse(tagged[0].source)
    names = []
    for statement in tree.body:
        assert isinstance(statement, ast.Assign | ast.AnnAssign), (
            f"{path.name}: only assignments in the parameters cell"
        )
        value = statement.value
        ast.literal_eval(value)  # raises if the value is not a literal
        target = statement.targets[0] if isinstance(statement, ast.Assign) else statement.target
        names.append(target.id)
    # the export folder is the runner's choice (run context), never a parameter
    assert "export_dir" not in names, f"{path.name}: export_dir must not be a parameter"


def test_papermill_infers_every_parameter(notebook):
    # papermill silently skips a parameter line it cannot parse (e.g. '=' inside a comment),
    # and then warns "unknown parameter" when a scenario overrides it
    import papermill

    path, node = notebook
    tagged = next(c for c in node.cells if "parameters" in c.metadata.get("tags", []))
    declared = set()
    for statement in ast.parse(tagged.source).body:
        target = statement.targets[0] if isinstance(statement, ast.Assign) else statement.target
        declared.add(target.id)
    assert set(papermill.inspect_notebook(str(path))) == declared, path.name
