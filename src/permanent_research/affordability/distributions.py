"""One-dimensional distributions of money amounts (income or rent).

Distributions
-------------
:class:`Distribution` holds a one-dimensional distribution either as a piecewise-linear CDF
through given quantiles (``kind="interpolated"``) or as weighted microdata
(``kind="empirical"``). Quantiles below the first and above the last given probability are
unknown; unless ``floor``/``ceiling`` are given, the outermost segment is extended linearly to
probability 0 and 1 (the floor is clipped at 0). This tail rule is an **assumption** and matters
only for thresholds that fall in the tails; every result says which rule was used.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from permanent_research._validation import (
    check_choice,
    check_columns,
    check_in_range,
    check_numeric_columns,
    check_positive,
    format_rows,
)
from permanent_research.affordability._arrays import _positive_array, _scalar_or_array
from permanent_research.errors import DataError, ParameterError
from permanent_research.results import Result


# --------------------------------------------------------------------------------------------
# distributions
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Distribution(Result):
    """A univariate distribution of money amounts (income or rent).

    Attributes
    ----------
    kind
        ``"interpolated"``: CDF linear between the knots ``(values[k], probabilities[k])``
        with ``probabilities[0] = 0`` and ``probabilities[-1] = 1``.
        ``"empirical"``: point masses ``weights[k]`` (summing to 1) at sorted ``values[k]``.
    values
        Knots (interpolated) or support points (empirical), increasing, in ``unit``.
    probabilities
        Cumulative probabilities at the knots (interpolated) or point weights (empirical).
    unit
        ``"EUR/year"`` or ``"EUR/month"``.
    label
        Where it comes from.
    tails
        How the range beyond the given quantiles was set (for the record).
    """

    kind: Literal["interpolated", "empirical"]
    values: np.ndarray = field(repr=False)
    probabilities: np.ndarray = field(repr=False)
    unit: str
    label: str = ""
    tails: str = ""

    # -- basic functions ------------------------------------------------------------------
    def cdf(self, x) -> np.ndarray | float:
        """``P(X <= x)``."""
        x = np.asarray(x, dtype=float)
        if self.kind == "interpolated":
            out = np.interp(x, self.values, self.probabilities)
        else:
            cumulative = np.cumsum(self.probabilities)
            index = np.searchsorted(self.values, x, side="right")
            out = np.where(index > 0, cumulative[np.maximum(index - 1, 0)], 0.0)
        return _scalar_or_array(np.clip(out, 0.0, 1.0))

    def cdf_left(self, x) -> np.ndarray | float:
        """``P(X < x)`` (equals :meth:`cdf` for the continuous, interpolated kind)."""
        if self.kind == "interpolated":
            return self.cdf(x)
        x = np.asarray(x, dtype=float)
        cumulative = np.cumsum(self.probabilities)
        index = np.searchsorted(self.values, x, side="left")
        out = np.where(index > 0, cumulative[np.maximum(index - 1, 0)], 0.0)
        return _scalar_or_array(np.clip(out, 0.0, 1.0))

    def quantile(self, p) -> np.ndarray | float:
        """Inverse CDF ``inf{x : F(x) >= p}`` for ``p`` in [0, 1]."""
        p = np.asarray(p, dtype=float)
        if self.kind == "interpolated":
            return _scalar_or_array(np.interp(p, self.probabilities, self.values))
        cumulative = np.cumsum(self.probabilities)
        cumulative[-1] = 1.0
        index = np.searchsorted(cumulative, p - 1e-12, side="left")
        return _scalar_or_array(self.values[np.clip(index, 0, len(self.values) - 1)])

    def scaled(self, factor: float, unit: str | None = None) -> Distribution:
        """Distribution of ``factor * X`` (``factor > 0``)."""
        factor = check_positive("factor", factor)
        return Distribution(self.kind, self.values * factor, self.probabilities.copy(),
                            unit or self.unit, self.label, self.tails)

    def monthly(self) -> Distribution:
        """The same distribution in EUR/month (from EUR/year)."""
        if self.unit == "EUR/month":
            return self
        return self.scaled(1 / 12, "EUR/month")

    def annual(self) -> Distribution:
        """The same distribution in EUR/year (from EUR/month)."""
        if self.unit == "EUR/year":
            return self
        return self.scaled(12.0, "EUR/year")

    # -- pieces used by the coupling computations ------------------------------------------
    def _prob_breaks(self) -> np.ndarray:
        if self.kind == "interpolated":
            return self.probabilities
        return np.concatenate([[0.0], np.cumsum(self.probabilities)])

    def _quantile_ends(self, lo: np.ndarray, hi: np.ndarray, *, reverse: bool = False):
        """Quantile function at the two ends of probability cells (linear or constant inside)."""
        if reverse:
            lo, hi = 1.0 - lo, 1.0 - hi
        if self.kind == "interpolated":
            return (np.interp(lo, self.probabilities, self.values),
                    np.interp(hi, self.probabilities, self.values))
        middle = self.quantile((lo + hi) / 2)
        return middle, middle

    def to_frame(self) -> pd.DataFrame:
        """The knots (or support points) as a table."""
        name = "cumulative_probability" if self.kind == "interpolated" else "weight"
        return pd.DataFrame({"value": self.values, name: self.probabilities, "unit": self.unit})

    def summary(self) -> str:
        """One line: kind, unit, median and the 10–90 % range, and where it comes from."""
        q10, q50, q90 = (float(self.quantile(p)) for p in (0.1, 0.5, 0.9))
        label = f" ({self.label})" if self.label else ""
        return (f"{self.kind} distribution{label}, {self.unit}: median {q50:,.0f}, "
                f"10–90 % {q10:,.0f} – {q90:,.0f}; {len(self.values)} points")


def distribution_from_quantiles(
    quantiles: Mapping[float, float],
    *,
    unit: Literal["EUR/year", "EUR/month"] = "EUR/year",
    floor: float | None = None,
    ceiling: float | None = None,
    label: str = "",
    name: str = "quantiles",
) -> Distribution:
    """Build an interpolated distribution from quantiles ``{probability: value}``.

    Parameters
    ----------
    quantiles
        Probabilities in (0, 1) (e.g. ``{0.25: 500, 0.5: 660, 0.75: 800}``) mapped to values in
        ``unit``; values must be > 0 and strictly increasing with the probability.
    unit
        ``"EUR/year"`` or ``"EUR/month"``.
    floor, ceiling
        Values at probability 0 and 1. ``None``: extend the outermost segment linearly (floor
        clipped at 0); an assumption, recorded in ``tails``.
    name
        Parameter name used in error messages.

    Raises
    ------
    ParameterError
        Fewer than two quantiles, a probability outside (0, 1), a value <= 0 or missing, or
        values not strictly increasing.
    """
    check_choice("unit", unit, ("EUR/year", "EUR/month"))
    if len(quantiles) < 2:
        raise ParameterError(f"{name}: need at least 2 quantiles, got {len(quantiles)}")
    items = sorted((float(p), v) for p, v in quantiles.items())
    probs = np.array([p for p, _ in items])
    for p in probs:
        check_in_range(f"{name} probability", float(p), 0, 1, low_inclusive=False,
                       high_inclusive=False)
    values = np.array([np.nan if v is None else float(v) for _, v in items])
    if np.isnan(values).any():
        missing = [f"{p:g}" for p, v in zip(probs, values, strict=True) if np.isnan(v)]
        raise ParameterError(f"{name}: missing value at probability {', '.join(missing)}")
    _positive_array(name, values)
    steps = np.diff(values)
    if (steps <= 0).any():
        k = int(np.flatnonzero(steps <= 0)[0])
        raise ParameterError(
            f"{name} must be strictly increasing; P{probs[k + 1] * 100:g}={values[k + 1]:g} "
            f"<= P{probs[k] * 100:g}={values[k]:g}"
        )
    notes = []
    if floor is None:
        slope = (values[1] - values[0]) / (probs[1] - probs[0])
        floor = max(0.0, values[0] - slope * probs[0])
        notes.append("lower tail linear (floor clipped at 0)")
    else:
        floor = float(floor)
        notes.append(f"floor {floor:g}")
    if ceiling is None:
        slope = (values[-1] - values[-2]) / (probs[-1] - probs[-2])
        ceiling = values[-1] + slope * (1.0 - probs[-1])
        notes.append("upper tail linear")
    else:
        ceiling = float(ceiling)
        notes.append(f"ceiling {ceiling:g}")
    if not (floor < values[0]) or floor < 0:
        raise ParameterError(f"floor={floor:g} must be >= 0 and below the first quantile "
                             f"{values[0]:g}")
    if not ceiling > values[-1]:
        raise ParameterError(f"ceiling={ceiling:g} must be above the last quantile "
                             f"{values[-1]:g}")
    return Distribution(
        "interpolated",
        np.concatenate([[floor], values, [ceiling]]),
        np.concatenate([[0.0], probs, [1.0]]),
        unit,
        label,
        "; ".join(notes),
    )


def income_from_deciles(
    deciles_eur_year: Sequence[float],
    *,
    floor: float | None = None,
    ceiling: float | None = None,
    label: str = "",
) -> Distribution:
    """Income distribution from the nine decile cut points D1..D9 (EUR/year).

    The CDF is linear between deciles; see :func:`distribution_from_quantiles` for the tails.

    Raises
    ------
    ParameterError
        Not exactly nine values, a missing value, income <= 0, or deciles not increasing.
    """
    values = list(deciles_eur_year)
    if len(values) != 9:
        raise ParameterError(
            f"deciles_eur_year: expected 9 values D1..D9 (EUR/year), got {len(values)}"
        )
    quantiles = {round(0.1 * (k + 1), 1): v for k, v in enumerate(values)}
    return distribution_from_quantiles(quantiles, unit="EUR/year", floor=floor,
                                       ceiling=ceiling, label=label, name="deciles_eur_year")


def distribution_from_microdata(
    values,
    weights=None,
    *,
    unit: Literal["EUR/year", "EUR/month"] = "EUR/year",
    label: str = "",
    name: str = "values",
) -> Distribution:
    """Empirical (weighted) distribution of microdata values (> 0)."""
    check_choice("unit", unit, ("EUR/year", "EUR/month"))
    array = _positive_array(name, np.asarray(values, dtype=float).ravel())
    if array.size == 0:
        raise ParameterError(f"{name}: no values")
    w = np.ones_like(array) if weights is None else np.asarray(weights, dtype=float).ravel()
    if w.shape != array.shape or (~(w >= 0)).any() or w.sum() <= 0:
        raise ParameterError("weights must be >= 0, not all zero, one per value")
    order = np.argsort(array, kind="stable")
    sorted_values, sorted_weights = array[order], w[order]
    unique, inverse = np.unique(sorted_values, return_inverse=True)
    pooled = np.bincount(inverse, weights=sorted_weights)
    return Distribution("empirical", unique, pooled / pooled.sum(), unit, label, "empirical")


def deciles_from_frame(
    frame: pd.DataFrame,
    *,
    nis_code: str | None = None,
    year: int | None = None,
    source: str = "deciles",
) -> Distribution:
    """Income distribution from a researcher's decile table (schema in docs/affordability.md).

    The table has columns ``decile`` (1..9) and ``income_eur_year``, and optionally
    ``nis_code`` and ``year`` to select one commune and year.
    """
    check_columns(frame, ["decile", "income_eur_year"], source=source)
    subset = frame
    for column, value in (("nis_code", nis_code), ("year", year)):
        if value is None:
            continue
        check_columns(frame, [column], source=source)
        allowed = sorted(map(str, frame[column].dropna().unique()))
        mask = subset[column].astype(str) == str(value)
        if not mask.any():
            raise ParameterError(f"{column}={value!r} is not in {source}; "
                                 f"choose one of {', '.join(allowed)}")
        subset = subset[mask]
    check_numeric_columns(subset, ["decile", "income_eur_year"], source=source)
    outside = ~subset["decile"].isin(range(1, 10))
    if outside.any():
        raise DataError(f"{source}: column 'decile' must be a whole number 1..9 (the cut points "
                        f"D1..D9); not so in rows {format_rows(subset.index[outside])}")
    present = set(subset["decile"].astype(int))
    missing = sorted(set(range(1, 10)) - present)
    if missing:
        raise DataError(f"{source}: decile(s) {', '.join(map(str, missing))} missing; "
                        "need deciles 1..9")
    if subset["decile"].duplicated().any():
        rows = subset.index[subset["decile"].duplicated(keep=False)]
        hint = [c for c in ("nis_code", "year") if c in subset and subset[c].nunique() > 1]
        raise DataError(f"{source}: duplicate decile in rows {format_rows(rows)}"
                        + (f"; select one with {', '.join(f'{c}=' for c in hint)}"
                           if hint else ""))
    ordered = subset.sort_values("decile")
    income = ordered["income_eur_year"]
    if (income <= 0).any():
        raise DataError(f"{source}: column 'income_eur_year' must be > 0 (income <= 0 is not "
                        f"allowed); not so in rows {format_rows(ordered.index[income <= 0])}")
    falling = income.diff() <= 0
    if falling.any():
        raise DataError(f"{source}: column 'income_eur_year' must increase strictly with "
                        f"'decile'; not so in rows {format_rows(ordered.index[falling])}")
    return income_from_deciles(ordered["income_eur_year"].to_numpy(),
                               label=f"{source} {nis_code or ''} {year or ''}".strip())
