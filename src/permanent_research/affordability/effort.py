"""Effort rates (housing cost / income) and shares of households above a threshold."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from permanent_research._validation import (
    check_choice,
    check_columns,
    check_numeric_columns,
    format_rows,
)
from permanent_research.affordability._arrays import (
    _nonnegative_array,
    _positive_array,
    _scalar_or_array,
)
from permanent_research.affordability.distributions import Distribution
from permanent_research.affordability.thresholds import BRUSSELS_NORM, check_threshold
from permanent_research.errors import DataError, ParameterError


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
