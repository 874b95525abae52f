"""Benchmark: the scenario Monte Carlo with 100,000 draws x 60 years (both models and baselines),
in base-year euros (the baseline's money section) with present values at four discount rates.

Targets: issue 5 under 2 s and 2 GB; issue 9 (with present values) under 3 s and 2 GB.
Run: ``.venv/bin/python benchmarks/bench_scenarios.py``.
Peak memory is the process's maximum resident set size (``resource.getrusage``), so it includes
the interpreter and imports (printed separately).
"""

from __future__ import annotations

import resource
import time

from permanent_research.data import bundled_price_indexes
from permanent_research.reporting.scenario_files import load_scenario
from permanent_research.scenarios import simulate


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    scenario = load_scenario("baseline")
    assumptions, money = scenario.section("assumptions"), scenario.section("money")
    indexes = bundled_price_indexes()
    run = {"money": money, "indexes": indexes, "horizon_years": 60}
    simulate(assumptions, n_draws=1_000, seed=1, **run)  # warm-up (imports, caches)
    before = _peak_mb()
    rows = []
    for n_draws in (10_000, 100_000):
        start, cpu_start = time.perf_counter(), time.process_time()
        result = simulate(assumptions, n_draws=n_draws, seed=20261126, **run)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
        rows.append((n_draws, elapsed, cpu, _peak_mb(), len(result.draws)))
    print(f"baseline peak RSS after imports and warm-up: {before:,.0f} MB")
    print("(wall seconds depend on the machine's load; CPU seconds less so)")
    print(f"{'draws':>8} {'years':>5} {'wall s':>7} {'CPU s':>6} {'peak RSS MB':>12} "
          f"{'result rows':>12}")
    for n_draws, elapsed, cpu, peak, rows_out in rows:
        print(f"{n_draws:>8,} {60:>5} {elapsed:>7.2f} {cpu:>6.2f} {peak:>12,.0f} {rows_out:>12,}")


if __name__ == "__main__":
    main()
