"""Monte Carlo sweeps of any vectorised model, with correlated inputs, on Dask."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from permanent_research._validation import check_choice, check_in_range
from permanent_research.errors import ParameterError
from permanent_research.results import Result
from permanent_research.sensitivity._engine import evaluate
from permanent_research.sensitivity._inputs import input_space

__all__ = ["SweepResult", "sweep"]


@dataclass(frozen=True)
class SweepResult(Result):
    """Monte Carlo runs: the inputs drawn and the model's outputs (build with :func:`sweep`).

    Attributes
    ----------
    runs
        One row per run: every input, then every output.
    inputs, outputs
        Column names of each kind.
    seed
        The sweep's seed.
    """

    runs: pd.DataFrame
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    seed: int
    _title = "Monte Carlo sweep"

    @property
    def n_runs(self) -> int:
        return len(self.runs)

    def to_frame(self) -> pd.DataFrame:
        """Quantiles of every output: output, mean, p05, p50, p95."""
        out = self.runs[list(self.outputs)]
        return pd.DataFrame({"output": list(self.outputs), "mean": out.mean().to_numpy(),
                             "p05": out.quantile(0.05).to_numpy(),
                             "p50": out.quantile(0.5).to_numpy(),
                             "p95": out.quantile(0.95).to_numpy()})

    def summary(self) -> str:
        """Run count, seed and output quantiles."""
        return (f"{self.n_runs:,} runs of {len(self.inputs)} inputs, seed {self.seed}\n"
                + self.to_frame().to_string(index=False, float_format=lambda v: f"{v:,.4g}"))

    def rank_correlation(self) -> pd.DataFrame:
        """Spearman rank correlations among the inputs as drawn."""
        return self.runs[list(self.inputs)].corr(method="spearman")

    def tornado(self, output: str | None = None, *, quantiles: tuple[float, float] = (0.1, 0.9)
                ) -> pd.DataFrame:
        """Swing of ``output`` between runs with each input low and high, from these runs.

        For every input: the mean output over the runs where the input is below its
        ``quantiles[0]`` quantile and over those above its ``quantiles[1]`` quantile (every
        other input varying as drawn), and the swing between them; largest swing first.
        """
        output = self.outputs[0] if output is None else output
        check_choice("output", output, self.outputs)
        low_q, high_q = quantiles
        check_in_range("quantiles[0]", low_q, 0, 0.5, high_inclusive=False)
        check_in_range("quantiles[1]", high_q, 0.5, 1, low_inclusive=False)
        y = self.runs[output].to_numpy()
        rows = []
        for name in self.inputs:
            x = self.runs[name].to_numpy()
            low, high = np.quantile(x, (low_q, high_q))
            if low == high:
                continue
            at_low, at_high = float(y[x <= low].mean()), float(y[x >= high].mean())
            rows.append({"input": name, "low_value": low, "high_value": high,
                         "outcome_at_low": at_low, "outcome_at_high": at_high,
                         "swing": abs(at_high - at_low)})
        return pd.DataFrame(rows).sort_values("swing", ascending=False, ignore_index=True)

    def plot(self, output: str | None = None):
        """Histogram of one output (default: the first)."""
        from permanent_research.plots import new_figure

        output = self.outputs[0] if output is None else output
        check_choice("output", output, self.outputs)
        figure, ax = new_figure()
        ax.hist(self.runs[output], bins=60)
        ax.set_xlabel(output)
        ax.set_ylabel("runs")
        return figure


def sweep(
    model: Callable,
    inputs: Any,
    *,
    n_runs: int,
    seed: int,
    correlations: Any = None,
    scheduler: Any = None,
    chunk_size: int | None = None,
    progress: bool = False,
) -> SweepResult:
    """Run ``model`` on ``n_runs`` Monte Carlo draws of (possibly correlated) inputs.

    Draws are made on the workers, chunk by chunk, from streams seeded by the seed and the
    global row number: the same seed gives the same runs, bit for bit, on any number of
    workers and with any chunk size.

    Parameters
    ----------
    model
        Vectorised model (see :func:`~permanent_research.sensitivity.sobol`).
    inputs
        ``{name: distribution spec}`` in the scenario-file form (``fixed`` allowed).
    n_runs, seed
        Number of runs and seed.
    correlations
        Target rank correlations (see :func:`~permanent_research.sensitivity.input_space`).
    scheduler, chunk_size, progress
        Where and how to run (see :func:`~permanent_research.sensitivity.sobol`).

    Raises
    ------
    ParameterError
        Before anything runs: bad input specs, a correlation matrix that is not symmetric, not
        positive semi-definite or names unknown inputs; an unreachable scheduler.
    """
    if isinstance(n_runs, bool) or not isinstance(n_runs, (int, np.integer)) or n_runs < 1:
        raise ParameterError(f"n_runs={n_runs!r} must be an integer >= 1")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ParameterError(f"seed={seed!r} must be a non-negative integer")
    space = input_space(inputs, correlations=correlations, allow_fixed=True)
    runs = evaluate(model, draws=(space, int(seed), int(n_runs)), scheduler=scheduler,
                    chunk_size=chunk_size, progress=progress, description="Monte Carlo runs")
    outputs = tuple(c for c in runs.columns if c not in space.names)
    return SweepResult(runs=runs, inputs=tuple(space.names), outputs=outputs, seed=int(seed))
