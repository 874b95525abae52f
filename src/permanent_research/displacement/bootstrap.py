"""How sure is a quartier's class when its apartment prices rest on a few sales?

Quartier apartment prices are medians of few sales (``n_apartment_sales``; confidential below a
handful). :func:`class_stability` redraws each quartier's price levels at t0 and t1 from the
sampling distribution of a median of that many sales, recomputes what depends on prices (the
price change, its spatial lag and the rent gap), reruns the UDP flags per draw and the rules
once on all draws stacked, and reports the share of draws in which each quartier keeps its class.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np
import pandas as pd

from permanent_research._validation import check_columns, check_in_range
from permanent_research.displacement.flags import _markets, _regional_change, udp_flags
from permanent_research.displacement.indicators import (
    DisplacementIndicators,
    distance_band_weights,
)
from permanent_research.displacement.parameters import UDP_FLAG_COLUMNS, UDPParameters
from permanent_research.displacement.results import FlagTable
from permanent_research.displacement.rules import udp_rules
from permanent_research.errors import DataError

__all__ = ["class_stability"]

# asymptotic standard error of a sample median relative to the standard deviation: sqrt(pi / 2)
_MEDIAN_SE_FACTOR = float(np.sqrt(np.pi / 2.0))


def class_stability(
    indicators: DisplacementIndicators,
    parameters: UDPParameters,
    sales: pd.DataFrame,
    *,
    coordinates: pd.DataFrame | None = None,
    draws: int = 1000,
    seed: int = 0,
    price_dispersion_log: float = 0.35,
) -> pd.DataFrame:
    """Share of bootstrap draws in which each area keeps its UDP class.

    Parameters
    ----------
    indicators
        Indicators with ``value_t0``/``value_t1`` (apartment prices, EUR).
    parameters
        UDP parameters.
    sales
        ``area``, ``n_sales_t0``, ``n_sales_t1``: sales behind each price level (summed over the
        window's years). An area without a count keeps its price fixed (counted in ``attrs``).
    coordinates
        ``area``, ``x_m``, ``y_m`` as given to ``indicators()``; needed when the indicators carry
        spatial lags (the lags are recomputed per draw with the same band).
    draws
        Number of draws.
    seed
        Seed of the random generator (same seed, same result).
    price_dispersion_log
        Standard deviation of log prices among one quartier's sales (assumed; 0.35 ≈ a
        coefficient of variation of 36 %). A median of ``n`` sales then has a log standard
        error of ``sqrt(pi / 2) × price_dispersion_log / sqrt(n)``.

    Returns
    -------
    pandas.DataFrame
        Index ``area``: ``category`` (class on the published prices, ``"undecidable"`` when
        missing), ``keeps_class_share`` (0–1), ``modal_other`` (the most frequent other class,
        empty if none), ``n_sales_t0``, ``n_sales_t1``. ``attrs``: ``draws``, ``seed``,
        ``price_dispersion_log``, ``areas_without_counts``.

    Notes
    -----
    The flags of every draw are computed at once on ``draws × areas`` arrays (only the flags
    that depend on prices are recomputed; the others are the published ones) and the rules run
    once on all draws stacked. The result equals running ``udp_flags`` per draw exactly (tested).
    """
    return _class_stability(indicators, parameters, sales, coordinates=coordinates, draws=draws,
                            seed=seed, price_dispersion_log=price_dispersion_log, per_draw=False)


def _class_stability(
    indicators: DisplacementIndicators,
    parameters: UDPParameters,
    sales: pd.DataFrame,
    *,
    coordinates: pd.DataFrame | None,
    draws: int,
    seed: int,
    price_dispersion_log: float,
    per_draw: bool,
) -> pd.DataFrame:
    """:func:`class_stability`; ``per_draw=True`` runs ``udp_flags`` per draw (the slow
    reference the vectorised path is tested against)."""
    draws = int(check_in_range("draws", draws, 1, None))
    sigma = check_in_range("price_dispersion_log", price_dispersion_log, 0, None,
                           low_inclusive=False)
    t = indicators.table
    check_columns(t, ["value_t0", "value_t1"], source="indicators")
    check_columns(sales, ["area", "n_sales_t0", "n_sales_t1"], source="sales")
    if sales["area"].astype(str).duplicated().any():
        rows = list(sales.index[sales["area"].astype(str).duplicated(keep=False)][:5])
        raise DataError(f"sales: column 'area' repeats areas in rows {rows}")
    counts = sales.assign(area=sales["area"].astype(str)).set_index("area").reindex(t.index)
    n0 = counts["n_sales_t0"].astype(float).to_numpy()
    n1 = counts["n_sales_t1"].astype(float).to_numpy()
    if ((n0 < 0) | (n1 < 0)).any():
        raise DataError("sales: columns 'n_sales_t0'/'n_sales_t1' must be ≥ 0")
    rng = np.random.default_rng(seed)
    n_areas = len(t)

    def scale(n: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore"):
            se = _MEDIAN_SE_FACTOR * sigma / np.sqrt(n)
        return np.where(np.isfinite(se) & (n > 0), se, 0.0)

    v0 = t["value_t0"].astype(float).to_numpy(na_value=np.nan)
    v1 = t["value_t1"].astype(float).to_numpy(na_value=np.nan)
    # one matrix of draws per period: draws × areas, lognormal around the published level
    d0 = v0 * np.exp(rng.standard_normal((draws, n_areas)) * scale(n0))
    d1 = v1 * np.exp(rng.standard_normal((draws, n_areas)) * scale(n1))
    pch = 100.0 * (d1 / d0 - 1.0)
    spatial = "lag_value_pch" in t
    lag_pch = lag_t1 = None
    if spatial:
        if coordinates is None or indicators.band_m is None:
            raise DataError("indicators carry spatial lags: pass the coordinates used for them")
        xy = coordinates.assign(area=coordinates["area"].astype(str)).set_index("area")
        w = distance_band_weights(xy.loc[t.index, ["x_m", "y_m"]].to_numpy(),
                                  band=indicators.band_m).matrix

        def lag(values: np.ndarray) -> np.ndarray:
            present = np.isfinite(values)
            num = np.where(present, values, 0.0) @ w.T
            den = present.astype(float) @ w.T
            return np.divide(num, den, out=np.full_like(num, np.nan), where=den > 0)

        lag_pch, lag_t1 = lag(pch), lag(d1)
    drawn = _Draws(d0=d0, d1=d1, pch=pch, lag_pch=lag_pch, lag_t1=lag_t1)
    first = udp_flags(indicators, parameters)
    base = udp_rules(first, parameters).classes
    flags = (_flags_per_draw if per_draw else _flags_vectorised)(indicators, parameters, drawn)
    classes = udp_rules(
        FlagTable(flags=flags, parameters=parameters, inputs_used=first.inputs_used,
                  unavailable=first.unavailable), parameters
    ).classes
    label = classes["category"].astype("string").fillna("undecidable")
    wide = label.unstack("draw")
    published = base["category"].astype("string").fillna("undecidable").reindex(wide.index)
    keeps = wide.eq(published, axis=0).mean(axis=1)
    other = wide.where(wide.ne(published, axis=0))
    modal = other.apply(lambda row: row.mode().iloc[0] if row.notna().any() else "", axis=1)
    out = pd.DataFrame(
        {
            "category": published,
            "keeps_class_share": keeps.astype(float),
            "modal_other": modal.astype("string"),
            "n_sales_t0": n0,
            "n_sales_t1": n1,
        },
        index=wide.index,
    )
    out.attrs.update(draws=draws, seed=seed, price_dispersion_log=sigma,
                     areas_without_counts=int((np.isnan(n0) | np.isnan(n1)).sum()))
    return out


@dataclass(frozen=True)
class _Draws:
    """Drawn apartment prices and what depends on them, ``draws × areas`` (NaN = missing)."""

    d0: np.ndarray
    d1: np.ndarray
    pch: np.ndarray
    lag_pch: np.ndarray | None
    lag_t1: np.ndarray | None

    def columns(self, k: int | slice) -> dict[str, np.ndarray]:
        """The indicator columns a draw (or a block of draws) replaces, non-finite → NaN."""
        out = {"value_t0": self.d0[k], "value_t1": self.d1[k], "value_pch": self.pch[k]}
        if self.lag_pch is not None and self.lag_t1 is not None:
            gap = self.lag_t1[k] - self.d1[k]
            out.update(lag_value_pch=self.lag_pch[k], lag_value_t1=self.lag_t1[k],
                       value_gap=gap, value_gapprop=gap / ((self.d1[k] + self.lag_t1[k]) / 2.0))
        return {name: np.where(np.isfinite(v), v, np.nan) for name, v in out.items()}


def _flags_per_draw(
    indicators: DisplacementIndicators, parameters: UDPParameters, drawn: _Draws
) -> pd.DataFrame:
    """``udp_flags`` once per draw on the indicators with the price columns swapped in."""
    t = indicators.table
    stacked = []
    table = t.copy()
    one = copy.copy(indicators)
    # the same frozen indicators with the price columns swapped in place per draw: building and
    # validating a new object per draw cost more than the flags themselves
    object.__setattr__(one, "table", table)
    for k in range(drawn.d0.shape[0]):
        for name, values in drawn.columns(k).items():
            table[name] = pd.array(values, dtype="Float64")
        stacked.append(udp_flags(one, parameters).flags)
    return pd.concat(stacked, keys=range(drawn.d0.shape[0]), names=["draw", "area"])


# Three-valued (Kleene) logic on float arrays: 1.0 true, 0.0 false, NaN missing — the numpy
# image of the pandas ``boolean`` columns the flags use.
def _and(*terms: np.ndarray) -> np.ndarray:
    out = terms[0]
    for x in terms[1:]:
        out = np.where((out == 0) | (x == 0), 0.0,
                       np.where(np.isnan(out) | np.isnan(x), np.nan, 1.0))
    return out


def _or(*terms: np.ndarray) -> np.ndarray:
    out = terms[0]
    for x in terms[1:]:
        out = np.where((out == 1) | (x == 1), 1.0,
                       np.where(np.isnan(out) | np.isnan(x), np.nan, 0.0))
    return out


def _compare(values: np.ndarray, op: str, threshold: np.ndarray | float) -> np.ndarray:
    """``values <op> threshold`` with a missing value missing; a missing threshold gives False,
    as a pandas nullable column compared with a NaN scalar does."""
    with np.errstate(invalid="ignore"):
        result = {"<": np.less, ">": np.greater, ">=": np.greater_equal}[op](values, threshold)
    return np.where(np.isnan(values), np.nan, result.astype(float))


def _row_median(x: np.ndarray) -> np.ndarray:
    """Median of the non-missing values of each row (NaN for an empty row), computed as
    ``numpy.median`` does: the mean of the two middle order statistics."""
    s = np.sort(x, axis=1)  # NaN sorts last
    n = (~np.isnan(x)).sum(axis=1)
    rows = np.arange(x.shape[0])
    lo, hi = np.maximum((n - 1) // 2, 0), np.maximum(n // 2, 0)
    hi = np.minimum(hi, x.shape[1] - 1)
    return np.where(n > 0, (s[rows, lo] + s[rows, hi]) / 2.0, np.nan)


def _row_quantile(x: np.ndarray, q: float) -> np.ndarray:
    """Linear-interpolation quantile of each row's non-missing values, as pandas computes it
    (``numpy.percentile`` at ``q × 100``)."""
    present = ~np.isnan(x)
    if (present == present[0]).all():  # one missing pattern for every draw: one call
        if not present[0].any():
            return np.full(x.shape[0], np.nan)
        return np.percentile(x[:, present[0]], q * 100.0, axis=1)
    return np.array([np.percentile(r[~np.isnan(r)], q * 100.0) if (~np.isnan(r)).any()
                     else np.nan for r in x])


def _fixed(column: pd.Series, draws: int) -> np.ndarray:
    """A column that does not depend on prices, repeated for every draw (float, NaN missing)."""
    return np.broadcast_to(column.astype("Float64").to_numpy(dtype=float, na_value=np.nan),
                           (draws, len(column)))


def _flags_vectorised(
    indicators: DisplacementIndicators, parameters: UDPParameters, drawn: _Draws
) -> pd.DataFrame:
    """The UDP rule inputs of every draw at once (same values as :func:`_flags_per_draw`).

    Only the flags that read apartment prices are recomputed, following ``udp_flags`` step by
    step on ``draws × areas`` arrays; the others (population, income mix, vulnerability
    criteria, demographic change, loss of low-income residents) are the published ones.
    """
    p = parameters
    t = indicators.table
    base = udp_flags(indicators, p).flags
    draws, n = drawn.d0.shape
    cols = drawn.columns(slice(None))

    def col(name: str) -> np.ndarray:
        return cols[name] if name in cols else _fixed(t[name], draws)

    def fixed_flag(name: str) -> np.ndarray:
        return _fixed(base[name], draws)

    markets = _markets(t, p)
    out: dict[str, np.ndarray] = {}
    out["pop_ok"] = fixed_flag("pop_ok")
    out["inc_cat"] = fixed_flag("inc_cat")
    if p.housing_reference == "regional_median" and markets:
        level = col(f"{markets[0]}_t1")
        ratio = level / _row_median(level)[:, None]
        lmh = np.full(ratio.shape, np.nan)
        with np.errstate(invalid="ignore"):
            lmh[ratio < p.housing_low_ratio] = 4
            lmh[(ratio >= p.housing_low_ratio) & (ratio < p.housing_high_ratio)] = 5
            lmh[ratio >= p.housing_high_ratio] = 6
        out["lmh"] = lmh
    else:  # affordable cost: rents only, which are not drawn
        out["lmh"] = fixed_flag("lmh")

    cats, above90, above_rm, positive, hot = [], [], [], [], []
    for m in markets:
        pch = col(f"{m}_pch")
        rapid_cut = _row_median(np.where(pch > p.market_increase_pch, pch, np.nan))[:, None]
        cat = np.full(pch.shape, np.nan)
        with np.errstate(invalid="ignore"):
            cat[pch < p.market_increase_pch] = 1
            cat[pch >= p.market_increase_pch] = 2
            cat[pch >= rapid_cut] = 3
        cats.append(cat)
        above90.append(_compare(pch, ">", _row_quantile(pch, p.upper_percentile / 100.0)[:, None]))
        above_rm.append(_compare(pch, ">", _row_median(pch)[:, None]))
        positive.append(_compare(pch, ">", 0.0))
        if p.regional_change == "median_of_changes":
            regional = _row_median(pch)
        else:  # change of the medians over areas with both levels, as _regional_change
            lv0, lv1 = col(f"{m}_t0"), col(f"{m}_t1")
            both = ~np.isnan(lv0) & ~np.isnan(lv1)
            m0 = _row_median(np.where(both, lv0, np.nan))
            m1 = _row_median(np.where(both, lv1, np.nan))
            regional = 100.0 * (m1 / m0 - 1.0)
        hot.append(_compare(pch, ">=", regional[:, None]))
    nan = np.full((draws, n), np.nan)
    if cats:
        stack = np.stack(cats)
        best = np.fmax.reduce(stack, axis=0)
        with np.errstate(invalid="ignore"):
            undecided = np.isnan(stack).any(axis=0) & ~(best >= 3)
        out["ch"] = np.where(undecided, np.nan, best)
    else:
        out["ch"] = nan
    out["ab_90percentile_ch"] = _or(*above90) if above90 else nan
    out["ch_above_rm"] = _or(*above_rm) if above_rm else nan
    out["real_change_positive"] = _or(*positive) if positive else nan
    hot_market = _or(*hot) if hot else nan
    out["lost_low_income"] = fixed_flag("lost_low_income")

    vulnerable = {}
    for period in ("t0", "t1"):
        below = []
        for m in markets:
            level = col(f"{m}_{period}")
            below.append(_compare(level, "<", _row_median(level)[:, None]))
        market_below = _or(*below) if below else nan
        vulnerable[period] = _and(market_below, fixed_flag(f"vulnerable_criteria_met_{period}"))
    income_up = _compare(
        _fixed(t["income_pch"], draws), ">",
        _regional_change(t, "income", p.regional_change, "pch"),
    )
    gentrified = _and(vulnerable["t0"], income_up, hot_market, fixed_flag("demographic_up"))
    if p.gentrified_variant == "standard":
        gentrified = _and(gentrified, out["lost_low_income"])
    out["gentrified_any"] = gentrified
    out["vulnerable_t1"] = vulnerable["t1"]

    lagged = [m for m in markets if f"lag_{m}_pch" in t]
    if lagged:
        own, lag = col(f"{lagged[0]}_pch"), col(f"lag_{lagged[0]}_pch")
        out["dp_pchrent"] = _or(
            _and(_compare(own, ">", 0.0), _compare(own, ">", _row_median(own)[:, None])),
            _compare(lag, ">", _row_median(lag)[:, None]),
        )
        gap = col(f"{lagged[0]}_gapprop")
        out["dp_rentgap"] = _and(_compare(gap, ">", 0.0),
                                 _compare(gap, ">", _row_median(gap)[:, None]))
    else:
        out["dp_pchrent"] = out["dp_rentgap"] = nan
    for name in ("inmover_fell", "real_income_rose", "high_income_both"):
        out[name] = fixed_flag(name)

    index = pd.MultiIndex.from_product([range(draws), t.index], names=["draw", "area"])
    frame = {}
    for name in UDP_FLAG_COLUMNS:
        values = np.ascontiguousarray(out[name]).ravel()
        missing = np.isnan(values)
        if str(base[name].dtype) == "Int64":
            frame[name] = pd.arrays.IntegerArray(np.where(missing, 0, values).astype("int64"),
                                                 missing)
        else:
            frame[name] = pd.arrays.BooleanArray(values == 1.0, missing)
    return pd.DataFrame(frame, index=index)
