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
# # 07 · A permanent building: programme, costs, funding gap, resale and sites
#
# **Question.** What would a Permanent building of 4,500–9,000 m² — studios and production
# space, CLT homes and public space — cost, what would it earn, how large is the gap public
# money must fill, and how many years of CLTB's regional land budget would its land take?
# Once built, do CLT resale formulas keep the homes affordable for later buyers, and how does
# keeping the subsidy in the home compare with recapturing it or giving unrestricted aid?
# Finally, which candidate sites fit the brochure's criteria?
#
# Every assumption sits in the scenario file: the building in its `programme:` section (sources
# in `docs/programme.md`, money as written there), the resale illustration's home value and real
# growth of values and incomes in its `assumptions:` (medians, converted to euros of the
# scenario's base year with its `money:` section, as in notebook 06).

# %% tags=["parameters"]
scenario = "baseline"
income_eur_year = 30000.0
mortgage_multiple = 4.0
years_per_generation = 12.0
resale_horizon_years = 48.0  # years of the resale-over-generations illustration
sites_csv = "data/examples/candidate_sites_example.csv"
site_weights = {"area": 0.3, "location": 0.25, "owner": 0.25, "price": 0.2}

# %%
import pandas as pd
from IPython.display import Markdown, display

from permanent_research import clt, prices, programme, scenarios
from permanent_research.config import paths
from permanent_research.data import load, source_note
from permanent_research.plots import add_source_note
from permanent_research.plots import programme as programme_plots
from permanent_research.reporting import check_parameters, load_scenario
from permanent_research.reporting.headlines import headline
from permanent_research.reporting.tables import show_table

pd.set_option("display.float_format", lambda x: f"{x:,.2f}")

# Validate the parameters through the library: the scenario's programme section, the
# generation model's inputs (a dry run) and the screening weights.
check_parameters("07_building_programme", globals())
# The scenario file the runner validated (its path): the only source of every value it declares.
scenario_file = load_scenario(scenario)
scenario_name = scenario_file.name
building = scenario_file.section("programme", default=None)
if building is None:
    building = programme.validate_programme({}, source=f"scenario {scenario_name}: programme")
# The resale illustration takes the home's market value and the real growth of values and
# incomes from the scenario's assumptions (medians, euros of its base year): one source with 06.
money_section = scenario_file.section("money")
indexes = prices.price_indexes(
    [load("health_index_cpi"), load("health_index_cpi_2006_2015")],
    construction=load("construction_price_indices"))
base_assumptions = scenarios.in_base_year(scenario_file.section("assumptions"), money_section,
                                           indexes)
market_value_eur = base_assumptions["market_price_eur_m2"].quantile(0.5) * building.home_size_m2
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
    "site_area_m2": ("Plot area", "m²"),
    "gross_floor_area_m2": ("Gross floor area", "m²"),
    "floors": ("Floors", ""),
    "net_to_gross": ("Net ÷ gross floor area", "%"),
    "areas_m2": ("Net area by use", "m²"),
    "home_size_m2": ("Size of a CLT home", "m²"),
    "land_price_eur_m2": ("Land price", "EUR/m² of plot"),
    "works_cost_eur_m2": ("Works", "EUR/m² gross"),
    "fees_share": ("Fees, share of works", "%"),
    "vat_rate": ("VAT rate", "%"),
    "market_price_eur_m2": ("Market price of a home", "EUR/m²"),
    "clt_discount": ("CLT discount on the market price", "%"),
    "studio_rent_eur_m2_year": ("Studio cost-rent", "EUR/m²/year"),
    "public_rent_eur_m2_year": ("Rent of the public spaces", "EUR/m²/year"),
    "operating_cost_eur_m2_year": ("Upkeep and operating cost", "EUR/m²/year"),
    "rent_years": ("Years of rent counted", "years"),
    "discount_rate": ("Discount rate", "%"),
    "land_budget_eur_year": ("CLTB's regional land budget", "EUR/year"),
    "floor_order": ("Uses from the ground floor up", ""),
}


def _assumption_value(key, text):
    label, unit = PROGRAMME_LABELS.get(key, (key, ""))
    if unit == "%":
        return f"{100 * getattr(building, key):.3g} %"
    return f"{text} {unit}".strip()


assumption_rows = building.to_frame()
show_table(
    pd.DataFrame({
        "Assumption": [PROGRAMME_LABELS.get(k, (k, ""))[0] for k in assumption_rows["key"]],
        "Value": [_assumption_value(k, v) for k, v in zip(assumption_rows["key"],
                                                           assumption_rows["value"], strict=True)],
        "Source": assumption_rows["source"],
    }),
    wrap=["Value"], links=["Source"], wrap_width_em=30,
    caption=f"The building's assumptions (scenario {scenario_name}: programme)")

# %% [markdown]
# ## 1. The programme: areas by use and floor
#
# Net areas per use come from the scenario; floors are filled from the ground up (public space
# and production on the lower floors, studios above, homes on top), each floor holding the
# net area ÷ the number of floors.

# %%
from permanent_research.reporting.present import export, show

result = programme.evaluate_programme(building)
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
# public spaces discounted over the scenario's horizon. The gap is what public money must fill;
# the land alone is compared with CLTB's regional land budget.

# %%
money = result.to_frame()
export(money, "07_costs_revenues",
       caption=f"Costs (negative) and revenues (present values), EUR (scenario {scenario_name})")
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
           caption=f"Costs (negative) and revenues, nominal EUR (scenario {scenario_name})")
headline("programme_total_cost_meur", result.total_cost_eur / 1e6, unit="million EUR", digits=2,
         label="Total cost of the building (land, works, fees and VAT)",
         source="land + works + fees + VAT")
headline("programme_funding_gap_meur", result.funding_gap_eur / 1e6, unit="million EUR",
         digits=2, label="Funding gap public money must fill (costs minus revenues)",
         source="costs - revenues")
headline("land_budget_years", result.land_budget_years, unit="years", digits=2,
         label="Years of CLTB's regional land budget the building's land would take",
         source="land cost / CLTB regional land budget (clt_facts: EUR 2M/year)");

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
# ## 3. Pricing without land: is "about 40 % cheaper" the land?
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
# ## 4. Resale formulas over generations
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
add_source_note(fig, f"Illustration ({money_section.base_year} euros, real): V grows {value_growth:.1%}/yr, "
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
# ## 5. Keeping the subsidy: retention vs recapture vs unrestricted aid
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
             "(nominal EUR)"))
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
add_source_note(fig, f"Illustration with the parameters above (real {money_section.base_year} EUR).")
show(fig, "07_subsidy_regimes")

# %% [markdown]
# ## 6. Site screening (fictional example sites)
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
add_source_note(fig, f"Fictional sites ({sites_csv}); weights {weights_text}. Unknown price "
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
