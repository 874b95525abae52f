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


# ---- routes that do not go through csdid ----------------------------------------------------

def _wide(panel):
    wide = panel.pivot(index="unit", columns="year", values="log_price")
    cov = panel.pivot(index="unit", columns="year", values="baseline_social_share")
    g = panel.groupby("unit")["first_treated"].first()
    return wide, cov, g


@pytest.mark.parametrize("method", ["dr", "reg", "ipw"])
def test_cells_equal_drdid_directly(panel, method):
    """ATT(g,t) and SE of pre- and post-treatment cells (not-yet-treated, varying base) equal
    the ``drdid`` package's 2x2 panel estimators run on the cell's own sample. Tol 1e-10."""
    from drdid._estimators import drdid_panel, reg_did_panel, std_ipw_did_panel

    fn = {"dr": drdid_panel, "reg": reg_did_panel, "ipw": std_ipw_did_panel}[method]
    shuffled = panel.sample(frac=1, random_state=3)  # row order must not matter
    ours = staggered_did(shuffled, covariates=["baseline_social_share"], method=method,
                         control="not_yet_treated", **KW).att_gt.set_index(["group", "time"])
    wide, cov, g = _wide(panel)
    # (group, time, base): pre-period cells compare t with t-1, post cells t with g-1
    for grp, t, base in [(2013, 2011, 2010), (2015, 2012, 2011), (2013, 2015, 2012),
                         (2011, 2014, 2010)]:
        assert ours.loc[(grp, t), "base_period"] == base
        sample = (g == grp) | (g == 0) | ((g > max(t, base)) & (g != grp))
        att, inf = fn(wide.loc[sample, t].to_numpy(), wide.loc[sample, base].to_numpy(),
                      (g[sample] == grp).to_numpy(dtype=float),
                      cov.loc[sample, min(t, base)].to_numpy())
        assert ours.loc[(grp, t), "att"] == pytest.approx(att, abs=1e-10)
        assert ours.loc[(grp, t), "se"] == pytest.approx(
            np.sqrt(np.mean(inf**2) / sample.sum()), abs=1e-10)


def test_every_aggregation_equals_delta_method(panel):
    """Not-yet-treated controls, varying base (pre-periods included): every aggregation's
    estimates and SEs (tables and overall) equal the delta method applied to unit-level sample
    means with a numerical gradient — written from the estimands of Callaway & Sant'Anna
    (2021, sec. 3), not from R's influence-function code. Tol 1e-10 (ATT), 1e-7 (SE)."""
    wide, _, g = _wide(panel)
    res = staggered_did(panel, control="not_yet_treated", **KW)
    gt = res.att_gt
    glist = sorted(int(c) for c in g.unique() if c > 0)
    grp, tim = gt["group"].to_numpy(), gt["time"].to_numpy()
    ev, post = tim - grp, tim >= grp
    cols = [(g == c).to_numpy(dtype=float) for c in glist]  # cohort shares
    start = []
    for r in gt.itertuples():
        dy = (wide[r.time] - wide[r.base_period]).to_numpy()
        tr = (g == r.group).to_numpy(dtype=float)
        ctrl = ((g == 0) | ((g > max(r.time, r.base_period)) & (g != r.group))).to_numpy(float)
        start.append(len(cols))
        cols += [tr * dy, tr, ctrl * dy, ctrl]
    m_units = np.column_stack(cols)
    mbar = m_units.mean(axis=0)

    def estimands(m, kind):
        att = np.array([m[j] / m[j + 1] - m[j + 2] / m[j + 3] for j in start])
        pg = np.array([m[glist.index(c)] for c in grp])

        def wmean(keep):
            return np.sum(att[keep] * pg[keep]) / pg[keep].sum()

        if kind == "simple":
            return np.array([wmean(post)])
        if kind == "group":
            theta = np.array([att[post & (grp == c)].mean() for c in glist])
            share = m[:len(glist)]
            return np.append(theta, np.sum(theta * share) / share.sum())
        if kind == "dynamic":
            es = np.unique(ev)
            theta = np.array([wmean(ev == e) for e in es])
            return np.append(theta, theta[es >= 0].mean())
        theta = np.array([wmean(post & (tim == t)) for t in np.unique(tim) if t >= min(glist)])
        return np.append(theta, theta.mean())

    sigma = np.cov(m_units, rowvar=False, ddof=0)
    for kind in ("simple", "group", "dynamic", "calendar"):
        f0 = estimands(mbar, kind)
        jac = np.empty((len(f0), len(mbar)))
        for j in range(len(mbar)):
            h = 1e-6 * max(1.0, abs(mbar[j]))
            up, down = mbar.copy(), mbar.copy()
            up[j] += h
            down[j] -= h
            jac[:, j] = (estimands(up, kind) - estimands(down, kind)) / (2 * h)
        se = np.sqrt(np.einsum("ij,jk,ik->i", jac, sigma, jac) / len(g))
        agg = res.aggregate(kind)
        rows = agg.table if kind != "simple" else pd.DataFrame({"att": [], "se": []})
        est = np.append(rows["att"].to_numpy(), agg.overall.att)
        ses = np.append(rows["se"].to_numpy(), agg.overall.se)
        assert len(est) == len(f0)
        np.testing.assert_allclose(est, f0, atol=1e-10, rtol=0)
        finite = np.isfinite(ses)
        assert finite.all()
        np.testing.assert_allclose(ses[finite], se[finite], atol=1e-7, rtol=0)


def test_imputation_equals_hand_coded_bjs():
    """compare_estimators' imputation rows equal Borusyak-Jaravel-Spiess by hand: unit and year
    dummies fitted by least squares on untreated observations only, Y(0) imputed, Y - Y(0)
    averaged by event time (and over all treated observations). Tolerance 1e-8."""
    from permanent_research.causal import compare_estimators

    data = synthetic_did_panel(120, first_year=2008, last_year=2016, seed=4,
                               cohort_effects={2011: 0.03, 2013: 0.02, 2015: 0.01}).data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        comp = compare_estimators(data, min_e=-3, max_e=5, estimators=["imputation"], **KW)
    units, years = np.unique(data["unit"]), np.unique(data["year"])
    ui, ti = np.searchsorted(units, data["unit"]), np.searchsorted(years, data["year"])
    design = np.zeros((len(data), len(units) + len(years) - 1))
    design[np.arange(len(data)), ui] = 1
    later = ti > 0
    design[np.flatnonzero(later), len(units) + ti[later] - 1] = 1
    y = data["log_price"].to_numpy()
    untreated = data["treated"].to_numpy() == 0
    coef = np.linalg.lstsq(design[untreated], y[untreated], rcond=None)[0]
    effect = y - design @ coef
    rel = np.where(data["first_treated"] > 0, data["year"] - data["first_treated"], -99)
    imp = comp.table.set_index("relative_time")["estimate"]
    assert list(imp.index) == list(range(0, 6))  # no reference row, no pre-period rows
    for e in range(0, 6):
        assert imp.loc[e] == pytest.approx(effect[rel == e].mean(), abs=1e-8)
    overall = comp.overall.set_index("estimator").loc["imputation", "estimate"]
    assert overall == pytest.approx(effect[~untreated].mean(), abs=1e-8)
