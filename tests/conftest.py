"""Shared fixtures: headless plotting and executed notebooks (each run once per session)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

REPO_ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO_ROOT / "notebooks"


@pytest.fixture(scope="session")
def executed_notebook(tmp_path_factory):
    """Execute ``notebooks/<stem>.ipynb`` with its default parameters (cached per session).

    Returns ``(notebook_node, headlines, export_dir)``: the executed notebook, the numbers it
    recorded with :func:`permanent_research.reporting.headlines.headline` as
    ``{name: record}``, and the folder its figures and tables were exported to.
    """
    import papermill as pm

    from permanent_research.reporting.headlines import read_headlines
    from permanent_research.reporting.present import export_context

    cache: dict[str, tuple] = {}

    def run(stem: str):
        if stem not in cache:
            folder = tmp_path_factory.mktemp(stem)
            output = folder / f"{stem}.ipynb"
            # exports go where the run context says, as under the report runner
            with export_context(folder / "exports"):
                node = pm.execute_notebook(
                    str(NOTEBOOKS / f"{stem}.ipynb"),
                    str(output),
                    kernel_name="python3",
                    progress_bar=False,
                    cwd=str(NOTEBOOKS),
                )
            cache[stem] = (node, read_headlines(node), folder / "exports")
        return cache[stem]

    return run
