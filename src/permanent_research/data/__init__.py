"""Data layer: the catalog of ``data/raw``, validated loading, the processed build, boundaries.

Only :func:`load` is part of the fixed contract; the rest is the data layer's toolkit.
"""

from permanent_research.data.catalog import DatasetEntry, read_catalog, sha256_of, verify_checksum
from permanent_research.data.deflators import DEFLATOR_TABLES, bundled_price_indexes
from permanent_research.data.io import build, check, dataset_names, load, read_table, source_note

__all__ = [
    "load",
    "dataset_names",
    "source_note",
    "check",
    "build",
    "read_table",
    "read_catalog",
    "DatasetEntry",
    "sha256_of",
    "verify_checksum",
    "bundled_price_indexes",
    "DEFLATOR_TABLES",
]
