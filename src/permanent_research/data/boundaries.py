"""Boundaries for maps: the 19 communes and the 145 Monitoring des Quartiers areas."""

from __future__ import annotations

import geopandas as gpd

from permanent_research.data.catalog import read_catalog, verify_checksum

__all__ = ["communes", "quartiers", "BELGIAN_LAMBERT_2008"]

BELGIAN_LAMBERT_2008 = "EPSG:3812"  # metric CRS for distances and areas in Belgium


def _read(name: str) -> gpd.GeoDataFrame:
    entry = read_catalog()[name]
    verify_checksum(entry)
    return gpd.read_file(entry.path)


def communes() -> gpd.GeoDataFrame:
    """The 19 Brussels communes (``nis_code``, ``name_fr``, ``name_nl``, geometry; WGS84)."""
    frame = _read("boundaries_communes")
    frame["nis_code"] = frame["nis_code"].astype(str).str.zfill(5)
    return frame


def quartiers() -> gpd.GeoDataFrame:
    """The 145 Monitoring des Quartiers areas (``mdrc``, names, geometry; WGS84)."""
    frame = _read("boundaries_quartiers")
    frame["mdrc"] = frame["mdrc"].astype(int)
    return frame
