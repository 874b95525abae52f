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
# # 04 — Where is displacement pressure in Brussels? A UDP-style typology
#
# **Question.** Which Brussels quartiers look like they are undergoing gentrification or
# displacement pressure, under the Urban Displacement Project (UDP) typology adapted to the data
# Brussels has — how much of that picture rests on the Brussels choices and on thin price
# samples, and do evictions fall where the typology sees pressure?
#
# The finest level with data is the IBSA *Monitoring des Quartiers* (145 quartiers; 57 with a
# time series 2005–2022, another 60 with recent years only). Tenants' rents per quartier come from
# the rent observatory's survey records (2017, 2018, 2020), eviction judgments (2018) and rented
# dwellings (cadastre 2015) from statistical sectors aggregated to quartiers. Every Brussels
# adaptation of a UDP rule is listed in `docs/displacement.md` and reported below.

# %% tags=["parameters"]
duplicates = "exclude"  # ambiguous duplicate mdrc rows: "exclude" or "mean"
tied = "keep"  # suspect tied incomes: "keep" or "exclude" (set missing)
income_years = [2005, 2022]  # t0, t1 of income, CPAS share and population (quartiers)
level_t0_year = 2010  # first year of unemployment and social-housing series (quartiers)
price_t0_years = [2015, 2016, 2017]  # apartment-price windows (real, 2022 prices)
price_t1_years = [2021, 2022, 2023]
price_min_years = 2  # fewest published years a price window needs
commune_years = [2015, 2022]  # t0, t1 at commune level (disposable income starts 2015)
income_low_ratio = 0.85
vulnerable_min_criteria = 2
gentrified_variant = "urban"
population_min = 500
band = "max_nn"
markets = "value"  # market flags: "value" (sale prices), "rent" (survey rents), "rent_and_value"
bootstrap_draws = 200  # draws of thin price samples (class stability)
bootstrap_seed = 2026


# %%
import pandas as pd

from permanent_research import displacement as dp
from permanent_research import rents
from permanent_research.data import load, source_note
from permanent_research.data.boundaries import communes, quartiers
from permanent_research.plots import add_source_note
from permanent_research.plots.displacement import sensitivity_lines, typology_map
from permanent_research.reporting import check_parameters
from permanent_research.reporting.headlines import headline
from permanent_research.reporting.tables import show_table
from permanent_research.tenant_effort import survey_records

check_parameters("04_displacement", globals())
params = dp.UDPParameters.brussels(
    income_low_ratio=income_low_ratio,
    vulnerable_min_criteria=vulnerable_min_criteria,
    gentrified_variant=gentrified_variant,
    population_min=population_min,
    band=band,
)
t0_year, t1_year = income_years
spec = {
    "population": dp.InputSpec("population_total", (t0_year,), (t1_year,)),
    "median_income_eur": dp.InputSpec("median_taxable_income_per_return", (t0_year,), (t1_year,)),
    "low_income_share_pct": dp.InputSpec("share_cpas_income_recipients", (t0_year,), (t1_year,)),
    "unemployment_rate_pct": dp.InputSpec("unemployment_rate", (level_t0_year,), (t1_year,)),
    "social_housing_pct": dp.InputSpec(
        "social_housing_per_100_households", (level_t0_year,), (t1_year,)
    ),
    "median_value_eur": dp.InputSpec(
        "median_apartment_sale_price",
        tuple(price_t0_years),
        tuple(price_t1_years),
        min_years=price_min_years,
    ),
}


def _value_text(value):
    """Parameter values for readers: tuples as lists, no quotes."""
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value) or "none"
    return value


parameter_names = params.to_frame()["parameter"]
show_table(pd.DataFrame({"UDP parameter": parameter_names,
                         "Value in this run": [_value_text(getattr(params, n))
                                               for n in parameter_names]}),
           formats={"Value in this run": str},
           caption="Typology parameters (Brussels adaptation; deviations from UDP in section 7)")

# %% [markdown]
# ## Findings
#
# Computed on **every quartier with data** (both entry blocks of the workbook): each regional
# reference value is the median over the quartiers that have that indicator in the year used, and
# a regional change over those with both years. Sections 1–7 give the detail on the 57 quartiers
# with a full time series; section 8 the tables behind each sentence.

# %%
from IPython.display import Markdown, display

from permanent_research.reporting.present import export, show

raw = load("monitoring_quartiers")
health = rents.combine_index_tables(load("health_index_cpi"), load("health_index_cpi_2006_2015"))
health = health[(health["series"] == "health_index") & (health["base"] == "2013=100")]
deflator = dp.annual_index(health)
geo_q = quartiers()
centroids = geo_q.to_crs("EPSG:3812").geometry.centroid
coords_q = pd.DataFrame(
    {"area": geo_q["mdrc"].astype(str), "x_m": centroids.x, "y_m": centroids.y}
)
names_q = geo_q.assign(area=geo_q["mdrc"].astype(str)).set_index("area")
areas_q = pd.DataFrame({"area": geo_q["mdrc"].astype(str), "name": geo_q["name_fr"],
                        "commune": geo_q["commune_en"]})

# every quartier with data, plus tenants' median rents (real, prices of t1) from the survey:
# waves 2017-2018 pooled as t0, 2020 as t1, suppressed below MIN_SURVEY_RECORDS records
clean_all, _ = dp.handle_flagged_rows(raw.rename(columns={"mdrc": "area"}),
                                      duplicates=duplicates, tied=tied)
panel_all = dp.build_area_period(clean_all, spec, deflator=deflator, base_year=t1_year)
sector_to_quartier = dp.sector_map(load("sector_quartier_map"), quartiers=geo_q["mdrc"])
survey = survey_records(load("rent_observatory_survey"))
survey = survey.assign(
    period=survey["survey_year"].map({2017: "t0", 2018: "t0", 2020: "t1"}),
    rent_eur_month=survey["rent_eur_month"]
    * survey["survey_year"].map(lambda y: deflator[t1_year] / deflator[y]),
)
survey_rents = dp.survey_rents_by_quartier(survey, sector_to_quartier, by="period")
rent_levels = survey_rents.assign(area=survey_rents["quartier"].astype(str)).pivot(
    index="area", columns="period", values="rent_median_eur_month")
panel_all["median_rent_eur_month"] = [
    rent_levels.at[a, p] if a in rent_levels.index else float("nan")
    for a, p in zip(panel_all["area"].astype(str), panel_all["period"], strict=True)
]
ind_all = dp.indicators(panel_all, coordinates=coords_q, band=params.band,
                        band_factor=params.band_factor)
params_all = params.replace(markets=markets)

# UDP's income cut-off against the Brussels adaptation
typ_udp080 = dp.udp_typology(ind_all, params_all.replace(income_low_ratio=0.80))
typ_all = dp.udp_typology(ind_all, params_all)
side = dp.compare_classes(typ_udp080, typ_all, labels=("UDP 0.80", f"Brussels {income_low_ratio:g}"))
n_changed = side.attrs["changed"]
side.index = side.index.astype(str)
side = side.join(names_q[["name_fr", "commune_en"]])
headline(
    "quartiers_changing_class_udp_vs_brussels",
    n_changed,
    unit="quartiers",
    digits=0,
    label=f"Quartiers whose class differs between UDP's 0.80 and the {income_low_ratio:g} cut-off",
    source="every quartier with data, both entry blocks of monitoring_quartiers",
)

# class stability over draws of the thin apartment-price medians
n_sales = clean_all[clean_all["indicator"] == "n_apartment_sales"]
sales_q = pd.DataFrame({
    "n_sales_t0": n_sales[n_sales["year"].isin(price_t0_years)].groupby("area")["value"].sum(
        min_count=1),
    "n_sales_t1": n_sales[n_sales["year"].isin(price_t1_years)].groupby("area")["value"].sum(
        min_count=1),
}).rename_axis("area").reset_index()
stability = dp.class_stability(ind_all, params_all, sales_q, coordinates=coords_q,
                               draws=bootstrap_draws, seed=bootstrap_seed)
classified_stab = stability[stability["category"] != "undecidable"]
n_stable = int((classified_stab["keeps_class_share"] >= 0.9).sum())
headline(
    "quartiers_class_stable_90pct",
    n_stable,
    unit="quartiers",
    digits=0,
    label=f"Classified quartiers keeping their class in ≥ 90 % of {bootstrap_draws} price draws",
    source=f"class_stability, seed {bootstrap_seed}, log-price dispersion 0.35",
)

# where pressure and evictions fall
pressure_sentence, by_commune = dp.pressure_finding(typ_all, areas_q)
evictions = dp.eviction_rates(load("evictions_2018_sectors"),
                              load("rental_ownership_2015_sectors"), sector_to_quartier)
eviction_sentence, evictions_by_class = dp.eviction_finding(typ_all, evictions, areas_q)
published = evictions[~evictions["suppressed"]]
headline(
    "evictions_per_1000_rented_region",
    1000.0 * published["evictions_2018"].sum() / published["rented_dwellings_2015"].sum(),
    unit="judgments per 1,000 rented dwellings",
    digits=1,
    label=(f"Eviction judgments 2018 per 1,000 rented dwellings (cadastre 2015), quartiers with "
           f"at least {evictions.attrs['min_rented_dwellings']} rented dwellings"),
    source="evictions_2018_sectors, rental_ownership_2015_sectors, sector_quartier_map",
)
headline(
    "quartiers_eviction_rate_suppressed",
    int(evictions["suppressed"].sum()),
    unit="quartiers",
    digits=0,
    label=(f"Quartiers whose eviction rate is suppressed (fewer than "
           f"{evictions.attrs['min_rented_dwellings']} rented dwellings)"),
    source="rental_ownership_2015_sectors aggregated to quartiers",
)

# tenants' rents as UDP intends: the same typology reading rents as well as prices
have_rents = ind_all.table[["rent_t0", "rent_t1"]].notna().all(axis=1)
headline(
    "quartiers_with_survey_rents_both_periods",
    int(have_rents.sum()),
    unit="quartiers",
    digits=0,
    label=(f"Quartiers with a survey median rent in 2017-2018 and in 2020 (at least "
           f"{survey_rents.attrs['min_records']} records each)"),
    source="rent_observatory_survey, sector_quartier_map",
)
other_markets = "rent_and_value" if markets != "rent_and_value" else "value"
market_words = {"value": "apartment prices only", "rent": "survey rents only",
                "rent_and_value": "rents and prices together (as UDP does)"}
typ_markets = dp.udp_typology(ind_all, params_all.replace(markets=other_markets))
side_markets = dp.compare_classes(typ_all, typ_markets, labels=(markets, other_markets))


def _names(areas):
    """'Name (Commune)' for a list of quartier codes, in order."""
    return ", ".join(f"{names_q.at[a, 'name_fr']} ({names_q.at[a, 'commune_en']})" for a in areas)


n_classified = int(typ_all.classes["code"].notna().sum())
least = classified_stab.sort_values("keeps_class_share").head(3)
changed_names = side.index[side["changed"]]
findings_text = [
    f"**Where pressure concentrates.** {pressure_sentence}",
    f"**UDP's cut-off against the Brussels adaptation.** {n_changed} of {len(side)} quartiers "
    f"with data change class between UDP's low-income cut-off (0.80 × the regional median "
    f"income) and {income_low_ratio:g}"
    + (f": {_names(changed_names[:5])}" + (" and others" if len(changed_names) > 5 else "")
       if n_changed else "")
    + f". At 0.80, {int(typ_udp080.classes['code'].isin([1, 2, 3, 4]).sum())} quartiers are in a "
    f"low-income class; at {income_low_ratio:g}, {int(typ_all.classes['code'].isin([1, 2, 3, 4]).sum())}.",
    f"**How stable the classes are.** {n_stable} of {len(classified_stab)} classified quartiers "
    f"keep their class in at least 90 % of {bootstrap_draws} draws of their apartment-price "
    f"medians (seed {bootstrap_seed}); the least stable are {_names(least.index)}, keeping it in "
    f"{', '.join(f'{v:.0%}' for v in least['keeps_class_share'])} of draws.",
    f"**Evictions.** {eviction_sentence}",
    f"**Tenants' rents.** {int(have_rents.sum())} quartiers have a survey median rent in both "
    f"periods; reading {market_words[other_markets]} instead of {market_words[markets]} "
    f"changes the class of {side_markets.attrs['changed']} of {len(side_markets)} quartiers.",
]
display(Markdown("\n\n".join(f"- {line}" for line in findings_text)))

# %%
pressure_codes = typ_all.classes.index[typ_all.classes["code"].isin(dp.PRESSURE_CODES)]
top_evictions = published.sort_values("evictions_per_1000_rented", ascending=False).head(3)
named_areas = list(dict.fromkeys([*map(str, pressure_codes), *map(str, top_evictions.index)]))
fig = typology_map(
    geo_q,
    typ_all.classes,
    key="mdrc",
    title=(f"{len(pressure_codes)} of {n_classified} classified quartiers are in a pressure "
           f"class (UDP, Brussels adaptation, every quartier with data, {t0_year}→{t1_year}); "
           f"named: those and the three highest eviction rates"),
    source=source_note("monitoring_quartiers"),
    labels={a: f"{names_q.at[a, 'name_fr']} ({names_q.at[a, 'commune_en']})"
            for a in named_areas},
)
show(fig, "04_udp_map_all_quartiers")

# %% [markdown]
# ## 1. The quartier series and its flagged rows
#
# The source workbook repeats two codes with *different* data (mdrc 37 Flagey-Malibran and
# 109 Observatoire, flag `AMBIGUOUS_DUPLICATE_MDRC_ROW_*`) and marks median incomes shared by
# several quartiers in one year as suspect ties. Nothing is dropped silently: the table below
# lists every flagged area, its rows and what is done with them (parameters `duplicates`,
# `tied`).

# %%
series = raw[raw["entry_block"] == "block1_time_series"].rename(columns={"mdrc": "area"})
clean, flagged = dp.handle_flagged_rows(series, duplicates=duplicates, tied=tied)
headline(
    "quartiers_with_time_series",
    series["area"].nunique(),
    unit="quartiers",
    digits=0,
    label="Quartiers with a time series in the IBSA Monitoring des Quartiers",
    source="monitoring_quartiers, entry_block = block1_time_series",
)
headline(
    "ambiguous_duplicate_rows",
    int(series["flag"].fillna("").str.startswith("AMBIGUOUS_DUPLICATE").sum()),
    unit="rows",
    digits=0,
    label=f"Source rows under an ambiguously duplicated quartier code (treatment: {duplicates})",
    source=f"monitoring_quartiers, flag AMBIGUOUS_DUPLICATE_MDRC_ROW_*; action: {duplicates}",
)
headline(
    "suspect_tied_rows",
    int((series["flag"] == "SUSPECT_TIED_VALUE_ACROSS_QUARTIERS").sum()),
    unit="rows",
    digits=0,
    label=f"Source rows with a median income tied across quartiers (suspect; treatment: {tied})",
    source=f"monitoring_quartiers time series, SUSPECT_TIED_VALUE_ACROSS_QUARTIERS; {tied}",
)
show(
    flagged,
    "04_flagged_rows",
    caption="Flagged source rows of the Monitoring des Quartiers and their handling",
    shown=flagged.rename(columns={"area": "Quartier (mdrc)", "flag": "Flag", "rows": "Rows",
                                  "action": "Treatment"}),
    formats={"Quartier (mdrc)": str},
    display_caption="Flagged source rows of the Monitoring des Quartiers and what is done with them",
)

# %% [markdown]
# ## 2. The area-period table and the indicators
#
# Money is deflated with the Statbel health index (annual average of the monthly base-2013
# series) to 2022 prices. Apartment prices are thin (confidential `VS` cells in the poorest
# quartiers), so each period averages three years and needs at least `price_min_years` of
# them. Unemployment and social housing start in 2010, which serves as their t0.

# %%
panel = dp.build_area_period(clean, spec, deflator=deflator, base_year=t1_year)
inputs = [c for c in spec]
complete = panel.groupby("area")[inputs].apply(lambda f: f.notna().all().all())
headline(
    "quartiers_complete_inputs",
    int(complete.sum()),
    unit="quartiers",
    digits=0,
    label=f"Quartiers with every typology input at t0 and t1 (t1 = {t1_year})",
    source="area-period table: every input present at t0 and t1",
)
ind_q = dp.indicators(panel, coordinates=coords_q, band=params.band, band_factor=params.band_factor)
ind_q

# %% [markdown]
# ## 3. UDP flags, then the category rules
#
# Flags are computed first (missing where an input is missing), the nine rules second. The
# flag table counts, per flag, the quartiers where it is true, false or undecidable.

# %%
flags_q = dp.udp_flags(ind_q, params)
typ_q = dp.udp_rules(flags_q, params)
flag_counts = flags_q.counts()
show(
    flag_counts,
    "04_udp_flags_quartiers",
    caption="UDP input flags per quartier: true / false / missing",
    shown=flag_counts.rename(columns={"flag": "Flag", "true": "True", "false": "False",
                                      "missing": "Missing", "codes": "Categories (code: quartiers)"}),
    display_caption="Quartiers per UDP flag: true, false or missing (categorical flags: counts "
                    "per code)",
)

# %%
show_table(pd.DataFrame({"UDP input": list(flags_q.inputs_used),
                         "How it is used (Brussels adaptation)": list(
                             flags_q.inputs_used.values())}),
           wrap=["How it is used (Brussels adaptation)"], wrap_width_em=45)

# %%
counts_q = typ_q.counts()
export(counts_q, "04_udp_classes_quartiers",
       caption="UDP categories of the Monitoring des Quartiers areas with a time series")
category_label = dict(zip(counts_q["category"], counts_q["label"], strict=True))


def named(category):
    """'ARE' -> 'at risk of becoming exclusive (ARE)'."""
    return f"{category_label[category][0].lower()}{category_label[category][1:]} ({category})"


def show_class_counts(counts, unit, caption):
    show_table(counts.rename(columns={"code": "Code", "category": "Category",
                                      "label": "Meaning", "areas": unit}),
               formats={"Code": lambda c: f"{c:g}"}, caption=caption)


headline(
    "quartiers_sae",
    int((typ_q.classes["code"] == 9).sum()),
    unit="quartiers",
    digits=0,
    label=f"Quartiers classed stable / advanced exclusive (SAE), {t0_year}→{t1_year}",
    source="UDP rule SAE: (mixed-)high income at t0 and t1, high housing cost, known change",
)
headline(
    "quartiers_low_income_t1",
    int(flags_q.flags["inc_cat"].isin([1, 2]).sum()),
    unit="quartiers",
    digits=0,
    label=(f"Quartiers below {income_low_ratio:g} × the regional median income per tax return, "
           f"{t1_year}"),
    source=f"median taxable income per return < {income_low_ratio:g} × regional median, {t1_year}",
)
show_class_counts(counts_q, "Quartiers",
                  f"UDP categories of the quartiers with a time series, {t0_year}→{t1_year}")

# %% [markdown]
# ## 4. Map of the quartier classes
#
# Two kinds of quartier have no class, and the map keeps them apart: quartiers with **no data**
# (no time series in the workbook, or excluded as ambiguous duplicates; white, hatched) and
# quartiers whose rules are **undecidable** because an input is missing (grey, dotted; the
# printout counts which flags are missing there — apartment prices are confidential `VS` cells
# where sales are few).

# %%
n_quartiers = len(geo_q)
n_classified = int(typ_q.classes["code"].notna().sum())
n_undecidable = int(typ_q.classes["code"].isna().sum())
print(
    f"{n_quartiers} quartiers: {n_quartiers - len(typ_q.classes)} without data, "
    f"{n_undecidable} undecidable, {n_classified} classified"
)
rule_inputs = [c for c in dp.UDP_FLAG_COLUMNS if c not in params.dropped_conditions]
undecidable_flags = flags_q.flags.loc[typ_q.classes["code"].isna(), rule_inputs]
print("missing flags among undecidable quartiers:",
      undecidable_flags.isna().sum()[lambda n: n > 0].to_dict())
top = counts_q[counts_q["code"].between(1, 99)].sort_values("areas", ascending=False)
low_types = int(typ_q.classes["code"].isin([1, 2, 3, 4]).sum())
fig = typology_map(
    geo_q,
    typ_q.classes,
    key="mdrc",
    title=(
        f"{low_types} of {n_classified} classified quartiers fall in a low-income type; most are "
        f"{named(top['category'].iloc[0])} or {named(top['category'].iloc[1])} "
        f"(UDP, Brussels adaptation, {t0_year}→{t1_year})"
    ),
    source=source_note("monitoring_quartiers"),
)
show(fig, "04_udp_map_quartiers")

# %% [markdown]
# ## 5. Communes: the whole region, coarser
#
# At commune level the low-income share is the at-risk-of-poverty rate on disposable income
# (Statbel); it is the only vulnerability criterion, so `vulnerable_min_criteria` is 1 there.

# %%
c0, c1 = commune_years
frames = []
adi = load("disposable_income")
frames.append(adi[adi["measure"].isin(["MS_MEDIAN", "MS_ADMIN_AROP"])])
pop = load("population")
frames.append(pop[pop["measure"] == "population_total"])
sales = load("real_estate_sales")
frames.append(
    sales[(sales["property_type"] == "appartementen") & (sales["measure"] == "median_price")]
)
long_c = pd.concat([f[["nis_code", "year", "measure", "value"]] for f in frames])
long_c = long_c[long_c["nis_code"].str.startswith("210")].rename(
    columns={"nis_code": "area", "measure": "indicator"}
)
spec_c = {
    "population": dp.InputSpec("population_total", (c0,), (c1,)),
    "median_income_eur": dp.InputSpec("MS_MEDIAN", (c0,), (c1,)),
    "low_income_share_pct": dp.InputSpec("MS_ADMIN_AROP", (c0,), (c1,)),
    "median_value_eur": dp.InputSpec(
        "median_price", tuple(price_t0_years), tuple(price_t1_years), min_years=price_min_years
    ),
}
panel_c = dp.build_area_period(long_c, spec_c, deflator=deflator, base_year=c1)
geo_c = communes()
cent_c = geo_c.to_crs("EPSG:3812").geometry.centroid
coords_c = pd.DataFrame({"area": geo_c["nis_code"], "x_m": cent_c.x, "y_m": cent_c.y})
ind_c = dp.indicators(panel_c, coordinates=coords_c, band=params.band)
params_c = params.replace(vulnerable_criteria=("low_income",), vulnerable_min_criteria=1)
typ_c = dp.udp_typology(ind_c, params_c)
counts_c = typ_c.counts()
export(counts_c, "04_udp_classes_communes",
       caption="UDP categories of the 19 communes (Brussels adaptation)")
complete_c = panel_c.groupby("area")[list(spec_c)].apply(lambda f: f.notna().all().all())
headline(
    "communes_complete_inputs",
    int(complete_c.sum()),
    unit="communes",
    digits=0,
    label=f"Communes with every typology input at {c0} and {c1}",
    source="commune area-period table: every input present at t0 and t1",
)
show_class_counts(counts_c, "Communes", f"UDP categories of the 19 communes, {c0}→{c1}")

# %%
top_c = counts_c[counts_c["code"].between(1, 99)].sort_values("areas", ascending=False)
fig = typology_map(
    geo_c,
    typ_c.classes,
    key="nis_code",
    title=(
        f"Communes: {top_c['areas'].iloc[0]} of 19 are {named(top_c['category'].iloc[0])}, "
        f"{top_c['areas'].iloc[1]} {named(top_c['category'].iloc[1])} "
        f"(UDP, Brussels adaptation, {c0}→{c1})"
    ),
    source="Sources: " + "; ".join(
        source_note(name).removeprefix("Source: ")
        for name in ("disposable_income", "population", "real_estate_sales", "health_index_cpi")),
)
show(fig, "04_udp_map_communes")

# %% [markdown]
# ## 6. Robustness: a simpler typology (Ding, Hwang & Divringi 2016)
#
# Gentrifiable = income below the median at t0; gentrifying = price rise above the median and a
# demographic change (Brussels: a low-income share that rises less than the median).

# %%
dhd_q = dp.dhd_typology(ind_q, dp.DHDParameters.brussels(population_min=population_min))
cross = pd.crosstab(
    typ_q.classes["category"].fillna("missing"),
    dhd_q.classes["category"].fillna("missing"),
)
export(cross.reset_index(), "04_udp_vs_dhd_quartiers",
       caption="UDP categories (rows) against Ding-Hwang-Divringi classes (columns)")
cross_shown = cross.rename(index={"missing": "undecidable"},
                           columns=lambda c: "undecidable" if c == "missing" else c.replace("_", " "))
show_table(cross_shown.rename_axis(index=None, columns=None).reset_index(names="UDP category"),
           caption="Quartiers by UDP category (rows) and Ding-Hwang-Divringi class (columns)")

# %% [markdown]
# ## 7. Sensitivity to each Brussels deviation from UDP
#
# Each deviation is a parameter (`UDPParameters.brussels()` versus the published
# `UDPParameters.udp()` thresholds, listed side by side below); this section shows what it
# changes.
#
# **Low-income cut-off (0.85 instead of UDP's 0.80 × the regional median).** The per-return
# median is compressed, so this cut-off decides whether any quartier enters the low-income
# branch of the typology at all.

# %%
udp_published = dp.UDPParameters.udp()
deviations = pd.DataFrame(
    [
        (name, repr(getattr(params, name)), repr(getattr(udp_published, name)))
        for name in params.to_frame()["parameter"]
        if getattr(params, name) != getattr(udp_published, name)
    ],
    columns=["parameter", "this run (Brussels)", "UDP release 1.1"],
)
show(
    deviations,
    "04_brussels_deviations",
    caption="Parameters where the Brussels adaptation departs from the published UDP code",
    shown=pd.DataFrame({
   "Parameter": deviations["parameter"],
   "This run (Brussels)": [_value_text(getattr(params, n)) for n in deviations["parameter"]],
   "UDP release 1.1": [_value_text(getattr(udp_published, n)) for n in deviations["parameter"]],
}),
    formats={"This run (Brussels)": str, "UDP release 1.1": str},
    display_caption="Where the Brussels adaptation departs from the published UDP code",
)
income_ratio_t1 = ind_q.table["income_t1"] / ind_q.regional["income_t1"]
print(
    f"Poorest quartier in {t1_year}: {float(income_ratio_t1.min()):.3f} × the regional median; "
    f"quartiers below {income_low_ratio:g}: {int((income_ratio_t1 < income_low_ratio).sum())}"
)
headline(
    "quartiers_low_income_t1_udp_cutoff",
    int((income_ratio_t1 < udp_published.income_low_ratio).sum()),
    unit="quartiers",
    digits=0,
    label=(f"Quartiers below UDP's {udp_published.income_low_ratio:g} × the regional median "
           f"income per tax return, {t1_year}"),
    source=f"median taxable income per return < 0.80 × regional median (UDP cut-off), {t1_year}",
);

# %%
cutoffs = sorted({0.75, 0.8, 0.85, 0.9, 0.95, income_low_ratio})
sens = dp.sensitivity(ind_q, params, "income_low_ratio", cutoffs)
low_at = (
    sens[sens["category"].isin(["LISD", "OD", "ARG", "EOG"])].groupby("value")["areas"].sum()
)
fig = sensitivity_lines(
    sens,
    title=(
        f"At UDP's 0.80 cut-off {int(low_at[0.8])} quartiers are low-income types; at "
        f"{income_low_ratio:g}, {int(low_at[income_low_ratio])}"
    ),
    xlabel="low-income cut-off (× regional median income per tax return)",
    marks={"UDP": 0.8, "used": income_low_ratio},
)
fig.axes[0].set_ylabel("quartiers in each class")
add_source_note(fig, source_note("monitoring_quartiers"))
show(fig, "04_sensitivity_income_low_ratio")

# %% [markdown]
# **Spatial band (the largest nearest-neighbour distance instead of UDP's 0.1 × it).** UDP's
# band, drawn for dense US tracts, can leave quartier centroids without any neighbour (islands:
# no spatial lag, so `dp_pchrent` and `dp_rentgap` are missing). The indicators are recomputed
# under each band; the column headers give the radius and the number of islands.

# %%
band_sens = dp.band_sensitivity(panel, params, coordinates=coords_q, bands=["udp", "max_nn"])
band_sens["label"] = [f"{band} ({metres:,.0f} m, {islands} islands)" for band, metres, islands
                      in zip(band_sens["band"], band_sens["band_m"], band_sens["islands"],
                             strict=True)]
band_table = band_sens.pivot_table(index="category", columns="label", values="areas",
                                   aggfunc="first", sort=False).rename_axis(columns=None)
print(f"quartiers whose class differs between the two bands: "
      f"{int(band_sens['changed_vs_baseline'].iloc[-1])}")
show(
    band_table.reset_index(),
    "04_sensitivity_band",
    caption="UDP classes of quartiers under the two spatial bands",
    shown=band_table.rename(index={"missing": "undecidable"}).rename_axis(index=None)
          .reset_index(names="UDP category"),
    display_caption="Quartiers per UDP category under each spatial band (radius, islands)",
)

# %% [markdown]
# **Prices instead of rents.** The quartier series has no rents, so on these 57 quartiers the
# market change, the housing mix and the rent gap run on real apartment prices (`inputs_used`
# above records `markets: value`). Tenants' rents per quartier exist only from the rent survey
# (2017–18 and 2020): the findings and section 8 show how many classes change when the typology
# reads them as UDP intends (parameter `markets`).
#
# **Vulnerability: criteria required (2 of 3 instead of UDP's 3 of 4 on other inputs).**

# %%
sens_v = dp.sensitivity(ind_q, params, "vulnerable_min_criteria", [1, 2, 3])
sens_table = sens_v.pivot_table(index="category", columns="value", values="areas")
export(sens_table.reset_index(), "04_sensitivity_vulnerable_min_criteria",
       caption="UDP classes of quartiers by number of vulnerability criteria required")
n_criteria = len(params.vulnerable_criteria)
show_table(sens_table.rename(index={"missing": "undecidable"},
                             columns=lambda v: f"{v:g} of {n_criteria} required")
           .rename_axis(index=None, columns=None).reset_index(names="UDP category"),
           caption="Quartiers per UDP category by the number of vulnerability criteria required")

# %% [markdown]
# **Flagged source rows.** The classes above exclude the two ambiguously duplicated quartiers
# and keep the incomes flagged as suspect ties. The table counts how many quartiers change class
# when the ties are set missing instead, and when the duplicates are averaged.

# %%
flag_sensitivity = dp.flag_treatment_sensitivity(
    series, spec, params, coordinates=coords_q, baseline=typ_q, deflator=deflator,
    base_year=t1_year, treatments=[("exclude", "exclude"), ("mean", "keep")],
).rename(columns={"areas": "quartiers classified or undecidable",
                  "changed_vs_baseline": "changed class vs this run"})
show(
    flag_sensitivity,
    "04_sensitivity_flagged_rows",
    caption="UDP classes of quartiers under other treatments of the flagged source rows",
    shown=flag_sensitivity.rename(columns={"duplicates": "Ambiguous duplicates",
                                           "tied": "Suspect ties"}),
    display_caption=f"Other treatments of the flagged rows (this run: duplicates {duplicates}, "
                    f"ties {tied})",
)

# %% [markdown]
# ## 8. Every quartier with data: the tables behind the findings
#
# Sections 2–7 use the 57 quartiers with a time series, whose regional medians lean south-west.
# The findings use the area-period table of **every quartier with data** (both entry blocks of
# the workbook): each regional reference value is the median over all quartiers that have that
# indicator in the year used; a quartier without a t0 value still counts in the t1 reference but
# its change stays missing, and a regional change is taken over the quartiers with both years
# (why: `docs/displacement.md`, "Regional change").
#
# **UDP's cut-off (0.80) and the Brussels adaptation side by side**, with the flags that moved.

# %%
print(f"{len(side)} quartiers with data; classified: "
      f"{int(typ_udp080.classes['code'].notna().sum())} at 0.80, "
      f"{int(typ_all.classes['code'].notna().sum())} at {income_low_ratio:g}; "
      f"{n_changed} change class")
changed_rows = side[side["changed"]].reset_index()
show(
    changed_rows[["area", "name_fr", "commune_en", "category_UDP 0.80",
                  f"category_Brussels {income_low_ratio:g}", "reason"]],
    "04_classes_udp_vs_brussels",
    caption="Quartiers whose UDP class depends on the low-income cut-off",
    shown=changed_rows[["area", "name_fr", "commune_en", "category_UDP 0.80",
                        f"category_Brussels {income_low_ratio:g}", "reason"]].rename(
        columns={"area": "Quartier (mdrc)", "name_fr": "Name", "commune_en": "Commune",
                 "category_UDP 0.80": "Class at 0.80",
                 f"category_Brussels {income_low_ratio:g}": f"Class at {income_low_ratio:g}",
                 "reason": "Flags that moved"}),
    wrap=["Flags that moved"], wrap_width_em=30,
)
export(typ_all.classes[["code", "category"]].reset_index(), "04_udp_classes_all_quartiers",
       caption="UDP class of every quartier with data (Brussels adaptation)")

# %% [markdown]
# **How sure is each class when prices rest on few sales?** Each quartier's apartment-price
# levels are redrawn from the sampling distribution of a median of its `n_apartment_sales`
# (summed over each price window; an assumed log-price dispersion of 0.35 within a quartier), the
# price-dependent indicators recomputed, and the typology rerun. The table lists the least
# stable classes.

# %%
least = classified_stab.sort_values("keeps_class_share").head(10).join(
    names_q[["name_fr", "commune_en"]])
export(stability.reset_index(), "04_class_stability",
       caption=f"Share of {bootstrap_draws} price draws keeping each quartier's class")
show_table(
    least.reset_index()[["area", "name_fr", "commune_en", "category", "keeps_class_share",
                         "modal_other", "n_sales_t1"]].rename(
        columns={"area": "Quartier (mdrc)", "name_fr": "Name", "commune_en": "Commune",
                 "category": "Class", "keeps_class_share": "Share of draws keeping it",
                 "modal_other": "Most frequent other class", "n_sales_t1": "Sales, t1 window"}),
    formats={"Share of draws keeping it": "{:.0%}", "Sales, t1 window": "{:,.0f}"},
    caption=f"The ten least stable quartier classes ({bootstrap_draws} draws, seed {bootstrap_seed})",
)

# %% [markdown]
# **Where is the pressure?** Pressure classes are ongoing displacement, at risk of /
# early-ongoing / advanced gentrification and becoming exclusive.

# %%
show_table(by_commune.rename(columns={"commune": "Commune", "quartiers": "Quartiers in pressure classes",
                                      "names": "Which", "classified": "Classified quartiers"}),
           wrap=["Which"], wrap_width_em=40,
           caption="Quartiers in a pressure class, by commune (Brussels adaptation, all quartiers with data)")

# %% [markdown]
# **Evictions against the classes.** Eviction judgments 2018 per statistical sector (Bru-Home
# study) and rented dwellings from the cadastre of 1 January 2015 are summed to quartiers; a
# rate rests on at least `MIN_RENTED_DWELLINGS` rented dwellings, below that only the counts are
# shown. Rates by class are pooled (judgments over rented dwellings of the class).

# %%
print(f"{int(evictions['suppressed'].sum())} quartiers have fewer than "
      f"{evictions.attrs['min_rented_dwellings']} rented dwellings: rate suppressed, "
      f"{int(evictions.loc[evictions['suppressed'], 'evictions_2018'].sum())} judgments there")
show(
    evictions_by_class,
    "04_evictions_by_class",
    caption="Eviction judgments 2018 per 1,000 rented dwellings by UDP class",
    shown=evictions_by_class.rename(columns={
        "category": "UDP class", "quartiers": "Quartiers", "evictions_2018": "Judgments 2018",
        "rented_dwellings_2015": "Rented dwellings 2015",
        "evictions_per_1000_rented": "Per 1,000 rented", "pressure": "Pressure class"}),
    formats={"Judgments 2018": "{:,.0f}", "Rented dwellings 2015": "{:,.0f}",
             "Per 1,000 rented": "{:.1f}"},
    display_caption="Eviction judgments 2018 per 1,000 rented dwellings, pooled by UDP class",
)
export(evictions.reset_index(), "04_evictions_by_quartier",
       caption="Eviction judgments 2018, rented dwellings 2015 and cadastre shares per quartier")

# %% [markdown]
# **Tenants' rents.** Survey records are placed in their quartier through their statistical
# sector, deflated to prices of t1 and pooled per period (t0 = 2017–2018, t1 = 2020); a median
# from fewer than `MIN_SURVEY_RECORDS` records is suppressed and only its count kept. The
# parameter `markets` decides whether the market flags read prices, rents or both (UDP: both).

# %%
counts = survey_rents.groupby("period").agg(
    quartiers=("n_records", "size"), published=("suppressed", lambda v: int((~v).sum())),
    records=("n_records", "sum"), fewest=("n_records", "min"))
print(f"survey records without a sector: {survey_rents.attrs['records_without_sector']}")
show_table(counts.reset_index().rename(columns={
    "period": "Period", "quartiers": "Quartiers with records",
    "published": f"With ≥ {survey_rents.attrs['min_records']} records",
    "records": "Records", "fewest": "Fewest records in a quartier"}),
    caption="Survey records behind the quartier rents")
moved = side_markets[side_markets["changed"]].join(names_q[["name_fr", "commune_en"]])
show_table(
    moved.reset_index()[["area", "name_fr", "commune_en", f"category_{markets}",
                         f"category_{other_markets}"]].rename(columns={
        "area": "Quartier (mdrc)", "name_fr": "Name", "commune_en": "Commune",
        f"category_{markets}": f"Class, {markets.replace('_', ' ')}",
        f"category_{other_markets}": f"Class, {other_markets.replace('_', ' ')}"}),
    caption="Quartiers whose class depends on reading tenants' rents",
)

# %% [markdown]
# ## Limits
#
# * Only quartiers with a population, income and CPAS series at both years get a class; the
#   60 quartiers of the workbook's second block have recent years only, so they enter the
#   regional reference values but stay undecidable.
# * The typology compares 2005 with 2022 for incomes and 2015–17 with 2021–23 for prices; the
#   survey rents compare 2017–18 with 2020 only (a short, pre-/early-COVID window), and a median
#   from 20 records has a sampling error near ±10 %.
# * Evictions are one year (2018) against rented dwellings of 2015: a cross-section that can be
#   read against the classes but cannot enter the DiD; judgments are not executed evictions, and
#   a sector missing from the eviction file (26 sectors, 25 rented dwellings) counts as zero.
# * The price-sample bootstrap assumes a within-quartier log-price dispersion (0.35) and redraws
#   apartment prices only (not rents); it captures sampling noise in the medians, not errors in
#   the typology's rules.
# * The income mix uses the median income per tax return against the regional median (no income
#   distribution per quartier), so only the mixed income codes occur; UDP's 0.80 cut-off leaves
#   almost no quartier low-income, which is why the Brussels adaptation uses 0.85 (shown side by
#   side above).
