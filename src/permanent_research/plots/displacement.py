"""Figures of the displacement typologies: class maps and the threshold-sensitivity view."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping

import geopandas as gpd
import pandas as pd
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.text import Text
from matplotlib.ticker import MaxNLocator

from permanent_research.errors import DataError
from permanent_research.plots.style import PALETTE, add_source_note, new_figure

__all__ = [
    "CLASS_COLOURS",
    "NO_DATA_STYLE",
    "UNDECIDABLE_STYLE",
    "label_areas",
    "typology_map",
    "sensitivity_lines",
]

#: One colour per class short name (UDP: warm = low-income types, cool = higher-income types).
CLASS_COLOURS: dict[str, str] = {
    "LISD": "#fdd49e",
    "OD": "#b30000",
    "ARG": "#fc8d59",
    "EOG": "#e34a33",
    "AdvG": "#7f0000",
    "SMMI": "#c6dbef",
    "ARE": "#6baed6",
    "BE": "#2171b5",
    "SAE": "#08306b",
    "none": "#d9d9d9",
    "multiple": PALETTE["highlight"],
    "not_gentrifiable": "#d9d9d9",
    "not_gentrifying": "#fdd49e",
    "weak": "#fc8d59",
    "moderate": "#e34a33",
    "intense": "#7f0000",
}


#: How areas without a class are drawn: no input data at all vs an undecidable rule.
NO_DATA_STYLE = {"facecolor": "#ffffff", "edgecolor": "#bdbdbd", "hatch": "///"}
UNDECIDABLE_STYLE = {"facecolor": "#d9d9d9", "edgecolor": "#737373", "hatch": "..."}


def typology_map(
    areas: gpd.GeoDataFrame,
    classes: pd.DataFrame,
    *,
    key: str,
    title: str = "",
    source: str = "",
    labels: Mapping[str, str] | None = None,
) -> Figure:
    """Map typology classes over boundaries with a categorical legend.

    Areas absent from ``classes`` (no input data) are hatched ``///`` on white; areas present
    but without a class (an undecidable rule: a missing input) are dotted grey. Both appear in
    the legend with their counts, as does every class.

    Parameters
    ----------
    areas
        Boundaries with a ``key`` column (e.g. ``mdrc`` or ``nis_code``).
    classes
        ``TypologyResult.classes`` (index = area labels as strings, ``code``, ``category``,
        ``label``).
    key
        Column of ``areas`` matching the index of ``classes``.
    title, source
        Title and source caption (wrapped under the map).
    labels
        Optional ``{key value: text}``: areas to name on the map (e.g. those a finding talks
        about), placed by :func:`label_areas` so that labels do not overlap.
    """
    frame = areas.to_crs("EPSG:3812")
    frame["_key"] = frame[key].astype(str)
    # prefixed, so boundaries that carry their own "code"/"label" columns do not collide
    table = classes[["code", "category", "label"]].copy()
    table.columns = ["_class_code", "_class_short", "_class_label"]
    table.index = table.index.astype(str)
    joined = frame.join(table, on="_key")
    matched = joined["_key"].isin(table.index)
    decided = matched & joined["_class_code"].notna()
    figure, ax = new_figure(width=7, height=7.5)
    handles: list[Patch] = []
    for code in sorted(int(c) for c in joined.loc[decided, "_class_code"].unique()):
        part = joined[decided & (joined["_class_code"].astype("Float64") == code)]
        short = str(part["_class_short"].iloc[0])
        colour = CLASS_COLOURS.get(short, "#999999")
        part.plot(ax=ax, color=colour, edgecolor="white", linewidth=0.6)
        handles.append(
            Patch(
                facecolor=colour,
                edgecolor="white",
                label=f"{short}: {part['_class_label'].iloc[0]} ({len(part)})",
            )
        )
    undecided = joined[matched & joined["_class_code"].isna()]
    if len(undecided):
        undecided.plot(ax=ax, linewidth=0.4, **UNDECIDABLE_STYLE)
    handles.append(
        Patch(
            **UNDECIDABLE_STYLE, label=f"undecidable: a rule input is missing ({len(undecided)})"
        )
    )
    nodata = joined[~matched]
    if len(nodata):
        nodata.plot(ax=ax, linewidth=0.4, **NO_DATA_STYLE)
    handles.append(Patch(**NO_DATA_STYLE, label=f"no data for this area ({len(nodata)})"))
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(0.0, -0.01),
        ncols=2,
        fontsize=7,
        frameon=False,
    )
    ax.set_axis_off()
    ax.set_aspect("equal")
    if title:
        ax.set_title(textwrap.fill(title, 70), fontsize=11)
    if source:
        add_source_note(figure, textwrap.fill(source, 140))
    if labels:
        label_areas(ax, frame, labels, key="_key")
    return figure


def label_areas(
    ax: Axes,
    areas: gpd.GeoDataFrame,
    labels: Mapping[str, str],
    *,
    key: str,
    fontsize: float = 7.0,
) -> list[Text]:
    """Name areas on a map: a dot inside each area and its label, moved apart so labels do not
    overlap one another (``adjustText``), joined to the dot by a thin line when moved.

    Parameters
    ----------
    ax
        Axes holding the map, in the CRS of ``areas``.
    areas
        Boundaries with a ``key`` column.
    labels
        ``{key value: text}``; every key must be an area of ``areas``.
    key
        Column of ``areas`` matched (as text) against the keys of ``labels``.
    fontsize
        Label size in points.

    Returns
    -------
    list of matplotlib.text.Text
        The labels, in the order of ``labels``.
    """
    from adjustText import adjust_text  # imported here: only maps with labels need it

    keys = areas[key].astype(str)
    unknown = [k for k in labels if str(k) not in set(keys)]
    if unknown:
        raise DataError(f"labels: no area with {key} = {', '.join(map(str, unknown[:5]))}")
    halo = [patheffects.withStroke(linewidth=2.2, foreground="white")]
    texts, xs, ys = [], [], []
    for value, text in labels.items():
        point = areas.loc[keys == str(value)].geometry.union_all().representative_point()
        ax.plot(point.x, point.y, marker="o", markersize=2.5, color="#222222", zorder=4)
        xs.append(point.x)
        ys.append(point.y)
        texts.append(ax.text(point.x, point.y, text, fontsize=fontsize, zorder=5,
                             path_effects=halo))
    ax.figure.canvas.draw()
    adjust_text(texts, x=xs, y=ys, ax=ax, expand=(1.15, 1.4), ensure_inside_axes=True,
                arrowprops=dict(arrowstyle="-", color="#444444", lw=0.5))
    return texts


def sensitivity_lines(
    table: pd.DataFrame,
    *,
    title: str = "",
    xlabel: str = "",
    marks: dict[str, float] | None = None,
) -> Figure:
    """Class counts as one threshold moves (output of ``displacement.sensitivity``).

    One line per class present at some value (undecidable areas dashed); the x axis is the
    threshold. ``marks`` draws labelled vertical lines, e.g. ``{"UDP": 0.8, "used": 0.85}``.
    """
    parameter = str(table["parameter"].iloc[0])
    wide = table.pivot_table(index="value", columns="category", values="areas", aggfunc="sum")
    wide = wide.loc[:, wide.sum() > 0]
    figure, ax = new_figure(width=7, height=4)
    for category in wide.columns:
        ax.plot(
            wide.index.astype(float),
            wide[category],
            marker="o",
            color=CLASS_COLOURS.get(category, PALETTE["neutral"]),
            label="undecidable" if category == "missing" else category,
            linestyle="--" if category == "missing" else "-",
        )
    for name, value in (marks or {}).items():
        ax.axvline(value, color=PALETTE["neutral"], linewidth=0.8, linestyle=":")
        ax.annotate(
            name,
            (value, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(2, -2),
            textcoords="offset points",
            fontsize=7,
            va="top",
            color=PALETTE["neutral"],
        )
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(xlabel or parameter)
    ax.set_ylabel("areas (count)")
    ax.legend(fontsize=7, ncols=2, frameon=False, loc="center left", bbox_to_anchor=(1.0, 0.5))
    ax.set_title(textwrap.fill(title or f"Classes as {parameter} moves", 70), fontsize=11)
    return figure
