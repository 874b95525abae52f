"""Global sensitivity and scenario discovery for any vectorised model, on Dask.

* :func:`sobol` — Sobol' first-order and total indices with bootstrap intervals and a
  convergence check (SALib); :func:`morris` — Morris mu* and sigma (SALib);
* :func:`sweep` — Monte Carlo runs with rank-correlated inputs (Gaussian copula; marginals kept);
* :func:`prim` — PRIM scenario discovery (EMA workbench) with a plain-language statement;
* :func:`comparison_model` — the temporary-use vs CLT comparison as a vectorised model;
  :func:`what_decides` — all of the above applied to it, with computed sentences.

A *model* is a callable from a DataFrame of inputs (one row per run, one column per input) to a
DataFrame of outputs (or a Series), same rows in the same order. *Inputs* are distributions in
the scenario-file form, e.g. ``{"x": {"dist": "uniform", "low": 0, "high": 1}}``. Runs go to a
``dask.distributed`` cluster in chunks: a local one by default, an existing one when
``scheduler=`` (or the environment variable ``PERMANENT_RESEARCH_SCHEDULER``) gives its
address. The same seed gives the same numbers on any number of workers and any chunk size.
"""

from __future__ import annotations

from permanent_research.sensitivity._comparison import COMPARISON_OUTPUTS, comparison_model
from permanent_research.sensitivity._decides import (
    PUBLIC_GAP,
    WhatDecides,
    check_sensitivity_parameters,
    validate_correlations,
    what_decides,
)
from permanent_research.sensitivity._engine import DEFAULT_CHUNK_ROWS, SCHEDULER_ENV, evaluate
from permanent_research.sensitivity._indices import MorrisResult, SobolResult, morris, sobol
from permanent_research.sensitivity._inputs import BLOCK_ROWS, InputSpace, input_space
from permanent_research.sensitivity._prim import PrimResult, prim
from permanent_research.sensitivity._sweep import SweepResult, sweep

__all__ = [
    "sobol",
    "morris",
    "sweep",
    "prim",
    "evaluate",
    "input_space",
    "comparison_model",
    "COMPARISON_OUTPUTS",
    "what_decides",
    "WhatDecides",
    "PUBLIC_GAP",
    "validate_correlations",
    "check_sensitivity_parameters",
    "SobolResult",
    "MorrisResult",
    "SweepResult",
    "PrimResult",
    "InputSpace",
    "SCHEDULER_ENV",
    "DEFAULT_CHUNK_ROWS",
    "BLOCK_ROWS",
]
