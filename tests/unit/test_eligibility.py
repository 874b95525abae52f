"""For whom (issue 9 §4): entry limits with edge cases exactly at the limit, hand-worked
repayments, decile tables and the income deciles of the observatory survey."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest

from permanent_research import eligibility as E
from permanent_research import tenant_effort as T
from permanent_research.config import paths
from permanent_research.data import load
from permanent_research.errors import DataError, ParameterError

matplotlib.use("Agg")


def rules(**changes):
    base = dict(
        clt_price_eur=200_000.0, mortgage_rate=0.0, mortgage_years=15, max_ltv=0.9,
        max_dsti=0.5, own_funds_eur=20_000.0, social_income_ceiling_eur_year=24_000.0,
        social_rent_share_of_income=0.22, temporary_fee_eur_month=100.0,
        temporary_availability=0.7, temporary_secure_years=2.0, market_rent_eur_month=1_070.0,
    )
    base.update(changes)
    return E.EntryRules(**base)


def row(table, group, model):
    frame = table.to_frame()
    return frame[(frame.group == group) & (frame.model == model)].iloc[0]


def one(income, **changes):
    groups = pd.DataFrame({"group": ["h"], "kind": ["test"], "income_eur_month": [income]})
    return E.eligibility(groups, rules(**changes))


# ---- edge cases exactly at the limit -----------------------------------------------------------
def test_debt_service_exactly_at_the_limit_is_eligible():
    # loan 200,000 − 20,000 = 180,000 at 0 % over 15 years = 1,000 EUR/month; income 2,000: 50 %
    at = row(one(2_000.0), "h", "clt_purchase")
    assert at.debt_service_to_income == pytest.approx(0.5)
    assert bool(at.eligible) and at.secure_years == 50
    below = row(one(1_999.99), "h", "clt_purchase")
    assert not below.eligible and "debt service" in below.reason and below.secure_years == 0


def test_loan_to_value_exactly_at_the_limit_is_eligible():
    assert bool(row(one(5_000.0), "h", "clt_purchase").eligible)  # LTV 180,000/200,000 = 0.90
    over = row(one(5_000.0, own_funds_eur=19_999.0), "h", "clt_purchase")
    assert not over.eligible and "loan-to-value 0.90 > 0.90" in over.reason


def test_social_ceiling_exactly_at_the_limit_is_eligible():
    assert bool(row(one(2_000.0), "h", "social_rent").eligible)  # 12 × 2,000 = 24,000
    above = row(one(2_000.01), "h", "social_rent")
    assert not above.eligible and "ceiling" in above.reason and np.isnan(above.wait_years)


def test_clt_income_ceiling_and_categories_at_the_limit():
    categories = pd.DataFrame(
        {"max_income_eur_year": [24_000.0, 36_000.0, np.inf], "price_eur": [150_000.0,
                                                                            180_000.0, 220_000.0]}
    )
    groups = pd.DataFrame({"group": ["a", "b", "c"], "income_eur_month": [2_000.0, 2_000.01,
                                                                          4_000.0]})
    table = E.eligibility(groups, rules(clt_price_by_income=categories, own_funds_eur=0.0,
                                        max_ltv=1.0))
    prices = [row(table, g, "clt_purchase").price_eur for g in "abc"]
    assert prices == [150_000.0, 180_000.0, 220_000.0]
    capped = E.eligibility(groups, rules(clt_income_ceiling_eur_year=24_000.0))
    assert [bool(row(capped, g, "clt_purchase").eligible) for g in "ab"] == [True, False]


# ---- hand-worked repayment ---------------------------------------------------------------------
def test_repayment_at_3pct_over_20_years():
    # monthly equivalent rate i = 1.03^(1/12) − 1 = 0.00246627; 1.03^-20 = 0.55367575
    # repayment = 100,000 · i / (1 − 0.55367575) = 552.57 EUR/month
    table = one(3_000.0, clt_price_eur=100_000.0, own_funds_eur=0.0, max_ltv=1.0,
                mortgage_rate=0.03, mortgage_years=20, clt_charges_eur_month=50.0)
    clt = row(table, "h", "clt_purchase")
    assert clt.cost_eur_month == pytest.approx(552.57 + 50.0, abs=0.01)
    assert clt.cost_to_income == pytest.approx((552.57 + 50.0) / 3_000.0, abs=1e-5)


def test_costs_of_the_other_models():
    table = one(2_000.0)
    assert row(table, "h", "social_rent").cost_to_income == pytest.approx(0.22)
    assert row(table, "h", "market_rent").cost_to_income == pytest.approx(1_070 / 2_000)
    temporary = row(table, "h", "temporary_use")
    assert temporary.cost_to_income == pytest.approx(0.05) and temporary.secure_years == 2
    assert temporary.entry_probability == 0.7
    none = row(one(2_000.0, temporary_availability=0.0), "h", "temporary_use")
    assert not none.eligible and none.secure_years == 0


# ---- bad input ---------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["max_ltv", "max_dsti", "social_rent_share_of_income"])
@pytest.mark.parametrize("value", [0.0, -0.1, 1.0000001, 1.5])
def test_limit_outside_0_1_is_an_error(name, value):
    with pytest.raises(ParameterError, match=rf"{name}=.* outside the allowed range \(0, 1\]"):
        rules(**{name: value})


def test_limit_of_exactly_one_is_allowed():
    assert rules(max_ltv=1.0, max_dsti=1.0).max_ltv == 1.0
    with pytest.raises(ParameterError, match="temporary_availability"):
        rules(temporary_availability=1.2)


def test_decile_table_not_increasing():
    with pytest.raises(ParameterError, match=r"not increasing: D3 \(1,200.00\) ≤ D2 \(1,300.00\)"):
        E.decile_groups([1_000, 1_300, 1_200, 1_500], source="assumption")
    with pytest.raises(ParameterError, match="not increasing: D2"):
        E.decile_groups([1_000, 1_000], source="assumption")
    with pytest.raises(ParameterError, match="D1=0.0 must be a number > 0"):
        E.decile_groups([0, 1_000], source="assumption")
    groups = E.decile_groups([900, 1_100, 1_400], source="assumption")
    assert list(groups.group) == ["D1", "D2", "D3"]


def test_other_bad_input():
    groups = pd.DataFrame({"group": ["x", "x"], "income_eur_month": [1.0, 2.0]})
    with pytest.raises(DataError, match="appear twice"):
        E.eligibility(groups, rules())
    with pytest.raises(ParameterError, match="sources: unknown rule"):
        rules(sources={"max_loan": "NBB"})
    with pytest.raises(DataError, match="not increasing"):
        rules(clt_price_by_income=pd.DataFrame({"max_income_eur_year": [2.0, 1.0],
                                                "price_eur": [1.0, 1.0]}))
    with pytest.raises(ParameterError, match="artist income"):
        E.artist_groups({"artist": -5})


# ---- the table a supervisor reads --------------------------------------------------------------
def test_table_contract():
    groups = [E.decile_groups([1_000, 2_000, 3_000], source="assumption"),
              E.artist_groups({"artist median": 1_300})]
    table = E.eligibility(groups, rules(sources={"max_ltv": "assumption (NBB 2020, verify)"}))
    frame = table.to_frame()
    assert len(frame) == 4 * 4 and set(frame.model) == set(E.MODELS)
    assert {"eligible", "cost_to_income", "secure_years"} <= set(frame.columns)
    wide = table.wide()
    assert list(wide.columns) == ["group", *E.MODELS]
    assert wide.set_index("group").loc["D1", "clt_purchase"].startswith("no (")
    sources = table.sources().set_index("rule")["source"]
    assert sources["clt_secure_years"].startswith("clt_facts")
    assert sources["max_dsti"] == "assumption"
    assert sources["max_ltv"].startswith("assumption (NBB")
    assert "groups" in table.summary() and "<table" in table._repr_html_()
    assert table.plot().axes
    with pytest.raises(ParameterError, match="max_dsti"):
        table.replace(rules=table.rules.replace(max_dsti=2))


# ---- tenants' income deciles from the survey bands ---------------------------------------------
def test_income_deciles_from_the_survey_bands():
    records = T.survey_records(load("rent_observatory_survey"))
    deciles = T.income_deciles(records, survey_year=2018)
    assert list(deciles.index) == [f"D{k}" for k in range(1, 10)]
    assert deciles.is_monotonic_increasing
    # D5 recomputed by hand from the raw band counts (linear within the band it falls in)
    raw = pd.read_csv(paths().raw / "rent_observatory_survey_records_2017_2018_2020.csv", sep=";")
    bands = [("Moins de 500 €", 0, 500), ("De 500 € à 1000 €", 500, 1000),
             ("De 1001 € à 1500 €", 1001, 1500), ("De 1501 € à 2000 €", 1501, 2000),
             ("De 2001 € à 2500 €", 2001, 2500), ("De 2501 € à 3000 €", 2501, 3000),
             ("De 3001 € à 3500 €", 3001, 3500), ("Plus de 3500 €", 3501, np.inf)]
    counts = raw[raw.annee_enquete == 2018].REV.value_counts()
    n = sum(counts.get(b, 0) for b, _, _ in bands)
    below = 0
    for label, low, high in bands:
        count = counts.get(label, 0)
        if below + count >= n / 2:
            # the next band starts at the following cut point (1001 after 1000, …)
            upper = next((lo for _, lo, _ in bands if lo > low), high)
            expected = low + (n / 2 - below) / count * (upper - low)
            break
        below += count
    assert deciles["D5"] == pytest.approx(expected, rel=1e-12)
    groups = E.decile_groups(deciles, source=deciles.attrs["source"])
    assert groups.source.iloc[0].startswith("rent_observatory_survey 2018")


# ---- vectorised over Monte Carlo draws ---------------------------------------------------------
def test_mortgage_entry_over_draws_matches_the_table():
    rng = np.random.default_rng(3)
    incomes = np.array([1_200.0, 2_000.0, 3_000.0])
    prices = rng.uniform(150_000, 250_000, size=200)
    rates = rng.uniform(0.01, 0.05, size=200)
    entry = E.mortgage_entry(incomes[None, :], prices[:, None], rates[:, None],
                             mortgage_years=25, max_ltv=0.9, max_dsti=0.5, own_funds_eur=20_000)
    assert entry["eligible"].shape == (200, 3)
    # the share of draws in which a richer household can buy is never lower
    shares = entry["eligible"].mean(axis=0)
    assert shares[0] <= shares[1] <= shares[2]
    for d in (0, 57, 199):
        table = E.eligibility(
            pd.DataFrame({"group": ["a", "b", "c"], "income_eur_month": incomes}),
            rules(clt_price_eur=prices[d], mortgage_rate=rates[d], mortgage_years=25),
        ).to_frame()
        clt = table[table.model == "clt_purchase"]
        np.testing.assert_array_equal(clt.eligible.to_numpy(), entry["eligible"][d])
        np.testing.assert_allclose(clt.debt_service_to_income, entry["debt_service_to_income"][d])


def test_mortgage_entry_bad_limits():
    message = r"max_dsti=1.5 is outside the allowed range \(0, 1\]"
    with pytest.raises(ParameterError, match=message):
        E.mortgage_entry(2_000.0, 200_000.0, 0.03, mortgage_years=25, max_ltv=0.9, max_dsti=1.5)
    with pytest.raises(ParameterError, match=r"mortgage_rate=0.5 is outside .*\(-1, 0.2\]"):
        E.mortgage_entry(2_000.0, 200_000.0, 0.5, mortgage_years=25, max_ltv=0.9, max_dsti=0.5)
