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
# **How.** Temporary-use sites open in different years (staggered adoption). We compare areas
# that received a site with areas that did not (yet), before and after, cohort by cohort, and
# add the checks a design with few treated areas needs: randomization inference, a pre-trend
# test and the Rambachan–Roth sensitivity to violations of parallel trends. The real-data path
# runs at commune level (Statbel prices); a **synthetic** panel with a known effect checks that
# the design recovers it. Every dated site is placed as finely as its data allow.

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
import warnings

import numpy as np
import pandas as pd
from IPython.display import Markdown, display

from permanent_research.causal import (
    apply_site_updates,
    commune_first_treated,
    compare_estimators,
    effect_findings,
    event_study_inputs,
    format_pvalue,
    inventory_from_bundled,
    inventory_from_toestand,
    merge_inventories,
    parallel_trends_sensitivity,
    place_sites,
    placement_finding,
    randomization_inference,
    staggered_did,
)
from permanent_research.data import load, source_note
from permanent_research.data.boundaries import quartiers
from permanent_research.data.synthetic_panel import synthetic_did_panel
from permanent_research.errors import ParameterError, PermanentResearchWarning
from permanent_research.plots.causal import event_study
from permanent_research.reporting import check_parameters
from permanent_research.reporting.headlines import headline
from permanent_research.reporting.present import export, show

check_parameters("05_temporary_use_effects", globals())
if real_last_year <= real_first_year:
    raise ParameterError(f"real_last_year={real_last_year} must be after "
                         f"real_first_year={real_first_year}")
# The package warns about the data (small cohorts, undated sites); those notes are collected and
# shown as text at the end of section 5, not as stderr boxes.
notes: list[str] = []


def keep_notes(caught) -> None:
    for w in caught:
        message = str(w.message)
        if issubclass(w.category, PermanentResearchWarning) and message not in notes:
            notes.append(message)


# %% [markdown]
# *The next three cells compute everything the Findings below report; each section after them
# shows one part in detail.*

# %%
# Synthetic panel with a known truth: the check that the design recovers a known effect.
panel = synthetic_did_panel(n_units, seed=seed)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always", PermanentResearchWarning)
    comparison = compare_estimators(panel.data, unit="unit", time="year", outcome="log_price",
                                    first_treated="first_treated", min_e=min_e, max_e=max_e,
                                    control=control)
    cs = staggered_did(panel.data, unit="unit", time="year", outcome="log_price",
                       first_treated="first_treated", control=control)
    dynamic = cs.aggregate("dynamic", min_e=min_e, max_e=max_e, bootstrap=True, n_boot=999,
                           seed=seed)
keep_notes(caught)
synthetic_overall = comparison.overall.set_index("estimator")

# %%
# Real-data path: Statbel commune prices, communes timed by their first dated site.
sites = load("temporary_use_sites")
sales = load("real_estate_sales")
prices = sales.query("geo_level == 'municipality' and measure == 'median_price' "
                     "and property_type == @real_property_type "
                     "and @real_first_year <= year <= @real_last_year")
commune_names = prices.drop_duplicates("nis_code").set_index("nis_code")["name_fr"]
assignment = commune_first_treated(sites, sorted(prices["nis_code"].unique()))
assignment.insert(1, "commune", assignment["nis_code"].map(commune_names))
usable = assignment.loc[assignment["usable"], ["nis_code", "first_treated"]]
used = assignment[assignment["usable"]]
n_used = len(usable)
n_treated = int((usable["first_treated"] > 0).sum())
n_control = int((usable["first_treated"] == 0).sum())
real = prices.merge(usable, on="nis_code")
real = real.assign(log_price=np.log(real["value"]), year=real["year"].astype(int))
design = dict(unit="nis_code", time="year", outcome="log_price", first_treated="first_treated",
              control=control)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always", PermanentResearchWarning)
    real_cs = staggered_did(real, **design)
    real_simple = real_cs.aggregate("simple").overall
    real_comparison = compare_estimators(real, min_e=min_e, max_e=max_e, **design)
    pretests = {on: real_cs.pretest(on=on) for on in ("cells", "event_time")}
    ri = randomization_inference(real, n_permutations=10_000, seed=seed, **design)
    placebo = randomization_inference(real, statistic="pre", n_permutations=10_000, seed=seed,
                                      **design)
    real_universal = staggered_did(real, base_period="universal", **design)
    inputs = event_study_inputs(real_universal, min_e=min_e, max_e=max_e)
    sensitivity = parallel_trends_sensitivity(
        **{k: inputs[k] for k in ("betahat", "sigma", "n_pre", "n_post")},
        restriction="relative_magnitudes", grid=[0, 0.5, 1, 1.5, 2])
keep_notes(caught)

# %%
# Sites: the bundled list corrected from dated sources, Toestand's projects added, all placed.
toestand_raw = load("temporary_use_projects_toestand")
# Toestand projects that are already in the corrected list (same place and years; the Toestand
# file's own already_in_bundle column only checks the uncorrected list).
toestand_same_as = {
    "BARA": "Bara 142",
    "KORENBEEK": "Korenbeek (former municipal school, Toestand)",
    "LA DALLE - DEN TEGEL": "La Dalle - Den Tegel (Toestand)",
    "BIESTEBROEK": "Biestebroek (quay)",
    "MARIE MOSKOU": "Marie Moskou",
    "ALLEE DU KAAI": "Allée du Kaai",
}
quartier_codes = quartiers()
# read from location_as_published: "vacant lot in the Anneessens neighbourhood"
toestand_quartier = {"BUILD YOUR OWN PARK": int(
    quartier_codes.loc[quartier_codes["name_fr"] == "Anneessens", "mdrc"].item())}
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always", PermanentResearchWarning)
    corrected = apply_site_updates(
        sites, load("temporary_use_sites_updates"),
        contested={"Studio CityGate (CityGate II)": (
            2017, 2018, "architecture.urban.brussels interview and Le Soir give 2018 "
                        "(temporary_use_sites_updates note)")})
    bundled_inventory = inventory_from_bundled(corrected.sites)
    toestand = inventory_from_toestand(toestand_raw, nis_codes=dict(
        zip(commune_names.to_numpy(), commune_names.index, strict=True)),
        quartier_of=toestand_quartier)
    inventory = merge_inventories(bundled_inventory, toestand, same_as=toestand_same_as,
                                  labels=("bundled", "toestand"))
    placement = place_sites(inventory, quartier_codes)
    corrected_assignment = commune_first_treated(corrected.sites,
                                                 sorted(prices["nis_code"].unique()))
    # The same commune design with the corrected dates; a commune treated before the panel
    # starts has no untreated year to compare and leaves the sample.
    corrected_usable = corrected_assignment.loc[
        corrected_assignment["usable"]
        & ~corrected_assignment["first_treated"].between(1, real_first_year),
        ["nis_code", "first_treated"]]
    real_corrected = prices.merge(corrected_usable, on="nis_code")
    real_corrected = real_corrected.assign(log_price=np.log(real_corrected["value"]),
                                           year=real_corrected["year"].astype(int))
    corrected_simple = staggered_did(real_corrected, **design).aggregate("simple").overall
keep_notes(caught)
n_before_panel = int((corrected_assignment["usable"]
                      & corrected_assignment["first_treated"].between(1, real_first_year)).sum())
n_undated = int(corrected.sites["start_year"].isna().sum())
n_outside = len(toestand_raw) - len(toestand)
n_toestand_added = int((inventory["inventory"] == "toestand").sum())

# %% [markdown]
# ## Findings

# %%
truth = panel.truth_overall
cs_synthetic = synthetic_overall.loc["callaway_santanna"]
twfe_synthetic = synthetic_overall.loc["twfe", "estimate"]
recovered = cs_synthetic["ci_low"] <= truth <= cs_synthetic["ci_high"]
changed = assignment.merge(corrected_assignment, on="nis_code", suffixes=("", "_corrected"))
changed = changed[(changed["first_treated"] != changed["first_treated_corrected"])
                  | (changed["usable"] != changed["usable_corrected"])]


def timing(first: int, is_usable: bool) -> str:
    return "excluded" if not is_usable else ("never" if first == 0 else str(first))


moves = "; ".join(
    f"{row.commune} {timing(row.first_treated, row.usable)} → "
    f"{timing(row.first_treated_corrected, row.usable_corrected)} "
    f"({row.first_site_corrected or 'no dated site'})"
    for row in changed.itertuples())
PROPERTY_WORDS = {"appartementen": "apartment", "alle_huizen": "house",
                  "huizen_23": "2–3-facade house", "huizen_4plus": "4+-facade house"}
lines = effect_findings(real_simple, ri=ri, pretest=pretests["event_time"], placebo=placebo,
                        sensitivity=sensitivity, n_treated=n_treated, n_control=n_control,
                        units="communes",
                        outcome=f"median {PROPERTY_WORDS[real_property_type]} prices")
lines[0] = (f"**Commune level, illustrative ({n_used} communes, "
            f"{real_first_year}–{real_last_year}).** {lines[0]}")
lines.append(f"**Sites.** {placement_finding(placement.counts, n_undated=n_undated)} "
             f"Toestand vzw's project list adds {n_toestand_added} projects to the corrected "
             f"list ({len(toestand_same_as)} were already there; {n_outside} lie outside the "
             f"region).")
if len(changed):
    pct_corrected = 100 * np.expm1(corrected_simple.att)
    lines.append(
        f"**Dates matter.** With the corrected site dates, {len(changed)} communes change "
        f"timing: {moves}. Re-estimated on those dates ({len(corrected_usable)} communes"
        + (f"; {n_before_panel} treated by {real_first_year} "
           f"{'leaves' if n_before_panel == 1 else 'leave'} the sample" if n_before_panel
           else "")
        + f"), prices rose {abs(pct_corrected):.1f} % "
        f"{'more' if corrected_simple.att > 0 else 'less'} in treated communes (95 % interval "
        f"{100 * np.expm1(corrected_simple.ci_low):+.1f} % to "
        f"{100 * np.expm1(corrected_simple.ci_high):+.1f} %): the reading "
        + ("is the same." if (corrected_simple.ci_low <= 0 <= corrected_simple.ci_high)
           == (real_simple.ci_low <= 0 <= real_simple.ci_high)
           and np.sign(corrected_simple.att) == np.sign(real_simple.att)
           else "changes."))
lines.append(
    f"**Synthetic check.** On a synthetic panel with a known effect of {truth:.3f} log points, "
    f"Callaway–Sant'Anna estimates {cs_synthetic['estimate']:.3f} (95 % interval "
    f"{cs_synthetic['ci_low']:.3f} to {cs_synthetic['ci_high']:.3f}, which "
    f"{'contains' if recovered else 'misses'} the truth): the design "
    f"{'recovers' if recovered else 'does not recover'} a known effect. Static two-way fixed "
    f"effects gives {twfe_synthetic:.3f}, {abs(100 * (twfe_synthetic - truth) / truth):.0f} % "
    f"{'below' if twfe_synthetic < truth else 'above'} the truth.")
display(Markdown("\n\n".join(f"- {line}" for line in lines)))

# %% [markdown]
# ## 1 · Synthetic check: why two-way fixed effects fails with staggered timing
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
# The **synthetic** panel has `n_units` Brussels-like areas (1,500 by default), three cohorts
# (2012, 2015, 2018) and effects that grow by 3, 2 and 1 % per year of exposure for the three
# cohorts. The imputation estimator has no reference period (its counterfactual comes from all
# untreated years), so it is shown for the years from treatment on only; the other three
# estimate differences from the year before treatment (−1 = 0).

# %%
fig = event_study(
    comparison.table, truth=panel.truth_dynamic,
    title="Synthetic panel: robust estimators track the known truth; TWFE shows false pre-trends",
    source=f"Synthetic panel ({n_units:,} areas, seed {seed}); 95 % pointwise intervals, "
           "SEs clustered by area (regressions) or influence-function (CS). Imputation: "
           "e >= 0 only (no reference period).",
    synthetic=True)
show(fig, "05_event_study_synthetic")

# %%
ESTIMATORS = {"twfe": "Two-way fixed effects (static)", "sun_abraham": "Sun & Abraham",
              "imputation": "Imputation (BJS)", "callaway_santanna": "Callaway & Sant'Anna"}
overall = comparison.overall.copy()
overall.attrs["synthetic"] = True
readable = overall.assign(estimator=overall["estimator"].map(ESTIMATORS)).rename(columns={
    "estimator": "Estimator", "estimate": "Effect (log points)", "se": "SE",
    "ci_low": "95 % low", "ci_high": "95 % high"})
four = {c: "{:.4f}" for c in readable.columns if c != "Estimator"}
show(overall, "05_overall_by_estimator_synthetic", shown=readable, formats=four,
     caption=f"SYNTHETIC panel: overall post-treatment effect by estimator; the truth is "
             f"{panel.truth_overall:.4f} log points", float_format="{:,.4f}")
truth = headline("synthetic_true_overall_att", panel.truth_overall, unit="log points",
                 digits=4, source="synthetic_did_panel truth (group-size weighted ATT)",
                 label="SYNTHETIC true overall ATT")
twfe = headline("synthetic_twfe_static", synthetic_overall.loc["twfe", "estimate"],
                unit="log points", digits=4, source="feols y ~ treated | unit + year",
                label="SYNTHETIC static TWFE")
headline("synthetic_cs_overall_att", synthetic_overall.loc["callaway_santanna", "estimate"],
         unit="log points", digits=4, source="staggered_did(...).aggregate('simple')",
         label="SYNTHETIC Callaway–Sant'Anna overall ATT")
bias = headline("synthetic_twfe_bias_pct", 100 * (twfe - truth) / truth, unit="%", digits=0,
                source="(static TWFE − truth) / truth", label="SYNTHETIC TWFE bias")

# %% [markdown]
# ## 2 · Synthetic check: Callaway & Sant'Anna's event study against the truth
#
# `staggered_did` returns every ATT(g,t) with analytic influence-function standard errors (the
# numbers equal R `did` / `csdid`; see `tests/reference/test_did_vs_csdid.py`). The dynamic
# aggregation with a seeded multiplier bootstrap gives a **uniform** 95 % band over event times.

# %%
table = dynamic.table.merge(panel.truth_dynamic.rename(columns={"att": "truth"}),
                            on="event_time")
table.attrs["synthetic"] = True
readable = table.rename(columns={"event_time": "Years since start", "att": "Estimate",
                                 "se": "SE", "ci_low": "Band low", "ci_high": "Band high",
                                 "truth": "Truth"})
show(table, "05_cs_dynamic_synthetic", shown=readable,
     formats={c: "{:.4f}" for c in readable.columns if c != "Years since start"},
     caption="SYNTHETIC panel: CS event study (log points, varying base), uniform 95 % "
             "bootstrap band", float_format="{:,.4f}")

# %% [markdown]
# ## 3 · Real-data path (illustrative): Statbel commune prices and dated temporary-use sites
#
# **Treatment.** The bundled list of named temporary-use sites (`temporary_use_sites`) has
# coordinates for almost none, so treatment is at **commune** level: a commune is treated from
# the first year a *dated* site started there. Communes whose only sites are undated are
# excluded (their timing is unknown, so they are neither clean controls nor dated treated
# units). Sites without a commune code are not placed (listed below). Section 5 shows how the
# corrected and extended inventory would place the sites below commune level.
#
# **Outcome.** Log median apartment price per commune and year (Statbel).

# %%
print(f"ILLUSTRATIVE sample: {n_used} of {len(assignment)} communes, "
      f"{real_first_year}–{real_last_year}")
print("  treated (first year):", "; ".join(
    f"{c} ({g})" for c, g in used.loc[used["first_treated"] > 0, ["commune", "first_treated"]]
    .sort_values("first_treated").itertuples(index=False)))
print("  never treated:", ", ".join(used.loc[used["first_treated"] == 0, "commune"]))
print("  excluded (undated sites only):",
      ", ".join(assignment.loc[~assignment["usable"], "commune"]) or "none")
print("  sites not placed (no commune code):",
      ", ".join(assignment.attrs["unplaced_sites"]) or "none")
readable = assignment.rename(columns={
    "nis_code": "NIS", "commune": "Commune", "first_treated": "First year (0 = never)",
    "first_site": "First site", "n_sites": "Sites", "n_dated_sites": "Dated sites",
    "n_ended": "Ended", "usable": "In the sample"})
show(assignment, "05_commune_treatment_assignment", shown=readable,
     formats={"First year (0 = never)": "{:d}"}, wrap=["First site"],
     caption="Commune treatment timing from the bundled temporary-use sites",
     float_format="{:,.0f}")

# %%
headline("real_n_treated_communes", n_treated, unit="communes", digits=0,
         source="temporary_use_sites: communes with a dated site")
headline("real_n_control_communes", n_control, unit="communes", digits=0,
         source="communes with no site in temporary_use_sites")
headline("real_cs_simple_att", real_simple.att, unit="log points", digits=4,
         source=f"staggered_did on Statbel log median apartment price, "
                f"{real_first_year}–{real_last_year}",
         label="Commune-level CS overall ATT", status="illustrative")
cell = real_cs.att_gt.query("group == 2014 and time == 2019")
headline("real_att_2014_cohort_2019", cell["att"].item(), unit="log points", digits=4,
         source="ATT(2014, 2019): the 2014 cohort vs never-treated communes, 2019 vs 2013",
         label="ATT(g=2014, t=2019)", status="illustrative")
by_cohort = real_cs.aggregate("group").table
export(real_cs.att_gt, "05_att_gt_communes",
       caption=f"Commune panel: every ATT(g,t) ({len(real_cs.att_gt)} cells)",
       float_format="{:,.4f}")
cohort_sizes = usable.loc[usable["first_treated"] > 0, "first_treated"].value_counts()
readable = by_cohort.assign(n=by_cohort["group"].map(cohort_sizes)).rename(columns={
    "group": "Cohort (first year)", "att": "Effect (log points)", "se": "SE",
    "ci_low": "95 % low", "ci_high": "95 % high", "n": "Communes"})
show(by_cohort, "05_att_by_cohort_communes", shown=readable,
     formats={c: "{:.4f}" for c in ("Effect (log points)", "SE", "95 % low", "95 % high")}
     | {"Cohort (first year)": "{:d}"},
     caption=f"ILLUSTRATIVE: Callaway–Sant'Anna effect by cohort ({n_used} communes; the "
             f"{len(real_cs.att_gt)} ATT(g,t) cells are in the exports)",
     float_format="{:,.4f}")

# %%
fig = event_study(
    real_comparison.table,
    title=f"ILLUSTRATIVE — commune-level event study ({n_used} communes: cannot conclude)",
    source=source_note("real_estate_sales") + " · sites: " + source_note("temporary_use_sites"),
    synthetic=False)
show(fig, "05_event_study_communes_illustrative")

# %%
real_overall = real_comparison.overall
readable = real_overall.assign(estimator=real_overall["estimator"].map(ESTIMATORS)).rename(
    columns={"estimator": "Estimator", "estimate": "Effect (log points)", "se": "SE",
             "ci_low": "95 % low", "ci_high": "95 % high"})
show(real_overall, "05_overall_by_estimator_communes", shown=readable,
     formats={c: "{:.4f}" for c in readable.columns if c != "Estimator"},
     caption=f"ILLUSTRATIVE: overall effect on log median apartment price by estimator "
             f"({n_used} communes; analytic SEs are not valid with cohorts of 1–2 communes)",
     float_format="{:,.4f}")

# %% [markdown]
# ## 4 · Designs for few treated units (on the illustrative commune sample)
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
# * **Sensitivity to violations of parallel trends** (Rambachan & Roth 2023) — below.

# %%
rows = []
for name, test in (("ATT(g,t) cells", pretests["cells"]),
                   ("event-time coefficients", pretests["event_time"])):
    computed = bool(np.isfinite(test.statistic))
    rows.append({"Pre-trend test on": name,
                 "Wald statistic": f"{test.statistic:,.1f}" if computed else "–",
                 "Restrictions": str(test.df) if computed else "–",
                 "p-value": format_pvalue(test.pvalue).removeprefix("p ").lstrip("= ")
                 if computed else "not computed: " + test.note})
for name, result in (("overall ATT", ri), ("placebo: mean pre-period coefficient", placebo)):
    rows.append({"Pre-trend test on": f"randomization inference, {name}",
                 "Wald statistic": "–",
                 "Restrictions": "–",
                 "p-value": format_pvalue(result.pvalue).removeprefix("p ").lstrip("= ")})
show(pd.DataFrame(rows), "05_checks_communes", wrap=["p-value"],
     caption="ILLUSTRATIVE: pre-trend tests and randomization inference (commune sample)")
headline("real_ri_pvalue", ri.pvalue, digits=3,
         source=f"randomization_inference: {len(ri.distribution):,} reassignments of the "
                f"start years, seed {seed}",
         label="Randomization-inference p-value of the commune-level ATT",
         status="illustrative")
print(ri.summary())
print(placebo.summary())

# %%
ax = ri.plot().axes[0]
ax.set_title(f"ILLUSTRATIVE — overall ATT under permuted timing ({n_used} communes); "
             f"{format_pvalue(ri.pvalue)}", fontsize=9)
show(ax.figure, "05_randomization_inference_communes")

# %% [markdown]
# **Sensitivity to violations of parallel trends.** Instead of assuming that treated and
# comparison communes would have moved in parallel, allow the post-treatment violation to be up
# to M̄ times the largest violation seen between consecutive pre-treatment years, and report the
# 95 % robust interval for the first-year effect at each M̄. The event study is Callaway &
# Sant'Anna with a universal base period (e = −1), within the window `min_e`…`max_e`. The
# breakdown value is the largest M̄ at which the interval still excludes 0.

# %%
frame = sensitivity.to_frame()
readable = frame.assign(M=[("original (no violation allowed, not robust)" if np.isnan(m)
                            else f"{m:g}") for m in frame["M"]]).rename(columns={
    "M": "M̄", "lb": "95 % low (log points)", "ub": "95 % high (log points)",
    "method": "Method"})
show(frame, "05_parallel_trends_sensitivity_communes", shown=readable,
     formats={"95 % low (log points)": "{:+.4f}", "95 % high (log points)": "{:+.4f}"},
     caption="ILLUSTRATIVE: robust 95 % intervals for the first-year effect under "
             "relative-magnitude violations of parallel trends; breakdown value: "
             + (f"{sensitivity.breakdown:g}" if np.isfinite(sensitivity.breakdown)
                else "none (the interval includes 0 at every M̄)"),
     float_format="{:,.4f}")
ax = sensitivity.plot().axes[0]
ax.set_title("ILLUSTRATIVE — robust intervals by M̄ (commune sample)", fontsize=9)
show(ax.figure, "05_parallel_trends_sensitivity_communes")

# %% [markdown]
# ## 5 · Sites: the corrected list, Toestand's projects, and where they can be placed
#
# The bundled list is corrected from dated sources (`temporary_use_sites_updates`: new dates,
# addresses, 13 more sites, the 9 coordinates sources print), each change with its source; raw
# files are not edited. Toestand vzw's own chronology of its projects 2012–2020
# (`temporary_use_projects_toestand`) adds the projects not already in the list; a period
# ending in "nu" (still running when the page was written, 2020) becomes an open-ended range.
# Sites are then placed in Monitoring des Quartiers areas — by coordinates (point in polygon)
# where they exist, else by a quartier code, else only in their commune.

# %%
counts = placement.sites.groupby(["inventory", "placed_by"]).size().unstack(fill_value=0)
counts = counts.reindex(columns=["coordinates", "quartier_code", "commune", "unplaced"],
                        fill_value=0)
counts.loc["all"] = counts.sum()
readable = counts.reset_index().rename(columns={
    "inventory": "List", "coordinates": "Polygon (coordinates)",
    "quartier_code": "Quartier code", "commune": "Commune only", "unplaced": "Unplaced"})
readable["List"] = readable["List"].map({"bundled": "Bundled list, corrected",
                                         "toestand": "Toestand projects added", "all": "All"})
show(counts.reset_index(), "05_site_placement_counts", shown=readable,
     caption=f"Dated sites by how they are placed ({n_undated} undated sites of the corrected "
             f"list left out)")
total = counts.loc["all"]
headline("sites_dated_in_inventory", int(total.sum()), unit="sites", digits=0,
         source="corrected bundled list + Toestand projects not already in it, dated")
headline("sites_placed_by_coordinates", int(total["coordinates"]), unit="sites", digits=0,
         source="place_sites: point in a quartier polygon")
headline("sites_placed_by_quartier_code", int(total["quartier_code"]), unit="sites", digits=0,
         source="place_sites: quartier code")
headline("sites_placed_in_commune_only", int(total["commune"]), unit="sites", digits=0,
         source="place_sites: commune (nis_code) only")
headline("sites_unplaced", int(total["unplaced"]), unit="sites", digits=0,
         source="place_sites: no coordinates, quartier code or commune")
added = headline("toestand_projects_added", n_toestand_added, unit="projects", digits=0,
                 source="temporary_use_projects_toestand: in the region, not already in the "
                        "list")

# %%
placed = placement.sites[placement.sites["quartier_placed"].notna()].merge(
    quartier_codes[["mdrc", "name_fr"]].astype({"mdrc": "Int64"}),
    left_on="quartier_placed", right_on="mdrc", how="left")
readable = pd.DataFrame({
    "Site": placed["name"], "Start": placed["start_year"].astype("Int64"),
    "End": placed["end_year"].astype("Int64"),
    "Quartier": placed["name_fr"] + " (" + placed["quartier_placed"].astype(str) + ")",
    "Placed by": placed["placed_by"].map({"coordinates": "polygon",
                                          "quartier_code": "quartier code"}),
    "List": placed["inventory"]})
show(placement.to_frame(), "05_site_inventory_placed", shown=readable, wrap=["Site"],
     formats={"Start": "{:d}", "End": "{:d}"},
     caption="Sites that can enter a quartier-level design (end – = ongoing or not stated); "
             "the whole inventory is in the exports")

# %% [markdown]
# **Notes from the computations** (what the package warned about while computing the numbers
# above):

# %%
display(Markdown("\n".join(f"- {note}" for note in notes) or "- none"))

# %% [markdown]
# ## Limits
#
# * **Commune level is too coarse to conclude.** A commune of 20,000–190,000 residents stands
#   for one building; cohorts hold one or two communes; canal-side communes were selected for
#   vacancy (and redevelopment), which parallel trends cannot fix. The commune numbers show that
#   the pipeline runs on real data and what the checks say at this level, not the effect.
# * **Site data.** Only sites with printed coordinates or a quartier code can enter a quartier
#   design, and undated sites cannot enter any. The commune design times communes from the
#   bundled list as published; the corrected dates change some communes' timing (Findings), and
#   which occupations count as treatment (informal occupations, one-off events in Toestand's
#   list, occupations that ended in eviction) is a choice the data cannot make.
# * **What a real test needs.** The region's own inventory (about 126 occupations active in
#   2023) through the same validated schema (`docs/causal.md`, site inventory); an outcome
#   measured near the sites (sales or rents by statistical sector); rings as in section 1;
#   occupations that end reported separately from those running.
# * **Inference.** The analytic standard errors are not valid with so few treated communes; the
#   randomization p-value and the robust intervals are the numbers to read, and a passed
#   pre-test says little at this size.
