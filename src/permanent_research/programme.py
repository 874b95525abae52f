"""A Permanent building: programme, costs, revenues, funding gap, land budget; site screening.

The brochure's building is 4,500–9,000 m² on several floors, split into artists' studios and
production space, CLT homes and public space (café, community room, recyclotheek, classrooms,
exhibition space). :class:`Programme` holds every assumption (validated from a scenario file's
``programme:`` section by :func:`validate_programme`); :func:`evaluate_programme` turns it into
areas by use and floor, costs, revenues, the funding gap and the years of CLTB's regional land
budget the land would take. :func:`screen_sites` scores candidate sites on the brochure's
criteria.

Units: areas in m² (``_m2``), money in nominal euros (``_eur``), rents per m² per year
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
    "validate_programme",
    "evaluate_programme",
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


@dataclass(frozen=True)
class Programme(Result):
    """Every assumption of the building programme (see ``docs/programme.md`` for sources).

    Attributes
    ----------
    site_area_m2
        Plot area, m² (land is bought per m² of plot).
    gross_floor_area_m2
        Gross floor area of the building, m² (the brochure: 4,500–9,000).
    floors
        Number of storeys (>= 1).
    net_to_gross
        Net usable area ÷ gross floor area (fraction).
    areas_m2
        Net area per use, m² (keys in :data:`USES`; omitted uses are 0).
    home_size_m2
        Net area of one CLT home, m².
    land_price_eur_m2
        Land price per m² of plot, EUR/m² (Brussels notaries' median 2018: 764).
    works_cost_eur_m2
        Construction or conversion cost per m² of gross floor area, EUR/m² (assumption).
    fees_share
        Fees (architects, engineers, permits) as a share of works (fraction).
    vat_rate
        VAT on works and fees (fraction; 0.21 standard, 0.06 may apply to social housing [U]).
    market_price_eur_m2
        Market price of a comparable flat, EUR/m² of net area.
    clt_discount
        CLT price below market (fraction; the brochure's 0.40).
    studio_rent_eur_m2_year
        Cost-rent of studios and production space, EUR per m² per year.
    public_rent_eur_m2_year
        Rent of the public spaces let to their operators, EUR per m² per year.
    operating_cost_eur_m2_year
        Owner's upkeep and stewardship of the let spaces, EUR per m² per year.
    rent_years
        Years of net rents counted against the capital cost.
    discount_rate
        Annual rate to discount rents to a present value (fraction).
    land_budget_eur_year
        CLTB's regional land budget, EUR per year (clt_facts: 2,000,000).
    floor_order
        Uses from the ground floor up, for the floor plan.
    sources
        Free-text source (or "assumption") per key, carried for the record.
    """

    site_area_m2: float = 2500.0
    gross_floor_area_m2: float = 7000.0
    floors: int = 5
    net_to_gross: float = 0.80
    areas_m2: Mapping[str, float] = field(default_factory=lambda: dict(_DEFAULT_AREAS))
    home_size_m2: float = 80.0
    land_price_eur_m2: float = 764.0
    works_cost_eur_m2: float = 1800.0
    fees_share: float = 0.12
    vat_rate: float = 0.21
    market_price_eur_m2: float = 3250.0
    clt_discount: float = 0.40
    studio_rent_eur_m2_year: float = 60.0
    public_rent_eur_m2_year: float = 40.0
    operating_cost_eur_m2_year: float = 15.0
    rent_years: float = 30.0
    discount_rate: float = 0.03
    land_budget_eur_year: float = 2_000_000.0
    floor_order: tuple[str, ...] = USES
    sources: Mapping[str, str] = field(default_factory=dict)

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
        return validate_programme({**_as_mapping(self), **changes}, source="Programme.replace")


def _as_mapping(programme: Programme) -> dict[str, Any]:
    data = asdict(programme)
    data["floor_order"] = list(programme.floor_order)
    return data


# key -> (low, high, integer?) ; None = unbounded
_NUMERIC_RANGES: dict[str, tuple[float | None, float | None, bool]] = {
    "site_area_m2": (0.0, None, False),
    "gross_floor_area_m2": (0.0, None, False),
    "floors": (1, 100, True),
    "net_to_gross": (0.0, 1.0, False),
    "home_size_m2": (0.0, None, False),
    "land_price_eur_m2": (0.0, None, False),
    "works_cost_eur_m2": (0.0, None, False),
    "fees_share": (0.0, 1.0, False),
    "vat_rate": (0.0, 1.0, False),
    "market_price_eur_m2": (0.0, None, False),
    "clt_discount": (0.0, 1.0, False),
    "studio_rent_eur_m2_year": (0.0, None, False),
    "public_rent_eur_m2_year": (0.0, None, False),
    "operating_cost_eur_m2_year": (0.0, None, False),
    "rent_years": (0.0, 200.0, False),
    "discount_rate": (0.0, 1.0, False),
    "land_budget_eur_year": (0.0, None, False),
}
_STRICTLY_POSITIVE = {"gross_floor_area_m2", "site_area_m2", "home_size_m2", "net_to_gross",
                      "land_budget_eur_year"}
_ALLOWED_KEYS = tuple(f.name for f in fields(Programme))


def _range_text(key: str, low: float | None, high: float | None) -> str:
    left = "(" if key in _STRICTLY_POSITIVE else "["
    right = "inf)" if high is None else f"{high:g}]"
    return f"{left}{'-inf' if low is None else low:g}, {right}"


def validate_programme(mapping: Mapping[str, Any] | None, *, source: str) -> Programme:
    """Validate a scenario file's ``programme:`` section into a :class:`Programme`.

    Keys not given keep the defaults of :class:`Programme`.

    Parameters
    ----------
    mapping
        The section (a mapping; ``None`` or ``{}`` gives the defaults).
    source
        Where it comes from (file and section), used in error messages.

    Returns
    -------
    Programme

    Raises
    ------
    ScenarioError
        One line naming the key and the allowed keys or range: unknown key, non-numeric or
        negative cost, share outside [0, 1], unknown use, parts whose net areas exceed the
        building's net area, or a footprint larger than the site.
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
            f"{', '.join(_ALLOWED_KEYS)}"
        )
    values: dict[str, Any] = {}
    for key, (low, high, integer) in _NUMERIC_RANGES.items():
        if key not in mapping:
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
        if not isinstance(sources, Mapping) or any(k not in _ALLOWED_KEYS for k in sources):
            raise ScenarioError(f"{source}: programme.sources must map programme keys to text; "
                                f"allowed keys are {', '.join(_ALLOWED_KEYS)}")
        values["sources"] = {str(k): str(v) for k, v in sources.items()}

    programme = Programme(**values)
    parts = float(sum(programme.areas_m2.values()))
    if parts > programme.net_area_m2 * (1 + 1e-9):
        raise ScenarioError(
            f"{source}: programme.areas_m2 add up to {parts:,.0f} m2, more than the building's "
            f"net area {programme.net_area_m2:,.0f} m2 (gross_floor_area_m2 x net_to_gross); "
            f"allowed range [0, {programme.net_area_m2:,.0f}]"
        )
    if programme.footprint_m2 > programme.site_area_m2 * (1 + 1e-9):
        raise ScenarioError(
            f"{source}: programme footprint gross_floor_area_m2 / floors = "
            f"{programme.footprint_m2:,.0f} m2 exceeds site_area_m2 = "
            f"{programme.site_area_m2:,.0f}; allowed range [0, {programme.site_area_m2:,.0f}]"
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


def evaluate_programme(programme: Programme | Mapping[str, Any] | None = None) -> ProgrammeResult:
    """Areas by floor, costs, revenues, funding gap and land-budget years of a programme.

    Costs: land ``site_area_m2 × land_price_eur_m2``; works ``gross_floor_area_m2 ×
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
    """
    if programme is None or isinstance(programme, Mapping):
        programme = validate_programme(programme or {}, source="programme")
    p = programme
    areas = _floor_plan(p)
    by_group = areas.groupby("group")["net_m2"].sum()
    homes = int(np.floor(p.areas_m2.get("clt_homes", 0.0) / p.home_size_m2 + 1e-9))
    home_price = p.home_size_m2 * p.market_price_eur_m2 * (1 - p.clt_discount)

    land = p.site_area_m2 * p.land_price_eur_m2
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
