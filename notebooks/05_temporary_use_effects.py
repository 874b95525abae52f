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
# # 05 · Does temporary use raise nearby prices? Staggered difference-in-differences
#
# **Question.** When a vacant building is occupied temporarily (artists' studios, socio-cultural
# use), do property prices nearby rise faster than they would have otherwise — the first step of
# the displacement the Permanent coalition worries about?
#
# **Design.** Temporary-use sites open in different years (staggered adoption) and many have
# ended. We compare areas that received a site with areas that did not (yet), before and after,
# cohort by cohort. This notebook (1) shows on a **synthetic** panel with a known truth why the
# usual two-way fixed-effects regression fails here and which estimators recover the truth, and
# (2) runs the same analysis on the only real data bundled — Statbel commune prices — which is
# **ILLUSTRATIVE ONLY**: 19 communes are far too coarse to conclude anything.

# %% tags=["parameters"]
n_units = 1500
seed = 20240601
min_e = -5
max_e = 5
control = "never_treated"
real_property_type = "appartementen"
real_first_year = 2010
real_last_year = 2024

# %%
import numpy as np

from permanent_research.causal import (
    commune_first_treated,
    compare_estimators,
    staggered_did,
)
from permanent_research.data import load, source_note
from permanent_research.data.synthetic_panel import synthetic_did_panel
from permanent_research.errors import ParameterError
from permanent_research.plots.causal import event_study
from permanent_research.reporting import check_parameters
from permanent_research.reporting.headlines import headline

check_parameters("05_temporary_use_effects", globals())
if real_last_year <= real_first_year:
    raise ParameterError(f"real_last_year={real_last_year} must be after "
                         f"real_first_year={real_first_year}")

# %% [markdown]
# ## 1 · Why two-way fixed effects fails with staggered timing
#
# The textbook regression `y_it = α_i + λ_t + β·D_it` averages every 2×2 comparison in the data,
# including "forbidden" ones where **already-treated** areas serve as controls for later ones
# (Goodman-Bacon 2021). When the effect grows with time since treatment — plausible for a price
# effect that builds up as a neighbourhood's image changes — those comparisons subtract part of
# the effect, and β can be far from any average effect (de Chaisemartin & D'Haultfœuille 2020;
# Sun & Abraham 2021). The robust estimators compare each cohort only with never- or
# not-yet-treated areas: Callaway & Sant'Anna (2021), Sun & Abraham (2021), and the imputation
# estimator of Borusyak, Jaravel & Spiess (2024).
#
# **Rings.** With site coordinates, "treated" means a site within 300 m; 300–600 m is a buffer
# (dropped: partly exposed), 600–1,200 m the control ring, beyond excluded
# (`causal.exposure_from_sites`; Butts 2023 on what rings identify). Treatment timing is the
# first start of a site in the treated ring, *including occupations that ended*: the estimand is
# the effect of having had temporary use nearby.
#
# The synthetic panel below has `n_units` Brussels-like areas (1,500 by default), three cohorts
# (2012, 2015, 2018) and effects that grow by 3, 2 and 1 % per year of exposure for the three
# cohorts. The imputation estimator has no reference period (its counterfactual comes from all
# untreated years), so it is shown for the years from treatment on only; the other three
# estimate differences from the year before treatment (−1 = 0).

# %%
panel = synthetic_did_panel(n_units, seed=seed)
comparison = compare_estimators(panel.data, unit="unit", time="year", outcome="log_price",
                                first_treated="first_treated", min_e=min_e, max_e=max_e,
                                control=control)
comparison

# %%
from permanent_research.reporting.present import export, show

fig = event_study(
    comparison.table, truth=panel.truth_dynamic,
    title="Synthetic panel: robust estimators track the known truth; TWFE shows false pre-trends",
    source=f"Synthetic panel ({n_units:,} areas, seed {seed}); 95 % pointwise intervals, "
           "SEs clustered by area (regressions) or influence-function (CS). Imputation: "
           "e >= 0 only (no reference period).",
    synthetic=True)
show(fig, "05_event_study_synthetic")

# %% [markdown]
# The truth (dashed) is recovered by Sun & Abraham, imputation and Callaway & Sant'Anna. The
# fully dynamic TWFE event study shows spurious "pre-trends" and distorted effects — its
# coefficients mix cohorts with different effect paths. The static TWFE coefficient is worse:

# %%
overall = comparison.overall.copy()
overall.attrs["synthetic"] = True
export(overall, "05_overall_by_estimator_synthetic",
       caption="SYNTHETIC panel: overall post-treatment effect (log points) by estimator",
       float_format="{:,.4f}")
truth = headline("synthetic_true_overall_att", panel.truth_overall, unit="log points",
                 digits=4, source="synthetic_did_panel truth (group-size weighted ATT)",
                 label="SYNTHETIC true overall ATT")
est = overall.set_index("estimator")
twfe = headline("synthetic_twfe_static", est.loc["twfe", "estimate"], unit="log points",
                digits=4, source="feols y ~ treated | unit + year", label="SYNTHETIC static TWFE")
headline("synthetic_cs_overall_att", est.loc["callaway_santanna", "estimate"],
         unit="log points", digits=4, source="staggered_did(...).aggregate('simple')",
         label="SYNTHETIC Callaway–Sant'Anna overall ATT")
headline("synthetic_twfe_bias_pct", 100 * (twfe - truth) / truth, unit="%", digits=0,
         source="(static TWFE − truth) / truth", label="SYNTHETIC TWFE bias")
overall

# %% [markdown]
# ## 2 · Callaway & Sant'Anna in detail: group-time effects and the event study
#
# `staggered_did` returns every ATT(g,t) with analytic influence-function standard errors (the
# numbers equal R `did` / `csdid`; see `tests/reference/test_did_vs_csdid.py`). The dynamic
# aggregation with a seeded multiplier bootstrap gives a **uniform** 95 % band over event times.

# %%
cs = staggered_did(panel.data, unit="unit", time="year", outcome="log_price",
                   first_treated="first_treated", control=control)
dynamic = cs.aggregate("dynamic", min_e=min_e, max_e=max_e, bootstrap=True, n_boot=999,
                       seed=seed)
table = dynamic.table.merge(panel.truth_dynamic.rename(columns={"att": "truth"}),
                            on="event_time")
table.attrs["synthetic"] = True
export(table, "05_cs_dynamic_synthetic",
       caption="SYNTHETIC panel: CS event study (varying base), uniform bootstrap band",
       float_format="{:,.4f}")
table

# %% [markdown]
# ## 3 · Real-data path (ILLUSTRATIVE): Statbel commune prices and dated temporary-use sites
#
# **Treatment.** The bundled list of 36 named temporary-use sites
# (`temporary_use_sites`) has coordinates for almost none, so treatment is at **commune** level:
# a commune is treated from the first year a *dated* site started there. Communes whose only
# sites are undated are excluded (their timing is unknown, so they are neither clean controls nor
# dated treated units). Sites without a commune code (e.g. Zinneke's Atelier MaZui, 2013,
# Bruxelles — which would move Bruxelles from 2014 to 2013) are not placed; the list used is
# printed below.
#
# **Outcome.** Log median apartment price per commune and year (Statbel), 2010–2024.
#
# **Why this cannot conclude.** At most nineteen communes (the sample actually used is printed
# below), one or two treated per cohort, one site standing for a whole commune of
# 20,000–190,000 residents, canal-side communes selected for vacancy: the standard errors below
# rest on asymptotics that a dozen units do not deliver (the library warns about the small
# groups), and a commune-wide price is a very diluted outcome for a building-scale treatment.

# %%
sites = load("temporary_use_sites")
sales = load("real_estate_sales")
prices = sales.query("geo_level == 'municipality' and measure == 'median_price' "
                     "and property_type == @real_property_type "
                     "and @real_first_year <= year <= @real_last_year")
assignment = commune_first_treated(sites, sorted(prices["nis_code"].unique()))
names = prices.drop_duplicates("nis_code").set_index("nis_code")["name_fr"]
assignment.insert(1, "commune", assignment["nis_code"].map(names))
export(assignment, "05_commune_treatment_assignment",
       caption="Commune treatment timing from the bundled temporary-use sites",
       float_format="{:,.0f}")
print("Sites not placed (no commune code):", assignment.attrs["unplaced_sites"])
assignment

# %%
usable = assignment.loc[assignment["usable"], ["nis_code", "first_treated"]]
n_used = len(usable)
used = assignment[assignment["usable"]]
print(f"ILLUSTRATIVE sample: {n_used} of {len(assignment)} communes, "
      f"{real_first_year}–{real_last_year}")
print("  treated (first year):", "; ".join(
    f"{c} ({g})" for c, g in used.loc[used["first_treated"] > 0, ["commune", "first_treated"]]
    .sort_values("first_treated").itertuples(index=False)))
print("  never treated:", ", ".join(used.loc[used["first_treated"] == 0, "commune"]))
print("  excluded (undated sites only):",
      ", ".join(assignment.loc[~assignment["usable"], "commune"]) or "none")
real = prices.merge(usable, on="nis_code")
real = real.assign(log_price=np.log(real["value"]), year=real["year"].astype(int))
real_cs = staggered_did(real, unit="nis_code", time="year", outcome="log_price",
                        first_treated="first_treated", control=control)
real_simple = real_cs.aggregate("simple").overall
headline("real_n_treated_communes", int((usable["first_treated"] > 0).sum()),
         unit="communes", digits=0, source="temporary_use_sites: communes with a dated site")
headline("real_n_control_communes", int((usable["first_treated"] == 0).sum()),
         unit="communes", digits=0, source="communes with no site in temporary_use_sites")
headline("real_cs_simple_att", real_simple.att, unit="log points", digits=4,
         source="staggered_did on Statbel log median apartment price, 2010–2024",
         label="ILLUSTRATIVE commune-level CS overall ATT")
headline("real_cs_simple_se", real_simple.se, unit="log points", digits=4,
         source="influence-function SE (19 communes: not reliable)",
         label="ILLUSTRATIVE its standard error")
cell = real_cs.att_gt.query("group == 2014 and time == 2019")
headline("real_att_2014_cohort_2019", cell["att"].item(), unit="log points", digits=4,
         source="ATT(2014, 2019): Bruxelles & Molenbeek vs never-treated communes, "
                "2019 vs 2013", label="ILLUSTRATIVE ATT(g=2014, t=2019)")
real_cs

# %%
real_comparison = compare_estimators(real, unit="nis_code", time="year",
                                     outcome="log_price", first_treated="first_treated",
                                     min_e=min_e, max_e=max_e, control=control)
fig = event_study(
    real_comparison.table,
    title=f"ILLUSTRATIVE — commune-level event study ({n_used} communes: cannot conclude)",
    source=source_note("real_estate_sales") + " · sites: " + source_note("temporary_use_sites"),
    synthetic=False)
show(fig, "05_event_study_communes_illustrative")

# %%
export(real_comparison.overall, "05_overall_by_estimator_communes",
       caption="ILLUSTRATIVE: overall effect on log median apartment price by estimator "
               f"({n_used} communes)", float_format="{:,.4f}")
real_comparison.overall

# %% [markdown]
# ## 4 · Designs for few treated units (on the ILLUSTRATIVE commune sample)
#
# With a handful of treated communes the analytic standard errors above are not valid: they rest
# on asymptotics, and a one-commune cohort contributes no treated-side variance at all. Three
# checks that do not lean on them:
#
# * **Pre-trend test** — R `did`'s joint Wald test that every pre-treatment ATT(g,t) is zero
#   (`DidResult.pretest()`), and the same test on the event study's pre-period coefficients
#   (`pretest(on="event_time")`), which stays computable when one-commune cohorts make the
#   cell-level covariance singular. A pre-test has little power with so few units: passing it is
#   weak evidence.
# * **Randomization inference** — reassign the observed start years at random across communes
#   and recompute the overall ATT each time: how unusual is the observed effect among effects that
#   arise from timing alone? Exact when the assignments are few enough to enumerate, otherwise
#   10,000 seeded draws. The same permutation applied to the pre-treatment years
#   (`statistic="pre"`) is a placebo pre-trend test that needs no asymptotics.

# %%
from permanent_research.causal import (
    event_study_inputs,
    parallel_trends_sensitivity,
    randomization_inference,
)

pretests = {on: real_cs.pretest(on=on) for on in ("cells", "event_time")}
for on, test in pretests.items():
    print(f"{on:>10}: {test.summary()}")
event_test = pretests["event_time"]
if np.isfinite(event_test.pvalue):
    verdict = "rejects" if event_test.pvalue < 0.05 else "does not reject"
    print(f"Reading: the event-time pre-test {verdict} parallel pre-trends at 5 % "
          f"(p = {event_test.pvalue:.3g}); its standard errors come from the same asymptotics "
          f"that one- and two-commune cohorts do not support, so weigh it against the "
          f"randomization p-value below.")

# %%

ri = randomization_inference(real, unit="nis_code", time="year", outcome="log_price",
                             first_treated="first_treated", control=control,
                             n_permutations=10_000, seed=seed)
print(ri.summary())
placebo = randomization_inference(real, unit="nis_code", time="year", outcome="log_price",
                                  first_treated="first_treated", control=control,
                                  statistic="pre", n_permutations=10_000, seed=seed)
print(placebo.summary())
ax = ri.plot().axes[0]
ax.set_title(f"ILLUSTRATIVE — overall ATT under permuted timing ({n_used} communes); "
             f"p = {ri.pvalue:.3f}", fontsize=9)
show(ax.figure, "05_randomization_inference_communes")

# %% [markdown]
# **Sensitivity to violations of parallel trends** (Rambachan & Roth 2023). Instead of assuming
# that treated and comparison communes would have moved in parallel, allow the post-treatment
# violation to be up to M̄ times the largest violation seen between consecutive pre-treatment
# years, and report the 95 % robust interval for the first-year effect at each M̄. The event
# study is Callaway & Sant'Anna with a universal base period (e = −1), within the window
# `min_e`…`max_e`. The breakdown value is the largest M̄ at which the interval still excludes 0.

# %%
real_universal = staggered_did(real, unit="nis_code", time="year", outcome="log_price",
                               first_treated="first_treated", control=control,
                               base_period="universal")
inputs = event_study_inputs(real_universal, min_e=min_e, max_e=max_e)
sensitivity = parallel_trends_sensitivity(
    **{k: inputs[k] for k in ("betahat", "sigma", "n_pre", "n_post")},
    restriction="relative_magnitudes", grid=[0, 0.5, 1, 1.5, 2])
export(sensitivity.to_frame(), "05_parallel_trends_sensitivity_communes",
       caption="ILLUSTRATIVE: robust 95 % intervals for the first-year effect (log points) "
               "under relative-magnitude violations of parallel trends",
       float_format="{:,.4f}")
print(sensitivity.summary())
ax = sensitivity.plot().axes[0]
ax.set_title("ILLUSTRATIVE — robust intervals by M̄ (commune sample)", fontsize=9)
show(ax.figure, "05_parallel_trends_sensitivity_communes")

# %% [markdown]
# ## 5 · Sites: the corrected list and where it can be placed
#
# The bundled list is corrected from dated sources (`temporary_use_sites_updates`: new dates,
# addresses, 13 more sites, the 9 coordinates sources print), each change with its source; raw
# files are not edited. Sites are then placed in Monitoring des Quartiers areas — by coordinates
# where they exist, else by quartier code, else only in their commune. How many can enter a
# quartier-level design is the limit of the real-data path until the region's own inventory
# (about 126 occupations active in 2023) is brought in through the same schema.

# %%
import warnings

from permanent_research.causal import apply_site_updates, inventory_from_bundled, place_sites
from permanent_research.data.boundaries import quartiers

corrected = apply_site_updates(
    sites, load("temporary_use_sites_updates"),
    contested={"Studio CityGate (CityGate II)": (
        2017, 2018, "architecture.urban.brussels interview and Le Soir give 2018 "
                    "(temporary_use_sites_updates note)")})
print(corrected.summary().splitlines()[0])
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    inventory = inventory_from_bundled(corrected.sites)
    placement = place_sites(inventory, quartiers())
for w in caught:
    print("note:", str(w.message)[:220])
print(placement.summary())
placement.sites.loc[placement.sites["placed_by"] == "coordinates",
                    ["name", "start_year", "end_year", "quartier_placed"]]

# %% [markdown]
# ## Reading
#
# * On the synthetic panel, static TWFE understates the true effect by roughly half, while the
#   three heterogeneity-robust estimators agree with each other and with the truth. Any
#   temporary-use analysis of Brussels should report them side by side, TWFE only as a benchmark.
# * The commune-level numbers are a **demonstration that the pipeline runs on real data**, not a
#   finding. A real test needs site coordinates (or at least the statistical sector), an outcome
#   measured near the sites (sales or rents by sector), and rings as in section 1; ended
#   occupations then enter through `first_treated` and the `active`/`exposure_count` columns.
# * With so few treated communes, the randomization-inference p-value and the robust intervals of
#   section 4 are the numbers to read next to any estimate; the cell-level pre-test is often not
#   computable at this size, and a passed pre-test says little.
# * Section 5 shows how many sites can be placed below commune level today: only those with
#   printed coordinates. The researcher's own inventory enters through the same validated schema
#   (`docs/causal.md`, site inventory).
