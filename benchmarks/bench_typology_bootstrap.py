"""Benchmark: UDP class stability with 1,000 bootstrap draws of thin quartier price samples.

Builds the quartier typology on the bundled Monitoring des Quartiers data (every quartier with
data, both entry blocks; Brussels adaptation, band ``max_nn``), then times
``displacement.bootstrap.class_stability`` with 1,000 draws (one run after a 20-draw warm-up,
this process). Target < 10 s.

Usage::

    PYTHONPATH=src .venv/bin/python benchmarks/bench_typology_bootstrap.py
"""

from __future__ import annotations

import time

import pandas as pd

from permanent_research import displacement as dp
from permanent_research import rents
from permanent_research.data import load
from permanent_research.data.boundaries import quartiers
from permanent_research.displacement.bootstrap import class_stability

T0, T1 = (2015, 2016, 2017), (2021, 2022, 2023)


def main() -> None:
    raw = load("monitoring_quartiers").rename(columns={"mdrc": "area"})
    clean, _ = dp.handle_flagged_rows(raw, duplicates="exclude", tied="keep")
    spec = {
        "population": dp.InputSpec("population_total", (2005,), (2022,)),
        "median_income_eur": dp.InputSpec("median_taxable_income_per_return", (2005,), (2022,)),
        "low_income_share_pct": dp.InputSpec("share_cpas_income_recipients", (2005,), (2022,)),
        "unemployment_rate_pct": dp.InputSpec("unemployment_rate", (2010,), (2022,)),
        "social_housing_pct": dp.InputSpec("social_housing_per_100_households", (2010,), (2022,)),
        "median_value_eur": dp.InputSpec("median_apartment_sale_price", T0, T1, min_years=2),
    }
    health = rents.combine_index_tables(
        load("health_index_cpi"), load("health_index_cpi_2006_2015")
    )
    health = health[(health["series"] == "health_index") & (health["base"] == "2013=100")]
    panel = dp.build_area_period(clean, spec, deflator=dp.annual_index(health), base_year=2022)
    geo = quartiers()
    c = geo.to_crs("EPSG:3812").geometry.centroid
    coords = pd.DataFrame({"area": geo["mdrc"].astype(str), "x_m": c.x, "y_m": c.y})
    ind = dp.indicators(panel, coordinates=coords, band="max_nn")
    n = clean[clean["indicator"] == "n_apartment_sales"]
    sales = pd.DataFrame({
        "n_sales_t0": n[n["year"].isin(T0)].groupby("area")["value"].sum(min_count=1),
        "n_sales_t1": n[n["year"].isin(T1)].groupby("area")["value"].sum(min_count=1),
    }).rename_axis("area").reset_index()
    params = dp.UDPParameters.brussels()
    class_stability(ind, params, sales, coordinates=coords, draws=20, seed=0)
    start = time.perf_counter()
    out = class_stability(ind, params, sales, coordinates=coords, draws=1000, seed=0)
    elapsed = time.perf_counter() - start
    print(f"class_stability: {len(out)} quartiers x 1,000 draws in {elapsed:.1f} s "
          f"(target < 10 s)")


if __name__ == "__main__":
    main()
