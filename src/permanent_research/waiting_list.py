"""The social-housing queue: waiting times, list growth and the effect of permanent homes.

Model (METHODS §6). Stock ``S`` (dwellings), turnover ``tau`` (share of the stock re-let each
year), new supply ``n`` (dwellings a year, let for the first time), list length ``L``
(households), registrations ``lam`` (households a year) and attrition ``delta`` (share of the
list that leaves without an allocation each year: found elsewhere, moved, died, not renewed).

* allocations ``A = tau S + n`` (households a year);
* a FIFO newcomer with no attrition waits ``T = L / A`` years; with attrition among those
  ahead ``T = ln(1 + delta L / A) / delta`` (the people ahead decline as
  ``dK/dt = -A - delta K``); the probability that the newcomer is still on the list at
  their turn is ``exp(-delta T)``;
* Little's law gives the mean wait over all exits ``W = L / (A + delta L)``. This holds in a
  steady state (registrations = exits, ``lam = A + delta L``); while the list grows or shrinks
  it is only the ratio of the current list to the current exit rate;
* the list evolves as ``dL/dt = lam - A(t) - delta L``.

Over time the stock grows by the new supply (``S(t) = S0 + (n + N) t`` when
``stock_grows=True``), so allocations grow by ``tau (n + N)`` a year. Adding ``N`` permanently
affordable homes a year (CLT, social) allocates ``N`` more households a year at first letting
**and** adds them to the stock, hence to turnover over time. Only households *eligible* for
those homes leave the list through them: ``eligible_share`` ``e`` (in [0, 1]) of the added
homes' lettings go to households on this list, so the list sees ``e N`` added homes. Social
homes: ``e = 1``. CLT homes are bought with a mortgage: ``e`` is the share of the list's
households that pass the loan-to-value and debt-service tests
(:meth:`permanent_research.scenarios.ForWhom.share_eligible`); with ``e = 0`` they take no one
off the list.

Calibration (:func:`calibrate_queue`): the bundled facts give the list (55,000, May 2024), the
stock and the new supply, and the observed wait (10–16 years, BX1 2024) but no yearly count of
allocations, so turnover and attrition are not both identified by them; for each turnover of a
range (the scenario's ``social_turnover_rate``) the attrition that reproduces the observed wait
is fitted. The time-varying version of the newcomer's wait solves
``int_0^T A(s) e^{delta s} ds = L`` (closed form for the integral, root by Brent's method);
the list path has a closed form (linear ODE), checked against an Euler integration in the
tests. When the list reaches zero it stays there (allocations only grow).

Units: households, dwellings, years; rates are annual fractions.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from permanent_research import brochure
from permanent_research._validation import check_choice, check_columns, check_in_range
from permanent_research.errors import DataError, ParameterError
from permanent_research.options import LIST_LENGTH_CHOICES, ListLength
from permanent_research.results import Result, render_html

__all__ = [
    "QueueParameters",
    "QueueResult",
    "QueueTrajectory",
    "allocations",
    "newcomer_wait_years",
    "probability_still_waiting",
    "mean_wait_years",
    "dynamic_newcomer_wait_years",
    "queue_summary",
    "scenario_grid",
    "list_trajectory",
    "default_queue_parameters",
    "list_length_options",
    "LIST_LENGTH_CHOICES",
    "BROCHURE_LIST_LENGTH",
    "BROCHURE_SOURCE",
    "parameters_from_mapping",
    "QueueCalibration",
    "calibrate_queue",
    "OBSERVED_WAIT_YEARS",
    "OBSERVED_WAIT_SOURCE",
]

OBSERVED_WAIT_YEARS = (10.0, 16.0)
"""Observed waiting time for a social dwelling in Brussels, years (low, high)."""
OBSERVED_WAIT_SOURCE = ("social_housing: BX1 (2024-05, citing Médor 'Bruxelles Rentière'): "
                        "waiting time 10-16 years")

BROCHURE_LIST_LENGTH = brochure.claim("waiting_list_households").value
"""Households on the list according to the Permanent brochure (see ``brochure.CLAIMS``)."""
BROCHURE_SOURCE = brochure.claim("waiting_list_households").where
"""Where the brochure states it (see ``brochure.CLAIMS``)."""


@dataclass(frozen=True)
class QueueParameters(Result):
    """Parameters of the queue model (see the module docstring for the symbols).

    Attributes
    ----------
    stock
        S, social dwellings (> 0).
    turnover
        tau, share of the stock re-let per year, in [0, 1].
    new_supply
        n, new dwellings let per year (>= 0).
    list_length
        L, households waiting (>= 0).
    attrition
        delta, share of the list leaving per year without an allocation, in [0, 1).
    registrations
        lam, new registrations per year (>= 0). ``None``: calibrated so that the list grows
        at ``list_growth_per_year`` at t = 0 (``lam = growth + A + delta L``).
    list_growth_per_year
        Observed growth of the list (households a year) used to calibrate ``registrations``.
    stock_grows
        Whether new supply adds to the stock over time.
    sources
        Where each value comes from (parameter name -> URL or "assumption").
    """

    stock: float
    turnover: float
    new_supply: float
    list_length: float
    attrition: float = 0.0
    registrations: float | None = None
    list_growth_per_year: float = 0.0
    stock_grows: bool = True
    sources: Mapping[str, str] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        check_in_range("stock", self.stock, 0, None, low_inclusive=False)
        check_in_range("turnover", self.turnover, 0, 1)
        check_in_range("new_supply", self.new_supply, 0, None)
        check_in_range("list_length", self.list_length, 0, None)
        check_in_range("attrition", self.attrition, 0, 1, high_inclusive=False)
        if self.registrations is not None:
            check_in_range("registrations", self.registrations, 0, None)
        check_in_range("list_growth_per_year", self.list_growth_per_year)

    @property
    def allocations(self) -> float:
        """A = tau S + n, households housed per year at t = 0."""
        return self.turnover * self.stock + self.new_supply

    @property
    def effective_registrations(self) -> float:
        """lam, given or calibrated to the observed growth of the list."""
        if self.registrations is not None:
            return float(self.registrations)
        return max(0.0, self.list_growth_per_year + self.allocations
                   + self.attrition * self.list_length)

    def to_frame(self) -> pd.DataFrame:
        """One row per parameter with its source."""
        values = asdict(self)
        values.pop("sources")
        values["registrations (effective)"] = self.effective_registrations
        return pd.DataFrame({
            "parameter": list(values),
            "value": list(values.values()),
            "source": [self.sources.get(k.split(" ")[0], "") for k in values],
        })


def parameters_from_mapping(values: Mapping[str, object],
                            base: QueueParameters | None = None) -> QueueParameters:
    """Build :class:`QueueParameters` from a dict (e.g. a scenario-file section).

    Keys not given are taken from ``base``; unknown keys raise a one-line error.
    """
    allowed = [f for f in QueueParameters.__dataclass_fields__ if f != "sources"]
    unknown = [k for k in values if k not in allowed]
    if unknown:
        raise ParameterError(f"queue parameter(s) {', '.join(map(repr, unknown))} unknown; "
                             f"allowed: {', '.join(allowed)}")
    if base is None:
        missing = [k for k in ("stock", "turnover", "new_supply", "list_length")
                   if k not in values]
        if missing:
            raise ParameterError(f"queue parameter(s) {', '.join(missing)} missing "
                                 "and no base parameters given")
        return QueueParameters(**values)  # type: ignore[arg-type]
    sources = dict(base.sources)
    for key in values:
        sources[key] = "scenario"
    return replace(base, sources=sources, **values)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# static formulas
# --------------------------------------------------------------------------------------------
def allocations(stock: float, turnover: float, new_supply: float) -> float:
    """A = tau S + n (households a year)."""
    return turnover * stock + new_supply


def newcomer_wait_years(list_length, allocations_per_year, attrition=0.0):
    """Expected wait of a FIFO newcomer, years: ``L/A`` or ``ln(1 + delta L/A)/delta``.

    Vectorised over its arguments. ``A = 0`` gives infinity (no attrition) or
    ``ln(...)`` -> infinity as well.
    """
    length = np.asarray(list_length, dtype=float)
    alloc = np.asarray(allocations_per_year, dtype=float)
    delta = np.asarray(attrition, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        plain = np.where(alloc > 0, length / alloc, np.inf)
        safe_delta = np.where(delta > 0, delta, 1.0)
        with_attrition = np.where(alloc > 0, np.log1p(safe_delta * length / alloc) / safe_delta,
                                  np.inf)
    out = np.where(delta > 0, with_attrition, plain)
    return float(out) if out.ndim == 0 else out


def probability_still_waiting(wait_years, attrition):
    """``exp(-delta T)``: the chance that a newcomer is still on the list at their turn."""
    out = np.exp(-np.asarray(attrition, dtype=float) * np.asarray(wait_years, dtype=float))
    return float(out) if out.ndim == 0 else out


def mean_wait_years(list_length, allocations_per_year, attrition=0.0):
    """Little's law: mean time on the list over all exits, ``W = L / (A + delta L)``, years.

    Exact for the long-run mean in a steady state (registrations equal exits); when the list
    is growing, newcomers wait longer than this (checked by a FIFO simulation in the tests).
    """
    length = np.asarray(list_length, dtype=float)
    exits = np.asarray(allocations_per_year, dtype=float) + np.asarray(attrition) * length
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(exits > 0, length / exits, np.inf)
    return float(out) if out.ndim == 0 else out


# --------------------------------------------------------------------------------------------
# time-varying allocations
# --------------------------------------------------------------------------------------------
def _list_added(added_permanent_per_year: float, eligible_share: float) -> float:
    """Added homes the list sees: ``e N`` (only eligible households on the list leave it)."""
    added = check_in_range("added_permanent_per_year", added_permanent_per_year, 0, None)
    share = check_in_range("eligible_share", eligible_share, 0, 1)
    return added * share


def _growth_of_allocations(params: QueueParameters, added: float) -> float:
    """dA/dt = tau (n + N) when the stock grows, else 0."""
    return params.turnover * (params.new_supply + added) if params.stock_grows else 0.0


def dynamic_newcomer_wait_years(params: QueueParameters, added_permanent_per_year: float = 0.0,
                                *, eligible_share: float = 1.0) -> float:
    """Wait of a FIFO newcomer when allocations grow as ``A(t) = A0 + g t``.

    ``A0 = tau S + n + e N`` and ``g = tau (n + e N)`` (``g = 0`` if the stock does not grow),
    ``e`` the ``eligible_share`` of the added homes' lettings going to the list.
    Solves ``int_0^T A(s) e^{delta s} ds = L`` for ``T`` (years).
    """
    added = _list_added(added_permanent_per_year, eligible_share)
    a0 = params.allocations + added
    g = _growth_of_allocations(params, added)
    length, delta = params.list_length, params.attrition
    if length == 0:
        return 0.0
    if g == 0:
        return newcomer_wait_years(length, a0, delta)
    if a0 == 0 and g == 0:  # pragma: no cover - g == 0 handled above
        return math.inf
    if delta == 0:
        return (-a0 + math.sqrt(a0 * a0 + 2.0 * g * length)) / g

    def served(t: float) -> float:
        grow = math.expm1(delta * t)
        return a0 * grow / delta + g * (t * math.exp(delta * t) / delta - grow / delta**2) \
            - length

    upper = newcomer_wait_years(length, a0, delta) if a0 > 0 else 1.0
    while served(upper) < 0:  # only when a0 == 0
        upper *= 2
    return float(brentq(served, 0.0, upper, xtol=1e-10, rtol=1e-12))


# --------------------------------------------------------------------------------------------
# results
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class QueueResult(Result):
    """Waiting-time measures for one parameter set (see :func:`queue_summary`)."""

    params: QueueParameters
    added_permanent_per_year: float
    allocations: float
    newcomer_wait_years: float
    probability_still_waiting: float
    mean_wait_years: float
    dynamic_newcomer_wait_years: float
    list_growth_per_year: float

    def to_frame(self) -> pd.DataFrame:
        """One row per measure with its unit."""
        rows = [
            ("allocations", self.allocations, "households/year"),
            ("newcomer_wait_years", self.newcomer_wait_years, "years"),
            ("probability_still_waiting", self.probability_still_waiting, "fraction"),
            ("mean_wait_years (Little)", self.mean_wait_years, "years"),
            ("dynamic_newcomer_wait_years", self.dynamic_newcomer_wait_years, "years"),
            ("list_growth_per_year", self.list_growth_per_year, "households/year"),
        ]
        return pd.DataFrame(rows, columns=["measure", "value", "unit"])

    def summary(self) -> str:
        """One sentence."""
        p = self.params
        return (
            f"With {p.list_length:,.0f} households waiting, {p.stock:,.0f} dwellings, "
            f"turnover {p.turnover:.0%}, {p.new_supply + self.added_permanent_per_year:,.0f} "
            f"new homes a year and attrition {p.attrition:.0%}: {self.allocations:,.0f} "
            f"allocations a year, a newcomer waits {self.newcomer_wait_years:.1f} years "
            f"({self.dynamic_newcomer_wait_years:.1f} as the stock grows), "
            f"{self.probability_still_waiting:.0%} are still waiting at their turn; "
            f"mean wait (Little) {self.mean_wait_years:.1f} years."
        )

    def _repr_html_(self) -> str:
        return render_html(self.summary(), self.to_frame())


def queue_summary(params: QueueParameters, added_permanent_per_year: float = 0.0, *,
                  eligible_share: float = 1.0) -> QueueResult:
    """All waiting-time measures for ``params`` plus ``N`` added permanent homes a year.

    The static measures use ``A = tau S + n + e N``; ``dynamic_newcomer_wait_years`` lets the
    allocations grow with the stock. ``eligible_share`` ``e``: share of the added homes'
    lettings that go to households on the list (1 for social homes; for CLT homes the share of
    the list's households that can get the mortgage; 0 takes no one off the list).
    ``added_permanent_per_year`` in the result is ``e N``, the homes the list sees.
    """
    added = _list_added(added_permanent_per_year, eligible_share)
    a = params.allocations + added
    wait = newcomer_wait_years(params.list_length, a, params.attrition)
    return QueueResult(
        params=params,
        added_permanent_per_year=added,
        allocations=a,
        newcomer_wait_years=wait,
        probability_still_waiting=probability_still_waiting(wait, params.attrition),
        mean_wait_years=mean_wait_years(params.list_length, a, params.attrition),
        dynamic_newcomer_wait_years=dynamic_newcomer_wait_years(params, added),
        list_growth_per_year=params.effective_registrations - a
        - params.attrition * params.list_length,
    )


def scenario_grid(
    params: QueueParameters,
    *,
    turnover: Sequence[float] = (0.03, 0.05, 0.08),
    attrition: Sequence[float] = (0.0, 0.05),
    added_permanent_per_year: Sequence[float] = (0.0,),
    eligible_share: float = 1.0,
) -> pd.DataFrame:
    """Waiting-time measures over a grid of turnover × attrition × added homes.

    Registrations are held at ``params.effective_registrations`` across the grid.

    Returns
    -------
    pandas.DataFrame
        One row per combination: ``turnover``, ``attrition``, ``added_permanent_per_year``,
        ``allocations``, ``newcomer_wait_years``, ``probability_still_waiting``,
        ``mean_wait_years``, ``dynamic_newcomer_wait_years``.
    """
    lam = params.effective_registrations
    rows = []
    for tau in turnover:
        for delta in attrition:
            for added in added_permanent_per_year:
                scenario = params.replace(turnover=float(tau), attrition=float(delta),
                                        registrations=lam)
                result = queue_summary(scenario, added, eligible_share=eligible_share)
                rows.append({
                    "turnover": float(tau),
                    "attrition": float(delta),
                    "added_permanent_per_year": float(added),
                    "allocations": result.allocations,
                    "newcomer_wait_years": result.newcomer_wait_years,
                    "probability_still_waiting": result.probability_still_waiting,
                    "mean_wait_years": result.mean_wait_years,
                    "dynamic_newcomer_wait_years": result.dynamic_newcomer_wait_years,
                })
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class QueueTrajectory(Result):
    """The list length over time (see :func:`list_trajectory`)."""

    frame: pd.DataFrame = field(repr=False)
    params: QueueParameters
    added_permanent_per_year: float
    method: str

    def to_frame(self) -> pd.DataFrame:
        """Columns ``year`` (since start), ``stock``, ``allocations``, ``list_length``."""
        return self.frame.copy()

    def summary(self) -> str:
        """Start and end of the path."""
        first, last = self.frame.iloc[0], self.frame.iloc[-1]
        return (f"List from {first['list_length']:,.0f} to {last['list_length']:,.0f} "
                f"households after {last['year']:g} years with "
                f"{self.added_permanent_per_year:,.0f} added permanent homes a year "
                f"(registrations {self.params.effective_registrations:,.0f} a year).")

    def _repr_html_(self) -> str:
        return render_html(self.summary(), self.frame)

    def plot(self, **kwargs: Any) -> Any:
        """The list length over time (``plots.affordability.queue_trajectories``)."""
        from permanent_research.plots.affordability import queue_trajectories

        label = f"+{self.added_permanent_per_year:,.0f} permanent homes a year"
        return queue_trajectories({label: self.frame}, **kwargs)


def _closed_form_list(params: QueueParameters, added: float, t: np.ndarray) -> np.ndarray:
    lam = params.effective_registrations
    supply = params.new_supply + added
    c0 = lam - supply - params.turnover * params.stock  # dL/dt + delta L = c0 - c1 t
    c1 = _growth_of_allocations(params, added)
    length0, delta = params.list_length, params.attrition
    if delta == 0:
        path = length0 + c0 * t - c1 * t**2 / 2
    else:
        slope = -c1 / delta
        level = (c0 - slope) / delta
        path = level + slope * t + (length0 - level) * np.exp(-delta * t)
    below = np.flatnonzero(path <= 0)
    if below.size:  # once empty, the list stays empty (allocations only grow)
        path = path.copy()
        path[below[0]:] = 0.0
    return path


def list_trajectory(
    params: QueueParameters,
    *,
    years: float = 30.0,
    added_permanent_per_year: float = 0.0,
    method: Literal["closed_form", "euler"] = "closed_form",
    steps_per_year: int = 12,
    eligible_share: float = 1.0,
) -> QueueTrajectory:
    """List length over time, ``dL/dt = lam - A(t) - delta L`` with ``L >= 0``.

    Parameters
    ----------
    params
        Queue parameters (registrations calibrated if not given).
    years
        Horizon, years (> 0).
    added_permanent_per_year
        N, permanent homes added (and allocated) per year from t = 0.
    method
        ``"closed_form"`` (exact) or ``"euler"`` (explicit Euler, for checking).
    steps_per_year
        Output (and Euler) resolution.
    eligible_share
        Share of the added homes' lettings going to households on the list (0: none leaves).
    """
    check_choice("method", method, ("closed_form", "euler"))
    horizon = check_in_range("years", years, 0, None, low_inclusive=False)
    added = _list_added(added_permanent_per_year, eligible_share)
    steps = int(check_in_range("steps_per_year", steps_per_year, 1, None))
    count = int(round(horizon * steps))
    t = np.arange(count + 1) / steps
    growth = params.new_supply + added if params.stock_grows else 0.0
    stock = params.stock + growth * t
    alloc = params.turnover * stock + params.new_supply + added
    if method == "closed_form":
        path = _closed_form_list(params, added, t)
    else:
        lam, delta, h = params.effective_registrations, params.attrition, 1.0 / steps
        path = np.empty_like(t)
        path[0] = params.list_length
        for k in range(count):
            path[k + 1] = max(0.0, path[k] + h * (lam - alloc[k] - delta * path[k]))
    frame = pd.DataFrame({"year": t, "stock": stock, "allocations": alloc,
                          "list_length": path})
    return QueueTrajectory(frame, params, added, method)


# --------------------------------------------------------------------------------------------
# defaults from the bundled SLRB facts
# --------------------------------------------------------------------------------------------
_PERIOD = re.compile(r"^\s*(\d{4})(?:-(\d{2}))?\s*$")


def _decimal_year(period: object) -> float | None:
    """'2017-01' -> 2017.0, '2016' -> 2016.5; ranges and undated rows -> None."""
    if not isinstance(period, str):
        return None
    match = _PERIOD.match(period)
    if not match:
        return None
    year, month = int(match.group(1)), match.group(2)
    return year + (int(month) - 1) / 12 if month else year + 0.5


def default_queue_parameters(
    social_housing: pd.DataFrame,
    *,
    turnover: float = 0.05,
    attrition: float = 0.0,
    list_length: ListLength = "latest",
    brochure_list_length: float = BROCHURE_LIST_LENGTH,
) -> QueueParameters:
    """Default queue parameters from the bundled ``social_housing`` facts, with sources.

    * ``stock``: latest dated ``social_dwellings_stock_total`` (SLRB, occupied + vacant);
    * ``list_length``: ``"latest"``, the latest dated ``waiting_list_households`` (55,000,
      May 2024, in the bundled file), or ``"brochure"``, ``brochure_list_length`` (43,000,
      date not stated); see :func:`list_length_options`;
    * ``new_supply``: ``social_dwellings_produced_per_year_approx`` (about 110 a year);
    * ``list_growth_per_year``: change between the earliest and the latest month-dated
      waiting-list figures, per year [U: different sources];
    * ``turnover`` and ``attrition``: **assumptions** (annual allocations were not found;
      METHODS §6 uses 3 / 5 / 8 % and 0 / 5 %).

    Returns
    -------
    QueueParameters
        With ``sources`` mapping each parameter to its URL (or "assumption").
    """
    check_choice("list_length", list_length, LIST_LENGTH_CHOICES)
    check_in_range("brochure_list_length", brochure_list_length, 0, None)
    check_columns(social_housing, ["reference_period", "measure", "value", "source_url"],
                  source="social_housing")
    facts = social_housing.assign(when=social_housing["reference_period"].map(_decimal_year))

    def latest(measure: str, dated: bool = True) -> pd.Series:
        rows = facts[facts["measure"] == measure]
        if dated:
            rows = rows.dropna(subset=["when"])
        if rows.empty:
            raise DataError(f"social_housing: no {'dated ' if dated else ''}row with "
                            f"measure {measure!r}")
        return rows.sort_values("when", kind="stable").iloc[-1]

    stock = latest("social_dwellings_stock_total")
    waiting = latest("waiting_list_households")
    supply = latest("social_dwellings_produced_per_year_approx", dated=False)
    monthly = facts[(facts["measure"] == "waiting_list_households")
                    & facts["reference_period"].astype(str).str.fullmatch(r"\d{4}-\d{2}")]
    monthly = monthly.sort_values("when")
    first, last = monthly.iloc[0], monthly.iloc[-1]
    growth = (last["value"] - first["value"]) / (last["when"] - first["when"])
    if list_length == "brochure":
        length, length_source = float(brochure_list_length), BROCHURE_SOURCE
    else:
        length = float(waiting["value"])
        length_source = f"{waiting['source_url']} ({waiting['reference_period']})"
    sources = {
        "stock": f"{stock['source_url']} ({stock['reference_period']})",
        "list_length": length_source,
        "new_supply": str(supply["source_url"]),
        "list_growth_per_year": (f"{first['source_url']} ({first['reference_period']}) and "
                                 f"{last['source_url']} ({last['reference_period']}) [U]"),
        "turnover": "assumption (annual allocations not found; METHODS §6)",
        "attrition": "assumption (METHODS §6)",
        "registrations": "calibrated: list growth + allocations + attrition",
    }
    return QueueParameters(
        stock=float(stock["value"]),
        turnover=turnover,
        new_supply=float(supply["value"]),
        list_length=length,
        attrition=attrition,
        registrations=None,
        list_growth_per_year=float(growth),
        sources=sources,
    )


def list_length_options(
    social_housing: pd.DataFrame,
    *,
    brochure_list_length: float = BROCHURE_LIST_LENGTH,
) -> pd.DataFrame:
    """The list lengths a scenario can choose from, with their dates and sources.

    Returns
    -------
    pandas.DataFrame
        One row per choice in :data:`LIST_LENGTH_CHOICES` (``choice``, ``households``,
        ``reference_period``, ``source``, ``note``), then every other dated
        ``waiting_list_households`` figure in ``social_housing`` (``choice`` empty) for
        context, newest first.
    """
    check_in_range("brochure_list_length", brochure_list_length, 0, None)
    check_columns(social_housing, ["reference_period", "measure", "value", "source_url"],
                  source="social_housing")
    rows = social_housing[social_housing["measure"] == "waiting_list_households"]
    dated = rows.assign(when=rows["reference_period"].map(_decimal_year)).dropna(
        subset=["when"]).sort_values("when", ascending=False, kind="stable")
    if dated.empty:
        raise DataError("social_housing: no dated row with measure 'waiting_list_households'")
    table = [{"choice": "brochure", "households": float(brochure_list_length),
              "reference_period": "not stated", "source": BROCHURE_SOURCE, "note": ""}]
    for k, row in enumerate(dated.itertuples()):
        table.insert(k, {"choice": "latest" if k == 0 else "",
                         "households": float(row.value),
                         "reference_period": str(row.reference_period),
                         "source": str(row.source_url),
                         "note": "" if pd.isna(getattr(row, "note", None)) else str(row.note)})
    out = pd.DataFrame(table)
    order = out["choice"].map({"latest": 0, "brochure": 1}).fillna(2)
    return out.assign(_o=order).sort_values("_o", kind="stable").drop(columns="_o").reset_index(
        drop=True)


# --------------------------------------------------------------------------------------------
# calibration to the observed wait
# --------------------------------------------------------------------------------------------
def _attrition_for_wait(params: QueueParameters, wait_years: float) -> float:
    """Attrition delta whose (stock-growing) newcomer wait equals ``wait_years``; NaN when even
    no attrition gives a shorter wait (the list is served faster than observed)."""
    def gap(delta: float) -> float:
        return dynamic_newcomer_wait_years(replace(params, attrition=delta)) - wait_years

    if gap(0.0) <= 0:
        return float("nan")
    high = 0.999
    if gap(high) > 0:  # pragma: no cover - a wait beyond even 99.9 % attrition a year
        return float("nan")
    return float(brentq(gap, 0.0, high, xtol=1e-12, rtol=1e-12))


@dataclass(frozen=True)
class QueueCalibration(Result):
    """Attrition fitted to the observed wait, for each turnover (see :func:`calibrate_queue`).

    Attributes
    ----------
    params
        The calibrated parameters at the central turnover (attrition fitted to the midpoint of
        the observed wait; registrations re-calibrated to the list's growth).
    table
        One row per turnover: ``turnover``, ``allocations`` (households a year at t = 0),
        ``attrition_fit`` (to the midpoint), ``attrition_at_observed_high`` and
        ``attrition_at_observed_low`` (to the band's ends: a longer wait needs less attrition),
        ``wait_uncalibrated_years`` (no attrition), ``wait_fit_years``,
        ``observed_wait_years`` (midpoint), ``leavers_per_year`` (attrition × list),
        ``probability_still_waiting`` (at the fit), ``central``.
    observed_wait_years
        (low, high) of the observed wait.
    source
        Where the observed wait comes from.
    """

    params: QueueParameters
    table: pd.DataFrame = field(repr=False)
    observed_wait_years: tuple[float, float]
    source: str

    def to_frame(self) -> pd.DataFrame:
        """The fit per turnover (see :attr:`table`)."""
        return self.table.copy()

    @property
    def central(self) -> pd.Series:
        """The row of the central turnover."""
        return self.table[self.table["central"]].iloc[0]

    def summary(self) -> str:
        row = self.central
        low, high = self.observed_wait_years
        return (
            f"Without attrition, turnover {row['turnover']:.1%} ({row['allocations']:,.0f} "
            f"allocations a year) gives a newcomer's wait of {row['wait_uncalibrated_years']:.1f} "
            f"years against {low:g}–{high:g} observed; an attrition of "
            f"{row['attrition_fit']:.1%} a year ({row['attrition_at_observed_high']:.1%}–"
            f"{row['attrition_at_observed_low']:.1%} for the band) reproduces "
            f"{row['wait_fit_years']:.1f} years: about {row['leavers_per_year']:,.0f} households "
            f"a year leave the list without an allocation, and "
            f"{row['probability_still_waiting']:.0%} of newcomers are still on it at their turn."
        )

    def _repr_html_(self) -> str:
        return render_html(self.summary(), self.table)

    def plot(self, **kwargs: Any) -> Any:
        """Modelled wait against attrition per turnover, the observed band shaded
        (``plots.affordability.queue_calibration``)."""
        from permanent_research.plots.affordability import queue_calibration

        return queue_calibration(self, **kwargs)

    def wait_curve(self, attrition: Sequence[float] | None = None) -> pd.DataFrame:
        """Modelled newcomer wait (stock growing) over a grid of attrition, per turnover."""
        grid = np.linspace(0.0, 0.2, 41) if attrition is None else np.asarray(attrition, float)
        rows = []
        for tau in self.table["turnover"]:
            base = replace(self.params, turnover=float(tau))
            for delta in grid:
                rows.append({"turnover": float(tau), "attrition": float(delta),
                             "wait_years": dynamic_newcomer_wait_years(
                                 replace(base, attrition=float(delta)))})
        return pd.DataFrame(rows)


def calibrate_queue(
    params: QueueParameters,
    *,
    turnover: Sequence[float] = (0.03, 0.055, 0.08),
    central_turnover: float | None = None,
    observed_wait_years: tuple[float, float] = OBSERVED_WAIT_YEARS,
    source: str = OBSERVED_WAIT_SOURCE,
) -> QueueCalibration:
    """Fit the list's attrition to the observed newcomer wait, for each turnover.

    The bundled facts hold the list (55,000 households, May 2024), the stock (39,527) and about
    110 new dwellings a year, and the observed wait (10–16 years) but no count of yearly
    allocations; with ``A = tau S + n``, the wait ``T`` (stock growing,
    :func:`dynamic_newcomer_wait_years`) has two unknowns, turnover and attrition. For each
    turnover (e.g. the scenario's ``social_turnover_rate`` at 0, 50 and 100 %) the attrition
    that gives the observed midpoint, and the band's ends, is solved for (Brent's method).

    Parameters
    ----------
    params
        Queue parameters from the facts (:func:`default_queue_parameters`); their turnover and
        attrition are replaced.
    turnover
        Turnovers to fit at (share of the stock re-let a year, in (0, 1]).
    central_turnover
        The one whose fit becomes :attr:`QueueCalibration.params` (default: the middle value).
    observed_wait_years
        (low, high) observed wait, years (0 < low <= high).
    source
        Where the observed wait comes from.

    Returns
    -------
    QueueCalibration

    Raises
    ------
    ParameterError
        A turnover outside (0, 1], a band with low > high or <= 0, a turnover at which even no
        attrition gives a wait shorter than the observed low end (no fit).
    """
    low, high = (float(v) for v in observed_wait_years)
    check_in_range("observed_wait_years[0]", low, 0, None, low_inclusive=False)
    if high < low:
        raise ParameterError(f"observed_wait_years=({low:g}, {high:g}): need low <= high")
    taus = [check_in_range("turnover", t, 0, 1, low_inclusive=False) for t in turnover]
    if not taus:
        raise ParameterError("turnover: give at least one value")
    centre = taus[len(taus) // 2] if central_turnover is None else check_in_range(
        "central_turnover", central_turnover, 0, 1, low_inclusive=False)
    if not any(math.isclose(centre, t) for t in taus):
        taus = sorted([*taus, centre])
    target = (low + high) / 2
    rows = []
    for tau in taus:
        base = replace(params, turnover=tau, attrition=0.0, registrations=None)
        fit = _attrition_for_wait(base, target)
        at_low = _attrition_for_wait(base, low)
        at_high = _attrition_for_wait(base, high)
        if math.isnan(fit):
            raise ParameterError(
                f"turnover={tau:g}: even without attrition the newcomer waits "
                f"{dynamic_newcomer_wait_years(base):.1f} years, under the observed {target:g}; "
                "no attrition >= 0 fits (allowed: a turnover whose allocations are slower)")
        fitted = replace(base, attrition=fit)
        wait = dynamic_newcomer_wait_years(fitted)
        rows.append({
            "turnover": tau,
            "allocations": base.allocations,
            "attrition_fit": fit,
            "attrition_at_observed_high": at_high,
            "attrition_at_observed_low": at_low,
            "wait_uncalibrated_years": dynamic_newcomer_wait_years(base),
            "wait_static_uncalibrated_years": newcomer_wait_years(base.list_length,
                                                                  base.allocations),
            "wait_fit_years": wait,
            "observed_wait_years": target,
            "leavers_per_year": fit * base.list_length,
            "probability_still_waiting": probability_still_waiting(wait, fit),
            "central": math.isclose(tau, centre),
        })
    table = pd.DataFrame(rows)
    row = table[table["central"]].iloc[0]
    sources = {**dict(params.sources),
               "turnover": "scenario social_turnover_rate (median)",
               "attrition": f"fitted: the newcomer's wait = {target:g} years ({source})"}
    calibrated = replace(params, turnover=float(row["turnover"]),
                         attrition=float(row["attrition_fit"]), registrations=None,
                         sources=sources)
    return QueueCalibration(params=calibrated, table=table, observed_wait_years=(low, high),
                            source=source)
