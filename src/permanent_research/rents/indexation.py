"""Brussels rent indexation (art. 1728bis Civil Code, Brussels housing code, 2022–2023 rules)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from permanent_research._validation import check_choice, check_positive
from permanent_research.errors import ParameterError
from permanent_research.rents._base import ResultMixin

__all__ = ["IndexationResult", "indexed_rent", "EPB_CLASSES", "FREEZE_START", "FREEZE_END"]

EPB_CLASSES = ("A++", "A+", "A", "B", "C", "D", "E", "F", "G")
FREEZE_START = dt.date(2022, 10, 14)
FREEZE_END = dt.date(2023, 10, 13)


@dataclass(frozen=True)
class IndexationResult(ResultMixin):
    """Indexed rent and how it was computed (euros per month, index points)."""

    rent_base_eur_month: float
    rent_indexed_eur_month: float
    anniversary: dt.date
    index_start: float
    index_new: float
    correction_factor: float
    rule: str

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    "rent_base_eur_month": self.rent_base_eur_month,
                    "anniversary": self.anniversary.isoformat(),
                    "index_start": self.index_start,
                    "index_new": self.index_new,
                    "correction_factor": self.correction_factor,
                    "rent_indexed_eur_month": self.rent_indexed_eur_month,
                    "rule": self.rule,
                }
            ]
        )

    def summary(self) -> str:
        return (
            f"{self.rent_base_eur_month:,.2f} → {self.rent_indexed_eur_month:,.2f} EUR/month "
            f"on {self.anniversary.isoformat()} ({self.rule})"
        )


def _as_date(name: str, value) -> dt.date:
    try:
        return pd.Timestamp(value).date()
    except (TypeError, ValueError):
        raise ParameterError(f"{name}={value!r} is not a date (use 'YYYY-MM-DD')") from None


def _anniversary(entry: dt.date, year: int) -> dt.date:
    day = 28 if (entry.month, entry.day) == (2, 29) else entry.day
    return dt.date(year, entry.month, day)


def _month_before(index: pd.Series, day: dt.date, name: str) -> float:
    month = pd.Period(day, freq="M") - 1
    if month not in index.index:
        first, last = index.index.min(), index.index.max()
        raise ParameterError(
            f"{name}: no health index for {month} (the month before {day.isoformat()}); the "
            f"index covers {first}–{last} with gaps"
        )
    return float(index.loc[month])


def indexed_rent(
    rent_base_eur_month: float,
    *,
    signed: str | dt.date,
    anniversary_year: int,
    health_index: pd.Series,
    entry_into_force: str | dt.date | None = None,
    epb_class: str | None = None,
) -> IndexationResult:
    """Indexed Brussels rent at an anniversary of the lease.

    ``R_new = R_base · I_new / I_start · CF``, where ``I_start`` is the health index of the
    month before the lease was *signed* and ``I_new`` that of the month before the anniversary
    of its *entry into force* (METHODS.md §3). ``CF`` = 1 except for the energy-performance rules:

    * anniversaries from 14/10/2022 to 13/10/2023 (the freeze year ``A*``): class F and G not
      indexed (the rent stays at the previous year's indexed level), class E indexed at 50 %
      of the increase;
    * later anniversaries of leases that entered into force before 14/10/2022 with class
      E, F or G: the result is multiplied by a correction factor, E:
      ``0.5 · (I_prev + I_frozen) / I_frozen``, F/G: ``I_prev / I_frozen``, with
      ``I_frozen`` the index of the month before ``A*`` and ``I_prev`` one year earlier.

    Both cases use the same factor, so the freeze-year rent is ``R_base · I_prev / I_start``
    (F/G) or ``R_base · (I_prev + I_frozen) / (2 · I_start)`` (E).

    [U] METHODS.md states the correction factor for anniversaries from 1/1 to 13/10/2023
    (``I_prev = I_2022``, ``I_frozen = I_2023``). Applying the same "one year before ``A*``"
    reading to anniversaries between 14/10 and 31/12/2022 is unverified; so is the treatment
    of a lease whose *first* anniversary falls in the freeze year (``I_prev`` is then the
    month before the anniversary one year earlier, not ``I_start``). Leases without an EPB
    certificate, the 3-month back-payment limit and the registration condition are not
    modelled.

    Parameters
    ----------
    rent_base_eur_month
        Rent at signing (euros per month, excluding charges).
    signed
        Signing date of the lease.
    anniversary_year
        Year of the anniversary (of entry into force) at which the indexed rent is due.
    health_index
        Monthly health index (index points, one base) with a monthly ``PeriodIndex``, e.g.
        ``health_index_deflator(load("health_index_cpi")).monthly``.
    entry_into_force
        Date the lease took effect (default: ``signed``).
    epb_class
        EPB certificate class (``"A++"`` … ``"G"``) or ``None`` (treated as A–D: no limit).

    Returns
    -------
    IndexationResult
        The indexed rent (euros per month), the indices used and the rule applied.
    """
    check_positive("rent_base_eur_month", rent_base_eur_month)
    if epb_class is not None:
        check_choice("epb_class", epb_class, EPB_CLASSES)
    signed_date = _as_date("signed", signed)
    entry = (
        signed_date if entry_into_force is None else _as_date("entry_into_force", entry_into_force)
    )
    if entry < signed_date:
        raise ParameterError(f"entry_into_force={entry} is before signed={signed_date}")
    if not isinstance(anniversary_year, int) or anniversary_year <= entry.year:
        raise ParameterError(
            f"anniversary_year={anniversary_year!r} must be a year after entry into force "
            f"({entry.year})"
        )
    anniversary = _anniversary(entry, anniversary_year)
    i_start = _month_before(health_index, signed_date, "signed")
    i_new = _month_before(health_index, anniversary, "anniversary")
    factor, rule = 1.0, "standard indexation"
    if epb_class in ("E", "F", "G") and entry < FREEZE_START and anniversary >= FREEZE_START:
        year = FREEZE_START.year
        frozen = _anniversary(entry, year)
        if frozen < FREEZE_START:
            frozen = _anniversary(entry, year + 1)
        i_frozen = _month_before(health_index, frozen, "freeze-year anniversary")
        i_prev = _month_before(
            health_index,
            _anniversary(entry, frozen.year - 1),
            "anniversary before the freeze year",
        )
        if epb_class == "E":
            factor = 0.5 * (i_prev + i_frozen) / i_frozen
        else:
            factor = i_prev / i_frozen
        if anniversary <= FREEZE_END:
            rule = (
                "EPB E: 50% indexation (14/10/2022–13/10/2023)"
                if epb_class == "E"
                else f"EPB {epb_class}: not indexed (14/10/2022–13/10/2023)"
            )
        else:
            rule = f"EPB {epb_class}: correction factor for the 2022–2023 freeze"
    rent = rent_base_eur_month * i_new / i_start * factor
    return IndexationResult(
        float(rent_base_eur_month), float(rent), anniversary, i_start, i_new, float(factor), rule
    )
