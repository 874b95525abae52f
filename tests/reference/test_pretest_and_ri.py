"""Pre-trend test against csdid; randomization inference against brute-force enumeration.

* ``DidResult.pretest()`` equals csdid's ``W``/``Wpval`` (the Python port of R ``did``'s
  ``att_gt`` pre-test) for both control groups, both base periods, with and without a
  covariate: W to 1e-8, the p-value to R's 5-digit rounding.
* ``randomization_inference`` on a 9-unit panel: every distinct assignment of the observed
  cohort labels is built as a panel and run through ``staggered_did`` + ``aggregate`` (the
  slow, obvious way); the exact p-value and the whole permutation distribution must match.
"""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
import pandas as pd
import pytest

from permanent_research.causal import staggered_did
from permanent_research.causal.robust import randomization_inference, sup_t_band
from permanent_research.data.synthetic_panel import synthetic_did_panel
from permanent_research.errors import DataError

KW = dict(unit="unit", time="year", outcome="log_price", first_treated="first_treated")


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return synthetic_did_panel(
        400, first_year=2008, last_year=2016, cohort_effects={2011: 0.03, 2013: 0.02, 2015: 0.01},
        cohort_shares={2011: 0.2, 2013: 0.2, 2015: 0.2}, covariate_trend=0.02, seed=11).data


@pytest.mark.parametrize("control", ["never_treated", "not_yet_treated"])
@pytest.mark.parametrize("base", ["varying", "universal"])
@pytest.mark.parametrize("covariate", [None, "baseline_social_share"])
def test_pretest_equals_csdid(panel, control, base, covariate):
    from csdid.att_gt import ATTgt

    ours = staggered_did(panel, control=control, base_period=base,
                         covariates=None if covariate is None else [covariate], **KW).pretest()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = ATTgt(yname="log_price", tname="year", idname="unit", gname="first_treated",
                      data=panel.copy(), control_group=control.replace("_", ""),
                      xformla=None if covariate is None else f"log_price ~ {covariate}")
        model.fit(est_method="dr", base_period=base, bstrap=False)
    assert ours.statistic == pytest.approx(model.MP["W"], abs=1e-8)
    assert round(ours.pvalue, 5) == pytest.approx(model.MP["Wpval"], abs=1e-12)
    n_pre = int((ours.cells["group"] > ours.cells["time"]).sum())
    assert ours.df == n_pre > 0


def test_pretest_detects_a_pre_trend(panel):
    tilted = panel.copy()
    treated = tilted["first_treated"] > 0
    tilted.loc[treated, "log_price"] += 0.05 * (tilted.loc[treated, "year"] - 2008)
    assert staggered_did(tilted, **KW).pretest().pvalue < 1e-6


def _small_panel(seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    cohorts = [2012, 2012, 2014, 0, 0, 0, 2014, 0, 0]
    rows = []
    for i, g in enumerate(cohorts):
        level = rng.normal()
        for t in range(2010, 2017):
            effect = 0.3 if g and t >= g else 0.0
            rows.append({"unit": f"u{i}", "year": t, "first_treated": g,
                         "log_price": level + 0.02 * t + effect + rng.normal(scale=0.2)})
    return pd.DataFrame(rows)


def _statistic(est, statistic: str) -> float:
    if statistic == "pre":  # mean of the pre-period event-study coefficients
        table = est.aggregate("dynamic").table
        return float(table.loc[table["event_time"] < 0, "att"].mean())
    return est.aggregate(statistic).overall.att


@pytest.mark.parametrize("control", ["never_treated", "not_yet_treated"])
@pytest.mark.parametrize("statistic", ["simple", "dynamic", "pre"])
def test_randomization_inference_equals_brute_force(control, statistic):
    data = _small_panel()
    result = randomization_inference(data, control=control, statistic=statistic, **KW)
    assert result.exact
    labels = data.groupby("unit", sort=False)["first_treated"].first()
    brute = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for perm in sorted(set(itertools.permutations(labels.to_numpy()))):
            mapping = dict(zip(labels.index, perm, strict=True))
            permuted = data.assign(first_treated=data["unit"].map(mapping))
            est = staggered_did(permuted, control=control, **KW)
            brute.append(_statistic(est, statistic))
    brute = np.array(brute)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        observed = _statistic(staggered_did(data, control=control, **KW), statistic)
    assert result.n_assignments == len(brute) == math.factorial(9) // (2 * 2 * math.factorial(5))
    np.testing.assert_allclose(np.sort(result.distribution), np.sort(brute), atol=1e-12)
    assert result.statistic == pytest.approx(observed, abs=1e-12)
    assert result.pvalue == pytest.approx(np.mean(np.abs(brute) >= abs(observed) - 1e-12))


def test_randomization_monte_carlo_is_seeded_and_close_to_exact():
    data = _small_panel()
    exact = randomization_inference(data, **KW)
    mc = randomization_inference(data, max_exact=10, n_permutations=4000, seed=5, **KW)
    again = randomization_inference(data, max_exact=10, n_permutations=4000, seed=5, **KW)
    assert not mc.exact and mc.seed == 5
    np.testing.assert_array_equal(mc.distribution, again.distribution)
    assert abs(mc.pvalue - exact.pvalue) < 0.03


def test_randomization_respects_eligibility():
    data = _small_panel()
    # only the first six units could have been treated; units u6..u8 keep their timing
    data["eligible"] = data["unit"].isin([f"u{i}" for i in range(6)])
    result = randomization_inference(data, eligible="eligible", **KW)
    # six eligible units with labels (2012, 2012, 2014, 0, 0, 0): 6!/(2!1!3!) = 60
    assert result.n_assignments == 60
    assert result.options["n_eligible"] == 6


def test_every_unit_treated_at_once_is_an_error():
    data = _small_panel().assign(first_treated=2013)
    with pytest.raises(DataError, match="every unit is treated at once"):
        staggered_did(data, control="not_yet_treated", **KW)


def test_sup_t_band_is_wider_than_pointwise_and_covers_jointly():
    rng = np.random.default_rng(0)
    cov = 0.5 * np.eye(5) + 0.5  # equicorrelated, variance 1
    band = sup_t_band(np.zeros(5), cov, seed=1)
    crit = band.attrs["crit_val"]
    assert 1.96 < crit < 2.57  # between pointwise and Bonferroni for 5 coefficients
    draws = rng.multivariate_normal(np.zeros(5), cov, size=20_000)
    covered = (np.abs(draws) <= crit).all(axis=1).mean()
    assert covered == pytest.approx(0.95, abs=0.006)


def test_pretest_on_event_time_equals_wald_on_the_dynamic_aggregation(panel):
    res = staggered_did(panel, base_period="universal", **KW)
    dyn = res.aggregate("dynamic")
    pre = dyn.table["event_time"] < -1  # e = -1 is the reference (no variance)
    a = dyn.table.loc[pre, "att"].to_numpy()
    inf = dyn.influence[:, pre.to_numpy()]
    n = inf.shape[0]
    expected = n * a @ np.linalg.solve(inf.T @ inf / n, a)
    out = res.pretest(on="event_time")
    assert out.statistic == pytest.approx(expected, rel=1e-10)
    assert out.df == int(pre.sum())
