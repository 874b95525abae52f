"""Benchmark: designs for few treated units on a 145-quartier panel.

Measures (wall time, median of 3 runs after one warm-up, this process):

* ``randomization_inference``: 10,000 Monte Carlo permutations of treatment timing on a
  145-unit x 16-year synthetic panel (7 treated units in 4 cohorts, as few as the real site
  data give), simple and dynamic statistics, both control groups — target < 30 s;
* ``parallel_trends_sensitivity``: 10 values of M̄ (relative magnitudes, C-LF) and 10 values of
  M (smoothness, FLCI) on that panel's universal-base event study (5 pre, 5 post periods) —
  target < 10 s;
* ``DidResult.pretest()`` and the event-study extraction, for scale. With one-unit cohorts the
  pre-period covariance is singular (the treated side has no variance and cells sharing the
  comparison units are collinear), so the pre-test is not computed, as in R ``did``.

Usage::

    .venv/bin/python benchmarks/bench_causal_robust.py
"""

from __future__ import annotations

import statistics
import time
import warnings

import numpy as np

from permanent_research.causal import (
    event_study_inputs,
    parallel_trends_sensitivity,
    randomization_inference,
    staggered_did,
)
from permanent_research.data.synthetic_panel import synthetic_did_panel

KW = dict(unit="unit", time="year", outcome="log_price", first_treated="first_treated")


def timed(fn, repeats: int = 3) -> tuple[float, object]:
    fn()  # warm-up
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main() -> None:
    warnings.simplefilter("ignore")
    data = synthetic_did_panel(145, first_year=2008, last_year=2023, seed=7,
                               cohort_effects={2013: 0.03, 2016: 0.02, 2018: 0.02, 2020: 0.01},
                               cohort_shares={2013: 0.02, 2016: 0.01, 2018: 0.01,
                                              2020: 0.01}).data
    n_treated = int((data.groupby("unit")["first_treated"].first() > 0).sum())
    print(f"panel: 145 units x 16 years ({len(data):,} rows), {n_treated} treated units")
    print(f"{'task':<58}{'seconds':>9}  result")
    for control in ("never_treated", "not_yet_treated"):
        for stat in ("simple", "dynamic", "pre"):
            sec, ri = timed(lambda c=control, s=stat: randomization_inference(
                data, control=c, statistic=s, n_permutations=10_000, seed=1, **KW))
            print(f"{'RI 10,000 permutations, ' + stat + ', ' + control:<58}{sec:>9.3f}  "
                  f"p = {ri.pvalue:.4f}")
    for base in ("varying", "universal"):
        fit = staggered_did(data, base_period=base, **KW)
        for on in ("cells", "event_time"):
            sec, pre = timed(lambda f=fit, o=on: f.pretest(on=o))
            print(f"{'pretest on ' + on + ', ' + base + ' base':<58}{sec:>9.4f}  "
                  f"{pre.summary()}")
    res = staggered_did(data, base_period="universal", **KW)
    sec, inputs = timed(lambda: event_study_inputs(res, min_e=-6, max_e=4))
    print(f"{'event_study_inputs (e = -6..4)':<58}{sec:>9.4f}  n_pre={inputs['n_pre']}, "
          f"n_post={inputs['n_post']}")
    args = {k: inputs[k] for k in ("betahat", "sigma", "n_pre", "n_post")}
    sec, rm = timed(lambda: parallel_trends_sensitivity(**args, grid=np.linspace(0, 2, 10)))
    print(f"{'sensitivity, relative magnitudes C-LF, 10 values of Mbar':<58}{sec:>9.3f}  "
          f"breakdown {rm.breakdown:g}")
    sec, sd = timed(lambda: parallel_trends_sensitivity(
        **args, restriction="smoothness", grid=np.linspace(0, 0.02, 10)))
    print(f"{'sensitivity, smoothness FLCI, 10 values of M':<58}{sec:>9.3f}  "
          f"breakdown {sd.breakdown:g}")


if __name__ == "__main__":
    main()
