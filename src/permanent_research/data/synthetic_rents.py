"""Seeded synthetic transaction microdata with a known true price index (SYNTHETIC).

The data-generating process, per property *i* sold in period *t*::

    ln p_it = α + β · ln(floor_area_m2_i) + γ · rooms_i + φ_area(i) + δ_t + u_i + h_it + e_it

* ``δ_t`` — the true log index (``δ_0 = 0``): a smooth cycle around a trend;
* ``u_i ~ N(0, sd_property²)`` — a persistent property effect (unobserved quality);
* ``h_it`` — a random walk per property with variance ``sd_drift²`` per period elapsed since
  the property's first sale (this makes repeat-sale errors grow with the interval, as
  Case–Shiller assume);
* ``e_it ~ N(0, sd_noise²)`` — transaction noise.

The hedonic time-dummy regression and the repeat-sales estimators both target ``δ_t``.
Every frame returned carries ``attrs["synthetic"] = True``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["SyntheticSales", "synthetic_sales", "true_log_index"]

BRUSSELS_NIS = tuple(f"210{i:02d}" for i in range(1, 20))


def true_log_index(n_periods: int, *, trend: float = 0.03, cycle: float = 0.04) -> np.ndarray:
    """The true log index: ``trend·t + cycle·sin(2πt/12)``, minus its period-0 value (= 0)."""
    t = np.arange(n_periods, dtype=float)
    return trend * t + cycle * np.sin(2 * np.pi * t / 12.0)


@dataclass(frozen=True)
class SyntheticSales:
    """Synthetic sales and their truth.

    Attributes
    ----------
    sales
        ``property_id``, ``period`` (0 … n_periods−1), ``price_eur``, ``floor_area_m2``,
        ``rooms``, ``area`` (a Brussels NIS code); ``attrs["synthetic"] = True``.
    truth
        ``period``, ``log_index`` and ``index`` (period 0 = 100); ``attrs["synthetic"] = True``.
    coefficients
        True ``log_floor_area_m2`` and ``rooms`` coefficients.
    """

    sales: pd.DataFrame
    truth: pd.DataFrame
    coefficients: dict[str, float]


def synthetic_sales(
    n_sales: int = 50_000,
    *,
    n_periods: int = 12,
    seed: int | np.random.Generator = 0,
    trend: float = 0.03,
    cycle: float = 0.04,
    sd_property: float = 0.05,
    sd_drift: float = 0.01,
    sd_noise: float = 0.05,
    mean_sales_per_property: float = 2.5,
) -> SyntheticSales:
    """Generate about ``n_sales`` synthetic sales with a known index (see module docstring).

    Parameters
    ----------
    n_sales
        Target number of sales (the result has exactly this many rows).
    n_periods
        Number of periods (e.g. years or quarters), labelled 0 … n_periods−1.
    seed
        Seed or generator (same seed → same data).
    trend, cycle
        Log growth per period and amplitude of the 12-period cycle of the true index.
    sd_property, sd_drift, sd_noise
        Standard deviations (log points) of the property effect, the per-period random-walk
        drift and the transaction noise.
    mean_sales_per_property
        Average number of sales per property (≥ 1); more gives more repeat-sale pairs.
    """
    rng = np.random.default_rng(seed)
    n_props = max(1, int(round(n_sales / mean_sales_per_property)))
    # number of sales per property: 1 + Poisson, then trimmed/padded to exactly n_sales
    counts = 1 + rng.poisson(max(mean_sales_per_property - 1.0, 0.0), size=n_props)
    counts = np.minimum(counts, n_periods)
    total = counts.sum()
    while total != n_sales:
        idx = rng.integers(0, n_props, size=abs(total - n_sales))
        step = 1 if total < n_sales else -1
        counts = np.clip(counts + step * np.bincount(idx, minlength=n_props), 1, n_periods)
        total = counts.sum()
    prop = np.repeat(np.arange(n_props), counts)
    # distinct, sorted periods per property: random subsets via sorted random keys
    keys = rng.random((n_props, n_periods))
    chosen = np.argsort(keys, axis=1)
    mask = np.arange(n_periods)[None, :] < counts[:, None]
    periods = np.sort(np.where(mask, chosen, n_periods), axis=1)
    period = periods[periods < n_periods]
    first = np.r_[0, np.cumsum(counts)[:-1]]
    position = np.arange(len(prop)) - first[prop]
    # property characteristics
    floor = np.exp(rng.normal(np.log(75.0), 0.35, size=n_props)).round(0).clip(18, 400)
    rooms = np.clip(np.round(floor / 30 + rng.normal(0, 0.7, size=n_props)), 0, 8)
    area_code = rng.integers(0, len(BRUSSELS_NIS), size=n_props)
    area_effect = np.linspace(-0.25, 0.3, len(BRUSSELS_NIS))
    beta, gamma = 0.9, 0.04
    u = rng.normal(0, sd_property, size=n_props)
    # random walk since the property's first sale
    gap = np.where(position == 0, 0, np.diff(period, prepend=period[0]))
    steps = rng.normal(0, 1, size=len(prop)) * sd_drift * np.sqrt(gap)
    cum = np.cumsum(steps)
    drift = cum - cum[first[prop]]
    delta = true_log_index(n_periods, trend=trend, cycle=cycle)
    log_price = (
        np.log(3_000.0)
        + beta * np.log(floor[prop])
        + gamma * rooms[prop]
        + area_effect[area_code[prop]]
        + delta[period]
        + u[prop]
        + drift
        + rng.normal(0, sd_noise, size=len(prop))
    )
    sales = pd.DataFrame(
        {
            "property_id": prop.astype(np.int64),
            "period": period.astype(np.int64),
            "price_eur": np.round(np.exp(log_price), 2),
            "floor_area_m2": floor[prop],
            "rooms": rooms[prop],
            "area": np.asarray(BRUSSELS_NIS, dtype=object)[area_code[prop]],
        }
    )
    sales.attrs["synthetic"] = True
    truth = pd.DataFrame(
        {"period": np.arange(n_periods), "log_index": delta, "index": 100 * np.exp(delta)}
    )
    truth.attrs["synthetic"] = True
    return SyntheticSales(sales, truth, {"log_floor_area_m2": beta, "rooms": gamma})
