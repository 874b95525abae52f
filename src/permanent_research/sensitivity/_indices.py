"""Global sensitivity of any vectorised model: Sobol' indices and Morris screening (SALib).

Both sample the unit hypercube with SALib (Saltelli's scheme on a scrambled Sobol' sequence;
Morris trajectories), map each column through its input's inverse CDF (so any distribution of
the scenario-file form works), run the model on the rows in chunks (:mod:`._engine`) and analyse
the outputs with SALib: first-order indices by Saltelli (2010), total indices by Jansen (1999),
confidence intervals by bootstrap; Morris mu* and sigma of the elementary effects, measured per
unit of each input's quantile range (so mu* compares inputs of different units).

Sobol' indices assume independent inputs: correlations are refused here (use
:func:`~permanent_research.sensitivity.sweep` and PRIM for correlated inputs).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from permanent_research._validation import check_choice, check_in_range
from permanent_research.errors import ParameterError
from permanent_research.results import Result
from permanent_research.sensitivity._engine import (
    DEFAULT_CHUNK_ROWS,
    evaluate,
    run_tasks,
    session,
)
from permanent_research.sensitivity._inputs import InputSpace, input_space

__all__ = ["SobolResult", "MorrisResult", "sobol", "morris", "saltelli_sample"]


def _problem(space: InputSpace) -> dict:
    return {"num_vars": len(space), "names": space.names, "bounds": [[0.0, 1.0]] * len(space)}


def _integer(name: str, value: Any, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ParameterError(f"{name}={value!r} must be an integer >= {low}")
    return int(value)


@dataclass(frozen=True)
class SobolResult(Result):
    """Sobol' indices of every output (build with :func:`sobol`).

    Attributes
    ----------
    table
        output, input, S1, S1_conf, ST, ST_conf (conf: half-width of the bootstrap interval).
    convergence
        output, input, S1_half, ST_half (indices from the first ``n_base / 2`` base samples),
        S1, ST and change (largest of the two absolute differences).
    n_base, n_runs, seed, conf_level
        Base samples N, model runs N (k + 2), seed and the intervals' level.
    noise
        output, noise_share: share of the output's variance that comes from the model's own
        randomness (0 for a deterministic model), measured by running the N base rows again at
        other row numbers. Jansen's total index of every input is inflated by about this share;
        first-order indices are not.
    outputs
        The model's outputs, one row per run in the order of the design
        (:func:`saltelli_sample` with ``n_base``, the number of inputs and ``seed``, through
        each input's inverse CDF).
    """

    table: pd.DataFrame
    convergence: pd.DataFrame
    n_base: int
    n_runs: int
    seed: int
    conf_level: float = 0.95
    noise: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    outputs: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    _title = "Sobol' indices"

    def to_frame(self) -> pd.DataFrame:
        """output, input, S1, S1_conf, ST, ST_conf (a copy)."""
        return self.table.copy()

    def ranking(self, output: str | None = None, *, by: str = "ST") -> list[str]:
        """Inputs by decreasing index ``by`` ("ST" or "S1") for ``output`` (default: first)."""
        check_choice("by", by, ("ST", "S1"))
        output = self.table["output"].iloc[0] if output is None else output
        rows = self.table[self.table["output"] == output]
        if rows.empty:
            raise ParameterError(f"output={output!r} is not one of "
                                 f"{', '.join(self.table['output'].unique())}")
        return rows.sort_values(by, ascending=False)["input"].tolist()

    def noise_share(self, output: str | None = None) -> float:
        """Share of ``output``'s variance from the model's own randomness (NaN: not measured)."""
        output = self.table["output"].iloc[0] if output is None else output
        if self.noise.empty:
            return float("nan")
        return float(self.noise.set_index("output").loc[output, "noise_share"])

    def max_change(self) -> float:
        """Largest change of any index between N/2 and N base samples (convergence)."""
        return float(self.convergence["change"].max())

    def summary(self) -> str:
        """Indices per output, largest total index first, with the convergence check."""
        lines = [f"Sobol' indices, N = {self.n_base:,} base samples ({self.n_runs:,} runs), "
                 f"seed {self.seed}; {self.conf_level:.0%} bootstrap intervals; largest change "
                 f"N/2 -> N: {self.max_change():.3f}"]
        for output, rows in self.table.groupby("output", sort=False):
            noise = self.noise_share(output)
            lines.append(f"\n{output}" + ("" if not noise > 0 else
                         f" (model's own randomness: {noise:.0%} of the variance; every ST "
                         "includes about that much)"))
            for row in rows.sort_values("ST", ascending=False).itertuples():
                lines.append(f"  {row.input:<40} S1 {row.S1:6.3f} ± {row.S1_conf:5.3f}   "
                             f"ST {row.ST:6.3f} ± {row.ST_conf:5.3f}")
        return "\n".join(lines)

    def plot(self, output: str | None = None, *, top: int = 12):
        """Bars of S1 and ST with their intervals for one output (default: the first)."""
        from permanent_research.plots import new_figure

        output = self.table["output"].iloc[0] if output is None else output
        order = self.ranking(output)[:top][::-1]
        rows = self.table[self.table["output"] == output].set_index("input").loc[order]
        figure, ax = new_figure(height=0.35 * len(order) + 1.5)
        y = np.arange(len(order))
        ax.barh(y + 0.2, rows["ST"], height=0.4, xerr=rows["ST_conf"], label="total (ST)")
        ax.barh(y - 0.2, rows["S1"], height=0.4, xerr=rows["S1_conf"], label="first order (S1)")
        ax.set_yticks(y, order)
        ax.set_xlabel("share of output variance")
        ax.set_title(f"Sobol' indices: {output}")
        ax.legend(loc="lower right")
        return figure


@dataclass(frozen=True)
class MorrisResult(Result):
    """Morris screening of every output (build with :func:`morris`).

    Attributes
    ----------
    table
        output, input, mu_star, sigma, mu, mu_star_conf: statistics of the elementary effects,
        in output units per full quantile range of the input.
    trajectories, levels, seed, n_runs
        The design.
    """

    table: pd.DataFrame
    trajectories: int
    levels: int
    seed: int
    n_runs: int
    _title = "Morris screening"

    def to_frame(self) -> pd.DataFrame:
        """output, input, mu_star, sigma, mu, mu_star_conf (a copy)."""
        return self.table.copy()

    def ranking(self, output: str | None = None) -> list[str]:
        """Inputs by decreasing mu* for ``output`` (default: the first output)."""
        output = self.table["output"].iloc[0] if output is None else output
        rows = self.table[self.table["output"] == output]
        if rows.empty:
            raise ParameterError(f"output={output!r} is not one of "
                                 f"{', '.join(self.table['output'].unique())}")
        return rows.sort_values("mu_star", ascending=False)["input"].tolist()

    def summary(self) -> str:
        """mu* and sigma per output, largest mu* first."""
        lines = [f"Morris screening: {self.trajectories} trajectories, {self.levels} levels "
                 f"({self.n_runs:,} runs), seed {self.seed}; effects per full input range"]
        for output, rows in self.table.groupby("output", sort=False):
            lines.append(f"\n{output}")
            for row in rows.sort_values("mu_star", ascending=False).itertuples():
                lines.append(f"  {row.input:<40} mu* {row.mu_star:12.4g}   "
                             f"sigma {row.sigma:12.4g}")
        return "\n".join(lines)

    def plot(self, output: str | None = None, *, label: int = 5):
        """mu*-sigma scatter for one output, the ``label`` largest mu* named."""
        from permanent_research.plots import new_figure
        from permanent_research.plots.style import label_points

        output = self.table["output"].iloc[0] if output is None else output
        rows = self.table[self.table["output"] == output]
        figure, ax = new_figure(width=7, height=5)
        ax.scatter(rows["mu_star"], rows["sigma"])
        top = float(max(rows["mu_star"].max(), rows["sigma"].max(), 1e-12))
        ax.plot([0, top], [0, top], linestyle=":", color="grey", linewidth=1)
        ax.set_xlabel("mu* (mean absolute elementary effect)")
        ax.set_ylabel("sigma (spread: interactions, non-linearity)")
        ax.set_title(f"Morris screening: {output}")
        # inputs with similar effects sit close together: labels are spread apart
        named = rows.nlargest(label, "mu_star")
        label_points(ax, zip(named["mu_star"], named["sigma"], strict=True),
                     list(named["input"]), offset=(4.0, 4.0), fontsize=8)
        return figure


def _check_n_base(n_base: Any) -> int:
    n_base = _integer("n_base", n_base, 2)
    if n_base & (n_base - 1):
        lower = 2 ** int(math.floor(math.log2(n_base)))
        upper = lower * 2
        nearest = lower if n_base - lower <= upper - n_base else upper
        raise ParameterError(f"n_base={n_base} is not a power of two (Sobol' sequences keep "
                             f"their balance only there); the nearest is {nearest}")
    return n_base


def saltelli_sample(n_base: int, k: int, seed: int) -> np.ndarray:
    """SALib's Saltelli design on [0, 1]^k without second-order rows, built without loops.

    The same numbers as ``SALib.sample.sobol.sample(..., calc_second_order=False,
    scramble=True, seed=seed)`` (a test holds them equal): per base point j, the rows A_j,
    A_j with column i taken from B_j (i = 1 .. k), then B_j; A and B are the two halves of a
    scrambled Sobol' sequence in 2k dimensions.
    """
    from scipy.stats import qmc

    base = qmc.Sobol(d=2 * k, scramble=True, seed=seed).random(n_base)
    a, b = base[:, :k], base[:, k:]
    design = np.repeat(a[:, None, :], k + 2, axis=1)
    columns = np.arange(k)
    design[:, 1 + columns, columns] = b
    design[:, k + 1, :] = b
    return design.reshape(n_base * (k + 2), k)


def _sobol_indices(problem: dict, y: np.ndarray, seed: int, resamples: int,
                   conf_level: float) -> dict:
    from SALib.analyze import sobol as sobol_analyze

    with np.errstate(divide="ignore", invalid="ignore"):
        found = sobol_analyze.analyze(problem, y, calc_second_order=False,
                                      num_resamples=resamples, conf_level=conf_level,
                                      print_to_console=False, seed=seed)
    return {key: np.asarray(found[key]) for key in ("S1", "S1_conf", "ST", "ST_conf")}


def sobol(
    model: Callable,
    inputs: Any,
    *,
    n_base: int,
    seed: int,
    scheduler: Any = None,
    chunk_size: int = DEFAULT_CHUNK_ROWS,
    resamples: int = 100,
    conf_level: float = 0.95,
    noise_check: bool = True,
    progress: bool = False,
) -> SobolResult:
    """Sobol' first-order and total indices of every output of ``model``.

    Parameters
    ----------
    model
        Vectorised model: DataFrame of inputs (one row per run, one column per input) ->
        DataFrame of outputs (one column each) or Series, same rows in the same order.
    inputs
        ``{name: distribution spec}`` in the scenario-file form, e.g. ``{"x": {"dist":
        "uniform", "low": 0, "high": 1}}`` (independent; ``fixed`` inputs are refused).
    n_base
        Base samples N, a power of two; the model runs N (k + 2) times for k inputs.
    seed
        Seeds the scrambled Sobol' sequence and the bootstrap: same seed, same result, on any
        number of workers and with any chunk size.
    scheduler
        ``None`` (``PERMANENT_RESEARCH_SCHEDULER`` or a local cluster), a Dask scheduler
        address, a ``distributed.Client`` or ``"inline"`` (see :mod:`._engine`).
    chunk_size
        Rows per task.
    resamples, conf_level
        Bootstrap resamples and level of the intervals.
    noise_check
        Run the N base rows once more at other row numbers (N more runs) to measure how much
        of each output's variance is the model's own randomness (``SobolResult.noise``).
    progress
        Show a progress bar.

    Returns
    -------
    SobolResult
        ``to_frame()``: output, input, S1, S1_conf, ST, ST_conf; ``convergence``: the indices
        from N/2 and N base samples.

    Raises
    ------
    ParameterError
        Before anything runs: n_base not a power of two (naming the nearest), a bad input
        spec, an unreachable scheduler. While running: the model returns the wrong number of
        rows, or a missing/infinite value (naming the input row).
    """
    n_base = _check_n_base(n_base)
    seed = _integer("seed", seed, 0)
    resamples = _integer("resamples", resamples, 1)
    check_in_range("conf_level", conf_level, 0, 1, low_inclusive=False, high_inclusive=False)
    space = input_space(inputs)
    problem = _problem(space)
    # the design travels as unit-cube points; the workers turn them into inputs
    unit = saltelli_sample(n_base, len(space), seed)
    step = len(space) + 2
    half_rows = (n_base // 2) * step
    with session(scheduler) as where:
        outputs = evaluate(model, design=(space, unit), scheduler=where, chunk_size=chunk_size,
                           progress=progress, description="Sobol' runs")
        if noise_check:
            # base rows again, at row numbers of their own (aligned to the model's random
            # blocks): a deterministic model repeats itself, a stochastic one shows its noise
            align = int(getattr(model, "block_rows", 1) or 1)
            again = evaluate(model, design=(space, unit[::step]), scheduler=where,
                             chunk_size=chunk_size, progress=progress,
                             description="Sobol' noise check",
                             first_row=int(math.ceil(len(unit) / align) * align))
        # indices (with bootstrap) at N, point estimates at N/2, one task per output
        calls = []
        for output in outputs.columns:
            y = outputs[output].to_numpy()
            calls.append((_sobol_indices, problem, y, seed, resamples, conf_level))
            calls.append((_sobol_indices, problem, y[:half_rows], seed, 2, conf_level))
        found = run_tasks(calls, where)
    noise_rows = []
    if noise_check:
        for output in outputs.columns:
            first = outputs[output].to_numpy()[::step]
            spread = float(np.var(outputs[output].to_numpy()))
            share = float(np.var(first - again[output].to_numpy()) / 2 / spread) if (
                spread > 0) else float("nan")
            noise_rows.append({"output": output, "noise_share": share})
    rows, conv = [], []
    for position, output in enumerate(outputs.columns):
        full, half = found[2 * position], found[2 * position + 1]
        for i, name in enumerate(space.names):
            rows.append({"output": output, "input": name, "S1": full["S1"][i],
                         "S1_conf": full["S1_conf"][i], "ST": full["ST"][i],
                         "ST_conf": full["ST_conf"][i]})
            conv.append({"output": output, "input": name, "S1_half": half["S1"][i],
                         "ST_half": half["ST"][i], "S1": full["S1"][i], "ST": full["ST"][i],
                         "change": max(abs(half["S1"][i] - full["S1"][i]),
                                       abs(half["ST"][i] - full["ST"][i]))})
    table_out = pd.DataFrame(rows)
    if table_out[["S1", "ST"]].isna().any().any():
        constant = table_out.loc[table_out["ST"].isna(), "output"].unique()
        warnings.warn(f"output(s) {', '.join(constant)} do not vary: their indices are undefined",
                      stacklevel=2)
    return SobolResult(table=table_out, convergence=pd.DataFrame(conv), n_base=n_base,
                       n_runs=len(unit), seed=seed, conf_level=conf_level,
                       noise=pd.DataFrame(noise_rows, columns=["output", "noise_share"]),
                       outputs=outputs)


def morris(
    model: Callable,
    inputs: Any,
    *,
    trajectories: int,
    levels: int = 4,
    seed: int,
    scheduler: Any = None,
    chunk_size: int = DEFAULT_CHUNK_ROWS,
    progress: bool = False,
) -> MorrisResult:
    """Morris elementary-effects screening of every output of ``model``.

    Parameters
    ----------
    model, inputs, seed, scheduler, chunk_size, progress
        As for :func:`sobol`.
    trajectories
        Number of Morris trajectories r; the model runs r (k + 1) times.
    levels
        Grid levels p (even, >= 2); steps are p / (2 (p - 1)) of each input's quantile range.

    Returns
    -------
    MorrisResult
        ``to_frame()``: output, input, mu_star, sigma, mu, mu_star_conf.
    """
    from SALib.analyze import morris as morris_analyze
    from SALib.sample import morris as morris_sample

    trajectories = _integer("trajectories", trajectories, 2)
    levels = _integer("levels", levels, 2)
    if levels % 2:
        raise ParameterError(f"levels={levels} must be even (Morris' symmetric grid); try "
                             f"{levels + 1}")
    seed = _integer("seed", seed, 0)
    space = input_space(inputs)
    problem = _problem(space)
    unit = morris_sample.sample(problem, trajectories, num_levels=levels, seed=seed)
    outputs = evaluate(model, design=(space, unit), scheduler=scheduler, chunk_size=chunk_size,
                       progress=progress, description="Morris runs")
    rows = []
    for output in outputs.columns:
        found = morris_analyze.analyze(problem, unit, outputs[output].to_numpy(),
                                       num_levels=levels, seed=seed, print_to_console=False)
        for i, name in enumerate(space.names):
            rows.append({"output": output, "input": name, "mu_star": found["mu_star"][i],
                         "sigma": found["sigma"][i], "mu": found["mu"][i],
                         "mu_star_conf": found["mu_star_conf"][i]})
    return MorrisResult(table=pd.DataFrame(rows), trajectories=trajectories, levels=levels,
                        seed=seed, n_runs=len(unit))
