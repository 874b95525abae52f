"""The vectorised two-stage DiD of compare_estimators equals pyfixest.did2s (its loop vcov).

``causal.compare._did2s`` reuses pyfixest's two feols stages for the estimates and computes
Gardner's GMM cluster sandwich with sparse sums instead of pyfixest's Python loop over
clusters. Reference: ``pyfixest.did2s`` itself. Tolerances: estimates identical (same code
path); standard errors within 1e-10 relative (same formula, different summation order and
fixed-effect basis).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from permanent_research.causal.compare import _did2s
from permanent_research.data.synthetic_panel import synthetic_did_panel

pf = pytest.importorskip("pyfixest")


def _prepared(n_units: int, seed: int) -> pd.DataFrame:
    data = synthetic_did_panel(n_units, seed=seed).data
    d = data[["unit", "year", "log_price", "first_treated"]].copy()
    d.columns = ["unit_", "time_", "y_", "g_"]
    d["g_"] = d["g_"].fillna(0).astype(int)
    d["treated_"] = ((d["g_"] > 0) & (d["time_"] >= d["g_"])).astype(int)
    d["rel_"] = np.where(d["g_"] > 0, d["time_"] - d["g_"], -1).astype(int)
    return d


@pytest.mark.parametrize("second_stage", ["~ i(rel_, ref=-1)", "~ 0 + treated_"])
@pytest.mark.parametrize("n_units, seed", [(240, 3), (400, 11)])
def test_did2s_matches_pyfixest(second_stage: str, n_units: int, seed: int) -> None:
    d = _prepared(n_units, seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = pf.did2s(d, yname="y_", first_stage="~ 0 | unit_ + time_",
                             second_stage=second_stage, treatment="treated_",
                             cluster="unit_").tidy()
        mine = _did2s(d, [second_stage])[0]
    assert list(mine.index) == list(reference.index)
    np.testing.assert_array_equal(mine["Estimate"].to_numpy(), reference["Estimate"].to_numpy())
    np.testing.assert_allclose(mine["Std. Error"].to_numpy(),
                               reference["Std. Error"].to_numpy(), rtol=1e-10, atol=0)
    # both second stages from one first stage give the same tables as one at a time
    both = _did2s(d, ["~ i(rel_, ref=-1)", "~ 0 + treated_"])
    pd.testing.assert_frame_equal(both[["~ i(rel_, ref=-1)", "~ 0 + treated_"].index(
        second_stage)], mine, check_exact=True)
    # the input frame is left as it was (pyfixest.did2s copies it too)
    assert d["treated_"].dtype.kind == "i" and "y__hat" not in d
