"""Sector → quartier aggregation, survey rents with suppression, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from permanent_research.data import boundaries, load
from permanent_research.displacement.sectors import (
    sector_map,
    sectors_to_quartiers,
    survey_rents_by_quartier,
)
from permanent_research.errors import DataError


@pytest.fixture(scope="module")
def mapping() -> pd.Series:
    return sector_map(load("sector_quartier_map"), quartiers=boundaries.quartiers()["mdrc"])


def test_eviction_counts_equal_plain_groupby(mapping):
    evictions = load("evictions_2018_sectors")
    ours = sectors_to_quartiers(evictions, mapping, sector="ID_SS_bis",
                                counts=["exp_total", "exp_individu"])
    raw = load("sector_quartier_map")
    plain = (
        evictions.merge(raw, left_on="ID_SS_bis", right_on="cd_sector", how="left")
        .groupby("id")[["exp_total", "exp_individu"]].sum()
    )
    np.testing.assert_array_equal(ours.index.to_numpy(dtype=int), plain.index.to_numpy(dtype=int))
    np.testing.assert_allclose(ours[["exp_total", "exp_individu"]].to_numpy(float),
                               plain.to_numpy(float))
    # the total published by BX1 (March 2022), PROVENANCE section 28
    assert ours["exp_total"].sum() == 3907


def test_weighted_share_pools_sectors(mapping):
    cadastre = load("rental_ownership_2015_sectors")
    ours = sectors_to_quartiers(cadastre, mapping, sector="cd_sector", counts=["NB_LOGLOUE_TOT"],
                                shares={"log_sociaux": "NB_LOGLOUE_TOT"})
    # social dwellings = rented × share: the regional total is the curator's 37,664 (section 29)
    total = (ours["NB_LOGLOUE_TOT"] * ours["log_sociaux"].fillna(0)).sum()
    assert total == pytest.approx(37664, abs=1)
    # one quartier by hand
    q = int(ours.index[0])
    rows = cadastre[cadastre["cd_sector"].isin(mapping.index[mapping == q])]
    expected = (rows["log_sociaux"] * rows["NB_LOGLOUE_TOT"]).sum() / rows["NB_LOGLOUE_TOT"].sum()
    assert ours.loc[q, "log_sociaux"] == pytest.approx(expected)


def test_survey_suppression_threshold():
    mapping = sector_map(pd.DataFrame({"cd_sector": ["A", "B"], "id": [1, 2]}))
    rng = np.random.default_rng(3)
    records = pd.DataFrame({
        "sector": ["A"] * 19 + ["B"] * 20 + [None] * 2 + ["Z"],
        "rent_eur_month": rng.uniform(400, 1200, 42),
        "survey_year": 2020,
    })
    out = survey_rents_by_quartier(records, mapping, min_records=20).set_index("quartier")
    assert out.loc[1, "n_records"] == 19 and bool(out.loc[1, "suppressed"])
    assert np.isnan(out.loc[1, "rent_median_eur_month"])
    assert not out.loc[2, "suppressed"]
    assert out.loc[2, "rent_median_eur_month"] == pytest.approx(
        np.median(records["rent_eur_month"].iloc[19:39]))
    assert out.attrs["records_without_sector"] == 2
    assert out.attrs["records_unplaced"] == 1
    lower = survey_rents_by_quartier(records, mapping, min_records=19).set_index("quartier")
    assert not lower.loc[1, "suppressed"]


def test_unknown_quartier_code_is_named():
    raw = pd.DataFrame({"cd_sector": ["A", "B", "C"], "id": [1, 2, 999]})
    with pytest.raises(DataError, match=r"column 'id'.*999.*rows 2"):
        sector_map(raw, quartiers=[1, 2, 3])


def test_duplicate_sector_rows_are_named():
    raw = pd.DataFrame({"cd_sector": ["A", "B", "A"], "id": [1, 2, 1]})
    with pytest.raises(DataError, match=r"sector_quartier_map: column 'cd_sector'.*rows 0, 2"):
        sector_map(raw)
    mapping = sector_map(raw.iloc[:2])
    table = pd.DataFrame({"s": ["A", "B", "B"], "n": [1, 2, 3]})
    with pytest.raises(DataError, match=r"evictions: column 's'.*rows 1, 2 \(B\)"):
        sectors_to_quartiers(table, mapping, sector="s", counts=["n"], source="evictions")


def test_unknown_sector_is_named():
    mapping = sector_map(pd.DataFrame({"cd_sector": ["A"], "id": [1]}))
    table = pd.DataFrame({"s": ["A", "Q"], "n": [1, 2]})
    with pytest.raises(DataError, match=r"does not know \(Q\) in rows 1"):
        sectors_to_quartiers(table, mapping, sector="s", counts=["n"])
