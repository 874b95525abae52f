"""A computed, plain-language finding: where displacement pressure concentrates."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from permanent_research.displacement.results import TypologyResult
from permanent_research.errors import DataError

__all__ = ["PRESSURE_CODES", "pressure_finding"]

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
