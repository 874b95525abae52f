"""Tenants' effort from the observatory survey records (issue 9 §4).

Independent routes: plain pandas on the raw ';'-separated file, and the published figures of
the bundled ``rent_observatory_brussels.csv`` (read as text).
"""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest

from permanent_research import tenant_effort as T
from permanent_research.config import paths
from permanent_research.data import load
from permanent_research.errors import DataError, ParameterError

matplotlib.use("Agg")

RAW_FILE = "rent_observatory_survey_records_2017_2018_2020.csv"
# PROVENANCE §26: the factors the copied file applied to 2017 and 2018 rents
FACTORS = {2017: 1.0442230, 2018: 1.0265878, 2020: 1.0}


@pytest.fixture(scope="module")
def raw():
    return pd.read_csv(paths().raw / RAW_FILE, sep=";")


@pytest.fixture(scope="module")
def published():
    obs = pd.read_csv(paths().raw / "rent_observatory_brussels.csv", dtype=str)
    return obs[obs.preferred.fillna("yes") == "yes"]


@pytest.fixture(scope="module")
def records():
    return T.survey_records(load("rent_observatory_survey"))


def test_descaled_rents_reproduce_the_published_means_and_medians(records, published):
    for year in (2017, 2018):
        rents = records.loc[records.survey_year == year, "rent_eur_month"]
        rows = published[published.survey_year == str(year)]
        mean = float(rows.loc[rows.measure == "mean_monthly_rent_all_dwellings", "value"].iloc[0])
        median = float(rows.loc[rows.measure == "median_monthly_rent", "value"].iloc[0])
        assert rents.mean() == pytest.approx(mean, abs=1.0)
        assert rents.median() == pytest.approx(median, abs=1.0)


def test_descaled_rents_are_whole_euros(records):
    for year in (2017, 2018):
        rents = records.loc[records.survey_year == year, "rent_eur_month"]
        whole = (rents - rents.round()).abs() < 0.01
        assert whole.mean() > 0.995


def test_bounds_bracket_the_midpoint(records):
    effort = T.tenant_effort(records, top_band_high_eur_month=5_000)
    rows = effort._usable()
    assert (rows.effort_low <= rows.effort_mid + 1e-12).all()
    assert (rows.effort_mid <= rows.effort_high + 1e-12).all()


def test_certain_share_recomputed_with_plain_pandas(raw, records):
    upper = {
        "Moins de 500 €": 500, "De 500 € à 1000 €": 1000, "De 1001 € à 1500 €": 1500,
        "De 1501 € à 2000 €": 2000, "De 2001 € à 2500 €": 2500, "De 2501 € à 3000 €": 3000,
        "De 3001 € à 3500 €": 3500, "Plus de 3500 €": np.inf,
    }
    rows = raw[raw.REV.isin(upper) & (raw.annee_enquete == 2018)]
    rent = rows.LOY / FACTORS[2018]
    expected = (rent / rows.REV.map(upper) > 0.30).mean()
    table = T.tenant_effort(records).overall().set_index("survey_year")
    assert table.loc[2018, "share_above_low"] == pytest.approx(expected, abs=1e-12)
    assert table.loc[2018, "n_records"] == len(rows)


def test_published_share_lies_within_the_bounds(records):
    observatory = load("rent_observatory")
    check = T.tenant_effort(records).compare_published(observatory)
    row = check.set_index("survey_year").loc[2018]
    assert row.published_share == 0.75
    assert row.share_above_low < 0.75 < row.share_above_high
    assert bool(row.published_within_bounds)
    with pytest.raises(ParameterError, match="threshold=0.33"):
        T.tenant_effort(records, threshold=0.33).compare_published(observatory)


def test_effort_falls_with_income(records):
    table = T.tenant_effort(records, top_band_high_eur_month=5_000).to_frame()
    for _, part in table.groupby("survey_year"):
        assert part.effort_median.is_monotonic_decreasing


def test_by_commune_and_thin_groups(records):
    table = T.tenant_effort(records, by=("survey_year", "commune"), min_records=100).to_frame()
    assert set(table.commune) == {f"210{i:02d}" for i in range(1, 20)}
    thin = table[table.n_records < 100]
    assert thin.effort_median.isna().all()
    assert table.loc[table.n_records >= 100, "effort_median"].notna().all()


def test_result_contract(records):
    effort = T.tenant_effort(load("rent_observatory_survey"))  # raw frame is tidied on the way
    assert "certainly above" in effort.summary() and "<table" in effort._repr_html_()
    assert effort.plot().axes
    with pytest.raises(ParameterError, match="threshold=0"):
        effort.replace(threshold=0)
    with pytest.raises(ParameterError, match="by='decile'"):
        effort.replace(by=("decile",))


def test_bad_records():
    frame = pd.DataFrame(
        {"LOY": [500.0], "INSSEC": ["21004A00-"], "annee_enquete": [2018],
         "REV": ["Environ 2000 €"], "Q11": [50], "Q12": ["Studio"]}
    )
    with pytest.raises(DataError, match="unknown income answer"):
        T.survey_records(frame)
    with pytest.raises(DataError, match="known survey years"):
        T.survey_records(frame.assign(annee_enquete=2019, REV="Ne sait pas"))
    with pytest.raises(DataError, match="'LOY' must be > 0"):
        T.survey_records(frame.assign(LOY=0.0, REV="Ne sait pas"))
