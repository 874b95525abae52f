"""Indicators per area between two periods: income, low-income share, rent and price change,
spatial lag and rent gap (UDP step F, re-implemented from the method description)."""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from permanent_research._validation import check_choice, check_columns, check_positive
from permanent_research.displacement.panel import MONETARY_COLUMNS, validate_area_period
from permanent_research.errors import DataError, ParameterError
from permanent_research.options import BAND_RULES, BandRule
from permanent_research.results import Result

__all__ = [
    "DistanceBandWeights",
    "distance_band_weights",
    "spatial_lag",
    "DisplacementIndicators",
    "indicators",
]



@dataclass(frozen=True)
class DistanceBandWeights:
    """Inverse-distance weights within a band, row-standardised.

    Attributes
    ----------
    matrix
        Dense ``n × n`` array; row ``i`` holds the weights of ``i``'s neighbours (sum 1, or all
        zero for an island).
    threshold_m
        Band radius in metres (neighbours at distance ``0 < d ≤ threshold_m``).
    islands
        Positions of areas without any neighbour (their lag is missing).
    """

    matrix: np.ndarray
    threshold_m: float
    islands: tuple[int, ...]


def distance_band_weights(
    xy_m: np.ndarray, *, band: float | BandRule = "udp", factor: float = 0.1, alpha: float = -2.0
) -> DistanceBandWeights:
    """Distance-band weights ``d**alpha`` (UDP: alpha = −2), row-standardised.

    Parameters
    ----------
    xy_m
        ``n × 2`` projected coordinates in metres (e.g. EPSG:3812 centroids).
    band
        Radius in metres, or ``"udp"`` (``factor`` × the largest nearest-neighbour distance,
        the UDP rule) or ``"max_nn"`` (the largest nearest-neighbour distance: the smallest
        band that leaves no island).
    factor
        Multiplier of the ``"udp"`` rule (UDP: 0.1).
    alpha
        Distance exponent (UDP: −2).

    Notes
    -----
    Equals ``libpysal.weights.DistanceBand(xy, threshold, alpha=alpha, binary=False)`` with
    ``transform="r"`` (tested to 1e-10); areas at identical coordinates are not neighbours.
    """
    xy = np.asarray(xy_m, dtype=float)
    if xy.ndim != 2 or xy.shape[1] != 2 or len(xy) < 2:
        raise DataError(f"coordinates must be an n × 2 array with n ≥ 2, got shape {xy.shape}")
    if not np.isfinite(xy).all():
        raise DataError("coordinates contain missing or infinite values")
    tree = cKDTree(xy)
    nn_distance, _ = tree.query(xy, k=2)
    max_nn = float(nn_distance[:, 1].max())
    if isinstance(band, str):
        check_choice("band", band, BAND_RULES)
        threshold = factor * max_nn if band == "udp" else max_nn
        check_positive("factor", factor)
    else:
        threshold = check_positive("band", band)
    distances = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(axis=2))
    inside = (distances <= threshold) & (distances > 0)
    with np.errstate(divide="ignore"):
        raw = np.where(inside, np.power(np.where(inside, distances, 1.0), alpha), 0.0)
    sums = raw.sum(axis=1)
    matrix = np.divide(raw, sums[:, None], out=np.zeros_like(raw), where=sums[:, None] > 0)
    islands = tuple(int(i) for i in np.flatnonzero(sums == 0))
    return DistanceBandWeights(matrix=matrix, threshold_m=float(threshold), islands=islands)


def spatial_lag(weights: DistanceBandWeights, values: np.ndarray) -> np.ndarray:
    """Weighted mean of the neighbours' values; missing for islands.

    A neighbour with a missing value is left out and the remaining weights re-normalised; an
    area whose neighbours are all missing gets a missing lag.
    """
    v = np.asarray(values, dtype=float)
    present = np.isfinite(v)
    w = weights.matrix * present[None, :]
    sums = w.sum(axis=1)
    lag = np.full(len(v), np.nan)
    ok = sums > 0
    lag[ok] = (w[ok] @ np.where(present, v, 0.0)) / sums[ok]
    return lag


@dataclass(frozen=True)
class DisplacementIndicators(Result):
    """Change indicators per area between ``t0`` and ``t1``.

    Attributes
    ----------
    table
        One row per area (index ``area``). Levels ``<x>_t0``/``<x>_t1``; percent changes
        ``<x>_pch`` (100 × (t1/t0 − 1)); the low-income share change ``low_income_share_ch_pp``
        (percentage points) and count ``low_income_n_t0/t1`` (share × population); spatial lags
        ``lag_<m>_pch``/``lag_<m>_t1`` and gaps ``<m>_gap``, ``<m>_gapprop`` for the market
        variables ``m`` = rent and value.
    t0, t1
        The period labels compared.
    inputs_used
        Input column → what was done with it (deflated, lagged, absent …).
    regional
        Regional medians (unweighted, across areas) of each level and change.
    band_m
        Radius of the spatial weights in metres (``None`` without coordinates).
    """

    table: pd.DataFrame
    t0: object
    t1: object
    inputs_used: Mapping[str, str]
    regional: Mapping[str, float]
    band_m: float | None = None
    islands: tuple[str, ...] = field(default_factory=tuple)

    def to_frame(self) -> pd.DataFrame:
        """The indicator table (copy)."""
        return self.table.copy()

    def describe(self) -> pd.DataFrame:
        """Median, min, max and number of areas with a value, per change indicator."""
        changes = [c for c in self.table.columns if c.endswith(("_pch", "_pp", "_gapprop"))]
        data = self.table[changes].astype(float)
        return pd.DataFrame(
            {
                "areas": data.notna().sum(),
                "median": data.median(),
                "min": data.min(),
                "max": data.max(),
            }
        )

    def _repr_html_(self) -> str:
        head = (f"<b>Displacement indicators</b> {html.escape(str(self.t0))} → "
                f"{html.escape(str(self.t1))}, {len(self.table)} areas")
        return head + self.describe().to_html(float_format="{:,.2f}".format)

    def summary(self) -> str:
        """Periods, areas, the spatial band and the median of each change indicator."""
        band = "no spatial lags" if self.band_m is None else f"band {self.band_m:,.0f} m"
        lines = [f"Displacement indicators {self.t0} → {self.t1}: {len(self.table)} areas, "
                 f"{band}"]
        for name, row in self.describe().iterrows():
            lines.append(f"  {name}: median {row['median']:,.2f} ({int(row['areas'])} areas)")
        return "\n".join(lines)


def _pch(t0: pd.Series, t1: pd.Series) -> pd.Series:
    base = t0.astype("Float64")
    out = 100.0 * (t1.astype("Float64") / base - 1.0)
    return out.mask(base <= 0)


def indicators(
    panel: pd.DataFrame,
    *,
    t0: object = "t0",
    t1: object = "t1",
    coordinates: pd.DataFrame | None = None,
    deflator: Mapping[object, float] | None = None,
    band: float | BandRule = "udp",
    band_factor: float = 0.1,
) -> DisplacementIndicators:
    """Compute change indicators per area between two periods.

    Parameters
    ----------
    panel
        Area-period table (see :func:`~permanent_research.displacement.panel.validate_area_period`
        and ``docs/displacement.md``).
    t0, t1
        Period labels compared (start, end).
    coordinates
        Optional ``area``, ``x_m``, ``y_m`` (projected metres, e.g. EPSG:3812 centroids); needed
        for the spatial lag and the rent gap.
    deflator
        Optional price index per period label (index points). Monetary columns are expressed
        in prices of ``t1``: ``real_t0 = nominal_t0 × I(t1) / I(t0)``. Omit it if the panel is
        already real (e.g. built with ``build_area_period(deflator=...)``).
    band, band_factor
        Distance band of the spatial weights (see :func:`distance_band_weights`).

    Returns
    -------
    DisplacementIndicators
    """
    panel = validate_area_period(panel, t0=t0, t1=t1)
    start = panel[panel["period"] == t0].set_index("area")
    end = panel[panel["period"] == t1].set_index("area")
    areas = start.index.union(end.index)
    start, end = start.reindex(areas), end.reindex(areas)
    used: dict[str, str] = {}
    if deflator is not None:
        missing = [label for label in (t0, t1) if label not in deflator]
        if missing:
            raise ParameterError(
                f"deflator has no index for period(s) {', '.join(map(repr, missing))}"
            )
        ratio = float(deflator[t1]) / float(deflator[t0])
        for column in MONETARY_COLUMNS:
            if column in start.columns:
                start[column] = start[column] * ratio
                used[column] = f"deflated to prices of {t1!r} (×{ratio:.4f} at {t0!r})"
    real = panel.attrs.get("real_prices_of")
    if real is not None:
        for column in MONETARY_COLUMNS:
            if column in panel.columns:
                used.setdefault(column, f"real, prices of {real}")

    table = pd.DataFrame(index=pd.Index(areas, name="area"))
    short = {
        "population": "pop",
        "median_income_eur": "income",
        "median_rent_eur_month": "rent",
        "median_value_eur": "value",
        "low_income_share_pct": "low_income_share",
        "unemployment_rate_pct": "unemployment",
        "social_housing_pct": "social_housing",
        "renter_share_pct": "renter",
        "college_share_pct": "college",
        "nonwhite_share_pct": "nonwhite",
        "lowinc_inmover_share_pct": "lowinc_inmover",
        "income_share_low_pct": "inc_low",
        "income_share_moderate_pct": "inc_moderate",
        "income_share_high_pct": "inc_high",
    }
    for column, name in short.items():
        if column not in panel.columns:
            used.setdefault(column, "absent")
            continue
        used.setdefault(column, "used")
        table[f"{name}_t0"] = start[column].astype("Float64")
        table[f"{name}_t1"] = end[column].astype("Float64")
    for name in ("pop", "income", "rent", "value"):
        if f"{name}_t0" in table:
            table[f"{name}_pch"] = _pch(table[f"{name}_t0"], table[f"{name}_t1"])
    for name in ("low_income_share", "college", "lowinc_inmover", "nonwhite", "renter"):
        if f"{name}_t0" in table:
            table[f"{name}_ch_pp"] = table[f"{name}_t1"] - table[f"{name}_t0"]
    if "low_income_share_t0" in table and "pop_t0" in table:
        table["low_income_n_t0"] = table["low_income_share_t0"] / 100.0 * table["pop_t0"]
        table["low_income_n_t1"] = table["low_income_share_t1"] / 100.0 * table["pop_t1"]

    band_m: float | None = None
    islands: tuple[str, ...] = ()
    markets = [m for m in ("rent", "value") if f"{m}_t1" in table]
    if coordinates is not None and markets:
        check_columns(coordinates, ["area", "x_m", "y_m"], source="coordinates")
        xy = coordinates.assign(area=coordinates["area"].astype(str)).set_index("area")
        lacking = [a for a in table.index if a not in xy.index]
        if lacking:
            raise DataError(
                f"coordinates: no x_m/y_m for area(s) {', '.join(lacking[:5])}"
                + (f" (and {len(lacking) - 5} more)" if len(lacking) > 5 else "")
            )
        weights = distance_band_weights(
            xy.loc[table.index, ["x_m", "y_m"]].to_numpy(), band=band, factor=band_factor
        )
        band_m = weights.threshold_m
        islands = tuple(table.index[list(weights.islands)])
        for m in markets:
            for suffix in ("pch", "t1"):
                own = table[f"{m}_{suffix}"].astype(float).to_numpy(na_value=np.nan)
                lag = spatial_lag(weights, own)
                table[f"lag_{m}_{suffix}"] = pd.array(lag, dtype="Float64")
            own_level = table[f"{m}_t1"]
            gap = table[f"lag_{m}_t1"] - own_level
            table[f"{m}_gap"] = gap
            table[f"{m}_gapprop"] = gap / ((own_level + table[f"lag_{m}_t1"]) / 2.0)
            used[{"rent": "median_rent_eur_month", "value": "median_value_eur"}[m]] += (
                f"; spatial lag within {band_m:,.0f} m (1/d², row-standardised)"
            )
    table = table.astype(float).astype("Float64")  # NaN from 0/0 becomes <NA>
    regional = {
        column: float(table[column].median())
        for column in table.columns
        if table[column].notna().any()
    }
    return DisplacementIndicators(
        table=table,
        t0=t0,
        t1=t1,
        inputs_used=used,
        regional=regional,
        band_m=band_m,
        islands=islands,
    )
