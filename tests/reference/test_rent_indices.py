"""Rent/price estimators against independent implementations (statsmodels, pyfixest).

Tolerances: coefficients and standard errors agree to 1e-8 (absolute, log points) — both
sides solve the same least-squares problem, only the numerical route differs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest
import statsmodels.api as sm

from permanent_research import rents as R
from permanent_research.data.synthetic_rents import synthetic_sales

TOL = 1e-8


@pytest.fixture(scope="module")
def small():
    return synthetic_sales(3_000, n_periods=8, seed=7).sales


def _bmn_design(sales):
    pairs = R.repeat_sales_pairs(sales)
    periods = np.sort(pd.unique(np.r_[pairs.period_1, pairs.period_2]))
    z = np.zeros((len(pairs), len(periods)))
    rows = np.arange(len(pairs))
    z[rows, np.searchsorted(periods, pairs.period_1)] -= 1
    z[rows, np.searchsorted(periods, pairs.period_2)] += 1
    return pairs, z[:, 1:]


def test_bmn_stage_equals_statsmodels_ols(small):
    pairs, z = _bmn_design(small)
    fit = sm.OLS(pairs["log_ratio"].to_numpy(), z).fit()
    ours = R.repeat_sales_index(small, weighted=False)
    np.testing.assert_allclose(ours.log_index[1:], fit.params, atol=TOL, rtol=0)
    np.testing.assert_allclose(ours.se[1:], fit.bse, atol=TOL, rtol=0)


def test_case_shiller_stages_equal_statsmodels(small):
    pairs, z = _bmn_design(small)
    y = pairs["log_ratio"].to_numpy()
    stage1 = sm.OLS(y, z).fit()
    gap = (pairs.period_2 - pairs.period_1).to_numpy(dtype=float)
    stage2 = sm.OLS(stage1.resid**2, sm.add_constant(gap)).fit()
    stage3 = sm.WLS(y, z, weights=1.0 / stage2.fittedvalues).fit()
    ours = R.repeat_sales_index(small)
    assert ours.coefficients["var_const"] == pytest.approx(stage2.params[0], abs=1e-12)
    assert ours.coefficients["var_per_period"] == pytest.approx(stage2.params[1], abs=1e-12)
    np.testing.assert_allclose(ours.log_index[1:], stage3.params, atol=TOL, rtol=0)
    np.testing.assert_allclose(ours.se[1:], stage3.bse, atol=TOL, rtol=0)


def test_hedonic_equals_pyfixest_and_statsmodels(small):
    data = small.assign(log_price=np.log(small.price_eur), log_floor=np.log(small.floor_area_m2))
    ours = R.hedonic_index(small, characteristics=["floor_area_m2", "rooms"])
    fit = pf.feols("log_price ~ log_floor + rooms + i(period, ref=0) | area", data=data)
    coef = fit.coef()
    period_terms = [name for name in coef.index if "period" in name]
    np.testing.assert_allclose(ours.log_index[1:], coef[period_terms].to_numpy(), atol=TOL)
    assert ours.coefficients["log_floor_area_m2"] == pytest.approx(coef["log_floor"], abs=TOL)
    # homoskedastic SEs against statsmodels with explicit dummies (same degrees of freedom)
    x = pd.concat(
        [
            data[["log_floor", "rooms"]],
            pd.get_dummies(data.period, prefix="t", drop_first=True, dtype=float),
            pd.get_dummies(data.area, prefix="a", dtype=float),
        ],
        axis=1,
    )
    ols = sm.OLS(data.log_price, x).fit()
    np.testing.assert_allclose(ours.se[1:], ols.bse.filter(like="t_").to_numpy(), atol=TOL)


def test_trend_model_equals_pyfixest_crv1():
    rng = np.random.default_rng(3)
    areas = np.repeat([f"c{i:02d}" for i in range(19)], 15)
    years = np.tile(np.arange(2010, 2025), 19)
    value = np.exp(
        rng.normal(12, 0.3, 19).repeat(15)
        + 0.035 * (years - 2010)
        + rng.normal(0, 0.05, len(years))
    )
    frame = pd.DataFrame({"area": areas, "period": years, "value": value})
    ours = R.trend_model(frame)
    fit = pf.feols(
        "log_v ~ period | area",
        data=frame.assign(log_v=np.log(frame.value)),
        vcov={"CRV1": "area"},
        ssc=pf.ssc(k_adj=True, k_fixef="full", G_adj=True),
    )
    assert ours.slope == pytest.approx(fit.coef()["period"], abs=1e-10)
    assert ours.slope_se == pytest.approx(fit.se()["period"], rel=1e-8)
