"""One declared parameter spec per notebook: types, ranges, allowed values, descriptions.

The report runner reads these specs before any kernel starts (a scenario's overrides are checked
here) and each notebook's validation cell calls :func:`check_parameters` on its own namespace:
one validation path for both. The *defaults* stay in the notebook's ``parameters`` cell (papermill
needs them there); a test checks that every default satisfies its spec and that the spec and the
cell name the same parameters.

Option sets come from :mod:`permanent_research.options`; a parameter that feeds a library
argument names it in ``feeds`` (``"module:function.argument"``), and a test checks by
introspection that the argument's ``Literal`` type accepts every option the notebook accepts.

This module imports nothing heavy: the command line uses it.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from permanent_research import options
from permanent_research.errors import ParameterError

__all__ = [
    "INTERNAL_PARAMETERS",
    "NOTEBOOK_SPECS",
    "Parameter",
    "SCENARIO_NAME_PATTERN",
    "check_parameters",
    "check_scenario_name",
    "check_value",
    "parameter_table",
    "spec_for",
]

Kind = Literal["integer", "number", "text", "flag", "list", "mapping"]

#: Scenario (and report-folder) names: letters, digits, ``-`` and ``_``; starts with one of the
#: first two. Anything else could name a path outside ``reports/``.
SCENARIO_NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")

#: Parameters the runner sets; a scenario file may not set them.
INTERNAL_PARAMETERS: Mapping[str, str] = {
    "export_dir": "the report's export folder, which the runner chooses under reports/",
    "scenario": "the scenario file the runner resolved and validated",
}


#: Notebooks that read the *other* scenario files of their scenario's folder
#: (``ScenarioFile.siblings()``, to explain why the answer moves between scenarios). Their content
#: hash covers those files too, so editing ``pessimistic.yaml`` reruns baseline's 06. A test
#: checks every notebook that calls ``siblings()`` is listed.
SIBLING_SCENARIO_READERS: frozenset[str] = frozenset({"06_permanent_vs_temporary",
                                                      "07_building_programme"})


@dataclass(frozen=True)
class Parameter:
    """What one notebook parameter accepts.

    Attributes
    ----------
    description
        What the parameter means, with its unit.
    kind
        ``"integer"``, ``"number"``, ``"text"``, ``"flag"``, ``"list"`` or ``"mapping"``; a tuple
        of kinds accepts any of them (``("text", "number")``).
    options
        Allowed values of a text (or of a list's items); empty means free text.
    low, high
        Inclusive bounds of a number (or of a list's items, or a mapping's values).
    low_open, high_open
        Make the corresponding bound exclusive.
    items
        Kind of a list's items or a mapping's values (``"integer"``, ``"number"``, ``"text"``).
    length
        Exact length of a list (``None``: any, at least ``min_length``).
    min_length
        Fewest items of a list.
    keys
        Allowed keys of a mapping (empty: any text key).
    increasing
        A list's items must increase strictly.
    feeds
        ``"module:function.argument"`` the value is passed to (checked by introspection).
    internal
        Set by the runner, never by a scenario file.
    """

    description: str
    kind: Kind | tuple[Kind, ...]
    options: tuple[Any, ...] = ()
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    items: Kind | None = None
    length: int | None = None
    min_length: int = 0
    keys: tuple[str, ...] = ()
    increasing: bool = False
    feeds: str | None = None
    internal: bool = False

    @property
    def kinds(self) -> tuple[Kind, ...]:
        return self.kind if isinstance(self.kind, tuple) else (self.kind,)

    def rule(self) -> str:
        """The allowed values in words, for error messages."""
        parts: list[str] = []
        if self.options:
            parts.append("one of " + ", ".join(map(repr, self.options)))
        if self.low is not None or self.high is not None:
            left = "(" if self.low_open else "["
            right = ")" if self.high_open else "]"
            low = "-inf" if self.low is None else _number_text(self.low)
            high = "inf" if self.high is None else _number_text(self.high)
            parts.append(f"in {left}{low}, {high}{right}")
        kinds = " or ".join(self.kinds)
        if self.items:
            kinds += f" of {self.items}s"
        return kinds + (" " + " ".join(parts) if parts else "")


def _number_text(value: float) -> str:
    if not float(value).is_integer():
        return f"{value:g}"
    # years read as years; large bounds with Python's digit separator (no comma inside "[a, b]")
    return f"{value:,.0f}".replace(",", "_") if abs(value) >= 10_000 else f"{value:.0f}"


_YEAR = {"low": 1990, "high": 2100}
_SHARE_OPEN = {"low": 0.0, "high": 1.0, "low_open": True, "high_open": True}


def _internal(name: str) -> Parameter:
    return Parameter(INTERNAL_PARAMETERS[name], "text", internal=True)


_SCENARIO = _internal("scenario")
_SEED = Parameter("random seed (same seed, same numbers)", "integer", low=0, high=2**32 - 1)

NOTEBOOK_SPECS: Mapping[str, Mapping[str, Parameter]] = {
    "01_brussels_context": {
        "property_type": Parameter(
            "Statbel property type of the price map and changes",
            "text",
            options.PROPERTY_TYPES,
            feeds="permanent_research.context:median_prices.property_type",
        ),
        "map_year": Parameter("year of the price map", "integer", **_YEAR),
        "change_start_year": Parameter("start year of the price change", "integer", **_YEAR),
        "permit_measure": Parameter(
            "building-permit measure summed over the 19 communes",
            "text",
            options.PERMIT_MEASURES,
            feeds="permanent_research.context:check_parameters.permit_measure",
        ),
    },
    "02_rent_trends": {
        "communes": Parameter(
            '"all" or a list of NIS codes or commune names',
            ("text", "list"),
            ("all",),
            items="text",
            min_length=1,
        ),
        "property_type": Parameter(
            "Statbel property type",
            "text",
            options.PROPERTY_TYPES,
            feeds="permanent_research.rents:sales_medians.property_type",
        ),
        "start_year": Parameter("first year of the trends", "integer", **_YEAR),
        "end_year": Parameter("last year of the trends", "integer", **_YEAR),
        "base_year": Parameter(
            "price year of the real series (euros of that year)", "integer", **_YEAR
        ),
        "deflator": Parameter(
            "deflator of the real series",
            "text",
            options.DEFLATORS,
            feeds="permanent_research.rents:build_deflator.name",
        ),
        "forecast_horizon": Parameter("years projected past the data", "integer", low=0, high=30),
    },
    "03_affordability": {
        "scenario": _SCENARIO,
        "communes": Parameter(
            "NIS codes or commune names; empty means all 19", "list", items="text"
        ),
        "year": Parameter("income year of the disposable-income quartiles", "integer", **_YEAR),
        "threshold": Parameter(
            "affordability norm: rent as a share of income", "number", **_SHARE_OPEN
        ),
        "rent_probabilities": Parameter(
            "probabilities of the rent quantiles",
            "list",
            items="number",
            min_length=2,
            increasing=True,
            **_SHARE_OPEN,
        ),
        "rent_values_eur_month": Parameter(
            "rent quantiles, EUR/month",
            "list",
            items="number",
            min_length=2,
            increasing=True,
            low=0,
            low_open=True,
            high=100_000,
        ),
        "rent_label": Parameter("where the rent quantiles come from (caption)", "text"),
        "rbdh_rent_eur_month": Parameter(
            "RBDH example rent, EUR/month", "number", low=0, low_open=True, high=100_000
        ),
        "rbdh_income_eur_month": Parameter(
            "RBDH example income, EUR/month", "number", low=0, low_open=True, high=1_000_000
        ),
        "fiscal_year": Parameter(
            "income year of fiscal income per declaration", "integer", **_YEAR
        ),
        "studio_threshold": Parameter(
            "share of income a studio may take", "number", **_SHARE_OPEN
        ),
        "turnover_scenarios": Parameter(
            "shares of the social stock re-let a year",
            "list",
            items="number",
            min_length=1,
            low=0,
            high=1,
            low_open=True,
        ),
        "attrition_scenarios": Parameter(
            "shares of the list leaving a year without a home",
            "list",
            items="number",
            min_length=1,
            low=0,
            high=1,
            high_open=True,
        ),
        "added_permanent_homes": Parameter(
            "permanently affordable homes added a year",
            "list",
            items="integer",
            min_length=1,
            low=0,
            high=100_000,
        ),
        "default_turnover": Parameter(
            "share of the social stock re-let a year", "number", low=0, high=1, low_open=True
        ),
        "queue_list_length": Parameter(
            "which waiting-list length the queue starts from",
            "text",
            options.LIST_LENGTH_CHOICES,
            feeds="permanent_research.waiting_list:default_queue_parameters.list_length",
        ),
        "headline_added_homes": Parameter(
            "homes added a year in the headline wait", "integer", low=0, high=100_000
        ),
        "projection_years": Parameter("years of the queue projection", "integer", low=1, high=200),
    },
    "04_displacement": {
        "duplicates": Parameter(
            "ambiguous duplicate rows of the quartier table",
            "text",
            options.DUPLICATE_POLICIES,
            feeds="permanent_research.displacement:handle_flagged_rows.duplicates",
        ),
        "tied": Parameter(
            "suspect tied incomes",
            "text",
            options.TIE_POLICIES,
            feeds="permanent_research.displacement:handle_flagged_rows.tied",
        ),
        "income_years": Parameter(
            "t0 and t1 of income, CPAS share and population",
            "list",
            items="integer",
            length=2,
            increasing=True,
            **_YEAR,
        ),
        "level_t0_year": Parameter(
            "first year of the unemployment and social-housing series", "integer", **_YEAR
        ),
        "price_t0_years": Parameter(
            "years of the first apartment-price window",
            "list",
            items="integer",
            min_length=1,
            increasing=True,
            **_YEAR,
        ),
        "price_t1_years": Parameter(
            "years of the second apartment-price window",
            "list",
            items="integer",
            min_length=1,
            increasing=True,
            **_YEAR,
        ),
        "price_min_years": Parameter(
            "fewest published years a price window needs", "integer", low=1, high=10
        ),
        "commune_years": Parameter(
            "t0 and t1 at commune level",
            "list",
            items="integer",
            length=2,
            increasing=True,
            **_YEAR,
        ),
        "income_low_ratio": Parameter(
            "low-income cut-off as a share of the regional median (UDP: 0.80)",
            "number",
            low=0,
            high=2,
            low_open=True,
        ),
        "vulnerable_min_criteria": Parameter(
            "criteria that make a quartier vulnerable", "integer", low=1, high=4
        ),
        "gentrified_variant": Parameter(
            "UDP's rule for the gentrified flags",
            "text",
            options.GENTRIFIED_VARIANTS,
            feeds="permanent_research.displacement:UDPParameters.gentrified_variant",
        ),
        "population_min": Parameter(
            "smallest population a quartier needs to be typed", "integer", low=0, high=1_000_000
        ),
        "band": Parameter(
            "spatial-lag distance band: a rule or metres",
            ("text", "number"),
            options.BAND_RULES,
            low=0,
            low_open=True,
            high=100_000,
            feeds="permanent_research.displacement:UDPParameters.band",
        ),
        "markets": Parameter(
            "housing markets the typology's market flags read on every quartier with data",
            "text",
            options.MARKETS,
            feeds="permanent_research.displacement:UDPParameters.markets",
        ),
        "bootstrap_draws": Parameter(
            "draws of thin apartment-price samples for class stability", "integer",
            low=1, high=100_000,
        ),
        "bootstrap_seed": Parameter(
            "seed of the class-stability draws", "integer", low=0, high=2**32 - 1
        ),
    },
    "05_temporary_use_effects": {
        "n_units": Parameter("units of the synthetic panel", "integer", low=200, high=100_000),
        "seed": _SEED,
        "min_e": Parameter("earliest event time shown, years", "integer", low=-10, high=-1),
        "max_e": Parameter("latest event time shown, years", "integer", low=0, high=10),
        "control": Parameter(
            "comparison units",
            "text",
            options.CONTROL_GROUPS,
            feeds="permanent_research.causal:staggered_did.control",
        ),
        "real_property_type": Parameter(
            "Statbel property type of the real-data panel",
            "text",
            options.PROPERTY_TYPES,
            feeds="permanent_research.rents:sales_medians.property_type",
        ),
        "real_first_year": Parameter(
            "first year of the real-data panel", "integer", low=2010, high=2023
        ),
        "real_last_year": Parameter(
            "last year of the real-data panel", "integer", low=2011, high=2024
        ),
    },
    "06_permanent_vs_temporary": {
        "scenario": _SCENARIO,
        "n_draws": Parameter("Monte Carlo draws", "integer", low=100, high=1_000_000),
        "seed": _SEED,
        "cltb_increase_base": Parameter(
            "what the CLTB seller's 25 % share of the increase is measured from",
            "text",
            options.CLTB_INCREASE_BASES,
            feeds="permanent_research.scenarios:simulate.increase_base",
        ),
    },
    "07_building_programme": {
        "scenario": _SCENARIO,
        "income_eur_year": Parameter(
            "buyer's income at the first sale, EUR/year",
            "number",
            low=0,
            low_open=True,
            high=10_000_000,
        ),
        "mortgage_multiple": Parameter(
            "largest loan as a multiple of income", "number", low=0, low_open=True, high=20
        ),
        "years_per_generation": Parameter(
            "years between resales", "number", low=0, low_open=True, high=100
        ),
        "resale_horizon_years": Parameter(
            "years of the resale-over-generations illustration",
            "number",
            low=0,
            low_open=True,
            high=200,
        ),
        "sites_csv": Parameter("candidate-site table (CSV), relative to the project", "text"),
        "site_weights": Parameter(
            "weights of the site-screening criteria",
            "mapping",
            items="number",
            low=0,
            high=1,
            keys=("area", "location", "owner", "price"),
            min_length=1,
        ),
        "sweep_sizes_m2": Parameter(
            "gross floor areas of the size sweep, m² (each 1,000–20,000, increasing)",
            "list",
            items="number",
            low=1000,
            high=20000,
            increasing=True,
            min_length=1,
        ),
    },
    "09_what_decides_the_answer": {
        "scenario": _SCENARIO,
        "n_base": Parameter(
            "Sobol' base samples (a power of two); the model runs n_base × (inputs + 2) times",
            "integer",
            low=16,
            high=2**16,
        ),
        "morris_trajectories": Parameter("Morris trajectories", "integer", low=4, high=10_000),
        "n_runs": Parameter("Monte Carlo runs for PRIM and the tornado", "integer", low=1_000,
                            high=1_000_000),
        "income_decile": Parameter(
            "household income decile whose CLT cost-to-income ratio is reported", "integer",
            low=1, high=10,
        ),
        "seed": _SEED,
        "scheduler": Parameter(
            'Dask scheduler: "" (PERMANENT_RESEARCH_SCHEDULER or a local cluster), "inline" '
            "(this process) or an address", "text",
        ),
    },
    "08_synthesis": {
        "scenario": _SCENARIO,
        "compare_scenarios": Parameter(
            "scenarios whose reports are lined up",
            "list",
            items="text",
            min_length=1,
        ),
    },
}


def spec_for(stem: str) -> Mapping[str, Parameter] | None:
    """The parameter spec of notebook ``stem`` (``None`` for a notebook without one)."""
    return NOTEBOOK_SPECS.get(stem)


def _is_integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    if _is_integer(value):
        return True  # any int is finite; a huge one is refused by its range, not float()
    return isinstance(value, float) and math.isfinite(value)


_KIND_CHECKS = {
    "integer": _is_integer,
    "number": _is_number,
    "text": lambda value: isinstance(value, str),
    "flag": lambda value: isinstance(value, bool),
    "list": lambda value: isinstance(value, list | tuple),
    "mapping": lambda value: isinstance(value, Mapping),
}


def _scalar_problem(spec: Parameter, value: Any, kind: Kind) -> str | None:
    if not _KIND_CHECKS[kind](value):
        return f"is not {'an' if kind == 'integer' else 'a'} {kind}"
    if kind == "text" and spec.options and value not in spec.options:
        return "is not allowed"
    if kind in ("integer", "number"):
        # ints compare with the bounds exactly: float(10**400) would raise OverflowError
        number = value
        too_low = spec.low is not None and (
            number <= spec.low if spec.low_open else number < spec.low
        )
        too_high = spec.high is not None and (
            number >= spec.high if spec.high_open else number > spec.high
        )
        if too_low or too_high:
            return "is outside the allowed range"
        if kind == "number" and _is_integer(value) and abs(value) > sys.float_info.max:
            return "is too large for a number"
    return None


def _shown(value: Any) -> str:
    """A value for a one-line message: a 400-digit integer is named, not printed."""
    if _is_integer(value) and len(repr(value)) > 24:
        digits = str(abs(value))
        return f"{'-' if value < 0 else ''}{digits[0]}…({len(digits)}-digit integer)"
    if isinstance(value, list | tuple):
        shown = "[" + ", ".join(_shown(item) for item in value) + "]"
    else:
        shown = repr(value)
    return shown if len(shown) <= 80 else shown[:77] + "..."


def check_value(name: str, value: Any, spec: Parameter, *, source: str = "") -> Any:
    """Check one value against its spec; return it (ints widened to float for numbers).

    Raises
    ------
    ParameterError
        One line naming the parameter, the value and what is allowed.
    """
    where = f"{source}: " if source else ""

    def fail(problem: str) -> ParameterError:
        return ParameterError(f"{where}{name}={_shown(value)} {problem}; allowed: {spec.rule()}")

    for kind in spec.kinds:
        if kind in ("list", "mapping"):
            if _KIND_CHECKS[kind](value):
                return _check_collection(name, value, spec, kind, fail)
            continue
        if not _KIND_CHECKS[kind](value):
            continue
        problem = _scalar_problem(spec, value, kind)
        if problem:
            raise fail(problem)
        return float(value) if kind == "number" and not isinstance(value, float) else value
    kinds = " or ".join(spec.kinds)
    raise fail(f"is {type(value).__name__}, not {kinds}")


def _check_collection(name: str, value: Any, spec: Parameter, kind: Kind, fail) -> Any:
    values = list(value.values()) if kind == "mapping" else list(value)
    if spec.length is not None and len(values) != spec.length:
        raise fail(f"has {len(values)} item(s), not {spec.length}")
    if len(values) < spec.min_length:
        raise fail(f"has {len(values)} item(s), at least {spec.min_length} needed")
    if kind == "mapping":
        bad_keys = [
            k for k in value if not isinstance(k, str) or (spec.keys and k not in spec.keys)
        ]
        if bad_keys:
            keys = ", ".join(spec.keys) if spec.keys else "text"
            raise fail(f"has key(s) {', '.join(map(repr, bad_keys))} (keys: {keys})")
    if spec.items:
        for item in values:
            problem = _scalar_problem(spec, item, spec.items)
            if problem:
                raise fail(f"has item {_shown(item)} that {problem}")
    if spec.increasing and any(b <= a for a, b in zip(values, values[1:], strict=False)):
        raise fail("must increase strictly")
    if kind == "mapping":
        return dict(value)
    return list(value)


def check_parameters(
    stem: str,
    values: Mapping[str, Any],
    *,
    source: str = "",
    partial: bool = False,
    allow_internal: bool = True,
) -> dict[str, Any]:
    """Check a notebook's parameter values against its declared spec.

    Parameters
    ----------
    stem
        Notebook stem, e.g. ``"02_rent_trends"``.
    values
        ``{name: value}``; a notebook passes ``globals()`` (only declared names are read).
    source
        Where the values come from (a scenario file), for messages.
    partial
        Check only the names present in ``values`` (a scenario's overrides) and refuse names the
        spec does not declare; otherwise every declared parameter must be present.
    allow_internal
        Accept the runner's own parameters (``export_dir``, ``scenario``); a scenario file may not
        set them.

    Returns
    -------
    dict
        The checked values (declared names only).

    Raises
    ------
    ParameterError
        Unknown or internal parameter, a value of the wrong kind, outside its range or options.
    """
    spec = spec_for(stem)
    if spec is None:
        raise ParameterError(
            f"notebook {stem} declares no parameter spec; known: {', '.join(NOTEBOOK_SPECS)}"
        )
    where = source or f"notebook {stem}"
    checked: dict[str, Any] = {}
    if partial:
        for name in values:
            if name not in spec:
                import difflib

                close = difflib.get_close_matches(name, list(spec), n=3)
                hint = f"did you mean {', '.join(close)}? " if close else ""
                public = ", ".join(n for n, p in spec.items() if not p.internal) or "none"
                raise ParameterError(
                    f"{where}: notebook {stem} has no parameter {name!r}; {hint}known: {public}"
                )
    for name, parameter in spec.items():
        if name not in values:
            if partial:
                continue
            raise ParameterError(f"{where}: notebook {stem} parameter {name!r} is not set")
        if parameter.internal:
            if not allow_internal:
                raise ParameterError(
                    f"{where}: notebook {stem} parameter {name!r} is set by the runner "
                    f"({parameter.description}); remove it from the scenario file"
                )
            checked[name] = values[name]
            continue
        checked[name] = check_value(name, values[name], parameter, source=where)
    return checked


def check_scenario_name(name: str, *, source: str = "") -> str:
    """Return ``name`` if it can name a scenario (and its folder under ``reports/``)."""
    if not isinstance(name, str) or not SCENARIO_NAME_PATTERN.match(name):
        where = f"{source}: " if source else ""
        raise ParameterError(
            f"{where}scenario name {name!r} is not allowed: use 1-64 letters, digits, '-' or "
            "'_', starting with a letter or digit"
        )
    return name


def parameter_table(stem: str, values: Mapping[str, Any], overrides: Sequence[str] = ()) -> list:
    """Rows ``(name, value, description, origin)`` of the user-facing parameters of a run."""
    spec = spec_for(stem) or {}
    rows = []
    for name, value in values.items():
        parameter = spec.get(name)
        if parameter is not None and parameter.internal:
            continue
        origin = "scenario file" if name in overrides else "notebook default"
        rows.append((name, value, parameter.description if parameter else "", origin))
    return rows
