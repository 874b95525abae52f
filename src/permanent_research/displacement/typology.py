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
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from permanent_research._validation import check_choice, check_in_range
from permanent_research.displacement.indicators import DisplacementIndicators
from permanent_research.errors import DataError, ParameterError
from permanent_research.options import (
    BAND_RULES,
    DEMOGRAPHIC_CRITERIA,
    GENTRIFIED_VARIANTS,
    HOUSING_REFERENCES,
    REGIONAL_CHANGES,
    BandRule,
    Demographic,
    GentrifiedVariant,
    HousingReference,
    RegionalChange,
)

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


class _ParameterSet:
    """``replace`` and ``to_frame`` shared by the frozen parameter dataclasses."""

    def replace(self, **changes: Any) -> Any:
        """A copy with some fields changed (validated again)."""
        names = {f.name for f in dataclasses.fields(self)}
        for name in changes:
            check_choice("parameter", name, sorted(names))
        return dataclasses.replace(self, **changes)

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


# --------------------------------------------------------------------------- three-valued logic
def _bool(values: Any, index: pd.Index) -> pd.Series:
    return pd.Series(values, index=index).astype("boolean")


def _na(index: pd.Index) -> pd.Series:
    return pd.Series(pd.NA, index=index, dtype="boolean")


def _any(terms: Sequence[pd.Series], index: pd.Index) -> pd.Series:
    """Kleene OR of the terms (an empty list gives missing)."""
    if not terms:
        return _na(index)
    out = terms[0].astype("boolean")
    for term in terms[1:]:
        out = out | term.astype("boolean")
    return out


def _in(codes: pd.Series, allowed: Iterable[int]) -> pd.Series:
    """Membership of integer codes; missing code → missing."""
    values = codes.astype("Int64")
    return values.isin(list(allowed)).astype("boolean").mask(values.isna())


def _known_false(flag: pd.Series) -> pd.Series:
    """True only where the flag is known to be False (missing → False)."""
    return (~flag.astype("boolean")).fillna(False).astype("boolean")


def _median(values: pd.Series) -> float:
    """Median of the non-missing values as a float (NaN when there are none).

    ``pandas`` returns ``<NA>`` for an all-missing nullable series, which ``float()`` rejects;
    an undefined threshold must give missing flags, not a crash.
    """
    present = values.astype("Float64").dropna()
    return float(present.median()) if len(present) else float("nan")


def _quantile(values: pd.Series, q: float) -> float:
    """Quantile (linear interpolation) of the non-missing values; NaN when there are none."""
    present = values.astype("Float64").dropna()
    return float(present.quantile(q)) if len(present) else float("nan")


def _count_rule(terms: Sequence[pd.Series], k: int, index: pd.Index) -> pd.Series:
    """At least ``k`` of the terms true, with missing terms handled exactly."""
    frame = pd.concat([t.astype("boolean") for t in terms], axis=1)
    n_true = frame.fillna(False).sum(axis=1)
    n_missing = frame.isna().sum(axis=1)
    out = _na(index)
    out.loc[n_true >= k] = True
    out.loc[n_true + n_missing < k] = False
    return out


# ------------------------------------------------------------------------------------- results
@dataclass(frozen=True)
class FlagTable:
    """Input flags of a typology, one row per area.

    Attributes
    ----------
    flags
        Flag columns (``boolean``/``Int64``, missing where an input is missing).
    parameters
        The parameters used.
    inputs_used
        What each input column or criterion was used for (and Brussels adaptations).
    unavailable
        Flags whose inputs are absent altogether (all missing): drop them explicitly through
        ``dropped_conditions`` or supply the input.
    thresholds
        Regional reference values (medians, percentiles) the flags were computed against.
    """

    flags: pd.DataFrame
    parameters: Any
    inputs_used: Mapping[str, str]
    unavailable: tuple[str, ...] = ()
    thresholds: Mapping[str, float] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """The flag table (copy)."""
        return self.flags.copy()

    def summary(self) -> pd.DataFrame:
        """Per flag: areas true, false and missing (codes: areas per code)."""
        rows = []
        for column in self.flags.columns:
            values = self.flags[column]
            if str(values.dtype) == "boolean":
                rows.append(
                    {
                        "flag": column,
                        "true": int(values.fillna(False).sum()),
                        "false": int((~values).fillna(False).sum()),
                        "missing": int(values.isna().sum()),
                    }
                )
            elif str(values.dtype) == "Int64":
                counts = values.value_counts().sort_index()
                rows.append(
                    {
                        "flag": column,
                        "true": np.nan,
                        "false": np.nan,
                        "missing": int(values.isna().sum()),
                        "codes": ", ".join(f"{k}: {v}" for k, v in counts.items()),
                    }
                )
        return pd.DataFrame(rows)

    def _repr_html_(self) -> str:
        extra = f"; unavailable: {', '.join(self.unavailable)}" if self.unavailable else ""
        return f"<b>Typology flags</b>, {len(self.flags)} areas{extra}" + self.summary().to_html(
            index=False, na_rep=""
        )


@dataclass(frozen=True)
class TypologyResult:
    """Classes of a typology, one row per area.

    Attributes
    ----------
    classes
        ``code`` (``Int64``, missing when undecidable), ``category`` (short name), ``label``,
        and one ``boolean`` column per rule.
    flags
        The :class:`FlagTable` the rules were applied to (``None`` if rules ran on a bare table).
    parameters
        The parameters used.
    typology
        ``"udp"`` or ``"dhd"``.
    conditions_dropped
        Conditions removed from the rules (Brussels adaptations).
    """

    classes: pd.DataFrame
    flags: FlagTable | None
    parameters: Any
    typology: str
    conditions_dropped: tuple[str, ...] = ()

    @property
    def inputs_used(self) -> Mapping[str, str]:
        return {} if self.flags is None else self.flags.inputs_used

    def to_frame(self) -> pd.DataFrame:
        """Classes joined with the flags (one row per area)."""
        if self.flags is None:
            return self.classes.copy()
        return self.classes.join(self.flags.flags)

    def summary(self) -> pd.DataFrame:
        """Number of areas per class, including undecidable ("missing") areas."""
        catalogue = UDP_CATEGORIES if self.typology == "udp" else DHD_CATEGORIES
        counts = self.classes["code"].value_counts(dropna=False)
        rows = []
        for code, (short, label) in sorted(catalogue.items(), key=lambda kv: (kv[0] == 0, kv[0])):
            rows.append(
                {
                    "code": code,
                    "category": short,
                    "label": label,
                    "areas": int(counts.get(code, 0)),
                }
            )
        missing = int(self.classes["code"].isna().sum())
        rows.append(
            {
                "code": pd.NA,
                "category": "missing",
                "label": "Undecidable (missing input)",
                "areas": missing,
            }
        )
        table = pd.DataFrame(rows)
        table["code"] = table["code"].astype("Int64")
        return table

    def _repr_html_(self) -> str:
        dropped = (
            f"; conditions dropped: {', '.join(self.conditions_dropped)}"
            if self.conditions_dropped
            else ""
        )
        return (
            f"<b>{self.typology.upper()} typology</b>, {len(self.classes)} areas{dropped}"
            + self.summary().to_html(index=False, na_rep="")
        )


def _finalise(
    rules: pd.DataFrame,
    catalogue: Mapping[int, tuple[str, str]],
    codes: Mapping[str, int],
    multiple: int | None,
) -> pd.DataFrame:
    n_true = rules.fillna(False).astype(bool).sum(axis=1)
    any_missing = rules.isna().any(axis=1)
    code = pd.Series(pd.NA, index=rules.index, dtype="Int64")
    single = (n_true == 1) & ~any_missing
    for column, value in codes.items():
        code.loc[single & rules[column].fillna(False).astype(bool)] = value
    code.loc[(n_true == 0) & ~any_missing] = 0
    if multiple is not None:
        code.loc[n_true >= 2] = multiple
    out = pd.DataFrame({"code": code}, index=rules.index)
    out["category"] = out["code"].map(lambda c: catalogue[int(c)][0] if pd.notna(c) else pd.NA)
    out["label"] = out["code"].map(lambda c: catalogue[int(c)][1] if pd.notna(c) else pd.NA)
    return out.join(rules)


# -------------------------------------------------------------------------------------- UDP
def _mix_category(
    table: pd.DataFrame,
    ratio: pd.Series,
    shares: Sequence[str] | None,
    low: float,
    high: float,
    predominant: float,
    other_max: float,
    codes: Mapping[str, int],
) -> pd.Series:
    """UDP income-mix / housing-mix code: the 55/45 rule on shares, otherwise the mixed code
    chosen by the median against the two thresholds (UDP: below ``low`` mixed-low, from ``low``
    up to but excluding ``high`` mixed-moderate, at or above ``high`` mixed-high)."""
    ratio = ratio.astype("Float64")
    out = pd.Series(pd.NA, index=table.index, dtype="Int64")
    out.loc[(ratio < low).fillna(False)] = codes["mix_low"]
    out.loc[((ratio >= low) & (ratio < high)).fillna(False)] = codes["mix_moderate"]
    out.loc[(ratio >= high).fillna(False)] = codes["mix_high"]
    if shares is not None:
        s = [table[c].astype("Float64") for c in shares]
        for i, name in enumerate(("low", "moderate", "high")):
            others = [s[j] for j in range(3) if j != i]
            predominantly = (
                (s[i] >= predominant) & (others[0] < other_max) & (others[1] < other_max)
            )
            out.loc[predominantly.fillna(False)] = codes[name]
            out.loc[(s[i].isna() | others[0].isna() | others[1].isna()).fillna(True)] = pd.NA
    return out


_INCOME_CODES = {
    "low": 1,
    "mix_low": 2,
    "moderate": 3,
    "mix_moderate": 4,
    "mix_high": 5,
    "high": 6,
}
_HOUSING_CODES = {
    "low": 1,
    "moderate": 2,
    "high": 3,
    "mix_low": 4,
    "mix_moderate": 5,
    "mix_high": 6,
}


def _regional_change(t: pd.DataFrame, stem: str, how: RegionalChange, kind: str) -> float:
    if how == "median_of_changes":
        column = f"{stem}_pch" if kind == "pch" else f"{stem}_ch_pp"
        return _median(t[column])
    m0, m1 = _median(t[f"{stem}_t0"]), _median(t[f"{stem}_t1"])
    return 100.0 * (m1 / m0 - 1.0) if kind == "pch" else m1 - m0


def udp_flags(
    indicators: DisplacementIndicators,
    parameters: UDPParameters | None = None,
    *,
    gentrified_earlier: pd.Series | None = None,
) -> FlagTable:
    """Compute the UDP input flags from change indicators (three-valued, missing-aware).

    Parameters
    ----------
    indicators
        Output of :func:`~permanent_research.displacement.indicators.indicators`.
    parameters
        Thresholds (default :meth:`UDPParameters.udp`).
    gentrified_earlier
        Optional boolean per area: gentrified in an earlier period (UDP: 1990–2000). Without
        it, ``gentrified_any`` is the flag of this period only.

    Returns
    -------
    FlagTable
        With the columns of :data:`UDP_FLAG_COLUMNS` plus intermediate flags (``vulnerable_t0``,
        ``gentrified``, ``market_below_rm_t0/t1``, ``inc_cat_t0``, ``inc_cat_t1``,
        ``vulnerable_criteria_met_t0/t1``).
    """
    p = parameters or UDPParameters.udp()
    t = indicators.table
    idx = t.index
    used: dict[str, str] = {}
    thresholds: dict[str, float] = {}
    flags = pd.DataFrame(index=idx)
    markets = [m for m in ("rent", "value") if f"{m}_t1" in t and t[f"{m}_t1"].notna().any()]
    used["markets"] = ", ".join(markets) if markets else "none"

    # population
    flags["pop_ok"] = (t["pop_t0"] > p.population_min) if "pop_t0" in t else _na(idx)

    # income mix at t0 and t1
    shares = ["inc_low", "inc_moderate", "inc_high"]
    have_shares = all(f"{s}_t1" in t for s in shares)
    if "income_t1" not in t:
        raise DataError("indicators: no median_income_eur input; the UDP typology needs it")
    for period in ("t0", "t1"):
        rm = _median(t[f"income_{period}"])
        thresholds[f"income_rm_{period}"] = rm
        flags[f"inc_cat_{period}"] = _mix_category(
            t,
            t[f"income_{period}"] / rm,
            [f"{s}_{period}" for s in shares] if have_shares else None,
            p.income_low_ratio,
            p.income_high_ratio,
            p.predominant_share_pct,
            p.other_share_max_pct,
            _INCOME_CODES,
        )
    flags["inc_cat"] = flags["inc_cat_t1"]
    if not have_shares and not set(p.sae_income_codes) & {2, 4, 5}:
        raise ParameterError(
            f"sae_income_codes={p.sae_income_codes!r} can never match: without income_share_*_pct "
            "columns only the mixed income codes 2, 4, 5 arise; use (5,) or (5, 6), or supply "
            "the shares"
        )
    used["inc_cat"] = (
        "55/45 rule on income shares"
        if have_shares
        else "median income / RM only (no income distribution): mixed codes 2, 4, 5"
    )

    # housing mix (lmh) at t1: median cost against the affordable cost (UDP) or its RM
    if p.housing_reference == "affordable_cost":
        if "rent_t1" not in t or not t["rent_t1"].notna().any():
            raise DataError(
                "housing_reference='affordable_cost' needs median_rent_eur_month (EUR/month); "
                "supply it or choose one of 'affordable_cost', 'regional_median'"
            )
        affordable = p.affordable_share * _median(t["income_t1"]) / 12.0
        thresholds["lmh_affordable_rent_eur_month"] = affordable
        flags["lmh"] = _mix_category(
            t,
            t["rent_t1"] / affordable,
            None,
            p.housing_low_ratio,
            p.housing_high_ratio,
            0,
            0,
            _HOUSING_CODES,
        )
        used["lmh"] = (
            f"median rent at t1 / affordable rent ({p.affordable_share:g} × RM income / 12 = "
            f"{affordable:,.0f} EUR/month), cut-offs {p.housing_low_ratio:g} / "
            f"{p.housing_high_ratio:g} (no cost distribution): mixed codes 4, 5, 6 only"
        )
    elif markets:
        m = markets[0]
        rm = _median(t[f"{m}_t1"])
        thresholds[f"lmh_{m}_rm_t1"] = rm
        flags["lmh"] = _mix_category(
            t,
            t[f"{m}_t1"] / rm,
            None,
            p.housing_low_ratio,
            p.housing_high_ratio,
            0,
            0,
            _HOUSING_CODES,
        )
        used["lmh"] = (
            f"median {m} at t1 / its RM, cut-offs {p.housing_low_ratio:g} / "
            f"{p.housing_high_ratio:g} (no cost distribution): mixed codes 4, 5, 6 only"
        )
    else:
        flags["lmh"] = pd.Series(pd.NA, index=idx, dtype="Int64")

    # market change
    cats, above90, above_rm, positive, hot = [], [], [], [], []
    for m in markets:
        pch = t[f"{m}_pch"].astype("Float64")
        rapid_cut = _median(pch[pch > p.market_increase_pch])
        thresholds[f"{m}_rapid_cut_pch"] = rapid_cut
        cat = pd.Series(pd.NA, index=idx, dtype="Int64")
        cat.loc[(pch < p.market_increase_pch).fillna(False)] = 1
        cat.loc[(pch >= p.market_increase_pch).fillna(False)] = 2
        if not np.isnan(rapid_cut):
            cat.loc[(pch >= rapid_cut).fillna(False)] = 3
        cats.append(cat)
        q = _quantile(pch, p.upper_percentile / 100.0)
        thresholds[f"{m}_p{p.upper_percentile:g}_pch"] = q
        above90.append(pch > q)
        thresholds[f"{m}_rm_pch"] = _median(pch)
        above_rm.append(pch > _median(pch))
        positive.append(pch > 0)
        regional = _regional_change(t, m, p.regional_change, "pch")
        thresholds[f"{m}_regional_change_pch"] = regional
        hot.append(pch >= regional)
    if cats:
        frame = pd.concat(cats, axis=1)
        best = frame.max(axis=1, skipna=True).astype("Int64")
        undecided = frame.isna().any(axis=1) & (best < 3).fillna(True)
        flags["ch"] = best.mask(undecided)
    else:
        flags["ch"] = pd.Series(pd.NA, index=idx, dtype="Int64")
    flags["ab_90percentile_ch"] = _any(above90, idx)
    flags["ch_above_rm"] = _any(above_rm, idx)
    flags["real_change_positive"] = _any(positive, idx)
    flags["hot_market"] = _any(hot, idx)

    # loss of low-income residents
    if "low_income_n_t0" in t:
        flags["lost_low_income"] = t["low_income_n_t1"] < t["low_income_n_t0"]
        used["lost_low_income"] = "low-income share × population fell"
    else:
        flags["lost_low_income"] = _na(idx)

    # vulnerability at t0 and t1
    used["vulnerable"] = (
        f"{p.vulnerable_min_criteria} of {', '.join(p.vulnerable_criteria)} "
        "at/above (college: below) the RM, and rent or value below the RM"
    )
    for criterion in p.vulnerable_criteria:
        stem = _CRITERIA[criterion][0]
        if f"{stem}_t0" not in t:
            raise DataError(
                f"vulnerable_criteria includes {criterion!r} but the panel has no input for it; "
                f"drop it or supply the column (criteria: {', '.join(_CRITERIA)})"
            )
    for period in ("t0", "t1"):
        below = []
        for m in markets:
            rm = _median(t[f"{m}_{period}"])
            below.append(t[f"{m}_{period}"] < rm)
        flags[f"market_below_rm_{period}"] = _any(below, idx)
        terms = []
        for criterion in p.vulnerable_criteria:
            stem, direction = _CRITERIA[criterion]
            values = t[f"{stem}_{period}"]
            rm = _median(values)
            thresholds[f"{stem}_rm_{period}"] = rm
            terms.append(values >= rm if direction == "ge" else values < rm)
        criteria = _count_rule(terms, p.vulnerable_min_criteria, idx)
        flags[f"vulnerable_criteria_met_{period}"] = criteria
        flags[f"vulnerable_{period}"] = flags[f"market_below_rm_{period}"] & criteria

    # gentrified t0 → t1
    income_regional = _regional_change(t, "income", p.regional_change, "pch")
    thresholds["income_regional_change_pch"] = income_regional
    income_up = t["income_pch"] > income_regional
    if p.demographic_change == "none":
        demographic = _bool(True, idx)
    else:
        stem = "college" if p.demographic_change == "college" else "low_income_share"
        if f"{stem}_ch_pp" not in t:
            raise DataError(
                f"demographic_change={p.demographic_change!r} needs the {stem} input; "
                "supply it or choose one of 'college', 'low_income_share', 'none'"
            )
        regional = _regional_change(t, stem, p.regional_change, "pp")
        thresholds[f"{stem}_regional_change_pp"] = regional
        change = t[f"{stem}_ch_pp"]
        demographic = change > regional if stem == "college" else change < regional
    flags["demographic_up"] = demographic.astype("boolean")
    gentrified = flags["vulnerable_t0"] & income_up & flags["hot_market"] & flags["demographic_up"]
    if p.gentrified_variant == "standard":
        gentrified = gentrified & flags["lost_low_income"]
    flags["gentrified"] = gentrified
    used["gentrified"] = (
        f"{p.gentrified_variant} variant; vulnerable at t0, real income change above the regional "
        f"change, hot market, demographic test: {p.demographic_change}"
    )
    if gentrified_earlier is not None:
        earlier = gentrified_earlier.reindex(idx).astype("boolean")
        flags["gentrified_any"] = gentrified | earlier
        used["gentrified_any"] = "this period or the earlier one supplied"
    else:
        flags["gentrified_any"] = gentrified
        used["gentrified_any"] = "this period only (no earlier period supplied)"
    flags["vulnerable_t1"] = flags["vulnerable_t1"]

    # spatial: dp_pchrent and dp_rentgap (rent, otherwise value)
    lagged = [m for m in markets if f"lag_{m}_pch" in t]
    if lagged:
        m = lagged[0]
        own = t[f"{m}_pch"]
        lag = t[f"lag_{m}_pch"]
        flags["dp_pchrent"] = ((own > 0) & (own > _median(own))) | (lag > _median(lag))
        gap = t[f"{m}_gapprop"]
        flags["dp_rentgap"] = (gap > 0) & (gap > _median(gap))
        used["dp_pchrent"] = f"computed on {m} (spatial lag within {indicators.band_m:,.0f} m)"
        used["dp_rentgap"] = f"computed on {m} (gapprop = (lag − own) / mean(own, lag))"
    else:
        flags["dp_pchrent"] = _na(idx)
        flags["dp_rentgap"] = _na(idx)

    flags["inmover_fell"] = (
        t["lowinc_inmover_t1"] < t["lowinc_inmover_t0"] if "lowinc_inmover_t0" in t else _na(idx)
    )
    flags["real_income_rose"] = t["income_t1"] > t["income_t0"]
    flags["high_income_both"] = _in(flags["inc_cat_t0"], p.sae_income_codes) & _in(
        flags["inc_cat_t1"], p.sae_income_codes
    )
    for column in flags.columns:
        if str(flags[column].dtype) not in ("Int64", "boolean"):
            flags[column] = flags[column].astype("boolean")
    unavailable = tuple(c for c in UDP_FLAG_COLUMNS if flags[c].isna().all())
    return FlagTable(
        flags=flags, parameters=p, inputs_used=used, unavailable=unavailable, thresholds=thresholds
    )


def udp_rules(
    flags: pd.DataFrame | FlagTable, parameters: UDPParameters | None = None
) -> TypologyResult:
    """Apply the nine UDP category rules to a table of flags.

    Parameters
    ----------
    flags
        A :class:`FlagTable` or a frame with the columns of :data:`UDP_FLAG_COLUMNS`
        (codes as integers, flags as booleans or 0/1; missing allowed). Columns named in
        ``parameters.dropped_conditions`` may be absent.
    parameters
        Only ``dropped_conditions`` is read here (default: none dropped).

    Returns
    -------
    TypologyResult
        ``code`` 1–9, 0 when every rule is false, 99 when more than one rule holds, missing when
        a rule is undecidable (and fewer than two hold). SMMI needs ARE, BE, SAE and AdvG to be
        known false: a missing one blocks it.
    """
    table = flags.flags if isinstance(flags, FlagTable) else flags
    p = parameters or (flags.parameters if isinstance(flags, FlagTable) else UDPParameters.udp())
    dropped = set(p.dropped_conditions)
    needed = [c for c in UDP_FLAG_COLUMNS if c not in dropped]
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise DataError(
            f"flags: missing column(s) {', '.join(missing)}; add them or name them in "
            "dropped_conditions"
        )
    idx = table.index

    def checked(name: str, allowed: Sequence[int], what: str) -> pd.Series:
        """Numeric values of a flag/code column; anything else than ``allowed`` or missing
        (a word, 2.5, an unknown code) is a one-line error, never a silent missing/False."""
        raw = table[name]
        if str(raw.dtype) == "boolean":
            return raw.astype("Float64")
        numeric = pd.to_numeric(raw.astype(object).where(raw.notna(), np.nan), errors="coerce")
        numeric = pd.Series(numeric, index=idx).astype("Float64")
        bad = (raw.notna() & numeric.isna()) | (numeric.notna() & ~numeric.isin(list(allowed)))
        bad = bad.fillna(True).astype(bool)
        if bad.any():
            row = bad[bad].index[0]
            value = raw[row]
            shown = repr(value) if isinstance(value, str) else str(value)
            raise DataError(
                f"flags: column {name!r} has {shown} in row {row!r} "
                f"({int(bad.sum())} bad row(s)); allowed: {what} or missing"
            )
        return numeric

    def flag(name: str, identity: bool = True) -> pd.Series:
        if name in dropped:
            return _bool(identity, idx)
        return checked(name, (0, 1), "0/1 or True/False").astype("boolean")

    def code(name: str, allowed: Iterable[int]) -> pd.Series:
        return _in(codes[name], allowed)

    codes = {
        "inc_cat": checked("inc_cat", range(1, 7), "income codes 1-6").astype("Int64"),
        "lmh": checked("lmh", range(1, 7), "housing codes 1-6").astype("Int64"),
        "ch": checked("ch", (1, 2, 3), "change codes 1, 2, 3").astype("Int64"),
    }
    pop = flag("pop_ok")
    low = code("inc_cat", (1, 2))
    high = code("inc_cat", (3, 4, 5, 6))
    lmh_mid_high = code("lmh", (2, 3, 5, 6))
    gent = flag("gentrified_any")
    sae = pop & flag("high_income_both") & code("lmh", (3, 6)) & code("ch", (1, 2, 3))
    advg = (
        pop
        & high
        & lmh_mid_high
        & code("ch", (1, 2, 3))
        & flag("real_change_positive")
        & gent
        & ~sae
    )
    are = pop & high & lmh_mid_high & code("ch", (1, 2)) & ~advg & ~sae
    be = (
        pop
        & high
        & lmh_mid_high
        & code("ch", (3,))
        & flag("lost_low_income")
        & flag("inmover_fell")
        & flag("real_income_rose")
        & ~sae
    )
    smmi = (
        pop & high & _known_false(are) & _known_false(be) & _known_false(sae) & _known_false(advg)
    )
    arg = (
        pop
        & low
        & code("lmh", (1, 4))
        & (code("ch", (1,)) | flag("ab_90percentile_ch", identity=False))
        & ~flag("gentrified_any", identity=False)
        & (flag("dp_pchrent", identity=False) | flag("dp_rentgap", identity=False))
        & flag("vulnerable_t1")
    )
    eog = (
        pop
        & low
        & code("lmh", (2, 5))
        & (code("ch", (2, 3)) | flag("ch_above_rm", identity=False))
        & gent
    )
    od = pop & low & flag("lost_low_income") & ~arg & ~eog
    lisd = pop & low & ~od & ~arg & ~eog
    rules = pd.DataFrame(
        {
            "LISD": lisd,
            "OD": od,
            "ARG": arg,
            "EOG": eog,
            "AdvG": advg,
            "SMMI": smmi,
            "ARE": are,
            "BE": be,
            "SAE": sae,
        },
        index=idx,
    )
    codes = {short: c for c, (short, _) in UDP_CATEGORIES.items() if 1 <= c <= 9}
    classes = _finalise(rules.astype("boolean"), UDP_CATEGORIES, codes, multiple=99)
    return TypologyResult(
        classes=classes,
        flags=flags if isinstance(flags, FlagTable) else None,
        parameters=p,
        typology="udp",
        conditions_dropped=tuple(sorted(dropped)),
    )


def udp_typology(
    indicators: DisplacementIndicators,
    parameters: UDPParameters | None = None,
    *,
    gentrified_earlier: pd.Series | None = None,
) -> TypologyResult:
    """UDP flags then rules (see :func:`udp_flags` and :func:`udp_rules`)."""
    p = parameters or UDPParameters.udp()
    return udp_rules(udp_flags(indicators, p, gentrified_earlier=gentrified_earlier), p)


# -------------------------------------------------------------------------------------- DHD
def dhd_flags(
    indicators: DisplacementIndicators, parameters: DHDParameters | None = None
) -> FlagTable:
    """Flags of Ding, Hwang & Divringi (2016): gentrifiable, market and demographic change.

    ``gentrifiable``: median income at t0 below the median across areas; ``market_up``: rent or
    value % change above its median across areas; ``demographic_up``: college-share rise above
    its median (or, in Brussels, low-income share change below its median). The market changes
    are carried along (``rent_pch``, ``value_pch``) for the intensity rule.
    """
    p = parameters or DHDParameters()
    t = indicators.table
    idx = t.index
    flags = pd.DataFrame(index=idx)
    thresholds: dict[str, float] = {}
    flags["pop_ok"] = (t["pop_t0"] > p.population_min) if "pop_t0" in t else _na(idx)
    thresholds["income_median_t0"] = _median(t["income_t0"])
    flags["gentrifiable"] = t["income_t0"] < thresholds["income_median_t0"]
    markets = [m for m in ("rent", "value") if f"{m}_pch" in t and t[f"{m}_pch"].notna().any()]
    terms = []
    for m in markets:
        thresholds[f"{m}_median_pch"] = _median(t[f"{m}_pch"])
        terms.append(t[f"{m}_pch"] > thresholds[f"{m}_median_pch"])
        flags[f"{m}_pch"] = t[f"{m}_pch"]
    flags["market_up"] = _any(terms, idx)
    if p.demographic_change == "none":
        flags["demographic_up"] = _bool(True, idx)
    else:
        stem = "college" if p.demographic_change == "college" else "low_income_share"
        if f"{stem}_ch_pp" not in t:
            raise DataError(f"demographic_change={p.demographic_change!r} needs the {stem} input")
        change = t[f"{stem}_ch_pp"]
        thresholds[f"{stem}_median_ch_pp"] = _median(change)
        flags["demographic_up"] = (
            change > _median(change) if stem == "college" else change < _median(change)
        )
    for column in ("pop_ok", "gentrifiable", "market_up", "demographic_up"):
        flags[column] = flags[column].astype("boolean")
    used = {"markets": ", ".join(markets) or "none", "demographic_up": p.demographic_change}
    unavailable = tuple(c for c in ("pop_ok", "market_up") if flags[c].isna().all())
    return FlagTable(
        flags=flags, parameters=p, inputs_used=used, unavailable=unavailable, thresholds=thresholds
    )


def dhd_rules(
    flags: pd.DataFrame | FlagTable, parameters: DHDParameters | None = None
) -> TypologyResult:
    """Ding–Hwang–Divringi classes from flags (``pop_ok``, ``gentrifiable``, ``market_up``,
    ``demographic_up`` and the ``rent_pch``/``value_pch`` present).

    Gentrifying = all four flags. Among gentrifying areas: weak if every market change is at or
    below its ``weak_quantile``, intense if any is at or above its ``intense_quantile``,
    moderate otherwise (quantiles across the gentrifying areas, linear interpolation).
    """
    table = flags.flags if isinstance(flags, FlagTable) else flags
    p = parameters or (flags.parameters if isinstance(flags, FlagTable) else DHDParameters())
    needed = ["pop_ok", "gentrifiable", "market_up", "demographic_up"]
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise DataError(f"flags: missing column(s) {', '.join(missing)}")
    markets = [c for c in ("rent_pch", "value_pch") if c in table.columns]
    if not markets:
        raise DataError("flags: need rent_pch and/or value_pch for the intensity rule")
    idx = table.index
    b = {c: table[c].astype("boolean") for c in needed}
    eligible = b["pop_ok"] & b["gentrifiable"]
    gentrifying = eligible & b["market_up"] & b["demographic_up"]
    sure = gentrifying.fillna(False).astype(bool)
    weak_terms, intense_terms = [], []
    for column in markets:
        values = table[column].astype("Float64")
        inside = values[sure].dropna().astype(float)
        low = float(np.quantile(inside, p.weak_quantile)) if len(inside) else np.nan
        high = float(np.quantile(inside, p.intense_quantile)) if len(inside) else np.nan
        weak_terms.append(values <= low)
        intense_terms.append(values >= high)
    weak_all = ~_any([~w for w in weak_terms], idx)
    intense = _any(intense_terms, idx)
    rules = pd.DataFrame(index=idx)
    rules["not_gentrifiable"] = ~eligible
    rules["not_gentrifying"] = eligible & ~gentrifying
    rules["intense"] = gentrifying & intense
    rules["weak"] = gentrifying & weak_all & ~intense
    rules["moderate"] = gentrifying & ~weak_all & ~intense
    codes = {short: c for c, (short, _) in DHD_CATEGORIES.items()}
    classes = _finalise(rules.astype("boolean"), DHD_CATEGORIES, codes, multiple=None)
    return TypologyResult(
        classes=classes,
        flags=flags if isinstance(flags, FlagTable) else None,
        parameters=p,
        typology="dhd",
    )


def dhd_typology(
    indicators: DisplacementIndicators, parameters: DHDParameters | None = None
) -> TypologyResult:
    """Ding–Hwang–Divringi flags then rules."""
    p = parameters or DHDParameters()
    return dhd_rules(dhd_flags(indicators, p), p)


# ------------------------------------------------------------------------------ sensitivity
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
        for _, row in result.summary().iterrows():
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
