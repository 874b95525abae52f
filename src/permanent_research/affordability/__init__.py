"""Affordability: effort rates, threshold shares, bounds from marginals, residual income, ratios.

Notation (METHODS §4): ``H`` housing cost, ``Y`` income, ``A`` housing allowances, ``a`` the
threshold (a fraction in (0, 1): 0.30 HUD, 0.33 the Brussels norm, 0.40 Eurostat). Money is in
nominal euros; the unit is in every name (``_eur_month``, ``_eur_year``, ``_eur_m2_month``).
Incomes given as distributions (deciles, quantiles, microdata) are **annual** (EUR/year, as
Statbel publishes them); housing costs are **monthly** (EUR/month).

Distributions
-------------
:class:`Distribution`: quantiles (piecewise-linear CDF) or weighted microdata, and the tail
rule it assumes beyond the given probabilities: see
:mod:`permanent_research.affordability.distributions`.

Bounds when only the marginals are known
----------------------------------------
Makarov / Frank–Nelsen–Schweizer sharp bounds on the burdened share, and why they replace
METHODS §4 step 3's rank-pairing rule: see :mod:`permanent_research.affordability.bounds`.

Modules
-------
``thresholds`` (norms, :func:`check_threshold`), ``distributions`` (:class:`Distribution` and its
constructors), ``effort`` (effort rates, threshold shares), ``bounds`` (Makarov bounds),
``residual`` (residual income, reference budgets), ``ratios`` (price/rent-to-income, mortgage,
highest affordable rent or price by decile), ``studios`` (artists' studios), ``communes`` (per
commune from the Statbel tables). Everything public is re-exported here.
"""

from permanent_research.affordability._notebook import (
    check_notebook_parameters,
)
from permanent_research.affordability.bounds import (
    BurdenBounds,
    burden_bounds,
)
from permanent_research.affordability.communes import (
    CommuneAffordability,
    commune_affordability,
    commune_income,
    fiscal_income_per_declaration,
    resolve_communes,
)
from permanent_research.affordability.distributions import (
    Distribution,
    deciles_from_frame,
    distribution_from_microdata,
    distribution_from_quantiles,
    income_from_deciles,
)
from permanent_research.affordability.effort import (
    effort_rate,
    share_above_threshold,
    share_above_threshold_microdata,
)
from permanent_research.affordability.ratios import (
    DEMOGRAPHIA_CLASSES,
    DecileAffordability,
    MortgageTerms,
    affordable_by_decile,
    demographia_class,
    max_affordable_price,
    max_affordable_rent,
    mortgage_payment,
    price_to_income,
    rent_to_income,
)
from permanent_research.affordability.residual import (
    REFERENCE_BUDGETS,
    ReferenceBudget,
    residual_income,
)
from permanent_research.affordability.studios import (
    StudioAffordability,
    studio_affordability,
)
from permanent_research.affordability.thresholds import (
    BRUSSELS_NORM,
    STANDARD_THRESHOLDS,
    check_threshold,
)

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
