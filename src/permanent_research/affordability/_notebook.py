"""Validation of notebook 03's parameters (one-line error on the first problem)."""

from __future__ import annotations

from collections.abc import Sequence

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
