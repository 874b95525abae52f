"""Hedonic and repeat-sales indices recover the known index of the synthetic generator."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from permanent_research import rents as R
from permanent_research.data.synthetic_rents import synthetic_sales
from permanent_research.errors import DataError, ParameterError

# Tolerance: max abs log error < 0.01 with 50,000 sales over 12 periods. The estimators'
# standard errors are about 0.0017 here, so 0.01 is ~6 SE: a biased estimator (e.g. one that
# ignored the floor-area effect, or mis-signed the BMN dummies) fails by far more.
TOL = 0.01


@pytest.fixture(scope="module")
def synthetic():
    return synthetic_sales(50_000, n_periods=12, seed=20240501)


def test_generator_is_labelled_seeded_and_exact_size(synthetic):
    assert synthetic.sales.attrs["synthetic"] is True and synthetic.truth.attrs["synthetic"]
    assert len(synthetic.sales) == 50_000
    again = synthetic_sales(50_000, n_periods=12, seed=20240501)
    pd.testing.assert_frame_equal(synthetic.sales, again.sales)
    assert not synthetic.sales.duplicated(["property_id", "period"]).any()


def test_hedonic_recovers_truth(synthetic):
    result = R.hedonic_index(synthetic.sales, characteristics=["floor_area_m2", "rooms"])
    error = np.abs(result.log_index - synthetic.truth["log_index"].to_numpy())
    assert error.max() < TOL
    assert result.coefficients["log_floor_area_m2"] == pytest.approx(0.9, abs=0.01)
    assert result.coefficients["rooms"] == pytest.approx(0.04, abs=0.005)
    assert (error[1:] / result.se[1:]).max() < 4.5  # SEs are honest


def test_hedonic_without_quality_controls_is_biased_when_quality_drifts(synthetic):
    # sanity check that the test above can fail: bigger dwellings sold late → omitted variable
    sales = synthetic.sales
    late = sales["period"] >= 6
    biased = sales[~late | (sales["floor_area_m2"] > 75)]
    good = R.hedonic_index(biased, characteristics=["floor_area_m2", "rooms"])
    bad = R.hedonic_index(biased.assign(one=1.0), characteristics=["one"], log_characteristics=[])
    truth = synthetic.truth["log_index"].to_numpy()
    assert np.abs(good.log_index - truth).max() < TOL
    assert np.abs(bad.log_index - truth).max() > 5 * TOL


@pytest.mark.parametrize("weighted", [True, False])
def test_repeat_sales_recovers_truth(synthetic, weighted):
    result = R.repeat_sales_index(synthetic.sales, weighted=weighted)
    error = np.abs(result.log_index - synthetic.truth["log_index"].to_numpy())
    assert error.max() < TOL
    assert result.n_obs == 50_000 - synthetic.sales["property_id"].nunique()


def test_case_shiller_stage2_recovers_variance_components(synthetic):
    result = R.repeat_sales_index(synthetic.sales)
    # e = Δ(transaction noise) + drift: var = 2·0.05² + 0.01²·interval
    assert result.coefficients["var_const"] == pytest.approx(2 * 0.05**2, rel=0.1)
    assert result.coefficients["var_per_period"] == pytest.approx(0.01**2, rel=0.5)


def test_base_period_and_frame(synthetic):
    result = R.repeat_sales_index(synthetic.sales, base_period=5)
    frame = result.to_frame()
    assert frame.loc[frame.period == 5, "index"].item() == pytest.approx(100.0)
    assert (frame["ci_low"] <= frame["index"]).all() and (frame["index"] <= frame["ci_high"]).all()
    assert "base 5 = 100" in result.summary() and "<table" in result._repr_html_()
    with pytest.raises(ParameterError, match="base_period=99 is not in the data; periods 0–11"):
        R.hedonic_index(synthetic.sales, base_period=99)


def test_sold_twice_in_same_period_is_named():
    sales = pd.DataFrame(
        {
            "property_id": ["a", "a", "b", "b"],
            "period": [1, 1, 1, 2],
            "price_eur": [1.0, 2.0, 1.0, 2.0],
        }
    )
    with pytest.raises(
        DataError,
        match=r"sold twice in the same period \(property_id 'a'\), "
        r"rows 0, 1",
    ) as info:
        R.repeat_sales_index(sales)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    "function, drop",
    [
        (R.hedonic_index, "floor_area_m2"),
        (R.hedonic_index, "area"),
        (R.repeat_sales_index, "property_id"),
        (R.repeat_sales_index, "price_eur"),
    ],
)
def test_missing_schema_columns(synthetic, function, drop):
    with pytest.raises(DataError, match=f"missing column\\(s\\) {drop}"):
        function(synthetic.sales.head(100).drop(columns=drop))


def test_non_positive_price_is_rejected(synthetic):
    sales = synthetic.sales.head(50).copy()
    sales.loc[3, "price_eur"] = 0.0
    with pytest.raises(DataError, match="'price_eur' must be > 0.*rows 3"):
        R.hedonic_index(sales)
