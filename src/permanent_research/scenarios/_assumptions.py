"""Uncertain inputs of the scenario model: distributions read from a scenario file.

A scenario file's ``assumptions:`` section maps each key of :data:`ASSUMPTION_SPECS` to a
distribution and its source, for example::

    occupation_years: {dist: triangular, low: 1, mode: 2, high: 6,
                       source: "citydev: 2 years typical (temporary_use_facts); range assumption"}

Supported distributions (every one is sampled by inverse CDF from one uniform stream per key,
so runs are reproducible and a key's draws do not change when another key changes):

``fixed``       ``value``
``uniform``     ``low``, ``high``
``triangular``  ``low``, ``mode``, ``high``
``normal``      ``mean``, ``sd`` and optional ``low``/``high``: truncated to ``[low, high]``
                 (default: the key's allowed range)
``lognormal``   ``median``, ``sigma`` (of the log) and optional ``low``/``high`` truncation

Every entry needs ``source:``: a URL, a dataset name from ``data/raw/catalog.yaml``, or the word
"assumption".
"""

from __future__ import annotations

import difflib
import html
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from permanent_research.errors import ParameterError, ScenarioError
from permanent_research.results import Result

__all__ = [
    "compare_assumptions",
    "DISTRIBUTIONS",
    "ASSUMPTION_SPECS",
    "AssumptionSpec",
    "Distribution",
    "Assumptions",
    "validate_assumptions",
    "load_assumptions",
]

DISTRIBUTIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # name -> (required parameters, optional parameters)
    "fixed": (("value",), ()),
    "uniform": (("low", "high"), ()),
    "triangular": (("low", "mode", "high"), ()),
    "normal": (("mean", "sd"), ("low", "high")),
    "lognormal": (("median", "sigma"), ("low", "high")),
}

# kind -> (lowest allowed, highest allowed, lowest is strict)
_KINDS: dict[str, tuple[float, float, bool]] = {
    "cost": (0.0, math.inf, False),  # euros: never negative
    "share": (0.0, 1.0, False),  # fractions in [0, 1]
    "duration": (0.0, math.inf, False),  # years, may be zero (a gap)
    "positive": (0.0, math.inf, True),  # years or areas that must be > 0
    "rate": (-0.5, 0.5, False),  # annual real growth or interest rates
    "horizon": (0.0, 200.0, True),  # simulation horizon, years
}


@dataclass(frozen=True)
class AssumptionSpec:
    """What an assumption key means: its kind (allowed range), unit and description."""

    kind: str
    unit: str
    description: str

    @property
    def allowed(self) -> tuple[float, float, bool]:
        return _KINDS[self.kind]

    def interval(self) -> str:
        low, high, strict = self.allowed
        return f"{'(' if strict else '['}{low:g}, {'inf' if math.isinf(high) else f'{high:g}'}]"


def _spec(kind: str, unit: str, description: str) -> AssumptionSpec:
    return AssumptionSpec(kind, unit, description)


ASSUMPTION_SPECS: dict[str, AssumptionSpec] = {
    # --- horizon and areas
    "horizon_years": _spec("horizon", "years", "default simulation horizon (fixed only)"),
    "unit_area_home_m2": _spec("positive", "m2", "floor area of one home"),
    "unit_area_studio_m2": _spec("positive", "m2", "floor area of one artist's studio"),
    # --- market
    "market_rent_home_eur_m2_month": _spec("cost", "EUR/m2/month", "market rent of a home"),
    "market_rent_studio_eur_m2_month": _spec(
        "cost", "EUR/m2/month", "market rent of a studio or workshop"
    ),
    "market_rent_growth_real": _spec("rate", "1/year", "real growth of market rents"),
    "property_value_growth_real": _spec("rate", "1/year", "real growth of property values"),
    "market_volatility": _spec("duration", "1/year", "s.d. of yearly rent and value shocks"),
    "income_growth_real": _spec("rate", "1/year", "real growth of household incomes"),
    "market_price_eur_m2": _spec("cost", "EUR/m2", "market value of a new home, year 0"),
    "market_forced_move_rate": _spec(
        "share", "1/year", "yearly probability of a forced move in the private market"
    ),
    "new_lease_rent_premium": _spec(
        "share", "fraction", "rent of a new lease over a sitting tenant's rent, minus 1 (movers)"
    ),
    "relocation_cost_eur": _spec("cost", "EUR/move", "moving costs of one forced move"),
    "lost_work_weeks_per_move": _spec("duration", "weeks/move", "working time lost per move"),
    "value_of_work_week_eur": _spec("cost", "EUR/week", "value of one lost working week"),
    "household_equivalence_scale": _spec(
        "positive", "ratio", "household income / equivalised income (OECD-modified scale)"
    ),
    # --- temporary use
    "occupation_years": _spec("positive", "years", "length of one temporary occupation"),
    "gap_years": _spec("duration", "years", "time between two occupations"),
    "new_site_probability": _spec(
        "share", "probability", "an occupant finds another temporary site after one ends"
    ),
    "temporary_fee_eur_m2_month": _spec(
        "cost", "EUR/m2/month", "occupation fee paid by temporary users"
    ),
    "temporary_public_cost_eur_m2_year": _spec(
        "cost", "EUR/m2/year", "public operating support of a temporary occupation"
    ),
    "temporary_setup_cost_eur_m2": _spec(
        "cost", "EUR/m2", "public set-up cost of each new temporary occupation"
    ),
    "nearby_rent_pressure": _spec(
        "share", "fraction", "rise of nearby market rents caused by an occupation"
    ),
    "nearby_rented_m2_per_site_m2": _spec(
        "cost", "m2/m2", "rented floor area nearby per m2 of temporary site"
    ),
    "site_value_uplift": _spec("share", "fraction", "rise of the site's land value"),
    # --- permanent (CLT)
    "land_price_eur_m2": _spec("cost", "EUR/m2 plot", "price of building land"),
    "floor_area_ratio": _spec("positive", "m2 floor/m2 plot", "floor area built per m2 of plot"),
    "construction_cost_eur_m2": _spec(
        "cost", "EUR/m2 floor", "all-in construction cost (fees and VAT included)"
    ),
    "land_subsidy_share": _spec("share", "fraction", "share of the land paid by public subsidy"),
    "construction_subsidy_share": _spec(
        "share", "fraction", "share of construction paid by public subsidy"
    ),
    "construction_years": _spec("duration", "years", "land purchase to move-in"),
    "interest_rate_real": _spec("rate", "1/year", "real interest rate of mortgages and loans"),
    "mortgage_years": _spec("positive", "years", "term of a buyer's mortgage"),
    "cost_rent_loan_years": _spec(
        "positive", "years", "term of the loan that cost-rents of studios repay"
    ),
    "maintenance_eur_m2_year": _spec("cost", "EUR/m2/year", "maintenance paid by occupants"),
    "stewardship_cost_eur_m2_year": _spec(
        "cost", "EUR/m2/year", "the CLT's stewardship (operating) cost"
    ),
    "stewardship_public_share": _spec(
        "share", "fraction", "share of stewardship paid by public operating grants"
    ),
    "clt_tenure_years": _spec("positive", "years", "years between two resales (or re-lets)"),
    "clt_seller_share": _spec("share", "fraction", "seller's share of the value increase"),
    # --- social housing
    "social_wait_years": _spec("duration", "years", "time on the waiting list"),
    "social_rent_share_of_income": _spec("share", "fraction", "social rent / household income"),
    "social_dwelling_cost_eur": _spec("cost", "EUR/dwelling", "public cost of a new dwelling"),
    "social_operating_subsidy_eur_year": _spec(
        "cost", "EUR/dwelling/year", "yearly public operating subsidy of a social dwelling"
    ),
    "social_turnover_rate": _spec("share", "1/year", "share of social tenants leaving each year"),
}


def _fail(source: str, key: str, message: str) -> ScenarioError:
    return ScenarioError(f"{source}: assumptions.{key}: {message}")


def _number(source: str, key: str, name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise _fail(source, key, f"{name}={value!r} is not a number")
    number = float(value)
    if not math.isfinite(number):
        raise _fail(source, key, f"{name}={number!r} is not a finite number")
    return number


def _significant(value: float, digits: int = 4) -> str:
    """``value`` with at most ``digits`` significant digits, never in scientific notation."""
    if value == 0:
        return "0"
    rounded = round(value, digits - 1 - math.floor(math.log10(abs(value))))
    return f"{rounded:g}" if abs(rounded) < 1e6 else f"{rounded:.0f}"


@dataclass(frozen=True)
class Distribution:
    """One uncertain input: a distribution with its parameters and its source.

    Sample with :meth:`ppf` (inverse CDF of uniforms in [0, 1)), so a quantile ``q`` of the
    input is ``ppf(q)``.
    """

    key: str
    dist: str
    params: Mapping[str, float]
    source: str

    def ppf(self, u: np.ndarray | float) -> np.ndarray:
        """Values at probabilities ``u`` (inverse cumulative distribution), in the key's unit."""
        u = np.asarray(u, dtype=float)
        p = self.params
        if self.dist == "fixed":
            return np.full(u.shape, p["value"])
        if self.dist == "uniform":
            return p["low"] + u * (p["high"] - p["low"])
        if self.dist == "triangular":
            low, mode, high = p["low"], p["mode"], p["high"]
            if high == low:
                return np.full(u.shape, low)
            width = high - low
            c = (mode - low) / width
            below = low + np.sqrt(u * width * (mode - low))
            above = high - np.sqrt((1 - u) * width * (high - mode))
            return np.where(u <= c, below, above)
        low, high = p["low"], p["high"]
        if self.dist == "normal":
            mean, sd = p["mean"], p["sd"]
            if sd == 0:
                return np.full(u.shape, mean)
            a = stats.norm.cdf(low, mean, sd)
            b = stats.norm.cdf(high, mean, sd)
            return stats.norm.ppf(a + u * (b - a), mean, sd)
        # lognormal: log X ~ N(log median, sigma), truncated to [low, high]
        median, sigma = p["median"], p["sigma"]
        if sigma == 0:
            return np.full(u.shape, median)
        mu = math.log(median)
        lo = stats.norm.cdf((math.log(low) - mu) / sigma) if low > 0 else 0.0
        hi = stats.norm.cdf((math.log(high) - mu) / sigma) if math.isfinite(high) else 1.0
        return np.exp(mu + sigma * stats.norm.ppf(lo + u * (hi - lo)))

    def quantile(self, q: float) -> float:
        """The input's ``q`` quantile (``q`` in [0, 1])."""
        return float(self.ppf(np.array([q]))[0])

    @property
    def low(self) -> float:
        """Smallest value the distribution can take (its 0 quantile)."""
        return self.quantile(0.0)

    @property
    def high(self) -> float:
        """Largest value the distribution can take (its 1 quantile)."""
        return self.quantile(1.0)

    def describe(self) -> str:
        """Short text such as ``triangular(1, 2, 6)``."""
        shown = ", ".join(
            f"{k}={_significant(v)}" for k, v in self.params.items() if math.isfinite(v)
        )
        return f"{self.dist}({shown})"


def _parse_entry(source: str, key: str, entry: Any) -> Distribution:
    spec = ASSUMPTION_SPECS[key]
    if not isinstance(entry, Mapping):
        raise _fail(
            source, key, "expected a mapping like {dist: uniform, low: 1, high: 5, source: ...}, "
            f"found {type(entry).__name__}"
        )
    dist = entry.get("dist")
    if dist not in DISTRIBUTIONS:
        raise _fail(
            source, key, f"dist={dist!r} is not allowed; choose one of {', '.join(DISTRIBUTIONS)}"
        )
    text = entry.get("source")
    if not isinstance(text, str) or not text.strip():
        raise _fail(source, key, "missing source: give a URL, a dataset name or 'assumption'")
    required, optional = DISTRIBUTIONS[dist]
    allowed_fields = {"dist", "source", "note", *required, *optional}
    unknown = [name for name in entry if name not in allowed_fields]
    if unknown:
        raise _fail(
            source, key, f"unknown field(s) {', '.join(map(str, unknown))} for dist={dist}; "
            f"allowed: {', '.join(sorted(allowed_fields))}"
        )
    missing = [name for name in required if name not in entry]
    if missing:
        raise _fail(source, key, f"dist={dist} needs {', '.join(required)}; missing "
                    f"{', '.join(missing)}")
    params = {name: _number(source, key, name, entry[name]) for name in (*required, *optional)
              if name in entry}
    allowed_low, allowed_high, strict = spec.allowed
    interval = spec.interval()

    def check_value(name: str, value: float) -> None:
        too_low = value <= allowed_low if strict else value < allowed_low
        if too_low or value > allowed_high:
            what = {"cost": "a cost", "share": "a share"}.get(spec.kind, "a value")
            raise _fail(source, key, f"{name}={value:g} is outside the allowed range {interval} "
                        f"for {what} in {spec.unit}")

    if dist == "fixed":
        check_value("value", params["value"])
    elif dist in ("uniform", "triangular"):
        if params["low"] > params["high"]:
            raise _fail(source, key, f"low={params['low']:g} exceeds high={params['high']:g}; "
                        "need low <= high")
        if dist == "triangular" and not params["low"] <= params["mode"] <= params["high"]:
            raise _fail(source, key, f"mode={params['mode']:g} is outside [low, high] = "
                        f"[{params['low']:g}, {params['high']:g}]")
        check_value("low", params["low"])
        check_value("high", params["high"])
    else:
        centre = "mean" if dist == "normal" else "median"
        spread = "sd" if dist == "normal" else "sigma"
        if params[spread] < 0:
            raise _fail(source, key, f"{spread}={params[spread]:g} is negative; need >= 0")
        if dist == "lognormal" and params["median"] <= 0:
            raise _fail(source, key, f"median={params['median']:g} must be > 0 for a lognormal")
        low = params.get("low", allowed_low)
        high = params.get("high", allowed_high)
        if low > high:
            raise _fail(source, key, f"low={low:g} exceeds high={high:g}; need low <= high")
        if "low" in params:
            check_value("low", low)
        if "high" in params:
            check_value("high", high)
        check_value(centre, params[centre])
        if not low <= params[centre] <= high:
            raise _fail(source, key, f"{centre}={params[centre]:g} is outside its truncation "
                        f"[{low:g}, {high:g}]")
        params["low"] = low
        params["high"] = high
    if spec.kind == "horizon" and dist != "fixed":
        raise _fail(source, key, f"dist={dist} is not allowed; the horizon must be dist: fixed")
    if spec.kind == "horizon" and not float(params["value"]).is_integer():
        raise _fail(source, key, f"value={params['value']:g} is not a whole number of years; "
                    f"allowed: an integer in {spec.interval()}")
    return Distribution(key=key, dist=dist, params=params, source=text.strip())


@dataclass(frozen=True)
class Assumptions(Result):
    """Validated uncertain inputs of the scenario model (build with :func:`validate_assumptions`).

    Attributes
    ----------
    items
        ``{key: Distribution}`` in the order of :data:`ASSUMPTION_SPECS`.
    source
        Where the assumptions came from (a file name), for messages.
    """

    items: Mapping[str, Distribution]
    source: str = "assumptions"

    def __getitem__(self, key: str) -> Distribution:
        return self.items[key]

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def horizon_years(self) -> int:
        """The scenario's default horizon (years)."""
        return int(round(self.items["horizon_years"].params["value"]))

    def uncertain_keys(self) -> list[str]:
        """Keys whose distribution is not a single value."""
        return [k for k, d in self.items.items() if d.low != d.high]

    def replace(self, **values: Any) -> Assumptions:
        """A copy with some assumptions changed, validated exactly like the scenario file.

        Parameters
        ----------
        **values
            ``key=number`` fixes the assumption at that value (``dist: fixed``, source kept);
            ``key={"dist": ..., ...}`` is a whole entry as written in the YAML (its ``source``
            defaults to the old one).

        Raises
        ------
        ScenarioError
            One line naming the key and the allowed range or values: an unknown key (with close
            matches), NaN, a value out of range (a share above 1, a negative cost, a horizon
            outside (0, 200] …) — the checks of :func:`validate_assumptions`.
        """
        items = dict(self.items)
        for key, value in values.items():
            if key not in items:
                raise ScenarioError(_unknown_key_message(self.source, key))
            old = items[key]
            if isinstance(value, Mapping):
                entry = {"source": old.source, **value}
            else:
                entry = {"dist": "fixed", "value": value, "source": old.source}
            items[key] = _parse_entry(self.source, key, entry)
        return Assumptions(items=items, source=self.source)

    def at_quantile(self, q: float = 0.5) -> Assumptions:
        """A copy with every input fixed at its ``q`` quantile (0.5: the medians)."""
        return self.replace(**{k: d.quantile(q) for k, d in self.items.items()})

    def to_frame(self) -> pd.DataFrame:
        """One row per assumption: key, unit, distribution, 5 %, median, 95 %, source."""
        rows = []
        for key, d in self.items.items():
            spec = ASSUMPTION_SPECS[key]
            rows.append({
                "assumption": key,
                "description": spec.description,
                "unit": spec.unit,
                "distribution": d.describe(),
                "p05": d.quantile(0.05),
                "median": d.quantile(0.5),
                "p95": d.quantile(0.95),
                "source": d.source,
            })
        return pd.DataFrame(rows)

    def summary(self) -> str:
        """Plain-text table of the assumptions."""
        return self.to_frame().drop(columns=["description"]).to_string(index=False)

    def _repr_html_(self) -> str:
        return (f"<p><b>Scenario assumptions</b> ({html.escape(self.source)}, {len(self)} "
                "inputs)</p>"
                + self.to_frame().to_html(index=False, float_format=lambda x: f"{x:,.4g}"))


def _unknown_key_message(source: str, key: Any) -> str:
    close = difflib.get_close_matches(str(key), list(ASSUMPTION_SPECS), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    return (f"{source}: assumptions.{key}: unknown key{hint} (allowed keys: "
            f"{', '.join(ASSUMPTION_SPECS)})")


def validate_assumptions(mapping: Mapping[str, Any], *, source: str = "scenario") -> Assumptions:
    """Check the ``assumptions:`` section of a scenario file and return it validated.

    Parameters
    ----------
    mapping
        ``{key: {dist: ..., <parameters>, source: ...}}`` (the parsed YAML section). Every key
        of :data:`ASSUMPTION_SPECS` must be present.
    source
        Name of the file (or other origin) used in error messages.

    Returns
    -------
    Assumptions
        Frozen, validated distributions.

    Raises
    ------
    ScenarioError
        One line naming the key and the allowed values: unknown key (with close matches), a
        missing key, an unknown distribution, a missing source, a negative cost, a share outside
        [0, 1], a low above its high, a horizon <= 0.
    """
    if not isinstance(mapping, Mapping):
        raise ScenarioError(f"{source}: assumptions must be a mapping of key -> distribution, "
                            f"found {type(mapping).__name__}")
    for key in mapping:
        if key not in ASSUMPTION_SPECS:
            raise ScenarioError(_unknown_key_message(source, key))
    missing = [key for key in ASSUMPTION_SPECS if key not in mapping]
    if missing:
        raise ScenarioError(f"{source}: assumptions: missing key(s) {', '.join(missing)}")
    items = {key: _parse_entry(source, key, mapping[key]) for key in ASSUMPTION_SPECS}
    return Assumptions(items=items, source=source)


def load_assumptions(scenario: str = "baseline") -> Assumptions:
    """Read and validate ``scenarios/<scenario>.yaml``'s ``assumptions:`` section.

    Parameters
    ----------
    scenario
        A scenario name (``"baseline"``, ``"pessimistic"``, ``"optimistic"``) or a path to a
        YAML file.

    Raises
    ------
    ScenarioError
        Missing or unreadable file, no ``assumptions:`` section, or any error of
        :func:`validate_assumptions`.
    """
    from pathlib import Path

    import yaml

    from permanent_research.config import paths

    candidate = Path(scenario)
    if candidate.suffix not in (".yaml", ".yml"):
        candidate = paths().scenarios / f"{scenario}.yaml"
    if not candidate.is_file():
        available = sorted(p.stem for p in paths().scenarios.glob("*.yaml"))
        raise ScenarioError(f"scenario {scenario!r} not found ({candidate}); available: "
                            f"{', '.join(available) or 'none'}")
    try:
        document = yaml.safe_load(candidate.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        first = str(error).splitlines()[0] if str(error) else "parse error"
        raise ScenarioError(f"{candidate.name}: not valid YAML ({first})") from None
    if not isinstance(document, Mapping) or "assumptions" not in document:
        raise ScenarioError(f"{candidate.name}: no 'assumptions:' section")
    return validate_assumptions(document["assumptions"], source=candidate.name)


def compare_assumptions(
    first: Assumptions, second: Assumptions, *, q: float = 0.5
) -> pd.DataFrame:
    """Which inputs differ between two assumption sets, and by how much.

    Explains why a pessimistic and an optimistic scenario give different answers: one row per
    key whose distribution differs (its parameters, not only its median).

    Parameters
    ----------
    first, second
        Validated assumptions (e.g. the pessimistic and the optimistic scenario's, both in
        base-year euros).
    q
        Quantile compared (0.5: medians).

    Returns
    -------
    pandas.DataFrame
        assumption, description, unit, first, second (the ``q`` quantiles), difference
        (second − first), relative (difference / |first|, NaN at 0), first_distribution,
        second_distribution; sorted by the absolute relative difference, largest first.
    """
    if not isinstance(first, Assumptions) or not isinstance(second, Assumptions):
        raise ParameterError("compare_assumptions takes two Assumptions (validate_assumptions)")
    if not 0 <= q <= 1:
        raise ParameterError(f"q={q!r} must be in [0, 1]")
    rows = []
    for key in first:
        a, b = first[key], second[key]
        if a.dist == b.dist and dict(a.params) == dict(b.params):
            continue
        va, vb = a.quantile(q), b.quantile(q)
        spec = ASSUMPTION_SPECS[key]
        rows.append({
            "assumption": key, "description": spec.description, "unit": spec.unit,
            "first": va, "second": vb, "difference": vb - va,
            "relative": (vb - va) / abs(va) if va != 0 else float("nan"),
            "first_distribution": a.describe(), "second_distribution": b.describe(),
        })
    columns = ["assumption", "description", "unit", "first", "second", "difference", "relative",
               "first_distribution", "second_distribution"]
    table = pd.DataFrame(rows, columns=columns)
    order = table["relative"].abs().fillna(np.inf).sort_values(ascending=False).index
    return table.loc[order].reset_index(drop=True)
