"""Present values in the scenario Monte Carlo: hand-worked flows, the 0 % limit, monotone in the
rate, terminal values discounted from the horizon."""

from __future__ import annotations

import numpy as np
import pytest

from permanent_research.errors import ParameterError
from permanent_research.scenarios import (
    DEFAULT_DISCOUNT_RATE,
    SHOWN_DISCOUNT_RATES,
    load_assumptions,
    simulate,
)


@pytest.fixture(scope="module")
def fixed():
    """Every input at its median, no market shocks: one deterministic draw."""
    return load_assumptions("baseline").at_quantile(0.5).replace(market_volatility=0.0)


def _one(result, user, model, metric):
    return float(result.metric(user, model, metric)[0])


def test_studio_clt_outlay_by_hand(fixed):
    """Land (and construction) subsidy at year 0 plus the public stewardship every year."""
    horizon, rate = 30, 0.03
    result = simulate(fixed, n_draws=1, seed=1, horizon_years=horizon, discount_rate=rate)
    x = {k: fixed[k].quantile(0.5) for k in fixed}
    upfront = (x["land_price_eur_m2"] / x["floor_area_ratio"] * x["land_subsidy_share"]
               + x["construction_cost_eur_m2"] * x["construction_subsidy_share"])
    steward = x["stewardship_cost_eur_m2_year"] * x["stewardship_public_share"]
    by_hand = upfront + sum(steward / 1.03**t for t in range(horizon))
    assert _one(result, "studio", "permanent_clt", "pv_public_cost_eur_m2") == pytest.approx(
        by_hand, rel=1e-12)
    cash = upfront + steward * horizon
    assert _one(result, "studio", "permanent_clt", "public_cost_eur_m2") == pytest.approx(cash)
    locked = _one(result, "studio", "permanent_clt", "subsidy_locked_in_eur_m2")
    assert _one(result, "studio", "permanent_clt", "pv_subsidy_locked_in_eur_m2") == (
        pytest.approx(locked / 1.03**horizon))


def test_zero_rate_present_values_equal_the_cash_totals():
    assumptions = load_assumptions("baseline")
    result = simulate(assumptions, n_draws=300, seed=5, horizon_years=40, discount_rate=0.0)
    d = result.draws
    assert np.allclose(d.pv_public_cost_eur_m2, d.public_cost_eur_m2)
    assert np.allclose(d.pv_subsidy_locked_in_eur_m2, d.subsidy_locked_in_eur_m2)
    both = d.pv_net_public_cost_per_affordable_year_eur.notna()
    assert both.sum() > 0
    assert np.allclose(d.pv_net_public_cost_per_affordable_year_eur[both],
                       d.net_public_cost_per_affordable_year_eur[both])


def test_higher_rates_weigh_late_outlays_less():
    assumptions = load_assumptions("baseline")
    totals = [simulate(assumptions, n_draws=200, seed=2, horizon_years=50, discount_rate=r)
              .draws.pv_public_cost_eur_m2.to_numpy() for r in (0.0, 0.01, 0.03, 0.05)]
    for lower, higher in zip(totals[:-1], totals[1:], strict=True):
        assert np.all(higher <= lower + 1e-9)
        assert np.any(higher < lower)


def test_present_values_side_by_side(fixed):
    result = simulate(load_assumptions("baseline"), n_draws=200, seed=4, horizon_years=30,
                      discount_rate=0.025)
    table = result.present_values
    assert sorted(table.discount_rate.unique()) == sorted({*SHOWN_DISCOUNT_RATES, 0.025})
    assert set(table.metric) == {"pv_public_cost_per_affordable_year_eur",
                                 "pv_net_public_cost_per_affordable_year_eur"}
    assert "market" not in set(table.model)
    assert (table.low <= table["median"]).all() and (table["median"] <= table.high).all()
    wide = result.present_value_comparison()
    assert list(wide.columns) == ["user", "model", "0.0%", "2.0%", "2.5% (scenario)", "3.5%"]
    # the scenario-rate column is the pv metric of the draws table
    clt = result.metric("household", "social_housing",
                        "pv_net_public_cost_per_affordable_year_eur")
    row = table.query("model == 'social_housing' and discount_rate == 0.025 and "
                      "metric == 'pv_net_public_cost_per_affordable_year_eur'")
    assert row["median"].item() == pytest.approx(np.median(clt))
    assert result.discount_rate == 0.025
    with pytest.raises(ParameterError, match="metric='nope'"):
        result.present_value_comparison("nope")


def test_default_rate_and_bad_rates():
    assumptions = load_assumptions("baseline")
    assert simulate(assumptions, n_draws=5, seed=1, horizon_years=3).discount_rate == (
        DEFAULT_DISCOUNT_RATE)
    for bad in (-1.0, 0.25, float("nan")):
        with pytest.raises(ParameterError, match="discount_rate") as info:
            simulate(assumptions, n_draws=5, seed=1, horizon_years=3, discount_rate=bad)
        assert "\n" not in str(info.value)


def test_studio_costs_by_hand(fixed):
    from permanent_research.scenarios import studio_costs

    x = {k: fixed[k].quantile(0.5) for k in fixed}
    r, years = x["interest_rate_real"], x["cost_rent_loan_years"]
    price = (x["construction_cost_eur_m2"] * (1 - x["construction_subsidy_share"])
             + x["land_price_eur_m2"] / x["floor_area_ratio"] * (1 - x["land_subsidy_share"]))
    annuity = r / (1 - (1 + r) ** -years)
    fixed_costs = (x["maintenance_eur_m2_year"]
                   + x["stewardship_cost_eur_m2_year"] * (1 - x["stewardship_public_share"]))
    table = studio_costs(fixed).set_index("model")["cost_eur_m2_month"]
    assert table["permanent_clt"] == pytest.approx((annuity * price + fixed_costs) / 12)
    assert table["temporary_use"] == x["temporary_fee_eur_m2_month"]
    assert table["market"] == x["market_rent_studio_eur_m2_month"]


def test_movers_pay_new_lease_rents(fixed):
    """A premium raises what temporary users (who move) pay, and a market occupant's rent only
    through the share that has moved; with no forced moves the market occupant never pays it."""
    def cost(user, model, **changes):
        result = simulate(fixed.replace(**changes), n_draws=1, seed=1, horizon_years=30)
        return _one(result, user, model, "cost_eur_m2_year")

    assert cost("household", "temporary_use", new_lease_rent_premium=0.4) > cost(
        "household", "temporary_use", new_lease_rent_premium=0.0)
    assert cost("household", "market", new_lease_rent_premium=0.4,
                market_forced_move_rate=0.0) == pytest.approx(
        cost("household", "market", new_lease_rent_premium=0.0, market_forced_move_rate=0.0))
    assert cost("household", "market", new_lease_rent_premium=0.4) > cost(
        "household", "market", new_lease_rent_premium=0.0)
