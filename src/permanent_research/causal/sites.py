"""Bring-your-own temporary-use sites: a validated inventory, corrections with sources, placement.

Three steps, each a pure function on frames (nothing here reads ``data/``; notebooks pass the
bundled files and the quartier polygons in):

* :func:`apply_site_updates` — correct the bundled site list from the dated updates file
  (``temporary_use_sites_updates``): new dates, addresses, coordinates and added sites, each
  change with the URL it comes from. Where the old and the new start year differ both were
  printed by some source, so the range is kept (``start_year_earliest``/``_latest``) for the
  sensitivity analysis. Raw files are never edited.
* :func:`validate_site_inventory` — check an inventory against :data:`SITE_INVENTORY_SCHEMA`
  (pandera, like the raw datasets' schemas) and the cross-row rules; one-line
  :class:`~permanent_research.errors.DataError` naming the column and the rows (by site name).
* :func:`place_sites` — assign each site to a Monitoring des Quartiers quartier: by
  point-in-polygon where it has coordinates, else by its quartier code, else to its commune
  only (with a warning saying how many), else unplaced.

:func:`quartier_timing` then turns placed sites into treatment timing per quartier (first start,
with the earliest/latest sensitivity, and the end of the occupations).

The inventory schema is documented in ``docs/causal.md`` (section "Site inventory").
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pandera.errors
import pandera.pandas as pa

from permanent_research._validation import check_choice, check_columns, format_rows
from permanent_research.errors import DataError, PermanentResearchWarning
from permanent_research.options import START_CHOICES, StartChoice
from permanent_research.results import Result

__all__ = [
    "SITE_INVENTORY_SCHEMA",
    "SITE_INVENTORY_COLUMNS",
    "OWNER_TYPES",
    "REGION_BOUNDS",
    "START_CHOICES",
    "SiteUpdates",
    "SitePlacement",
    "apply_site_updates",
    "inventory_from_bundled",
    "inventory_from_toestand",
    "merge_inventories",
    "validate_site_inventory",
    "place_sites",
    "quartier_timing",
]

OWNER_TYPES: tuple[str, ...] = ("public", "private", "mixed", "unknown")
# Bounding box of the Brussels-Capital Region (WGS84 degrees), with a ~1 km margin; a point
# inside the box but outside every quartier polygon is caught by :func:`place_sites`.
REGION_BOUNDS = {"lat": (50.75, 50.925), "lon": (4.23, 4.49)}
_POLYGON_TOLERANCE_M = 100.0  # gaps between quartier polygons; farther = outside the region

_INT = "Int64"
SITE_INVENTORY_COLUMNS: dict[str, str] = {
    "name": "site name (unique per occupation; required)",
    "address": "street address (text)",
    "lat": "latitude, WGS84 degrees (with lon; optional)",
    "lon": "longitude, WGS84 degrees (with lat; optional)",
    "quartier": "Monitoring des Quartiers code (mdrc) when there are no coordinates (optional)",
    "nis_code": "commune NIS code, e.g. '21004' (fallback placement; optional)",
    "start_year": "first year of the occupation, best estimate (required)",
    "start_year_earliest": "earliest start year a source gives (contested dates; optional)",
    "start_year_latest": "latest start year a source gives (contested dates; optional)",
    "end_year": "last year of the occupation (missing = ongoing)",
    "end_year_earliest": "open-ended occupation ('still running' in a dated source): it ran at "
                         "least until this year; end_year stays missing (optional)",
    "floor_area_m2": "floor area, m² (optional, > 0)",
    "owner_type": "public / private / mixed / unknown (optional)",
    "use": "uses during the occupation (text, optional)",
    "source": "where the row's facts come from (URL or reference, optional)",
}

SITE_INVENTORY_SCHEMA = pa.DataFrameSchema(
    {
        "name": pa.Column(str, nullable=False, checks=pa.Check.str_length(min_value=1)),
        "address": pa.Column(str, nullable=True, required=False),
        "lat": pa.Column(float, nullable=True, required=False, checks=pa.Check.in_range(
            *REGION_BOUNDS["lat"], error="latitude inside the Brussels-Capital Region")),
        "lon": pa.Column(float, nullable=True, required=False, checks=pa.Check.in_range(
            *REGION_BOUNDS["lon"], error="longitude inside the Brussels-Capital Region")),
        "quartier": pa.Column(_INT, nullable=True, required=False,
                              checks=pa.Check.gt(0, error="quartier code > 0")),
        "nis_code": pa.Column(str, nullable=True, required=False, checks=pa.Check.str_matches(
            r"^210(0[1-9]|1[0-9])$", error="Brussels commune NIS code 21001-21019")),
        "start_year": pa.Column(_INT, nullable=False, checks=pa.Check.in_range(
            1900, 2100, error="year in 1900-2100")),
        "start_year_earliest": pa.Column(_INT, nullable=True, required=False,
                                         checks=pa.Check.in_range(1900, 2100)),
        "start_year_latest": pa.Column(_INT, nullable=True, required=False,
                                       checks=pa.Check.in_range(1900, 2100)),
        "end_year": pa.Column(_INT, nullable=True, required=False,
                              checks=pa.Check.in_range(1900, 2100, error="year in 1900-2100")),
        "end_year_earliest": pa.Column(_INT, nullable=True, required=False,
                                       checks=pa.Check.in_range(1900, 2100)),
        "floor_area_m2": pa.Column(float, nullable=True, required=False,
                                   checks=pa.Check.gt(0, error="floor_area_m2 > 0")),
        "owner_type": pa.Column(str, nullable=True, required=False,
                                checks=pa.Check.isin(list(OWNER_TYPES))),
        "use": pa.Column(str, nullable=True, required=False),
        "source": pa.Column(str, nullable=True, required=False),
    },
    strict=False,
    coerce=True,
    name="site_inventory",
)


def _html(title: str, frame: pd.DataFrame, note: str = "") -> str:
    body = frame.to_html(index=False, na_rep="–", max_rows=60)
    return f"<p><b>{title}</b></p>{body}" + (f"<p><small>{note}</small></p>" if note else "")


def _names(frame: pd.DataFrame, mask: Any) -> str:
    return format_rows(frame.loc[np.asarray(mask, dtype=bool), "name"].astype(str))


def _is_blank(values: pd.Series) -> pd.Series:
    return values.isna() | (values.astype("string").str.strip() == "")


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------


def _coerce_dates(frame: pd.DataFrame) -> pd.DataFrame:
    """Accept ``start_date``/``end_date`` (ISO dates) in place of the year columns."""
    frame = frame.copy()
    for prefix in ("start", "end"):
        date_col, year_col = f"{prefix}_date", f"{prefix}_year"
        if date_col in frame.columns and year_col not in frame.columns:
            dates = pd.to_datetime(frame[date_col], errors="coerce")
            bad = dates.isna() & ~_is_blank(frame[date_col])
            if bad.any():
                raise DataError(
                    f"sites: column {date_col!r} is not a date (YYYY-MM-DD) for site(s) "
                    f"{_names(frame, bad)}")
            frame[year_col] = dates.dt.year.astype(_INT)
    return frame


def validate_site_inventory(
    sites: pd.DataFrame,
    *,
    quartier_codes: Any = None,
) -> pd.DataFrame:
    """Check a site inventory and return it typed, with the start range filled in.

    Parameters
    ----------
    sites
        One row per occupation, columns of :data:`SITE_INVENTORY_COLUMNS` (``name`` and
        ``start_year`` required; ``start_date``/``end_date`` as ISO dates are accepted instead
        of the year columns). Extra columns are kept.
    quartier_codes
        Valid quartier codes (e.g. ``quartiers()["mdrc"]``); when given, an unknown
        ``quartier`` is an error.

    Returns
    -------
    DataFrame
        The inventory with every schema column present (missing ones empty), years as
        ``Int64``, ``start_year_earliest``/``start_year_latest`` filled with ``start_year``
        where empty, ``owner_type`` lower-cased. Exact duplicate rows are dropped (warning).

    Raises
    ------
    DataError
        One line naming the column and the sites: a missing ``name`` or ``start_year`` (a site
        without dates); an end before the start; a start range not around ``start_year``;
        coordinates outside the region or only one of lat/lon; an unknown quartier code; two
        rows with the same name and different dates.
    """
    if not isinstance(sites, pd.DataFrame):
        raise DataError(f"sites: expected a pandas DataFrame, got {type(sites).__name__}")
    if len(sites) == 0:
        raise DataError("sites: no rows")
    frame = _coerce_dates(sites.reset_index(drop=True))
    check_columns(frame, ["name", "start_year"], source="sites")
    if _is_blank(frame["name"]).any():
        raise DataError(f"sites: column 'name' is empty in rows "
                        f"{format_rows(frame.index[_is_blank(frame['name'])])}")
    undated = _is_blank(frame["start_year"])
    if undated.any():
        raise DataError(
            f"sites: column 'start_year' is missing (site without dates) for "
            f"{int(undated.sum())} site(s): {_names(frame, undated)}; give a year, or a range "
            f"in start_year_earliest/start_year_latest with start_year the best guess")
    for column in SITE_INVENTORY_COLUMNS:
        if column not in frame.columns:
            frame[column] = pd.NA
    if "owner_type" in frame.columns:
        frame["owner_type"] = frame["owner_type"].astype("string").str.strip().str.lower()
    for column in ("address", "nis_code", "owner_type", "use", "source"):
        frame[column] = frame[column].astype("string").where(~_is_blank(frame[column]))
    for column in ("lat", "lon", "floor_area_m2"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    for column in ("quartier", "start_year", "start_year_earliest", "start_year_latest",
                   "end_year", "end_year_earliest"):
        raw = frame[column]
        numbers = pd.to_numeric(raw, errors="coerce")
        bad = (numbers.isna() & ~_is_blank(raw)) | (numbers.notna() & (numbers % 1 != 0))
        if bad.any():
            raise DataError(f"sites: column {column!r} is not a whole number for site(s) "
                            f"{_names(frame, bad)}")
        frame[column] = numbers.astype(_INT)
    try:
        frame = SITE_INVENTORY_SCHEMA.validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as errors:
        cases = errors.failure_cases
        first = cases.iloc[0]
        column, check = first["column"], str(first["check"])
        idx = cases.loc[(cases["column"] == column) & (cases["check"] == first["check"]),
                        "index"].dropna().astype(int)
        mask = frame.index.isin(idx)
        values = cases.loc[idx.index, "failure_case"].astype(str).unique()[:3]
        raise DataError(f"sites: column {column!r} fails '{check}' for site(s) "
                        f"{_names(frame, mask)} (value(s) {', '.join(values)})") from None

    one_coord = frame["lat"].isna() != frame["lon"].isna()
    if one_coord.any():
        raise DataError(f"sites: only one of lat/lon is given for site(s) "
                        f"{_names(frame, one_coord)}; give both or neither")
    start = frame["start_year"]
    frame["start_year_earliest"] = frame["start_year_earliest"].fillna(start)
    frame["start_year_latest"] = frame["start_year_latest"].fillna(start)
    out_of_range = ((frame["start_year_earliest"] > start)
                    | (frame["start_year_latest"] < start)).to_numpy(dtype=bool)
    if out_of_range.any():
        raise DataError(
            f"sites: start_year must lie within start_year_earliest..start_year_latest for "
            f"site(s) {_names(frame, out_of_range)}")
    end = frame["end_year"]
    backwards = (end.notna() & (end < frame["start_year_earliest"])).to_numpy(dtype=bool)
    if backwards.any():
        raise DataError(f"sites: end_year before start_year for site(s) "
                        f"{_names(frame, backwards)}")
    ran_until = frame["end_year_earliest"]
    backwards = (ran_until.notna()
                 & ((ran_until < frame["start_year_earliest"]) | (end < ran_until))
                 ).fillna(False).to_numpy(dtype=bool)
    if backwards.any():
        raise DataError(f"sites: end_year_earliest before start_year or after end_year for "
                        f"site(s) {_names(frame, backwards)}")
    if quartier_codes is not None:
        known = set(pd.Series(np.asarray(quartier_codes)).astype(int))
        unknown = (frame["quartier"].notna()
                   & ~frame["quartier"].isin(known)).to_numpy(dtype=bool)
        if unknown.any():
            codes = ", ".join(str(v) for v in frame.loc[unknown, "quartier"].unique()[:5])
            raise DataError(
                f"sites: column 'quartier' has unknown code(s) {codes} for site(s) "
                f"{_names(frame, unknown)}; allowed: the {len(known)} Monitoring des "
                f"Quartiers codes (mdrc) of the polygons passed in")
    date_cols = ["start_year", "start_year_earliest", "start_year_latest", "end_year"]
    dated = frame[["name", *date_cols]].astype({c: "float" for c in date_cols}).fillna(-1)
    per_name = dated.drop_duplicates().groupby("name").size()
    conflicting = per_name[per_name > 1].index
    if len(conflicting):
        raise DataError(
            f"sites: same name with different dates (start_year/end_year) for "
            f"{format_rows(conflicting)}; rename one occupation (e.g. add its years) or keep "
            f"one row")
    duplicated = frame.duplicated(subset=["name", *date_cols])
    if duplicated.any():
        warnings.warn(f"sites: dropped {int(duplicated.sum())} repeated row(s) with the same "
                      f"name and dates: {_names(frame, duplicated)}", PermanentResearchWarning,
                      stacklevel=2)
        frame = frame.loc[~duplicated].reset_index(drop=True)
    return frame


# --------------------------------------------------------------------------------------------
# Corrections of the bundled list
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class SiteUpdates(Result):
    """The bundled site list corrected from the updates file, and the log of changes.

    Attributes
    ----------
    sites
        The corrected list in the bundled file's columns plus ``start_year_earliest``,
        ``start_year_latest`` (the start years sources disagree on; equal to ``start_year``
        when uncontested), ``added`` (True for sites only in the updates file) and
        ``dates_source_url``/``coord_source_url``.
    changes
        One row per changed value: ``site_name``, ``field``, ``old``, ``new``, ``source``
        (URL of the dated source), ``kind`` (``corrected``, ``filled``, ``added`` or
        ``contested``).
    """

    sites: pd.DataFrame
    changes: pd.DataFrame
    options: dict[str, Any] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """The change log (a copy)."""
        return self.changes.copy()

    def summary(self) -> str:
        """Counts of changes by field and kind, and the sites added."""
        counts = self.changes.groupby(["field", "kind"]).size().rename("n").reset_index()
        added = self.sites.loc[self.sites["added"], "site_name"]
        contested = self.sites["start_year_earliest"] != self.sites["start_year_latest"]
        return "\n".join([
            f"Sites: {len(self.sites)} ({int(self.sites['added'].sum())} added); changes: "
            f"{len(self.changes)}; contested start years: {int(contested.sum())}",
            counts.to_string(index=False),
            f"Added: {format_rows(added, limit=20)}",
        ])

    def __repr__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        return _html("Site list corrections (each with its source)", self.changes,
                     self.summary().splitlines()[0])

    def plot(self, ax: Any = None) -> Any:  # Figure, per the Result contract
        """Bar chart of the number of changes per field."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 3))
        self.changes.groupby("field").size().sort_values().plot.barh(ax=ax, color="#4c72b0")
        ax.set_xlabel("changes")
        ax.set_title("Corrections to the bundled site list")
        return ax.figure


_UPDATABLE = {  # field -> which source column of the updates file documents it
    "address": "dates_source_url",
    "lat": "coord_source_url",
    "lon": "coord_source_url",
    "start_year": "dates_source_url",
    "end_year": "dates_source_url",
}


def _same(a: Any, b: Any) -> bool:
    if pd.isna(a) and pd.isna(b):
        return True
    if pd.isna(a) or pd.isna(b):
        return False
    if isinstance(a, str) or isinstance(b, str):
        return str(a).strip() == str(b).strip()
    return float(a) == float(b)


def apply_site_updates(
    sites: pd.DataFrame,
    updates: pd.DataFrame,
    *,
    contested: Mapping[str, tuple[int, int, str]] | None = None,
    update_addresses: bool = True,
) -> SiteUpdates:
    """Correct the bundled site list from the dated updates file; every change keeps its source.

    Parameters
    ----------
    sites
        The bundled list (``load("temporary_use_sites")``: ``site_name``, ``start_year``,
        ``end_year``, ``address``, ``lat``, ``lon`` …).
    updates
        ``load("temporary_use_sites_updates")``: one row per site (same ``site_name``), with
        ``not_in_sites_file`` (``yes`` = a new site), ``address``, ``lat``, ``lon``,
        ``start_year``, ``end_year``, ``coord_source_url``, ``dates_source_url``. An empty
        cell in the updates file never erases a value.
    contested
        Extra contested start years stated only in notes: ``{site_name: (earliest, latest,
        source)}``; widens ``start_year_earliest``/``_latest`` (the best ``start_year`` stays).
    update_addresses
        Also take the updates file's (more precise) addresses.

    Returns
    -------
    SiteUpdates
        ``.sites`` (corrected list) and ``.changes`` (one row per change with its source).

    Raises
    ------
    DataError
        Missing columns; an update naming a site that is not in ``sites`` while
        ``not_in_sites_file`` says it is; a ``contested`` site that does not exist or whose
        range does not contain its start year.
    """
    check_columns(sites, ["site_name", "start_year", "end_year", "address", "lat", "lon"],
                  source="sites")
    check_columns(updates, ["site_name", "not_in_sites_file", *_UPDATABLE,
                            "coord_source_url", "dates_source_url"], source="updates")
    out = sites.copy().reset_index(drop=True)
    out["added"] = False
    out["dates_source_url"] = pd.Series(pd.NA, index=out.index, dtype="string")
    out["coord_source_url"] = pd.Series(pd.NA, index=out.index, dtype="string")
    earliest = out["start_year"].astype("Float64").copy()
    latest = out["start_year"].astype("Float64").copy()
    position = {name: i for i, name in enumerate(out["site_name"])}
    changes: list[dict[str, Any]] = []
    fields = [f for f in _UPDATABLE if update_addresses or f != "address"]
    new_rows = []
    for _, row in updates.iterrows():
        name = row["site_name"]
        is_new = str(row["not_in_sites_file"]).strip().lower() == "yes"
        if is_new:
            record = {c: row[c] if c in row.index else pd.NA for c in out.columns}
            record.update({"added": True, "dates_source_url": row["dates_source_url"],
                           "coord_source_url": row["coord_source_url"]})
            new_rows.append(record)
            changes.append({"site_name": name, "field": "site", "old": pd.NA, "new": name,
                            "source": row["dates_source_url"], "kind": "added"})
            continue
        if name not in position:
            raise DataError(
                f"updates: site_name {name!r} is marked not_in_sites_file = no but is not in "
                f"the sites list")
        i = position[name]
        for f in fields:
            new, old = row[f], out.at[i, f]
            if pd.isna(new) or (isinstance(new, str) and not new.strip()) or _same(old, new):
                continue
            kind = "filled" if pd.isna(old) else "corrected"
            out.at[i, f] = new
            changes.append({"site_name": name, "field": f, "old": old, "new": new,
                            "source": row[_UPDATABLE[f]], "kind": kind})
            if f == "start_year":
                if pd.isna(old):
                    earliest[i] = latest[i] = new
                else:
                    # both years were printed by a source: keep the span for the sensitivity
                    earliest[i], latest[i] = min(old, new), max(old, new)
        out.at[i, "dates_source_url"] = row["dates_source_url"]
        out.at[i, "coord_source_url"] = row["coord_source_url"]
    if new_rows:
        added = pd.DataFrame(new_rows, columns=out.columns)
        out = pd.concat([out, added.astype(out.dtypes.to_dict(), errors="ignore")],
                        ignore_index=True)
        earliest = pd.concat([earliest, added["start_year"].astype("Float64")],
                             ignore_index=True)
        latest = pd.concat([latest, added["start_year"].astype("Float64")], ignore_index=True)
    for name, spec in (contested or {}).items():
        low, high, source = spec
        hits = np.flatnonzero(out["site_name"].to_numpy() == name)
        if len(hits) == 0:
            raise DataError(f"contested: site {name!r} is not in the sites list")
        i = int(hits[0])
        start = out.at[i, "start_year"]
        if pd.isna(start) or not low <= start <= high:
            raise DataError(f"contested: range {low}-{high} for {name!r} does not contain its "
                            f"start_year {start}")
        earliest[i], latest[i] = min(earliest[i], low), max(latest[i], high)
        changes.append({"site_name": name, "field": "start_year_range", "old": pd.NA,
                        "new": f"{low}-{high}", "source": source, "kind": "contested"})
    out["start_year"] = out["start_year"].astype("Int64")
    out["end_year"] = out["end_year"].astype("Int64")
    out["start_year_earliest"] = earliest.round().astype("Int64")
    out["start_year_latest"] = latest.round().astype("Int64")
    change_frame = pd.DataFrame(changes, columns=["site_name", "field", "old", "new", "source",
                                                  "kind"]).astype({"old": object, "new": object})
    return SiteUpdates(out, change_frame, {"n_updates": len(updates),
                                           "contested": dict(contested or {})})


def inventory_from_bundled(sites: pd.DataFrame, *, undated: str = "drop") -> pd.DataFrame:
    """Map the bundled (or corrected) site list onto the inventory schema.

    ``site_name`` → ``name``, ``surface_m2`` → ``floor_area_m2``, ``uses`` → ``use``,
    ``source_url``/``dates_source_url`` → ``source``; ``owner_type`` is reduced to its first
    word (``"public (sold to private)"`` → ``public``). Sites without a start year cannot be
    timed: ``undated="drop"`` drops them with a warning that names how many, ``"raise"`` lets
    :func:`validate_site_inventory` reject them.
    """
    check_choice("undated", undated, ("drop", "raise"))
    check_columns(sites, ["site_name", "start_year", "end_year"], source="sites")
    frame = pd.DataFrame({"name": sites["site_name"].astype("string")})
    for target, source in (("address", "address"), ("lat", "lat"), ("lon", "lon"),
                           ("nis_code", "nis_code"), ("start_year", "start_year"),
                           ("start_year_earliest", "start_year_earliest"),
                           ("start_year_latest", "start_year_latest"),
                           ("end_year", "end_year"), ("floor_area_m2", "surface_m2"),
                           ("use", "uses")):
        frame[target] = sites[source].to_numpy() if source in sites.columns else pd.NA
    if "owner_type" in sites.columns:
        first = sites["owner_type"].astype("string").str.extract(r"^\s*(\w+)")[0].str.lower()
        frame["owner_type"] = first.where(first.isin(OWNER_TYPES)).to_numpy()
    src = pd.Series(pd.NA, index=sites.index, dtype="string")
    for column in ("source_url", "dates_source_url"):
        if column in sites.columns:
            src = sites[column].astype("string").where(lambda s: s.notna(), src)
    frame["source"] = src.to_numpy()
    if "quartier" in sites.columns:
        frame["quartier"] = sites["quartier"].to_numpy()
    missing = frame["start_year"].isna().to_numpy()
    if undated == "drop" and missing.any():
        warnings.warn(
            f"sites: {int(missing.sum())} of {len(frame)} site(s) have no start year and are "
            f"left out of the design: {_names(frame, missing)}", PermanentResearchWarning,
            stacklevel=2)
        frame = frame.loc[~missing].reset_index(drop=True)
    return frame


_OPEN_ENDED = r"\bnu\b|\bnow\b|\bheden\b|\bto date\b"  # Dutch/English "still running" in a period


def inventory_from_toestand(
    projects: pd.DataFrame,
    *,
    nis_codes: Mapping[str, str],
    quartier_of: Mapping[str, int] | None = None,
    as_of: int = 2020,
) -> pd.DataFrame:
    """Map Toestand vzw's published project list onto the inventory schema.

    ``load("temporary_use_projects_toestand")``: one row per project with its period and
    location as the operator printed them. Projects outside the region
    (``in_brussels_region`` = ``no``) are dropped with a warning naming them; projects whose
    region is ``unknown`` are kept (they stay unplaced: no commune, no coordinates). A period
    ending in "nu" (now) is open-ended: ``end_year`` stays missing (still running) and
    ``end_year_earliest`` = ``as_of``, the year the page was written, so the end is the range
    ``as_of`` … ongoing.

    Parameters
    ----------
    projects
        Columns ``project_title_as_published``, ``period_as_published``, ``start_year``,
        ``end_year``, ``location_as_published``, ``municipality``, ``in_brussels_region``,
        ``source_locator``.
    nis_codes
        Commune name → NIS code (e.g. ``{"Anderlecht": "21001", …}``); a ``municipality``
        starting with "not stated" has no commune.
    quartier_of
        Project title → Monitoring des Quartiers code, read by a person from
        ``location_as_published`` (e.g. a project "in the Anneessens neighbourhood").
    as_of
        Year of the page the periods come from (2020-06-18 for Toestand's chronology).

    Returns
    -------
    DataFrame
        The inventory (validated by :func:`validate_site_inventory`), ``name`` = the published
        title, ``address`` = the published location, ``source`` = the page(s), plus
        ``inventory`` = ``"toestand"`` and ``note`` (the extra dated facts).

    Raises
    ------
    DataError
        Missing columns; a commune name not in ``nis_codes``; a ``quartier_of`` title that is
        not a project; an open-ended period with an end year; the checks of
        :func:`validate_site_inventory` (e.g. a project without a start year).
    """
    check_columns(projects, ["project_title_as_published", "period_as_published", "start_year",
                             "end_year", "location_as_published", "municipality",
                             "in_brussels_region", "source_locator"], source="projects")
    frame = projects.reset_index(drop=True)
    titles = frame["project_title_as_published"].astype("string").str.strip()
    region = frame["in_brussels_region"].astype("string").str.extract(r"^\s*(\w+)")[0]
    outside = (region.str.lower() == "no").fillna(False).to_numpy(dtype=bool)
    if outside.any():
        warnings.warn(f"projects: {int(outside.sum())} of {len(frame)} project(s) outside the "
                      f"Brussels-Capital Region left out: {format_rows(titles[outside])}",
                      PermanentResearchWarning, stacklevel=2)
    frame, titles = frame.loc[~outside].reset_index(drop=True), titles[~outside].reset_index(
        drop=True)
    commune = frame["municipality"].astype("string").str.strip()
    stated = commune.notna() & ~commune.str.lower().str.startswith("not stated")
    unknown = stated & ~commune.isin(list(nis_codes))
    if unknown.any():
        raise DataError(
            f"projects: column 'municipality' has name(s) "
            f"{', '.join(commune[unknown].unique()[:5])} not in nis_codes for project(s) "
            f"{format_rows(titles[unknown])}; allowed: {', '.join(sorted(nis_codes)[:19])}")
    extra = sorted(set(quartier_of or {}) - set(titles))
    if extra:
        raise DataError(f"quartier_of: title(s) {', '.join(extra)} are not projects of the "
                        f"list; titles are as published, e.g. {titles.iloc[0]!r}")
    open_ended = frame["period_as_published"].astype("string").str.contains(
        _OPEN_ENDED, case=False, regex=True).fillna(False).to_numpy(dtype=bool)
    contradictory = open_ended & frame["end_year"].notna().to_numpy(dtype=bool)
    if contradictory.any():
        raise DataError(f"projects: period is open-ended ('nu') but end_year is given for "
                        f"project(s) {format_rows(titles[contradictory])}")
    inventory = pd.DataFrame({
        "name": titles,
        "address": frame["location_as_published"].astype("string"),
        "quartier": titles.map(dict(quartier_of or {})).astype("Float64").to_numpy(),
        "nis_code": commune.map(dict(nis_codes)).where(stated).to_numpy(),
        "start_year": frame["start_year"].to_numpy(),
        "end_year": frame["end_year"].to_numpy(),
        "end_year_earliest": np.where(open_ended, as_of, np.nan),
        "source": ("Toestand vzw: " + frame["source_locator"].astype("string")).to_numpy(),
        "inventory": "toestand",
    })
    if "extra_dated_facts" in frame.columns:
        inventory["note"] = frame["extra_dated_facts"].astype("string").to_numpy()
    return validate_site_inventory(inventory)


def merge_inventories(
    base: pd.DataFrame,
    extra: pd.DataFrame,
    *,
    same_as: Mapping[str, str],
    labels: tuple[str, str] = ("bundled", "extra"),
) -> pd.DataFrame:
    """Add the sites of a second inventory that are not already in the first.

    A site of ``extra`` named in ``same_as`` is the same occupation as a ``base`` site and is
    not added twice; its dates are kept as evidence on the base row: a different start year
    widens the base row's ``start_year_earliest``/``_latest`` (two sources disagree, so the
    range goes into the sensitivity), and an open-ended end (``end_year_earliest``) is carried
    over where the base row has no end year. The base row's best ``start_year`` and its
    ``end_year`` stay (the base list is the corrected one).

    Parameters
    ----------
    base, extra
        Site inventories (:data:`SITE_INVENTORY_COLUMNS`).
    same_as
        ``extra`` name → ``base`` name for occupations both lists hold.
    labels
        Values of the ``inventory`` column for rows of ``base`` and ``extra`` (an existing
        ``inventory`` value is kept).

    Returns
    -------
    DataFrame
        The validated merged inventory; ``also_in`` names the matching ``extra`` site on base
        rows.

    Raises
    ------
    DataError
        A ``same_as`` name missing from ``extra`` or ``base``; the checks of
        :func:`validate_site_inventory` on the merged list (e.g. an unmatched ``extra`` site
        with a ``base`` site's name and different dates).
    """
    left = validate_site_inventory(base)
    right = validate_site_inventory(extra)
    for frame, label in ((left, labels[0]), (right, labels[1])):
        if "inventory" in frame.columns:
            frame["inventory"] = frame["inventory"].fillna(label)
        else:
            frame["inventory"] = label
    missing = [k for k in same_as if k not in set(right["name"])]
    missing += [v for v in same_as.values() if v not in set(left["name"])]
    if missing:
        raise DataError(f"same_as: site(s) {format_rows(pd.Series(missing))} not found "
                        f"(keys must be names in the added inventory, values names in the base)")
    left["also_in"] = pd.Series(pd.NA, index=left.index, dtype="string")
    position = {name: i for i, name in enumerate(left["name"])}
    by_name = right.set_index("name")
    for other, name in same_as.items():
        i, row = position[name], by_name.loc[other]
        left.at[i, "also_in"] = other
        left.at[i, "start_year_earliest"] = min(left.at[i, "start_year_earliest"],
                                                row["start_year_earliest"])
        left.at[i, "start_year_latest"] = max(left.at[i, "start_year_latest"],
                                              row["start_year_latest"])
        if pd.isna(left.at[i, "end_year"]):
            ran = [v for v in (left.at[i, "end_year_earliest"], row["end_year_earliest"],
                               row["end_year"]) if pd.notna(v)]
            if ran:
                left.at[i, "end_year_earliest"] = max(ran)
    added = right.loc[~right["name"].isin(list(same_as))]
    merged = pd.concat([left, added], ignore_index=True)
    return validate_site_inventory(merged)


# --------------------------------------------------------------------------------------------
# Placement
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class SitePlacement(Result):
    """Sites assigned to quartiers (or only to a commune).

    Attributes
    ----------
    sites
        The validated inventory plus ``quartier_placed`` (mdrc or missing), ``placed_by``
        (``coordinates``, ``quartier_code``, ``commune`` or ``unplaced``) and
        ``distance_to_polygon_m`` (0 inside a polygon; only for coordinates).
    counts
        Number of sites per ``placed_by``.
    """

    sites: pd.DataFrame
    counts: pd.Series
    options: dict[str, Any] = field(default_factory=dict)
    quartiers: Any = field(default=None, repr=False)

    def to_frame(self) -> pd.DataFrame:
        """The placed inventory (a copy)."""
        return self.sites.copy()

    def summary(self) -> str:
        """How many sites were placed and how."""
        parts = ", ".join(f"{k} {int(v)}" for k, v in self.counts.items())
        placed = int(self.sites["quartier_placed"].notna().sum())
        return (f"{len(self.sites)} sites: {placed} placed in a quartier ({parts}); "
                f"{int(self.counts.get('commune', 0))} only in a commune")

    def __repr__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        cols = ["name", "start_year", "end_year", "quartier_placed", "nis_code", "placed_by"]
        return _html("Site placement", self.sites[cols], self.summary())

    def plot(self, ax: Any = None) -> Any:  # Figure, per the Result contract
        """Map: quartier outlines, quartiers holding a site shaded, sites with coordinates."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 6))
        if self.quartiers is not None:
            q = self.quartiers
            held = q["mdrc"].isin(self.sites["quartier_placed"].dropna().astype(int))
            q.plot(ax=ax, color=np.where(held, "#f2b880", "#f4f4f4"), edgecolor="#999999",
                   linewidth=0.3)
        pts = self.sites.dropna(subset=["lat", "lon"])
        ax.scatter(pts["lon"], pts["lat"], s=14, color="#c0392b", zorder=3,
                   label="site with coordinates")
        ax.set_axis_off()
        ax.set_title(self.summary(), fontsize=8)
        return ax.figure


def place_sites(
    sites: pd.DataFrame,
    quartiers: Any,
    *,
    validate: bool = True,
) -> SitePlacement:
    """Assign sites to Monitoring des Quartiers quartiers.

    Order of evidence: coordinates (point in polygon, EPSG:3812; a point in a gap between
    polygons goes to the nearest one within 100 m), else the ``quartier`` code, else the
    commune (``nis_code``; a :class:`PermanentResearchWarning` says how many sites are placed
    only at commune level), else unplaced (also counted in the warning).

    Parameters
    ----------
    sites
        A site inventory (:data:`SITE_INVENTORY_COLUMNS`).
    quartiers
        GeoDataFrame of quartier polygons with an ``mdrc`` column (e.g.
        ``permanent_research.data.boundaries.quartiers()``), any CRS.
    validate
        Run :func:`validate_site_inventory` first (with the polygons' codes).

    Raises
    ------
    DataError
        Coordinates farther than 100 m from every quartier (outside the region); the checks of
        :func:`validate_site_inventory`.
    """
    import geopandas as gpd

    check_columns(quartiers, ["mdrc", "geometry"], source="quartiers")
    codes = quartiers["mdrc"].astype(int)
    frame = validate_site_inventory(sites, quartier_codes=codes) if validate else sites.copy()
    frame["quartier_placed"] = pd.Series(pd.NA, index=frame.index, dtype="Int64")
    frame["placed_by"] = "unplaced"
    frame["distance_to_polygon_m"] = np.nan
    has_xy = frame["lat"].notna() & frame["lon"].notna()
    if has_xy.any():
        poly = gpd.GeoDataFrame({"mdrc": codes.to_numpy()}, geometry=quartiers.geometry.values,
                                crs=quartiers.crs or "EPSG:4326").to_crs("EPSG:3812")
        pts = gpd.GeoDataFrame(
            {"row": frame.index[has_xy]},
            geometry=gpd.points_from_xy(frame.loc[has_xy, "lon"], frame.loc[has_xy, "lat"]),
            crs="EPSG:4326").to_crs("EPSG:3812")
        joined = gpd.sjoin_nearest(pts, poly, how="left", distance_col="dist")
        joined = joined.sort_values("dist").drop_duplicates("row").set_index("row")
        far = joined["dist"] > _POLYGON_TOLERANCE_M
        if far.any():
            rows = joined.index[far]
            raise DataError(
                f"sites: coordinates (lat, lon) outside the Brussels-Capital Region (more than "
                f"{_POLYGON_TOLERANCE_M:g} m from every quartier) for site(s) "
                f"{format_rows(frame.loc[rows, 'name'])}")
        frame.loc[joined.index, "quartier_placed"] = joined["mdrc"].astype(int).to_numpy()
        frame.loc[joined.index, "distance_to_polygon_m"] = joined["dist"].to_numpy()
        frame.loc[joined.index, "placed_by"] = "coordinates"
    by_code = ~has_xy & frame["quartier"].notna()
    frame.loc[by_code, "quartier_placed"] = frame.loc[by_code, "quartier"]
    frame.loc[by_code, "placed_by"] = "quartier_code"
    by_commune = ~has_xy & ~by_code & frame["nis_code"].notna()
    frame.loc[by_commune, "placed_by"] = "commune"
    n_commune = int(by_commune.sum())
    n_unplaced = int((frame["placed_by"] == "unplaced").sum())
    if n_commune or n_unplaced:
        warnings.warn(
            f"place_sites: {n_commune} of {len(frame)} site(s) have neither coordinates nor a "
            f"quartier code and are placed only in their commune (nis_code)"
            + (f"; {n_unplaced} have no commune either and are unplaced" if n_unplaced else "")
            + "; add lat/lon or a quartier code to use them in a quartier design",
            PermanentResearchWarning, stacklevel=2)
    counts = frame["placed_by"].value_counts().reindex(
        ["coordinates", "quartier_code", "commune", "unplaced"], fill_value=0)
    return SitePlacement(frame, counts, {"tolerance_m": _POLYGON_TOLERANCE_M}, quartiers)


def quartier_timing(
    placement: SitePlacement | pd.DataFrame,
    units: Any,
    *,
    start: StartChoice = "best",
) -> pd.DataFrame:
    """Treatment timing per quartier from placed sites.

    Parameters
    ----------
    placement
        :func:`place_sites` result (or its frame). Sites placed only in a commune are not used.
    units
        All quartier codes of the panel.
    start
        Which start year to use: ``"best"`` (``start_year``), ``"earliest"`` or ``"latest"``
        (the contested-date sensitivity).

    Returns
    -------
    DataFrame
        ``quartier``, ``first_treated`` (first start year of a site in the quartier; 0 = none),
        ``first_site``, ``n_sites``, ``treatment_end`` (last end year of the quartier's sites
        when all have ended; missing if any is ongoing or there is none).
    """
    check_choice("start", start, START_CHOICES)
    frame = placement.sites if isinstance(placement, SitePlacement) else placement
    column = {"best": "start_year", "earliest": "start_year_earliest",
              "latest": "start_year_latest"}[start]
    placed = frame[frame["quartier_placed"].notna()]
    rows = []
    for q in pd.Series(np.asarray(units)).astype(int):
        s = placed[placed["quartier_placed"] == q]
        if len(s):
            k = s[column].astype(float).idxmin()
            ended = s["end_year"].notna().all()
            rows.append({"quartier": q, "first_treated": int(s.at[k, column]),
                         "first_site": str(s.at[k, "name"]), "n_sites": len(s),
                         "treatment_end": float(s["end_year"].max()) if ended else np.nan})
        else:
            rows.append({"quartier": q, "first_treated": 0, "first_site": "", "n_sites": 0,
                         "treatment_end": np.nan})
    out = pd.DataFrame(rows)
    out["treatment_end"] = out["treatment_end"].astype("Int64")
    return out
