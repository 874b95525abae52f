"""What decides the comparison: Sobol', Morris and PRIM on the temporary-use vs CLT model.

:func:`what_decides` runs, on one cluster:

* Sobol' indices (first-order and total, bootstrap intervals, convergence and noise checks) and
  Morris screening of :data:`~permanent_research.sensitivity.COMPARISON_OUTPUTS`, inputs
  independent (the indices' assumption);
* a Monte Carlo sweep with the scenario's rank correlations (``correlations:`` section), from
  which come the share of runs where each model costs the public less (present value at the
  scenario's discount rate, net of the terminal value), a tornado of conditional
  means, and PRIM boxes for "temporary use costs the public less" and for the opposite;
* sentences computed from all of these.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from permanent_research.errors import ParameterError, ScenarioError
from permanent_research.results import Result
from permanent_research.scenarios import ASSUMPTION_SPECS, DEFAULT_DISCOUNT_RATE, Assumptions
from permanent_research.sensitivity._comparison import comparison_model
from permanent_research.sensitivity._engine import describe, run_tasks, session
from permanent_research.sensitivity._indices import MorrisResult, SobolResult, morris, sobol
from permanent_research.sensitivity._inputs import _correlation
from permanent_research.sensitivity._prim import PrimResult, prim
from permanent_research.sensitivity._sweep import SweepResult, sweep

__all__ = ["validate_correlations", "WhatDecides", "what_decides", "PUBLIC_GAP",
           "check_sensitivity_parameters"]

PUBLIC_GAP = "pv_public_cost_gap_eur_per_affordable_year"
_SHORT = {
    PUBLIC_GAP: ("the present-value public cost per affordable household-year (CLT minus "
                 "temporary use)"),
    "studio_cost_gap_eur_m2_year": "the studio cost gap (CLT minus temporary use)",
    "forced_moves_gap": "the extra forced moves of temporary use",
    "clt_cost_to_income": "the CLT household's cost-to-income ratio",
}


def validate_correlations(mapping: Any, *, source: str = "scenario") -> pd.DataFrame:
    """Check a scenario file's ``correlations:`` section; return the matrix as a frame.

    The section reads::

        correlations:
          inputs: [market_rent_home_eur_m2_month, market_price_eur_m2]
          matrix: [[1, 0.6], [0.6, 1]]
          source: assumption      # a URL, a dataset name or "assumption"

    Raises
    ------
    ScenarioError
        One line: a missing field or source, an input that is not an assumption key, a matrix
        that is not square, not symmetric, not positive semi-definite or has a diagonal other
        than 1.
    """
    if not isinstance(mapping, Mapping):
        raise ScenarioError(f"{source}: correlations must be a mapping with inputs, matrix and "
                            f"source; found {type(mapping).__name__}")
    missing = [k for k in ("inputs", "matrix", "source") if k not in mapping]
    if missing:
        raise ScenarioError(f"{source}: correlations: missing {', '.join(missing)} (need "
                            "inputs, matrix and source)")
    unknown = [k for k in mapping if k not in ("inputs", "matrix", "source", "note")]
    if unknown:
        raise ScenarioError(f"{source}: correlations: unknown field(s) {', '.join(unknown)}; "
                            "allowed: inputs, matrix, source, note")
    names = list(mapping["inputs"])
    try:
        full = _correlation(list(ASSUMPTION_SPECS), mapping)
    except ParameterError as error:
        raise ScenarioError(f"{source}: {error}") from None
    position = [list(ASSUMPTION_SPECS).index(n) for n in names]
    return pd.DataFrame(full[np.ix_(position, position)], index=names, columns=names)


def check_sensitivity_parameters(*, n_base: int, trajectories: int, n_runs: int, seed: int,
                                 scheduler: str = "") -> None:
    """Check a notebook's sensitivity parameters (one-line :class:`ParameterError`).

    ``n_base`` a power of two in [64, 2^16], ``trajectories`` in [4, 10,000], ``n_runs`` in
    [1,000, 2,000,000], ``seed`` >= 0, ``scheduler`` a string ("" for the default).
    """
    from permanent_research._validation import check_in_range
    from permanent_research.sensitivity._indices import _check_n_base

    for name, value, low, high in (("n_base", n_base, 64, 2**16),
                                   ("trajectories", trajectories, 4, 10_000),
                                   ("n_runs", n_runs, 1_000, 2_000_000),
                                   ("seed", seed, 0, None)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise ParameterError(f"{name}={value!r} must be an integer")
        check_in_range(name, value, low, high)
    _check_n_base(n_base)
    if not isinstance(scheduler, str):
        raise ParameterError(f"scheduler={scheduler!r} must be a string: '' (default), "
                             "'inline' or a scheduler address such as 'tcp://host:8786'")


def _listing(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


@dataclass(frozen=True)
class WhatDecides(Result):
    """Sobol', Morris, the correlated sweep and PRIM boxes for the comparison.

    Build with :func:`what_decides`. ``to_frame()`` is the Sobol' table; ``sentences()`` the
    computed statements.
    """

    sobol: SobolResult = field(repr=False)
    morris: MorrisResult = field(repr=False)
    sweep: SweepResult = field(repr=False)
    prim_temporary: PrimResult | None = field(repr=False)
    prim_clt: PrimResult | None = field(repr=False)
    scenario: str = "scenario"
    discount_rate: float = DEFAULT_DISCOUNT_RATE
    #: Where the runs ran, in words ("in this process", "on a local Dask cluster of 2 worker
    #: processes", ...): the numbers do not depend on it.
    engine: str = "in this process"
    _title = "What decides the comparison"

    @property
    def temporary_share(self) -> float:
        """Share of Monte Carlo runs where temporary use costs the public less (present value)."""
        return float((self.sweep.runs[PUBLIC_GAP] > 0).mean())

    def top_inputs(self, output: str = PUBLIC_GAP, n: int = 3) -> list[str]:
        """The ``n`` inputs with the largest first-order Sobol' index for ``output``.

        First-order indices rank here because the model's own randomness inflates every total
        index by about the same share (see ``SobolResult.noise``).
        """
        return self.sobol.ranking(output, by="S1")[:n]

    def tornado(self, output: str = PUBLIC_GAP) -> pd.DataFrame:
        """Conditional-mean tornado of ``output`` from the correlated sweep."""
        return self.sweep.tornado(output)

    def sentences(self) -> list[str]:
        """Computed statements: what matters most, and when each model wins."""
        table = self.sobol.to_frame().set_index(["output", "input"])
        lines = []
        for output in self.sobol.table["output"].unique():
            top = self.top_inputs(output)
            # estimates of small indices can be slightly negative, sums slightly above 1
            explained = float(np.clip(sum(table.loc[(output, name), "S1"] for name in top),
                                      0.0, 1.0))
            parts = [f"{name} (S1 {table.loc[(output, name), 'S1']:.2f})" for name in top]
            lines.append(f"For {_SHORT.get(output, output)}, the three inputs that matter most "
                         f"are {_listing(parts)}: alone they explain about {explained:.0%} of its "
                         "variance.")
        share = self.temporary_share
        lines.append(f"In present value (discounted at {self.discount_rate:.1%} a year, net of "
                     "the value still locked in at the horizon), temporary use costs the public "
                     f"less per affordable household-year in {share:.0%} of "
                     f"{self.sweep.n_runs:,} runs of the {self.scenario} scenario; the CLT in "
                     f"{1 - share:.0%}.")
        for box in (self.prim_temporary, self.prim_clt):
            if box is not None:
                lines.append(box.statement())
        return lines

    def to_frame(self) -> pd.DataFrame:
        """The Sobol' table (output, input, S1, S1_conf, ST, ST_conf)."""
        return self.sobol.to_frame()

    def summary(self) -> str:
        """The sentences, then the Sobol' summary."""
        return "\n".join([f"What decides the comparison ({self.scenario})", *self.sentences(),
                          "", self.sobol.summary()])

    def plot(self, output: str = PUBLIC_GAP):
        """Sobol' bars of ``output``."""
        return self.sobol.plot(output)


def _prim_box(x: pd.DataFrame, selected: np.ndarray, min_density: float, label: str,
              units: Mapping[str, str]) -> PrimResult:
    return prim(x, selected, min_density=min_density, label=label, units=units)


def what_decides(
    assumptions: Assumptions,
    *,
    n_base: int = 2**12,
    trajectories: int = 100,
    n_runs: int = 20_000,
    seed: int = 20261201,
    correlations: Any = None,
    income_eur_year: float | None = None,
    discount_rate: float | None = None,
    scheduler: Any = None,
    chunk_size: int | None = None,
    min_density: float = 0.8,
    progress: bool = False,
) -> WhatDecides:
    """Which assumptions decide the comparison, and where the line between the models lies.

    Parameters
    ----------
    assumptions
        A validated scenario (its uncertain inputs vary; ``occupation_years`` and ``gap_years``
        stay inside each run, drawn per occupation).
    n_base, trajectories, n_runs
        Sobol' base samples (a power of two), Morris trajectories, Monte Carlo runs for PRIM.
    seed
        One seed for everything (the model's own randomness, the designs, the bootstrap).
    correlations
        Rank correlations for the Monte Carlo sweep (a scenario's ``correlations:`` section,
        or a frame); Sobol' and Morris keep the inputs independent.
    income_eur_year
        Equivalised income for the CLT cost-to-income output (None: left out).
    discount_rate
        Real annual rate of the present-value public cost: the scenario's (``money:``
        section); None: :data:`~permanent_research.scenarios.DEFAULT_DISCOUNT_RATE`.
    scheduler, chunk_size, progress
        Where and how to run (see :func:`~permanent_research.sensitivity.sobol`).
    min_density
        Density the PRIM boxes must reach (raised to halfway between the share of all runs and
        100 % when that is higher, so a box always concentrates its outcome).

    Returns
    -------
    WhatDecides
    """
    if not isinstance(assumptions, Assumptions):
        raise ParameterError("assumptions must come from load_assumptions(...) or "
                             "validate_assumptions(...)")
    model = comparison_model(assumptions, seed=seed, income_eur_year=income_eur_year,
                             discount_rate=discount_rate)
    inputs = model.inputs
    if isinstance(correlations, Mapping) and "matrix" in correlations:
        correlations = validate_correlations(correlations, source=assumptions.source)
    options = dict(chunk_size=chunk_size, progress=progress)
    with session(scheduler) as where:
        engine = describe(where)
        found_sobol = sobol(model, inputs, n_base=n_base, seed=seed, scheduler=where, **options)
        found_morris = morris(model, inputs, trajectories=trajectories, seed=seed,
                              scheduler=where, **options)
        runs = sweep(model, inputs, n_runs=n_runs, seed=seed, correlations=correlations,
                     scheduler=where, **options)
        x = runs.runs[list(runs.inputs)]
        gap = runs.runs[PUBLIC_GAP].to_numpy()
        units = {k: ASSUMPTION_SPECS[k].unit for k in runs.inputs if k in ASSUMPTION_SPECS
                 and ASSUMPTION_SPECS[k].unit not in ("fraction", "ratio", "probability")}
        calls, names = [], []
        for name, selected, label in (
                ("temporary", gap > 0, "temporary use costs the public less in present value"),
                ("clt", gap <= 0, "the CLT costs the public less in present value")):
            if not 0 < selected.sum() < len(selected):
                continue
            # a box worth stating is clearly denser than all runs: at least halfway from the
            # share of all runs to 100 %
            target = max(min_density, (1 + float(selected.mean())) / 2)
            calls.append((_prim_box, x, selected, target, label, units))
            names.append(name)
        # the two boxes are independent: two tasks, side by side on a cluster
        boxes = dict.fromkeys(("temporary", "clt")) | dict(zip(names, run_tasks(calls, where),
                                                                strict=True))
    # a scenario file's section is named "<path>:assumptions"; the reader wants its name
    source = re.sub(r":assumptions$", "", str(assumptions.source))
    return WhatDecides(sobol=found_sobol, morris=found_morris, sweep=runs,
                       prim_temporary=boxes["temporary"], prim_clt=boxes["clt"],
                       scenario=Path(source).stem or source, engine=engine,
                       discount_rate=(DEFAULT_DISCOUNT_RATE if model.discount_rate is None
                                      else model.discount_rate))
