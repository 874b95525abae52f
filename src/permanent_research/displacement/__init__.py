"""Displacement and gentrification: indicators, flags and typology rules (issue 4, item 1).

Pure functions on tidy frames; the notebooks load data and pass frames in.

* :mod:`~permanent_research.displacement.panel` — the area-period table (schema, builder from a
  long indicator table, open handling of flagged source rows);
* :mod:`~permanent_research.displacement.indicators` — income, low-income share, rent and price
  change, spatial lag (distance band, 1/d², row-standardised) and rent gap;
* :mod:`~permanent_research.displacement.parameters` — UDP and Ding–Hwang–Divringi (2016)
  parameter sets (Brussels adaptation as parameters) and category catalogues;
* :mod:`~permanent_research.displacement.flags` — indicators → typology flags;
* :mod:`~permanent_research.displacement.rules` — flags → classes;
* :mod:`~permanent_research.displacement.typology` — flags then rules, and threshold sensitivity.
* :mod:`~permanent_research.displacement.bootstrap` — share of draws of thin price samples in
  which each area keeps its class;
* :mod:`~permanent_research.displacement.outcomes` — outcomes beyond prices (CPAS share,
  low-income status share, population) per quartier-year for the DiD and as changes, and
  eviction judgments per 1,000 rented dwellings per quartier;
* :mod:`~permanent_research.displacement.sectors` — statistical sectors → quartiers (evictions,
  cadastre, rent-survey records with small cells suppressed);
* :mod:`~permanent_research.displacement.robustness` — the typology under other spatial bands
  and other treatments of flagged source rows.

See ``docs/displacement.md`` for the schema and every Brussels adaptation.
"""

from permanent_research.displacement.bootstrap import class_stability
from permanent_research.displacement.finding import (
    PRESSURE_CODES,
    eviction_finding,
    pressure_finding,
)
from permanent_research.displacement.indicators import (
    DisplacementIndicators,
    DistanceBandWeights,
    distance_band_weights,
    indicators,
    spatial_lag,
)
from permanent_research.displacement.outcomes import (
    MIN_RENTED_DWELLINGS,
    OUTCOMES,
    eviction_rates,
    outcome_changes,
    outcome_panel,
)
from permanent_research.displacement.panel import (
    AREA_PERIOD_COLUMNS,
    InputSpec,
    annual_index,
    build_area_period,
    handle_flagged_rows,
    validate_area_period,
)
from permanent_research.displacement.robustness import (
    band_sensitivity,
    compare_classes,
    flag_treatment_sensitivity,
)
from permanent_research.displacement.sectors import (
    MIN_SURVEY_RECORDS,
    sector_map,
    sectors_to_quartiers,
    survey_rents_by_quartier,
)
from permanent_research.displacement.typology import (
    DHD_CATEGORIES,
    UDP_CATEGORIES,
    UDP_CONDITIONS,
    UDP_FLAG_COLUMNS,
    DHDParameters,
    FlagTable,
    TypologyResult,
    UDPParameters,
    dhd_flags,
    dhd_rules,
    dhd_typology,
    sensitivity,
    udp_flags,
    udp_rules,
    udp_typology,
)

__all__ = [
    "AREA_PERIOD_COLUMNS",
    "InputSpec",
    "annual_index",
    "build_area_period",
    "handle_flagged_rows",
    "validate_area_period",
    "band_sensitivity",
    "flag_treatment_sensitivity",
    "compare_classes",
    "class_stability",
    "OUTCOMES",
    "PRESSURE_CODES",
    "pressure_finding",
    "eviction_finding",
    "eviction_rates",
    "MIN_RENTED_DWELLINGS",
    "outcome_panel",
    "outcome_changes",
    "DisplacementIndicators",
    "DistanceBandWeights",
    "distance_band_weights",
    "indicators",
    "spatial_lag",
    "DHD_CATEGORIES",
    "UDP_CATEGORIES",
    "UDP_CONDITIONS",
    "UDP_FLAG_COLUMNS",
    "DHDParameters",
    "FlagTable",
    "TypologyResult",
    "UDPParameters",
    "dhd_flags",
    "dhd_rules",
    "dhd_typology",
    "sensitivity",
    "udp_flags",
    "udp_rules",
    "udp_typology",
    "MIN_SURVEY_RECORDS",
    "sector_map",
    "sectors_to_quartiers",
    "survey_rents_by_quartier",
]
