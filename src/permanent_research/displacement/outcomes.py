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

:func:`eviction_rates` adds a displacement outcome observed directly, once: eviction judgments
2018 per 1,000 rented dwellings (cadastre 2015) per quartier, with the rental-ownership and
social-housing shares of the same cadastre (a cross-section: the DiD cannot use it, the typology
can be read against it).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from permanent_research._validation import check_columns, check_in_range, format_rows
from permanent_research.displacement.sectors import sectors_to_quartiers
from permanent_research.errors import DataError, ParameterError

__all__ = [
    "OUTCOMES",
    "MIN_RENTED_DWELLINGS",
    "eviction_rates",
    "outcome_panel",
    "outcome_changes",
]

#: Fewest rented dwellings (cadastre 2015) behind a published eviction rate. Below it one
#: judgment moves the rate by 5 per 1,000 or more, about half the regional rate (≈ 11 per 1,000),
#: so the rate is suppressed and only the counts are shown.
MIN_RENTED_DWELLINGS = 200

#: eviction-file column → landlord type
_LANDLORDS = {
    "exp_individu": "individual",
    "exp_société": "company",
    "exp_public": "public",
    "exp_ais": "social_rental_agency",
}

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


def eviction_rates(
    evictions: pd.DataFrame,
    cadastre: pd.DataFrame,
    mapping: pd.Series,
    *,
    min_rented_dwellings: int = MIN_RENTED_DWELLINGS,
) -> pd.DataFrame:
    """Eviction judgments 2018 per 1,000 rented dwellings per quartier, with the cadastre shares.

    Parameters
    ----------
    evictions
        ``load("evictions_2018_sectors")``: ``ID_SS_bis`` (sector), ``exp_total`` and the counts
        by landlord type (``exp_individu``, ``exp_société``, ``exp_public``, ``exp_ais``).
    cadastre
        ``load("rental_ownership_2015_sectors")``: ``cd_sector``, ``NB_LOGLOUE_TOT`` (rented
        dwellings), ``log_sociaux`` (social dwellings / rented dwellings, 0–1),
        ``entrep_sprl_sa`` (company-owned share of rentals, 0–1).
    mapping
        :func:`~permanent_research.displacement.sectors.sector_map` output.
    min_rented_dwellings
        Fewest rented dwellings behind a published rate (default
        :data:`MIN_RENTED_DWELLINGS`); below it the rate is missing and ``suppressed`` true.

    Returns
    -------
    pandas.DataFrame
        Index ``area`` (quartier code as text): ``evictions_2018`` (judgments, count),
        ``evictions_<landlord>`` (individual, company, public, social rental agency),
        ``rented_dwellings_2015`` (count), ``evictions_per_1000_rented`` (judgments per 1,000
        rented dwellings), ``social_share_of_rentals_pct`` and ``company_share_of_rentals_pct``
        (% of rented dwellings, pooled over the quartier's sectors), ``suppressed``,
        ``n_sectors``. A sector of the cadastre absent from the eviction file counts as zero
        judgments (the 26 such sectors hold 25 rented dwellings in all). ``attrs``:
        ``min_rented_dwellings``, ``sources``.

    Raises
    ------
    DataError
        Missing columns, a sector listed twice, or a sector the map does not know.
    """
    min_rented = int(check_in_range("min_rented_dwellings", min_rented_dwellings, 1, None))
    counts = ["exp_total", *_LANDLORDS]
    ev = sectors_to_quartiers(evictions, mapping, sector="ID_SS_bis", counts=counts,
                              source="evictions_2018_sectors")
    cad = sectors_to_quartiers(
        cadastre, mapping, sector="cd_sector", counts=["NB_LOGLOUE_TOT"],
        shares={"log_sociaux": "NB_LOGLOUE_TOT", "entrep_sprl_sa": "NB_LOGLOUE_TOT"},
        source="rental_ownership_2015_sectors",
    )
    ev = ev.reindex(cad.index.union(ev.index))
    cad = cad.reindex(ev.index)
    out = pd.DataFrame(index=pd.Index(ev.index.astype(str), name="area"))
    # a quartier with rented dwellings but no sector in the eviction file had no judgment
    out["evictions_2018"] = ev["exp_total"].fillna(0).to_numpy(dtype=float)
    for column, landlord in _LANDLORDS.items():
        out[f"evictions_{landlord}"] = ev[column].fillna(0).to_numpy(dtype=float)
    rented = cad["NB_LOGLOUE_TOT"].to_numpy(dtype=float)
    out["rented_dwellings_2015"] = rented
    suppressed = ~(rented >= min_rented)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = 1000.0 * out["evictions_2018"].to_numpy() / rented
    out["evictions_per_1000_rented"] = np.where(suppressed, np.nan, rate)
    out["social_share_of_rentals_pct"] = 100.0 * cad["log_sociaux"].to_numpy(dtype=float)
    out["company_share_of_rentals_pct"] = 100.0 * cad["entrep_sprl_sa"].to_numpy(dtype=float)
    out["suppressed"] = suppressed
    out["n_sectors"] = cad["n_sectors"].fillna(0).to_numpy(dtype=int)
    out.attrs.update(
        min_rented_dwellings=min_rented,
        sources={
            "evictions_2018": "evictions_2018_sectors (Bru-Home, judgments 2018, by sector)",
            "rented_dwellings_2015": "rental_ownership_2015_sectors (cadastre 1 January 2015)",
        },
    )
    return out
