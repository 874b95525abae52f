"""The Permanent brochure's claims, each stated once: value, unit, period and where it is stated.

Notebooks 01 (context) and 03 (affordability) and the queue model set the data against these
claims; they import them from here instead of typing the numbers again, so a corrected claim
changes every report at once. The brochure is not bundled in ``data/raw``: the claims are taken
as issue 3 (and, for the queue, METHODS §6) quote them; the brochure's page is not recorded
(marked ``[U]``, unverified).

>>> claim("waiting_list_households").value
43000.0
>>> claim("rent_change_pct").period
(2008, 2018)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import pandas as pd

from permanent_research.errors import ParameterError

__all__ = ["CLAIMS", "Claim", "claim", "claims_table"]

_QUOTED = "Permanent brochure, housing context, as quoted in {quoted}"
_PAGE = "; page not recorded [U]"


@dataclass(frozen=True)
class Claim:
    """One number the brochure states.

    Attributes
    ----------
    name
        Identifier used by notebooks and library (``waiting_list_households``).
    value
        The number as the brochure states it, in ``unit``.
    unit
        ``households``, ``dwellings``, ``dwellings/year``, ``%`` or ``share of income``.
    statement
        The claim in words, as the brochure makes it (hedges such as "about" kept).
    where
        Where the brochure states it (and through which document it is quoted here).
    period
        ``(first_year, last_year)`` the claim covers, or ``None`` when the brochure gives no date.
    """

    name: str
    value: float
    unit: str
    statement: str
    where: str
    period: tuple[int, int] | None = None


def _claims(*items: Claim) -> Mapping[str, Claim]:
    return MappingProxyType({item.name: item for item in items})


#: Every brochure claim the package uses, by name.
CLAIMS: Mapping[str, Claim] = _claims(
    Claim("waiting_list_households", 43000.0, "households",
          "43,000 households wait for a social home",
          _QUOTED.format(quoted="issue 3 and METHODS §6") + " (date not stated)" + _PAGE),
    Claim("social_stock_dwellings", 40000.0, "dwellings",
          "about 40,000 social homes, all occupied",
          _QUOTED.format(quoted="issue 3 and METHODS §6") + " (date not stated)" + _PAGE),
    Claim("new_social_homes_per_year", 110.0, "dwellings/year",
          "about 110 new social homes a year",
          _QUOTED.format(quoted="issue 3") + " (date not stated)" + _PAGE),
    Claim("rent_change_pct", 29.0, "%",
          "rents rose 29% from 2008 to 2018 (which rent, and whether nominal, not stated)",
          _QUOTED.format(quoted="issue 3") + _PAGE, period=(2008, 2018)),
    Claim("low_income_housing_effort", 0.60, "share of income",
          "low-income households spend about 60% of their income on housing",
          _QUOTED.format(quoted="issue 3") + " (income concept not stated)" + _PAGE),
)


def claim(name: str) -> Claim:
    """The brochure claim called ``name`` (one of :data:`CLAIMS`)."""
    try:
        return CLAIMS[name]
    except (KeyError, TypeError):
        raise ParameterError(
            f"brochure claim {name!r} does not exist; allowed: {', '.join(CLAIMS)}"
        ) from None


def claims_table() -> pd.DataFrame:
    """Every claim as a table: name, statement, value, unit, period (text) and where stated."""
    return pd.DataFrame([
        {"name": c.name, "statement": c.statement, "value": c.value, "unit": c.unit,
         "period": "not stated" if c.period is None else f"{c.period[0]}–{c.period[1]}",
         "where": c.where}
        for c in CLAIMS.values()
    ])
