"""Pandera schemas for the raw datasets.

Column names and dtypes come from the catalog (one source of truth); this module adds the
checks that make a value plausible: unique keys, known NIS codes, non-negative prices and
counts, years in range. :func:`schema_for` builds the schema of one catalog entry.
"""

from __future__ import annotations

import pandera.pandas as pa

from permanent_research.data.catalog import DatasetEntry

__all__ = ["KNOWN_NIS_CODES", "BRUSSELS_COMMUNE_CODES", "NON_NEGATIVE_VALUE", "schema_for"]

BRUSSELS_COMMUNE_CODES: tuple[str, ...] = tuple(f"210{n:02d}" for n in range(1, 20))
KNOWN_NIS_CODES: frozenset[str] = frozenset(
    {
        "01000",  # Belgium
        "02000",  # Flemish Region
        "03000",  # Walloon Region
        "04000",  # Brussels-Capital Region
        "20001",  # province of Flemish Brabant (comparison rows)
        "20002",  # province of Walloon Brabant
        *BRUSSELS_COMMUNE_CODES,
    }
)

# Datasets whose `value` is a price, an amount, a count or a stock: never negative.
NON_NEGATIVE_VALUE: frozenset[str] = frozenset(
    {
        "real_estate_sales",
        "building_permits",
        "building_stock",
        "population",
        "population_2018_2020",
        "private_households",
        "fiscal_income",
        "disposable_income",
        "monitoring_quartiers",
        "rent_barometers",
        "building_land_prices",
        "construction_price_indices",
        "social_housing",
    }
)

_PANDERA_DTYPES = {"string": "str", "int": "Int64", "float": "float64"}
_YEAR_COLUMNS = {"year", "tax_year", "income_year", "start_year", "end_year"}


def _column_checks(entry: DatasetEntry, column: str) -> list[pa.Check]:
    checks: list[pa.Check] = []
    if column in {"nis_code", "geo_code"}:
        checks.append(
            pa.Check.isin(sorted(KNOWN_NIS_CODES), error="known NIS code", ignore_na=True)
        )
    if column in _YEAR_COLUMNS:
        checks.append(pa.Check.in_range(1900, 2100, error="year in 1900-2100"))
    if column == "month":
        checks.append(pa.Check.in_range(1, 12, error="month in 1-12"))
    if column == "value" and entry.name in NON_NEGATIVE_VALUE:
        checks.append(pa.Check.ge(0, error="value >= 0"))
    if column == "surface_m2":
        checks.append(pa.Check.gt(0, error="surface_m2 > 0"))
    if column == "lat":
        checks.append(pa.Check.in_range(50.7, 50.95, error="latitude inside Brussels"))
    if column == "lon":
        checks.append(pa.Check.in_range(4.2, 4.5, error="longitude inside Brussels"))
    return checks


def schema_for(entry: DatasetEntry) -> pa.DataFrameSchema:
    """Build the pandera schema of a catalog entry (columns, dtypes, checks, unique key)."""
    columns = {
        spec.name: pa.Column(
            _PANDERA_DTYPES[spec.dtype],
            checks=_column_checks(entry, spec.name),
            nullable=True,
            required=True,
        )
        for spec in entry.columns
    }
    return pa.DataFrameSchema(
        columns,
        unique=list(entry.key) or None,
        strict=True,
        name=entry.name,
    )
