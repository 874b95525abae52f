"""Seeded synthetic Brussels-like area-year panel with staggered, dynamic, heterogeneous effects.

The panel exists to demonstrate and test the causal estimators in
:mod:`permanent_research.causal`: it has a **known truth** (every ATT(g,t) and the event-study
effects θ(e)) and is built so that the naive two-way fixed-effects (TWFE) regression is visibly
biased — treatment effects grow with exposure time and are larger for early cohorts, so the
"forbidden comparisons" of TWFE (already-treated units used as controls) pull its estimate
down — while Callaway–Sant'Anna, Sun–Abraham and the imputation estimator recover the truth.

Everything returned carries ``attrs["synthetic"] = True``. Nothing here is a finding about
Brussels.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from permanent_research._validation import check_in_range, check_positive
from permanent_research.errors import ParameterError

__all__ = ["SyntheticPanel", "synthetic_did_panel", "DEFAULT_COHORT_EFFECTS"]

#: Effect per year of exposure, in log points, by first-treated year (cohort). The effect in
#: event time e >= 0 is ``slope * (e + 1)``: dynamic (growing with exposure) and heterogeneous
#: (early cohorts gain faster).
DEFAULT_COHORT_EFFECTS: dict[int, float] = {2012: 0.030, 2015: 0.020, 2018: 0.010}

# Approximate extent of the Brussels-Capital Region in EPSG:3812 (Belgian Lambert 2008), m.
_X_RANGE = (641_000.0, 659_000.0)
_Y_RANGE = (661_000.0, 679_000.0)


@dataclass(frozen=True)
class SyntheticPanel:
    """A synthetic panel and its known truth.

    Attributes
    ----------
    data
        Long frame, one row per unit and year: ``unit``, ``commune`` (1–19), ``x_m``/``y_m``
        (EPSG:3812 metres), ``year``, ``first_treated`` (0 = never), ``log_price`` (log EUR/m²),
        ``baseline_social_share`` (time-invariant covariate, share 0–1), ``treated``
        (0/1 indicator ``year >= first_treated``), ``true_effect`` (log points).
    truth_gt
        True ATT(g,t) for every cohort g and year t: ``group``, ``time``, ``event_time``,
        ``att`` (log points; 0 before treatment).
    truth_dynamic
        True event-study effects θ(e) with the Callaway–Sant'Anna cohort-share weights:
        ``event_time``, ``att``.
    truth_overall
        True overall ATT: the group-size weighted mean of the post-treatment ATT(g,t)
        (the estimand of ``aggregate("simple")``), log points.
    truth_group
        True cohort effects (mean of ATT(g,t) over t >= g): ``group``, ``att``.
    params
        The generator's parameters.
    """

    data: pd.DataFrame
    truth_gt: pd.DataFrame
    truth_dynamic: pd.DataFrame
    truth_overall: float
    truth_group: pd.DataFrame
    params: Mapping[str, object] = field(default_factory=dict)


def synthetic_did_panel(
    n_units: int = 2000,
    *,
    first_year: int = 2008,
    last_year: int = 2022,
    cohort_effects: Mapping[int, float] | None = None,
    cohort_shares: Mapping[int, float] | None = None,
    noise_sd: float = 0.05,
    trend_per_year: float = 0.03,
    covariate_trend: float = 0.0,
    seed: int | np.random.Generator = 0,
) -> SyntheticPanel:
    """Generate a balanced synthetic area-year panel with staggered adoption and a known truth.

    The outcome is ``log_price = α_i + λ_t + covariate_trend · s_i · (t − first_year)
    + τ_g(t − g) + ε_it`` with unit effects α_i ~ N(7.8, 0.25) (log EUR/m²), a common year
    effect λ_t (``trend_per_year`` per year plus N(0, 0.01) shocks), the treatment effect
    ``τ_g(e) = slope_g · (e + 1)`` for ``e >= 0`` (0 before), and ε ~ N(0, ``noise_sd``).
    Treatment is absorbing (once exposed, always counted as treated) — the estimand is the
    effect of *having had* a temporary-use site nearby.

    Parameters
    ----------
    n_units
        Number of units (areas / street blocks), at least 20.
    first_year, last_year
        First and last calendar year (inclusive); at least 4 years.
    cohort_effects
        ``{first_treated_year: slope}``, slope in log points per year of exposure. Defaults to
        :data:`DEFAULT_COHORT_EFFECTS` (2012, 2015, 2018). Years must lie strictly inside
        ``(first_year, last_year]``.
    cohort_shares
        ``{first_treated_year: share of units}``; the rest are never treated. Defaults to 20 %
        per cohort.
    noise_sd
        Standard deviation of the idiosyncratic shock, log points.
    trend_per_year
        Common trend, log points per year.
    covariate_trend
        Extra trend per year per unit of ``baseline_social_share`` (log points). With a non-zero
        value, and because treatment is more likely where the share is high, parallel trends
        hold only conditionally on the covariate.
    seed
        Seed or generator.

    Returns
    -------
    SyntheticPanel
        Frames all carry ``attrs["synthetic"] = True``.
    """
    if int(n_units) < 20:
        raise ParameterError(f"n_units={n_units!r} is too small; use at least 20 units")
    n_units = int(n_units)
    if last_year - first_year < 3:
        raise ParameterError(
            f"first_year={first_year!r}, last_year={last_year!r}: need at least 4 years"
        )
    check_positive("noise_sd", noise_sd)
    effects = dict(DEFAULT_COHORT_EFFECTS if cohort_effects is None else cohort_effects)
    for g in effects:
        if not first_year < g <= last_year:
            raise ParameterError(
                f"cohort_effects: first-treated year {g!r} must lie in "
                f"({first_year}, {last_year}]"
            )
    cohorts = sorted(effects)
    shares = dict(cohort_shares) if cohort_shares is not None else {g: 0.2 for g in cohorts}
    if set(shares) != set(cohorts):
        raise ParameterError(
            f"cohort_shares keys {sorted(shares)} must equal cohort_effects keys {cohorts}"
        )
    for g, s in shares.items():
        check_in_range(f"cohort_shares[{g}]", s, 0, 1)
    if sum(shares.values()) >= 1:
        raise ParameterError(
            f"cohort_shares sum to {sum(shares.values()):.3f}; must be < 1 (some never treated)"
        )

    rng = np.random.default_rng(seed)
    years = np.arange(first_year, last_year + 1)
    n_years = len(years)

    # Units: location, commune, a baseline covariate.
    x = rng.uniform(*_X_RANGE, n_units)
    y = rng.uniform(*_Y_RANGE, n_units)
    commune = 1 + (rng.integers(0, 19, n_units))
    social = rng.beta(2, 6, n_units)

    # Cohort assignment: more likely where the baseline social-housing share is high
    # (temporary use goes where vacancy and low prices are), with the target shares overall.
    score = social + rng.normal(0, 0.15, n_units)
    order = np.argsort(-score)
    counts = [int(round(shares[g] * n_units)) for g in cohorts]
    first_treated = np.zeros(n_units, dtype=np.int64)
    position = 0
    cohort_cycle = np.repeat(np.array(cohorts), counts)
    # Interleave cohorts among the highest-score units so that every cohort shares the same
    # covariate distribution (selection on levels, not on timing).
    cohort_cycle = rng.permutation(cohort_cycle)
    first_treated[order[position:position + len(cohort_cycle)]] = cohort_cycle

    alpha = rng.normal(7.8, 0.25, n_units)
    lam = trend_per_year * (years - first_year) + rng.normal(0, 0.01, n_years)

    unit_idx = np.repeat(np.arange(n_units), n_years)
    year_arr = np.tile(years, n_units)
    g_arr = first_treated[unit_idx]
    event = year_arr - g_arr
    treated = (g_arr > 0) & (event >= 0)
    slope = np.zeros(n_units)
    for g in cohorts:
        slope[first_treated == g] = effects[g]
    effect = np.where(treated, slope[unit_idx] * (event + 1), 0.0)
    outcome = (
        alpha[unit_idx]
        + lam[np.tile(np.arange(n_years), n_units)]
        + covariate_trend * social[unit_idx] * (year_arr - first_year)
        + effect
        + rng.normal(0, noise_sd, n_units * n_years)
    )
    data = pd.DataFrame(
        {
            "unit": unit_idx + 1,
            "commune": commune[unit_idx],
            "x_m": x[unit_idx],
            "y_m": y[unit_idx],
            "year": year_arr,
            "first_treated": g_arr,
            "log_price": outcome,
            "baseline_social_share": social[unit_idx],
            "treated": treated.astype(np.int64),
            "true_effect": effect,
        }
    )

    # Truth.
    present = [g for g in cohorts if (first_treated == g).any()]
    rows = []
    for g in present:
        for t in years:
            e = int(t - g)
            rows.append({"group": g, "time": int(t), "event_time": e,
                         "att": effects[g] * (e + 1) if e >= 0 else 0.0})
    truth_gt = pd.DataFrame(rows)
    size = pd.Series({g: float((first_treated == g).sum()) for g in present})
    post = truth_gt[truth_gt["event_time"] >= 0]
    w = post["group"].map(size)
    truth_overall = float((post["att"] * w).sum() / w.sum())
    dyn = (
        truth_gt.assign(w=truth_gt["group"].map(size))
        .groupby("event_time")[["att", "w"]]
        .apply(lambda f: (f["att"] * f["w"]).sum() / f["w"].sum())
        .rename("att")
        .reset_index()
    )
    truth_group = post.groupby("group", as_index=False)["att"].mean()

    params = {
        "n_units": n_units, "first_year": first_year, "last_year": last_year,
        "cohort_effects": effects, "cohort_shares": shares, "noise_sd": noise_sd,
        "trend_per_year": trend_per_year, "covariate_trend": covariate_trend,
        "seed": seed if isinstance(seed, int) else "generator",
    }
    for frame in (data, truth_gt, dyn, truth_group):
        frame.attrs["synthetic"] = True
    return SyntheticPanel(data, truth_gt, dyn, truth_overall, truth_group, params)
