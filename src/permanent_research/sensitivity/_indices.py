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
from permanent_research.sensitivity._engine import evaluate, evaluate_many
from permanent_research.sensitivity._inputs import InputSpace, input_space

__all__ = ["SobolResult", "MorrisResult", "sobol", "morris", "saltelli_sample", "SaltelliDesign",
           "sobol_indices"]


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
    return _saltelli_rows(_base_points(n_base, k, seed, 0, n_base), k)


def _base_points(n_base: int, k: int, seed: int, first: int, stop: int) -> np.ndarray:
    """Points ``first .. stop - 1`` of the scrambled Sobol' sequence in 2k dimensions.

    The same numbers as ``qmc.Sobol(2k, scramble=True, seed=seed).random(n_base)[first:stop]``:
    the sequence is fast-forwarded, not regenerated.
    """
    from scipy.stats import qmc

    engine = qmc.Sobol(d=2 * k, scramble=True, seed=seed)
    if first:
        engine.fast_forward(first)
    with warnings.catch_warnings():
        # a slice of a power-of-two sequence: the full design keeps its balance
        warnings.filterwarnings("ignore", message=".*balance properties.*")
        return engine.random(stop - first)


@dataclass(frozen=True)
class SaltelliDesign:
    """Rows of :func:`saltelli_sample` made where they are needed (on the workers).

    Shipping the design would cost every task its rows (N (k + 2) x k floats in all); a worker
    rebuilds the rows of its chunk from ``(n_base, k, seed)`` instead, bit for bit the same.
    ``base_only`` keeps the base rows A only (N rows: the noise check).
    """

    n_base: int
    k: int
    seed: int
    base_only: bool = False

    def __len__(self) -> int:
        return self.n_base if self.base_only else self.n_base * (self.k + 2)

    def rows(self, start: int, stop: int) -> np.ndarray:
        """Design rows ``start .. stop - 1`` (unit hypercube)."""
        if self.base_only:
            return _base_points(self.n_base, self.k, self.seed, start, stop)[:, :self.k]
        step = self.k + 2
        first, last = start // step, (stop - 1) // step + 1
        block = _saltelli_rows(_base_points(self.n_base, self.k, self.seed, first, last), self.k)
        return block[start - first * step: stop - first * step]


def _saltelli_rows(base: np.ndarray, k: int) -> np.ndarray:
    """Per base point: A, A with column i from B (i = 1 .. k), B."""
    a, b = base[:, :k], base[:, k:]
    design = np.repeat(a[:, None, :], k + 2, axis=1)
    columns = np.arange(k)
    design[:, 1 + columns, columns] = b
    design[:, k + 1, :] = b
    return design.reshape(len(base) * (k + 2), k)


def sobol_indices(y: np.ndarray, k: int, columns: Any = None, *, seed: int, resamples: int,
                  conf_level: float = 0.95) -> dict[str, np.ndarray]:
    """SALib's Sobol' analysis (no second order) of the inputs ``columns`` only.

    The numbers of ``SALib.analyze.sobol.analyze(..., calc_second_order=False, seed=seed)``
    for those inputs (a test holds them equal), with SALib's estimators (Saltelli 2010 first
    order, Jansen total order): the output is normalised over all rows and the bootstrap rows
    are drawn once, as SALib does, so every input gets the same numbers in any split of the
    inputs into tasks. Point estimates call SALib's ``first_order`` and ``total_order``. For
    the bootstrap, SALib's formulas are written out so that what every input shares is computed
    once: the resampled A and B, and the denominator (the variance of the resampled A and B
    together, and SALib's constant-output test), which SALib recomputes for each input and
    estimator; the same operations on the same arrays, so the same numbers, at about a fifth of
    the cost. ``resamples=0`` gives the point estimates only (intervals NaN). Unlike SALib, seed
    0 is a seed too (SALib then draws unseeded).
    """
    from SALib.analyze.sobol import first_order, separate_output_values, total_order
    from scipy.stats import norm

    columns = range(k) if columns is None else columns
    y = np.asarray(y, dtype=float)
    n = y.size // (k + 2)
    y = (y - y.mean()) / y.std()
    a, b, ab, _ = separate_output_values(y, k, n, False)
    found = {key: np.full(len(columns), np.nan) for key in ("S1", "S1_conf", "ST", "ST_conf")}
    if resamples:
        r = np.random.default_rng(seed).integers(n, size=(n, resamples))
        z = norm.ppf(0.5 + conf_level / 2)
        a_r, b_r = a[r], b[r]
        # SALib's first_order / total_order on resampled rows: y = r_[A, B]; a constant y
        # gives zeros (so a zero interval); otherwise numerator / var(y) where var(y) > eps
        both = np.r_[a_r, b_r]
        eps = np.finfo(float).eps
        constant = np.ptp(both) <= eps
        variance = np.var(both, axis=0)
        del both

        def ratio(numerator: np.ndarray) -> np.ndarray:
            return np.divide(numerator, variance, out=np.zeros_like(variance, dtype=np.float64),
                             where=variance > eps)

        # work arrays reused for every input: fresh (n x resamples) temporaries cost a page
        # fault per page each time, more than the arithmetic
        ab_r, diff, work = (np.empty_like(a_r) for _ in range(3))
    with np.errstate(divide="ignore", invalid="ignore"):
        for position, j in enumerate(columns):
            found["S1"][position] = first_order(a, ab[:, j], b)
            found["ST"][position] = total_order(a, ab[:, j], b)
            if resamples:
                if constant:
                    found["S1_conf"][position] = found["ST_conf"][position] = 0.0
                    continue
                # ab_r: the values of ab[r, j]; diff = AB - A, so SALib's B (AB - A) is
                # b_r * diff and its (A - AB)^2 is diff^2 (negation and squaring are exact)
                np.take(np.ascontiguousarray(ab[:, j]), r, out=ab_r)
                np.subtract(ab_r, a_r, out=diff)
                np.multiply(b_r, diff, out=work)
                found["S1_conf"][position] = z * ratio(np.mean(work, axis=0)).std(ddof=1)
                np.square(diff, out=work)
                found["ST_conf"][position] = z * ratio(0.5 * np.mean(work, axis=0)).std(ddof=1)
    return found


def _indices_task(parts: list[pd.DataFrame], stop: int, k: int, columns: Any, seed: int,
                  resamples: int, conf_level: float) -> dict[str, dict[str, np.ndarray]]:
    """:func:`sobol_indices` of every output, from the chunks' outputs (rows ``0 .. stop - 1``).

    The output names are known only once the model has run: one task covers every output.
    """
    return {str(output): sobol_indices(
                np.concatenate([part[output].to_numpy() for part in parts])[:stop], k, columns,
                seed=seed, resamples=resamples, conf_level=conf_level)
            for output in parts[0].columns}


#: Inputs per analysis task (each task covers every output): the bootstrap is split into tasks
#: of this many inputs, dealt round the workers (the numbers do not depend on the split).
#: Smaller tasks repeat more of the work every input shares (on the benchmark's 32 inputs,
#: tasks of 4 cost a third more than tasks of 8).
_INPUTS_PER_TASK = 8


def sobol(
    model: Callable,
    inputs: Any,
    *,
    n_base: int,
    seed: int,
    scheduler: Any = None,
    chunk_size: int | None = None,
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
        Rows per task (default: about four tasks per worker thread, at most 16,384 rows).
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
    k = len(space)
    # the workers make the rows of their chunks from (n_base, k, seed): nothing to ship
    design = SaltelliDesign(n_base, k, seed)
    step = k + 2
    half_rows = (n_base // 2) * step
    groups = [range(i, min(i + _INPUTS_PER_TASK, k)) for i in range(0, k, _INPUTS_PER_TASK)]
    align = int(getattr(model, "block_rows", 1) or 1)
    jobs = [dict(model=model, design=(space, design), chunk_size=chunk_size)]
    if noise_check:
        # base rows again, at row numbers of their own (aligned to the model's random
        # blocks): a deterministic model repeats itself, a stochastic one shows its noise.
        # Queued with the main runs, it fills the workers their last chunks leave idle.
        jobs.append(dict(model=model, design=(space, SaltelliDesign(n_base, k, seed, True)),
                         chunk_size=chunk_size,
                         first_row=int(math.ceil(len(design) / align) * align)))

    def analyses(parts: list[list], sizes: list[list[int]]) -> list[tuple]:
        # bootstrap at N in tasks of a few inputs, point estimates at N/2 from the chunks that
        # hold the first half: each starts on a worker once its chunks are done, and reads
        # them there (the chunks' outputs do not travel through this process first)
        main, rows = parts[0], np.cumsum(sizes[0])
        first_half = main[:int(np.searchsorted(rows, half_rows)) + 1]
        calls = [(_indices_task, main, len(design), k, group, seed, resamples, conf_level)
                 for group in groups]
        return calls + [(_indices_task, first_half, half_rows, k, None, seed, 0, conf_level)]

    (outputs, *rest), found_parts = evaluate_many(
        jobs, scheduler=scheduler, progress=progress, description="Sobol' runs", then=analyses)
    again = rest[0] if noise_check else None
    found = []
    for output in outputs.columns:
        found.append({key: np.concatenate([part[output][key] for part in found_parts[:-1]])
                      for key in found_parts[0][output]})
        found.append(found_parts[-1][output])
    noise_rows = []
    if noise_check:
        for output in outputs.columns:
            # contiguous copies: a column of a frame may be a strided view, and numpy sums a
            # strided array in another order (last-bit differences between runs)
            values = np.ascontiguousarray(outputs[output].to_numpy())
            first = values[::step]
            spread = float(np.var(values))
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
                       n_runs=len(design), seed=seed, conf_level=conf_level,
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
    chunk_size: int | None = None,
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
