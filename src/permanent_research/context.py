"""Brussels housing context: tidy tables behind the brochure's context figures.

Small pure functions that turn the loaded fact tables and Statbel series
(``permanent_research.data.load(...)``) into the tables notebook ``01_brussels_context`` shows.
Every fact-table row keeps its source (publisher, page date, URL) and its reference period, so a
figure can always be shown next to where it comes from. Where sources disagree, every version
is returned; nothing here picks one silently.

This module never loads data itself (frames are passed in), in line with the house rules.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from permanent_research._validation import (
    check_choice,
    check_columns,
    check_in_range,
    check_positive,
    check_unique_key,
)
from permanent_research.errors import DataError, ParameterError
from permanent_research.options import (
    PERMIT_MEASURES,
    PROPERTY_TYPES,
    SPAN_RULES,
    PermitMeasure,
    PropertyType,
    SpanRule,
)
from permanent_research.rents.indices import health_index_annual
from permanent_research.results import Result

__all__ = [
    "REGION_CODE",
    "PROPERTY_TYPES",
    "PERMIT_MEASURES",
    "PROPERTY_LABELS",
    "check_parameters",
    "period_year",
    "fact_table",
    "waiting_list",
    "social_stock",
    "social_production",
    "observatory_rents",
    "annual_index",
    "nearest_year",
    "RentChangeComparison",
    "compare_rent_changes",
    "rent_barometers_region",
    "median_prices",
    "price_change",
    "permit_series",
    "latest_complete_year",
    "VACANCY_MEASURES",
    "vacancy_facts",
]

REGION_CODE = "04000"
BELGIUM_CODE = "01000"
PROPERTY_LABELS = {  # singular, for "median <label> price"
    "appartementen": "apartment",
    "alle_huizen": "house (all types)",
    "huizen_23": "2-3 facade house",
    "huizen_4plus": "4+ facade house",
}

_SOURCE_COLUMNS = ["source_page_publisher", "page_date", "source_url", "note"]
_PERIOD = re.compile(r"(\d{4})(?:-(\d{2}))?")
_RANGE = re.compile(r"^(\d{4})-(\d{4})$")


# --------------------------------------------------------------------------- parameters
def check_parameters(
    *,
    property_type: PropertyType,
    map_year: int,
    change_start_year: int,
    permit_measure: PermitMeasure,
    brochure_rent_start: int,
    brochure_rent_end: int,
    brochure_figures: dict[str, float] | None = None,
) -> None:
    """Validate the parameters of notebook ``01_brussels_context`` (raises ParameterError).

    Parameters
    ----------
    property_type
        Statbel property type, one of :data:`PROPERTY_TYPES`.
    map_year, change_start_year
        Years of the Statbel sales file (2010-2024); ``change_start_year < map_year``.
    permit_measure
        Building-permit measure, one of :data:`PERMIT_MEASURES`.
    brochure_rent_start, brochure_rent_end
        Period of the brochure's rent claim (years, start before end).
    brochure_figures
        The brochure's numbers by parameter name; each must be a number > 0.
    """
    check_choice("property_type", property_type, PROPERTY_TYPES)
    check_choice("permit_measure", permit_measure, PERMIT_MEASURES)
    for name, value in (("map_year", map_year), ("change_start_year", change_start_year)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ParameterError(f"{name}={value!r} must be an integer year in 2010-2024")
        check_in_range(name, value, 2010, 2024)
    if change_start_year >= map_year:
        raise ParameterError(
            f"change_start_year={change_start_year} must be before map_year={map_year}"
        )
    for name, value in (
        ("brochure_rent_start", brochure_rent_start),
        ("brochure_rent_end", brochure_rent_end),
    ):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ParameterError(f"{name}={value!r} must be an integer year")
    if brochure_rent_start >= brochure_rent_end:
        raise ParameterError(
            f"brochure_rent_start={brochure_rent_start} must be before "
            f"brochure_rent_end={brochure_rent_end}"
        )
    for name, value in (brochure_figures or {}).items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ParameterError(f"{name}={value!r} must be a number")
        check_positive(name, value)


# --------------------------------------------------------------------------- fact tables
def period_year(period: object) -> float:
    """Decimal year of a reference period written as text (``nan`` when undated).

    ``"2017"`` → 2017.0, ``"2020-03"`` → 2020.1667 (start of the month), ``"as of 2014-01"`` →
    2014.0; a range ``"2004-2016"`` → its end year, 2016.0; empty or missing → ``nan``.
    """
    if period is None or (isinstance(period, float) and math.isnan(period)):
        return float("nan")
    text = str(period).strip()
    if not text or text.lower() in {"nan", "<na>"}:
        return float("nan")
    whole = _RANGE.match(text)
    if whole:
        return float(whole.group(2))
    found = _PERIOD.search(text)
    if not found:
        return float("nan")
    year = float(found.group(1))
    if found.group(2) is not None:
        month = int(found.group(2))
        if 1 <= month <= 12:
            year += (month - 1) / 12
    return year


def fact_table(
    facts: pd.DataFrame,
    measures: Sequence[str],
    *,
    period_column: str = "reference_period",
    geo_code: str = REGION_CODE,
    missing: Literal["raise", "ignore"] = "raise",
) -> pd.DataFrame:
    """Rows of a fact table for some measures, each with its period and source.

    Parameters
    ----------
    facts
        A fact table as returned by ``load("social_housing")`` or ``load("rent_observatory")``
        (columns ``measure``, ``value``, ``unit``, ``geo_code``, ``source_page_publisher``,
        ``page_date``, ``source_url``, ``note`` and a period column).
    measures
        Measures to keep, in the order wanted.
    period_column
        Column with the reference period (text).
    geo_code
        REFNIS code of the area (default the region, ``"04000"``).
    missing
        A measure absent from the table raises a DataError (``"raise"``) or is skipped
        (``"ignore"``, for optional measures).

    Returns
    -------
    pandas.DataFrame
        Columns ``measure, period, year, value, unit, publisher, page_date, source_url, note``
        (plus ``preferred`` when the table has it). ``period`` is ``"undated"`` where the source
        gives no date; ``year`` is the decimal year of :func:`period_year` (``nan`` if undated).
        Sorted by measure (in the given order), then by year with undated rows last.
    """
    check_columns(facts, ["measure", "value", "unit", "geo_code", period_column, *_SOURCE_COLUMNS],
                  source="fact table")
    check_choice("missing", missing, ("raise", "ignore"))
    unknown = sorted(set(measures) - set(facts["measure"]))
    if unknown and missing == "raise":
        raise DataError(
            f"fact table: measure(s) {', '.join(unknown)} not found; available: "
            f"{', '.join(sorted(facts['measure'].unique()))}"
        )
    rows = facts[facts["measure"].isin(measures) & (facts["geo_code"] == geo_code)].copy()
    value = rows["value_numeric"] if "value_numeric" in rows else rows["value"]
    out = pd.DataFrame(
        {
            "measure": rows["measure"].astype(str),
            "period": rows[period_column].fillna("").astype(str).replace("", "undated"),
            "year": rows[period_column].map(period_year).astype(float),
            "value": pd.to_numeric(value, errors="coerce").astype(float),
            "unit": rows["unit"].astype(str),
            "publisher": rows["source_page_publisher"].astype(str),
            "page_date": rows["page_date"].fillna("").astype(str).replace("", "not stated"),
            "source_url": rows["source_url"].astype(str),
            "note": rows["note"].fillna("").astype(str),
        }
    )
    if "preferred" in rows:
        out["preferred"] = rows["preferred"].astype(str).eq("yes")
    order = {measure: i for i, measure in enumerate(measures)}
    out["_order"] = out["measure"].map(order)
    out["_undated"] = out["year"].isna()
    out = out.sort_values(["_order", "_undated", "year"], kind="stable")
    return out.drop(columns=["_order", "_undated"]).reset_index(drop=True)


def waiting_list(social: pd.DataFrame) -> pd.DataFrame:
    """Every waiting-list figure for Brussels social housing, with its source and date.

    Parameters
    ----------
    social
        ``load("social_housing")``.

    Returns
    -------
    pandas.DataFrame
        :func:`fact_table` rows of ``waiting_list_households`` (households), dated rows by
        reference date, then undated ones, plus ``stated_as`` (``"more than"``,
        ``"nearly"`` or ``""``, read from the source note) because several sources give a
        bound rather than a count.
    """
    table = fact_table(social, ["waiting_list_households"])
    note = table["note"].str.lower()
    table["stated_as"] = np.select(
        [note.str.contains("more than"), note.str.contains("nearly")],
        ["more than", "nearly"],
        default="",
    )
    return table


def social_stock(social: pd.DataFrame) -> pd.DataFrame:
    """Social-housing stock by reference period: total, occupied and vacant, with sources.

    The vacant count is derived (``total - occupied``) only where a source gives both figures
    for the same period, and marked ``derived``; vacancy figures a source states itself are
    kept as stated.

    Parameters
    ----------
    social
        ``load("social_housing")``.

    Returns
    -------
    pandas.DataFrame
        Columns of :func:`fact_table` plus ``derived`` (bool); measures
        ``social_dwellings_stock_total``, ``social_rental_dwellings_stock``,
        ``social_dwellings_occupied``, ``vacant_social_dwellings`` (dwellings).
    """
    measures = [
        "social_dwellings_stock_total",
        "social_rental_dwellings_stock",
        "social_dwellings_occupied",
        "vacant_social_dwellings",
    ]
    table = fact_table(social, measures, missing="ignore")
    table["derived"] = False
    total = table[table["measure"] == "social_dwellings_stock_total"].set_index("period")
    occupied = table[table["measure"] == "social_dwellings_occupied"].set_index("period")
    derived = []
    for period in total.index.intersection(occupied.index):
        row = total.loc[period].copy()
        row["measure"] = "vacant_social_dwellings"
        row["value"] = total.loc[period, "value"] - occupied.loc[period, "value"]
        row["note"] = "derived here: stock total minus occupied (same source)"
        row["derived"] = True
        row["period"] = period
        derived.append(row)
    if derived:
        table = pd.concat([table, pd.DataFrame(derived)], ignore_index=True)
    order = {measure: i for i, measure in enumerate(measures)}
    table["_order"] = table["measure"].map(order)
    table["_undated"] = table["year"].isna()
    table = table.sort_values(["_order", "_undated", "year", "derived"], kind="stable")
    return table.drop(columns=["_order", "_undated"]).reset_index(drop=True)


def _span_years(period: str, rule: SpanRule) -> int:
    match = _RANGE.match(period.strip())
    if not match:
        raise DataError(f"social_housing: period {period!r} is not a year range like 2004-2016")
    start, end = int(match.group(1)), int(match.group(2))
    return end - start + (1 if rule == "inclusive" else 0)


def social_production(social: pd.DataFrame, *, span: SpanRule = "difference") -> pd.DataFrame:
    """New social homes per year, every way the bundled sources allow, side by side.

    Parameters
    ----------
    social
        ``load("social_housing")``.
    span
        How many years a range such as ``2004-2016`` covers: ``"difference"`` (end - start =
        12, as between two stock counts, and as the source's own "about 105 per year" implies)
        or ``"inclusive"`` (end - start + 1 = 13 calendar years).

    Returns
    -------
    pandas.DataFrame
        One row per figure: ``figure``, ``period``, ``dwellings_per_year`` (dwellings/year),
        ``how`` (stated or how it was derived), ``publisher``, ``page_date``, ``source_url``.
        Public-dwelling deliveries (perspective.brussels) are included but labelled: they count
        all regional public housing, not only social rental homes.
    """
    check_choice("span", span, SPAN_RULES)
    rows: list[dict[str, object]] = []
    produced = fact_table(social, ["social_dwellings_produced"], missing="ignore")
    for _, row in produced.iterrows():
        years = _span_years(row["period"], span)
        rows.append({
            "figure": "social dwellings produced (gross)",
            "period": row["period"],
            "dwellings_per_year": row["value"] / years,
            "how": f"{row['value']:,.0f} dwellings / {years} years ({span})",
            **_source_of(row),
        })
    stock = fact_table(social, ["social_dwellings_stock_total"], missing="ignore")
    stock = stock.dropna(subset=["year"])
    if len(stock) >= 2:
        first, last = stock.iloc[0], stock.iloc[-1]
        years = int(last["year"] - first["year"])
        rows.append({
            "figure": "net change of the social stock",
            "period": f"{first['period']}-{last['period']}",
            "dwellings_per_year": (last["value"] - first["value"]) / years,
            "how": (f"({last['value']:,.0f} - {first['value']:,.0f}) dwellings / {years} years"),
            **_source_of(last),
        })
    stated = fact_table(social, ["social_dwellings_produced_per_year_approx"], missing="ignore")
    for _, row in stated.iterrows():
        rows.append({
            "figure": "social dwellings produced per year (stated, approx.)",
            "period": row["period"],
            "dwellings_per_year": row["value"],
            "how": "stated by the source",
            **_source_of(row),
        })
    public = fact_table(social, ["public_dwellings_delivered"], missing="ignore")
    for _, row in public.iterrows():
        rows.append({
            "figure": "public dwellings delivered (all public housing, not only social)",
            "period": row["period"],
            "dwellings_per_year": row["value"],
            "how": "stated by the source",
            **_source_of(row),
        })
    return pd.DataFrame(rows)


def _source_of(row: pd.Series) -> dict[str, object]:
    return {
        "publisher": row["publisher"],
        "page_date": row["page_date"],
        "source_url": row["source_url"],
    }


# --------------------------------------------------------------------------- rents
def observatory_rents(
    observatory: pd.DataFrame,
    measure: str = "mean_monthly_rent_all_dwellings",
    *,
    geo_code: str = REGION_CODE,
) -> pd.DataFrame:
    """Observatory rents actually paid by sitting tenants, every press version, by survey year.

    Parameters
    ----------
    observatory
        ``load("rent_observatory")``.
    measure
        Observatory measure, e.g. ``"mean_monthly_rent_all_dwellings"`` or
        ``"median_monthly_rent"`` (EUR/month, nominal as published).

    Returns
    -------
    pandas.DataFrame
        :func:`fact_table` columns with ``survey_year`` (Int64, missing for the undated RTBF
        value) and ``preferred`` (bool; ``False`` marks the conflicting press versions the
        data file flags ``preferred = no``). Dated rows sorted by survey year.
    """
    table = fact_table(observatory, [measure], period_column="survey_year", geo_code=geo_code)
    table["survey_year"] = pd.array(
        [int(p) if re.fullmatch(r"\d{4}", p) else pd.NA for p in table["period"]], dtype="Int64"
    )
    return table


def annual_index(
    prices: pd.DataFrame,
    series: str = "health_index",
    *,
    base: str = "2013=100",
) -> pd.Series:
    """Annual averages of a monthly price index, for the years with all 12 months.

    Parameters
    ----------
    prices
        ``load("health_index_cpi")`` (columns ``series``, ``base``, ``year``, ``month``,
        ``value``), or its join with ``load("health_index_cpi_2006_2015")`` through
        :func:`permanent_research.rents.combine_index_tables` (which fills 2006–2014).
    series
        ``"health_index"`` (indice santé, used to index Belgian rents) or ``"cpi"``.
    base
        Index base; bases are never mixed in one series.

    Returns
    -------
    pandas.Series
        Index points by year (int index); years with fewer than 12 months are left out. Built by
        :func:`permanent_research.rents.health_index_annual` (the one builder), renamed.
    """
    check_columns(prices, ["series", "base", "year", "month", "value"], source="price index")
    rows = prices[(prices["series"] == series) & (prices["base"] == base)]
    if rows.empty:
        raise DataError(f"price index: no rows for series={series!r} with base={base!r}")
    annual = health_index_annual(prices, series=series, base=base)
    annual.name = f"{series} ({base}), annual mean"
    return annual


def nearest_year(available: Sequence[int], target: int) -> int:
    """The available year closest to ``target`` (the earlier one on a tie)."""
    years = sorted(int(y) for y in available)
    if not years:
        raise DataError("no survey years available")
    return min(years, key=lambda y: (abs(y - target), y))


def _pct(start: float, end: float) -> float:
    return (end / start - 1.0) * 100.0


@dataclass(frozen=True)
class RentChangeComparison(Result):
    """Claimed and computed changes of Brussels rents, with what each one measures.

    Attributes
    ----------
    mean_rent
        Preferred observatory mean rent by survey year (EUR/month as published).
    claims
        One row per statement or computation: ``figure``, ``period``, ``change_pct`` (%),
        ``measure`` (what is measured), ``basis`` (nominal / real), ``source``.
    nominal_years
        Survey years (start, end) used for the computed nominal change.
    nominal_change_pct
        Nominal change of the mean rent between those years (%).
    deflator_years_missing
        Years of the brochure/observatory periods the deflator does not cover.
    """

    mean_rent: pd.DataFrame
    claims: pd.DataFrame
    nominal_years: tuple[int, int]
    nominal_change_pct: float
    deflator_years_missing: tuple[int, ...]

    def to_frame(self) -> pd.DataFrame:
        """The claims table."""
        return self.claims.copy()

    def summary(self) -> str:
        """Plain-text summary, one line per figure."""
        lines = ["Brussels rents: claimed and computed changes"]
        for _, row in self.claims.iterrows():
            value = "n/a" if pd.isna(row["change_pct"]) else f"{row['change_pct']:+.1f}%"
            lines.append(f"  {row['figure']} ({row['period']}, {row['basis']}): {value}")
        if self.deflator_years_missing:
            missing = ", ".join(map(str, self.deflator_years_missing))
            lines.append(f"  deflator missing for: {missing}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        table = self.claims.drop(columns=["source"]).to_html(
            index=False, float_format=lambda v: f"{v:+.1f}", na_rep="n/a"
        )
        title = html.escape("Brussels rents: claimed and computed changes")
        return f"<h4>{title}</h4>{table}"


def compare_rent_changes(
    observatory: pd.DataFrame,
    prices: pd.DataFrame,
    *,
    brochure_change_pct: float,
    brochure_years: tuple[int, int],
    deflator: str = "health_index",
) -> RentChangeComparison:
    """Put the brochure's rent claim, the observatory's own statement and computed changes side
    by side.

    Computed from the bundled observatory series (preferred rows only): the nominal change of
    the mean rent between the survey years nearest to the brochure's start and end years; the
    change between the first and last survey year; and, where the deflator (Belgian health
    index, base 2013, annual means of 12 months) covers both years, the real change.

    Parameters
    ----------
    observatory
        ``load("rent_observatory")``.
    prices
        ``load("health_index_cpi")``.
    brochure_change_pct
        The brochure's figure (%), e.g. 29.
    brochure_years
        Its period, e.g. ``(2008, 2018)``.
    deflator
        ``"health_index"`` (what Belgian rents are indexed to) or ``"cpi"``.

    Returns
    -------
    RentChangeComparison
    """
    check_choice("deflator", deflator, ("health_index", "cpi"))
    start_target, end_target = (int(y) for y in brochure_years)
    rents = observatory_rents(observatory)
    preferred = rents[rents["preferred"] & rents["survey_year"].notna()]
    if preferred["survey_year"].duplicated().any():
        years = preferred.loc[preferred["survey_year"].duplicated(), "survey_year"].tolist()
        raise DataError(
            f"rent_observatory: several preferred mean rents for survey year(s) {years}"
        )
    mean_rent = preferred.set_index(preferred["survey_year"].astype(int))["value"]
    index = annual_index(prices, deflator)

    def source_of(year: int) -> str:
        row = preferred[preferred["survey_year"] == year].iloc[0]
        return f"{row['publisher']} ({row['page_date']})"

    claims: list[dict[str, object]] = [{
        "figure": "brochure",
        "period": f"{start_target}-{end_target}",
        "change_pct": float(brochure_change_pct),
        "measure": "Brussels rents (measure and deflation not stated)",
        "basis": "not stated",
        "source": "Permanent brochure",
    }]
    statements = {
        "real_rent_increase_above_indexation":
            "mean rent paid by sitting tenants, above health-index indexation",
        "mean_rent_change_constant_euros": "mean rent paid by sitting tenants, constant euros",
    }
    statement = fact_table(observatory, list(statements), period_column="survey_year",
                           missing="ignore")
    for _, row in statement[statement["preferred"]].iterrows():
        claims.append({
            "figure": "observatory statement",
            "period": row["period"],
            "change_pct": row["value"],
            "measure": statements[row["measure"]],
            "basis": "real",
            "source": f"{row['publisher']} ({row['page_date']})",
        })
    start = nearest_year(mean_rent.index, start_target)
    end = nearest_year(mean_rent.index, end_target)
    nominal = _pct(mean_rent[start], mean_rent[end])
    claims.append({
        "figure": f"computed: mean rent {mean_rent[start]:.0f} -> {mean_rent[end]:.0f} EUR",
        "period": f"{start}-{end}",
        "change_pct": nominal,
        "measure": "mean rent paid by sitting tenants (survey years nearest the brochure's)",
        "basis": "nominal",
        "source": f"{source_of(start)}; {source_of(end)}",
    })
    missing: set[int] = set()
    first, last = int(mean_rent.index.min()), int(mean_rent.index.max())
    pairs = [(start, end)] + ([(first, last)] if (first, last) != (start, end) else [])
    for a, b in pairs:
        if (a, b) != (start, end):
            claims.append({
                "figure": f"computed: mean rent {mean_rent[a]:.0f} -> {mean_rent[b]:.0f} EUR",
                "period": f"{a}-{b}",
                "change_pct": _pct(mean_rent[a], mean_rent[b]),
                "measure": (
                    "mean rent paid by sitting tenants, first vs last survey year (if the first "
                    "value is in euros of the last year, this is a real change)"
                ),
                "basis": "as published",
                "source": f"{source_of(a)}; {source_of(b)}",
            })
        gaps = [y for y in (a, b) if y not in index.index]
        missing.update(gaps)
        real = (
            float("nan")
            if gaps
            else ((mean_rent[b] / mean_rent[a]) / (index[b] / index[a]) - 1.0) * 100.0
        )
        claims.append({
            "figure": f"computed: deflated by the {deflator.replace('_', ' ')}",
            "period": f"{a}-{b}",
            "change_pct": real,
            "measure": (
                "mean rent, real (both values read as nominal)"
                if not gaps
                else f"not computable: no {deflator} for {', '.join(map(str, gaps))}"
            ),
            "basis": "real",
            "source": "computed from rent_observatory and health_index_cpi",
        })
    for year in (start_target, end_target):
        if year not in index.index:
            missing.add(year)
    return RentChangeComparison(
        mean_rent=preferred.reset_index(drop=True),
        claims=pd.DataFrame(claims),
        nominal_years=(start, end),
        nominal_change_pct=nominal,
        deflator_years_missing=tuple(sorted(missing)),
    )


def rent_barometers_region(barometers: pd.DataFrame) -> pd.DataFrame:
    """Regional new-lease rents from the agency barometers (a different measure: keep apart).

    Parameters
    ----------
    barometers
        ``load("rent_barometers")``.

    Returns
    -------
    pandas.DataFrame
        Region rows with a rent level in EUR/month: ``period, dwelling_type, measure, value,
        unit, publisher, page_date, original_producer``, sorted by period.
    """
    check_columns(barometers, ["period", "geo_code", "dwelling_type", "measure", "value", "unit"],
                  source="rent_barometers")
    rows = barometers[
        (barometers["geo_code"] == REGION_CODE) & barometers["unit"].str.startswith("EUR")
    ]
    out = rows[["period", "dwelling_type", "measure", "value", "unit", "source_page_publisher",
                "page_date", "original_producer"]].rename(
        columns={"source_page_publisher": "publisher"}
    )
    return out.sort_values(["period", "dwelling_type"], kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------- sale prices
def median_prices(
    sales: pd.DataFrame, property_type: PropertyType = "appartementen"
) -> pd.DataFrame:
    """Statbel median sale prices and number of sales per area and year, for one property type.

    Parameters
    ----------
    sales
        ``load("real_estate_sales")``.
    property_type
        One of :data:`PROPERTY_TYPES` (Statbel's own names).

    Returns
    -------
    pandas.DataFrame
        Columns ``nis_code, name_fr, geo_level, year, median_price_eur`` (EUR, nominal; ``nan``
        where Statbel publishes no median), ``n_transactions`` and ``published`` (bool).
    """
    check_choice("property_type", property_type, PROPERTY_TYPES)
    check_columns(sales, ["nis_code", "geo_level", "name_fr", "year", "property_type", "measure",
                          "value", "status"], source="real_estate_sales")
    rows = sales[sales["property_type"] == property_type]
    keys = ["nis_code", "name_fr", "geo_level", "year"]
    price = rows[rows["measure"] == "median_price"].set_index(keys)
    count = rows[rows["measure"] == "n_transactions"].set_index(keys)["value"]
    out = pd.DataFrame({
        "median_price_eur": price["value"].where(price["status"] == "published").astype(float),
        "n_transactions": count.reindex(price.index).astype(float),
        "published": price["status"] == "published",
    }).reset_index()
    out["year"] = out["year"].astype(int)
    return out.sort_values(["nis_code", "year"], kind="stable").reset_index(drop=True)


def price_change(prices: pd.DataFrame, start_year: int, end_year: int) -> pd.DataFrame:
    """Median price in two years and its % change, per area.

    Parameters
    ----------
    prices
        Output of :func:`median_prices`.
    start_year, end_year
        Years to compare (``start_year < end_year``).

    Returns
    -------
    pandas.DataFrame
        One row per area: ``nis_code, name_fr, geo_level``, ``price_<start>_eur``,
        ``price_<end>_eur`` (EUR, nominal) and ``change_pct`` (%; ``nan`` where a median is not
        published).
    """
    if start_year >= end_year:
        raise ParameterError(f"start_year={start_year} must be before end_year={end_year}")
    years = set(prices["year"])
    for name, year in (("start_year", start_year), ("end_year", end_year)):
        if year not in years:
            raise ParameterError(
                f"{name}={year} not in the sales data; available {min(years)}-{max(years)}"
            )
    check_unique_key(prices, ["nis_code", "year"], source="median prices")
    wide = prices.pivot(index="nis_code", columns="year", values="median_price_eur")
    names = prices.drop_duplicates("nis_code").set_index("nis_code")[["name_fr", "geo_level"]]
    out = names.join(pd.DataFrame({
        f"price_{start_year}_eur": wide[start_year],
        f"price_{end_year}_eur": wide[end_year],
    }))
    out["change_pct"] = _pct(out[f"price_{start_year}_eur"], out[f"price_{end_year}_eur"])
    return out.reset_index()


# --------------------------------------------------------------------------- permits
def permit_series(permits: pd.DataFrame, measure: str = "new_dwellings") -> pd.DataFrame:
    """Building permits for the region per year (sum of the 19 communes).

    Statbel gives no region total; the region is the sum of the communes. A year in which a
    commune's value is empty in the source is incomplete: its region total is ``nan`` and the
    partial sum is kept in ``partial_sum``.

    Parameters
    ----------
    permits
        ``load("building_permits")``.
    measure
        One of :data:`PERMIT_MEASURES` (counts of buildings or dwellings in permits granted;
        permits are not completions).

    Returns
    -------
    pandas.DataFrame
        ``year``, ``region_total`` (count, ``nan`` if incomplete), ``partial_sum`` (count over
        the communes that report), ``communes_reporting`` and ``complete`` (bool).
    """
    check_choice("measure", measure, PERMIT_MEASURES)
    check_columns(permits, ["nis_code", "year", "measure", "value"], source="building_permits")
    rows = permits[permits["measure"] == measure]
    n_communes = rows["nis_code"].nunique()
    grouped = rows.groupby(rows["year"].astype(int))["value"]
    out = pd.DataFrame({
        "partial_sum": grouped.sum(min_count=1),
        "communes_reporting": grouped.count(),
    })
    out["complete"] = out["communes_reporting"] == n_communes
    out["region_total"] = out["partial_sum"].where(out["complete"])
    out.index.name = "year"
    return out.reset_index()[["year", "region_total", "partial_sum", "communes_reporting",
                              "complete"]]


def latest_complete_year(series: pd.DataFrame) -> int:
    """The latest year of a :func:`permit_series` table in which every commune reports."""
    complete = series.loc[series["complete"], "year"]
    if complete.empty:
        raise DataError("building_permits: no year in which every commune reports")
    return int(complete.max())


# --------------------------------------------------------------------------- vacancy
#: Measures of ``load("vacant_dwellings")`` read as counts of *dwellings*, with a label; meter
#: counts and office floor area are other units and are left to the table.
VACANCY_MEASURES: dict[str, str] = {
    "presumed_vacant_dwellings_low": "presumed vacant, low estimate (ULB/VUB model)",
    "presumed_vacant_dwellings_high": "presumed vacant, high estimate (ULB/VUB model)",
    "vacant_dwellings_in_communal_inventories": "in communal vacancy inventories (5 communes)",
    "social_dwellings_vacant_needing_renovation": "vacant social homes awaiting renovation",
}


def vacancy_facts(vacant: pd.DataFrame, *, dwellings_only: bool = True) -> pd.DataFrame:
    """Dated facts on vacant dwellings in the region, each with its source.

    Parameters
    ----------
    vacant
        ``load("vacant_dwellings")`` (columns ``year``, ``geo_code``, ``measure``, ``value``,
        ``unit``, ``source_publisher``, ``page_date``, ``source_url``, ``note``).
    dwellings_only
        Keep only counts of dwellings (:data:`VACANCY_MEASURES`); ``False`` keeps every row
        (meters not turning, office floor area) with its own unit.

    Returns
    -------
    pandas.DataFrame
        Columns ``year, measure, figure, value, unit, dwellings, publisher, page_date,
        source_url, note``: ``figure`` is a readable label, ``dwellings`` says whether the value
        counts dwellings. Region rows only, sorted by year then as in :data:`VACANCY_MEASURES`.
    """
    check_columns(vacant, ["year", "geo_code", "measure", "value", "unit", "source_publisher",
                           "page_date", "source_url", "note"], source="vacant_dwellings")
    rows = vacant[vacant["geo_code"].astype(str) == REGION_CODE]
    missing = sorted(set(VACANCY_MEASURES) - set(rows["measure"]))
    if missing:
        raise DataError(f"vacant_dwellings: measure(s) {', '.join(missing)} not found; "
                        f"available: {', '.join(sorted(rows['measure'].unique()))}")
    dwellings = rows["measure"].isin(list(VACANCY_MEASURES))
    if dwellings_only:
        rows, dwellings = rows[dwellings], dwellings[dwellings]
    order = {measure: i for i, measure in enumerate(VACANCY_MEASURES)}
    out = pd.DataFrame({
        "year": rows["year"].astype(int),
        "measure": rows["measure"].astype(str),
        "figure": rows["measure"].map(VACANCY_MEASURES).fillna(
            rows["measure"].str.replace("_", " ")),
        "value": pd.to_numeric(rows["value"], errors="coerce").astype(float),
        "unit": rows["unit"].astype(str),
        "dwellings": dwellings.to_numpy(),
        "publisher": rows["source_publisher"].astype(str),
        "page_date": rows["page_date"].fillna("").astype(str).replace("", "not stated"),
        "source_url": rows["source_url"].astype(str),
        "note": rows["note"].fillna("").astype(str),
    })
    out["_order"] = out["measure"].map(order).fillna(len(order))
    out = out.sort_values(["year", "_order"], kind="stable").drop(columns="_order")
    return out.reset_index(drop=True)
