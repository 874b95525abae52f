"""Independent recomputations shared by the headline tests (plain pandas on data/raw)."""

from __future__ import annotations

import pandas as pd
import pytest

from permanent_research.config import paths

HEALTH_FILES = ("health_index_cpi_belgium.csv", "health_index_cpi_belgium_monthly_2006_2015.csv")


@pytest.fixture(scope="session")
def health_annual() -> pd.Series:
    """Annual means of the health index (base 2013=100), only years with all 12 months.

    Both raw files: 2015-01…08 appear in both with equal values (checked here) and count once.
    """
    raw = pd.concat([pd.read_csv(paths().raw / name) for name in HEALTH_FILES])
    monthly = raw[(raw.series == "health_index") & (raw.base == "2013=100")]
    spread = monthly.groupby(["year", "month"]).value.agg(lambda v: v.max() - v.min())
    assert (spread == 0).all(), "the two health-index files disagree on a month"
    monthly = monthly.drop_duplicates(["year", "month"])
    counts = monthly.groupby("year").value.count()
    return monthly.groupby("year").value.mean()[counts == 12]
