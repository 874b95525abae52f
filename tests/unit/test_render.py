"""Rendered pages: the report's title in <title>, the scenario values in the footer."""

from __future__ import annotations

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from permanent_research.reporting.render import render_html, report_title, summarise_value


def _manifest(tmp_path):
    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        "description: test\n"
        "assumptions:\n"
        "  horizon_years: {dist: fixed, value: 50, source: assumption}\n"
        "  rent: {dist: triangular, low: 9.5, mode: 11, high: 13, source: observatory}\n"
        "programme:\n  floors: 5\n  sources: {floors: brochure}\n"
    )
    return {
        "notebook": "notebooks/06_x.ipynb", "stem": "06_x", "scenario": "s",
        "scenario_file": str(scenario), "scenario_description": "test", "status": "ok",
        "error": None, "parameters": {"n_draws": 100},
        "parameter_origins": {"n_draws": "notebook default"}, "content_hash": "h",
        "git": {"commit": "c", "dirty": False}, "started": "now", "duration_s": 1.0,
        "inputs": {"notebook_sha256": "nb", "data": {"rents.csv": "abc123"}},
        "versions": {"pandas": "2"},
    }


def _notebook(declares_scenario: bool):
    params = new_code_cell("scenario = '/x.yaml'\nn_draws = 100" if declares_scenario
                           else "n_draws = 100")
    params.metadata["tags"] = ["parameters"]
    return nbformat.from_dict(new_notebook(cells=[
        new_markdown_cell("Intro text\n\n# Permanent vs *temporary* use\n\nThe question."),
        params,
    ]))


def test_title_is_the_first_heading():
    assert report_title(_notebook(False)) == "Permanent vs temporary use"
    assert report_title(new_notebook(cells=[new_markdown_cell("no heading")]), "x") == "x"


def test_page_title_and_scenario_values_in_footer(tmp_path):
    html = render_html(_notebook(True), _manifest(tmp_path), exclude_input=True)
    assert "<title>Permanent vs temporary use</title>" in html
    assert "<title>Notebook</title>" not in html
    assert "9.5–13 (triangular, mode 11)" in html and "observatory" in html
    assert "brochure" in html and "abc123" in html


def test_scenario_values_only_for_notebooks_that_read_the_scenario(tmp_path):
    html = render_html(_notebook(False), _manifest(tmp_path), exclude_input=True)
    assert "Scenario values used" not in html


def test_summarise_value_forms():
    assert summarise_value({"dist": "fixed", "value": 50}) == "50"
    normal = {"dist": "normal", "mean": 0.013, "sd": 0.007}
    assert summarise_value(normal) == "0.013 ± 0.007 (normal)"
    assert summarise_value({"dist": "uniform", "low": 0, "high": 1.5}) == "0–1.5 (uniform)"
    assert summarise_value(2000000) == "2,000,000"
    assert summarise_value({"cafe": 200, "studios": 1800}) == "cafe 200, studios 1800"
