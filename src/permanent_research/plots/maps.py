"""Choropleth maps over the bundled boundaries (communes, quartiers)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

if TYPE_CHECKING:  # geopandas is imported by the caller who has a GeoDataFrame
    import geopandas as gpd

from permanent_research.plots.style import PALETTE, label_points, new_figure

__all__ = ["choropleth"]

_THOUSANDS = FuncFormatter(lambda x, _: f"{x:,.0f}" if abs(x) >= 1000 else f"{x:g}")


def choropleth(
    areas: gpd.GeoDataFrame,
    column: str,
    *,
    title: str = "",
    legend_label: str = "",
    cmap: str = "viridis",
    categorical: bool = False,
    label_column: str | None = None,
    label_fontsize: float = 6,
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
        Optional column whose text is written at each area's representative point, in dark
        text with a white outline so it stays readable on dark and light fills; missing or
        empty labels are skipped (never written as "nan").
    label_fontsize
        Font size of those labels, points.

    Continuous colour bars get thousands separators (``200,000``, not ``200000``).
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
    axes_before = list(figure.axes)
    present.plot(
        ax=ax,
        column=column,
        cmap=cmap,
        categorical=categorical,
        legend=True,
        edgecolor="white",
        linewidth=0.6,
        # a shorter colour bar keeps clear of a title drawn over the map
        legend_kwds={"label": legend_label, "shrink": 0.6, "pad": 0.02}
        if not categorical
        else {"loc": "lower left", "fontsize": 7},
    )
    if not categorical:
        for colour_bar in (a for a in figure.axes if a not in axes_before):
            colour_bar.yaxis.set_major_formatter(_THOUSANDS)
    ax.set_axis_off()
    if label_column is not None:
        named = projected[projected[label_column].notna()
                          & (projected[label_column].astype(str).str.strip() != "")]
        # larger areas first: they keep their names in place; small central areas whose
        # names would collide get theirs moved up or down with a leader line
        named = named.assign(_area=named.geometry.area).sort_values("_area", ascending=False)
        points = [row.geometry.representative_point() for row in named.itertuples()]
        label_points(
            ax, [(point.x, point.y) for point in points],
            [str(text) for text in named[label_column]],
            offset=(0.0, 0.0), ha="center", fontsize=label_fontsize, color=PALETTE["truth"],
            path_effects=[patheffects.withStroke(linewidth=2, foreground="white")],
        )
    if title:
        # a figure-level title spans the colour bar too, so long titles are not overdrawn
        figure.suptitle(title, x=0.02, ha="left", fontweight="bold", wrap=True)
    return figure
