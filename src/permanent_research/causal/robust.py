"""Designs for few treated units: pre-trend test, simultaneous bands, randomization inference,
future-site controls and occupations that end.

* :class:`PretestResult` — what :meth:`DidResult.pretest` returns: the joint Wald test that all
  pre-treatment ATT(g,t) are zero, exactly as R ``did::att_gt`` reports it (``W``, ``Wpval``).
* :func:`sup_t_band` — simultaneous (sup-t) critical value for any vector of estimates with a
  covariance matrix (Montiel Olea & Plagborg-Møller 2019), for event studies that lack one.
* :func:`randomization_inference` — permute treatment timing across eligible units and
  recompute the Callaway–Sant'Anna aggregate for every assignment (exact enumeration when the
  number of distinct assignments is small, seeded Monte Carlo otherwise). Without covariates
  the estimator is a fixed linear map of the outcome changes given the cohort sizes, which do
  not change under permutation, so every permutation costs one gather-and-sum (vectorised).
* :func:`future_site_panel` — comparison units that answer selection: only units that get a
  site later than the estimation window ("future sites") serve as controls.
* :func:`effects_during_and_after` — occupations that end: post-treatment cells split into
  "during" (up to the end year) and "after", each aggregated separately, never averaged together.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import chi2, norm

from permanent_research._validation import check_choice, check_columns, format_rows
from permanent_research.errors import DataError, ParameterError, PermanentResearchWarning
from permanent_research.options import RI_STATISTICS, RIStatistic
from permanent_research.results import Result

__all__ = [
    "PretestResult",
    "wald_pretest",
    "sup_t_band",
    "RandomizationResult",
    "randomization_inference",
    "RI_STATISTICS",
    "future_site_panel",
    "PhaseEffects",
    "effects_during_and_after",
    "event_study_inputs",
]



def _html(title: str, frame: pd.DataFrame, note: str = "") -> str:
    body = frame.to_html(index=False, float_format=lambda v: f"{v:.4f}", na_rep="–")
    return f"<p><b>{title}</b></p>{body}" + (f"<p><small>{note}</small></p>" if note else "")


# --------------------------------------------------------------------------------------------
# Pre-trend test
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class PretestResult(Result):
    """Joint Wald test that all pre-treatment ATT(g,t) are zero (R ``did``'s pre-test).

    Attributes
    ----------
    statistic
        ``W = n · â' V̂⁻¹ â`` over the usable pre-treatment cells (NaN when not computable).
    df
        Number of restrictions (usable pre-treatment cells).
    pvalue
        ``1 − χ²_df(W)`` (unrounded; R rounds it to 5 digits when printing).
    cells
        The pre-treatment cells used: ``group, time, att, se``.
    note
        Why the test could not be computed, if so.
    """

    statistic: float
    df: int
    pvalue: float
    cells: pd.DataFrame
    note: str = ""

    def to_frame(self) -> pd.DataFrame:
        """One row: ``statistic, df, pvalue``."""
        return pd.DataFrame([{"statistic": self.statistic, "df": self.df,
                              "pvalue": self.pvalue}])

    def summary(self) -> str:
        """One line, as R ``did`` prints it."""
        if not np.isfinite(self.statistic):
            return f"Pre-test of parallel trends not computed: {self.note}"
        return (f"Pre-test of parallel trends (joint Wald, {self.df} pre-treatment coefficients = "
                f"0): W = {self.statistic:.3f}, p-value = {self.pvalue:.4f}")

    def __repr__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        return _html("Pre-test of parallel trends", self.to_frame(), self.note)

    def plot(self, ax: Any = None) -> Any:  # Figure, per the Result contract
        """The pre-treatment ATT(g,t) with pointwise 95 % intervals, by event time."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 3.5))
        c = self.cells
        x = (c["time"] - c["group"]).to_numpy(dtype=float)
        ax.errorbar(x, c["att"], yerr=1.96 * c["se"], fmt="o", ms=3, capsize=2)
        ax.axhline(0, color="grey", lw=0.8)
        ax.set_xlabel("event time (pre-treatment cells)")
        ax.set_title(self.summary(), fontsize=8)
        return ax.figure


def wald_pretest(att_gt: pd.DataFrame, influence: np.ndarray) -> PretestResult:
    """R ``did``'s pre-test from an ATT(g,t) table and its influence functions.

    ``V = IF'IF / n``; pre-treatment cells (``group > time``) with a zero or missing standard
    error are dropped (a universal base period's reference cell); ``W = n â' V⁻¹ â``,
    ``df`` = cells kept. Not computable (NaN, with ``note``) when no cell is left, when a kept
    cell is NA, or when ``rcond(V) <= eps`` (as R).
    """
    n = influence.shape[0]
    # an event-study table arrives with group = 0 and time = event time: pre means e < 0
    pre = (att_gt["group"].to_numpy(dtype=float) > att_gt["time"].to_numpy(dtype=float))
    se = att_gt["se"].to_numpy(dtype=float)
    keep = pre & np.isfinite(se) & (se > 0)
    cells = att_gt.loc[keep, ["group", "time", "att", "se"]].reset_index(drop=True)
    if not keep.any():
        return PretestResult(np.nan, 0, np.nan, cells, "no pre-treatment ATT(g,t) to test")
    a = att_gt["att"].to_numpy(dtype=float)[keep]
    inf = influence[:, keep]
    if not (np.isfinite(a).all() and np.isfinite(inf).all()):
        return PretestResult(np.nan, int(keep.sum()), np.nan, cells,
                             "NA pre-treatment values")
    V = inf.T @ inf / n
    if 1.0 / np.linalg.cond(V, p=1) <= np.finfo(float).eps:
        return PretestResult(np.nan, int(keep.sum()), np.nan, cells,
                             "singular covariance of the pre-treatment cells")
    W = float(n * a @ np.linalg.solve(V, a))
    q = int(keep.sum())
    return PretestResult(W, q, float(chi2.sf(W, q)), cells)


# --------------------------------------------------------------------------------------------
# Simultaneous band
# --------------------------------------------------------------------------------------------


def sup_t_band(
    estimates: Sequence[float] | np.ndarray,
    cov: np.ndarray,
    *,
    alpha: float = 0.05,
    n_draws: int = 100_000,
    seed: int | np.random.Generator = 0,
) -> pd.DataFrame:
    """Simultaneous (sup-t) confidence band for a vector of estimates.

    The critical value is the (1 − alpha) quantile of ``max_k |Z_k|`` for ``Z ~ N(0, R)``,
    ``R`` the correlation matrix of ``cov`` (seeded simulation), so the band covers all
    coefficients jointly with probability 1 − alpha (Montiel Olea & Plagborg-Møller 2019).

    Returns
    -------
    DataFrame
        ``estimate, se, ci_low, ci_high`` (band) and ``attrs["crit_val"]``.
    """
    b = np.asarray(estimates, dtype=float)
    S = np.asarray(cov, dtype=float)
    if S.shape != (len(b), len(b)):
        raise ParameterError(f"cov has shape {S.shape}; expected ({len(b)}, {len(b)})")
    se = np.sqrt(np.diag(S))
    if not (np.isfinite(se).all() and (se > 0).all()):
        raise ParameterError("cov: every variance must be positive and finite")
    R = S / np.outer(se, se)
    rng = np.random.default_rng(seed)
    draws = rng.multivariate_normal(np.zeros(len(b)), R, size=int(n_draws), method="eigh")
    crit = float(np.quantile(np.abs(draws).max(axis=1), 1 - alpha))
    out = pd.DataFrame({"estimate": b, "se": se, "ci_low": b - crit * se,
                        "ci_high": b + crit * se})
    out.attrs["crit_val"] = crit
    return out


# --------------------------------------------------------------------------------------------
# Randomization inference
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class RandomizationResult(Result):
    """Randomization inference for a staggered DiD aggregate.

    Attributes
    ----------
    statistic
        The observed aggregate ATT (outcome units).
    distribution
        The statistic under every permuted assignment (exact: all distinct assignments, the
        observed one included; Monte Carlo: the random draws).
    pvalue
        Two-sided: share of assignments with ``|T| >= |T_obs|`` (exact), or
        ``(1 + #{|T| >= |T_obs|}) / (1 + draws)`` (Monte Carlo).
    exact
        Whether all distinct assignments were enumerated.
    n_assignments
        Number of distinct assignments of the observed cohort sizes to the eligible units.
    seed
        Seed of the Monte Carlo draws (``None`` when exact).
    options
        Statistic, control group, eligible units, cohort sizes.
    """

    statistic: float
    distribution: np.ndarray = field(repr=False)
    pvalue: float
    exact: bool
    n_assignments: int
    seed: int | None
    options: dict[str, Any] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """The permutation distribution: one row per assignment (``draw, statistic``)."""
        return pd.DataFrame({"draw": np.arange(len(self.distribution)),
                             "statistic": self.distribution})

    def summary(self) -> str:
        """Observed statistic, p-value, how it was computed."""
        total = (f"{self.n_assignments:,}" if self.n_assignments < 10**9
                 else f"{float(self.n_assignments):.2e}")
        how = (f"exact over all {total} assignments" if self.exact else
               f"Monte Carlo, {len(self.distribution):,} draws of {total} "
               f"possible assignments, seed {self.seed}")
        label = {"simple": "overall ATT", "dynamic": "event-study ATT",
                 "pre": "placebo: mean pre-period coefficient"}.get(
            self.options.get("statistic"), str(self.options.get("statistic")))
        return (f"Randomization inference ({label}): observed "
                f"{self.statistic:.4f}, two-sided p = {self.pvalue:.4f} ({how})")

    def __repr__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        q = np.quantile(self.distribution, [0.025, 0.5, 0.975])
        frame = pd.DataFrame([{"observed": self.statistic, "pvalue": self.pvalue,
                               "perm_q025": q[0], "perm_median": q[1], "perm_q975": q[2],
                               "draws": len(self.distribution), "exact": self.exact}])
        return _html("Randomization inference", frame, self.summary())

    def plot(self, ax: Any = None) -> Any:  # Figure, per the Result contract
        """Histogram of the permutation distribution with the observed statistic."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 3.5))
        ax.hist(self.distribution, bins=min(60, max(10, len(self.distribution) // 50)),
                color="#b0c4de", edgecolor="white")
        ax.axvline(self.statistic, color="#c0392b", lw=2, label="observed")
        ax.axvline(-self.statistic, color="#c0392b", lw=1, ls=":")
        ax.set_xlabel("ATT under permuted treatment timing")
        ax.set_title(self.summary(), fontsize=8)
        ax.legend(frameon=False)
        return ax.figure


def _multiset_assignments(labels: np.ndarray) -> np.ndarray:
    """All distinct orderings of a multiset of labels (rows)."""
    values, counts = np.unique(labels, return_counts=True)
    n = len(labels)
    rows: list[np.ndarray] = []

    def fill(free: tuple[int, ...], k: int, current: np.ndarray) -> None:
        if k == len(values) - 1:
            out = current.copy()
            out[list(free)] = values[k]
            rows.append(out)
            return
        for chosen in itertools.combinations(free, int(counts[k])):
            nxt = current.copy()
            nxt[list(chosen)] = values[k]
            rest = tuple(i for i in free if i not in set(chosen))
            fill(rest, k + 1, nxt)

    fill(tuple(range(n)), 0, np.empty(n, dtype=labels.dtype))
    return np.array(rows)


def _n_assignments(labels: np.ndarray) -> int:
    _, counts = np.unique(labels, return_counts=True)
    total = math.factorial(len(labels))
    for c in counts:
        total //= math.factorial(int(c))
    return total


def _label_weights(tlist: np.ndarray, Y: np.ndarray, glist: np.ndarray,
                   label_values: np.ndarray, sizes: dict[float, int], control: str,
                   statistic: str, min_e: float, max_e: float) -> np.ndarray:
    """Matrix V (labels × units) with statistic = Σ_i V[label(i), i] for any assignment.

    Cohort sizes are fixed under permutation, so each cell's aggregation weight and each
    comparison group's size are fixed; only which units carry which label changes.
    ``label_values`` are all distinct first-treated values (0 = never), sorted; ``glist`` the
    cohorts that are evaluated (a cohort can be a comparison only, as the last one when there
    is no never-treated unit).
    """
    n = Y.shape[0]
    V = np.zeros((len(label_values), n))
    cells = []
    for g in glist:
        g_base = int(np.flatnonzero(tlist < g)[-1])
        for ti, t in enumerate(tlist):
            e = t - g
            if e < min_e or e > max_e:
                continue
            if statistic == "pre":  # placebo: pre-period cells, varying base (t vs t - 1)
                if t >= g or ti == 0:
                    continue
                base = ti - 1
            elif t < g:
                continue
            else:
                base = g_base
            if control == "never_treated":
                ctrl = [0.0] if sizes.get(0.0, 0) else []
            else:
                ctrl = [h for h in label_values
                        if h == 0 or (h > max(t, tlist[base]) and h != g)]
            n_c = sum(sizes.get(float(h), 0) for h in ctrl)
            if n_c == 0:
                continue
            cells.append((g, ti, base, e, ctrl, n_c))
    if not cells:
        which = "pre-treatment" if statistic == "pre" else "post-treatment"
        raise DataError(f"randomization_inference: no {which} cell with comparison units")
    if statistic == "simple":
        total = sum(sizes[c[0]] for c in cells)
        weights = [sizes[c[0]] / total for c in cells]
    elif statistic == "pre":
        events = sorted({c[3] for c in cells})
        per_event = {e: sum(sizes[c[0]] for c in cells if c[3] == e) for e in events}
        weights = [sizes[c[0]] / per_event[c[3]] / len(events) for c in cells]
    else:
        events = sorted({c[3] for c in cells if c[3] >= 0})
        per_event = {e: sum(sizes[c[0]] for c in cells if c[3] == e) for e in events}
        weights = [sizes[c[0]] / per_event[c[3]] / len(events) if c[3] >= 0 else 0.0
                   for c in cells]
    for w, (g, ti, base, _e, ctrl, n_c) in zip(weights, cells, strict=True):
        d = Y[:, ti] - Y[:, base]
        V[np.searchsorted(label_values, g)] += w * d / sizes[g]
        for h in ctrl:
            V[np.searchsorted(label_values, h)] -= w * d / n_c
    return V


def randomization_inference(
    data: pd.DataFrame,
    *,
    unit: str,
    time: str,
    outcome: str,
    first_treated: str,
    control: str = "never_treated",
    statistic: RIStatistic = "simple",
    eligible: str | None = None,
    n_permutations: int = 10_000,
    max_exact: int = 20_000,
    seed: int = 0,
    min_e: float = -np.inf,
    max_e: float = np.inf,
) -> RandomizationResult:
    """Randomization inference: permute treatment timing across eligible units.

    The observed multiset of first-treated periods (never-treated = 0 included) is reassigned
    to the eligible units at random; units not eligible keep their own timing. For each
    assignment the Callaway–Sant'Anna aggregate (no covariates; the same number
    :func:`staggered_did` + ``aggregate`` gives) is recomputed.

    Parameters
    ----------
    data, unit, time, outcome, first_treated
        As :func:`~permanent_research.causal.staggered_did` (balanced panel).
    control
        ``"never_treated"`` or ``"not_yet_treated"``.
    statistic
        ``"simple"`` (overall ATT of ``aggregate("simple")``), ``"dynamic"`` (overall of
        ``aggregate("dynamic")``: mean of the event-time effects e >= 0) or ``"pre"`` (a
        placebo pre-trend test: mean of the pre-period event-time coefficients e < 0 of the
        varying-base event study, whose permutation distribution needs no asymptotics).
    eligible
        Boolean column (constant within unit): which units could have been treated (e.g. units
        with a site in the pipeline). Default: all units.
    n_permutations
        Monte Carlo draws when the assignments are too many to enumerate.
    max_exact
        Enumerate every distinct assignment when there are at most this many.
    seed
        Seed of the Monte Carlo draws (reported).
    min_e, max_e
        Event-time window, as in ``aggregate``.

    Returns
    -------
    RandomizationResult

    Raises
    ------
    DataError
        Schema violations; every eligible unit has the same timing (nothing to permute); the
        observed statistic not reproducible (internal check against :func:`staggered_did`).
    """
    from permanent_research.causal.did import CONTROL_GROUPS, staggered_did, validate_panel

    check_choice("control", control, CONTROL_GROUPS)
    check_choice("statistic", statistic, RI_STATISTICS)
    if int(n_permutations) < 1:
        raise ParameterError(f"n_permutations={n_permutations!r} must be at least 1")
    panel = validate_panel(data, unit=unit, time=time, outcome=outcome,
                           first_treated=first_treated)
    tlist, Y, G = panel.tlist, panel.Y, panel.G.copy()
    G[G > tlist[-1]] = 0
    keep_units = ~((G > 0) & (G <= tlist[0]))  # treated from the first period: not evaluable
    if eligible is None:
        elig = np.ones(len(G), dtype=bool)
    else:
        check_columns(data, [eligible], source="panel")
        flag = data.groupby(unit, sort=False)[eligible].agg(["min", "max"])
        if (flag["min"] != flag["max"]).any():
            raise DataError(f"panel: column {eligible!r} changes within {unit} "
                            f"{format_rows(flag.index[flag['min'] != flag['max']])}")
        elig = flag["max"].reindex(panel.units).to_numpy(dtype=bool)
    Y, G, elig = Y[keep_units], G[keep_units], elig[keep_units]
    glist = np.unique(G[G > 0])
    if not (G == 0).any():
        if control == "never_treated":
            raise DataError(f"{first_treated}: no never-treated {unit}; use "
                            f"control='not_yet_treated'")
        latest = glist.max()
        cut = tlist < latest
        tlist, Y = tlist[cut], Y[:, cut]
        glist = glist[glist < latest]
    glist = glist[glist > tlist[0]]
    if len(np.unique(G[elig])) < 2:
        raise DataError(
            f"randomization_inference: every eligible {unit} has the same {first_treated}; "
            f"there is no other assignment to compare with")
    label_values = np.unique(G).astype(float)
    sizes = {float(h): int((G == h).sum()) for h in label_values}
    V = _label_weights(tlist, Y, glist, label_values, sizes, control, statistic, min_e, max_e)
    idx_all = np.searchsorted(label_values, G)
    cols = np.arange(len(G))
    observed = float(V[idx_all, cols].sum())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PermanentResearchWarning)
        agg = staggered_did(data, unit=unit, time=time, outcome=outcome,
                            first_treated=first_treated, control=control)
        if statistic == "pre":
            table = agg.aggregate("dynamic", min_e=min_e, max_e=max_e).table
            reference = float(table.loc[table["event_time"] < 0, "att"].mean())
        else:
            reference = agg.aggregate(statistic, min_e=min_e, max_e=max_e).overall.att
    if not np.isclose(observed, reference, rtol=1e-9, atol=1e-10):
        raise DataError(
            f"randomization_inference: the vectorised statistic {observed:.6g} differs from "
            f"staggered_did's {reference:.6g} on this panel (unsupported case); use "
            f"staggered_did on permuted panels instead")
    pool = idx_all[elig]
    n_assign = _n_assignments(pool)
    fixed = V[idx_all[~elig], cols[~elig]].sum()
    Ve = V[:, cols[elig]]
    ecols = np.arange(Ve.shape[1])
    if n_assign <= max_exact:
        perms = _multiset_assignments(pool)
        dist = np.empty(len(perms))
        for start in range(0, len(perms), 2000):
            block = perms[start:start + 2000]
            dist[start:start + 2000] = Ve[block, ecols].sum(axis=1) + fixed
        tol = 1e-10 * max(1.0, abs(observed))
        pvalue = float(np.mean(np.abs(dist) >= abs(observed) - tol))
        exact, used_seed = True, None
    else:
        rng = np.random.default_rng(seed)
        dist = np.empty(int(n_permutations))
        for start in range(0, int(n_permutations), 2000):
            size = min(2000, int(n_permutations) - start)
            block = rng.permuted(np.tile(pool, (size, 1)), axis=1)
            dist[start:start + size] = Ve[block, ecols].sum(axis=1) + fixed
        tol = 1e-10 * max(1.0, abs(observed))
        hits = int(np.sum(np.abs(dist) >= abs(observed) - tol))
        pvalue = (1 + hits) / (1 + len(dist))
        exact, used_seed = False, int(seed)
    return RandomizationResult(
        statistic=observed, distribution=dist, pvalue=float(pvalue), exact=exact,
        n_assignments=n_assign, seed=used_seed,
        options={"statistic": statistic, "control": control, "eligible": eligible,
                 "n_eligible": int(elig.sum()),
                 "cohort_sizes": {float(k): v for k, v in sizes.items()}})


# --------------------------------------------------------------------------------------------
# Controls that answer selection: future sites
# --------------------------------------------------------------------------------------------


def future_site_panel(
    data: pd.DataFrame,
    *,
    unit: str,
    time: str,
    first_treated: str,
    window_end: int | float,
    keep_never: bool = False,
) -> pd.DataFrame:
    """Restrict a panel so that only units that get a site later ("future sites") are controls.

    Sites are chosen where redevelopment is coming; never-treated areas may differ from
    treated ones in exactly that. Units whose first site comes after the estimation window
    were selected the same way but are not yet treated inside it: they are the comparison.

    Parameters
    ----------
    data
        Long panel (``unit``, ``time``, ``first_treated``; 0 or missing = never treated).
    window_end
        Last period of the estimation window; rows after it are dropped, and units first
        treated after it become the comparison (``first_treated`` set to 0 in the output).
    keep_never
        Also keep units that never get a site (default: drop them).

    Returns
    -------
    DataFrame
        The restricted panel with ``first_treated`` recoded and a column ``future_site``
        (True for the future-site controls); ``attrs["counts"]`` = treated units inside the
        window, future-site controls, never-treated units dropped or kept. Pass it to
        :func:`staggered_did` with ``control="never_treated"`` (or ``"not_yet_treated"``).

    Raises
    ------
    DataError
        No unit is first treated after ``window_end`` (no future-site control), or none
        inside the window.
    """
    check_columns(data, [unit, time, first_treated], source="panel")
    g = pd.to_numeric(data[first_treated], errors="coerce").fillna(0)
    per_unit = g.groupby(data[unit]).max()
    future = per_unit > window_end
    treated = (per_unit > 0) & ~future
    never = per_unit == 0
    if not future.any():
        raise DataError(
            f"{first_treated}: no {unit} is first treated after window_end={window_end}; "
            f"there is no future-site control (choose an earlier window_end)")
    if not treated.any():
        raise DataError(f"{first_treated}: no {unit} is first treated by window_end="
                        f"{window_end}; nothing to estimate")
    keep_units = per_unit.index[treated | future | (never & keep_never)]
    out = data[data[unit].isin(keep_units) & (data[time] <= window_end)].copy()
    is_future = out[unit].map(future).astype(bool)
    out[first_treated] = np.where(is_future, 0, pd.to_numeric(out[first_treated],
                                                              errors="coerce").fillna(0))
    out["future_site"] = is_future.to_numpy()
    out.attrs["counts"] = {"treated_in_window": int(treated.sum()),
                           "future_site_controls": int(future.sum()),
                           "never_treated": int(never.sum()),
                           "never_treated_kept": bool(keep_never)}
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Occupations that end: effects during and after
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class PhaseEffects(Result):
    """Effects while the occupation runs and after it has ended, reported separately.

    Attributes
    ----------
    table
        One row per phase (``during``, ``after``): ``att, se, ci_low, ci_high`` (pointwise),
        ``n_units`` (treated units contributing), ``n_cells`` (ATT(g,t) cells averaged).
    cells
        The post-treatment ATT(g,t) cells of each (start, end) group: ``group`` (start),
        ``end`` (last year; NaN = ongoing), ``time``, ``att``, ``se``, ``phase``,
        ``years_since_end``, ``n_group`` (units in the group).
    options
        Control group, alpha.
    """

    table: pd.DataFrame
    cells: pd.DataFrame
    options: dict[str, Any] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """The phase table (a copy)."""
        return self.table.copy()

    def summary(self) -> str:
        """The two phase effects as text."""
        lines = ["Effects during and after the occupation (not averaged together):"]
        for _, r in self.table.iterrows():
            lines.append(f"  {r['phase']:<7} ATT = {r['att']:.4f} (SE {r['se']:.4f}; CI "
                         f"[{r['ci_low']:.4f}, {r['ci_high']:.4f}]; {int(r['n_units'])} units, "
                         f"{int(r['n_cells'])} cells)")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        return _html("Effects during and after the occupation", self.table)

    def plot(self, ax: Any = None) -> Any:  # Figure, per the Result contract
        """The two phase effects with their intervals."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(5, 3.5))
        t = self.table
        x = np.arange(len(t))
        ax.errorbar(x, t["att"], yerr=[t["att"] - t["ci_low"], t["ci_high"] - t["att"]],
                    fmt="o", capsize=4)
        ax.set_xticks(x, t["phase"])
        ax.axhline(0, color="grey", lw=0.8)
        ax.set_ylabel("ATT")
        ax.set_title("During vs after the occupation", fontsize=9)
        return ax.figure


def effects_during_and_after(
    data: pd.DataFrame,
    *,
    unit: str,
    time: str,
    outcome: str,
    first_treated: str,
    treatment_end: str,
    control: str = "never_treated",
    alpha: float = 0.05,
) -> PhaseEffects:
    """Effects during and after temporary occupations (stacked by end year).

    Treated units are grouped by the year their occupation ends (``treatment_end``; missing =
    ongoing). Each group is estimated with :func:`staggered_did` against the comparison units
    alone (never-treated, or also not-yet-treated units of other start years), so its
    post-treatment ATT(g,t) cells split cleanly into ``during`` (t <= end) and ``after``
    (t > end). Each phase is the group-size weighted mean of its cells; the standard error
    sums each unit's influence across the stacked estimates (units shared as controls are
    counted once), treating the weights as fixed.

    Raises
    ------
    DataError
        ``treatment_end`` not constant within unit, before the start, or set for a
        never-treated unit; no treated unit.
    """
    from permanent_research.causal.did import CONTROL_GROUPS, staggered_did

    check_choice("control", control, CONTROL_GROUPS)
    check_columns(data, [unit, time, outcome, first_treated, treatment_end], source="panel")
    g_all = pd.to_numeric(data[first_treated], errors="coerce").fillna(0)
    e_all = pd.to_numeric(data[treatment_end], errors="coerce")
    per = pd.DataFrame({"g": g_all, "e": e_all, "u": data[unit]}).groupby("u", sort=False)
    g_u = per["g"].max()
    e_min, e_max = per["e"].min(), per["e"].max()
    varying = (e_min != e_max) & e_min.notna()
    if varying.any():
        raise DataError(f"panel: column {treatment_end!r} changes within {unit} "
                        f"{format_rows(e_min.index[varying])}")
    e_u = e_max
    bad = e_u.notna() & ((g_u == 0) | (e_u < g_u))
    if bad.any():
        raise DataError(
            f"panel: column {treatment_end!r} is before {first_treated!r} or set for a "
            f"never-treated {unit}: {format_rows(e_u.index[bad])}")
    treated = g_u > 0
    if not treated.any():
        raise DataError(f"{first_treated}: no treated {unit}")
    all_units = list(g_u.index)
    pos = {u: i for i, u in enumerate(all_units)}
    end_key = e_u.fillna(np.inf)
    contrib_rows: list[tuple[str, float, np.ndarray]] = []
    cell_rows = []
    for end in sorted(end_key[treated].unique()):
        group_units = g_u.index[treated & (end_key == end)]
        starts = set(g_u[group_units])
        if control == "never_treated":
            others = g_u.index[g_u == 0]
        else:
            others = g_u.index[(g_u == 0) | (treated & (end_key != end) & ~g_u.isin(starts))]
        sub = data[data[unit].isin(group_units.union(others))]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PermanentResearchWarning)
            res = staggered_did(sub, unit=unit, time=time, outcome=outcome,
                                first_treated=first_treated, control=control)
        run_units = pd.unique(sub[unit])
        run_units = [u for u in run_units if u not in set(res.options["dropped_units"])]
        idx = np.array([pos[u] for u in run_units])
        n_run = res.n_units
        att = res.att_gt
        for c, row in att.iterrows():
            if not (row["post"] and row["group"] in starts) or not np.isfinite(row["att"]):
                continue
            phase = "during" if row["time"] <= end else "after"
            n_grp = int(((g_u[group_units]) == row["group"]).sum())
            psi = np.zeros(len(all_units))
            psi[idx] = res.influence[:, c] / n_run
            contrib_rows.append((phase, n_grp, psi))
            cell_rows.append({"group": row["group"], "end": end if np.isfinite(end) else np.nan,
                              "time": row["time"], "att": row["att"], "se": row["se"],
                              "phase": phase,
                              "years_since_end": row["time"] - end if np.isfinite(end)
                              else np.nan, "n_group": n_grp})
    cells = pd.DataFrame(cell_rows)
    z = float(norm.ppf(1 - alpha / 2))
    table_rows = []
    for phase in ("during", "after"):
        sel = [i for i, r in enumerate(contrib_rows) if r[0] == phase]
        if not sel:
            table_rows.append({"phase": phase, "att": np.nan, "se": np.nan, "ci_low": np.nan,
                               "ci_high": np.nan, "n_units": 0, "n_cells": 0})
            continue
        w = np.array([contrib_rows[i][1] for i in sel], dtype=float)
        w = w / w.sum()
        est = float(np.sum(w * cells.loc[sel, "att"].to_numpy()))
        contrib = sum(wi * contrib_rows[i][2] for wi, i in zip(w, sel, strict=True))
        se = float(np.sqrt(np.sum(contrib**2)))
        groups = cells.loc[sel].drop_duplicates(["group", "end"])
        table_rows.append({"phase": phase, "att": est, "se": se, "ci_low": est - z * se,
                           "ci_high": est + z * se, "n_units": int(groups["n_group"].sum()),
                           "n_cells": len(sel)})
    return PhaseEffects(pd.DataFrame(table_rows), cells, {"control": control, "alpha": alpha})


# --------------------------------------------------------------------------------------------
# From a staggered DiD to the sensitivity analysis
# --------------------------------------------------------------------------------------------


def event_study_inputs(result: Any, *, min_e: float = -np.inf,
                       max_e: float = np.inf) -> dict[str, Any]:
    """Event-study coefficients and covariance of a :class:`DidResult` for
    :func:`~permanent_research.causal.parallel_trends_sensitivity` (R ``honest_did``'s recipe).

    The dynamic aggregation's influence functions give ``V = IF'IF / n²``; the reference period
    e = −1 is removed. Needs ``base_period="universal"`` (as R's ``honest_did``): with a varying
    base the pre-period coefficients are period-on-period changes, not a path.

    Returns
    -------
    dict
        ``betahat``, ``sigma``, ``n_pre``, ``n_post``, ``event_time`` — pass the first four to
        ``parallel_trends_sensitivity(**{k: v for k in ("betahat", "sigma", "n_pre",
        "n_post")}, grid=...)``.
    """
    if result.options.get("base_period") != "universal":
        raise ParameterError(
            "event_study_inputs: estimate with base_period='universal' (the event-study path "
            "relative to e = -1), as R's honest_did requires")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PermanentResearchWarning)
        dyn = result.aggregate("dynamic", min_e=min_e, max_e=max_e)
    event = dyn.table["event_time"].to_numpy(dtype=float)
    keep = event != -1
    inf = dyn.influence[:, keep]
    n = inf.shape[0]
    sigma = inf.T @ inf / n / n
    e = event[keep]
    return {"betahat": dyn.table["att"].to_numpy(dtype=float)[keep], "sigma": sigma,
            "n_pre": int((e < -1).sum()), "n_post": int((e >= 0).sum()), "event_time": e}
