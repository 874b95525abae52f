"""Affordability: effort rates, threshold shares, bounds from marginals, residual income, ratios.

Notation (METHODS §4): ``H`` housing cost, ``Y`` income, ``A`` housing allowances, ``a`` the
threshold (a fraction in (0, 1): 0.30 HUD, 0.33 the Brussels norm, 0.40 Eurostat). Money is in
nominal euros; the unit is in every name (``_eur_month``, ``_eur_year``, ``_eur_m2_month``).
Incomes given as distributions (deciles, quantiles, microdata) are **annual** (EUR/year, as
Statbel publishes them); housing costs are **monthly** (EUR/month).

Distributions
-------------
:class:`Distribution` holds a one-dimensional distribution either as a piecewise-linear CDF
through given quantiles (``kind="interpolated"``) or as weighted microdata
(``kind="empirical"``). Quantiles below the first and above the last given probability are
unknown; unless ``floor``/``ceiling`` are given, the outermost segment is extended linearly to
probability 0 and 1 (the floor is clipped at 0). This tail rule is an **assumption** and matters
only for thresholds that fall in the tails; every result says which rule was used.

Bounds when only the marginals are known (METHODS §4 "From deciles", step 3)
-----------------------------------------------------------------------------
The share of households with ``R > a Y / 12`` depends on how rents and incomes are paired.
With only the two marginal distributions, the sharp bounds over *all* pairings are the
Makarov (1981) / Frank, Nelsen & Schweizer (1987) bounds. With ``X = a Y / 12`` and
``G(t) = P(R > t) + P(X < t)``::

    lower = max(0, sup_t G(t) - 1)        upper = min(1, inf_t G(t))

For two equally weighted samples of n households these are exactly the minimum and the maximum
over all n! pairings (Birkhoff: the extreme couplings are permutations; Hall's theorem gives
the maximum matching for nested neighbourhoods); ``tests/unit/test_affordability.py`` checks
this by brute force.

**Deviation from METHODS §4 step 3.** METHODS says rank-to-rank pairing (richest in the dearest
homes) gives the lower bound and anti-monotone pairing the upper bound. That is not true in
general: with incomes {1, 2}, rents {1.5, 2.5} and a = 1, rank-to-rank pairing burdens both
households (the maximum) and the anti-monotone pairing only one. The two pairings are
reported as *dependence scenarios* (``comonotone``, ``countermonotone``, and ``independent``),
always inside the sharp bounds, but the bounds are the Makarov ones.
"""

from __future__ import annotations

import html
import math
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
from permanent_research.errors import DataError, ParameterError
from permanent_research.rents.indices import resolve_communes as _resolve_communes

__all__ = [
    "BRUSSELS_NORM",
    "STANDARD_THRESHOLDS",
    "REFERENCE_BUDGETS",
    "ReferenceBudget",
    "DEMOGRAPHIA_CLASSES",
    "Distribution",
    "distribution_from_quantiles",
    "income_from_deciles",
    "distribution_from_microdata",
    "deciles_from_frame",
    "check_threshold",
    "effort_rate",
    "share_above_threshold",
    "share_above_threshold_microdata",
    "BurdenBounds",
    "burden_bounds",
    "residual_income",
    "price_to_income",
    "rent_to_income",
    "demographia_class",
    "MortgageTerms",
    "mortgage_payment",
    "max_affordable_rent",
    "max_affordable_price",
    "DecileAffordability",
    "affordable_by_decile",
    "StudioAffordability",
    "studio_affordability",
    "resolve_communes",
    "commune_income",
    "fiscal_income_per_declaration",
    "CommuneAffordability",
    "commune_affordability",
    "check_notebook_parameters",
]

BRUSSELS_NORM = 0.33
"""Brussels affordability norm: housing cost at most a third of net income (METHODS §4)."""

STANDARD_THRESHOLDS = (0.30, 0.33, 0.40)
"""HUD cost burden (30 %), Brussels norm (33 %), Eurostat overburden (40 %)."""


@dataclass(frozen=True)
class ReferenceBudget:
    """A Belgian reference budget for a decent life (total, all needs, EUR/month).

    ``housing_share`` is the part of the budget that is housing; the non-housing budget is
    ``eur_month * (1 - housing_share)``.
    """

    household: str
    eur_month: float
    housing_share: float
    source: str
    note: str

    @property
    def non_housing_eur_month(self) -> float:
        """Non-housing part of the budget, EUR/month."""
        return self.eur_month * (1.0 - self.housing_share)


_BUDGET_SOURCE = "http://menswaardiginkomen.be/en_totaal.php (via METHODS §4)"
REFERENCE_BUDGETS: dict[str, ReferenceBudget] = {
    "single": ReferenceBudget(
        "single", 980.0, 0.45, _BUDGET_SOURCE,
        "[U: year] reference year of the budget not stated; housing about 45 % of the total",
    ),
    "couple_2_children": ReferenceBudget(
        "couple_2_children", 2151.0, 0.45, _BUDGET_SOURCE,
        "[U: year] reference year of the budget not stated; housing about 45 % of the total",
    ),
}
"""Belgian reference budgets (sourced parameters, reference year uncertain)."""

DEMOGRAPHIA_CLASSES = (
    (3.0, "affordable"),
    (4.0, "moderately unaffordable"),
    (5.0, "seriously unaffordable"),
    (math.inf, "severely unaffordable"),
)
"""Demographia median-multiple classes (upper limits, inclusive) [U], METHODS §4."""


# --------------------------------------------------------------------------------------------
# validation helpers
# --------------------------------------------------------------------------------------------
def check_threshold(threshold: float, name: str = "threshold") -> float:
    """Return ``threshold`` if it lies in the open interval (0, 1); raise otherwise."""
    return check_in_range(name, threshold, 0, 1, low_inclusive=False, high_inclusive=False)


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


# --------------------------------------------------------------------------------------------
# distributions
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Distribution:
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


# --------------------------------------------------------------------------------------------
# effort rates and threshold shares
# --------------------------------------------------------------------------------------------
def effort_rate(
    housing_cost_eur_month,
    income_eur_month,
    *,
    allowances_eur_month=0.0,
    variant: Literal["simple", "eurostat"] = "simple",
):
    """Housing-cost effort rate (a fraction, not a percentage).

    ``"simple"``: ``H / Y`` (HUD cost burden, Brussels norm). ``"eurostat"``:
    ``(H - A) / (Y - A)`` with allowances ``A`` (the Eurostat housing-cost overburden ratio;
    ``Y`` disposable income).

    Parameters
    ----------
    housing_cost_eur_month
        H, EUR/month (>= 0); scalar or array.
    income_eur_month
        Y, EUR/month (> 0); scalar or array.
    allowances_eur_month
        A, EUR/month (>= 0); only used by the Eurostat variant.
    variant
        ``"simple"`` or ``"eurostat"``.

    Returns
    -------
    float or numpy.ndarray
        The effort rate (0.47 means 47 % of income).
    """
    check_choice("variant", variant, ("simple", "eurostat"))
    h = _nonnegative_array("housing_cost_eur_month", housing_cost_eur_month)
    y = _positive_array("income_eur_month", income_eur_month)
    if variant == "simple":
        return _scalar_or_array(h / y)
    a = _nonnegative_array("allowances_eur_month", allowances_eur_month)
    if (~(y - a > 0)).any():
        raise ParameterError("allowances_eur_month must be below income_eur_month "
                             "(eurostat variant divides by Y - A)")
    return _scalar_or_array((h - a) / (y - a))


def share_above_threshold(
    income: Distribution,
    housing_cost_eur_month,
    threshold: float = BRUSSELS_NORM,
):
    """Share of households whose cost ``H`` exceeds ``threshold`` × income, for a fixed ``H``.

    ``P(H / (Y/12) > a) = P(Y < 12 H / a)``: every household pays the same ``H`` (e.g. the
    median rent); for a distribution of rents use :func:`burden_bounds`.

    Parameters
    ----------
    income
        Income distribution (EUR/year or EUR/month; converted).
    housing_cost_eur_month
        H, EUR/month (scalar or array).
    threshold
        a in (0, 1).
    """
    a = check_threshold(threshold)
    h = _nonnegative_array("housing_cost_eur_month", housing_cost_eur_month)
    monthly = income.monthly()
    return _scalar_or_array(np.asarray(monthly.cdf_left(h / a), dtype=float))


MICRODATA_COLUMNS = ("income_eur_month", "housing_cost_eur_month")


def share_above_threshold_microdata(
    frame: pd.DataFrame,
    threshold: float = BRUSSELS_NORM,
    *,
    variant: Literal["simple", "eurostat"] = "simple",
    by: str | Sequence[str] | None = None,
    source: str = "microdata",
) -> pd.DataFrame:
    """Weighted share of households above ``threshold`` from household microdata.

    Schema (docs/affordability.md): ``income_eur_month`` (> 0), ``housing_cost_eur_month``
    (>= 0), optional ``allowances_eur_month`` (default 0) and ``weight`` (default 1).
    A household is counted when its effort rate is strictly above ``threshold``.

    Returns
    -------
    pandas.DataFrame
        One row per group (or one row): ``households`` (count), ``weight``,
        ``share_above`` (fraction), ``median_effort_rate``.
    """
    a = check_threshold(threshold)
    check_columns(frame, MICRODATA_COLUMNS, source=source)
    check_numeric_columns(frame, MICRODATA_COLUMNS, source=source)
    income = frame["income_eur_month"]
    if (income <= 0).any():
        raise DataError(f"{source}: column 'income_eur_month' must be > 0; not so in rows "
                        f"{format_rows(frame.index[income <= 0])}")
    allowances = frame["allowances_eur_month"] if "allowances_eur_month" in frame else 0.0
    rates = effort_rate(frame["housing_cost_eur_month"].to_numpy(), income.to_numpy(),
                        allowances_eur_month=np.asarray(allowances, dtype=float),
                        variant=variant)
    weights = frame["weight"].to_numpy(dtype=float) if "weight" in frame else np.ones(len(frame))
    work = pd.DataFrame({"rate": rates, "w": weights, "above": (rates > a) * weights},
                        index=frame.index)
    keys = [by] if isinstance(by, str) else list(by or [])
    if keys:
        check_columns(frame, keys, source=source)
        for key in keys:
            work[key] = frame[key]
        groups = work.groupby(keys, sort=True)
        out = groups.agg(households=("w", "size"), weight=("w", "sum"),
                         above=("above", "sum"), median_effort_rate=("rate", "median"))
        out = out.reset_index()
    else:
        out = pd.DataFrame({"households": [len(work)], "weight": [work["w"].sum()],
                            "above": [work["above"].sum()],
                            "median_effort_rate": [float(np.median(rates))]})
    out["share_above"] = out.pop("above") / out["weight"]
    out["threshold"] = a
    out["variant"] = variant
    return out


# --------------------------------------------------------------------------------------------
# bounds from marginals
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class BurdenBounds:
    """Share of households with rent above ``threshold`` × income, from marginals only.

    ``lower``/``upper`` are the sharp bounds over all pairings of rents with incomes; the
    three scenarios are particular pairings (all fractions in [0, 1]).
    """

    threshold: float
    lower: float
    upper: float
    comonotone: float
    countermonotone: float
    independent: float
    income_label: str = ""
    rent_label: str = ""

    def to_frame(self) -> pd.DataFrame:
        """One row per quantity (``measure``, ``share``)."""
        return pd.DataFrame({
            "measure": ["lower_bound", "upper_bound", "comonotone (rank-to-rank)",
                        "countermonotone (poorest in dearest)", "independent"],
            "share": [self.lower, self.upper, self.comonotone, self.countermonotone,
                      self.independent],
            "threshold": self.threshold,
        })

    def summary(self) -> str:
        """One paragraph in words."""
        return (
            f"Share of households paying more than {self.threshold:.0%} of income on rent: "
            f"between {self.lower:.1%} and {self.upper:.1%} (sharp bounds from the marginals); "
            f"rank-to-rank pairing {self.comonotone:.1%}, poorest-in-dearest "
            f"{self.countermonotone:.1%}, independence {self.independent:.1%}."
        )

    def _repr_html_(self) -> str:
        return f"<p>{html.escape(self.summary())}</p>" + self.to_frame().to_html(index=False)


def _coupling_share(rent: Distribution, x: Distribution, *, reverse: bool) -> float:
    """Probability that ``Q_R(U) > Q_X(U)`` (or ``Q_R(1-U) > Q_X(U)``), computed exactly."""
    rent_breaks = rent._prob_breaks()
    if reverse:
        rent_breaks = 1.0 - rent_breaks
    breaks = np.unique(np.clip(np.concatenate([rent_breaks, x._prob_breaks(), [0.0, 1.0]]),
                               0.0, 1.0))
    lo, hi = breaks[:-1], breaks[1:]
    keep = hi - lo > 1e-15
    lo, hi = lo[keep], hi[keep]
    r_lo, r_hi = rent._quantile_ends(lo, hi, reverse=reverse)
    x_lo, x_hi = x._quantile_ends(lo, hi)
    d_lo, d_hi = r_lo - x_lo, r_hi - x_hi
    length = hi - lo
    both = (d_lo > 0) & (d_hi > 0)
    crossing = (d_lo > 0) != (d_hi > 0)
    positive = np.where(d_lo > 0, d_lo, d_hi)
    with np.errstate(divide="ignore", invalid="ignore"):
        fraction = np.where(crossing, positive / np.abs(d_hi - d_lo), 0.0)
    return float(np.sum(length * both) + np.sum(length * crossing * fraction))


def _independent_share(rent: Distribution, x: Distribution) -> float:
    """``P(R > X)`` with R and X independent: ``E[F_X(R-)]``."""
    if rent.kind == "empirical":
        return float(np.sum(rent.probabilities * np.asarray(x.cdf_left(rent.values))))
    breaks = np.unique(np.concatenate([rent.probabilities,
                                       np.atleast_1d(rent.cdf(x.values))]))
    lo, hi = breaks[:-1], breaks[1:]
    if x.kind == "interpolated":  # F_X∘Q_R is linear on each cell: trapezoid rule is exact
        values = np.asarray(x.cdf(rent.quantile(breaks)))
        return float(np.sum((hi - lo) * (values[:-1] + values[1:]) / 2))
    middle = np.asarray(x.cdf_left(rent.quantile((lo + hi) / 2)))  # constant inside a cell
    return float(np.sum((hi - lo) * middle))


def burden_bounds(
    income: Distribution,
    rent: Distribution,
    threshold: float = BRUSSELS_NORM,
) -> BurdenBounds:
    """Bounds on the share of households paying more than ``threshold`` of income on rent.

    Parameters
    ----------
    income
        Income distribution (annual or monthly; converted to EUR/month).
    rent
        Rent distribution, EUR/month (e.g. the observatory quartiles 500 / 660 / 800).
    threshold
        a in (0, 1).

    Returns
    -------
    BurdenBounds
        Sharp (Makarov) lower and upper bounds over all pairings, plus the rank-to-rank,
        poorest-in-dearest and independent pairings. See the module docstring.
    """
    a = check_threshold(threshold)
    rent = rent.monthly()
    x = income.monthly().scaled(a, "EUR/month")  # the highest affordable rent a*Y/12
    knots = np.unique(np.concatenate([rent.values, x.values]))
    gaps = (knots[:-1] + knots[1:]) / 2
    grid = np.concatenate([knots, gaps, [knots[0] - 1.0, knots[-1] + 1.0]])
    survival = 1.0 - np.asarray(rent.cdf(grid))
    # R > X  implies  R > t or X < t;   R > t >= X  implies  R > X   (for every t)
    upper = min(1.0, float((survival + np.asarray(x.cdf_left(grid))).min()))
    lower = max(0.0, float((survival + np.asarray(x.cdf(grid))).max()) - 1.0)
    return BurdenBounds(
        threshold=a,
        lower=lower,
        upper=upper,
        comonotone=_coupling_share(rent, x, reverse=False),
        countermonotone=_coupling_share(rent, x, reverse=True),
        independent=_independent_share(rent, x),
        income_label=income.label,
        rent_label=rent.label,
    )


# --------------------------------------------------------------------------------------------
# residual income and ratios
# --------------------------------------------------------------------------------------------
def residual_income(
    income_eur_month,
    housing_cost_eur_month,
    *,
    household: str | None = "single",
    non_housing_budget_eur_month: float | None = None,
):
    """Residual income ``Y - H - B_nonhousing`` (EUR/month; negative = unaffordable, Stone 2006).

    Parameters
    ----------
    income_eur_month, housing_cost_eur_month
        Y (> 0) and H (>= 0), EUR/month; scalars or arrays.
    household
        A key of :data:`REFERENCE_BUDGETS` (``"single"``, ``"couple_2_children"``); its
        non-housing part (55 % of the total) is ``B_nonhousing``. Ignored when
        ``non_housing_budget_eur_month`` is given.
    non_housing_budget_eur_month
        Explicit non-housing budget, EUR/month (>= 0).
    """
    y = _positive_array("income_eur_month", income_eur_month)
    h = _nonnegative_array("housing_cost_eur_month", housing_cost_eur_month)
    if non_housing_budget_eur_month is None:
        check_choice("household", household, tuple(REFERENCE_BUDGETS))
        budget = REFERENCE_BUDGETS[household].non_housing_eur_month
    else:
        budget = float(_nonnegative_array("non_housing_budget_eur_month",
                                          non_housing_budget_eur_month))
    return _scalar_or_array(y - h - budget)


def price_to_income(price_eur, income_eur_year):
    """Price-to-income ratio (years of income): ``price / annual income``."""
    p = _positive_array("price_eur", price_eur)
    y = _positive_array("income_eur_year", income_eur_year)
    return _scalar_or_array(p / y)


def rent_to_income(rent_eur_month, income_eur_year):
    """Rent-to-income ratio: ``12 * monthly rent / annual income`` (a fraction)."""
    r = _nonnegative_array("rent_eur_month", rent_eur_month)
    y = _positive_array("income_eur_year", income_eur_year)
    return _scalar_or_array(12.0 * r / y)


def demographia_class(ratio: float) -> str:
    """Demographia class of a price-to-income (median multiple) ratio [U]."""
    value = check_positive("ratio", ratio)
    for limit, name in DEMOGRAPHIA_CLASSES:
        if round(value, 1) <= limit:
            return name
    return DEMOGRAPHIA_CLASSES[-1][1]  # pragma: no cover


@dataclass(frozen=True)
class MortgageTerms:
    """Mortgage assumptions for the highest affordable price.

    Attributes
    ----------
    rate_per_year
        Nominal annual interest rate (0.035 = 3.5 %), compounded monthly. Default an assumption.
    term_years
        Loan term, years.
    down_payment_share
        Share of the price paid from savings (0.10 = 10 %), in [0, 1).
    """

    rate_per_year: float = 0.035
    term_years: int = 25
    down_payment_share: float = 0.10

    def __post_init__(self) -> None:
        check_in_range("rate_per_year", self.rate_per_year, 0, 1)
        check_in_range("term_years", self.term_years, 1, 60)
        check_in_range("down_payment_share", self.down_payment_share, 0, 1,
                       high_inclusive=False)

    def annuity_factor(self) -> float:
        """Loan principal per euro of monthly payment."""
        i = self.rate_per_year / 12
        n = 12 * self.term_years
        return float(n) if i == 0 else (1.0 - (1.0 + i) ** (-n)) / i


def mortgage_payment(principal_eur: float, terms: MortgageTerms | None = None) -> float:
    """Monthly annuity payment (EUR/month) on a loan of ``principal_eur``."""
    terms = terms or MortgageTerms()
    return float(_nonnegative_array("principal_eur", principal_eur)) / terms.annuity_factor()


def max_affordable_rent(income_eur_year, threshold: float = BRUSSELS_NORM):
    """Highest affordable rent ``R* = a * y / 12`` (EUR/month) for an annual income ``y``."""
    a = check_threshold(threshold)
    return _scalar_or_array(a * _positive_array("income_eur_year", income_eur_year) / 12.0)


def max_affordable_price(
    income_eur_year,
    threshold: float = BRUSSELS_NORM,
    terms: MortgageTerms | None = None,
):
    """Highest affordable purchase price (EUR) when the mortgage payment is ``a * y / 12``.

    ``price = annuity_factor * a * y / 12 / (1 - down_payment_share)``; purchase costs
    (registration duties, notary) and property tax are ignored.
    """
    terms = terms or MortgageTerms()
    payment = np.asarray(max_affordable_rent(income_eur_year, threshold))
    return _scalar_or_array(payment * terms.annuity_factor() / (1.0 - terms.down_payment_share))


@dataclass(frozen=True)
class DecileAffordability:
    """Highest affordable rent and price per income group (see :func:`affordable_by_decile`)."""

    table: pd.DataFrame = field(repr=False)
    threshold: float
    terms: MortgageTerms
    income_label: str = ""
    rent_label: str = ""

    def to_frame(self) -> pd.DataFrame:
        """The table (one row per decile)."""
        return self.table.copy()

    def summary(self) -> str:
        """One sentence per end of the distribution."""
        first, last = self.table.iloc[0], self.table.iloc[-1]
        text = (f"At {self.threshold:.0%} of income, {first['group']} can afford "
                f"{first['max_rent_eur_month']:,.0f} EUR/month and {last['group']} "
                f"{last['max_rent_eur_month']:,.0f} EUR/month")
        if "share_of_rents_affordable" in self.table:
            text += (f"; that is {first['share_of_rents_affordable']:.0%} and "
                     f"{last['share_of_rents_affordable']:.0%} of the rents ({self.rent_label})")
        return text + "."

    def _repr_html_(self) -> str:
        return f"<p>{html.escape(self.summary())}</p>" + self.table.to_html(index=False)


def affordable_by_decile(
    income: Distribution | Sequence[float],
    threshold: float = BRUSSELS_NORM,
    *,
    rent: Distribution | None = None,
    terms: MortgageTerms | None = None,
    probabilities: Sequence[float] = tuple(round(0.1 * k, 1) for k in range(1, 10)),
) -> DecileAffordability:
    """Highest affordable rent and price for each income quantile (METHODS §4, steps 1–2).

    Parameters
    ----------
    income
        Income distribution, or the nine deciles D1..D9 (EUR/year).
    threshold
        a in (0, 1).
    rent
        Optional rent distribution (EUR/month): adds ``share_of_rents_affordable`` =
        ``F_R(R*_d)``.
    terms
        Mortgage assumptions for the price.
    probabilities
        Which income quantiles (default the deciles 0.1 … 0.9).
    """
    a = check_threshold(threshold)
    terms = terms or MortgageTerms()
    if not isinstance(income, Distribution):
        income = income_from_deciles(income)
    probs = np.asarray(probabilities, dtype=float)
    y = np.asarray(income.annual().quantile(probs), dtype=float)
    table = pd.DataFrame({
        "group": [f"P{p * 100:g}" for p in probs],
        "probability": probs,
        "income_eur_year": y,
        "max_rent_eur_month": max_affordable_rent(y, a),
        "max_price_eur": max_affordable_price(y, a, terms),
    })
    if rent is not None:
        if not hasattr(rent, "monthly"):
            raise ParameterError(
                f"rent={rent!r} must be a rent distribution (EUR/month), e.g. "
                "distribution_from_quantiles({0.25: 500, 0.5: 660, 0.75: 800}, unit='EUR/month')"
            )
        table["share_of_rents_affordable"] = np.asarray(rent.monthly().cdf(
            table["max_rent_eur_month"].to_numpy()))
    return DecileAffordability(table, a, terms, income.label,
                               rent.label if rent is not None else "")


# --------------------------------------------------------------------------------------------
# artists' studios
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class StudioAffordability:
    """Studio cost against artists' incomes (see :func:`studio_affordability`)."""

    table: pd.DataFrame = field(repr=False)
    by_quantile: pd.DataFrame = field(repr=False)
    studio_m2: float
    threshold: float
    income_label: str = ""

    def to_frame(self) -> pd.DataFrame:
        """One row per cost scenario."""
        return self.table.copy()

    def summary(self) -> str:
        """One sentence per scenario."""
        parts = [
            f"{row.scenario}: {row.cost_eur_month:,.0f} EUR/month for {self.studio_m2:g} m2, "
            f"{row.share_of_median_income:.0%} of the median artist's income, "
            f"{row.share_above:.0%} of artists above {self.threshold:.0%}"
            for row in self.table.itertuples()
        ]
        return "; ".join(parts) + "."

    def _repr_html_(self) -> str:
        return f"<p>{html.escape(self.summary())}</p>" + self.table.to_html(index=False)


def studio_affordability(
    cost_eur_m2_month: float | Mapping[str, float],
    *,
    studio_m2: float,
    artist_income: Distribution,
    threshold: float,
    probabilities: Sequence[float] = (0.25, 0.5, 0.75),
) -> StudioAffordability:
    """Affordability of an artist's studio: cost per m² per month against artists' incomes.

    Parameters
    ----------
    cost_eur_m2_month
        Studio cost, EUR per m² per month; one value or ``{scenario: value}``.
    studio_m2
        Studio floor area, m² (> 0).
    artist_income
        Distribution of artists' incomes (EUR/year or EUR/month). No bundled data: a
        documented assumption of the caller.
    threshold
        Share of income the studio may take, in (0, 1) (an assumption of the caller).
    probabilities
        Income quantiles for ``by_quantile`` (highest affordable EUR/m²/month).

    Returns
    -------
    StudioAffordability
        ``table``: per scenario the monthly cost, its share of the median income and the share
        of artists above the threshold; ``by_quantile``: the highest affordable cost per m².
    """
    a = check_threshold(threshold)
    area = check_positive("studio_m2", studio_m2)
    scenarios = (dict(cost_eur_m2_month) if isinstance(cost_eur_m2_month, Mapping)
                 else {"studio": cost_eur_m2_month})
    monthly = artist_income.monthly()
    median = float(monthly.quantile(0.5))
    rows = []
    for name, cost in scenarios.items():
        cost = float(_nonnegative_array(f"cost_eur_m2_month[{name!r}]", cost))
        total = cost * area
        rows.append({
            "scenario": name,
            "cost_eur_m2_month": cost,
            "cost_eur_month": total,
            "share_of_median_income": total / median,
            "share_above": float(share_above_threshold(monthly, total, a)),
        })
    probs = np.asarray(probabilities, dtype=float)
    incomes = np.asarray(monthly.quantile(probs), dtype=float)
    by_quantile = pd.DataFrame({
        "group": [f"P{p * 100:g}" for p in probs],
        "income_eur_month": incomes,
        "max_cost_eur_month": a * incomes,
        "max_cost_eur_m2_month": a * incomes / area,
    })
    return StudioAffordability(pd.DataFrame(rows), by_quantile, area, a, artist_income.label)


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
class CommuneAffordability:
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
        return f"<p>{html.escape(self.summary())}</p>" + self.table.to_html(index=False)


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


def check_notebook_parameters(
    disposable_income: pd.DataFrame,
    *,
    communes: Sequence[str] | str | None,
    year: int,
    threshold: float,
    rent_probabilities: Sequence[float],
    rent_values_eur_month: Sequence[float],
    studio_threshold: float,
    studio_m2: float,
    artist_income_probabilities: Sequence[float],
    artist_income_values_eur_month: Sequence[float],
) -> dict[str, object]:
    """Validate the parameters of notebook 03 at once (one-line error on the first problem).

    Returns the resolved NIS codes (``"communes"``), the rent distribution (``"rent"``) and
    the artists' income distribution (``"artist_income"``).
    """
    codes = resolve_communes(disposable_income, list(communes) if communes else None)
    _check_years(disposable_income, year)
    check_threshold(threshold)
    check_threshold(studio_threshold, "studio_threshold")
    check_positive("studio_m2", studio_m2)
    for name, probs, values in (
        ("rent", rent_probabilities, rent_values_eur_month),
        ("artist_income", artist_income_probabilities, artist_income_values_eur_month),
    ):
        if len(probs) != len(values):
            raise ParameterError(f"{name}: {len(probs)} probabilities but {len(values)} values")
    rent = distribution_from_quantiles(dict(zip(rent_probabilities, rent_values_eur_month,
                                                strict=True)),
                                       unit="EUR/month", name="rent_values_eur_month")
    artists = distribution_from_quantiles(
        dict(zip(artist_income_probabilities, artist_income_values_eur_month, strict=True)),
        unit="EUR/month", name="artist_income_values_eur_month", label="assumption")
    return {"communes": codes, "rent": rent, "artist_income": artists}
