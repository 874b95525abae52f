"""Tests of permanent_research.clt against examples worked by hand (tolerance 1e-9 relative)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from permanent_research import clt
from permanent_research.config import paths
from permanent_research.errors import ParameterError

REL = 1e-9


# ---------------------------------------------------------------- resale formulas, by hand


def test_appraisal_by_hand():
    # 150,000 + 0.25 * (300,000 - 250,000) + 10,000 = 172,500
    got = clt.resale_price(
        150_000, formula="appraisal", appraised_at_purchase=250_000,
        appraised_at_resale=300_000, seller_share=0.25, improvements=10_000,
    )
    assert isinstance(got, float)
    assert got == pytest.approx(172_500, rel=REL)


def test_indexed_by_hand():
    # 120,000 * 110 / 100 = 132,000
    got = clt.resale_price(120_000, formula="indexed", index_at_purchase=100, index_at_resale=110)
    assert got == pytest.approx(132_000, rel=REL)


def test_fixed_rate_simple_and_compound_by_hand():
    simple = clt.resale_price(100_000, formula="fixed_rate", rate=0.02, years=10)
    compound = clt.resale_price(100_000, formula="fixed_rate", rate=0.02, years=10, compound=True)
    assert simple == pytest.approx(120_000, rel=REL)  # 100,000 * (1 + 0.2)
    assert compound == pytest.approx(121_899.4419, rel=1e-9)  # 1.02**10 = 1.2189944199947573


def test_cltb_increase_from_price_paid_by_hand():
    # increase = 300,000 - 150,000 = 150,000; seller 25% = 37,500; fee max(9,000, 3,000)
    parts = clt.cltb_resale_breakdown(
        150_000, appraised_at_purchase=250_000, appraised_at_resale=300_000,
        increase_base="price_paid",
    )
    assert parts["increase_eur"] == pytest.approx(150_000, rel=REL)
    assert parts["seller_proceeds_eur"] == pytest.approx(187_500, rel=REL)
    assert parts["cltb_fee_eur"] == pytest.approx(9_000, rel=REL)
    assert parts["resale_price_eur"] == pytest.approx(196_500, rel=REL)
    # the "remaining 69 %" of the increase is neutralised (housing2030 arithmetic)
    assert parts["neutralised_eur"] == pytest.approx(0.69 * 150_000, rel=REL)


def test_cltb_increase_from_appraised_value_by_hand():
    # increase = 300,000 - 250,000 = 50,000; seller 12,500; fee max(3,000, 3,000) = 3,000
    got = clt.resale_price(
        150_000, formula="cltb", appraised_at_purchase=250_000, appraised_at_resale=300_000,
        increase_base="appraised_value",
    )
    assert got == pytest.approx(165_500, rel=REL)


def test_cltb_fee_minimum_binds():
    # increase 10,000: 6% = 600 < 3,000 -> fee 3,000; 150,000 + 2,500 + 3,000
    got = clt.resale_price(
        150_000, formula="cltb", appraised_at_purchase=250_000, appraised_at_resale=260_000,
        increase_base="appraised_value",
    )
    assert got == pytest.approx(155_500, rel=REL)


def test_cltb_fee_on_price_and_paid_by_seller():
    on_price = clt.cltb_resale_breakdown(
        150_000, appraised_at_purchase=250_000, appraised_at_resale=300_000, fee_base="price"
    )
    assert on_price["cltb_fee_eur"] == pytest.approx(0.06 * 187_500, rel=REL)  # 11,250
    assert on_price["resale_price_eur"] == pytest.approx(198_750, rel=REL)
    by_seller = clt.cltb_resale_breakdown(
        150_000, appraised_at_purchase=250_000, appraised_at_resale=300_000, fee_paid_by="seller"
    )
    assert by_seller["resale_price_eur"] == pytest.approx(187_500, rel=REL)
    assert by_seller["seller_proceeds_eur"] == pytest.approx(178_500, rel=REL)


def test_cltb_value_fall_shared_and_minimum_fee():
    # 140,000 - 150,000 = -10,000; seller bears 25% = -2,500; fee is the minimum 3,000
    got = clt.resale_price(
        150_000, formula="cltb", appraised_at_purchase=250_000, appraised_at_resale=140_000
    )
    assert got == pytest.approx(150_500, rel=REL)


@pytest.mark.parametrize(
    ("formula", "terms"),
    [
        ("appraisal", {"appraised_at_purchase": "v0", "appraised_at_resale": "v1",
                       "seller_share": 0.3}),
        ("indexed", {"index_at_purchase": "v0", "index_at_resale": "v1"}),
        ("fixed_rate", {"rate": 0.015, "years": 7.0, "compound": True}),
        ("cltb", {"appraised_at_purchase": "v0", "appraised_at_resale": "v1",
                  "increase_base": "appraised_value"}),
        ("cltb", {"appraised_at_purchase": "v0", "appraised_at_resale": "v1"}),
    ],
)
def test_vectorised_equals_scalar_loop(formula, terms):
    rng = np.random.default_rng(3)
    n = 200
    price = rng.uniform(80_000, 200_000, n)
    v0 = rng.uniform(200_000, 300_000, n)
    v1 = v0 * rng.uniform(0.8, 1.6, n)
    arrays = {k: {"v0": v0, "v1": v1}.get(v, v) if isinstance(v, str) else v
              for k, v in terms.items()}
    vector = clt.resale_prices(price, formula=formula, **arrays)
    loop = [
        clt.resale_price(
            price[i], formula=formula,
            **{k: (v[i] if isinstance(v, np.ndarray) else v) for k, v in arrays.items()},
        )
        for i in range(n)
    ]
    np.testing.assert_allclose(vector, loop, rtol=1e-12)


def test_resale_price_returns_array_for_arrays():
    got = clt.resale_price(np.array([1.0, 2.0]), formula="fixed_rate", rate=0.1, years=1)
    np.testing.assert_allclose(got, [1.1, 2.2])


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"formula": "market"}, "formula='market' is not allowed; choose one of 'appraisal'"),
        ({"formula": "indexed", "index_at_purchase": 1.0}, "missing term.*index_at_resale"),
        ({"formula": "fixed_rate", "rate": 0.02, "years": 3, "margin": 1},
         "unknown term.*margin; allowed terms are rate, years, compound"),
        ({"formula": "cltb", "appraised_at_purchase": 1e5, "appraised_at_resale": 2e5,
          "increase_base": "market"}, "increase_base='market'.*'price_paid', 'appraised_value'"),
        ({"formula": "cltb", "appraised_at_purchase": 1e5, "appraised_at_resale": 2e5,
          "fee_base": "x"}, "fee_base='x'"),
        ({"formula": "appraisal", "appraised_at_purchase": 1e5, "appraised_at_resale": 2e5,
          "seller_share": 1.5}, r"seller_share=1.5 is outside the allowed range \[0, 1\]"),
        ({"formula": "indexed", "index_at_purchase": 0, "index_at_resale": 1},
         "index_at_purchase"),
        ({"formula": "fixed_rate", "rate": 0.02, "years": -1}, "years"),
        ({"formula": "fixed_rate", "rate": 0.02, "years": 1, "compound": "yes"}, "compound"),
    ],
)
def test_bad_resale_input_one_line(kwargs, match):
    with pytest.raises(ParameterError, match=match) as info:
        clt.resale_price(100_000, **kwargs)
    assert "\n" not in str(info.value)


def test_negative_purchase_price_rejected():
    with pytest.raises(ParameterError, match="purchase_price"):
        clt.resale_price(-1, formula="indexed", index_at_purchase=1, index_at_resale=1)


# ---------------------------------------------------------------- generations


BASE = dict(
    market_value_eur=250_000.0, income_eur_year=30_000.0, value_growth=0.03,
    income_growth=0.02, years_per_generation=10.0, horizon_years=50.0,
)


def _regime(result, regime):
    frame = result.to_frame()
    return frame[frame["regime"] == regime].reset_index(drop=True)


def test_appraisal_retention_matches_methods_recursion():
    """Sub_k = Sub_{k-1} + (1 - s)(V_k - V_{k-1}) (METHODS §5), computed independently."""
    s = 0.25
    result = clt.simulate_generations(formula="appraisal", seller_share=s, top_up=False, **BASE)
    rows = _regime(result, "retention")
    values = 250_000.0 * 1.03 ** (10.0 * np.arange(6))
    subsidy = [250_000.0 - 120_000.0]  # first price = 4 x 30,000
    for k in range(1, 6):
        subsidy.append(subsidy[-1] + (1 - s) * (values[k] - values[k - 1]))
    np.testing.assert_allclose(rows["subsidy_in_home_eur"], subsidy, rtol=1e-12)
    np.testing.assert_allclose(rows["market_value_eur"], values, rtol=1e-12)


def test_cltb_conservation_price_gain_fee_subsidy_add_up_to_value():
    for base in ("price_paid", "appraised_value"):
        result = clt.simulate_generations(formula="cltb", increase_base=base, top_up=False, **BASE)
        rows = _regime(result, "retention")
        previous_price = rows["price_eur"].shift(1)
        total = (previous_price + rows["seller_gain_eur"] + rows["cltb_fee_eur"]
                 + rows["subsidy_in_home_eur"])
        np.testing.assert_allclose(total[1:], rows["market_value_eur"][1:], rtol=1e-12)


def test_cltb_proportional_fee_keeps_69_percent_of_increase():
    """With the 6 % fee above its minimum, the subsidy grows by 69 % of each value increase."""
    result = clt.simulate_generations(
        formula="cltb", increase_base="appraised_value", top_up=False,
        **{**BASE, "market_value_eur": 2_500_000.0, "income_eur_year": 300_000.0},
    )
    rows = _regime(result, "retention")
    growth = np.diff(rows["subsidy_in_home_eur"])
    np.testing.assert_allclose(growth, 0.69 * np.diff(rows["market_value_eur"]), rtol=1e-12)


def test_recapture_and_aid_conservation():
    result = clt.simulate_generations(formula="cltb", **BASE)
    recapture = _regime(result, "recapture")
    repaid = recapture["subsidy_in_home_eur"].shift(1)
    np.testing.assert_allclose(
        (recapture["seller_proceeds_eur"] + repaid)[1:], recapture["market_value_eur"][1:],
        rtol=1e-12,
    )
    # net new money telescopes to the last gap V - A
    last = recapture.iloc[-1]
    assert last["public_subsidy_cumulative_eur"] == pytest.approx(
        last["market_value_eur"] - last["affordable_price_eur"], rel=1e-12
    )
    aid = _regime(result, "aid")
    np.testing.assert_allclose(aid["seller_proceeds_eur"][1:], aid["market_value_eur"][1:])
    assert aid["public_subsidy_cumulative_eur"].iloc[-1] == pytest.approx(
        (aid["market_value_eur"] - aid["affordable_price_eur"]).sum(), rel=1e-12
    )


def test_retention_is_cheapest_per_household_when_values_outgrow_incomes():
    summary = clt.simulate_generations(
        formula="cltb", increase_base="appraised_value", **BASE
    ).last_generation()
    per_household = summary["subsidy_per_household_eur"]
    assert per_household["retention"] < per_household["recapture"] < per_household["aid"]


def test_top_up_keeps_price_affordable():
    rows = _regime(clt.simulate_generations(formula="cltb", top_up=True, **BASE), "retention")
    assert (rows["income_needed_multiple"] <= 1 + 1e-12).all()
    rows = _regime(clt.simulate_generations(formula="cltb", top_up=False, **BASE), "retention")
    assert rows["income_needed_multiple"].iloc[-1] > 1.5  # price-paid reading drifts up


def test_dearer_homes_need_more_subsidy():
    cheap = clt.simulate_generations(formula="cltb", **BASE).last_generation()
    dear = clt.simulate_generations(
        formula="cltb", **{**BASE, "market_value_eur": 350_000.0}
    ).last_generation()
    assert (dear["public_subsidy_cumulative_eur"] > cheap["public_subsidy_cumulative_eur"]).all()


def test_longer_horizon_more_resales():
    short = clt.simulate_generations(formula="indexed", **{**BASE, "horizon_years": 30.0})
    long = clt.simulate_generations(formula="indexed", **{**BASE, "horizon_years": 60.0})
    assert short.last_generation()["households_served"].max() == 4  # sales at 0, 10, 20, 30
    assert long.last_generation()["households_served"].max() == 7


def test_seller_irr_by_hand():
    rows = _regime(clt.simulate_generations(
        formula="fixed_rate", rate=0.02, compound=True, top_up=False, **BASE), "retention")
    np.testing.assert_allclose(rows["seller_irr"][1:], 0.02, rtol=1e-12)


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"horizon_years": 0}, "horizon_years"),
        ({"years_per_generation": -5}, "years_per_generation"),
        ({"market_value_eur": -1}, "market_value_eur"),
        ({"value_growth": -2}, "value_growth"),
        ({"initial_price_eur": 1e9}, "initial_price_eur"),
        ({"formula": "nope"}, "formula='nope'"),
        ({"appraised_at_resale": 3}, "come from the simulated paths"),
    ],
)
def test_bad_generation_input(change, match):
    kwargs = {**BASE, "formula": "cltb", **change}
    with pytest.raises(ParameterError, match=match) as info:
        clt.simulate_generations(**kwargs)
    assert "\n" not in str(info.value)


def test_result_shapes():
    result = clt.simulate_generations(formula="cltb", **BASE)
    assert "<h4>" in result._repr_html_()
    assert list(result.last_generation().index) == ["retention", "recapture", "aid"]
    assert isinstance(result.summary(), str) and "retention" in result.summary()
    with pytest.raises(AttributeError):
        result.table = None  # frozen


# ---------------------------------------------------------------- pricing without land


def test_price_without_land():
    assert clt.price_without_land(250_000, 0.4) == pytest.approx(150_000)
    with pytest.raises(ParameterError, match="land_share"):
        clt.price_without_land(250_000, 1.2)


def test_land_share_on_raw_files_recomputed_with_plain_pandas():
    from permanent_research.data import load

    result = clt.land_share_estimates(
        load("building_land_prices"), load("real_estate_sales"), load("construction_costs"),
        load("clt_facts"),
    )
    raw = paths().raw
    costs = pd.read_csv(raw / "construction_costs_brussels_facts.csv")
    value = costs.set_index("measure")["value"]
    sales = pd.read_csv(raw / "statbel_real_estate_sales_brussels.csv", dtype={"nis_code": str})
    apartments = sales[(sales.nis_code == "04000") & (sales.property_type == "appartementen")
                       & (sales.measure == "median_price")].set_index("year")["value"]
    land = pd.read_csv(raw / "building_land_prices_brussels_facts.csv", dtype={"geo_code": str})
    land = land[(land.geo_code == "04000") & (land.statistic == "median")
                & land.reference_period.astype(str).str.fullmatch(r"\d{4}")]
    land_year = int(land.reference_period.astype(int).max())
    land_m2 = float(land[land.reference_period.astype(int) == land_year]["value"].iloc[0])
    expected = [
        float(value["SLRB_PPP_middle_housing_land_cost"])
        / float(value["SLRB_PPP_middle_housing_global_budget"]),
        land_m2 * 80 / 2.0 / apartments[land_year],
        2_000_000 / 20 / apartments[apartments.index.max()],
        2_000_000 / 40 / apartments[apartments.index.max()],
        float(value["regional_capital_allocated_to_FUP_CLTB"])
        / float(value["households_in_6_CLTB_projects"])
        / apartments[[2016, 2017]].mean(),
    ]
    np.testing.assert_allclose(result.to_frame()["share"], expected, rtol=1e-12)
    low, high = result.land_share_range()
    assert low < 0.2 < high < 0.40 + 0.05  # land alone: about 13-38 %
    assert result.to_frame().loc[4, "supports_claim"]  # public capital ~ 43 % does


def test_land_share_with_nothing_found():
    empty = pd.DataFrame(columns=["measure", "value_numeric", "geo_code", "statistic", "value",
                                  "reference_period", "nis_code", "property_type", "year"])
    with pytest.raises(ParameterError, match="none of the inputs"):
        clt.land_share_estimates(empty, empty, empty, empty)


# --- compare_formulas ------------------------------------------------------------------------
def test_compare_formulas_follows_each_formula_by_hand():
    paths = clt.compare_formulas(
        {
            "fixed 1.5% compound": ("fixed_rate", {"rate": 0.015, "compound": True}),
            "appraisal, s = 25%": ("appraisal", {"seller_share": 0.25}),
        },
        **BASE,
    )
    assert list(paths["label"].unique()) == ["fixed 1.5% compound", "appraisal, s = 25%"]
    assert set(paths["regime"]) == {"retention"}
    table = paths.pivot(index="year", columns="label", values="price_to_value")
    assert list(table.index) == [0, 10, 20, 30, 40, 50]
    years = np.array(table.index, dtype=float)
    value = 250_000.0 * 1.03**years
    first_price = min(250_000.0, 4.0 * 30_000.0)  # market value vs 4 x income
    np.testing.assert_allclose(table["fixed 1.5% compound"],
                               first_price * 1.015**years / value, rtol=1e-12)
    # appraisal: each seller keeps 25 % of the value increase over their tenure
    prices = [first_price]
    for k in range(1, len(years)):
        prices.append(prices[-1] + 0.25 * (value[k] - value[k - 1]))
    np.testing.assert_allclose(table["appraisal, s = 25%"], np.array(prices) / value, rtol=1e-12)
    # no top-up: the income needed drifts with the formula price
    needed = paths[paths["label"] == "appraisal, s = 25%"]["income_needed_multiple"].to_numpy()
    np.testing.assert_allclose(needed, np.array(prices) / (4.0 * 30_000.0 * 1.02**years))


def test_compare_formulas_other_regime():
    paths = clt.compare_formulas({"cltb": ("cltb", {})}, regime="aid", **BASE)
    assert set(paths["regime"]) == {"aid"}
    np.testing.assert_allclose(paths["market_value_eur"],
                               250_000.0 * 1.03 ** paths["year"].to_numpy(dtype=float))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"formulas": {}}, "formulas is empty"),
        ({"formulas": {"a": ("cltb", {})}, "regime": "rent"}, "regime='rent' is not allowed"),
    ],
)
def test_compare_formulas_bad_arguments(kwargs, match):
    with pytest.raises(ParameterError, match=match) as info:
        clt.compare_formulas(**kwargs, **BASE)
    assert "\n" not in str(info.value)
