"""For whom: the scenario's housing models seen from each income decile and from artists.

The bridge between the Monte Carlo's assumption set and :mod:`permanent_research.eligibility`:
the CLT price, charges, studio and market rents, temporary-use fee and availability all come
from the same (base-year) assumptions as :func:`~permanent_research.scenarios.simulate`, so the
"for whom" table and the cost comparison read one assumption set.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from permanent_research._validation import check_in_range
from permanent_research.eligibility import (
    MODELS,
    EligibilitySettings,
    EligibilityTable,
    EntryRules,
    artist_groups,
    decile_groups,
    eligibility,
)
from permanent_research.errors import ParameterError
from permanent_research.options import HousingModel
from permanent_research.results import Result
from permanent_research.scenarios._assumptions import Assumptions

__all__ = ["ForWhom", "for_whom", "entry_rules", "MODEL_LABELS"]

MODEL_LABELS = {"clt_purchase": "CLT purchase", "social_rent": "social housing",
                "temporary_use": "temporary use", "market_rent": "private market"}
_ENTER = {"clt_purchase": "buy a CLT home", "social_rent": "enter social housing",
          "temporary_use": "find a temporary-use space", "market_rent": "rent on the market"}


def _years_text(years: float) -> str:
    return f"{round(float(years), 1):g}"


def _runs(labels: Sequence[str]) -> str:
    """``["D1", "D2", "D3", "D7"]`` -> ``"D1–D3, D7"`` (consecutive decile labels joined)."""
    if not labels:
        return "none"
    numbers = [int(label[1:]) if label[1:].isdigit() else None for label in labels]
    if any(n is None for n in numbers):
        return ", ".join(labels)
    parts, start, prev = [], numbers[0], numbers[0]
    for n in numbers[1:] + [None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        parts.append(f"D{start}" if start == prev else f"D{start}–D{prev}")
        if n is not None:
            start = prev = n
    return ", ".join(parts)


def entry_rules(assumptions: Assumptions, settings: EligibilitySettings, *,
                q: float = 0.5) -> EntryRules:
    """The four models' entry rules at the ``q`` quantile of every assumption.

    Parameters
    ----------
    assumptions
        Validated assumptions in base-year euros
        (:func:`~permanent_research.scenarios.in_base_year`).
    settings
        The scenario's ``eligibility:`` section converted to the same base year
        (:meth:`EligibilitySettings.in_base_year`).
    q
        Quantile of every input (0.5: medians).

    Returns
    -------
    EntryRules
        CLT price = construction + land per m² of floor not paid by subsidy × home area (the
        Monte Carlo's sale price); CLT charges = maintenance + the occupant's part of
        stewardship; market = new-lease rent (sitting rent × (1 + new-lease premium)); temporary
        use = the fee per m² × home area, available with the probability of finding a site.
    """
    if not isinstance(assumptions, Assumptions):
        raise ParameterError("assumptions must come from validate_assumptions(...)")
    if not isinstance(settings, EligibilitySettings):
        raise ParameterError("settings must come from validate_eligibility(...)")
    if settings.base_year is None:
        raise ParameterError("settings: convert to the base year first "
                             "(EligibilitySettings.in_base_year)")
    check_in_range("q", q, 0, 1)
    x = {key: assumptions[key].quantile(q) for key in assumptions}
    area = x["unit_area_home_m2"]
    land_floor = x["land_price_eur_m2"] / x["floor_area_ratio"]
    cost_price = area * (x["construction_cost_eur_m2"] * (1 - x["construction_subsidy_share"])
                         + land_floor * (1 - x["land_subsidy_share"]))
    steward_occupant = x["stewardship_cost_eur_m2_year"] * (1 - x["stewardship_public_share"])
    src = settings.sources
    return EntryRules(
        clt_price_eur=cost_price,
        mortgage_rate=settings.mortgage_rate_nominal,
        mortgage_years=int(round(x["mortgage_years"])),
        max_ltv=settings.max_ltv,
        max_dsti=settings.max_dsti,
        own_funds_eur=settings.own_funds_eur,
        purchase_costs_share=settings.purchase_costs_share,
        clt_charges_eur_month=(x["maintenance_eur_m2_year"] + steward_occupant) * area / 12,
        clt_income_ceiling_eur_year=settings.clt_income_ceiling_eur_year(),
        clt_price_by_income=settings.clt_price_table(cost_price),
        clt_secure_years=float(assumptions.horizon_years),
        social_income_ceiling_eur_year=settings.social_income_ceiling_eur_year,
        social_rent_share_of_income=x["social_rent_share_of_income"],
        social_wait_years=x["social_wait_years"],
        social_secure_years=settings.social_secure_years,
        temporary_fee_eur_month=x["temporary_fee_eur_m2_month"] * area,
        temporary_availability=x["new_site_probability"],
        temporary_secure_years=x["occupation_years"],
        market_rent_eur_month=(x["market_rent_home_eur_m2_month"]
                               * (1 + x["new_lease_rent_premium"]) * area),
        market_secure_years=settings.market_secure_years,
        sources={
            "clt_price_eur": "scenario assumptions: (construction + land not subsidised) x home "
                             "area, medians",
            "mortgage_rate": src.get("mortgage_rate_nominal", "assumption"),
            "mortgage_years": assumptions["mortgage_years"].source,
            "max_ltv": src.get("max_ltv", "assumption"),
            "max_dsti": src.get("max_dsti", "assumption"),
            "own_funds_eur": src.get("own_funds_eur", "assumption"),
            "purchase_costs_share": src.get("purchase_costs_share", "assumption"),
            "clt_income_ceiling_eur_year": src.get("clt_income_ceiling_share_of_social",
                                                   "assumption"),
            "clt_price_by_income": (src.get("clt_income_categories", "assumption")
                                    if settings.clt_pricing == "income_categories"
                                    else "not used (clt_pricing: cost_price)"),
            "clt_secure_years": "clt_facts: ground lease 50 years, renewable (the horizon)",
            "social_income_ceiling_eur_year": src.get("social_income_ceiling_eur_year",
                                                      "assumption"),
            "social_rent_share_of_income": assumptions["social_rent_share_of_income"].source,
            "social_wait_years": assumptions["social_wait_years"].source,
            "social_secure_years": src.get("social_secure_years", "assumption"),
            "temporary_fee_eur_month": assumptions["temporary_fee_eur_m2_month"].source,
            "temporary_availability": assumptions["new_site_probability"].source,
            "temporary_secure_years": assumptions["occupation_years"].source,
            "market_rent_eur_month": "scenario assumptions: market rent x (1 + new-lease "
                                     "premium) x home area, medians",
            "market_secure_years": src.get("market_secure_years", "assumption"),
        },
    )


@dataclass(frozen=True)
class ForWhom(Result):
    """Decile (and artist) × model: eligible?, cost-to-income, years of secure tenure.

    Attributes
    ----------
    table
        The :class:`~permanent_research.eligibility.EligibilityTable`.
    base_year
        Year whose euros every amount is in.
    """

    table: EligibilityTable
    base_year: int

    def __post_init__(self) -> None:
        if not isinstance(self.table, EligibilityTable):
            raise ParameterError("table: expected an EligibilityTable")

    def to_frame(self) -> pd.DataFrame:
        """The tidy table of :meth:`EligibilityTable.to_frame` (one row per group and model)."""
        return self.table.to_frame()

    def wide(self) -> pd.DataFrame:
        """At a glance: one row per group, one cell per model (``yes · 23% · 50 y``)."""
        return self.table.wide()

    def eligible_groups(self, model: HousingModel, *, kind: str = "decile") -> list[str]:
        """Groups of ``kind`` that can enter ``model``, in table order."""
        if model not in MODELS:
            raise ParameterError(f"model={model!r}; allowed: {', '.join(MODELS)}")
        frame = self.to_frame()
        rows = frame[(frame["model"] == model) & (frame["kind"] == kind) & frame["eligible"]]
        return list(rows["group"])

    def share_eligible(self, model: HousingModel, *, among: HousingModel | None = None) -> float:
        """Share of the decile groups (each a tenth of households) that can enter ``model``;
        with ``among``, only among the deciles that can enter ``among`` (e.g. the CLT-eligible
        share of households entitled to social housing, who are the ones on its list). NaN when
        no decile is in ``among``."""
        frame = self.to_frame()
        deciles = frame[frame["kind"] == "decile"]
        ok = deciles[deciles["model"] == model].set_index("group")["eligible"]
        if among is None:
            return float(ok.mean())
        base = deciles[deciles["model"] == among].set_index("group")["eligible"]
        pool = base[base].index
        return float(ok.loc[pool].mean()) if len(pool) else float("nan")

    def eligible_text(self, model: HousingModel, *, kind: str = "decile") -> str:
        """The groups that can enter ``model`` as text, consecutive deciles joined
        (``"D1–D4"``; ``"none"``)."""
        return _runs(self.eligible_groups(model, kind=kind))

    def sentences(self) -> list[str]:
        """Computed sentences for a Findings block: who can enter each model, at what cost, and
        for a model no decile can enter, why not (the richest decile's reasons)."""
        frame = self.to_frame()
        out = []
        for model in MODELS:
            part = frame[(frame["model"] == model) & (frame["kind"] == "decile")]
            ok = part[part["eligible"]]
            if ok.empty:
                why = part[part["reason"] != ""]
                # the richest decile blocked by something other than an income ceiling says
                # what binds for those the model is meant for
                within = why[~why["reason"].str.contains("ceiling|category")]
                row = (within if len(within) else why).iloc[-1]
                out.append(f"No income decile can {_ENTER[model]}: even {row['group']} fails "
                           f"({row['reason']}).")
                continue
            low, high = ok["cost_to_income"].min(), ok["cost_to_income"].max()
            cost = (f"{low:.0%}" if round(100 * low) == round(100 * high)
                    else f"{low:.0%}–{high:.0%}")
            who = ("every income decile" if len(ok) == len(part)
                   else f"deciles {_runs(list(ok['group']))}")
            chance = float(ok["entry_probability"].iloc[0])
            odds = f" (chance of a space: {chance:.0%})" if chance < 1 else ""
            out.append(f"{who[0].upper()}{who[1:]} can {_ENTER[model]}{odds}, at {cost} of "
                       f"income, with {_years_text(ok['secure_years'].iloc[0])} years of secure "
                       "tenure.")
        artists = frame[(frame["kind"] == "artist") & (frame["model"] == "clt_purchase")]
        if not artists.empty:
            ok = list(artists.loc[artists["eligible"], "group"])
            out.append(f"Artists: {len(ok)} of {len(artists)} artist income levels can buy a "
                       f"CLT home" + (f" ({', '.join(ok)})." if ok else "."))
        return out

    def summary(self) -> str:
        return f"For whom ({self.base_year} euros):\n" + "\n".join(self.sentences())

    def plot(self, **kwargs):
        """Groups × models grid of cost-to-income, ineligible cells greyed."""
        return self.table.plot(**kwargs)


def for_whom(
    assumptions: Assumptions,
    settings: EligibilitySettings,
    *,
    household_incomes_eur_year: Sequence[float],
    income_source: str,
    q: float = 0.5,
) -> ForWhom:
    """Who can enter each housing model, at what share of income, with how secure a tenure.

    Parameters
    ----------
    assumptions
        Base-year assumptions (as for :func:`~permanent_research.scenarios.simulate`).
    settings
        The ``eligibility:`` section in the same base year.
    household_incomes_eur_year
        One income per decile group (household disposable income, EUR/year, base-year euros),
        strictly increasing.
    income_source
        Where they come from (shown in the table's sources).
    q
        Quantile of the assumptions (0.5: medians).

    Returns
    -------
    ForWhom

    Raises
    ------
    ParameterError
        A decile table not increasing, an income ≤ 0, settings not in the base year.
    """
    rules = entry_rules(assumptions, settings, q=q)
    incomes = np.asarray(household_incomes_eur_year, dtype=float) / 12
    groups = [decile_groups(incomes, source=income_source),
              artist_groups(dict(settings.artist_incomes_eur_month),
                            source=settings.sources.get("artist_incomes_eur_month",
                                                        "assumption"))]
    return ForWhom(table=eligibility(groups, rules), base_year=int(settings.base_year))
