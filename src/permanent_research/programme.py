"""A Permanent building: programme, costs, revenues, funding gap, land budget; site screening.

The brochure's building is 4,500–9,000 m² on several floors, split into artists' studios and
production space, CLT homes and public space (café, community room, recyclotheek, classrooms,
exhibition space). :class:`Programme` holds every assumption (validated from a scenario file's
``programme:`` section by :func:`validate_programme`); :func:`evaluate_programme` turns it into
areas by use and floor, costs, revenues, the funding gap and the years of CLTB's regional land
budget the land would take. :func:`size_sweep` repeats it over the brochure's range of sizes and
several mixes of uses under the land budget; :func:`capital_stack` attributes the funding gap to
uses and funders, with phasing. :func:`screen_sites` scores candidate sites on the brochure's
criteria.

Quantities the Monte Carlo also uses (land price, floor-area ratio, market price of a home, the
studio cost-rent, the discount rate, construction years) are **not** typed in the ``programme:``
section: :func:`with_assumptions` takes them from the scenario's one assumption set, in euros of
its base year (``money:`` section), so notebooks 06 and 07 cannot disagree on them.

Units: areas in m² (``_m2``), money in euros of the scenario's base year (``_eur``; the
programme's own money keys are written in those euros), rents per m² per year
(``_eur_m2_year``), shares and rates as fractions. Defaults and their sources are listed in
``docs/programme.md``; every default without a source there is an **assumption**.
"""

from __future__ import annotations

import difflib
import io
import numbers
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import numpy as np
import pandas as pd

from permanent_research._validation import check_columns, format_rows
from permanent_research.errors import DataError, ParameterError, ScenarioError
from permanent_research.results import Result

__all__ = [
    "USES",
    "USE_GROUPS",
    "Programme",
    "ProgrammeResult",
    "SHARED_KEYS",
    "SIZE_RANGE_M2",
    "BROCHURE_SIZES_M2",
    "GROUPS",
    "FUNDERS",
    "validate_programme",
    "with_assumptions",
    "evaluate_programme",
    "SizeSweep",
    "size_sweep",
    "default_mixes",
    "CapitalStack",
    "capital_stack",
    "GapDrivers",
    "gap_drivers",
    "SharedSensitivity",
    "shared_sensitivity",
    "SITE_COLUMNS",
    "LOCATION_SCORES",
    "OWNER_SCORES",
    "DEFAULT_WEIGHTS",
    "SiteScreening",
    "read_sites",
    "screen_sites",
]

#: The uses of the building, in the default order they are stacked from the ground floor up.
USES: tuple[str, ...] = (
    "cafe",
    "exhibition",
    "recyclotheek",
    "community_room",
    "production",
    "classrooms",
    "studios",
    "clt_homes",
)
#: Use -> group (studios and production / CLT homes / public space).
USE_GROUPS: dict[str, str] = {
    "cafe": "public",
    "exhibition": "public",
    "recyclotheek": "public",
    "community_room": "public",
    "classrooms": "public",
    "production": "studios_production",
    "studios": "studios_production",
    "clt_homes": "clt_homes",
}

_DEFAULT_AREAS: dict[str, float] = {
    "cafe": 200.0,
    "exhibition": 130.0,
    "recyclotheek": 250.0,
    "community_room": 200.0,
    "production": 900.0,
    "classrooms": 200.0,
    "studios": 1800.0,
    "clt_homes": 1920.0,
}

#: The groups of uses, in the order tables and figures show them.
GROUPS: tuple[str, ...] = ("studios_production", "clt_homes", "public")

#: Programme keys that are the same quantity as a scenario assumption (or the money section's
#: discount rate): key -> where :func:`with_assumptions` takes it from. A scenario file's
#: ``programme:`` section must not set them (one fact, one place).
SHARED_KEYS: dict[str, str] = {
    "land_price_eur_m2": "assumptions.land_price_eur_m2",
    "floor_area_ratio": "assumptions.floor_area_ratio",
    "market_price_eur_m2": "assumptions.market_price_eur_m2",
    "studio_rent_eur_m2_year": "the Monte Carlo's CLT studio cost-rent (scenarios.studio_costs)",
    "discount_rate": "money.discount_rate",
    "construction_years": "assumptions.construction_years",
}

#: Allowed gross floor area of a programme, m² (issue 9: 1,000–20,000).
SIZE_RANGE_M2: tuple[float, float] = (1000.0, 20000.0)
#: The brochure's range of sizes, every 500 m² (4,500–9,000 m²).
BROCHURE_SIZES_M2: tuple[float, ...] = tuple(float(x) for x in range(4500, 9001, 500))


@dataclass(frozen=True)
class Programme(Result):
    """Every assumption of the building programme (see ``docs/programme.md`` for sources).

    Money is in euros of the scenario's base year. The keys in :data:`SHARED_KEYS` default to
    ``None`` ("not set"): :func:`with_assumptions` fills them from the scenario's assumption set,
    and :func:`evaluate_programme` refuses a programme that lacks them.

    Attributes
    ----------
    site_area_m2
        Plot area, m²; ``None`` (the default) sizes the plot as ``gross_floor_area_m2 /
        floor_area_ratio``, so a larger building needs a larger plot.
    gross_floor_area_m2
        Gross floor area of the building, m² (the brochure: 4,500–9,000; allowed 1,000–20,000).
    floors
        Number of storeys (>= 1).
    net_to_gross
        Net usable area ÷ gross floor area (fraction).
    areas_m2
        Net area per use, m² (keys in :data:`USES`; omitted uses are 0).
    home_size_m2
        Net area of one CLT home, m².
    land_price_eur_m2
        Land price per m² of plot, EUR/m² (shared: ``assumptions.land_price_eur_m2``).
    floor_area_ratio
        Gross floor area ÷ plot area (shared: ``assumptions.floor_area_ratio``).
    works_cost_eur_m2
        Construction or conversion cost per m² of gross floor area, EUR/m² (assumption).
    fees_share
        Fees (architects, engineers, permits) as a share of works (fraction).
    vat_rate
        VAT on works and fees (fraction; 0.21 standard, 0.06 may apply to social housing [U]).
    market_price_eur_m2
        Market price of a comparable flat, EUR/m² of net area (shared:
        ``assumptions.market_price_eur_m2``).
    clt_discount
        CLT price below market (fraction; the brochure's 0.40).
    studio_rent_eur_m2_year
        Cost-rent of studios and production space, EUR per m² per year (shared: the Monte
        Carlo's CLT studio cost-rent).
    public_rent_eur_m2_year
        Rent of the public spaces let to their operators, EUR per m² per year.
    operating_cost_eur_m2_year
        Owner's upkeep and stewardship of the let spaces, EUR per m² per year.
    rent_years
        Years of net rents counted against the capital cost.
    discount_rate
        Annual real rate to discount rents to a present value (shared: ``money.discount_rate``).
    construction_years
        Years from land purchase to delivery, for the phasing (shared:
        ``assumptions.construction_years``).
    land_budget_eur_year
        CLTB's regional land budget, EUR per year (clt_facts: 2,000,000).
    land_budget_years_max
        Years of that budget one project may take (assumption: 1).
    floor_order
        Uses from the ground floor up, for the floor plan.
    sources
        Free-text source (or "assumption") per key, carried for the record.
    """

    site_area_m2: float | None = None
    gross_floor_area_m2: float = 7000.0
    floors: int = 5
    net_to_gross: float = 0.80
    areas_m2: Mapping[str, float] = field(default_factory=lambda: dict(_DEFAULT_AREAS))
    home_size_m2: float = 80.0
    land_price_eur_m2: float | None = None
    floor_area_ratio: float | None = None
    works_cost_eur_m2: float = 1800.0
    fees_share: float = 0.12
    vat_rate: float = 0.21
    market_price_eur_m2: float | None = None
    clt_discount: float = 0.40
    studio_rent_eur_m2_year: float | None = None
    public_rent_eur_m2_year: float = 40.0
    operating_cost_eur_m2_year: float = 15.0
    rent_years: float = 30.0
    discount_rate: float | None = None
    construction_years: float | None = None
    land_budget_eur_year: float = 2_000_000.0
    land_budget_years_max: float = 1.0
    floor_order: tuple[str, ...] = USES
    sources: Mapping[str, str] = field(default_factory=dict)

    @property
    def plot_area_m2(self) -> float | None:
        """Plot area, m²: ``site_area_m2`` if given, else gross ÷ floor-area ratio (or None)."""
        if self.site_area_m2 is not None:
            return self.site_area_m2
        if self.floor_area_ratio is None:
            return None
        return self.gross_floor_area_m2 / self.floor_area_ratio

    @property
    def land_budget_available_eur(self) -> float:
        """What the regional land budget can pay for this project's land, EUR."""
        return self.land_budget_eur_year * self.land_budget_years_max

    @property
    def net_area_m2(self) -> float:
        """Usable net area of the building, m²."""
        return self.gross_floor_area_m2 * self.net_to_gross

    @property
    def footprint_m2(self) -> float:
        """Gross floor area per storey, m²."""
        return self.gross_floor_area_m2 / self.floors

    def to_frame(self) -> pd.DataFrame:
        """Every assumption as a row: ``key``, ``value`` (text), ``source``."""
        rows = []
        for item in fields(self):
            if item.name == "sources":
                continue
            value = getattr(self, item.name)
            if item.name == "areas_m2":
                value = ", ".join(f"{use} {area:,.0f}" for use, area in value.items() if area)
            elif item.name == "floor_order":
                value = " > ".join(value)
            elif value is None:
                value = "not set"
            elif isinstance(value, float):
                value = f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"
            rows.append({"key": item.name, "value": str(value),
                         "source": self.sources.get(item.name, "default (docs/programme.md)")})
        return pd.DataFrame(rows)

    def replace(self, **changes: Any) -> Programme:
        """A copy with some fields changed, validated like a scenario file's ``programme:``.

        Raises
        ------
        ScenarioError
            One line naming the key and the allowed keys or range (:func:`validate_programme`).
        """
        return validate_programme({**_as_mapping(self), **changes}, source="Programme.replace",
                                  shared=True)


def _as_mapping(programme: Programme) -> dict[str, Any]:
    data = asdict(programme)
    data["floor_order"] = list(programme.floor_order)
    return data


# key -> (low, high, integer?) ; None = unbounded
_NUMERIC_RANGES: dict[str, tuple[float | None, float | None, bool]] = {
    "site_area_m2": (0.0, None, False),
    "gross_floor_area_m2": (*SIZE_RANGE_M2, False),
    "floors": (1, 100, True),
    "net_to_gross": (0.0, 1.0, False),
    "home_size_m2": (0.0, None, False),
    "land_price_eur_m2": (0.0, None, False),
    "floor_area_ratio": (0.0, 20.0, False),
    "works_cost_eur_m2": (0.0, None, False),
    "fees_share": (0.0, 1.0, False),
    "vat_rate": (0.0, 1.0, False),
    "market_price_eur_m2": (0.0, None, False),
    "clt_discount": (0.0, 1.0, False),
    "studio_rent_eur_m2_year": (0.0, None, False),
    "public_rent_eur_m2_year": (0.0, None, False),
    "operating_cost_eur_m2_year": (0.0, None, False),
    "rent_years": (0.0, 200.0, False),
    "discount_rate": (-1.0, 0.2, False),
    "construction_years": (0.0, 50.0, False),
    "land_budget_eur_year": (0.0, None, False),
    "land_budget_years_max": (0.0, 100.0, False),
}
_STRICTLY_POSITIVE = {"site_area_m2", "home_size_m2", "net_to_gross", "land_budget_eur_year",
                      "floor_area_ratio", "discount_rate", "land_budget_years_max"}
_ALLOWED_KEYS = tuple(f.name for f in fields(Programme))
_SECTION_KEYS = tuple(k for k in _ALLOWED_KEYS if k not in SHARED_KEYS)


def _range_text(key: str, low: float | None, high: float | None) -> str:
    left = "(" if key in _STRICTLY_POSITIVE else "["
    right = "inf)" if high is None else f"{high:g}]"
    return f"{left}{'-inf' if low is None else low:g}, {right}"


def validate_programme(
    mapping: Mapping[str, Any] | None, *, source: str, shared: bool = False
) -> Programme:
    """Validate a scenario file's ``programme:`` section into a :class:`Programme`.

    Keys not given keep the defaults of :class:`Programme`; the keys of :data:`SHARED_KEYS`
    stay unset until :func:`with_assumptions` fills them from the scenario's assumption set.

    Parameters
    ----------
    mapping
        The section (a mapping; ``None`` or ``{}`` gives the defaults).
    source
        Where it comes from (file and section), used in error messages.
    shared
        Accept the keys of :data:`SHARED_KEYS` (``Programme.replace`` and
        :func:`with_assumptions` do; a scenario file's section may not).

    Returns
    -------
    Programme

    Raises
    ------
    ScenarioError
        One line naming the key and the allowed keys or range: unknown key, a shared key in a
        scenario file, non-numeric or negative cost, share outside [0, 1], a gross floor area
        outside 1,000–20,000 m², unknown use, parts whose net areas exceed the building's net
        area, or a footprint larger than the site.
    """
    if mapping is None:
        mapping = {}
    if not isinstance(mapping, Mapping):
        raise ScenarioError(f"{source}: programme must be a mapping of keys to values, "
                            f"found {type(mapping).__name__}")
    unknown = [str(key) for key in mapping if key not in _ALLOWED_KEYS]
    if unknown:
        close = difflib.get_close_matches(unknown[0], list(_ALLOWED_KEYS), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ScenarioError(
            f"{source}: unknown key programme.{unknown[0]}{hint}; allowed keys are "
            f"{', '.join(_ALLOWED_KEYS if shared else _SECTION_KEYS)}"
        )
    if not shared:
        duplicated = [key for key in mapping if key in SHARED_KEYS]
        if duplicated:
            key = duplicated[0]
            raise ScenarioError(
                f"{source}: programme.{key} is taken from {SHARED_KEYS[key]} (one value for "
                f"notebooks 06 and 07); remove it from programme:, allowed keys are "
                f"{', '.join(_SECTION_KEYS)}"
            )
    values: dict[str, Any] = {}
    for key, (low, high, integer) in _NUMERIC_RANGES.items():
        if key not in mapping or mapping[key] is None:
            continue
        value = mapping[key]
        allowed = _range_text(key, low, high)
        if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
            raise ScenarioError(
                f"{source}: programme.{key}={value!r} must be a number in {allowed}"
            )
        number = float(value)
        strict = key in _STRICTLY_POSITIVE
        if (
            not np.isfinite(number)
            or (low is not None and (number <= low if strict else number < low))
            or (high is not None and number > high)
            or (integer and number != int(number))
        ):
            kind = "an integer" if integer else "a number"
            raise ScenarioError(
                f"{source}: programme.{key}={value!r} is outside the allowed range {allowed} "
                f"(must be {kind})"
            )
        values[key] = int(number) if integer else number

    if "areas_m2" in mapping:
        areas = mapping["areas_m2"]
        if not isinstance(areas, Mapping):
            raise ScenarioError(f"{source}: programme.areas_m2 must be a mapping of use to m2; "
                                f"allowed uses are {', '.join(USES)}")
        checked: dict[str, float] = {}
        for use, area in areas.items():
            if use not in USES:
                raise ScenarioError(f"{source}: unknown key programme.areas_m2.{use}; "
                                    f"allowed uses are {', '.join(USES)}")
            if isinstance(area, bool) or not isinstance(area, (int, float, np.number)) or not (
                0 <= float(area) < np.inf
            ):
                raise ScenarioError(f"{source}: programme.areas_m2.{use}={area!r} is outside "
                                    f"the allowed range [0, inf)")
            checked[use] = float(area)
        values["areas_m2"] = {use: checked.get(use, 0.0) for use in USES}

    if "floor_order" in mapping:
        order = mapping["floor_order"]
        if (not isinstance(order, (list, tuple)) or sorted(map(str, order)) != sorted(USES)):
            raise ScenarioError(f"{source}: programme.floor_order={order!r} must list every use "
                                f"once: {', '.join(USES)}")
        values["floor_order"] = tuple(order)

    if "sources" in mapping:
        sources = mapping["sources"]
        keys = _ALLOWED_KEYS if shared else _SECTION_KEYS
        if not isinstance(sources, Mapping) or any(k not in keys for k in sources):
            # a shared key's source travels with its value (with_assumptions)
            raise ScenarioError(f"{source}: programme.sources must map programme keys to text; "
                                f"allowed keys are {', '.join(keys)}")
        values["sources"] = {str(k): str(v) for k, v in sources.items()}

    programme = Programme(**values)
    parts = float(sum(programme.areas_m2.values()))
    if parts > programme.net_area_m2 * (1 + 1e-9):
        raise ScenarioError(
            f"{source}: programme.areas_m2 add up to {parts:,.0f} m2, more than the building's "
            f"net area {programme.net_area_m2:,.0f} m2 (gross_floor_area_m2 x net_to_gross); "
            f"allowed range [0, {programme.net_area_m2:,.0f}]"
        )
    plot = programme.plot_area_m2
    if plot is not None and programme.footprint_m2 > plot * (1 + 1e-9):
        name = "site_area_m2" if programme.site_area_m2 is not None else (
            "the plot (gross_floor_area_m2 / floor_area_ratio)")
        raise ScenarioError(
            f"{source}: programme footprint gross_floor_area_m2 / floors = "
            f"{programme.footprint_m2:,.0f} m2 exceeds {name} = {plot:,.0f}; allowed range "
            f"[0, {plot:,.0f}]"
        )
    return programme


# ---------------------------------------------------------------------------------------------
# Evaluation
# ---------------------------------------------------------------------------------------------


def _annuity_factor(rate: float, years: float) -> float:
    """Present value of 1 EUR a year for ``years`` years (paid at year ends), at ``rate``."""
    if years <= 0:
        return 0.0
    if rate == 0:
        return float(years)
    return float((1 - (1 + rate) ** -years) / rate)


@dataclass(frozen=True)
class ProgrammeResult(Result):
    """Areas, costs, revenues and the funding gap of a :class:`Programme`.

    Attributes
    ----------
    programme
        The assumptions evaluated.
    areas
        Long table ``floor`` (0 = ground floor), ``use``, ``group``, ``net_m2``.
    costs
        Table ``item`` (land, works, fees, VAT), ``eur``.
    revenues
        Table ``item``, ``eur`` (present values; rents over ``rent_years``), ``eur_year``
        (annual net rent, for the rent lines) and ``basis``.
    homes
        Number of CLT homes (whole homes that fit in the ``clt_homes`` area).
    home_price_eur
        CLT price of one home, EUR.
    total_cost_eur, total_revenue_eur
        Sums of the tables, EUR.
    funding_gap_eur
        ``total_cost_eur - total_revenue_eur`` (positive = subsidy needed), EUR.
    land_cost_eur
        Land cost, EUR.
    land_budget_years
        ``land_cost_eur / land_budget_eur_year``: years of CLTB's regional land budget.
    """

    programme: Programme
    areas: pd.DataFrame
    costs: pd.DataFrame
    revenues: pd.DataFrame
    homes: int
    home_price_eur: float
    total_cost_eur: float
    total_revenue_eur: float
    funding_gap_eur: float
    land_cost_eur: float
    land_budget_years: float

    def to_frame(self) -> pd.DataFrame:
        """Costs (negative) and revenues (positive) in one table, EUR."""
        costs = self.costs.assign(kind="cost", eur=-self.costs["eur"])
        revenues = self.revenues.assign(kind="revenue")[["item", "eur", "kind"]]
        return pd.concat([costs, revenues], ignore_index=True)[["kind", "item", "eur"]]

    def area_table(self) -> pd.DataFrame:
        """Net m² by use (rows) and floor (columns), with totals."""
        table = self.areas.pivot_table(
            index="use", columns="floor", values="net_m2", aggfunc="sum", fill_value=0.0
        ).reindex(list(self.programme.floor_order)).fillna(0.0)
        table.columns = [f"floor_{c}" for c in table.columns]
        table["total_m2"] = table.sum(axis=1)
        table.loc["total"] = table.sum(axis=0)
        return table

    def headlines(self) -> pd.Series:
        """Headline figures: areas, homes, costs, revenues, funding gap, land-budget years."""
        p = self.programme
        return pd.Series(
            {
                "gross_floor_area_m2": p.gross_floor_area_m2,
                "net_area_m2": p.net_area_m2,
                "allocated_net_m2": float(self.areas["net_m2"].sum()),
                "homes": self.homes,
                "home_price_eur": self.home_price_eur,
                "total_cost_eur": self.total_cost_eur,
                "total_revenue_eur": self.total_revenue_eur,
                "funding_gap_eur": self.funding_gap_eur,
                "funding_gap_share_of_cost": self.funding_gap_eur / self.total_cost_eur,
                "land_cost_eur": self.land_cost_eur,
                "land_budget_years": self.land_budget_years,
            }
        )

    def summary(self) -> str:
        """Homes, costs, revenues and the funding gap in one paragraph (EUR)."""
        h = self.headlines()
        return (
            f"Building programme: {h['gross_floor_area_m2']:,.0f} m² gross, {self.homes} CLT "
            f"homes at {self.home_price_eur:,.0f} EUR; cost {self.total_cost_eur:,.0f} EUR, "
            f"revenue {self.total_revenue_eur:,.0f} EUR, funding gap "
            f"{self.funding_gap_eur:,.0f} EUR ({h['funding_gap_share_of_cost']:.0%} of cost); "
            f"land {self.land_cost_eur:,.0f} EUR = {self.land_budget_years:.1f} years of the "
            "regional land budget"
        )

    def _repr_html_(self) -> str:
        return "<h4>Building programme</h4>" + self.headlines().to_frame("value").to_html(
            float_format=lambda x: f"{x:,.2f}"
        )

    def plot(self, **kwargs: Any) -> Any:
        """Waterfall from costs through revenues to the funding gap (``plots.programme``)."""
        from permanent_research.plots.programme import costs_revenues

        return costs_revenues(self.to_frame(), **kwargs)


def _floor_plan(programme: Programme) -> pd.DataFrame:
    capacity = programme.net_area_m2 / programme.floors
    rows = []
    floor, room = 0, capacity
    for use in programme.floor_order:
        remaining = float(programme.areas_m2.get(use, 0.0))
        while remaining > 1e-9:
            if room <= 1e-9:
                floor, room = floor + 1, capacity
            if floor >= programme.floors:  # cannot happen once validated; guard anyway
                raise ParameterError("programme areas exceed the building's net area")
            placed = min(room, remaining)
            rows.append({"floor": floor, "use": use, "group": USE_GROUPS[use], "net_m2": placed})
            remaining -= placed
            room -= placed
    return pd.DataFrame(rows, columns=["floor", "use", "group", "net_m2"])


def _require(programme: Programme, keys: tuple[str, ...]) -> None:
    missing = [key for key in keys if getattr(programme, key) is None]
    if missing:
        raise ParameterError(
            f"programme.{missing[0]} is not set: it comes from {SHARED_KEYS[missing[0]]}; fill "
            f"the shared values with programme.with_assumptions(programme, assumptions, money)"
        )


def with_assumptions(
    programme: Programme, assumptions: Any, money: Any, *, q: float = 0.5
) -> Programme:
    """The programme with its shared quantities taken from the scenario's one assumption set.

    Land price, floor-area ratio, market price of a home and construction years are the
    ``q`` quantiles (medians by default) of the scenario's assumptions; the studio cost-rent is
    the Monte Carlo's CLT studio cost-rent (:func:`permanent_research.scenarios.studio_costs`,
    × 12 to a year); the discount rate is ``money.discount_rate``. Money is in euros of
    ``money.base_year``: the assumptions must already be converted with
    :func:`permanent_research.scenarios.in_base_year`.

    Parameters
    ----------
    programme
        The validated ``programme:`` section.
    assumptions
        The scenario's assumptions in base-year euros (``scenarios.in_base_year``).
    money
        The validated ``money:`` section (``scenarios.validate_money``).
    q
        Quantile of every assumption (0.5: medians).

    Returns
    -------
    Programme
        A copy with every key of :data:`SHARED_KEYS` set and its source recorded.

    Raises
    ------
    ParameterError
        Assumptions not converted to ``money.base_year``, or objects of the wrong kind.
    """
    from permanent_research.prices import MoneySettings
    from permanent_research.scenarios import Assumptions, studio_costs

    if not isinstance(programme, Programme):
        raise ParameterError("programme must be a Programme (validate_programme(...))")
    if not isinstance(assumptions, Assumptions):
        raise ParameterError("assumptions must come from scenarios.in_base_year(...)")
    if not isinstance(money, MoneySettings):
        raise ParameterError("money must come from scenarios.validate_money(...)")
    note = f"-> {money.base_year}]"
    for key in ("land_price_eur_m2", "market_price_eur_m2", "construction_cost_eur_m2"):
        if key in money.price_years and note not in assumptions[key].source:
            raise ParameterError(
                f"assumptions.{key} is not in euros of the base year {money.base_year}: pass "
                f"scenarios.in_base_year(assumptions, money, indexes)"
            )
    studio = studio_costs(assumptions, q=q).set_index("model")["cost_eur_m2_month"]
    base = f"{money.base_year} euros"
    values = {
        "land_price_eur_m2": assumptions["land_price_eur_m2"].quantile(q),
        "floor_area_ratio": assumptions["floor_area_ratio"].quantile(q),
        "market_price_eur_m2": assumptions["market_price_eur_m2"].quantile(q),
        "studio_rent_eur_m2_year": 12 * float(studio["permanent_clt"]),
        "discount_rate": money.discount_rate,
        "construction_years": assumptions["construction_years"].quantile(q),
    }
    sources = {
        "land_price_eur_m2": f"assumptions.land_price_eur_m2, q{q:g}, {base}",
        "floor_area_ratio": f"assumptions.floor_area_ratio, q{q:g}",
        "market_price_eur_m2": f"assumptions.market_price_eur_m2, q{q:g}, {base}",
        "studio_rent_eur_m2_year": (f"Monte Carlo CLT studio cost-rent (scenarios.studio_costs, "
                                    f"q{q:g}), {base}"),
        "discount_rate": f"money.discount_rate: {money.discount_rate_source}",
        "construction_years": f"assumptions.construction_years, q{q:g}",
    }
    return programme.replace(**{k: float(v) for k, v in values.items()},
                             sources={**programme.sources, **sources})


def evaluate_programme(programme: Programme | Mapping[str, Any] | None = None) -> ProgrammeResult:
    """Areas by floor, costs, revenues, funding gap and land-budget years of a programme.

    Costs: land ``plot_area_m2 × land_price_eur_m2`` (plot = ``site_area_m2`` or gross ÷
    floor-area ratio); works ``gross_floor_area_m2 ×
    works_cost_eur_m2``; fees ``fees_share × works``; VAT ``vat_rate × (works + fees)``.
    Revenues: CLT home sales ``homes × home_size_m2 × market_price_eur_m2 × (1 − clt_discount)``;
    studio/production cost-rents and public-space lets, net of operating costs, discounted over
    ``rent_years`` at ``discount_rate`` (end-of-year annuity). Floors are filled from the
    ground up in ``floor_order``, each floor holding ``net_area_m2 / floors``.

    Parameters
    ----------
    programme
        A :class:`Programme`, a mapping (validated by :func:`validate_programme`) or ``None``
        for the defaults.

    Returns
    -------
    ProgrammeResult

    Raises
    ------
    ParameterError
        A shared quantity (:data:`SHARED_KEYS`) is not set: fill them with
        :func:`with_assumptions`.
    """
    if programme is None or isinstance(programme, Mapping):
        programme = validate_programme(programme or {}, source="programme", shared=True)
    p = programme
    _require(p, ("land_price_eur_m2", "market_price_eur_m2", "studio_rent_eur_m2_year",
                 "discount_rate"))
    if p.plot_area_m2 is None:
        _require(p, ("floor_area_ratio",))
    areas = _floor_plan(p)
    by_group = areas.groupby("group")["net_m2"].sum()
    homes = int(np.floor(p.areas_m2.get("clt_homes", 0.0) / p.home_size_m2 + 1e-9))
    home_price = p.home_size_m2 * p.market_price_eur_m2 * (1 - p.clt_discount)

    land = p.plot_area_m2 * p.land_price_eur_m2
    works = p.gross_floor_area_m2 * p.works_cost_eur_m2
    fees = p.fees_share * works
    vat = p.vat_rate * (works + fees)
    costs = pd.DataFrame(
        {"item": ["land", "works", "fees", "vat"], "eur": [land, works, fees, vat]}
    )

    factor = _annuity_factor(p.discount_rate, p.rent_years)
    studio_m2 = float(by_group.get("studios_production", 0.0))
    public_m2 = float(by_group.get("public", 0.0))
    studio_net = studio_m2 * (p.studio_rent_eur_m2_year - p.operating_cost_eur_m2_year)
    public_net = public_m2 * (p.public_rent_eur_m2_year - p.operating_cost_eur_m2_year)
    revenues = pd.DataFrame(
        {
            "item": ["clt_home_sales", "studio_cost_rents", "public_space_lets"],
            "eur": [homes * home_price, studio_net * factor, public_net * factor],
            "eur_year": [np.nan, studio_net, public_net],
            "basis": [
                f"{homes} homes x {home_price:,.0f} EUR",
                f"{studio_m2:,.0f} m2 x net {studio_net / max(studio_m2, 1e-9):,.0f} EUR/m2/yr, "
                f"PV {p.rent_years:g} yrs at {p.discount_rate:.1%}",
                f"{public_m2:,.0f} m2 x net {public_net / max(public_m2, 1e-9):,.0f} EUR/m2/yr, "
                f"PV {p.rent_years:g} yrs at {p.discount_rate:.1%}",
            ],
        }
    )
    total_cost = float(costs["eur"].sum())
    total_revenue = float(revenues["eur"].sum())
    return ProgrammeResult(
        programme=p,
        areas=areas,
        costs=costs,
        revenues=revenues,
        homes=homes,
        home_price_eur=float(home_price),
        total_cost_eur=total_cost,
        total_revenue_eur=total_revenue,
        funding_gap_eur=total_cost - total_revenue,
        land_cost_eur=float(land),
        land_budget_years=float(land / p.land_budget_eur_year),
    )


# ---------------------------------------------------------------------------------------------
# Building size and mix under the land budget
# ---------------------------------------------------------------------------------------------


def _group_areas(programme: Programme) -> dict[str, float]:
    areas = {group: 0.0 for group in GROUPS}
    for use, area in programme.areas_m2.items():
        areas[USE_GROUPS[use]] += float(area)
    return areas


def default_mixes(programme: Programme, *, shift: float = 0.10) -> dict[str, dict[str, float]]:
    """The programme's own mix of uses and three tilts of it, as shares of the allocated area.

    ``"scenario"`` is the programme's split between studios and production, CLT homes and
    public space; ``"more homes"``, ``"more studios"`` and ``"more public space"`` move ``shift``
    of the allocated net area to that group, taken from the other two in proportion.

    Returns
    -------
    dict
        Mix name -> {group: share}, shares summing to 1.
    """
    check_share = 0 <= shift < 1
    if not check_share:
        raise ParameterError(f"shift={shift!r} is outside the allowed range [0, 1)")
    areas = _group_areas(programme)
    total = sum(areas.values())
    if total <= 0:
        raise ParameterError("programme.areas_m2 are all 0: no mix to vary")
    own = {group: areas[group] / total for group in GROUPS}
    mixes = {"scenario": own}
    for group, name in (("clt_homes", "more homes"), ("studios_production", "more studios"),
                        ("public", "more public space")):
        gain = min(shift, 1 - own[group])
        rest = 1 - own[group]
        mixes[name] = {g: (own[g] + gain if g == group
                           else own[g] - gain * (own[g] / rest if rest > 0 else 0.0))
                       for g in GROUPS}
    return mixes


def _check_mix(name: str, mix: Any) -> dict[str, float]:
    if not isinstance(mix, Mapping) or any(key not in GROUPS for key in mix):
        raise ParameterError(f"mixes[{name!r}] must map groups to shares; allowed groups are "
                             f"{', '.join(GROUPS)}")
    shares = {}
    for group in GROUPS:
        value = mix.get(group, 0.0)
        if (isinstance(value, bool) or not isinstance(value, numbers.Real)
                or not 0 <= float(value) <= 1):
            raise ParameterError(f"mixes[{name!r}][{group!r}]={value!r} is outside the allowed "
                                 f"range [0, 1]")
        shares[group] = float(value)
    if sum(shares.values()) > 1 + 1e-9:
        raise ParameterError(f"mixes[{name!r}] shares add up to {sum(shares.values()):.3g}, "
                             f"more than the building; allowed range [0, 1]")
    return shares


def _resized(programme: Programme, size_m2: float, mix: Mapping[str, float]) -> Programme:
    """The programme at ``size_m2`` gross with the groups in ``mix`` (shares of the same
    allocated fraction of the net area); uses keep their split within each group."""
    groups = _group_areas(programme)
    allocated = sum(groups.values()) / programme.net_area_m2
    net = size_m2 * programme.net_to_gross * allocated
    areas = {}
    for use, area in programme.areas_m2.items():
        group = USE_GROUPS[use]
        within = float(area) / groups[group] if groups[group] > 0 else 0.0
        areas[use] = net * mix[group] * within
    changes: dict[str, Any] = {"gross_floor_area_m2": float(size_m2), "areas_m2": areas}
    if programme.site_area_m2 is not None:  # a fixed plot grows with the building
        changes["site_area_m2"] = programme.site_area_m2 * size_m2 / programme.gross_floor_area_m2
    return programme.replace(**changes)


@dataclass(frozen=True)
class SizeSweep(Result):
    """Programme results over building sizes and mixes of uses, under the land budget.

    Attributes
    ----------
    table
        One row per (``mix``, ``gross_floor_area_m2``): ``studios_m2``, ``homes``,
        ``public_m2``, ``plot_m2``, ``land_cost_eur``, ``land_budget_years``,
        ``within_land_budget`` (land cost <= what the budget may pay), ``total_cost_eur``,
        ``total_revenue_eur``, ``funding_gap_eur``, ``funding_gap_eur_m2`` (per m² gross).
    land_budget_available_eur
        What the regional land budget may pay for one project's land, EUR.
    land_budget_years_max
        Years of the regional land budget one project may take.
    max_size_m2
        Largest gross floor area whose plot the land budget can buy, m² (the land depends on
        the size, not the mix).
    mixes
        Mix name -> {group: share of the allocated net area}.
    """

    table: pd.DataFrame
    land_budget_available_eur: float
    land_budget_years_max: float
    max_size_m2: float
    mixes: Mapping[str, Mapping[str, float]]

    def to_frame(self) -> pd.DataFrame:
        """The sweep table (one row per mix and size)."""
        return self.table.copy()

    def affordable_sizes(self) -> list[float]:
        """Sizes (m² gross) whose land the budget can buy."""
        rows = self.table.drop_duplicates("gross_floor_area_m2")
        return [float(x) for x in rows.loc[rows["within_land_budget"], "gross_floor_area_m2"]]

    def summary(self) -> str:
        """Sizes swept, how many the land budget buys, and the gap range."""
        sizes = self.table["gross_floor_area_m2"]
        fits = self.affordable_sizes()
        gap = self.table["funding_gap_eur"] / 1e6
        return (f"Size sweep: {sizes.min():,.0f}-{sizes.max():,.0f} m2, {len(self.mixes)} mixes; "
                f"the land budget buys the plot of {len(fits)} of {sizes.nunique()} sizes "
                f"(up to {self.max_size_m2:,.0f} m2); funding gap {gap.min():,.1f}-"
                f"{gap.max():,.1f} M EUR")

    def _repr_html_(self) -> str:
        return "<h4>Size sweep</h4>" + self.table.to_html(float_format=lambda x: f"{x:,.2f}")

    def plot(self, **kwargs: Any) -> Any:
        """Funding gap and land-budget years by size, one line per mix (``plots.programme``)."""
        from permanent_research.plots.programme import size_sweep as figure

        return figure(self.table, land_budget_years_max=self.land_budget_years_max, **kwargs)


def size_sweep(
    programme: Programme,
    sizes_m2: Any = BROCHURE_SIZES_M2,
    *,
    mixes: Mapping[str, Mapping[str, float]] | None = None,
) -> SizeSweep:
    """Evaluate the programme at each size and mix of uses, with the land budget constraint.

    At each size the allocated net area keeps the programme's share of the net area; each group
    (studios and production, CLT homes, public space) gets its share of the mix, split between
    its uses as in the programme. The plot is gross ÷ floor-area ratio (or ``site_area_m2``
    scaled with the size), so the land grows with the building; a size is *within the land
    budget* when its land costs at most ``land_budget_eur_year × land_budget_years_max``.

    Parameters
    ----------
    programme
        A programme with its shared quantities set (:func:`with_assumptions`).
    sizes_m2
        Gross floor areas, m², each in 1,000–20,000 (default: 4,500–9,000 every 500).
    mixes
        Mix name -> {group: share}, shares in [0, 1] adding up to at most 1 (default
        :func:`default_mixes`).

    Returns
    -------
    SizeSweep

    Raises
    ------
    ParameterError
        A size outside 1,000–20,000 m², no sizes, a mix with unknown groups, a share outside
        [0, 1] or shares adding up to more than 1, or unset shared quantities.
    """
    sizes = list(np.atleast_1d(np.asarray(sizes_m2, dtype=float)))
    low, high = SIZE_RANGE_M2
    if not sizes:
        raise ParameterError(f"sizes_m2 is empty; give gross floor areas in [{low:,.0f}, "
                             f"{high:,.0f}] m2")
    for size in sizes:
        if not low <= size <= high:
            raise ParameterError(f"sizes_m2 contains {size:g}, outside the allowed range "
                                 f"[{low:,.0f}, {high:,.0f}] m2")
    mixes = default_mixes(programme) if mixes is None else mixes
    checked = {str(name): _check_mix(str(name), mix) for name, mix in mixes.items()}
    if not checked:
        raise ParameterError("mixes is empty; give at least one mix of groups")
    available = programme.land_budget_available_eur
    rows = []
    for name, mix in checked.items():
        for size in sizes:
            result = evaluate_programme(_resized(programme, size, mix))
            groups = result.areas.groupby("group")["net_m2"].sum()
            rows.append({
                "mix": name,
                "gross_floor_area_m2": size,
                "studios_m2": float(groups.get("studios_production", 0.0)),
                "homes": result.homes,
                "public_m2": float(groups.get("public", 0.0)),
                "plot_m2": float(result.programme.plot_area_m2),
                "land_cost_eur": result.land_cost_eur,
                "land_budget_years": result.land_budget_years,
                "within_land_budget": bool(result.land_cost_eur <= available * (1 + 1e-12)),
                "total_cost_eur": result.total_cost_eur,
                "total_revenue_eur": result.total_revenue_eur,
                "funding_gap_eur": result.funding_gap_eur,
                "funding_gap_eur_m2": result.funding_gap_eur / size,
            })
    p = programme
    land_per_m2_gross = (p.land_price_eur_m2 * p.plot_area_m2 / p.gross_floor_area_m2
                         if p.plot_area_m2 is not None else np.nan)
    max_size = available / land_per_m2_gross if land_per_m2_gross > 0 else np.inf
    return SizeSweep(table=pd.DataFrame(rows), land_budget_available_eur=float(available),
                     land_budget_years_max=float(p.land_budget_years_max),
                     max_size_m2=float(max_size), mixes=checked)


# ---------------------------------------------------------------------------------------------
# Capital stack: the funding gap by use and by funder, with phasing
# ---------------------------------------------------------------------------------------------

#: Funders of the capital stack -> (what they pay for, source or "assumption").
FUNDERS: dict[str, tuple[str, str]] = {
    "regional_land_grant": (
        "the land, up to land_budget_eur_year x land_budget_years_max",
        "clt_facts: regional grant EUR 2,000,000 a year buys CLTB's land; one year per "
        "project is an assumption"),
    "clt_home_sales": ("CLT homes, sold at market price x (1 - clt_discount)",
                       "clt_facts: CLTB homes about 40% below market; market price from the "
                       "scenario's assumptions"),
    "studio_cost_rent_loans": ("studios and production: a loan repaid by their net cost-rents",
                               "assumption (loan sized by the present value of the net rents)"),
    "public_space_rents": ("public spaces: a loan repaid by the operators' net rents",
                           "assumption (loan sized by the present value of the net rents)"),
    "public_space_funders": ("what the public spaces' own rents and land grant leave",
                             "assumption (culture, education and municipal funders; none "
                             "committed)"),
    "unfunded_gap": ("what homes and studios leave after sales, loans and the land grant: a "
                     "construction subsidy still to find (negative: a surplus)",
                     "computed remainder"),
}
_PHASES = {  # funder -> phase
    "regional_land_grant": "land purchase",
    "clt_home_sales": "sales at delivery",
    "studio_cost_rent_loans": "construction (drawn), rent years (repaid)",
    "public_space_rents": "construction (drawn), rent years (repaid)",
    "public_space_funders": "construction",
    "unfunded_gap": "construction",
}


@dataclass(frozen=True)
class CapitalStack(Result):
    """The programme's cost by use and funder, and when each funder pays.

    Attributes
    ----------
    table
        Long table ``use``, ``group``, ``funder``, ``eur``: for each use, who pays its cost
        (land and building cost shared by net area). Each use's rows add up to its cost; all
        rows add up to the total cost.
    uses
        One row per use: ``cost_eur``, ``revenue_eur``, ``land_grant_eur``, ``gap_eur`` (cost −
        revenue; the gaps add up to the funding gap).
    phasing
        One row per funder: ``phase``, ``first_year``, ``last_year`` (0 = land purchase;
        delivery at the end of ``construction_years``), ``eur``, ``eur_year`` (yearly net rent
        that repays a loan, else NaN), ``source``.
    total_cost_eur, funding_gap_eur
        Of the evaluated programme, EUR.
    """

    table: pd.DataFrame
    uses: pd.DataFrame
    phasing: pd.DataFrame
    total_cost_eur: float
    funding_gap_eur: float

    def to_frame(self) -> pd.DataFrame:
        """Use × funder table (long), EUR."""
        return self.table.copy()

    def by_funder(self) -> pd.Series:
        """EUR per funder (in :data:`FUNDERS` order); adds up to the total cost."""
        sums = self.table.groupby("funder")["eur"].sum()
        return sums.reindex(list(FUNDERS)).fillna(0.0)

    def gap_by_funder(self) -> pd.Series:
        """The funding gap split between the funders that fill it (land grant, public-space
        funders, unfunded remainder); adds up to the funding gap."""
        return self.by_funder()[["regional_land_grant", "public_space_funders", "unfunded_gap"]]

    def summary(self) -> str:
        """The funding gap and who fills it, in million EUR."""
        gap = self.gap_by_funder() / 1e6
        return (f"Capital stack: cost {self.total_cost_eur / 1e6:,.2f} M EUR, funding gap "
                f"{self.funding_gap_eur / 1e6:,.2f} M EUR = land grant "
                f"{gap['regional_land_grant']:,.2f} + public-space funders "
                f"{gap['public_space_funders']:,.2f} + unfunded {gap['unfunded_gap']:,.2f}")

    def _repr_html_(self) -> str:
        wide = self.table.pivot_table(index="use", columns="funder", values="eur",
                                      aggfunc="sum", fill_value=0.0)
        return "<h4>Capital stack</h4>" + wide.to_html(float_format=lambda x: f"{x:,.0f}")

    def plot(self, **kwargs: Any) -> Any:
        """Cost of each use stacked by funder (``plots.programme``)."""
        from permanent_research.plots.programme import capital_stack as figure

        return figure(self.table, **kwargs)


def capital_stack(result: ProgrammeResult) -> CapitalStack:
    """Attribute an evaluated programme's cost and funding gap to uses and funders, with phasing.

    Land and building costs (works, fees, VAT) are shared between the uses by net area. Each use
    is paid by: the regional land grant (its land, up to what the budget may pay, in the same
    proportion for every use); its revenue (CLT home sales; a studio cost-rent loan repaid by
    the net cost-rents; a public-space loan repaid by the operators' net rents); and the rest —
    public-space funders for public spaces, the unfunded gap (a construction subsidy still to
    find; negative = surplus) for homes and studios. Every use's parts add up to its cost, and
    land grant + public-space funders + unfunded gap = the funding gap.

    Phasing (assumption): the land grant pays at year 0; loans are drawn and public-space
    funders and the remaining subsidy pay over the ``construction_years``; homes are sold at
    delivery; loans are repaid from the net rents over the ``rent_years`` after delivery.

    Parameters
    ----------
    result
        :func:`evaluate_programme` of a programme whose ``construction_years`` is set.

    Returns
    -------
    CapitalStack

    Raises
    ------
    ParameterError
        Not a ProgrammeResult, or ``construction_years`` unset.
    """
    if not isinstance(result, ProgrammeResult):
        raise ParameterError("result must come from evaluate_programme(...)")
    p = result.programme
    _require(p, ("construction_years",))
    by_use = result.areas.groupby("use")["net_m2"].sum()
    uses = [use for use in p.floor_order if by_use.get(use, 0.0) > 0]
    allocated = float(by_use.sum())
    building = result.total_cost_eur - result.land_cost_eur
    grant_share = (min(1.0, p.land_budget_available_eur / result.land_cost_eur)
                   if result.land_cost_eur > 0 else 0.0)
    revenue = result.revenues.set_index("item")["eur"]
    group_m2 = result.areas.groupby("group")["net_m2"].sum()
    rows, use_rows = [], []
    for use in uses:
        group = USE_GROUPS[use]
        share = float(by_use[use]) / allocated
        land, cost = result.land_cost_eur * share, result.land_cost_eur * share + building * share
        grant = land * grant_share
        within = float(by_use[use]) / float(group_m2[group])
        if group == "clt_homes":
            funder, earned = "clt_home_sales", float(revenue["clt_home_sales"]) * within
        elif group == "studios_production":
            funder, earned = "studio_cost_rent_loans", float(revenue["studio_cost_rents"]) * within
        else:
            funder, earned = "public_space_rents", float(revenue["public_space_lets"]) * within
        rest = "public_space_funders" if group == "public" else "unfunded_gap"
        for name, eur in (("regional_land_grant", grant), (funder, earned),
                          (rest, cost - grant - earned)):
            rows.append({"use": use, "group": group, "funder": name, "eur": eur})
        use_rows.append({"use": use, "group": group, "net_m2": float(by_use[use]),
                         "cost_eur": cost, "revenue_eur": earned, "land_grant_eur": grant,
                         "gap_eur": cost - earned})
    table = pd.DataFrame(rows, columns=["use", "group", "funder", "eur"])
    totals = table.groupby("funder")["eur"].sum()
    build_years = max(int(np.ceil(p.construction_years - 1e-9)), 1)
    rent_end = build_years + int(np.ceil(p.rent_years - 1e-9))
    net_rent = result.revenues.set_index("item")["eur_year"]
    span = {"regional_land_grant": (0, 0), "clt_home_sales": (build_years, build_years),
            "studio_cost_rent_loans": (1, rent_end), "public_space_rents": (1, rent_end),
            "public_space_funders": (1, build_years), "unfunded_gap": (1, build_years)}
    yearly = {"studio_cost_rent_loans": float(net_rent["studio_cost_rents"]),
              "public_space_rents": float(net_rent["public_space_lets"])}
    phasing = pd.DataFrame([
        {"funder": name, "phase": _PHASES[name], "first_year": span[name][0],
         "last_year": span[name][1], "eur": float(totals.get(name, 0.0)),
         "eur_year": yearly.get(name, np.nan), "source": FUNDERS[name][1]}
        for name in FUNDERS
    ])
    return CapitalStack(table=table, uses=pd.DataFrame(use_rows), phasing=phasing,
                        total_cost_eur=result.total_cost_eur,
                        funding_gap_eur=result.funding_gap_eur)


# ---------------------------------------------------------------------------------------------
# Why the answer moves between scenarios
# ---------------------------------------------------------------------------------------------

_DRIVER_SKIP = frozenset({"sources", "floor_order"})
_INTERACTION = "interaction (inputs changed together)"


@dataclass(frozen=True)
class GapDrivers(Result):
    """How each input that differs between two programmes moves the funding gap.

    Attributes
    ----------
    table
        One row per differing input, largest effect first: ``input``, ``reference`` and
        ``value`` (as text), ``gap_change_eur`` (the reference's gap with only that input
        changed, minus the reference's gap); a last row ``interaction (inputs changed
        together)`` makes the column add up to ``gap_eur − reference_gap_eur``.
    reference_gap_eur, gap_eur
        Funding gaps of the reference and the compared programme, EUR.
    """

    table: pd.DataFrame
    reference_gap_eur: float
    gap_eur: float

    def to_frame(self) -> pd.DataFrame:
        """The table (its ``gap_change_eur`` adds up to the difference in gaps)."""
        return self.table.copy()

    def summary(self) -> str:
        """The difference and its largest driver."""
        difference = (self.gap_eur - self.reference_gap_eur) / 1e6
        inputs = self.table[self.table["input"] != _INTERACTION]
        if inputs.empty:
            return "Gap drivers: the two programmes are the same"
        top = inputs.iloc[0]
        return (f"Gap drivers: the funding gap differs by {difference:+,.2f} M EUR; largest "
                f"driver {top['input']} ({top['gap_change_eur'] / 1e6:+,.2f} M EUR)")


def _text(value: Any) -> str:
    if isinstance(value, Mapping):
        return ", ".join(f"{k} {v:,.0f}" for k, v in value.items() if v)
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def gap_drivers(reference: Programme, other: Programme) -> GapDrivers:
    """Attribute the difference in funding gap between two programmes to the inputs that differ.

    Each differing input is switched alone from ``reference`` to ``other`` (one at a time); what
    the single switches leave of the total difference is shown as an interaction row, so the
    parts add up to the total.

    Parameters
    ----------
    reference, other
        Programmes with their shared quantities set (:func:`with_assumptions`).

    Returns
    -------
    GapDrivers

    Raises
    ------
    ParameterError
        Not Programmes, or shared quantities unset.
    """
    if not isinstance(reference, Programme) or not isinstance(other, Programme):
        raise ParameterError("reference and other must be Programmes (with_assumptions(...))")
    base_gap = evaluate_programme(reference).funding_gap_eur
    gap = evaluate_programme(other).funding_gap_eur
    rows = []
    for item in fields(Programme):
        key = item.name
        if key in _DRIVER_SKIP:
            continue
        before, after = getattr(reference, key), getattr(other, key)
        if isinstance(before, Mapping):
            same = dict(before) == dict(after)
        else:
            same = before == after
        if same:
            continue
        try:
            changed = evaluate_programme(reference.replace(**{key: after})).funding_gap_eur
        except ScenarioError:  # this input alone breaks the reference (e.g. areas vs size)
            changed = np.nan
        rows.append({"input": key, "reference": _text(before), "value": _text(after),
                     "gap_change_eur": changed - base_gap})
    table = pd.DataFrame(rows, columns=["input", "reference", "value", "gap_change_eur"])
    if not table.empty:
        table = table.reindex(table["gap_change_eur"].abs().sort_values(
            ascending=False, na_position="last").index).reset_index(drop=True)
        rest = (gap - base_gap) - float(table["gap_change_eur"].fillna(0.0).sum())
        table = pd.concat([table, pd.DataFrame([{
            "input": _INTERACTION, "reference": "", "value": "", "gap_change_eur": rest}])],
            ignore_index=True)
    return GapDrivers(table=table, reference_gap_eur=float(base_gap), gap_eur=float(gap))


@dataclass(frozen=True)
class SharedSensitivity(Result):
    """How far each shared assumption moves the funding gap across its range in the scenario.

    Attributes
    ----------
    table
        One row per shared quantity, largest swing first: ``input``, ``low_value``,
        ``high_value`` (the ``low``/``high`` quantiles of its distribution; the studio
        cost-rent at those quantiles of all its inputs), ``gap_low_eur``, ``gap_high_eur``
        (funding gap with only that input moved), ``swing_eur`` (high − low).
    gap_eur
        Funding gap at the medians, EUR.
    quantiles
        ``(low, high)``.
    """

    table: pd.DataFrame
    gap_eur: float
    quantiles: tuple[float, float]

    def to_frame(self) -> pd.DataFrame:
        """The swing table."""
        return self.table.copy()

    def summary(self) -> str:
        """The input with the largest swing."""
        top = self.table.iloc[0]
        return (f"Shared-assumption sensitivity: {top['input']} moves the funding gap by "
                f"{top['swing_eur'] / 1e6:+,.2f} M EUR between its q{self.quantiles[0]:g} and "
                f"q{self.quantiles[1]:g}")


def shared_sensitivity(
    programme: Programme, assumptions: Any, *, low: float = 0.05, high: float = 0.95
) -> SharedSensitivity:
    """Move each shared assumption alone from its ``low`` to its ``high`` quantile.

    The scenario's own distributions (in base-year euros) give the range: land price,
    floor-area ratio, market price, and the studio cost-rent (all its Monte Carlo inputs at the
    quantile together). The discount rate is a single scenario value and construction years do
    not enter the gap, so neither is moved.

    Parameters
    ----------
    programme
        The programme with its shared quantities set (:func:`with_assumptions`).
    assumptions
        The same scenario's assumptions in base-year euros.
    low, high
        Quantiles, ``0 <= low < high <= 1``.

    Returns
    -------
    SharedSensitivity

    Raises
    ------
    ParameterError
        Quantiles out of order or outside [0, 1].
    """
    from permanent_research.scenarios import Assumptions, studio_costs

    if not isinstance(assumptions, Assumptions):
        raise ParameterError("assumptions must come from scenarios.in_base_year(...)")
    if not (isinstance(low, numbers.Real) and isinstance(high, numbers.Real)
            and 0 <= low < high <= 1):
        raise ParameterError(f"low={low!r}, high={high!r}: need 0 <= low < high <= 1")
    gap = evaluate_programme(programme).funding_gap_eur

    def studio(q: float) -> float:
        costs = studio_costs(assumptions, q=q).set_index("model")["cost_eur_m2_month"]
        return 12 * float(costs["permanent_clt"])

    ranges = {key: (assumptions[key].quantile(low), assumptions[key].quantile(high))
              for key in ("land_price_eur_m2", "floor_area_ratio", "market_price_eur_m2")}
    ranges["studio_rent_eur_m2_year"] = (studio(low), studio(high))
    rows = []
    for key, (a, b) in ranges.items():
        gap_a = evaluate_programme(programme.replace(**{key: float(a)})).funding_gap_eur
        gap_b = evaluate_programme(programme.replace(**{key: float(b)})).funding_gap_eur
        rows.append({"input": key, "low_value": float(a), "high_value": float(b),
                     "gap_low_eur": gap_a, "gap_high_eur": gap_b, "swing_eur": gap_b - gap_a})
    table = pd.DataFrame(rows)
    table = table.reindex(table["swing_eur"].abs().sort_values(ascending=False).index)
    return SharedSensitivity(table=table.reset_index(drop=True), gap_eur=float(gap),
                             quantiles=(float(low), float(high)))


# ---------------------------------------------------------------------------------------------
# Site screening
# ---------------------------------------------------------------------------------------------

#: Columns of a candidate-sites CSV: (name, required?, meaning).
SITE_COLUMNS: tuple[tuple[str, bool, str], ...] = (
    ("site_id", False, "identifier (defaults to the row number)"),
    ("site_name", False, "name or address"),
    ("area_m2", True, "usable gross floor area of the site or building, m2"),
    ("location", True, "central | well_connected | peripheral"),
    ("owner", False, "public | willing_private | unknown | unwilling_private (default unknown)"),
    ("price_eur_m2", False, "purchase price per m2 of floor area, EUR (empty = unknown)"),
)
LOCATION_SCORES: dict[str, float] = {"central": 1.0, "well_connected": 0.75, "peripheral": 0.25}
OWNER_SCORES: dict[str, float] = {
    "public": 1.0,
    "willing_private": 0.6,
    "unknown": 0.3,
    "unwilling_private": 0.0,
}
DEFAULT_WEIGHTS: dict[str, float] = {"area": 0.3, "location": 0.25, "owner": 0.25, "price": 0.2}


@dataclass(frozen=True)
class SiteScreening(Result):
    """Candidate sites scored on the brochure's criteria.

    Attributes
    ----------
    table
        The input columns plus ``area_score``, ``location_score``, ``owner_score``,
        ``price_score`` (each in [0, 1]), ``score`` (weighted mean), ``eligible``
        (``area_m2 >= min_area_m2``), ``rank`` (1 = best eligible site; equal scores share a
        rank; ineligible sites rank after all eligible ones) and ``price_known``.
    weights
        The weights used (normalised to sum to 1).
    parameters
        ``min_area_m2``, ``ideal_area_m2``, ``price_ceiling_eur_m2``.
    """

    table: pd.DataFrame
    weights: dict[str, float]
    parameters: dict[str, float]

    def to_frame(self) -> pd.DataFrame:
        """Return the scored table, best first."""
        return self.table.copy()

    def eligible(self) -> pd.DataFrame:
        """The eligible sites with their scores, best first."""
        cols = ["site_id", "site_name", "area_m2", "location", "owner", "price_eur_m2", "score",
                "rank"]
        return self.table.loc[self.table["eligible"], cols]

    def summary(self) -> str:
        """How many sites are eligible, and the best one."""
        eligible = self.eligible()
        if eligible.empty:
            return f"Site screening: none of {len(self.table)} sites is eligible"
        best = eligible.iloc[0]
        return (f"Site screening: {len(eligible)} of {len(self.table)} sites eligible; best "
                f"{best['site_id']} ({best['site_name']}), score {best['score']:.2f}")

    def _repr_html_(self) -> str:
        return "<h4>Site screening</h4>" + self.table.to_html(float_format=lambda x: f"{x:,.2f}")

    def plot(self, **kwargs: Any) -> Any:
        """Weighted score of each site by criterion (``plots.programme``)."""
        from permanent_research.plots.programme import site_scores

        return site_scores(self.table, self.weights, **kwargs)


def read_sites(path: str | os.PathLike) -> pd.DataFrame:
    """Read a candidate-sites CSV (schema in :data:`SITE_COLUMNS`), checking required columns.

    Raises
    ------
    DataError
        One line naming the file and the missing column (``area_m2`` or ``location``).
    """
    source = os.fspath(path)
    with open(path, encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    # Comment lines are whole lines starting with '#'; a '#' inside a field is data
    # (pandas' comment= would cut "Hall #3" short). Keep each data row's file line number.
    kept = [(number, line) for number, line in enumerate(lines, start=1)
            if line.strip() and not line.lstrip().startswith("#")]
    if not kept:
        raise DataError(f"{source}: empty file; expected a header with columns area_m2, "
                        f"location (and optionally site_id, site_name, owner, price_eur_m2)")
    frame = pd.read_csv(io.StringIO("\n".join(line for _, line in kept)))
    check_columns(frame, [name for name, required, _ in SITE_COLUMNS if required],
                  source=source)
    if frame.empty:
        raise DataError(f"{source}: no sites (header only); expected one row per candidate "
                        f"site")
    line_numbers = [number for number, _ in kept[1:]]
    if len(line_numbers) == len(frame):
        frame.attrs["line_numbers"] = line_numbers
    frame.attrs["source"] = source
    return frame


def screen_sites(
    sites: pd.DataFrame,
    *,
    weights: Mapping[str, float] | None = None,
    min_area_m2: float = 4500.0,
    ideal_area_m2: float = 9000.0,
    price_ceiling_eur_m2: float = 3000.0,
    source: str | None = None,
) -> SiteScreening:
    """Score candidate sites on area, location, ownership and price.

    Scores, each in [0, 1]:

    * area: 0 below ``min_area_m2``; from 0.5 at the minimum rising linearly to 1 at
      ``ideal_area_m2`` and above (the brochure: at least 4,500 m², ideally 9,000);
    * location: :data:`LOCATION_SCORES` (central 1, well connected 0.75, peripheral 0.25);
    * owner: :data:`OWNER_SCORES` (public 1, willing private 0.6, unknown 0.3, unwilling 0);
    * price: ``1 − price / price_ceiling_eur_m2`` clipped to [0, 1]; an unknown price scores 0.

    ``score`` is the weighted mean with ``weights`` (normalised to sum to 1).

    Parameters
    ----------
    sites
        Candidate sites (columns in :data:`SITE_COLUMNS`; ``area_m2`` and ``location``
        required).
    weights
        Weight per criterion, keys ``area``, ``location``, ``owner``, ``price`` (>= 0, not all
        0); missing keys weigh 0. Default :data:`DEFAULT_WEIGHTS`.
    min_area_m2, ideal_area_m2
        Eligibility threshold and ideal area, m².
    price_ceiling_eur_m2
        Price per m² at which the price score reaches 0, EUR/m².
    source
        Name used in error messages (default: the frame's ``attrs["source"]`` or "sites").

    Returns
    -------
    SiteScreening

    Raises
    ------
    DataError
        Missing ``area_m2``/``location`` column, no rows, non-numeric, infinite, negative or
        missing areas, a price that is neither empty nor a finite number >= 0, duplicate
        ``site_id`` values, unknown location or owner values (naming rows and allowed values;
        file line numbers when the frame comes from :func:`read_sites`).
    ParameterError
        Unknown or negative weights, all weights 0, ``ideal_area_m2 < min_area_m2``.
    """
    source = source or sites.attrs.get("source", "sites")
    check_columns(sites, ["area_m2", "location"], source=source)
    weights = dict(DEFAULT_WEIGHTS if weights is None else weights)
    unknown = [key for key in weights if key not in DEFAULT_WEIGHTS]
    if unknown:
        raise ParameterError(f"weights: unknown criterion {unknown[0]!r}; allowed criteria are "
                             f"{', '.join(DEFAULT_WEIGHTS)}")
    for key, value in weights.items():
        if (isinstance(value, bool) or not isinstance(value, numbers.Real)
                or not 0 <= value < np.inf):
            raise ParameterError(f"weights[{key!r}]={value!r} is outside the allowed range "
                                 f"[0, inf)")
    total = sum(weights.values())
    if total <= 0:
        raise ParameterError("weights: at least one of area, location, owner, price must be > 0")
    weights = {key: weights.get(key, 0.0) / total for key in DEFAULT_WEIGHTS}
    if not 0 < min_area_m2 <= ideal_area_m2 < np.inf:
        raise ParameterError(f"min_area_m2={min_area_m2!r}, ideal_area_m2={ideal_area_m2!r}: "
                             f"need 0 < min_area_m2 <= ideal_area_m2 < inf")
    if not 0 < price_ceiling_eur_m2 < np.inf:
        raise ParameterError(f"price_ceiling_eur_m2={price_ceiling_eur_m2!r} is outside the "
                             f"allowed range (0, inf)")

    table = sites.copy().reset_index(drop=True)
    if "site_id" not in table:
        table["site_id"] = [f"site_{i + 1}" for i in range(len(table))]
    if "site_name" not in table:
        table["site_name"] = table["site_id"].astype(str)
    if "owner" not in table:
        table["owner"] = "unknown"
    if "price_eur_m2" not in table:
        table["price_eur_m2"] = np.nan

    lines = sites.attrs.get("line_numbers")
    if lines is not None and len(lines) == len(table):
        row_labels, row_kind = pd.Index(lines), "file line numbers"
    else:
        row_labels, row_kind = table.index + 1, "data rows, 1 = first"

    def rows(mask: pd.Series) -> str:
        return f"rows {format_rows(row_labels[mask.to_numpy()])} ({row_kind})"

    if table.empty:
        raise DataError(f"{source}: no sites to screen (0 rows)")
    area = pd.to_numeric(table["area_m2"], errors="coerce")
    bad = ~np.isfinite(area) | (area < 0)
    if bad.any():
        raise DataError(f"{source}: column 'area_m2' must be a finite number >= 0, m2; bad in "
                        f"{rows(bad)}")
    price_text = table["price_eur_m2"]
    price = pd.to_numeric(price_text, errors="coerce")
    blank = price_text.isna() | price_text.astype("string").str.strip().eq("")
    bad = (price.isna() & ~blank) | ~(np.isfinite(price) | price.isna()) | (price < 0)
    if bad.any():
        raise DataError(f"{source}: column 'price_eur_m2' must be empty (unknown) or a finite "
                        f"number >= 0, EUR/m2, without thousands separators; bad in {rows(bad)}")
    if "site_id" in sites:
        duplicated = table["site_id"].duplicated(keep=False)
        if duplicated.any():
            raise DataError(f"{source}: column 'site_id' has duplicate values "
                            f"{sorted(set(table['site_id'][duplicated].astype(str)))} in "
                            f"{rows(duplicated)}; each site needs its own id")
    location = table["location"].astype("string").str.strip().str.lower()
    owner = table["owner"].fillna("unknown").astype("string").str.strip().str.lower()
    for column, values, allowed in (("location", location, LOCATION_SCORES),
                                    ("owner", owner, OWNER_SCORES)):
        wrong = ~values.isin(list(allowed)) | values.isna()
        if wrong.any():
            raise DataError(f"{source}: column {column!r} has values "
                            f"{sorted(set(values[wrong].fillna('<missing>')))} in "
                            f"{rows(wrong)}; allowed values are {', '.join(allowed)}")

    span = ideal_area_m2 - min_area_m2
    ramp = 1.0 if span == 0 else 0.5 + 0.5 * ((area - min_area_m2) / span).clip(0, 1)
    table["area_m2"] = area
    table["location"] = location
    table["owner"] = owner
    table["price_eur_m2"] = price
    table["eligible"] = area >= min_area_m2
    table["area_score"] = np.where(table["eligible"], ramp, 0.0)
    table["location_score"] = location.map(LOCATION_SCORES).astype(float)
    table["owner_score"] = owner.map(OWNER_SCORES).astype(float)
    table["price_known"] = price.notna()
    table["price_score"] = (1 - price / price_ceiling_eur_m2).clip(0, 1).fillna(0.0)
    table["score"] = sum(weights[k] * table[f"{k}_score"] for k in DEFAULT_WEIGHTS)
    table = table.sort_values(["eligible", "score"], ascending=[False, False], kind="stable")
    # Equal scores share a rank (competition ranking, 1, 1, 3); ineligible sites come after
    # every eligible one. Scores are compared at 1e-12 so float noise does not split a tie.
    keys = list(zip(table["eligible"], table["score"].round(12), strict=True))
    ranks: list[int] = []
    for position, key in enumerate(keys, start=1):
        ranks.append(ranks[-1] if ranks and key == keys[position - 2] else position)
    table["rank"] = ranks
    table.attrs = dict(sites.attrs)
    return SiteScreening(
        table=table.reset_index(drop=True),
        weights=weights,
        parameters={"min_area_m2": float(min_area_m2), "ideal_area_m2": float(ideal_area_m2),
                    "price_ceiling_eur_m2": float(price_ceiling_eur_m2)},
    )
