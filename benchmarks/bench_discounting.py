"""Benchmark: present values and mortgage eligibility over Monte Carlo draws.

Target (issue 9): the Monte Carlo with present values and eligibility by decile stays under 3 s
and 2 GB for 100,000 draws x 60 years; this measures the added parts alone: present values of
four yearly flow arrays (one per model) at one scenario rate and at one rate per draw, and the
CLT-purchase test (loan-to-value, debt service) for 9 deciles + 3 artist incomes in every draw.
Run: ``.venv/bin/python benchmarks/bench_discounting.py``.
"""

from __future__ import annotations

import resource
import time

import numpy as np

from permanent_research.discounting import annuity, present_value, terminal_value
from permanent_research.eligibility import mortgage_entry


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

    incomes = np.array([980, 1180, 1360, 1560, 1780, 2000, 2320, 2740, 3400, 900, 1300, 1900.0])
    prices = rng.uniform(150_000, 250_000, size=(n_draws, 1))
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        entry = mortgage_entry(incomes[None, :], prices, rates[:, None], mortgage_years=25,
                               max_ltv=0.9, max_dsti=0.5, own_funds_eur=20_000.0)
        entry["eligible"].mean(axis=0)
        runs.append(time.perf_counter() - start)
    print(f"{'eligibility':>18}: median {sorted(runs)[1]:.3f} s for {n_draws:,} draws x "
          f"{len(incomes)} income groups; peak RSS {_peak_mb():,.0f} MB")


if __name__ == "__main__":
    main()
