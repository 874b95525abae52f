"""Tests of permanent_research.scenarios: validation, reproducibility, hand-worked limits,
monotonicity, sensitivity."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import yaml

from permanent_research.config import paths
from permanent_research.errors import ParameterError, ScenarioError
from permanent_research.scenarios import (
    ASSUMPTION_SPECS,
    annuity_factor,
    income_deciles_lognormal,
    load_assumptions,
    outstanding_balance,
    sensitivity,
    simulate,
    validate_assumptions,
)


@pytest.fixture(scope="module")
def raw_baseline() -> dict:
    text = (paths().scenarios / "baseline.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)["assumptions"]


@pytest.fixture(scope="module")
def baseline(raw_baseline):
    return validate_assumptions(raw_baseline, source="baseline.yaml")


def _fixed(baseline, **overrides):
    """Every input at its median, no market shocks, then the overrides."""
    return baseline.at_quantile(0.5).replace(market_volatility=0.0, **overrides)


# ------------------------------------------------------------------ validation


@pytest.mark.parametrize("name", ["baseline", "pessimistic", "optimistic"])
def test_scenario_files_validate(name):
    assumptions = load_assumptions(name)
    assert set(assumptions) == set(ASSUMPTION_SPECS)
    table = assumptions.to_frame()
    assert table["source"].str.len().min() > 0
    assert (table["p05"] <= table["median"]).all() and (table["median"] <= table["p95"]).all()


def _bad(raw, key, entry):
    mapping = copy.deepcopy(raw)
    mapping[key] = entry
    return mapping


@pytest.mark.parametrize(
    ("key", "entry", "fragment"),
    [
        ("relocation_cost_eur", {"dist": "fixed", "value": -5, "source": "a"}, "[0, inf]"),
        ("new_site_probability", {"dist": "uniform", "low": 0.2, "high": 1.2, "source": "a"},
         "[0, 1]"),
        ("gap_years", {"dist": "uniform", "low": 3, "high": 1, "source": "a"},
         "low=3 exceeds high=1"),
        ("horizon_years", {"dist": "fixed", "value": 0, "source": "a"}, "(0, 200]"),
        ("horizon_years", {"dist": "fixed", "value": -10, "source": "a"}, "(0, 200]"),
        ("gap_years", {"dist": "uniform", "low": 0, "high": 1}, "missing source"),
        ("gap_years", {"dist": "beta", "low": 0, "high": 1, "source": "a"}, "dist='beta'"),
        ("gap_years", {"dist": "triangular", "low": 0, "high": 1, "source": "a"}, "missing mode"),
        ("land_price_eur_m2", {"dist": "normal", "mean": -1, "sd": 10, "source": "a"},
         "mean=-1"),
        ("occupation_years", {"dist": "triangular", "low": 1, "mode": 9, "high": 5,
                              "source": "a"}, "mode=9"),
        ("horizon_years", {"dist": "fixed", "value": 0.4, "source": "a"}, "whole number"),
        ("relocation_cost_eur", {"dist": "fixed", "value": float("inf"), "source": "a"},
         "not a finite number"),
        ("gap_years", {"dist": "uniform", "low": float("nan"), "high": 1, "source": "a"},
         "not a finite number"),
        ("gap_years", {"dist": "triangular", "low": 2, "mode": 1.5, "high": 1, "source": "a"},
         "low=2 exceeds high=1"),
        ("relocation_cost_eur", {"dist": "normal", "mean": 100, "sd": 5, "low": -3,
                                 "source": "a"}, "low=-3 is outside the allowed range [0, inf]"),
    ],
)
def test_bad_entries_raise_one_line(raw_baseline, key, entry, fragment):
    with pytest.raises(ScenarioError) as info:
        validate_assumptions(_bad(raw_baseline, key, entry), source="bad.yaml")
    message = str(info.value)
    assert "\n" not in message
    assert f"assumptions.{key}" in message and "bad.yaml" in message
    assert fragment in message


@pytest.mark.parametrize(
    ("key", "entry", "fragment"),
    [
        ("ocupation_years", None, "did you mean occupation_years"),
        ("relocation_cost_eur", {"dist": "fixed", "value": -5, "source": "a"}, "[0, inf]"),
        ("land_subsidy_share", {"dist": "fixed", "value": 1.2, "source": "a"}, "[0, 1]"),
        ("gap_years", {"dist": "uniform", "low": 3, "high": 1, "source": "a"}, "exceeds high"),
        ("horizon_years", {"dist": "fixed", "value": 0, "source": "a"}, "(0, 200]"),
        ("gap_years", {"dist": "uniform", "low": 0, "high": 1}, "missing source"),
    ],
)
def test_bad_scenario_file_through_load_scenario(tmp_path, key, entry, fragment):
    """The runner's entry point (reporting.load_scenario) gives the same one-line errors."""
    from permanent_research.reporting import load_scenario

    document = yaml.safe_load((paths().scenarios / "baseline.yaml").read_text(encoding="utf-8"))
    if entry is None:
        document["assumptions"][key] = document["assumptions"].pop("occupation_years")
    else:
        document["assumptions"][key] = entry
    path = tmp_path / "bad_scenario.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(str(path)).section("assumptions")
    message = str(info.value)
    assert "\n" not in message
    assert "bad_scenario.yaml" in message and f"assumptions.{key}" in message
    assert fragment in message


def test_unknown_key_suggests_close_match(raw_baseline):
    mapping = copy.deepcopy(raw_baseline)
    mapping["ocupation_years"] = mapping.pop("occupation_years")
    with pytest.raises(ScenarioError, match="did you mean occupation_years"):
        validate_assumptions(mapping, source="x.yaml")


def test_missing_key_is_named(raw_baseline):
    mapping = copy.deepcopy(raw_baseline)
    del mapping["gap_years"]
    with pytest.raises(ScenarioError, match="missing key\\(s\\) gap_years"):
        validate_assumptions(mapping, source="x.yaml")


def test_distribution_quantiles(baseline):
    tri = baseline["occupation_years"]  # triangular(1, 2, 6)
    assert tri.low == pytest.approx(1) and tri.high == pytest.approx(6)
    # triangular CDF at the mode is (mode - low) / (high - low) = 0.2
    assert tri.quantile(0.2) == pytest.approx(2.0, abs=1e-9)
    normal = baseline["market_rent_growth_real"]  # normal(0.013, 0.007) truncated to [-0.5, 0.5]
    assert normal.quantile(0.5) == pytest.approx(0.013, abs=1e-9)
    assert normal.quantile(0.975) == pytest.approx(0.013 + 1.959964 * 0.007, abs=1e-6)


def test_bad_simulation_parameters(baseline):
    with pytest.raises(ParameterError, match="horizon_years=0"):
        simulate(baseline, n_draws=5, horizon_years=0)
    with pytest.raises(ParameterError, match="n_draws"):
        simulate(baseline, n_draws=0)
    with pytest.raises(ParameterError, match="increase_base"):
        simulate(baseline, n_draws=5, increase_base="market")


# ------------------------------------------------------------------ reproducibility


def test_same_seed_identical_different_seed_differs(baseline):
    a = simulate(baseline, n_draws=300, horizon_years=30, seed=7)
    b = simulate(baseline, n_draws=300, horizon_years=30, seed=7)
    c = simulate(baseline, n_draws=300, horizon_years=30, seed=8)
    assert a.draws.equals(b.draws) and a.paths.equals(b.paths)
    cost_a = a.metric("household", "temporary_use", "cost_eur_m2_year")
    cost_c = c.metric("household", "temporary_use", "cost_eur_m2_year")
    assert not np.allclose(cost_a, cost_c)


# ------------------------------------------------------------------ hand-worked limits


def test_market_path_by_hand(baseline):
    fixed = _fixed(baseline)
    horizon = 20
    result = simulate(fixed, n_draws=3, horizon_years=horizon, seed=1)
    med = {k: fixed[k].params["value"] for k in fixed}
    g = med["market_rent_growth_real"]
    t = np.arange(horizon)
    # sitting tenants keep their indexed rent; those who moved (1 - (1 - h)^t of them by year
    # t) pay the new-lease premium
    h, premium = med["market_forced_move_rate"], med["new_lease_rent_premium"]
    assert premium > 0
    mean_index = np.mean((1 + g) ** t * (1 + premium * (1 - (1 - h) ** t)))
    move = (med["relocation_cost_eur"] + med["lost_work_weeks_per_move"]
            * med["value_of_work_week_eur"]) / med["unit_area_studio_m2"]
    expected = (12 * med["market_rent_studio_eur_m2_month"] * mean_index
                + med["market_forced_move_rate"] * move)
    got = result.metric("studio", "market", "cost_eur_m2_year")
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    np.testing.assert_allclose(result.metric("studio", "market", "forced_moves"),
                               horizon * med["market_forced_move_rate"], rtol=1e-12)


@pytest.mark.parametrize(
    ("probability", "moves", "affordable"),
    # occupations of 2 years, gaps of 1: [0,2) [3,5) [6,8) [9,11) within 10 years;
    # ends at 2, 5, 8; with p the cohort still circulating halves after each end
    [(1.0, 3.0, 7.0), (0.5, 1 + 0.5 + 0.25, 2 + 0.5 * 2 + 0.25 * 2 + 0.125 * 1)],
)
def test_temporary_cohort_by_hand(baseline, probability, moves, affordable):
    fixed = _fixed(baseline, occupation_years=2, gap_years=1, new_site_probability=probability,
                   market_forced_move_rate=0.0)
    result = simulate(fixed, n_draws=4, horizon_years=10, seed=3)
    np.testing.assert_allclose(result.metric("studio", "temporary_use", "forced_moves"), moves)
    np.testing.assert_allclose(result.metric("studio", "temporary_use", "affordable_years"),
                               affordable)
    # public cost: support per occupied m2-year plus one set-up per site entered
    med = {k: fixed[k].params["value"] for k in fixed}
    setups = 1 + probability + probability**2 + probability**3
    public = (affordable * med["temporary_public_cost_eur_m2_year"]
              + setups * med["temporary_setup_cost_eur_m2"])
    np.testing.assert_allclose(result.metric("studio", "temporary_use", "public_cost_eur_m2"),
                               public, rtol=1e-12)


def test_clt_by_hand(baseline):
    fixed = _fixed(baseline, construction_years=0, clt_tenure_years=5,
                   market_forced_move_rate=0.0)
    horizon = 10
    result = simulate(fixed, n_draws=2, horizon_years=horizon, seed=5)
    v = {k: fixed[k].params["value"] for k in fixed}
    r = v["interest_rate_real"]
    land_floor = v["land_price_eur_m2"] / v["floor_area_ratio"]
    price_m2 = v["construction_cost_eur_m2"]  # land fully subsidised, no construction subsidy
    occupant = v["maintenance_eur_m2_year"] + v["stewardship_cost_eur_m2_year"] * (
        1 - v["stewardship_public_share"])
    # studio cost-rent: annuity over the loan term, by hand
    annuity30 = r / (1 - (1 + r) ** -v["cost_rent_loan_years"])
    np.testing.assert_allclose(result.metric("studio", "permanent_clt", "cost_eur_m2_year"),
                               annuity30 * price_m2 + occupant, rtol=1e-12)
    # public outlay: the land at year 0 plus subsidised stewardship every year
    public = land_floor + horizon * v["stewardship_cost_eur_m2_year"] * v[
        "stewardship_public_share"]
    np.testing.assert_allclose(result.metric("household", "permanent_clt", "public_cost_eur_m2"),
                               public, rtol=1e-12)
    np.testing.assert_allclose(
        result.metric("household", "permanent_clt", "public_cost_per_affordable_year_eur"),
        public * v["unit_area_home_m2"] / horizon, rtol=1e-12)
    # two resales (end of years 5 and 10 of tenure); CLTB formula written out by hand
    area = v["unit_area_home_m2"]
    g = v["property_value_growth_real"]
    value = lambda years: v["market_price_eur_m2"] * area * (1 + g) ** years  # noqa: E731

    def cltb(price, new_value):
        increase = new_value - price  # increase over the price paid
        return price + 0.25 * increase + max(0.06 * increase, 3000.0)

    p1 = cltb(price_m2 * area, value(5))
    p2 = cltb(p1, value(10))
    p_next = cltb(p2, value(10))
    np.testing.assert_allclose(
        result.metric("household", "permanent_clt", "occupants_housed_per_1000m2"),
        3 * 1000 / area)
    np.testing.assert_allclose(
        result.metric("household", "permanent_clt", "subsidy_locked_in_eur_m2"),
        (value(10) - p_next) / area, rtol=1e-12)
    # household cost: mortgage annuity on the price paid (reset at each purchase) + fixed costs
    annuity25 = r / (1 - (1 + r) ** -v["mortgage_years"])
    costs = [annuity25 * (price_m2 * area if t < 5 else p1) / area + occupant for t in range(10)]
    np.testing.assert_allclose(result.metric("household", "permanent_clt", "cost_eur_m2_year"),
                               np.mean(costs), rtol=1e-12)
    # net of equity: each seller takes back the capped price minus the loan still owed (annuity
    # balance after 5 of 25 payments, by hand); the owner sitting at the horizon (bought at 10)
    # holds what a sale at the horizon would give minus a full balance
    def owed(principal, k):
        n = v["mortgage_years"]
        return principal * ((1 + r) ** n - (1 + r) ** k) / ((1 + r) ** n - 1)

    def seller_gets(price, new_value):
        return price + 0.25 * (new_value - price)

    p0 = price_m2 * area
    equity = (seller_gets(p0, value(5)) - owed(p0, 5) + seller_gets(p1, value(10)) - owed(p1, 5)
              + seller_gets(p2, value(10)) - p2)
    np.testing.assert_allclose(
        result.metric("household", "permanent_clt", "cost_net_of_equity_eur_m2_year"),
        np.mean(costs) - equity / area / horizon, rtol=1e-12)
    # renters and the other paths have no equity: the two costs coincide
    for user, model in (("studio", "permanent_clt"), ("household", "temporary_use"),
                        ("household", "social_housing"), ("household", "market")):
        np.testing.assert_array_equal(result.metric(user, model, "cost_net_of_equity_eur_m2_year"),
                                      result.metric(user, model, "cost_eur_m2_year"))


def test_outstanding_balance_by_hand():
    # 100,000 at 3 % over 20 years: balance after 8 payments = PV of the 12 left
    payment = 100_000 * 0.03 / (1 - 1.03**-20)
    left = payment * (1 - 1.03**-12) / 0.03
    assert float(outstanding_balance(100_000, 0.03, 20, 8)) == pytest.approx(left, rel=1e-12)
    assert float(outstanding_balance(100_000, 0.0, 20, 5)) == pytest.approx(75_000)
    assert float(outstanding_balance(100_000, 0.03, 20, 25)) == 0.0
    assert float(outstanding_balance(100_000, 0.03, 20, 0)) == pytest.approx(100_000)


def test_equity_lowers_clt_owner_cost_when_values_rise(baseline):
    rising = baseline.replace(market_volatility=0.0, property_value_growth_real=0.01)
    result = simulate(rising, n_draws=300, seed=17, horizon_years=40)
    cash = result.metric("household", "permanent_clt", "cost_eur_m2_year")
    net = result.metric("household", "permanent_clt", "cost_net_of_equity_eur_m2_year")
    assert np.all(net < cash)


def test_annuity_and_deciles():
    assert float(annuity_factor(0.0, 20)) == pytest.approx(0.05)
    assert float(annuity_factor(0.05, 10)) == pytest.approx(0.129504574, rel=1e-8)
    deciles = income_deciles_lognormal(20_000, 15_000, 27_000)
    assert deciles.shape == (10,) and np.all(np.diff(deciles) > 0)
    assert np.sqrt(deciles[4] * deciles[5]) == pytest.approx(20_000, rel=1e-9)  # symmetric in log
    with pytest.raises(ParameterError):
        income_deciles_lognormal(20_000, 25_000, 27_000)


# ------------------------------------------------------------------ monotonicity


def test_dearer_land_needs_more_subsidy(baseline):
    cheap = simulate(baseline.replace(land_price_eur_m2=400), n_draws=200, seed=11,
                     horizon_years=30)
    dear = simulate(baseline.replace(land_price_eur_m2=1200), n_draws=200, seed=11,
                    horizon_years=30)
    for user in ("studio", "household"):
        low = cheap.metric(user, "permanent_clt", "public_cost_eur_m2")
        high = dear.metric(user, "permanent_clt", "public_cost_eur_m2")
        assert np.all(high > low)


def test_longer_horizon_more_resales_and_moves(baseline):
    short = simulate(baseline, n_draws=300, seed=13, horizon_years=30)
    long = simulate(baseline, n_draws=300, seed=13, horizon_years=60)
    moves_short = short.metric("household", "temporary_use", "forced_moves")
    moves_long = long.metric("household", "temporary_use", "forced_moves")
    assert np.all(moves_long >= moves_short) and moves_long.mean() > moves_short.mean()
    housed_short = short.metric("household", "permanent_clt", "occupants_housed_per_1000m2")
    housed_long = long.metric("household", "permanent_clt", "occupants_housed_per_1000m2")
    assert np.all(housed_long >= housed_short) and housed_long.mean() > housed_short.mean()


# ------------------------------------------------------------------ outputs


def test_result_tables(baseline):
    deciles = income_deciles_lognormal(20_000, 15_000, 27_000)
    result = simulate(baseline, n_draws=200, seed=2, horizon_years=40,
                      income_deciles_eur_year=deciles)
    frame = result.to_frame()
    assert {"median", "low", "high"} <= set(frame.columns)
    assert (frame["low"] <= frame["median"] + 1e-9).all()
    assert (frame["median"] <= frame["high"] + 1e-9).all()
    assert set(result.paths["year"]) == set(range(1, 41))
    cti = result.cost_to_income
    assert len(cti) == 4 * 10
    # a poorer decile spends a larger share of income, except social rents (income-based)
    market = cti[cti["model"] == "market"].sort_values("decile")["q50"].to_numpy()
    assert np.all(np.diff(market) < 0)
    assert "median" in result.summary() or "Scenario" in result.summary()
    assert "<table" in result._repr_html_()


def test_sensitivity_ranks_inputs(baseline):
    tornado = sensitivity(baseline, user="studio", metric="public_cost_eur_m2", n_draws=20,
                          horizon_years=30)
    table = tornado.to_frame()
    assert set(table["assumption"]) == set(baseline.uncertain_keys())
    assert table["swing"].is_monotonic_decreasing
    # fixed inputs cannot move the outcome; land price must (public buys the land)
    row = table.set_index("assumption").loc["land_price_eur_m2"]
    assert row["outcome_at_high"] > row["outcome_at_low"]
    assert table.set_index("assumption").loc["market_rent_home_eur_m2_month", "swing"] == 0


@pytest.mark.parametrize("name", ["pessimistic", "optimistic"])
def test_variant_descriptions_cover_both_sections(name):
    document = yaml.safe_load((paths().scenarios / f"{name}.yaml").read_text(encoding="utf-8"))
    text = document["description"]
    assert {"assumptions", "programme"} <= set(document)
    assert "Assumptions (notebook 06)" in text and "Programme (notebook 07)" in text
    base = load_assumptions("baseline")
    variant = load_assumptions(name)
    # the direction the description states for land and occupation length holds in the file
    sign = 1 if name == "pessimistic" else -1
    for key in ("land_price_eur_m2", "construction_cost_eur_m2", "interest_rate_real"):
        assert sign * (variant[key].quantile(0.5) - base[key].quantile(0.5)) > 0, key
    assert sign * (variant["occupation_years"].quantile(0.5)
                   - base["occupation_years"].quantile(0.5)) > 0
