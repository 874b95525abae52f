"""Scenario discovery: PRIM boxes of inputs where an outcome holds (EMA workbench).

The Patient Rule Induction Method (Friedman and Fisher 1999; Lempert, Bryant and Groves 2006,
Bryant and Lempert 2010) peels a box of input ranges, one thin slice at a time, keeping the
runs where the outcome of interest holds. Each step of the *peeling trajectory* trades
**coverage** (share of all runs of interest that fall in the box) for **density** (share of
the box's runs that are of interest). The peeling itself is the EMA workbench's (Kwakkel 2017)
:class:`ema_workbench.analysis.prim.Prim`; this module chooses a box and says it in words.
"""

from __future__ import annotations

import logging
import textwrap
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from permanent_research._validation import check_in_range
from permanent_research.errors import ParameterError
from permanent_research.results import Result

__all__ = ["PrimResult", "prim"]


def _prim_class():
    with warnings.catch_warnings():
        # optional back-ends the workbench announces at import (ipyparallel, altair)
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("ignore", ImportWarning)
        from ema_workbench.analysis.prim import Prim
    logging.getLogger("EMA").setLevel(logging.WARNING)
    return Prim


def _fmt(value: float) -> str:
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}"
    if magnitude >= 10:
        return f"{value:,.1f}"
    if magnitude >= 0.001:
        return f"{value:.3g}"
    return f"{value:.4f}"  # never more than four decimals on a page


def _with_unit(value: float, unit: str) -> str:
    """A box limit in words: rates per year as percentages, other units after the number."""
    if unit == "1/year":
        return f"{100 * value:.2f} %/year"
    return f"{_fmt(value)} {unit}" if unit else _fmt(value)


@dataclass(frozen=True)
class PrimResult(Result):
    """PRIM peeling trajectory, the chosen box and its statement (build with :func:`prim`).

    Attributes
    ----------
    trajectory
        One row per box of the peeling trajectory: box, coverage, density, mass, res_dim
        (restricted inputs), n (runs in the box), k (runs of interest in the box).
    limits
        One table per box: input, low, high, min, max (the data's range), restricted.
    chosen
        Number of the chosen box in the trajectory.
    label
        What the runs of interest have in common, e.g. "temporary use costs the public less".
    n_runs, n_selected
        Runs analysed and runs of interest.
    units
        ``{input: unit}`` used in the statement.
    min_density
        The density the chosen box was asked to reach.
    """

    trajectory: pd.DataFrame
    limits: tuple[pd.DataFrame, ...] = field(repr=False)
    chosen: int
    label: str
    n_runs: int
    n_selected: int
    units: Mapping[str, str] = field(default_factory=dict, repr=False)
    min_density: float = 0.8
    _title = "PRIM scenario discovery"

    @property
    def box(self) -> pd.DataFrame:
        """The chosen box's restricted inputs: input, low, high, min, max."""
        table = self.limits[self.chosen]
        return table[table["restricted"]].drop(columns="restricted").reset_index(drop=True)

    @property
    def coverage(self) -> float:
        return float(self.trajectory["coverage"].iloc[self.chosen])

    @property
    def density(self) -> float:
        return float(self.trajectory["density"].iloc[self.chosen])

    @property
    def mass(self) -> float:
        return float(self.trajectory["mass"].iloc[self.chosen])

    def select(self, box: int) -> PrimResult:
        """The same result with another box of the trajectory chosen."""
        check_in_range("box", box, 0, len(self.trajectory) - 1)
        return self.replace(chosen=int(box))

    def conditions(self) -> list[str]:
        """One phrase per restricted input, e.g. ``"land_price_eur_m2 is above 700 EUR/m2"``."""
        phrases = []
        for row in self.box.itertuples():
            unit = self.units.get(row.input) or ""
            low_cut, high_cut = row.low > row.min, row.high < row.max
            if low_cut and high_cut:
                phrases.append(f"{row.input} is between {_with_unit(row.low, unit)} and "
                               f"{_with_unit(row.high, unit)}")
            elif low_cut:
                phrases.append(f"{row.input} is above {_with_unit(row.low, unit)}")
            else:
                phrases.append(f"{row.input} is below {_with_unit(row.high, unit)}")
        return phrases

    def statement(self) -> str:
        """The chosen box in words, with its density, coverage and mass."""
        phrases = self.conditions()
        label = self.label[:1].upper() + self.label[1:]
        if not phrases:
            return (f"{label} in {self.density:.0%} of all runs; no box of input ranges "
                    f"reaches a density of {self.min_density:.0%}.")
        joined = phrases[0] if len(phrases) == 1 else (
            ", ".join(phrases[:-1]) + " and " + phrases[-1])
        return (f"{label} when {joined}: true in "
                f"{self.density:.0%} of the runs in that box, which contains "
                f"{self.coverage:.0%} of all runs where it holds ({self.mass:.0%} of all runs).")

    def to_frame(self) -> pd.DataFrame:
        """The peeling trajectory with a ``chosen`` flag."""
        return self.trajectory.assign(chosen=self.trajectory["box"] == self.chosen)

    def summary(self) -> str:
        """The statement, then the chosen box's limits."""
        return (f"PRIM on {self.n_runs:,} runs ({self.n_selected:,} where {self.label}); "
                f"box {self.chosen} of {len(self.trajectory) - 1}\n{self.statement()}\n"
                + self.box.to_string(index=False))

    def plot_box(self):
        """The chosen box: each restricted input's kept range within its full range (0-1)."""
        from permanent_research.plots import new_figure

        box = self.box
        figure, ax = new_figure(height=0.5 * max(len(box), 1) + 1.5)
        width = (box["max"] - box["min"]).where(lambda w: w > 0, 1.0)
        low = (box["low"] - box["min"]) / width
        high = (box["high"] - box["min"]) / width
        y = np.arange(len(box))
        ax.barh(y, [1.0] * len(box), color="lightgrey", label="range in the runs")
        ax.barh(y, high - low, left=low, label="kept in the box")
        for i, row in enumerate(box.itertuples()):
            ax.text(1.01, i, f"{_fmt(row.low)} – {_fmt(row.high)}", va="center", fontsize=8)
        ax.set_yticks(y, box["input"])
        ax.set_xlim(0, 1.3)
        ax.set_xlabel("position within the input's range in the runs")
        ax.set_title(f"{self.label[:1].upper() + self.label[1:]}: density {self.density:.0%}, "
                     f"coverage {self.coverage:.0%}")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.35), ncol=2, fontsize=8)
        return figure

    def plot(self):
        """Trade-off curve: coverage against density along the peeling trajectory."""
        from permanent_research.plots import new_figure

        figure, ax = new_figure(width=6.5, height=4.5)
        points = ax.scatter(self.trajectory["coverage"], self.trajectory["density"],
                            c=self.trajectory["res_dim"], cmap="viridis", s=18)
        ax.scatter([self.coverage], [self.density], s=120, facecolors="none",
                   edgecolors="red", label=f"chosen box ({self.chosen})")
        figure.colorbar(points, ax=ax, label="restricted inputs")
        ax.set_xlabel("coverage (share of runs of interest in the box)")
        ax.set_ylabel("density (share of the box's runs of interest)")
        # wrapped and left-aligned: a long label would run over the colour bar's ticks
        ax.set_title(textwrap.fill(f"PRIM: {self.label}", 40), loc="left")
        ax.legend(loc="lower left")
        return figure


def prim(
    inputs: pd.DataFrame,
    outcome: pd.Series | np.ndarray | Sequence[Any],
    *,
    threshold: float | None = None,
    below: bool = False,
    min_density: float = 0.8,
    peel_alpha: float = 0.05,
    mass_min: float = 0.05,
    label: str = "the outcome holds",
    units: Mapping[str, str] | None = None,
) -> PrimResult:
    """Find the box of input ranges where an outcome holds (PRIM, EMA workbench).

    Parameters
    ----------
    inputs
        One row per run, one numeric column per input.
    outcome
        Per run: True where the outcome of interest holds, or a number compared with
        ``threshold``.
    threshold, below
        For a numeric outcome: runs of interest are those above ``threshold`` (below it when
        ``below=True``).
    min_density
        The chosen box is the one with the largest coverage among those whose density reaches
        this share (the densest box when none does).
    peel_alpha, mass_min
        Share of runs peeled per step; smallest box (share of runs) PRIM may reach.
    label
        What the runs of interest have in common, for the statement.
    units
        ``{input: unit}`` for the statement.

    Raises
    ------
    ParameterError
        Inputs not numeric; outcome of another length; a numeric outcome without threshold; a
        threshold (or boolean outcome) that selects no run, or every run.
    """
    if not isinstance(inputs, pd.DataFrame) or inputs.empty:
        raise ParameterError("inputs must be a non-empty DataFrame (one row per run)")
    non_numeric = [c for c in inputs.columns if not pd.api.types.is_numeric_dtype(inputs[c])]
    if non_numeric:
        raise ParameterError(f"inputs: column(s) {', '.join(map(str, non_numeric))} are not "
                             "numeric")
    values = np.asarray(outcome)
    if values.shape != (len(inputs),):
        raise ParameterError(f"outcome has shape {values.shape}; need one value per run "
                             f"({len(inputs)})")
    if values.dtype == bool:
        selected = values
        what = "outcome"
    else:
        if threshold is None:
            raise ParameterError("outcome is numeric: give threshold= (runs above it are of "
                                 "interest; below=True for runs below it)")
        values = values.astype(float)
        selected = values < threshold if below else values > threshold
        what = f"threshold={threshold:g} ({'below' if below else 'above'})"
    n_selected = int(selected.sum())
    if n_selected == 0 or n_selected == len(selected):
        span = "" if values.dtype == bool else (
            f"; the outcome ranges from {np.nanmin(values):.4g} to {np.nanmax(values):.4g}")
        raise ParameterError(f"{what} selects {'no' if n_selected == 0 else 'every'} run of "
                             f"{len(selected):,}{span}; PRIM needs both kinds")
    check_in_range("min_density", min_density, 0, 1)
    check_in_range("peel_alpha", peel_alpha, 0, 0.5, low_inclusive=False)
    check_in_range("mass_min", mass_min, 0, 1, low_inclusive=False, high_inclusive=False)
    x = inputs.reset_index(drop=True).astype(float)
    # the workbench's threshold both defines a case of interest (y >= threshold) and is the
    # mean the final box must reach; a tiny positive value keeps the whole trajectory and lets
    # min_density choose the box here
    with warnings.catch_warnings():
        # the workbench 2.5 still passes inplace= to pandas (deprecated in 3.1, harmless)
        warnings.filterwarnings("ignore", category=DeprecationWarning,
                                module=r"ema_workbench\..*")
        found = _prim_class()(x, selected.astype(int), threshold=1e-9, peel_alpha=peel_alpha,
                              mass_min=mass_min)
        box = found.find_box()
    trajectory = box.peeling_trajectory[["coverage", "density", "mass", "res_dim", "n", "k"]]
    trajectory = trajectory.astype({"res_dim": int, "n": int, "k": int}).reset_index(drop=True)
    trajectory.insert(0, "box", np.arange(len(trajectory)))
    low_all, high_all = x.min(), x.max()
    limits = []
    for lims in box.box_lims:
        table = pd.DataFrame({"input": list(x.columns),
                              "low": lims.loc[0, x.columns].to_numpy(dtype=float),
                              "high": lims.loc[1, x.columns].to_numpy(dtype=float),
                              "min": low_all.to_numpy(), "max": high_all.to_numpy()})
        table["restricted"] = (table["low"] > table["min"]) | (table["high"] < table["max"])
        limits.append(table)
    dense = trajectory[trajectory["density"] >= min_density]
    chosen = (int(dense.sort_values(["coverage", "density", "box"],
                                       ascending=[False, False, True])["box"].iloc[0])
              if not dense.empty else int(trajectory["density"].idxmax()))
    return PrimResult(trajectory=trajectory, limits=tuple(limits), chosen=chosen, label=label,
                      n_runs=len(x), n_selected=n_selected, units=dict(units or {}),
                      min_density=float(min_density))
