"""Base-year euros: every money input says which year's euros it is in and what kind it is.

Rents and incomes move with consumer prices (the Belgian health index, or the CPI); building
costs move with construction prices. A euro amount of price year ``y`` becomes euros of the
scenario's base year ``b`` by ``value · I_b / I_y`` with the index of its kind:

=================  ==============================  =============================================
kind               default index                   why
=================  ==============================  =============================================
``rent``           ``health_index``                Belgian leases are indexed to it
``income``         ``health_index``                wages and benefits are indexed to it
``price``          ``health_index``                any other amount (sale prices, land, subsidies)
``building_cost``  ``construction``                construction-price index (FOD Economie I-2021)
=================  ==============================  =============================================

The analysis never loads data: build the indexes once, from the bundled tables with
:func:`permanent_research.data.bundled_price_indexes` (or from your own with
:func:`price_indexes`), and pass them in.

Typical use::

    indexes = data.bundled_price_indexes()
    prices.to_base_year(739.0, price_year=2018, base_year=2024, kind="rent", indexes=indexes)
    table = prices.convert_inputs(inputs, base_year=2024, indexes=indexes)   # ConversionTable
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

import numpy as np
import pandas as pd

from permanent_research._validation import check_choice, check_columns
from permanent_research.discounting import check_rate
from permanent_research.errors import DataError, ParameterError, ScenarioError
from permanent_research.rents._base import format_years
from permanent_research.rents.indices import annual_average_index, health_index_annual
from permanent_research.results import Result

__all__ = [
    "MoneyKind",
    "MONEY_KINDS",
    "IndexName",
    "PRICE_INDEXES",
    "DEFAULT_INDEX_OF_KIND",
    "CONSTRUCTION_SERIES",
    "PriceIndexes",
    "price_indexes",
    "to_base_year",
    "MoneyInput",
    "inputs_from_frame",
    "ConversionTable",
    "convert_inputs",
    "PriceTag",
    "MoneySettings",
    "validate_money_section",
]

MoneyKind = Literal["rent", "income", "price", "building_cost"]
MONEY_KINDS: tuple[str, ...] = ("rent", "income", "price", "building_cost")
IndexName = Literal["health_index", "cpi", "construction"]
PRICE_INDEXES: tuple[str, ...] = ("health_index", "cpi", "construction")
DEFAULT_INDEX_OF_KIND: Mapping[str, str] = MappingProxyType(
    {"rent": "health_index", "income": "health_index", "price": "health_index",
     "building_cost": "construction"}
)
# Series of dataset construction_price_indices usable as the construction index. ABEX has two
# dated points only (2014-05, 2023-07), used as the level of their year.
CONSTRUCTION_SERIES: tuple[str, ...] = ("index_I_2021", "index_I_plus", "ABEX")

_DESCRIPTIONS = {
    "health_index": "Belgian health index (Statbel), annual means of 12 months, base 2013=100",
    "cpi": "Belgian CPI, all items (Statbel), annual means of 12 months, base 2013=100",
}
_CONSTRUCTION_DESCRIPTIONS = {
    "index_I_2021": "FOD Economie construction-price index I-2021 (materials, price revision), "
    "annual means of 12 months, Nov 2020 = 100",
    "index_I_plus": "FOD Economie construction-price index I+ (price revision), annual means "
    "of 12 months",
    "ABEX": "ABEX building-cost index (base 1914), dated points used as the level of their year",
}


def _check_year(name: str, year: object) -> int:
    if year is None or (isinstance(year, float) and np.isnan(year)):
        raise ParameterError(
            f"{name} has no price year; say which year's euros it is in (price_year=YYYY)"
        )
    if isinstance(year, bool) or not float(year).is_integer():  # type: ignore[arg-type]
        raise ParameterError(f"{name}: price_year={year!r} must be a whole calendar year")
    return int(year)  # type: ignore[call-overload]


@dataclass(frozen=True)
class PriceIndexes(Result):
    """Annual price indices by name, and which index converts which kind of money.

    Attributes
    ----------
    annual
        Index name → annual index points by calendar year (int index). Names from
        :data:`PRICE_INDEXES`.
    descriptions
        Index name → what it measures (for captions and the conversion table).
    index_of_kind
        Money kind (:data:`MONEY_KINDS`) → index name; default :data:`DEFAULT_INDEX_OF_KIND`
        (e.g. ``{"rent": "cpi"}`` deflates rents by the CPI instead).
    """

    annual: Mapping[str, pd.Series]
    descriptions: Mapping[str, str]
    index_of_kind: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_INDEX_OF_KIND))

    def __post_init__(self) -> None:
        for name, series in self.annual.items():
            check_choice("price index", name, PRICE_INDEXES)
            values = pd.Series(series, dtype=float)
            if values.empty or not (values > 0).all():
                raise DataError(f"price index {name!r}: needs positive index points, got none")
        kinds = {**DEFAULT_INDEX_OF_KIND, **dict(self.index_of_kind)}
        for kind, index in kinds.items():
            check_choice("money kind", kind, MONEY_KINDS)
            check_choice(f"index_of_kind[{kind!r}]", index, PRICE_INDEXES)
        object.__setattr__(self, "index_of_kind", MappingProxyType(kinds))
        object.__setattr__(self, "annual", MappingProxyType(dict(self.annual)))
        object.__setattr__(self, "descriptions", MappingProxyType(dict(self.descriptions)))

    def index_for(self, kind: str) -> str:
        """Name of the index that converts money of ``kind``."""
        check_choice("kind", kind, MONEY_KINDS)
        index = self.index_of_kind[kind]
        if index not in self.annual:
            raise ParameterError(
                f"kind={kind!r} needs the {index!r} index, which was not built; built: "
                f"{', '.join(self.annual)} (pass construction=... to price_indexes)"
            )
        return index

    def years(self, index: str) -> tuple[int, ...]:
        """Calendar years the index covers."""
        check_choice("index", index, tuple(self.annual))
        return tuple(int(y) for y in self.annual[index].index)

    def level(self, index: str, year: object, *, name: str = "price_year") -> float:
        """Index points of ``year``; a year outside the coverage is a one-line error."""
        year = _check_year(name, year)
        series = self.annual[index]
        if year not in series.index:
            raise ParameterError(
                f"{name}={year} is outside the {index} index's coverage; years with data: "
                f"{format_years(series.index)}"
            )
        return float(series.loc[year])

    def factor(self, price_year: int, base_year: int, kind: str) -> float:
        """Multiplier from euros of ``price_year`` to euros of ``base_year`` (kind's index)."""
        index = self.index_for(kind)
        base = self.level(index, base_year, name="base_year")
        return base / self.level(index, price_year)

    def to_frame(self) -> pd.DataFrame:
        """Long table: ``index``, ``year``, ``index_points``, ``description``."""
        parts = [
            pd.DataFrame(
                {"index": name, "year": series.index.astype(int),
                 "index_points": series.to_numpy(dtype=float),
                 "description": self.descriptions.get(name, "")}
            )
            for name, series in self.annual.items()
        ]
        return pd.concat(parts, ignore_index=True)

    def summary(self) -> str:
        lines = ["Price indexes for base-year euros"]
        for name, series in self.annual.items():
            kinds = [k for k, v in self.index_of_kind.items() if v == name]
            lines.append(
                f"  {name}: {format_years(series.index)}; converts "
                f"{', '.join(kinds) or 'nothing by default'} — {self.descriptions.get(name, '')}"
            )
        return "\n".join(lines)


def _construction_annual(frame: pd.DataFrame, series: str) -> pd.Series:
    check_columns(frame, ["series", "year", "month", "value"], source="construction_price_indices")
    rows = frame[frame["series"] == series]
    if rows.empty:
        raise ParameterError(
            f"construction_series={series!r} has no rows; series in the table: "
            f"{', '.join(sorted(frame['series'].dropna().unique()))}"
        )
    if series == "ABEX":
        points = rows.dropna(subset=["year", "value"])
        annual = pd.Series(
            points["value"].astype(float).to_numpy(), index=points["year"].astype(int).to_numpy()
        )
        if annual.index.duplicated().any():
            raise DataError("construction_price_indices: two ABEX points in one year")
        annual.index.name = "year"
        return annual.sort_index()
    return annual_average_index(rows, source=f"construction index {series}")


def price_indexes(
    health_tables: pd.DataFrame | Sequence[pd.DataFrame],
    *,
    construction: pd.DataFrame | None = None,
    construction_series: str = "index_I_2021",
    index_of_kind: Mapping[str, str] | None = None,
) -> PriceIndexes:
    """Build the annual indexes that convert money inputs to base-year euros.

    Parameters
    ----------
    health_tables
        ``load("health_index_cpi")`` and ``load("health_index_cpi_2006_2015")`` (a list), or one
        table; the health index and the CPI come from
        :func:`permanent_research.rents.health_index_annual` (the one builder).
    construction
        ``load("construction_price_indices")``; without it ``building_cost`` cannot be converted.
    construction_series
        One of :data:`CONSTRUCTION_SERIES`. ``"index_I_2021"`` (default) covers 2021–2024 as
        full years (it starts in November 2020); ``"ABEX"`` has 2014 and 2023 only.
    index_of_kind
        Overrides of :data:`DEFAULT_INDEX_OF_KIND`, e.g. ``{"rent": "cpi"}``.

    Returns
    -------
    PriceIndexes
    """
    tables = [health_tables] if isinstance(health_tables, pd.DataFrame) else list(health_tables)
    annual = {
        "health_index": health_index_annual(*tables),
        "cpi": health_index_annual(*tables, series="cpi"),
    }
    descriptions = dict(_DESCRIPTIONS)
    if construction is not None:
        check_choice("construction_series", construction_series, CONSTRUCTION_SERIES)
        annual["construction"] = _construction_annual(construction, construction_series)
        descriptions["construction"] = _CONSTRUCTION_DESCRIPTIONS[construction_series]
    return PriceIndexes(
        annual=annual,
        descriptions=descriptions,
        index_of_kind={**DEFAULT_INDEX_OF_KIND, **dict(index_of_kind or {})},
    )


def to_base_year(
    value: float | Sequence[float] | np.ndarray,
    price_year: int | None,
    base_year: int,
    kind: MoneyKind,
    *,
    indexes: PriceIndexes,
    name: str = "value",
) -> float | np.ndarray:
    """Convert euros of ``price_year`` into euros of ``base_year``: ``value · I_base / I_price``.

    Parameters
    ----------
    value
        Amount(s) in euros of ``price_year`` (any unit of euros: EUR, EUR/month, EUR/m²).
    price_year
        Year whose euros ``value`` is in; ``None`` is an error (an input without a price year).
    base_year
        The scenario's base year.
    kind
        One of :data:`MONEY_KINDS`; picks the index (:attr:`PriceIndexes.index_of_kind`).
    indexes
        From :func:`price_indexes`.
    name
        Name of the input, used in error messages.

    Returns
    -------
    float or numpy.ndarray
        Euros of ``base_year`` (same shape as ``value``).

    Raises
    ------
    ParameterError
        No price year, a year outside the index's coverage (the covered years are listed), or
        an unknown kind.
    """
    check_choice(f"{name}: kind", kind, MONEY_KINDS)
    year = _check_year(name, price_year)
    try:
        factor = indexes.factor(year, base_year, kind)
    except ParameterError as error:
        raise ParameterError(f"{name}: {error}") from None
    converted = np.asarray(value, dtype=float) * factor
    return float(converted) if converted.ndim == 0 else converted


@dataclass(frozen=True)
class MoneyInput:
    """One money input of an assumption set, with the year of its euros and its kind.

    Attributes
    ----------
    name
        Identifier, e.g. ``"studio_rent_temporary"``.
    value
        Amount in euros of ``price_year``.
    unit
        Unit of ``value``, e.g. ``"EUR/m2/year"``.
    price_year
        Year whose euros ``value`` is in (required).
    kind
        One of :data:`MONEY_KINDS`.
    source
        Where the value comes from (dataset and row, a publication, or ``"assumption"``).
    """

    name: str
    value: float
    unit: str
    price_year: int | None
    kind: str
    source: str = "assumption"

    def __post_init__(self) -> None:
        year = _check_year(f"input {self.name!r}", self.price_year)
        object.__setattr__(self, "price_year", year)
        check_choice(f"input {self.name!r}: kind", self.kind, MONEY_KINDS)
        try:
            number = float(self.value)
        except (TypeError, ValueError):
            raise ParameterError(
                f"input {self.name!r}: value={self.value!r} is not a number"
            ) from None
        if not np.isfinite(number):
            raise ParameterError(f"input {self.name!r}: value={self.value!r} is not finite")
        object.__setattr__(self, "value", number)


def inputs_from_frame(frame: pd.DataFrame) -> tuple[MoneyInput, ...]:
    """Money inputs from a table with ``name``, ``value``, ``unit``, ``price_year``, ``kind``
    and optionally ``source`` (one row per input; a missing price year is an error)."""
    check_columns(frame, ["name", "value", "unit", "price_year", "kind"], source="money inputs")
    if frame["name"].duplicated().any():
        dup = sorted(set(frame.loc[frame["name"].duplicated(), "name"]))
        raise DataError(f"money inputs: name(s) {', '.join(map(str, dup))} appear twice")
    sources = frame["source"] if "source" in frame else pd.Series("assumption", index=frame.index)
    return tuple(
        MoneyInput(
            name=str(row.name_),
            value=row.value,
            unit=str(row.unit),
            price_year=None if pd.isna(row.price_year) else row.price_year,
            kind=str(row.kind),
            source="assumption" if pd.isna(src) else str(src),
        )
        for row, src in zip(
            frame.rename(columns={"name": "name_"}).itertuples(index=False), sources, strict=True
        )
    )


@dataclass(frozen=True)
class ConversionTable(Result):
    """Money inputs converted to euros of one base year (the report's conversion table).

    Attributes
    ----------
    inputs
        The :class:`MoneyInput` objects (names unique).
    base_year
        Year whose euros every converted value is in.
    indexes
        The :class:`PriceIndexes` used.
    """

    inputs: tuple[MoneyInput, ...]
    base_year: int
    indexes: PriceIndexes

    def __post_init__(self) -> None:
        inputs = tuple(self.inputs)
        names = [i.name for i in inputs]
        if len(set(names)) != len(names):
            dup = sorted({n for n in names if names.count(n) > 1})
            raise ParameterError(f"inputs: name(s) {', '.join(dup)} appear twice")
        object.__setattr__(self, "inputs", inputs)
        base = _check_year("base_year", self.base_year)
        object.__setattr__(self, "base_year", base)
        # one pass validates every input's year and the base year against its index
        for item in inputs:
            to_base_year(
                1.0, item.price_year, base, item.kind, indexes=self.indexes, name=item.name
            )

    def value(self, name: str) -> float:
        """Base-year value of input ``name``."""
        for item in self.inputs:
            if item.name == name:
                return float(
                    to_base_year(item.value, item.price_year, self.base_year, item.kind,
                                 indexes=self.indexes, name=item.name)
                )
        raise ParameterError(
            f"no input named {name!r}; inputs: {', '.join(i.name for i in self.inputs)}"
        )

    def values(self) -> dict[str, float]:
        """Input name → value in euros of the base year."""
        return {item.name: self.value(item.name) for item in self.inputs}

    def to_frame(self) -> pd.DataFrame:
        """One row per input: ``input``, ``kind``, ``unit``, ``source``, ``source_year``,
        ``index``, ``factor`` (I_base / I_source_year), ``value`` (as given) and
        ``value_base_year`` (euros of :attr:`base_year`)."""
        rows = []
        for item in self.inputs:
            factor = self.indexes.factor(item.price_year, self.base_year, item.kind)
            rows.append(
                {
                    "input": item.name,
                    "kind": item.kind,
                    "unit": item.unit,
                    "source": item.source,
                    "source_year": item.price_year,
                    "index": self.indexes.index_for(item.kind),
                    "factor": factor,
                    "value": item.value,
                    "value_base_year": item.value * factor,
                    "base_year": self.base_year,
                }
            )
        return pd.DataFrame(rows)

    def summary(self) -> str:
        frame = self.to_frame()
        lines = [f"{len(frame)} money inputs in euros of {self.base_year}"]
        for row in frame.itertuples(index=False):
            lines.append(
                f"  {row.input}: {row.value:,.2f} ({row.source_year}) × {row.factor:.4f} "
                f"= {row.value_base_year:,.2f} {row.unit} [{row.index}]"
            )
        return "\n".join(lines)


def convert_inputs(
    inputs: Iterable[MoneyInput] | pd.DataFrame, *, base_year: int, indexes: PriceIndexes
) -> ConversionTable:
    """Convert money inputs to euros of ``base_year``.

    Parameters
    ----------
    inputs
        :class:`MoneyInput` objects, or a table for :func:`inputs_from_frame`.
    base_year
        The scenario's base year (covered by every index used).
    indexes
        From :func:`price_indexes`.

    Returns
    -------
    ConversionTable
        ``to_frame()`` is the report's conversion table (input, source, source year, factor,
        base-year value).
    """
    if isinstance(inputs, pd.DataFrame):
        inputs = inputs_from_frame(inputs)
    return ConversionTable(inputs=tuple(inputs), base_year=base_year, indexes=indexes)


# --------------------------------------------------------------------------------------------
# The scenario file's money section (hook for the scenario loader; see docs/money.md)
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PriceTag:
    """Price year, kind and source of one money assumption of a scenario."""

    price_year: int
    kind: str
    source: str = "assumption"


@dataclass(frozen=True)
class MoneySettings:
    """A scenario's base year, real social discount rate and the price year of each money input.

    Attributes
    ----------
    base_year
        Year whose euros every result is in.
    discount_rate
        Real social discount rate (fraction in (−1, 0.2]).
    discount_rate_source
        Where the rate comes from.
    price_years
        Assumption key → :class:`PriceTag`.
    """

    base_year: int
    discount_rate: float
    discount_rate_source: str
    price_years: Mapping[str, PriceTag]

    def factors(self, indexes: PriceIndexes) -> dict[str, float]:
        """Assumption key → multiplier to euros of :attr:`base_year` (scale the distribution's
        money parameters by it); a year outside an index's coverage is a one-line error."""
        out = {}
        for key, tag in self.price_years.items():
            try:
                out[key] = indexes.factor(tag.price_year, self.base_year, tag.kind)
            except ParameterError as error:
                raise ScenarioError(f"money.price_years.{key}: {error}") from None
        return out

    def conversion_table(
        self, values: Mapping[str, float], units: Mapping[str, str], indexes: PriceIndexes
    ) -> ConversionTable:
        """The report's conversion table for the central ``values`` of the money assumptions."""
        inputs = [
            MoneyInput(key, values[key], units.get(key, "EUR"), tag.price_year, tag.kind,
                       tag.source)
            for key, tag in self.price_years.items()
        ]
        return convert_inputs(inputs, base_year=self.base_year, indexes=indexes)


def _section_fail(source: str, key: str, message: str) -> ScenarioError:
    return ScenarioError(f"{source}: money.{key}: {message}")


def validate_money_section(
    section: Mapping[str, object],
    *,
    money_keys: Iterable[str],
    source: str = "scenario",
) -> MoneySettings:
    """Validate a scenario's ``money:`` section.

    Expected form (YAML)::

        money:
          base_year: 2024
          discount_rate: {value: 0.03, source: "EC Guide to CBA 2014 (3 % real)"}
          price_years:
            market_rent_home_eur_m2_month: {year: 2018, kind: rent, source: rent_observatory}
            construction_cost_eur_m2: {year: 2021, kind: building_cost, source: construction_costs}
            ...

    Parameters
    ----------
    section
        The parsed ``money:`` mapping.
    money_keys
        Assumption keys holding euros: each needs a price year. From the scenario package:
        ``[k for k, s in ASSUMPTION_SPECS.items() if "EUR" in s.unit]``.
    source
        File name for messages.

    Raises
    ------
    ScenarioError
        One line naming the key: missing ``base_year``/``discount_rate``, a rate outside
        (−1, 0.2], an unknown kind, a money input without a price year, a price year for a key
        that holds no euros, an unknown sub-key.
    """
    if not isinstance(section, Mapping):
        raise ScenarioError(f"{source}: money: expected a mapping, found {type(section).__name__}")
    allowed = ("base_year", "discount_rate", "price_years")
    for key in section:
        if key not in allowed:
            raise _section_fail(source, str(key), f"unknown key; allowed: {', '.join(allowed)}")
    for key in allowed:
        if key not in section:
            raise _section_fail(source, key, "missing")
    try:
        base_year = _check_year("base_year", section["base_year"])
    except ParameterError as error:
        raise _section_fail(source, "base_year", str(error)) from None
    rate_entry = section["discount_rate"]
    if not isinstance(rate_entry, Mapping) or not {"value", "source"} <= set(rate_entry):
        raise _section_fail(source, "discount_rate", "give {value: <rate>, source: <where from>}")
    try:
        rate = float(check_rate(rate_entry["value"]))  # type: ignore[arg-type]
    except (ParameterError, TypeError, ValueError) as error:
        raise _section_fail(source, "discount_rate", str(error)) from None
    tags_in = section["price_years"] or {}
    if not isinstance(tags_in, Mapping):
        raise _section_fail(source, "price_years", "expected a mapping key -> {year, kind}")
    keys = list(money_keys)
    tags = {}
    for key, entry in tags_in.items():
        where = f"price_years.{key}"
        if key not in keys:
            raise _section_fail(
                source, where, f"not a money assumption; money keys: {', '.join(keys)}"
            )
        if not isinstance(entry, Mapping) or "year" not in entry or "kind" not in entry:
            raise _section_fail(source, where, "give {year: YYYY, kind: <kind>, source: ...}")
        if entry["kind"] not in MONEY_KINDS:
            raise _section_fail(
                source, where, f"kind={entry['kind']!r}; allowed: {', '.join(MONEY_KINDS)}"
            )
        try:
            year = _check_year(key, entry["year"])
        except ParameterError as error:
            raise _section_fail(source, where, str(error)) from None
        tags[key] = PriceTag(year, str(entry["kind"]), str(entry.get("source", "assumption")))
    missing = [key for key in keys if key not in tags]
    if missing:
        raise _section_fail(
            source, "price_years", f"money input(s) without a price year: {', '.join(missing)}"
        )
    return MoneySettings(
        base_year=base_year,
        discount_rate=rate,
        discount_rate_source=str(rate_entry["source"]),
        price_years=MappingProxyType(tags),
    )
