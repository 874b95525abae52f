"""The clean-pages checker on synthetic pages: each problem found, a clean page passes."""

from __future__ import annotations

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from permanent_research.reporting.pagecheck import PROBLEM_KINDS, check_file, check_page
from permanent_research.reporting.render import render_html


def _notebook(*outputs, title="# Rents in Brussels"):
    cell = new_code_cell("x", outputs=list(outputs))
    return nbformat.from_dict(new_notebook(cells=[new_markdown_cell(title), cell]))


def _clean_table():
    return pd.DataFrame({"year": ["2018", "2024"], "rent (EUR/month)": ["739", "1,020"]})


def _html_output(frame):
    return new_output("display_data", data={"text/html": frame.to_html(index=False),
                                            "text/plain": frame.to_string()})


def _manifest():
    return {"notebook": "notebooks/x.ipynb", "stem": "x", "scenario": "baseline",
            "scenario_file": "scenarios/baseline.yaml", "scenario_description": "d",
            "status": "ok", "error": None, "parameters": {}, "parameter_origins": {},
            "content_hash": "abc", "git": {"commit": "c0ffee", "dirty": False},
            "started": "2026-12-01T09:00:00", "duration_s": 1.25,
            "inputs": {"notebook_sha256": "f" * 64, "data": {"rents.csv": "e" * 64}},
            "versions": {"pandas": "2.2.3"}}


CLEAN = _notebook(
    _html_output(_clean_table()),
    new_output("stream", name="stdout", text="Median rent rose 38.0% (2018-2024).\n"),
    new_output("display_data", data={"text/plain": "<Figure>", "image/png": "iVBORw0KGgo="}),
)

BAD = {
    "error output": _notebook(new_output("error", ename="ValueError", evalue="boom",
                                         traceback=["ValueError: boom"])),
    "stderr output": _notebook(new_output("stream", name="stderr", text="UserWarning: x\n")),
    "PosixPath": _notebook(new_output("execute_result", data={
        "text/plain": "[PosixPath('data/raw/rents.csv')]"}, execution_count=1)),
    "machine path": _notebook(new_output("stream", name="stdout",
                                         text="wrote /home/ana/reports/x.png\n")),
    "missing value in table": _notebook(_html_output(
        pd.DataFrame({"a": [1.0, None], "b": pd.array([1, None], dtype="Int64")}))),
    "long float": _notebook(new_output("stream", name="stdout", text="p = 2.847595e-16\n")),
    "title Notebook": _notebook(title="no heading here"),
}


def test_every_kind_has_a_synthetic_page():
    assert set(BAD) == set(PROBLEM_KINDS)


def test_clean_notebook_and_its_page_pass():
    assert check_page(CLEAN) == []
    assert check_page(render_html(CLEAN, _manifest(), exclude_input=True)) == []


@pytest.mark.parametrize("kind", sorted(BAD))
def test_each_problem_is_found_in_the_notebook(kind):
    found = check_page(BAD[kind])
    assert kind in {p.kind for p in found}, found


@pytest.mark.parametrize("kind", sorted(set(BAD) - {"error output"}))
def test_each_problem_is_found_in_the_code_hidden_page(kind):
    html = render_html(BAD[kind], _manifest(), exclude_input=True)
    if kind == "title Notebook":
        html = html.replace("<title>x</title>", "<title>Notebook</title>")
    found = {p.kind for p in check_page(html)}
    assert kind in found, found


def test_versions_hashes_and_four_decimals_are_fine():
    node = _notebook(new_output("stream", name="stdout",
                                text="pandas 1.26.4, sha 3f2a9c, share 0.1234, url /docs/x\n"))
    assert check_page(node) == []


def test_check_file_reads_both_forms(tmp_path):
    notebook = tmp_path / "x.ipynb"
    nbformat.write(BAD["long float"], notebook)
    page = tmp_path / "x.html"
    page.write_text("<html><head><title>Notebook</title></head><body>0.1234567</body></html>")
    assert [p.kind for p in check_file(notebook)] == ["long float"]
    assert {p.kind for p in check_file(page)} == {"title Notebook", "long float"}
    assert str(check_file(page)[0]).startswith("title: title Notebook")


def test_the_word_none_in_a_table_is_not_a_missing_value():
    frame = pd.DataFrame({"class": ["none", "early gentrification"], "n": ["3", "4"]})
    assert check_page(_notebook(_html_output(frame))) == []


def test_export_result_shows_no_machine_path(tmp_path):
    from permanent_research.reporting.present import export, export_context

    with export_context(tmp_path / "exports"):
        written = export(_clean_table(), "rents")
    assert all(path.is_file() for path in written)
    assert repr(written) == "exported: rents.csv, rents.tex"
    node = _notebook(new_output("execute_result", data={
        "text/plain": repr(written), "text/html": written._repr_html_()}, execution_count=1))
    assert check_page(node) == []
