"""Residual income after housing and a reference budget for other needs (Stone 2006)."""

from __future__ import annotations

from dataclasses import dataclass

from permanent_research._validation import (
    check_choice,
)
from permanent_research.affordability._arrays import (
    _nonnegative_array,
    _positive_array,
    _scalar_or_array,
)


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
