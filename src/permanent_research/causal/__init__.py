"""Causal designs for the effect of temporary use: staggered DiD, estimator comparison, exposure.

* :func:`staggered_did` — Callaway & Sant'Anna (2021) group-time ATTs and their aggregations
  (the fixed contract of ``docs/ARCHITECTURE.md``), numbers equal to R ``did`` / ``csdid``.
* :func:`compare_estimators` — TWFE (static and event study), Sun & Abraham, the imputation
  estimator (Borusyak–Jaravel–Spiess / Gardner did2s) and Callaway & Sant'Anna side by side.
* :func:`exposure_from_sites` / :func:`commune_first_treated` — treatment timing and distance
  rings from temporary-use sites.
* ``DidResult.pretest()``, :func:`randomization_inference`, :func:`sup_t_band` — designs for
  few treated units: R ``did``'s pre-trend Wald test, permutation of treatment timing, bands.
* :func:`parallel_trends_sensitivity` — Rambachan & Roth (2023) robust confidence sets
  (relative magnitudes, C-LF; smoothness, FLCI) for any event study's coefficients.
* :func:`validate_site_inventory` / :func:`apply_site_updates` / :func:`place_sites` /
  :func:`quartier_timing` — a bring-your-own site inventory, the bundled list corrected with
  sources, sites placed in quartiers, treatment timing with the contested-date sensitivity.
* :func:`effect_findings` / :func:`placement_finding` — the computed sentences of a report's
  "Findings" block.

Analysis code only: it never loads data (notebooks pass frames in).
"""

from permanent_research.causal.compare import compare_estimators
from permanent_research.causal.did import DidResult, staggered_did, validate_panel
from permanent_research.causal.exposure import (
    ExposureResult,
    commune_first_treated,
    exposure_from_sites,
)
from permanent_research.causal.findings import effect_findings, format_pvalue, placement_finding
from permanent_research.causal.honest import ParallelTrendsSensitivity, parallel_trends_sensitivity
from permanent_research.causal.results import AggregateResult, ComparisonResult, Estimate
from permanent_research.causal.robust import (
    PhaseEffects,
    PretestResult,
    RandomizationResult,
    effects_during_and_after,
    event_study_inputs,
    future_site_panel,
    randomization_inference,
    sup_t_band,
)
from permanent_research.causal.sites import (
    SITE_INVENTORY_SCHEMA,
    SitePlacement,
    SiteUpdates,
    apply_site_updates,
    inventory_from_bundled,
    inventory_from_toestand,
    merge_inventories,
    place_sites,
    quartier_timing,
    validate_site_inventory,
)

__all__ = [
    "staggered_did",
    "DidResult",
    "AggregateResult",
    "Estimate",
    "validate_panel",
    "compare_estimators",
    "ComparisonResult",
    "exposure_from_sites",
    "commune_first_treated",
    "ExposureResult",
    "parallel_trends_sensitivity",
    "ParallelTrendsSensitivity",
    "PretestResult",
    "RandomizationResult",
    "randomization_inference",
    "sup_t_band",
    "future_site_panel",
    "effects_during_and_after",
    "event_study_inputs",
    "PhaseEffects",
    "SITE_INVENTORY_SCHEMA",
    "SitePlacement",
    "SiteUpdates",
    "apply_site_updates",
    "inventory_from_bundled",
    "inventory_from_toestand",
    "merge_inventories",
    "place_sites",
    "quartier_timing",
    "validate_site_inventory",
    "effect_findings",
    "placement_finding",
    "format_pvalue",
]
