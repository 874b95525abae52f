"""One-at-a-time sensitivity (tornado) of the CLT vs temporary-use comparison."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from permanent_research._validation import check_choice, check_in_range
from permanent_research.results import Result
from permanent_research.scenarios._assumptions import ASSUMPTION_SPECS, Assumptions
from permanent_research.scenarios._model import METRICS, USERS, simulate

__all__ = ["SensitivityResult", "sensitivity"]


@dataclass(frozen=True)
class SensitivityResult(Result):
    """Tornado table: how far each assumption, alone at its low/high, moves the comparison.

    Attributes
    ----------
    table
        One row per uncertain assumption, largest swing first: assumption, unit, low_value,
        high_value, outcome_at_low, outcome_at_high, swing (absolute difference).
    baseline
        The outcome with every assumption at its median.
    outcome
        Text naming the outcome (median over draws of CLT minus temporary use).
    user, metric, quantiles, n_draws
        What was varied and how.
    """

    table: pd.DataFrame
    baseline: float
    outcome: str
    user: str
    metric: str
    quantiles: tuple[float, float]
    n_draws: int

    def to_frame(self) -> pd.DataFrame:
        """The tornado table (a copy)."""
        return self.table.copy()

    def summary(self) -> str:
        """Plain-text tornado table."""
        return (f"Sensitivity of {self.outcome} (baseline {self.baseline:,.1f}); inputs at their "
                f"{self.quantiles[0]:.0%}/{self.quantiles[1]:.0%} quantiles\n"
                + self.table.to_string(index=False))

    def _repr_html_(self) -> str:
        return (f"<p><b>Sensitivity</b> of {html.escape(self.outcome)} "
                f"(baseline {self.baseline:,.1f})</p>"
                + self.table.to_html(index=False, float_format=lambda v: f"{v:,.3g}"))

    def plot(self, **kwargs: Any) -> Any:
        """Tornado chart (``plots.scenarios.tornado``)."""
        from permanent_research.plots.scenarios import tornado

        return tornado(self, **kwargs)


def _outcome(assumptions: Assumptions, *, user: str, metric: str, models: tuple[str, str],
             n_draws: int, seed: int, horizon_years: int | None) -> float:
    result = simulate(assumptions, n_draws=n_draws, seed=seed, horizon_years=horizon_years,
                      path_draws=1)
    first = np.nanmedian(result.metric(user, models[0], metric))
    second = np.nanmedian(result.metric(user, models[1], metric))
    return float(first - second)


def sensitivity(
    assumptions: Assumptions,
    *,
    user: str = "household",
    metric: str = "cost_eur_m2_year",
    models: tuple[str, str] = ("permanent_clt", "temporary_use"),
    quantiles: tuple[float, float] = (0.05, 0.95),
    n_draws: int = 200,
    seed: int = 20261126,
    horizon_years: int | None = None,
) -> SensitivityResult:
    """Tornado: each uncertain input at its low/high quantile, every other input at its median.

    The outcome is ``median(metric | models[0]) - median(metric | models[1])`` over ``n_draws``
    draws (common random numbers: the same seed for every run, so yearly market shocks and
    occupation events are shared).

    Parameters
    ----------
    assumptions
        Validated inputs.
    user
        ``"studio"`` or ``"household"``.
    metric
        A per-draw metric of :data:`~permanent_research.scenarios.METRICS`, e.g.
        ``"cost_eur_m2_year"`` or ``"public_cost_per_affordable_year_eur"``.
    models
        The two models compared (first minus second).
    quantiles
        Low and high quantiles at which each input is set (default 5 % and 95 %).
    n_draws, seed, horizon_years
        Size, seed and horizon of every run.

    Returns
    -------
    SensitivityResult
    """
    check_choice("user", user, USERS)
    check_choice("metric", metric, tuple(METRICS))
    low_q, high_q = quantiles
    check_in_range("quantiles[0]", low_q, 0, 1)
    check_in_range("quantiles[1]", high_q, low_q, 1)
    medians = assumptions.at_quantile(0.5)
    options = dict(user=user, metric=metric, models=models, n_draws=n_draws, seed=seed,
                   horizon_years=horizon_years)
    baseline = _outcome(medians, **options)
    rows = []
    for key in assumptions.uncertain_keys():
        low_value = assumptions[key].quantile(low_q)
        high_value = assumptions[key].quantile(high_q)
        at_low = _outcome(medians.replace(**{key: low_value}), **options)
        at_high = _outcome(medians.replace(**{key: high_value}), **options)
        rows.append({
            "assumption": key, "unit": ASSUMPTION_SPECS[key].unit,
            "low_value": low_value, "high_value": high_value,
            "outcome_at_low": at_low, "outcome_at_high": at_high,
            "swing": abs(at_high - at_low),
        })
    table = pd.DataFrame(rows).sort_values("swing", ascending=False, ignore_index=True)
    first, second = (name.replace("_", " ") for name in models)
    outcome = f"{METRICS[metric]}, {user}: {first} minus {second}"
    return SensitivityResult(table=table, baseline=baseline, outcome=outcome, user=user,
                             metric=metric, quantiles=(low_q, high_q), n_draws=n_draws)
