"""Benchmark: present values over Monte Carlo draws (100,000 draws x 60 years).

Target (issue 9): the Monte Carlo with present values stays under 3 s and 2 GB; this measures the
present-value part alone, for four yearly flow arrays (one per model), at one scenario rate and
at one rate per draw.
Run: ``.venv/bin/python benchmarks/bench_discounting.py``.
"""

from __future__ import annotations

import resource
import time

import numpy as np

from permanent_research.discounting import annuity, present_value, terminal_value


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    n_draws, years, models = 100_000, 60, 4
    rng = np.random.default_rng(20261201)
    flows = [rng.normal(1_000.0, 250.0, size=(n_draws, years)) for _ in range(models)]
    held = rng.normal(200_000.0, 20_000.0, size=n_draws)
    rates = rng.uniform(0.0, 0.05, size=n_draws)
    present_value(flows[0][:100], 0.03)  # warm-up
    before = _peak_mb()
    print(f"flows: {models} x ({n_draws:,} x {years}) float64; peak RSS before: {before:,.0f} MB")
    for label, rate in (("one scenario rate", 0.03), ("one rate per draw", rates)):
        runs = []
        for _ in range(3):
            start = time.perf_counter()
            for model in flows:
                pv = present_value(model, rate) + terminal_value(held, rate, years)
                annuity(pv, rate, years)
            runs.append(time.perf_counter() - start)
        print(f"{label:>18}: median {sorted(runs)[1]:.3f} s for {models} models "
              f"(runs {', '.join(f'{r:.3f}' for r in runs)}); peak RSS {_peak_mb():,.0f} MB")


if __name__ == "__main__":
    main()
