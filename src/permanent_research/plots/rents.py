"""Figures for rent and price trends (house style; functions return the Figure)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, StrMethodFormatter

from permanent_research.plots.style import PALETTE, label_synthetic, new_figure

__all__ = ["index_lines", "growth_ranking", "nominal_vs_real", "forecast_fan", "index_recovery"]


def index_lines(
    lines: Mapping[str, pd.DataFrame],
    *,
    title: str = "",
    ylabel: str = "Index (base year = 100)",
    highlight: str | None = None,
) -> Figure:
    """One line per series; each frame has ``period`` and ``index``.

    ``highlight`` names the series drawn thick and dark (e.g. the region); others are thin.
    """
    figure, ax = new_figure()
    colours = [
        PALETTE[k] for k in ("permanent_clt", "market", "social_housing", "highlight", "secondary")
    ]
    crowded = highlight is not None and len(lines) > 6
    shown_background = False
    for i, (name, frame) in enumerate(lines.items()):
        real = "real" in name.lower()
        if crowded and name != highlight and not real:
            ax.plot(
                frame["period"],
                frame["index"],
                color="#b0b0b0",
                linewidth=0.8,
                label=None if shown_background else "communes (each line one commune)",
            )
            shown_background = True
            continue
        strong = highlight is None or name == highlight or real
        if name == highlight:
            colour = PALETTE["truth"]
        elif real and crowded:
            colour = PALETTE["permanent_clt"]
        else:
            colour = colours[i % len(colours)]
        ax.plot(
            frame["period"],
            frame["index"],
            label=name,
            color=colour,
            linewidth=2.4 if strong else 1.0,
            linestyle="--" if real else "-",
        )
    ax.axhline(100, color=PALETTE["neutral"], linewidth=0.6)
    ax.set_xlabel("Year")
    ax.set_ylabel(ylabel)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(fontsize=8, frameon=False, loc="upper left")
    if title:
        ax.set_title(title)
    return figure


def growth_ranking(
    table: pd.DataFrame,
    *,
    label: str = "area_name",
    value: str = "cagr_pct",
    title: str = "",
    xlabel: str = "CAGR (% per year)",
) -> Figure:
    """Horizontal bars of growth per area, fastest on top."""
    data = table.dropna(subset=[value]).sort_values(value)
    figure, ax = new_figure(width=7, height=0.28 * len(data) + 1.2)
    ax.barh(data[label].astype(str), data[value], color=PALETTE["market"])
    for y, v in enumerate(data[value]):
        ax.text(v, y, f" {v:.1f}", va="center", fontsize=7)
    ax.set_xlabel(xlabel)
    ax.grid(axis="y", visible=False)
    if title:
        ax.set_title(title)
    return figure


def nominal_vs_real(
    frame: pd.DataFrame,
    *,
    base_year: int,
    title: str = "",
    ylabel: str = "EUR per month",
    real_label: str | None = None,
    apart: Mapping[int, str] | None = None,
) -> Figure:
    """Nominal ``value`` and real ``value_real`` (euros of ``base_year``) against ``period``.

    Lines join only consecutive observed years that have a value (no line is drawn across a
    year without a real value). ``apart`` maps years whose price basis is uncertain to a
    caveat: they are drawn as hollow markers, not joined, and never deflated.
    """
    apart = dict(apart or {})
    figure, ax = new_figure()
    kept = frame[~frame["period"].isin(list(apart))]
    ax.plot(kept["period"], kept["value"], marker="o", color=PALETTE["market"], label="nominal")
    if "value_real" in kept:
        real = kept.set_index("period")["value_real"]
        ax.plot(
            real.index,
            real.to_numpy(),
            marker="s",
            linestyle="--",
            color=PALETTE["permanent_clt"],
            label=real_label or f"real (EUR of {base_year})",
        )
    for year, caveat in apart.items():
        row = frame[frame["period"] == year]
        ax.plot(
            row["period"],
            row["value"],
            marker="o",
            linestyle="none",
            markerfacecolor="white",
            color=PALETTE["neutral"],
            label=f"{year}: {caveat}",
        )
    ax.set_xlabel("Survey year")
    ax.set_ylabel(ylabel)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(frameon=False, fontsize=8)
    if title:
        ax.set_title(title)
    return figure


def forecast_fan(
    frame: pd.DataFrame, *, level: float, title: str = "", ylabel: str = "EUR"
) -> Figure:
    """Observed line plus a shaded projection (``kind == "projection"``), labelled as such."""
    observed = frame[frame["kind"] == "observed"]
    projected = frame[frame["kind"] == "projection"]
    figure, ax = new_figure()
    ax.plot(
        observed["period"],
        observed["value"],
        color=PALETTE["truth"],
        marker="o",
        markersize=3,
        label="observed",
    )
    joint = pd.concat([observed.tail(1), projected])
    ax.plot(
        joint["period"],
        joint["value"],
        color=PALETTE["market"],
        linestyle="--",
        label="projection (model output, not data)",
    )
    ax.fill_between(
        projected["period"],
        projected["low"],
        projected["high"],
        color=PALETTE["market"],
        alpha=0.2,
        label=f"{int(round(100 * level))}% prediction interval",
    )
    ax.axvspan(
        projected["period"].min() - 0.5, projected["period"].max() + 0.5, color="#f2f2f2", zorder=0
    )
    ax.text(
        projected["period"].min() - 0.4,
        ax.get_ylim()[1],
        "PROJECTION",
        va="top",
        fontsize=8,
        color=PALETTE["neutral"],
        fontweight="bold",
    )
    ax.set_xlabel("Year")
    ax.set_ylabel(ylabel)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    ax.legend(frameon=False, fontsize=8, loc="upper left")
    if title:
        ax.set_title(title)
    return figure


def index_recovery(
    truth: pd.DataFrame,
    estimates: Mapping[str, pd.DataFrame],
    *,
    title: str = "",
    synthetic: bool = True,
) -> Figure:
    """True index (black) beside estimated indices with their confidence bands."""
    figure, ax = new_figure()
    ax.plot(
        truth["period"],
        truth["index"],
        color=PALETTE["truth"],
        linewidth=3,
        alpha=0.35,
        label="true index",
    )
    colours = [PALETTE["permanent_clt"], PALETTE["market"], PALETTE["social_housing"]]
    for i, (name, frame) in enumerate(estimates.items()):
        colour = colours[i % len(colours)]
        ax.plot(
            frame["period"],
            frame["index"],
            color=colour,
            marker="o",
            markersize=3,
            linewidth=1.2,
            label=name,
        )
        if {"ci_low", "ci_high"} <= set(frame.columns):
            ax.fill_between(
                frame["period"], frame["ci_low"], frame["ci_high"], color=colour, alpha=0.15
            )
    ax.set_xlabel("Period")
    ax.set_ylabel("Index (period 0 = 100)")
    ax.legend(frameon=False)
    if title:
        ax.set_title(title)
    if synthetic:
        label_synthetic(figure)
    return figure
