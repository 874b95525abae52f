"""Displacement / gentrification typologies: flags first, category rules second.

* :func:`udp_flags` turns change indicators
  (:class:`~permanent_research.displacement.indicators.DisplacementIndicators`) into the
  input flags of the Urban Displacement Project typology (UDP release 1.1,
  re-implemented from its description in ``docs/METHODS.md`` §1.1; the GPL code is not ported);
  :func:`udp_rules` applies the nine category rules to *any* table of such flags (UDP's published
  output columns included) and :func:`udp_typology` chains the two.
* :func:`dhd_flags` / :func:`dhd_rules` / :func:`dhd_typology`: Ding, Hwang & Divringi (2016),
  the simpler robustness typology.

Flags are pandas ``boolean``/``Int64`` columns with three-valued (Kleene) logic: a missing
input gives a missing flag, a missing flag a missing rule, and a missing rule a missing class —
never a silent "stable". Brussels adaptations are parameters (:meth:`UDPParameters.brussels`)
and are reported in every result (``docs/displacement.md``).

Layout: :mod:`~permanent_research.displacement.parameters` (parameter sets, catalogues),
:mod:`~permanent_research.displacement.flags` (indicators → flags),
:mod:`~permanent_research.displacement.rules` (flags → classes),
:mod:`~permanent_research.displacement.results` (:class:`FlagTable`, :class:`TypologyResult`);
this module chains them and re-exports their public names.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from permanent_research.displacement.flags import dhd_flags, udp_flags
from permanent_research.displacement.indicators import DisplacementIndicators
from permanent_research.displacement.parameters import (
    DHD_CATEGORIES,
    UDP_CATEGORIES,
    UDP_CONDITIONS,
    UDP_FLAG_COLUMNS,
    DHDParameters,
    UDPParameters,
)
from permanent_research.displacement.results import FlagTable, TypologyResult
from permanent_research.displacement.rules import dhd_rules, udp_rules
from permanent_research.errors import ParameterError

__all__ = [
    "UDP_CATEGORIES",
    "DHD_CATEGORIES",
    "UDP_FLAG_COLUMNS",
    "UDP_CONDITIONS",
    "UDPParameters",
    "DHDParameters",
    "FlagTable",
    "TypologyResult",
    "udp_flags",
    "udp_rules",
    "udp_typology",
    "dhd_flags",
    "dhd_rules",
    "dhd_typology",
    "sensitivity",
]


def udp_typology(
    indicators: DisplacementIndicators,
    parameters: UDPParameters | None = None,
    *,
    gentrified_earlier: pd.Series | None = None,
) -> TypologyResult:
    """UDP flags then rules (see :func:`udp_flags` and :func:`udp_rules`)."""
    p = parameters or UDPParameters.udp()
    return udp_rules(udp_flags(indicators, p, gentrified_earlier=gentrified_earlier), p)


def dhd_typology(
    indicators: DisplacementIndicators, parameters: DHDParameters | None = None
) -> TypologyResult:
    """Ding–Hwang–Divringi flags then rules."""
    p = parameters or DHDParameters()
    return dhd_rules(dhd_flags(indicators, p), p)


def sensitivity(
    indicators: DisplacementIndicators,
    parameters: UDPParameters | DHDParameters,
    parameter: str,
    values: Sequence[Any],
) -> pd.DataFrame:
    """Class counts as one threshold moves, and how many areas change class.

    Parameters
    ----------
    indicators
        Change indicators.
    parameters
        Baseline parameters (:class:`UDPParameters` or :class:`DHDParameters`).
    parameter
        Name of the field to vary.
    values
        Values to try.

    Returns
    -------
    pandas.DataFrame
        One row per value and category: ``value``, ``category``, ``areas`` and
        ``changed_vs_baseline`` (areas whose class differs from the baseline's, missing
        counted as a class).
    """
    if not values:
        raise ParameterError(f"values for {parameter!r} is empty; give at least one value")
    if parameter in ("band", "band_factor"):
        # the spatial weights are built by indicators(); re-running the rules on the same
        # indicators would report "no change" for any band, a silently wrong answer
        raise ParameterError(
            f"sensitivity: {parameter!r} is used by indicators(), not by the rules; recompute "
            "indicators(panel, coordinates=..., band=...) per value and compare the typologies"
        )
    run = udp_typology if isinstance(parameters, UDPParameters) else dhd_typology
    baseline = run(indicators, parameters).classes["code"].astype("Float64").fillna(-1)
    rows = []
    for value in values:
        result = run(indicators, parameters.replace(**{parameter: value}))
        codes = result.classes["code"].astype("Float64").fillna(-1)
        changed = int((codes != baseline).sum())
        for _, row in result.counts().iterrows():
            rows.append(
                {
                    "parameter": parameter,
                    "value": value,
                    "category": row["category"],
                    "areas": row["areas"],
                    "changed_vs_baseline": changed,
                }
            )
    return pd.DataFrame(rows)
