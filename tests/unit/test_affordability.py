"""Unit tests for permanent_research.affordability (hand-worked numbers, brute force)."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from permanent_research import affordability as aff
from permanent_research.errors import DataError, ParameterError

OBSERVATORY_2017 = {0.25: 500.0, 0.5: 660.0, 0.75: 800.0}
DECILES = [9000, 11000, 13000, 15000, 17500, 20000, 23000, 27000, 33000]


def _rent():
    return aff.distribution_from_quantiles(OBSERVATORY_2017, unit="EUR/month")


# ---------------------------------------------------------------- effort rates (hand-worked)
def test_effort_rate_rbdh_example():
    # METHODS §4: 550 / 1,168 = 47 %
    assert aff.effort_rate(550, 1168) == pytest.approx(0.470890, abs=1e-6)


def test_eurostat_variant_hand_worked():
    # (800 - 200) / (2000 - 200) = 600 / 1800 = 1/3
    assert aff.effort_rate(800, 2000, allowances_eur_month=200,
                           variant="eurostat") == pytest.approx(1 / 3, abs=1e-12)
    rates = aff.effort_rate(np.array([300, 600]), np.array([1000, 1500]))
    np.testing.assert_allclose(rates, [0.3, 0.4])


@pytest.mark.parametrize("income", [0, -100, np.nan])
def test_income_must_be_positive(income):
    with pytest.raises(ParameterError, match="income_eur_month"):
        aff.effort_rate(500, income)


@pytest.mark.parametrize("threshold", [0, 1, 1.5, -0.1, 33])
def test_threshold_outside_unit_interval(threshold):
    with pytest.raises(ParameterError, match=r"threshold=.*\(0, 1\)"):
        aff.share_above_threshold(aff.income_from_deciles(DECILES), 600, threshold)


def test_eurostat_allowance_must_be_below_income():
    with pytest.raises(ParameterError, match="allowances_eur_month"):
        aff.effort_rate(500, 1000, allowances_eur_month=1000, variant="eurostat")


def test_variant_choice_is_checked():
    with pytest.raises(ParameterError, match="'simple', 'eurostat'"):
        aff.effort_rate(500, 1000, variant="hud")


# ---------------------------------------------------------------- distributions from deciles
def test_deciles_interpolated_linearly():
    income = aff.income_from_deciles(DECILES)
    assert income.cdf(16250) == pytest.approx(0.45)  # halfway between D4 and D5
    assert income.quantile(0.45) == pytest.approx(16250)
    # lower tail: D1 - (D2 - D1) = 7000 at p = 0; upper: D9 + (D9 - D8) = 39000 at p = 1
    assert income.cdf(8000) == pytest.approx(0.05)
    assert income.quantile(1.0) == pytest.approx(39000)


def test_share_above_threshold_from_deciles_hand_worked():
    income = aff.income_from_deciles(DECILES)
    # rent 440 at 33 %: above the norm when Y < 12 * 440 / 0.33 = 16,000 EUR/year
    # 16,000 lies 1/2.5 of the way from D4 (15,000) to D5 (17,500): F = 0.4 + 0.04 = 0.44
    assert aff.share_above_threshold(income, 440, 0.33) == pytest.approx(0.44, abs=1e-12)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (DECILES[:7], "expected 9 values"),
        ([*DECILES[:4], DECILES[3], *DECILES[5:]], "strictly increasing"),
        ([*DECILES[:3], np.nan, *DECILES[4:]], "missing value"),
        ([0, *DECILES[1:]], "must be > 0"),
    ],
)
def test_bad_deciles(values, message):
    with pytest.raises(ParameterError, match=message):
        aff.income_from_deciles(values)


def test_deciles_from_frame_schema():
    frame = pd.DataFrame({"nis_code": "21014", "year": 2020, "decile": range(1, 10),
                          "income_eur_year": DECILES})
    income = aff.deciles_from_frame(frame, nis_code="21014", year=2020)
    assert income.quantile(0.5) == pytest.approx(17500)
    with pytest.raises(DataError, match="decile.*4 missing"):
        aff.deciles_from_frame(frame[frame["decile"] != 4])
    with pytest.raises(ParameterError, match="nis_code='21001'"):
        aff.deciles_from_frame(frame, nis_code="21001")
    with pytest.raises(DataError, match="missing column.*income_eur_year"):
        aff.deciles_from_frame(frame.drop(columns="income_eur_year"))


def test_microdata_share_weighted():
    frame = pd.DataFrame({
        "income_eur_month": [1000, 1000, 2000, 3000],
        "housing_cost_eur_month": [500, 300, 700, 600],
        "weight": [1.0, 2.0, 1.0, 1.0],
        "commune": ["a", "a", "b", "b"],
    })
    # rates 0.5, 0.3, 0.35, 0.2 -> above 0.33: households 1 (w 1) and 3 (w 1) of weight 5
    out = aff.share_above_threshold_microdata(frame, 0.33)
    assert out["share_above"].iloc[0] == pytest.approx(2 / 5)
    by = aff.share_above_threshold_microdata(frame, 0.33, by="commune").set_index("commune")
    assert by.loc["a", "share_above"] == pytest.approx(1 / 3)
    assert by.loc["b", "share_above"] == pytest.approx(1 / 2)
    with pytest.raises(DataError, match="income_eur_month"):
        aff.share_above_threshold_microdata(frame.assign(income_eur_month=[0, 1, 1, 1]), 0.3)


# ---------------------------------------------------------------- bounds: brute force
def _brute_force(incomes_eur_year, rents_eur_month, a):
    shares = [np.mean(rents_eur_month[list(p)] > a * incomes_eur_year / 12)
              for p in itertools.permutations(range(len(rents_eur_month)))]
    return min(shares), max(shares)


@pytest.mark.parametrize("seed", range(40))
def test_bounds_equal_min_and_max_over_all_pairings(seed):
    rng = np.random.default_rng(seed)
    n, a = 6, 0.33
    incomes = rng.uniform(8000, 40000, n).round(0)
    rents = rng.uniform(350, 1100, n).round(0) + 0.5  # no ties with a*y/12
    low, high = _brute_force(incomes, rents, a)
    bounds = aff.burden_bounds(aff.distribution_from_microdata(incomes),
                               aff.distribution_from_microdata(rents, unit="EUR/month"), a)
    assert bounds.lower == pytest.approx(low, abs=1e-9)
    assert bounds.upper == pytest.approx(high, abs=1e-9)
    # the pairings are inside, and computed right
    ys, rs = np.sort(incomes), np.sort(rents)
    assert bounds.comonotone == pytest.approx(np.mean(rs > a * ys / 12), abs=1e-9)
    assert bounds.countermonotone == pytest.approx(np.mean(rs[::-1] > a * ys / 12), abs=1e-9)
    assert bounds.independent == pytest.approx(
        np.mean(rents[:, None] > a * incomes[None, :] / 12), abs=1e-9)
    for value in (bounds.comonotone, bounds.countermonotone, bounds.independent):
        assert low - 1e-9 <= value <= high + 1e-9


def test_which_pairing_is_which_counterexample_to_methods_rule():
    """METHODS §4 step 3 says rank-to-rank = lower and anti-monotone = upper. Not in general:
    incomes 12 and 24 EUR/year (1 and 2 a month), rents 0.75 and 1.25, a = 0.5 (a*y/12 = 0.5, 1):
    rank-to-rank burdens both (the maximum), anti-monotone only one."""
    incomes, rents = np.array([12.0, 24.0]), np.array([0.75, 1.25])
    low, high = _brute_force(incomes, rents, 0.5)
    bounds = aff.burden_bounds(aff.distribution_from_microdata(incomes),
                               aff.distribution_from_microdata(rents, unit="EUR/month"), 0.5)
    assert (low, high) == (0.5, 1.0)
    assert bounds.comonotone == pytest.approx(high)  # rank-to-rank is the MAXIMUM here
    assert bounds.countermonotone == pytest.approx(low)
    assert (bounds.lower, bounds.upper) == pytest.approx((low, high))


def test_bounds_for_interpolated_distributions_match_a_fine_discretisation():
    income, rent = aff.income_from_deciles(DECILES), _rent()
    exact = aff.burden_bounds(income, rent, 0.33)
    u = (np.arange(20000) + 0.5) / 20000
    discrete = aff.burden_bounds(aff.distribution_from_microdata(income.quantile(u)),
                                 aff.distribution_from_microdata(rent.quantile(u),
                                                                 unit="EUR/month"), 0.33)
    for name in ("lower", "upper", "comonotone", "countermonotone", "independent"):
        assert getattr(exact, name) == pytest.approx(getattr(discrete, name), abs=2e-4)
    assert exact.lower <= exact.comonotone <= exact.upper
    assert "between" in exact.summary() and len(exact.to_frame()) == 5


# ---------------------------------------------------------------- residual income, ratios
def test_residual_income_reference_budget():
    # single: 980 * 0.55 = 539 non-housing; 1,200 - 700 - 539 = -39 (unaffordable)
    assert aff.residual_income(1200, 700) == pytest.approx(-39.0)
    assert aff.residual_income(3000, 900, household="couple_2_children") == pytest.approx(
        3000 - 900 - 2151 * 0.55)
    assert aff.residual_income(1000, 400, non_housing_budget_eur_month=500) == 100
    assert "[U: year]" in aff.REFERENCE_BUDGETS["single"].note
    with pytest.raises(ParameterError, match="household='family'"):
        aff.residual_income(1000, 400, household="family")


def test_price_and_rent_to_income():
    assert aff.price_to_income(300000, 60000) == pytest.approx(5.0)
    assert aff.rent_to_income(660, 24000) == pytest.approx(0.33)
    assert aff.demographia_class(3.0) == "affordable"
    assert aff.demographia_class(4.06) == "seriously unaffordable"  # rounds to 4.1
    assert aff.demographia_class(5.1) == "severely unaffordable"


def test_max_affordable_rent_and_price_annuity():
    assert aff.max_affordable_rent(24000, 0.33) == pytest.approx(660.0)
    terms = aff.MortgageTerms(rate_per_year=0.03, term_years=25, down_payment_share=0.2)
    price = aff.max_affordable_price(24000, 0.33, terms)
    # independent check: the loan (80 % of the price) costs exactly 660 a month
    i, n = 0.03 / 12, 300
    payment = 0.8 * price * i / (1 - (1 + i) ** -n)
    assert payment == pytest.approx(660.0, rel=1e-12)
    assert aff.mortgage_payment(0.8 * price, terms) == pytest.approx(660.0, rel=1e-12)
    zero = aff.MortgageTerms(rate_per_year=0.0, term_years=20, down_payment_share=0.0)
    assert aff.max_affordable_price(24000, 0.33, zero) == pytest.approx(660 * 240)


def test_affordable_by_decile_table():
    result = aff.affordable_by_decile(DECILES, 0.33, rent=_rent())
    table = result.to_frame()
    assert list(table["group"]) == [f"P{10 * k}" for k in range(1, 10)]
    assert table.loc[4, "max_rent_eur_month"] == pytest.approx(0.33 * 17500 / 12)
    # D9: 0.33 * 33000 / 12 = 907.5 -> above P75 800: F = 0.75 + 0.25 * 107.5 / 140
    assert table.loc[8, "share_of_rents_affordable"] == pytest.approx(
        0.75 + 0.25 * 107.5 / 140)
    assert "EUR/month" in result.summary()


# ---------------------------------------------------------------- studios
def test_studio_affordability_hand_worked():
    artists = aff.distribution_from_quantiles({0.25: 900, 0.5: 1300, 0.75: 1900},
                                              unit="EUR/month")
    result = aff.studio_affordability({"a": 3.0, "b": 10.0}, studio_m2=40,
                                      artist_income=artists, threshold=0.10)
    table = result.to_frame().set_index("scenario")
    assert table.loc["a", "cost_eur_month"] == 120
    assert table.loc["a", "share_of_median_income"] == pytest.approx(120 / 1300)
    # 400 EUR > 10 % of income when income < 4,000: (1900, 0.75)-(2500, 1) tail -> 1.0
    assert table.loc["b", "share_above"] == pytest.approx(1.0)
    # 120 EUR: income < 1,200 -> 0.25 + 0.25 * 300 / 400 = 0.4375
    assert table.loc["a", "share_above"] == pytest.approx(0.4375)
    assert result.by_quantile["max_cost_eur_m2_month"].iloc[1] == pytest.approx(0.1 * 1300 / 40)


# ---------------------------------------------------------------- per commune, bundled data
@pytest.fixture(scope="module")
def disposable():
    from permanent_research.data import load

    return load("disposable_income")


@pytest.fixture(scope="module")
def fiscal():
    from permanent_research.data import load

    return load("fiscal_income")


def test_commune_income_matches_raw(disposable):
    table = aff.commune_income(disposable, communes=["Saint-Josse-ten-Noode"], years=2022)
    assert table["median_eur_year"].iloc[0] == 19288  # RTL 2024-11-19, PROVENANCE §21
    assert aff.commune_income(disposable).shape == (19 * 8, 6)
    ixelles = aff.commune_income(disposable, communes="21009", years=2016)
    assert ixelles["median_eur_year"].isna().all()  # empty in source


def test_unknown_commune_and_year(disposable, fiscal):
    with pytest.raises(ParameterError, match="unknown commune 'Atlantis'"):
        aff.commune_income(disposable, communes=["Atlantis"])
    with pytest.raises(ParameterError, match=r"year=2030 is outside the data \(2015-2022, "):
        aff.commune_income(disposable, years=2030)
    with pytest.raises(ParameterError, match=r"\(2005-2023, whole years\)"):
        aff.fiscal_income_per_declaration(fiscal, years=2004)


def test_fiscal_income_per_declaration(fiscal):
    out = aff.fiscal_income_per_declaration(fiscal, years=2017, include_region=True)
    region = out[out["nis_code"] == "04000"].iloc[0]
    assert region["income_per_declaration_eur_year"] == pytest.approx(
        17228633748.79 / 610330, rel=1e-12)  # region rows of the raw file, 2017
    assert len(out) == 20


def test_commune_affordability(disposable):
    result = aff.commune_affordability(disposable, year=2017, rent=_rent(),
                                       communes=["21014", "Ukkel"], threshold=0.33)
    table = result.to_frame().set_index(["nis_code", "income_group"])
    income = aff.commune_income(disposable, communes="21014", years=2017)
    q1 = income["q1_eur_year"].iloc[0]
    assert table.loc[("21014", "Q1"), "effort_rate"] == pytest.approx(660 / (q1 / 12))
    assert result.effort_matrix().shape == (2, 3)
    per = result.by_commune.set_index("nis_code")
    assert (per["lower_bound"] <= per["upper_bound"]).all()
    assert "communes" in result.summary()


# ---------------------------------------------------------------- bad input found in review
def test_deciles_from_frame_bad_rows_named():
    frame = pd.DataFrame({"decile": range(1, 10), "income_eur_year": DECILES})
    falling = frame.assign(income_eur_year=[*DECILES[:4], 14000, *DECILES[5:]])
    with pytest.raises(DataError, match=r"'income_eur_year' must increase.*rows 4$"):
        aff.deciles_from_frame(falling)
    with pytest.raises(DataError, match=r"'income_eur_year' must be > 0.*rows 0$"):
        aff.deciles_from_frame(frame.assign(income_eur_year=[0, *DECILES[1:]]))
    # a tenth "decile" (e.g. the top income) used to be dropped silently
    top = pd.concat([frame, pd.DataFrame({"decile": [10], "income_eur_year": [60000]})],
                    ignore_index=True)
    with pytest.raises(DataError, match=r"'decile' must be a whole number 1\.\.9.*rows 9$"):
        aff.deciles_from_frame(top)
    two = pd.concat([frame.assign(nis_code="21001"), frame.assign(nis_code="21014")],
                    ignore_index=True)
    with pytest.raises(DataError, match="duplicate decile.*select one with nis_code="):
        aff.deciles_from_frame(two)
    shuffled = frame.sample(frac=1, random_state=3)  # unsorted rows are fine
    assert aff.deciles_from_frame(shuffled).quantile(0.5) == pytest.approx(DECILES[4])


def test_fractional_year_is_refused_not_truncated(disposable):
    with pytest.raises(ParameterError, match=r"year=2017\.5 is outside the data"):
        aff.commune_income(disposable, years=2017.5)
    assert aff.commune_income(disposable, communes=21014, years="2017").shape == (1, 6)


@pytest.mark.parametrize("seed", range(20))
def test_bounds_with_ties_equal_brute_force(seed):
    # incomes and rents on coarse grids, so equal incomes, equal rents and R == a*y/12 occur
    # (a household exactly at the threshold is not above it)
    rng = np.random.default_rng(1000 + seed)
    n, a = int(rng.integers(2, 7)), 0.4
    incomes = rng.choice(np.arange(6000.0, 42000.0, 3000.0), n)
    rents = rng.choice(np.arange(300.0, 1200.0, 100.0), n)
    low, high = _brute_force(incomes, rents, a)
    bounds = aff.burden_bounds(aff.distribution_from_microdata(incomes),
                               aff.distribution_from_microdata(rents, unit="EUR/month"), a)
    assert (bounds.lower, bounds.upper) == pytest.approx((low, high), abs=1e-9)
