"""The scenario's money section: every euro input has a price year; the Monte Carlo's inputs are
scaled to the base year with the bundled deflators (checked against the raw index files)."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest
import yaml

from permanent_research.config import paths
from permanent_research.errors import ScenarioError
from permanent_research.reporting.scenario_files import load_scenario
from permanent_research.scenarios import (
    ASSUMPTION_SPECS,
    MONEY_KEYS,
    conversion_table,
    in_base_year,
    validate_assumptions,
    validate_money,
)

SCENARIOS = ("baseline", "pessimistic", "optimistic")


@pytest.fixture(scope="module")
def indexes():
    from permanent_research.data import bundled_price_indexes

    return bundled_price_indexes()


def _raw(name: str) -> dict:
    return yaml.safe_load((paths().scenarios / f"{name}.yaml").read_text(encoding="utf-8"))


def _raw_annual_mean(files, series, year):
    """Plain-pandas mean of the 12 months of ``year`` (first occurrence of each month)."""
    raw = pd.concat([pd.read_csv(paths().raw / f) for f in files])
    rows = raw[(raw.series == series) & (raw.year == year)]
    if "base" in rows and series == "health_index":
        rows = rows[rows.base == "2013=100"]
    rows = rows.drop_duplicates(["year", "month"])
    assert len(rows) == 12
    return rows.value.mean()


def test_money_keys_are_exactly_the_euro_assumptions():
    assert set(MONEY_KEYS) == {k for k, s in ASSUMPTION_SPECS.items() if "EUR" in s.unit}
    assert "market_rent_home_eur_m2_month" in MONEY_KEYS
    assert "horizon_years" not in MONEY_KEYS


@pytest.mark.parametrize("name", SCENARIOS)
def test_every_scenario_tags_every_euro_input(name):
    money = load_scenario(name).section("money")
    assert set(money.price_years) == set(MONEY_KEYS)
    assert money.discount_rate_source.strip()
    assert -1 < money.discount_rate <= 0.2


def test_rents_are_scaled_by_the_raw_health_index_ratio(indexes):
    raw = _raw("baseline")
    money = validate_money(raw["money"], source="baseline.yaml")
    before = validate_assumptions(raw["assumptions"])
    after = in_base_year(before, money, indexes)
    key = "market_rent_home_eur_m2_month"
    tag = money.price_years[key]
    files = ("health_index_cpi_belgium.csv", "health_index_cpi_belgium_monthly_2006_2015.csv")
    factor = (_raw_annual_mean(files, "health_index", money.base_year)
              / _raw_annual_mean(files, "health_index", tag.price_year))
    assert factor > 1.1  # 2018 -> 2024 rents: about +23 %
    for q in (0.0, 0.3, 0.5, 1.0):
        assert after[key].quantile(q) == pytest.approx(before[key].quantile(q) * factor, rel=1e-9)
    # a key with no euros is untouched, and a base-year input keeps its value
    assert after["horizon_years"] == before["horizon_years"]
    same = [k for k, t in money.price_years.items() if t.price_year == money.base_year][0]
    assert after[same].quantile(0.5) == pytest.approx(before[same].quantile(0.5))


def test_a_normal_and_a_lognormal_scale_their_amounts_not_their_log_spread(indexes):
    raw = _raw("baseline")
    money = validate_money(raw["money"], source="baseline.yaml")
    assumptions = validate_assumptions(raw["assumptions"]).replace(
        land_price_eur_m2={"dist": "lognormal", "median": 650, "sigma": 0.2},
        relocation_cost_eur={"dist": "normal", "mean": 2500, "sd": 500},
    )
    after = in_base_year(assumptions, money, indexes)
    factor = money.factors(indexes)["land_price_eur_m2"]
    assert after["land_price_eur_m2"].params["sigma"] == 0.2
    u = np.array([0.1, 0.5, 0.9])
    assert np.allclose(after["land_price_eur_m2"].ppf(u),
                       assumptions["land_price_eur_m2"].ppf(u) * factor)
    f2 = money.factors(indexes)["relocation_cost_eur"]
    assert np.allclose(after["relocation_cost_eur"].ppf(u),
                       assumptions["relocation_cost_eur"].ppf(u) * f2)


def test_construction_costs_use_the_construction_index(indexes):
    raw = _raw("baseline")
    money = validate_money(raw["money"], source="baseline.yaml")
    table = conversion_table(validate_assumptions(raw["assumptions"]), money, indexes)
    frame = table.to_frame().set_index("input")
    assert frame.loc["construction_cost_eur_m2", "index"] == "construction"
    assert frame.loc["market_rent_home_eur_m2_month", "index"] == "health_index"
    assert (frame.value_base_year == frame.value * frame.factor).all() or np.allclose(
        frame.value_base_year, frame.value * frame.factor)


def _bad(change):
    raw = copy.deepcopy(_raw("baseline")["money"])
    change(raw)
    return raw


@pytest.mark.parametrize(("change", "pattern"), [
    (lambda m: m["price_years"].pop("land_price_eur_m2"),
     r"money\.price_years: money input\(s\) without a price year: land_price_eur_m2"),
    (lambda m: m.update(discount_rate={"value": 0.25, "source": "x"}), r"money\.discount_rate"),
    (lambda m: m.update(discount_rate={"value": -1.0, "source": "x"}), r"money\.discount_rate"),
    (lambda m: m["price_years"]["land_price_eur_m2"].update(kind="land"),
     r"price_years\.land_price_eur_m2: kind='land'; allowed: rent, income, price, building_cost"),
    (lambda m: m["price_years"].update(horizon_years={"year": 2020, "kind": "price"}),
     r"price_years\.horizon_years: not a money assumption"),
])
def test_bad_money_sections_are_one_line_errors(change, pattern):
    with pytest.raises(ScenarioError, match=pattern) as info:
        validate_money(_bad(change), source="baseline.yaml")
    assert "\n" not in str(info.value)


def test_a_price_year_outside_the_index_names_the_years(indexes):
    raw = _raw("baseline")
    bad = _bad(lambda m: m["price_years"]["construction_cost_eur_m2"].update(year=2019))
    money = validate_money(bad, source="baseline.yaml")
    with pytest.raises(ScenarioError, match=r"construction_cost_eur_m2.*2021") as info:
        in_base_year(validate_assumptions(raw["assumptions"]), money, indexes)
    assert "\n" not in str(info.value)


def test_the_monte_carlo_runs_in_base_year_euros(indexes):
    from permanent_research.scenarios import simulate

    raw = _raw("baseline")
    money = validate_money(raw["money"], source="baseline.yaml")
    assumptions = validate_assumptions(raw["assumptions"])
    converted = simulate(assumptions, n_draws=200, seed=3, money=money, indexes=indexes)
    by_hand = simulate(in_base_year(assumptions, money, indexes), n_draws=200, seed=3)
    as_is = simulate(assumptions, n_draws=200, seed=3)
    pd.testing.assert_frame_equal(converted.draws, by_hand.draws)
    # rents rose 2018 -> 2024, so the market occupant pays more in base-year euros
    market = converted.draws.query("user == 'household' and model == 'market'")
    market_as_is = as_is.draws.query("user == 'household' and model == 'market'")
    assert market.cost_eur_m2_year.median() > market_as_is.cost_eur_m2_year.median()
    with pytest.raises(Exception, match="indexes"):
        simulate(assumptions, n_draws=10, money=money)


@pytest.mark.parametrize("name", SCENARIOS)
def test_one_discount_rate_per_scenario(name):
    """The programme's rent annuity and the Monte Carlo's present values use the same rate."""
    raw = _raw(name)
    if "programme" in raw and "discount_rate" in raw["programme"]:
        assert raw["programme"]["discount_rate"] == raw["money"]["discount_rate"]["value"]


def test_compare_assumptions_names_what_differs_and_by_how_much():
    from permanent_research.scenarios import compare_assumptions

    pessimistic = load_scenario("pessimistic").section("assumptions")
    optimistic = load_scenario("optimistic").section("assumptions")
    table = compare_assumptions(pessimistic, optimistic)
    raw_p, raw_o = _raw("pessimistic")["assumptions"], _raw("optimistic")["assumptions"]
    differing = {k for k in raw_p if {a: b for a, b in raw_p[k].items() if a != "source"}
                 != {a: b for a, b in raw_o[k].items() if a != "source"}}
    assert set(table.assumption) == differing and differing
    row = table.set_index("assumption").loc[sorted(differing)[0]]
    assert row.difference == pytest.approx(row.second - row.first)
    assert table.relative.abs().is_monotonic_decreasing or table.relative.isna().any()
    assert compare_assumptions(pessimistic, pessimistic).empty
