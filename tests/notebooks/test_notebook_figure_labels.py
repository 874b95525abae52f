"""Every figure a report shows has readable labels: none overlap, none is cut, no 1e6 axes.

:func:`permanent_research.reporting.present.show` checks each figure it exports
(:func:`permanent_research.reporting.figcheck.label_problems`) and writes the result to
``figure_labels.json`` in the report's export folder; this test reads those files after
executing every notebook. ``KNOWN_PROBLEMS`` pins the figures that still fail, by notebook and
figure name, and the test asserts it is *exactly* the failing set: fixing a figure forces
removing it here, and a new problem fails the test.
"""

from __future__ import annotations

import pytest
from test_clean_pages import STEMS

from permanent_research.reporting.figcheck import read_checks

#: ``{notebook: {figure export name, ...}}`` whose labels still collide (to be fixed by the
#: notebook's owner; see each entry's comment).
KNOWN_PROBLEMS: dict[str, frozenset[str]] = {}


def _image_outputs(node) -> int:
    return sum(1 for cell in node.cells if cell.cell_type == "code"
               for output in cell.get("outputs", []) if "image/png" in output.get("data", {}))


@pytest.mark.slow
def test_figure_label_problems_are_exactly_the_known_ones(executed_notebook):
    found: dict[str, dict[str, list[str]]] = {}
    for stem in STEMS:
        node, _, exports = executed_notebook(stem)
        checks = read_checks(exports)
        # every figure on the page went through show() and was checked
        assert len(checks) == _image_outputs(node), (
            f"{stem}: {_image_outputs(node)} figures shown, {len(checks)} checked "
            f"({sorted(checks)})")
        failing = {name: [f"{p['kind']}: {p['texts']} ({p['detail']})" for p in problems]
                   for name, problems in checks.items() if problems}
        if failing:
            found[stem] = failing
    report = "\n".join(f"{stem} / {name}:\n    " + "\n    ".join(lines)
                       for stem, figures in found.items() for name, lines in figures.items())
    assert {stem: frozenset(figures) for stem, figures in found.items()} == KNOWN_PROBLEMS, report
