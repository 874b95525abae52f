"""Uncertain inputs: distributions in the scenario-file form, and correlated draws.

An input is ``{"dist": "uniform", "low": 0, "high": 1}`` — the same form and the same inverse-CDF
sampling as a scenario file's ``assumptions:`` entries (scenarios ``Distribution`` and
``DISTRIBUTIONS``);
``source:`` is optional here because the inputs of a test function have none. An input named
like a scenario assumption is validated by the scenario rules (allowed range of its kind).

Correlated inputs use a Gaussian copula: standard normals correlated by ``2 sin(pi r / 6)``
(the Pearson correlation whose rank correlation is ``r``) pass through the normal CDF and then
each input's own inverse CDF, so every marginal is kept exactly and the rank correlations reach
their targets up to sampling error.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from permanent_research.errors import ParameterError
from permanent_research.results import Result
from permanent_research.scenarios import ASSUMPTION_SPECS, DISTRIBUTIONS, Assumptions, Distribution
from permanent_research.scenarios._assumptions import _parse_entry

__all__ = [
    "InputSpace",
    "input_space",
    "BLOCK_ROWS",
]

#: Monte Carlo draws are generated in blocks of this many rows, each from its own stream
#: seeded by ``(seed, block number)``: a row's values depend on the seed and its global row
#: number only, never on how the rows were split into chunks or workers.
BLOCK_ROWS = 1024
# inverse CDFs of unbounded distributions are infinite at 0 and 1
_U_EPS = 2.0**-53


def _number(name: str, field: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ParameterError(f"inputs.{name}: {field}={value!r} is not a number")
    number = float(value)
    if not math.isfinite(number):
        raise ParameterError(f"inputs.{name}: {field}={number!r} is not a finite number")
    return number


def _distribution(name: str, spec: Any) -> Distribution:
    """One validated input (a scenario assumption follows the scenario file's own rules)."""
    if isinstance(spec, Distribution):
        return spec
    if not isinstance(spec, Mapping):
        raise ParameterError(f"inputs.{name}: expected a mapping like {{'dist': 'uniform', "
                             f"'low': 0, 'high': 1}}, found {type(spec).__name__}")
    if name in ASSUMPTION_SPECS:
        entry = dict(spec)
        entry.setdefault("source", "sensitivity input")
        return _parse_entry("inputs", name, entry)
    dist = spec.get("dist")
    if dist not in DISTRIBUTIONS:
        raise ParameterError(f"inputs.{name}: dist={dist!r} is not allowed; choose one of "
                             f"{', '.join(DISTRIBUTIONS)}")
    required, optional = DISTRIBUTIONS[dist]
    allowed = {"dist", "source", "note", *required, *optional}
    unknown = [str(k) for k in spec if k not in allowed]
    if unknown:
        raise ParameterError(f"inputs.{name}: unknown field(s) {', '.join(unknown)} for "
                             f"dist={dist}; allowed: {', '.join(sorted(allowed))}")
    missing = [k for k in required if k not in spec]
    if missing:
        raise ParameterError(f"inputs.{name}: dist={dist} needs {', '.join(required)}; "
                             f"missing {', '.join(missing)}")
    params = {k: _number(name, k, spec[k]) for k in (*required, *optional) if k in spec}
    if dist in ("uniform", "triangular") and params["low"] > params["high"]:
        raise ParameterError(f"inputs.{name}: low={params['low']:g} exceeds "
                             f"high={params['high']:g}; need low <= high")
    if dist == "triangular" and not params["low"] <= params["mode"] <= params["high"]:
        raise ParameterError(f"inputs.{name}: mode={params['mode']:g} is outside [low, high]")
    if dist in ("normal", "lognormal"):
        spread = "sd" if dist == "normal" else "sigma"
        if params[spread] < 0:
            raise ParameterError(f"inputs.{name}: {spread}={params[spread]:g} is negative")
        if dist == "lognormal" and params["median"] <= 0:
            raise ParameterError(f"inputs.{name}: median={params['median']:g} must be > 0")
        params.setdefault("low", -math.inf if dist == "normal" else 0.0)
        params.setdefault("high", math.inf)
        if params["low"] > params["high"]:
            raise ParameterError(f"inputs.{name}: low={params['low']:g} exceeds "
                                 f"high={params['high']:g}")
    source = spec.get("source", "")
    return Distribution(key=name, dist=dist, params=params, source=str(source))


def _correlation(names: Sequence[str], correlations: Any) -> np.ndarray | None:
    """The validated target rank-correlation matrix over ``names`` (None: independent)."""
    if correlations is None:
        return None
    if isinstance(correlations, Mapping) and "matrix" in correlations:
        listed = correlations.get("inputs")
        matrix = correlations["matrix"]
        if listed is None:
            raise ParameterError("correlations: give 'inputs' (the names, in the matrix's order) "
                                 "next to 'matrix'")
        if "source" in correlations and not str(correlations["source"]).strip():
            raise ParameterError("correlations.source is empty: give a URL, a dataset or "
                                 "'assumption'")
        frame = pd.DataFrame(np.asarray(matrix, dtype=float), index=list(listed),
                             columns=list(listed))
    elif isinstance(correlations, pd.DataFrame):
        frame = correlations.astype(float)
        if list(frame.index) != list(frame.columns):
            raise ParameterError("correlations: the matrix's rows and columns must name the same "
                                 "inputs in the same order")
    else:
        raise ParameterError("correlations must be a DataFrame (inputs x inputs) or a mapping "
                             "{inputs: [...], matrix: [[...]], source: ...}")
    values = frame.to_numpy()
    if values.ndim != 2 or values.shape[0] != values.shape[1] or values.shape[0] != len(frame):
        raise ParameterError(f"correlations: the matrix is {values.shape}, need one row and one "
                             f"column per named input ({len(frame)})")
    unknown = [str(n) for n in frame.index if n not in names]
    if unknown:
        raise ParameterError(f"correlations: unknown input(s) {', '.join(unknown)}; inputs are "
                             f"{', '.join(names)}")
    if frame.index.duplicated().any():
        raise ParameterError("correlations: an input is named twice: "
                             f"{', '.join(map(str, frame.index[frame.index.duplicated()]))}")
    if not np.all(np.isfinite(values)):
        raise ParameterError("correlations: the matrix holds a missing or infinite value")
    asym = np.abs(values - values.T)
    if asym.max() > 1e-12:
        i, j = np.unravel_index(int(np.argmax(asym)), asym.shape)
        raise ParameterError(f"correlations: the matrix is not symmetric ({frame.index[i]}, "
                             f"{frame.index[j]}) = {values[i, j]:g} but ({frame.index[j]}, "
                             f"{frame.index[i]}) = {values[j, i]:g}")
    if not np.allclose(np.diag(values), 1.0):
        raise ParameterError("correlations: the diagonal must be 1 (each input with itself)")
    if np.abs(values).max() > 1:
        raise ParameterError("correlations: entries must lie in [-1, 1]")
    smallest = float(np.linalg.eigvalsh(values).min())
    if smallest < -1e-10:
        raise ParameterError(f"correlations: the matrix is not positive semi-definite (smallest "
                             f"eigenvalue {smallest:.3g}); no set of inputs can have these "
                             "correlations")
    full = np.eye(len(names))
    position = [names.index(n) for n in frame.index]
    full[np.ix_(position, position)] = values
    return full


@dataclass(frozen=True)
class InputSpace(Result):
    """Validated uncertain inputs, optionally rank-correlated (build with :func:`input_space`).

    Attributes
    ----------
    distributions
        ``{name: Distribution}`` in the caller's order.
    rank_correlation
        Target Spearman rank-correlation matrix (inputs x inputs), or None (independent).
    """

    distributions: Mapping[str, Distribution]
    rank_correlation: np.ndarray | None = None

    @property
    def names(self) -> list[str]:
        return list(self.distributions)

    def __len__(self) -> int:
        return len(self.distributions)

    def transform(self, unit: np.ndarray) -> pd.DataFrame:
        """Inputs at probabilities ``unit`` (rows x inputs, values in [0, 1])."""
        unit = np.clip(np.asarray(unit, dtype=float), _U_EPS, 1.0 - _U_EPS)
        return pd.DataFrame({name: dist.ppf(unit[:, i])
                             for i, (name, dist) in enumerate(self.distributions.items())})

    def _mixing(self) -> np.ndarray | None:
        if self.rank_correlation is None:
            return None
        pearson = 2.0 * np.sin(np.pi * self.rank_correlation / 6.0)
        values, vectors = np.linalg.eigh(pearson)
        if values.min() < -1e-10:
            raise ParameterError("correlations: the normal-scale matrix 2 sin(pi r / 6) is not "
                                 "positive semi-definite (smallest eigenvalue "
                                 f"{values.min():.3g})")
        return vectors * np.sqrt(np.clip(values, 0.0, None))

    def draw(self, start: int, stop: int, seed: int) -> pd.DataFrame:
        """Monte Carlo draws for global rows ``start`` to ``stop`` (index = row numbers).

        Rows come from blocks of :data:`BLOCK_ROWS`, block ``b`` from the stream seeded by
        ``(seed, b)``, so the same rows are the same numbers however the run is chunked.
        """
        if stop <= start:
            return self.transform(np.empty((0, len(self)))).set_index(pd.RangeIndex(start, start))
        first, last = start // BLOCK_ROWS, (stop - 1) // BLOCK_ROWS
        mixing = self._mixing()
        blocks = []
        for block in range(first, last + 1):
            rng = np.random.default_rng(np.random.SeedSequence([int(seed), block]))
            if mixing is None:
                unit = rng.random((BLOCK_ROWS, len(self)))
            else:
                normal = rng.standard_normal((BLOCK_ROWS, len(self)))
                unit = special.ndtr(normal @ mixing.T)
            blocks.append(unit)
        unit = np.concatenate(blocks)[start - first * BLOCK_ROWS: stop - first * BLOCK_ROWS]
        table = self.transform(unit)
        table.index = pd.RangeIndex(start, stop)
        return table

    def to_frame(self) -> pd.DataFrame:
        """One row per input: name, distribution, 5 %, median, 95 %, source."""
        return pd.DataFrame([
            {"input": name, "distribution": d.describe(), "p05": d.quantile(0.05),
             "median": d.quantile(0.5), "p95": d.quantile(0.95), "source": d.source}
            for name, d in self.distributions.items()])


def input_space(inputs: Any, *, correlations: Any = None,
                allow_fixed: bool = False) -> InputSpace:
    """Validate input distributions (and optional rank correlations) before anything runs.

    Parameters
    ----------
    inputs
        ``{name: {"dist": ..., <parameters>}}`` in the scenario-file form, ``{name:
        Distribution}``, or :class:`~permanent_research.scenarios.Assumptions` (its uncertain
        keys).
    correlations
        ``None`` (independent), a square DataFrame of target rank (Spearman) correlations
        indexed by input names, or the scenario-file form ``{inputs: [...], matrix: [[...]],
        source: ...}``. Inputs it does not name are independent of the others.
    allow_fixed
        Accept ``dist: fixed`` inputs (Monte Carlo sweeps); Sobol' and Morris refuse them.

    Raises
    ------
    ParameterError
        One line: an unknown distribution or field, a missing parameter, a low above its high;
        a correlation matrix that is not symmetric, not positive semi-definite, has a diagonal
        other than 1 or names an unknown input.
    """
    if isinstance(inputs, InputSpace):
        if correlations is None:
            return inputs
        inputs = inputs.distributions
    if isinstance(inputs, Assumptions):
        inputs = {key: inputs[key] for key in inputs.uncertain_keys()}
    if not isinstance(inputs, Mapping) or not inputs:
        raise ParameterError("inputs must be a non-empty mapping name -> distribution, e.g. "
                             "{'x': {'dist': 'uniform', 'low': 0, 'high': 1}}")
    distributions = {str(name): _distribution(str(name), spec) for name, spec in inputs.items()}
    if not allow_fixed:
        fixed = [n for n, d in distributions.items() if d.low == d.high]
        if fixed:
            raise ParameterError(f"inputs {', '.join(fixed)} take a single value; leave them out "
                                 "of the sensitivity inputs (hold them inside the model)")
    names = list(distributions)
    space = InputSpace(distributions=distributions,
                       rank_correlation=_correlation(names, correlations))
    space._mixing()  # the normal-scale matrix must be PSD too: fail now, not on a worker
    return space
