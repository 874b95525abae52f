"""Present values at a real social discount rate: factors, present value, annuity, terminal value.

All amounts are real euros of the scenario's base year (convert first with
:mod:`permanent_research.prices`); the rate is therefore a *real* rate.

Timing convention
-----------------
A flow of model year ``t`` (``t = 0`` is the base year) is discounted by ``(1 + r)^-t`` with
``timing="start"`` (the default: the base year's flows are not discounted) or by
``(1 + r)^-(t+1)`` with ``timing="end"`` (flows at the end of each year). A value held at the
horizon ``H`` (dwellings, subsidy locked in) is discounted by ``(1 + r)^-H``: it is valued at
the end of the last modelled year.

Rates are checked once: a rate ≤ −1 makes the factor undefined and a real rate above 20 % is
outside any social discount rate in use (one-line :class:`ParameterError`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

import numpy as np
import pandas as pd

from permanent_research._validation import check_choice, check_columns
from permanent_research.errors import DataError, ParameterError
from permanent_research.results import Result

__all__ = [
    "Timing",
    "TIMINGS",
    "RATE_LIMITS",
    "REFERENCE_RATES",
    "check_rate",
    "discount_factors",
    "present_value",
    "annuity_factor",
    "annuity",
    "terminal_value",
    "PresentValueTable",
    "present_value_table",
]

Timing = Literal["start", "end"]
TIMINGS: tuple[str, ...] = ("start", "end")
RATE_LIMITS = (-1.0, 0.2)  # (exclusive low, inclusive high)

# Rates shown side by side with the scenario's own rate; each with where it comes from.
REFERENCE_RATES: Mapping[float, str] = MappingProxyType(
    {
        0.0: "undiscounted (cash totals)",
        0.02: "low-rate sensitivity (no single official source)",
        0.03: "European Commission, Guide to Cost-Benefit Analysis of Investment Projects "
        "(2014), reference real rate for non-cohesion member states",
        0.035: "HM Treasury, The Green Book (2022), real social time preference rate, "
        "years 0-30",
    }
)


def check_rate(rate: float | np.ndarray, name: str = "discount_rate") -> float | np.ndarray:
    """Return the rate(s) if every value lies in (−1, 0.2]; otherwise a one-line error."""
    values = np.asarray(rate, dtype=float)
    low, high = RATE_LIMITS
    bad = ~np.isfinite(values) | (values <= low) | (values > high)
    if bad.any():
        first = values[bad].flat[0] if values.ndim else float(values)
        raise ParameterError(
            f"{name}={first!r} is outside the allowed range ({low:g}, {high:g}] "
            "(a real annual rate, e.g. 0.03)"
        )
    return float(values) if values.ndim == 0 else values


def _elapsed(years: int | Sequence[int] | np.ndarray, timing: str) -> np.ndarray:
    check_choice("timing", timing, TIMINGS)
    if np.ndim(years) == 0:
        count = int(years)  # type: ignore[arg-type]
        if count < 0 or count != years:
            raise ParameterError(f"years={years!r} must be a whole number ≥ 0")
        t = np.arange(count, dtype=float)
    else:
        t = np.asarray(years, dtype=float)
        if (t < 0).any() or not np.isfinite(t).all():
            raise ParameterError("years: elapsed years must be finite and ≥ 0")
    return t + (1.0 if timing == "end" else 0.0)


def discount_factors(
    rate: float | np.ndarray,
    years: int | Sequence[int] | np.ndarray,
    *,
    timing: Timing = "start",
) -> np.ndarray:
    """Discount factors ``(1 + r)^-t``.

    Parameters
    ----------
    rate
        Real annual rate (fraction, e.g. 0.03), or one rate per draw (shape ``(n,)``).
    years
        Number of model years ``n`` (factors for ``t = 0 … n−1``) or the elapsed years
        themselves.
    timing
        ``"start"`` (year ``t`` discounted ``t`` times) or ``"end"`` (``t + 1`` times).

    Returns
    -------
    numpy.ndarray
        Shape ``(n_years,)`` for a scalar rate, ``(n_draws, n_years)`` for one rate per draw.
    """
    r = np.asarray(check_rate(rate), dtype=float)
    t = _elapsed(years, timing)
    if r.ndim == 0:
        return np.power(1.0 + r, -t)
    return np.power(1.0 + r[:, None], -t[None, :])


def present_value(
    flows: Sequence[float] | np.ndarray,
    rate: float | np.ndarray,
    *,
    timing: Timing = "start",
) -> float | np.ndarray:
    """Present value of yearly flows: ``Σ_t flow_t (1 + r)^-t``.

    Parameters
    ----------
    flows
        Real euros by model year along the last axis: shape ``(n_years,)`` or
        ``(n_draws, n_years)`` (vectorised over Monte Carlo draws).
    rate
        Scalar rate, or one rate per draw (shape ``(n_draws,)``).
    timing
        See :func:`discount_factors`.

    Returns
    -------
    float or numpy.ndarray
        One value, or one per draw. At a 0 % rate it equals the undiscounted total.
    """
    values = np.asarray(flows, dtype=float)
    if values.ndim == 0 or values.shape[-1] == 0:
        raise ParameterError("flows: need at least one year of flows (last axis)")
    r = np.asarray(check_rate(rate), dtype=float)
    check_choice("timing", timing, TIMINGS)
    if r.ndim == 0:
        factors = discount_factors(float(r), values.shape[-1], timing=timing)
        result = values @ factors  # one matrix-vector product: fast over many draws
    else:
        if values.ndim != 2 or r.ndim != 1 or values.shape[0] != r.shape[0]:
            raise ParameterError(
                f"flows of shape {values.shape} and {r.shape[0]} rates: one rate per row "
                "of a (draws, years) array"
            )
        # Horner's rule over the years: no (draws x years) factor matrix is built
        v = 1.0 / (1.0 + r)
        result = np.zeros(values.shape[0])
        for t in range(values.shape[1] - 1, -1, -1):
            result = result * v + values[:, t]
        if timing == "end":
            result = result * v
    return float(result) if np.ndim(result) == 0 else result


def annuity_factor(rate: float | np.ndarray, years: int, *, timing: Timing = "start"):
    """Present value of 1 € a year for ``years`` years (``years`` at a 0 % rate).

    Closed form ``(1 − v^n) / (1 − v)`` with ``v = 1 / (1 + r)`` (times ``v`` for
    ``timing="end"``), computed as ``−expm1(−n·log1p(r))·(1 + r)/r`` so that rates near 0 keep
    their precision; exactly ``n`` at 0.
    """
    count = int(years)
    if count < 1 or count != years:
        raise ParameterError(f"years={years!r} must be a whole number ≥ 1")
    check_choice("timing", timing, TIMINGS)
    r = np.asarray(check_rate(rate), dtype=float)
    tiny = np.abs(r) < 1e-12
    safe = np.where(tiny, 1.0, r)
    factor = np.where(tiny, float(count), -np.expm1(-count * np.log1p(safe)) * (1 + safe) / safe)
    if timing == "end":
        factor = factor / (1.0 + r)
    return float(factor) if factor.ndim == 0 else factor


def annuity(
    present: float | np.ndarray,
    rate: float | np.ndarray,
    years: int,
    *,
    timing: Timing = "start",
) -> float | np.ndarray:
    """The constant yearly amount over ``years`` years whose present value is ``present``.

    ``A = PV / Σ_t (1 + r)^-t`` (``PV · r / (1 − (1 + r)^-n)`` for ``timing="end"``): the
    equivalent annual cost, e.g. public cost per household-year. At 0 % it is ``PV / n``.
    """
    result = np.asarray(present, dtype=float) / annuity_factor(rate, years, timing=timing)
    return float(result) if np.ndim(result) == 0 else result


def terminal_value(
    value_at_horizon: float | np.ndarray,
    rate: float | np.ndarray,
    horizon_years: int,
) -> float | np.ndarray:
    """Present value of a value held at the horizon: ``V_H (1 + r)^-H``.

    Parameters
    ----------
    value_at_horizon
        Real euros held at the end of the last modelled year (e.g. the dwellings a CLT still
        owns and the subsidy locked in them; negative for an obligation).
    rate
        Scalar rate, or one rate per draw.
    horizon_years
        ``H``, the number of modelled years.
    """
    h = int(horizon_years)
    if h < 0 or h != horizon_years:
        raise ParameterError(f"horizon_years={horizon_years!r} must be a whole number ≥ 0")
    r = np.asarray(check_rate(rate), dtype=float)
    result = np.asarray(value_at_horizon, dtype=float) * np.power(1.0 + r, -float(h))
    return float(result) if np.ndim(result) == 0 else result


@dataclass(frozen=True)
class PresentValueTable(Result):
    """Present values of named yearly flows at several rates, with undiscounted totals.

    Attributes
    ----------
    flows
        Tidy flows: ``item``, ``year`` (model year, 0 = base year) and ``amount_eur`` (real
        euros of the base year; costs positive, revenues negative or the other way round, as
        long as one table keeps one sign convention).
    rates
        Real rates (fractions) to show side by side; each in (−1, 0.2].
    terminal
        Item → value held at the horizon (real euros), discounted with the flows.
    horizon_years
        ``H``: model years ``0 … H−1``; flows outside are an error.
    timing
        ``"start"`` or ``"end"`` (see the module text).
    rate_sources
        Rate → where it comes from (defaults to :data:`REFERENCE_RATES`; others "scenario").
    """

    flows: pd.DataFrame
    rates: tuple[float, ...]
    horizon_years: int
    terminal: Mapping[str, float] = field(default_factory=dict)
    timing: str = "start"
    rate_sources: Mapping[float, str] = field(default_factory=lambda: dict(REFERENCE_RATES))

    def __post_init__(self) -> None:
        check_columns(self.flows, ["item", "year", "amount_eur"], source="flows")
        check_choice("timing", self.timing, TIMINGS)
        rates = tuple(float(check_rate(r, "rates")) for r in self.rates)
        if not rates:
            raise ParameterError("rates: give at least one discount rate")
        object.__setattr__(self, "rates", rates)
        h = int(self.horizon_years)
        if h < 1 or h != self.horizon_years:
            raise ParameterError(
                f"horizon_years={self.horizon_years!r} must be a whole number ≥ 1"
            )
        years = pd.to_numeric(self.flows["year"], errors="coerce")
        outside = years.isna() | (years < 0) | (years >= h) | (years % 1 != 0)
        if outside.any():
            rows = list(self.flows.index[outside][:5])
            raise DataError(f"flows: column 'year' must be whole years 0…{h - 1}, rows {rows}")
        amounts = pd.to_numeric(self.flows["amount_eur"], errors="coerce")
        if amounts.isna().any():
            rows = list(self.flows.index[amounts.isna()][:5])
            raise DataError(f"flows: column 'amount_eur' must be numeric, rows {rows}")
        unknown = [k for k in self.terminal if k not in set(self.flows["item"])]
        if unknown:
            raise ParameterError(f"terminal: item(s) {', '.join(unknown)} have no flows")
        object.__setattr__(self, "terminal", MappingProxyType(dict(self.terminal)))
        object.__setattr__(self, "rate_sources", MappingProxyType(dict(self.rate_sources)))

    def _matrix(self) -> tuple[list[str], np.ndarray]:
        wide = self.flows.pivot_table(
            index="item", columns="year", values="amount_eur", aggfunc="sum", sort=False
        ).reindex(columns=range(self.horizon_years), fill_value=0.0).fillna(0.0)
        return list(wide.index), wide.to_numpy(dtype=float)

    def to_frame(self) -> pd.DataFrame:
        """One row per item and rate: ``item``, ``rate``, ``rate_source``, ``undiscounted_eur``
        (cash total, flows + terminal value, NOT discounted), ``pv_flows_eur``,
        ``pv_terminal_eur`` and ``pv_eur`` (their sum)."""
        items, matrix = self._matrix()
        rows = []
        for rate in self.rates:
            pv = present_value(matrix, rate, timing=self.timing)  # type: ignore[arg-type]
            for item, flows_pv, cash in zip(items, np.atleast_1d(pv), matrix.sum(axis=1),
                                            strict=True):
                held = float(self.terminal.get(item, 0.0))
                held_pv = terminal_value(held, rate, self.horizon_years)
                rows.append(
                    {
                        "item": item,
                        "rate": rate,
                        "rate_source": self.rate_sources.get(rate, "scenario"),
                        "undiscounted_eur": float(cash) + held,
                        "pv_flows_eur": float(flows_pv),
                        "pv_terminal_eur": float(held_pv),
                        "pv_eur": float(flows_pv) + float(held_pv),
                    }
                )
        return pd.DataFrame(rows)

    def wide(self) -> pd.DataFrame:
        """Items × rates of ``pv_eur``, plus the undiscounted total (the side-by-side view)."""
        frame = self.to_frame()
        table = frame.pivot(index="item", columns="rate", values="pv_eur")
        table.columns = [f"pv_{100 * r:g}pct_eur" for r in table.columns]
        cash = frame.drop_duplicates("item").set_index("item")["undiscounted_eur"]
        return table.assign(undiscounted_eur=cash).reset_index()

    def summary(self) -> str:
        frame = self.to_frame()
        lines = [
            f"Present values over {self.horizon_years} years (timing '{self.timing}'), "
            f"real euros of the base year; undiscounted totals for reference"
        ]
        for rate, part in frame.groupby("rate", sort=False):
            total = part["pv_eur"].sum()
            lines.append(f"  {100 * rate:g} % ({part['rate_source'].iloc[0]}): {total:,.0f} EUR")
        cash = frame.drop_duplicates("item")["undiscounted_eur"].sum()
        lines.append(f"  undiscounted cash total (not discounted): {cash:,.0f} EUR")
        return "\n".join(lines)

    def plot(self):
        """Bars: present value of each item at each rate (``plots.money.present_value_bars``)."""
        from permanent_research.plots.money import present_value_bars

        return present_value_bars(self.to_frame())

def present_value_table(
    flows: pd.DataFrame,
    *,
    rate: float | None = None,
    horizon_years: int,
    terminal: Mapping[str, float] | None = None,
    reference_rates: Sequence[float] = (0.0, 0.02, 0.035),
    rate_source: str = "scenario",
    timing: Timing = "start",
) -> PresentValueTable:
    """Present values of named flows at the reference rates and the scenario's rate.

    Parameters
    ----------
    flows
        Tidy ``item``, ``year`` (0 = base year), ``amount_eur`` (real euros of the base year).
    rate
        The scenario's real social discount rate, shown last (with ``rate_source``).
    horizon_years
        Number of model years.
    terminal
        Item → value held at the horizon (real euros).
    reference_rates
        Rates shown beside the scenario's (default 0 %, 2 %, 3.5 %).
    rate_source
        Where the scenario's rate comes from.
    timing
        ``"start"`` (default) or ``"end"``.
    """
    rates = [float(r) for r in reference_rates]
    sources = dict(REFERENCE_RATES)
    if rate is not None:
        rate = float(check_rate(rate))
        if rate not in rates:
            rates.append(rate)
        sources[rate] = rate_source
    return PresentValueTable(
        flows=flows.reset_index(drop=True),
        rates=tuple(rates),
        horizon_years=horizon_years,
        terminal=dict(terminal or {}),
        timing=timing,
        rate_sources=sources,
    )
