"""Benchmark of permanent_research.rents (run once: ``python benchmarks/bench_rents.py``).

Prints wall time and memory for: indices on the full bundled tables, and the hedonic and
repeat-sales indices on 1,000,000 synthetic transactions. Peak memory is measured twice:
``tracemalloc`` (Python/numpy allocations during the call) and the process's max RSS
(``resource.getrusage``, includes the data and libraries).
"""

from __future__ import annotations

import resource
import time
import tracemalloc

from permanent_research import rents
from permanent_research.data import load
from permanent_research.data.synthetic_rents import synthetic_sales


def measure(label, function):
    """Time one call without tracing, then trace a second call for its peak allocation."""
    start = time.perf_counter()
    result = function()
    seconds = time.perf_counter() - start
    tracemalloc.start()
    function()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{label:<52} {seconds:8.3f} s  {peak / 2**20:8.1f} MiB traced  {rss:8.0f} MiB max RSS")
    return result


def main() -> None:
    sales, health, observatory = (
        load("real_estate_sales"),
        load("health_index_cpi"),
        load("rent_observatory"),
    )

    def indices(types=rents.PROPERTY_TYPES):
        deflator = rents.health_index_deflator(health)
        for property_type in types:
            medians = rents.sales_medians(sales, property_type=property_type)
            rents.price_index(medians, base_year=2015)
            rents.chained_index(
                medians[medians.geo_level == "municipality"],
                base_year=2015,
                weight="n_transactions",
            )
            rents.growth_table(medians, start_year=2010, end_year=2024)
            rents.real_values(medians, deflator, base_year=2015, missing="drop")
        obs = rents.observatory_rents(observatory)
        rents.real_values(obs, deflator, base_year=2015, missing="drop")

    print(f"{'task':<52} {'time':>10}  {'tracemalloc':>14}  {'RSS':>18}")
    measure("indices, one property type (apartments)", lambda: indices(("appartementen",)))
    measure("indices, 4 property types, full bundled tables", indices)
    data = measure(
        "generate 1,000,000 synthetic sales",
        lambda: synthetic_sales(1_000_000, n_periods=40, seed=1),
    ).sales
    measure(
        "hedonic time-dummy, 1M sales, 40 periods, 19 FE",
        lambda: rents.hedonic_index(data, characteristics=["floor_area_m2", "rooms"]),
    )
    measure("repeat sales (Case–Shiller WLS), 1M sales", lambda: rents.repeat_sales_index(data))


if __name__ == "__main__":
    main()
