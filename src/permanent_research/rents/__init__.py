"""Rent and price trends: indices (nominal, real, chained, hedonic, repeat-sales), growth, CAGR,
trend model and projection, Brussels rent indexation.

Pure functions on tidy frames (documented in each submodule and ``docs/rents.md``); the
notebooks load the bundled data and pass the frames in.
"""

from permanent_research.rents.indexation import EPB_CLASSES, IndexationResult, indexed_rent
from permanent_research.rents.indices import (
    DEFLATORS,
    PROPERTY_TYPES,
    Deflator,
    annual_average_index,
    build_deflator,
    cagr,
    chained_index,
    check_trend_parameters,
    combine_index_tables,
    cpi_chained_deflator,
    growth_table,
    health_index_annual,
    health_index_deflator,
    observatory_rents,
    price_index,
    real_values,
    resolve_communes,
    sales_medians,
)
from permanent_research.rents.microdata import (
    IndexResult,
    hedonic_index,
    repeat_sales_index,
    repeat_sales_pairs,
)
from permanent_research.rents.trend import ForecastResult, TrendResult, forecast, trend_model

__all__ = [
    "Deflator",
    "DEFLATORS",
    "health_index_deflator",
    "health_index_annual",
    "combine_index_tables",
    "cpi_chained_deflator",
    "build_deflator",
    "annual_average_index",
    "real_values",
    "price_index",
    "chained_index",
    "growth_table",
    "cagr",
    "check_trend_parameters",
    "resolve_communes",
    "sales_medians",
    "observatory_rents",
    "PROPERTY_TYPES",
    "IndexResult",
    "hedonic_index",
    "repeat_sales_index",
    "repeat_sales_pairs",
    "TrendResult",
    "trend_model",
    "ForecastResult",
    "forecast",
    "IndexationResult",
    "indexed_rent",
    "EPB_CLASSES",
]
