"""Benchmark: staggered_did vs csdid on 50,000 units x 15 years (750,000 rows).

Runs each configuration (no covariate; one covariate) once per implementation in a fresh
subprocess, and prints wall time, peak resident memory (ru_maxrss of the child) and the maximum
absolute difference of ATT(g,t) and of their SEs. Usage::

    .venv/bin/python benchmarks/bench_causal.py [n_units]
"""

from __future__ import annotations

import json
import subprocess
import sys

CHILD = r"""
import json, resource, sys, time, warnings
import numpy as np
warnings.simplefilter("ignore")
from permanent_research.data.synthetic_panel import synthetic_did_panel
impl, cov, n = sys.argv[1], sys.argv[2] == "1", int(sys.argv[3])
data = synthetic_did_panel(n, first_year=2008, last_year=2022, seed=1,
                           cohort_effects={2010: 0.03, 2012: 0.03, 2014: 0.02, 2016: 0.02,
                                           2018: 0.01, 2020: 0.01},
                           cohort_shares={g: 0.1 for g in (2010, 2012, 2014, 2016, 2018, 2020)},
                           covariate_trend=0.02).data
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter()
if impl == "ours":
    from permanent_research.causal import staggered_did
    r = staggered_did(data, unit="unit", time="year", outcome="log_price",
                      first_treated="first_treated",
                      covariates=["baseline_social_share"] if cov else None)
    att, se = r.att_gt["att"].to_numpy(), r.att_gt["se"].to_numpy()
else:
    from csdid.att_gt import ATTgt
    m = ATTgt(yname="log_price", tname="year", idname="unit", gname="first_treated",
              data=data, xformla="log_price ~ baseline_social_share" if cov else None)
    m.fit(est_method="dr", bstrap=False)
    att = np.asarray(m.results["att"], float); se = np.asarray(m.results["se"], float)
elapsed = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": elapsed, "peak_mb": peak / 1024, "data_mb": base / 1024,
                  "att": att.tolist(), "se": se.tolist()}))
"""


def run(impl: str, cov: bool, n: int) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, impl, "1" if cov else "0", str(n)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    import numpy as np

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    print(f"staggered_did vs csdid, {n:,} units x 15 years ({15 * n:,} rows), method='dr', "
          "never-treated controls, varying base period")
    print(f"{'covariates':<12}{'impl':<16}{'seconds':>9}{'peak MB':>10}{'max|dATT|':>12}"
          f"{'max|dSE|':>11}")
    for cov in (False, True):
        ours, ref = run("ours", cov, n), run("csdid", cov, n)
        d_att = np.nanmax(np.abs(np.array(ours["att"]) - np.array(ref["att"])))
        d_se = np.nanmax(np.abs(np.array(ours["se"]) - np.array(ref["se"])))
        label = "one" if cov else "none"
        print(f"{label:<12}{'staggered_did':<16}{ours['seconds']:>9.2f}{ours['peak_mb']:>10.0f}"
              f"{d_att:>12.1e}{d_se:>11.1e}")
        print(f"{label:<12}{'csdid':<16}{ref['seconds']:>9.2f}{ref['peak_mb']:>10.0f}")
    print("peak MB = peak resident set of the whole child process (includes the data frame).")


if __name__ == "__main__":
    main()
