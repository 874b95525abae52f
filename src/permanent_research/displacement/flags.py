"""Typology flags from change indicators: UDP input flags and Ding–Hwang–Divringi flags.

Flags are pandas ``boolean``/``Int64`` columns with three-valued (Kleene) logic: a missing
input gives a missing flag (never a silent ``False``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from permanent_research.displacement._logic import (
    _any,
    _bool,
    _count_rule,
    _in,
    _median,
    _na,
    _quantile,
)
from permanent_research.displacement.indicators import DisplacementIndicators
from permanent_research.displacement.parameters import (
    _CRITERIA,
    UDP_FLAG_COLUMNS,
    DHDParameters,
    RegionalChange,
    UDPParameters,
)
from permanent_research.displacement.results import FlagTable
from permanent_research.errors import DataError, ParameterError


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
    # the change of the regional medians is taken over areas with both levels: when the table
    # holds every area with data at t1 (some without t0), mixing area sets would report a
    # change of composition as a change of the region
    both = t[f"{stem}_t0"].notna() & t[f"{stem}_t1"].notna()
    m0, m1 = _median(t.loc[both, f"{stem}_t0"]), _median(t.loc[both, f"{stem}_t1"])
    return 100.0 * (m1 / m0 - 1.0) if kind == "pch" else m1 - m0


def _markets(t: pd.DataFrame, p: UDPParameters) -> list[str]:
    """Markets the flags read: those present among the ones ``p.markets`` allows (rent first)."""
    present = [m for m in ("rent", "value") if f"{m}_t1" in t and t[f"{m}_t1"].notna().any()]
    if p.markets == "rent_and_value":
        return present
    if p.markets not in present:
        column = {"rent": "median_rent_eur_month", "value": "median_value_eur"}[p.markets]
        raise DataError(
            f"markets={p.markets!r} needs {column} in the indicators; supply it or choose one "
            "of 'rent_and_value', 'rent', 'value'"
        )
    return [p.markets]


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
    markets = _markets(t, p)
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
