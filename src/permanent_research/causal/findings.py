"""Plain-language findings of a temporary-use effect estimate, computed from its results.

Every sentence is built from the numbers it reports, direction words included (rose more / less,
rejects / does not reject), so a report's "Findings" block changes when the numbers do. The
verdict weighs the checks that matter with few treated units: the randomization-inference
p-value (not the asymptotic standard error), the pre-trend test and the Rambachan–Roth breakdown
value.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ["effect_findings", "placement_finding", "format_pvalue"]


def format_pvalue(p: float) -> str:
    """``p = 0.52``, ``p = 0.031``, ``p < 0.001`` (never scientific notation)."""
    if not np.isfinite(p):
        return "p not computable"
    if p < 0.001:
        return "p < 0.001"
    return f"p = {p:.2f}" if p >= 0.1 else f"p = {p:.3f}"


def _pct(log_points: float) -> float:
    """A difference in log points as a percentage difference."""
    return 100 * math.expm1(log_points)


def effect_findings(
    estimate: Any,
    *,
    ri: Any,
    pretest: Any,
    sensitivity: Any,
    n_treated: int,
    n_control: int,
    placebo: Any = None,
    units: str = "communes",
    outcome: str = "apartment prices",
    alpha: float = 0.05,
) -> list[str]:
    """Sentences for the effect of temporary use on a log outcome, and whether the checks back it.

    Parameters
    ----------
    estimate
        Overall ATT in log points with ``att``, ``ci_low``, ``ci_high`` (e.g.
        ``staggered_did(...).aggregate("simple").overall``).
    ri
        :class:`~permanent_research.causal.RandomizationResult` of the same statistic
        (``pvalue``, ``exact``, ``distribution``).
    pretest
        A pre-trend test with ``pvalue`` (NaN = not computable) and ``df``.
    placebo
        Optional randomization inference on the pre-treatment coefficients
        (``statistic="pre"``); reported next to the pre-test, which rests on asymptotics.
    sensitivity
        :class:`~permanent_research.causal.ParallelTrendsSensitivity` (relative magnitudes):
        ``breakdown`` (NaN = not significant even at the first grid value) and ``table``.
    n_treated, n_control
        Treated and comparison units of the panel.
    units, outcome
        Words for the units and the outcome.
    alpha
        Level at which a p-value or an interval counts as evidence.

    Returns
    -------
    list of str
        Direction and size; randomization inference; pre-trends; parallel-trends sensitivity;
        the verdict.
    """
    att = float(estimate.att)
    pct, low, high = _pct(att), _pct(float(estimate.ci_low)), _pct(float(estimate.ci_high))
    interval_has_zero = estimate.ci_low <= 0 <= estimate.ci_high
    level = round(100 * (1 - alpha))
    sentences = [
        f"After a temporary-use site opened, {outcome} in the {n_treated} {units} that "
        f"received one rose {abs(pct):.1f} % {'more' if att > 0 else 'less'} than in the "
        f"{n_control} comparison {units} (Callaway–Sant'Anna overall effect; {level} % "
        f"interval {low:+.1f} % to {high:+.1f} %, which "
        f"{'includes' if interval_has_zero else 'excludes'} no effect)."
    ]
    how = (f"all {len(ri.distribution):,} assignments" if ri.exact
           else f"{len(ri.distribution):,} random reassignments")
    ri_significant = ri.pvalue < alpha
    sentences.append(
        f"Reassigning the observed start years at random across the {units} ({how}) "
        f"produces an effect at least this large with randomization {format_pvalue(ri.pvalue)}: "
        f"the estimate {'stands out from' if ri_significant else 'is within the range of'} "
        f"what timing alone produces.")
    p_pre = float(pretest.pvalue)
    if np.isfinite(p_pre):
        rejects = p_pre < alpha
        reading = (f"treated and comparison {units} already moved apart before the sites "
                   f"opened" if rejects else "no sign that they moved apart before")
        sentences.append(
            f"The joint test of the {pretest.df} pre-treatment coefficients "
            f"{'rejects' if rejects else 'does not reject'} parallel pre-trends "
            f"({format_pvalue(p_pre)}): {reading}.")
    else:
        rejects = True  # no test: parallel trends are not backed
        sentences.append("The pre-trend test could not be computed, so parallel trends are "
                         "untested.")
    if placebo is not None:
        odd = placebo.pvalue < alpha
        sentences[-1] += (
            f" The placebo randomization test on the pre-treatment years, which needs no "
            f"asymptotics, {'also finds' if odd else 'finds no'} unusual pre-trends "
            f"({format_pvalue(placebo.pvalue)})"
            + ("." if odd == rejects else "; the two tests disagree."))
    breakdown = float(sensitivity.breakdown)
    robust = sensitivity.table[sensitivity.table["M"].notna()]
    first = robust.sort_values("M").iloc[0]
    if np.isfinite(breakdown):
        sentences.append(
            f"Allowing post-treatment departures from parallel trends (Rambachan–Roth), the "
            f"first-year effect stays different from zero up to M̄ = {breakdown:g} times the "
            f"largest pre-treatment departure (the breakdown value).")
    else:
        sentences.append(
            f"Allowing post-treatment departures from parallel trends (Rambachan–Roth), the "
            f"robust interval for the first-year effect already includes zero at M̄ = "
            f"{first['M']:g} ({_pct(first['lb']):+.1f} % to {_pct(first['ub']):+.1f} %): there "
            f"is no breakdown value, because no amount of violation is needed to lose "
            f"significance.")
    supported = (not interval_has_zero and ri_significant and not rejects
                 and np.isfinite(breakdown))
    if supported:
        verdict = (f"Together the checks support a {'rise' if att > 0 else 'fall'} in "
                   f"{outcome} near temporary-use sites, at this coarse level.")
    else:
        failed = [name for name, bad in (
            ("the interval includes zero", interval_has_zero),
            ("randomization inference does not single it out", not ri_significant),
            ("the pre-trend test rejects" if np.isfinite(p_pre) else "there is no pre-trend test",
             rejects),
            ("there is no breakdown value", not np.isfinite(breakdown))) if bad]
        verdict = (f"Together the checks do not support an effect of temporary use on "
                   f"{outcome} at this level ({'; '.join(failed)}); nor do they rule one out, "
                   f"since {n_treated} treated {units} leave little power.")
    sentences.append(verdict)
    return sentences


def placement_finding(counts: Mapping[str, int], *, n_undated: int = 0,
                      n_outside: int = 0) -> str:
    """One sentence: how many sites could be placed, and how.

    Parameters
    ----------
    counts
        Sites per placement method: ``coordinates``, ``quartier_code``, ``commune``,
        ``unplaced`` (e.g. ``SitePlacement.counts``).
    n_undated
        Sites left out before placement because they have no start year.
    n_outside
        Sites left out because they lie outside the region.
    """
    get = {k: int(counts.get(k, 0)) for k in ("coordinates", "quartier_code", "commune",
                                              "unplaced")}
    total = sum(get.values())
    quartier = get["coordinates"] + get["quartier_code"]
    left_out = []
    if n_undated:
        left_out.append(f"{n_undated} without a start year")
    if n_outside:
        left_out.append(f"{n_outside} outside the region")
    return (f"Of {total} dated sites in the inventory"
            + (f" ({' and '.join(left_out)} left out)" if left_out else "")
            + f", {quartier} can be placed in a quartier ({get['coordinates']} by their "
              f"coordinates inside a quartier polygon, {get['quartier_code']} by a quartier "
              f"code), {get['commune']} only in their commune and {get['unplaced']} nowhere: "
              f"a quartier-level design would rest on {quartier} sites.")
