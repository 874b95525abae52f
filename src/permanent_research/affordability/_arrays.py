"""Array validation shared by the affordability functions (money amounts in EUR)."""

from __future__ import annotations

import numpy as np

from permanent_research._validation import (
    format_rows,
)
from permanent_research.errors import ParameterError


def _positive_array(name: str, values) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    bad = ~(array > 0)
    if bad.any():
        if array.ndim == 0:
            raise ParameterError(f"{name}={float(array)!r} must be > 0 (EUR)")
        rows = np.flatnonzero(bad.ravel())
        raise ParameterError(
            f"{name} must be > 0 (EUR); not so at positions {format_rows(rows)}"
        )
    return array


def _nonnegative_array(name: str, values) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    if (~(array >= 0)).any():
        raise ParameterError(f"{name} must be >= 0 (EUR) and not missing")
    return array


def _scalar_or_array(array: np.ndarray):
    return float(array) if array.ndim == 0 else array
