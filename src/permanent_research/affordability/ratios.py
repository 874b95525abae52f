"""Price- and rent-to-income ratios, mortgages, highest affordable rent or price by decile."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from permanent_research._validation import (
    check_in_range,
    check_positive,
)
from permanent_research.affordability._arrays import (
    _nonnegative_array,
    _positive_array,
    _scalar_or_array,
)
from permanent_research.affordability.distributions import (
    Distribution,
    income_from_deciles,
)
from permanent_research.affordability.thresholds import BRUSSELS_NORM, check_threshold
from permanent_research.errors import ParameterError
from permanent_research.results import Result, render_html

DEMOGRAPHIA_CLASSES = (
    (3.0, "affordable"),
    (4.0, "moderately unaffordable"),
    (5.0, "seriously unaffordable"),
    (math.inf, "severely unaffordable"),
)
"""Demographia median-multiple classes (upper limits, inclusive) [U], METHODS §4."""


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
class MortgageTerms(Result):
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
class DecileAffordability(Result):
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
        return render_html(self.summary(), self.table)


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
