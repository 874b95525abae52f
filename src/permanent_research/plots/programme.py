"""Figures for the building programme and CLT economics (notebook 07). Return Figures."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from permanent_research.plots.style import PALETTE, new_figure

__all__ = [
    "USE_COLOURS",
    "floor_areas",
    "costs_revenues",
    "resale_paths",
    "subsidy_regimes",
    "site_scores",
    "FICTIONAL_LABEL",
]

FICTIONAL_LABEL = "FICTIONAL EXAMPLE SITES — demonstrates the screening, not real candidates"

USE_COLOURS: dict[str, str] = {
    "cafe": "#F0E442",
    "exhibition": "#CC79A7",
    "recyclotheek": "#009E73",
    "community_room": "#56B4E9",
    "classrooms": "#88CCEE",
    "production": "#E69F00",
    "studios": "#D55E00",
    "clt_homes": PALETTE["permanent_clt"],
}


def _floor_label(floor: int) -> str:
    return "ground floor" if floor == 0 else f"floor {floor}"


_ITEM_LABELS = {"vat": "VAT", "clt_home_sales": "CLT home sales",
                "studio_cost_rents": "studio cost-rents", "public_space_lets": "public-space lets"}


def _item_label(item: str) -> str:
    return _ITEM_LABELS.get(item, item.replace("_", " "))


def floor_areas(area_table: pd.DataFrame, *, title: str | None = None) -> Figure:
    """Stacked horizontal bars: net m² of each use on each floor (ground floor at the bottom).

    Parameters
    ----------
    area_table
        :meth:`ProgrammeResult.area_table` (uses × ``floor_k`` columns, with totals).
    """
    table = area_table.drop(index="total", errors="ignore")
    floors = [c for c in table.columns if c.startswith("floor_")]
    fig, ax = new_figure(width=8.5, height=0.6 * len(floors) + 2.2)
    left = np.zeros(len(floors))
    positions = np.arange(len(floors))
    for use, row in table[floors].iterrows():
        values = row.to_numpy(dtype=float)
        if values.sum() == 0:
            continue
        ax.barh(positions, values, left=left, color=USE_COLOURS.get(use, PALETTE["neutral"]),
                label=use.replace("_", " "), edgecolor="white", height=0.7)
        left += values
    ax.set_yticks(positions, [_floor_label(int(c.split("_")[1])) for c in floors])
    ax.set_xlabel("net area (m²)")
    ax.set_title(title or "Programme: net area by use and floor")
    ax.legend(ncol=4, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.18), frameon=False)
    fig.tight_layout()
    return fig


def costs_revenues(frame: pd.DataFrame, *, title: str | None = None) -> Figure:
    """Waterfall from costs down through revenues to the funding gap (million EUR).

    Parameters
    ----------
    frame
        :meth:`ProgrammeResult.to_frame` (``kind``, ``item``, ``eur``; costs negative).
    """
    costs = frame[frame["kind"] == "cost"]
    revenues = frame[frame["kind"] == "revenue"]
    labels, bottoms, heights, colours = [], [], [], []
    level = 0.0
    for _, row in costs.iterrows():
        height = -row["eur"] / 1e6
        labels.append(_item_label(row["item"]))
        bottoms.append(level)
        heights.append(height)
        colours.append(PALETTE["market"])
        level += height
    for _, row in revenues.iterrows():
        height = row["eur"] / 1e6
        level -= height
        labels.append(_item_label(row["item"]))
        bottoms.append(level)
        heights.append(height)
        colours.append(PALETTE["social_housing"])
    labels.append("funding gap" if level >= 0 else "surplus")
    bottoms.append(0.0)
    heights.append(level)
    colours.append(PALETTE["permanent_clt"])
    fig, ax = new_figure(width=9, height=4.8)
    x = np.arange(len(labels))
    ax.bar(x, heights, bottom=bottoms, color=colours, edgecolor="white")
    for xi, b, h in zip(x, bottoms, heights, strict=True):
        ax.annotate(f"{abs(h):,.1f}", (xi, max(b, b + h)), xytext=(0, 2),
                    textcoords="offset points", ha="center", va="bottom", fontsize=8)
    ax.axhline(0, color=PALETTE["truth"], lw=0.6)
    ax.set_xticks(x, labels, rotation=25, ha="right")
    ax.set_ylabel("million EUR (nominal; rents as present values)")
    ax.set_title(title or "Costs less revenues = funding gap")
    handles = [Patch(color=PALETTE["market"], label="costs"),
               Patch(color=PALETTE["social_housing"], label="revenues"),
               Patch(color=PALETTE["permanent_clt"], label="funding gap (public money)")]
    ax.legend(handles=handles, frameon=False, fontsize=8, loc="upper right")
    fig.tight_layout()
    return fig


def resale_paths(paths: Mapping[str, pd.DataFrame], *, title: str | None = None) -> Figure:
    """Restricted price ÷ market value over successive resales, one line per formula.

    Parameters
    ----------
    paths
        Label -> retention rows of :meth:`GenerationsResult.to_frame` (``year``,
        ``price_to_value``, ``income_needed_multiple``).
    """
    fig, axes = new_figure(1, 2, width=11, height=4.4)
    colours = [PALETTE[k] for k in ("permanent_clt", "secondary", "temporary_use",
                                    "social_housing", "highlight", "neutral")]
    for (label, rows), colour in zip(paths.items(), colours * 3, strict=False):
        axes[0].plot(rows["year"], rows["price_to_value"], marker="o", color=colour, label=label)
        axes[1].plot(rows["year"], rows["income_needed_multiple"], marker="o", color=colour,
                     label=label)
    axes[0].set_ylabel("restricted price ÷ market value")
    axes[0].set_title("Restricted price ÷ market value")
    axes[1].axhline(1.0, color=PALETTE["truth"], lw=0.8, ls="--")
    axes[1].set_ylabel("income needed ÷ target income")
    axes[1].set_title("Income needed to buy ÷ target income")
    for ax in axes:
        ax.set_xlabel("years after first sale")
    axes[1].legend(fontsize=8, frameon=False)
    if title:
        fig.suptitle(title, x=0.01, ha="left", fontweight="bold", fontsize=11)
    fig.tight_layout()
    return fig


def subsidy_regimes(frame: pd.DataFrame, *, title: str | None = None) -> Figure:
    """Cumulative public subsidy and subsidy per household served, by regime.

    Parameters
    ----------
    frame
        :meth:`GenerationsResult.to_frame`.
    """
    colours = {"retention": PALETTE["permanent_clt"], "recapture": PALETTE["secondary"],
               "aid": PALETTE["market"]}
    fig, axes = new_figure(1, 2, width=11, height=4.4)
    for regime, rows in frame.groupby("regime", sort=False):
        axes[0].plot(rows["year"], rows["public_subsidy_cumulative_eur"] / 1e3, marker="o",
                     color=colours.get(regime), label=regime)
        axes[1].plot(rows["year"], rows["subsidy_per_household_eur"] / 1e3, marker="o",
                     color=colours.get(regime), label=regime)
    axes[0].set_ylabel("cumulative public subsidy (thousand EUR)")
    axes[0].set_title("Cumulative public money")
    axes[1].set_ylabel("per household served (thousand EUR)")
    axes[1].set_title("Public money per household served")
    for ax in axes:
        ax.set_xlabel("years after first sale")
    axes[0].legend(frameon=False)
    if title:
        fig.suptitle(title, x=0.01, ha="left", fontweight="bold", fontsize=11)
    fig.tight_layout()
    return fig


def site_scores(
    table: pd.DataFrame,
    weights: Mapping[str, float],
    *,
    fictional: bool = True,
    title: str | None = None,
) -> Figure:
    """Weighted score of each site split by criterion; ineligible sites hatched.

    Parameters
    ----------
    table
        :meth:`SiteScreening.to_frame`.
    weights
        :attr:`SiteScreening.weights` (normalised).
    fictional
        Stamp the figure as built on fictional example sites.
    title
        Title (state the finding); default "Site screening".
    """
    rows = table.iloc[::-1]
    fig, ax = new_figure(width=9, height=0.5 * len(rows) + 2.0)
    left = np.zeros(len(rows))
    colours = {"area": PALETTE["permanent_clt"], "location": PALETTE["secondary"],
               "owner": PALETTE["social_housing"], "price": PALETTE["temporary_use"]}
    labels = [f"{r.site_id}: {r.site_name}" for r in rows.itertuples()]
    for key, colour in colours.items():
        values = (weights.get(key, 0.0) * rows[f"{key}_score"]).to_numpy(dtype=float)
        bars = ax.barh(labels, values, left=left, color=colour, label=key, edgecolor="white")
        for bar, eligible in zip(bars, rows["eligible"], strict=True):
            if not eligible:
                bar.set_alpha(0.35)
                bar.set_hatch("//")
        left += values
    ax.set_xlim(0, 1)
    ax.set_xlabel("weighted score (0–1); hatched = below the minimum area")
    ax.set_title(title or "Site screening")
    # explicit handles: the bars' own handles would copy the hatch of an ineligible site
    handles = [Patch(color=colour, label=key) for key, colour in colours.items()]
    ax.legend(handles=handles, ncol=4, fontsize=8, loc="upper center",
              bbox_to_anchor=(0.5, -0.15 - 0.3 / len(rows)),
              frameon=False)
    if fictional:
        fig.text(0.99, 0.995, FICTIONAL_LABEL, ha="right", va="top", fontsize=8,
                 color="#B00020", fontweight="bold")
    fig.tight_layout()
    return fig
