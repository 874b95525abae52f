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


def _raw_indexes():
    """Annual health index (2013=100) and construction index I-2021, full years, from data/raw."""
    raw = pd.concat([pd.read_csv(RAW / f) for f in (
        "health_index_cpi_belgium.csv", "health_index_cpi_belgium_monthly_2006_2015.csv")])
    health = raw[(raw.series == "health_index") & (raw.base == "2013=100")].drop_duplicates(
        ["year", "month"])
    counts = health.groupby("year").value.count()
    health = health.groupby("year").value.mean()[counts == 12]
    build = pd.read_csv(RAW / "construction_price_indices_belgium.csv")
    build = build[build.series == "index_I_2021"].drop_duplicates(["year", "month"])
    counts = build.groupby("year").value.count()
    return health, build.groupby("year").value.mean()[counts == 12]


def _median(entry):
    """Median of a scenario distribution as written (fixed, uniform, triangular, normal)."""
    if entry["dist"] == "fixed":
        return entry["value"]
    if entry["dist"] == "uniform":
        return (entry["low"] + entry["high"]) / 2
    if entry["dist"] == "normal":  # untruncated normal: median = mean
        return entry["mean"]
    assert entry["dist"] == "triangular", entry
    return _triangular_median(entry["low"], entry["mode"], entry["high"])


def _shared_by_hand():
    """The baseline's shared quantities, medians in base-year euros, from the YAML and data/raw:
    what notebook 07 must take from the assumption set (not from its programme section)."""
    document = yaml.safe_load((REPO_ROOT / "scenarios" / "baseline.yaml").read_text())
    a, money = document["assumptions"], document["money"]
    health, build = _raw_indexes()
    base = money["base_year"]

    def value(key):
        tag = money["price_years"].get(key)
        if tag is None:
            return _median(a[key])
        index = build if tag["kind"] == "building_cost" else health
        return _median(a[key]) * index[base] / index[tag["year"]]

    rate, years = value("interest_rate_real"), value("cost_rent_loan_years")
    payment = rate / (1 - (1 + rate) ** -years)  # yearly payment per EUR borrowed
    far = value("floor_area_ratio")
    price_m2 = (value("construction_cost_eur_m2") * (1 - value("construction_subsidy_share"))
                + value("land_price_eur_m2") / far * (1 - value("land_subsidy_share")))
    occupant = (value("maintenance_eur_m2_year") + value("stewardship_cost_eur_m2_year")
                * (1 - value("stewardship_public_share")))
    return {
        "land_price_eur_m2": value("land_price_eur_m2"),
        "floor_area_ratio": far,
        "market_price_eur_m2": value("market_price_eur_m2"),
        "studio_rent_eur_m2_year": payment * price_m2 + occupant,
        "discount_rate": money["discount_rate"]["value"],
        "construction_years": value("construction_years"),
        "property_value_growth_real": value("property_value_growth_real"),
        "income_growth_real": value("income_growth_real"),
    }


SHARED = _shared_by_hand()
PROGRAMME = yaml.safe_load((REPO_ROOT / "scenarios" / "baseline.yaml").read_text())["programme"]
V0 = SHARED["market_price_eur_m2"] * PROGRAMME["home_size_m2"]
GV, GY = SHARED["property_value_growth_real"], SHARED["income_growth_real"]
PUBLIC = ("cafe", "exhibition", "recyclotheek", "community_room", "classrooms")


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


def _by_hand(p, size, shared=SHARED):
    """Cost, revenue, land and the public spaces' share of one size (the scenario's mix: every
    use scaled with the size), by plain arithmetic."""
    k = size / p["gross_floor_area_m2"]
    areas = {use: area * k for use, area in p["areas_m2"].items()}
    homes = math.floor(areas["clt_homes"] / p["home_size_m2"] + 1e-9)
    land = size / shared["floor_area_ratio"] * shared["land_price_eur_m2"]
    works = size * p["works_cost_eur_m2"]
    building = works * (1 + p["fees_share"]) * (1 + p["vat_rate"])
    r = shared["discount_rate"]
    annuity = sum((1 + r) ** -t for t in range(1, int(p["rent_years"]) + 1))
    studio = areas["studios"] + areas["production"]
    public = sum(areas[u] for u in PUBLIC)
    upkeep = p["operating_cost_eur_m2_year"]
    public_rent = annuity * public * (p["public_rent_eur_m2_year"] - upkeep)
    revenue = (homes * p["home_size_m2"] * shared["market_price_eur_m2"] * (1 - p["clt_discount"])
               + annuity * studio * (shared["studio_rent_eur_m2_year"] - upkeep) + public_rent)
    return {"homes": homes, "land": land, "cost": land + building, "revenue": revenue,
            "public_share": public / sum(areas.values()), "public_rent": public_rent}


def test_programme_size_is_the_scenario_value(headlines, section):
    assert _value(headlines, "programme_gross_floor_area_m2") == section["gross_floor_area_m2"]


def test_shared_values_are_the_assumption_set(headlines, section):
    assert not {"market_price_eur_m2", "studio_rent_eur_m2_year", "land_price_eur_m2",
                "discount_rate", "site_area_m2"} & set(section)
    assert _value(headlines, "programme_market_price_eur_m2") == round(
        SHARED["market_price_eur_m2"])
    assert _value(headlines, "programme_land_price_eur_m2") == round(SHARED["land_price_eur_m2"])
    assert _value(headlines, "studio_clt_cost_rent_eur_m2_month") == pytest.approx(
        round(SHARED["studio_rent_eur_m2_year"] / 12, 2))
    assert _value(headlines, "discount_rate_pct") == pytest.approx(
        round(100 * SHARED["discount_rate"], 1))


def test_programme_money(headlines, section):
    p = section
    hand = _by_hand(p, p["gross_floor_area_m2"])
    assert _value(headlines, "programme_homes") == hand["homes"]
    assert _value(headlines, "programme_total_cost_meur") == pytest.approx(hand["cost"] / 1e6,
                                                                          abs=0.006)
    assert _value(headlines, "programme_funding_gap_meur") == pytest.approx(
        (hand["cost"] - hand["revenue"]) / 1e6, abs=0.006
    )
    facts = pd.read_csv(RAW / "clt_brussels_facts.csv")
    grant = float(facts.loc[facts.measure == "regional_grant_per_year", "value"].iloc[0])
    assert p["land_budget_eur_year"] == grant
    assert _value(headlines, "land_budget_years") == pytest.approx(hand["land"] / grant,
                                                                   abs=0.006)


def test_size_sweep(headlines, section):
    p = section
    budget = p["land_budget_eur_year"] * p["land_budget_years_max"]
    largest = budget / (SHARED["land_price_eur_m2"] / SHARED["floor_area_ratio"])
    assert _value(headlines, "land_budget_max_gfa_m2") == round(largest)
    for size, name in ((4500, "sweep_gap_smallest_meur"), (9000, "sweep_gap_largest_meur")):
        hand = _by_hand(p, size)
        assert _value(headlines, name) == pytest.approx(
            (hand["cost"] - hand["revenue"]) / 1e6, abs=0.006), name


def test_capital_stack(headlines, section):
    p = section
    hand = _by_hand(p, p["gross_floor_area_m2"])
    grant = min(hand["land"], p["land_budget_eur_year"] * p["land_budget_years_max"])
    public = hand["public_share"] * (hand["cost"] - grant) - hand["public_rent"]
    unfunded = hand["cost"] - hand["revenue"] - grant - public
    assert _value(headlines, "gap_land_grant_meur") == pytest.approx(grant / 1e6, abs=0.006)
    assert _value(headlines, "gap_public_space_funders_meur") == pytest.approx(public / 1e6,
                                                                               abs=0.006)
    assert _value(headlines, "gap_unfunded_meur") == pytest.approx(unfunded / 1e6, abs=0.006)
    # the three parts are the funding gap
    parts = sum(_value(headlines, n) for n in ("gap_land_grant_meur",
                                               "gap_public_space_funders_meur",
                                               "gap_unfunded_meur"))
    assert parts == pytest.approx(_value(headlines, "programme_funding_gap_meur"), abs=0.02)


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
