"""The Python examples in the newcomer docs run and their checks hold.

Every ```python block of the pages below is executed in order, in one namespace per page, in
a temporary working directory (the examples write small CSV files there). A block that raises,
or whose ``assert`` fails, fails the test, so the documented schemas and calls cannot drift from
the code. Other fenced blocks (```bash, ```yaml, ```text, ```csv) are not run.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
PAGES = ["getting-started.md", "own-data.md", "money.md", "sensitivity.md"]
FENCE = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.DOTALL | re.MULTILINE)


def python_blocks(page: str) -> list[tuple[int, str]]:
    """Return ``(first line number, code)`` for every ```python block of a docs page."""
    text = (DOCS / page).read_text(encoding="utf-8")
    return [(text.count("\n", 0, match.start(1)) + 1, match.group(1))
            for match in FENCE.finditer(text)]


@pytest.mark.parametrize("page", PAGES)
def test_page_has_checked_examples(page):
    blocks = python_blocks(page)
    assert blocks, f"docs/{page} has no ```python block"
    assert any("assert " in code for _, code in blocks), f"docs/{page} checks nothing"


@pytest.mark.parametrize("page", PAGES)
def test_page_examples_run(page, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    namespace: dict = {"__name__": f"docs_{page}"}
    for line, code in python_blocks(page):
        compiled = compile(code, f"docs/{page}:{line}", "exec")
        exec(compiled, namespace)  # noqa: S102 - the docs' own examples
