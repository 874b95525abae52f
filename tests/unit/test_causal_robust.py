"""Future-site controls and effects during vs after occupations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from permanent_research.causal import staggered_did
from permanent_research.causal.robust import effects_during_and_after, future_site_panel
from permanent_research.errors import DataError

KW = dict(unit="unit", time="year", outcome="y", first_treated="first_treated")


def _panel(seed: int = 0, noise: float = 0.0) -> pd.DataFrame:
    """40 units, 2010-2020: starts 2013 (ends 2015 or ongoing), 2016 (ends 2017), 2019
    (ongoing), never. Effect 0.30 while active, 0.10 after the end."""
    rng = np.random.default_rng(seed)
    spec = ([(2013, 2015)] * 6 + [(2013, np.nan)] * 6 + [(2016, 2017)] * 6
            + [(2019, np.nan)] * 6 + [(0, np.nan)] * 16)
    rows = []
    for i, (g, end) in enumerate(spec):
        level = rng.normal()
        for t in range(2010, 2021):
            effect = 0.0
            if g and t >= g:
                effect = 0.30 if (np.isnan(end) or t <= end) else 0.10
            rows.append({"unit": i, "year": t, "first_treated": g, "end": end,
                         "y": level + 0.01 * t + effect + noise * rng.normal()})
    return pd.DataFrame(rows)


def test_phase_effects_recover_known_during_and_after():
    result = effects_during_and_after(_panel(), treatment_end="end", **KW)
    table = result.table.set_index("phase")
    assert table.loc["during", "att"] == pytest.approx(0.30, abs=1e-10)
    assert table.loc["after", "att"] == pytest.approx(0.10, abs=1e-10)
    assert table.loc["after", "n_units"] == 12  # the two ended groups
    assert (result.cells.loc[result.cells["phase"] == "after", "years_since_end"] > 0).all()


def test_phase_after_equals_hand_computed_cell_means():
    data = _panel(seed=1, noise=0.05)
    result = effects_during_and_after(data, treatment_end="end", **KW)
    wide = data.pivot(index="unit", columns="year", values="y")
    info = data.groupby("unit")[["first_treated", "end"]].first()
    never = info.index[info["first_treated"] == 0]
    cells, weights = [], []
    for (g, end), members in info[info["end"].notna()].groupby(["first_treated", "end"]):
        for t in range(int(end) + 1, 2021):
            d = wide[t] - wide[g - 1]
            cells.append(d[members.index].mean() - d[never].mean())
            weights.append(len(members))
    expected = np.average(cells, weights=weights)
    after = result.table.set_index("phase").loc["after", "att"]
    assert after == pytest.approx(expected, abs=1e-12)


def test_phase_bad_end_is_an_error():
    data = _panel()
    data.loc[data["unit"] == 0, "end"] = 2011  # before its 2013 start
    with pytest.raises(DataError, match="'end' is before 'first_treated'.*0"):
        effects_during_and_after(data, treatment_end="end", **KW)


def test_future_site_controls():
    data = _panel()
    restricted = future_site_panel(data, unit="unit", time="year",
                                   first_treated="first_treated", window_end=2017)
    assert restricted["year"].max() == 2017
    counts = restricted.attrs["counts"]
    assert counts == {"treated_in_window": 18, "future_site_controls": 6, "never_treated": 16,
                      "never_treated_kept": False}
    per_unit = restricted.groupby("unit")["first_treated"].first()
    assert set(per_unit.unique()) == {0, 2013, 2016}
    assert restricted.loc[restricted["future_site"], "first_treated"].eq(0).all()
    # the design runs: only future sites are controls
    res = staggered_did(restricted, **KW)
    assert np.isfinite(res.aggregate("simple").overall.att)
    with pytest.raises(DataError, match="no future-site control"):
        future_site_panel(data, unit="unit", time="year", first_treated="first_treated",
                          window_end=2020)


def test_event_study_inputs_feed_the_sensitivity():
    from permanent_research.causal import event_study_inputs, parallel_trends_sensitivity
    from permanent_research.data.synthetic_panel import synthetic_did_panel

    data = synthetic_did_panel(300, first_year=2008, last_year=2016,
                               cohort_effects={2012: 0.05}, cohort_shares={2012: 0.3},
                               seed=4).data
    kw = dict(unit="unit", time="year", outcome="log_price", first_treated="first_treated")
    res = staggered_did(data, base_period="universal", **kw)
    inputs = event_study_inputs(res)
    assert inputs["n_pre"] == 3 and inputs["n_post"] == 5  # e = -4..-2 and 0..4
    dyn = res.aggregate("dynamic")
    se = dyn.table.set_index("event_time")["se"]
    # the covariance's diagonal gives back the analytic SEs of the event study
    np.testing.assert_allclose(np.sqrt(np.diag(inputs["sigma"])),
                               se.drop(-1).to_numpy(), rtol=1e-10)
    out = parallel_trends_sensitivity(**{k: inputs[k] for k in ("betahat", "sigma", "n_pre",
                                                                "n_post")}, grid=[0, 1])
    assert out.to_frame()["lb"].notna().all()
    with pytest.raises(Exception, match="universal"):
        event_study_inputs(staggered_did(data, **kw))


def test_result_objects_share_the_interface():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from permanent_research.causal import parallel_trends_sensitivity, randomization_inference

    data = _panel(seed=3, noise=0.05)
    results = [
        effects_during_and_after(data, treatment_end="end", **KW),
        staggered_did(data, **KW).pretest(on="event_time"),
        randomization_inference(data, n_permutations=200, max_exact=10, seed=1, **KW),
        parallel_trends_sensitivity(np.zeros(3), np.eye(3) * 1e-4, n_pre=2, n_post=1,
                                    grid=[0, 1]),
    ]
    for result in results:
        assert isinstance(result.to_frame(), pd.DataFrame)
        assert isinstance(result.summary(), str) and result.summary()
        assert "<" in result._repr_html_()
        ax = result.plot().axes[0]
        plt.close(ax.figure)
    ri = results[2]
    assert ri.replace(seed=99).seed == 99 and ri.seed == 1  # a copy, the original unchanged
