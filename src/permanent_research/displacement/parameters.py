"""Typology parameters (UDP and Ding–Hwang–Divringi), category catalogues and flag columns.

Every Brussels adaptation is a parameter (:meth:`UDPParameters.brussels`); see
``docs/displacement.md``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from permanent_research._validation import check_choice, check_in_range
from permanent_research.errors import ParameterError
from permanent_research.options import (
    BAND_RULES,
    DEMOGRAPHIC_CRITERIA,
    GENTRIFIED_VARIANTS,
    HOUSING_REFERENCES,
    MARKETS,
    REGIONAL_CHANGES,
    BandRule,
    Demographic,
    GentrifiedVariant,
    HousingReference,
    Markets,
    RegionalChange,
)
from permanent_research.results import Result

#: code → (short name, label) of the UDP categories; 0 = no category, 99 = several.
UDP_CATEGORIES: dict[int, tuple[str, str]] = {
    1: ("LISD", "Low-income / susceptible to displacement"),
    2: ("OD", "Ongoing displacement"),
    3: ("ARG", "At risk of gentrification"),
    4: ("EOG", "Early / ongoing gentrification"),
    5: ("AdvG", "Advanced gentrification"),
    6: ("SMMI", "Stable moderate / mixed income"),
    7: ("ARE", "At risk of becoming exclusive"),
    8: ("BE", "Becoming exclusive"),
    9: ("SAE", "Stable / advanced exclusive"),
    0: ("none", "No category (all rules false)"),
    99: ("multiple", "Matches more than one category"),
}
#: code → (short name, label) of the Ding–Hwang–Divringi (2016) classes.
DHD_CATEGORIES: dict[int, tuple[str, str]] = {
    0: ("not_gentrifiable", "Not gentrifiable (income at or above the median, or too small)"),
    1: ("not_gentrifying", "Gentrifiable, not gentrifying"),
    2: ("weak", "Weak gentrification"),
    3: ("moderate", "Moderate gentrification"),
    4: ("intense", "Intense gentrification"),
}
#: Flag columns read by :func:`udp_rules` (``Int64`` codes or ``boolean``).
UDP_FLAG_COLUMNS: dict[str, str] = {
    "pop_ok": "population at t0 above population_min",
    "inc_cat": "income mix at t1: 1 low, 2 mixed-low, 3 moderate, 4 mixed-moderate, "
    "5 mixed-high, 6 high",
    "lmh": "housing affordable to: 1 low, 2 moderate, 3 high, 4 mixed-low, 5 mixed-moderate, "
    "6 mixed-high",
    "ch": "market change: 1 decrease/marginal, 2 increase, 3 rapid (rent OR value, highest wins)",
    "ab_90percentile_ch": "rent or value change above the regional upper percentile",
    "ch_above_rm": "rent or value change above the regional median change",
    "real_change_positive": "real rent or value change above zero",
    "lost_low_income": "absolute loss of low-income residents t0 → t1",
    "gentrified_any": "gentrified in this period (or an earlier one)",
    "vulnerable_t1": "vulnerable at t1",
    "dp_pchrent": "own market change > 0 and above its median, or lagged change above its median",
    "dp_rentgap": "gapprop > 0 and above its regional median",
    "inmover_fell": "share of low-income in-movers fell",
    "real_income_rose": "real median income at t1 above t0",
    "high_income_both": "(predominantly) high income at t0 and at t1",
}
#: Conditions that can be removed from the rules (``UDPParameters.dropped_conditions``).
UDP_CONDITIONS = tuple(c for c in UDP_FLAG_COLUMNS if c not in ("pop_ok", "inc_cat", "lmh", "ch"))

_CRITERIA: dict[str, tuple[str, str]] = {  # name → (indicator stem, direction against the RM)
    "low_income": ("low_income_share", "ge"),
    "nonwhite": ("nonwhite", "ge"),
    "renter": ("renter", "ge"),
    "college": ("college", "lt"),
    "unemployment": ("unemployment", "ge"),
    "social_housing": ("social_housing", "ge"),
}

Variant = GentrifiedVariant


def _as_tuple(name: str, value: Iterable[Any]) -> tuple:
    if isinstance(value, str):
        raise ParameterError(f"{name} must be a sequence, not the string {value!r}")
    return tuple(value)


class _ParameterSet(Result):
    """``to_frame`` shared by the frozen parameter dataclasses (``replace`` is
    :meth:`Result.replace`: a validated copy)."""

    def to_frame(self) -> pd.DataFrame:
        """One row per parameter (name, value)."""
        return pd.DataFrame(
            [(f.name, repr(getattr(self, f.name))) for f in dataclasses.fields(self)],
            columns=["parameter", "value"],
        )


@dataclass(frozen=True)
class UDPParameters(_ParameterSet):
    """Every threshold of the UDP typology (defaults: UDP release 1.1 code).

    Parameters
    ----------
    population_min
        Rules need more than this many residents at t0 (persons; UDP: 500).
    income_low_ratio, income_high_ratio
        80% / 120% of the regional median (RM) income separate low, moderate, high.
    predominant_share_pct, other_share_max_pct
        "Predominantly X" needs share(X) ≥ 55% and both others < 45% (only with share columns).
    housing_reference
        What the median housing cost at t1 is compared with for ``lmh`` (no cost distribution
        is available, so only the mixed codes 4, 5, 6 arise). ``"affordable_cost"`` (UDP): the
        median rent (EUR/month) against the affordable monthly cost
        ``aff = affordable_share × RM income (EUR/year) / 12``; needs a rent column.
        ``"regional_median"`` (Brussels, no rents per area): the median rent, else the median
        price, against its own RM.
    housing_low_ratio, housing_high_ratio
        Cut-offs on that ratio: below ``housing_low_ratio`` mixed-low, at or above
        ``housing_high_ratio`` mixed-high, in between mixed-moderate (UDP: 0.6 and 1.2 × aff).
    affordable_share
        Share of income that is affordable for housing (UDP: 0.30, a fraction).
    market_decrease_pch, market_increase_pch
        Market-change cut-offs (percent): ≤ −5 decrease, < +5 marginal, ≥ +5 increase; rapid at
        or above the median of the changes strictly above ``market_increase_pch``. Decrease and
        marginal share code 1, so ``market_decrease_pch`` does not change any class.
    upper_percentile
        Percentile for ``ab_90percentile_ch`` (UDP: 90; the UDP rent version wrongly used +90%).
    vulnerable_min_criteria
        Criteria needed for "vulnerable" (UDP code: 3 of 4; PDF: 2).
    vulnerable_criteria
        Names among ``low_income``, ``nonwhite``, ``renter``, ``college`` (UDP) and
        ``unemployment``, ``social_housing`` (Brussels).
    gentrified_variant
        ``"standard"`` requires an absolute loss of low-income residents; ``"urban"`` drops it.
    demographic_change
        Demographic test of "gentrified": ``"college"`` (UDP: college-share change above the
        regional change), ``"low_income_share"`` (Brussels: low-income share change below the
        regional change) or ``"none"``.
    regional_change
        "Regional change" as the change of the regional medians (UDP) or the median of changes.
    sae_income_codes
        Income codes counting as "high" in both periods for SAE (UDP: 6, predominantly high).
    dropped_conditions
        Conditions (see :data:`UDP_CONDITIONS`) removed from the rules because the input does
        not exist in the study area (e.g. ``inmover_fell`` in Brussels). Reported in results.
    band, band_factor
        Spatial weights: radius in metres, ``"udp"`` (0.1 × max nearest-neighbour distance) or
        ``"max_nn"`` (the smallest band without islands).
    markets
        Housing markets the market flags read (:data:`~permanent_research.options.MARKETS`):
        ``"rent_and_value"`` (UDP: every market present; rent first for the housing mix and the
        spatial flags, change codes OR-ed), ``"rent"`` (tenants' rents only) or ``"value"``
        (sale prices only). A market named here must be in the indicators.
    """

    population_min: float = 500.0
    income_low_ratio: float = 0.8
    income_high_ratio: float = 1.2
    predominant_share_pct: float = 55.0
    other_share_max_pct: float = 45.0
    housing_reference: HousingReference = "affordable_cost"
    housing_low_ratio: float = 0.6
    housing_high_ratio: float = 1.2
    affordable_share: float = 0.30
    market_decrease_pch: float = -5.0
    market_increase_pch: float = 5.0
    upper_percentile: float = 90.0
    vulnerable_min_criteria: int = 3
    vulnerable_criteria: tuple[str, ...] = ("low_income", "nonwhite", "renter", "college")
    gentrified_variant: Variant = "standard"
    demographic_change: Demographic = "college"
    regional_change: RegionalChange = "change_of_medians"
    sae_income_codes: tuple[int, ...] = (6,)
    dropped_conditions: tuple[str, ...] = ()
    band: float | BandRule = "udp"
    band_factor: float = 0.1
    markets: Markets = "rent_and_value"

    def __post_init__(self) -> None:
        for name in ("vulnerable_criteria", "sae_income_codes", "dropped_conditions"):
            object.__setattr__(self, name, _as_tuple(name, getattr(self, name)))
        check_in_range("population_min", self.population_min, 0, None)
        check_in_range("income_low_ratio", self.income_low_ratio, 0, None, low_inclusive=False)
        check_in_range("income_high_ratio", self.income_high_ratio, self.income_low_ratio, None)
        check_in_range("housing_low_ratio", self.housing_low_ratio, 0, None, low_inclusive=False)
        check_in_range("housing_high_ratio", self.housing_high_ratio, self.housing_low_ratio, None)
        check_choice(
            "housing_reference", self.housing_reference, HOUSING_REFERENCES
        )
        check_in_range("affordable_share", self.affordable_share, 0, 1, low_inclusive=False)
        check_in_range("predominant_share_pct", self.predominant_share_pct, 0, 100)
        check_in_range("other_share_max_pct", self.other_share_max_pct, 0, 100)
        check_in_range(
            "market_increase_pch", self.market_increase_pch, self.market_decrease_pch, None
        )
        check_in_range("upper_percentile", self.upper_percentile, 50, 100, high_inclusive=False)
        for criterion in self.vulnerable_criteria:
            check_choice("vulnerable_criteria", criterion, list(_CRITERIA))
        if len(set(self.vulnerable_criteria)) != len(self.vulnerable_criteria):
            raise ParameterError(
                f"vulnerable_criteria={self.vulnerable_criteria!r} repeats a name"
            )
        if not self.vulnerable_criteria:
            raise ParameterError("vulnerable_criteria is empty; name at least one criterion")
        if (
            isinstance(self.vulnerable_min_criteria, bool)
            or not isinstance(self.vulnerable_min_criteria, (int, np.integer))
            or not 1 <= self.vulnerable_min_criteria <= len(self.vulnerable_criteria)
        ):
            raise ParameterError(
                f"vulnerable_min_criteria={self.vulnerable_min_criteria!r} must be an integer in "
                f"[1, {len(self.vulnerable_criteria)}] (the number of vulnerable_criteria)"
            )
        check_choice("gentrified_variant", self.gentrified_variant, GENTRIFIED_VARIANTS)
        check_choice(
            "demographic_change", self.demographic_change, DEMOGRAPHIC_CRITERIA
        )
        check_choice(
            "regional_change", self.regional_change, REGIONAL_CHANGES
        )
        for code in self.sae_income_codes:
            check_choice("sae_income_codes", code, [1, 2, 3, 4, 5, 6])
        for condition in self.dropped_conditions:
            check_choice("dropped_conditions", condition, list(UDP_CONDITIONS))
        if isinstance(self.band, str):
            check_choice("band", self.band, BAND_RULES)
        else:
            check_in_range("band", self.band, 0, None, low_inclusive=False)
        check_in_range("band_factor", self.band_factor, 0, None, low_inclusive=False)
        check_choice("markets", self.markets, MARKETS)

    @classmethod
    def udp(cls, **changes: Any) -> UDPParameters:
        """The UDP release 1.1 code defaults (3 of 4 vulnerability criteria, standard variant)."""
        return cls(**changes)

    @classmethod
    def brussels(cls, **changes: Any) -> UDPParameters:
        """The Brussels adaptation (see ``docs/displacement.md``), with optional changes.

        Income "low" below 85% of the RM (the per-return median is compressed: in 2022 the
        poorest quartier is at 0.81 of the RM). Vulnerable: 2 of (low-income share,
        unemployment, social housing) ≥ RM; urban variant of
        "gentrified" with the fall of the low-income share as demographic test; SAE on (mixed-)
        high income in both periods; no in-mover data; band = max nearest-neighbour distance;
        housing mix: median rent (else price) against 0.8 / 1.2 × its own RM (no rents per area).
        """
        base = dict(
            income_low_ratio=0.85,
            housing_reference="regional_median",
            housing_low_ratio=0.8,
            vulnerable_min_criteria=2,
            vulnerable_criteria=("low_income", "unemployment", "social_housing"),
            gentrified_variant="urban",
            demographic_change="low_income_share",
            sae_income_codes=(5, 6),
            dropped_conditions=("inmover_fell",),
            band="max_nn",
        )
        base.update(changes)
        return cls(**base)


@dataclass(frozen=True)
class DHDParameters(_ParameterSet):
    """Thresholds of the Ding, Hwang & Divringi (2016) typology.

    Parameters
    ----------
    population_min
        Areas with at most this many residents at t0 are not classified (persons).
    demographic_change
        ``"college"`` (DHD: college-share rise above the median rise), ``"low_income_share"``
        (Brussels: low-income share change below the median change) or ``"none"``.
    weak_quantile, intense_quantile
        Quartile cut-offs among gentrifying areas: weak if every market change is ≤ the lower
        one, intense if any is ≥ the upper one.
    """

    population_min: float = 0.0
    demographic_change: Demographic = "college"
    weak_quantile: float = 0.25
    intense_quantile: float = 0.75

    def __post_init__(self) -> None:
        check_in_range("population_min", self.population_min, 0, None)
        check_choice(
            "demographic_change", self.demographic_change, DEMOGRAPHIC_CRITERIA
        )
        check_in_range("weak_quantile", self.weak_quantile, 0, 1)
        check_in_range("intense_quantile", self.intense_quantile, self.weak_quantile, 1)

    @classmethod
    def brussels(cls, **changes: Any) -> DHDParameters:
        """Brussels: low-income share instead of college share; 500-resident minimum."""
        base: dict[str, Any] = dict(population_min=500.0, demographic_change="low_income_share")
        base.update(changes)
        return cls(**base)
