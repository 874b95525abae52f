"""Outcomes beyond prices from the Monitoring des Quartiers series."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from permanent_research.data import load
from permanent_research.displacement.outcomes import outcome_changes, outcome_panel
from permanent_research.errors import DataError, ParameterError


@pytest.fixture(scope="module")
def series() -> pd.DataFrame:
    raw = load("monitoring_quartiers")
    return raw[raw["entry_block"] == "block1_time_series"]


def test_panel_and_changes_equal_plain_pandas(series):
    clean = series[series["flag"].fillna("").str.startswith("AMBIGUOUS") == False]  # noqa: E712
    panel = outcome_panel(clean)
    cpas = clean[clean["indicator"] == "share_cpas_income_recipients"]
    plain = cpas.pivot(index="mdrc", columns="year", values="value")
    changes = outcome_changes(panel, t0=2005, t1=2022)
    expected = (plain[2022] - plain[2005]).rename(index=str)
    got = changes["cpas_share_pct_ch_pp"].reindex(expected.index)
    np.testing.assert_allclose(got.to_numpy(float), expected.to_numpy(float))
    pop = clean[clean["indicator"] == "population_total"].pivot(
        index="mdrc", columns="year", values="value")
    exp_pop = (100 * (pop[2022] / pop[2005] - 1)).rename(index=str)
    np.testing.assert_allclose(changes["population_pch"].reindex(exp_pop.index).to_numpy(float),
                               exp_pop.to_numpy(float))
    assert "2005–2023" in panel.attrs["sources"]["cpas_share_pct"]


def test_duplicates_and_bad_years_are_named(series):
    with pytest.raises(DataError, match=r"\(mdrc, year, indicator\) repeated in rows"):
        outcome_panel(series)  # the ambiguous duplicate mdrc rows are still in
    with pytest.raises(DataError, match="no rows for nonexistent"):
        outcome_panel(series, outcomes={"x": "nonexistent"})
    tiny = pd.DataFrame({"area": ["1"], "year": [2010], "cpas_share_pct": [3.0]})
    with pytest.raises(ParameterError, match=r"year\(s\) \[2099\] not in the outcome panel"):
        outcome_changes(tiny, t0=2010, t1=2099)
