"""For whom: which households and artists can enter each housing model, at what share of income,
with how many years of secure tenure.

Models (:data:`MODELS`)
-----------------------
``clt_purchase``
    Buying a community-land-trust home with a mortgage: the loan must respect a loan-to-value
    limit and the monthly repayment a debt-service-to-income limit; an income ceiling may apply
    (CLTB serves low-income households). Optionally the price depends on the income category
    (CLTB prices by income; the categories are an input, ``"assumption"`` unless sourced).
``social_rent``
    Social housing: enter if the yearly income is at most the ceiling (after the wait); the rent
    is a share of income.
``temporary_use``
    A space in a temporary occupation: open to anyone, subject to availability (a probability of
    finding a space); a fee per month; secure only for the occupation's length.
``market_rent``
    The private market at *new-lease* rents (movers pay barometer rents, not sitting-tenant
    means); no formal entry limit; a 9-year main-residence lease at best.

Every limit is a value with its source; a value without a public source is labelled
``"assumption"``. A household exactly at a limit is inside it (``≤``; relative tolerance 1e-9
against rounding).

All money in euros of one base year (convert with :mod:`permanent_research.prices`); incomes are
monthly net household incomes (EUR/month).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

import numpy as np
import pandas as pd

from permanent_research._validation import check_columns, check_in_range
from permanent_research.discounting import annuity_factor, check_rate
from permanent_research.errors import DataError, ParameterError
from permanent_research.results import Result

__all__ = [
    "Model",
    "MODELS",
    "decile_groups",
    "artist_groups",
    "EntryRules",
    "EligibilityTable",
    "eligibility",
    "mortgage_entry",
]

Model = Literal["clt_purchase", "social_rent", "temporary_use", "market_rent"]
MODELS: tuple[str, ...] = ("clt_purchase", "social_rent", "temporary_use", "market_rent")
_TOLERANCE = 1e-9  # "exactly at the limit" survives floating-point rounding


def decile_groups(
    deciles_eur_month: Sequence[float] | pd.Series,
    *,
    source: str,
    prefix: str = "D",
) -> pd.DataFrame:
    """Income groups from decile cut points (household net income, EUR/month).

    Parameters
    ----------
    deciles_eur_month
        Cut points D1, D2, … (usually nine), strictly increasing, > 0. A Series keeps its labels.
    source
        Where they come from (e.g. ``tenant_effort.income_deciles`` on the observatory survey,
        or ``"assumption"``).
    prefix
        Label prefix of the groups (``D1`` …).

    Returns
    -------
    pandas.DataFrame
        ``group``, ``kind`` (``"decile"``), ``income_eur_month``, ``source``.

    Raises
    ------
    ParameterError
        Fewer than two values, a value ≤ 0 or missing, or a decile table not increasing (the
        first pair that is not is named).
    """
    values = pd.Series(deciles_eur_month, dtype=float)
    labels = (
        [str(label) for label in values.index]
        if isinstance(deciles_eur_month, pd.Series)
        else [f"{prefix}{k}" for k in range(1, len(values) + 1)]
    )
    if len(values) < 2:
        raise ParameterError(f"deciles_eur_month: need at least two cut points, got {len(values)}")
    bad = values.isna() | (values <= 0)
    if bad.any():
        first = int(np.flatnonzero(bad.to_numpy())[0])
        value = float(values.iloc[first])
        raise ParameterError(
            f"deciles_eur_month: {labels[first]}={value!r} must be a number > 0"
        )
    steps = np.diff(values.to_numpy())
    if (steps <= 0).any():
        k = int(np.flatnonzero(steps <= 0)[0])
        raise ParameterError(
            f"deciles_eur_month: decile table not increasing: {labels[k + 1]} "
            f"({values.iloc[k + 1]:,.2f}) ≤ {labels[k]} ({values.iloc[k]:,.2f})"
        )
    return pd.DataFrame(
        {"group": labels, "kind": "decile", "income_eur_month": values.to_numpy(),
         "source": source}
    )


def artist_groups(incomes_eur_month: Mapping[str, float], *, source: str = "assumption"):
    """Artist income groups, e.g. ``{"artist P25": 900, "artist median": 1300}`` (EUR/month)."""
    rows = []
    for name, income in incomes_eur_month.items():
        value = check_in_range(f"artist income {name!r}", income, 0, None, low_inclusive=False)
        rows.append({"group": str(name), "kind": "artist", "income_eur_month": value,
                     "source": source})
    if not rows:
        raise ParameterError("incomes_eur_month: give at least one artist income")
    return pd.DataFrame(rows)


_DEFAULT_SOURCES = MappingProxyType(
    {
        "clt_secure_years": "clt_facts: ground lease 50 years, renewable",
        "social_wait_years": "social_housing: waiting time 10-16 years (BX1, 2024-05), midpoint",
        "market_secure_years": "Brussels Housing Code: a main-residence lease runs 9 years "
        "(the landlord may end it earlier with notice): an upper bound",
    }
)


@dataclass(frozen=True)
class EntryRules(Result):
    """Entry limits, prices and tenure of the four models (euros of one base year).

    Limits that are shares (``max_ltv``, ``max_dsti``, ``social_rent_share_of_income``) must lie
    in (0, 1]; ``temporary_availability`` (probability of finding a space) in [0, 1].

    Attributes
    ----------
    clt_price_eur
        CLT home price (EUR), used when ``clt_price_by_income`` is not given.
    mortgage_rate
        Annual mortgage rate (fraction); repaid monthly at the equivalent monthly rate
        ``(1 + r)^(1/12) − 1`` (the Belgian convention).
    mortgage_years
        Loan term (years).
    max_ltv
        Loan-to-value limit, loan / price.
    max_dsti
        Debt-service-to-income limit, monthly repayment / monthly net income.
    own_funds_eur
        Savings put into the purchase (EUR).
    purchase_costs_share
        Registration duties, notary and loan fees as a share of the price (financed by the loan
        after own funds).
    clt_charges_eur_month
        Ground-lease fee, maintenance and insurance a CLT owner pays (EUR/month).
    clt_income_ceiling_eur_year
        Income ceiling for CLT buyers (EUR/year, yearly = 12 × monthly), or ``None``.
    clt_price_by_income
        Optional CLTB-style pricing: a table ``max_income_eur_year`` (increasing; the last may be
        ``inf``) → ``price_eur``; a household pays the price of the first category whose
        ceiling is at least its yearly income.
    clt_secure_years
        Years of secure tenure of a CLT owner.
    social_income_ceiling_eur_year
        Social-housing income ceiling (EUR/year).
    social_rent_share_of_income
        Social rent as a share of income.
    social_wait_years
        Expected wait before entering (years; shown, not part of eligibility).
    social_secure_years
        Years of secure tenure once housed.
    temporary_fee_eur_month
        Occupation fee (EUR/month).
    temporary_availability
        Probability of finding a space (0 = none available → not eligible).
    temporary_secure_years
        Length of an occupation (years).
    market_rent_eur_month
        New-lease market rent (EUR/month).
    market_secure_years
        Years of secure tenure on the market.
    sources
        Attribute name → source; anything not named is ``"assumption"``.
    """

    clt_price_eur: float
    mortgage_rate: float
    mortgage_years: int
    max_ltv: float
    max_dsti: float
    social_income_ceiling_eur_year: float
    social_rent_share_of_income: float
    temporary_fee_eur_month: float
    temporary_availability: float
    temporary_secure_years: float
    market_rent_eur_month: float
    own_funds_eur: float = 0.0
    purchase_costs_share: float = 0.0
    clt_charges_eur_month: float = 0.0
    clt_income_ceiling_eur_year: float | None = None
    clt_price_by_income: pd.DataFrame | None = None
    clt_secure_years: float = 50.0
    social_wait_years: float = 13.0
    social_secure_years: float = 50.0
    market_secure_years: float = 9.0
    sources: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("max_ltv", "max_dsti", "social_rent_share_of_income"):
            check_in_range(name, getattr(self, name), 0, 1, low_inclusive=False)
        check_in_range("temporary_availability", self.temporary_availability, 0, 1)
        for name in ("clt_price_eur", "social_income_ceiling_eur_year", "market_rent_eur_month"):
            check_in_range(name, getattr(self, name), 0, None, low_inclusive=False)
        for name in ("own_funds_eur", "purchase_costs_share", "clt_charges_eur_month",
                     "temporary_fee_eur_month", "clt_secure_years", "social_wait_years",
                     "social_secure_years", "temporary_secure_years", "market_secure_years"):
            check_in_range(name, getattr(self, name), 0, None)
        check_in_range("mortgage_rate", self.mortgage_rate, -0.99, 0.2)
        years = check_in_range("mortgage_years", self.mortgage_years, 1, 40)
        if years != int(years):
            raise ParameterError(f"mortgage_years={self.mortgage_years!r} must be whole years")
        if self.clt_income_ceiling_eur_year is not None:
            check_in_range("clt_income_ceiling_eur_year", self.clt_income_ceiling_eur_year, 0,
                           None, low_inclusive=False)
        if self.clt_price_by_income is not None:
            self._check_price_table(self.clt_price_by_income)
        unknown = [k for k in self.sources if k not in self.__dataclass_fields__]
        if unknown:
            raise ParameterError(f"sources: unknown rule(s) {', '.join(unknown)}")
        object.__setattr__(self, "sources", MappingProxyType({**_DEFAULT_SOURCES,
                                                               **dict(self.sources)}))

    @staticmethod
    def _check_price_table(table: pd.DataFrame) -> None:
        check_columns(table, ["max_income_eur_year", "price_eur"], source="clt_price_by_income")
        ceilings = pd.to_numeric(table["max_income_eur_year"], errors="coerce").to_numpy(float)
        prices = pd.to_numeric(table["price_eur"], errors="coerce").to_numpy(float)
        if len(table) == 0 or np.isnan(ceilings).any() or np.isnan(prices).any():
            raise DataError("clt_price_by_income: needs numeric rows of max_income_eur_year, "
                            "price_eur")
        if (np.diff(ceilings) <= 0).any():
            raise DataError("clt_price_by_income: max_income_eur_year not increasing")
        if (prices <= 0).any():
            raise DataError("clt_price_by_income: price_eur must be > 0")

    def source(self, name: str) -> str:
        return self.sources.get(name, "assumption")

    def to_frame(self) -> pd.DataFrame:
        """Each rule with its value and source (``"assumption"`` where none is given)."""
        rows = []
        for name in self.__dataclass_fields__:
            if name in ("sources", "clt_price_by_income"):
                continue
            rows.append({"rule": name, "value": getattr(self, name), "source": self.source(name)})
        if self.clt_price_by_income is not None:
            rows.append({"rule": "clt_price_by_income",
                         "value": f"{len(self.clt_price_by_income)} income categories",
                         "source": self.source("clt_price_by_income")})
        return pd.DataFrame(rows)

    def clt_price(self, income_eur_year: np.ndarray) -> np.ndarray:
        """CLT price per household (income categories if given, else the single price)."""
        if self.clt_price_by_income is None:
            return np.full(np.shape(income_eur_year), float(self.clt_price_eur))
        table = self.clt_price_by_income
        ceilings = table["max_income_eur_year"].to_numpy(float)
        prices = table["price_eur"].to_numpy(float)
        slot = np.searchsorted(ceilings * (1 + _TOLERANCE), income_eur_year, side="left")
        return np.where(slot < len(prices), prices[np.minimum(slot, len(prices) - 1)], np.nan)


def _within(value: np.ndarray, limit: float) -> np.ndarray:
    return value <= limit * (1 + _TOLERANCE)


def mortgage_entry(
    income_eur_month: float | np.ndarray,
    price_eur: float | np.ndarray,
    mortgage_rate: float | np.ndarray,
    *,
    mortgage_years: int,
    max_ltv: float,
    max_dsti: float,
    own_funds_eur: float | np.ndarray = 0.0,
    purchase_costs_share: float = 0.0,
) -> dict[str, np.ndarray]:
    """Can a household buy at ``price_eur`` under the loan-to-value and debt-service limits?

    Vectorised: arguments broadcast against each other, e.g. incomes of shape ``(1, k)``
    (deciles) against prices and rates of shape ``(n, 1)`` (Monte Carlo draws) give ``(n, k)``
    arrays. The loan (price × (1 + purchase costs) − own funds, at least 0) is repaid monthly
    over ``mortgage_years`` at the equivalent monthly rate ``(1 + r)^(1/12) − 1``.

    Returns
    -------
    dict of numpy.ndarray
        ``loan_eur``, ``repayment_eur_month``, ``loan_to_value``, ``debt_service_to_income``,
        ``within_ltv``, ``within_dsti`` and ``eligible`` (both; a value exactly at a limit is
        within it).

    Raises
    ------
    ParameterError
        A limit outside (0, 1], a rate outside (−1, 0.2], a price or income ≤ 0.
    """
    check_in_range("max_ltv", max_ltv, 0, 1, low_inclusive=False)
    check_in_range("max_dsti", max_dsti, 0, 1, low_inclusive=False)
    income = np.asarray(income_eur_month, dtype=float)
    price = np.asarray(price_eur, dtype=float)
    if (income <= 0).any() or (price <= 0).any():
        raise ParameterError("mortgage_entry: incomes and prices must be > 0")
    loan = np.maximum(price * (1 + purchase_costs_share) - np.asarray(own_funds_eur), 0.0)
    annual_rate = np.asarray(check_rate(mortgage_rate, "mortgage_rate"), dtype=float)
    monthly_rate = (1 + annual_rate) ** (1 / 12) - 1
    months = int(mortgage_years) * 12
    if np.ndim(monthly_rate) == 0:
        repayment = loan / annuity_factor(float(monthly_rate), months, timing="end")
    else:
        repayment = loan / annuity_factor(monthly_rate.ravel(), months, timing="end").reshape(
            monthly_rate.shape)
    ltv = loan / price
    dsti = repayment / income
    within_ltv = _within(ltv, max_ltv)
    within_dsti = _within(dsti, max_dsti)
    return {
        "loan_eur": loan,
        "repayment_eur_month": repayment,
        "loan_to_value": ltv,
        "debt_service_to_income": dsti,
        "within_ltv": within_ltv,
        "within_dsti": within_dsti,
        "eligible": within_ltv & within_dsti,
    }


@dataclass(frozen=True)
class EligibilityTable(Result):
    """Group × model: can they enter, what share of income it costs, years of secure tenure.

    Attributes
    ----------
    groups
        ``group``, ``kind`` (decile / artist / …), ``income_eur_month``, ``source`` (from
        :func:`decile_groups` and :func:`artist_groups`, concatenated).
    rules
        The :class:`EntryRules`.
    """

    groups: pd.DataFrame
    rules: EntryRules

    def __post_init__(self) -> None:
        check_columns(self.groups, ["group", "income_eur_month"], source="groups")
        incomes = pd.to_numeric(self.groups["income_eur_month"], errors="coerce")
        bad = incomes.isna() | (incomes <= 0)
        if bad.any():
            raise DataError(
                f"groups: income_eur_month must be > 0, rows {list(self.groups.index[bad][:5])}"
            )
        if self.groups["group"].duplicated().any():
            dup = sorted(set(self.groups.loc[self.groups["group"].duplicated(), "group"]))
            raise DataError(f"groups: group(s) {', '.join(map(str, dup))} appear twice")
        if not isinstance(self.rules, EntryRules):
            raise ParameterError("rules: expected an EntryRules")

    def _model_rows(self) -> dict[str, pd.DataFrame]:
        r = self.rules
        income = self.groups["income_eur_month"].to_numpy(dtype=float)
        income_year = 12 * income
        n = len(income)

        # CLT purchase under mortgage limits
        price = r.clt_price(income_year)
        entry = mortgage_entry(
            income, np.where(np.isnan(price), 1.0, price), r.mortgage_rate,
            mortgage_years=int(r.mortgage_years), max_ltv=r.max_ltv, max_dsti=r.max_dsti,
            own_funds_eur=r.own_funds_eur, purchase_costs_share=r.purchase_costs_share,
        )
        # a household above every price category has no price: its figures stay missing
        unpriced = np.isnan(price)
        ltv = np.where(unpriced, np.nan, entry["loan_to_value"])
        dsti = np.where(unpriced, np.nan, entry["debt_service_to_income"])
        repayment = np.where(unpriced, np.nan, entry["repayment_eur_month"])
        ok_ltv, ok_dsti = entry["within_ltv"], entry["within_dsti"]
        ceiling = r.clt_income_ceiling_eur_year
        ok_income = np.ones(n, bool) if ceiling is None else _within(income_year, ceiling)
        ok_price = ~np.isnan(price)
        clt_ok = ok_ltv & ok_dsti & ok_income & ok_price
        reasons = []
        for i in range(n):
            why = []
            if not ok_price[i]:
                why.append("income above every CLT price category")
            if not ok_income[i]:
                why.append(f"income {income_year[i]:,.0f} > CLT ceiling {ceiling:,.0f} EUR/yr")
            if ok_price[i] and not ok_ltv[i]:
                why.append(f"loan-to-value {ltv[i]:.2f} > {r.max_ltv:.2f}")
            if ok_price[i] and not ok_dsti[i]:
                why.append(f"debt service {dsti[i]:.0%} of income > {r.max_dsti:.0%}")
            reasons.append("; ".join(why))
        clt = pd.DataFrame(
            {
                "eligible": clt_ok,
                "cost_eur_month": repayment + r.clt_charges_eur_month,
                "secure_years": np.where(clt_ok, r.clt_secure_years, 0.0),
                "wait_years": 0.0,
                "entry_probability": clt_ok.astype(float),
                "loan_to_value": ltv,
                "debt_service_to_income": dsti,
                "price_eur": price,
                "reason": reasons,
            }
        )

        social_ok = _within(income_year, r.social_income_ceiling_eur_year)
        social = pd.DataFrame(
            {
                "eligible": social_ok,
                "cost_eur_month": r.social_rent_share_of_income * income,
                "secure_years": np.where(social_ok, r.social_secure_years, 0.0),
                "wait_years": np.where(social_ok, r.social_wait_years, np.nan),
                "entry_probability": social_ok.astype(float),
                "reason": [
                    "" if ok else f"income {y:,.0f} > ceiling "
                    f"{r.social_income_ceiling_eur_year:,.0f} EUR/yr"
                    for ok, y in zip(social_ok, income_year, strict=True)
                ],
            }
        )

        temp_ok = np.full(n, r.temporary_availability > 0)
        temporary = pd.DataFrame(
            {
                "eligible": temp_ok,
                "cost_eur_month": np.full(n, r.temporary_fee_eur_month),
                "secure_years": np.where(temp_ok, r.temporary_secure_years, 0.0),
                "wait_years": 0.0,
                "entry_probability": r.temporary_availability,
                "reason": ["" if ok else "no space available" for ok in temp_ok],
            }
        )

        market = pd.DataFrame(
            {
                "eligible": np.ones(n, bool),
                "cost_eur_month": np.full(n, r.market_rent_eur_month),
                "secure_years": r.market_secure_years,
                "wait_years": 0.0,
                "entry_probability": 1.0,
                "reason": "",
            }
        )
        return {"clt_purchase": clt, "social_rent": social, "temporary_use": temporary,
                "market_rent": market}

    def to_frame(self) -> pd.DataFrame:
        """One row per group and model: ``group``, ``kind``, ``income_eur_month``, ``model``,
        ``eligible``, ``cost_eur_month``, ``cost_to_income``, ``secure_years`` (0 when not
        eligible), ``wait_years``, ``entry_probability``, ``reason`` (why not eligible), and for
        the CLT purchase ``loan_to_value``, ``debt_service_to_income``, ``price_eur``."""
        base = self.groups.reset_index(drop=True)
        kind = base["kind"] if "kind" in base else pd.Series("group", index=base.index)
        parts = []
        for model, rows in self._model_rows().items():
            part = pd.concat(
                [pd.DataFrame({"group": base["group"], "kind": kind,
                               "income_eur_month": base["income_eur_month"].astype(float),
                               "model": model}),
                 rows.reset_index(drop=True)],
                axis=1,
            )
            part["cost_to_income"] = part["cost_eur_month"] / part["income_eur_month"]
            parts.append(part)
        frame = pd.concat(parts, ignore_index=True)
        order = ["group", "kind", "income_eur_month", "model", "eligible", "cost_eur_month",
                 "cost_to_income", "secure_years", "wait_years", "entry_probability", "reason",
                 "loan_to_value", "debt_service_to_income", "price_eur"]
        return frame[order]

    def wide(self) -> pd.DataFrame:
        """The at-a-glance table: one row per group, one column per model, cells like
        ``"yes · 23% · 50 y"`` or ``"no (debt service 61% of income > 33%)"``."""
        frame = self.to_frame()

        def cell(row) -> str:
            if row.eligible:
                return f"yes · {row.cost_to_income:.0%} · {row.secure_years:g} y"
            return f"no ({row.reason})"

        frame["cell"] = [cell(row) for row in frame.itertuples(index=False)]
        table = frame.pivot(index="group", columns="model", values="cell")
        table = table.reindex(index=list(self.groups["group"]), columns=list(MODELS))
        return table.reset_index()

    def sources(self) -> pd.DataFrame:
        """The rules with their sources, and where the incomes come from."""
        incomes = (
            self.groups[["group", "source"]].rename(columns={"group": "rule"})
            .assign(value=self.groups["income_eur_month"].to_numpy())
            if "source" in self.groups
            else pd.DataFrame(columns=["rule", "value", "source"])
        )
        return pd.concat([self.rules.to_frame(), incomes[["rule", "value", "source"]]],
                         ignore_index=True)

    def summary(self) -> str:
        frame = self.to_frame()
        lines = ["Who can enter which model (eligible groups / all groups):"]
        for model in MODELS:
            part = frame[frame["model"] == model]
            ok = part[part["eligible"]]
            median = ok["cost_to_income"].median() if len(ok) else float("nan")
            lines.append(
                f"  {model}: {len(ok)}/{len(part)} groups; median cost {median:.0%} of income"
                if len(ok) else f"  {model}: no group can enter"
            )
        return "\n".join(lines)

    def plot(self):
        """Groups × models: cost-to-income, "no" where not eligible (``plots.money``)."""
        from permanent_research.plots.money import eligibility_grid

        frame = self.to_frame()
        groups = list(self.groups["group"])
        cost = frame.pivot(index="group", columns="model", values="cost_to_income").reindex(
            index=groups, columns=list(MODELS))
        ok = frame.pivot(index="group", columns="model", values="eligible").reindex(
            index=groups, columns=list(MODELS))
        return eligibility_grid(cost, ok)

def eligibility(
    groups: pd.DataFrame | Sequence[pd.DataFrame], rules: EntryRules
) -> EligibilityTable:
    """Decile (and artist) × model → eligible?, cost-to-income, years of secure tenure.

    Parameters
    ----------
    groups
        From :func:`decile_groups` and :func:`artist_groups` (one frame or a list).
    rules
        :class:`EntryRules` (euros of the same base year as the incomes).

    Returns
    -------
    EligibilityTable
        ``to_frame()`` tidy, ``wide()`` at a glance, ``sources()`` the rules with sources.
    """
    frame = groups if isinstance(groups, pd.DataFrame) else pd.concat(list(groups),
                                                                       ignore_index=True)
    return EligibilityTable(groups=frame.reset_index(drop=True), rules=rules)
