"""Temporary use vs the permanent CLT model: a long-run Monte Carlo comparison.

Inputs are distributions from a scenario file's ``assumptions:`` section
(:func:`validate_assumptions`); :func:`simulate` runs the vectorised model and
:func:`sensitivity` ranks the assumptions by how much they move the comparison (tornado).
See ``docs/scenarios.md`` for every assumption, its distribution and its source.
"""

from __future__ import annotations

from permanent_research.scenarios._assumptions import (
    ASSUMPTION_SPECS,
    DISTRIBUTIONS,
    Assumptions,
    AssumptionSpec,
    Distribution,
    compare_assumptions,
    load_assumptions,
    validate_assumptions,
)
from permanent_research.scenarios._for_whom import MODEL_LABELS, ForWhom, entry_rules, for_whom
from permanent_research.scenarios._model import (
    DEFAULT_DISCOUNT_RATE,
    METRICS,
    MODELS,
    PATH_METRICS,
    SHOWN_DISCOUNT_RATES,
    STUDIO_MODEL_LABELS,
    USERS,
    ScenarioResult,
    annuity_factor,
    check_run_parameters,
    income_deciles_lognormal,
    outstanding_balance,
    simulate,
    studio_costs,
)
from permanent_research.scenarios._money import (
    MONEY_KEYS,
    conversion_table,
    in_base_year,
    validate_money,
)
from permanent_research.scenarios._sensitivity import SensitivityResult, sensitivity

__all__ = [
    "ASSUMPTION_SPECS",
    "DISTRIBUTIONS",
    "Assumptions",
    "AssumptionSpec",
    "Distribution",
    "validate_assumptions",
    "compare_assumptions",
    "load_assumptions",
    "USERS",
    "MODELS",
    "METRICS",
    "PATH_METRICS",
    "SHOWN_DISCOUNT_RATES",
    "DEFAULT_DISCOUNT_RATE",
    "ScenarioResult",
    "simulate",
    "studio_costs",
    "STUDIO_MODEL_LABELS",
    "annuity_factor",
    "outstanding_balance",
    "income_deciles_lognormal",
    "check_run_parameters",
    "MONEY_KEYS",
    "validate_money",
    "in_base_year",
    "conversion_table",
    "SensitivityResult",
    "sensitivity",
    "ForWhom",
    "for_whom",
    "entry_rules",
    "MODEL_LABELS",
]
