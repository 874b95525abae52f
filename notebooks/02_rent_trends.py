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
# # 02 · Rent and price trends in Brussels
#
# **Question.** How fast did housing costs in Brussels rise, in nominal and in real terms,
# and where — which communes grew fastest?
#
# Data: Statbel median sale prices per commune (2010–2024) and the Observatoire des loyers
# survey of rents actually paid (2004–2018). Real values are deflated by the parameter
# `deflator`: the **Belgian health index** (default; METHODS.md §3, the index Belgian rents
# follow) or the **CPI chained from annual inflation rates** (a different concept: all items,
# including alcohol, tobacco and motor fuels). The health index joins two bundled tables
# (`health_index_cpi` and its 2006–2015 fill, `health_index_cpi_2006_2015`), so real values
# cover the whole 2010–2024 span; a separate section shows the same span with the CPI chain,
# clearly labelled as CPI. The last section demonstrates the
# quality-adjusted indices on **synthetic** microdata.

# %% tags=["parameters"]
communes = "all"  # "all" or a list of NIS codes / names, e.g. ["21004", "Ixelles"]
property_type = "appartementen"  # appartementen, alle_huizen, huizen_23, huizen_4plus
start_year = 2010
end_year = 2024
base_year = 2015
deflator = "health_index"  # "health_index" (Statbel, gaps 2006–2014) or "cpi_chain" (CPI)
forecast_horizon = 5

# %%
from IPython.display import Markdown, display

from permanent_research import plots, rents
from permanent_research.data import boundaries, load, source_note
from permanent_research.data.synthetic_rents import synthetic_sales
from permanent_research.plots import rents as rent_plots
from permanent_research.reporting import check_parameters
from permanent_research.reporting.headlines import headline
from permanent_research.reporting.present import export, show
from permanent_research.reporting.wording import compare, direction

check_parameters("02_rent_trends", globals())
sales_raw = load("real_estate_sales")
prices_raw = rents.combine_index_tables(
    load("health_index_cpi"), load("health_index_cpi_2006_2015")
)
chosen = rents.build_deflator(prices_raw, deflator)
health = rents.health_index_deflator(prices_raw)
cpi = rents.cpi_chained_deflator(prices_raw)
medians = rents.sales_medians(sales_raw, property_type=property_type, communes=communes)
rents.check_trend_parameters(
    medians, start_year=start_year, end_year=end_year, base_year=base_year, deflator=chosen
)
medians = medians[medians["period"].between(start_year, end_year)].reset_index(drop=True)
region = medians[medians["area"] == "04000"]
municipal = medians[medians["geo_level"] == "municipality"]
names = dict(zip(medians["area"], medians["area_name"], strict=False))
real_name = "health index" if deflator == "health_index" else "CPI chain"
SALES_NOTE = source_note("real_estate_sales") + "; nominal euros"
REAL_NOTE = source_note("real_estate_sales") + "; " + chosen.caption()
print(chosen.summary())


def as_real(frame):
    """Swap the nominal value for the real one (euros of base_year) in a tidy frame."""
    return frame.drop(columns="value").rename(columns={"value_real": "value"})


# Every result the findings and the sections below read, computed once.
region_real = rents.real_values(region, chosen, base_year=base_year, missing="drop")
first_real = int(region_real["period"].min())
nominal_growth = rents.growth_table(region, start_year=start_year, end_year=end_year)
real_growth = rents.growth_table(as_real(region_real), start_year=first_real, end_year=end_year)
region_cpi = rents.real_values(region, cpi, base_year=base_year)
cpi_growth = rents.growth_table(as_real(region_cpi), start_year=start_year, end_year=end_year)
ranking = rents.growth_table(municipal, start_year=start_year, end_year=end_year)
ranking.insert(1, "commune", ranking["area"].map(names))
ranked = ranking.dropna(subset=["cagr_pct"])
top, bottom = ranked.iloc[0], ranked.iloc[-1]

uncertain_years = {2004: "price basis uncertain (probably 2018 euros), not deflated"}
observatory = rents.observatory_rents(load("rent_observatory"))
observed = observatory[~observatory["period"].isin(list(uncertain_years))]
observatory_real = rents.real_values(observed, chosen, base_year=base_year, missing="drop")
obs_first, obs_last = int(observed["period"].min()), int(observed["period"].max())
real_first = int(observatory_real["period"].min())
obs_growth = rents.growth_table(observed, start_year=obs_first, end_year=obs_last)
obs_real_growth = rents.growth_table(
    as_real(observatory_real), start_year=real_first, end_year=obs_last
)
trend = rents.trend_model(municipal.dropna(subset=["value"]))
projection = rents.forecast(region[["period", "value"]], horizon=forecast_horizon, level=0.9)
last = projection.projection().iloc[-1]

price_nominal = nominal_growth["growth_pct"].iloc[0]
price_real = real_growth["growth_pct"].iloc[0]
rent_nominal = obs_growth["growth_pct"].iloc[0]
rent_real = obs_real_growth["growth_pct"].iloc[0]

# %% [markdown]
# ## Findings

# %%
label = property_type.replace("appartementen", "apartment")


def then(first, second):
    """The verb for a second change: omitted when it goes the same way as the first."""
    word = direction(second)
    return "" if word == direction(first) else word + " "


display(Markdown("\n".join([
    f"- **Sale prices.** The region's median {label} price {direction(price_nominal)} "
    f"{abs(price_nominal):.1f}% in nominal terms from {start_year} to {end_year} and "
    f"{then(price_nominal, price_real)}{abs(price_real):.1f}% in real terms from {first_real} "
    f"(euros of {base_year}, deflated by the {real_name}); with the CPI chain instead it "
    f"{direction(cpi_growth['growth_pct'].iloc[0])} "
    f"{abs(cpi_growth['growth_pct'].iloc[0]):.1f}%.",
    f"- **Where.** {top['commune']} grew fastest ({top['cagr_pct']:+.2f}% a year, nominal), "
    f"{bottom['commune']} slowest ({bottom['cagr_pct']:+.2f}% a year); "
    f"{int((ranked['cagr_pct'] > 0).sum())} of {len(ranked)} communes with data rose. Across "
    f"communes the common trend is {trend.annual_growth_pct:+.2f}% a year "
    f"({round(100 * trend.level)}% CI {trend.ci_low_pct:.2f} to {trend.ci_high_pct:.2f}).",
    f"- **Rents paid.** The mean rent sitting tenants pay {direction(rent_nominal)} "
    f"{abs(rent_nominal):.1f}% nominal from {obs_first} to {obs_last} and "
    f"{then(rent_nominal, rent_real)}{abs(rent_real):.1f}% in real terms from {real_first}: rents "
    f"grew {compare(rent_real, price_real, more='faster', less='more slowly', same='as fast')} "
    f"than sale prices in real terms (different periods: {real_first}–{obs_last} against "
    f"{first_real}–{end_year}).",
    f"- **Projection (model output, not data).** Extending the {start_year}–{end_year} trend, "
    f"the region median would be {last['value']:,.0f} EUR in {int(last['period'])}, "
    f"{compare(last['value'], region['value'].iloc[-1], more='above', less='below')} "
    f"today's {region['value'].iloc[-1]:,.0f} EUR.",
])))

# %% [markdown]
# ## Index lines, nominal and real
#
# Median sale price per commune as a direct index (base year = 100); the thick black line is
# the region, the dashed line the region in real terms (euros of the base year, deflated by
# the chosen `deflator`). Real values exist only for the years the deflator covers.

# %%
nominal = rents.price_index(medians, base_year=base_year)
real_index = rents.price_index(as_real(region_real), base_year=base_year)
lines = {names[a]: part for a, part in nominal.groupby("area") if a != "04000"}
lines["Brussels Region (nominal)"] = nominal[nominal["area"] == "04000"]
lines[f"Brussels Region (real, {real_name})"] = real_index
fig = rent_plots.index_lines(
    lines,
    title=(
        f"Region median {property_type} price: {price_nominal:+.0f}% "
        f"nominal {start_year}–{end_year}, {price_real:+.0f}% real "
        f"{first_real}–{end_year}"
    ),
    ylabel=f"Index ({base_year} = 100)",
    highlight="Brussels Region (nominal)",
)
plots.add_source_note(fig, REAL_NOTE)
show(fig, "02_index_lines")

# %%
headline(
    "region_median_price_growth_pct",
    price_nominal,
    unit="%",
    digits=1,
    label=f"Region median {property_type} price, nominal growth {start_year}–{end_year}",
    source="real_estate_sales, nis_code 04000, median_price",
)
headline(
    "region_median_price_real_growth_pct",
    price_real,
    unit="%",
    digits=1,
    label=f"Region median {property_type} price, real growth {first_real}–{end_year} "
    f"(EUR of {base_year}, deflated by the {real_name})",
    source=f"real_estate_sales 04000 / health_index_cpi ({chosen.series})",
);

# %% [markdown]
# ## Real prices over the full span: health index against the CPI chain
#
# With 2006–2014 filled, the health index covers the whole 2010–2024 sales span. For
# comparison the same span is also deflated with the consumer price index chained from its
# annual inflation rates (World Bank, from Statbel's CPI). The CPI is **not** the health
# index: it includes alcohol, tobacco and motor fuels. The table below compares the two year
# by year; the CPI line is a proxy for the health-index line, not the same measure.

# %%
region_health = rents.real_values(region, health, base_year=base_year, missing="drop")
fig = rent_plots.index_lines(
    {
        "Brussels Region (nominal)": rents.price_index(region, base_year=base_year),
        "real, deflated by the CPI chain (not the health index)": rents.price_index(
            as_real(region_cpi), base_year=base_year
        ),
        "real, deflated by the health index": rents.price_index(
            as_real(region_health), base_year=base_year
        ),
    },
    title=(
        f"Region median {property_type} price {start_year}–{end_year}: "
        f"{cpi_growth['growth_pct'].iloc[0]:+.0f}% in CPI-deflated euros"
    ),
    ylabel=f"Index ({base_year} = 100)",
)
plots.add_source_note(
    fig,
    f"{source_note('real_estate_sales')}; orange line deflated by the {cpi.description}; "
    f"green line by the {health.description} (covers {health.coverage()})",
)
show(fig, "02_real_full_span")
overlap = [y for y in health.years if y in cpi.years]
deflator_table = (
    health.to_frame()[["year", "change_pct"]]
    .merge(cpi.to_frame()[["year", "change_pct"]], on="year", suffixes=("_health", "_cpi"))
    .assign(gap_pp=lambda t: t["change_pct_cpi"] - t["change_pct_health"])
    .dropna()
)
recent_deflators = deflator_table.tail(10)
show(
    deflator_table,
    "02_deflators",
    caption="Annual change (%) of the health index and of the CPI chain (a different "
    "concept), years where both exist",
    shown=recent_deflators.rename(columns={
        "year": "Year", "change_pct_health": "Health index (%)", "change_pct_cpi": "CPI chain (%)",
        "gap_pp": "CPI − health (points)"}),
    formats={"Year": "{:d}", "Health index (%)": "{:+.2f}", "CPI chain (%)": "{:+.2f}",
             "CPI − health (points)": "{:+.2f}"},
    display_caption=f"Annual change of the two deflators, last {len(recent_deflators)} years "
                    f"(all {len(deflator_table)} years in the export)",
)
y0, y1 = min(overlap[-10:]), max(overlap)
print(
    f"Growth factor {y0}–{y1}: health index ×{health.factor(y0, y1):.4f}, "
    f"CPI chain ×{cpi.factor(y0, y1):.4f} (CPI/health − 1 = "
    f"{100 * (cpi.factor(y0, y1) / health.factor(y0, y1) - 1):+.2f}%)"
)
headline(
    "region_median_price_real_growth_cpi_pct",
    cpi_growth["growth_pct"].iloc[0],
    unit="%",
    digits=1,
    label=f"Region median {property_type} price, real growth {start_year}–{end_year} "
    f"(EUR of {base_year}, deflated by the CPI chain, NOT the health index)",
    source="real_estate_sales 04000 / cpi_inflation_annual_pct chained",
);

# %% [markdown]
# ## Which communes grew fastest?
#
# Growth and compound annual growth rate (CAGR) of the commune median between the start and
# end year, in nominal euros; communes without a published median in either year have no
# rank.

# %%
ranking_table = ranking[
    ["rank", "area", "commune", "value_start", "value_end", "growth_pct", "cagr_pct"]
].rename(columns={"area": "nis_code", "value_start": f"median_eur_{start_year}",
                  "value_end": f"median_eur_{end_year}"})
show(
    ranking_table,
    "02_commune_ranking",
    caption=f"Median {property_type} sale price by commune, {start_year}--{end_year} (nominal)",
    shown=ranking_table.drop(columns="nis_code").rename(columns={
        "rank": "Rank", "commune": "Commune", f"median_eur_{start_year}": f"{start_year} (EUR)",
        f"median_eur_{end_year}": f"{end_year} (EUR)", "growth_pct": "Growth (%)",
        "cagr_pct": "CAGR (% a year)"}),
    formats={"Rank": "{:.0f}", f"{start_year} (EUR)": "{:,.0f}", f"{end_year} (EUR)": "{:,.0f}",
             "Growth (%)": "{:+.1f}", "CAGR (% a year)": "{:+.2f}"},
    display_caption=f"Median {property_type} sale price by commune, {start_year}–{end_year} "
                    "(nominal); – : no published median",
)
headline(
    "fastest_commune_cagr_pct",
    top["cagr_pct"],
    unit="% per year",
    digits=2,
    label=f"Fastest-growing commune ({top['commune']}, {top['area']}), CAGR "
    f"{start_year}–{end_year}",
    source="real_estate_sales, median_price",
);

# %%
fig = rent_plots.growth_ranking(
    ranking.rename(columns={"commune": "area_name"}),
    title=(
        f"Median {property_type} price, nominal CAGR {start_year}–{end_year}: "
        f"{top['commune']} fastest, {bottom['commune']} slowest"
    ),
)
plots.add_source_note(fig, SALES_NOTE)
show(fig, "02_commune_ranking")

# %% [markdown]
# ## Map of growth

# %%
areas = boundaries.communes().merge(
    ranking[["area", "cagr_pct"]], left_on="nis_code", right_on="area", how="left"
)
fig = plots.choropleth(
    areas,
    "cagr_pct",
    title=f"Nominal CAGR of the median {property_type} price, {start_year}–{end_year}",
    legend_label="% per year (nominal)",
    cmap="OrRd",
    label_column="name_fr",
)
plots.add_source_note(fig, SALES_NOTE)
show(fig, "02_growth_map")

# %% [markdown]
# ## Rents actually paid: nominal against real
#
# The Observatoire des loyers surveys sitting tenants (mean rent of all dwellings, preferred
# values). Real rents (euros of the base year) are drawn for the survey years the deflator
# covers.
#
# The earliest mean comes from a 2019 article, and its rise to the latest survey year is close
# to the *real* rise the observatory states for the same years: it is most likely already in
# the latest year's euros (see notebook 01). Read as nominal and deflated again it would give
# a real change that contradicts the source (both printed below). It is therefore drawn apart
# and left out of the growth figures, which start at the first survey year after it.

# %%
apart = observatory[observatory["period"].isin(list(uncertain_years))]
for row in apart.itertuples():
    latest_rent = observatory.loc[observatory["period"] == obs_last, "value"].iloc[0]
    print(f"{row.period}: {row.value:,.0f} EUR; {latest_rent:,.0f}/{row.value:,.0f} − 1 = "
          f"{100 * (latest_rent / row.value - 1):+.1f}% to {obs_last} "
          f"({uncertain_years[row.period]}).")
    if row.period in chosen.years:
        as_nominal = 100 * (latest_rent / row.value / chosen.factor(row.period, obs_last) - 1)
        print(f"Read as nominal and deflated by the {real_name}: {as_nominal:+.1f}% "
              f"({direction(as_nominal)} in real terms).")
observatory_both = observatory.merge(
    observatory_real[["period", "value_real"]], on="period", how="left"
)
fig = rent_plots.nominal_vs_real(
    observatory_both,
    base_year=base_year,
    title=(
        f"Mean monthly rent paid, Brussels Region: {rent_nominal:+.0f}% "
        f"nominal {obs_first}–{obs_last}, {rent_real:+.0f}% real "
        f"{real_first}–{obs_last}"
    ),
    real_label=f"real (EUR of {base_year}, deflated by the {real_name})",
    apart=uncertain_years,
)
plots.add_source_note(fig, source_note("rent_observatory") + "; " + chosen.caption())
show(fig, "02_observatory_rents")
obs_table = observatory_both.rename(
    columns={"value": "rent_eur_month_as_published",
             "value_real": f"rent_eur_month_real_{base_year}"}
)[["period", "rent_eur_month_as_published", f"rent_eur_month_real_{base_year}"]]
show(
    obs_table,
    "02_observatory_rents",
    caption=f"Mean monthly rent paid (Observatoire des loyers), as published and real "
    f"(deflated by the {real_name}); 2004 probably already in 2018 euros",
    shown=obs_table.rename(columns={
        "period": "Survey year", "rent_eur_month_as_published": "As published (EUR/month)",
        f"rent_eur_month_real_{base_year}": f"Real (EUR of {base_year}/month)"}),
    formats={"Survey year": "{:d}", "As published (EUR/month)": "{:,.0f}",
             f"Real (EUR of {base_year}/month)": "{:,.0f}"},
    na_rep="not deflated",
    display_caption=f"Mean monthly rent paid, as published and deflated by the {real_name}",
)

# %%
headline(
    "observatory_rent_growth_pct",
    rent_nominal,
    unit="%",
    digits=1,
    label=f"Mean rent paid, nominal growth {obs_first}–{obs_last}",
    source="rent_observatory, mean_monthly_rent_all_dwellings, preferred (2004 left out)",
)
headline(
    "observatory_rent_real_growth_pct",
    rent_real,
    unit="%",
    digits=1,
    label=f"Mean rent paid, real growth {real_first}–{obs_last} (deflated by the {real_name})",
    source=f"rent_observatory / health_index_cpi ({chosen.series})",
);

# %% [markdown]
# ## Trend across communes
#
# `ln median price = commune effect + b · year` on nominal medians, standard errors clustered
# by commune (communes with a missing median in some year keep their other years).

# %%
trend_table = trend.to_frame()
show(
    trend_table,
    "02_trend_model",
    caption=trend.summary(),
    float_format="{:,.4f}",
    shown=trend_table[["term", "annual_growth_pct", "ci_low_pct", "ci_high_pct", "p_value",
                       "n_obs", "n_clusters", "years"]].assign(
        term="year (common trend)").rename(columns={
        "term": "Term", "annual_growth_pct": "Growth (% a year)",
        "ci_low_pct": f"{round(100 * trend.level)}% CI low", "ci_high_pct":
        f"{round(100 * trend.level)}% CI high", "p_value": "p-value", "n_obs": "Observations",
        "n_clusters": "Communes", "years": "Years"}),
    formats={"Growth (% a year)": "{:.2f}", f"{round(100 * trend.level)}% CI low": "{:.2f}",
             f"{round(100 * trend.level)}% CI high": "{:.2f}",
             "p-value": lambda p: "< 0.001" if p < 0.001 else f"{p:.3f}"},
    display_caption="Common trend of the commune medians (nominal); estimate in log points "
                    "and its clustered standard error in the export",
)
headline(
    "trend_annual_growth_pct",
    trend.annual_growth_pct,
    unit="% per year",
    digits=2,
    label=f"Common trend in commune medians (nominal), {start_year}–{end_year}",
    source="real_estate_sales, OLS with commune fixed effects",
);

# %% [markdown]
# ## Projection (model output, not data)
#
# A log-linear trend fitted to the nominal region median, extended `forecast_horizon` years
# with a 90% prediction interval. It extrapolates the past; it is not a forecast of policy
# effects.

# %%
fig = rent_plots.forecast_fan(
    projection.to_frame(),
    level=projection.level,
    title=(
        f"Region median {property_type} price: the {start_year}–{end_year} trend would reach "
        f"{last['value']:,.0f} EUR in {int(last['period'])} (projection)"
    ),
    ylabel="EUR (nominal)",
)
plots.add_source_note(fig, SALES_NOTE + "; projection: " + projection.method)
show(fig, "02_projection")
export(projection.projection(), "02_projection",
       caption="Projection (model output, not data) of the region median price, "
       "EUR (nominal)")
print(projection.summary())

# %% [markdown]
# ## Quality-adjusted indices on synthetic microdata
#
# Medians mix dwellings of different quality. With transaction or lease microdata (schema in
# `docs/rents.md`) the package estimates a hedonic time-dummy index and a Case–Shiller
# weighted repeat-sales index. Here both run on **synthetic** sales whose true index is known.

# %%
demo = synthetic_sales(50_000, n_periods=12, seed=2)
hedonic = rents.hedonic_index(demo.sales, characteristics=["floor_area_m2", "rooms"])
repeat = rents.repeat_sales_index(demo.sales)
estimates = {"hedonic time-dummy": hedonic.to_frame(),
             "repeat sales (Case–Shiller)": repeat.to_frame()}
short = {"hedonic time-dummy": "hedonic", "repeat sales (Case–Shiller)": "repeat sales"}
truth = demo.truth.set_index("period")["index"]
gaps = {name: float((frame.set_index("period")["index"] - truth).abs().max())
        for name, frame in estimates.items()}
fig = rent_plots.index_recovery(
    demo.truth,
    estimates,
    title=("Largest gap to the true index: "
           + ", ".join(f"{short[name]} {gap:.1f}" for name, gap in gaps.items())
           + f" points ({len(demo.sales):,} sales)"),
)
show(fig, "02_synthetic_recovery")
print(hedonic.summary())
print(repeat.summary())

# %% [markdown]
# ## Limits
#
# - **Medians, not quality-adjusted prices.** Statbel's commune medians mix dwellings of
#   different size, age and condition; a median can move because the mix of sales changed.
#   The quality-adjusted indices above need deed or lease microdata, which are not bundled.
# - **Sale prices are not rents.** Rents enter only through the observatory's region-wide
#   means for a handful of survey years, quoted in the press; there is no rent series per
#   commune, so "where rents rose fastest" cannot be answered from these data.
# - **Real terms depend on the deflator.** The health index and the CPI chain are different
#   baskets; neither measures the incomes of the households who rent.
# - **The earliest observatory mean** has an uncertain price basis and is left out of the
#   growth figures.
# - **The projection extends a past trend**; it knows nothing about interest rates, policy
#   or the housing supply.
