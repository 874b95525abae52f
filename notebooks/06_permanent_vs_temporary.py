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
# # 06 · Temporary use or a permanent CLT: fifty years of studios and homes
#
# **Question.** Which costs the public less per affordable household-year, in present value:
# lending vacant buildings out for temporary use, or buying land once and holding it in a
# community land trust (CLT) that sells homes and lets studios at cost, with social housing and
# the private market as baselines? By how much, how sure, and **for whom**: which income deciles
# and which artists can enter each model, at what share of their income, with how many years of
# secure tenure?
#
# Every input is a distribution in the scenario file (`assumptions:`), every entry limit a value
# in its `eligibility:` section, each with its source or the word "assumption" (see
# `docs/scenarios.md`). Every euro input carries its price year (the scenario's `money:`
# section) and is converted to **real euros of the scenario's base year** with the health index
# (rents, incomes, prices) or the construction-price index (building costs).

# %% tags=["parameters"]
scenario = "baseline"
n_draws = 2000
seed = 20261126
# CLTB resale rule [U]: seller's 25 % of the increase over the "price_paid" or the
# "appraised_value" at purchase (docs/clt.md)
cltb_increase_base = "price_paid"

# %%
import numpy as np
import pandas as pd
from IPython.display import Markdown, display

from permanent_research import prices
from permanent_research import waiting_list as wl
from permanent_research.data import bundled_price_indexes, load
from permanent_research.plots.scenarios import cost_distribution, fan_chart, tornado
from permanent_research.reporting import check_parameters, load_scenario
from permanent_research.reporting.headlines import headline, studio_cost_headlines
from permanent_research.reporting.present import export, show
from permanent_research.reporting.tables import format_number, show_table
from permanent_research.scenarios import (
    ASSUMPTION_SPECS,
    METRICS,
    MODEL_LABELS,
    compare_assumptions,
    conversion_table,
    for_whom,
    in_base_year,
    income_deciles_lognormal,
    sensitivity,
    simulate,
    studio_costs,
)

check_parameters("06_permanent_vs_temporary", globals())
# The scenario file the runner validated (its path): the only source of every value it declares.
scenario_file = load_scenario(scenario)
money = scenario_file.section("money")
indexes = bundled_price_indexes()
# the file's euros are of each input's price year; every model run below uses base-year euros
file_assumptions = scenario_file.section("assumptions")
assumptions = in_base_year(file_assumptions, money, indexes)
entry_settings = scenario_file.section("eligibility").in_base_year(money.base_year, indexes)
base_year, discount_rate = money.base_year, money.discount_rate
horizon_years = assumptions.horizon_years
scenario_name = scenario_file.name
MODEL_NAMES = {"temporary_use": "Temporary use", "permanent_clt": "Permanent (CLT)",
               "social_housing": "Social housing", "market": "Private market"}
USER_NAMES = {"studio": "Artists' studios", "household": "Households"}
MODELS_OF_USER = {"studio": ("temporary_use", "permanent_clt"),
                  "household": ("temporary_use", "permanent_clt", "social_housing")}
PV_NET = "pv_net_public_cost_per_affordable_year_eur"
IN_SENTENCE = {"temporary_use": "temporary use", "permanent_clt": "the permanent CLT",
               "social_housing": "social housing"}

# Household incomes: Statbel's equivalised disposable income per commune (latest year), the
# median over the 19 communes of their median and quartiles, ten decile incomes by a lognormal
# fit, times the scenario's equivalence scale, in base-year euros.
income = load("disposable_income")
latest = income[income["year"] == income["year"].max()]
quartiles = latest.pivot(index="nis_code", columns="measure", values="value")[
    ["MS_Q1", "MS_MEDIAN", "MS_Q3"]].median()
deciles = income_deciles_lognormal(quartiles["MS_MEDIAN"], quartiles["MS_Q1"],
                                   quartiles["MS_Q3"])
income_year = int(latest["year"].iloc[0])
scale = assumptions["household_equivalence_scale"].quantile(0.5)
# equivalised decile incomes in base-year euros (the model's costs are base-year euros)
deciles_base = prices.to_base_year(deciles, income_year, base_year, "income", indexes=indexes,
                                   name="income deciles")
household_incomes = deciles_base * scale

# %%
# Everything the findings read: the Monte Carlo, who can enter each model, the calibrated queue.
result = simulate(assumptions, n_draws=n_draws, horizon_years=horizon_years, seed=seed,
                  income_deciles_eur_year=deciles_base, increase_base=cltb_increase_base,
                  discount_rate=discount_rate)
who = for_whom(assumptions, entry_settings, household_incomes_eur_year=household_incomes,
               income_source=(f"disposable_income {income_year}: lognormal decile mid-points x "
                              f"equivalence scale {scale:g}, in {base_year} euros"))
social = load("social_housing")
turnover = assumptions["social_turnover_rate"]
queue = wl.calibrate_queue(wl.default_queue_parameters(social),
                           turnover=(turnover.low, turnover.quantile(0.5), turnover.high))


def pv_draws(user, model, run=result):
    """Per-draw present-value public cost per affordable unit-year, net of terminal value."""
    return run.metric(user, model, PV_NET)


def pv_answer(user, run=result):
    """Cheapest model by median PV, and its paired gap to each other model (per draw)."""
    medians = {m: float(np.nanmedian(pv_draws(user, m, run))) for m in MODELS_OF_USER[user]}
    cheapest = min(medians, key=medians.get)
    gaps = {}
    for other in MODELS_OF_USER[user]:
        if other == cheapest:
            continue
        gap = pv_draws(user, other, run) - pv_draws(user, cheapest, run)
        gap = gap[np.isfinite(gap)]
        gaps[other] = {"median": float(np.median(gap)), "low": float(np.quantile(gap, 0.05)),
                       "high": float(np.quantile(gap, 0.95)),
                       "share": float(np.mean(gap > 0))}
    return medians, cheapest, gaps


def clt_gap(run=result):
    """Per-draw CLT minus temporary use (households), PV net per household-year."""
    gap = pv_draws("household", "permanent_clt", run) - pv_draws("household", "temporary_use",
                                                                  run)
    return gap[np.isfinite(gap)]


gap_draws = clt_gap()

# %% [markdown]
# ## Findings

# %%
lines = []
for user, unit_name in (("household", "household"), ("studio", "studio")):
    medians, cheapest, gaps = pv_answer(user)
    parts = []
    for other, g in gaps.items():
        parts.append(
            f"{IN_SENTENCE[other]} costs EUR {g['median']:,.0f} more (5–95 % of draws: EUR "
            f"{g['low']:+,.0f} to {g['high']:+,.0f}; more in {g['share']:.0%} of draws)")
    lines.append(
        f"**{USER_NAMES[user]}.** In present value at {discount_rate:.1%} ({base_year} euros, "
        f"net of the value still held at year {horizon_years}), "
        f"**{IN_SENTENCE[cheapest]}** costs the public least per affordable "
        f"{unit_name}-year, EUR {medians[cheapest]:,.0f} (median of {n_draws:,} draws); "
        + "; ".join(parts) + ".")
gap_median, gap_low, gap_high = (float(np.median(gap_draws)), float(np.quantile(gap_draws, 0.05)),
                                 float(np.quantile(gap_draws, 0.95)))
direction = "less" if gap_median < 0 else "more"
lines.append(
    f"**CLT against temporary use (households).** The CLT costs the public EUR "
    f"{abs(gap_median):,.0f} {direction} per affordable household-year than temporary use "
    f"(the gap CLT minus temporary use, 5–95 % of draws: EUR {gap_low:+,.0f} to "
    f"{gap_high:+,.0f}); the CLT is the cheaper of the two in "
    f"{np.mean(gap_draws < 0):.0%} of draws.")
lines.append("**For whom.** " + " ".join(who.sentences()))
clt_share = who.share_eligible("clt_purchase", among="social_rent")
clt_share_list = 0.0 if np.isnan(clt_share) else clt_share
social_text = who.eligible_text("social_rent")
if clt_share_list == 0:
    list_effect = ("none of them passes the mortgage tests a CLT purchase needs, so CLT homes "
                   "take no one off the social-housing list")
elif clt_share_list == 1:
    list_effect = ("all of them pass the mortgage tests a CLT purchase needs, so CLT buyers can "
                   "come off the social-housing list like social tenants")
else:
    list_effect = (f"{clt_share_list:.0%} of them pass the mortgage tests a CLT purchase "
                   "needs: only that share of CLT homes' buyers leaves the social-housing list")
lines.append(f"**The social-housing list.** {queue.summary()} Of the deciles entitled to "
             f"social housing ({social_text}), {list_effect}.")
display(Markdown("\n\n".join(f"- {line}" for line in lines)))

# %% [markdown]
# ## For whom: income deciles and artists × housing model
#
# Each cell: can the group enter the model (CLT purchase: the mortgage's loan-to-value and
# debt-service limits and CLTB's income ceiling; social housing: the income ceiling; temporary
# use: a space must be available; the market: anyone), the cost as a share of income (mortgage
# and charges, income-based social rent, occupation fee, new-lease market rent) and the years of
# secure tenure. Scenario medians, base-year euros. Below: each rule with its source.

# %%
wide_who = who.wide().rename(columns={"group": "Group", **{
    m: MODEL_LABELS[m][0].upper() + MODEL_LABELS[m][1:] for m in MODEL_LABELS}})
incomes_shown = who.to_frame().drop_duplicates("group").set_index("group")["income_eur_month"]
wide_who.insert(1, "Income (EUR/month)", wide_who["Group"].map(incomes_shown).round(0))
show(who.to_frame(), "06_for_whom", shown=wide_who, wrap=list(wide_who.columns[2:]),
     wrap_width_em=14, formats={"Income (EUR/month)": "{:,.0f}"},
     caption=(f"Who can enter each model: yes/no (why not), cost as a share of income, years "
              f"of secure tenure ({scenario_name} scenario, {base_year} euros)"))
rules_shown = who.table.sources().assign(
    value=lambda t: [format_number(v) if isinstance(v, (int, float, np.floating)) else str(v)
                     for v in t["value"]])
show(rules_shown, "06_for_whom_rules", shown=rules_shown.rename(
    columns={"rule": "Rule or group", "value": "Value", "source": "Source"}),
     wrap=["Source"], links=["Source"], formats={"Value": str},
     caption=f"The entry rules and incomes of the table, with their sources ({base_year} euros)")
headline("clt_eligible_decile_count", len(who.eligible_groups("clt_purchase")), unit="deciles",
         digits=0, label="Income deciles that can buy a CLT home under the mortgage limits",
         source="scenarios.for_whom: LTV, DSTI and CLTB income ceiling at scenario medians",
         statement=" ".join(who.sentences()))
headline("social_eligible_decile_count", len(who.eligible_groups("social_rent")), unit="deciles",
         digits=0,
         label="Income deciles under the social-housing income ceiling",
         source="scenarios.for_whom: eligibility.social_income_ceiling_eur_year")
headline("clt_eligible_share_of_social_eligible_pct", 100 * clt_share_list, unit="%", digits=0,
         label=("Share of the deciles entitled to social housing that can also buy a CLT home "
                "(the list households CLT homes can take off the list)"),
         source="ForWhom.share_eligible('clt_purchase', among='social_rent')");

# %% [markdown]
# ## The assumptions and where they come from
#
# Each row is one uncertain input: its distribution, its 5 %, 50 % and 95 % values, and its
# source. Rows whose source says "assumption" are the researcher's judgement and are varied in
# the sensitivity analysis below.

# %%
from permanent_research.reporting.tables import interval_table

assumption_table = assumptions.to_frame()
export(assumption_table, "06_assumptions",
       caption=f"Assumptions of the Monte Carlo model ({scenario_name} scenario)")
PERCENT_UNITS = {"1/year": "% a year", "fraction": "%", "probability": "%"}


def _quantile_text(value, unit):
    """Rates and shares as percentages, other values rounded (3 significant digits)."""
    if unit in PERCENT_UNITS:
        return f"{100 * value:.3g}%"
    return format_number(value)


shown_assumptions = pd.DataFrame({
    "Input": assumption_table["description"].str[0].str.upper()
    + assumption_table["description"].str[1:],
    "Unit": assumption_table["unit"].map(lambda u: PERCENT_UNITS.get(u, u)),
    "Distribution": assumption_table["distribution"],
    **{heading: [_quantile_text(v, u) for v, u in zip(assumption_table[column],
                                                      assumption_table["unit"], strict=True)]
       for heading, column in [("5 %", "p05"), ("Median", "median"), ("95 %", "p95")]},
    "Source": assumption_table["source"],
    "Key in the scenario file": assumption_table["assumption"],
})
show_table(shown_assumptions, wrap=["Input", "Distribution"], links=["Source"],
           formats={c: str for c in ["5 %", "Median", "95 %"]}, wrap_width_em=16,
           caption=(f"Assumptions of the Monte Carlo model ({scenario_name} scenario); distributions "
                    "in the units of the scenario file"))

# %% [markdown]
# ## From each input's price year to euros of the base year
#
# Median of each euro input as written in the scenario file, the year its euros are of, the
# index that converts it and the factor (index of the base year over index of the price year).
#

# %%
conversion = conversion_table(file_assumptions, money, indexes)
show(conversion.to_frame(), "06_conversion",
     caption=(f"Euro inputs (medians) converted to {base_year} euros: health index for rents, "
              "incomes and prices, construction-price index I-2021 for building costs"))


# %% [markdown]
# ## Facts behind three of the inputs
#
# Household incomes come from Statbel's equivalised disposable income per commune (the latest
# year): the median over the 19 communes of their median and quartiles, turned into ten decile
# incomes by a lognormal fit. Property values: Statbel's median apartment price in the region.
# Temporary occupations on citydev sites last two years.

# %%
headline("median_equivalised_income_eur", quartiles["MS_MEDIAN"], unit="EUR/year", digits=0,
         label=f"Median equivalised disposable income (median of the 19 communes), {income_year}",
         source=f"disposable_income {income_year}: median over communes of MS_MEDIAN")
sales = load("real_estate_sales")
apartments = sales[(sales["nis_code"] == "04000") & (sales["property_type"] == "appartementen")
                   & (sales["measure"] == "median_price")].sort_values("year")
first, last = apartments.iloc[0], apartments.iloc[-1]
growth = (last["value"] / first["value"]) ** (1 / (last["year"] - first["year"])) - 1
headline("apartment_price_growth_nominal_pct", 100 * growth, unit="%/year", digits=2,
         label=(f"Growth of the region's median apartment price, nominal, "
                f"{first['year']}–{last['year']}"),
         source=f"real_estate_sales, region 04000, apartments, {first['year']}-{last['year']}")
facts = load("temporary_use_facts")
citydev = facts.loc[facts["measure"] == "standard_occupation_duration", "value"].iloc[0]
headline("citydev_occupation_years", float(citydev), unit="years", digits=0,
         label="Standard length of a temporary occupation on citydev sites",
         source="temporary_use_facts: standard_occupation_duration");

# %% [markdown]
# ## The simulation
#
# Each draw samples every uncertain input once; occupation lengths, gaps and yearly market
# shocks are drawn as they happen. The table gives medians and 5–95 % intervals per model.
# Money is real (base-year) euros; the table's totals are **undiscounted cash** (present values
# follow). "Public cost per affordable
# household-year" is the public outlay over the horizon divided by the years the dwelling (CLT,
# social) or the cohort's occupations (temporary use) are affordable; "subsidy locked in" is the
# value still held for affordable use at the horizon (CLT homes: appraised value minus the capped
# price the next buyer would pay). CLT owners' cost is shown twice: cash (mortgage on the capped
# price) and net of the equity they take back when they sell (or hold at the horizon).

# %%
key_metrics = ["cost_eur_m2_year", "cost_net_of_equity_eur_m2_year", "forced_moves", "secure_tenure_years",
               "occupants_housed_per_1000m2", "public_cost_per_affordable_year_eur",
               "subsidy_locked_in_eur_m2", "net_public_cost_per_affordable_year_eur"]
comparison = result.comparison(key_metrics)
export(comparison, "06_comparison",
       caption=f"Median [5-95 %] over {n_draws} draws and {horizon_years} years, real EUR")
wide = interval_table(
    result.to_frame(), rows=["user", "metric"], columns="model",
    row_order=[(u, m) for u in USER_NAMES for m in key_metrics], column_order=list(MODEL_NAMES),
    decimals_by={"metric": {"forced_moves": 1}},
)
shown_comparison = pd.DataFrame({
    "For": [USER_NAMES[u] for u, _ in wide.index],
    "Outcome": [METRICS[m][0].upper() + METRICS[m][1:] for _, m in wide.index],
    **{MODEL_NAMES[c]: wide[c].to_numpy() for c in wide.columns},
})
show_table(shown_comparison, wrap=["Outcome"], wrap_width_em=24,
           caption=(f"Median [5 %–95 %] over {n_draws:,} draws and {horizon_years} years, real "
                    f"euros of {base_year}, undiscounted cash; – : not applicable"))

# %%
table = result.to_frame().set_index(["user", "model", "metric"])["median"]
headline("horizon_years", horizon_years, unit="years", digits=0, thousands=False,
         label="Years simulated (the scenario file's assumptions.horizon_years)",
         source=f"scenario {scenario_name}: assumptions.horizon_years")
headline("studio_cost_temporary_eur_m2_year",
         table["studio", "temporary_use", "cost_eur_m2_year"], unit="EUR/m2/year", digits=1,
         label=(f"Artist's studio via temporary use: occupant's cost, mean over "
                f"{horizon_years} years"),
         source="simulate(): median over draws")
headline("studio_cost_clt_eur_m2_year",
         table["studio", "permanent_clt", "cost_eur_m2_year"], unit="EUR/m2/year", digits=1,
         label=f"Artist's studio in a CLT: occupant's cost, mean over {horizon_years} years",
         source="simulate(): median over draws")
headline("household_cost_temporary_eur_m2_year",
         table["household", "temporary_use", "cost_eur_m2_year"], unit="EUR/m2/year", digits=1,
         label=f"Household via temporary use: housing cost, mean over {horizon_years} years",
         source="simulate(): median over draws")
headline("household_cost_clt_cash_eur_m2_year",
         table["household", "permanent_clt", "cost_eur_m2_year"], unit="EUR/m2/year", digits=1,
         label=f"CLT home: owner's cash cost (mortgage paid), mean over {horizon_years} years",
         source="simulate(): median over draws (mortgage payments, no equity returned)")
headline("household_cost_clt_net_of_equity_eur_m2_year",
         table["household", "permanent_clt", "cost_net_of_equity_eur_m2_year"],
         unit="EUR/m2/year", digits=1,
         label=(f"CLT home: owner's cost net of the equity taken back, mean over "
                f"{horizon_years} years"),
         source="simulate(): median over draws (minus seller proceeds net of the loan owed)")
headline("household_forced_moves_temporary",
         table["household", "temporary_use", "forced_moves"], unit="moves", digits=1,
         label=f"Forced moves of a household in {horizon_years} years via temporary use",
         source="simulate(): median over draws")
headline("household_forced_moves_clt",
         table["household", "permanent_clt", "forced_moves"], unit="moves", digits=2,
         label=f"Forced moves of a household in {horizon_years} years in a CLT home",
         source="simulate(): median over draws")
headline("public_cost_per_household_year_temporary_eur",
         table["household", "temporary_use", "public_cost_per_affordable_year_eur"],
         unit="EUR", digits=0, label="Public cost per affordable household-year, temporary use",
         source="simulate(): median over draws")
headline("public_cost_per_household_year_clt_eur",
         table["household", "permanent_clt", "public_cost_per_affordable_year_eur"],
         unit="EUR", digits=0, label="Public cost per affordable household-year, CLT",
         source="simulate(): median over draws")
headline("subsidy_locked_in_clt_eur_m2",
         table["household", "permanent_clt", "subsidy_locked_in_eur_m2"], unit="EUR/m2",
         digits=0,
         label=(f"Subsidy still locked in CLT homes after {horizon_years} years (seller's 25 % "
                "counted from the price paid)"),
         source="simulate(): median over draws")
public_clt = result.metric("household", "permanent_clt", "public_cost_per_affordable_year_eur")
public_temp = result.metric("household", "temporary_use", "public_cost_per_affordable_year_eur")
clt_cheaper_pct = headline("public_cost_clt_lower_pct_of_draws",
                           100 * (public_clt < public_temp).mean(), unit="% of draws", digits=0,
                           label=("Draws in which the CLT costs the public less per affordable "
                                  "household-year than temporary use"),
                           source="simulate(): same draw, CLT vs temporary use, per household-year")
studio_cost_headlines(studio_costs(assumptions), base_year=money.base_year,
                      scenario_name=scenario_file.name)


# %% [markdown]
# ## Present values: what the public pays, discounted
#
# Outlays late in the horizon weigh less than land paid up front: each year's public outlay is
# discounted at a real social discount rate, and the value still locked in at the horizon (the
# terminal value: land, capped CLT prices, social dwellings) is discounted from the horizon and
# subtracted. Per affordable unit-year, the unit-years are discounted too (a levelised cost). The
# scenario's own rate (from its `money:` section, with its source) stands next to 0 % (the
# undiscounted cash figure of the table above), 2 % and 3.5 %.
#

# %%
pv_table = result.present_value_comparison()
show(pv_table.assign(user=pv_table["user"].map(USER_NAMES),
                     model=pv_table["model"].map(MODEL_NAMES))
     .rename(columns={"user": "For", "model": "Model"}), "06_present_values",
     caption=(f"Public cost per affordable unit-year, present value net of the discounted "
              f"terminal value, {base_year} euros: median [5 %–95 %] at each real discount rate "
              f"(scenario: {discount_rate:.1%}, {money.discount_rate_source})"))
pv = result.present_values.set_index(["user", "model", "discount_rate", "metric"])["median"]
headline("discount_rate_pct", 100 * discount_rate, unit="%/year", digits=1,
         label="Real social discount rate of the scenario", source=money.discount_rate_source)
for user, unit_name in (("household", "household"), ("studio", "studio")):
    for model in MODELS_OF_USER[user]:
        headline(f"pv_public_cost_per_{unit_name}_year_{model}_eur",
                 pv[user, model, discount_rate, PV_NET], unit="EUR", digits=0,
                 label=(f"{MODEL_NAMES[model]}: present-value public cost per affordable "
                        f"{unit_name}-year, net of the terminal value, at {discount_rate:.1%} "
                        f"({base_year} euros)"),
                 source=f"simulate(): median over draws of {PV_NET}")
for name, value, what in (
        ("pv_gap_clt_minus_temporary_household_eur", gap_median, "median"),
        ("pv_gap_clt_minus_temporary_household_p05_eur", gap_low, "5 % quantile"),
        ("pv_gap_clt_minus_temporary_household_p95_eur", gap_high, "95 % quantile")):
    headline(name, value, unit="EUR", digits=0,
             label=(f"Present-value public cost per affordable household-year, CLT minus "
                    f"temporary use, same draw: {what} over draws at {discount_rate:.1%}"),
             source=f"simulate(): per-draw difference of {PV_NET}")
headline("pv_clt_cheaper_pct_of_draws", 100 * float(np.mean(gap_draws < 0)), unit="% of draws",
         digits=0, label=("Draws in which the CLT costs the public less than temporary use per "
                          "affordable household-year, in present value"),
         source=f"simulate(): same draw, {PV_NET}")


# %% [markdown]
# ## Over time: forced moves, cost and affordable space
#
# Fan charts: the line is the median, the bands hold 50 % and 90 % of the draws. In the model
# each temporary occupation ends in a forced move and the space stops being affordable when its
# site is redeveloped; CLT floor area stays in the trust. The titles give the computed numbers.

# %%
titles = ["Forced moves (cumulative, per occupant)", "Occupant's cost (EUR/m², year)",
          "Floor area still affordable (share)"]
moves_temp = table["household", "temporary_use", "forced_moves"]
moves_clt = table["household", "permanent_clt", "forced_moves"]
fig = fan_chart(result, user="household", titles=titles,
                title=f"Households: about {moves_temp:.0f} forced moves in {horizon_years} years "
                      f"via temporary use, {moves_clt:.1f} in a CLT home")
show(fig, "06_fan_households")

# %%
fig = fan_chart(result, user="studio", titles=titles,
                title=f"Artists: about {table['studio', 'temporary_use', 'forced_moves']:.0f} "
                      f"forced moves in {horizon_years} years via temporary use, "
                      f"{table['studio', 'permanent_clt', 'forced_moves']:.1f} in a CLT studio")
show(fig, "06_fan_studios")

# %% [markdown]
# ## Cost per m² per year, by model
#
# The occupant's mean yearly cost over the horizon, including moving costs and working time
# lost at each forced move, and market rent paid between occupations or while waiting.
# CLT homes are shown twice: filled, at their cash cost (mortgage on the capped price); outlined
# with a dashed median, net of the equity the owner takes back at resale (capped sale price minus
# the loan still owed; for the owner sitting at the horizon, what a sale then would give): part
# of each mortgage payment is saving.

# %%
fig = cost_distribution(
    result,
    title=(f"Studios: CLT cost-rent {table['studio', 'permanent_clt', 'cost_eur_m2_year']:.0f} "
           f"vs temporary use {table['studio', 'temporary_use', 'cost_eur_m2_year']:.0f} "
           "EUR/m²/year; CLT homes "
           f"{table['household', 'permanent_clt', 'cost_net_of_equity_eur_m2_year']:.0f} net "
           f"of equity ({table['household', 'permanent_clt', 'cost_eur_m2_year']:.0f} cash)"))
show(fig, "06_cost_distribution")

# %% [markdown]
# ## Cost to income by income decile (households)
#
# Mean yearly housing cost divided by household disposable income (equivalised income times the
# scenario's equivalence scale), median over draws, on a **cash** basis (CLT owners' mortgage
# payments in full), averaged over the horizon: a social tenant pays market rent while waiting.
# A decile that fails a model's entry test (the for-whom table) shows "not eligible".

# %%
cti = result.cost_to_income.pivot(index="decile", columns="model", values="q50").round(3)
export(cti.reset_index(), "06_cost_to_income",
       caption="Median housing cost / household income by income decile")
# a model a decile cannot enter (the for-whom table) shows "not eligible", not a cost
entry = who.to_frame().query("kind == 'decile'").pivot(index="group", columns="model",
                                                       values="eligible")
ENTRY_OF = {"permanent_clt": "clt_purchase", "social_housing": "social_rent"}
cti_shown = pd.DataFrame(index=cti.index)
for model in [m for m in MODEL_NAMES if m in cti.columns]:
    allowed = [bool(entry.loc[f"D{d}", ENTRY_OF[model]]) if model in ENTRY_OF else True
               for d in cti.index]
    cti_shown[MODEL_NAMES[model]] = [f"{v:.0%}" if ok else "not eligible"
                                     for v, ok in zip(cti[model], allowed, strict=True)]
show_table(cti_shown.rename_axis(columns=None).reset_index(names="Income decile"),
           formats={c: str for c in cti_shown.columns},
           caption=("Housing cost as a share of household income (cash basis), median over "
                    "draws; 'not eligible' where the decile fails the model's entry test"))

# %% [markdown]
# ## The uncertain reading of CLTB's resale formula
#
# Is the seller's 25 % measured on the increase over the *price paid* or over the *appraised
# value at purchase*? The two readings give different capped prices over successive resales;
# the headline below is the subsidy still locked in under the second.

# %%
other = simulate(assumptions, n_draws=n_draws, horizon_years=horizon_years, seed=seed,
                 increase_base="appraised_value", discount_rate=discount_rate)
headline("subsidy_locked_in_clt_appraised_reading_eur_m2",
         float(other.to_frame().set_index(["user", "model", "metric"])["median"][
             "household", "permanent_clt", "subsidy_locked_in_eur_m2"]),
         unit="EUR/m2", digits=0,
         label=(f"Subsidy still locked in CLT homes after {horizon_years} years (seller's 25 % "
                "counted from the appraised value)"),
         source="simulate(increase_base='appraised_value')");

# %% [markdown]
# ## Which assumptions drive the comparison
#
# Tornado: each uncertain input at its 5 % and 95 % value with every other input at its median;
# the outcome is the public cost per affordable household-year of the CLT minus that of
# temporary use (negative: the CLT is cheaper for the public).

# %%
tornado_result = sensitivity(assumptions, user="household",
                             metric="public_cost_per_affordable_year_eur", n_draws=60,
                             seed=seed, horizon_years=horizon_years)
export(tornado_result.to_frame(), "06_tornado",
       caption="One-at-a-time sensitivity of the public cost difference")
outcomes = tornado_result.table[["outcome_at_low", "outcome_at_high"]].to_numpy()
if (outcomes < 0).all():
    tornado_title = ("The CLT costs the public less per household-year than temporary use at "
                     "every input's 5 % and 95 % value")
elif (outcomes > 0).all():
    tornado_title = ("Temporary use costs the public less per household-year than the CLT at "
                     "every input's 5 % and 95 % value")
else:
    top_key = tornado_result.table["assumption"].iloc[0]
    tornado_title = ("Which model costs the public less per household-year depends most on the "
                     f"{ASSUMPTION_SPECS[top_key].description}")
fig = tornado(tornado_result, title=tornado_title,
              xlabel="public cost per affordable household-year, CLT minus temporary use (EUR)")
headline("tornado_top_assumption_swing_eur", tornado_result.table["swing"].iloc[0], unit="EUR",
         digits=0,
         label=("Largest swing of the public-cost difference (CLT minus temporary use) from one "
                "input between its 5 % and 95 % values"),
         source=f"sensitivity(): {tornado_result.table['assumption'].iloc[0]}")
show(fig, "06_tornado")

# %% [markdown]
# ## Why the scenarios give different answers
#
# Each other scenario file next to this one (pessimistic, optimistic, baseline) is run with the
# same seed; `scenarios.compare_assumptions` lists the inputs whose distributions differ (medians
# in base-year euros). Each differing input is then swapped, alone, from the other scenario into
# this one, and the change in the median present-value gap (CLT minus temporary use, per
# household-year) is measured; the discount rate is swapped the same way.

# %%
swap_draws = min(n_draws, 1000)
here = clt_gap(simulate(assumptions, n_draws=swap_draws, horizon_years=horizon_years, seed=seed,
                        discount_rate=discount_rate))
here_median = float(np.median(here))
why_lines, why_tables = [], []
for other_file in scenario_file.siblings():
    if "assumptions" not in other_file.sections or "money" not in other_file.sections:
        continue
    other_money = other_file.section("money")
    other = in_base_year(other_file.section("assumptions"), other_money, indexes)
    other_run = simulate(other, n_draws=swap_draws, horizon_years=horizon_years, seed=seed,
                         discount_rate=other_money.discount_rate)
    there_median = float(np.median(clt_gap(other_run)))
    differ = compare_assumptions(assumptions, other)
    effects = []
    for key in differ["assumption"]:
        d = other[key]
        swapped = assumptions.replace(**{key: {"dist": d.dist, **d.params}})
        run = simulate(swapped, n_draws=swap_draws, horizon_years=horizon_years, seed=seed,
                       discount_rate=discount_rate)
        effects.append(float(np.median(clt_gap(run))) - here_median)
    differ = differ.assign(effect_on_gap_eur=effects)
    if not np.isclose(other_money.discount_rate, discount_rate):
        run = simulate(assumptions, n_draws=swap_draws, horizon_years=horizon_years, seed=seed,
                       discount_rate=other_money.discount_rate)
        differ = pd.concat([differ, pd.DataFrame([{
            "assumption": "discount_rate (money:)", "description": "real social discount rate",
            "unit": "1/year", "first": discount_rate, "second": other_money.discount_rate,
            "difference": other_money.discount_rate - discount_rate,
            "relative": (other_money.discount_rate - discount_rate) / discount_rate,
            "effect_on_gap_eur": float(np.median(clt_gap(run))) - here_median}])],
            ignore_index=True)
    differ = differ.assign(scenario=other_file.name).sort_values(
        "effect_on_gap_eur", key=np.abs, ascending=False, ignore_index=True)
    why_tables.append(differ)
    top = differ.head(3)
    moves = "; ".join(
        f"{row.description} ({_quantile_text(row.first, row.unit)} → "
        f"{_quantile_text(row.second, row.unit)}"
        f"{'' if row.unit in PERCENT_UNITS else ' ' + row.unit}) {row.effect_on_gap_eur:+,.0f}"
        for row in top.itertuples())
    other_entry = other_file.section("eligibility", None)
    clt_there = ""
    if other_entry is not None:
        who_there = for_whom(other, other_entry.in_base_year(other_money.base_year, indexes),
                             household_incomes_eur_year=household_incomes, income_source="-")
        clt_there = (f" Deciles that can buy a CLT home: "
                     f"{who_there.eligible_text('clt_purchase')} there, "
                     f"{who.eligible_text('clt_purchase')} here.")
    why_lines.append(
        f"**`{other_file.name}`.** The CLT minus temporary-use gap is EUR {there_median:+,.0f} "
        f"per household-year there against EUR {here_median:+,.0f} here ({swap_draws:,} draws "
        f"each); {len(differ)} inputs differ. Swapped alone into `{scenario_name}`, the ones "
        f"that move the gap most (EUR): {moves or 'none'}.{clt_there}")
if why_lines:
    display(Markdown("\n\n".join(f"- {line}" for line in why_lines)))
    why = pd.concat(why_tables, ignore_index=True)
    shown_why = pd.DataFrame({
        "Other scenario": why["scenario"],
        "Input": why["description"].str[0].str.upper() + why["description"].str[1:],
        "Unit": why["unit"],
        f"Median here ({scenario_name})": [_quantile_text(v, u) for v, u in
                                             zip(why["first"], why["unit"], strict=True)],
        "Median there": [_quantile_text(v, u) for v, u in zip(why["second"], why["unit"],
                                                              strict=True)],
        "Change in the gap (EUR)": [f"{v:+,.0f}" for v in why["effect_on_gap_eur"]],
    })
    show(why.drop(columns=["first_distribution", "second_distribution"]), "06_why_scenarios",
         shown=shown_why, wrap=["Input"],
         caption=("Inputs that differ between scenarios and how much each, swapped alone, moves "
                  "the median present-value gap CLT minus temporary use (EUR per "
                  "household-year)"))
else:
    display(Markdown("*No other scenario file with assumptions next to this one.*"))

# %% [markdown]
# ## The social-housing queue, calibrated to the observed wait
#
# The queue model (METHODS §6) with the bundled facts (list, stock, new supply) and no
# attrition makes a newcomer wait far longer than the 10–16 years observed. The facts hold no
# count of yearly allocations, so turnover (the scenario's `social_turnover_rate`, its lowest,
# median and highest values) is taken from the scenario and the list's attrition (households
# leaving without a dwelling) is fitted to the observed wait. CLT homes take a household off the
# list only if it can get the mortgage (the for-whom table).

# %%
fit_table = queue.to_frame()
shown_fit = pd.DataFrame({
    "Turnover": [f"{v:.1%}" for v in fit_table["turnover"]],
    "Allocations a year": fit_table["allocations"].round(0),
    "Wait without attrition (years)": fit_table["wait_uncalibrated_years"].round(1),
    "Fitted attrition": [f"{v:.1%}" for v in fit_table["attrition_fit"]],
    "Attrition for 16 / 10 years": [
        f"{a:.1%} / {b:.1%}" for a, b in zip(fit_table["attrition_at_observed_high"],
                                             fit_table["attrition_at_observed_low"],
                                             strict=True)],
    "Modelled wait (years)": fit_table["wait_fit_years"].round(1),
    "Observed wait (years)": [f"{queue.observed_wait_years[0]:g}–"
                              f"{queue.observed_wait_years[1]:g}"] * len(fit_table),
})
show(fit_table, "06_queue_calibration", shown=shown_fit,
     formats={"Allocations a year": "{:,.0f}"},
     caption=f"Queue fit against the observed wait ({queue.source})")
show(queue.plot(), "06_queue_calibration_figure",
     source=f"social_housing facts; {queue.source}")
calibrated = queue.params
per_year = 100
as_social = wl.queue_summary(calibrated, per_year)
as_clt = wl.queue_summary(calibrated, per_year, eligible_share=clt_share_list)
none_added = wl.queue_summary(calibrated)
display(Markdown(
    f"With the calibrated queue, {per_year} more homes a year let as social housing shorten a "
    f"newcomer's wait from {none_added.dynamic_newcomer_wait_years:.1f} to "
    f"{as_social.dynamic_newcomer_wait_years:.1f} years; {per_year} CLT homes a year, whose "
    f"buyers come from the list only if they pass the mortgage tests "
    f"({clt_share_list:.0%} of the list's deciles), to "
    f"{as_clt.dynamic_newcomer_wait_years:.1f} years."))
central = queue.central
headline("queue_wait_uncalibrated_years", central["wait_uncalibrated_years"], unit="years",
         digits=1, label=(f"Newcomer's wait in the queue model without attrition (turnover "
                          f"{central['turnover']:.1%}, stock growing)"),
         source="waiting_list.calibrate_queue on the social_housing facts")
headline("queue_attrition_fit_pct", 100 * central["attrition_fit"], unit="%/year", digits=1,
         label="Attrition of the social-housing list fitted to the observed 13-year wait",
         source=f"waiting_list.calibrate_queue; {queue.source}");

# %% [markdown]
# ## Limits
#
# - **One draw, one household, one building.** The model follows an expected-value cohort per
#   draw, not a population: it says what a model costs per affordable household-year, not how
#   many households a programme houses.
# - **Eligibility at scenario medians.** The for-whom table uses each input's median and one
#   income per decile (a lognormal fit to commune quartiles of *equivalised* income, times one
#   equivalence scale); a household's size, savings and debts move its limits. The
#   social-housing ceiling is a net *taxable* income compared here with disposable income, and
#   its year is uncertain (see its source).
# - **Mortgage rules.** The National Bank's limits are expectations on a bank's yearly
#   production with tolerance margins, not a ceiling for each loan; public lenders may apply
#   other rules to CLT buyers. CLTB's income categories and their prices are assumptions.
# - **The queue.** The facts give no yearly allocation count: turnover comes from the scenario
#   and only attrition is fitted, so a lower turnover with more attrition fits the observed wait
#   as well. Waits are for a first-in-first-out newcomer without priority points.
# - **Scenario comparison.** Inputs swapped one at a time do not add up to the difference
#   between scenarios (they interact); the swaps use at most 1,000 draws.
