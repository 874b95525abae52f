"""Independent recomputations shared by the headline tests (plain pandas on data/raw)."""

from __future__ import annotations

import pandas as pd
import pytest

from permanent_research.config import paths


@pytest.fixture(scope="session")
def health_annual() -> pd.Series:
    """Annual means of the health index (base 2013=100), only years with all 12 months."""
    raw = pd.read_csv(paths().raw / "health_index_cpi_belgium.csv")
    monthly = raw[(raw.series == "health_index") & (raw.base == "2013=100")]
    counts = monthly.groupby("year").value.count()
    return monthly.groupby("year").value.mean()[counts == 12]
