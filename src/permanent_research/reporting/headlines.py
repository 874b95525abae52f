"""Headline numbers and thesis-ready exports, for use inside notebooks.

``headline(name, value)`` prints a rounded, labelled number *and* attaches it to the cell's
output under a dedicated MIME type, so tests, the runner and the synthesis notebook can read the
numbers back from an executed notebook without parsing text (the scrapbook ``glue`` idea in
twenty lines). Figures and tables are shown and exported with
:func:`permanent_research.reporting.present.show`; ``save_figure``/``save_table`` remain for
callers that pass a folder themselves.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import pandas as pd

from permanent_research.options import HEADLINE_STATUSES, HeadlineStatus

__all__ = [
    "HEADLINE_MIME",
    "headline",
    "read_headlines",
    "STUDIO_COST_HEADLINES",
    "studio_cost_headlines",
    "save_figure",
    "save_table",
]

HEADLINE_MIME = "application/vnd.permanent-research.headline+json"



def _rounded(value: float, digits: int) -> float | int:
    rounded = round(float(value), digits)
    return int(rounded) if digits <= 0 else rounded


def headline(
    name: str,
    value: float,
    *,
    unit: str = "",
    digits: int = 2,
    source: str = "",
    label: str = "",
    thousands: bool = True,
    status: HeadlineStatus = "",
    statement: str = "",
) -> float | int:
    """Display a headline number and record it in the cell output.

    Parameters
    ----------
    name
        Machine name (``snake_case``), unique within the notebook.
    value
        The number; it is shown and recorded rounded to ``digits`` decimals.
    unit
        Unit shown after the number (``"EUR"``, ``"%"``, ``"households"`` …).
    source
        Where the number comes from (dataset and row, or "computed from …").
    label
        Human-readable label; defaults to ``name``.
    thousands
        Group thousands (``43,000``); pass ``False`` for calendar years (``2024``).
    status
        ``"illustrative"`` or ``"invalid"`` when the report itself says the number must not be
        read as a finding (``""``: a finding). Recorded, and shown wherever the number appears.
    statement
        A sentence computed from the results that says what the number means (``"temporary use
        is cheaper when …"``). Recorded with the number so the synthesis can quote it verbatim
        instead of rewording it; not shown by this call (the notebook shows its own text).

    Returns
    -------
    The rounded value (so a notebook can reuse exactly what it printed).
    """
    from IPython.display import display

    if status not in HEADLINE_STATUSES:
        from permanent_research.errors import ParameterError

        raise ParameterError(
            f"headline {name!r}: status={status!r}; allowed: "
            + ", ".join(repr(s) for s in HEADLINE_STATUSES)
        )
    if value is None or (isinstance(value, float) and math.isnan(value)):
        raise ValueError(f"headline {name!r} has no value")
    shown = _rounded(value, digits)
    number = f"{shown:,}" if thousands else f"{shown}"
    text = f"{label or name}: {number}{(' ' + unit) if unit else ''}"
    if source:
        text += f"  [{source}]"
    record = {"name": name, "value": shown, "unit": unit, "source": source, "label": label}
    if not thousands:
        record["thousands"] = False
    if status:
        record["status"] = status
        text = f"[{status}] {text}"
    if statement:
        record["statement"] = statement
    display({"text/plain": text, HEADLINE_MIME: record}, raw=True)
    return shown


#: Headline names of the studio costs (``studio_<name>_eur_m2_month``), one per studio model of
#: :func:`permanent_research.scenarios.studio_costs`. Notebooks 03 and 06 record them under these
#: same names, so the one-assumption-set test can check that they agree.
STUDIO_COST_HEADLINES = {"temporary_use": "studio_temporary_fee_eur_m2_month",
                         "permanent_clt": "studio_clt_cost_rent_eur_m2_month",
                         "market": "studio_market_rent_eur_m2_month"}


def studio_cost_headlines(costs: Any, *, base_year: int, scenario_name: str) -> None:
    """Record each studio model's cost per m² per month as a headline.

    Parameters
    ----------
    costs
        :func:`permanent_research.scenarios.studio_costs` (columns model, label,
        cost_eur_m2_month), in euros of ``base_year``.
    base_year
        The year of its euros.
    scenario_name
        The scenario file it was computed from (named in the source).
    """
    for row in costs.itertuples(index=False):
        headline(STUDIO_COST_HEADLINES[row.model], row.cost_eur_m2_month, unit="EUR/m2/month",
                 digits=2,
                 label=(f"Studio cost per m² per month, {row.label} ({base_year} euros, "
                        "scenario medians)"),
                 source=f"scenarios.studio_costs(scenario {scenario_name})")


def read_headlines(notebook: str | os.PathLike | Any) -> dict[str, dict]:
    """Read the headline records from an executed notebook (path or ``NotebookNode``)."""
    import nbformat  # lazy: importing nbformat costs ~1 s (jsonschema) in every kernel

    node = notebook
    if not isinstance(notebook, nbformat.NotebookNode):
        node = nbformat.read(os.fspath(notebook), as_version=4)
    found: dict[str, dict] = {}
    for cell in node.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if HEADLINE_MIME in data:
                record = data[HEADLINE_MIME]
                if isinstance(record, str):
                    record = json.loads(record)
                found[record["name"]] = dict(record)
    return found


def save_figure(figure: Any, name: str, export_dir: str | os.PathLike | None) -> list[Path]:
    """Save a figure as 300-dpi PNG and vector PDF in ``export_dir`` (no-op when empty).

    Kept for compatibility; notebooks call :func:`permanent_research.reporting.present.show`,
    which decides the folder from the run context.
    """
    from permanent_research.reporting.present import write_figure

    return write_figure(figure, name, Path(export_dir)) if export_dir else []


def save_table(
    table: pd.DataFrame,
    name: str,
    export_dir: str | os.PathLike | None,
    *,
    caption: str = "",
    float_format: str = "{:,.2f}",
    index: bool = False,
) -> list[Path]:
    """Save a table as CSV and as a LaTeX ``table`` (booktabs) in ``export_dir``.

    Kept for compatibility; see :func:`permanent_research.reporting.present.show`.
    """
    from permanent_research.reporting.present import write_table

    if not export_dir:
        return []
    return write_table(table, name, Path(export_dir), caption=caption,
                       float_format=float_format, index=index)
