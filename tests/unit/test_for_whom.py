"""For whom: the scenario's ``eligibility:`` section and the decile × model table built from the
scenario's assumption set (issue 9, §4)."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import yaml

from permanent_research.config import paths
from permanent_research.eligibility import EligibilitySettings, validate_eligibility
from permanent_research.errors import ParameterError, ScenarioError
from permanent_research.scenarios import entry_rules, for_whom, load_assumptions


@pytest.fixture(scope="module")
def section():
    document = yaml.safe_load((paths().scenarios / "baseline.yaml").read_text(encoding="utf-8"))
    return document["eligibility"]


@pytest.fixture(scope="module")
def settings(section):
    # base year given by hand (no conversion), so every euro below is the file's
    return validate_eligibility(section).replace(base_year=2024)


@pytest.fixture(scope="module")
def assumptions():
    return load_assumptions("baseline")


@pytest.mark.parametrize("name", ["baseline", "pessimistic", "optimistic"])
def test_every_scenario_has_a_valid_section_with_sources(name):
    document = yaml.safe_load((paths().scenarios / f"{name}.yaml").read_text(encoding="utf-8"))
    checked = validate_eligibility(document["eligibility"], source=name)
    table = checked.to_frame()
    assert table["source"].str.len().gt(0).all()
    # the lending limits are cited, not assumed: the Fonds du Logement (CLT buyers' lender) or
    # the NBB's expectations for banks
    assert any(s in checked.sources["max_ltv"] for s in ("Fonds du Logement", "NBB"))
    assert "NBB" in checked.sources["max_dsti"]


def test_artist_groups_are_quantiles_named_by_their_level(section):
    settings = validate_eligibility(section)
    quantiles = settings.artist_income_quantiles()
    incomes = section["artist_incomes_eur_month"]["values"]
    assert quantiles == {0.25: incomes["artist P25"], 0.5: incomes["artist median"],
                         0.75: incomes["artist P75"]}
    bad = copy.deepcopy(section)
    bad["artist_incomes_eur_month"]["values"] = {"artist low": 900, "artist median": 1300}
    with pytest.raises(ScenarioError, match=r"artist_incomes_eur_month\.artist low: .*'P<1-99>'"):
        validate_eligibility(bad, source="test.yaml")
    bad["artist_incomes_eur_month"]["values"] = {"artist P0": 900, "artist median": 1300}
    with pytest.raises(ScenarioError, match=r"artist P0"):
        validate_eligibility(bad, source="test.yaml")


@pytest.mark.parametrize("key", ["max_ltv", "max_dsti", "clt_income_ceiling_share_of_social"])
@pytest.mark.parametrize("value", [0, -0.1, 1.01, 5])
def test_limit_outside_0_1_is_a_one_line_error_naming_the_key(section, key, value):
    bad = copy.deepcopy(section)
    bad[key]["value"] = value
    with pytest.raises(ScenarioError, match=rf"eligibility\.{key}: .*\(0, 1\]") as info:
        validate_eligibility(bad, source="test.yaml")
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("key", ["max_ltv", "max_dsti"])
def test_limit_of_exactly_one_is_allowed(section, key):
    ok = copy.deepcopy(section)
    ok[key]["value"] = 1.0
    assert getattr(validate_eligibility(ok), key) == 1.0


def test_category_table_not_increasing(section):
    bad = copy.deepcopy(section)
    bad["clt_income_categories"]["max_income_share_of_social_ceiling"] = [0.5, 0.5, 1.0]
    with pytest.raises(ScenarioError,
                       match=r"clt_income_categories\.max_income_share_of_social_ceiling: "
                             r"table not increasing.*allowed: strictly increasing"):
        validate_eligibility(bad)


@pytest.mark.parametrize("change, pattern", [
    (lambda s: s["clt_pricing"].update(value="by_lottery"), r"clt_pricing: .*cost_price, "
                                                            r"income_categories"),
    (lambda s: s["max_ltv"].pop("source"), r"max_ltv: missing source"),
    (lambda s: s["own_funds_eur"].pop("year"), r"own_funds_eur: year=None"),
    (lambda s: s.update(max_ltvv={"value": 1}), r"max_ltvv: unknown key"),
    (lambda s: s.pop("max_dsti"), r"missing key\(s\) max_dsti"),
    (lambda s: s["clt_income_categories"].update(price_share_of_cost=[0.7, 0.85, 1.2]),
     r"price_share_of_cost=1.2 is outside the allowed range \(0, 1\]"),
])
def test_other_bad_input(section, change, pattern):
    bad = copy.deepcopy(section)
    change(bad)
    with pytest.raises(ScenarioError, match=pattern):
        validate_eligibility(bad)


def test_euro_amounts_convert_with_the_health_index(section):
    from permanent_research import prices
    from permanent_research.data import load

    indexes = prices.price_indexes([load("health_index_cpi"), load("health_index_cpi_2006_2015")])
    raw = validate_eligibility(section)
    converted = raw.in_base_year(2024, indexes)
    # annual means of the monthly health index, straight from the raw files
    import pandas as pd

    raw = pd.concat([pd.read_csv(paths().raw / name) for name in (
        "health_index_cpi_belgium.csv", "health_index_cpi_belgium_monthly_2006_2015.csv")])
    monthly = raw[(raw.series == "health_index") & (raw.base == "2013=100")].drop_duplicates(
        ["year", "month"])
    annual = monthly.groupby("year").value.mean()
    factor_2016 = annual[2024] / annual[2016]
    assert converted.social_income_ceiling_eur_year == pytest.approx(
        section["social_income_ceiling_eur_year"]["value"] * factor_2016)
    assert converted.own_funds_eur == pytest.approx(section["own_funds_eur"]["value"])  # 2024
    with pytest.raises(ParameterError, match="already in 2024 euros"):
        converted.in_base_year(2024, indexes)


def _deciles():
    return np.array([14_000, 17_000, 20_000, 23_000, 26_000, 30_000, 34_000, 39_000, 46_000,
                     60_000], dtype=float)


def test_clt_price_is_the_monte_carlo_cost_price(assumptions, settings):
    x = {k: assumptions[k].quantile(0.5) for k in assumptions}
    land_floor = x["land_price_eur_m2"] / x["floor_area_ratio"]
    expected = x["unit_area_home_m2"] * (
        x["construction_cost_eur_m2"] * (1 - x["construction_subsidy_share"])
        + land_floor * (1 - x["land_subsidy_share"]))
    rules = entry_rules(assumptions, settings)
    assert rules.clt_price_eur == pytest.approx(expected)
    assert rules.market_rent_eur_month == pytest.approx(
        x["market_rent_home_eur_m2_month"] * (1 + x["new_lease_rent_premium"])
        * x["unit_area_home_m2"])


def test_hand_worked_annuity_and_dsti(assumptions, settings):
    """Loan = price (1 + costs) - own funds, repaid monthly at (1 + r)^(1/12) - 1."""
    result = for_whom(assumptions, settings, household_incomes_eur_year=_deciles(),
                      income_source="test")
    row = result.to_frame().query("group == 'D10' and model == 'clt_purchase'").iloc[0]
    price = row["price_eur"]
    loan = price * (1 + settings.purchase_costs_share) - settings.own_funds_eur
    r = 1.035 ** (1 / 12) - 1
    n = int(assumptions["mortgage_years"].quantile(0.5)) * 12  # the scenario's term, in months
    payment = loan * r / (1 - (1 + r) ** -n)
    assert settings.mortgage_rate_nominal == 0.035
    assert row["debt_service_to_income"] == pytest.approx(payment / (60_000 / 12))
    assert row["loan_to_value"] == pytest.approx(loan / price)


def test_exactly_at_the_dsti_limit_the_clt_is_open(assumptions, settings):
    loose = settings.replace(max_ltv=1.0, clt_income_ceiling_share_of_social=None)
    rules = entry_rules(assumptions, loose)
    loan = rules.clt_price_eur * (1 + loose.purchase_costs_share) - loose.own_funds_eur
    r = 1.035 ** (1 / 12) - 1
    n = int(assumptions["mortgage_years"].quantile(0.5)) * 12
    payment = loan * r / (1 - (1 + r) ** -n)
    at_limit = 12 * payment / loose.max_dsti
    table = for_whom(assumptions, loose, household_incomes_eur_year=[
        at_limit * 0.999, at_limit, at_limit * 1.001], income_source="test").to_frame()
    clt = table[(table["model"] == "clt_purchase") & (table["kind"] == "decile")]
    assert list(clt["eligible"]) == [False, True, True]


def test_exactly_at_the_social_ceiling(assumptions, settings):
    ceiling = settings.social_income_ceiling_eur_year
    table = for_whom(assumptions, settings, household_incomes_eur_year=[
        ceiling * 0.99, ceiling, ceiling * 1.0001], income_source="test").to_frame()
    social = table[(table["model"] == "social_rent") & (table["kind"] == "decile")]
    assert list(social["eligible"]) == [True, True, False]


def test_monotone_in_income(assumptions, settings):
    loose = settings.replace(max_ltv=1.0, clt_income_ceiling_share_of_social=None)
    table = for_whom(assumptions, loose, household_incomes_eur_year=_deciles(),
                     income_source="test").to_frame()
    deciles = table[table["kind"] == "decile"]
    for model in ("clt_purchase", "social_rent", "market_rent", "temporary_use"):
        part = deciles[deciles["model"] == model]
        # a richer household never pays a larger share of income
        assert np.all(np.diff(part["cost_to_income"].to_numpy()) <= 1e-12), model
    clt = deciles[deciles["model"] == "clt_purchase"]["eligible"].to_numpy()
    social = deciles[deciles["model"] == "social_rent"]["eligible"].to_numpy()
    # once the mortgage test is passed it stays passed; once above the ceiling, stays above
    assert np.all(np.diff(clt.astype(int)) >= 0)
    assert np.all(np.diff(social.astype(int)) <= 0)


def test_income_categories_price_lower_incomes_lower(assumptions, settings):
    by_income = settings.replace(clt_pricing="income_categories",
                                 clt_income_ceiling_share_of_social=None)
    ceiling = settings.social_income_ceiling_eur_year
    table = for_whom(assumptions, by_income, household_incomes_eur_year=[
        0.4 * ceiling, 0.5 * ceiling, 0.6 * ceiling, ceiling, 1.1 * ceiling],
        income_source="test").to_frame()
    clt = table[(table["model"] == "clt_purchase") & (table["kind"] == "decile")]
    cost = entry_rules(assumptions, settings).clt_price_eur
    shares = clt["price_eur"].to_numpy() / cost
    # at 50 % of the ceiling a household is still in the first category (a limit is inclusive)
    np.testing.assert_allclose(shares[:4], [0.7, 0.7, 0.85, 1.0])
    assert np.isnan(shares[4])  # above every category: no price, not eligible
    assert not clt["eligible"].iloc[4]


def test_zero_and_full_eligibility_shares(assumptions, settings):
    strict = settings.replace(max_dsti=0.01)
    result = for_whom(assumptions, strict, household_incomes_eur_year=_deciles(),
                      income_source="test")
    assert result.share_eligible("clt_purchase") == 0.0
    assert result.share_eligible("clt_purchase", among="social_rent") == 0.0
    assert result.share_eligible("market_rent") == 1.0
    assert result.sentences()[0].startswith("No income decile can buy a CLT home: even D")
    assert "debt service" in result.sentences()[0]
    assert result.eligible_text("clt_purchase") == "none"
    assert result.eligible_text("market_rent") == "D1–D10"


def test_decile_table_not_increasing(assumptions, settings):
    with pytest.raises(ParameterError, match="decile table not increasing: D3"):
        for_whom(assumptions, settings, household_incomes_eur_year=[10_000, 20_000, 20_000],
                 income_source="test")


def test_settings_must_be_in_the_base_year(assumptions, section):
    with pytest.raises(ParameterError, match="convert to the base year"):
        entry_rules(assumptions, validate_eligibility(section))


def test_replace_revalidates(settings):
    assert isinstance(settings, EligibilitySettings)
    with pytest.raises(ParameterError, match=r"max_ltv=1.5 is outside the allowed range"):
        settings.replace(max_ltv=1.5)


def test_exactly_at_the_ltv_limit_the_clt_is_open(assumptions, settings):
    """Own funds that leave a loan of exactly the LTV limit pass; a euro less fails."""
    price = entry_rules(assumptions, settings).clt_price_eur
    funds = price * (1 + settings.purchase_costs_share) - settings.max_ltv * price
    rich = [200_000.0, 300_000.0]  # debt service far below the limit, no income ceiling
    rows = []
    for own in (funds, funds - 1.0):
        case = settings.replace(own_funds_eur=own, clt_income_ceiling_share_of_social=None)
        table = for_whom(assumptions, case, household_incomes_eur_year=rich,
                         income_source="test").to_frame()
        rows.append(table.query("group == 'D1' and model == 'clt_purchase'").iloc[0])
    assert rows[0]["loan_to_value"] == pytest.approx(settings.max_ltv)
    assert [bool(r["eligible"]) for r in rows] == [True, False]
