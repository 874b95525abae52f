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


RECOMPUTED = {
    "rbdh_effort_rate_pct", "observatory_median_rent_2017", "communes_median_income_above_norm",
    "highest_median_effort_rate_pct", "low_income_effort_rate_pct",
    "poorest_commune_share_above_lower_pct", "poorest_commune_share_above_upper_pct",
    "poorest_commune_share_above_60_upper_pct", "region_income_per_declaration",
    "studio_temporary_fee_eur_m2_month", "studio_clt_cost_rent_eur_m2_month",
    "queue_list_length", "queue_newcomer_wait_years", "queue_wait_with_added_homes_years",
    # recomputed from the scenario file in tests/notebooks/test_one_assumption_set.py
    "studio_market_rent_eur_m2_month",
}


def test_every_headline_is_recomputed(headlines):
    assert set(headlines) == RECOMPUTED, set(headlines) ^ RECOMPUTED


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


def _median(entry: dict) -> float:
    """Median of a scenario-file distribution, by its closed form."""
    kind = entry["dist"]
    if kind == "fixed":
        return float(entry["value"])
    if kind == "uniform":
        return (entry["low"] + entry["high"]) / 2
    if kind == "normal":
        return float(entry["mean"])
    assert kind == "triangular", kind
    low, mode, high = entry["low"], entry["mode"], entry["high"]
    if (mode - low) / (high - low) >= 0.5:
        return low + math.sqrt((high - low) * (mode - low) / 2)
    return high - math.sqrt((high - low) * (high - mode) / 2)


def test_studio_costs_from_the_scenario_file(headlines, health_annual):
    """Temporary fee and CLT cost-rent: scenario medians in base-year euros, plain formulas."""
    import yaml

    document = yaml.safe_load((RAW.parents[1] / "scenarios" / "baseline.yaml").read_text(
        encoding="utf-8"))
    money, assumptions = document["money"], document["assumptions"]
    base = money["base_year"]
    raw = _read("construction_price_indices_belgium.csv")
    rows = raw[raw["series"] == "index_I_2021"].drop_duplicates(["year", "month"])
    counts = rows.groupby("year")["value"].count()
    construction = rows.groupby("year")["value"].mean()[counts == 12]

    def at_base(key: str) -> float:
        value = _median(assumptions[key])
        tag = money["price_years"].get(key)
        if tag:
            index = construction if tag["kind"] == "building_cost" else health_annual
            value *= index[base] / index[tag["year"]]
        return value

    land_floor = at_base("land_price_eur_m2") / at_base("floor_area_ratio")
    price = (at_base("construction_cost_eur_m2") * (1 - at_base("construction_subsidy_share"))
             + land_floor * (1 - at_base("land_subsidy_share")))
    r, n = at_base("interest_rate_real"), at_base("cost_rent_loan_years")
    repayment = price * r / (1 - (1 + r) ** -n)  # yearly payment per m2 of an annuity loan
    occupant = (at_base("maintenance_eur_m2_year")
                + at_base("stewardship_cost_eur_m2_year")
                * (1 - at_base("stewardship_public_share")))
    assert headlines["studio_temporary_fee_eur_m2_month"] == pytest.approx(
        at_base("temporary_fee_eur_m2_month"), abs=0.006)
    assert headlines["studio_clt_cost_rent_eur_m2_month"] == pytest.approx(
        (repayment + occupant) / 12, abs=0.006)


def test_exports_written(executed_notebook):
    _, _, exports = executed_notebook("03_affordability")
    for name in ("affordability_heatmap.png", "affordability_heatmap.pdf",
                 "queue_wait_scenarios.pdf", "affordability_bounds_by_commune.tex",
                 "max_affordable_rent_price.csv", "studio_affordability.png",
                 "queue_list_length_options.csv"):
        assert (exports / name).is_file(), name
