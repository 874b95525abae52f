"""The temporary-use vs CLT comparison as a vectorised model: a table of inputs -> outputs.

Each row of the input table fixes the scenario's uncertain inputs for one run; the run itself is
:func:`permanent_research.scenarios.simulate` (unchanged), which still draws what it draws per
event and per year: the length of every occupation and every gap (``occupation_years``,
``gap_years``) and the yearly market shocks. That randomness is seeded per block of
``block_rows`` global rows from ``(seed, block number)``, so a row's outputs depend on its
inputs, the seed and its row number only — not on how the rows are chunked or on how many
workers run them. Because it stays inside the model, ``occupation_years`` and ``gap_years`` are
not inputs of the table: their share of the variance is in no index (1 − ΣS1 includes it).

The public-cost output is a present value: each run's public outlay is discounted at the
scenario's real rate, the value still locked in at the horizon (the terminal value) is
discounted and subtracted, and the sum is divided by the discounted affordable household-years
(``pv_net_public_cost_per_affordable_year_eur`` of :func:`~permanent_research.scenarios.simulate`,
the figure notebook 06 reports as the present-value public cost).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from permanent_research.discounting import check_rate
from permanent_research.errors import ParameterError
from permanent_research.scenarios import ASSUMPTION_SPECS, Assumptions, Distribution, simulate

__all__ = ["COMPARISON_OUTPUTS", "EVENT_KEYS", "PV_PUBLIC_COST_METRIC", "comparison_model",
           "ComparisonModel"]

#: Assumptions drawn anew for every occupation or gap inside a run (not per-run inputs).
EVENT_KEYS: tuple[str, ...] = ("occupation_years", "gap_years")

#: The simulate() metric behind the public-cost output: present value at the run's rate, net of
#: the discounted terminal value, per discounted affordable household-year.
PV_PUBLIC_COST_METRIC = "pv_net_public_cost_per_affordable_year_eur"

COMPARISON_OUTPUTS: dict[str, str] = {
    "pv_public_cost_gap_eur_per_affordable_year": (
        "households: present-value public cost per affordable household-year (outlay minus "
        "the terminal value, discounted at the scenario's rate), CLT minus temporary use "
        "(EUR of the base year); > 0 means temporary use costs the public less"),
    "studio_cost_gap_eur_m2_year": (
        "artists' studios: occupant's cost, CLT minus temporary use (EUR/m²/year)"),
    "forced_moves_gap": "households: forced moves over the horizon, temporary use minus CLT",
    "clt_cost_to_income": (
        "households in the CLT: mean yearly cost over the given income (base-year income times "
        "household_equivalence_scale; only when income_eur_year is given)"),
}


@dataclass(frozen=True)
class _RowValues(Distribution):
    """An input whose value is given per run (the model asks for as many values as runs)."""

    values: np.ndarray = field(default=None, repr=False)

    def ppf(self, u):  # noqa: D102 - Distribution.ppf
        u = np.asarray(u)
        if u.shape != self.values.shape:
            raise RuntimeError(f"simulate drew {self.key} {u.shape} times for "
                               f"{self.values.shape} runs: the row-wise wrapper no longer fits")
        return self.values


@dataclass(frozen=True)
class ComparisonModel:
    """Callable: DataFrame of uncertain inputs -> DataFrame of :data:`COMPARISON_OUTPUTS`.

    Build with :func:`comparison_model`. ``inputs`` holds the distributions of the table's
    columns (for :func:`~permanent_research.sensitivity.sobol` and friends).
    """

    assumptions: Assumptions = field(repr=False)
    seed: int
    block_rows: int = 4096
    income_eur_year: float | None = None
    horizon_years: int | None = None
    discount_rate: float | None = None

    @property
    def inputs(self) -> dict[str, Distribution]:
        """The uncertain inputs (scenario distributions) the table must hold."""
        return {k: self.assumptions[k] for k in self.assumptions.uncertain_keys()
                if k not in EVENT_KEYS}

    @property
    def outputs(self) -> list[str]:
        names = list(COMPARISON_OUTPUTS)
        return names if self.income_eur_year is not None else names[:-1]

    def _block(self, table: pd.DataFrame, block: int) -> pd.DataFrame:
        items = dict(self.assumptions.items)
        for key in table.columns:
            old = items[key]
            items[key] = _RowValues(key, "given", {}, old.source,
                                    values=table[key].to_numpy(dtype=float))
        result = simulate(Assumptions(items=items, source=self.assumptions.source),
                          n_draws=len(table), horizon_years=self.horizon_years,
                          seed=np.random.default_rng(np.random.SeedSequence([self.seed, block])),
                          path_draws=1, discount_rate=self.discount_rate)
        out = {
            "pv_public_cost_gap_eur_per_affordable_year": (
                result.metric("household", "permanent_clt", PV_PUBLIC_COST_METRIC)
                - result.metric("household", "temporary_use", PV_PUBLIC_COST_METRIC)),
            "studio_cost_gap_eur_m2_year": (
                result.metric("studio", "permanent_clt", "cost_eur_m2_year")
                - result.metric("studio", "temporary_use", "cost_eur_m2_year")),
            "forced_moves_gap": (result.metric("household", "temporary_use", "forced_moves")
                                 - result.metric("household", "permanent_clt", "forced_moves")),
        }
        if self.income_eur_year is not None:
            area = (table["unit_area_home_m2"].to_numpy() if "unit_area_home_m2" in table
                    else self.assumptions["unit_area_home_m2"].quantile(0.5))
            scale = (table["household_equivalence_scale"].to_numpy()
                     if "household_equivalence_scale" in table
                     else self.assumptions["household_equivalence_scale"].quantile(0.5))
            out["clt_cost_to_income"] = (
                result.metric("household", "permanent_clt", "cost_eur_m2_year") * area
                / (self.income_eur_year * scale))
        return pd.DataFrame(out, index=table.index)

    def __call__(self, table: pd.DataFrame) -> pd.DataFrame:
        if not isinstance(table, pd.DataFrame):
            raise ParameterError("the comparison model takes a DataFrame of inputs")
        unknown = [c for c in table.columns if c not in ASSUMPTION_SPECS]
        if unknown:
            raise ParameterError(f"unknown input column(s) {', '.join(map(str, unknown))}; "
                                 f"inputs are scenario assumptions: {', '.join(self.inputs)}")
        events = [c for c in table.columns if c in EVENT_KEYS]
        if events:
            raise ParameterError(f"{', '.join(events)} are drawn for every occupation or gap "
                                 "inside a run; set them in the scenario, not per run")
        index = table.index
        if not (pd.api.types.is_integer_dtype(index) and index.is_monotonic_increasing
                and index.is_unique):
            raise ParameterError("the input table's index must be increasing global row "
                                 "numbers (it seeds the model's own randomness)")
        blocks = np.asarray(index) // self.block_rows
        parts = []
        for block in np.unique(blocks):
            rows = table[blocks == block]
            parts.append(self._block(rows, int(block)))
        return pd.concat(parts) if parts else pd.DataFrame(columns=self.outputs, index=index)


def comparison_model(
    assumptions: Assumptions,
    *,
    seed: int = 20261126,
    income_eur_year: float | None = None,
    horizon_years: int | None = None,
    discount_rate: float | None = None,
    block_rows: int = 4096,
) -> ComparisonModel:
    """The comparison as a vectorised model for Sobol', Morris, sweeps and PRIM.

    Parameters
    ----------
    assumptions
        A validated scenario (:func:`~permanent_research.scenarios.load_assumptions`). Its
        uncertain inputs (except :data:`EVENT_KEYS`) are ``model.inputs``; an input the table
        leaves out is drawn by the model from its scenario distribution (per block, like the
        events); fix it in ``assumptions`` (``with_fixed``) to hold it constant.
    seed
        Seeds the model's own randomness (occupation lengths, gaps, market shocks) per block
        of rows.
    income_eur_year
        Equivalised disposable income (EUR/year) of the household whose cost-to-income ratio
        is reported, e.g. the lowest eligible decile's; None leaves that output out.
    horizon_years
        Horizon (default: the scenario's).
    discount_rate
        Real annual rate of the present-value public cost (the scenario's ``money:`` section's
        ``discount_rate``); None: :data:`~permanent_research.scenarios.DEFAULT_DISCOUNT_RATE`.
    block_rows
        Rows sharing one random stream; chunks of a Dask run are cut at multiples of it.

    Returns
    -------
    ComparisonModel
        ``model(table)`` -> DataFrame of :data:`COMPARISON_OUTPUTS`; ``model.inputs``.
    """
    if not isinstance(assumptions, Assumptions):
        raise ParameterError("assumptions must come from validate_assumptions(...) or "
                             "load_assumptions(...)")
    if isinstance(block_rows, bool) or not isinstance(block_rows, (int, np.integer)) or (
            block_rows < 1):
        raise ParameterError(f"block_rows={block_rows!r} must be an integer >= 1")
    if income_eur_year is not None and not float(income_eur_year) > 0:
        raise ParameterError(f"income_eur_year={income_eur_year!r} must be > 0")
    if discount_rate is not None:
        discount_rate = float(check_rate(discount_rate))
    return ComparisonModel(assumptions=assumptions, seed=int(seed), block_rows=int(block_rows),
                           income_eur_year=None if income_eur_year is None
                           else float(income_eur_year), horizon_years=horizon_years,
                           discount_rate=discount_rate)

