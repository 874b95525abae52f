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
# brochure — a social-housing waiting list of 43,000 households, a stock of about 40,000
# social homes "all occupied", about 110 new social homes a year, rents up 29% over
# 2008–2018 — and what do sale prices and building permits add?
#
# Every figure below sits next to its source and date. Where sources disagree, all versions
# are shown; none is picked silently. Fact tables come from press and parliamentary pages
# (one row per claim, `data/raw/PROVENANCE.md` sections 8, 9, 11); price and permit series
# come from Statbel (sections 1 and 2).

# %% tags=["parameters"]
property_type = "appartementen"  # Statbel: appartementen, alle_huizen, huizen_23, huizen_4plus
map_year = 2024  # year of the price map (2010-2024)
change_start_year = 2010  # start year of the price change (2010-2024)
permit_measure = "new_dwellings"  # building-permit measure summed over the 19 communes
brochure_waiting_list = 43000  # households (brochure)
brochure_stock = 40000  # social dwellings (brochure, "all occupied")
brochure_new_per_year = 110  # new social dwellings per year (brochure)
brochure_rent_change_pct = 29.0  # % (brochure)
brochure_rent_start = 2008  # period of the brochure's rent claim
brochure_rent_end = 2018

# %%
import pandas as pd
from IPython.display import Markdown, display

from permanent_research import context
from permanent_research.data import load, source_note
from permanent_research.data.boundaries import communes
from permanent_research.plots import add_source_note
from permanent_research.plots import context as figures
from permanent_research.rents import combine_index_tables
from permanent_research.reporting import check_parameters
from permanent_research.reporting.headlines import headline

check_parameters("01_brussels_context", globals())
context.check_parameters(
    property_type=property_type,
    map_year=map_year,
    change_start_year=change_start_year,
    permit_measure=permit_measure,
    brochure_rent_start=brochure_rent_start,
    brochure_rent_end=brochure_rent_end,
    brochure_figures={
        "brochure_waiting_list": brochure_waiting_list,
        "brochure_stock": brochure_stock,
        "brochure_new_per_year": brochure_new_per_year,
        "brochure_rent_change_pct": brochure_rent_change_pct,
    },
)
pd.set_option("display.max_colwidth", 60)
social = load("social_housing")
SOCIAL_NOTE = (
    source_note("social_housing")
    + ". One point per source; page URLs and dates in table social_housing_sources."
)

# %% [markdown]
# ## 1. The social-housing waiting list
#
# The bundled sources give several waiting-list figures. They refer to different dates, some
# are bounds ("more than", "nearly"), several carry no date at all, and some count households
# on several SISP lists with possible duplicates (PROVENANCE §11). Where the brochure's figure
# sits among them is computed below the table.

# %%
waiting = context.waiting_list(social)
display(waiting[["period", "value", "stated_as", "publisher", "page_date", "source_url"]])
latest = waiting.dropna(subset=["year"]).iloc[-1]
recent = waiting[(waiting["year"] >= 2017) | waiting["year"].isna()]
headline("waiting_list_latest_dated_households", latest["value"], unit="households", digits=0,
         source=f"{latest['publisher']}, {latest['period']}",
         label=f"Waiting list, latest dated figure ({latest['period']})")
headline("waiting_list_recent_low_households", recent["value"].min(), unit="households",
         digits=0, source="lowest figure dated 2017 or later, or undated",
         label="Waiting list, lowest recent figure")
headline("waiting_list_recent_high_households", recent["value"].max(), unit="households",
         digits=0, source="highest figure dated 2017 or later, or undated",
         label="Waiting list, highest recent figure")
low_recent, high_recent = recent["value"].min(), recent["value"].max()
inside = "inside" if low_recent <= brochure_waiting_list <= high_recent else "outside"
among = "is" if (waiting["value"] == brochure_waiting_list).any() else "is not"
display(Markdown(
    f"**{len(waiting)} figures** from {waiting['publisher'].nunique()} publishers. The "
    f"brochure's {brochure_waiting_list:,} lies **{inside}** the range of figures dated 2017 or "
    f"later or undated ({low_recent:,.0f} to {high_recent:,.0f}) and {among} itself one of "
    f"them; the latest dated figure is {latest['value']:,.0f} ({latest['period']})."
))

# %%
from permanent_research.reporting.present import export, show

fig = figures.waiting_list_points(waiting, brochure=brochure_waiting_list)
add_source_note(fig, SOCIAL_NOTE)
show(fig, "waiting_list")

# %% [markdown]
# ## 2. The social-housing stock: about 40,000, but not all occupied
#
# The same source (DH, January 2017, quoting the Housing Minister's cabinet) gives the stock
# and the occupied dwellings for two years; their difference (derived here) and the vacancies
# other sources state directly are listed below the table and set against the brochure's
# "all occupied". Vacant social homes are usually awaiting renovation; the figures do not say
# why they were empty.

# %%
stock = context.social_stock(social)
display(stock[["measure", "period", "value", "derived", "publisher", "page_date", "note"]])
stock_last = stock[(stock["measure"] == "social_dwellings_stock_total")].dropna(
    subset=["year"]).iloc[-1]
occupied_last = stock[(stock["measure"] == "social_dwellings_occupied")
                      & (stock["period"] == stock_last["period"])].iloc[0]
headline("social_stock_dwellings", stock_last["value"], unit="dwellings", digits=0,
         source=f"{stock_last['publisher']}, {stock_last['page_date']}",
         label=f"Social-housing stock, occupied + vacant ({stock_last['period']})")
headline("social_occupied_dwellings", occupied_last["value"], unit="dwellings", digits=0,
         source=f"{occupied_last['publisher']}, {occupied_last['page_date']}",
         label=f"Occupied social dwellings ({occupied_last['period']})")
headline("social_vacant_dwellings", stock_last["value"] - occupied_last["value"],
         unit="dwellings", digits=0, source="stock minus occupied, same source",
         label=f"Vacant social dwellings ({stock_last['period']}, derived)")
vacant = stock[stock["measure"] == "vacant_social_dwellings"]
vacant_text = "; ".join(
    f"{row.value:,.0f} ({row.period}, {'derived: stock - occupied' if row.derived else row.publisher})"
    for row in vacant.itertuples()
)
display(Markdown(f"Empty social dwellings: {vacant_text}. Every source that counts them "
                 f"finds empty homes, against the brochure's \"all occupied\"."))

# %%
fig = figures.social_stock_bars(stock, brochure=brochure_stock)
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
production = context.social_production(social, span="difference")
display(production)
gross = production[production["figure"].str.contains("gross")].iloc[0]
stated = production[production["figure"].str.contains("stated")].iloc[0]
headline("new_social_homes_per_year_computed", gross["dwellings_per_year"],
         unit="dwellings/year", digits=0, source=f"{gross['how']}; {gross['publisher']}",
         label=f"New social homes per year, {gross['period']} (computed)")
headline("new_social_homes_per_year_stated", stated["dwellings_per_year"],
         unit="dwellings/year", digits=0, source=f"{stated['publisher']}, undated",
         label="New social homes per year (stated)")
calendar = context.social_production(social, span="inclusive")
gross_calendar = calendar[calendar["figure"].str.contains("gross")].iloc[0]
net = production[production["figure"].str.contains("net change")].iloc[0]
headline("new_social_homes_per_year_calendar", gross_calendar["dwellings_per_year"],
         unit="dwellings/year", digits=1, source=f"{gross_calendar['how']}; {gross['publisher']}",
         label=f"New social homes per year, {gross['period']}, calendar years counted")
headline("social_stock_net_change_per_year", net["dwellings_per_year"], unit="dwellings/year",
         digits=0, source=f"{net['how']}; {net['publisher']}",
         label=f"Net change of the social stock per year, {net['period']}")
public = production[production["figure"].str.contains("public dwellings")]
display(Markdown(
    f"Gross: {gross['how']} = **{gross['dwellings_per_year']:.0f} a year** "
    f"({gross_calendar['how']} = {gross_calendar['dwellings_per_year']:.1f}). Net: "
    f"{net['how']} = **{net['dwellings_per_year']:.0f} a year**. {stated['publisher']}'s "
    f"undated figure: {stated['dwellings_per_year']:.0f} a year (brochure: "
    f"{brochure_new_per_year}). All public housing: "
    + ", ".join(f"{r.dwellings_per_year:.0f} ({r.period})" for r in public.itertuples())
    + "."
))

# %%
fig = figures.production_bars(production, brochure=brochure_new_per_year)
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
       caption="Brussels social housing: every figure with its source, page date and URL")

# %% [markdown]
# ## 4. Brussels rents: +29% or +20%?
#
# The **Observatoire des loyers** surveys the rent *actually paid by sitting tenants*, whatever
# the lease start. Its own statement for 2004–2018 is a rise of about 20% **in real terms**,
# i.e. beyond the health-index indexation that Belgian leases allow. The brochure's +29% over
# 2008–2018 does not say which rent or whether it is nominal. The bundled observatory series
# may lack the brochure's years; the nearest survey years are used and named below, and a
# change is deflated only where the health index covers both years.
#
# One more caution: the earliest mean in the series comes from a 2019 article and its rise to
# the latest year is close to the observatory's "almost 20%" *real* rise, so it is most likely
# expressed in the latest year's euros. Read as a nominal value and deflated again it gives the
# change printed below. Conflicting press values for the same year are shown hollow.

# %%
observatory = load("rent_observatory")
health = combine_index_tables(load("health_index_cpi"), load("health_index_cpi_2006_2015"))
rents = context.observatory_rents(observatory)
comparison = context.compare_rent_changes(
    observatory, health, brochure_change_pct=brochure_rent_change_pct,
    brochure_years=(brochure_rent_start, brochure_rent_end), deflator="health_index",
)
covered = context.annual_index(health, "health_index").index
print(f"Health index (base 2013, 12 months) covers: {', '.join(map(str, covered))}")
print(f"Missing for the periods compared: {', '.join(map(str, comparison.deflator_years_missing))}")
display(rents[["survey_year", "value", "preferred", "publisher", "page_date", "note"]])
comparison

# %%
mean_rent = comparison.mean_rent.set_index("survey_year")["value"]
first_year, last_year = int(mean_rent.index.min()), int(mean_rent.index.max())
start, end = comparison.nominal_years
claims = comparison.to_frame()
first_last = claims[(claims["period"] == f"{first_year}-{last_year}")].set_index("figure")
as_published = first_last.filter(like="computed: mean rent", axis=0)["change_pct"].iloc[0]
deflated = first_last.filter(like="computed: deflated", axis=0)["change_pct"].iloc[0]
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
    f"Nearest survey years to the brochure's {brochure_rent_start}–{brochure_rent_end}: "
    f"**{start}–{end}**, mean rent {mean_rent[start]:,.0f} → {mean_rent[end]:,.0f} EUR/month, "
    f"**{comparison.nominal_change_pct:+.1f}% nominal**"
    + (f" (not deflatable: health index missing for "
       f"{', '.join(map(str, comparison.deflator_years_missing))})"
       if comparison.deflator_years_missing else "")
    + f". {first_year}–{last_year} as published: {mean_rent[last_year]:,.0f}/"
    f"{mean_rent[first_year]:,.0f} = **{as_published:+.1f}%**, against the observatory's "
    f"\"almost 20%\" real; deflated as if {first_year} were nominal: **{deflated:+.1f}%**. "
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
display(barometers)
export(barometers, "rent_barometers_new_leases", float_format="{:,.0f}",
       caption="Agency barometers of new-lease rents, Brussels region (not comparable "
               "with the observatory)")

# %% [markdown]
# ## 5. Median sale prices per commune, 2010–2024 (Statbel)
#
# Statbel publishes medians only (no means), from registered deeds. Medians Statbel leaves
# blank (mostly 4-façade houses in communes with few sales) stay missing. Prices are nominal.

# %%
sales = load("real_estate_sales")
prices = context.median_prices(sales, property_type)
label = context.PROPERTY_LABELS[property_type]
change = context.price_change(prices, change_start_year, map_year)
display(change.round(1))
region = change[change["nis_code"] == context.REGION_CODE].iloc[0]
headline("region_median_price_start_eur", region[f"price_{change_start_year}_eur"], unit="EUR",
         digits=0, source="Statbel, real_estate_sales",
         label=f"Region median {label} price, {change_start_year}")
headline("region_median_price_end_eur", region[f"price_{map_year}_eur"], unit="EUR", digits=0,
         source="Statbel, real_estate_sales", label=f"Region median {label} price, {map_year}")
headline("region_median_price_change_pct", region["change_pct"], unit="%", digits=1,
         source="computed from Statbel medians (nominal)",
         label=f"Change of the region median {label} price, {change_start_year}-{map_year}")

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
# ## 6. Building permits, 1996–2025
#
# Statbel counts dwellings in building permits *granted*, per commune; there is no region
# total, so the region is the sum of the 19 communes. A permit is not a completion: projects
# are delayed, changed or abandoned. In 2025 three communes have no value in the source, so
# 2025 is shown as incomplete and the latest full year is the last year all 19 report.

# %%
permits = context.permit_series(load("building_permits"), permit_measure)
latest_full = context.latest_complete_year(permits)
display(permits.tail(8))
headline("permits_latest_full_year", latest_full, unit="", digits=0,
         source="last year in which all 19 communes report", label="Latest full permit year", thousands=False)
headline("permits_latest_full_year_count",
         permits.loc[permits["year"] == latest_full, "region_total"].iloc[0],
         unit=permit_measure.replace("_", " "), digits=0,
         source="Statbel building permits, sum of the 19 communes",
         label=f"{permit_measure.replace('_', ' ').capitalize()} permitted in {latest_full}")

# %%
fig = figures.permit_bars(permits, measure_label=permit_measure.replace("_", " "))
add_source_note(fig, source_note("building_permits")
                + ". Region = sum of the 19 communes; permits granted, not completions.")
export(permits, "building_permits_region", float_format="{:,.0f}",
       caption=f"Building permits, {permit_measure.replace('_', ' ')}, Brussels region "
               "(sum of the communes)")
show(fig, "building_permits")

# %% [markdown]
# ## What this notebook supports

# %%
communal = change[change["geo_level"] == "municipality"].dropna(subset=["change_pct"])
risen = int((communal["change_pct"] > 0).sum())
display(Markdown("\n".join([
    f"- **Waiting list:** the brochure's {brochure_waiting_list:,} is {inside} the spread of "
    f"figures dated 2017 or later or undated ({low_recent:,.0f} to {high_recent:,.0f} "
    f"households); the latest dated figure is {latest['value']:,.0f} ({latest['period']}).",
    f"- **Stock:** {stock_last['value']:,.0f} social homes in {stock_last['period']}, but "
    f"{stock_last['value'] - occupied_last['value']:,.0f} were empty — \"all occupied\" is "
    f"not what the sources say.",
    f"- **New social homes:** {net['dwellings_per_year']:.0f}–"
    f"{max(gross['dwellings_per_year'], stated['dwellings_per_year']):.0f} a year depending on "
    f"net or gross counting and source; the brochure says {brochure_new_per_year}.",
    f"- **Rents:** the brochure's {brochure_rent_change_pct:+.0f}% "
    f"({brochure_rent_start}–{brochure_rent_end}) cannot be reproduced exactly: the nearest "
    f"survey years ({start}–{end}) give {comparison.nominal_change_pct:+.1f}% nominal. The "
    f"observatory's +20% is a real rise over 2004–2018 (its own statement). Quote each with "
    f"what it measures.",
    f"- **Sale prices** ({label}, {change_start_year}–{map_year}, nominal) rose in {risen} of "
    f"the {len(communal)} communes with data; **permits** vary widely year to year and say "
    f"nothing about completions.",
])))
