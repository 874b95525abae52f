"""Quality-adjusted indices from transaction or lease microdata.

Microdata schema (one row per sale or new lease; see ``docs/rents.md``)
-----------------------------------------------------------------------
``property_id``
    Identifier of the dwelling (any hashable; needed by the repeat-sales index).
``period``
    Integer period (year, or a running quarter/month number); the index is estimated for each
    distinct value, and interval lengths are counted in these units.
``price_eur`` (or ``rent_eur_month`` …, named through ``price``)
    Positive transaction price or monthly rent, euros.
``floor_area_m2`` and other characteristics
    Numeric columns named in ``characteristics`` (hedonic index only).
``area``
    Optional location code (commune, quartier) absorbed as fixed effects (hedonic index).

Both estimators solve their least-squares problems through sparse normal equations (one
non-zero per dummy), so a million rows take seconds; the tests check them against statsmodels
and pyfixest on small samples.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import scipy.linalg
import scipy.sparse as sp
from scipy import stats

from permanent_research._validation import check_columns, check_numeric_columns, format_rows
from permanent_research.errors import DataError, ParameterError
from permanent_research.rents._base import ResultMixin

__all__ = ["IndexResult", "hedonic_index", "repeat_sales_index", "repeat_sales_pairs"]


@dataclass(frozen=True)
class IndexResult(ResultMixin):
    """A quality-adjusted index.

    Attributes
    ----------
    method
        ``"hedonic time-dummy"`` or ``"repeat sales (Case–Shiller WLS)"`` / ``"(BMN OLS)"``.
    periods
        Period labels, sorted.
    log_index
        Estimated log index per period (0 in the base period).
    se
        Standard errors of ``log_index`` (0 in the base period).
    base_period
        Period set to 100.
    n_obs
        Sales (hedonic) or sale pairs (repeat sales) used.
    coefficients
        Other estimated coefficients (characteristics; stage-2 variance coefficients).
    """

    method: str
    periods: tuple
    log_index: np.ndarray
    se: np.ndarray
    base_period: object
    n_obs: int
    coefficients: dict[str, float] = field(default_factory=dict)
    level: float = 0.95

    @property
    def index(self) -> np.ndarray:
        """Index values, base period = 100."""
        return 100.0 * np.exp(self.log_index)

    def to_frame(self) -> pd.DataFrame:
        """``period``, ``index`` (base = 100), ``log_index``, ``se``, ``ci_low``, ``ci_high``."""
        z = stats.norm.ppf(0.5 + self.level / 2)
        return pd.DataFrame(
            {
                "period": list(self.periods),
                "index": self.index,
                "log_index": self.log_index,
                "se": self.se,
                "ci_low": 100 * np.exp(self.log_index - z * self.se),
                "ci_high": 100 * np.exp(self.log_index + z * self.se),
            }
        )

    def summary(self) -> str:
        last = self.index[-1]
        return (
            f"{self.method} index, {len(self.periods)} periods, base {self.base_period} = 100, "
            f"n = {self.n_obs:,}; last period {self.periods[-1]}: {last:.1f}"
        )

    def plot(self, **kwargs: Any) -> Any:
        """The index line (``plots.rents.index_lines``)."""
        from permanent_research.plots.rents import index_lines

        return index_lines({self.method: self.to_frame()}, **kwargs)


def _period_codes(values: pd.Series, base_period) -> tuple[np.ndarray, tuple, int]:
    codes, labels = pd.factorize(values, sort=True)
    labels = tuple(labels.tolist())
    if base_period is None:
        base_code = 0
    elif base_period in labels:
        base_code = labels.index(base_period)
    else:
        raise ParameterError(
            f"base_period={base_period!r} is not in the data; periods {labels[0]}–{labels[-1]}"
        )
    if len(labels) < 2:
        raise DataError(f"microdata: need at least 2 distinct periods, found {len(labels)}")
    return codes.astype(np.int64), labels, base_code


def _dummies(
    codes: np.ndarray, n_levels: int, drop: int | None, sign: float = 1.0
) -> sp.csr_matrix:
    """Sparse one-hot matrix of ``codes``; the ``drop`` level is left out."""
    n = len(codes)
    matrix = sp.csr_matrix((np.full(n, sign), (np.arange(n), codes)), shape=(n, n_levels))
    if drop is None:
        return matrix
    keep = np.delete(np.arange(n_levels), drop)
    return matrix[:, keep]


def _solve_normal(x: sp.spmatrix, y: np.ndarray, w: np.ndarray | None = None):
    """(Weighted) least squares by normal equations; returns beta, (X'WX)^-1, residuals."""
    xw = x if w is None else sp.diags(w) @ x
    xtx = (x.T @ xw).toarray() if sp.issparse(x) else x.T @ xw
    xty = np.asarray(xw.T @ y).ravel()
    try:
        chol = scipy.linalg.cho_factor(xtx)
    except np.linalg.LinAlgError:
        raise DataError(
            "microdata: the design is rank-deficient (a period or area without "
            "observations linking it to the rest, or a constant characteristic)"
        ) from None
    beta = scipy.linalg.cho_solve(chol, xty)
    inverse = scipy.linalg.cho_solve(chol, np.eye(xtx.shape[0]))
    residuals = y - np.asarray(x @ beta).ravel()
    return beta, inverse, residuals


def _check_price(frame: pd.DataFrame, price: str, source: str) -> np.ndarray:
    check_numeric_columns(frame, [price], source=source)
    values = frame[price].to_numpy(dtype=float)
    bad = ~(values > 0)
    if bad.any():
        raise DataError(
            f"{source}: column {price!r} must be > 0 (euros), rows {format_rows(frame.index[bad])}"
        )
    return values


def hedonic_index(
    sales: pd.DataFrame,
    *,
    characteristics: Sequence[str] = ("floor_area_m2",),
    log_characteristics: Sequence[str] = ("floor_area_m2",),
    price: str = "price_eur",
    period: str = "period",
    area: str | None = "area",
    base_period=None,
    level: float = 0.95,
) -> IndexResult:
    """Hedonic time-dummy index (Eurostat RPPI handbook, 2013).

    Fits ``ln price = Σ β_k x_k + Σ δ_t D_t + area FE + ε`` by OLS and returns
    ``index_t = 100 · exp(δ̂_t)`` (no bias correction: the index is a geometric-mean ratio).

    Parameters
    ----------
    sales
        Microdata on the module's schema.
    characteristics
        Numeric columns entering linearly (e.g. ``floor_area_m2``, ``rooms``).
    log_characteristics
        Subset of ``characteristics`` that enter as natural logs (must be > 0).
    price
        Price or rent column (euros).
    area
        Location column absorbed as fixed effects, or ``None`` for a common intercept.
    base_period
        Period set to 100 (default: the first period).
    level
        Confidence level of the intervals in :meth:`IndexResult.to_frame`.

    Returns
    -------
    IndexResult
        Index, homoskedastic standard errors of δ̂ and the characteristic coefficients.
    """
    characteristics = list(characteristics)
    unknown = [c for c in log_characteristics if c not in characteristics]
    if unknown:
        raise ParameterError(
            f"log_characteristics {unknown} must be among characteristics {characteristics}"
        )
    required = [period, price, *characteristics] + ([area] if area else [])
    check_columns(sales, required, source="hedonic_index microdata")
    check_numeric_columns(sales, [period, *characteristics], source="hedonic_index microdata")
    y = np.log(_check_price(sales, price, "hedonic_index microdata"))
    t_codes, labels, base_code = _period_codes(sales[period], base_period)
    columns: list[np.ndarray] = []
    for name in characteristics:
        values = sales[name].to_numpy(dtype=float)
        if name in log_characteristics:
            if (values <= 0).any():
                raise DataError(
                    f"hedonic_index microdata: column {name!r} must be > 0 to take logs"
                )
            values = np.log(values)
        columns.append(values)
    x_chars = sp.csr_matrix(np.column_stack(columns)) if columns else None
    x_time = _dummies(t_codes, len(labels), base_code)
    if area:
        a_codes, a_labels = pd.factorize(sales[area], sort=True)
        if (a_codes < 0).any():
            raise DataError(f"hedonic_index microdata: column {area!r} has missing values")
        x_area = _dummies(a_codes, len(a_labels), None)
    else:
        x_area = sp.csr_matrix(np.ones((len(y), 1)))
    blocks = [b for b in (x_chars, x_time, x_area) if b is not None]
    x = sp.hstack(blocks, format="csr")
    beta, inverse, residuals = _solve_normal(x, y)
    dof = x.shape[0] - x.shape[1]
    if dof <= 0:
        raise DataError(f"hedonic_index microdata: {x.shape[0]} rows for {x.shape[1]} parameters")
    sigma2 = residuals @ residuals / dof
    k = len(characteristics)
    n_t = len(labels) - 1
    delta = np.insert(beta[k : k + n_t], base_code, 0.0)
    se = np.insert(np.sqrt(sigma2 * np.diag(inverse)[k : k + n_t]), base_code, 0.0)
    coefficients = {
        (f"log_{c}" if c in log_characteristics else c): float(b)
        for c, b in zip(characteristics, beta[:k], strict=True)
    }
    coefficients["sigma"] = float(np.sqrt(sigma2))
    return IndexResult(
        "hedonic time-dummy", labels, delta, se, labels[base_code], len(y), coefficients, level
    )


def repeat_sales_pairs(
    sales: pd.DataFrame,
    *,
    property_id: str = "property_id",
    price: str = "price_eur",
    period: str = "period",
) -> pd.DataFrame:
    """Consecutive sales of the same property as pairs.

    Returns
    -------
    pandas.DataFrame
        ``property_id``, ``period_1``, ``period_2``, ``log_ratio`` = ln(p₂/p₁).

    Raises
    ------
    DataError
        If a property is sold twice in the same period (rows named), or a column is missing.
    """
    check_columns(sales, [property_id, period, price], source="repeat_sales microdata")
    check_numeric_columns(sales, [period], source="repeat_sales microdata")
    values = np.log(_check_price(sales, price, "repeat_sales microdata"))
    ids = sales[property_id].to_numpy()
    periods = sales[period].to_numpy()
    order = np.lexsort((periods, pd.factorize(ids)[0]))
    ids_s, periods_s, values_s = ids[order], periods[order], values[order]
    same = ids_s[1:] == ids_s[:-1]
    twice = same & (periods_s[1:] == periods_s[:-1])
    if twice.any():
        rows = sorted(set(sales.index[order[1:][twice]]) | set(sales.index[order[:-1][twice]]))
        raise DataError(
            f"repeat_sales microdata: property sold twice in the same {period} "
            f"({property_id} {ids_s[1:][twice][0]!r}), rows {format_rows(rows)}; keep one "
            "sale per property and period"
        )
    return pd.DataFrame(
        {
            "property_id": ids_s[1:][same],
            "period_1": periods_s[:-1][same],
            "period_2": periods_s[1:][same],
            "log_ratio": values_s[1:][same] - values_s[:-1][same],
        }
    )


def repeat_sales_index(
    sales: pd.DataFrame,
    *,
    property_id: str = "property_id",
    price: str = "price_eur",
    period: str = "period",
    base_period=None,
    weighted: bool = True,
    level: float = 0.95,
) -> IndexResult:
    """Repeat-sales index: Bailey–Muth–Nourse OLS, or Case–Shiller three-stage WLS.

    Stage 1 (BMN): ``ln(p₂/p₁) = Σ γ_t Z_t + u`` with ``Z = −1`` at the first sale's period and
    ``+1`` at the second's (base period dropped). Stage 2: regress the squared stage-1
    residuals on a constant and the interval ``period_2 − period_1`` (in period units).
    Stage 3: WLS with weights 1/fitted variance. ``weighted=False`` stops after stage 1.

    Fitted variances ≤ 0 (possible when stage 2's slope is negative) are an error, since the
    Case–Shiller weights would then be undefined.

    Returns
    -------
    IndexResult
        ``coefficients`` holds the stage-2 intercept and slope (``var_const``,
        ``var_per_period``) when weighted; standard errors are from the final stage.
    """
    pairs = repeat_sales_pairs(sales, property_id=property_id, price=price, period=period)
    all_periods = pd.Series(np.concatenate([pairs["period_1"], pairs["period_2"]]))
    _, labels, base_code = _period_codes(all_periods, base_period)
    if len(pairs) == 0:
        raise DataError("repeat_sales microdata: no property is sold more than once")
    position = {label: i for i, label in enumerate(labels)}
    c1 = pairs["period_1"].map(position).to_numpy(dtype=np.int64)
    c2 = pairs["period_2"].map(position).to_numpy(dtype=np.int64)
    n_t = len(labels)
    z = (_dummies(c2, n_t, None) - _dummies(c1, n_t, None)).tocsc()
    keep = np.delete(np.arange(n_t), base_code)
    z = z[:, keep].tocsr()
    y = pairs["log_ratio"].to_numpy()
    beta, inverse, residuals = _solve_normal(z, y)
    dof = z.shape[0] - z.shape[1]
    if dof <= 0:
        raise DataError(f"repeat_sales microdata: {z.shape[0]} pairs for {z.shape[1]} periods")
    coefficients: dict[str, float] = {}
    method = "repeat sales (BMN OLS)"
    sigma2 = residuals @ residuals / dof
    cov_scale = sigma2
    if weighted:
        gap = pairs["period_2"].to_numpy(dtype=float) - pairs["period_1"].to_numpy(dtype=float)
        x2 = np.column_stack([np.ones_like(gap), gap])
        a, *_ = np.linalg.lstsq(x2, residuals**2, rcond=None)
        fitted = x2 @ a
        if (fitted <= 0).any():
            raise DataError(
                f"repeat_sales: stage-2 variance is not positive for some intervals "
                f"(const {a[0]:.3g}, slope {a[1]:.3g}); use weighted=False"
            )
        w = 1.0 / fitted
        beta, inverse, residuals = _solve_normal(z, y, w)
        cov_scale = (w * residuals**2).sum() / dof
        coefficients = {"var_const": float(a[0]), "var_per_period": float(a[1])}
        method = "repeat sales (Case–Shiller WLS)"
    gamma = np.insert(beta, base_code, 0.0)
    se = np.insert(np.sqrt(cov_scale * np.diag(inverse)), base_code, 0.0)
    return IndexResult(
        method, labels, gamma, se, labels[base_code], len(pairs), coefficients, level
    )
