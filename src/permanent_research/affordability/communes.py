"""Affordability per Brussels commune, from the bundled Statbel income tables."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from permanent_research._validation import (
    check_columns,
)
from permanent_research.affordability._arrays import _nonnegative_array
from permanent_research.affordability.bounds import burden_bounds
from permanent_research.affordability.distributions import (
    Distribution,
    distribution_from_quantiles,
)
from permanent_research.affordability.effort import share_above_threshold
from permanent_research.affordability.thresholds import BRUSSELS_NORM, check_threshold
from permanent_research.errors import ParameterError
from permanent_research.rents.indices import resolve_communes as _resolve_communes
from permanent_research.results import Result, render_html

# --------------------------------------------------------------------------------------------
# per commune, from the bundled Statbel tables
# --------------------------------------------------------------------------------------------
REGION_CODE = "04000"


def resolve_communes(frame: pd.DataFrame, communes: Sequence[str] | str | None) -> list[str]:
    """Return the NIS codes of ``communes`` (codes or French/Dutch names, any case).

    ``None`` (or ``"all"``) means every commune in ``frame`` (the region row excluded). A thin
    wrapper of :func:`permanent_research.rents.resolve_communes` (one implementation).

    Raises
    ------
    ParameterError
        A commune not in ``frame`` or an empty list; the message lists the allowed names.
    """
    check_columns(frame, ["nis_code", "name_fr", "name_nl"], source="commune names")
    return _resolve_communes(communes, frame[frame["nis_code"] != REGION_CODE])


def _check_years(frame: pd.DataFrame, years, name: str = "year") -> list[int]:
    available = sorted(int(y) for y in frame["year"].dropna().unique())
    if years is None:
        return available
    wanted = [years] if np.isscalar(years) else list(years)
    chosen = []
    for year in wanted:
        try:
            number = float(year)
        except (TypeError, ValueError):
            number = math.nan
        if not number.is_integer() or int(number) not in available:
            raise ParameterError(f"{name}={year!r} is outside the data "
                                 f"({available[0]}-{available[-1]}, whole years)")
        chosen.append(int(number))
    return chosen


_ADI_MEASURES = {"MS_Q1": "q1_eur_year", "MS_MEDIAN": "median_eur_year",
                 "MS_Q3": "q3_eur_year"}


def commune_income(
    disposable_income: pd.DataFrame,
    *,
    communes: Sequence[str] | str | None = None,
    years: int | Sequence[int] | None = None,
) -> pd.DataFrame:
    """Disposable-income quartiles per commune and year (Statbel ``TF_SOC_ADI_MUNTY``).

    Parameters
    ----------
    disposable_income
        The bundled ``disposable_income`` dataset (long: ``nis_code``, ``year``, ``measure``,
        ``value``).
    communes, years
        Selection (``None``: all).

    Returns
    -------
    pandas.DataFrame
        ``nis_code``, ``name_fr``, ``year``, ``q1_eur_year``, ``median_eur_year``,
        ``q3_eur_year``: administrative *equivalised* disposable income (EUR/year per
        equivalent adult; equal to the income of a single-person household). Empty source
        cells stay missing.
    """
    check_columns(disposable_income, ["nis_code", "name_fr", "name_nl", "year", "measure",
                                      "value"], source="disposable_income")
    codes = resolve_communes(disposable_income, communes)
    chosen = _check_years(disposable_income, years)
    subset = disposable_income[disposable_income["nis_code"].isin(codes)
                               & disposable_income["year"].isin(chosen)
                               & disposable_income["measure"].isin(list(_ADI_MEASURES))]
    wide = subset.pivot_table(index=["nis_code", "year"], columns="measure",
                              values="value", aggfunc="first", dropna=False)
    wide = wide.reindex(columns=list(_ADI_MEASURES)).rename(columns=_ADI_MEASURES)
    wide.columns.name = None
    names = subset.drop_duplicates("nis_code").set_index("nis_code")["name_fr"]
    wide = wide.reset_index()
    wide.insert(1, "name_fr", wide["nis_code"].map(names))
    wide["year"] = wide["year"].astype(int)
    return wide.sort_values(["nis_code", "year"]).reset_index(drop=True)


def fiscal_income_per_declaration(
    fiscal_income: pd.DataFrame,
    *,
    communes: Sequence[str] | str | None = None,
    years: int | Sequence[int] | None = None,
    include_region: bool = False,
) -> pd.DataFrame:
    """Mean net taxable income per tax declaration, per commune and year (2005–2023).

    ``MS_TOT_NET_TAXABLE_INC / MS_NBR_NON_ZERO_INC``: total net taxable income divided by the
    number of declarations with a non-zero income, the only count published for every year
    2005–2023 (Statbel's "revenu moyen par déclaration" uses this count [U]).

    Returns
    -------
    pandas.DataFrame
        ``nis_code``, ``name_fr``, ``year``, ``total_net_taxable_income_eur``,
        ``declarations``, ``income_per_declaration_eur_year``.
    """
    check_columns(fiscal_income, ["nis_code", "name_fr", "year", "measure", "value"],
                  source="fiscal_income")
    codes = resolve_communes(fiscal_income, communes)
    if include_region:
        codes = [*codes, REGION_CODE]
    chosen = _check_years(fiscal_income, years)
    measures = {"MS_TOT_NET_TAXABLE_INC": "total_net_taxable_income_eur",
                "MS_NBR_NON_ZERO_INC": "declarations"}
    subset = fiscal_income[fiscal_income["nis_code"].isin(codes)
                           & fiscal_income["year"].isin(chosen)
                           & fiscal_income["measure"].isin(list(measures))]
    wide = subset.pivot_table(index=["nis_code", "name_fr", "year"], columns="measure",
                              values="value", aggfunc="first")
    wide = wide.reindex(columns=list(measures)).rename(columns=measures)
    wide.columns.name = None
    wide = wide.reset_index()
    wide["year"] = wide["year"].astype(int)
    wide["income_per_declaration_eur_year"] = (wide["total_net_taxable_income_eur"]
                                               / wide["declarations"])
    return wide.sort_values(["nis_code", "year"]).reset_index(drop=True)


@dataclass(frozen=True)
class CommuneAffordability(Result):
    """Affordability by income group × commune (see :func:`commune_affordability`)."""

    table: pd.DataFrame = field(repr=False)
    by_commune: pd.DataFrame = field(repr=False)
    year: int
    threshold: float
    rent_eur_month: float
    rent_label: str = ""

    def to_frame(self) -> pd.DataFrame:
        """Long table: one row per commune × income group."""
        return self.table.copy()

    def effort_matrix(self) -> pd.DataFrame:
        """Effort rates (fractions) as a commune × income-group matrix."""
        matrix = self.table.pivot(index="name_fr", columns="income_group",
                                  values="effort_rate")
        return matrix.reindex(columns=[g for g in _GROUPS if g in matrix.columns])

    def summary(self) -> str:
        """The communes where even the median income pays above the threshold."""
        med = self.table[self.table["income_group"] == "median"].dropna(subset=["effort_rate"])
        worst = med.sort_values("effort_rate", ascending=False).iloc[0]
        above = med[med["effort_rate"] > self.threshold]
        return (f"{self.year}: a household on the commune median income paying "
                f"{self.rent_eur_month:,.0f} EUR/month ({self.rent_label}) spends more than "
                f"{self.threshold:.0%} in {len(above)} of {len(med)} communes; highest "
                f"{worst['effort_rate']:.0%} in {worst['name_fr']}.")

    def _repr_html_(self) -> str:
        return render_html(self.summary(), self.table)

    def plot(self, **kwargs: Any) -> Any:
        """Effort heat map, commune × income group (``plots.affordability.effort_heatmap``)."""
        from permanent_research.plots.affordability import effort_heatmap

        return effort_heatmap(self.effort_matrix(), threshold=self.threshold, **kwargs)


_GROUPS = ("Q1", "median", "Q3")


def commune_affordability(
    disposable_income: pd.DataFrame,
    *,
    year: int,
    rent: Distribution,
    communes: Sequence[str] | str | None = None,
    threshold: float = BRUSSELS_NORM,
    rent_eur_month: float | None = None,
) -> CommuneAffordability:
    """Affordability of a rent for each commune's income quartiles (Statbel ADI).

    For each commune and income group (Q1, median, Q3 of equivalised disposable income):
    the effort rate of paying ``rent_eur_month`` (default the median of ``rent``), the highest
    affordable rent ``a * y / 12`` and the share of the rent distribution below it. Per commune
    (``by_commune``): the share of residents above ``threshold`` when all pay
    ``rent_eur_month`` (income CDF interpolated between Q1, median, Q3 with linear tails) and
    the sharp bounds when rents follow ``rent``.

    Parameters
    ----------
    disposable_income
        The bundled ``disposable_income`` dataset.
    year
        Income year (2015–2022).
    rent
        Rent distribution, EUR/month (e.g. observatory 2017 quartiles 500 / 660 / 800).
    communes
        NIS codes or names (``None``: all 19).
    threshold
        a in (0, 1).
    rent_eur_month
        The rent every group is compared with (default: median of ``rent``).
    """
    a = check_threshold(threshold)
    incomes = commune_income(disposable_income, communes=communes, years=year)
    rent = rent.monthly()
    h = float(rent.quantile(0.5)) if rent_eur_month is None else float(
        _nonnegative_array("rent_eur_month", rent_eur_month))
    rows, per_commune = [], []
    for row in incomes.itertuples():
        values = {"Q1": row.q1_eur_year, "median": row.median_eur_year, "Q3": row.q3_eur_year}
        for group, y in values.items():
            ok = pd.notna(y) and y > 0
            monthly = y / 12 if ok else np.nan
            max_rent = a * monthly if ok else np.nan
            rows.append({
                "nis_code": row.nis_code, "name_fr": row.name_fr, "year": row.year,
                "income_group": group, "income_eur_month": monthly,
                "effort_rate": h / monthly if ok else np.nan,
                "max_rent_eur_month": max_rent,
                "share_of_rents_affordable": float(rent.cdf(max_rent)) if ok else np.nan,
            })
        record = {"nis_code": row.nis_code, "name_fr": row.name_fr, "year": row.year,
                  "share_above_at_rent": np.nan, "lower_bound": np.nan,
                  "upper_bound": np.nan}
        known = {p: v for p, v in zip((0.25, 0.5, 0.75), values.values(), strict=True)
                 if pd.notna(v)}
        if len(known) == 3:
            dist = distribution_from_quantiles(known, unit="EUR/year",
                                               label=f"ADI {row.name_fr} {row.year}")
            bounds = burden_bounds(dist, rent, a)
            record.update(share_above_at_rent=float(share_above_threshold(dist, h, a)),
                          lower_bound=bounds.lower, upper_bound=bounds.upper)
        per_commune.append(record)
    return CommuneAffordability(pd.DataFrame(rows), pd.DataFrame(per_commune), int(year), a,
                                h, rent.label)
