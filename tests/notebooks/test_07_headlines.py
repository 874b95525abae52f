"""Headlines of notebook 07 recomputed independently (plain pandas/yaml and hand loops)."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
RAW = REPO_ROOT / "data" / "raw"
REL = 1e-3  # headlines are rounded (2-3 significant decimals)

# the notebook's default parameters
Y0, M, T, H = 30_000.0, 4.0, 12.0, 48.0


def _triangular_median(low, mode, high):
    if (mode - low) / (high - low) >= 0.5:
        return low + ((high - low) * (mode - low) / 2) ** 0.5
    return high - ((high - low) * (high - mode) / 2) ** 0.5


def _scenario_values():
    """Home value and real growths of the resale illustration: the baseline's assumptions
    (medians), the value converted from its price year by the raw health index."""
    document = yaml.safe_load((REPO_ROOT / "scenarios" / "baseline.yaml").read_text())
    a, money = document["assumptions"], document["money"]
    price = a["market_price_eur_m2"]
    assert price["dist"] == "triangular"
    tag = money["price_years"]["market_price_eur_m2"]
    raw = pd.concat([pd.read_csv(RAW / f) for f in (
        "health_index_cpi_belgium.csv", "health_index_cpi_belgium_monthly_2006_2015.csv")])
    health = raw[(raw.series == "health_index") & (raw.base == "2013=100")].drop_duplicates(
        ["year", "month"]).groupby("year").value.mean()
    factor = health[money["base_year"]] / health[tag["year"]]
    value = _triangular_median(price["low"], price["mode"], price["high"]) * factor
    for key in ("property_value_growth_real", "income_growth_real"):
        assert a[key]["dist"] == "normal"  # untruncated normal: median = mean
    return (value * document["programme"]["home_size_m2"],
            a["property_value_growth_real"]["mean"], a["income_growth_real"]["mean"])


V0, GV, GY = _scenario_values()


@pytest.fixture(scope="module")
def headlines(executed_notebook):
    return executed_notebook("07_building_programme")[1]


@pytest.fixture(scope="module")
def section():
    scenario = yaml.safe_load((REPO_ROOT / "scenarios" / "baseline.yaml").read_text())
    assert "programme" in scenario, "scenarios/baseline.yaml lost its programme section"
    return scenario["programme"]


def _value(headlines, name):
    return headlines[name]["value"]


def test_programme_money(headlines, section):
    p = section
    areas = p["areas_m2"]
    homes = math.floor(areas["clt_homes"] / p["home_size_m2"])
    assert _value(headlines, "programme_homes") == homes
    land = p["site_area_m2"] * p["land_price_eur_m2"]
    works = p["gross_floor_area_m2"] * p["works_cost_eur_m2"]
    cost = land + works * (1 + p["fees_share"]) * (1 + p["vat_rate"])
    annuity = sum((1 + p["discount_rate"]) ** -t for t in range(1, int(p["rent_years"]) + 1))
    studio = areas["studios"] + areas["production"]
    public = sum(areas[u] for u in ("cafe", "exhibition", "recyclotheek", "community_room",
                                    "classrooms"))
    upkeep = p["operating_cost_eur_m2_year"]
    revenue = (homes * p["home_size_m2"] * p["market_price_eur_m2"] * (1 - p["clt_discount"])
               + annuity * studio * (p["studio_rent_eur_m2_year"] - upkeep)
               + annuity * public * (p["public_rent_eur_m2_year"] - upkeep))
    assert _value(headlines, "programme_total_cost_meur") == pytest.approx(cost / 1e6, abs=0.006)
    assert _value(headlines, "programme_funding_gap_meur") == pytest.approx(
        (cost - revenue) / 1e6, abs=0.006
    )
    facts = pd.read_csv(RAW / "clt_brussels_facts.csv")
    grant = float(facts.loc[facts.measure == "regional_grant_per_year", "value"].iloc[0])
    assert _value(headlines, "land_budget_years") == pytest.approx(land / grant, abs=0.006)


def test_land_shares(headlines):
    costs = pd.read_csv(RAW / "construction_costs_brussels_facts.csv")
    costs = costs.set_index("measure")["value"]
    sales = pd.read_csv(RAW / "statbel_real_estate_sales_brussels.csv", dtype={"nis_code": str})
    flats = sales[(sales.nis_code == "04000") & (sales.property_type == "appartementen")
                  & (sales.measure == "median_price")].set_index("year")["value"]
    land = [
        26_000_000 / 198_000_000,  # SLRB PPP
        764 * 80 / 2.0 / flats[2018],  # notaries' 2018 median, 40 m2 of plot per home
        2_000_000 / 20 / flats[2024],
        2_000_000 / 40 / flats[2024],
    ]
    assert float(costs["SLRB_PPP_middle_housing_land_cost"]) == 26_000_000
    assert _value(headlines, "land_share_min_pct") == pytest.approx(100 * min(land), abs=0.06)
    assert _value(headlines, "land_share_max_pct") == pytest.approx(100 * max(land), abs=0.06)
    per_household = float(costs["regional_capital_allocated_to_FUP_CLTB"]) / 85
    capital = per_household / flats[[2016, 2017]].mean()
    got = _value(headlines, "cltb_public_capital_share_pct")
    assert got == pytest.approx(100 * capital, abs=0.06)


def _paths():
    n = int(H // T) + 1
    years = [k * T for k in range(n)]
    values = [V0 * (1 + GV) ** y for y in years]
    afford = [M * Y0 * (1 + GY) ** y for y in years]
    return values, afford


def _cltb_step(price, v_prev, v_next, base):
    increase = v_next - (price if base == "price_paid" else v_prev)
    return price + 0.25 * increase + max(0.06 * max(increase, 0.0), 3000.0)


@pytest.mark.parametrize(
    ("base", "name"),
    [("price_paid", "price_to_value_end_cltb_price_paid"),
     ("appraised_value", "price_to_value_end_cltb_appraised")],
)
def test_resale_price_to_value(headlines, base, name):
    values, afford = _paths()
    price = afford[0]
    for k in range(1, len(values)):
        price = _cltb_step(price, values[k - 1], values[k], base)
    assert _value(headlines, name) == pytest.approx(price / values[-1], abs=0.0006)


def test_subsidy_per_household(headlines):
    values, afford = _paths()
    n = len(values)
    # retention with public top-ups
    price, total = afford[0], values[0] - afford[0]
    for k in range(1, n):
        price = _cltb_step(price, values[k - 1], values[k], "appraised_value")
        top_up = max(price - afford[k], 0.0)
        total += top_up
        price -= top_up
    recapture = values[-1] - afford[-1]  # net injections telescope
    aid = sum(v - a for v, a in zip(values, afford, strict=True))
    for regime, expected in (("retention", total), ("recapture", recapture), ("aid", aid)):
        got = _value(headlines, f"subsidy_per_household_{regime}_keur")
        assert got == pytest.approx(expected / n / 1e3, abs=0.06)


def test_eligible_sites(headlines):
    sites = pd.read_csv(REPO_ROOT / "data" / "examples" / "candidate_sites_example.csv",
                        comment="#")
    assert _value(headlines, "eligible_sites") == int((sites["area_m2"] >= 4500).sum())
