# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: tags,-all
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 09 · What decides the answer: global sensitivity and scenario discovery
#
# **Question.** Notebook 06 compares the public cost of the CLT and of temporary use per affordable
# household-year over many draws of the uncertain inputs. Which assumptions decide which of the two
# is cheaper, and where is the line beyond which the answer flips?
#
# Three tools the field trusts answer it, each on the same model as notebook 06 (every uncertain
# input of the scenario file varies over its distribution):
#
# * **Sobol' indices** (Saltelli's design, SALib): the share of an output's variance that each
#   input explains alone (first order, S1) and with its interactions (total, ST), with bootstrap
#   intervals;
# * **Morris screening**: the mean absolute effect of moving each input across its range (μ*)
#   and how much that effect varies with the other inputs (σ);
# * **PRIM scenario discovery** (the EMA workbench; Lempert and Bryant's method) on Monte Carlo
#   runs with the scenario's rank correlations: the box of input ranges where temporary use costs
#   the public less, and the one where the CLT does, with their density and coverage.
#
# The runs go to a Dask cluster: a local one by default, or the one named by `scheduler` or
# `PERMANENT_RESEARCH_SCHEDULER` (see the README). Under the report runner, which already runs one
# notebook per core, they stay in this notebook's process unless the run itself was sent to a
# cluster (`permanent-research run --scheduler`); the same seed gives the same numbers, bit for
# bit, wherever they run (the caption of the first table says where they ran).
# Money is in real euros of the scenario's base year (each euro input converted from its price
# year, as in notebook 06). The public cost is a **present value**, as in notebook 06: each year's
# public outlay discounted at the scenario's real discount rate, minus the discounted value still
# locked in at the horizon, per discounted affordable household-year.

# %% tags=["parameters"]
scenario = "baseline"
n_base = 2048  # Sobol' base samples (a power of two): the model runs n_base x (inputs + 2) times
morris_trajectories = 100
n_runs = 20000  # Monte Carlo runs for PRIM and the tornado
income_decile = 2  # the household whose CLT cost-to-income ratio is reported (1-10)
seed = 20261201
# "" = PERMANENT_RESEARCH_SCHEDULER or a local Dask cluster; "inline" = this process
scheduler = ""

# %%
import pandas as pd
from IPython.display import Markdown, display

from permanent_research.affordability import commune_income
from permanent_research.data import bundled_price_indexes, load
from permanent_research.reporting import check_parameters, load_scenario
from permanent_research.reporting.headlines import headline
from permanent_research.reporting.present import export, show
from permanent_research.reporting.tables import format_number, show_table
from permanent_research.scenarios import ASSUMPTION_SPECS, in_base_year, income_deciles_lognormal
from permanent_research.sensitivity import (
    COMPARISON_OUTPUTS,
    PUBLIC_GAP,
    check_sensitivity_parameters,
    what_decides,
)

check_parameters("09_what_decides_the_answer", globals())
check_sensitivity_parameters(n_base=n_base, trajectories=morris_trajectories, n_runs=n_runs,
                             seed=seed, scheduler=scheduler)
# The scenario file the runner validated (its path): the only source of every value it declares.
scenario_file = load_scenario(scenario)
scenario_name = scenario_file.name
money = scenario_file.section("money")
indexes = bundled_price_indexes()
# the file's euros are of each input's price year; the runs use base-year euros (as notebook 06)
assumptions = in_base_year(scenario_file.section("assumptions"), money, indexes)
discount_rate = money.discount_rate
correlations = scenario_file.sections.get("correlations")

# %% [markdown]
# ## Findings
#
# Computed from the runs described below (Sobol', Morris and the correlated Monte Carlo sweep with PRIM); every number and direction word comes from this run.

# %%
incomes = commune_income(load("disposable_income"))
latest = incomes[incomes["year"] == incomes["year"].max()]
deciles = income_deciles_lognormal(latest["median_eur_year"].median(),
                                   latest["q1_eur_year"].median(),
                                   latest["q3_eur_year"].median())
income_eur_year = float(deciles[income_decile - 1])
found = what_decides(assumptions, n_base=n_base, trajectories=morris_trajectories, n_runs=n_runs,
                     seed=seed, correlations=correlations, income_eur_year=income_eur_year,
                     discount_rate=discount_rate,
                     scheduler=None if scheduler == "" else scheduler)
display(Markdown("\n\n".join(f"- {sentence}" for sentence in found.sentences())))

# %% [markdown]
# ## The income behind the cost-to-income ratio
#
# As in notebook 06: Statbel's equivalised disposable income, the median over the 19 communes of
# their median and quartiles in the latest year, turned into ten decile incomes by a lognormal
# fit; the chosen decile's income (times the household equivalence scale) is the denominator.

# %%
display(Markdown(f"Income decile {income_decile} ({int(latest['year'].iloc[0])} incomes): "
                 f"EUR {income_eur_year:,.0f} a year per equivalent adult."))

# %% [markdown]
# ## The outputs and the runs
#
# Each run fixes every uncertain input of the scenario (except the length of each occupation and
# each gap, which the model still draws as they happen, like the yearly market shocks) and
# reports the differences below. A positive present-value public-cost gap means temporary use costs
# the public less per affordable household-year, once outlays and the value left at the horizon
# are discounted at the scenario's rate.

# %%
outputs = found.sobol.table["output"].unique()
show_table(pd.DataFrame({"Output": outputs,
                         "Meaning": [COMPARISON_OUTPUTS[o] for o in outputs],
                         "Model's own randomness (share of variance)": [
                             found.sobol.noise_share(o) for o in outputs]}),
           formats={"Model's own randomness (share of variance)": "{:.0%}"},
           caption=f"{found.sobol.n_runs:,} Sobol' runs, {found.morris.n_runs:,} Morris runs, "
                   f"{found.sweep.n_runs:,} Monte Carlo runs ({scenario_name} scenario; "
                   f"present values at {discount_rate:.1%} a year, {money.base_year} euros; rank "
                   "correlations: "
                   + ("from the scenario file" if correlations else "none declared")
                   + f"); run {found.engine}")

# %% [markdown]
# ## Sobol' indices: which inputs explain the present-value public-cost gap
#
# Bars: the first-order index (the input alone) and the total index (with its interactions),
# with 95 % bootstrap intervals. The model's own randomness (occupation lengths, gaps, market
# shocks) adds about the same amount to every total index (table above), so the first-order
# indices rank the inputs. Convergence: the largest change of any index between N/2 and N base
# samples is printed under the figure.

# %%
fig = found.sobol.plot(PUBLIC_GAP, top=10)
show(fig, "09_sobol_public_gap")
print(f"largest change of an index between N/2 and N: {found.sobol.max_change():.3f}")

# %%
sobol_table = found.sobol.to_frame()
sobol_table["unit"] = sobol_table["input"].map(lambda k: ASSUMPTION_SPECS[k].unit)
export(sobol_table, "09_sobol_indices",
       caption=f"Sobol' indices, N = {n_base:,} base samples ({scenario_name} scenario)")
top = (sobol_table.sort_values(["output", "S1"], ascending=[True, False])
       .groupby("output", sort=False).head(5))
show_table(top, formats={c: "{:.3f}" for c in ["S1", "S1_conf", "ST", "ST_conf"]},
           caption="The five inputs with the largest first-order index, per output")

# %% [markdown]
# ## Morris screening
#
# Inputs far to the right matter on their own; inputs high up act through interactions or
# non-linearly. An effect is the change of the output per move of one input across its whole
# range (measured on steps of two thirds of it, Morris' four-level grid), in the output's unit.

# %%
fig = found.morris.plot(PUBLIC_GAP)
show(fig, "09_morris_public_gap")

# %% [markdown]
# ## Where the line lies: PRIM boxes
#
# PRIM peels the ranges of the inputs, a slice at a time, keeping the runs where one model costs
# the public less. The trade-off curve shows each step: coverage (the share of all such runs that
# stay in the box) against density (the share of the box's runs where it holds); the circled box
# is the one stated in words above.

# %%
for name, box in (("temporary", found.prim_temporary), ("clt", found.prim_clt)):
    if box is None:
        continue
    fig = box.plot()
    show(fig, f"09_prim_tradeoff_{name}")
    fig = box.plot_box()
    show(fig, f"09_prim_box_{name}")

# %% [markdown]
# ## Tornado from the same runs
#
# For each input: the mean present-value public-cost gap over the runs where it is in its lowest
# 10 % and in its highest 10 % (every other input varying, with the scenario's correlations).
# Notebook 06's one-at-a-time tornado holds the other inputs at their medians instead.

# %%
tornado = found.tornado(PUBLIC_GAP).head(10)
show_table(tornado, formats={c: "{:,.0f}" for c in ["outcome_at_low", "outcome_at_high", "swing"]}
           # at most four decimals: growth rates such as 0.0018 a year stay readable
           | dict.fromkeys(["low_value", "high_value"], lambda v: format_number(round(v, 4))),
           caption=(f"Present-value public-cost gap ({money.base_year} EUR per affordable "
                    f"household-year, at {discount_rate:.1%}), CLT minus temporary use"))

# %% [markdown]
# ## Headline numbers

# %%
headline("temporary_cheaper_share_pct", 100 * found.temporary_share, unit="%", digits=0,
         label=("Monte Carlo runs where temporary use costs the public less (present value "
                f"at {discount_rate:.1%})"),
         source=f"what_decides(): {n_runs:,} correlated runs, {scenario_name}")
leader = found.top_inputs(PUBLIC_GAP, 1)[0]
headline("public_gap_top_input_s1",
         found.sobol.to_frame().set_index(["output", "input"]).loc[(PUBLIC_GAP, leader), "S1"],
         digits=2,
         label=(f"First-order Sobol' index of the present-value public-cost gap: leading "
                f"input ({leader})"),
         source=f"what_decides(): Sobol', N = {n_base:,}")
if found.prim_temporary is not None:
    headline("prim_temporary_density_pct", 100 * found.prim_temporary.density, unit="%",
             digits=0, label="PRIM box where temporary use is cheaper in present value: density",
             source="what_decides(): PRIM", statement=found.prim_temporary.statement())
    headline("prim_temporary_coverage_pct", 100 * found.prim_temporary.coverage, unit="%",
             digits=0, label="PRIM box where temporary use is cheaper in present value: coverage",
             source="what_decides(): PRIM")
if found.prim_clt is not None:
    headline("prim_clt_density_pct", 100 * found.prim_clt.density, unit="%", digits=0,
             label="PRIM box where the CLT is cheaper in present value: density",
             source="what_decides(): PRIM", statement=found.prim_clt.statement())

# %% [markdown]
# ## Limits
#
# - The indices and boxes describe the model of notebook 06 within the scenario file's ranges and rank correlations; inputs the file fixes (or ranges written as assumptions) cannot show up as deciding, however uncertain they are in reality.
# - Sobol' indices measure shares of variance, not of the yes/no answer: an input can explain much of the gap's spread without moving it across zero. PRIM's boxes answer the yes/no question, for the runs drawn; a box with low coverage describes only part of the runs where a model wins.
# - The model's own randomness (occupation lengths, gaps, market shocks) is not an input; its share of the variance is shown in the first table and adds to every total index.
# - Present values depend on the scenario's real discount rate, which is not varied here; notebook 06 shows the answer at 0 %, 2 % and 3.5 %.
