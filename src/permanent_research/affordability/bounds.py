"""Sharp bounds on the burdened share when only the marginals are known.

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

from dataclasses import dataclass

import numpy as np
import pandas as pd

from permanent_research.affordability.distributions import Distribution
from permanent_research.affordability.thresholds import BRUSSELS_NORM, check_threshold
from permanent_research.results import Result


# --------------------------------------------------------------------------------------------
# bounds from marginals
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class BurdenBounds(Result):
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
