"""Gather the headline numbers of all reports into tables (for ``08_synthesis``).

Reads ``reports/<scenario>/<stem>.headlines.json`` — the numbers each notebook recorded with
:func:`permanent_research.reporting.headlines.headline` in its last successful run — so the
synthesis never recomputes (and never contradicts) what the reports say.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from permanent_research.reporting.index import read_report_headlines

__all__ = ["HEADLINE_COLUMNS", "headline_table", "scenario_comparison"]

HEADLINE_COLUMNS = ["notebook", "name", "label", "value", "unit", "source", "stale"]


def headline_table(scenario: str = "baseline") -> pd.DataFrame:
    """All headline numbers of one scenario's reports, one row per number.

    Returns
    -------
    pandas.DataFrame
        Columns ``notebook, name, label, value, unit, source, stale``, ordered by notebook;
        empty (with those columns) when the scenario has no reports yet. ``stale`` is True for
        the numbers of a notebook whose last run failed (``<stem>.failed.json`` beside its
        headlines): they come from an earlier successful run, not from the current inputs.
    """
    from permanent_research.config import paths

    folder = paths().reports / scenario
    rows = [
        {
            "notebook": notebook,
            "name": name,
            "label": record.get("label") or name.replace("_", " "),
            "value": record.get("value"),
            "unit": record.get("unit") or "",
            "source": record.get("source") or "",
            "stale": (folder / f"{notebook}.failed.json").is_file(),
        }
        for notebook, records in read_report_headlines(scenario).items()
        if notebook != "08_synthesis"
        for name, record in records.items()
    ]
    return pd.DataFrame(rows, columns=HEADLINE_COLUMNS)


def scenario_comparison(scenarios: Sequence[str]) -> pd.DataFrame:
    """Headline numbers that differ between scenarios, side by side.

    Parameters
    ----------
    scenarios
        Scenario names (folders of ``reports/``), in the column order wanted.

    Returns
    -------
    pandas.DataFrame
        Index ``(notebook, label, unit)``, one column per scenario that has reports; only rows
        present in at least two scenarios whose values are not all equal.
    """
    frames = []
    for scenario in scenarios:
        table = headline_table(scenario)
        if not table.empty:
            frames.append(table.assign(scenario=scenario))
    if not frames:
        return pd.DataFrame()
    long = pd.concat(frames, ignore_index=True)
    long = long[pd.to_numeric(long["value"], errors="coerce").notna()]
    long["value"] = long["value"].astype(float)
    wide = long.pivot_table(
        index=["notebook", "label", "unit"], columns="scenario", values="value", aggfunc="first"
    )
    wide = wide[[s for s in scenarios if s in wide.columns]]
    varying = (wide.notna().sum(axis=1) >= 2) & (wide.nunique(axis=1) > 1)
    return wide[varying]
