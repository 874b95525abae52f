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


def test_eviction_rates_by_hand_and_suppression():
    from permanent_research.displacement.outcomes import eviction_rates
    from permanent_research.displacement.sectors import sector_map

    mapping = sector_map(pd.DataFrame({"cd_sector": ["A", "B", "C", "D"], "id": [1, 1, 2, 3]}))
    evictions = pd.DataFrame({"ID_SS_bis": ["A", "B", "C"], "exp_total": [3, 2, 1],
                              "exp_individu": [2, 2, 1], "exp_société": [1, 0, 0],
                              "exp_public": [0, 0, 0], "exp_ais": [0, 0, 0]})
    cadastre = pd.DataFrame({"cd_sector": ["A", "B", "C", "D"],
                             "NB_LOGLOUE_TOT": [300, 100, 150, 400],
                             "log_sociaux": [0.1, 0.5, 0.0, 0.2],
                             "entrep_sprl_sa": [0.0, 0.0, 0.1, 0.3]})
    out = eviction_rates(evictions, cadastre, mapping, min_rented_dwellings=200)
    # quartier 1 = A + B: 5 judgments / 400 rented → 12.5 per 1,000; social (30 + 50) / 400
    assert out.loc["1", "evictions_per_1000_rented"] == pytest.approx(12.5)
    assert out.loc["1", "social_share_of_rentals_pct"] == pytest.approx(20.0)
    assert out.loc["1", "evictions_company"] == 1
    # quartier 2: 150 rented < 200 → suppressed, the count still shown
    assert out.loc["2", "suppressed"] and np.isnan(out.loc["2", "evictions_per_1000_rented"])
    assert out.loc["2", "evictions_2018"] == 1
    # quartier 3: absent from the eviction file → zero judgments, rate 0
    assert out.loc["3", "evictions_2018"] == 0 and out.loc["3", "evictions_per_1000_rented"] == 0
    assert out.attrs["min_rented_dwellings"] == 200


def test_eviction_rates_on_the_bundled_files_sum_to_the_published_total():
    from permanent_research.data import boundaries, load
    from permanent_research.displacement.outcomes import eviction_rates
    from permanent_research.displacement.sectors import sector_map

    mapping = sector_map(load("sector_quartier_map"), quartiers=boundaries.quartiers()["mdrc"])
    out = eviction_rates(load("evictions_2018_sectors"), load("rental_ownership_2015_sectors"),
                         mapping)
    assert out["evictions_2018"].sum() == 3907  # BX1, PROVENANCE section 28
    shown = out[~out["suppressed"]]
    assert (shown["rented_dwellings_2015"] >= 200).all()
    assert out["suppressed"].sum() == (out["rented_dwellings_2015"] < 200).sum() > 0
