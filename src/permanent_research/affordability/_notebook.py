"""Validation of notebook 03's parameters (one-line error on the first problem)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from permanent_research._validation import (
    check_positive,
)
from permanent_research.affordability.communes import _check_years, resolve_communes
from permanent_research.affordability.distributions import distribution_from_quantiles
from permanent_research.affordability.thresholds import check_threshold
from permanent_research.errors import ParameterError


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
    artist_income_quantiles_eur_month: Mapping[float, float],
) -> dict[str, object]:
    """Validate the parameters of notebook 03 at once (one-line error on the first problem).

    ``artist_income_quantiles_eur_month`` maps probabilities to artists' monthly net incomes
    (the scenario's ``eligibility.artist_incomes_eur_month``, see
    :meth:`~permanent_research.eligibility.EligibilitySettings.artist_income_quantiles`).

    Returns the resolved NIS codes (``"communes"``), the rent distribution (``"rent"``) and
    the artists' income distribution (``"artist_income"``).
    """
    codes = resolve_communes(disposable_income, list(communes) if communes else None)
    _check_years(disposable_income, year)
    check_threshold(threshold)
    check_threshold(studio_threshold, "studio_threshold")
    check_positive("studio_m2", studio_m2)
    if len(rent_probabilities) != len(rent_values_eur_month):
        raise ParameterError(f"rent: {len(rent_probabilities)} probabilities but "
                             f"{len(rent_values_eur_month)} values")
    rent = distribution_from_quantiles(dict(zip(rent_probabilities, rent_values_eur_month,
                                                strict=True)),
                                       unit="EUR/month", name="rent_values_eur_month")
    artists = distribution_from_quantiles(
        dict(artist_income_quantiles_eur_month), unit="EUR/month",
        name="eligibility.artist_incomes_eur_month", label="assumption")
    return {"communes": codes, "rent": rent, "artist_income": artists}
