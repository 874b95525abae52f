"""The bundled deflators, assembled once: which raw tables make up each price index.

Every report that converts money to a base year needs the same indexes; naming the tables here
keeps that choice in one place (the analysis modules never load data, they take the indexes).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from permanent_research.data.io import load

if TYPE_CHECKING:
    from permanent_research.prices import PriceIndexes

__all__ = ["DEFLATOR_TABLES", "bundled_price_indexes"]

#: The bundled tables behind :func:`bundled_price_indexes`: the health index and CPI (monthly,
#: 2004-2025 with the 2006-2015 gap filled) and the construction-price indices.
DEFLATOR_TABLES = {
    "health_index": ("health_index_cpi", "health_index_cpi_2006_2015"),
    "construction": ("construction_price_indices",),
}


def bundled_price_indexes() -> PriceIndexes:
    """The price indexes built from the bundled deflator tables (:data:`DEFLATOR_TABLES`).

    Returns
    -------
    permanent_research.prices.PriceIndexes
        Annual health index (rents, incomes, other prices) and construction-price index
        (building costs), for :func:`permanent_research.scenarios.in_base_year` and
        :func:`permanent_research.prices.to_base_year`.
    """
    from permanent_research import prices

    (construction,) = DEFLATOR_TABLES["construction"]
    return prices.price_indexes([load(name) for name in DEFLATOR_TABLES["health_index"]],
                                construction=load(construction))
