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
# # 01 · Brussels housing context
#
# **Question.** Do the bundled public data support the context figures of the Permanent
# brochure — the social-housing waiting list, the stock of social homes "all occupied", the
# new social homes built a year and the rise of Brussels rents — and what do sale prices and
# building permits add?
#
# Every figure below sits next to its source and date. Where sources disagree, all versions
# are shown; none is picked silently. The brochure's claims come from one place
# (`permanent_research.brochure`); fact tables come from press and parliamentary pages (one
# row per claim, `data/raw/PROVENANCE.md` sections 8, 9, 11); price and permit series come
# from Statbel (sections 1 and 2).

# %% tags=["parameters"]
property_type = "appartementen"  # Statbel: appartementen, alle_huizen, huizen_23, huizen_4plus
map_year = 2024  # year of the price map (2010-2024)
change_start_year = 2010  # start year of the price change (2010-2024)
permit_measure = "new_dwellings"  # building-permit measure summed over the 19 communes

# %%
import pandas as pd
from IPython.display import Markdown, display

from permanent_research import brochure, context
from permanent_research.data import load, source_note
from permanent_research.data.boundaries import communes
from permanent_research.plots import add_source_note
from permanent_research.plots import context as figures
from permanent_research.rents import combine_index_tables
from permanent_research.reporting import check_parameters
from permanent_research.reporting.headlines import headline
from permanent_research.reporting.present import export, show
from permanent_research.reporting.tables import show_table
from permanent_research.reporting.wording import compare, direction

check_parameters("01_brussels_context", globals())
# The brochure's claims, stated once for every report (value, unit, period, where quoted).
BROCHURE_WAITING = brochure.claim("waiting_list_households").value
BROCHURE_STOCK = brochure.claim("social_stock_dwellings").value
BROCHURE_NEW = brochure.claim("new_social_homes_per_year").value
BROCHURE_RENT = brochure.claim("rent_change_pct")
context.check_parameters(
    property_type=property_type,
    map_year=map_year,
    change_start_year=change_start_year,
    permit_measure=permit_measure,
    brochure_rent_start=BROCHURE_RENT.period[0],
    brochure_rent_end=BROCHURE_RENT.period[1],
)
social = load("social_housing")
SOCIAL_NOTE = (
    source_note("social_housing")
    + ". One point per source; page URLs and dates in table social_housing_sources."
)

# Every result the findings and the sections below read, computed once.
waiting = context.waiting_list(social)
latest = waiting.dropna(subset=["year"]).iloc[-1]
recent = waiting[(waiting["year"] >= 2017) | waiting["year"].isna()]
low_recent, high_recent = recent["value"].min(), recent["value"].max()
inside = "inside" if low_recent <= BROCHURE_WAITING <= high_recent else "outside"

stock = context.social_stock(social)
stock_last = stock[(stock["measure"] == "social_dwellings_stock_total")].dropna(
    subset=["year"]).iloc[-1]
occupied_last = stock[(stock["measure"] == "social_dwellings_occupied")
                      & (stock["period"] == stock_last["period"])].iloc[0]
vacant_last = stock_last["value"] - occupied_last["value"]
vacant = stock[stock["measure"] == "vacant_social_dwellings"]

production = context.social_production(social, span="difference")
gross = production[production["figure"].str.contains("gross")].iloc[0]
stated = production[production["figure"].str.contains("stated")].iloc[0]
net = production[production["figure"].str.contains("net change")].iloc[0]
calendar = context.social_production(social, span="inclusive")
gross_calendar = calendar[calendar["figure"].str.contains("gross")].iloc[0]
public = production[production["figure"].str.contains("public dwellings")]
social_low = net["dwellings_per_year"]
social_high = max(gross["dwellings_per_year"], stated["dwellings_per_year"])

observatory = load("rent_observatory")
health = combine_index_tables(load("health_index_cpi"), load("health_index_cpi_2006_2015"))
rents = context.observatory_rents(observatory)
comparison = context.compare_rent_changes(
    observatory, health, brochure_change_pct=BROCHURE_RENT.value,
    brochure_years=BROCHURE_RENT.period, deflator="health_index",
)
claims = comparison.to_frame()
mean_rent = comparison.mean_rent.set_index("survey_year")["value"]
first_year, last_year = int(mean_rent.index.min()), int(mean_rent.index.max())
start, end = comparison.nominal_years
first_last = claims[(claims["period"] == f"{first_year}-{last_year}")].set_index("figure")
as_published = first_last.filter(like="computed: mean rent", axis=0)["change_pct"].iloc[0]
deflated = first_last.filter(like="computed: deflated", axis=0)["change_pct"].iloc[0]
nearest = claims[(claims["period"] == f"{start}-{end}")].set_index("figure")
nearest_real = nearest.filter(like="computed: deflated", axis=0)["change_pct"]

sales = load("real_estate_sales")
prices = context.median_prices(sales, property_type)
label = context.PROPERTY_LABELS[property_type]
change = context.price_change(prices, change_start_year, map_year)
region = change[change["nis_code"] == context.REGION_CODE].iloc[0]
communal = change[change["geo_level"] == "municipality"].dropna(subset=["change_pct"])
risen = int((communal["change_pct"] > 0).sum())

permits = context.permit_series(load("building_permits"), permit_measure)
latest_full = context.latest_complete_year(permits)
permitted = permits.set_index("year")["region_total"]
permit_words = permit_measure.replace("_", " ")

vacancy_all = context.vacancy_facts(load("vacant_dwellings"), dwellings_only=False)
vacancy = vacancy_all[vacancy_all["dwellings"]]
estimate = vacancy[vacancy["measure"].str.startswith("presumed_vacant_dwellings")]
estimate_low, estimate_high = estimate["value"].min(), estimate["value"].max()
estimate_year = int(estimate["year"].iloc[0])
dated_waiting = waiting.dropna(subset=["year"])
# the waiting-list figure dated nearest to the vacancy estimate (mid-year of the estimate)
near = dated_waiting.loc[(dated_waiting["year"] - (estimate_year + 0.5)).abs().idxmin()]

# %% [markdown]
# ## Findings

# %%
# "rose 25% nominal and 9% in real terms", or "... and fell 3% in real terms" (computed words)
real_word = ("" if len(nearest_real) == 0
             or direction(nearest_real.iloc[0]) == direction(comparison.nominal_change_pct)
             else direction(nearest_real.iloc[0]) + " ")
real_text = (f" and {real_word}{abs(nearest_real.iloc[0]):.1f}% in "
             "real terms (health index)" if len(nearest_real)
             else " (the health index misses one of these years, so no real change)")
empty_found = int((vacant["value"] > 0).sum())
statement = claims[claims["figure"] == "observatory statement"].iloc[0]
previous_full = latest_full - 1
permit_change = (permitted[latest_full] / permitted[previous_full] - 1) * 100
display(Markdown("\n".join([
    f"- **Waiting list.** The brochure's {BROCHURE_WAITING:,.0f} households lie **{inside}** "
    f"the range of figures dated 2017 or later or undated ({low_recent:,.0f} to "
    f"{high_recent:,.0f}); the latest dated figure, {latest['value']:,.0f} "
    f"({latest['period']}), is {abs(latest['value'] - BROCHURE_WAITING):,.0f} "
    f"{compare(latest['value'], BROCHURE_WAITING, more='above', less='below', same='at')} "
    "the brochure's.",
    f"- **Stock.** {stock_last['value']:,.0f} social homes in {stock_last['period']} "
    f"(brochure: about {BROCHURE_STOCK:,.0f}), of which {vacant_last:,.0f} "
    f"({vacant_last / stock_last['value']:.0%}) stood empty; {empty_found} of {len(vacant)} "
    "vacancy figures count empty homes, "
    + ("so \"all occupied\" is not what the sources say." if empty_found else
       "as the brochure's \"all occupied\" says."),
    f"- **New social homes.** {social_low:.0f} to {social_high:.0f} a year depending on net "
    f"or gross counting and source; the brochure's {BROCHURE_NEW:.0f} is "
    + ("inside this range" if social_low <= BROCHURE_NEW <= social_high else
       f"{compare(BROCHURE_NEW, social_high, more='above', less='below')} it") + ".",
    f"- **Rents.** The brochure's {BROCHURE_RENT.value:+.0f}% "
    f"({BROCHURE_RENT.period[0]}–{BROCHURE_RENT.period[1]}) cannot be reproduced exactly: "
    f"between the nearest survey years ({start}–{end}) the mean rent paid "
    f"{direction(comparison.nominal_change_pct)} {abs(comparison.nominal_change_pct):.1f}% "
    f"nominal{real_text}; the nominal change is "
    f"{compare(comparison.nominal_change_pct, BROCHURE_RENT.value)} the brochure's. The "
    f"observatory's own statement: {statement['change_pct']:+.0f}% {statement['basis']} over "
    f"{statement['period']} ({statement['source']}).",
    f"- **Sale prices.** The region's median {label} price "
    f"{direction(region['change_pct'])} {abs(region['change_pct']):.1f}% from "
    f"{region[f'price_{change_start_year}_eur']:,.0f} to {region[f'price_{map_year}_eur']:,.0f} "
    f"EUR ({change_start_year}–{map_year}, nominal); it rose in {risen} of the "
    f"{len(communal)} communes with data.",
    f"- **Permits.** {permitted[latest_full]:,.0f} {permit_words} were permitted in "
    f"{latest_full}, the latest year all 19 communes report; that is "
    f"{abs(permit_change):.0f}% {compare(permit_change, 0, more='more', less='fewer')} than "
    f"in {previous_full}. Permits are not completions.",
    f"- **Vacant dwellings.** A {estimate_year} model (ULB/VUB, published by the Housing "
    f"Minister's cabinet) puts presumed vacant dwellings in the region at "
    f"{estimate_low:,.0f}–{estimate_high:,.0f}: {estimate_low / latest['value']:.0%}–"
    f"{estimate_high / latest['value']:.0%} of the {latest['value']:,.0f} households on the "
    f"latest dated waiting list ({latest['period']}); the list figure dated nearest to the "
    f"estimate is {near['stated_as'] + ' ' if near['stated_as'] else ''}"
    f"{near['value']:,.0f} ({near['period']}). Dwellings and households are different "
    "units; the estimate does not say whether those dwellings are habitable or affordable.",
])))

# %% [markdown]
# The brochure's claims as this report reads them:

# %%
show_table(
    brochure.claims_table()[["statement", "value", "unit", "period", "where"]].rename(
        columns={"statement": "Claim", "value": "Value", "unit": "Unit", "period": "Period",
                 "where": "Where it is stated"}),
    formats={"Value": lambda v: f"{v:,.0f}" if v >= 1 else f"{v:.0%}"},
    wrap=["Claim", "Where it is stated"],
    caption="The Permanent brochure's context figures (permanent_research.brochure)")

# %% [markdown]
# ## 1. The social-housing waiting list
#
# The bundled sources give several waiting-list figures. They refer to different dates, some
# are bounds ("more than", "nearly"), several carry no date at all, and some count households
# on several SISP lists with possible duplicates (PROVENANCE §11). Where the brochure's figure
# sits among them is computed below the table.

# %%
WAITING_COLUMNS = {"period": "Period", "value": "Households", "stated_as": "Stated as",
                   "publisher": "Publisher", "page_date": "Page date", "source_url": "Source"}
show_table(waiting[list(WAITING_COLUMNS)].rename(columns=WAITING_COLUMNS),
           formats={"Households": "{:,.0f}"}, links=["Source"], wrap=["Publisher"],
           caption="Households on the social-housing waiting list, every figure found")
headline("waiting_list_latest_dated_households", latest["value"], unit="households", digits=0,
         source=f"{latest['publisher']}, {latest['period']}",
         label=f"Waiting list, latest dated figure ({latest['period']})")
headline("waiting_list_recent_low_households", low_recent, unit="households",
         digits=0, source="lowest figure dated 2017 or later, or undated",
         label="Waiting list, lowest recent figure")
headline("waiting_list_recent_high_households", high_recent, unit="households",
         digits=0, source="highest figure dated 2017 or later, or undated",
         label="Waiting list, highest recent figure")
among = "is" if (waiting["value"] == BROCHURE_WAITING).any() else "is not"
display(Markdown(
    f"**{len(waiting)} figures** from {waiting['publisher'].nunique()} publishers. The "
    f"brochure's {BROCHURE_WAITING:,.0f} lies **{inside}** the range of figures dated 2017 or "
    f"later or undated ({low_recent:,.0f} to {high_recent:,.0f}) and {among} itself one of "
    f"them; the latest dated figure is {latest['value']:,.0f} ({latest['period']})."
))

# %%
fig = figures.waiting_list_points(waiting, brochure=BROCHURE_WAITING)
add_source_note(fig, SOCIAL_NOTE)
show(fig, "waiting_list")

# %% [markdown]
# ## 2. The social-housing stock, and how much of it stands empty
#
# The same source (DH, January 2017, quoting the Housing Minister's cabinet) gives the stock
# and the occupied dwellings for two years; their difference (derived here) and the vacancies
# other sources state directly are listed below the table and set against the brochure's
# "all occupied". Vacant social homes are usually awaiting renovation; the figures do not say
# why they were empty.

# %%
STOCK_MEASURES = {"social_dwellings_stock_total": "stock (occupied + vacant)",
                  "social_rental_dwellings_stock": "social rental stock",
                  "social_dwellings_occupied": "occupied",
                  "vacant_social_dwellings": "vacant"}
show_table(
    stock.assign(measure=stock["measure"].map(STOCK_MEASURES).fillna(stock["measure"]))[
        ["measure", "period", "value", "derived", "publisher", "page_date", "note"]
    ].rename(columns={"measure": "Measure", "period": "Period", "value": "Dwellings",
                      "derived": "Derived here", "publisher": "Publisher",
                      "page_date": "Page date", "note": "Note"}),
    formats={"Dwellings": "{:,.0f}"}, wrap=["Publisher", "Note"],
    caption="Social dwellings in the Brussels region: stock, occupied and vacant")
headline("social_stock_dwellings", stock_last["value"], unit="dwellings", digits=0,
         source=f"{stock_last['publisher']}, {stock_last['page_date']}",
         label=f"Social-housing stock, occupied + vacant ({stock_last['period']})")
headline("social_occupied_dwellings", occupied_last["value"], unit="dwellings", digits=0,
         source=f"{occupied_last['publisher']}, {occupied_last['page_date']}",
         label=f"Occupied social dwellings ({stock_last['period']})")
headline("social_vacant_dwellings", vacant_last,
         unit="dwellings", digits=0, source="stock minus occupied, same source",
         label=f"Vacant social dwellings ({stock_last['period']}, derived)")
vacant_text = "; ".join(
    f"{row.value:,.0f} ({row.period}, {'derived: stock - occupied' if row.derived else row.publisher})"
    for row in vacant.itertuples()
)
display(Markdown(f"Empty social dwellings: {vacant_text}. {empty_found} of {len(vacant)} "
                 f"figures count empty homes, against the brochure's \"all occupied\"."))

# %%
fig = figures.social_stock_bars(stock, brochure=BROCHURE_STOCK)
add_source_note(fig, SOCIAL_NOTE + " Hatched bars: derived here as stock minus occupied.")
show(fig, "social_stock")

# %% [markdown]
# ## 3. New social homes per year
#
# No source gives an annual series. A total produced over a period is divided by its years,
# counted two ways (the difference between the two stock counts, or the calendar years
# inclusive); the net change of the stock is smaller because of demolitions. The numbers are
# computed below the table. Figures for *all* regional public housing (perspective.brussels)
# are shown apart: they are not only social homes.

# %%
show_table(
    production[["figure", "period", "dwellings_per_year", "how", "publisher", "page_date"]]
    .rename(columns={"figure": "Figure", "period": "Period",
                     "dwellings_per_year": "Dwellings a year", "how": "How",
                     "publisher": "Publisher", "page_date": "Page date"}),
    formats={"Dwellings a year": "{:,.1f}"}, wrap=["Figure", "Publisher"],
    caption="New social (and public) dwellings per year; URLs in table social_housing_sources")
headline("new_social_homes_per_year_computed", gross["dwellings_per_year"],
         unit="dwellings/year", digits=0, source=f"{gross['how']}; {gross['publisher']}",
         label=f"New social homes per year, {gross['period']} (computed)")
headline("new_social_homes_per_year_stated", stated["dwellings_per_year"],
         unit="dwellings/year", digits=0, source=f"{stated['publisher']}, undated",
         label="New social homes per year (stated)")
headline("new_social_homes_per_year_calendar", gross_calendar["dwellings_per_year"],
         unit="dwellings/year", digits=1, source=f"{gross_calendar['how']}; {gross['publisher']}",
         label=f"New social homes per year, {gross['period']}, calendar years counted")
headline("social_stock_net_change_per_year", net["dwellings_per_year"], unit="dwellings/year",
         digits=0, source=f"{net['how']}; {net['publisher']}",
         label=f"Net change of the social stock per year, {net['period']}")
display(Markdown(
    f"Gross: {gross['how']} = **{gross['dwellings_per_year']:.0f} a year** "
    f"({gross_calendar['how']} = {gross_calendar['dwellings_per_year']:.1f}). Net: "
    f"{net['how']} = **{net['dwellings_per_year']:.0f} a year**. {stated['publisher']}'s "
    f"undated figure: {stated['dwellings_per_year']:.0f} a year (brochure: "
    f"{BROCHURE_NEW:.0f}). All public housing: "
    + ", ".join(f"{r.dwellings_per_year:.0f} ({r.period})" for r in public.itertuples())
    + "."
))

# %%
fig = figures.production_bars(production, brochure=BROCHURE_NEW)
add_source_note(fig, SOCIAL_NOTE)
show(fig, "social_production")

# %%
social_sources = pd.concat([
    context.fact_table(social, ["waiting_list_households"]),
    context.fact_table(social, ["social_dwellings_stock_total", "social_rental_dwellings_stock",
                                "social_dwellings_occupied", "vacant_social_dwellings",
                                "social_dwellings_produced",
                                "social_dwellings_produced_per_year_approx",
                                "public_dwellings_delivered"]),
], ignore_index=True).drop(columns=["year"])
export(social_sources, "social_housing_sources", float_format="{:,.0f}",
       caption="Brussels social housing: every figure with its source, page date and URL");

# %% [markdown]
# ## 4. Brussels rents: the brochure's figure and the observatory's
#
# The **Observatoire des loyers** surveys the rent *actually paid by sitting tenants*, whatever
# the lease start. Its own statements are rises **in real terms** (table below), i.e. beyond
# the health-index indexation that Belgian leases allow. The brochure's rent claim
# does not say which rent or whether it is nominal. The bundled observatory series may lack
# the brochure's years; the nearest survey years are used and named below, and a change is
# deflated only where the health index covers both years.
#
# One more caution: the earliest mean in the series comes from a 2019 article and its rise to
# the latest year is close to the real rise the observatory states for the same years (both
# computed below), so it is most likely expressed in the latest year's euros. Read as a nominal value and deflated again it gives the
# change printed below, marked invalid. Conflicting press values for the same year are shown
# hollow.

# %%
covered = context.annual_index(health, "health_index").index
missing_years = ", ".join(map(str, comparison.deflator_years_missing)) or "none"
display(Markdown(
    f"Health index (base 2013, years with 12 months): {covered.min()}–{covered.max()}"
    + (f" except {', '.join(str(y) for y in range(covered.min(), covered.max()) if y not in covered)}"
       if len(covered) < covered.max() - covered.min() + 1 else "")
    + f". Years of the compared periods it misses: {missing_years}."))
show_table(
    rents[["survey_year", "value", "preferred", "publisher", "page_date", "note"]].rename(
        columns={"survey_year": "Survey year", "value": "Mean rent (EUR/month)",
                 "preferred": "Preferred", "publisher": "Publisher", "page_date": "Page date",
                 "note": "Note"}),
    formats={"Survey year": lambda y: f"{y:.0f}", "Mean rent (EUR/month)": "{:,.0f}"},
    wrap=["Publisher", "Note"], na_rep="undated",
    caption="Observatoire des loyers, mean rent paid: every press version")
show_table(
    claims[["figure", "period", "change_pct", "basis", "measure", "source"]].rename(
        columns={"figure": "Figure", "period": "Period", "change_pct": "Change (%)",
                 "basis": "Basis", "measure": "Measure", "source": "Source"}),
    formats={"Change (%)": "{:+.1f}"}, wrap=["Measure", "Source"],
    caption="Brussels rents: the brochure's and the observatory's claims and computed changes")

# %%
headline("observatory_mean_rent_first_eur", mean_rent[first_year], unit="EUR/month", digits=0,
         source=comparison.mean_rent.iloc[0]["publisher"],
         label=f"Observatory mean rent, {first_year} (probably in {last_year} euros)")
headline("observatory_mean_rent_last_eur", mean_rent[last_year], unit="EUR/month", digits=0,
         source=comparison.mean_rent.iloc[-1]["publisher"],
         label=f"Observatory mean rent, {last_year}")
headline("rent_nominal_change_pct", comparison.nominal_change_pct, unit="%", digits=1,
         source="computed from rent_observatory (preferred rows)",
         label=f"Nominal change of the mean rent, {start}-{end}")
headline("rent_change_first_last_pct", as_published, unit="%", digits=1,
         source="computed from rent_observatory (preferred rows)",
         label=f"Change of the mean rent as published, {first_year}-{last_year}")
headline("rent_real_change_first_last_pct", deflated, unit="%",
         digits=1, source="computed; health index base 2013, annual means",
         label=f"Deflated change if the {first_year} value were nominal",
         status="invalid")
conflicts = rents[~rents["preferred"] & rents["survey_year"].notna()]
conflict_text = "; ".join(
    f"{int(year)}: " + ", ".join(f"{v:,.0f} ({pub})" for v, pub in
                                  zip(rows["value"], rows["publisher"], strict=True))
    + f" against {mean_rent[int(year)]:,.0f}"
    for year, rows in conflicts.groupby("survey_year")
)
display(Markdown(
    f"Nearest survey years to the brochure's {BROCHURE_RENT.period[0]}–"
    f"{BROCHURE_RENT.period[1]}: **{start}–{end}**, mean rent {mean_rent[start]:,.0f} → "
    f"{mean_rent[end]:,.0f} EUR/month, **{comparison.nominal_change_pct:+.1f}% nominal**"
    + (f" (not deflatable: health index missing for "
       f"{', '.join(map(str, comparison.deflator_years_missing))})"
       if comparison.deflator_years_missing else "")
    + f". {first_year}–{last_year} as published: {mean_rent[last_year]:,.0f}/"
    f"{mean_rent[first_year]:,.0f} = **{as_published:+.1f}%**, against the observatory's "
    f"{statement['change_pct']:+.0f}% real ({statement['period']}); deflated as if "
    f"{first_year} were nominal: {deflated:+.1f}% "
    f"(invalid: the {first_year} value is most likely already in {last_year} euros). "
    f"Conflicting press values: {conflict_text or 'none'}."
))

# %%
fig = figures.rent_changes(rents, claims,
                          caveats={first_year: f"probably in {last_year} euros, not joined"})
add_source_note(fig, source_note("rent_observatory") + "; "
                + source_note("health_index_cpi") + ". Brochure: Permanent coalition.")
export(claims, "rent_claims", float_format="{:+.1f}",
       caption="Brussels rents: the brochure's and the observatory's claims and computed "
               "changes")
export(rents.drop(columns=["year"]), "rent_observatory_series",
       float_format="{:,.0f}", caption="Observatoire des loyers: every press version")
show(fig, "rents_observatory")

# %% [markdown]
# **New-lease rents are a different measure.** The CIB/Federia barometers report rents of
# *new* leases let through agencies (asking level); they run far above the observatory's
# rents of sitting tenants and are never mixed with them. They are listed here only so the
# reader can see the gap.

# %%
barometers = context.rent_barometers_region(load("rent_barometers"))
show(
    barometers,
    "rent_barometers_new_leases",
    float_format="{:,.0f}",
    caption="Agency barometers of new-lease rents, Brussels region (not comparable "
            "with the observatory)",
    shown=barometers[["period", "dwelling_type", "value", "unit", "publisher"]].assign(
        dwelling_type=barometers["dwelling_type"].str.replace("_", " ")).rename(
        columns={"period": "Period", "dwelling_type": "Dwelling", "value": "Mean rent",
                 "unit": "Unit", "publisher": "Publisher"}),
    formats={"Mean rent": "{:,.0f}"},
    display_caption="Agency barometers of new-lease rents (producers and page dates in the "
                    "export)",
)

# %% [markdown]
# ## 5. Median sale prices per commune (Statbel)
#
# Statbel publishes medians only (no means), from registered deeds. Medians Statbel leaves
# blank (mostly 4-façade houses in communes with few sales) stay missing. Prices are nominal.

# %%
start_col, end_col = f"price_{change_start_year}_eur", f"price_{map_year}_eur"
show_table(
    change[["name_fr", start_col, end_col, "change_pct"]].rename(columns={
        "name_fr": "Area", start_col: f"Median {change_start_year} (EUR)",
        end_col: f"Median {map_year} (EUR)", "change_pct": "Change (%)"}),
    formats={f"Median {change_start_year} (EUR)": "{:,.0f}",
             f"Median {map_year} (EUR)": "{:,.0f}", "Change (%)": "{:+.1f}"},
    caption=f"Median {label} sale price, {change_start_year} and {map_year} (nominal); "
            "– : not published")
headline("region_median_price_start_eur", region[start_col], unit="EUR",
         digits=0, source="Statbel, real_estate_sales",
         label=f"Region median {label} price, {change_start_year}")
headline("region_median_price_end_eur", region[end_col], unit="EUR", digits=0,
         source="Statbel, real_estate_sales", label=f"Region median {label} price, {map_year}")
headline("region_median_price_change_pct", region["change_pct"], unit="%", digits=1,
         source="computed from Statbel medians (nominal)",
         label=f"Change of the region median {label} price, {change_start_year}-{map_year}");

# %%
fig = figures.price_lines(prices, property_label=label)
add_source_note(fig, source_note("real_estate_sales"))
show(fig, "sale_prices_lines")

# %%
fig = figures.price_maps(communes(), change, change_start_year, map_year,
                                property_label=label)
add_source_note(fig, source_note("real_estate_sales") + "; boundaries: "
                + source_note("municipality_codes").removeprefix("Source: "))
export(change, "sale_prices_change", float_format="{:,.1f}",
       caption=f"Median {label} price per commune, {change_start_year} and {map_year} "
               "(EUR, nominal) and % change (Statbel)")
show(fig, "sale_prices_map")

# %% [markdown]
# ## 6. Building permits
#
# Statbel counts dwellings in building permits *granted*, per commune; there is no region
# total, so the region is the sum of the 19 communes. A permit is not a completion: projects
# are delayed, changed or abandoned. A year in which some communes have no value in the source
# is shown as incomplete; the latest full year is the last year all 19 report.

# %%
recent_permits = permits.tail(8)
show_table(
    recent_permits[["year", "region_total", "partial_sum", "communes_reporting"]].rename(
        columns={"year": "Year", "region_total": "Region total",
                 "partial_sum": "Sum of the communes reporting",
                 "communes_reporting": "Communes reporting"}),
    formats={"Year": "{:d}", "Region total": "{:,.0f}",
             "Sum of the communes reporting": "{:,.0f}", "Communes reporting": "{:d}"},
    na_rep="incomplete",
    caption=f"{permit_words.capitalize()} in building permits granted, last "
            f"{len(recent_permits)} years (all years in the export)")
headline("permits_latest_full_year", latest_full, unit="", digits=0,
         source="last year in which all 19 communes report", label="Latest full permit year",
         thousands=False)
headline("permits_latest_full_year_count", permitted[latest_full],
         unit=permit_words, digits=0,
         source="Statbel building permits, sum of the 19 communes",
         label=f"{permit_words.capitalize()} permitted in {latest_full}");

# %%
fig = figures.permit_bars(permits, measure_label=permit_words)
add_source_note(fig, source_note("building_permits")
                + ". Region = sum of the 19 communes; permits granted, not completions.")
export(permits, "building_permits_region", float_format="{:,.0f}",
       caption=f"Building permits, {permit_words}, Brussels region "
               "(sum of the communes)")
show(fig, "building_permits")

# %% [markdown]
# ## 7. Vacant dwellings against the waiting list
#
# How many dwellings stand empty while households wait for a social home? The region has no
# register of vacant dwellings. The bundled facts (`data/raw/PROVENANCE.md` section 32) give a
# 2021 model estimate by ULB/VUB researchers for the Housing Minister (cadastre, National
# Register, water-meter and enterprise data crossed), the few vacancies the communes had
# inventoried in 2019, and RBDH's 2013 count of empty social homes. Water and electricity
# meters that barely turn are listed apart: they are not dwellings (the Minister's answer says
# vacant dwellings cannot be derived from them), and two answers of the same day disagree.

# %%
show_table(
    vacancy[["year", "figure", "value", "publisher", "page_date", "source_url", "note"]].rename(
        columns={"year": "Year", "figure": "Figure", "value": "Dwellings",
                 "publisher": "Publisher", "page_date": "Page date", "source_url": "Source",
                 "note": "Note"}),
    formats={"Year": "{:d}", "Dwellings": "{:,.0f}"}, links=["Source"],
    wrap=["Figure", "Publisher", "Note"],
    caption="Vacant dwellings in the Brussels region: every dated figure found")
others = vacancy_all[~vacancy_all["dwellings"]]
display(Markdown("Other figures in the file (not counts of vacant dwellings):\n\n" + "\n".join(
    f"- {r.figure}, {r.year}: {r.value:,.0f} {r.unit} ({r.publisher})"
    for r in others.itertuples())))
for measure, bound in (("presumed_vacant_dwellings_low", "low"),
                       ("presumed_vacant_dwellings_high", "high")):
    row = vacancy[vacancy["measure"] == measure].iloc[0]
    headline(measure, row["value"], unit="dwellings", digits=0,
             source=f"{row['publisher']}, {row['page_date']}",
             label=f"Presumed vacant dwellings, {row['year']}, {bound} estimate (ULB/VUB model)")

# %%
fig = figures.vacancy_vs_waiting(vacancy, waiting)
add_source_note(fig, source_note("vacant_dwellings") + "; " + source_note("social_housing")
                + ". Dwellings and households are different units; dates differ.")
export(vacancy_all.drop(columns=["dwellings"]), "vacant_dwellings", float_format="{:,.0f}",
       caption="Vacant dwellings, meters and offices in the Brussels region: every figure with "
               "its source")
show(fig, "vacancy_vs_waiting_list")

# %% [markdown]
# ## Limits
#
# - **No official series for the queue or the stock.** The waiting-list and stock figures are
#   press and parliamentary quotes, several undated, some bounds ("more than"), some counting
#   households on several lists twice. They bracket the brochure's figures; they cannot date
#   them or say which count it used.
# - **Why homes stand empty** (renovation, unlettable, in transit between tenants) is not in
#   the sources, nor how long they stay empty.
# - **Rents**: the observatory's means are quoted in the press, not read from its reports, and
#   the earliest one is probably in later euros; the brochure does not say which rent it means
#   or whether its figure is nominal, so its claim can be bracketed, not checked.
# - **Sale prices** are Statbel medians of registered deeds: they mix dwellings of different
#   size and quality (notebook 02 shows quality-adjusted methods on synthetic data) and say
#   nothing about rents.
# - **Permits** are granted, not built; the series says nothing about completions or about
#   social homes in particular.
# - **Vacancy** is a model estimate for one year, not a count: it does not say how long
#   dwellings stand empty, whether they are habitable, what they would rent for, or whether
#   they suit the households on the list; a dwelling and a household are not the same unit.
