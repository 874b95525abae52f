"""Figures of the displacement typologies: class maps and the threshold-sensitivity view."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

from permanent_research.plots.maps import choropleth
from permanent_research.plots.style import PALETTE, new_figure

__all__ = ["CLASS_COLOURS", "typology_map", "sensitivity_plot"]

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


def typology_map(
    areas: gpd.GeoDataFrame,
    classes: pd.DataFrame,
    *,
    key: str,
    title: str = "",
    source: str = "",
) -> Figure:
    """Map typology classes over boundaries; areas without a class are hatched grey.

    Parameters
    ----------
    areas
        Boundaries with a ``key`` column (e.g. ``mdrc`` or ``nis_code``).
    classes
        ``TypologyResult.classes`` (index = area labels as strings, ``code``, ``category``).
    key
        Column of ``areas`` matching the index of ``classes``.
    title, source
        Title and source caption.
    """
    frame = areas.copy()
    frame["_key"] = frame[key].astype(str)
    joined = frame.merge(
        classes[["code", "category"]].rename_axis("_key").reset_index(), on="_key", how="left"
    )
    codes = joined["code"].astype("Float64")
    joined["class"] = [
        f"{int(c):>2} {cat}" if pd.notna(c) else None
        for c, cat in zip(codes, joined["category"], strict=True)
    ]
    ordered = sorted(joined["class"].dropna().unique())  # the order geopandas uses
    colours = [CLASS_COLOURS.get(label.split()[-1], "#999999") for label in ordered]
    figure = choropleth(
        joined,
        "class",
        title=title,
        categorical=True,
        cmap=ListedColormap(colours) if colours else "viridis",
    )
    ax = figure.axes[0]
    matched = joined["_key"].isin(classes.index.astype(str))
    n_nodata = int((~matched).sum())
    n_undecided = int((matched & joined["class"].isna()).sum())
    note = (
        f"Hatched: no class — {n_nodata} areas without data, "
        f"{n_undecided} with an undecidable rule (missing input)."
    )
    figure.text(
        0.01,
        0.01,
        note + (f"\n{source}" if source else ""),
        fontsize=7,
        color=PALETTE["neutral"],
        ha="left",
        va="bottom",
    )
    ax.set_aspect("equal")
    return figure


def sensitivity_plot(table: pd.DataFrame, *, title: str = "") -> Figure:
    """Class counts as one threshold moves (output of ``displacement.sensitivity``).

    One line per class present at some value; the x axis is the threshold.
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
            label=category,
            linestyle="--" if category == "missing" else "-",
        )
    ax.set_xlabel(parameter)
    ax.set_ylabel("areas")
    ax.legend(fontsize=7, ncols=2, frameon=False)
    ax.set_title(title or f"Classes as {parameter} moves")
    return figure
