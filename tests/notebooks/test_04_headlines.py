"""Recompute every headline of notebook 04_displacement from the raw CSVs with plain pandas
(not through permanent_research.displacement), following the rules in docs/displacement.md."""

from __future__ import annotations

import pandas as pd
import pytest

from permanent_research.config import paths

RAW = paths().raw
# default parameters of the notebook
T0, T1, LEVEL_T0 = 2005, 2022, 2010
PRICE_T0, PRICE_T1, PRICE_MIN = [2015, 2016, 2017], [2021, 2022, 2023], 2
COMMUNE_T0, COMMUNE_T1 = 2015, 2022
INCOME_LOW, INCOME_HIGH, HOUSING_HIGH, POP_MIN = 0.85, 1.2, 1.2, 500
AMBIGUOUS = {37, 109}


@pytest.fixture(scope="module")
def headlines(executed_notebook):
    return executed_notebook("04_displacement")[1]


@pytest.fixture(scope="module")
def series():
    raw = pd.read_csv(RAW / "monitoring_quartiers_indicators.csv")
    return raw[raw.entry_block == "block1_time_series"]


def _value(headlines, name):
    assert name in headlines, f"headline {name} missing; have {sorted(headlines)}"
    return headlines[name]["value"]


def _wide(series, indicator):
    rows = series[(series.indicator == indicator) & ~series.mdrc.isin(AMBIGUOUS)]
    return rows.pivot(index="mdrc", columns="year", values="value")


def _price_window(series, health, years):
    prices = _wide(series, "median_apartment_sale_price")
    real = prices[years] * (health[T1] / health[years])
    return real.mean(axis=1).where(real.notna().sum(axis=1) >= PRICE_MIN)


def test_counts_of_source_rows(headlines, series):
    assert _value(headlines, "quartiers_with_time_series") == series.mdrc.nunique() == 57
    flags = series.flag.fillna("")
    assert (
        _value(headlines, "ambiguous_duplicate_rows")
        == flags.str.startswith("AMBIGUOUS_DUPLICATE").sum()
    )
    assert (
        _value(headlines, "suspect_tied_rows")
        == (flags == "SUSPECT_TIED_VALUE_ACROSS_QUARTIERS").sum()
    )


def test_quartiers_complete_inputs(headlines, series, health_annual):
    pairs = {
        "population_total": (T0, T1),
        "median_taxable_income_per_return": (T0, T1),
        "share_cpas_income_recipients": (T0, T1),
        "unemployment_rate": (LEVEL_T0, T1),
        "social_housing_per_100_households": (LEVEL_T0, T1),
    }
    ok = pd.Series(True, index=sorted(set(series.mdrc) - AMBIGUOUS))
    for indicator, (a, b) in pairs.items():
        wide = _wide(series, indicator).reindex(ok.index)
        ok &= wide[a].notna() & wide[b].notna()
    for years in (PRICE_T0, PRICE_T1):
        ok &= _price_window(series, health_annual, years).reindex(ok.index).notna()
    assert _value(headlines, "quartiers_complete_inputs") == ok.sum()


def test_low_income_quartiers_t1(headlines, series):
    income = _wide(series, "median_taxable_income_per_return")[T1]
    expected = (income / income.median() < INCOME_LOW).sum()
    assert _value(headlines, "quartiers_low_income_t1") == expected


def test_low_income_quartiers_at_the_udp_cutoff(headlines, series):
    """The Brussels deviation 0.85 vs UDP's 0.80: how many quartiers UDP's cut-off leaves."""
    income = _wide(series, "median_taxable_income_per_return")[T1]
    expected = (income / income.median() < 0.80).sum()
    assert _value(headlines, "quartiers_low_income_t1_udp_cutoff") == expected
    assert expected < _value(headlines, "quartiers_low_income_t1")  # the deviation matters


def test_sae_count_by_the_documented_rule(headlines, series, health_annual):
    """SAE (Brussels): > 500 residents at t0; median income ≥ 1.2 × RM at t0 and at t1 (UDP:
    mixed-high at or above 1.2); median apartment price at t1 ≥ 1.2 × RM (housing mix
    'mixed-high'); price change known."""
    income = _wide(series, "median_taxable_income_per_return")
    population = _wide(series, "population_total")[T0]
    v0 = _price_window(series, health_annual, PRICE_T0)
    v1 = _price_window(series, health_annual, PRICE_T1)
    high_both = (income[T0] / income[T0].median() >= INCOME_HIGH) & (
        income[T1] / income[T1].median() >= INCOME_HIGH
    )
    sae = (
        (population > POP_MIN)
        & high_both
        & (v1 / v1.median() >= HOUSING_HIGH)
        & v0.notna()
        & v1.notna()
    )
    assert _value(headlines, "quartiers_sae") == sae.sum()
    assert sae.sum() > 0  # the check is not vacuous


def test_communes_complete_inputs(headlines, health_annual):
    adi = pd.read_csv(
        RAW / "statbel_disposable_income_brussels_municipalities.csv", dtype={"nis_code": str}
    )
    pop = pd.read_csv(
        RAW / "population_brussels_municipalities_series.csv", dtype={"nis_code": str}
    )
    sales = pd.read_csv(RAW / "statbel_real_estate_sales_brussels.csv", dtype={"nis_code": str})
    communes = [f"210{i:02d}" for i in range(1, 20)]
    ok = pd.Series(True, index=communes)
    for frame, measure in ((adi, "MS_MEDIAN"), (adi, "MS_ADMIN_AROP"), (pop, "population_total")):
        wide = (
            frame[frame.measure == measure]
            .pivot(index="nis_code", columns="year", values="value")
            .reindex(communes)
        )
        ok &= wide[COMMUNE_T0].notna() & wide[COMMUNE_T1].notna()
    prices = sales[(sales.property_type == "appartementen") & (sales.measure == "median_price")]
    wide = prices.pivot(index="nis_code", columns="year", values="value").reindex(communes)
    for years in (PRICE_T0, PRICE_T1):
        ok &= wide[years].notna().sum(axis=1) >= PRICE_MIN
    assert _value(headlines, "communes_complete_inputs") == ok.sum()
