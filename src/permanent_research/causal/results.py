"""Result objects of :mod:`permanent_research.causal` (frozen dataclasses, tidy frames)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm

from permanent_research.errors import ParameterError
from permanent_research.results import Result

__all__ = ["Estimate", "AggregateResult", "ComparisonResult"]


def _html(title: str, frame: pd.DataFrame, note: str = "") -> str:
    body = frame.to_html(index=False, float_format=lambda v: f"{v:.4f}", na_rep="–")
    return f"<p><b>{title}</b></p>{body}" + (f"<p><small>{note}</small></p>" if note else "")


@dataclass(frozen=True)
class Estimate(Result):
    """One point estimate with its standard error.

    Attributes
    ----------
    att
        Average treatment effect on the treated, in the outcome's units.
    se
        Standard error (analytic influence-function or multiplier-bootstrap), same units.
    alpha
        Significance level of the pointwise interval (``0.05`` → 95 %).
    """

    att: float
    se: float
    alpha: float = 0.05

    @property
    def ci_low(self) -> float:
        """Lower bound of the pointwise (1 − alpha) normal interval."""
        return self.att - norm.ppf(1 - self.alpha / 2) * self.se

    @property
    def ci_high(self) -> float:
        """Upper bound of the pointwise (1 − alpha) normal interval."""
        return self.att + norm.ppf(1 - self.alpha / 2) * self.se

    def to_frame(self) -> pd.DataFrame:
        """One-row frame ``att, se, ci_low, ci_high``."""
        return pd.DataFrame([{"att": self.att, "se": self.se, "ci_low": self.ci_low,
                              "ci_high": self.ci_high}])

    def summary(self) -> str:
        """One line: estimate, SE and interval."""
        level = round(100 * (1 - self.alpha))
        return (f"ATT = {self.att:.4f} (SE {self.se:.4f}; {level}% CI "
                f"[{self.ci_low:.4f}, {self.ci_high:.4f}])")

    def _repr_html_(self) -> str:
        return _html("Estimate", self.to_frame())


@dataclass(frozen=True, eq=False)
class AggregateResult(Result):
    """An aggregation of group-time ATTs (Callaway & Sant'Anna 2021, section 3).

    Attributes
    ----------
    kind
        ``"simple"``, ``"group"``, ``"dynamic"`` or ``"calendar"``.
    overall
        The overall summary parameter (:class:`Estimate`).
    table
        One row per cohort (``group``), event time (``event_time``) or calendar period
        (``time``) with ``att, se, ci_low, ci_high`` (the interval uses ``crit_val``: a uniform
        band when the bootstrap was requested, pointwise otherwise). Empty for ``"simple"``.
    crit_val
        Critical value used for the table's intervals.
    uniform
        True when ``crit_val`` comes from the multiplier bootstrap (simultaneous band).
    influence
        Influence functions (units × table rows), kept for further inference.
    """

    kind: str
    overall: Estimate
    table: pd.DataFrame
    crit_val: float
    uniform: bool = False
    bootstrap: bool = False
    influence: np.ndarray | None = field(default=None, repr=False)

    def to_frame(self) -> pd.DataFrame:
        """The table (a copy); for ``"simple"``, which has no table, the overall estimate."""
        if self.table.empty:
            return self.overall.to_frame().assign(kind=self.kind)
        return self.table.copy()

    def summary(self) -> str:
        """Overall estimate and the table as text."""
        band = "uniform" if self.uniform else "pointwise"
        lines = [f"Aggregation: {self.kind}", f"Overall: {self.overall.summary()}"]
        if len(self.table):
            lines += [f"Intervals: {band}, critical value {self.crit_val:.3f}",
                      self.table.to_string(index=False, float_format=lambda v: f"{v:.4f}")]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        band = "uniform" if self.uniform else "pointwise"
        return _html(f"{self.kind} aggregation — overall {self.overall.summary()}", self.table,
                     f"intervals: {band}, critical value {self.crit_val:.3f}")

    def plot(self, **kwargs: Any) -> Any:
        """Event-study figure of a ``"dynamic"`` aggregation (``plots.causal.event_study``).

        Raises
        ------
        ParameterError
            For the other kinds, which have no standard figure.
        """
        if self.kind != "dynamic":
            raise ParameterError(
                f"AggregateResult.plot: only kind='dynamic' has a standard figure (event study); "
                f"this is kind={self.kind!r}"
            )
        from permanent_research.plots.causal import event_study

        frame = self.table.rename(columns={"event_time": "relative_time", "att": "estimate"})
        return event_study(frame, **kwargs)


@dataclass(frozen=True, eq=False)
class ComparisonResult(Result):
    """Event-study estimates of several estimators on one panel (the robustness table).

    Attributes
    ----------
    table
        ``estimator, relative_time, estimate, se, ci_low, ci_high`` (long).
    overall
        ``estimator, estimate, se, ci_low, ci_high``: one overall post-treatment ATT per
        estimator (static TWFE coefficient; for the others the average over the post-period
        event times in the window, as each package defines it — see :func:`compare_estimators`).
    options
        What was run (window, control group, reference period).
    """

    table: pd.DataFrame
    overall: pd.DataFrame
    options: dict[str, Any] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """The long event-study table (a copy)."""
        return self.table.copy()

    def wide(self, column: str = "estimate") -> pd.DataFrame:
        """Event times in rows, estimators in columns."""
        return self.table.pivot(index="relative_time", columns="estimator", values=column)

    def summary(self) -> str:
        """The overall table and the wide event-study table as text."""
        return "\n".join([
            "Overall post-treatment effect by estimator:",
            self.overall.to_string(index=False, float_format=lambda v: f"{v:.4f}"),
            "Event-study estimates:",
            self.wide().to_string(float_format=lambda v: f"{v:.4f}"),
        ])

    def __repr__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        return _html("Overall effect by estimator", self.overall) + _html(
            "Event-study estimates", self.wide().reset_index())

    def plot(self, **kwargs: Any) -> Any:
        """Event-study estimates of every estimator (``plots.causal.event_study``)."""
        from permanent_research.plots.causal import event_study

        return event_study(self.table, **kwargs)
