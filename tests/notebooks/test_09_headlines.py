"""Headlines of notebook 09: rerun in this process, without Dask, with the notebook's defaults.

The notebook runs on a Dask cluster; the same seed must give the same numbers in one process.
"""

from __future__ import annotations

import numpy as np
import pytest

STEM = "09_what_decides_the_answer"


@pytest.fixture(scope="module")
def headlines(executed_notebook):
    return executed_notebook(STEM)[1]


def test_headlines_rerun_inline(headlines):
    from permanent_research.affordability import commune_income
    from permanent_research.data import DEFLATOR_TABLES, load
    from permanent_research.prices import price_indexes
    from permanent_research.reporting import load_scenario
    from permanent_research.scenarios import in_base_year, income_deciles_lognormal
    from permanent_research.sensitivity import PUBLIC_GAP, what_decides

    incomes = commune_income(load("disposable_income"))
    latest = incomes[incomes["year"] == incomes["year"].max()]
    second_decile = income_deciles_lognormal(latest["median_eur_year"].median(),
                                             latest["q1_eur_year"].median(),
                                             latest["q3_eur_year"].median())[1]
    scenario = load_scenario("baseline")
    money = scenario.section("money")
    indexes = price_indexes([load(name) for name in DEFLATOR_TABLES["health_index"]],
                            construction=load(DEFLATOR_TABLES["construction"][0]))
    # base-year euros and the scenario's discount rate: the public-cost gap is a present value
    found = what_decides(in_base_year(scenario.section("assumptions"), money, indexes),
                         n_base=2048, trajectories=100, n_runs=20000, seed=20261201,
                         income_eur_year=float(second_decile),
                         discount_rate=money.discount_rate,
                         correlations=scenario.sections.get("correlations"), scheduler="inline")
    assert PUBLIC_GAP.startswith("pv_")
    assert "present value" in headlines["temporary_cheaper_share_pct"]["label"]
    assert f"{money.discount_rate:.1%}" in headlines["temporary_cheaper_share_pct"]["label"]
    gap = found.sweep.runs[PUBLIC_GAP].to_numpy()
    assert headlines["temporary_cheaper_share_pct"]["value"] == round(100 * np.mean(gap > 0))
    table = found.sobol.to_frame()
    rows = table[table["output"] == PUBLIC_GAP]
    assert headlines["public_gap_top_input_s1"]["value"] == round(float(rows["S1"].max()), 2)
    # the synthesis reads the leading input's name from the end of the label
    leader = rows.loc[rows["S1"].idxmax(), "input"]
    label = headlines["public_gap_top_input_s1"]["label"]
    assert label.endswith(f"({leader})") and "present-value" in label
    box = found.prim_temporary
    assert headlines["prim_temporary_density_pct"]["value"] == round(100 * box.density)
    assert headlines["prim_temporary_coverage_pct"]["value"] == round(100 * box.coverage)
    # the PRIM sentences travel with the numbers, for the synthesis to quote
    assert headlines["prim_temporary_density_pct"]["statement"] == box.statement()
    if found.prim_clt is None:
        assert "prim_clt_density_pct" not in headlines
    else:
        record = headlines["prim_clt_density_pct"]
        assert record["value"] == round(100 * found.prim_clt.density)
        assert record["statement"] == found.prim_clt.statement()
