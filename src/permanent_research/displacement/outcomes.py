"""Displacement outcomes beyond prices, from the Monitoring des Quartiers series.

A rise in prices is pressure; displacement shows in who lives there. These outcomes come from
the IBSA *Monitoring des Quartiers* series (``load("monitoring_quartiers")``) per quartier and
year, in a form the DiD estimators (one row per unit and year) and the typology (a change
between two years) can use:

* ``cpas_share_pct`` — share of residents receiving a CPAS/OCMW integration income
  (``share_cpas_income_recipients``, %, 2005–2023);
* ``low_income_share_pct`` — share of residents with the increased health-insurance
  reimbursement (BIM/VT, a means-tested low-income status;
  ``share_increased_health_reimbursement_beneficiaries``, %, 2010–2024);
* ``population`` — residents (``population_total``, 2005–2025): turnover itself is not in the
  series, so the population change is the composition outcome that is available.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from permanent_research._validation import check_columns, format_rows
from permanent_research.errors import DataError, ParameterError

__all__ = ["OUTCOMES", "outcome_panel", "outcome_changes"]

#: outcome column → source indicator in the Monitoring des Quartiers long table
OUTCOMES: Mapping[str, str] = {
    "cpas_share_pct": "share_cpas_income_recipients",
    "low_income_share_pct": "share_increased_health_reimbursement_beneficiaries",
    "population": "population_total",
}


def outcome_panel(
    long: pd.DataFrame,
    *,
    outcomes: Mapping[str, str] = OUTCOMES,
    area: str = "mdrc",
) -> pd.DataFrame:
    """One row per quartier and year, one column per outcome.

    Parameters
    ----------
    long
        Monitoring des Quartiers long table (``area``/``mdrc``, ``year``, ``indicator``,
        ``value``), flagged rows already handled (``handle_flagged_rows``).
    outcomes
        Outcome column → source indicator (default :data:`OUTCOMES`).
    area
        Column holding the quartier code.

    Returns
    -------
    pandas.DataFrame
        Columns ``area``, ``year`` and the outcomes (missing where the series has no value).
        ``attrs["sources"]``: outcome → ``"<indicator>, <first>–<last year>, <n> quartiers"``.

    Raises
    ------
    DataError
        Missing columns, an outcome whose indicator is absent, or a quartier-year-indicator
        given twice (an unhandled duplicate).
    """
    check_columns(long, [area, "year", "indicator", "value"], source="monitoring_quartiers")
    if not outcomes:
        raise ParameterError("outcomes is empty; give at least one outcome → indicator")
    rows = long[long["indicator"].isin(list(outcomes.values()))]
    absent = [name for name, ind in outcomes.items() if ind not in set(rows["indicator"])]
    if absent:
        raise DataError(
            f"monitoring_quartiers: column 'indicator' has no rows for "
            f"{', '.join(outcomes[a] for a in absent)} (outcomes {', '.join(absent)})"
        )
    dup = rows.duplicated([area, "year", "indicator"], keep=False)
    if dup.any():
        raise DataError(
            f"monitoring_quartiers: ({area}, year, indicator) repeated in rows "
            f"{format_rows(rows.index[dup])}; handle flagged rows first"
        )
    wide = rows.pivot(index=[area, "year"], columns="indicator", values="value")
    out = pd.DataFrame({"area": wide.index.get_level_values(0).astype(str),
                        "year": wide.index.get_level_values(1).astype(int)})
    sources = {}
    for name, indicator in outcomes.items():
        out[name] = wide[indicator].to_numpy(dtype=float)
        have = rows[rows["indicator"] == indicator]
        sources[name] = (f"{indicator}, {int(have['year'].min())}–{int(have['year'].max())}, "
                         f"{have[area].nunique()} quartiers")
    out.attrs["sources"] = sources
    return out


def outcome_changes(panel: pd.DataFrame, *, t0: int, t1: int) -> pd.DataFrame:
    """Change of each outcome between two years, per quartier.

    Shares change in percentage points (``<outcome>_ch_pp``), counts in percent
    (``<outcome>_pch``); a quartier missing either year gets a missing change.

    Parameters
    ----------
    panel
        :func:`outcome_panel` output.
    t0, t1
        Years compared.

    Returns
    -------
    pandas.DataFrame
        Index ``area``: levels ``<outcome>_<t0>``, ``<outcome>_<t1>`` and the change.
    """
    check_columns(panel, ["area", "year"], source="outcome panel")
    years = set(panel["year"])
    missing = [y for y in (t0, t1) if y not in years]
    if missing:
        raise ParameterError(
            f"year(s) {missing} not in the outcome panel; years available "
            f"{min(years)}–{max(years)}"
        )
    names = [c for c in panel.columns if c not in ("area", "year")]
    start = panel[panel["year"] == t0].set_index("area")[names]
    end = panel[panel["year"] == t1].set_index("area")[names]
    areas = start.index.union(end.index)
    start, end = start.reindex(areas), end.reindex(areas)
    out = pd.DataFrame(index=pd.Index(areas, name="area"))
    for name in names:
        out[f"{name}_{t0}"], out[f"{name}_{t1}"] = start[name], end[name]
        if name.endswith("_pct"):
            out[f"{name}_ch_pp"] = end[name] - start[name]
        else:
            out[f"{name}_pch"] = 100.0 * (end[name] / start[name].where(start[name] > 0) - 1.0)
    return out
