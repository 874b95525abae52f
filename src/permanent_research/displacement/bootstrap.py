"""How sure is a quartier's class when its apartment prices rest on a few sales?

Quartier apartment prices are medians of few sales (``n_apartment_sales``; confidential below a
handful). :func:`class_stability` redraws each quartier's price levels at t0 and t1 from the
sampling distribution of a median of that many sales, recomputes what depends on prices (the
price change, its spatial lag and the rent gap), reruns the UDP flags per draw and the rules
once on all draws stacked, and reports the share of draws in which each quartier keeps its class.
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd

from permanent_research._validation import check_columns, check_in_range
from permanent_research.displacement.flags import udp_flags
from permanent_research.displacement.indicators import (
    DisplacementIndicators,
    distance_band_weights,
)
from permanent_research.displacement.parameters import UDPParameters
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
    """
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
    base = udp_rules(udp_flags(indicators, parameters), parameters).classes
    stacked = []
    drawn = t.copy()
    one = copy.copy(indicators)
    # the same frozen indicators with the price columns swapped in place per draw: building and
    # validating a new object per draw cost more than the flags themselves
    object.__setattr__(one, "table", drawn)
    for k in range(draws):
        columns = {"value_t0": d0[k], "value_t1": d1[k], "value_pch": pch[k]}
        if spatial:
            gap = lag_t1[k] - d1[k]
            columns.update(lag_value_pch=lag_pch[k], lag_value_t1=lag_t1[k], value_gap=gap,
                           value_gapprop=gap / ((d1[k] + lag_t1[k]) / 2.0))
        for name, values in columns.items():
            drawn[name] = pd.array(np.where(np.isfinite(values), values, np.nan),
                                   dtype="Float64")
        stacked.append(udp_flags(one, parameters).flags)
    flags = pd.concat(stacked, keys=range(draws), names=["draw", "area"])
    first = udp_flags(indicators, parameters)
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
