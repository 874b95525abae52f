"""Shared helpers of the rents subpackage: result mixin, tidy-frame checks, year formatting."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from permanent_research._validation import check_columns, check_numeric_columns
from permanent_research.errors import DataError, ParameterError
from permanent_research.results import Result

__all__ = ["ResultMixin", "format_years", "check_tidy", "check_year_in"]


class ResultMixin(Result):
    """Base of the rents results: the package's :class:`~permanent_research.results.Result`."""


def format_years(years: Iterable[int]) -> str:
    """Format sorted years compactly: ``2001, 2004–2005, 2015–2025``."""
    values = sorted({int(y) for y in years})
    if not values:
        return "none"
    runs: list[str] = []
    start = previous = values[0]
    for year in values[1:] + [None]:  # type: ignore[list-item]
        if year is not None and year == previous + 1:
            previous = year
            continue
        runs.append(str(start) if start == previous else f"{start}–{previous}")
        if year is not None:
            start = previous = year
    return ", ".join(runs)


def check_tidy(
    frame: pd.DataFrame,
    *,
    by: Sequence[str],
    period: str,
    value: str,
    source: str,
    allow_missing_value: bool = True,
) -> None:
    """Check a tidy index frame: columns present, numeric period/value, unique (by, period)."""
    if not isinstance(frame, pd.DataFrame):
        raise DataError(f"{source}: expected a pandas DataFrame, got {type(frame).__name__}")
    check_columns(frame, [*by, period, value], source=source)
    check_numeric_columns(frame, [period], source=source)
    check_numeric_columns(frame, [value], source=source, allow_missing=allow_missing_value)
    if (frame[value].dropna() <= 0).any():
        rows = frame.index[frame[value] <= 0]
        raise DataError(
            f"{source}: column {value!r} must be > 0 (prices, rents), rows {list(rows[:5])}"
        )
    duplicated = frame.duplicated([*by, period], keep=False)
    if duplicated.any():
        rows = list(frame.index[duplicated][:5])
        raise DataError(f"{source}: duplicate ({', '.join([*by, period])}) in rows {rows}")


def check_year_in(
    name: str, year: int, available: Iterable[int], *, what: str = "the data"
) -> int:
    """Return ``year`` if it is among ``available``; else raise naming the available years."""
    years = sorted({int(y) for y in available})
    try:
        number = int(year)
    except (TypeError, ValueError):
        raise ParameterError(f"{name}={year!r} is not a year") from None
    if number != year or number not in years:
        raise ParameterError(
            f"{name}={year!r} is outside {what}; available years: {format_years(years)}"
        )
    return number


def as_float_array(values: pd.Series) -> np.ndarray:
    return np.asarray(values, dtype="float64")
