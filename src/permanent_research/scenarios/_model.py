"""The Monte Carlo model: temporary use vs a permanent CLT vs market and social-housing baselines.

Everything is vectorised over draws; the only Python loop runs over years (and, inside a year,
over the few occupation/gap switches that can fall in it). Each year calls one step function per
model (``_step_market``, ``_step_temporary_use``, ``_step_permanent_clt``,
``_step_social_housing``), then moves the market on (``_advance_market``) and resells the CLT
homes that are due (``_resell_clt``). Money is in **real euros of the base year**, areas in m² of
floor, time in years.

What one path follows (documented in ``docs/scenarios.md``):

* **temporary use** — the original occupants of a temporary site (an expected-value cohort):
  occupations of random length separated by random gaps; each end is a forced move; after a
  move a share ``new_site_probability`` finds another site, the rest rent on the market from
  then on. During gaps and on the market they pay market rent. Each move costs relocation and
  lost working time. The *space* itself is affordable only during the first occupation.
* **permanent CLT** — land bought at year 0 with subsidy; after ``construction_years`` homes are
  sold at cost (land excluded) and resold every ``clt_tenure_years`` under the CLTB formula of
  :func:`permanent_research.clt.resale_prices`; studios are let at a cooperative cost-rent that
  repays the construction over ``cost_rent_loan_years``. Occupants pay maintenance and the
  non-subsidised part of stewardship. Before move-in the household rents on the market.
* **social housing** (households) — the household waits ``social_wait_years`` on the market, then
  pays an income-based rent; the public pays the dwelling at year 0 and a yearly subsidy.
* **market** — market rent and the market's forced-move rate.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from permanent_research._validation import check_choice, check_in_range
from permanent_research.clt import cltb_resale_breakdown
from permanent_research.discounting import check_rate, discount_factors
from permanent_research.errors import ParameterError
from permanent_research.options import CLTB_INCREASE_BASES, CltbIncreaseBase
from permanent_research.prices import MoneySettings, PriceIndexes
from permanent_research.results import Result
from permanent_research.scenarios._assumptions import Assumptions, Distribution

__all__ = [
    "USERS",
    "MODELS",
    "METRICS",
    "PATH_METRICS",
    "SHOWN_DISCOUNT_RATES",
    "DEFAULT_DISCOUNT_RATE",
    "ScenarioResult",
    "simulate",
    "annuity_factor",
    "outstanding_balance",
    "income_deciles_lognormal",
    "check_run_parameters",
    "studio_costs",
]

USERS: tuple[str, ...] = ("studio", "household")
MODELS: dict[str, tuple[str, ...]] = {
    "studio": ("temporary_use", "permanent_clt", "market"),
    "household": ("temporary_use", "permanent_clt", "social_housing", "market"),
}
METRICS: dict[str, str] = {
    "cost_eur_m2_year": "occupant's cost, mean over the horizon (EUR/m²/year)",
    "cost_net_of_equity_eur_m2_year": (
        "occupant's cost minus the equity CLT owners take back at resale (or hold at the "
        "horizon), mean over the horizon (EUR/m²/year)"
    ),
    "secure_tenure_years": "years under a tenure the owner cannot end (years)",
    "forced_moves": "forced moves per occupant over the horizon",
    "affordable_years": "years the occupant spends in affordable space (years)",
    "occupants_housed_per_1000m2": "households or artists housed per 1,000 m² of programme",
    "public_cost_eur_m2": "public outlay over the horizon (EUR/m²)",
    "public_cost_per_affordable_year_eur": "public outlay per affordable unit-year (EUR)",
    "subsidy_locked_in_eur_m2": "value still held for affordable use at the horizon (EUR/m²)",
    "net_public_cost_per_affordable_year_eur": (
        "public outlay minus value locked in, per affordable unit-year (EUR)"
    ),
    "neighbour_extra_rent_eur_m2_year": (
        "extra rent paid by neighbours per m² of occupied temporary site per year (EUR)"
    ),
    "site_uplift_land_cost_eur_m2": "extra land cost of the site after its occupation (EUR/m²)",
    "pv_public_cost_eur_m2": (
        "present value of the public outlay at the run's discount rate (EUR/m², base year)"),
    "pv_subsidy_locked_in_eur_m2": (
        "present value of the value locked in at the horizon (terminal value, EUR/m²)"),
    "pv_net_public_cost_per_affordable_year_eur": (
        "present value of public outlay minus terminal value, per discounted affordable "
        "unit-year (EUR, base year)"),
}
#: Rates every run also reports side by side (real, annual), next to the scenario's own rate.
SHOWN_DISCOUNT_RATES: tuple[float, ...] = (0.0, 0.02, 0.035)
#: Used when neither ``discount_rate`` nor a ``money:`` section gives one: 3 % real (European
#: Commission, Guide to Cost-Benefit Analysis of Investment Projects, 2014, non-cohesion states).
DEFAULT_DISCOUNT_RATE = 0.03
PATH_METRICS: dict[str, str] = {
    "cost_eur_m2": "occupant's cost in the year (EUR/m²)",
    "forced_moves_cum": "cumulative forced moves per occupant",
    "affordable_share": "share of occupants in affordable space",
    "affordable_space_share": "share of the programme's floor area still affordable",
    "public_cost_cum_eur_m2": "cumulative public outlay (EUR/m²)",
}
QUANTILES: tuple[float, ...] = (0.05, 0.25, 0.5, 0.75, 0.95)
_EPS = 1e-9


def annuity_factor(rate: np.ndarray | float, years: np.ndarray | float) -> np.ndarray:
    """Yearly payment per euro borrowed: ``r / (1 - (1 + r)^-n)``, or ``1/n`` when ``r = 0``."""
    rate = np.asarray(rate, dtype=float)
    years = np.asarray(years, dtype=float)
    safe = np.where(np.abs(rate) < 1e-12, 1.0, rate)
    factor = safe / (1.0 - (1.0 + safe) ** (-years))
    return np.where(np.abs(rate) < 1e-12, 1.0 / years, factor)


def outstanding_balance(
    principal: np.ndarray | float,
    rate: np.ndarray | float,
    years: np.ndarray | float,
    elapsed: np.ndarray | float,
) -> np.ndarray:
    """Balance still owed on an annuity loan after ``elapsed`` years of payments (EUR).

    ``B = principal ((1 + r)^n - (1 + r)^k) / ((1 + r)^n - 1)`` for ``0 <= k < n`` (``principal
    (1 - k / n)`` when ``r = 0``), 0 once ``k >= n``; ``k`` may be fractional.
    """
    principal = np.asarray(principal, dtype=float)
    rate = np.asarray(rate, dtype=float)
    n = np.asarray(years, dtype=float)
    k = np.clip(np.asarray(elapsed, dtype=float), 0.0, None)
    zero = np.abs(rate) < 1e-12
    safe = np.where(zero, 1.0, rate)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(zero, 1.0 - k / n,
                         ((1 + safe) ** n - (1 + safe) ** k) / ((1 + safe) ** n - 1.0))
    return principal * np.where(k >= n, 0.0, share)


def check_run_parameters(*, n_draws: int, seed: int, horizon_years: int) -> None:
    """Check a notebook's run parameters (one-line :class:`ParameterError` naming the bad one).

    ``n_draws`` must be an integer in [1, 1,000,000], ``seed`` a non-negative integer and
    ``horizon_years`` an integer in [1, 200].
    """
    for name, value, low, high in (("n_draws", n_draws, 1, 1_000_000),
                                   ("seed", seed, 0, None),
                                   ("horizon_years", horizon_years, 1, 200)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise ParameterError(f"{name}={value!r} must be an integer")
        check_in_range(name, value, low, high)


def income_deciles_lognormal(median: float, q1: float, q3: float) -> np.ndarray:
    """Decile mid-points (5 %, 15 % … 95 % quantiles) of a lognormal fitted to quartiles.

    Parameters
    ----------
    median, q1, q3
        Median and first/third quartiles of an income distribution (EUR/year).

    Returns
    -------
    numpy.ndarray
        Ten incomes (EUR/year), the mid-point quantile of each decile.
    """
    from scipy import stats

    for name, value in (("median", median), ("q1", q1), ("q3", q3)):
        check_in_range(name, value, 0, None, low_inclusive=False)
    if not q1 < median < q3:
        raise ParameterError(f"need q1 < median < q3, found q1={q1}, median={median}, q3={q3}")
    sigma = (np.log(q3) - np.log(q1)) / (2 * stats.norm.ppf(0.75))
    mids = np.arange(0.05, 1.0, 0.1)
    return median * np.exp(sigma * stats.norm.ppf(mids))


@dataclass(frozen=True)
class ScenarioResult(Result):
    """Result of :func:`simulate`.

    Attributes
    ----------
    draws
        One row per (user, model, draw) with every metric of :data:`METRICS` (NaN where a metric
        does not apply).
    paths
        Fan-chart quantiles: user, model, metric (:data:`PATH_METRICS`), year, q05 … q95.
    cost_to_income
        Households: model, decile, income_eur_year, q05, q50, q95 of the mean yearly cost over
        the mean-adjusted income (empty when no deciles were given).
    n_draws, horizon_years, seed
        The run's size and seed.
    assumptions
        The validated inputs (in base-year euros when the run converted them).
    discount_rate
        The scenario's real discount rate, used by the ``pv_*`` metrics of :attr:`draws`.
    present_values
        Side by side at 0 %, 2 %, 3.5 % and :attr:`discount_rate`: user, model,
        discount_rate, metric (``pv_public_cost_per_affordable_year_eur``: discounted outlay;
        ``pv_net_public_cost_per_affordable_year_eur``: minus the discounted terminal value; both
        per discounted affordable unit-year), median, low, high. At 0 % they equal the
        undiscounted cash metrics of :attr:`draws`.
    """

    draws: pd.DataFrame
    paths: pd.DataFrame
    cost_to_income: pd.DataFrame
    n_draws: int
    horizon_years: int
    seed: int | None
    assumptions: Assumptions = field(repr=False)
    interval: tuple[float, float] = (0.05, 0.95)
    discount_rate: float = DEFAULT_DISCOUNT_RATE
    present_values: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    def metric(self, user: str, model: str, metric: str) -> np.ndarray:
        """The per-draw values of one metric (array of length ``n_draws``)."""
        rows = self.draws[(self.draws["user"] == user) & (self.draws["model"] == model)]
        if rows.empty or metric not in rows:
            raise ParameterError(f"no metric {metric!r} for user={user!r}, model={model!r}")
        return rows[metric].to_numpy()

    def to_frame(self) -> pd.DataFrame:
        """Medians and intervals: user, model, metric, median, low, high (one row each)."""
        low_q, high_q = self.interval
        long = self.draws.melt(id_vars=["user", "model", "draw"], var_name="metric")
        long = long.dropna(subset=["value"])
        grouped = long.groupby(["user", "model", "metric"], sort=False)["value"]
        table = pd.DataFrame({
            "median": grouped.median(),
            "low": grouped.quantile(low_q),
            "high": grouped.quantile(high_q),
        }).reset_index()
        return table

    def comparison(self, metrics: Sequence[str] | None = None) -> pd.DataFrame:
        """Headline table: one row per (user, metric), ``median [low – high]`` per model."""
        table = self.to_frame()
        if metrics is not None:
            table = table[table["metric"].isin(metrics)]
        table = table.assign(value=[
            f"{m:,.1f} [{lo:,.1f} – {hi:,.1f}]"
            for m, lo, hi in zip(table["median"], table["low"], table["high"], strict=True)
        ])
        wide = table.pivot_table(index=["user", "metric"], columns="model", values="value",
                                 aggfunc="first")
        return wide.reset_index().rename_axis(columns=None)

    def present_value_comparison(self, metric: str = "pv_net_public_cost_per_affordable_year_eur"
                                 ) -> pd.DataFrame:
        """One row per (user, model), ``median [low – high]`` per discount rate (the scenario's
        rate marked), for ``metric`` of :attr:`present_values`."""
        table = self.present_values
        if table.empty or metric not in set(table["metric"]):
            raise ParameterError(f"metric={metric!r}: not in present_values (allowed: "
                                 f"{', '.join(sorted(set(table.get('metric', []))))})")
        table = table[table["metric"] == metric]
        labels = {r: f"{r:.1%}" + (" (scenario)" if np.isclose(r, self.discount_rate) else "")
                  for r in table["discount_rate"].unique()}
        table = table.assign(
            rate=table["discount_rate"].map(labels),
            value=[f"{m:,.0f} [{lo:,.0f} – {hi:,.0f}]" for m, lo, hi in
                   zip(table["median"], table["low"], table["high"], strict=True)])
        wide = table.pivot_table(index=["user", "model"], columns="rate", values="value",
                                 aggfunc="first", sort=False)
        return wide[[labels[r] for r in sorted(labels)]].reset_index().rename_axis(columns=None)

    def summary(self) -> str:
        """Plain-text headline comparison (medians and intervals)."""
        low_q, high_q = self.interval
        head = (f"Scenario Monte Carlo: {self.n_draws:,} draws, {self.horizon_years} years, "
                f"seed {self.seed}; median [{low_q:.0%}–{high_q:.0%}], real EUR\n")
        return head + self.comparison().to_string(index=False)

    def _repr_html_(self) -> str:
        low_q, high_q = self.interval
        return (f"<p><b>Scenario Monte Carlo</b>: {self.n_draws:,} draws × "
                f"{self.horizon_years} years (seed {self.seed}); median "
                f"[{low_q:.0%}–{high_q:.0%}], real EUR</p>"
                + self.comparison().to_html(index=False))

    def plot(self, **kwargs: Any) -> Any:
        """Fan chart of the yearly paths (``plots.scenarios.fan_chart``)."""
        from permanent_research.plots.scenarios import fan_chart

        return fan_chart(self, **kwargs)


def _draw_inputs(assumptions: Assumptions, n: int, rng: np.random.Generator) -> dict:
    keys = list(assumptions)
    uniforms = rng.random((len(keys), n))
    return {key: assumptions[key].ppf(uniforms[i]) for i, key in enumerate(keys)}


class _Accumulator:
    """Collects per-year values of one (user, model) path."""

    def __init__(self, n: int, m: int, horizon: int, factors: np.ndarray) -> None:
        # factors: (k rates, horizon) discount factors v**t; present values accumulate per rate
        self.factors = factors
        self.public_pv = np.zeros((factors.shape[0], n))
        self.affordable_pv = np.zeros((factors.shape[0], n))
        self.space_pv = np.zeros((factors.shape[0], n))
        self.cost = np.zeros(n)
        self.cost_over_income = np.zeros(n)
        self.in_income_based = np.zeros(n)
        self.moves = np.zeros(n)
        self.secure = np.zeros(n)
        self.affordable = np.zeros(n)
        self.public = np.zeros(n)
        self.paths = {name: np.zeros((horizon, m)) for name in PATH_METRICS}
        self.m = m

    def add(self, t: int, *, cost, income_index, moves, secure, affordable, space, public,
            income_based=None, cost_not_income_based=None) -> None:
        self.cost += cost
        base = cost if cost_not_income_based is None else cost_not_income_based
        self.cost_over_income += base / income_index
        if income_based is not None:
            self.in_income_based += income_based
        self.moves += moves
        self.secure += secure
        self.affordable += affordable
        self.public += public
        v = self.factors[:, t, None]
        for total, flow in ((self.public_pv, public), (self.affordable_pv, affordable),
                            (self.space_pv, space)):
            if np.ndim(flow) or flow:  # the market's zeros cost (rates x draws) work for nothing
                total += v * flow
        m = self.m
        paths = self.paths
        paths["cost_eur_m2"][t] = _head(cost, self.moves.size, m)
        paths["forced_moves_cum"][t] = self.moves[:m]
        paths["affordable_share"][t] = _head(affordable, self.moves.size, m)
        paths["affordable_space_share"][t] = _head(space, self.moves.size, m)
        paths["public_cost_cum_eur_m2"][t] = self.public[:m]


def _labels(labels: list[str], n: int) -> pd.Categorical:
    categories = list(dict.fromkeys(labels))
    codes = np.repeat(np.array([categories.index(label) for label in labels]), n)
    return pd.Categorical.from_codes(codes, categories=categories)


def _head(values, n: int, m: int) -> np.ndarray:
    """The first ``m`` of ``n`` per-draw values (a scalar stays 0-d; row assignment broadcasts)."""
    values = np.asarray(values, dtype=float)
    return values if values.ndim == 0 else values[:m]


class _Inputs:
    """Per-draw constants of one run (arrays of length n), derived once from the drawn inputs."""

    def __init__(self, x: dict, n: int, deciles: np.ndarray | None, target_decile: int) -> None:
        self.x = x
        self.n = n
        self.area = {"studio": x["unit_area_studio_m2"], "household": x["unit_area_home_m2"]}
        self.rent0 = {"studio": x["market_rent_studio_eur_m2_month"] * 12,
                      "household": x["market_rent_home_eur_m2_month"] * 12}
        self.move_cost = {u: (x["relocation_cost_eur"] + x["lost_work_weeks_per_move"]
                              * x["value_of_work_week_eur"]) / self.area[u] for u in USERS}
        self.hazard = x["market_forced_move_rate"]
        self.scale = x["household_equivalence_scale"]
        self.target_income = (
            deciles[target_decile - 1] if deciles is not None else 20_000.0) * self.scale

        # CLT economics (per m² of floor)
        self.land_floor = x["land_price_eur_m2"] / x["floor_area_ratio"]
        self.construction = x["construction_cost_eur_m2"]
        self.price0_m2 = (self.construction * (1 - x["construction_subsidy_share"])
                          + self.land_floor * (1 - x["land_subsidy_share"]))
        self.public0 = (self.land_floor * x["land_subsidy_share"]
                        + self.construction * x["construction_subsidy_share"])
        self.steward_public = x["stewardship_cost_eur_m2_year"] * x["stewardship_public_share"]
        steward_occupant = x["stewardship_cost_eur_m2_year"] - self.steward_public
        self.occupant_fixed = x["maintenance_eur_m2_year"] + steward_occupant
        self.c = x["construction_years"]
        self.tenure = x["clt_tenure_years"]
        self.mortgage_pay_rate = annuity_factor(x["interest_rate_real"], x["mortgage_years"])
        self.cost_rent = (annuity_factor(x["interest_rate_real"], x["cost_rent_loan_years"])
                          * self.price0_m2)
        self.home_area = self.area["household"]
        self.social_c = self.c  # social dwellings take as long to build as CLT ones (assumption)


class _Market:
    """Real market indices (1 at year 0), moved on at the end of each year."""

    def __init__(self, n: int) -> None:
        self.rent_index = np.ones(n)
        self.value_index = np.ones(n)
        self.income_index = np.ones(n)


class _TemporaryUse:
    """State of the temporary-use cohort (shares of the original occupants, per draw)."""

    def __init__(self, n: int, occupation: Distribution, rng: np.random.Generator) -> None:
        self.in_occupation = np.ones(n, dtype=bool)
        self.remaining = occupation.ppf(rng.random(n))
        self.first_occupation = self.remaining.copy()
        self.circuit = np.ones(n)  # share of the cohort still moving between temporary sites
        self.on_market = np.zeros(n)  # share that left for the market
        self.setups = np.ones(n)  # the first site's set-up at year 0
        self.neighbour = np.zeros(n)


class _Clt:
    """State of the CLT dwelling: price, owner's purchase, loan start, equity returned."""

    def __init__(self, inp: _Inputs) -> None:
        n = inp.n
        self.price = inp.price0_m2 * inp.home_area  # EUR per dwelling
        self.value_at_purchase = inp.x["market_price_eur_m2"] * inp.home_area
        self.bought_year = np.full(n, -1.0)
        self.loan_start = np.full(n, np.nan)  # when the current owner's mortgage payments began
        self.equity_back = np.zeros(n)  # EUR per dwelling returned to selling owners
        self.resales = np.zeros(n)


def _step_market(t: int, inp: _Inputs, market: _Market, acc: dict) -> tuple[dict, dict]:
    """Market baseline in year ``t``; returns the new-lease rent a mover pays and the yearly
    cost of a market occupant who started as a sitting tenant (stayers and forced movers)."""
    # Sitting tenants pay the indexed rent; whoever moved pays a new lease (premium), and keeps
    # it. A market occupant has moved at least once by year t with probability 1 - (1 - h)^t.
    sitting = {u: inp.rent0[u] * market.rent_index for u in USERS}
    premium = inp.x["new_lease_rent_premium"]
    moved = 1.0 - (1.0 - inp.hazard) ** t
    market_rent = {u: sitting[u] * (1.0 + premium) for u in USERS}  # what a mover pays
    market_year = {u: sitting[u] * (1.0 + premium * moved) + inp.hazard * inp.move_cost[u]
                   for u in USERS}
    for u in USERS:
        acc[(u, "market")].add(
            t, cost=market_year[u], income_index=market.income_index, moves=inp.hazard,
            secure=0.0, affordable=0.0, space=0.0, public=0.0)
    return market_rent, market_year


def _step_temporary_use(
    t: int, inp: _Inputs, state: _TemporaryUse, market: _Market, market_rent: dict, acc: dict,
    occupation: Distribution, gap: Distribution, rng: np.random.Generator,
) -> None:
    """Temporary use in year ``t``: walk through the year's occupation/gap switches."""
    n, x = inp.n, inp.x
    remaining, in_occupation = state.remaining, state.in_occupation
    circuit, on_market, setups = state.circuit, state.on_market, state.setups
    stay = x["new_site_probability"]
    occ = np.zeros(n)
    gap_time = np.zeros(n)
    market_time = np.zeros(n)
    moves = np.zeros(n)
    left = np.ones(n)
    idx = np.arange(n)  # draws that still have time left in the year or a pending switch
    while idx.size:
        rem = remaining[idx]
        switch = rem <= _EPS
        if switch.any():
            hit = idx[switch]
            was_occupied = in_occupation[hit]
            ending = hit[was_occupied]
            if ending.size:
                share = circuit[ending]
                moves[ending] += share
                on_market[ending] += share * (1 - stay[ending])
                circuit[ending] = share * stay[ending]
                remaining[ending] = gap.ppf(rng.random(ending.size))
                in_occupation[ending] = False
            starting = hit[~was_occupied]
            if starting.size:
                setups[starting] += circuit[starting]
                remaining[starting] = occupation.ppf(rng.random(starting.size))
                in_occupation[starting] = True
            continue
        lft = left[idx]
        step = np.minimum(rem, lft)
        weighted = circuit[idx] * step
        occupied = in_occupation[idx]
        occ[idx] += np.where(occupied, weighted, 0.0)
        gap_time[idx] += np.where(occupied, 0.0, weighted)
        market_time[idx] += on_market[idx] * step
        rem = rem - step
        lft = lft - step
        remaining[idx] = rem
        left[idx] = lft
        idx = idx[(lft > _EPS) | (rem <= _EPS)]
    setup_now = setups
    state.setups = np.zeros(n)
    space_temp = np.clip(state.first_occupation - t, 0.0, 1.0)
    state.neighbour += occ * x["nearby_rent_pressure"] * x["nearby_rented_m2_per_site_m2"] * (
        inp.rent0["household"] * market.rent_index)
    public_temp = occ * x["temporary_public_cost_eur_m2_year"] + setup_now * x[
        "temporary_setup_cost_eur_m2"]
    for u in USERS:
        move_cost = inp.move_cost[u]
        temp_cost = (occ * x["temporary_fee_eur_m2_month"] * 12
                     + (gap_time + market_time) * market_rent[u]
                     + moves * move_cost + market_time * inp.hazard * move_cost)
        acc[(u, "temporary_use")].add(
            t, cost=temp_cost, income_index=market.income_index,
            moves=moves + market_time * inp.hazard, secure=0.0, affordable=occ, space=space_temp,
            public=public_temp)


def _step_permanent_clt(
    t: int, inp: _Inputs, clt: _Clt, market: _Market, market_year: dict, acc: dict,
) -> None:
    """Permanent CLT in year ``t``: market rent until move-in, then the owner's or studio cost."""
    x, c, home_area = inp.x, inp.c, inp.home_area
    clt_in = np.clip(t + 1 - c, 0.0, 1.0)
    newly_bought = (clt_in > 0) & (clt.bought_year < 0)
    if newly_bought.any():
        clt.bought_year[newly_bought] = t
        clt.loan_start[newly_bought] = c[newly_bought]
        clt.value_at_purchase[newly_bought] = (
            x["market_price_eur_m2"][newly_bought] * market.value_index[newly_bought]
            * home_area[newly_bought])
    paying = (clt.bought_year >= 0) & (t - clt.bought_year < x["mortgage_years"])
    owner_cost = np.where(paying, inp.mortgage_pay_rate * clt.price / home_area, 0.0) + (
        inp.occupant_fixed)
    studio_rent = np.where(t - c < x["cost_rent_loan_years"], inp.cost_rent, 0.0) + (
        inp.occupant_fixed)
    public_clt = inp.steward_public + (inp.public0 if t == 0 else 0.0)
    for u in USERS:
        inside = owner_cost if u == "household" else studio_rent
        clt_cost = (1 - clt_in) * market_year[u] + clt_in * inside
        acc[(u, "permanent_clt")].add(
            t, cost=clt_cost, income_index=market.income_index, moves=(1 - clt_in) * inp.hazard,
            secure=clt_in, affordable=clt_in, space=clt_in, public=public_clt)


def _step_social_housing(
    t: int, inp: _Inputs, market: _Market, market_year: dict, acc: dict,
) -> None:
    """Social housing in year ``t``: the household waits on the market, then pays by income."""
    x, home_area = inp.x, inp.home_area
    social_in = np.clip(t + 1 - x["social_wait_years"], 0.0, 1.0)
    social_space = np.clip(t + 1 - inp.social_c, 0.0, 1.0)
    public_social = social_space * x["social_operating_subsidy_eur_year"] / home_area + (
        x["social_dwelling_cost_eur"] / home_area if t == 0 else 0.0)
    social_rent = (x["social_rent_share_of_income"] * inp.target_income * market.income_index
                   / home_area)
    acc[("household", "social_housing")].add(
        t, cost=(1 - social_in) * market_year["household"] + social_in * social_rent,
        cost_not_income_based=(1 - social_in) * market_year["household"],
        income_based=social_in, income_index=market.income_index,
        moves=(1 - social_in) * inp.hazard, secure=social_in, affordable=social_in,
        space=social_space, public=public_social)


def _advance_market(inp: _Inputs, market: _Market, rng: np.random.Generator) -> None:
    """End of year: rents and values move with growth plus a shock, incomes with growth."""
    x = inp.x
    shocks = rng.standard_normal((2, inp.n))
    vol = x["market_volatility"]
    market.rent_index = market.rent_index * np.maximum(
        1 + x["market_rent_growth_real"] + vol * shocks[0], 0.01)
    market.value_index = market.value_index * np.maximum(
        1 + x["property_value_growth_real"] + vol * shocks[1], 0.01)
    market.income_index = market.income_index * (1 + x["income_growth_real"])


def _resell_clt(t: int, inp: _Inputs, clt: _Clt, market: _Market, increase_base: str) -> None:
    """End of year: CLT homes due for resale change hands under the CLTB formula."""
    x, c, tenure = inp.x, inp.c, inp.tenure
    due = (clt.bought_year >= 0) & (
        np.floor(np.maximum(t + 1 - c, 0) / tenure) > np.floor(np.maximum(t - c, 0) / tenure))
    if due.any():
        value_now = x["market_price_eur_m2"][due] * market.value_index[due] * inp.home_area[due]
        sale = cltb_resale_breakdown(
            clt.price[due], appraised_at_purchase=clt.value_at_purchase[due],
            appraised_at_resale=value_now, seller_share=x["clt_seller_share"][due],
            increase_base=increase_base)
        clt.equity_back[due] += sale["seller_proceeds_eur"] - outstanding_balance(
            clt.price[due], x["interest_rate_real"][due], x["mortgage_years"][due],
            t + 1 - clt.loan_start[due])
        clt.price[due] = sale["resale_price_eur"]
        clt.value_at_purchase[due] = value_now
        clt.bought_year[due] = t + 1
        clt.loan_start[due] = t + 1
        clt.resales[due] += 1


def simulate(
    assumptions: Assumptions,
    *,
    n_draws: int = 2000,
    horizon_years: int | None = None,
    seed: int | np.random.Generator = 20261126,
    income_deciles_eur_year: Sequence[float] | None = None,
    target_decile: int = 2,
    increase_base: CltbIncreaseBase = "price_paid",
    path_draws: int = 2000,
    discount_rate: float | None = None,
    money: MoneySettings | None = None,
    indexes: PriceIndexes | None = None,
) -> ScenarioResult:
    """Run the temporary-use vs permanent Monte Carlo model.

    Parameters
    ----------
    assumptions
        Validated inputs (:func:`~permanent_research.scenarios.validate_assumptions`).
    n_draws
        Number of Monte Carlo draws (each draw samples every uncertain input once; occupation
        lengths, gaps and yearly market shocks are drawn per event and per year).
    horizon_years
        Years simulated; default the scenario's ``horizon_years``.
    seed
        Seed or generator; the same seed gives identical results.
    income_deciles_eur_year
        Ten *equivalised* disposable incomes (EUR/year), one per decile, for cost-to-income
        ratios; multiplied by ``household_equivalence_scale``. ``None`` skips them and prices
        social rents at a fixed share of a notional income of EUR 20,000 (equivalised).
    target_decile
        Decile (1–10) of the household whose income sets the social rent in the cost metrics.
    increase_base
        Reading of the CLTB resale formula: ``"price_paid"`` or ``"appraised_value"``
        (see :mod:`permanent_research.clt`).
    path_draws
        Number of draws kept for the per-year fan-chart quantiles (memory bound).
    discount_rate
        Real annual discount rate of the ``pv_*`` metrics; default the ``money`` section's, else
        :data:`DEFAULT_DISCOUNT_RATE`. Present values also come at 0 %, 2 % and 3.5 %
        (:attr:`ScenarioResult.present_values`); public outlays are discounted from the start of
        their year (year 0 undiscounted), terminal values from the horizon.
    money
        The scenario's validated ``money:`` section. Given, every euro input is first scaled to
        euros of its base year (:func:`~permanent_research.scenarios.in_base_year`, which needs
        ``indexes``) and present values use its discount rate; ``None`` takes the inputs as they
        are (already base-year euros).
    indexes
        :func:`permanent_research.prices.price_indexes` of the bundled deflators (with
        ``money``).

    Returns
    -------
    ScenarioResult
    """
    if not isinstance(assumptions, Assumptions):
        raise ParameterError("assumptions must come from validate_assumptions(...)")
    if isinstance(n_draws, bool) or not isinstance(n_draws, (int, np.integer)) or n_draws < 1:
        raise ParameterError(f"n_draws={n_draws!r} must be an integer >= 1")
    if money is not None:
        if indexes is None:
            raise ParameterError("money needs indexes=prices.price_indexes(...) to convert the "
                                 "euro inputs to the base year")
        from permanent_research.scenarios._money import in_base_year

        assumptions = in_base_year(assumptions, money, indexes)
    if discount_rate is None:
        discount_rate = money.discount_rate if money is not None else DEFAULT_DISCOUNT_RATE
    rate = float(check_rate(discount_rate))
    rates = tuple(sorted({*SHOWN_DISCOUNT_RATES, rate}))
    horizon = assumptions.horizon_years if horizon_years is None else horizon_years
    if isinstance(horizon, bool) or not isinstance(horizon, (int, np.integer)) or horizon <= 0:
        raise ParameterError(f"horizon_years={horizon!r} must be an integer > 0")
    horizon = int(horizon)
    check_choice("increase_base", increase_base, CLTB_INCREASE_BASES)
    check_in_range("target_decile", target_decile, 1, 10)
    if income_deciles_eur_year is not None:
        deciles = np.asarray(income_deciles_eur_year, dtype=float)
        if deciles.shape != (10,) or not np.all(deciles > 0):
            raise ParameterError("income_deciles_eur_year must be ten positive incomes (EUR/year)")
    else:
        deciles = None
    root = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    # three independent streams: inputs, temporary-use events, market shocks. Fixing one input
    # (tornado) then leaves the other streams untouched (common random numbers).
    rng_inputs, rng_events, rng_market = root.spawn(3)
    n = int(n_draws)
    m = min(n, int(path_draws))
    inp = _Inputs(_draw_inputs(assumptions, n, rng_inputs), n, deciles, target_decile)
    occupation = assumptions["occupation_years"]
    gap = assumptions["gap_years"]
    factors = np.stack([discount_factors(r, horizon + 1) for r in rates])  # t = 0 … horizon
    acc = {(u, mod): _Accumulator(n, m, horizon, factors) for u in USERS for mod in MODELS[u]}
    market = _Market(n)
    temporary = _TemporaryUse(n, occupation, rng_events)
    clt = _Clt(inp)

    # one step per model and year; the market moves on and CLT homes change hands at year end
    for t in range(horizon):
        market_rent, market_year = _step_market(t, inp, market, acc)
        _step_temporary_use(t, inp, temporary, market, market_rent, acc, occupation, gap,
                            rng_events)
        _step_permanent_clt(t, inp, clt, market, market_year, acc)
        _step_social_housing(t, inp, market, market_year, acc)
        _advance_market(inp, market, rng_market)
        _resell_clt(t, inp, clt, market, increase_base)

    draws, present_values = _draws_table(inp, acc, clt, market, temporary, horizon,
                                         increase_base, rates, rates.index(rate), factors)
    return ScenarioResult(
        draws=draws, present_values=present_values, discount_rate=rate,
        paths=_path_quantiles(acc, horizon),
        cost_to_income=_cost_to_income(inp, acc, deciles, horizon), n_draws=n,
        horizon_years=horizon, seed=None if isinstance(seed, np.random.Generator) else int(seed),
        assumptions=assumptions)


def _draws_table(inp: _Inputs, acc: dict, clt: _Clt, market: _Market,
                 temporary: _TemporaryUse, horizon: int, increase_base: str,
                 rates: tuple[float, ...], at: int, factors: np.ndarray,
                 ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One row per (user, model, draw) with every metric of :data:`METRICS`, and the present
    values per rate (``rates[at]`` is the run's rate; ``factors[:, horizon]`` discounts the
    terminal value)."""
    x, n, area, home_area = inp.x, inp.n, inp.area, inp.home_area
    c, tenure, social_c = inp.c, inp.tenure, inp.social_c
    land_floor, construction = inp.land_floor, inp.construction
    value_index, neighbour = market.value_index, temporary.neighbour
    clt_price, clt_value_at_purchase = clt.price, clt.value_at_purchase
    clt_bought_year, clt_loan_start = clt.bought_year, clt.loan_start
    clt_equity_back, clt_resales = clt.equity_back, clt.resales
    years = float(horizon)
    value_at_horizon = x["market_price_eur_m2"] * value_index * home_area
    built = c < horizon
    at_horizon = cltb_resale_breakdown(
        clt_price, appraised_at_purchase=clt_value_at_purchase,
        appraised_at_resale=value_at_horizon, seller_share=x["clt_seller_share"],
        increase_base=increase_base)
    next_price = np.broadcast_to(at_horizon["resale_price_eur"], (n,))
    # the sitting owner's equity if they sold at the horizon (proceeds minus the loan still owed)
    owner_now = clt_bought_year >= 0
    clt_equity_back = clt_equity_back + np.where(
        owner_now,
        at_horizon["seller_proceeds_eur"] - outstanding_balance(
            clt_price, x["interest_rate_real"], x["mortgage_years"],
            horizon - np.where(owner_now, clt_loan_start, horizon)),
        0.0)
    land_held = land_floor * x["land_subsidy_share"] * value_index
    locked = {
        ("household", "permanent_clt"): np.where(
            clt_bought_year >= 0, (value_at_horizon - next_price) / home_area, land_held),
        ("studio", "permanent_clt"): land_held + construction * x["construction_subsidy_share"],
        ("household", "social_housing"): np.where(
            social_c < horizon, x["market_price_eur_m2"] * value_index, 0.0),
    }
    dwelling_years_clt = np.clip(horizon - c, 0.0, None)
    dwelling_years_social = np.clip(horizon - social_c, 0.0, None)
    housed = {
        ("studio", "permanent_clt"): np.where(
            built, 1 + np.floor(np.clip(horizon - c, 0, None) / tenure), 0.0),
        ("household", "permanent_clt"): np.where(built, 1 + clt_resales, 0.0),
        ("household", "social_housing"): np.where(
            social_c < horizon, 1 + x["social_turnover_rate"] * dwelling_years_social, 0.0),
    }
    frames = []
    pv_rows = []
    terminal = factors[:, horizon, None]
    for (u, mod), a in acc.items():
        units_per_1000 = 1000.0 / area[u]
        if mod == "temporary_use":
            unit_years = a.affordable
            housed_units = np.ones(n)
        elif mod == "permanent_clt":
            unit_years = dwelling_years_clt
            housed_units = housed[(u, mod)]
        elif mod == "social_housing":
            unit_years = dwelling_years_social
            housed_units = housed[(u, mod)]
        else:
            unit_years = np.zeros(n)
            housed_units = np.zeros(n)
        lock = locked.get((u, mod), np.zeros(n))
        # discounted unit-years: occupied years for temporary use, dwelling years otherwise
        # (the undiscounted denominators at 0 %)
        years_pv = a.affordable_pv if mod == "temporary_use" else a.space_pv
        pv_lock = lock * terminal
        with np.errstate(divide="ignore", invalid="ignore"):
            pv_gross = np.where(years_pv > 0, a.public_pv * area[u] / years_pv, np.nan)
            pv_net = np.where(years_pv > 0, (a.public_pv - pv_lock) * area[u] / years_pv, np.nan)
        if mod != "market":
            pv_rows.extend(_pv_summary(u, mod, rates, "pv_public_cost_per_affordable_year_eur",
                                       pv_gross))
            pv_rows.extend(_pv_summary(u, mod, rates,
                                       "pv_net_public_cost_per_affordable_year_eur", pv_net))
        with np.errstate(divide="ignore", invalid="ignore"):
            per_year = np.where(unit_years > 0, a.public * area[u] / unit_years, np.nan)
            net = np.where(unit_years > 0, (a.public - lock) * area[u] / unit_years, np.nan)
            neighbour_rate = np.where(a.affordable > 0, neighbour / a.affordable, np.nan)
        frame = {
            "user": u, "model": mod, "draw": np.arange(n),
            "cost_eur_m2_year": a.cost / years,
            "cost_net_of_equity_eur_m2_year": (
                (a.cost - clt_equity_back / home_area) / years
                if (u, mod) == ("household", "permanent_clt") else a.cost / years),
            "secure_tenure_years": a.secure,
            "forced_moves": a.moves,
            "affordable_years": a.affordable,
            "occupants_housed_per_1000m2": housed_units * units_per_1000,
            "public_cost_eur_m2": a.public,
            "public_cost_per_affordable_year_eur": per_year,
            "subsidy_locked_in_eur_m2": lock,
            "net_public_cost_per_affordable_year_eur": net,
            "neighbour_extra_rent_eur_m2_year": (
                neighbour_rate if mod == "temporary_use" else np.full(n, np.nan)),
            "site_uplift_land_cost_eur_m2": (
                x["site_value_uplift"] * land_floor if mod == "temporary_use"
                else np.full(n, np.nan)),
            "pv_public_cost_eur_m2": a.public_pv[at],
            "pv_subsidy_locked_in_eur_m2": pv_lock[at],
            "pv_net_public_cost_per_affordable_year_eur": (
                pv_net[at] if mod != "market" else np.full(n, np.nan)),
        }
        if mod == "market":
            frame["public_cost_per_affordable_year_eur"] = np.full(n, np.nan)
            frame["net_public_cost_per_affordable_year_eur"] = np.full(n, np.nan)
        frames.append(frame)
    draws = pd.DataFrame({
        key: (_labels([f[key] for f in frames], n) if key in ("user", "model")
              else np.concatenate([np.broadcast_to(f[key], (n,)) for f in frames]))
        for key in frames[0]
    })
    return draws, pd.DataFrame(pv_rows)


def _pv_summary(user: str, model: str, rates: tuple[float, ...], metric: str,
                values: np.ndarray, interval: tuple[float, float] = (0.05, 0.95)) -> list[dict]:
    """Median and interval of one (k rates, n draws) metric, one row per rate."""
    rows = []
    for i, r in enumerate(rates):
        row = values[i][np.isfinite(values[i])]
        if row.size == 0:
            continue
        low, median, high = np.quantile(row, (interval[0], 0.5, interval[1]))
        rows.append({"user": user, "model": model, "discount_rate": r, "metric": metric,
                     "median": median, "low": low, "high": high})
    return rows


def _path_quantiles(acc: dict, horizon: int) -> pd.DataFrame:
    """Fan-chart quantiles per (user, model, metric, year) from the kept path draws."""
    # one quantile call and one frame for every (user, model, metric) block (the same numbers
    # as block by block: quantiles are taken along the draws axis of each block separately)
    blocks = [(u, mod, name) for (u, mod), a in acc.items() for name in a.paths]
    stacked = np.stack([acc[(u, mod)].paths[name] for u, mod, name in blocks])
    q = np.quantile(stacked, QUANTILES, axis=2)  # (quantile, block, year)
    columns = {label: np.repeat([b[i] for b in blocks], horizon)
               for i, label in enumerate(("user", "model", "metric"))}
    columns["year"] = np.tile(np.arange(1, horizon + 1), len(blocks))
    for i, level in enumerate(QUANTILES):
        columns[f"q{round(level * 100):02d}"] = q[i].reshape(-1)
    return pd.DataFrame(columns)


def _cost_to_income(inp: _Inputs, acc: dict, deciles: np.ndarray | None,
                    horizon: int) -> pd.DataFrame:
    """Households' mean yearly cost over income, per model and decile (q05, q50, q95)."""
    x, home_area, scale = inp.x, inp.home_area, inp.scale
    years = float(horizon)
    cti_rows = []
    if deciles is not None:
        for mod in MODELS["household"]:
            a = acc[("household", mod)]
            for d, income in enumerate(deciles, start=1):
                ratio = (a.cost_over_income / years) * home_area / (income * scale)
                if mod == "social_housing":
                    ratio = ratio + x["social_rent_share_of_income"] * a.in_income_based / years
                q05, q50, q95 = np.quantile(ratio, (0.05, 0.5, 0.95))
                cti_rows.append({"model": mod, "decile": d, "income_eur_year": income * 1.0,
                                 "q05": q05, "q50": q50, "q95": q95})
    return pd.DataFrame(
        cti_rows, columns=["model", "decile", "income_eur_year", "q05", "q50", "q95"])


#: The studio models of :func:`studio_costs`, in words, in the order every report shows them.
STUDIO_MODEL_LABELS: Mapping[str, str] = MappingProxyType({
    "temporary_use": "temporary use",
    "permanent_clt": "permanent (CLT cost-rent)",
    "market": "market workshop",
})


def studio_costs(assumptions: Assumptions, *, q: float = 0.5) -> pd.DataFrame:
    """What an artist pays for a studio, per m² per month, in each model, from the scenario.

    The same formulas as :func:`simulate` with every input at its ``q`` quantile: temporary use
    pays the occupation fee; a CLT studio, once built, the cost-rent (annuity of the price
    without subsidised land and construction over ``cost_rent_loan_years``) plus maintenance and
    the occupant's share of stewardship; the market, the studio market rent. Notebooks use it so
    that no studio cost is typed twice (notebook 03's studio affordability, 06's model).

    Parameters
    ----------
    assumptions
        Validated assumptions, in the euros the caller wants (convert first with
        :func:`~permanent_research.scenarios.in_base_year`).
    q
        Quantile of every input (0.5: medians).

    Returns
    -------
    pandas.DataFrame
        Columns model (temporary_use, permanent_clt, market), label (the model in words, as
        every report names it: :data:`STUDIO_MODEL_LABELS`) and cost_eur_m2_month.
    """
    if not isinstance(assumptions, Assumptions):
        raise ParameterError("assumptions must come from validate_assumptions(...)")
    check_in_range("q", q, 0, 1)
    x = {key: np.array([assumptions[key].quantile(q)]) for key in assumptions}
    inp = _Inputs(x, 1, None, 2)
    return pd.DataFrame({
        "model": list(STUDIO_MODEL_LABELS),
        "label": list(STUDIO_MODEL_LABELS.values()),
        "cost_eur_m2_month": [
            float(x["temporary_fee_eur_m2_month"][0]),
            float((inp.cost_rent + inp.occupant_fixed)[0] / 12),
            float(x["market_rent_studio_eur_m2_month"][0]),
        ],
    })
