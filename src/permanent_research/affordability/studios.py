"""Artists' studios: studio cost against artists' incomes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from permanent_research._validation import (
    check_positive,
)
from permanent_research.affordability._arrays import _nonnegative_array
from permanent_research.affordability.distributions import Distribution
from permanent_research.affordability.effort import share_above_threshold
from permanent_research.affordability.thresholds import check_threshold
from permanent_research.results import Result, render_html


# --------------------------------------------------------------------------------------------
# artists' studios
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class StudioAffordability(Result):
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
        return render_html(self.summary(), self.table)

    def plot(self, **kwargs: Any) -> Any:
        """Studio cost against artists' incomes (``plots.affordability.studio_bars``)."""
        from permanent_research.plots.affordability import studio_bars

        return studio_bars(self.table, threshold=self.threshold, **kwargs)


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
