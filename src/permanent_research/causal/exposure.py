"""Treatment timing and distance rings from temporary-use sites.

Two paths:

* :func:`exposure_from_sites` — sites with coordinates and units (areas, blocks, buildings) with
  coordinates → for each unit its ring (treated / buffer / control / excluded), the first year a
  site started within the treated ring (``first_treated``, kept even when the occupation has
  ended: the design asks about the effect of *having had* temporary use nearby), and per year
  the number of active sites in the treated ring and an ``active`` indicator.
* :func:`commune_first_treated` — sites known only by commune (most bundled sites have no
  coordinates) → first year a dated site started in each commune.

Distances are Euclidean in metres in EPSG:3812 (Belgian Lambert 2008); WGS84 inputs are
projected with pyproj. Neighbour search uses a scipy cKDTree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from permanent_research._validation import check_columns, format_rows
from permanent_research.errors import DataError, ParameterError
from permanent_research.results import Result

__all__ = ["ExposureResult", "exposure_from_sites", "commune_first_treated", "RING_LABELS"]

RING_LABELS = ("treated", "buffer", "control", "excluded")


def _metric_xy(frame: pd.DataFrame, source: str) -> np.ndarray:
    """Return an (n, 2) array of EPSG:3812 metres from ``x``/``y`` or ``lat``/``lon`` columns."""
    if {"x", "y"} <= set(frame.columns):
        cols = ["x", "y"]
        xy = frame[cols].to_numpy(dtype=float, na_value=np.nan)
    elif {"lat", "lon"} <= set(frame.columns):
        from pyproj import Transformer

        lat = frame["lat"].to_numpy(dtype=float, na_value=np.nan)
        lon = frame["lon"].to_numpy(dtype=float, na_value=np.nan)
        cols = ["lat", "lon"]
        transformer = Transformer.from_crs("EPSG:4326", "EPSG:3812", always_xy=True)
        x, y = transformer.transform(lon, lat)
        xy = np.column_stack([x, y])
        xy[np.isnan(lat) | np.isnan(lon)] = np.nan
    else:
        raise DataError(
            f"{source}: needs coordinates as columns x, y (EPSG:3812 metres) or lat, lon "
            f"(WGS84); found {', '.join(map(str, frame.columns))}"
        )
    bad = ~np.isfinite(xy).all(axis=1)
    if bad.any():
        raise DataError(
            f"{source}: coordinates ({', '.join(cols)}) missing in rows "
            f"{format_rows(frame.index[bad])}"
        )
    return xy


def _site_years(sites: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """``start_year``/``end_year`` as floats (NaN = empty); a filled non-year or an end before
    the start is a :class:`DataError` (never silently read as undated or ongoing)."""
    years = []
    for column in ("start_year", "end_year"):
        raw = sites[column]
        value = pd.to_numeric(raw, errors="coerce")
        filled = raw.notna() & (raw.astype(str).str.strip() != "")
        bad = filled & (value.isna() | (value % 1 != 0))
        if bad.any():
            raise DataError(
                f"sites: column {column!r} is not a whole year in rows "
                f"{format_rows(sites.index[bad.to_numpy()])}; allowed: a year or empty"
            )
        years.append(value.to_numpy(dtype=float, na_value=np.nan))
    start, end = years
    backwards = ~np.isnan(end) & ~np.isnan(start) & (end < start)
    if backwards.any():
        raise DataError(
            f"sites: end_year before start_year in rows {format_rows(sites.index[backwards])}"
        )
    return start, end


@dataclass(frozen=True, eq=False)
class ExposureResult(Result):
    """Rings and treatment timing per unit, and yearly exposure.

    Attributes
    ----------
    units
        One row per unit: ``unit``, ``nearest_site_m`` (metres), ``ring`` (treated / buffer /
        control / excluded), ``first_treated`` (first start year of a site within the treated
        ring; 0 = never), ``first_site`` (that site's name), ``n_sites_treated_ring``.
    panel
        One row per unit and year for units in the treated and control rings: ``unit``,
        ``year``, ``ring``, ``first_treated``, ``treated`` (year >= first_treated > 0),
        ``active`` (a site within the treated ring is active that year), ``exposure_count``
        (number of active sites within the treated ring that year).
    options
        Ring radii (m), years, ongoing-site convention.
    """

    units: pd.DataFrame
    panel: pd.DataFrame
    options: dict[str, Any] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """The per-unit table (a copy)."""
        return self.units.copy()

    def summary(self) -> str:
        """Counts per ring and per first-treated year."""
        rings = self.units["ring"].value_counts().reindex(list(RING_LABELS), fill_value=0)
        cohorts = self.units.loc[self.units["ring"] == "treated", "first_treated"].value_counts()
        return (f"Units per ring: {rings.to_dict()}\n"
                f"Treated units per first-treated year: {cohorts.sort_index().to_dict()}")

    def _repr_html_(self) -> str:
        rings = self.units["ring"].value_counts().reindex(list(RING_LABELS), fill_value=0)
        return ("<p><b>Exposure rings</b></p>"
                + rings.rename("units").to_frame().to_html())


def exposure_from_sites(
    sites: pd.DataFrame,
    units: pd.DataFrame,
    *,
    years: range | list[int] | None = None,
    treated_m: float = 300.0,
    buffer_m: float = 600.0,
    control_m: float = 1200.0,
    unit: str = "unit",
) -> ExposureResult:
    """Assign units to distance rings around temporary-use sites and derive treatment timing.

    Parameters
    ----------
    sites
        One row per site: ``name``, coordinates (``x``/``y`` in EPSG:3812 metres or
        ``lat``/``lon`` in WGS84), ``start_year`` (int), ``end_year`` (int or missing =
        ongoing). See ``docs/causal.md``.
    units
        One row per unit: ``unit`` (id column, name set by ``unit``) and coordinates as above.
    years
        Years of the yearly exposure panel; default: first start year to the last start or
        end year.
    treated_m, buffer_m, control_m
        Ring radii in metres: ``d <= treated_m`` treated; ``treated_m < d <= buffer_m`` buffer
        (dropped from the comparison); ``buffer_m < d <= control_m`` control; beyond:
        excluded. Rings use the distance to the *nearest* site; a unit is "treated" when any
        site is within ``treated_m``.

    Returns
    -------
    ExposureResult
    """
    if not 0 < treated_m < buffer_m <= control_m:
        raise ParameterError(
            f"rings treated_m={treated_m!r}, buffer_m={buffer_m!r}, control_m={control_m!r} "
            f"must satisfy 0 < treated_m < buffer_m <= control_m (metres)"
        )
    check_columns(sites, ["name", "start_year", "end_year"], source="sites")
    check_columns(units, [unit], source="units")
    if len(sites) == 0:
        raise DataError("sites: no rows")
    start, end = _site_years(sites)
    if np.isnan(start).any():
        raise DataError(
            f"sites: column 'start_year' is missing or not a year in rows "
            f"{format_rows(sites.index[np.isnan(start)])}; drop undated sites first"
        )
    if units[unit].duplicated().any():
        raise DataError(
            f"units: duplicate {unit!r} in rows "
            f"{format_rows(units.index[units[unit].duplicated(keep=False)])}"
        )
    site_xy = _metric_xy(sites, "sites")
    unit_xy = _metric_xy(units, "units")
    if years is None:
        last = np.nanmax(np.concatenate([start, end]))
        years = range(int(start.min()), int(last) + 1)
    years_arr = np.asarray(list(years), dtype=int)

    tree = cKDTree(site_xy)
    nearest, _ = tree.query(unit_xy, k=1)
    near_lists = tree.query_ball_point(unit_xy, r=treated_m)
    ring = np.select(
        [nearest <= treated_m, nearest <= buffer_m, nearest <= control_m],
        ["treated", "buffer", "control"], default="excluded",
    )
    names = sites["name"].astype(str).to_numpy()
    first = np.zeros(len(units), dtype=int)
    first_site = np.full(len(units), "", dtype=object)
    n_sites = np.array([len(lst) for lst in near_lists])
    # exposure_count[i, y] = number of sites within treated_m active in year y
    ongoing_end = np.where(np.isnan(end), np.inf, end)
    active_site = (start[:, None] <= years_arr[None, :]) & (
        years_arr[None, :] <= ongoing_end[:, None])
    counts = np.zeros((len(units), len(years_arr)), dtype=int)
    for i, lst in enumerate(near_lists):  # short lists (sites near one unit)
        if lst:
            idx = np.asarray(lst)
            k = idx[np.argmin(start[idx])]
            first[i] = int(start[k])
            first_site[i] = names[k]
            counts[i] = active_site[idx].sum(axis=0)
    unit_table = pd.DataFrame({
        unit: units[unit].to_numpy(),
        "nearest_site_m": nearest,
        "ring": ring,
        "first_treated": first,
        "first_site": first_site,
        "n_sites_treated_ring": n_sites,
    })
    keep = np.isin(ring, ["treated", "control"])
    idx = np.flatnonzero(keep)
    n_years = len(years_arr)
    panel = pd.DataFrame({
        unit: np.repeat(unit_table[unit].to_numpy()[idx], n_years),
        "year": np.tile(years_arr, len(idx)),
        "ring": np.repeat(ring[idx], n_years),
        "first_treated": np.repeat(first[idx], n_years),
        "exposure_count": counts[idx].ravel(),
    })
    panel["treated"] = ((panel["first_treated"] > 0)
                        & (panel["year"] >= panel["first_treated"])).astype(int)
    panel["active"] = (panel["exposure_count"] > 0).astype(int)
    options = {"treated_m": treated_m, "buffer_m": buffer_m, "control_m": control_m,
               "years": (int(years_arr.min()), int(years_arr.max())),
               "ongoing": "missing end_year = still active"}
    return ExposureResult(unit_table, panel, options)


def commune_first_treated(
    sites: pd.DataFrame,
    communes: list[str] | pd.Series,
    *,
    code: str = "nis_code",
    undated: str = "exclude",
) -> pd.DataFrame:
    """First year a temporary-use site started in each commune (commune-level treatment).

    Parameters
    ----------
    sites
        Rows with ``code`` (commune code, e.g. NIS ``"21004"``), ``start_year``, ``end_year``.
        Rows without a code cannot be placed and are ignored (listed in the output's attrs).
    communes
        All commune codes of the panel.
    code
        Name of the commune code column.
    undated
        What to do with a commune whose only sites have no start year: ``"exclude"`` (flag it
        ``usable=False``: its timing is unknown, so it is neither a clean control nor a dated
        treated unit) or ``"never"`` (treat as never treated).

    Returns
    -------
    DataFrame
        ``code``, ``first_treated`` (0 = no dated site), ``first_site``, ``n_sites``,
        ``n_dated_sites``, ``n_ended`` (sites with an end year), ``usable``. ``attrs``:
        ``unplaced_sites`` (names without a code).
    """
    if undated not in ("exclude", "never"):
        raise ParameterError(f"undated={undated!r} is not allowed; choose one of 'exclude', "
                             f"'never'")
    check_columns(sites, [code, "start_year", "end_year"], source="sites")
    name_col = "site_name" if "site_name" in sites.columns else ("name" if "name" in sites
                                                                else None)
    placed = sites[sites[code].notna() & (sites[code].astype(str).str.strip() != "")].copy()
    unplaced = sites.loc[~sites.index.isin(placed.index)]
    placed[code] = placed[code].astype(str)
    placed["_start"], placed["_end"] = _site_years(placed)
    rows = []
    for c in pd.Series(communes).astype(str):
        s = placed[placed[code] == c]
        dated = s[s["_start"].notna()]
        if len(dated):
            k = dated["_start"].idxmin()
            first, first_site = int(dated.loc[k, "_start"]), (
                str(dated.loc[k, name_col]) if name_col else "")
        else:
            first, first_site = 0, ""
        usable = not (len(s) > 0 and len(dated) == 0 and undated == "exclude")
        rows.append({code: c, "first_treated": first, "first_site": first_site,
                     "n_sites": len(s), "n_dated_sites": len(dated),
                     "n_ended": int(s["_end"].notna().sum()), "usable": usable})
    out = pd.DataFrame(rows)
    out.attrs["unplaced_sites"] = (list(unplaced[name_col].astype(str)) if name_col
                                   else list(unplaced.index))
    return out
