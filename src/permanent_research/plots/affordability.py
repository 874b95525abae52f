"""Figures for affordability and the social-housing queue (notebook 03)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from permanent_research.plots.style import PALETTE, add_source_note, new_figure

__all__ = [
    "effort_heatmap",
    "effort_rate_bars",
    "studio_bars",
    "queue_wait_grid",
    "queue_trajectories",
    "queue_calibration",
]


def effort_heatmap(matrix: pd.DataFrame, *, threshold: float, title: str = "",
                   source: str = "") -> Figure:
    """Heat map of effort rates (fractions) for communes (rows) × income groups (columns).

    Cells above ``threshold`` are outlined in bold text; missing cells are grey.
    """
    import seaborn as sns

    figure, ax = new_figure(width=7.5, height=0.32 * len(matrix) + 1.6)
    percent = matrix * 100
    sns.heatmap(percent, ax=ax, cmap="rocket_r", vmin=0, vmax=max(100, np.nanmax(percent.values)),
                annot=True, fmt=".0f", linewidths=0.5, linecolor="white",
                cbar_kws={"label": "rent as % of income"}, mask=percent.isna())
    for text, value in zip(ax.texts, percent.values[~percent.isna().values], strict=False):
        if value > threshold * 100:
            text.set_fontweight("bold")
    ax.set_facecolor("#e0e0e0")
    ax.set_xlabel("income group (equivalised disposable income)")
    ax.set_ylabel("")
    # padded clear of the colour bar's top tick label, which a long title reaches over
    ax.set_title(title or f"Effort rate; bold = above {threshold:.0%}", pad=14)
    if source:
        add_source_note(figure, source)
    return figure


def effort_rate_bars(rates: Mapping[str, float], *, norm: float, title: str = "",
                     source: str = "") -> Figure:
    """Horizontal bars of effort rates (fractions) against a norm line."""
    figure, ax = new_figure(width=8, height=0.45 * len(rates) + 1.5)
    labels = list(rates)
    values = np.array([rates[k] for k in labels]) * 100
    colours = [PALETTE["market"] if v > norm * 100 else PALETTE["social_housing"]
               for v in values]
    y = np.arange(len(labels))[::-1]
    ax.barh(y, values, color=colours)
    for yy, v in zip(y, values, strict=True):
        ax.text(v + 0.8, yy, f"{v:.0f}%", va="center", fontsize=9)
    ax.axvline(norm * 100, color=PALETTE["truth"], linestyle="--", linewidth=1)
    ax.text(norm * 100, y.min() - 0.55, f" {norm:.0%} norm", fontsize=9, va="bottom")
    ax.set_yticks(y, labels)
    ax.set_xlabel("housing cost as % of income")
    ax.set_xlim(0, max(values.max() * 1.15, norm * 130))
    ax.set_title(title or "Effort rates against the Brussels norm")
    figure.tight_layout()
    if source:
        add_source_note(figure, source)
    return figure


def studio_bars(table: pd.DataFrame, *, threshold: float, title: str = "",
                source: str = "") -> Figure:
    """Studio cost as a share of the median artist's income, and share of artists above."""
    figure, axes = new_figure(1, 2, width=10, height=3.8)
    names = table["scenario"].tolist()
    y = np.arange(len(names))[::-1]
    axes[0].barh(y, table["share_of_median_income"] * 100, color=PALETTE["permanent_clt"])
    axes[0].axvline(threshold * 100, color=PALETTE["truth"], linestyle="--", linewidth=1)
    axes[0].set_yticks(y, names)
    axes[0].set_xlabel("% of the median artist's income")
    axes[0].set_title("Studio cost")
    axes[1].barh(y, table["share_above"] * 100, color=PALETTE["temporary_use"])
    axes[1].set_yticks(y, [""] * len(names))
    axes[1].set_xlim(0, 100)
    axes[1].set_xlabel(f"% of artists above {threshold:.0%} of income")
    axes[1].set_title("Artists priced out")
    if title:
        figure.suptitle(title, x=0.01, ha="left", fontweight="bold")
    figure.tight_layout()
    if source:
        add_source_note(figure, source)
    return figure


def queue_wait_grid(grid: pd.DataFrame, *, reported_years: Sequence[float] = (),
                    title: str = "", source: str = "") -> Figure:
    """Newcomer wait (years) against added permanent homes a year, one line per τ × δ."""
    figure, ax = new_figure(width=8, height=4.8)
    colours = [PALETTE[k] for k in ("market", "permanent_clt", "social_housing", "highlight",
                                    "secondary", "temporary_use")]
    for i, ((tau, delta), part) in enumerate(grid.groupby(["turnover", "attrition"])):
        part = part.sort_values("added_permanent_per_year")
        ax.plot(part["added_permanent_per_year"], part["dynamic_newcomer_wait_years"],
                marker="o", color=colours[(i // 2) % len(colours)],
                linestyle="-" if delta == 0 else ":",
                label=f"turnover {tau:.0%}, attrition {delta:.0%}")
    if len(reported_years) == 2:
        ax.axhspan(*reported_years, color=PALETTE["neutral"], alpha=0.12,
                   label="reported waits (housed households)")
    ax.set_xlabel("permanently affordable homes added per year (N)")
    ax.set_ylabel("expected wait of a newcomer (years)")
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))  # outside: no data hidden
    ax.set_title(title or "Waiting time under scenarios")
    if source:
        add_source_note(figure, source)
    return figure


def queue_trajectories(paths: Mapping[str, pd.DataFrame], *, title: str = "",
                       source: str = "") -> Figure:
    """List length over time for several scenarios (frames from ``list_trajectory``)."""
    figure, ax = new_figure(width=8, height=4.5)
    colours = [PALETTE[k] for k in ("market", "permanent_clt", "social_housing", "highlight")]
    for i, (label, frame) in enumerate(paths.items()):
        ax.plot(frame["year"], frame["list_length"] / 1000, color=colours[i % len(colours)],
                label=label)
    ax.set_xlabel("years from now (projection)")
    ax.set_ylabel("households waiting (thousands)")
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=8)
    ax.set_title(title or "Waiting list under scenarios (projection)")
    if source:
        add_source_note(figure, source)
    return figure


def queue_calibration(calibration, *, title: str = "", source: str = "") -> Figure:
    """Modelled newcomer wait against attrition, one line per turnover, the observed band
    shaded and each fit marked (``waiting_list.QueueCalibration``)."""
    figure, ax = new_figure(width=8, height=4.5)
    colours = [PALETTE[k] for k in ("market", "permanent_clt", "social_housing", "highlight")]
    curve = calibration.wait_curve()
    low, high = calibration.observed_wait_years
    ax.axhspan(low, high, color="0.85", label=f"observed {low:g}–{high:g} years")
    for i, (tau, part) in enumerate(curve.groupby("turnover", sort=True)):
        colour = colours[i % len(colours)]
        ax.plot(100 * part["attrition"], part["wait_years"], color=colour,
                label=f"turnover {tau:.1%}")
        fit = calibration.table[calibration.table["turnover"] == tau].iloc[0]
        ax.plot(100 * fit["attrition_fit"], fit["wait_fit_years"], "o", color=colour)
    ax.set_xlabel("attrition: share of the list leaving without a dwelling (% a year)")
    ax.set_ylabel("newcomer's wait (years)")
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=8)
    ax.set_title(title or "Queue calibrated to the observed wait")
    if source:
        add_source_note(figure, source)
    return figure
