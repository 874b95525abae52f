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
    "size_sweep",
    "capital_stack",
    "FUNDER_COLOURS",
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


_MIX_STYLES = ("-", "--", ":", "-.")


def size_sweep(table: pd.DataFrame, *, land_budget_years_max: float,
               title: str | None = None) -> Figure:
    """Funding gap (left) and years of the land budget (right) by building size.

    Parameters
    ----------
    table
        :meth:`SizeSweep.to_frame` (columns ``mix``, ``gross_floor_area_m2``,
        ``funding_gap_eur``, ``land_budget_years``, ``within_land_budget``).
    land_budget_years_max
        Years of the regional land budget one project may take (drawn as a limit).
    """
    fig, (left, right) = new_figure(1, 2, width=11, height=4.6)
    colours = [PALETTE["permanent_clt"], PALETTE["social_housing"], PALETTE["temporary_use"],
               PALETTE["highlight"], PALETTE["neutral"]]
    for k, (mix, rows) in enumerate(table.groupby("mix", sort=False)):
        left.plot(rows["gross_floor_area_m2"], rows["funding_gap_eur"] / 1e6, marker="o",
                  ms=3, ls=_MIX_STYLES[k % len(_MIX_STYLES)], color=colours[k % len(colours)],
                  label=mix)
    sizes = table.drop_duplicates("gross_floor_area_m2")
    outside = sizes.loc[~sizes["within_land_budget"], "gross_floor_area_m2"]
    for ax in (left, right):
        if len(outside):
            ax.axvspan(outside.min() - 250, outside.max() + 250, color=PALETTE["neutral"],
                       alpha=0.12, lw=0)
    left.axhline(0, color=PALETTE["neutral"], lw=0.8)
    left.set_xlabel("gross floor area (m²)")
    left.set_ylabel("funding gap (million EUR)")
    left.set_title("Funding gap by size and mix of uses")
    left.legend(fontsize=8, frameon=False, loc="best")
    right.plot(sizes["gross_floor_area_m2"], sizes["land_budget_years"], marker="o", ms=3,
               color=PALETTE["permanent_clt"], label="land cost ÷ yearly land budget")
    right.axhline(land_budget_years_max, color=PALETTE["market"], ls="--",
                  label=f"what one project may take ({land_budget_years_max:g} yr)")
    right.set_xlabel("gross floor area (m²)")
    right.set_ylabel("years of the regional land budget")
    right.set_title("Land against the land budget" + (" (shaded: beyond it)" if len(outside)
                                                      else ""))
    right.legend(fontsize=8, frameon=False)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


FUNDER_COLOURS: dict[str, str] = {
    "regional_land_grant": "#009E73",
    "clt_home_sales": PALETTE["permanent_clt"],
    "studio_cost_rent_loans": "#D55E00",
    "public_space_rents": "#F0E442",
    "public_space_funders": "#CC79A7",
    "unfunded_gap": "#595959",
}
_FUNDER_LABELS = {"regional_land_grant": "regional land grant",
                  "clt_home_sales": "CLT home sales",
                  "studio_cost_rent_loans": "studio cost-rent loans",
                  "public_space_rents": "public-space rents (loan)",
                  "public_space_funders": "public-space funders",
                  "unfunded_gap": "unfunded gap (construction subsidy to find)"}


def capital_stack(table: pd.DataFrame, *, title: str | None = None) -> Figure:
    """Cost of each use stacked by funder, million EUR (negative parts: surplus).

    Parameters
    ----------
    table
        :meth:`CapitalStack.to_frame` (long: ``use``, ``funder``, ``eur``).
    """
    wide = table.pivot_table(index="use", columns="funder", values="eur", aggfunc="sum",
                             fill_value=0.0, sort=False) / 1e6
    wide = wide.reindex(columns=[f for f in FUNDER_COLOURS if f in wide.columns])
    fig, ax = new_figure(width=9.5, height=0.45 * len(wide) + 2.6)
    positions = np.arange(len(wide))[::-1]
    pos_left = np.zeros(len(wide))
    neg_left = np.zeros(len(wide))
    for funder in wide.columns:
        values = wide[funder].to_numpy(dtype=float)
        start = np.where(values >= 0, pos_left, neg_left)
        ax.barh(positions, values, left=start, color=FUNDER_COLOURS[funder],
                label=_FUNDER_LABELS[funder], edgecolor="white", height=0.7)
        pos_left += np.clip(values, 0, None)
        neg_left += np.clip(values, None, 0)
    ax.set_yticks(positions, [u.replace("_", " ").replace("clt", "CLT") for u in wide.index])
    ax.axvline(0, color=PALETTE["neutral"], lw=0.8)
    ax.set_xlabel("million EUR (base-year euros; rents as present values)")
    ax.set_title(title or "Who pays for each use")
    ax.legend(ncol=3, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.16), frameon=False)
    fig.tight_layout()
    return fig
