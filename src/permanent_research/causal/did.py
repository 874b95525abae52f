"""Callaway & Sant'Anna (2021) staggered difference-in-differences, vectorised.

Group-time average treatment effects ATT(g,t) on a balanced panel, with never-treated or
not-yet-treated comparison units, doubly-robust / outcome-regression / inverse-probability
estimators (Sant'Anna & Zhao 2020 panel estimators as used by R ``did``), a varying or universal
base period, analytic influence-function standard errors, and the four aggregations of R
``did::aggte`` (simple, group, dynamic, calendar) with an optional seeded multiplier bootstrap
and uniform confidence bands.

Conventions follow R ``did`` 2.x (and its Python port ``csdid``, against which the tests check
every number to 1e-6):

* ``first_treated`` is the first treated period; 0 or missing means never treated; a value after
  the last observed period is treated as never treated; units treated in the first period
  cannot be evaluated (no pre-period) and are dropped with a warning.
* Not-yet-treated comparison units for cell (g,t) are the never-treated plus units with
  ``first_treated > max(t, base period)`` other than cohort g. Without never-treated units the
  periods from the last cohort's treatment on are dropped and that cohort is a comparison only.
* Varying base period: pre-treatment cells compare t with t−1, post-treatment cells compare t
  with g−1. Universal base period: every cell compares t with g−1 (the base cell itself is 0
  with no standard error).
* Covariates enter from the earlier period of each 2×2 comparison.
* Standard errors: ``sqrt(mean(IF²) / n)`` over all n units. No clustering beyond the unit,
  no sampling weights, no anticipation (not in the fixed contract).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm

from permanent_research._validation import check_choice, check_columns, format_rows
from permanent_research.causal.results import AggregateResult, Estimate
from permanent_research.causal.robust import PretestResult, wald_pretest
from permanent_research.errors import DataError, ParameterError, PermanentResearchWarning
from permanent_research.options import (
    AGGREGATIONS,
    BASE_PERIODS,
    CONTROL_GROUPS,
    DID_METHODS,
    PRETEST_TARGETS,
    Aggregation,
    BasePeriod,
    ControlGroup,
    DidMethod,
    PretestTarget,
)
from permanent_research.results import Result

__all__ = ["staggered_did", "DidResult", "CONTROL_GROUPS", "METHODS", "BASE_PERIODS",
           "AGGREGATIONS", "validate_panel"]

# Option sets live in permanent_research.options; METHODS keeps this module's public name.
METHODS = DID_METHODS
Method = DidMethod

_TRIM = 0.995  # R DRDID: control units with propensity score >= 0.995 are trimmed
_OVERLAP = 0.999  # R did: a dr/ipw cell with max fitted propensity >= 0.999 is NA


# --------------------------------------------------------------------------------------------
# Validation and reshaping
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Panel:
    units: np.ndarray  # unit labels, in row order of Y
    tlist: np.ndarray  # sorted periods
    Y: np.ndarray  # n x T outcome
    X: np.ndarray | None  # n x T x k covariates (without intercept)
    G: np.ndarray  # n first-treated period (0 = never)


def validate_panel(
    data: pd.DataFrame,
    *,
    unit: str,
    time: str,
    outcome: str,
    first_treated: str,
    covariates: list[str] | None = None,
    source: str = "panel",
) -> _Panel:
    """Check an area-year panel against the documented schema and reshape it to wide arrays.

    Raises :class:`~permanent_research.errors.DataError` (one line, naming the column and rows
    or units) for: a missing column; duplicate unit-period rows; a missing or non-numeric
    outcome, period, covariate or first-treated value; a unit whose ``first_treated`` changes
    over time; treatment before the first period; an unbalanced panel. See ``docs/causal.md``.
    """
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"{source}: expected a pandas DataFrame, got {type(data).__name__}")
    covariates = list(covariates or [])
    check_columns(data, [unit, time, outcome, first_treated, *covariates], source=source)
    if len(data) == 0:
        raise DataError(f"{source}: no rows")
    for column in [time, outcome, *covariates]:
        values = data[column]
        if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            raise DataError(
                f"{source}: column {column!r} must be numeric, found {values.dtype}"
            )
        bad = ~np.isfinite(values.to_numpy(dtype=float, na_value=np.nan))
        if bad.any():
            raise DataError(
                f"{source}: column {column!r} is missing or not finite in rows "
                f"{format_rows(data.index[bad])}"
            )
    gvals = data[first_treated]
    if not pd.api.types.is_numeric_dtype(gvals) or pd.api.types.is_bool_dtype(gvals):
        raise DataError(
            f"{source}: column {first_treated!r} must be numeric (first treated period; "
            f"0 or missing = never treated), found {gvals.dtype}"
        )
    g = gvals.to_numpy(dtype=float, na_value=np.nan)
    g = np.where(np.isnan(g), 0.0, g)
    if np.isinf(g).any() or (g < 0).any():
        rows = data.index[np.isinf(g) | (g < 0)]
        raise DataError(
            f"{source}: column {first_treated!r} must be a period or 0 (never treated); "
            f"invalid in rows {format_rows(rows)}"
        )
    if data[unit].isna().any():
        raise DataError(
            f"{source}: column {unit!r} is missing in rows "
            f"{format_rows(data.index[data[unit].isna()])}"
        )

    codes, units = pd.factorize(data[unit], sort=False)
    tvals = data[time].to_numpy(dtype=float)
    order = np.lexsort((tvals, codes))
    codes_s, t_s = codes[order], tvals[order]
    same = (codes_s[1:] == codes_s[:-1]) & (t_s[1:] == t_s[:-1])
    if same.any():
        dup = np.zeros(len(order), dtype=bool)
        dup[1:] |= same
        dup[:-1] |= same
        rows = data.index[np.sort(order[dup])]
        raise DataError(f"{source}: duplicate ({unit}, {time}) in rows {format_rows(rows)}")

    tlist = np.unique(tvals)
    n, n_t = len(units), len(tlist)
    counts = np.bincount(codes, minlength=n)
    if (counts != n_t).any():
        short = units[counts != n_t]
        raise DataError(
            f"{source}: unbalanced panel — {len(short)} {unit} value(s) not observed in all "
            f"{n_t} periods {int(tlist[0])}–{int(tlist[-1])}: {format_rows(short)}; "
            f"the panel estimator needs every {unit} in every {time}"
        )
    g_wide = g[order].reshape(n, n_t)
    switching = (g_wide != g_wide[:, :1]).any(axis=1)
    if switching.any():
        raise DataError(
            f"{source}: column {first_treated!r} changes over time within {unit} "
            f"{format_rows(units[switching])}; a unit belongs to one cohort"
        )
    G = g_wide[:, 0]
    early = (G > 0) & (G < tlist[0])
    if early.any():
        raise DataError(
            f"{source}: {first_treated!r} is before the first period {tlist[0]:g} for {unit} "
            f"{format_rows(units[early])}; allowed: 0 (never) or a period >= {tlist[0]:g}"
        )
    Y = data[outcome].to_numpy(dtype=float)[order].reshape(n, n_t)
    X = None
    if covariates:
        X = data[covariates].to_numpy(dtype=float)[order].reshape(n, n_t, len(covariates))
    return _Panel(np.asarray(units), tlist, Y, X, G)


# --------------------------------------------------------------------------------------------
# 2x2 panel estimators with covariates (Sant'Anna & Zhao 2020; R DRDID conventions)
# --------------------------------------------------------------------------------------------


def _logit(D: np.ndarray, Z: np.ndarray, tol: float = 1e-12, max_iter: int = 100) -> np.ndarray:
    """Maximum-likelihood logit coefficients by Newton–Raphson (IRLS)."""
    beta = np.zeros(Z.shape[1])
    # Start from the intercept-only solution, as GLM does.
    p0 = np.clip(D.mean(), 1e-10, 1 - 1e-10)
    beta[0] = np.log(p0 / (1 - p0))
    for _ in range(max_iter):
        eta = Z @ beta
        p = 1.0 / (1.0 + np.exp(-eta))
        w = p * (1 - p)
        step = np.linalg.solve((Z * w[:, None]).T @ Z, Z.T @ (D - p))
        beta = beta + step
        if np.max(np.abs(step)) < tol * (1 + np.max(np.abs(beta))):
            break
    return beta


def _ps_pieces(D: np.ndarray, Z: np.ndarray):
    beta = _logit(D, Z)
    ps = 1.0 / (1.0 + np.exp(-(Z @ beta)))
    if ps.max() >= _OVERLAP:
        raise FloatingPointError("overlap violated (propensity score >= 0.999)")
    ps = np.minimum(ps, 1 - 1e-6)
    trim = np.ones(len(D), dtype=bool)
    trim[D == 0] = ps[D == 0] < _TRIM
    n = len(D)
    hessian = np.linalg.inv((Z * (ps * (1 - ps))[:, None]).T @ Z) * n
    asy_ps = ((D - ps)[:, None] * Z) @ hessian
    return ps, trim, asy_ps


def _ols_pieces(dy: np.ndarray, D: np.ndarray, Z: np.ndarray):
    c = D == 0
    beta = np.linalg.lstsq(Z[c], dy[c], rcond=None)[0]
    out = Z @ beta
    n = len(D)
    wols = (1 - D).astype(float)
    xpx_inv = np.linalg.inv((Z * wols[:, None]).T @ Z / n)
    asy_ols = ((wols * (dy - out))[:, None] * Z) @ xpx_inv
    return out, asy_ols


def _cell_dr(dy: np.ndarray, D: np.ndarray, Z: np.ndarray) -> tuple[float, np.ndarray]:
    ps, trim, asy_ps = _ps_pieces(D, Z)
    out, asy_ols = _ols_pieces(dy, D, Z)
    w_t = trim * D
    w_c = trim * ps * (1 - D) / (1 - ps)
    r = dy - out
    att_t, att_c = w_t * r, w_c * r
    eta_t = att_t.mean() / w_t.mean()
    eta_c = att_c.mean() / w_c.mean()
    m1 = (w_t[:, None] * Z).mean(axis=0)
    inf_t = (att_t - w_t * eta_t - asy_ols @ m1) / w_t.mean()
    m2 = ((w_c * (r - eta_c))[:, None] * Z).mean(axis=0)
    m3 = (w_c[:, None] * Z).mean(axis=0)
    inf_c = (att_c - w_c * eta_c + asy_ps @ m2 - asy_ols @ m3) / w_c.mean()
    return float(eta_t - eta_c), inf_t - inf_c


def _cell_reg(dy: np.ndarray, D: np.ndarray, Z: np.ndarray) -> tuple[float, np.ndarray]:
    out, asy_ols = _ols_pieces(dy, D, Z)
    w_t = D.astype(float)
    att_t, att_c = w_t * dy, w_t * out
    eta_t = att_t.mean() / w_t.mean()
    eta_c = att_c.mean() / w_t.mean()
    inf_t = (att_t - w_t * eta_t) / w_t.mean()
    m = (w_t[:, None] * Z).mean(axis=0)
    inf_c = (att_c - w_t * eta_c + asy_ols @ m) / w_t.mean()
    return float(eta_t - eta_c), inf_t - inf_c


def _cell_ipw(dy: np.ndarray, D: np.ndarray, Z: np.ndarray) -> tuple[float, np.ndarray]:
    ps, trim, asy_ps = _ps_pieces(D, Z)
    w_t = trim * D
    w_c = trim * ps * (1 - D) / (1 - ps)
    att_t, att_c = w_t * dy, w_c * dy
    eta_t = att_t.mean() / w_t.mean()
    eta_c = att_c.mean() / w_c.mean()
    inf_t = (att_t - w_t * eta_t) / w_t.mean()
    m2 = ((w_c * (dy - eta_c))[:, None] * Z).mean(axis=0)
    inf_c = (att_c - w_c * eta_c + asy_ps @ m2) / w_c.mean()
    return float(eta_t - eta_c), inf_t - inf_c


_CELL = {"dr": _cell_dr, "reg": _cell_reg, "ipw": _cell_ipw}


# --------------------------------------------------------------------------------------------
# Multiplier bootstrap
# --------------------------------------------------------------------------------------------


def _mboot(influence: np.ndarray, n_boot: int, seed: int | np.random.Generator,
           alpha: float) -> tuple[np.ndarray, float]:
    """Rademacher multiplier bootstrap (R ``did::mboot``): SEs and the uniform critical value.

    Returns ``(se, crit_val)``; columns whose bootstrap draws are all zero or non-finite get a
    NaN SE and are excluded from the band.
    """
    rng = np.random.default_rng(seed)
    n, k = influence.shape
    bres = np.empty((n_boot, k))
    chunk = max(1, min(n_boot, int(2e7 // max(n, 1))))
    for start in range(0, n_boot, chunk):
        size = min(chunk, n_boot - start)
        u = rng.integers(0, 2, size=(size, n), dtype=np.int8).astype(float) * 2 - 1
        bres[start:start + size] = u @ influence / n
    bres *= np.sqrt(n)
    ok = np.all(np.isfinite(bres), axis=0) & np.any(bres != 0, axis=0)
    se = np.full(k, np.nan)
    if not ok.any():
        return se, np.nan
    q75 = np.quantile(bres[:, ok], 0.75, axis=0, method="inverted_cdf")
    q25 = np.quantile(bres[:, ok], 0.25, axis=0, method="inverted_cdf")
    sigma = (q75 - q25) / (norm.ppf(0.75) - norm.ppf(0.25))
    se[ok] = sigma / np.sqrt(n)
    with np.errstate(divide="ignore", invalid="ignore"):
        t_stat = np.abs(bres[:, ok] / sigma)
    t_stat[~np.isfinite(t_stat)] = -np.inf
    b_t = t_stat.max(axis=1)
    b_t = b_t[np.isfinite(b_t)]
    crit = float(np.quantile(b_t, 1 - alpha, method="inverted_cdf")) if b_t.size else np.nan
    return se, crit


def _positive(se: np.ndarray) -> np.ndarray:
    se = np.asarray(se, dtype=float)
    return np.where(np.isfinite(se) & (se > 0), se, np.nan)


# --------------------------------------------------------------------------------------------
# Result
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class DidResult(Result):
    """Group-time average treatment effects (Callaway & Sant'Anna 2021).

    Attributes
    ----------
    att_gt
        ``group`` (first-treated period g), ``time`` (period t), ``att`` (ATT(g,t), outcome
        units), ``se`` (analytic), ``event_time`` (t − g), ``post`` (t >= g), ``ci_low``,
        ``ci_high`` (pointwise 95 %).
    influence
        Influence functions, units × cells (same order as ``att_gt``), scaled as in R ``did``.
    unit_group
        First-treated period of each unit used (0 = never treated).
    n_units
        Number of units used.
    options
        ``control``, ``method``, ``base_period``, ``covariates``, dropped units.
    """

    att_gt: pd.DataFrame
    influence: np.ndarray = field(repr=False)
    unit_group: np.ndarray = field(repr=False)
    n_units: int
    options: dict[str, Any] = field(default_factory=dict)

    # ---- tidy interface ----------------------------------------------------------------
    def to_frame(self) -> pd.DataFrame:
        """The ATT(g,t) table (a copy)."""
        return self.att_gt.copy()

    def summary(self) -> str:
        """Options, the simple overall ATT and the ATT(g,t) table as text."""
        simple = self.aggregate("simple").overall
        head = (f"Callaway–Sant'Anna ATT(g,t): method={self.options['method']!r}, "
                f"control={self.options['control']!r}, "
                f"base_period={self.options['base_period']!r}, units={self.n_units}")
        return "\n".join([head, f"Simple overall: {simple.summary()}",
                          self.att_gt[["group", "time", "att", "se"]].to_string(
                              index=False, float_format=lambda v: f"{v:.4f}")])

    def __repr__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        frame = self.att_gt[["group", "time", "event_time", "att", "se"]]
        return (f"<p><b>Callaway–Sant'Anna ATT(g,t)</b> — method {self.options['method']}, "
                f"control {self.options['control']}, base period "
                f"{self.options['base_period']}, {self.n_units} units</p>"
                + frame.to_html(index=False, float_format=lambda v: f"{v:.4f}", na_rep="–"))

    def plot(self, **kwargs: Any) -> Any:
        """Event-study figure of the dynamic aggregation (``AggregateResult.plot``)."""
        return self.aggregate("dynamic").plot(**kwargs)

    # ---- pre-trend test ----------------------------------------------------------------
    def pretest(self, on: PretestTarget = "cells") -> PretestResult:
        """Joint Wald test that all pre-treatment ATT(g,t) are zero, as R ``did`` reports it.

        ``W = n · â' V̂⁻¹ â`` with ``V̂ = IF'IF / n`` over the pre-treatment cells
        (``group > time``) that have a positive standard error, ``df`` = their number,
        p-value from χ²(df) (R ``did::att_gt``'s ``W``/``Wpval``; R rounds the p-value to 5
        digits). Under a varying base period the cells are the period-on-period pre-trends;
        under a universal base period they are the levels relative to g − 1.

        Parameters
        ----------
        on
            ``"cells"`` (default, as R ``did``): every pre-treatment ATT(g,t). With one-unit
            cohorts that covariance is singular (the treated side has no variance and cells
            sharing comparison units are collinear) and the test is not computed, as in R.
            ``"event_time"``: the pre-treatment event-study coefficients θ(e), e < 0, of
            ``aggregate("dynamic")`` — fewer restrictions, usually computable with few
            treated units (an addition, not in R ``did``). Its standard errors still miss
            the treated side's variance in one-unit cohorts, so it over-rejects there; the
            placebo ``randomization_inference(..., statistic="pre")`` does not rely on them.

        Returns
        -------
        PretestResult
            ``.statistic``, ``.df``, ``.pvalue`` (NaN with ``.note`` when not computable:
            no pre-treatment cell, NA cells or a singular covariance, as in R).
        """
        check_choice("on", on, PRETEST_TARGETS)
        if on == "cells":
            return wald_pretest(self.att_gt, self.influence)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PermanentResearchWarning)
            dyn = self.aggregate("dynamic")
        table = dyn.table.rename(columns={"event_time": "time"}).assign(group=0)
        return wald_pretest(table[["group", "time", "att", "se"]], dyn.influence)

    # ---- aggregation -------------------------------------------------------------------
    def aggregate(
        self,
        kind: Aggregation = "group",
        *,
        min_e: float = -np.inf,
        max_e: float = np.inf,
        bootstrap: bool = False,
        n_boot: int = 999,
        seed: int | np.random.Generator = 0,
        alpha: float = 0.05,
    ) -> AggregateResult:
        """Aggregate ATT(g,t) as R ``did::aggte``.

        Parameters
        ----------
        kind
            ``"simple"`` (group-size weighted mean of post-treatment cells), ``"group"``
            (per cohort, then cohort-size weighted), ``"dynamic"`` (event study θ(e); overall =
            mean of θ(e) for e >= 0) or ``"calendar"`` (per period, then mean).
        min_e, max_e
            Event-time window (periods) for ``simple``, ``group`` and ``dynamic``.
        bootstrap
            Use the seeded Rademacher multiplier bootstrap for the SEs and a uniform
            (simultaneous) confidence band over the table's rows.
        n_boot
            Bootstrap draws.
        seed
            Seed or generator for the bootstrap.
        alpha
            1 − confidence level.

        Returns
        -------
        AggregateResult
            ``.overall`` (``.att``, ``.se``) and ``.table``.
        """
        check_choice("kind", kind, AGGREGATIONS)
        if not 0 < float(alpha) < 1:
            raise ParameterError(f"alpha={alpha!r} is outside the allowed range (0, 1)")
        if int(n_boot) < 2:
            raise ParameterError(f"n_boot={n_boot!r} is too small; use at least 2 draws")
        cells = self.att_gt
        att = cells["att"].to_numpy(dtype=float)
        grp = cells["group"].to_numpy(dtype=float)
        tim = cells["time"].to_numpy(dtype=float)
        ok = np.isfinite(att)
        if not ok.all():
            warnings.warn(
                f"aggregate: {int((~ok).sum())} ATT(g,t) cell(s) are NA and are left out",
                PermanentResearchWarning, stacklevel=2)
        event = tim - grp
        glist = np.unique(grp[ok])
        n = self.n_units
        inf = self.influence
        size = np.array([np.sum(self.unit_group == g) for g in glist], dtype=float)
        pg_cohort = size / n
        cohort_of_cell = np.searchsorted(glist, grp)
        pg = np.where(ok, pg_cohort[np.clip(cohort_of_cell, 0, len(glist) - 1)], np.nan)
        unit_cohort = np.searchsorted(glist, self.unit_group)
        in_glist = np.isin(self.unit_group, glist)
        unit_cohort = np.where(in_glist, unit_cohort, len(glist))  # sentinel

        def wif_dot(keep: np.ndarray, values: np.ndarray) -> np.ndarray:
            """(influence of the estimated weights) @ values, for kept cells (n-vector)."""
            p = pg[keep]
            s = p.sum()
            by_cohort_a = np.bincount(cohort_of_cell[keep], weights=values,
                                      minlength=len(glist) + 1)
            by_cohort_n = np.bincount(cohort_of_cell[keep], minlength=len(glist) + 1)
            a_i = by_cohort_a[unit_cohort] if len(glist) else np.zeros(n)
            c_i = by_cohort_n[unit_cohort] if len(glist) else np.zeros(n)
            first = (a_i - np.sum(values * p)) / s
            second = (c_i - s) * np.sum(p * values) / s**2
            return first - second

        def combine(keep: np.ndarray, weighted: bool = True) -> tuple[float, np.ndarray]:
            w = pg[keep] / pg[keep].sum()
            est = float(np.sum(att[keep] * w))
            psi = inf[:, keep] @ w
            if weighted:
                psi = psi + wif_dot(keep, att[keep])
            return est, psi

        window = (event >= min_e) & (event <= max_e)
        post = (grp <= tim) & ok
        rows: list[dict[str, float]] = []
        cols: list[np.ndarray] = []
        if kind == "simple":
            keep = post & window
            if not keep.any():
                raise ParameterError(
                    f"min_e={min_e!r}, max_e={max_e!r} leave no post-treatment cell")
            overall_att, overall_psi = combine(keep)
            key = None
        elif kind == "group":
            key = "group"
            atts = []
            for g in glist:
                keep = post & window & (grp == g)
                if not keep.any():
                    raise ParameterError(
                        f"min_e={min_e!r}, max_e={max_e!r} leave no post-treatment cell "
                        f"for group {g:g}")
                est, psi = combine(keep, weighted=False)
                atts.append(est)
                rows.append({"group": g, "att": est})
                cols.append(psi)
            atts_arr = np.array(atts)
            w = pg_cohort / pg_cohort.sum()
            overall_att = float(np.sum(atts_arr * w))
            psi_g = np.column_stack(cols)
            # weight influence over cohorts: each cohort is one "cell"
            s = pg_cohort.sum()
            a_i = np.append(atts_arr, 0.0)[unit_cohort]
            c_i = np.append(np.ones(len(glist)), 0.0)[unit_cohort]
            wif = (a_i - np.sum(atts_arr * pg_cohort)) / s - (c_i - s) * np.sum(
                pg_cohort * atts_arr) / s**2
            overall_psi = psi_g @ w + wif
        elif kind == "dynamic":
            key = "event_time"
            eseq = np.unique(event[ok & window])
            if len(eseq) == 0:
                raise ParameterError(f"min_e={min_e!r}, max_e={max_e!r} leave no event time")
            for e in eseq:
                keep = ok & (event == e)
                est, psi = combine(keep)
                rows.append({"event_time": e, "att": est})
                cols.append(psi)
            positive = eseq >= 0
            if not positive.any():
                raise ParameterError(
                    f"min_e={min_e!r}, max_e={max_e!r} leave no event time >= 0")
            overall_att = float(np.mean(np.array([r["att"] for r in rows])[positive]))
            overall_psi = np.column_stack(cols)[:, positive].mean(axis=1)
        else:  # calendar
            key = "time"
            periods = [t for t in np.unique(tim) if t >= glist.min() and (post & (tim == t)).any()]
            for t in periods:
                keep = post & (tim == t)
                est, psi = combine(keep)
                rows.append({"time": t, "att": est})
                cols.append(psi)
            overall_att = float(np.mean([r["att"] for r in rows]))
            overall_psi = np.column_stack(cols).mean(axis=1)

        table = pd.DataFrame(rows, columns=[key, "att"] if key else ["att"])
        psi_table = np.column_stack(cols) if cols else np.zeros((n, 0))
        crit = float(norm.ppf(1 - alpha / 2))
        uniform = False
        if bootstrap:
            se_all, crit_b = _mboot(np.column_stack([psi_table, overall_psi]), int(n_boot),
                                    seed, float(alpha))
            se_table, overall_se = se_all[:-1], float(se_all[-1])
            if psi_table.shape[1] and np.isfinite(crit_b) and crit_b >= crit:
                crit, uniform = crit_b, True
        else:
            se_table = np.sqrt(np.mean(psi_table**2, axis=0) / n)
            overall_se = float(np.sqrt(np.mean(overall_psi**2) / n))
        se_table = _positive(se_table)
        overall_se = float(_positive(np.array([overall_se]))[0])
        if key:
            table[key] = table[key].astype(cells[key].dtype if key in cells else float)
            table["se"] = se_table
            table["ci_low"] = table["att"] - crit * table["se"]
            table["ci_high"] = table["att"] + crit * table["se"]
        return AggregateResult(kind=kind, overall=Estimate(overall_att, overall_se, alpha),
                               table=table, crit_val=crit, uniform=uniform,
                               bootstrap=bool(bootstrap), influence=psi_table)


# --------------------------------------------------------------------------------------------
# Estimation
# --------------------------------------------------------------------------------------------


def staggered_did(
    data: pd.DataFrame,
    *,
    unit: str,
    time: str,
    outcome: str,
    first_treated: str,
    control: ControlGroup = "never_treated",
    covariates: list[str] | None = None,
    method: Method = "dr",
    base_period: BasePeriod = "varying",
) -> DidResult:
    """Callaway & Sant'Anna (2021) group-time ATTs on a balanced panel.

    Parameters
    ----------
    data
        Long panel, one row per unit and period (schema: ``docs/causal.md``).
    unit, time, outcome, first_treated
        Column names. ``time`` and ``first_treated`` are periods on the same scale (e.g.
        years); ``first_treated`` is 0 or missing for never-treated units and constant within
        a unit. ``outcome`` is numeric, no missing values (e.g. log EUR/m²).
    control
        ``"never_treated"`` or ``"not_yet_treated"`` comparison units.
    covariates
        Numeric columns to condition on (taken from the earlier period of each comparison).
    method
        ``"dr"`` (doubly robust, Sant'Anna & Zhao 2020 — R DRDID ``drdid_panel``, the R
        ``did`` default), ``"reg"`` (outcome regression) or ``"ipw"`` (normalised inverse
        probability weighting). Without covariates all three give the same number.
    base_period
        ``"varying"`` or ``"universal"``.

    Returns
    -------
    DidResult
        ``.att_gt`` (``group, time, att, se`` …) and ``.aggregate(kind)``.

    Raises
    ------
    DataError
        Schema violations (see :func:`validate_panel`); no never-treated units with
        ``control="never_treated"``; no cohort left to estimate.
    ParameterError
        Unknown ``control``, ``method`` or ``base_period``.
    """
    check_choice("control", control, CONTROL_GROUPS)
    check_choice("method", method, METHODS)
    check_choice("base_period", base_period, BASE_PERIODS)
    if isinstance(covariates, str):
        covariates = [covariates]
    panel = validate_panel(data, unit=unit, time=time, outcome=outcome,
                           first_treated=first_treated, covariates=covariates)
    tlist, Y, X, G = panel.tlist, panel.Y, panel.X, panel.G.copy()
    G[G > tlist[-1]] = 0  # treated after the sample: never treated within it (R did)
    first = (G > 0) & (G <= tlist[0])
    dropped = panel.units[first]
    if first.any():
        warnings.warn(
            f"staggered_did: dropped {int(first.sum())} {unit}(s) already treated in the first "
            f"period {tlist[0]:g} (no pre-period): {format_rows(dropped)}",
            PermanentResearchWarning, stacklevel=2)
        keep = ~first
        Y, G = Y[keep], G[keep]
        X = X[keep] if X is not None else None
    glist = np.unique(G[G > 0])
    if len(G) and (G > 0).all() and len(glist) == 1:
        raise DataError(
            f"{first_treated}: every {unit} is treated at once (period {glist[0]:g}); there is "
            f"no comparison {unit} (never treated or treated later), so no DiD is possible")
    if not (G == 0).any():
        if control == "never_treated":
            raise DataError(
                f"{first_treated}: no never-treated {unit} (0 or missing) in the panel; "
                f"use control='not_yet_treated'")
        latest = glist.max()
        cut = tlist < latest
        tlist, Y = tlist[cut], Y[:, cut]
        X = X[:, cut] if X is not None else None
        glist = glist[glist < latest]
    glist = glist[glist > tlist[0]]
    if len(glist) == 0 or len(tlist) < 2:
        raise DataError(
            f"{first_treated}: no treated cohort with a pre-treatment period inside "
            f"{tlist[0]:g}–{tlist[-1]:g}")

    n, n_t = Y.shape
    # R did warns about groups smaller than (number of covariates + 5): their ATT(g,t) and
    # especially their SEs rest on a handful of units (one unit: no treated-side variance).
    required = len(covariates or []) + 5
    sizes = {g: int((G == g).sum()) for g in [0.0, *glist]}
    small = {g: s for g, s in sizes.items() if 0 < s < required}
    if small:
        listed = ", ".join(f"{'never treated' if g == 0 else f'{g:g}'} ({s})"
                           for g, s in small.items())
        warnings.warn(
            f"staggered_did: small groups (fewer than {required} {unit} values): {listed}; their "
            f"ATT(g,t) and standard errors rest on very few units", PermanentResearchWarning,
            stacklevel=2)
    universal = base_period == "universal"
    groups_out, times_out, att_out, base_out = [], [], [], []
    inf_cols: list[np.ndarray] = []
    cell_fn = _CELL[method]
    for g in glist:
        in_g = G == g
        pre_idx = np.flatnonzero(tlist < g)
        base_g = int(pre_idx[-1])
        n_g = int(in_g.sum())
        t_range = range(n_t) if universal else range(1, n_t)
        for ti in t_range:
            tn = tlist[ti]
            if universal or g <= tn:
                bi = base_g
            else:
                bi = ti - 1
            groups_out.append(g)
            times_out.append(tn)
            base_out.append(tlist[bi])
            if bi == ti:  # universal base cell
                att_out.append(0.0)
                inf_cols.append(np.zeros(n))
                continue
            if control == "never_treated":
                in_c = G == 0
            else:
                in_c = (G == 0) | ((G > max(tn, tlist[bi])) & ~in_g)
            n_c = int(in_c.sum())
            if n_c == 0:
                warnings.warn(f"staggered_did: no comparison units for group {g:g}, time "
                              f"{tn:g}; ATT set to NA", PermanentResearchWarning, stacklevel=2)
                att_out.append(np.nan)
                inf_cols.append(np.full(n, np.nan))
                continue
            dy = Y[:, ti] - Y[:, bi]
            psi = np.zeros(n)
            if X is None:
                n1 = n_g + n_c
                if method != "reg" and n_g / n1 >= _TRIM:
                    warnings.warn(
                        f"staggered_did: overlap fails for group {g:g}, time {tn:g} "
                        f"({n_g} treated vs {n_c} comparison units); ATT set to NA",
                        PermanentResearchWarning, stacklevel=2)
                    att_out.append(np.nan)
                    inf_cols.append(np.full(n, np.nan))
                    continue
                d_g, d_c = dy[in_g], dy[in_c]
                mu1, mu0 = d_g.mean(), d_c.mean()
                psi[in_g] = (n / n_g) * (d_g - mu1)
                psi[in_c] = -(n / n_c) * (d_c - mu0)
                att_out.append(float(mu1 - mu0))
            else:
                sample = in_g | in_c
                D = in_g[sample].astype(float)
                Z = np.column_stack([np.ones(int(sample.sum())), X[sample, min(ti, bi), :]])
                try:
                    with np.errstate(all="raise"):
                        est, cell_psi = cell_fn(dy[sample], D, Z)
                except (np.linalg.LinAlgError, FloatingPointError, ZeroDivisionError) as exc:
                    warnings.warn(f"staggered_did: group {g:g}, time {tn:g} not estimable "
                                  f"({exc}); ATT set to NA", PermanentResearchWarning,
                                  stacklevel=2)
                    att_out.append(np.nan)
                    inf_cols.append(np.full(n, np.nan))
                    continue
                psi[sample] = (n / sample.sum()) * cell_psi
                att_out.append(est)
            inf_cols.append(psi)

    influence = np.column_stack(inf_cols)
    att_arr = np.array(att_out)
    se = np.sqrt(np.mean(influence**2, axis=0) / n)
    se = _positive(se)
    base_arr = np.array(base_out)
    times_arr = np.array(times_out)
    se[base_arr == times_arr] = np.nan
    z = norm.ppf(0.975)
    time_dtype = data[time].dtype if pd.api.types.is_integer_dtype(data[time]) else float
    att_gt = pd.DataFrame({
        "group": np.array(groups_out).astype(time_dtype),
        "time": times_arr.astype(time_dtype),
        "att": att_arr,
        "se": se,
    })
    att_gt["event_time"] = (att_gt["time"] - att_gt["group"]).astype(time_dtype)
    att_gt["base_period"] = base_arr.astype(time_dtype)
    att_gt["post"] = att_gt["time"] >= att_gt["group"]
    att_gt["ci_low"] = att_gt["att"] - z * att_gt["se"]
    att_gt["ci_high"] = att_gt["att"] + z * att_gt["se"]
    options = {"control": control, "method": method, "base_period": base_period,
               "covariates": list(covariates or []), "unit": unit, "time": time,
               "outcome": outcome, "first_treated": first_treated,
               "dropped_units": list(dropped)}
    return DidResult(att_gt=att_gt, influence=influence, unit_group=G, n_units=n,
                     options=options)
