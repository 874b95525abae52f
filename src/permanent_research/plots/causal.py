"""Figures for the causal designs: the event-study comparison plot."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from permanent_research.plots.style import PALETTE, add_source_note, label_synthetic, new_figure

__all__ = ["event_study", "ESTIMATOR_LABELS"]

ESTIMATOR_LABELS = {
    "twfe": "TWFE (biased benchmark)",
    "sun_abraham": "Sun & Abraham",
    "imputation": "Imputation (BJS / did2s)",
    "callaway_santanna": "Callaway & Sant'Anna",
}
_COLOURS = {
    "twfe": PALETTE["market"],
    "sun_abraham": PALETTE["secondary"],
    "imputation": PALETTE["social_housing"],
    "callaway_santanna": PALETTE["permanent_clt"],
}


def event_study(
    estimates: pd.DataFrame,
    *,
    truth: pd.DataFrame | None = None,
    title: str = "Event study: effect by years since treatment",
    ylabel: str = "effect (log points)",
    xlabel: str = "years relative to first treatment (−1 = reference)",
    source: str = "",
    synthetic: bool | None = None,
) -> Figure:
    """Plot event-study estimates of one or several estimators, with the truth if known.

    Parameters
    ----------
    estimates
        Long table ``estimator, relative_time, estimate, ci_low, ci_high`` (e.g.
        ``ComparisonResult.table``); a table without ``estimator`` is drawn as one series.
    truth
        Optional ``event_time``/``relative_time`` and ``att`` (e.g.
        ``SyntheticPanel.truth_dynamic``), drawn as a black line.
    synthetic
        Stamp the figure as synthetic; default: ``estimates.attrs["synthetic"]``.

    Returns
    -------
    Figure
    """
    frame = estimates.copy()
    if "estimator" not in frame:
        frame["estimator"] = "estimate"
    names = list(dict.fromkeys(frame["estimator"]))
    fig, ax = new_figure(width=9, height=5)
    offsets = np.linspace(-0.24, 0.24, len(names)) if len(names) > 1 else [0.0]
    for off, name in zip(offsets, names, strict=True):
        part = frame[frame["estimator"] == name].sort_values("relative_time")
        x = part["relative_time"].to_numpy(dtype=float) + off
        y = part["estimate"].to_numpy(dtype=float)
        lo = part["ci_low"].to_numpy(dtype=float)
        hi = part["ci_high"].to_numpy(dtype=float)
        colour = _COLOURS.get(name, PALETTE["neutral"])
        err = np.vstack([y - lo, hi - y])
        err = np.where(np.isfinite(err), err, 0.0)
        ax.errorbar(x, y, yerr=err, fmt="o", ms=4, capsize=2, lw=1, color=colour,
                    label=ESTIMATOR_LABELS.get(name, name))
    if truth is not None:
        tcol = "event_time" if "event_time" in truth else "relative_time"
        shown = truth[(truth[tcol] >= frame["relative_time"].min())
                      & (truth[tcol] <= frame["relative_time"].max())].sort_values(tcol)
        ax.plot(shown[tcol], shown["att"], color=PALETTE["truth"], lw=1.5, ls="--",
                marker="_", ms=12, label="truth (known in synthetic data)")
    ax.axhline(0, color=PALETTE["neutral"], lw=0.8)
    ax.axvline(-0.5, color=PALETTE["neutral"], lw=0.8, ls=":")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(frameon=False, fontsize=8, loc="upper left")
    if source:
        add_source_note(fig, source)
    if synthetic if synthetic is not None else estimates.attrs.get("synthetic", False):
        label_synthetic(fig)
    return fig
