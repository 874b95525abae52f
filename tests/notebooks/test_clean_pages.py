"""Every executed notebook and its code-hidden page, scanned for what a supervisor must not see.

``STILL_FAILING`` lists the notebooks whose pages still have problems (issue 12, "Clean pages").
The test asserts it is *exactly* the failing set: fixing a notebook forces removing it here, and a
new problem in a clean notebook fails the test.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from permanent_research.reporting.pagecheck import check_page
from permanent_research.reporting.render import render_html

#: Every notebook of notebooks/ (test_notebook_hygiene pins which ones exist): a new notebook
#: is scanned without anyone adding it here.
STEMS = tuple(sorted(path.stem for path in
                     (Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb")))

#: Notebooks whose executed copy or code-hidden page still shows a problem (to be fixed).
#: None since 2026-12-01: 01 and 02 (tables through reporting.tables.show_table) and 05
#: (estimator tables formatted) were fixed.
STILL_FAILING: frozenset[str] = frozenset()


def _manifest(stem: str) -> dict:
    return {"notebook": f"notebooks/{stem}.ipynb", "stem": stem, "scenario": "baseline",
            "scenario_file": "scenarios/baseline.yaml", "scenario_description": "baseline",
            "status": "ok", "error": None, "parameters": {}, "parameter_origins": {},
            "content_hash": "0", "git": {"commit": "0", "dirty": False}, "started": "",
            "duration_s": 0.0, "inputs": {"notebook_sha256": "0", "data": {}}, "versions": {}}


@pytest.mark.slow
def test_failing_pages_are_exactly_the_listed_ones(executed_notebook):
    assert STEMS, "no notebook found to scan"
    problems: dict[str, list[str]] = {}
    for stem in STEMS:
        node = executed_notebook(stem)[0]
        page = render_html(node, _manifest(stem), exclude_input=True)
        found = [f"notebook {p}" for p in check_page(node)]
        found += [f"page {p}" for p in check_page(page)]
        if found:
            problems[stem] = found
    report = "\n".join(f"{stem}:\n  " + "\n  ".join(lines[:15])
                       for stem, lines in problems.items())
    assert set(problems) == STILL_FAILING, report
