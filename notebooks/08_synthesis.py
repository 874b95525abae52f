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
# # 08 — Synthesis: which model costs the public less?
#
# **Question.** Per affordable household-year, does a permanent community land trust (CLT) home or a run of temporary-use occupations cost the public less, by how much, and what decides the answer — under each scenario (baseline, pessimistic, optimistic)?
#
# This report recomputes nothing: it reads the numbers every other report recorded in its last successful run (`reports/<scenario>/<notebook>.headlines.json`), so it cannot contradict them. `make reports` runs it after the others.

# %% tags=["parameters"]
scenario = "baseline"
compare_scenarios = ["baseline", "pessimistic", "optimistic"]

# %%
from html import escape

from IPython.display import Markdown, display

from permanent_research.reporting import check_parameters, check_scenario_name, load_scenario
from permanent_research.reporting.headlines import headline
from permanent_research.reporting.present import export, show
from permanent_research.reporting.synthesis import (
    appendix_table,
    findings,
    headline_table,
    plot_for_whom,
    scenario_comparison,
)
from permanent_research.reporting.tables import show_table

check_parameters("08_synthesis", globals())
# The scenario file the runner validated (its path); the scenarios compared are report folders.
chosen = load_scenario(scenario)
scenario_name = chosen.name
for name in compare_scenarios:
    check_scenario_name(name, source="compare_scenarios")
lined_up = list(dict.fromkeys([scenario_name, *compare_scenarios]))
display(Markdown(f"**Scenario:** `{scenario_name}` — {escape(chosen.description)}"))

# %% [markdown]
# ## Findings

# %%
found = findings(lined_up)
lines = []
for name in found.to_frame()["scenario"]:
    lines.append(f"**{name}.**\n" + "\n".join(f"  - {s}" for s in found.sentences(name)))
if found.missing:
    lines.append("*No permanent-vs-temporary report yet for: "
                 + ", ".join(f"`{name}`" for name in found.missing)
                 + " (run `make reports`).*")
display(Markdown("\n\n".join(f"- {line}" for line in lines)))

# %% [markdown]
# ## The scenarios side by side
#
# Public cost per affordable household-year under each model: medians of the Monte Carlo draws of notebook 06, in euros of the scenario's base year, as present values at the scenario's real discount rate net of the value still locked in at the horizon (the undiscounted cash figures only when a report predates present values; the findings say which). Under each scenario, the share of draws in which the CLT is the cheaper outlay (in the same metric).

# %%
if not found.to_frame().empty:
    export(found.to_frame(), "08_findings",
           caption="Public cost per affordable household-year, by scenario")
    show(found.plot(), "08_public_cost_by_scenario",
         source="notebook 06 headline numbers; share of draws from its Monte Carlo run")

# %% [markdown]
# ## For whom
#
# How many of the ten income deciles of Brussels households can enter each model under each scenario: a CLT purchase needs a mortgage within the scenario's loan-to-value and debt-service limits; social housing needs an income under the ceiling (notebook 06's table, decile × model, gives the cost to income and the years of secure tenure, and the artists' incomes).

# %%
show(plot_for_whom(found), "08_for_whom_by_scenario",
     source="notebook 06 headline numbers (scenarios.for_whom at the scenario medians)")

# %% [markdown]
# ## What moves between scenarios
#
# Numbers present in at least two scenarios and not equal across them: the ones that depend on the assumptions. The spread between columns is the uncertainty to keep in mind.

# %%
comparison = scenario_comparison(lined_up)
if comparison.empty:
    display(Markdown("*Fewer than two scenarios have reports yet.*"))
else:
    export(comparison.reset_index(), "scenario_comparison",
           caption="Headline numbers that differ between scenarios")
    wide = comparison.reset_index().rename(
        columns={"notebook": "Report", "label": "Number", "unit": "Unit"})
    show_table(wide, formats={name: "{:,.2f}" for name in comparison.columns},
               wrap=["Number"], caption="Numbers that move with the scenario")

# %% [markdown]
# ## Limits
#
# - Every number here is only as good as the report it comes from; their own *Limits* sections apply. The public-cost comparison rests on the scenario files' assumptions (ranges from sources where there are any, otherwise stated as assumptions), not on observed programme accounts.
# - A per-household-year cost says nothing about *who* is housed: the deciles and artists each model reaches are in notebooks 03 and 06.
# - Scenarios are three corners, not a probability distribution; what decides the answer (notebook 09) is measured within the baseline ranges.
# - Numbers a report marks as *illustrative* or *invalid* are labelled so below and must not be quoted as findings.

# %% [markdown]
# ## Appendix: every headline number

# %%
appendix = appendix_table(scenario_name)
if appendix.empty:
    display(Markdown(f"*No reports yet for scenario `{scenario_name}`: run `make reports` first.*"))
else:
    export(headline_table(scenario_name), "headlines",
           caption=f"Headline numbers, scenario {scenario_name}")
    show_table(appendix, wrap=["Number", "Source"],
               caption=f"Headline numbers of every report, scenario {scenario_name}")

# %%
headline("reports_gathered", appendix["Report"].nunique(), unit="reports", digits=0,
         source=f"reports/{scenario_name}/*.headlines.json")
headline("headline_numbers_gathered", len(appendix), unit="numbers", digits=0,
         source=f"reports/{scenario_name}/*.headlines.json");
