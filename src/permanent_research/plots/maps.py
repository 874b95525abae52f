"""Choropleth maps over the bundled boundaries (communes, quartiers)."""

from __future__ import annotations

import geopandas as gpd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from permanent_research.plots.style import PALETTE, new_figure

__all__ = ["choropleth"]


def choropleth(
    areas: gpd.GeoDataFrame,
    column: str,
    *,
    title: str = "",
    legend_label: str = "",
    cmap: str = "viridis",
    categorical: bool = False,
    label_column: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Draw ``column`` of ``areas`` as a choropleth; areas without data are hatched grey.

    Parameters
    ----------
    areas
        Polygons with the values to map (any CRS; drawn in EPSG:3812, metres).
    column
        Column to colour by.
    categorical
        Treat the column as classes (legend with one entry per class).
    label_column
        Optional column whose text is written at each area's representative point.
    """
    projected = areas.to_crs("EPSG:3812")
    if ax is None:
        figure, ax = new_figure(width=7, height=7)
    else:
        figure = ax.figure
    missing = projected[projected[column].isna()]
    present = projected[projected[column].notna()]
    if not missing.empty:
        missing.plot(ax=ax, color="#f0f0f0", edgecolor="#bdbdbd", hatch="///", linewidth=0.4)
    present.plot(
        ax=ax,
        column=column,
        cmap=cmap,
        categorical=categorical,
        legend=True,
        edgecolor="white",
        linewidth=0.6,
        legend_kwds={"label": legend_label}
        if not categorical
        else {"loc": "lower left", "fontsize": 7},
    )
    if label_column is not None:
        for _, row in projected.iterrows():
            point = row.geometry.representative_point()
            ax.annotate(
                str(row[label_column]),
                (point.x, point.y),
                ha="center",
                fontsize=6,
                color=PALETTE["truth"],
            )
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return figure
