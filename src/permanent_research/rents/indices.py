"""Nominal and real price/rent indices on tidy frames, growth, CAGR, and adapters.

Tidy index frame (the researcher's own data can follow it)
-----------------------------------------------------------
``area``
    Area code or name (text), e.g. a Statbel NIS code ``"21004"``; any group column(s) can be
    named through ``by``.
``period``
    Calendar year (int).
``value``
    Positive level in euros (``price_eur`` for a median sale price, ``rent_eur_month`` for a
    mean monthly rent); missing values are allowed and stay missing.

The adapters :func:`sales_medians` and :func:`observatory_rents` turn the bundled Statbel and
Observatoire des loyers tables into this shape.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from permanent_research._validation import check_choice, check_columns
from permanent_research.errors import DataError, ParameterError
from permanent_research.options import DEFLATORS, PROPERTY_TYPES, DeflatorName, PropertyType
from permanent_research.rents._base import check_tidy, check_year_in, format_years
from permanent_research.results import Result

__all__ = [
    "Deflator",
    "DEFLATORS",
    "health_index_deflator",
    "health_index_annual",
    "combine_index_tables",
    "cpi_chained_deflator",
    "build_deflator",
    "annual_average_index",
    "real_values",
    "price_index",
    "chained_index",
    "growth_table",
    "cagr",
    "check_trend_parameters",
    "resolve_communes",
    "sales_medians",
    "observatory_rents",
    "PROPERTY_TYPES",
]

MissingPolicy = Literal["raise", "drop"]


# --------------------------------------------------------------------------------------------
# Deflators
# --------------------------------------------------------------------------------------------
HEALTH_INDEX_DESCRIPTION = (
    "Belgian health index (Statbel; CPI without alcohol, tobacco and motor fuels), "
    "annual means of 12 monthly values"
)
CPI_CHAIN_DESCRIPTION = (
    "Belgian CPI (all items, NOT the health index), annual index chained from annual "
    "inflation rates (World Bank FP.CPI.TOTL.ZG)"
)


@dataclass(frozen=True)
class Deflator(Result):
    """Annual price index used to turn nominal euros into real euros.

    Built by :func:`health_index_deflator` (Belgian health index, the METHODS.md §3 deflator)
    or :func:`cpi_chained_deflator` (the all-items CPI chained from annual inflation rates: a
    different concept, used where the health index has gaps).

    Attributes
    ----------
    annual
        Annual index points by calendar year (int index ``year``). Health index: averages of
        the years with all 12 months. CPI chain: the chained annual index.
    monthly
        Monthly values (index points) with a monthly ``PeriodIndex``; empty for the CPI chain
        (it has no months, so it cannot serve for rent indexation).
    series, base
        Name of the series and its base (``"health_index"``, ``"2013=100"``).
    months_required
        Months a year needs to be covered (12 for the health index, 0 for the annual chain).
    description
        What the index measures and how the annual values were made (used in captions).
    """

    annual: pd.Series
    monthly: pd.Series
    series: str = "health_index"
    base: str = "2013=100"
    months_required: int = field(default=12)
    description: str = HEALTH_INDEX_DESCRIPTION

    @property
    def years(self) -> tuple[int, ...]:
        """Calendar years the deflator covers (annual value available)."""
        return tuple(int(y) for y in self.annual.index)

    def coverage(self) -> str:
        """Covered years as text, e.g. ``"2001, 2004–2005, 2015–2025"``."""
        return format_years(self.years)

    def check_year(self, name: str, year: int) -> int:
        """Return ``year`` if covered; otherwise raise a one-line :class:`ParameterError`."""
        return check_year_in(
            name, year, self.years, what=f"the deflator ({self.series}, base {self.base})"
        )

    def factor(self, year: int, base_year: int) -> float:
        """Multiplier turning euros of ``year`` into euros of ``base_year``: I_base / I_year."""
        self.check_year("year", year)
        self.check_year("base_year", base_year)
        return float(self.annual.loc[base_year] / self.annual.loc[year])

    def caption(self) -> str:
        """One line for a figure's source note: what deflated the values, base, coverage."""
        return f"deflator: {self.description}, base {self.base}, covers {self.coverage()}"

    def to_frame(self) -> pd.DataFrame:
        """Annual values: ``year``, ``index_points``, ``change_pct`` (on the previous year, %,
        missing after a gap) and ``months`` (months per covered year; 0 for an annual chain)."""
        years = self.annual.index.astype(int)
        previous = pd.Series(self.annual.to_numpy(), index=years).reindex(years - 1).to_numpy()
        return pd.DataFrame(
            {
                "year": years,
                "index_points": self.annual.to_numpy(),
                "change_pct": 100 * (self.annual.to_numpy() / previous - 1),
                "months": self.months_required,
            }
        )

    def summary(self) -> str:
        """One line: series, base, what it measures and the years covered."""
        return (
            f"Deflator {self.series} (base {self.base}): {self.description}; "
            f"covers {self.coverage()}"
        )


def annual_average_index(
    monthly: pd.DataFrame, *, value: str = "value", source: str = "price index"
) -> pd.Series:
    """Annual means of a monthly index, only for years with all 12 months.

    Parameters
    ----------
    monthly
        Rows of ONE series and base with columns ``year``, ``month`` (1–12) and ``value``
        (index points); rows with a missing year, month or value are ignored.
    value
        Name of the value column.
    source
        Name used in error messages.

    Returns
    -------
    pandas.Series
        Index points by year (int index named ``year``); a year with fewer than 12 months is
        left out (a partial year would bias the mean).

    Raises
    ------
    DataError
        A missing column, a month outside 1–12, or the same month twice (which would
        otherwise be averaged in silently).
    """
    check_columns(monthly, ["year", "month", value], source=source)
    rows = monthly.dropna(subset=["year", "month", value])
    year = rows["year"].astype(int).to_numpy()
    month = rows["month"].astype(int).to_numpy()
    bad = (month < 1) | (month > 12)
    if bad.any():
        raise DataError(
            f"{source}: column 'month' must be 1–12, rows {list(rows.index[bad][:5])}"
        )
    points = pd.Series(
        rows[value].astype(float).to_numpy(),
        index=pd.PeriodIndex.from_fields(year=year, month=month, freq="M"),
    )
    if points.index.duplicated().any():
        dup = points.index[points.index.duplicated()]
        raise DataError(f"{source}: duplicate month(s) {', '.join(map(str, dup[:5]))}")
    counts = points.groupby(points.index.year).size()
    means = points.groupby(points.index.year).mean()
    annual = means.loc[counts.index[counts == 12]].astype(float)
    annual.index = annual.index.astype(int)
    annual.index.name = "year"
    return annual


def _series_rows(frame: pd.DataFrame, series: str, base: str | None, what: str) -> pd.DataFrame:
    rows = frame[frame["series"] == series]
    if base is not None:
        rows = rows[rows["base"] == base]
    if rows.empty:
        choices = sorted(
            {f"{s} / {b}" for s, b in zip(frame["series"], frame["base"].fillna("-"), strict=True)}
        )
        raise ParameterError(
            f"series={series!r}, base={base!r} not in the {what} table; "
            f"available: {', '.join(choices)}"
        )
    return rows


_INDEX_KEY = ["series", "base", "year", "month"]


def combine_index_tables(*frames: pd.DataFrame) -> pd.DataFrame:
    """Join monthly price-index tables, e.g. datasets ``health_index_cpi`` and its 2006–2015 fill.

    A month that two tables both give (same ``series``, ``base``, ``year``, ``month``) must
    have the same value in both and is kept once (from the first table that gives it); within
    one table a month given twice is an error, as in :func:`annual_average_index`. Rows without
    a month (annual rates, conversion factors) are kept as they are.

    Parameters
    ----------
    *frames
        Tables with columns ``series``, ``base``, ``year``, ``month`` and ``value`` (index
        points); other columns are kept (missing where a table lacks them).

    Returns
    -------
    pandas.DataFrame
        The rows of all tables, overlaps once, with a column ``table`` (0, 1, … the position of
        the table each row comes from); ``attrs["tables"]`` lists each table's dataset name
        where its ``attrs["source"]`` records one.

    Raises
    ------
    DataError
        No table, a missing column, a month given twice in one table, or an overlapping month
        whose values differ between tables (named, with both values).
    """
    if not frames:
        raise DataError("combine_index_tables: pass at least one price-index table")
    parts = []
    names = []
    for position, frame in enumerate(frames):
        source = f"price-index table {position}"
        check_columns(frame, [*_INDEX_KEY, "value"], source=source)
        monthly = frame.dropna(subset=["year", "month"])
        twice = monthly.duplicated(_INDEX_KEY, keep=False)
        if twice.any():
            first = monthly.loc[twice].iloc[0]
            raise DataError(
                f"{source}: duplicate month {int(first['year'])}-{int(first['month']):02d} "
                f"in series {first['series']!r} base {first['base']!r}"
            )
        parts.append(frame.assign(table=position))
        names.append((frame.attrs.get("source") or {}).get("dataset", f"table {position}"))
    if len(parts) == 1:
        combined = parts[0].reset_index(drop=True)
        combined.attrs["tables"] = names
        return combined
    combined = pd.concat(parts, ignore_index=True)
    dated = combined.dropna(subset=["year", "month"])
    groups = dated.groupby(_INDEX_KEY, sort=False)["value"]
    spread = groups.transform("max") - groups.transform("min")
    conflict = spread.abs() > 1e-9
    if conflict.any():
        row = dated.loc[conflict].iloc[0]
        same = (dated[_INDEX_KEY] == row[_INDEX_KEY]).all(axis=1)
        clash = dated.loc[same, ["table", "value"]]
        shown = ", ".join(
            f"table {t}: {v:g}" for t, v in zip(clash["table"], clash["value"], strict=True)
        )
        raise DataError(
            f"price-index tables disagree on {int(row['year'])}-{int(row['month']):02d} of "
            f"series {row['series']!r} base {row['base']!r} ({shown}); "
            f"{int(conflict.sum())} row(s) conflict"
        )
    repeated = dated.duplicated(_INDEX_KEY, keep="first")
    combined = combined.drop(index=dated.index[repeated.to_numpy()]).reset_index(drop=True)
    combined.attrs["tables"] = names
    return combined


def _monthly_points(rows: pd.DataFrame, name: str) -> pd.Series:
    rows = rows.dropna(subset=["year", "month", "value"])
    return pd.Series(
        rows["value"].astype(float).to_numpy(),
        index=pd.PeriodIndex.from_fields(
            year=rows["year"].astype(int).to_numpy(),
            month=rows["month"].astype(int).to_numpy(),
            freq="M",
        ),
        name=name,
    ).sort_index()


def health_index_annual(
    *frames: pd.DataFrame, series: str = "health_index", base: str = "2013=100"
) -> pd.Series:
    """The annual Belgian health index: THE one builder (rents, context, displacement call it).

    Joins the monthly tables (:func:`combine_index_tables`), keeps one series and base, and
    averages the years that have all 12 months (:func:`annual_average_index`).

    Parameters
    ----------
    *frames
        ``load("health_index_cpi")`` and, for 2006–2014, ``load("health_index_cpi_2006_2015")``
        (or one table already joined by :func:`combine_index_tables`).
    series, base
        Series and base; bases are never mixed (``"cpi"`` gives the all-items CPI the same way).

    Returns
    -------
    pandas.Series
        Index points (base ``base``) by calendar year (int index ``year``), named
        ``"<series> (<base>)"``. With both bundled tables: 2001 and 2004–2025 (2002–2003 have
        no months; 2026 is partial).

    Raises
    ------
    ParameterError
        ``series``/``base`` not in the tables (the available ones are listed).
    DataError
        A month twice in one table, or tables that disagree on a month.
    """
    combined = combine_index_tables(*frames)
    rows = _series_rows(combined, series, base, "health-index")
    annual = annual_average_index(rows, source="health index")
    annual.name = f"{series} ({base})"
    return annual


def health_index_deflator(
    frame: pd.DataFrame,
    *more: pd.DataFrame,
    series: str = "health_index",
    base: str = "2013=100",
) -> Deflator:
    """Build a :class:`Deflator` from the health-index tables.

    Parameters
    ----------
    frame, *more
        Rows with columns ``series``, ``base``, ``year``, ``month`` and ``value`` (index points):
        dataset ``health_index_cpi`` and, to fill 2006–2014, ``health_index_cpi_2006_2015``
        (or their join, :func:`combine_index_tables`); other series and bases are ignored
        (bases are never mixed).
    series, base
        Which series and base to use. ``health_index`` base ``2013=100`` covers 2001,
        2004–2005 and 2015 – June 2026 in ``health_index_cpi`` alone, and 2006–2015 in the
        second table.

    Returns
    -------
    Deflator
        Annual averages (:func:`health_index_annual`) for the years with all 12 months: with
        both tables 2001 and 2004–2025 (2026 is partial and not covered).
    """
    combined = combine_index_tables(frame, *more)
    annual = health_index_annual(combined, series=series, base=base)
    rows = _series_rows(combined, series, base, "health-index")
    monthly = _monthly_points(rows, f"{series} ({base})")
    description = (
        HEALTH_INDEX_DESCRIPTION
        if series == "health_index"
        else f"{series} (Statbel), annual means of 12 monthly values"
    )
    return Deflator(
        annual=annual, monthly=monthly, series=series, base=base, description=description
    )


def cpi_chained_deflator(
    frame: pd.DataFrame,
    *,
    series: str = "cpi_inflation_annual_pct",
    base_year: int = 2013,
) -> Deflator:
    """Build a :class:`Deflator` by chaining annual CPI inflation rates (NOT the health index).

    ``I_y = I_{y−1} · (1 + π_y / 100)``, rescaled so that ``I_base_year = 100``. The bundled
    rates (World Bank WDI ``FP.CPI.TOTL.ZG`` for Belgium, 1960–2024, via github.com/datasets/cpi)
    are changes of the *annual average* all-items CPI, so the chain is an annual-average CPI
    index; it equals Statbel's CPI (base 2013) annual averages over 2015–2024 to 1e-12.

    The CPI is a different concept from the health index (which leaves out alcohol, tobacco and
    motor fuels): over 2015–2024 the CPI rose 30.9 % and the health index 30.2 % (ratio of
    growth factors 1.005). Use this deflator only where the health index has no data (with
    both bundled tables the health index misses only 2002–2003), and say so in every caption
    (:meth:`Deflator.caption` does).

    Parameters
    ----------
    frame
        Rows with columns ``series``, ``year`` and ``value`` (% change on the previous year);
        dataset ``health_index_cpi``. Other series are ignored.
    series
        Name of the inflation series.
    base_year
        Year set to 100 (the base only rescales: real values do not depend on it).

    Returns
    -------
    Deflator
        Annual index covering the year before the first rate through the last rate's year
        (1959–2024 for the bundled file: ``π_1960`` links 1960 to 1959). If the rates have a
        gap, only the run of consecutive years ending in the latest year is chained (years
        before the gap cannot be linked); ``monthly`` is empty.

    Raises
    ------
    DataError
        Duplicate years, or a rate ≤ −100 % (the index would not be positive).
    ParameterError
        Unknown ``series``, or ``base_year`` outside the chained years.
    """
    check_columns(frame, ["series", "year", "value"], source="CPI inflation")
    base_column = frame["base"] if "base" in frame else pd.Series(pd.NA, index=frame.index)
    rows = _series_rows(frame.assign(base=base_column), series, None, "CPI-inflation")
    rows = rows.dropna(subset=["year", "value"])
    year = rows["year"].astype(int)
    if year.duplicated().any():
        dup = sorted(set(year[year.duplicated()]))
        raise DataError(f"CPI inflation: year(s) {format_years(dup)} appear twice in {series}")
    rate = pd.Series(rows["value"].astype(float).to_numpy(), index=year.to_numpy()).sort_index()
    if (rate <= -100).any():
        bad = format_years(rate.index[rate <= -100])
        raise DataError(f"CPI inflation: rate ≤ -100 % in {bad} ({series}); index not positive")
    if rate.empty:
        raise DataError(f"CPI inflation: no values in series {series!r}")
    years = rate.index.to_numpy()
    breaks = np.flatnonzero(np.diff(years) != 1)
    run = rate.iloc[breaks[-1] + 1 :] if len(breaks) else rate
    first = int(run.index[0]) - 1
    chain = np.cumprod(np.r_[1.0, 1.0 + run.to_numpy() / 100.0])
    annual = pd.Series(chain, index=pd.Index(range(first, int(run.index[-1]) + 1), name="year"))
    check_year_in("base_year", base_year, annual.index, what="the chained CPI")
    annual = 100.0 * annual / annual.loc[base_year]
    annual.name = f"cpi chained from {series} ({base_year}=100)"
    monthly = pd.Series([], index=pd.PeriodIndex([], freq="M"), dtype=float, name=annual.name)
    return Deflator(
        annual=annual,
        monthly=monthly,
        series="cpi_chain",
        base=f"{base_year}=100",
        months_required=0,
        description=CPI_CHAIN_DESCRIPTION,
    )


def build_deflator(
    frame: pd.DataFrame, name: DeflatorName = "health_index", *, base_year: int = 2013
) -> Deflator:
    """The deflator a notebook parameter names: ``"health_index"`` or ``"cpi_chain"``.

    Parameters
    ----------
    frame
        Dataset ``health_index_cpi``.
    name
        ``"health_index"`` (:func:`health_index_deflator`, base 2013=100) or ``"cpi_chain"``
        (:func:`cpi_chained_deflator`, base ``base_year``).

    Pass the joined tables (:func:`combine_index_tables`) for a health index over 2006–2014.
    """
    check_choice("deflator", name, DEFLATORS)
    if name == "health_index":
        return health_index_deflator(frame)
    return cpi_chained_deflator(frame, base_year=base_year)


def real_values(
    frame: pd.DataFrame,
    deflator: Deflator,
    *,
    base_year: int,
    value: str = "value",
    period: str = "period",
    missing: MissingPolicy = "raise",
) -> pd.DataFrame:
    """Deflate nominal euros to euros of ``base_year``: ``real = value · I_base / I_period``.

    Parameters
    ----------
    frame
        Any frame with a year column ``period`` (int) and a nominal euro column ``value``.
    deflator
        From :func:`health_index_deflator` or :func:`cpi_chained_deflator`.
    base_year
        Year whose euros the result is expressed in; must be covered by the deflator.
    missing
        ``"raise"`` (default): a year outside the deflator's coverage is an error;
        ``"drop"``: rows in uncovered years are dropped.

    Returns
    -------
    pandas.DataFrame
        A copy with ``<value>_real`` (euros of ``base_year``) and ``deflator_points`` added;
        ``attrs["real_base_year"]`` records the base year.
    """
    check_choice("missing", missing, ("raise", "drop"))
    check_columns(frame, [period, value], source="real_values")
    deflator.check_year("base_year", base_year)
    years = frame[period].astype(int)
    covered = years.isin(deflator.years)
    if not covered.all():
        if missing == "raise":
            bad = sorted(set(years[~covered]))
            raise ParameterError(
                f"{period} {format_years(bad)} not covered by the deflator "
                f"({deflator.series}, base {deflator.base}); covered years: {deflator.coverage()} "
                "(or pass missing='drop')"
            )
        frame = frame.loc[covered]
        years = years.loc[covered]
    out = frame.copy()
    points = deflator.annual.reindex(years.to_numpy()).to_numpy()
    out["deflator_points"] = points
    out[f"{value}_real"] = (
        out[value].astype(float).to_numpy() * deflator.annual.loc[base_year] / points
    )
    out.attrs["real_base_year"] = int(base_year)
    return out


# --------------------------------------------------------------------------------------------
# Indices and growth
# --------------------------------------------------------------------------------------------
def price_index(
    frame: pd.DataFrame,
    *,
    base_year: int,
    by: Sequence[str] = ("area",),
    value: str = "value",
    period: str = "period",
) -> pd.DataFrame:
    """Direct (fixed-base) index per group: ``index_t = 100 · value_t / value_base``.

    Parameters
    ----------
    frame
        Tidy frame (see the module docstring).
    base_year
        Year set to 100; must occur in ``period``. Groups with no value in the base year get a
        missing index (never a silently rebased one).
    by
        Group columns (e.g. ``("area", "property_type")``).

    Returns
    -------
    pandas.DataFrame
        ``by`` columns, ``period``, ``value`` and ``index`` (base year = 100), sorted.
    """
    by = list(by)
    check_tidy(frame, by=by, period=period, value=value, source="price_index")
    check_year_in("base_year", base_year, frame[period], what="the data")
    out = frame[[*by, period, value]].sort_values([*by, period]).reset_index(drop=True)
    base = out.loc[out[period] == base_year, [*by, value]].rename(columns={value: "_base"})
    out = out.merge(base, on=by, how="left") if by else out.assign(_base=base[value].iloc[0])
    out["index"] = 100.0 * out[value] / out["_base"]
    return out.drop(columns="_base")


def chained_index(
    frame: pd.DataFrame,
    *,
    base_year: int,
    strata: Sequence[str] = ("area",),
    by: Sequence[str] = (),
    weight: str | None = None,
    value: str = "value",
    period: str = "period",
) -> pd.DataFrame:
    """Chain-linked stratified index across ``strata`` (e.g. communes), one line per ``by`` group.

    Each annual link is the weighted mean of the strata's price relatives between consecutive
    years, weighted by the previous year's ``weight`` (e.g. ``n_transactions``; equal weights
    when ``None``); strata missing in either year are left out of that link only::

        L_t = Σ_i w_{i,t-1} · (v_{i,t} / v_{i,t-1}) / Σ_i w_{i,t-1},   I_t = I_{t-1} · L_t

    The chain is then rescaled so that ``base_year`` = 100. With a single stratum the result
    equals :func:`price_index`. A year without any link (no stratum observed in both it and
    the previous year) breaks the chain: years on the far side of a break from ``base_year``
    get a missing index (they cannot be linked to the base), never a silently spliced one.

    Returns
    -------
    pandas.DataFrame
        ``by`` columns, ``period`` (every year from the group's first observed value to its
        last row), ``link`` (relative to the previous year; missing where no stratum links the
        two years), ``n_strata`` and ``index`` (base year = 100; missing across a break).
    """
    strata, by = list(strata), list(by)
    check_tidy(frame, by=[*by, *strata], period=period, value=value, source="chained_index")
    if weight is not None:
        check_columns(frame, [weight], source="chained_index")
    check_year_in("base_year", base_year, frame[period], what="the data")
    cols = [*by, *strata, period, value] + ([weight] if weight else [])
    data = frame[cols].copy()
    data["_w"] = 1.0 if weight is None else data[weight].astype(float)
    years = np.sort(data[period].unique())
    prev = data.assign(**{period: data[period].map(dict(zip(years[:-1], years[1:], strict=True)))})
    prev = prev.dropna(subset=[period]).astype({period: data[period].dtype})
    pairs = data.merge(prev, on=[*by, *strata, period], suffixes=("", "_prev"))
    pairs = pairs.dropna(subset=[value, f"{value}_prev", "_w_prev"])
    pairs["_rel_w"] = pairs["_w_prev"] * pairs[value] / pairs[f"{value}_prev"]
    grouped = pairs.groupby([*by, period], sort=True) if by else pairs.groupby(period, sort=True)
    links = grouped.agg(
        _num=("_rel_w", "sum"), _den=("_w_prev", "sum"), n_strata=("_rel_w", "size")
    ).reset_index()
    links["link"] = links["_num"] / links["_den"]
    rows = []
    groups = data.groupby(by, sort=True) if by else [((), data)]
    link_groups = (
        {k if isinstance(k, tuple) else (k,): g for k, g in links.groupby(by)}
        if by
        else {(): links}
    )
    for key, part in groups:
        key = key if isinstance(key, tuple) else (key,)
        own = link_groups.get(key, links.iloc[:0]).set_index(period)
        seen = part.dropna(subset=[value])[period]
        if len(seen) == 0:
            raise DataError(f"chained_index: group {key} has no {value!r} values")
        span = years[(years >= seen.min()) & (years <= part[period].max())]
        chain = pd.DataFrame({period: span})
        chain["link"] = own["link"].reindex(span).to_numpy()
        chain["n_strata"] = own["n_strata"].reindex(span).to_numpy()
        # the chain runs only through consecutive links: a year without a link breaks it, and
        # years on the far side of a break cannot be expressed relative to the base year
        broken = chain["link"].isna().to_numpy().copy()
        broken[0] = True
        segment = np.cumsum(broken)
        if base_year not in set(span):
            raise ParameterError(
                f"base_year={base_year} is outside group {key}'s years {format_years(span)}"
            )
        base_segment = segment[span == base_year][0]
        inside = segment == base_segment
        level = np.cumprod(chain["link"].fillna(1.0).to_numpy())
        chain["index"] = np.where(inside, level, np.nan)
        chain["index"] = 100 * chain["index"] / level[span == base_year][0]
        if inside.sum() < 2 and len(span) > 1:
            raise ParameterError(
                f"base_year={base_year} has no link to any other year for group {key}; "
                f"linked years: {format_years(span[~np.isnan(chain['link'].to_numpy())])}"
            )
        for name, item in zip(by, key, strict=True):
            chain.insert(0, name, item)
        rows.append(chain)
    out = pd.concat(rows, ignore_index=True)
    return out[[*by, period, "link", "n_strata", "index"]]


def cagr(start_value: float, end_value: float, years: float) -> float:
    """Compound annual growth rate ``(end/start)^(1/years) − 1`` (a fraction per year).

    Raises
    ------
    ParameterError
        If a value is not positive or ``years`` ≤ 0.
    """
    if not (start_value > 0 and end_value > 0):
        raise ParameterError(f"start_value={start_value!r}, end_value={end_value!r} must be > 0")
    if not years > 0:
        raise ParameterError(f"years={years!r} must be > 0")
    return float((end_value / start_value) ** (1.0 / years) - 1.0)


def growth_table(
    frame: pd.DataFrame,
    *,
    start_year: int,
    end_year: int,
    by: Sequence[str] = ("area",),
    value: str = "value",
    period: str = "period",
) -> pd.DataFrame:
    """Growth and CAGR between two years per group, sorted from fastest to slowest growth.

    Returns
    -------
    pandas.DataFrame
        ``by`` columns, ``start_year``, ``end_year``, ``value_start``, ``value_end``,
        ``growth_pct`` (total, %), ``cagr_pct`` (% per year) and ``rank`` (1 = fastest).
        Groups missing either year have missing growth and no rank.
    """
    by = list(by)
    check_tidy(frame, by=by, period=period, value=value, source="growth_table")
    check_year_in("start_year", start_year, frame[period], what="the data")
    check_year_in("end_year", end_year, frame[period], what="the data")
    if end_year <= start_year:
        raise ParameterError(f"end_year={end_year} must be after start_year={start_year}")
    wide = frame.pivot_table(index=by, columns=period, values=value, aggfunc="first", dropna=False)
    wide = wide.reindex(columns=[start_year, end_year])
    out = pd.DataFrame(
        {
            "start_year": start_year,
            "end_year": end_year,
            "value_start": wide[start_year],
            "value_end": wide[end_year],
        }
    )
    ratio = out["value_end"] / out["value_start"]
    out["growth_pct"] = 100 * (ratio - 1)
    out["cagr_pct"] = 100 * (ratio ** (1 / (end_year - start_year)) - 1)
    out["rank"] = out["growth_pct"].rank(ascending=False, method="min").astype("Int64")
    return out.reset_index().sort_values(
        "growth_pct", ascending=False, na_position="last", ignore_index=True
    )


def check_trend_parameters(
    frame: pd.DataFrame,
    *,
    start_year: int,
    end_year: int,
    base_year: int,
    deflator: Deflator | None = None,
    period: str = "period",
) -> None:
    """Check a notebook's year parameters against the data (and the deflator's coverage).

    Raises
    ------
    ParameterError
        A year outside the data, ``end_year`` ≤ ``start_year``, ``base_year`` outside
        ``[start_year, end_year]`` or not covered by the deflator (one-line message).
    """
    check_year_in("start_year", start_year, frame[period], what="the data")
    check_year_in("end_year", end_year, frame[period], what="the data")
    if end_year <= start_year:
        raise ParameterError(f"end_year={end_year} must be after start_year={start_year}")
    if not start_year <= base_year <= end_year:
        raise ParameterError(
            f"base_year={base_year} must lie in start_year–end_year ({start_year}–{end_year})"
        )
    check_year_in("base_year", base_year, frame[period], what="the data")
    if deflator is not None:
        deflator.check_year("base_year", base_year)


# --------------------------------------------------------------------------------------------
# Adapters from the bundled tables
# --------------------------------------------------------------------------------------------
def resolve_communes(
    communes: str | Sequence[str] | None, names: pd.DataFrame
) -> list[str]:
    """Turn ``"all"`` (or ``None``) or a list of NIS codes / names (FR or NL) into NIS codes.

    The package's single commune resolver (``affordability.resolve_communes`` wraps it).

    Parameters
    ----------
    communes
        ``"all"`` or ``None`` (every commune in ``names``, sorted), one code/name, or a list
        such as ``["21004", "Ixelles", "Elsene"]`` (names in any case; ints accepted for
        codes). Duplicates are dropped, the order is kept.
    names
        Frame with ``nis_code``, ``name_fr``, ``name_nl`` of the allowed communes (other rows,
        e.g. the region ``04000``, must be filtered out by the caller).

    Returns
    -------
    list
        The NIS codes, as they appear in ``names["nis_code"]`` (so they match that column).

    Raises
    ------
    ParameterError
        An unknown commune or an empty list; the message lists the allowed codes and names.
    """
    check_columns(names, ["nis_code", "name_fr", "name_nl"], source="commune names")
    table = names.drop_duplicates("nis_code")
    codes = list(table["nis_code"])
    text = [str(code) for code in codes]

    def allowed() -> str:
        return (
            f"use 'all' or NIS codes {min(text)}–{max(text)} or names "
            f"({', '.join(sorted(table['name_fr'].astype(str)))})"
        )

    if communes is None or (isinstance(communes, str) and communes == "all"):
        return [codes[i] for i in np.argsort(text, kind="stable")]
    if isinstance(communes, str | int):
        communes = [communes]
    if len(communes) == 0:
        raise ParameterError(f"communes: empty selection; {allowed()}")
    lookup: dict[str, object] = {}
    for code, fr, nl in zip(codes, table["name_fr"], table["name_nl"], strict=True):
        for label in (code, fr, nl):
            lookup[str(label).strip().casefold()] = code
    out: list = []
    for item in communes:
        code = lookup.get(str(item).strip().casefold())
        if code is None:
            raise ParameterError(f"communes: unknown commune {item!r}; {allowed()}")
        if code not in out:
            out.append(code)
    return out


def sales_medians(
    sales: pd.DataFrame,
    *,
    property_type: PropertyType = "appartementen",
    communes: str | Sequence[str] = "all",
    include_region: bool = True,
) -> pd.DataFrame:
    """Tidy median sale prices from the Statbel table (dataset ``real_estate_sales``).

    Returns
    -------
    pandas.DataFrame
        ``area`` (NIS code), ``area_name`` (FR), ``geo_level``, ``property_type``, ``period``
        (year), ``value`` (median price, EUR; missing where Statbel publishes none) and
        ``n_transactions`` (count).
    """
    check_columns(
        sales,
        [
            "nis_code",
            "geo_level",
            "name_fr",
            "name_nl",
            "year",
            "property_type",
            "measure",
            "value",
        ],
        source="real_estate_sales",
    )
    check_choice("property_type", property_type, sorted(set(sales["property_type"])))
    # NIS codes as 5-character text (a CSV read without dtype gives 4000 for "04000")
    sales = sales.assign(nis_code=sales["nis_code"].astype(str).str.zfill(5))
    municipal = sales[sales["geo_level"] == "municipality"]
    codes = resolve_communes(communes, municipal)
    keep = set(codes) | ({"04000"} if include_region else set())
    rows = sales[(sales["property_type"] == property_type) & sales["nis_code"].isin(keep)]
    wide = (
        rows.set_index(["nis_code", "name_fr", "geo_level", "year", "measure"])["value"]
        .unstack("measure")
        .reset_index()
    )
    out = pd.DataFrame(
        {
            "area": wide["nis_code"].astype(str),
            "area_name": wide["name_fr"].astype(str),
            "geo_level": wide["geo_level"].astype(str),
            "property_type": property_type,
            "period": wide["year"].astype(int),
            "value": wide["median_price"].astype(float),
            "n_transactions": wide.get("n_transactions", np.nan),
        }
    ).sort_values(["area", "period"], ignore_index=True)
    out.attrs["unit"] = "EUR (median sale price, nominal)"
    return out


def observatory_rents(
    rents: pd.DataFrame, *, measure: str = "mean_monthly_rent_all_dwellings"
) -> pd.DataFrame:
    """Tidy rent series from the Observatoire des loyers table (dataset ``rent_observatory``).

    Keeps rows with ``preferred == "yes"`` and a single survey year.

    Returns
    -------
    pandas.DataFrame
        ``area`` (NIS code), ``area_name``, ``period`` (survey year), ``value``
        (``rent_eur_month``, nominal).
    """
    check_columns(
        rents,
        ["survey_year", "geo_code", "geo_name", "measure", "value", "preferred"],
        source="rent_observatory",
    )
    check_choice("measure", measure, sorted(set(rents["measure"])))
    rows = rents[(rents["measure"] == measure) & (rents["preferred"] == "yes")]
    year = pd.to_numeric(rows["survey_year"], errors="coerce")
    rows = rows[year.notna()]
    out = pd.DataFrame(
        {
            "area": rows["geo_code"].astype(str),
            "area_name": rows["geo_name"].astype(str),
            "period": year[year.notna()].astype(int),
            "value": pd.to_numeric(rows["value"], errors="coerce").astype(float),
        }
    ).sort_values(["area", "period"], ignore_index=True)
    out.attrs["unit"] = "EUR/month (nominal)"
    return out
