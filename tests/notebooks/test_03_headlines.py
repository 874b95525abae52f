"""Recompute every headline of notebook 03_affordability from data/raw with plain pandas/numpy.

Nothing here calls permanent_research.affordability or permanent_research.waiting_list.
Defaults mirrored from the notebook's parameters cell: year 2017, threshold 0.33, observatory
2017 rents 500 / 660 / 800, turnover 5 %, no attrition, 250 added homes, fiscal year 2023.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

RAW = Path(__file__).resolve().parents[2] / "data" / "raw"
YEAR, A, RENT = 2017, 0.33, (500.0, 660.0, 800.0)


@pytest.fixture(scope="module")
def headlines(executed_notebook):
    _, found, _ = executed_notebook("03_affordability")
    return {name: record["value"] for name, record in found.items()}


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(RAW / name, dtype={"nis_code": str, "geo_code": str})


@pytest.fixture(scope="module")
def adi() -> pd.DataFrame:
    frame = _read("statbel_disposable_income_brussels_municipalities.csv")
    frame = frame[frame["year"] == YEAR]
    return frame.pivot(index="nis_code", columns="measure", values="value")


def test_rbdh(headlines):
    assert headlines["rbdh_effort_rate_pct"] == pytest.approx(100 * 550 / 1168, abs=0.05)


def test_observatory_median(headlines):
    obs = _read("rent_observatory_brussels.csv")
    row = obs[(obs["survey_year"] == "2017") & (obs["measure"] == "median_monthly_rent")
              & (obs["preferred"] == "yes")]
    assert headlines["observatory_median_rent_2017"] == float(row["value"].iloc[0]) == 660


def test_median_income_effort(headlines, adi):
    rates = RENT[1] / (adi["MS_MEDIAN"].dropna() / 12)
    assert headlines["communes_median_income_above_norm"] == int((rates > A).sum())
    assert headlines["highest_median_effort_rate_pct"] == pytest.approx(100 * rates.max(),
                                                                       abs=0.05)


def test_low_income_effort(headlines, adi):
    low_q1 = adi["MS_Q1"].min()
    assert headlines["low_income_effort_rate_pct"] == pytest.approx(
        100 * RENT[0] / (low_q1 / 12), abs=0.05)


def _pl_cdf(q1: float, med: float, q3: float):
    """CDF through the quartiles, outer segments extended linearly to p = 0 and 1."""
    floor = max(0.0, q1 - (med - q1))
    ceiling = q3 + (q3 - med)
    xs, ps = [floor, q1, med, q3, ceiling], [0, 0.25, 0.5, 0.75, 1]
    return lambda x: np.interp(x, xs, ps)


def test_bounds_for_the_most_burdened_commune(headlines, adi):
    complete = adi.dropna(subset=["MS_Q1", "MS_MEDIAN", "MS_Q3"])
    share = {code: _pl_cdf(r.MS_Q1, r.MS_MEDIAN, r.MS_Q3)(12 * RENT[1] / A)
             for code, r in complete.iterrows()}
    code = max(share, key=share.get)
    r = complete.loc[code]
    income_cdf = _pl_cdf(r.MS_Q1, r.MS_MEDIAN, r.MS_Q3)
    rent_cdf = _pl_cdf(*RENT)
    t = np.linspace(0, 3000, 600001)  # EUR/month, step 0.005
    g = (1 - rent_cdf(t)) + income_cdf(12 * t / A)  # P(R > t) + P(a Y / 12 < t)
    lower, upper = max(0.0, g.max() - 1), min(1.0, g.min())
    assert headlines["poorest_commune_share_above_lower_pct"] == pytest.approx(100 * lower,
                                                                               abs=0.06)
    assert headlines["poorest_commune_share_above_upper_pct"] == pytest.approx(100 * upper,
                                                                               abs=0.06)


def test_brochure_60_percent_upper_bound(headlines, adi):
    # the commune with the lowest first quartile (among complete rows), threshold 60 %
    complete = adi.dropna(subset=["MS_Q1", "MS_MEDIAN", "MS_Q3"])
    r = complete.loc[complete["MS_Q1"].idxmin()]
    income_cdf = _pl_cdf(r.MS_Q1, r.MS_MEDIAN, r.MS_Q3)
    t = np.linspace(0, 3000, 600001)
    upper = min(1.0, ((1 - _pl_cdf(*RENT)(t)) + income_cdf(12 * t / 0.60)).min())
    assert headlines["poorest_commune_share_above_60_upper_pct"] == pytest.approx(
        100 * upper, abs=0.06)


def test_fiscal_income_per_declaration(headlines):
    fiscal = _read("statbel_fiscal_income_brussels_municipalities.csv")
    rows = fiscal[(fiscal["nis_code"] == "04000") & (fiscal["year"] == 2023)]
    values = rows.set_index("measure")["value"]
    expected = values["MS_TOT_NET_TAXABLE_INC"] / values["MS_NBR_NON_ZERO_INC"]
    assert headlines["region_income_per_declaration"] == pytest.approx(expected, abs=0.5)


@pytest.fixture(scope="module")
def slrb():
    facts = _read("social_housing_brussels_facts.csv")
    period = facts["reference_period"].astype(str)
    dated = facts[period.str.fullmatch(r"\d{4}(-\d{2})?")].copy()
    parts = dated["reference_period"].str.split("-", expand=True)
    month = pd.to_numeric(parts[1], errors="coerce") if 1 in parts else np.nan
    dated["when"] = parts[0].astype(int) + np.where(pd.isna(month), 0.5, (month - 1) / 12)
    latest = (dated.sort_values("when").groupby("measure")["value"].last())
    n = facts.loc[facts["measure"] == "social_dwellings_produced_per_year_approx",
                  "value"].iloc[0]
    return latest["waiting_list_households"], latest["social_dwellings_stock_total"], n


def test_queue_headlines(headlines, slrb):
    length, stock, n = slrb
    assert headlines["queue_list_length"] == length == 55000
    a0 = 0.05 * stock + n
    assert headlines["queue_newcomer_wait_years"] == pytest.approx(length / a0, abs=0.05)
    added = 250
    a0, g = 0.05 * stock + n + added, 0.05 * (n + added)
    wait = (-a0 + math.sqrt(a0 * a0 + 2 * g * length)) / g  # L = A0 T + g T^2 / 2
    assert headlines["queue_wait_with_added_homes_years"] == pytest.approx(wait, abs=0.05)


def test_exports_written(executed_notebook):
    _, _, exports = executed_notebook("03_affordability")
    for name in ("affordability_heatmap.png", "affordability_heatmap.pdf",
                 "queue_wait_scenarios.pdf", "affordability_bounds_by_commune.tex",
                 "max_affordable_rent_price.csv", "studio_affordability.png",
                 "queue_list_length_options.csv"):
        assert (exports / name).is_file(), name
