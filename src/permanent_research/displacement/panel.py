"""The area-period table every displacement function reads, and builders for it.

An *area-period table* has one row per area and period (``"t0"`` and ``"t1"``, or years) and
one numeric column per input (see :data:`AREA_PERIOD_COLUMNS` and ``docs/displacement.md``).
:func:`build_area_period` assembles it from a long indicator table (one row per area, year,
indicator) with a year window per input; :func:`handle_flagged_rows` resolves rows that the
source flags as ambiguous duplicates or suspect ties, and reports what it did with them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from permanent_research._validation import (
    check_choice,
    check_columns,
    check_unique_key,
    format_rows,
)
from permanent_research.errors import DataError, ParameterError
from permanent_research.options import (
    DUPLICATE_POLICIES,
    TIE_POLICIES,
    DuplicatePolicy,
    TiePolicy,
)
from permanent_research.rents.indices import health_index_annual

__all__ = [
    "AREA_PERIOD_COLUMNS",
    "MONETARY_COLUMNS",
    "InputSpec",
    "validate_area_period",
    "build_area_period",
    "handle_flagged_rows",
    "annual_index",
]

#: Known input columns of the area-period table and their units.
AREA_PERIOD_COLUMNS: dict[str, str] = {
    "population": "persons",
    "median_income_eur": "EUR per year (per household, per tax return or equivalised)",
    "low_income_share_pct": "percent of residents or households with a low income",
    "median_rent_eur_month": "EUR per month",
    "median_value_eur": "EUR (median sale price or value)",
    "unemployment_rate_pct": "percent of the labour force",
    "social_housing_pct": "social dwellings per 100 households",
    "renter_share_pct": "percent of households renting",
    "college_share_pct": "percent of adults with a tertiary degree (ISCED 5-8)",
    "nonwhite_share_pct": "percent non-white / of foreign origin",
    "lowinc_inmover_share_pct": "percent of in-movers with a low income",
    "income_share_low_pct": "percent of households below 80% of the regional median",
    "income_share_moderate_pct": "percent of households at 80-120% of the regional median",
    "income_share_high_pct": "percent of households above 120% of the regional median",
}
#: Columns measured in money (deflated when a price index is supplied).
MONETARY_COLUMNS = ("median_income_eur", "median_rent_eur_month", "median_value_eur")


def validate_area_period(
    panel: pd.DataFrame, *, t0: object, t1: object, source: str = "area-period table"
) -> pd.DataFrame:
    """Check an area-period table and return it with ``area`` as string labels.

    Parameters
    ----------
    panel
        One row per ``area`` and ``period``; numeric input columns from
        :data:`AREA_PERIOD_COLUMNS` (missing values allowed: they give missing flags).
    t0, t1
        The two period labels compared (for example ``"t0"``/``"t1"`` or 2005/2022).

    Raises
    ------
    DataError
        Missing ``area``/``period`` column or value, duplicate area-period rows (areas compared
        as text), a period absent, a non-numeric, infinite or negative input value, or no known
        input column at all. Numeric text (``"21000"``) is accepted and converted.
    """
    check_columns(panel, ["area", "period"], source=source)
    for key in ("area", "period"):
        absent = panel[key].isna().to_numpy()
        if absent.any():
            raise DataError(
                f"{source}: column {key!r} is missing in rows {format_rows(panel.index[absent])}"
            )
    keys = pd.DataFrame({"area": panel["area"].astype(str), "period": panel["period"]})
    repeated = keys.duplicated(keep=False).to_numpy()
    if repeated.any():
        first = tuple(keys[repeated].iloc[0])
        raise DataError(
            f"{source}: duplicate area-period rows, e.g. area {first[0]!r} period {first[1]!r} "
            f"in rows {format_rows(panel.index[repeated])}; one row per area and period "
            "(areas are compared as text, so 1 and '1' are the same area)"
        )
    periods = set(panel["period"].unique())
    for label in (t0, t1):
        if label not in periods:
            raise DataError(
                f"{source}: period {label!r} not found; periods present: "
                f"{', '.join(map(repr, sorted(periods, key=str)))}"
            )
    known = [column for column in AREA_PERIOD_COLUMNS if column in panel.columns]
    if not known:
        raise DataError(
            f"{source}: no input column; expected some of {', '.join(AREA_PERIOD_COLUMNS)}"
        )
    converted: dict[str, pd.Series] = {}
    for column in known:
        raw = panel[column]
        if pd.api.types.is_bool_dtype(raw):
            raise DataError(f"{source}: column {column!r} must be numeric, found booleans")
        textual = raw.dtype == object or pd.api.types.is_string_dtype(raw)
        numeric = pd.to_numeric(raw, errors="coerce") if textual else raw
        if not pd.api.types.is_numeric_dtype(numeric):
            raise DataError(f"{source}: column {column!r} must be numeric, found {raw.dtype}")
        numeric = pd.Series(numeric, index=panel.index).astype("Float64")
        wrong = (raw.notna() & numeric.isna()).to_numpy(dtype=bool)
        if wrong.any():
            examples = ", ".join(repr(v) for v in raw[wrong].unique()[:3])
            raise DataError(
                f"{source}: column {column!r} is not numeric in rows "
                f"{format_rows(panel.index[wrong])} (values {examples}); use numbers in "
                f"{AREA_PERIOD_COLUMNS[column]}, leave unknown values empty"
            )
        infinite = np.isinf(numeric.to_numpy(dtype=float, na_value=np.nan))
        if infinite.any():
            raise DataError(
                f"{source}: column {column!r} is infinite in rows "
                f"{format_rows(panel.index[infinite])}"
            )
        negative = numeric.lt(0).fillna(False).to_numpy(dtype=bool)
        if negative.any():
            raise DataError(
                f"{source}: column {column!r} is negative in rows "
                f"{format_rows(panel.index[negative])}"
            )
        converted[column] = numeric.astype(float)
    out = panel.copy()
    out["area"] = out["area"].astype(str)
    for column, values in converted.items():
        out[column] = values
    return out


@dataclass(frozen=True)
class InputSpec:
    """Where one area-period column comes from in a long indicator table.

    Parameters
    ----------
    indicator
        Value of the long table's ``indicator`` column.
    t0_years, t1_years
        Years averaged for each period (available years only; see ``min_years``).
    min_years
        Fewest non-missing years a window needs; fewer gives a missing value.
    scale
        Factor applied to the value (for example 100 to turn a fraction into percent).
    """

    indicator: str
    t0_years: tuple[int, ...]
    t1_years: tuple[int, ...]
    min_years: int = 1
    scale: float = 1.0

    def __post_init__(self) -> None:
        if not self.t0_years or not self.t1_years:
            raise ParameterError(f"InputSpec({self.indicator!r}): t0_years and t1_years are empty")
        longest = min(len(self.t0_years), len(self.t1_years))
        if not 1 <= self.min_years <= longest:
            raise ParameterError(
                f"InputSpec({self.indicator!r}): min_years={self.min_years} "
                f"is outside [1, {longest}]"
            )


def annual_index(
    prices: pd.DataFrame,
    *more: pd.DataFrame,
    series: str = "health_index",
    base: str = "2013=100",
    value: str = "value",
) -> pd.Series:
    """Annual averages of a monthly price index (the deflator of :func:`build_area_period`).

    Only years with all 12 months are returned (a partial year would bias the average); a month
    given twice in one table is an error. Built by
    :func:`permanent_research.rents.health_index_annual` (the one builder of the annual health
    index), so the notebooks' deflators agree everywhere.

    Parameters
    ----------
    prices, *more
        ``load("health_index_cpi")`` and ``load("health_index_cpi_2006_2015")`` (or their join),
        optionally already filtered to one series; a frame without ``series``/``base`` columns
        is taken as one series on ``base``.
    series, base
        Series and base to average.
    value
        Name of the value column.

    Returns
    -------
    pandas.Series
        Index points by year (int index ``year``), named ``value``.
    """
    frames = []
    for frame in (prices, *more):
        frame = frame.rename(columns={value: "value"}) if value != "value" else frame
        if "series" not in frame.columns:
            frame = frame.assign(series=series)
        if "base" not in frame.columns:
            frame = frame.assign(base=base)
        frames.append(frame)
    return health_index_annual(*frames, series=series, base=base).rename(value)


def build_area_period(
    long: pd.DataFrame,
    spec: Mapping[str, InputSpec],
    *,
    area: str = "area",
    deflator: pd.Series | None = None,
    base_year: int | None = None,
    t0: str = "t0",
    t1: str = "t1",
) -> pd.DataFrame:
    """Assemble an area-period table from a long indicator table.

    Parameters
    ----------
    long
        One row per area, ``year`` and ``indicator`` with a numeric ``value`` (resolve
        duplicates first, e.g. with :func:`handle_flagged_rows`).
    spec
        Output column → :class:`InputSpec`; output columns must be known
        (:data:`AREA_PERIOD_COLUMNS`).
    area
        Name of the area column in ``long``.
    deflator
        Optional annual price index (year → index points). Monetary columns are converted to
        prices of ``base_year`` before averaging: ``real = nominal × I(base) / I(year)``.
    base_year
        Reference year of the real prices (default: the last year of the deflator).

    Returns
    -------
    pandas.DataFrame
        Columns ``area``, ``period`` and the spec's columns; ``attrs["years"]`` records the
        year windows and ``attrs["real_prices_of"]`` the base year (or ``None``).
    """
    check_columns(long, [area, "year", "indicator", "value"], source="long table")
    check_unique_key(long, [area, "year", "indicator"], source="long table")
    unknown = [column for column in spec if column not in AREA_PERIOD_COLUMNS]
    if unknown:
        raise ParameterError(
            f"spec: unknown column(s) {', '.join(unknown)}; "
            f"allowed: {', '.join(AREA_PERIOD_COLUMNS)}"
        )
    if deflator is not None:
        deflator = pd.Series(deflator, dtype=float)
        base_year = int(deflator.index.max()) if base_year is None else int(base_year)
        if base_year not in deflator.index:
            raise ParameterError(f"base_year={base_year} is not a year of the deflator")
    areas = pd.Index(sorted(long[area].astype(str).unique()), name="area")
    columns: dict[tuple[str, str], pd.Series] = {}
    for column, item in spec.items():
        rows = long[long["indicator"] == item.indicator]
        if rows.empty:
            raise DataError(f"long table: indicator {item.indicator!r} (for {column!r}) not found")
        values = rows.set_index([rows[area].astype(str), rows["year"].astype(int)])["value"]
        values = values.astype(float) * item.scale
        if deflator is not None and column in MONETARY_COLUMNS:
            years = values.index.get_level_values(1)
            needed = sorted(set(item.t0_years + item.t1_years) - set(deflator.index))
            if needed:
                raise DataError(
                    f"deflator: no index for year(s) {', '.join(map(str, needed))} "
                    f"(needed by {column!r})"
                )
            factor = deflator[base_year] / deflator.reindex(years).to_numpy()
            values = values * factor
        for label, years in ((t0, item.t0_years), (t1, item.t1_years)):
            window = values[values.index.get_level_values(1).isin(years)]
            grouped = window.groupby(level=0)
            mean = grouped.mean().where(grouped.count() >= item.min_years)
            columns[(label, column)] = mean.reindex(areas)
    frames = []
    for label in (t0, t1):
        part = pd.DataFrame({column: columns[(label, column)] for column in spec}, index=areas)
        part.insert(0, "period", label)
        frames.append(part.reset_index())
    table = pd.concat(frames, ignore_index=True)
    table.attrs["years"] = {
        column: {t0: list(item.t0_years), t1: list(item.t1_years)} for column, item in spec.items()
    }
    table.attrs["real_prices_of"] = base_year if deflator is not None else None
    return table




def handle_flagged_rows(
    long: pd.DataFrame,
    *,
    area: str = "area",
    duplicates: DuplicatePolicy = "exclude",
    tied: TiePolicy = "keep",
    flag: str = "flag",
    duplicate_prefix: str = "AMBIGUOUS_DUPLICATE",
    tied_flag: str = "SUSPECT_TIED_VALUE_ACROSS_QUARTIERS",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Resolve flagged rows of a long indicator table openly.

    Parameters
    ----------
    long
        Long table with ``area``, ``year``, ``indicator``, ``value`` and a ``flag`` column.
    duplicates
        ``"exclude"`` drops every row of an area that the source duplicates ambiguously (two
        rows with different data under one code); ``"mean"`` averages the duplicated values.
    tied
        ``"keep"`` keeps values flagged as suspect ties; ``"exclude"`` sets them missing, so
        every flag that needs them becomes missing.

    Returns
    -------
    (clean, report)
        ``clean`` has one row per area, year and indicator; ``report`` has one row per
        affected area and flag with the number of rows and the action taken.
    """
    check_choice("duplicates", duplicates, DUPLICATE_POLICIES)
    check_choice("tied", tied, TIE_POLICIES)
    check_columns(long, [area, "year", "indicator", "value", flag], source="long table")
    flags = long[flag].fillna("").astype(str)
    is_duplicate = flags.str.startswith(duplicate_prefix)
    is_tied = flags.eq(tied_flag)
    report_rows = []
    for (code, name), rows in long[is_duplicate].groupby([long[area], flags[is_duplicate]]):
        report_rows.append(
            {
                "area": code,
                "flag": name,
                "rows": len(rows),
                "action": "excluded" if duplicates == "exclude" else "averaged",
            }
        )
    for code, rows in long[is_tied].groupby(long[area]):
        report_rows.append(
            {
                "area": code,
                "flag": tied_flag,
                "rows": len(rows),
                "action": "set missing" if tied == "exclude" else "kept",
            }
        )
    clean = long.copy()
    if tied == "exclude":
        clean.loc[is_tied, "value"] = np.nan
    if duplicates == "exclude":
        ambiguous_areas = set(long.loc[is_duplicate, area])
        clean = clean[~clean[area].isin(ambiguous_areas)]
    else:
        keys = [area, "year", "indicator"]
        dup = clean.duplicated(keys, keep=False)
        averaged = (
            clean[dup]
            .groupby(keys, as_index=False)
            .agg(
                {
                    **{c: "first" for c in clean.columns if c not in keys + ["value"]},
                    "value": "mean",
                }
            )
        )
        clean = pd.concat([clean[~dup], averaged], ignore_index=True)
    clean = clean.reset_index(drop=True)
    remaining = clean.duplicated([area, "year", "indicator"], keep=False)
    if remaining.any():
        raise DataError(
            f"long table: {int(remaining.sum())} unflagged duplicate "
            f"({area}, year, indicator) rows"
        )
    report = pd.DataFrame(report_rows, columns=["area", "flag", "rows", "action"])
    return clean, report
