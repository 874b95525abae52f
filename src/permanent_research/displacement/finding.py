"""A computed, plain-language finding: where displacement pressure concentrates."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from permanent_research.displacement.results import TypologyResult
from permanent_research.errors import DataError

__all__ = ["PRESSURE_CODES", "eviction_finding", "pressure_finding"]

#: UDP classes read as displacement pressure on low- and moderate-income residents: ongoing
#: displacement, at risk of / early-ongoing / advanced gentrification, becoming exclusive.
PRESSURE_CODES: tuple[int, ...] = (2, 3, 4, 5, 8)


def pressure_finding(
    typology: TypologyResult,
    areas: pd.DataFrame,
    *,
    codes: Sequence[int] = PRESSURE_CODES,
    top: int = 3,
) -> tuple[str, pd.DataFrame]:
    """Where the pressure classes fall, in words and as a table by commune.

    Parameters
    ----------
    typology
        UDP classes per area.
    areas
        ``area``, ``name`` and ``commune`` of every area (e.g. the quartier boundaries' codes,
        French names and communes).
    codes
        Class codes counted as pressure (default :data:`PRESSURE_CODES`).
    top
        Communes named in the sentence.

    Returns
    -------
    (str, pandas.DataFrame)
        The sentence, and one row per commune with pressure: ``commune``, ``quartiers``
        (count), ``names`` (the quartiers, comma-separated), ``classified`` (quartiers of the
        commune with a class), sorted by count.
    """
    for column in ("area", "name", "commune"):
        if column not in areas.columns:
            raise DataError(f"areas: missing column {column!r}; found {', '.join(areas.columns)}")
    lookup = areas.assign(area=areas["area"].astype(str)).set_index("area")
    classes = typology.classes.copy()
    classes.index = classes.index.astype(str)
    unknown = classes.index.difference(lookup.index)
    if len(unknown):
        raise DataError(f"areas: no name/commune for area(s) {', '.join(unknown[:5])}")
    classes = classes.join(lookup[["name", "commune"]])
    classified = classes[classes["code"].notna()]
    pressure = classified[classified["code"].isin(list(codes))]
    table = (
        pressure.groupby("commune")
        .agg(quartiers=("name", "size"), names=("name", lambda s: ", ".join(sorted(s))))
        .join(classified.groupby("commune").size().rename("classified"))
        .sort_values(["quartiers", "classified"], ascending=[False, True])
        .reset_index()
    )
    if pressure.empty:
        sentence = (f"None of the {len(classified)} classified quartiers falls in a pressure "
                    "class.")
        return sentence, table
    named = [f"{r.commune} ({r.quartiers}: {r.names})" for r in table.head(top).itertuples()]
    share = len(pressure) / len(classified)
    shown = min(top, len(table))
    where = "this commune" if shown == 1 else f"these {shown} communes"
    sentence = (
        f"Pressure concentrates in {'; '.join(named)}: {len(pressure)} of {len(classified)} "
        f"classified quartiers ({share:.0%}) are in a pressure class, "
        f"{int(table['quartiers'].head(top).sum())} of them in "
        f"{where}."
    )
    return sentence, table


def eviction_finding(
    typology: TypologyResult,
    rates: pd.DataFrame,
    areas: pd.DataFrame,
    *,
    codes: Sequence[int] = PRESSURE_CODES,
    top: int = 3,
) -> tuple[str, pd.DataFrame]:
    """Where eviction judgments concentrate relative to the typology classes, in words and a table.

    Rates are pooled (judgments over rented dwellings of the group, per 1,000), over quartiers
    whose rate is published (not suppressed).

    Parameters
    ----------
    typology
        UDP classes per area.
    rates
        :func:`~permanent_research.displacement.outcomes.eviction_rates` output.
    areas
        ``area``, ``name``, ``commune`` of every area.
    codes
        Class codes counted as pressure (default :data:`PRESSURE_CODES`).
    top
        Quartiers with the highest rates named in the sentence.

    Returns
    -------
    (str, pandas.DataFrame)
        The sentence, and one row per class (``"undecidable"`` and ``"no data"`` included):
        ``category``, ``quartiers``, ``evictions_2018``, ``rented_dwellings_2015``,
        ``evictions_per_1000_rented`` (pooled), ``pressure`` (the class counts as pressure).
    """
    for column in ("area", "name", "commune"):
        if column not in areas.columns:
            raise DataError(f"areas: missing column {column!r}; found {', '.join(areas.columns)}")
    needed = ["evictions_2018", "rented_dwellings_2015", "evictions_per_1000_rented",
              "suppressed"]
    missing = [c for c in needed if c not in rates.columns]
    if missing:
        raise DataError(f"rates: missing column(s) {', '.join(missing)}; use eviction_rates()")
    lookup = areas.assign(area=areas["area"].astype(str)).set_index("area")[["name", "commune"]]
    classes = typology.classes.copy()
    classes.index = classes.index.astype(str)
    r = rates.copy()
    r.index = r.index.astype(str)
    r = r[~r["suppressed"].astype(bool)]
    category = classes["category"].astype("string").fillna("undecidable")
    code = classes["code"]
    table = r.join(category.rename("category")).join(code.rename("code"))
    table["category"] = table["category"].fillna("no data")
    table["pressure"] = table["code"].isin(list(codes)).fillna(False).astype(bool)
    by_class = (
        table.groupby("category")
        .agg(quartiers=("evictions_2018", "size"), evictions_2018=("evictions_2018", "sum"),
             rented_dwellings_2015=("rented_dwellings_2015", "sum"),
             pressure=("pressure", "any"))
    )
    by_class["evictions_per_1000_rented"] = (1000.0 * by_class["evictions_2018"]
                                             / by_class["rented_dwellings_2015"])
    by_class = by_class.sort_values("evictions_per_1000_rented", ascending=False).reset_index()

    def pooled(mask: pd.Series) -> float:
        rows = table[mask]
        return 1000.0 * rows["evictions_2018"].sum() / rows["rented_dwellings_2015"].sum()

    classified = table["code"].notna()
    press, other = table["pressure"], classified & ~table["pressure"]
    region = pooled(pd.Series(True, index=table.index))
    ranked = table.join(lookup).sort_values("evictions_per_1000_rented", ascending=False)
    named = [
        f"{row.name} ({row.commune}; class {row.category}; "
        f"{row.evictions_per_1000_rented:.1f})"
        for row in ranked.head(top).itertuples()
    ]
    if press.any() and other.any():
        a, b = pooled(press), pooled(other)
        word = "higher than" if a > b else "lower than" if a < b else "the same as"
        compare = (
            f"{a:.1f} per 1,000 rented dwellings in the {int(press.sum())} quartiers in pressure "
            f"classes, {word} the {b:.1f} in the {int(other.sum())} other classified quartiers"
        )
    else:
        compare = f"no {'pressure' if not press.any() else 'other'} class has a published rate"
    top_class = by_class[by_class["category"].isin(category[code.notna()].unique())]
    best = (f"; the class with the highest rate is {top_class['category'].iloc[0]} "
            f"({top_class['evictions_per_1000_rented'].iloc[0]:.1f})" if len(top_class) else "")
    minimum = rates.attrs.get("min_rented_dwellings", "the minimum")
    sentence = (
        f"Eviction judgments in 2018 run at {compare} (region: {region:.1f} over "
        f"{len(table)} quartiers with at least {minimum} rented dwellings){best}. "
        f"Highest quartier rates: {'; '.join(named)}."
    )
    return sentence, by_class
