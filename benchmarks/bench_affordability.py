"""Benchmark: affordability on the full bundled tables (target: well under 1 s).

Run: ``.venv/bin/python benchmarks/bench_affordability.py``. Prints a small table of timings
(best of 5). Loading the CSVs is timed separately from the analysis.
"""

from __future__ import annotations

import time

from permanent_research import affordability as aff
from permanent_research import waiting_list as wl
from permanent_research.data import load


def best_of(function, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    t_load = best_of(lambda: (load("disposable_income"), load("fiscal_income"),
                              load("social_housing")), repeat=3)
    disposable, fiscal, social = (load("disposable_income"), load("fiscal_income"),
                                  load("social_housing"))
    rent = aff.distribution_from_quantiles({0.25: 500, 0.5: 660, 0.75: 800}, unit="EUR/month")

    def all_years():
        for year in range(2015, 2023):
            aff.commune_affordability(disposable, year=year, rent=rent, threshold=0.33)

    params = wl.default_queue_parameters(social)
    rows = [
        ("load 3 datasets (validated)", t_load),
        ("commune_income, all communes x 8 years",
         best_of(lambda: aff.commune_income(disposable))),
        ("fiscal_income_per_declaration, 19 years + region",
         best_of(lambda: aff.fiscal_income_per_declaration(fiscal, include_region=True))),
        ("commune_affordability incl. bounds, 19 communes x 8 years", best_of(all_years)),
        ("queue scenario grid 3 x 2 x 4 + 30-year paths",
         best_of(lambda: (wl.scenario_grid(params, added_permanent_per_year=(0, 100, 250, 500)),
                          [wl.list_trajectory(params, added_permanent_per_year=n)
                           for n in (0, 100, 250, 500)]))),
    ]
    width = max(len(name) for name, _ in rows)
    print(f"{'step':<{width}}  seconds")
    for name, seconds in rows:
        print(f"{name:<{width}}  {seconds:7.4f}")


if __name__ == "__main__":
    main()
