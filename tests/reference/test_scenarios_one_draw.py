"""One Monte Carlo draw of the scenario model re-implemented as a slow scalar simulation.

The reference below shares no code with ``permanent_research.scenarios._model``: temporary use is
an event timeline (switch times on an absolute clock, each year integrated segment by segment),
the CLTB resale formula and the loan balance are written out by hand, and every quantity is a
Python float. It draws from the same three random streams (inputs, events, market shocks) that
``simulate`` spawns from the seed, so with ``n_draws=1`` both must give the same numbers.
Tolerance: 1e-9 relative (float rounding only).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from permanent_research.scenarios import load_assumptions, simulate

REL = 1e-9


def _annuity(rate: float, years: float) -> float:
    return 1.0 / years if rate == 0 else rate / (1.0 - (1.0 + rate) ** (-years))


def _balance(principal: float, rate: float, years: float, elapsed: float) -> float:
    if elapsed >= years:
        return 0.0
    if rate == 0:
        return principal * (1.0 - elapsed / years)
    grow = 1.0 + rate
    return principal * (grow**years - grow**elapsed) / (grow**years - 1.0)


def _cltb(paid: float, v_purchase: float, v_resale: float, share: float, base: str):
    """(price the next buyer pays, what the seller gets) under CLTB's formula."""
    increase = v_resale - (paid if base == "price_paid" else v_purchase)
    seller = paid + share * increase
    fee = max(0.06 * max(increase, 0.0), 3000.0)
    return seller + fee, seller


def one_draw(assumptions, *, seed: int, horizon: int, base: str = "price_paid") -> dict:
    root = np.random.default_rng(seed)
    rng_inputs, rng_events, rng_market = root.spawn(3)
    keys = list(assumptions)
    u = rng_inputs.random((len(keys), 1))
    x = {k: float(assumptions[k].ppf(u[i])[0]) for i, k in enumerate(keys)}

    def draw_event(kind: str) -> float:
        return float(assumptions[kind].ppf(rng_events.random(1))[0])

    home, studio = x["unit_area_home_m2"], x["unit_area_studio_m2"]
    area = {"household": home, "studio": studio}
    rent0 = {"household": 12 * x["market_rent_home_eur_m2_month"],
             "studio": 12 * x["market_rent_studio_eur_m2_month"]}
    move = {k: (x["relocation_cost_eur"] + x["lost_work_weeks_per_move"]
                * x["value_of_work_week_eur"]) / a for k, a in area.items()}
    hazard, p_stay = x["market_forced_move_rate"], x["new_site_probability"]

    # temporary use: absolute clock
    first = draw_event("occupation_years")
    next_switch, occupied = first, True
    circuit, on_market = 1.0, 0.0
    setups_pending = 1.0
    # CLT
    c = x["construction_years"]
    land_floor = x["land_price_eur_m2"] / x["floor_area_ratio"]
    build = x["construction_cost_eur_m2"]
    price_m2 = build * (1 - x["construction_subsidy_share"]) + land_floor * (
        1 - x["land_subsidy_share"])
    public0 = land_floor * x["land_subsidy_share"] + build * x["construction_subsidy_share"]
    steward_pub = x["stewardship_cost_eur_m2_year"] * x["stewardship_public_share"]
    fixed = x["maintenance_eur_m2_year"] + x["stewardship_cost_eur_m2_year"] - steward_pub
    r = x["interest_rate_real"]
    tenure = x["clt_tenure_years"]
    price = price_m2 * home
    owner_since = None  # year the owner's payments started (first owner: integer year)
    loan_start = None
    v_purchase = None
    resale_years = set()
    k = 1
    while math.ceil(c + k * tenure) - 1 < horizon:
        resale_years.add(math.ceil(c + k * tenure) - 1)
        k += 1
    resales, equity = 0, 0.0
    target_income = 20_000.0 * x["household_equivalence_scale"]

    totals = {key: 0.0 for key in (
        "temp_cost_h", "temp_cost_s", "temp_moves", "temp_occ", "temp_public",
        "clt_cost_h", "clt_cost_s", "clt_public", "social_cost", "social_public",
        "market_cost_h")}
    rent_i = value_i = income_i = 1.0
    for t in range(horizon):
        occ = gap = market = moves = 0.0
        setups = setups_pending
        setups_pending = 0.0
        clock = float(t)
        while True:
            end = min(next_switch, t + 1.0)
            span = max(end - clock, 0.0)
            if occupied:
                occ += circuit * span
            else:
                gap += circuit * span
            market += on_market * span
            clock = end
            if next_switch <= t + 1.0 + 1e-9:
                if occupied:  # an occupation ends: forced move
                    moves += circuit
                    on_market += circuit * (1 - p_stay)
                    circuit *= p_stay
                    occupied = False
                    next_switch += draw_event("gap_years")
                else:  # a new site starts
                    setups += circuit
                    occupied = True
                    next_switch += draw_event("occupation_years")
                continue
            break
        rent = {k: rent0[k] * rent_i for k in rent0}
        # stayers pay the sitting rent, movers a new lease: the market occupant has moved with
        # probability 1 - (1 - h)^t; temporary users between sites or on the market have moved
        new_lease = {k: rent[k] * (1 + x["new_lease_rent_premium"]) for k in rent}
        moved = 1 - (1 - hazard) ** t
        market_year = {k: rent[k] * (1 + x["new_lease_rent_premium"] * moved)
                       + hazard * move[k] for k in rent}
        for user, key in (("household", "temp_cost_h"), ("studio", "temp_cost_s")):
            totals[key] += (occ * 12 * x["temporary_fee_eur_m2_month"]
                            + (gap + market) * new_lease[user] + moves * move[user]
                            + market * hazard * move[user])
        totals["temp_moves"] += moves + market * hazard
        totals["temp_occ"] += occ
        totals["temp_public"] += (occ * x["temporary_public_cost_eur_m2_year"]
                                  + setups * x["temporary_setup_cost_eur_m2"])
        totals["market_cost_h"] += market_year["household"]

        inside = min(max(t + 1 - c, 0.0), 1.0)
        if inside > 0 and owner_since is None:
            owner_since, loan_start = t, c
            v_purchase = x["market_price_eur_m2"] * value_i * home
        owner = fixed
        if owner_since is not None and t - owner_since < x["mortgage_years"]:
            owner += _annuity(r, x["mortgage_years"]) * price / home
        rent_s = fixed + (_annuity(r, x["cost_rent_loan_years"]) * price_m2
                          if t - c < x["cost_rent_loan_years"] else 0.0)
        totals["clt_cost_h"] += (1 - inside) * market_year["household"] + inside * owner
        totals["clt_cost_s"] += (1 - inside) * market_year["studio"] + inside * rent_s
        totals["clt_public"] += steward_pub + (public0 if t == 0 else 0.0)

        waited = min(max(t + 1 - x["social_wait_years"], 0.0), 1.0)
        built = min(max(t + 1 - c, 0.0), 1.0)
        social_rent = x["social_rent_share_of_income"] * target_income * income_i / home
        totals["social_cost"] += (1 - waited) * market_year["household"] + waited * social_rent
        totals["social_public"] += (built * x["social_operating_subsidy_eur_year"] / home
                                    + (x["social_dwelling_cost_eur"] / home if t == 0 else 0.0))

        z_rent, z_value = rng_market.standard_normal((2, 1))[:, 0]
        rent_i *= max(1 + x["market_rent_growth_real"] + x["market_volatility"] * z_rent, 0.01)
        value_i *= max(1 + x["property_value_growth_real"]
                       + x["market_volatility"] * z_value, 0.01)
        income_i *= 1 + x["income_growth_real"]
        if t in resale_years and owner_since is not None:
            v_now = x["market_price_eur_m2"] * value_i * home
            new_price, seller = _cltb(price, v_purchase, v_now, x["clt_seller_share"], base)
            equity += seller - _balance(price, r, x["mortgage_years"], t + 1 - loan_start)
            price, v_purchase = new_price, v_now
            owner_since = loan_start = t + 1
            resales += 1

    v_h = x["market_price_eur_m2"] * value_i * home
    out = {"first_occupation": first}
    if owner_since is not None:
        next_price, seller = _cltb(price, v_purchase, v_h, x["clt_seller_share"], base)
        equity += seller - _balance(price, r, x["mortgage_years"], horizon - loan_start)
        out["clt_locked_h"] = (v_h - next_price) / home
        out["clt_housed_h"] = (1 + resales) * 1000 / home
    clt_years = max(horizon - c, 0.0)
    out.update({
        ("household", "temporary_use", "cost_eur_m2_year"): totals["temp_cost_h"] / horizon,
        ("studio", "temporary_use", "cost_eur_m2_year"): totals["temp_cost_s"] / horizon,
        ("household", "temporary_use", "forced_moves"): totals["temp_moves"],
        ("household", "temporary_use", "affordable_years"): totals["temp_occ"],
        ("household", "temporary_use", "public_cost_eur_m2"): totals["temp_public"],
        ("household", "temporary_use", "public_cost_per_affordable_year_eur"):
            totals["temp_public"] * home / totals["temp_occ"],
        ("studio", "permanent_clt", "cost_eur_m2_year"): totals["clt_cost_s"] / horizon,
        ("household", "permanent_clt", "cost_eur_m2_year"): totals["clt_cost_h"] / horizon,
        ("household", "permanent_clt", "cost_net_of_equity_eur_m2_year"):
            (totals["clt_cost_h"] - equity / home) / horizon,
        ("household", "permanent_clt", "public_cost_per_affordable_year_eur"):
            totals["clt_public"] * home / clt_years,
        ("household", "social_housing", "cost_eur_m2_year"): totals["social_cost"] / horizon,
        ("household", "social_housing", "public_cost_eur_m2"): totals["social_public"],
        ("household", "market", "cost_eur_m2_year"): totals["market_cost_h"] / horizon,
    })
    if "clt_locked_h" in out:
        out[("household", "permanent_clt", "subsidy_locked_in_eur_m2")] = out["clt_locked_h"]
        out[("household", "permanent_clt", "occupants_housed_per_1000m2")] = out["clt_housed_h"]
    return out


@pytest.mark.parametrize(
    ("scenario", "seed", "horizon", "base"),
    [("baseline", 1, 50, "price_paid"), ("baseline", 2, 60, "appraised_value"),
     ("pessimistic", 3, 35, "price_paid"), ("optimistic", 4, 45, "appraised_value")],
)
def test_one_draw_matches_scalar_reimplementation(scenario, seed, horizon, base):
    assumptions = load_assumptions(scenario)
    expected = one_draw(assumptions, seed=seed, horizon=horizon, base=base)
    result = simulate(assumptions, n_draws=1, horizon_years=horizon, seed=seed,
                      increase_base=base)
    checked = 0
    for key, value in expected.items():
        if not isinstance(key, tuple):
            continue
        got = result.metric(*key)[0]
        assert got == pytest.approx(value, rel=REL, abs=1e-9), key
        checked += 1
    assert checked >= 13
