"""Figures of the temporary-use vs permanent Monte Carlo (fan charts, distributions, tornado)."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from permanent_research.plots.style import PALETTE, add_source_note, new_figure, plain_number

__all__ = ["fan_chart", "cost_distribution", "tornado"]

_LABELS = {
    "temporary_use": "Temporary use",
    "permanent_clt": "Permanent (CLT)",
    "social_housing": "Social housing",
    "market": "Private market",
}


def fan_chart(
    result,
    metrics: Sequence[str] = ("forced_moves_cum", "cost_eur_m2", "affordable_space_share"),
    *,
    user: str = "household",
    models: Sequence[str] | None = None,
    titles: Sequence[str] | None = None,
    title: str | None = None,
) -> Figure:
    """Median and 5–95 % / 25–75 % bands over the years, one panel per metric.

    Parameters
    ----------
    result
        A :class:`~permanent_research.scenarios.ScenarioResult`.
    metrics
        Names from :data:`~permanent_research.scenarios.PATH_METRICS`.
    user
        ``"studio"`` or ``"household"``.
    models
        Models to draw (default: every model of the user).
    titles
        Panel titles (default: the metric descriptions).
    title
        Figure title stating the finding (optional).
    """
    from permanent_research.scenarios import MODELS, PATH_METRICS

    models = list(models or MODELS[user])
    fig, axes = new_figure(1, len(metrics), width=4.2 * len(metrics), height=3.8, squeeze=False)
    paths = result.paths[result.paths["user"] == user]
    for i, metric in enumerate(metrics):
        ax = axes[0, i]
        for model in models:
            block = paths[(paths["model"] == model) & (paths["metric"] == metric)]
            colour = PALETTE[model]
            ax.fill_between(block["year"], block["q05"], block["q95"], color=colour, alpha=0.15,
                            linewidth=0)
            ax.fill_between(block["year"], block["q25"], block["q75"], color=colour, alpha=0.3,
                            linewidth=0)
            style = {"social_housing": "--", "market": ":"}.get(model, "-")
            width = 2.6 if model == "permanent_clt" else 2.0
            ax.plot(block["year"], block["q50"], color=colour, label=_LABELS[model], lw=width,
                    ls=style, zorder=3 if model == "permanent_clt" else 2)
        ax.set_title(titles[i] if titles else PATH_METRICS[metric], fontsize=10)
        ax.set_xlabel("year")
    axes[0, 0].legend(fontsize=8, loc="best")
    add_source_note(fig, f"Monte Carlo, {result.n_draws:,} draws (seed {result.seed}); median, "
                    "25–75 % and 5–95 % bands; real euros of the base year. Assumptions: "
                    f"{Path(str(result.assumptions.source).split(':')[0]).name}.")
    if title:
        fig.suptitle(title, fontsize=11, fontweight="bold", x=0.01, ha="left")
    fig.tight_layout()
    return fig


def cost_distribution(result, *, metric: str = "cost_eur_m2_year",
                      users: Sequence[str] = ("studio", "household"),
                      net_of_equity: bool = True, title: str | None = None) -> Figure:
    """Distribution over draws of a per-draw metric by model (one panel per user).

    With ``net_of_equity`` (and ``metric="cost_eur_m2_year"``) the household panel also outlines
    the CLT owners' cost net of the equity they take back (``cost_net_of_equity_eur_m2_year``),
    with a dashed median line. ``title`` states the finding (optional).
    """
    from permanent_research.scenarios import METRICS, MODELS

    fig, axes = new_figure(1, len(users), width=5.5 * len(users), height=4.6, squeeze=False)
    for i, user in enumerate(users):
        ax = axes[0, i]
        values = [result.metric(user, model, metric) for model in MODELS[user]]
        finite = np.concatenate([v[np.isfinite(v)] for v in values])
        net = None
        if net_of_equity and metric == "cost_eur_m2_year" and user == "household":
            net = result.metric(user, "permanent_clt", "cost_net_of_equity_eur_m2_year")
            finite = np.concatenate([finite, net[np.isfinite(net)]])
        bins = np.linspace(np.quantile(finite, 0.005), np.quantile(finite, 0.995), 50)
        for model, v in zip(MODELS[user], values, strict=True):
            label = _LABELS[model] + (" (cash: mortgage paid)" if net is not None
                                      and model == "permanent_clt" else "")
            ax.hist(v, bins=bins, color=PALETTE[model], alpha=0.45, label=label, density=True)
            ax.axvline(np.nanmedian(v), color=PALETTE[model], lw=1.5)
        if net is not None:
            colour = PALETTE["permanent_clt"]
            ax.hist(net, bins=bins, histtype="step", color=colour, lw=1.5, density=True,
                    label="Permanent (CLT), net of equity returned")
            ax.axvline(np.nanmedian(net), color=colour, lw=1.5, ls="--")
        ax.set_title(f"{'Artists’ studios' if user == 'studio' else 'Low-income households'}",
                     fontsize=10)
        ax.set_xlabel(METRICS[metric])
        ax.set_yticks([])
        ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.3), ncol=2,
                  frameon=False)
    add_source_note(fig, f"Monte Carlo, {result.n_draws:,} draws over {result.horizon_years} "
                    "years; vertical lines are medians; real euros of the base year, "
                    "undiscounted.")
    if title:
        fig.suptitle(title, fontsize=11, fontweight="bold", x=0.01, ha="left")
    fig.tight_layout()
    return fig


def tornado(sensitivity, *, top: int = 12, title: str | None = None,
            xlabel: str | None = None) -> Figure:
    """Horizontal bars: the outcome with each input at its low and high quantile.

    Inputs that do not move the outcome (swing 0) are left out; each bar is labelled with the
    input's description and its low → high values. ``title`` states the finding and ``xlabel``
    names the outcome in words (defaults: a generic title and the outcome's code name).
    """
    from permanent_research.scenarios import ASSUMPTION_SPECS

    table = sensitivity.table[sensitivity.table["swing"] > 0].head(top).iloc[::-1]
    fig, ax = new_figure(width=10, height=0.38 * len(table) + 1.8)
    base = sensitivity.baseline
    y = np.arange(len(table))
    low = table["outcome_at_low"].to_numpy() - base
    high = table["outcome_at_high"].to_numpy() - base
    ax.barh(y, low, left=base, color=PALETTE["secondary"], label="input at its low value")
    ax.barh(y, high, left=base, color=PALETTE["highlight"], label="input at its high value")
    ax.axvline(base, color=PALETTE["neutral"], lw=1)
    labels = [
        f"{ASSUMPTION_SPECS[key].description} "
        f"({plain_number(low)} → {plain_number(high)} {ASSUMPTION_SPECS[key].unit})"
        for key, low, high in zip(table["assumption"], table["low_value"], table["high_value"],
                                  strict=True)
    ]
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_xlabel(xlabel or sensitivity.outcome)
    fig.suptitle(textwrap.fill(title or "Which assumptions drive the comparison", 90),
                 fontsize=10, fontweight="bold", x=0.01, ha="left")
    ax.legend(fontsize=8, loc="lower right")
    lo, hi = sensitivity.quantiles
    add_source_note(fig, f"One input at a time at its {lo:.0%} / {hi:.0%} quantile, the others at "
                    f"their medians; {sensitivity.n_draws} draws per run, common random numbers.")
    fig.tight_layout()
    return fig
