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
from permanent_research.rents._base import check_tidy, check_year_in, format_years

__all__ = [
    "Deflator",
    "health_index_deflator",
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

PROPERTY_TYPES = ("appartementen", "alle_huizen", "huizen_23", "huizen_4plus")
MissingPolicy = Literal["raise", "drop"]


# --------------------------------------------------------------------------------------------
# Deflator
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Deflator:
    """Annual and monthly health index used to turn nominal euros into real euros.

    Attributes
    ----------
    annual
        Annual averages (index points) by calendar year, only for years with all 12 months.
    monthly
        Monthly values (index points) with a monthly ``PeriodIndex``.
    series, base
        Name of the series and its base (``"health_index"``, ``"2013=100"``).
    """

    annual: pd.Series
    monthly: pd.Series
    series: str = "health_index"
    base: str = "2013=100"
    months_required: int = field(default=12)

    @property
    def years(self) -> tuple[int, ...]:
        """Calendar years the deflator covers (annual average available)."""
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

    def to_frame(self) -> pd.DataFrame:
        """Annual averages: columns ``year``, ``index_points``, ``months``."""
        return pd.DataFrame(
            {
                "year": self.annual.index.astype(int),
                "index_points": self.annual.to_numpy(),
                "months": self.months_required,
            }
        )

    def summary(self) -> str:
        return (
            f"Deflator {self.series} (base {self.base}), annual averages of 12 monthly "
            f"values; covers {self.coverage()}"
        )

    def _repr_html_(self) -> str:
        return f"<p>{self.summary()}</p>" + self.to_frame().to_html(index=False)


def health_index_deflator(
    frame: pd.DataFrame, *, series: str = "health_index", base: str = "2013=100"
) -> Deflator:
    """Build a :class:`Deflator` from the health-index table (dataset ``health_index_cpi``).

    Parameters
    ----------
    frame
        Rows with columns ``series``, ``base``, ``year``, ``month`` and ``value`` (index points);
        other series and bases are ignored (bases are never mixed).
    series, base
        Which series and base to use. The bundled file has ``health_index`` base ``2013=100``
        for 2001, 2004–2005 and January 2015 – June 2026.

    Returns
    -------
    Deflator
        Annual averages for the years with all 12 months (2001, 2004, 2005, 2015–2025 in the
        bundled file; 2026 is partial and not covered).
    """
    check_columns(frame, ["series", "base", "year", "month", "value"], source="health index")
    rows = frame[(frame["series"] == series) & (frame["base"] == base)]
    if rows.empty:
        choices = sorted(
            {f"{s} / {b}" for s, b in zip(frame["series"], frame["base"], strict=True)}
        )
        raise ParameterError(
            f"series={series!r}, base={base!r} not in the health-index table; "
            f"available: {', '.join(choices)}"
        )
    rows = rows.dropna(subset=["year", "month", "value"])
    year = rows["year"].astype(int).to_numpy()
    month = rows["month"].astype(int).to_numpy()
    monthly = pd.Series(
        rows["value"].astype(float).to_numpy(),
        index=pd.PeriodIndex.from_fields(year=year, month=month, freq="M"),
        name=f"{series} ({base})",
    )
    if monthly.index.duplicated().any():
        dup = monthly.index[monthly.index.duplicated()]
        raise DataError(f"health index: duplicate month(s) {', '.join(map(str, dup[:5]))}")
    monthly = monthly.sort_index()
    counts = monthly.groupby(monthly.index.year).size()
    full = counts.index[counts == 12]
    annual = monthly.groupby(monthly.index.year).mean().loc[full]
    annual.index = annual.index.astype(int)
    annual.index.name = "year"
    return Deflator(annual=annual, monthly=monthly, series=series, base=base)


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
        From :func:`health_index_deflator`.
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
    equals :func:`price_index`.

    Returns
    -------
    pandas.DataFrame
        ``by`` columns, ``period``, ``link`` (relative to the previous year), ``n_strata`` and
        ``index`` (base year = 100).
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
    first = data.groupby(by)[period].min().reset_index() if by else None
    rows = []
    groups = links.groupby(by) if by else [((), links)]
    for key, part in groups:
        key = key if isinstance(key, tuple) else (key,)
        start = years.min() if first is None else first.set_index(by).loc[key, period]
        part = part.sort_values(period)
        chain = pd.DataFrame(
            {
                period: [start, *part[period]],
                "link": [np.nan, *part["link"]],
                "n_strata": [np.nan, *part["n_strata"]],
            }
        )
        chain = chain.drop_duplicates(period)
        chain["index"] = np.cumprod(chain["link"].fillna(1.0).to_numpy())
        if base_year not in set(chain[period]):
            raise ParameterError(
                f"base_year={base_year} has no link for group {key}; "
                f"years {format_years(chain[period])}"
            )
        chain["index"] = (
            100 * chain["index"] / chain.loc[chain[period] == base_year, "index"].iloc[0]
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
def resolve_communes(communes: str | Sequence[str], names: pd.DataFrame) -> list[str]:
    """Turn ``"all"`` or a list of NIS codes / names (FR or NL) into NIS codes.

    Parameters
    ----------
    communes
        ``"all"`` or codes/names such as ``["21004", "Ixelles", "Elsene"]``.
    names
        Frame with ``nis_code``, ``name_fr``, ``name_nl`` of the allowed communes.
    """
    check_columns(names, ["nis_code", "name_fr", "name_nl"], source="commune names")
    table = names.drop_duplicates("nis_code")
    codes = list(table["nis_code"].astype(str))
    if isinstance(communes, str):
        if communes == "all":
            return sorted(codes)
        communes = [communes]
    lookup = {code: code for code in codes}
    for code, fr, nl in table[["nis_code", "name_fr", "name_nl"]].itertuples(index=False):
        lookup[str(fr).casefold()] = str(code)
        lookup[str(nl).casefold()] = str(code)
    out: list[str] = []
    for item in communes:
        key = str(item).strip()
        code = lookup.get(key) or lookup.get(key.casefold())
        if code is None:
            raise ParameterError(
                f"communes: unknown commune {item!r}; use 'all' or NIS codes {min(codes)}–"
                f"{max(codes)} or names ({', '.join(sorted(table['name_fr'].astype(str)))})"
            )
        if code not in out:
            out.append(code)
    return out


def sales_medians(
    sales: pd.DataFrame,
    *,
    property_type: str = "appartementen",
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
