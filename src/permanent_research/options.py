"""Every closed option set of the package, declared once (pyfixest's ``literals.py`` pattern).

Each set is a :data:`typing.Literal` (for type hints) plus the tuple of its values (for checks and
messages), built from the Literal so the two cannot drift. The library, the notebooks' parameter
specs (:mod:`permanent_research.reporting.parameters`) and the report runner import them from
here; nothing else spells the values out.

This module imports nothing heavy: the command line reads it before any kernel starts.
"""

from __future__ import annotations

from typing import Literal, get_args

__all__ = [
    "HEADLINE_STATUSES",
    "HeadlineStatus",
    "AGGREGATIONS",
    "Aggregation",
    "BASE_PERIODS",
    "BasePeriod",
    "BAND_RULES",
    "BandRule",
    "CLTB_INCREASE_BASES",
    "CltbIncreaseBase",
    "CLT_PRICINGS",
    "CltPricing",
    "CONTROL_GROUPS",
    "ControlGroup",
    "DEFLATORS",
    "DeflatorName",
    "DEMOGRAPHIC_CRITERIA",
    "Demographic",
    "DID_METHODS",
    "DidMethod",
    "DUPLICATE_POLICIES",
    "DuplicatePolicy",
    "ESTIMATORS",
    "Estimator",
    "GENTRIFIED_VARIANTS",
    "GentrifiedVariant",
    "HOUSING_MODELS",
    "HousingModel",
    "HOUSING_REFERENCES",
    "HousingReference",
    "MARKETS",
    "Markets",
    "LIST_LENGTH_CHOICES",
    "ListLength",
    "PERMIT_MEASURES",
    "PermitMeasure",
    "PRETEST_TARGETS",
    "PretestTarget",
    "PROPERTY_TYPES",
    "RESTRICTIONS",
    "Restriction",
    "RI_STATISTICS",
    "RIStatistic",
    "START_CHOICES",
    "StartChoice",
    "PropertyType",
    "REGIONAL_CHANGES",
    "RegionalChange",
    "RESALE_FORMULAS",
    "ResaleFormula",
    "SPAN_RULES",
    "SpanRule",
    "SUBSIDY_REGIMES",
    "SubsidyRegime",
    "TIE_POLICIES",
    "TiePolicy",
    "TYPOLOGY_PARAMETER_SETS",
    "TypologyParameterSet",
]

# ----------------------------------------------------------------------------- rents and prices

#: Statbel property types of the real-estate sales table (``real_estate_sales``).
PropertyType = Literal["appartementen", "alle_huizen", "huizen_23", "huizen_4plus"]
PROPERTY_TYPES: tuple[PropertyType, ...] = get_args(PropertyType)

#: Deflators that turn nominal euros into euros of a base year.
DeflatorName = Literal["health_index", "cpi_chain"]
DEFLATORS: tuple[DeflatorName, ...] = get_args(DeflatorName)

#: Statbel building-permit measures (``building_permits``), summed over the 19 communes.
PermitMeasure = Literal[
    "new_dwellings",
    "new_apartments",
    "new_single_family_houses",
    "new_residential_buildings",
    "residential_buildings_renovation",
]
PERMIT_MEASURES: tuple[PermitMeasure, ...] = get_args(PermitMeasure)

#: How a period's length is counted: end − start, or both ends included.
SpanRule = Literal["difference", "inclusive"]
SPAN_RULES: tuple[SpanRule, ...] = get_args(SpanRule)

# ----------------------------------------------------------------------------- social housing

#: The housing models of the "for whom" table (:mod:`permanent_research.eligibility`).
HousingModel = Literal["clt_purchase", "social_rent", "temporary_use", "market_rent"]
HOUSING_MODELS: tuple[HousingModel, ...] = get_args(HousingModel)

#: Which waiting-list length the queue model starts from.
ListLength = Literal["latest", "brochure"]
LIST_LENGTH_CHOICES: tuple[ListLength, ...] = get_args(ListLength)

# ----------------------------------------------------------------------------- displacement

#: What to do with ambiguous duplicate rows of the monitoring-quartier table.
DuplicatePolicy = Literal["exclude", "mean"]
DUPLICATE_POLICIES: tuple[DuplicatePolicy, ...] = get_args(DuplicatePolicy)

#: What to do with suspect tied incomes.
TiePolicy = Literal["keep", "exclude"]
TIE_POLICIES: tuple[TiePolicy, ...] = get_args(TiePolicy)

#: UDP's rule for the "gentrified" flags.
GentrifiedVariant = Literal["standard", "urban"]
GENTRIFIED_VARIANTS: tuple[GentrifiedVariant, ...] = get_args(GentrifiedVariant)

#: Demographic criterion of the gentrification flag.
Demographic = Literal["college", "low_income_share", "none"]
DEMOGRAPHIC_CRITERIA: tuple[Demographic, ...] = get_args(Demographic)

#: How the regional change is computed.
RegionalChange = Literal["change_of_medians", "median_of_changes"]
REGIONAL_CHANGES: tuple[RegionalChange, ...] = get_args(RegionalChange)

#: Reference of the housing-market flags.
HousingReference = Literal["affordable_cost", "regional_median"]
HOUSING_REFERENCES: tuple[HousingReference, ...] = get_args(HousingReference)

#: Housing markets the UDP market flags read: both where present (UDP: rent preferred for the
#: housing mix and the lag, change codes OR-ed), tenants' rents only, or sale prices only.
Markets = Literal["rent_and_value", "rent", "value"]
MARKETS: tuple[Markets, ...] = get_args(Markets)

#: Named rules for the spatial-lag distance band (a number in metres is also accepted).
BandRule = Literal["udp", "max_nn"]
BAND_RULES: tuple[BandRule, ...] = get_args(BandRule)

#: Named typology parameter sets (``UDPParameters.udp()`` / ``.brussels()``).
TypologyParameterSet = Literal["udp", "brussels"]
TYPOLOGY_PARAMETER_SETS: tuple[TypologyParameterSet, ...] = get_args(TypologyParameterSet)

# ----------------------------------------------------------------------------- causal

#: Comparison units of the staggered difference-in-differences.
ControlGroup = Literal["never_treated", "not_yet_treated"]
CONTROL_GROUPS: tuple[ControlGroup, ...] = get_args(ControlGroup)

#: Callaway–Sant'Anna estimation method.
DidMethod = Literal["dr", "reg", "ipw"]
DID_METHODS: tuple[DidMethod, ...] = get_args(DidMethod)

#: Base period of the pre-treatment ATT(g,t).
BasePeriod = Literal["varying", "universal"]
BASE_PERIODS: tuple[BasePeriod, ...] = get_args(BasePeriod)

#: Aggregations of ATT(g,t).
Aggregation = Literal["simple", "group", "dynamic", "calendar"]
AGGREGATIONS: tuple[Aggregation, ...] = get_args(Aggregation)

#: What the pre-trend Wald test restricts: every pre-treatment ATT(g,t) (as R ``did``) or the
#: pre-treatment event-study coefficients.
PretestTarget = Literal["cells", "event_time"]
PRETEST_TARGETS: tuple[PretestTarget, ...] = get_args(PretestTarget)

#: Statistic permuted by randomization inference.
RIStatistic = Literal["simple", "dynamic", "pre"]
RI_STATISTICS: tuple[RIStatistic, ...] = get_args(RIStatistic)

#: Rambachan–Roth restriction on violations of parallel trends.
Restriction = Literal["relative_magnitudes", "smoothness"]
RESTRICTIONS: tuple[Restriction, ...] = get_args(Restriction)

#: Which start of a site with contested dates is used.
StartChoice = Literal["best", "earliest", "latest"]
START_CHOICES: tuple[StartChoice, ...] = get_args(StartChoice)

#: Estimators compared side by side.
Estimator = Literal["twfe", "sun_abraham", "imputation", "callaway_santanna"]
ESTIMATORS: tuple[Estimator, ...] = get_args(Estimator)

# ----------------------------------------------------------------------------- CLT

#: Resale formulas of :func:`permanent_research.clt.resale_price`.
ResaleFormula = Literal["appraisal", "indexed", "fixed_rate", "cltb"]
RESALE_FORMULAS: tuple[ResaleFormula, ...] = get_args(ResaleFormula)

#: What the CLTB seller's 25 % share of the increase is measured from.
CltbIncreaseBase = Literal["price_paid", "appraised_value"]
CLTB_INCREASE_BASES: tuple[CltbIncreaseBase, ...] = get_args(CltbIncreaseBase)

#: How a CLT home is priced for its buyer: one cost price (land excluded) for everyone, or
#: CLTB-style by income category (a share of the cost price per category).
CltPricing = Literal["cost_price", "income_categories"]
CLT_PRICINGS: tuple[CltPricing, ...] = get_args(CltPricing)

#: What happens to the public subsidy at resale.
SubsidyRegime = Literal["retention", "recapture", "aid"]
SUBSIDY_REGIMES: tuple[SubsidyRegime, ...] = get_args(SubsidyRegime)


# ----------------------------------------------------------------------------- reports

#: Status of a headline number: a finding (``""``), or a number its report says not to read as
#: one (:func:`permanent_research.reporting.headlines.headline`).
HeadlineStatus = Literal["", "illustrative", "invalid"]
HEADLINE_STATUSES: tuple[HeadlineStatus, ...] = get_args(HeadlineStatus)
