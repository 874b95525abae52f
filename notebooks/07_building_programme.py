# ---
# jupyter:
#   jupytext:
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
# # 07 · A permanent building: size, funding gap, who pays, resale and sites
#
# **Question.** What would a Permanent building of 4,500–9,000 m² — studios and production
# space, CLT homes and public space — cost, what would it earn, how large is the gap public
# money must fill, and *who* fills it? Which sizes can CLTB's regional land budget buy? Once
# built, do CLT resale formulas keep the homes affordable for later buyers, and which candidate
# sites fit the brochure's criteria?
#
# The building's own choices sit in the scenario file's `programme:` section (sources in
# `docs/programme.md`). Every quantity notebook 06 also uses — land price, floor-area ratio,
# market price of a home, the CLT studio cost-rent, the discount rate, construction years —
# comes from the scenario's one assumption set (`assumptions:` medians, converted to euros of
# its base year with its `money:` section), so the two reports cannot disagree on them.

# %% tags=["parameters"]
scenario = "baseline"
income_eur_year = 30000.0
mortgage_multiple = 4.0
years_per_generation = 12.0
resale_horizon_years = 48.0  # years of the resale-over-generations illustration
sites_csv = "data/examples/candidate_sites_example.csv"
site_weights = {"area": 0.3, "location": 0.25, "owner": 0.25, "price": 0.2}
sweep_sizes_m2 = [4500, 5000, 5500, 6000, 6500, 7000, 7500, 8000, 8500, 9000]

# %%
from pathlib import Path

import pandas as pd
from IPython.display import Markdown, display

from permanent_research import clt, programme, scenarios
from permanent_research.config import paths
from permanent_research.data import bundled_price_indexes, load, source_note
from permanent_research.plots import add_source_note
from permanent_research.plots import programme as programme_plots
from permanent_research.reporting import check_parameters, load_scenario
from permanent_research.reporting.headlines import headline
from permanent_research.reporting.tables import show_table
from permanent_research.reporting.wording import direction

pd.set_option("display.float_format", lambda x: f"{x:,.2f}")

# Validate the parameters through the library: the scenario's programme section, the
# generation model's inputs (a dry run) and the screening weights.
check_parameters("07_building_programme", globals())
# The scenario file the runner validated (its path): the only source of every value it declares.
scenario_file = load_scenario(scenario)
scenario_name = scenario_file.name
section = scenario_file.section("programme", default=None)
if section is None:
    section = programme.validate_programme({}, source=f"scenario {scenario_name}: programme")
# One assumption set: the shared quantities come from the scenario's assumptions (medians) in
# euros of its base year, and the discount rate from its money: section.
money_section = scenario_file.section("money")
base_year = money_section.base_year
indexes = bundled_price_indexes()
base_assumptions = scenarios.in_base_year(scenario_file.section("assumptions"), money_section,
                                           indexes)
building = programme.with_assumptions(section, base_assumptions, money_section)
market_value_eur = building.market_price_eur_m2 * building.home_size_m2
value_growth = base_assumptions["property_value_growth_real"].quantile(0.5)
income_growth = base_assumptions["income_growth_real"].quantile(0.5)
generation_inputs = dict(
    market_value_eur=market_value_eur, income_eur_year=income_eur_year,
    mortgage_multiple=mortgage_multiple, value_growth=value_growth, income_growth=income_growth,
    years_per_generation=years_per_generation, horizon_years=resale_horizon_years,
)
clt.simulate_generations(formula="indexed", **generation_inputs)
sites = programme.read_sites(paths().root / sites_csv)
programme.screen_sites(sites, weights=site_weights)


PROGRAMME_LABELS = {  # key -> (what it is, unit; "%" shows a fraction as a percentage)
    "site_area_m2": ("Plot area (not set: gross ÷ floor-area ratio)", "m²"),
    "gross_floor_area_m2": ("Gross floor area", "m²"),
    "floors": ("Floors", ""),
    "net_to_gross": ("Net ÷ gross floor area", "%"),
    "areas_m2": ("Net area by use", "m²"),
    "home_size_m2": ("Size of a CLT home", "m²"),
    "land_price_eur_m2": ("Land price", f"EUR/m² of plot ({base_year})"),
    "floor_area_ratio": ("Floor-area ratio (gross ÷ plot)", ""),
    "works_cost_eur_m2": ("Works", f"EUR/m² gross ({base_year})"),
    "fees_share": ("Fees, share of works", "%"),
    "vat_rate": ("VAT rate", "%"),
    "market_price_eur_m2": ("Market price of a home", f"EUR/m² ({base_year})"),
    "clt_discount": ("CLT discount on the market price", "%"),
    "studio_rent_eur_m2_year": ("Studio cost-rent", f"EUR/m²/year ({base_year})"),
    "public_rent_eur_m2_year": ("Rent of the public spaces", f"EUR/m²/year ({base_year})"),
    "operating_cost_eur_m2_year": ("Upkeep and operating cost", f"EUR/m²/year ({base_year})"),
    "rent_years": ("Years of rent counted", "years"),
    "discount_rate": ("Real discount rate", "%"),
    "construction_years": ("Years from land purchase to delivery", "years"),
    "land_budget_eur_year": ("CLTB's regional land budget", "EUR/year"),
    "land_budget_years_max": ("Years of that budget one project may take", "years"),
    "floor_order": ("Uses from the ground floor up", ""),
}


# The answers the Findings state, computed once here and shown section by section below.
result = programme.evaluate_programme(building)
sweep = programme.size_sweep(building, sweep_sizes_m2)
stack = programme.capital_stack(result)
sensitivity = programme.shared_sensitivity(building, base_assumptions)

# %% [markdown]
# ## Findings

# %%
def _meur(eur):
    return f"EUR {abs(eur) / 1e6:,.1f} million"


groups = result.areas.groupby("group")["net_m2"].sum()
gap = result.funding_gap_eur
by_funder = stack.gap_by_funder()
grant, public_funders, unfunded = (by_funder["regional_land_grant"],
                                   by_funder["public_space_funders"], by_funder["unfunded_gap"])
unpaid_land = result.land_cost_eur - grant
findings = [
    f"A {building.gross_floor_area_m2:,.0f} m² building ({result.homes} CLT homes, "
    f"{groups.get('studios_production', 0):,.0f} m² of studios and production, "
    f"{groups.get('public', 0):,.0f} m² of public space) costs "
    f"{_meur(result.total_cost_eur)} in {base_year} euros; home sales and capitalised rents "
    f"bring {_meur(result.total_revenue_eur)}, so "
    + (f"public money must fill {_meur(gap)} ({gap / result.total_cost_eur:.0%} of the cost)."
       if gap >= 0 else f"revenues exceed the cost by {_meur(gap)}."),
    f"Who fills it: the regional land grant pays {_meur(grant)} "
    + ("(all of the land)" if unpaid_land <= 1 else
       f"(its {building.land_budget_years_max:g}-year budget; {_meur(unpaid_land)} of land is left "
       f"to the other funders)")
    + f", public-space funders {_meur(public_funders)} for the café, exhibition, recyclotheek, "
    f"community room and classrooms, and "
    + (f"{_meur(unfunded)} for homes and studios has no funder yet (a construction subsidy to "
       f"find)." if unfunded > 0 else
       f"homes and studios leave a surplus of {_meur(unfunded)} over their sales, loans and "
       f"land, which lowers what the other funders must pay."),
]
fits = sweep.affordable_sizes()
sizes = sorted(set(sweep_sizes_m2))
if len(fits) == len(sizes):
    fit_text = f"every size from {sizes[0]:,} to {sizes[-1]:,} m² fits"
elif not fits:
    fit_text = f"none of the sizes from {sizes[0]:,} to {sizes[-1]:,} m² fits"
else:
    fit_text = (f"sizes up to {max(fits):,.0f} m² fit, {len(sizes) - len(fits)} of the "
                f"{len(sizes)} sizes from {sizes[0]:,} to {sizes[-1]:,} m² do not")
findings.append(
    f"CLTB's land budget ({_meur(building.land_budget_available_eur)}: "
    f"{building.land_budget_years_max:g} year of the regional grant) buys the plot of a building "
    f"of at most {sweep.max_size_m2:,.0f} m² (land EUR {building.land_price_eur_m2:,.0f}/m², "
    f"floor-area ratio {building.floor_area_ratio:.2g}): {fit_text}.")
own = sweep.to_frame().query("mix == 'scenario'").sort_values("gross_floor_area_m2")
first, last = own.iloc[0], own.iloc[-1]


def _direction(start, end, up, down, tolerance):
    return direction(end - start, up=up, down=down, flat="stays about the same",
                     tolerance=tolerance)


findings.append(
    f"From {first['gross_floor_area_m2']:,.0f} to {last['gross_floor_area_m2']:,.0f} m² the "
    f"funding gap {_direction(first['funding_gap_eur'], last['funding_gap_eur'], 'grows', 'shrinks', 5e4)} "
    f"(EUR {first['funding_gap_eur'] / 1e6:,.2f} → "
    f"{last['funding_gap_eur'] / 1e6:,.2f} million"
    f"{'; negative: a surplus' if min(first['funding_gap_eur'], last['funding_gap_eur']) < 0 else ''}"
    f"); per m² of floor it "
    f"{_direction(first['funding_gap_eur_m2'], last['funding_gap_eur_m2'], 'rises', 'falls', 5)} "
    f"(EUR {first['funding_gap_eur_m2']:,.0f} → {last['funding_gap_eur_m2']:,.0f}).")
at_size = sweep.to_frame()
at_size = at_size[at_size["gross_floor_area_m2"] == building.gross_floor_area_m2]
if len(at_size):
    best = at_size.loc[at_size["funding_gap_eur"].idxmin()]
    worst = at_size.loc[at_size["funding_gap_eur"].idxmax()]
    findings.append(
        f"At {building.gross_floor_area_m2:,.0f} m² the mix of uses moves the gap by "
        f"{_meur(worst['funding_gap_eur'] - best['funding_gap_eur'])}: smallest with "
        f"'{best['mix']}', largest with '{worst['mix']}'.")
studio_month = building.studio_rent_eur_m2_year / 12
findings.append(
    f"The building uses notebook 06's values: CLT studio cost-rent EUR {studio_month:,.2f}/m²/month, "
    f"market price EUR {building.market_price_eur_m2:,.0f}/m², discount rate "
    f"{building.discount_rate:.1%} ({base_year} euros, scenario medians).")
swings = sensitivity.to_frame()
low_q, high_q = sensitivity.quantiles
findings.append(
    f"Of the values shared with notebook 06, moved alone across this scenario's "
    f"{low_q:.0%}–{high_q:.0%} range, "
    + "; ".join(f"{PROGRAMME_LABELS.get(row.input, (row.input, ''))[0].split(' (')[0].lower()} "
                f"({row.low_value:,.3g} → {row.high_value:,.3g}) "
                f"{'raises' if row.swing_eur > 0 else 'lowers'} the gap by {_meur(row.swing_eur)}"
                for row in swings.head(2).itertuples())
    + " (section 5).")
display(Markdown("\n".join(f"* {sentence}" for sentence in findings)))

# %% [markdown]
# ## The assumptions
#
# The building's own assumptions and, marked by their source, the values shared with notebook 06:

# %%
def _assumption_value(key, text):
    label, unit = PROGRAMME_LABELS.get(key, (key, ""))
    if unit == "%":
        return f"{100 * getattr(building, key):.3g} %"
    return f"{text} {unit}".strip()


assumption_rows = building.to_frame()
assumption_rows = assumption_rows[assumption_rows["value"] != "not set"]
show_table(
    pd.DataFrame({
        "Assumption": [PROGRAMME_LABELS.get(k, (k, ""))[0] for k in assumption_rows["key"]],
        "Value": [_assumption_value(k, v) for k, v in zip(assumption_rows["key"],
                                                           assumption_rows["value"], strict=True)],
        "Source": assumption_rows["source"],
    }),
    wrap=["Value", "Source"], links=["Source"], wrap_width_em=30,
    caption=(f"The building's assumptions (scenario {scenario_name}: programme, and the values "
             f"shared with notebook 06 from its assumptions and money sections)"))
headline("studio_clt_cost_rent_eur_m2_month", studio_month, unit="EUR/m2/month", digits=2,
         label=(f"Studio cost per m² per month, permanent (CLT cost-rent) ({base_year} euros, "
                "scenario medians)"),
         source=f"scenarios.studio_costs(scenario {scenario_name}), as in notebooks 03 and 06")
headline("discount_rate_pct", 100 * building.discount_rate, unit="%/year", digits=1,
         label="Real social discount rate of the scenario",
         source=money_section.discount_rate_source)
headline("programme_market_price_eur_m2", building.market_price_eur_m2, unit="EUR/m2", digits=0,
         label=f"Market price of a home per m² ({base_year} euros, scenario median)",
         source=f"scenario {scenario_name}: assumptions.market_price_eur_m2 in base-year euros")
headline("programme_land_price_eur_m2", building.land_price_eur_m2, unit="EUR/m2", digits=0,
         label=f"Land price per m² of plot ({base_year} euros, scenario median)",
         source=f"scenario {scenario_name}: assumptions.land_price_eur_m2 in base-year euros");

# %% [markdown]
# ## 1. The programme: areas by use and floor
#
# Net areas per use come from the scenario; floors are filled from the ground up (public space
# and production on the lower floors, studios above, homes on top), each floor holding the
# net area ÷ the number of floors.

# %%
from permanent_research.reporting.present import export, show

areas = result.area_table()
export(areas, "07_programme_areas",
       caption=f"Net area by use and floor, m² (scenario {scenario_name})")


def _readable(name):
    """'clt_homes' -> 'CLT homes', 'community_room' -> 'Community room'."""
    text = name.replace("_", " ").replace("clt", "CLT").replace("vat", "VAT")
    return text[0].upper() + text[1:]


def _floor_name(column):
    if column == "total_m2":
        return "Total"
    level = int(column.removeprefix("floor_"))
    return "Ground floor" if level == 0 else f"Floor {level}"


areas_shown = areas.rename(columns=_floor_name, index=_readable).rename_axis(index=None)
show_table(areas_shown.reset_index(names="Use"),
           formats={c: "{:,.0f}" for c in areas_shown.columns},
           caption=f"Net area by use and floor, m² (scenario {scenario_name})")
headline("programme_gross_floor_area_m2", building.gross_floor_area_m2, unit="m2", digits=0,
         label="Gross floor area of the Permanent building",
         source=f"scenario {scenario_name}: programme.gross_floor_area_m2")
headline("programme_homes", result.homes, unit="homes", digits=0,
         label="CLT homes in the building",
         source="clt_homes area / home_size_m2");

# %%
groups = result.areas.groupby("group")["net_m2"].sum()
floor_title = (
    f"{building.net_area_m2:,.0f} m² net on {building.floors} floors:\n"
    f"{groups.get('studios_production', 0):,.0f} m² studios and production, "
    f"{result.homes} CLT homes, {groups.get('public', 0):,.0f} m² public space"
)
fig = programme_plots.floor_areas(areas, title=floor_title)
add_source_note(fig, f"Scenario '{scenario_name}' (assumptions in docs/programme.md).")
show(fig, "07_programme_floors")

# %% [markdown]
# ## 2. Costs, revenues and the funding gap
#
# Costs: land (plot × price per m²), works (gross m² × cost per m²), fees and VAT. Revenues:
# CLT homes sold at market price less the CLT discount, and net cost-rents of studios and
# public spaces discounted over `rent_years` at the scenario's real discount rate (present value
# at delivery). All money is in euros of the scenario's base year. The gap is what public money
# must fill; the land alone is compared with CLTB's regional land budget.

# %%
money = result.to_frame()
export(money, "07_costs_revenues",
       caption=(f"Costs (negative) and revenues (rents as present values), {base_year} EUR "
                f"(scenario {scenario_name})"))
present_value = {"studio_cost_rents", "public_space_lets"}
money_shown = pd.concat([
    pd.DataFrame({
        "": money["kind"].map({"cost": "Cost", "revenue": "Revenue"}),
        "Item": [_readable(i) + (" (present value)" if i in present_value else "")
                 for i in money["item"]],
        "EUR": money["eur"],
    }),
    pd.DataFrame({"": ["Total", "Total", "Gap"],
                  "Item": ["Costs", "Revenues", "Funding gap (costs minus revenues)"],
                  "EUR": [-result.total_cost_eur, result.total_revenue_eur,
                          result.funding_gap_eur]}),
], ignore_index=True)
show_table(money_shown, formats={"EUR": "{:,.0f}"},
           caption=(f"Costs (negative) and revenues, {base_year} EUR (scenario {scenario_name})"))
headline("programme_total_cost_meur", result.total_cost_eur / 1e6, unit="million EUR", digits=2,
         label="Total cost of the building (land, works, fees and VAT)",
         source=f"land + works + fees + VAT, {base_year} euros")
headline("programme_funding_gap_meur", result.funding_gap_eur / 1e6, unit="million EUR",
         digits=2, label="Funding gap public money must fill (costs minus revenues)",
         source="costs - revenues")
headline("land_budget_years", result.land_budget_years, unit="years", digits=2,
         label="Years of CLTB's regional land budget the building's land would take",
         source="land cost (plot = gross / floor-area ratio) / CLTB regional land budget "
                "(clt_facts: EUR 2M/year)");

# %%
gap_word = "Public money must fill" if result.funding_gap_eur >= 0 else "Revenues exceed costs by"
gap_title = (
    f"{gap_word} EUR {abs(result.funding_gap_eur) / 1e6:,.1f}M of EUR "
    f"{result.total_cost_eur / 1e6:,.1f}M ({abs(result.funding_gap_eur) / result.total_cost_eur:.0%})"
    f";\nthe land alone takes {result.land_budget_years:.2g} years of CLTB's EUR "
    f"{building.land_budget_eur_year / 1e6:g}M-a-year land budget"
)
fig = programme_plots.costs_revenues(money, title=gap_title)
add_source_note(fig, f"Scenario '{scenario_name}'. Rents are net of upkeep, discounted over "
                f"{building.rent_years:g} years at {building.discount_rate:.1%}.")
show(fig, "07_funding_gap")

# %% [markdown]
# ## 3. Building size and mix under the land budget
#
# The same building at every size of the brochure's range, and with more of the net area given
# to homes, to studios or to public space (10 points of the allocated area moved to that group,
# taken from the other two in proportion). The plot grows with the building (gross ÷ floor-area
# ratio), so the land does too; a size is within the land budget when its land costs at most
# what one project may take of CLTB's regional grant.

# %%
sweep_table = sweep.to_frame()
export(sweep_table, "07_size_sweep",
       caption=f"Programme by size and mix, {base_year} EUR (scenario {scenario_name})")
own_rows = sweep_table[sweep_table["mix"] == "scenario"]
show_table(
    pd.DataFrame({
        "Gross floor area (m²)": own_rows["gross_floor_area_m2"].to_numpy(),
        "CLT homes": own_rows["homes"].to_numpy(),
        "Studios and production (m²)": own_rows["studios_m2"].to_numpy(),
        "Public space (m²)": own_rows["public_m2"].to_numpy(),
        "Plot (m²)": own_rows["plot_m2"].to_numpy(),
        "Land, years of the budget": own_rows["land_budget_years"].to_numpy(),
        "Land budget buys it?": own_rows["within_land_budget"].map({True: "yes", False: "no"})
        .to_numpy(),
        "Cost (M EUR)": own_rows["total_cost_eur"].to_numpy() / 1e6,
        "Funding gap (M EUR)": own_rows["funding_gap_eur"].to_numpy() / 1e6,
        "Gap per m² (EUR)": own_rows["funding_gap_eur_m2"].to_numpy(),
    }),
    formats={"Gross floor area (m²)": "{:,.0f}", "Studios and production (m²)": "{:,.0f}",
             "Public space (m²)": "{:,.0f}", "Plot (m²)": "{:,.0f}",
             "Land, years of the budget": "{:.2f}", "Cost (M EUR)": "{:,.2f}",
             "Funding gap (M EUR)": "{:,.2f}", "Gap per m² (EUR)": "{:,.0f}"},
    caption=(f"The scenario's mix of uses at each size, {base_year} EUR (scenario "
             f"{scenario_name}); the other mixes are in the figure and the exported table"))
headline("land_budget_max_gfa_m2", sweep.max_size_m2, unit="m2", digits=0,
         label="Largest building whose plot CLTB's land budget can buy",
         source=("land_budget_eur_year x land_budget_years_max / (land price / floor-area ratio)"))
headline("sweep_gap_smallest_meur", first["funding_gap_eur"] / 1e6, unit="million EUR",
         digits=2, label=f"Funding gap at {first['gross_floor_area_m2']:,.0f} m² (scenario mix)",
         source="programme.size_sweep")
headline("sweep_gap_largest_meur", last["funding_gap_eur"] / 1e6, unit="million EUR",
         digits=2, label=f"Funding gap at {last['gross_floor_area_m2']:,.0f} m² (scenario mix)",
         source="programme.size_sweep");

# %%
sweep_title = (
    f"The land budget buys the plot of buildings up to {sweep.max_size_m2:,.0f} m²; the gap "
    f"{_direction(first['funding_gap_eur'], last['funding_gap_eur'], 'grows', 'shrinks', 5e4)} "
    f"from EUR {first['funding_gap_eur'] / 1e6:,.1f}M to {last['funding_gap_eur'] / 1e6:,.1f}M "
    f"over {first['gross_floor_area_m2']:,.0f}–{last['gross_floor_area_m2']:,.0f} m²"
)
fig = sweep.plot(title=sweep_title)
add_source_note(fig, f"Scenario '{scenario_name}', {base_year} euros. Homes are whole units, so "
                "the lines step. Shaded: sizes whose land costs more than the budget allows.")
show(fig, "07_size_sweep")

# %% [markdown]
# ## 4. The capital stack: who pays for each use, and when
#
# Land and building costs are shared between the uses by net area. Each use is paid by the
# regional land grant (its land, up to the budget), its own revenue (CLT home sales; a loan
# repaid by the studios' net cost-rents; a loan repaid by the public spaces' operators) and the
# rest: public-space funders for the public spaces, and — for homes and studios — a gap with no
# funder yet. The parts add up to each use's cost and to the funding gap.

# %%
stack_table = stack.to_frame()
export(stack_table, "07_capital_stack",
       caption=f"Cost of each use by funder, {base_year} EUR (scenario {scenario_name})")
FUNDER_NAMES = {"regional_land_grant": "Regional land grant", "clt_home_sales": "CLT home sales",
                "studio_cost_rent_loans": "Studio cost-rent loans",
                "public_space_rents": "Public-space rents (loan)",
                "public_space_funders": "Public-space funders",
                "unfunded_gap": "Unfunded gap (construction subsidy to find)"}
wide_stack = stack_table.pivot_table(index="use", columns="funder", values="eur", aggfunc="sum",
                                     fill_value=0.0, sort=False)
wide_stack = wide_stack.reindex(columns=list(FUNDER_NAMES)).fillna(0.0) / 1e3
wide_stack["Cost"] = wide_stack.sum(axis=1)
wide_stack.loc["total"] = wide_stack.sum(axis=0)
show_table(wide_stack.rename(columns=FUNDER_NAMES, index=_readable).reset_index(names="Use"),
           formats={c: "{:,.0f}" for c in [*FUNDER_NAMES.values(), "Cost"]},
           caption=(f"Who pays for each use, thousand {base_year} EUR (rents as present values; "
                    f"negative: a surplus)"))
phasing = stack.phasing
show_table(
    pd.DataFrame({
        "Funder": phasing["funder"].map(FUNDER_NAMES).to_numpy(),
        "When": phasing["phase"].to_numpy(),
        "Years": [f"{a}" if a == b else f"{a}–{b}" for a, b in zip(phasing["first_year"],
                                                                     phasing["last_year"],
                                                                     strict=True)],
        "Amount (thousand EUR)": phasing["eur"].to_numpy() / 1e3,
        "Yearly rent repaying it (thousand EUR)": phasing["eur_year"].to_numpy() / 1e3,
        "Source": phasing["source"].to_numpy(),
    }),
    formats={"Amount (thousand EUR)": "{:,.0f}",
             "Yearly rent repaying it (thousand EUR)": "{:,.0f}"},
    na_rep="–", wrap=["Source", "When"], wrap_width_em=24,
    caption=(f"Phasing: year 0 = land purchase, delivery after {building.construction_years:.1f} "
             f"years (scenario median), rents over {building.rent_years:g} years; {base_year} EUR"))
headline("gap_land_grant_meur", grant / 1e6, unit="million EUR", digits=2,
         label="Funding gap filled by the regional land grant", source="programme.capital_stack")
headline("gap_public_space_funders_meur", public_funders / 1e6, unit="million EUR", digits=2,
         label="Funding gap filled by public-space funders", source="programme.capital_stack")
headline("gap_unfunded_meur", unfunded / 1e6, unit="million EUR", digits=2,
         label="Funding gap of homes and studios with no funder yet (negative: surplus)",
         source="programme.capital_stack");

# %%
stack_title = (
    f"Of the EUR {gap / 1e6:,.1f}M gap: land grant EUR {grant / 1e6:,.1f}M, public-space funders "
    f"EUR {public_funders / 1e6:,.1f}M, "
    + (f"no funder yet EUR {unfunded / 1e6:,.1f}M" if unfunded > 0
       else f"homes and studios in surplus by EUR {-unfunded / 1e6:,.1f}M")
)
fig = stack.plot(title=stack_title)
add_source_note(fig, f"Scenario '{scenario_name}', {base_year} euros; costs shared by net area; "
                f"rents as present values over {building.rent_years:g} years at "
                f"{building.discount_rate:.1%}.")
show(fig, "07_capital_stack")

# %% [markdown]
# ## 5. What moves the answer
#
# Each value shared with notebook 06 is moved alone from the low to the high end of this
# scenario's own range (its distribution's 5 % and 95 % quantiles, base-year euros); the studio
# cost-rent moves with all its Monte Carlo inputs at that quantile. The discount rate is one
# scenario value and is not moved here; the pessimistic and optimistic scenarios change it,
# together with the building's works cost, fees, VAT, public rents and upkeep (their `programme:`
# sections) and, through their assumptions, land price, construction cost and construction years.

# %%
export(swings, "07_shared_sensitivity",
       caption=f"Funding gap with one shared value at its low/high quantile (scenario {scenario_name})")
show_table(
    pd.DataFrame({
        "Shared value": [PROGRAMME_LABELS.get(k, (k, ""))[0] for k in swings["input"]],
        f"Low (q{low_q:g})": swings["low_value"].to_numpy(),
        f"High (q{high_q:g})": swings["high_value"].to_numpy(),
        "Gap at low (M EUR)": swings["gap_low_eur"].to_numpy() / 1e6,
        "Gap at high (M EUR)": swings["gap_high_eur"].to_numpy() / 1e6,
        "Swing (M EUR)": swings["swing_eur"].to_numpy() / 1e6,
    }),
    formats={f"Low (q{low_q:g})": "{:,.3g}", f"High (q{high_q:g})": "{:,.3g}",
             "Gap at low (M EUR)": "{:,.2f}", "Gap at high (M EUR)": "{:,.2f}",
             "Swing (M EUR)": "{:+,.2f}"},
    caption=(f"Funding gap {sensitivity.gap_eur / 1e6:,.2f} M EUR at the medians; each shared "
             f"value moved alone, {base_year} euros (scenario {scenario_name})"))


# %% [markdown]
# ## 5b. Why the other scenarios give another gap
#
# Each other scenario file of this folder is read as it stands (its assumptions in its base-year euros, its `programme:` section) and its building compared with this one: every input that differs is switched alone from this scenario's value to the other's, and the funding gap recomputed; what the single switches leave of the total difference is the interaction of inputs changed together, so each column adds up to the difference in gaps.

# %%
def building_of(other_file):
    """The other scenario's building, built exactly as this one's above."""
    other_money = other_file.section("money")
    other_section = other_file.section("programme", default=None) or programme.validate_programme(
        {}, source=f"scenario {other_file.name}: programme")
    other_assumptions = scenarios.in_base_year(other_file.section("assumptions"), other_money,
                                               indexes)
    return programme.with_assumptions(other_section, other_assumptions, other_money)


driver_lines = []
for other_file in scenario_file.siblings():
    drivers = programme.gap_drivers(building, building_of(other_file))
    table = drivers.to_frame()
    difference = drivers.gap_eur - drivers.reference_gap_eur
    inputs = table[table["input"] != table["input"].iloc[-1]].dropna(subset=["gap_change_eur"])
    if inputs.empty:
        driver_lines.append(f"- Under `{other_file.name}` the building's inputs are the same "
                            "as here.")
        continue
    top = inputs.iloc[0]
    label, unit = PROGRAMME_LABELS.get(top["input"], (top["input"], ""))
    unit = "" if unit == "%" else f" {unit}"
    driver_lines.append(
        f"- Under `{other_file.name}` the funding gap is EUR {drivers.gap_eur / 1e6:,.2f} M, "
        f"{direction(difference, up='larger', down='smaller', flat='the same')} than here by "
        f"EUR {abs(difference) / 1e6:,.2f} M; the largest single driver is "
        f"{label.lower()} ({top['reference']}{unit} here, {top['value']}{unit} there: "
        f"{top['gap_change_eur'] / 1e6:+,.2f} M EUR).")
    export(table, f"07_gap_drivers_{other_file.name}",
           caption=f"Funding-gap drivers, {scenario_name} against {other_file.name}")
    show_table(
        pd.DataFrame({
            "Input": [PROGRAMME_LABELS.get(k, (k, ""))[0] for k in table["input"]],
            f"Here ({scenario_name})": table["reference"].to_numpy(),
            f"There ({other_file.name})": table["value"].to_numpy(),
            "Gap change (M EUR)": table["gap_change_eur"].to_numpy() / 1e6,
        }).head(8),
        formats={"Gap change (M EUR)": "{:+,.2f}"},
        caption=(f"What moves the funding gap from {scenario_name} to {other_file.name} "
                 f"(largest eight; all rows in the exports)"))
display(Markdown("\n".join(driver_lines) or "*No other scenario file in this folder.*"))

# %% [markdown]
# ## 6. Pricing without land: is "about 40 % cheaper" the land?
#
# CLTB says its homes cost on average 40 % less than the market. If the CLT keeps the land,
# the buyer saves the land's share of the price. Four estimates of that share from the
# bundled data (the last counts all public capital, land and part of construction):

# %%
land = clt.land_share_estimates(load("building_land_prices"), load("real_estate_sales"),
                                load("construction_costs"), load("clt_facts"))
land_table = land.to_frame()[["estimate", "kind", "share", "supports_claim", "computation"]]
show(
    land_table,
    "07_land_share",
    caption="Land share of a Brussels home's price vs the claimed 40% discount",
    shown=land_table.assign(kind=land_table["kind"].map(
              {"land": "land", "subsidy": "land and part of construction"}).fillna(land_table["kind"]))
          .rename(columns={"estimate": "Estimate", "kind": "What it counts",
                           "share": "Share of the price", "supports_claim": "Near the claimed 40 %?",
                           "computation": "Computation"}),
    formats={"Share of the price": "{:.0%}"},
    display_caption="Land's share of a Brussels home's price, against CLTB's '40 % below the market'",
)
low, high = land.land_share_range()
headline("land_share_min_pct", 100 * low, unit="%", digits=1,
         label="Land's share of a Brussels home's price, lowest estimate",
         source="bundled data, see table")
headline("land_share_max_pct", 100 * high, unit="%", digits=1,
         label="Land's share of a Brussels home's price, highest estimate",
         source="bundled data, see table")
capital = land.to_frame().query("kind == 'subsidy'")["share"].iloc[0]
headline("cltb_public_capital_share_pct", 100 * capital, unit="%", digits=1,
         label="Public capital per household in CLTB's first projects, share of the price",
         source="construction_costs: EUR 6.84M for 85 households / 2016-17 median flat");

# %%
land_rows = land.to_frame()
near_40 = land_rows[(land_rows["kind"] == "land") & land_rows["supports_claim"]]["estimate"]
display(Markdown(
    f"Land alone accounts for {100 * low:.0f}–{100 * high:.0f} % of the price depending on "
    f"the estimate; the land estimates that come near 40 % are: "
    f"{'; '.join(near_40) if len(near_40) else 'none'}. The public capital per household in "
    f"CLTB's first projects (land *and* part of construction) is {100 * capital:.0f} % of the "
    f"price, so the discount is not \"the land\" alone."
))

# %% [markdown]
# ## 7. Resale formulas over generations
#
# One home first sold at what the target household can borrow (`mortgage_multiple` × income),
# resold every `years_per_generation` years while market values and incomes grow at the
# parameters' rates. Without any top-up, the restricted price drifts relative to market value
# and to what the next household can afford:

# %%
formulas = {
    "CLTB, increase from price paid": ("cltb", {"increase_base": "price_paid"}),
    "CLTB, increase from appraised value": ("cltb", {"increase_base": "appraised_value"}),
    "appraisal, s = 25%": ("appraisal", {"seller_share": 0.25}),
    "indexed to income": ("indexed", {}),
    "fixed 1.5% compound": ("fixed_rate", {"rate": 0.015, "compound": True}),
}
paths = clt.compare_formulas(formulas, **generation_inputs)
resale_paths = dict(tuple(paths.groupby("label", sort=False)))
comparison = paths.pivot(index="year", columns="label", values="price_to_value")[
    list(formulas)].rename_axis(columns=None)
show(
    comparison,
    "07_resale_price_to_value",
    caption="Restricted price / market value at each resale, by formula",
    shown=comparison.rename_axis(index=None).reset_index(names="Years after first sale"),
    formats={"Years after first sale": "{:g}",
             **{c: "{:.2f}" for c in comparison.columns}},
    display_caption="Restricted price ÷ market value at each resale, by resale formula",
)
headline("price_to_value_end_cltb_price_paid",
         comparison["CLTB, increase from price paid"].iloc[-1], digits=3,
         label=(f"CLTB home: price ÷ market value after {resale_horizon_years:g} years (seller's 25 % "
                "from the price paid)"),
         source="clt.simulate_generations, CLTB formula, increase from the price paid")
headline("price_to_value_end_cltb_appraised",
         comparison["CLTB, increase from appraised value"].iloc[-1], digits=3,
         label=(f"CLTB home: price ÷ market value after {resale_horizon_years:g} years (seller's 25 % "
                "from the appraised value)"),
         source="clt.simulate_generations, CLTB formula, increase from the appraised value");

# %%
end = comparison.iloc[-1]
needed_end = {label: rows["income_needed_multiple"].iloc[-1]
              for label, rows in resale_paths.items()}
affordable = [label for label, m in needed_end.items() if m <= 1 + 1e-9]
resale_title = (
    f"After {comparison.index[-1]:g} years the CLTB home costs "
    f"{end['CLTB, increase from price paid']:.2f} of market value if the 25% is counted from the "
    f"price paid, {end['CLTB, increase from appraised value']:.2f} if from the appraised value;"
    f"\nstill within the target household's reach: {', '.join(affordable) or 'none'}"
)
fig = programme_plots.resale_paths(resale_paths, title=resale_title)
add_source_note(fig, f"Illustration ({base_year} euros, real): V grows {value_growth:.1%}/yr, "
                f"incomes {income_growth:.1%}/yr (scenario medians), "
                f"resale every {years_per_generation:g} years; first price = "
                f"{mortgage_multiple:g} × EUR {income_eur_year:,.0f}.")
show(fig, "07_resale_formulas")

# %% [markdown]
# Which reading of CLTB's rule applies matters: measured from the price paid, the seller's
# 25 % plus the 6 % levy apply to the whole gap between price and value, and the price climbs
# towards the market; measured from the appraised value at purchase, it falls relative to the
# market as in other appraisal formulas.
#
# ## 8. Keeping the subsidy: retention vs recapture vs unrestricted aid
#
# Same home and households. Retention (CLTB formula, increase from the appraised value; the
# public tops up if a price outgrows what the next household can pay), recapture (subsidy
# repaid at sale and recycled) and unrestricted down-payment aid (a fresh subsidy each time):

# %%
regimes = clt.simulate_generations(formula="cltb", increase_base="appraised_value",
                                   **generation_inputs)
regime_summary = regimes.last_generation()
export(regime_summary, "07_subsidy_regimes",
       caption="Public subsidy by regime at the horizon, EUR")
REGIME_NAMES = {"retention": "Retention (subsidy stays in the home)",
                "recapture": "Recapture (repaid at sale, recycled)",
                "aid": "Unrestricted down-payment aid"}
show_table(
    pd.DataFrame({
        "Regime": [REGIME_NAMES.get(r, r) for r in regime_summary.index],
        "Households served": regime_summary["households_served"].to_numpy(),
        "Public money, cumulative (k EUR)":
            regime_summary["public_subsidy_cumulative_eur"].to_numpy() / 1e3,
        "Per household served (k EUR)":
            regime_summary["subsidy_per_household_eur"].to_numpy() / 1e3,
        "Price ÷ market value": regime_summary["price_to_value"].to_numpy(),
        "Income needed ÷ target income": regime_summary["income_needed_multiple"].to_numpy(),
        "Subsidy still in the home (k EUR)":
            regime_summary["subsidy_in_home_eur"].to_numpy() / 1e3,
    }),
    formats={"Public money, cumulative (k EUR)": "{:,.0f}",
             "Per household served (k EUR)": "{:,.0f}", "Price ÷ market value": "{:.2f}",
             "Income needed ÷ target income": "{:.2f}",
             "Subsidy still in the home (k EUR)": "{:,.0f}"},
    caption=(f"Public subsidy by regime after {regime_summary['year'].iloc[0]:g} years "
             f"(real {base_year} EUR)"))
for regime in ("retention", "recapture", "aid"):
    headline(f"subsidy_per_household_{regime}_keur",
             regime_summary.loc[regime, "subsidy_per_household_eur"] / 1e3,
             unit="thousand EUR", digits=1,
             label=(f"Public money per household served over {resale_horizon_years:g} years: "
                    f"{REGIME_NAMES[regime].split(' (')[0].lower()}"),
             source="clt.simulate_generations")

# %%
per = regime_summary["subsidy_per_household_eur"] / 1e3
served = int(regime_summary.loc["retention", "households_served"])
regime_title = (
    f"Over {served} sales, public money per household served:\nretention EUR "
    f"{per['retention']:,.0f}k, "
    f"recapture EUR {per['recapture']:,.0f}k, unrestricted aid EUR {per['aid']:,.0f}k"
)
fig = programme_plots.subsidy_regimes(regimes.to_frame(), title=regime_title)
add_source_note(fig, f"Illustration with the parameters above (real {base_year} EUR).")
show(fig, "07_subsidy_regimes")

# %% [markdown]
# ## 9. Site screening (fictional example sites)
#
# The brochure's criteria — at least 4,500 m² (ideally 9,000), central or well connected, a
# public or willing owner, price — scored with the weights above. **The sites in the example
# file are invented** to show the method; replace `sites_csv` with a real list.

# %%
screening = programme.screen_sites(sites, weights=site_weights)
ranked = screening.to_frame()[["rank", "site_id", "site_name", "area_m2", "location", "owner",
                               "price_eur_m2", "score", "eligible"]]
export(ranked, "07_site_screening_fictional",
       caption="Site screening of FICTIONAL example sites")
min_area = screening.parameters["min_area_m2"]
show_table(
    ranked.assign(location=ranked["location"].str.replace("_", " "),
                  owner=ranked["owner"].str.replace("_", " "))
    .rename(columns={"rank": "Rank", "site_id": "Site", "site_name": "Name",
                     "area_m2": "Area (m²)", "location": "Location", "owner": "Owner",
                     "price_eur_m2": "Price (EUR/m²)", "score": "Score",
                     "eligible": f"At least {min_area:,.0f} m²?"}),
    formats={"Area (m²)": "{:,.0f}", "Price (EUR/m²)": "{:,.0f}", "Score": "{:.2f}"},
    na_rep="unknown", caption="Site screening of FICTIONAL example sites, best first")
headline("eligible_sites", int(screening.to_frame()["eligible"].sum()), unit="sites", digits=0,
         label=f"Fictional example sites of at least {min_area:,.0f} m²",
         source="fictional example CSV, area >= 4,500 m2");

# %%
scored = screening.to_frame()
best = scored.iloc[0]
sites_title = (
    f"{int(scored['eligible'].sum())} of {len(scored)} sites reach "
    f"{screening.parameters['min_area_m2']:,.0f} m²; best: {best['site_id']} "
    f"(score {best['score']:.2f})"
)
fig = programme_plots.site_scores(scored, screening.weights, fictional=True,
                                       title=sites_title)
weights_text = ", ".join(f"{k} {v:.2f}" for k, v in screening.weights.items())
add_source_note(fig, f"Fictional sites ({Path(sites_csv).name}); weights {weights_text}. Unknown price "
                f"scores 0; price score 0 at EUR {screening.parameters['price_ceiling_eur_m2']:,.0f}/m².")
show(fig, "07_site_screening_fictional")

# %% [markdown]
# ## Sources
#
# Land prices, sale prices, construction costs and CLTB facts:

# %%
display(Markdown("\n".join(
    f"* {source_note(name).removeprefix('Source: ')}"
    for name in ("building_land_prices", "real_estate_sales", "construction_costs", "clt_facts")
)))

# %% [markdown]
# ## Limits
#
# - **Costs are shared by net area.** Homes (kitchens, bathrooms) and public spaces (a café's
#   fit-out) do not cost the same per m²; the split by use is a first attribution, not a cost
#   plan. The totals do not depend on it.
# - **Capital account at delivery.** Land and works are counted undiscounted, rents as present
#   values at delivery, sales at delivery; financing costs during construction, VAT on sales and
#   resale are left out. The phasing table says when each funder pays, not a cash-flow model.
# - **The studio cost-rent is notebook 06's** (a new-build cost-rent at the scenario's
#   construction cost, land granted); the building's works cost is its own (a conversion). Where
#   works are much cheaper than new build, studios appear to earn more than they cost; and a
#   dearer cost-rent *lowers* the gap (a larger loan) while costing artists more.
# - **Assumptions without a source**: works cost, public-space rents, upkeep, fees, the one year
#   of land budget per project and the 10-point tilts of the mix are assumptions (see the table
#   above); the programme's own money inputs are read as euros of the base year.
# - **Land budget**: one project taking one year of CLTB's grant is an assumption; the floor-area
#   ratio and land price are scenario medians, not a site's. Homes are counted in whole units, so
#   the size curves step.
# - **Public-space funders are not identified**: none is committed; their share is what public
#   spaces' rents and the land grant leave.
# - **Scenarios**: the pessimistic and optimistic files change the building's works cost, fees,
#   VAT, rents and upkeep, and — through the shared assumption set — land price, construction
#   cost (hence the studio cost-rent), construction years and the discount rate; the market
#   price of a home is the same in all three assumption sets.
