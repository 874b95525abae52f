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
# # 03 · Affordability and the social-housing queue
#
# **Question.** How much of their income do Brussels households spend on rent, by commune and
# income group; how many pay more than the Brussels norm of a third of income; can artists
# afford a studio; and how long does a newcomer wait for a social home — and how much would
# adding permanently affordable homes each year shorten the wait?
#
# Data: Statbel administrative *equivalised* disposable income per commune (2015–2022;
# quartiles), Statbel fiscal income (2005–2023), the Observatoire des loyers 2017 rent
# quartiles (rents actually paid by sitting tenants) and the SLRB facts on the queue
# (`data/raw/PROVENANCE.md` sections 8, 11, 20, 21). Methods: `METHODS.md` §4 and §6;
# `docs/affordability.md`. Studio sizes and costs come from the scenario file (the
# assumption set notebooks 06 and 07 use); artists' incomes are **assumptions** (no bundled
# data) and are labelled as such. The brochure's claims come from `permanent_research.brochure`.

# %% tags=["parameters"]
scenario = "baseline"  # the runner passes the scenario file; studio size and costs come from it
communes = []  # NIS codes or names; empty means all 19 communes
year = 2017  # income year of the Statbel disposable-income quartiles (2015-2022)
threshold = 0.33  # Brussels norm: rent at most a third of income (any value in (0, 1))
rent_probabilities = [0.25, 0.5, 0.75]
rent_values_eur_month = [500, 660, 800]  # Observatoire des loyers 2017: P25 / median / P75
rent_label = "Observatoire des loyers 2017, rents paid"
rbdh_rent_eur_month = 550  # RBDH example (METHODS §4)
rbdh_income_eur_month = 1168
fiscal_year = 2023  # income year for fiscal income per declaration (2005-2023)
studio_threshold = 0.10  # assumption: share of income a studio may take
turnover_scenarios = [0.03, 0.05, 0.08]  # share of social stock re-let per year (METHODS §6)
attrition_scenarios = [0.0, 0.05]  # share of the list leaving per year without a home
added_permanent_homes = [0, 100, 250, 500]  # permanently affordable homes added per year
default_turnover = 0.05  # assumption (annual allocations not found)
queue_list_length = "latest"  # "latest": newest dated SLRB figure; "brochure": the brochure's
headline_added_homes = 250  # N used for the headline wait
projection_years = 30

# %%
import pandas as pd
from IPython.display import Markdown, display

from permanent_research import affordability as aff
from permanent_research import brochure, scenarios
from permanent_research import waiting_list as wl
from permanent_research.data import bundled_price_indexes, load, source_note
from permanent_research.plots import affordability as figures
from permanent_research.reporting import check_parameters, load_scenario
from permanent_research.reporting.headlines import headline, studio_cost_headlines
from permanent_research.reporting.present import export, show
from permanent_research.reporting.tables import short_urls, show_table
from permanent_research.reporting.wording import compare, direction

check_parameters("03_affordability", globals())
# The brochure's claims, stated once for every report (value, unit, period, where quoted).
BROCHURE_EFFORT = brochure.claim("low_income_housing_effort").value
BROCHURE_WAITING = brochure.claim("waiting_list_households").value
BROCHURE_STOCK = brochure.claim("social_stock_dwellings").value
BROCHURE_NEW = brochure.claim("new_social_homes_per_year").value
# Studio size and costs are the scenario's (one source with notebooks 06 and 07), in euros of its
# base year: temporary-use fee, CLT cost-rent once built, market studio rent.
scenario_file = load_scenario(scenario)
money = scenario_file.section("money")
indexes = bundled_price_indexes()
base_assumptions = scenarios.in_base_year(scenario_file.section("assumptions"), money, indexes)
# Artists' incomes: the scenario's eligibility section (shared with notebook 06), base-year euros.
entry_settings = scenario_file.section("eligibility").in_base_year(money.base_year, indexes)
studio_m2 = base_assumptions["unit_area_studio_m2"].quantile(0.5)
studio_cost_table = scenarios.studio_costs(base_assumptions)
studio_cost_eur_m2_month = dict(zip(studio_cost_table["label"],
                                    studio_cost_table["cost_eur_m2_month"], strict=True))
disposable = load("disposable_income")
checked = aff.check_notebook_parameters(
    disposable,
    communes=communes,
    year=year,
    threshold=threshold,
    rent_probabilities=rent_probabilities,
    rent_values_eur_month=rent_values_eur_month,
    studio_threshold=studio_threshold,
    studio_m2=studio_m2,
    artist_income_quantiles_eur_month=entry_settings.artist_income_quantiles(),
)
rent = checked["rent"]
social = load("social_housing")
params = wl.default_queue_parameters(social, turnover=default_turnover,
                                     list_length=queue_list_length)
ADI_NOTE = (source_note("disposable_income") + f". Rents: {rent_label} (rent_observatory). "
            "Income = equivalised disposable income, i.e. that of a single adult.")

# Every result the findings and the sections below read, computed once.
rbdh = aff.effort_rate(rbdh_rent_eur_month, rbdh_income_eur_month)
by_commune = aff.commune_affordability(disposable, year=year, rent=rent,
                                       communes=checked["communes"] or None,
                                       threshold=threshold)
matrix = by_commune.effort_matrix()
median_rows = by_commune.to_frame().query("income_group == 'median'").dropna(
    subset=["effort_rate"])
above_norm = int((median_rows["effort_rate"] > threshold).sum())
worst = median_rows.sort_values("effort_rate").iloc[-1]
bounds_table = by_commune.by_commune.copy()
bounds_table["comonotone"] = float("nan")
for i, row in bounds_table.iterrows():
    income_row = aff.commune_income(disposable, communes=row["nis_code"], years=year).iloc[0]
    if income_row[["q1_eur_year", "median_eur_year", "q3_eur_year"]].notna().all():
        dist = aff.distribution_from_quantiles(
            {0.25: income_row["q1_eur_year"], 0.5: income_row["median_eur_year"],
             0.75: income_row["q3_eur_year"]})
        bounds_table.loc[i, "comonotone"] = aff.burden_bounds(dist, rent, threshold).comonotone
poorest = bounds_table.sort_values("share_above_at_rent", ascending=False).iloc[0]
incomes = aff.commune_income(disposable, communes=checked["communes"] or None, years=year)
low = incomes.dropna(subset=["q1_eur_year"]).sort_values("q1_eur_year").iloc[0]
mid = incomes.dropna(subset=["median_eur_year"])
low_rate = aff.effort_rate(rent.quantile(0.25), low["q1_eur_year"] / 12)
typical_rate = aff.effort_rate(rent.quantile(0.5), mid["median_eur_year"].median() / 12)
studios = aff.studio_affordability(studio_cost_eur_m2_month, studio_m2=studio_m2,
                                   artist_income=checked["artist_income"],
                                   threshold=studio_threshold)
studio_rows = studios.to_frame()
base = wl.queue_summary(params)
with_added = wl.queue_summary(params, headline_added_homes)

# %% [markdown]
# ## Findings

# %%
by_model = studio_rows.set_index("scenario")
temporary, clt, market = (by_model.loc[scenarios.STUDIO_MODEL_LABELS[m]]
                          for m in ("temporary_use", "permanent_clt", "market"))
within = [name for name, r in by_model.iterrows()
          if r["share_of_median_income"] <= studio_threshold]
wait_change = with_added.dynamic_newcomer_wait_years - base.newcomer_wait_years


def price_word(cost, reference):
    return compare(cost, reference, more="dearer", less="cheaper", same="as dear")


display(Markdown("\n".join([
    f"- **Rent burden.** At the median rent paid ({rent.quantile(0.5):,.0f} EUR/month, "
    f"{rent_label}), a single adult on the median income of {above_norm} of "
    f"{len(median_rows)} communes pays more than {threshold:.0%} of income ({year}); the "
    f"highest burden is {worst['effort_rate']:.0%}, in {worst['name_fr']}.",
    f"- **How many pay too much.** In {poorest['name_fr']}, between "
    f"{poorest['lower_bound']:.0%} and {poorest['upper_bound']:.0%} of residents pay more "
    f"than {threshold:.0%}: incomes and rents are known only separately, so the data give "
    "bounds, not a share.",
    f"- **The brochure's {BROCHURE_EFFORT:.0%}.** A poor single adult (first-quartile income "
    f"of {low['name_fr']}) at a cheap rent (P25) spends {low_rate:.0%}, "
    f"{compare(low_rate, BROCHURE_EFFORT)} the brochure's figure; at the median income and "
    f"rent, {typical_rate:.0%}. The RBDH example recomputes to {rbdh:.0%}.",
    f"- **Artists' studios (one assumption set: scenario {scenario_file.name}, "
    f"{money.base_year} euros).** A {studio_m2:g} m² studio takes "
    f"{temporary['share_of_median_income']:.0%} of the median artist's income in temporary "
    f"use, {clt['share_of_median_income']:.0%} as a CLT studio at cost-rent and "
    f"{market['share_of_median_income']:.0%} at market rent: the CLT studio is "
    f"{price_word(clt['cost_eur_month'], temporary['cost_eur_month'])} than temporary use "
    f"and {price_word(clt['cost_eur_month'], market['cost_eur_month'])} than the market; "
    f"within the {studio_threshold:.0%} limit: {', '.join(within) or 'none'} (artists' "
    "incomes assumed).",
    f"- **Homes: the social-housing queue.** With {params.list_length:,.0f} households "
    f"waiting ({queue_list_length} figure), a newcomer waits about "
    f"{base.newcomer_wait_years:.0f} years at {default_turnover:.0%} turnover; "
    f"{headline_added_homes} permanently affordable homes a year would "
    f"{direction(wait_change, up='lengthen', down='shorten', flat='not change')} the wait "
    f"to {with_added.dynamic_newcomer_wait_years:.0f} years.",
])))

# %% [markdown]
# ## 1. The norm and two quoted figures
#
# The brochure states a share of income low-income households spend on housing (its claim is
# in `permanent_research.brochure`); the RBDH gives an example of a rent and an income (the
# parameters `rbdh_rent_eur_month`, `rbdh_income_eur_month`). We recompute the latter rather
# than quoting it.

# %%
headline("rbdh_effort_rate_pct", 100 * rbdh, unit="%", digits=1,
         label=(f"Rent burden in the RBDH example (rent {rbdh_rent_eur_month:,} EUR on "
                f"{rbdh_income_eur_month:,} EUR a month)"),
         source="RBDH 550/1,168 (METHODS §4), recomputed")
headline("observatory_median_rent_2017", rent.quantile(0.5), unit="EUR/month", digits=0,
         label="Median rent paid in Brussels, 2017 (Observatoire des loyers)",
         source="rent_observatory 2017 median_monthly_rent");

# %% [markdown]
# ## 2. Affordability by income group × commune
#
# For each commune, the first quartile, median and third quartile of equivalised disposable
# income are set against the observatory's 2017 median rent.
#
# **Which income?** Statbel publishes *equivalised* disposable income: household income
# divided by the household's size on the OECD scale (1 for the first adult, 0.5 per other
# adult, 0.3 per child), counted per resident. It equals the actual income only for a
# single adult; a couple with two children on the same equivalised income has 2.1 times as
# much. The rent, by contrast, is what a whole household pays for its dwelling (all sizes).
# So every cell reads: **a single adult on this income paying the median rent of all
# dwellings**. That overstates the burden of singles (who mostly rent smaller, cheaper homes)
# and of larger households (whose total income is higher); the cells are comparable across
# communes, not effort rates of actual households.

# %%
fig = figures.effort_heatmap(
    matrix, threshold=threshold,
    title=(f"Median rent ({rent.quantile(0.5):,.0f} EUR/month) takes more than "
           f"{threshold:.0%} of the median income in "
           f"{int((matrix['median'] > threshold).sum())} of {int(matrix['median'].notna().sum())} "
           f"communes\n(single adult, equivalised income {year}; rents: {rent_label})"),
    source=ADI_NOTE + " Grey: not published by Statbel.",
)
show(fig, "affordability_heatmap")
headline("communes_median_income_above_norm", above_norm,
         unit="communes", digits=0,
         label=(f"Communes where the median rent takes more than {threshold:.0%} of the median "
                f"income, {year}"),
         source=f"disposable_income MS_MEDIAN {year} vs rent_observatory 2017 median")
headline("highest_median_effort_rate_pct", 100 * worst["effort_rate"], unit="%", digits=1,
         label=f"Highest rent burden at the median income: {worst['name_fr']}, {year}",
         source=f"disposable_income MS_MEDIAN {year}");

# %% [markdown]
# ## 3. How many pay more than the norm? Bounds from the marginals
#
# We know how incomes are spread in each commune and how rents are spread, but not who pays
# which rent (that needs household microdata such as EU-SILC). The share of residents above
# the threshold therefore depends on an unknown pairing of incomes with rents. The table
# gives, per commune, the share of residents paying more than the norm:
#
# * *if all pay the median rent*: a single number, no pairing;
# * *lowest possible* and *highest possible*: the smallest and largest share **any** pairing
#   of these incomes with these rents can give (the Makarov bounds, `docs/affordability.md`).
#   The true share lies in between; nothing narrower follows from these data alone;
# * *richest in dearest homes*: one particular pairing (rank to rank, "comonotone").
#
# **A correction to METHODS §4, step 3.** It says rank-to-rank pairing (richest in the
# dearest) gives the *lower* bound and poorest-in-dearest the *upper* bound. That is not true
# in general. When most rents are above what most residents can afford, rank-to-rank pairing
# puts everybody *above* the threshold — it is then the *upper* bound. The lowest share comes
# from a mixed pairing: give each resident who can be kept under the threshold the dearest
# rent they can still afford, and let the poorest take the rents nobody can afford. A
# two-household example: incomes 1 and 2, rents 0.75 and 1.25, threshold one half: richest in
# dearest burdens both, poorest in dearest only one. The unit tests check the bounds against
# every possible pairing of small samples (brute force).

# %%
shown = bounds_table[["name_fr", "share_above_at_rent", "lower_bound", "comonotone",
                      "upper_bound"]].sort_values("share_above_at_rent", ascending=False)
show(
    shown,
    "affordability_bounds_by_commune",
    caption=f"Share of residents above {threshold:.0%} of income on rent, {year}: all "
            f"paying the median rent, and sharp bounds when rents follow the 2017 "
            "observatory quartiles (assumed tails: linear).",
    shown=shown.rename(columns={"name_fr": "Commune", "share_above_at_rent": "If all pay the median rent",
                                "lower_bound": "Lowest possible",
                                "comonotone": "Richest in dearest homes",
                                "upper_bound": "Highest possible"}),
    formats={c: "{:.0%}" for c in ["If all pay the median rent", "Lowest possible",
                                   "Richest in dearest homes", "Highest possible"]},
    display_caption=f"Share of residents paying more than {threshold:.0%} of their (equivalised) "
                    f"income on rent, {year}; – : income quartiles not published",
)
complete = bounds_table.dropna(subset=["comonotone"])
at_upper = int((complete["comonotone"] >= complete["upper_bound"] - 1e-9).sum())
print(f"Rank-to-rank pairing gives the upper bound in {at_upper} of {len(complete)} communes "
      "and is never the lower bound here" if
      (complete["comonotone"] > complete["lower_bound"] + 1e-9).all() else
      f"Rank-to-rank pairing gives the upper bound in {at_upper} of {len(complete)} communes.")
print(f"In {poorest['name_fr']} between {poorest['lower_bound']:.0%} and "
      f"{poorest['upper_bound']:.0%} of residents pay more than {threshold:.0%} of their "
      f"(equivalised) income on rent; if all paid the median rent, {poorest['share_above_at_rent']:.0%}.")
headline("poorest_commune_share_above_lower_pct", 100 * poorest["lower_bound"], unit="%",
         digits=1,
         label=(f"{poorest['name_fr']}: share paying more than {threshold:.0%} of income on "
                f"rent, {year}, lower bound"),
         source=f"disposable_income Q1/median/Q3 {year}; rent_observatory 2017 quartiles")
headline("poorest_commune_share_above_upper_pct", 100 * poorest["upper_bound"], unit="%",
         digits=1,
         label=(f"{poorest['name_fr']}: share paying more than {threshold:.0%} of income on "
                f"rent, {year}, upper bound"),
         source=f"disposable_income Q1/median/Q3 {year}; rent_observatory 2017 quartiles");

# %% [markdown]
# ## 4. The brochure's claim on low-income households against the data
#
# The brochure states the share of their income low-income households spend on housing
# (above the norm). The bars set it next to the RBDH example and to what the bundled data
# give for a single adult on the first-quartile income of the poorest commune paying a rent
# from the cheapest quarter of the market (P25), and on the typical commune median income
# paying the median rent. The quoted figures use other, unstated income concepts (probably
# household net income, and housing costs with charges), so the bars are not strictly
# comparable.

# %%
rates = {
    "Brochure: low-income households\n(quoted; income concept not stated)":
        BROCHURE_EFFORT,
    f"RBDH example {rbdh_rent_eur_month:,.0f} / {rbdh_income_eur_month:,.0f} EUR\n"
    "(recomputed; household income)": rbdh,
    f"Single adult, Q1 income of {low['name_fr']},\nP25 rent (data)": low_rate,
    "Single adult, median of commune medians,\nmedian rent (data)": typical_rate,
}
fig = figures.effort_rate_bars(
    rates, norm=threshold, source=ADI_NOTE,
    title=(f"Data: {low_rate:.0%} for a poor single adult at a cheap rent,\n"
           f"{typical_rate:.0%} at the median (brochure: {BROCHURE_EFFORT:.0%})"))
show(fig, "effort_rates_vs_norm")
headline("low_income_effort_rate_pct", 100 * low_rate, unit="%", digits=1,
         label=(f"Rent burden of a single adult on the Q1 income of {low['name_fr']} at a "
                f"P25 rent, {year}"),
         source=f"disposable_income MS_Q1 {year}; rent_observatory 2017 p25");

# %% [markdown]
# **What the data can and cannot support.** Paying even a cheap rent (P25) takes the
# brochure's share of income only below the monthly income printed below. The data say how many residents have
# such incomes only through the extrapolated lower tail (an assumption: Statbel publishes
# nothing below the first quartile), and they cannot say what those residents actually pay:
# social tenants pay far less than market rents, others far more. The bounds at the brochure's
# share are all that follows from incomes and rents known separately.

# %%
brochure_income_eur_month = rent.quantile(0.25) / BROCHURE_EFFORT
poor = incomes.dropna(subset=["q1_eur_year", "median_eur_year", "q3_eur_year"]).sort_values(
    "q1_eur_year").iloc[0]
poor_income = aff.distribution_from_quantiles(
    {0.25: poor["q1_eur_year"], 0.5: poor["median_eur_year"], 0.75: poor["q3_eur_year"]},
    label=f"ADI {poor['name_fr']} {year}")
poor_share = aff.share_above_threshold(poor_income, rent.quantile(0.25),
                                       BROCHURE_EFFORT)
bounds_60 = aff.burden_bounds(poor_income, rent, BROCHURE_EFFORT)
print(f"A rent of {rent.quantile(0.25):,.0f} EUR/month (P25) is {BROCHURE_EFFORT:.0%} "
      f"of an income of {brochure_income_eur_month:,.0f} EUR/month "
      f"({12 * brochure_income_eur_month:,.0f} EUR/year); the lowest first quartile, in "
      f"{poor['name_fr']}, is {poor['q1_eur_year'] / 12:,.0f} EUR/month.")
print(f"In {poor['name_fr']}: {poor_share:.0%} of residents are below it (extrapolated tail); "
      f"with the whole rent distribution, between {bounds_60.lower:.0%} and "
      f"{bounds_60.upper:.0%} pay more than {BROCHURE_EFFORT:.0%} (bounds).")
print(f"So the data allow an effort above {BROCHURE_EFFORT:.0%} for at most "
      f"{bounds_60.upper:.0%} of {poor['name_fr']}'s residents (and force it on at least "
      f"{bounds_60.lower:.0%}); they cannot confirm it as the typical effort of low-income "
      "households: that needs rents and incomes of the same households (EU-SILC or a survey).")
headline("poorest_commune_share_above_60_upper_pct", 100 * bounds_60.upper, unit="%",
         digits=1,
         label=(f"{poor['name_fr']}: at most this share pays more than "
                f"{BROCHURE_EFFORT:.0%} of income on rent, {year} (bound)"),
         source=f"disposable_income Q1/median/Q3 {year}; rent_observatory 2017 quartiles");

# %% [markdown]
# ## 5. Highest affordable rent and price per income group
#
# At the threshold, the highest affordable rent is `a·y/12` for a single adult on the
# equivalised income `y` (a household of equivalence size `s` can afford `s` times as much,
# e.g. 2.1 times for a couple with two children); the highest price assumes a
# mortgage at 3.5 % over 25 years with 10 % down (assumptions; purchase costs ignored). The
# share of rents affordable reads the observatory distribution at that rent.

# %%
terms = aff.MortgageTerms()
rows = []
for row in incomes.dropna(subset=["q1_eur_year", "median_eur_year", "q3_eur_year"]).itertuples():
    dist = aff.distribution_from_quantiles(
        {0.25: row.q1_eur_year, 0.5: row.median_eur_year, 0.75: row.q3_eur_year},
        label=row.name_fr)
    table = aff.affordable_by_decile(dist, threshold, rent=rent, terms=terms,
                                     probabilities=(0.25, 0.5, 0.75)).to_frame()
    table.insert(0, "commune", row.name_fr)
    rows.append(table)
max_table = pd.concat(rows, ignore_index=True).drop(columns="probability")
export(max_table, "max_affordable_rent_price",
       caption=f"Highest affordable rent and price at {threshold:.0%} of income, {year} "
               "(equivalised income; mortgage 3.5 %, 25 years, 10 % down: assumptions).")
group_names = {"P25": "Q1", "P50": "median", "P75": "Q3"}
wide = max_table.pivot(index="commune", columns="group")
readable = pd.DataFrame({"Commune": wide.index})
for measure, heading in [("max_rent_eur_month", "Rent (EUR/month)"),
                         ("max_price_eur", "Price (k EUR)"),
                         ("share_of_rents_affordable", "Rents affordable")]:
    for group, name in group_names.items():
        values = wide[(measure, group)].to_numpy()
        readable[f"{heading}, {name} income"] = values / 1e3 if measure == "max_price_eur" else values
show_table(
    readable,
    formats={c: ("{:.0%}" if c.startswith("Rents affordable") else "{:,.0f}")
             for c in readable.columns[1:]},
    caption=(f"Highest affordable rent and price for a single adult on the Q1, median and Q3 "
             f"equivalised income of each commune, at {threshold:.0%} of income, {year}; share "
             "of 2017 rents that fit (mortgage 3.5 %, 25 years, 10 % down: assumptions)"))

# %% [markdown]
# ## 6. Fiscal income per declaration
#
# A second income concept: net taxable income per tax declaration with a non-zero income
# (Statbel fiscal statistics), for the region and the communes.

# %%
fiscal = aff.fiscal_income_per_declaration(load("fiscal_income"), years=fiscal_year,
                                            communes=checked["communes"] or None,
                                            include_region=True)
fiscal_shown = fiscal[["name_fr", "year", "income_per_declaration_eur_year"]].sort_values(
    "income_per_declaration_eur_year")
show(
    fiscal_shown,
    "fiscal_income_per_declaration",
    caption=f"Net taxable income per declaration, income year {fiscal_year} (Statbel).",
    shown=fiscal_shown.drop(columns="year").rename(columns={
              "name_fr": "Commune or region",
              "income_per_declaration_eur_year": "Net taxable income per declaration (EUR/year)"}),
    formats={"Net taxable income per declaration (EUR/year)": "{:,.0f}"},
    display_caption=f"Income year {fiscal_year}, declarations with a non-zero income (Statbel)",
)
region = fiscal[fiscal["nis_code"] == "04000"].iloc[0]
headline("region_income_per_declaration", region["income_per_declaration_eur_year"],
         unit="EUR/year", digits=0,
         label=f"Net taxable income per tax declaration, Brussels Region, {fiscal_year}",
         source=f"fiscal_income MS_TOT_NET_TAXABLE_INC / MS_NBR_NON_ZERO_INC, {fiscal_year}");

# %% [markdown]
# ## 7. Artists' studios
#
# Studios are half of the Permanent programme. There is no bundled data on artists' incomes
# or studio costs. Studio size and cost per m² per month come from the scenario file (the same
# values as the Monte Carlo of notebook 06, in euros of its base year: the temporary-use fee, the
# CLT studio's cost-rent once built, the market studio rent); artists' income quartiles and the
# share of income a studio may take are **assumptions** set in the parameters cell.

# %%
studio_shares = ", ".join(f"{r.share_of_median_income:.0%} {r.scenario}"
                          for r in studio_rows.itertuples())
within = studio_rows.loc[studio_rows["share_of_median_income"] <= studio_threshold, "scenario"]
fig = figures.studio_bars(studio_rows, threshold=studio_threshold,
                          title=(f"A {studio_m2:g} m² studio takes {studio_shares} of the median "
                                 f"artist's income;\nwithin the {studio_threshold:.0%} limit: "
                                 f"{', '.join(within) or 'none'} (incomes assumed)"),
                          source=(f"Studio size and costs: scenario {scenario_file.name} "
                                  f"({money.base_year} euros); artists' incomes: assumptions."))
show(fig, "studio_affordability")
studio_cost_headlines(studio_cost_table, base_year=money.base_year,
                      scenario_name=scenario_file.name)
show(
    studios.by_quantile,
    "studio_max_cost_per_m2",
    caption="Highest affordable studio cost per m² per month (assumptions).",
    shown=studios.by_quantile.assign(group=lambda f: f["group"].map(group_names).fillna(f["group"]))
          .rename(columns={"group": "Artists' income", "income_eur_month": "Income (EUR/month)",
                           "max_cost_eur_month": "Highest studio cost (EUR/month)",
                           "max_cost_eur_m2_month": "Highest studio cost (EUR/m²/month)"}),
    formats={"Income (EUR/month)": "{:,.0f}", "Highest studio cost (EUR/month)": "{:,.0f}",
             "Highest studio cost (EUR/m²/month)": "{:.2f}"},
    display_caption=f"What a studio may cost at {studio_threshold:.0%} of an artist's income "
                    "(assumptions, not data)",
)

# %% [markdown]
# ## 8. The social-housing queue
#
# How many households wait? The brochure's figure and the newest dated figure in the bundled
# SLRB facts disagree, and so do the other published figures (table below: every dated
# figure with its source). The parameter `queue_list_length` chooses: `"latest"` (default)
# or `"brochure"`; a scenario file can set it. Stock (latest dated SLRB figure) and new
# homes a year also come from the facts; turnover and attrition were not found and are
# scenarios.

# %%
options = wl.list_length_options(social)
show_table(
    options.rename(columns={"choice": "Choice", "households": "Households",
                            "reference_period": "Date of the figure", "source": "Source",
                            "note": "Note"}),
    formats={"Households": "{:,.0f}"}, links=["Source"], wrap=["Note"],
    caption="Households on the social-housing waiting list: every dated figure")
export(options, "queue_list_length_options",
       caption="Households on the social-housing waiting list: the two choices and every "
               "other dated figure, with sources.")
chosen_period = options.set_index("choice").loc[queue_list_length, "reference_period"]
print(f"Chosen: queue_list_length = {queue_list_length!r} -> {params.list_length:,.0f} "
      f"households (figure dated {chosen_period}).")
for choice in wl.LIST_LENGTH_CHOICES:
    alt = params.replace(list_length=float(options.set_index("choice").loc[choice, "households"]))
    print(f"  {choice:>8}: L = {alt.list_length:,.0f} -> a newcomer waits "
          f"{wl.queue_summary(alt).newcomer_wait_years:.1f} years (turnover "
          f"{default_turnover:.0%}, no attrition)")
queue_inputs = params.to_frame()
queue_labels = {
    "stock": ("Social dwellings (stock S)", "{:,.0f}"),
    "turnover": ("Share of the stock re-let each year (τ)", "{:.0%}"),
    "new_supply": ("New social homes a year (n)", "{:,.0f}"),
    "list_length": ("Households waiting (L)", "{:,.0f}"),
    "attrition": ("Share of the list leaving each year without a home (δ)", "{:.0%}"),
    "registrations": ("New registrations a year (given)", "{:,.0f}"),
    "list_growth_per_year": ("Growth of the list a year", "{:,.0f}"),
    "stock_grows": ("Added homes add to the stock", None),
    "registrations (effective)": ("New registrations a year (calibrated)", "{:,.0f}"),
}


def _queue_value(row):
    label, fmt = queue_labels.get(row["parameter"], (row["parameter"], None))
    value = row["value"]
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "calibrated (below)"
    if isinstance(value, bool) or fmt is None:
        return {True: "yes", False: "no"}.get(value, str(value))
    return fmt.format(value)


show_table(
    pd.DataFrame({"Input": [queue_labels.get(p, (p, None))[0] for p in queue_inputs["parameter"]],
                  "Value": queue_inputs.apply(_queue_value, axis=1),
                  "Source": queue_inputs["source"]}),
    links=["Source"], caption="Inputs of the queue model (scenario values)")

# %% [markdown]
# The METHODS §6 illustration on the brochure's list length, stock and new homes a year,
# recomputed (caption below). The mean wait is
# Little's law, `L / (A + δL)`: the average time on the list over everybody who leaves it,
# housed or not — valid when the list is stable; while the list grows (as it has since 2017),
# newcomers wait longer than this.

# %%
illustration = wl.scenario_grid(
    wl.QueueParameters(stock=BROCHURE_STOCK, turnover=default_turnover,
                       new_supply=BROCHURE_NEW, list_length=BROCHURE_WAITING),
    turnover=turnover_scenarios, attrition=attrition_scenarios)
show_table(
    illustration[["turnover", "attrition", "allocations", "newcomer_wait_years",
                  "probability_still_waiting", "mean_wait_years"]].rename(columns={
        "turnover": "Turnover τ", "attrition": "Attrition δ",
        "allocations": "Allocations a year", "newcomer_wait_years": "Newcomer's wait (years)",
        "probability_still_waiting": "Still on the list at their turn",
        "mean_wait_years": "Mean wait, Little's law (years)"}),
    formats={"Turnover τ": "{:.0%}", "Attrition δ": "{:.0%}", "Allocations a year": "{:,.0f}",
             "Newcomer's wait (years)": "{:.1f}", "Still on the list at their turn": "{:.0%}",
             "Mean wait, Little's law (years)": "{:.1f}"},
    caption=(f"METHODS §6 illustration on the brochure's figures: L = {BROCHURE_WAITING:,.0f}, "
             f"S = {BROCHURE_STOCK:,.0f}, n = {BROCHURE_NEW:,.0f}"))
headline("queue_list_length", params.list_length, unit="households", digits=0,
         label=f"Households waiting for a social home ({queue_list_length} figure, {chosen_period})",
         source=params.sources["list_length"])
headline("queue_newcomer_wait_years", base.newcomer_wait_years, unit="years", digits=1,
         label=(f"Newcomer's wait for a social home at {default_turnover:.0%} turnover, "
                "no attrition"),
         source=f"social_housing; turnover {default_turnover:.0%} (assumption), no attrition");

# %% [markdown]
# Now the scenarios: turnover × attrition, and N permanently affordable homes added each
# year (allocated from the list, and adding to the stock and so to turnover over time).
# Reported waits of 10–12 years come from households that were housed (censored, shaped by
# priorities), so they are not directly comparable. The model is first come, first served;
# priority points shorten some waits and lengthen others.

# %%
grid = wl.scenario_grid(params, turnover=turnover_scenarios, attrition=attrition_scenarios,
                        added_permanent_per_year=added_permanent_homes)
fewest, most = min(added_permanent_homes), max(added_permanent_homes)
wait_fewest = wl.queue_summary(params, fewest).dynamic_newcomer_wait_years
wait_most = wl.queue_summary(params, most).dynamic_newcomer_wait_years
fig = figures.queue_wait_grid(
    grid, reported_years=(10, 12),
    title=(f"With {params.list_length:,.0f} households waiting, a newcomer waits "
           f"{wait_fewest:.0f} years ({default_turnover:.0%} turnover, no attrition, "
           f"N = {fewest});\n{most} permanent homes a year cut it to {wait_most:.0f} years"),
    source=source_note("social_housing")
    + f". List length: {short_urls(params.sources['list_length'])}. "
    "Turnover and attrition: scenarios (not found).")
show(fig, "queue_wait_scenarios")
export(grid, "queue_scenarios",
       caption="Newcomer wait under turnover, attrition and added permanent homes.")
headline("queue_wait_with_added_homes_years", with_added.dynamic_newcomer_wait_years,
         unit="years", digits=1,
         label=(f"Newcomer's wait for a social home with {headline_added_homes} permanent "
                f"homes added a year ({default_turnover:.0%} turnover)"),
         source=f"social_housing; turnover {default_turnover:.0%} (assumption), stock grows");

# %%
paths = {
    f"N = {n} a year": wl.list_trajectory(params, years=projection_years,
                                          added_permanent_per_year=n).to_frame()
    for n in added_permanent_homes
}
ends = {label: frame["list_length"].iloc[-1] for label, frame in paths.items()}
fig = figures.queue_trajectories(
    paths,
    title=(f"Projection: after {projection_years} years "
           f"{min(ends.values()) / 1000:,.0f}-{max(ends.values()) / 1000:,.0f} thousand "
           f"households wait (now {params.list_length / 1000:,.0f} thousand)"),
    source=source_note("social_housing")
    + f". Projection; registrations calibrated to the 2017-2024 growth; turnover "
      f"{default_turnover:.0%} (assumption).")
show(fig, "queue_trajectories")

# %% [markdown]
# ## Limits
#
# - **Incomes and rents are never those of the same households.** Statbel's equivalised
#   income is per resident (a single adult's), the observatory's rents are per dwelling, and
#   the two are joined only through their distributions: effort rates of actual households,
#   and the share above the norm, need microdata (EU-SILC, or the observatory's survey
#   records with household income bands).
# - **Rents are region-wide** (the observatory's 2017 quartiles); there is no rent
#   distribution per commune, and the income tails below Q1 and above Q3 are extrapolated.
# - **Artists' incomes are assumptions**, not data; the studio costs are the scenario's
#   medians, not quotes from actual studios.
# - **The queue model is first come, first served**, with turnover and attrition as
#   scenarios: priority points, household sizes and bedroom classes change real waits, and
#   whether households eligible for permanent homes are those on the social list is not in
#   these data. The cost of a home to each income decile, by model, is in notebook 06.
