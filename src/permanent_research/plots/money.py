"""Figures of the money modules (present values, tenants' effort, eligibility, CLT discount).

House style; functions take the results' tidy tables and return the Figure (the results'
``plot()`` methods call them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from permanent_research.plots.style import PALETTE, new_figure

__all__ = ["present_value_bars", "effort_by_band", "eligibility_grid", "discount_waterfall"]

_RATE_COLOURS = ("neutral", "secondary", "permanent_clt", "highlight", "market", "social_housing")


def present_value_bars(frame: pd.DataFrame, *, title: str = "") -> Figure:
    """Bars of ``pv_eur`` by ``item``, one bar per ``rate`` (``PresentValueTable.to_frame()``)."""
    wide = frame.pivot(index="item", columns="rate", values="pv_eur")
    figure, ax = new_figure(width=8, height=4)
    width = 0.8 / len(wide.columns)
    positions = np.arange(len(wide.index))
    for k, rate in enumerate(wide.columns):
        ax.bar(positions + k * width, wide[rate].to_numpy(), width, label=f"{100 * rate:g} %",
               color=PALETTE[_RATE_COLOURS[k % len(_RATE_COLOURS)]])
    ax.set_xticks(positions + width * (len(wide.columns) - 1) / 2, list(wide.index))
    ax.set_ylabel("present value (EUR of the base year)")
    ax.axhline(0, color=PALETTE["neutral"], linewidth=0.8)
    ax.legend(title="real discount rate", frameon=False)
    if title:
        ax.set_title(title)
    return figure


def effort_by_band(
    table: pd.DataFrame, *, bands: Sequence[str], threshold: float, cap: float = 2.0,
    title: str = "",
) -> Figure:
    """Median rent-to-income by income band, one line per survey year, band bounds shaded.

    ``table``: ``survey_year``, ``income_band``, ``effort_median``, ``effort_median_low``,
    ``effort_median_high`` (``TenantEffort.to_frame()`` by year and band).
    """
    figure, ax = new_figure(width=8, height=4.2)
    for k, (year, part) in enumerate(table.groupby("survey_year")):
        colour = PALETTE[_RATE_COLOURS[(k + 1) % len(_RATE_COLOURS)]]
        x = [list(bands).index(b) for b in part["income_band"].astype(str)]
        ax.plot(x, part["effort_median"], marker="o", label=str(year), color=colour)
        upper = np.minimum(part["effort_median_high"].to_numpy(dtype=float), cap)
        ax.fill_between(x, part["effort_median_low"].to_numpy(dtype=float), upper, alpha=0.12,
                        color=colour)
    ax.axhline(threshold, color=PALETTE["neutral"], linestyle="--", linewidth=0.8)
    ax.set_xticks(range(len(bands)), [b.replace(" €", "") for b in bands], rotation=30,
                  ha="right")
    ax.set_ylabel("median rent / household income")
    ax.set_ylim(0, cap)
    ax.legend(title="survey year", frameon=False)
    if title:
        ax.set_title(title)
    return figure


def eligibility_grid(cost: pd.DataFrame, eligible: pd.DataFrame, *, title: str = "") -> Figure:
    """Groups × models: colour = cost-to-income (capped at 100 %); grey "no" where not eligible."""
    import matplotlib as mpl

    groups, models = list(cost.index), list(cost.columns)
    figure, ax = new_figure(width=7.5, height=0.4 * len(groups) + 1.8)
    allowed = eligible.to_numpy(bool)
    shown = np.where(allowed, np.minimum(cost.to_numpy(float), 1.0), np.nan)
    cmap = mpl.colormaps["OrRd"].with_extremes(bad="#d9d9d9")
    image = ax.imshow(np.ma.masked_invalid(shown), cmap=cmap, vmin=0, vmax=1, aspect="auto")
    for i in range(len(groups)):
        for j in range(len(models)):
            if allowed[i, j]:
                colour = "white" if shown[i, j] > 0.6 else "black"
                ax.text(j, i, f"{cost.iat[i, j]:.0%}", ha="center", va="center", fontsize=8,
                        color=colour)
            else:
                ax.text(j, i, "no", ha="center", va="center", fontsize=8,
                        color=PALETTE["neutral"])
    ax.set_xticks(range(len(models)), [m.replace("_", " ") for m in models])
    ax.set_yticks(range(len(groups)), groups)
    ax.grid(False)
    figure.colorbar(image, ax=ax, label="cost / income (capped at 100 %)")
    if title:
        ax.set_title(title)
    return figure


def discount_waterfall(
    market: float, parts: Mapping[str, float], *, title: str = ""
) -> Figure:
    """From the new-build market price to the CLT price, one bar per component (EUR/m²)."""
    figure, ax = new_figure(width=8.5, height=4)
    level = market
    ax.bar(0, level, color=PALETTE["market"])
    labels = ["new-build\nmarket"]
    for k, (name, amount) in enumerate(parts.items(), start=1):
        ax.bar(k, -amount, bottom=level,
               color=PALETTE["social_housing"] if amount >= 0 else PALETTE["highlight"])
        level -= amount
        labels.append(name.replace("_", "\n"))
    ax.bar(len(labels), level, color=PALETTE["permanent_clt"])
    labels.append("CLT")
    ax.set_xticks(range(len(labels)), labels, fontsize=8)
    ax.set_ylabel("EUR per m² (base-year euros)")
    if title:
        ax.set_title(title)
    return figure
