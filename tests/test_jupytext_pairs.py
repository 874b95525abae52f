"""Every notebook is paired with a jupytext percent script, and the two say the same thing.

A change to a notebook reads as a normal diff in ``notebooks/<stem>.py``. After editing a
notebook, re-sync its twin with ``.venv/bin/jupytext --sync notebooks/<stem>.ipynb`` (or
``--to py:percent`` to regenerate the script from the notebook).
"""

from __future__ import annotations

from pathlib import Path

import jupytext
import nbformat
import pytest

NOTEBOOKS_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))


def _cells(node) -> list[tuple[str, str]]:
    return [(cell.cell_type, cell.source.strip()) for cell in node.cells]


def test_every_script_has_its_notebook():
    scripts = {p.stem for p in NOTEBOOKS_DIR.glob("*.py") if p.name != "conftest.py"}
    assert scripts == {p.stem for p in NOTEBOOKS}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_and_script_are_in_sync(path):
    node = nbformat.read(path, as_version=4)
    assert node.metadata.get("jupytext", {}).get("formats") == "ipynb,py:percent", (
        f"{path.name}: not paired; run jupytext --set-formats ipynb,py:percent {path.name}")
    script = path.with_suffix(".py")
    assert script.is_file(), f"{script.name} is missing: run jupytext --sync {path.name}"
    twin = jupytext.read(script)
    assert _cells(twin) == _cells(node), (
        f"{path.name} and {script.name} differ: run jupytext --sync notebooks/{path.name}")
    tags = [cell.metadata.get("tags", []) for cell in node.cells]
    assert [cell.metadata.get("tags", []) for cell in twin.cells] == tags
