"""Sensitivity to violations of parallel trends (Rambachan & Roth 2023), on numpy/scipy.

:func:`parallel_trends_sensitivity` gives robust confidence sets for ``θ = l' τ_post`` from any
event study's coefficients and covariance (this package's, pyfixest's, Stata's …):

* ``restriction="relative_magnitudes"`` (Δ^RM(M̄): post-treatment violations between
  consecutive periods at most M̄ times the largest pre-treatment one), method ``"C-LF"``: the
  conditional test of Andrews, Roth & Pakes (ARP) with nuisance parameters and the
  least-favourable hybrid, inverted over R HonestDiD's grid (1,000 points on ±20 sd(θ̂)),
  for each location s and sign of the largest pre-treatment violation; the set is the union.
* ``restriction="smoothness"`` (Δ^SD(M): the slope of the violation changes by at most M per
  period), method ``"FLCI"``: the optimal fixed-length confidence interval (Armstrong &
  Kolesár) over affine estimators.

This follows the R package HonestDiD (``createSensitivityResults_relativeMagnitudes`` and
``createSensitivityResults``) step by step, with two computational changes that do not change
the definition: the ARP linear programs are solved through the vertices of their dual polytope
(enumerated once per restriction, so the whole θ grid and the least-favourable simulation are
matrix products), and the folded-normal quantile is computed exactly instead of from 10⁶
draws. The least-favourable critical value is simulated (1,000 seeded draws, as R) and so
differs from R's own draw by simulation noise. Tested against HonestDiD's README example
(``tests/reference/test_honest_did.py``).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import brentq, minimize, minimize_scalar
from scipy.stats import norm, truncnorm

from permanent_research._validation import check_choice
from permanent_research.errors import ParameterError
from permanent_research.options import RESTRICTIONS, Restriction
from permanent_research.results import Result

__all__ = ["parallel_trends_sensitivity", "ParallelTrendsSensitivity", "RESTRICTIONS",
           "SENSITIVITY_METHODS"]

SENSITIVITY_METHODS: dict[str, tuple[str, ...]] = {
    "relative_magnitudes": ("C-LF",),
    "smoothness": ("FLCI",),
}
_GRID_POINTS = 1000  # R HonestDiD default
_GRID_SDS = 20.0  # R: grid on [-20 sd(theta), 20 sd(theta)]
_LF_SIMS = 20_000  # R uses 1,000; more draws pin the 0.995 quantile down (see module doc)


# --------------------------------------------------------------------------------------------
# Result
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ParallelTrendsSensitivity(Result):
    """Robust confidence sets for ``l' τ_post`` over a grid of M̄ (or M).

    Attributes
    ----------
    table
        ``M, lb, ub, method``: one row per grid value, then the original (non-robust) interval
        with ``M = NaN`` and method ``"Original"``.
    breakdown
        Largest grid value up to which every robust interval excludes 0 (NaN if even the
        first includes 0). With ``restriction="relative_magnitudes"``: violations up to
        ``breakdown`` times the largest pre-period one leave the effect significant.
    restriction, alpha, l_vec
        What was computed.
    """

    table: pd.DataFrame
    breakdown: float
    restriction: str
    alpha: float
    l_vec: np.ndarray = field(repr=False)
    options: dict[str, Any] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """``M, lb, ub, method`` (a copy); the original interval is the row with ``M = NaN``."""
        return self.table.copy()

    def summary(self) -> str:
        """The table and the breakdown value as text."""
        name = "M̄ (relative magnitudes)" if self.restriction == "relative_magnitudes" \
            else "M (smoothness)"
        level = round(100 * (1 - self.alpha))
        lines = [f"Parallel-trends sensitivity (Rambachan & Roth), {level}% robust intervals "
                 f"over {name}:",
                 self.table.to_string(index=False, float_format=lambda v: f"{v:.4f}")]
        if np.isfinite(self.breakdown):
            lines.append(f"Breakdown value: significant up to {self.breakdown:g} on the grid")
        else:
            lines.append("Breakdown value: not significant at the first grid value")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        body = self.table.to_html(index=False, float_format=lambda v: f"{v:.4f}", na_rep="–")
        return (f"<p><b>Parallel-trends sensitivity ({self.restriction})</b></p>{body}"
                f"<p><small>breakdown value: {self.breakdown:g}</small></p>")

    def plot(self, ax: Any = None) -> Any:  # Figure, per the Result contract
        """Robust intervals against M̄ (or M), the original interval on the left."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 3.5))
        t = self.table
        robust = t[t["M"].notna()]
        orig = t[t["M"].isna()]
        step = float(np.diff(robust["M"]).min()) if len(robust) > 1 else 1.0
        x0 = float(robust["M"].min()) - step
        ax.vlines(robust["M"], robust["lb"], robust["ub"], color="#2b6ca3", lw=3,
                  label="robust interval")
        if len(orig):
            ax.vlines([x0], orig["lb"], orig["ub"], color="#c0392b", lw=3, label="original")
        ax.axhline(0, color="grey", lw=0.8)
        ax.set_xlabel("M̄" if self.restriction == "relative_magnitudes" else "M")
        ax.set_ylabel("θ")
        ax.legend(frameon=False, fontsize=8)
        return ax.figure


# --------------------------------------------------------------------------------------------
# ARP conditional test (with nuisance parameters) through dual vertices
# --------------------------------------------------------------------------------------------


def _dual_vertices(sd: np.ndarray, X: np.ndarray) -> np.ndarray:
    """Vertices of {γ >= 0 : sd'γ = 1, X'γ = 0} (rows).

    ``min η s.t. sd·η + X δ >= y`` equals ``max_γ γ'y`` over this polytope (LP duality), so
    the ARP statistic for any y is the largest ``γ'y`` over its vertices.
    """
    m = len(sd)
    E = np.vstack([sd[None, :], X.T]) if X.size else sd[None, :]
    k1 = E.shape[0]
    if k1 > m:
        return np.zeros((0, m))
    supports = np.array(list(itertools.combinations(range(m), k1)), dtype=int)
    found = []
    for start in range(0, len(supports), 20_000):  # batched solves, bounded memory
        sup = supports[start:start + 20_000]
        mats = np.transpose(E[:, sup], (1, 0, 2))  # (batch, k1, k1)
        scale = np.abs(mats).max(axis=(1, 2))
        regular = np.abs(np.linalg.det(mats)) > 1e-12 * np.maximum(scale, 1.0) ** k1
        if not regular.any():
            continue
        rhs = np.zeros((int(regular.sum()), k1, 1))
        rhs[:, 0, 0] = 1.0
        g = np.linalg.solve(mats[regular], rhs)[:, :, 0]
        ok = (g >= -1e-11).all(axis=1)
        if not ok.any():
            continue
        V = np.zeros((int(ok.sum()), m))
        rows = np.repeat(np.arange(len(V)), k1)
        V[rows, sup[regular][ok].ravel()] = np.clip(g[ok], 0, None).ravel()
        found.append(V)
    if not found:
        return np.zeros((0, m))
    return np.unique(np.round(np.vstack(found), 12), axis=0)


def _arp_accept(y0: np.ndarray, a: np.ndarray, thetas: np.ndarray, X: np.ndarray,
                sigma: np.ndarray, alpha: float, kappa: float, lf_sims: int,
                nuisance: bool) -> np.ndarray:
    """Accept/reject of the ARP least-favourable hybrid test at each θ (vectorised).

    The moments are ``y(θ) = y0 − a θ`` with ``E[y(θ)] − X δ <= 0`` for some nuisance δ.
    """
    sd = np.sqrt(np.diag(sigma))
    V = _dual_vertices(sd, X) if nuisance else np.diag(1.0 / sd)
    if len(V) == 0:  # the moments can always be met: the test never rejects
        return np.ones(len(thetas), dtype=bool)
    rng = np.random.default_rng(0)
    draws = rng.multivariate_normal(np.zeros(len(sd)), sigma, size=lf_sims, method="eigh")
    lf_cv = float(np.quantile((draws @ V.T).max(axis=1), 1 - kappa))
    # the grid in chunks: arrays are vertices x grid points
    chunk = max(1, int(2_000_000 // max(len(V), 1)))
    if len(thetas) > chunk:
        return np.concatenate([
            _arp_grid(y0, a, thetas[i:i + chunk], V, sigma, alpha, kappa, lf_cv, nuisance)
            for i in range(0, len(thetas), chunk)])
    return _arp_grid(y0, a, thetas, V, sigma, alpha, kappa, lf_cv, nuisance)


def _arp_grid(y0: np.ndarray, a: np.ndarray, thetas: np.ndarray, V: np.ndarray,
              sigma: np.ndarray, alpha: float, kappa: float, lf_cv: float,
              nuisance: bool) -> np.ndarray:
    """The ARP hybrid test on a block of θ values, given the dual vertices and lf_cv."""
    Y = y0[:, None] - a[:, None] * thetas[None, :]  # moments x grid
    VY = V @ Y  # vertices x grid
    best = VY.argmax(axis=0)
    eta = VY[best, np.arange(len(thetas))]
    G = V[best].T  # optimal vertex per θ (moments x grid)
    SG = sigma @ G
    var_b = np.einsum("ij,ij->j", G, SG)
    sigma_b = np.sqrt(np.clip(var_b, 0, None))
    B = SG / np.where(var_b > 0, var_b, 1.0)  # Σγ / γ'Σγ
    VB = V @ B
    num = VY - VB * eta[None, :]  # v' s_T with s_T = y − b (γ'y)
    den = 1.0 - VB
    tol = 1e-10
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = num / den
    vlo = np.where(den > tol, ratio, -np.inf).max(axis=0)
    vup = np.where(den < -tol, ratio, np.inf).min(axis=0)
    accept = np.ones(len(thetas), dtype=bool)
    degenerate = sigma_b < 1e-10
    accept[degenerate] = ~(eta[degenerate] > 0)
    ok = ~degenerate
    lf_reject = ok & (eta > lf_cv)
    accept[lf_reject] = False
    live = ok & ~lf_reject
    maxstat = np.where(live, eta / np.where(sigma_b > 0, sigma_b, 1.0), 0.0)
    if nuisance:
        size = (alpha - kappa) / (1 - kappa)
        zlo = vlo / np.where(sigma_b > 0, sigma_b, 1.0)
        zup = np.minimum(vup, lf_cv) / np.where(sigma_b > 0, sigma_b, 1.0)
        inside = live & (zlo <= maxstat) & (maxstat <= zup)
        accept[live & ~inside] = True
        idx = np.flatnonzero(inside)
        if len(idx):
            cval = np.maximum(0.0, _truncnorm_quantile(1 - size, zlo[idx], zup[idx]))
            accept[idx] = ~(maxstat[idx] > cval)
    else:
        # R's no-nuisance LF hybrid (one post period): unmodified size, no lf_cv truncation,
        # no lower bound of 0 on the critical value
        idx = np.flatnonzero(live)
        if len(idx):
            zlo = vlo[idx] / sigma_b[idx]
            zup = vup[idx] / sigma_b[idx]
            cval = _truncnorm_quantile(1 - alpha, zlo, zup)
            accept[idx] = ~(maxstat[idx] > cval)
    return accept


def _truncnorm_quantile(p: float, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    lo = np.asarray(lo, dtype=float)
    hi = np.asarray(hi, dtype=float)
    out = truncnorm.ppf(p, lo, hi)
    # a truncation interval far in a tail: fall back to its edge (as TruncatedNormal does)
    return np.where(np.isfinite(out), out, np.where(np.isfinite(lo), lo, hi))


def _gamma_matrix(l_vec: np.ndarray) -> np.ndarray:
    """Invertible matrix with l' as its first row, completed by unit vectors (R's RREF rule)."""
    rows = [l_vec]
    for i in range(len(l_vec)):
        e = np.zeros(len(l_vec))
        e[i] = 1.0
        if np.linalg.matrix_rank(np.vstack([*rows, e])) > len(rows):
            rows.append(e)
        if len(rows) == len(l_vec):
            break
    return np.vstack(rows)


def _a_rm(n_pre: int, n_post: int, mbar: float, s: int, positive: bool) -> np.ndarray:
    """Constraint matrix of Δ^RM_{s,±}(M̄) (R ``.create_A_RM``), t = 0 column dropped."""
    n = n_pre + n_post
    atilde = np.zeros((n, n + 1))
    for r in range(n):
        atilde[r, r:r + 2] = (-1.0, 1.0)
    v = np.zeros(n + 1)
    v[n_pre + s - 1:n_pre + s + 1] = (-1.0, 1.0)
    if not positive:
        v = -v
    a_ub = np.vstack([np.tile(v, (n_pre, 1)), np.tile(mbar * v, (n_post, 1))])
    A = np.vstack([atilde - a_ub, -atilde - a_ub])
    A = A[(A**2).sum(axis=1) > 1e-10]
    return np.delete(A, n_pre, axis=1)


def _rm_interval(betahat, sigma, n_pre, n_post, l_vec, mbar, alpha, lf_sims):
    sd_theta = float(np.sqrt(l_vec @ sigma[n_pre:, n_pre:] @ l_vec))
    thetas = np.linspace(-_GRID_SDS * sd_theta, _GRID_SDS * sd_theta, _GRID_POINTS)
    gamma_inv = np.linalg.inv(_gamma_matrix(l_vec))
    accept = np.zeros(len(thetas), dtype=bool)
    nuisance = n_post > 1
    kappa = alpha / 10
    for s in range(-(n_pre - 1), 1):
        for positive in (True, False):
            A = _a_rm(n_pre, n_post, mbar, s, positive)
            if nuisance:
                rows = np.flatnonzero((A[:, n_pre:] != 0).any(axis=1))  # post moments only
                A_arp = A[rows]
                agi = A_arp[:, n_pre:] @ gamma_inv
                y0 = A_arp @ betahat
                acc = _arp_accept(y0, agi[:, 0], thetas, agi[:, 1:], A_arp @ sigma @ A_arp.T,
                                  alpha, kappa, lf_sims, True)
            else:
                # R tests y = betahat − e_{first post} θ against all moments
                e = np.zeros(len(betahat))
                e[n_pre] = 1.0
                acc = _arp_accept(A @ betahat, A @ e, thetas, np.zeros((len(A), 0)),
                                  A @ sigma @ A.T, alpha, kappa, lf_sims, False)
            accept |= acc
    if not accept.any():
        return np.nan, np.nan
    return float(thetas[accept].min()), float(thetas[accept].max())


# --------------------------------------------------------------------------------------------
# FLCI for Δ^SD(M)
# --------------------------------------------------------------------------------------------


def _q_folded(p: float, mu: float) -> float:
    """p-quantile of |N(mu, 1)|."""
    mu = abs(mu)

    def cdf(c: float) -> float:
        return norm.cdf(c - mu) - norm.cdf(-c - mu) - p

    return float(brentq(cdf, 0.0, mu + 10.0))


class _FLCI:
    """Optimal FLCI over affine estimators for Δ^SD(M) (R ``findOptimalFLCI``)."""

    def __init__(self, sigma: np.ndarray, n_pre: int, n_post: int, l_vec: np.ndarray):
        self.K = n_pre
        pre = np.arange(n_pre)
        post = np.arange(n_pre, n_pre + n_post)
        w_to_l = np.eye(n_pre)
        for col in range(n_pre - 1):
            w_to_l[col + 1, col] = -1.0
        self.w_to_l = w_to_l
        self.Q = w_to_l.T @ sigma[np.ix_(pre, pre)] @ w_to_l
        self.c = 2 * w_to_l.T @ sigma[np.ix_(pre, post)] @ l_vec
        self.const = float(l_vec @ sigma[np.ix_(post, post)] @ l_vec)
        t = np.arange(1, n_post + 1)
        self.total = float(t @ l_vec)  # Σ w = Σ_t t·l_t
        self.bias_const = sum(abs(float(np.arange(1, s + 1) @ l_vec[n_post - s:]))
                              for s in range(1, n_post + 1)) - self.total
        self._bias_cache: dict[float, float] = {}

    def var(self, w: np.ndarray) -> float:
        return float(w @ self.Q @ w + self.c @ w + self.const)

    def h_min(self) -> tuple[float, np.ndarray]:
        # min w'Qw + c'w s.t. 1'w = total: closed form from the KKT system
        K = self.K
        kkt = np.block([[2 * self.Q, np.ones((K, 1))], [np.ones((1, K)), np.zeros((1, 1))]])
        sol = np.linalg.solve(kkt, np.concatenate([-self.c, [self.total]]))
        w = sol[:K]
        return float(np.sqrt(max(self.var(w), 0.0))), w

    def h_zero_bias(self) -> float:
        w = np.zeros(self.K)
        w[-1] = self.total
        return float(np.sqrt(self.var(w)))

    def bias(self, h: float, start: np.ndarray) -> tuple[float, np.ndarray]:
        """Smallest worst-case bias (per unit of M) among estimators with sd <= h."""
        K = self.K
        lower = np.tril(np.ones((K, K)))

        def objective(x):
            return self.bias_const + x[:K].sum()

        def grad(x):
            return np.concatenate([np.ones(K), np.zeros(K)])

        cons = [
            {"type": "ineq", "fun": lambda x: x[:K] - lower @ x[K:],
             "jac": lambda x: np.hstack([np.eye(K), -lower])},
            {"type": "ineq", "fun": lambda x: x[:K] + lower @ x[K:],
             "jac": lambda x: np.hstack([np.eye(K), lower])},
            {"type": "eq", "fun": lambda x: x[K:].sum() - self.total,
             "jac": lambda x: np.concatenate([np.zeros(K), np.ones(K)])},
            {"type": "ineq", "fun": lambda x: h**2 - self.var(x[K:]),
             "jac": lambda x: np.concatenate([np.zeros(K),
                                              -(2 * self.Q @ x[K:] + self.c)])},
        ]
        x0 = np.concatenate([np.abs(lower @ start) + 1e-9, start])
        res = minimize(objective, x0, jac=grad, constraints=cons, method="SLSQP",
                       options={"ftol": 1e-13, "maxiter": 500})
        return float(res.fun), res.x[K:]

    def interval(self, betahat: np.ndarray, l_vec: np.ndarray, M: float,
                 alpha: float) -> tuple[float, float]:
        h_lo, w_lo = self.h_min()
        h_hi = self.h_zero_bias()
        best: dict[str, Any] = {}

        def half_length(h: float) -> float:
            b, w = self.bias(h, w_lo)
            value = _q_folded(1 - alpha, M * b / h) * h
            if not best or value < best["value"]:
                best.update(value=value, w=w)
            return value

        if M == 0 or h_hi <= h_lo * (1 + 1e-9):
            half_length(h_lo)
        else:
            minimize_scalar(half_length, bounds=(h_lo, h_hi), method="bounded",
                            options={"xatol": 1e-10 * h_hi})
            half_length(h_hi)
        l_pre = self.w_to_l @ best["w"]
        centre = float(l_pre @ betahat[:self.K] + l_vec @ betahat[self.K:])
        return centre - best["value"], centre + best["value"]


# --------------------------------------------------------------------------------------------
# Public function
# --------------------------------------------------------------------------------------------


def parallel_trends_sensitivity(
    betahat: Sequence[float] | np.ndarray,
    sigma: np.ndarray,
    *,
    n_pre: int,
    n_post: int,
    restriction: Restriction = "relative_magnitudes",
    grid: Sequence[float],
    l_vec: Sequence[float] | np.ndarray | None = None,
    alpha: float = 0.05,
    method: str | None = None,
    lf_sims: int = _LF_SIMS,
) -> ParallelTrendsSensitivity:
    """Rambachan–Roth robust confidence sets for ``l' τ_post`` under limited violations.

    Parameters
    ----------
    betahat
        Event-study coefficients, pre-periods first (earliest first), reference period
        excluded, then post-periods (``n_pre + n_post`` values, outcome units).
    sigma
        Their covariance matrix.
    n_pre, n_post
        Number of pre- and post-period coefficients.
    restriction
        ``"relative_magnitudes"`` (Δ^RM(M̄)) or ``"smoothness"`` (Δ^SD(M)).
    grid
        Values of M̄ (relative magnitudes; e.g. ``[0.5, 1, 1.5, 2]``) or M (smoothness, in
        outcome units per period²; e.g. ``[0, 0.01, 0.02]``), >= 0.
    l_vec
        Weights on the post-period effects (default: the first post period).
    alpha
        1 − confidence level.
    method
        ``"C-LF"`` (relative magnitudes) or ``"FLCI"`` (smoothness); default as R HonestDiD.
    lf_sims
        Draws for the least-favourable critical value of C-LF (R: 1,000, seeded).

    Returns
    -------
    ParallelTrendsSensitivity
        ``.to_frame()``: ``M, lb, ub, method`` (the original interval as the row ``M = NaN``);
        ``.breakdown``.

    Raises
    ------
    ParameterError
        Wrong shapes, negative grid values, unknown restriction or method, a relative-
        magnitudes restriction with fewer than one pre-period.
    """
    check_choice("restriction", restriction, RESTRICTIONS)
    allowed = SENSITIVITY_METHODS[restriction]
    method = allowed[0] if method is None else method
    check_choice("method", method, allowed)
    b = np.asarray(betahat, dtype=float).ravel()
    S = np.asarray(sigma, dtype=float)
    n_pre, n_post = int(n_pre), int(n_post)
    if n_pre < 1 or n_post < 1 or len(b) != n_pre + n_post:
        raise ParameterError(
            f"betahat has {len(b)} values; expected n_pre + n_post = {n_pre} + {n_post} "
            f"(both >= 1)")
    if S.shape != (len(b), len(b)) or not np.allclose(S, S.T, atol=1e-12 * np.abs(S).max()):
        raise ParameterError(f"sigma must be a symmetric {len(b)} x {len(b)} matrix, got shape "
                             f"{S.shape}")
    lv = np.zeros(n_post) if l_vec is None else np.asarray(l_vec, dtype=float).ravel()
    if l_vec is None:
        lv[0] = 1.0
    if len(lv) != n_post:
        raise ParameterError(f"l_vec has {len(lv)} values; expected n_post = {n_post}")
    values = np.asarray(list(grid), dtype=float)
    if len(values) == 0 or (values < 0).any() or not np.isfinite(values).all():
        raise ParameterError(f"grid={list(grid)!r} must be non-empty, finite and >= 0")
    if not 0 < alpha < 1:
        raise ParameterError(f"alpha={alpha!r} is outside the allowed range (0, 1)")
    rows = []
    if restriction == "relative_magnitudes":
        for m in values:
            lb, ub = _rm_interval(b, S, n_pre, n_post, lv, float(m), alpha, int(lf_sims))
            rows.append({"M": float(m), "lb": lb, "ub": ub, "method": method})
    else:
        flci = _FLCI(S, n_pre, n_post, lv)
        for m in values:
            lb, ub = flci.interval(b, lv, float(m), alpha)
            rows.append({"M": float(m), "lb": lb, "ub": ub, "method": method})
    theta = float(lv @ b[n_pre:])
    se = float(np.sqrt(lv @ S[n_pre:, n_pre:] @ lv))
    z = float(norm.ppf(1 - alpha / 2))
    rows.append({"M": np.nan, "lb": theta - z * se, "ub": theta + z * se, "method": "Original"})
    table = pd.DataFrame(rows, columns=["M", "lb", "ub", "method"])
    robust = table[table["M"].notna()].sort_values("M")
    significant = ~((robust["lb"] <= 0) & (robust["ub"] >= 0)) & robust["lb"].notna()
    breakdown = np.nan
    for m, sig in zip(robust["M"], significant, strict=True):
        if not sig:
            break
        breakdown = float(m)
    return ParallelTrendsSensitivity(table=table, breakdown=breakdown, restriction=restriction,
                             alpha=float(alpha), l_vec=lv,
                             options={"n_pre": n_pre, "n_post": n_post, "method": method,
                                      "lf_sims": int(lf_sims), "grid_points": _GRID_POINTS})
