"""The scenario's ``money:`` section: base year, discount rate, price year of each euro input.

Every euro-valued assumption (a key whose unit contains ``EUR``) carries a price year and a kind
(:mod:`permanent_research.prices`); :func:`in_base_year` scales its distribution to euros of the
scenario's base year, so the Monte Carlo, notebooks 03, 06 and 07 read one set of base-year values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from permanent_research.errors import ParameterError
from permanent_research.prices import MoneySettings, PriceIndexes, validate_money_section
from permanent_research.scenarios._assumptions import ASSUMPTION_SPECS, Assumptions, Distribution

__all__ = ["MONEY_KEYS", "validate_money", "in_base_year", "conversion_table"]

#: Assumption keys that hold euros: each needs a price year in the ``money:`` section.
MONEY_KEYS: tuple[str, ...] = tuple(k for k, s in ASSUMPTION_SPECS.items() if "EUR" in s.unit)

# distribution parameters that are amounts (scale with the price level); a lognormal's sigma is a
# log-scale spread and stays
_SCALE_FREE = frozenset({"sigma"})


def validate_money(mapping: Mapping[str, Any], *, source: str = "scenario") -> MoneySettings:
    """Check a scenario file's ``money:`` section (registered in ``SECTION_VALIDATORS``).

    Raises
    ------
    ScenarioError
        One line naming the key: see :func:`permanent_research.prices.validate_money_section`
        (an input without a price year, a rate outside (−1, 0.2], an unknown kind …).
    """
    return validate_money_section(mapping, money_keys=MONEY_KEYS, source=source)


def _scaled(dist: Distribution, factor: float, note: str) -> Distribution:
    params = {k: (v if k in _SCALE_FREE else v * factor) for k, v in dist.params.items()}
    return Distribution(key=dist.key, dist=dist.dist, params=params,
                        source=f"{dist.source} [{note}]")


def in_base_year(
    assumptions: Assumptions, money: MoneySettings, indexes: PriceIndexes
) -> Assumptions:
    """The assumptions with every euro input scaled to euros of ``money.base_year``.

    Parameters
    ----------
    assumptions
        Validated assumptions, each euro input in euros of its own price year.
    money
        The validated ``money:`` section (:func:`validate_money`).
    indexes
        :func:`permanent_research.prices.price_indexes` built from the bundled deflators.

    Returns
    -------
    Assumptions
        A copy whose euro distributions (every amount parameter: value, low, mode, high, mean,
        sd, median) are multiplied by ``I_base / I_price_year`` of their kind's index; the source
        of each says ``[<year> <kind> EUR x <factor> -> <base year>]``.

    Raises
    ------
    ScenarioError
        A price year outside its index's coverage (the message lists the years that exist).
    """
    if not isinstance(assumptions, Assumptions):
        raise ParameterError("assumptions must come from validate_assumptions(...)")
    if not isinstance(money, MoneySettings):
        raise ParameterError("money must come from validate_money(...)")
    factors = money.factors(indexes)
    items = dict(assumptions.items)
    for key, factor in factors.items():
        tag = money.price_years[key]
        note = f"{tag.price_year} {tag.kind} EUR x {factor:.4f} -> {money.base_year}"
        items[key] = _scaled(items[key], factor, note)
    return Assumptions(items=items, source=assumptions.source)


def conversion_table(assumptions: Assumptions, money: MoneySettings, indexes: PriceIndexes):
    """The report's conversion table (input, price year, factor, base-year value) of the medians.

    ``assumptions`` are the unconverted ones (as in the file).
    """
    values = {key: assumptions[key].quantile(0.5) for key in money.price_years}
    units = {key: ASSUMPTION_SPECS[key].unit for key in money.price_years}
    return money.conversion_table(values, units, indexes)
