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

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import pandas as pd

from permanent_research._validation import check_columns, check_in_range
from permanent_research.discounting import annuity_factor, check_rate
from permanent_research.errors import DataError, ParameterError, ScenarioError
from permanent_research.options import CLT_PRICINGS, HOUSING_MODELS, CltPricing, HousingModel
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
    "EligibilitySettings",
    "validate_eligibility",
]

Model = HousingModel
MODELS: tuple[str, ...] = HOUSING_MODELS
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
                years = f"{round(float(row.secure_years), 1):g}"
                return f"yes · {row.cost_to_income:.0%} · {years} y"
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


# --------------------------------------------------------------------------------------------
# the scenario file's ``eligibility:`` section
# --------------------------------------------------------------------------------------------
#: key -> (what it is, lowest, highest, lowest is open); shares are limits in (0, 1]
_SHARES = {
    "max_ltv": "loan-to-value limit (loan / price)",
    "max_dsti": "debt-service-to-income limit (monthly repayment / monthly net income)",
    "clt_income_ceiling_share_of_social": "CLT buyers' income ceiling / social-housing ceiling",
}
_SETTING_KEYS = (
    "max_ltv", "max_dsti", "mortgage_rate_nominal", "own_funds_eur", "purchase_costs_share",
    "social_income_ceiling_eur_year", "clt_income_ceiling_share_of_social", "clt_pricing",
    "clt_income_categories", "artist_incomes_eur_month", "social_secure_years",
    "market_secure_years",
)
_DATED = ("own_funds_eur", "social_income_ceiling_eur_year", "artist_incomes_eur_month")


@dataclass(frozen=True)
class EligibilitySettings(Result):
    """Entry limits of the housing models, each with its source (a scenario's ``eligibility:``).

    Build with :func:`validate_eligibility`; :meth:`in_base_year` converts the euro amounts
    (own funds, the social-housing ceiling, artists' incomes) from their price year to euros of
    the scenario's base year with the health index (kind ``income`` / ``price``).

    Attributes
    ----------
    max_ltv, max_dsti
        Mortgage loan-to-value and debt-service-to-income limits, in (0, 1].
    mortgage_rate_nominal
        Rate the bank's repayment test uses (annual, nominal: the test is on today's income).
    own_funds_eur
        Savings a buyer brings (EUR of ``price_years["own_funds_eur"]``).
    purchase_costs_share
        Registration duties, notary and loan fees over the price, financed by the loan.
    social_income_ceiling_eur_year
        Social-housing income ceiling of a household (EUR/year).
    clt_income_ceiling_share_of_social
        CLT buyers' income ceiling as a share of the social ceiling ((0, 1]; ``None``: none).
    clt_pricing
        ``"cost_price"`` or ``"income_categories"``
        (:data:`~permanent_research.options.CLT_PRICINGS`).
    clt_income_categories
        ``max_income_share_of_social_ceiling`` (increasing, > 0) → ``price_share_of_cost``
        ((0, 1]); used with ``clt_pricing="income_categories"``.
    artist_incomes_eur_month
        Artist group → monthly net income.
    social_secure_years, market_secure_years
        Years of secure tenure once housed (social lease; private main-residence lease).
    price_years
        Euro key → year its euros are of.
    base_year
        ``None`` as written in the file; the base year after :meth:`in_base_year`.
    sources
        Key → source (``"assumption"`` where the file says so).
    """

    max_ltv: float
    max_dsti: float
    mortgage_rate_nominal: float
    own_funds_eur: float
    purchase_costs_share: float
    social_income_ceiling_eur_year: float
    clt_income_ceiling_share_of_social: float | None
    clt_pricing: CltPricing
    clt_income_categories: pd.DataFrame
    artist_incomes_eur_month: Mapping[str, float]
    social_secure_years: float
    market_secure_years: float
    price_years: Mapping[str, int]
    base_year: int | None = None
    sources: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("max_ltv", "max_dsti"):
            check_in_range(name, getattr(self, name), 0, 1, low_inclusive=False)
        if self.clt_income_ceiling_share_of_social is not None:
            check_in_range("clt_income_ceiling_share_of_social",
                           self.clt_income_ceiling_share_of_social, 0, 1, low_inclusive=False)
        check_rate(self.mortgage_rate_nominal, "mortgage_rate_nominal")
        check_in_range("own_funds_eur", self.own_funds_eur, 0, None)
        check_in_range("purchase_costs_share", self.purchase_costs_share, 0, 1)
        check_in_range("social_income_ceiling_eur_year", self.social_income_ceiling_eur_year, 0,
                       None, low_inclusive=False)
        check_in_range("social_secure_years", self.social_secure_years, 0, None)
        check_in_range("market_secure_years", self.market_secure_years, 0, None)
        if self.clt_pricing not in CLT_PRICINGS:
            raise ParameterError(f"clt_pricing={self.clt_pricing!r}; allowed: "
                                 f"{', '.join(CLT_PRICINGS)}")
        _check_categories(self.clt_income_categories, "clt_income_categories")

    def in_base_year(self, base_year: int, indexes) -> EligibilitySettings:
        """The settings with every euro amount in euros of ``base_year`` (health index).

        ``indexes``: :func:`permanent_research.prices.price_indexes`. Incomes and the ceiling
        are of kind ``income``, own funds of kind ``price``.
        """
        from permanent_research.prices import to_base_year

        if self.base_year is not None:
            raise ParameterError(f"eligibility settings are already in {self.base_year} euros")

        def convert(key: str, value, kind: str):
            return to_base_year(value, self.price_years[key], base_year, kind, indexes=indexes,
                                name=f"eligibility.{key}")

        artists = {name: float(convert("artist_incomes_eur_month", income, "income"))
                   for name, income in self.artist_incomes_eur_month.items()}
        return self.replace(
            own_funds_eur=float(convert("own_funds_eur", self.own_funds_eur, "price")),
            social_income_ceiling_eur_year=float(convert(
                "social_income_ceiling_eur_year", self.social_income_ceiling_eur_year,
                "income")),
            artist_incomes_eur_month=MappingProxyType(artists),
            base_year=int(base_year),
        )

    def artist_income_quantiles(self) -> dict[float, float]:
        """The artists' incomes as quantiles of their income distribution.

        Returns
        -------
        dict
            Probability (from the group name: ``"artist P25"`` → 0.25, ``"… median"`` → 0.5)
            → monthly net income (EUR of the settings' euros), sorted by probability.
        """
        found = {_artist_quantile(name): income
                 for name, income in self.artist_incomes_eur_month.items()}
        return {p: found[p] for p in sorted(p for p in found if p is not None)}

    def clt_income_ceiling_eur_year(self) -> float | None:
        """CLT buyers' income ceiling (EUR/year), or ``None``."""
        share = self.clt_income_ceiling_share_of_social
        return None if share is None else share * self.social_income_ceiling_eur_year

    def clt_price_table(self, cost_price_eur: float) -> pd.DataFrame | None:
        """CLTB-style price table (``max_income_eur_year`` → ``price_eur``) for a home whose
        cost price is ``cost_price_eur``; ``None`` with ``clt_pricing="cost_price"``."""
        if self.clt_pricing == "cost_price":
            return None
        cats = self.clt_income_categories
        return pd.DataFrame({
            "max_income_eur_year": cats["max_income_share_of_social_ceiling"].to_numpy(float)
            * self.social_income_ceiling_eur_year,
            "price_eur": cats["price_share_of_cost"].to_numpy(float) * cost_price_eur,
        })

    def to_frame(self) -> pd.DataFrame:
        """One row per setting: ``setting``, ``value``, ``price_year`` (euro amounts),
        ``source``."""
        rows = []
        for key in _SETTING_KEYS:
            value = getattr(self, key)
            if key == "clt_income_categories":
                value = "; ".join(
                    f"≤ {a:.0%} of the social ceiling: {b:.0%} of cost"
                    for a, b in zip(value["max_income_share_of_social_ceiling"],
                                    value["price_share_of_cost"], strict=True))
            elif key == "artist_incomes_eur_month":
                value = ", ".join(f"{k}: {v:,.0f}" for k, v in value.items())
            year = self.base_year if (self.base_year and key in _DATED) else (
                self.price_years.get(key))
            rows.append({"setting": key, "value": value, "price_year": year,
                         "source": self.sources.get(key, "assumption")})
        return pd.DataFrame(rows)

    def summary(self) -> str:
        euros = f"{self.base_year} euros" if self.base_year else "euros of each price year"
        return (f"Entry limits ({euros}): loan-to-value ≤ {self.max_ltv:.0%}, debt service ≤ "
                f"{self.max_dsti:.0%} of income at {self.mortgage_rate_nominal:.2%}; social "
                f"ceiling {self.social_income_ceiling_eur_year:,.0f} EUR/year; CLT pricing "
                f"{self.clt_pricing}")


_QUANTILE_NAME = re.compile(r"(?:^|\s)(?:P(\d{1,2})|(median))$")


def _artist_quantile(name: str) -> float | None:
    """``"artist P25"`` → 0.25, ``"artist median"`` → 0.5; ``None`` for any other name."""
    match = _QUANTILE_NAME.search(name.strip())
    if not match:
        return None
    if match.group(2):
        return 0.5
    percentile = int(match.group(1))
    return percentile / 100 if 1 <= percentile <= 99 else None


def _check_categories(table: pd.DataFrame, name: str, source: str = "") -> None:
    where = f"{source}: " if source else ""
    columns = ["max_income_share_of_social_ceiling", "price_share_of_cost"]
    if not isinstance(table, pd.DataFrame) or [c for c in columns if c not in table]:
        raise ScenarioError(f"{where}{name}: needs {' and '.join(columns)}")
    ceilings = pd.to_numeric(table[columns[0]], errors="coerce").to_numpy(float)
    shares = pd.to_numeric(table[columns[1]], errors="coerce").to_numpy(float)
    if len(table) == 0 or np.isnan(ceilings).any() or np.isnan(shares).any():
        raise ScenarioError(f"{where}{name}: give numbers for {' and '.join(columns)}")
    if (ceilings <= 0).any():
        raise ScenarioError(f"{where}{name}.{columns[0]}: every value must be > 0")
    steps = np.diff(ceilings)
    if (steps <= 0).any():
        k = int(np.flatnonzero(steps <= 0)[0])
        raise ScenarioError(
            f"{where}{name}.{columns[0]}: table not increasing ({ceilings[k + 1]:g} after "
            f"{ceilings[k]:g}); allowed: strictly increasing values > 0")
    bad = (shares <= 0) | (shares > 1)
    if bad.any():
        raise ScenarioError(
            f"{where}{name}.{columns[1]}={shares[bad][0]:g} is outside the allowed range (0, 1]")


def validate_eligibility(mapping: Mapping, *, source: str = "scenario") -> EligibilitySettings:
    """Check a scenario file's ``eligibility:`` section (registered in ``SECTION_VALIDATORS``).

    Expected form (YAML; every entry needs ``source:``, every euro amount ``year:``)::

        eligibility:
          max_ltv: {value: 0.90, source: "NBB prudential expectations (2020)"}
          max_dsti: {value: 0.50, source: "NBB prudential expectations (2020)"}
          mortgage_rate_nominal: {value: 0.035, source: assumption}
          own_funds_eur: {value: 10000, year: 2024, source: assumption}
          purchase_costs_share: {value: 0.05, source: assumption}
          social_income_ceiling_eur_year: {value: 27546.51, year: 2016, source: "..."}
          clt_income_ceiling_share_of_social: {value: 1.0, source: "..."}
          clt_pricing: {value: cost_price, source: "..."}
          clt_income_categories: {max_income_share_of_social_ceiling: [0.5, 0.75, 1.0],
                                  price_share_of_cost: [0.7, 0.85, 1.0], source: assumption}
          artist_incomes_eur_month: {values: {artist P25: 900}, year: 2024, source: assumption}
          social_secure_years: {value: 50, source: assumption}
          market_secure_years: {value: 9, source: "Brussels Housing Code"}

    Raises
    ------
    ScenarioError
        One line naming the key and the allowed range or values: an unknown or missing key, a
        missing source or year, a limit outside (0, 1], a category table not increasing, an
        unknown pricing option.
    """
    def fail(key: str, message: str) -> ScenarioError:
        return ScenarioError(f"{source}: eligibility.{key}: {message}")

    if not isinstance(mapping, Mapping):
        raise ScenarioError(f"{source}: eligibility: expected a mapping, found "
                            f"{type(mapping).__name__}")
    unknown = [str(k) for k in mapping if k not in _SETTING_KEYS]
    if unknown:
        raise fail(unknown[0], f"unknown key; allowed: {', '.join(_SETTING_KEYS)}")
    missing = [k for k in _SETTING_KEYS if k not in mapping]
    if missing:
        raise ScenarioError(f"{source}: eligibility: missing key(s) {', '.join(missing)}")
    sources: dict[str, str] = {}
    years: dict[str, int] = {}
    values: dict[str, object] = {}
    for key in _SETTING_KEYS:
        entry = mapping[key]
        if not isinstance(entry, Mapping):
            raise fail(key, "expected a mapping like {value: ..., source: ...}")
        text = entry.get("source")
        if not isinstance(text, str) or not text.strip():
            raise fail(key, "missing source: give a URL, a dataset name or 'assumption'")
        sources[key] = text.strip()
        if key in _DATED:
            year = entry.get("year")
            if isinstance(year, bool) or not isinstance(year, int):
                raise fail(key, f"year={year!r}: give the year whose euros the amount is in")
            years[key] = year
        if key == "clt_income_categories":
            values[key] = pd.DataFrame({
                c: list(entry.get(c) or []) for c in ("max_income_share_of_social_ceiling",
                                                      "price_share_of_cost")})
            if len({len(v) for v in values[key].to_dict("list").values()}) > 1:
                raise fail(key, "the two lists must have the same length")
            _check_categories(values[key], f"eligibility.{key}", source)
            continue
        if key == "artist_incomes_eur_month":
            incomes = entry.get("values")
            if not isinstance(incomes, Mapping) or not incomes:
                raise fail(key, "give values: {group name: EUR/month, ...}")
            for name, income in incomes.items():
                if isinstance(income, bool) or not isinstance(income, (int, float)) or (
                        income <= 0):
                    raise fail(f"{key}.{name}", f"{income!r} is outside the allowed range "
                                                "(0, inf) EUR/month")
                if _artist_quantile(str(name)) is None:
                    raise fail(f"{key}.{name}", "the group name must end in the income quantile "
                                                "it stands for: 'P<1-99>' or 'median' (e.g. "
                                                "'artist P25')")
            values[key] = MappingProxyType({str(k): float(v) for k, v in incomes.items()})
            continue
        if "value" not in entry:
            raise fail(key, "missing value")
        value = entry["value"]
        if key == "clt_pricing":
            if value not in CLT_PRICINGS:
                raise fail(key, f"value={value!r}; allowed: {', '.join(CLT_PRICINGS)}")
            values[key] = value
            continue
        if key == "clt_income_ceiling_share_of_social" and value is None:
            values[key] = None
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise fail(key, f"value={value!r} is not a number")
        if key in _SHARES and not 0 < value <= 1:
            raise fail(key, f"value={value:g} is outside the allowed range (0, 1] for the "
                            f"{_SHARES[key]}")
        values[key] = float(value)
    try:
        return EligibilitySettings(**values, price_years=MappingProxyType(years),  # type: ignore[arg-type]
                                   sources=MappingProxyType(sources))
    except ParameterError as error:
        raise ScenarioError(f"{source}: eligibility: {error}") from None
