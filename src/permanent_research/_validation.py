"""Argument checks shared by the analysis modules (pyfixest-style closed option sets).

Each check raises :class:`~permanent_research.errors.ParameterError` or
:class:`~permanent_research.errors.DataError` with a one-line message that names the parameter
or column and the allowed values.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from permanent_research.errors import DataError, ParameterError

__all__ = [
    "check_choice",
    "check_in_range",
    "check_positive",
    "check_columns",
    "check_numeric_columns",
    "check_unique_key",
    "format_rows",
]


def format_rows(index: Iterable[Any], limit: int = 5) -> str:
    """Format row labels as ``"3, 7, 9 (and 12 more)"`` for error messages."""
    labels = list(index)
    shown = ", ".join(str(label) for label in labels[:limit])
    extra = len(labels) - limit
    return shown + (f" (and {extra} more)" if extra > 0 else "")


def check_choice(name: str, value: Any, allowed: Sequence[Any]) -> Any:
    """Return ``value`` if it is one of ``allowed``; otherwise raise naming the options."""
    if value not in allowed:
        options = ", ".join(repr(option) for option in allowed)
        raise ParameterError(f"{name}={value!r} is not allowed; choose one of {options}")
    return value


def check_in_range(
    name: str,
    value: float,
    low: float | None = None,
    high: float | None = None,
    *,
    low_inclusive: bool = True,
    high_inclusive: bool = True,
) -> float:
    """Return ``value`` if it lies in the interval; otherwise raise naming the interval."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ParameterError(f"{name}={value!r} is not a number") from None
    too_low = low is not None and (number < low if low_inclusive else number <= low)
    too_high = high is not None and (number > high if high_inclusive else number >= high)
    if np.isnan(number) or too_low or too_high:
        left = "[" if low_inclusive else "("
        right = "]" if high_inclusive else ")"
        interval = (
            f"{left}{'-inf' if low is None else low}, {'inf' if high is None else high}{right}"
        )
        raise ParameterError(f"{name}={value!r} is outside the allowed range {interval}")
    return number


def check_positive(name: str, value: float) -> float:
    """Return ``value`` if it is strictly positive."""
    return check_in_range(name, value, 0, None, low_inclusive=False)


def check_columns(frame: pd.DataFrame, required: Iterable[str], *, source: str = "data") -> None:
    """Raise if ``frame`` lacks any of the ``required`` columns."""
    missing = [column for column in required if column not in frame.columns]
    if missing:
        raise DataError(
            f"{source}: missing column(s) {', '.join(missing)}; "
            f"found {', '.join(map(str, frame.columns)) or 'no columns'}"
        )


def check_numeric_columns(
    frame: pd.DataFrame,
    columns: Iterable[str],
    *,
    source: str = "data",
    allow_missing: bool = False,
) -> None:
    """Raise if any of ``columns`` is non-numeric (or has missing values, unless allowed)."""
    for column in columns:
        values = frame[column]
        if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            raise DataError(f"{source}: column {column!r} must be numeric, found {values.dtype}")
        if not allow_missing and values.isna().any():
            rows = values.index[values.isna()]
            raise DataError(f"{source}: column {column!r} is missing in rows {format_rows(rows)}")


def check_unique_key(frame: pd.DataFrame, key: Sequence[str], *, source: str = "data") -> None:
    """Raise if rows repeat the same ``key`` combination."""
    duplicated = frame.duplicated(list(key), keep=False)
    if duplicated.any():
        raise DataError(
            f"{source}: duplicate ({', '.join(key)}) in rows "
            f"{format_rows(frame.index[duplicated])}"
        )
