"""staggered_did against independent implementations.

* ``csdid`` (Python port of R ``did``, installed): ATT(g,t), SEs and every aggregation (overall
  and table) for both control groups, both base periods, and dr/reg/ipw with and without a
  covariate. Tolerance 1e-6 (absolute, outcome in log points); observed differences ~1e-14.
* ``pyfixest`` saturated event study (Sun & Abraham): without covariates and with never-treated
  controls, the interaction-weighted event-study point estimates equal CS's universal-base
  dynamic aggregation algebraically. Tolerance 1e-8.
* A hand-worked 2x2 DiD (plain pandas group means) for one ATT(g,t) cell.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from permanent_research.causal import staggered_did
from permanent_research.data.synthetic_panel import synthetic_did_panel

TOL = 1e-6
KW = dict(unit="unit", time="year", outcome="log_price", first_treated="first_treated")


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    data = synthetic_did_panel(
        400, first_year=2008, last_year=2016, cohort_effects={2011: 0.03, 2013: 0.02, 2015: 0.01},
        cohort_shares={2011: 0.2, 2013: 0.2, 2015: 0.2}, covariate_trend=0.02, seed=11).data
    return data


def _csdid(data, control, base, method, covariate):
    from csdid.att_gt import ATTgt

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = ATTgt(yname="log_price", tname="year", idname="unit", gname="first_treated",
                      data=data.copy(), control_group=control.replace("_", ""),
                      xformla=None if covariate is None else f"log_price ~ {covariate}")
        return model.fit(est_method=method, base_period=base, bstrap=False)


CASES = [
    (control, base, method, cov)
    for control in ("never_treated", "not_yet_treated")
    for base in ("varying", "universal")
    for method, cov in (("dr", None), ("dr", "baseline_social_share"),
                        ("reg", "baseline_social_share"), ("ipw", "baseline_social_share"))
]


@pytest.mark.parametrize(("control", "base", "method", "covariate"), CASES)
def test_att_gt_and_aggregations_equal_csdid(panel, control, base, method, covariate):
    ours = staggered_did(panel, control=control, base_period=base, method=method,
                         covariates=None if covariate is None else [covariate], **KW)
    ref = _csdid(panel, control, base, method, covariate)
    res = ref.results
    assert list(ours.att_gt["group"]) == list(np.asarray(res["group"]).astype(int))
    assert list(ours.att_gt["time"]) == list(np.asarray(res["year"]).astype(int))
    np.testing.assert_allclose(ours.att_gt["att"], res["att"], atol=TOL, rtol=0)
    np.testing.assert_allclose(ours.att_gt["se"], np.asarray(res["se"], dtype=float),
                               atol=TOL, rtol=0, equal_nan=True)
    for kind in ("simple", "group", "dynamic", "calendar"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref.aggte(typec=kind, bstrap=False, cband=False)
        agg, mine = ref.atte, ours.aggregate(kind)
        assert mine.overall.att == pytest.approx(agg["overall_att"], abs=TOL)
        assert mine.overall.se == pytest.approx(agg["overall_se"], abs=TOL)
        if kind != "simple":
            np.testing.assert_allclose(mine.table["att"], np.asarray(agg["att_egt"], float),
                                       atol=TOL, rtol=0)
            np.testing.assert_allclose(mine.table["se"],
                                       np.asarray(agg["se_egt"], float).ravel(),
                                       atol=TOL, rtol=0, equal_nan=True)


def test_covariate_changes_the_estimate(panel):
    """Guard against the covariate being silently ignored (the comparison above would pass)."""
    plain = staggered_did(panel, **KW).aggregate("simple").overall.att
    adjusted = staggered_did(panel, covariates=["baseline_social_share"], **KW)
    assert abs(adjusted.aggregate("simple").overall.att - plain) > 1e-4


def test_one_cell_equals_hand_worked_2x2(panel):
    ours = staggered_did(panel, **KW).att_gt.set_index(["group", "time"])
    wide = panel.pivot(index="unit", columns="year", values="log_price")
    g = panel.groupby("unit")["first_treated"].first()
    diff = wide[2014] - wide[2012]  # cohort 2013, t = 2014, base g-1 = 2012
    expected = diff[g == 2013].mean() - diff[g == 0].mean()
    assert ours.loc[(2013, 2014), "att"] == pytest.approx(expected, abs=1e-12)


def test_dynamic_equals_sun_abraham_pyfixest():
    import pyfixest as pf

    data = synthetic_did_panel(600, seed=5).data
    cs = staggered_did(data, base_period="universal", **KW).aggregate("dynamic").table
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sat = pf.event_study(data, yname="log_price", idname="unit", tname="year",
                             gname="first_treated", estimator="saturated")
        sa = sat.aggregate(agg="period", weighting="shares")["Estimate"].astype(float)
    sa.index = sa.index.astype(float).astype(int)
    merged = cs.set_index("event_time")["att"].drop(index=-1).to_frame("cs").join(sa)
    assert len(merged) >= 20
    np.testing.assert_allclose(merged["cs"], merged["Estimate"], atol=1e-8, rtol=0)
