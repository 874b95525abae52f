"""parallel_trends_sensitivity against R HonestDiD's published README example.

The example (github.com/asheshrambachan/HonestDiD, README "Example usage – Medicaid
expansions"): ACS health-insurance coverage of low-income childless adults (``dins``) by state,
2008–2015, states expanding Medicaid in 2014 vs never / later (2015 expanders dropped); TWFE
event study ``dins ~ i(year, D, ref = 2013) | stfips + year`` with standard errors clustered by
state (fixest), 5 pre- and 2 post-period coefficients. The data file
``tests/reference/data/ehec_medicaid_2008_2015.csv`` holds the 2008–2015 values of
``Exercises/Data/ehec_data.csv`` from github.com/Mixtape-Sessions/Advanced-DID (commit
597021a2), one row per state, transcribed unchanged (the weight column W is not used).

The coefficients and covariance are re-estimated here with pyfixest (which reproduces fixest's
clustered covariance); the original interval [0.029, 0.064] equals the one both the R and the
Stata README print.

Printed R results (README), compared within their printed precision (half a unit of the last
printed digit):

* relative magnitudes, C-LF, M̄ = 0.5, 1, 1.5, 2 — compared exactly at that precision;
* smoothness, FLCI, M = 0 … 0.05 — R computes the folded-normal quantile from 10⁶ seeded
  normal draws; its Monte Carlo error (sd ≈ 0.002 × the estimator's sd ≈ 2e-5 here) is added to
  the tolerance (we compute that quantile exactly).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from permanent_research.causal.honest import parallel_trends_sensitivity
from permanent_research.errors import ParameterError

DATA = Path(__file__).parent / "data" / "ehec_medicaid_2008_2015.csv"

# (M, lb, ub) exactly as printed in the R README
R_RM = [(0.5, "0.0240", "0.0672"), (1.0, "0.0170", "0.0720"), (1.5, "0.00824", "0.0797"),
        (2.0, "-0.000916", "0.0881")]
R_SD = [(0.00, "0.0259", "0.0607"), (0.01, "0.0132", "0.0787"), (0.02, "0.00286", "0.0907"),
        (0.03, "-0.00714", "0.101"), (0.04, "-0.0171", "0.111"), (0.05, "-0.0271", "0.121")]
R_FOLDED_MC = 5e-5  # R's simulated folded-normal quantile (see module docstring)


def _half_unit(printed: str) -> float:
    decimals = len(printed.split(".")[1])
    return 0.5 * 10.0**-decimals


@pytest.fixture(scope="module")
def event_study() -> tuple[np.ndarray, np.ndarray]:
    import pyfixest as pf

    wide = pd.read_csv(DATA)
    long = wide.melt(id_vars=["stfips", "yexp2"], var_name="year", value_name="dins")
    long["year"] = long["year"].str[5:].astype(int)
    df = long[long["yexp2"].isna() | (long["yexp2"] != 2015)].copy()
    df["D"] = (df["yexp2"] == 2014).astype(int)
    fit = pf.feols("dins ~ i(year, D, ref=2013) | stfips + year", data=df,
                   vcov={"CRV1": "stfips"})
    return fit.coef().to_numpy(), np.asarray(fit._vcov)


def test_original_interval_as_printed(event_study):
    b, V = event_study
    table = parallel_trends_sensitivity(b, V, n_pre=5, n_post=2, grid=[1]).to_frame()
    orig = table[table["M"].isna()].iloc[0]
    assert orig["method"] == "Original"
    assert round(orig["lb"], 3) == 0.029 and round(orig["ub"], 3) == 0.064


def test_relative_magnitudes_equal_r_readme(event_study):
    b, V = event_study
    result = parallel_trends_sensitivity(b, V, n_pre=5, n_post=2,
                                         grid=[m for m, _, _ in R_RM])
    robust = result.to_frame().dropna(subset=["M"]).set_index("M")
    assert (robust["method"] == "C-LF").all()
    for m, lb, ub in R_RM:
        assert robust.loc[m, "lb"] == pytest.approx(float(lb), abs=_half_unit(lb) + 1e-12)
        assert robust.loc[m, "ub"] == pytest.approx(float(ub), abs=_half_unit(ub) + 1e-12)
    # the README: significant up to M̄ = 1.5, not at 2
    assert result.breakdown == 1.5


def test_smoothness_flci_equal_r_readme(event_study):
    b, V = event_study
    result = parallel_trends_sensitivity(b, V, n_pre=5, n_post=2, restriction="smoothness",
                                         grid=[m for m, _, _ in R_SD])
    robust = result.to_frame().dropna(subset=["M"]).set_index("M")
    assert (robust["method"] == "FLCI").all()
    for m, lb, ub in R_SD:
        assert robust.loc[m, "lb"] == pytest.approx(float(lb),
                                                    abs=_half_unit(lb) + R_FOLDED_MC)
        assert robust.loc[m, "ub"] == pytest.approx(float(ub),
                                                    abs=_half_unit(ub) + R_FOLDED_MC)
    assert result.breakdown == 0.02  # README: "breakdown value ... M ≈ 0.03"; 0.03 includes 0


def test_intervals_widen_with_m_and_contain_the_restricted_one(event_study):
    b, V = event_study
    rm = parallel_trends_sensitivity(b, V, n_pre=5, n_post=2, grid=np.linspace(0, 2, 9))
    t = rm.to_frame().dropna(subset=["M"])
    assert (np.diff(t["lb"]) <= 1e-12).all() and (np.diff(t["ub"]) >= -1e-12).all()
    for name in ("to_frame", "summary", "_repr_html_"):
        assert getattr(rm, name)() is not None


def test_bad_parameters(event_study):
    b, V = event_study
    with pytest.raises(ParameterError, match="n_pre \\+ n_post"):
        parallel_trends_sensitivity(b, V, n_pre=4, n_post=2, grid=[1])
    with pytest.raises(ParameterError, match="method='FLCI' is not allowed"):
        parallel_trends_sensitivity(b, V, n_pre=5, n_post=2, grid=[1], method="FLCI")
    with pytest.raises(ParameterError, match="grid"):
        parallel_trends_sensitivity(b, V, n_pre=5, n_post=2, grid=[-1])
    with pytest.raises(ParameterError, match="l_vec"):
        parallel_trends_sensitivity(b, V, n_pre=5, n_post=2, grid=[1], l_vec=[1, 0, 0])
