"""Community land trust economics: resale formulas, how the subsidy is kept, pricing without land.

All money is in nominal euros (EUR) unless a name says otherwise; rates are annual fractions
(``0.02`` = 2 % a year); time is in years.

Resale formulas (METHODS §5, Burlington Associates' families)
-------------------------------------------------------------
``P0`` is the restricted price the seller paid, ``V`` an appraised (market) value.

* ``"appraisal"``:  ``P1 = P0 + s (V1 - V0) + improvements``.
* ``"indexed"``:    ``P1 = P0 X1 / X0`` (X = an income, CPI or health index).
* ``"fixed_rate"``: ``P1 = P0 (1 + r n)`` (simple) or ``P0 (1 + r)^n`` (compound).
* ``"cltb"``: Community Land Trust Brussels. The seller receives ``s = 25 %`` of the increase in
  value, CLTB levies ``max(6 %, EUR 3,000)`` and the remaining 69 % is "neutralised" for the next
  buyer (https://www.housing2030.org/project/community-land-trust-brussels-cltb/). Two points are
  **uncertain [U]** and are parameters:

  - ``increase_base``: is the increase measured from the price paid (``"price_paid"``:
    ``increase = V1 - P0``; the reading of housing2030.org, "25 % of the increase over the price
    paid") or from the appraised value at purchase (``"appraised_value"``: ``increase = V1 - V0``;
    the reading of CLT Leuven, https://www.vangrondlos.be/post/de-doorverkoopformule)?
  - ``fee_base``: does the 6 % apply to the increase (``"increase"``, which makes
    25 % + 6 % + 69 % = 100 % of the increase, the housing2030 arithmetic) or to the price
    (``"price"``: 6 % of the seller's capped price ``P0 + s * increase``)?

  A further assumption, ``fee_paid_by``: with ``"buyer"`` (default, consistent with the 25/6/69
  split) the next buyer pays ``P0 + s * increase + fee`` and the seller nets ``P0 + s * increase``;
  with ``"seller"`` the next buyer pays ``P0 + s * increase`` and the fee comes out of the seller's
  proceeds. A fall in value is shared in the same proportion ``s`` (assumption; the sources do not
  say) and the fee is then its minimum.

The vectorised :func:`resale_prices` works on numpy arrays (broadcast together) for the Monte
Carlo model; :func:`resale_price` is the contract's entry point and returns a ``float`` when every
input is a scalar (an array otherwise).
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from permanent_research._validation import check_choice, check_in_range, check_positive
from permanent_research.errors import ParameterError
from permanent_research.options import (
    CLTB_INCREASE_BASES,
    RESALE_FORMULAS,
    ResaleFormula,
    SubsidyRegime,
)
from permanent_research.results import Result

__all__ = [
    "FORMULAS",
    "FORMULA_TERMS",
    "Formula",
    "resale_price",
    "resale_prices",
    "cltb_resale_breakdown",
    "REGIMES",
    "GenerationsResult",
    "simulate_generations",
    "compare_formulas",
    "LandPricing",
    "land_share_estimates",
    "price_without_land",
]

Formula = ResaleFormula
FORMULAS = RESALE_FORMULAS

# formula -> (required terms, {optional term: default})
FORMULA_TERMS: dict[str, tuple[tuple[str, ...], dict[str, Any]]] = {
    "appraisal": (
        ("appraised_at_purchase", "appraised_at_resale", "seller_share"),
        {"improvements": 0.0},
    ),
    "indexed": (("index_at_purchase", "index_at_resale"), {}),
    "fixed_rate": (("rate", "years"), {"compound": False}),
    "cltb": (
        ("appraised_at_purchase", "appraised_at_resale"),
        {
            "increase_base": "price_paid",
            "seller_share": 0.25,
            "fee_rate": 0.06,
            "fee_minimum": 3000.0,
            "fee_base": "increase",
            "fee_paid_by": "buyer",
            "improvements": 0.0,
        },
    ),
}

_CHOICE_TERMS = {
    "increase_base": CLTB_INCREASE_BASES,
    "fee_base": ("increase", "price"),
    "fee_paid_by": ("buyer", "seller"),
}


def _resolve_terms(formula: str, terms: Mapping[str, Any]) -> dict[str, Any]:
    check_choice("formula", formula, FORMULAS)
    required, optional = FORMULA_TERMS[formula]
    allowed = (*required, *optional)
    unknown = [name for name in terms if name not in allowed]
    if unknown:
        raise ParameterError(
            f"formula={formula!r}: unknown term(s) {', '.join(unknown)}; "
            f"allowed terms are {', '.join(allowed)}"
        )
    missing = [name for name in required if name not in terms]
    if missing:
        raise ParameterError(
            f"formula={formula!r}: missing term(s) {', '.join(missing)}; "
            f"required terms are {', '.join(required)}"
        )
    resolved = {**optional, **terms}
    for name, options in _CHOICE_TERMS.items():
        if name in resolved:
            check_choice(name, resolved[name], options)
    return resolved


def _array(name: str, value: Any) -> np.ndarray:
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ParameterError(f"{name}={value!r} is not a number or array of numbers") from None
    if np.isnan(array).any():
        raise ParameterError(f"{name} contains NaN; give finite numbers")
    return array


def _check_bounds(
    name: str, array: np.ndarray, low: float | None, high: float | None, *, strict_low: bool
) -> None:
    bad = np.zeros(array.shape, dtype=bool)
    if low is not None:
        bad |= array <= low if strict_low else array < low
    if high is not None:
        bad |= array > high
    if bad.any():
        left = "(" if strict_low else "["
        interval = f"{left}{'-inf' if low is None else low}, {'inf' if high is None else high}]"
        example = array[bad].flat[0] if array.ndim else float(array)
        raise ParameterError(f"{name}={example!r} is outside the allowed range {interval}")


def _cltb_parts(
    price: np.ndarray, terms: Mapping[str, Any]
) -> dict[str, np.ndarray]:
    v0 = _array("appraised_at_purchase", terms["appraised_at_purchase"])
    v1 = _array("appraised_at_resale", terms["appraised_at_resale"])
    share = _array("seller_share", terms["seller_share"])
    fee_rate = _array("fee_rate", terms["fee_rate"])
    fee_minimum = _array("fee_minimum", terms["fee_minimum"])
    improvements = _array("improvements", terms["improvements"])
    _check_bounds("appraised_at_purchase", v0, 0, None, strict_low=True)
    _check_bounds("appraised_at_resale", v1, 0, None, strict_low=True)
    _check_bounds("seller_share", share, 0, 1, strict_low=False)
    _check_bounds("fee_rate", fee_rate, 0, 1, strict_low=False)
    _check_bounds("fee_minimum", fee_minimum, 0, None, strict_low=False)
    _check_bounds("improvements", improvements, 0, None, strict_low=False)
    base = price if terms["increase_base"] == "price_paid" else v0
    increase = v1 - base
    seller_price = price + share * increase + improvements
    fee_on = np.maximum(increase, 0.0) if terms["fee_base"] == "increase" else seller_price
    fee = np.maximum(fee_rate * fee_on, fee_minimum)
    if terms["fee_paid_by"] == "buyer":
        buyer_price = seller_price + fee
        seller_proceeds = seller_price
    else:
        buyer_price = seller_price
        seller_proceeds = seller_price - fee
    return {
        "increase_eur": increase,
        "seller_gain_eur": share * increase + improvements - (
            0.0 if terms["fee_paid_by"] == "buyer" else fee
        ),
        "seller_proceeds_eur": seller_proceeds,
        "cltb_fee_eur": fee,
        "resale_price_eur": buyer_price,
        "neutralised_eur": v1 - buyer_price,
    }


def resale_prices(purchase_price: Any, *, formula: Formula, **terms: Any) -> np.ndarray:
    """Capped resale price under a CLT resale formula, vectorised over numpy arrays.

    Parameters
    ----------
    purchase_price
        Restricted price the selling household paid, EUR (scalar or array).
    formula
        ``"appraisal"``, ``"indexed"``, ``"fixed_rate"`` or ``"cltb"``.
    **terms
        The formula's terms (scalars or arrays broadcastable with ``purchase_price``):

        - ``appraisal``: ``appraised_at_purchase``, ``appraised_at_resale`` (EUR),
          ``seller_share`` (fraction in [0, 1]), ``improvements=0`` (credited, EUR);
        - ``indexed``: ``index_at_purchase``, ``index_at_resale`` (any index, > 0);
        - ``fixed_rate``: ``rate`` (annual fraction, > -1), ``years`` (>= 0),
          ``compound=False``;
        - ``cltb``: ``appraised_at_purchase``, ``appraised_at_resale`` (EUR),
          ``increase_base="price_paid" | "appraised_value"``, ``seller_share=0.25``,
          ``fee_rate=0.06``, ``fee_minimum=3000`` (EUR), ``fee_base="increase" | "price"``,
          ``fee_paid_by="buyer" | "seller"``, ``improvements=0`` (EUR). See the module
          docstring for the uncertain readings.

    Returns
    -------
    numpy.ndarray
        The price the next buyer pays, EUR (for ``cltb`` with ``fee_paid_by="buyer"`` it
        includes CLTB's levy).

    Raises
    ------
    ParameterError
        Unknown formula, unknown or missing term, or a term outside its range.

    Examples
    --------
    >>> float(resale_prices(150_000, formula="appraisal", appraised_at_purchase=250_000,
    ...                     appraised_at_resale=300_000, seller_share=0.25))
    162500.0
    """
    resolved = _resolve_terms(formula, terms)
    price = _array("purchase_price", purchase_price)
    _check_bounds("purchase_price", price, 0, None, strict_low=True)
    if formula == "appraisal":
        v0 = _array("appraised_at_purchase", resolved["appraised_at_purchase"])
        v1 = _array("appraised_at_resale", resolved["appraised_at_resale"])
        share = _array("seller_share", resolved["seller_share"])
        improvements = _array("improvements", resolved["improvements"])
        _check_bounds("appraised_at_purchase", v0, 0, None, strict_low=True)
        _check_bounds("appraised_at_resale", v1, 0, None, strict_low=True)
        _check_bounds("seller_share", share, 0, 1, strict_low=False)
        _check_bounds("improvements", improvements, 0, None, strict_low=False)
        return price + share * (v1 - v0) + improvements
    if formula == "indexed":
        x0 = _array("index_at_purchase", resolved["index_at_purchase"])
        x1 = _array("index_at_resale", resolved["index_at_resale"])
        _check_bounds("index_at_purchase", x0, 0, None, strict_low=True)
        _check_bounds("index_at_resale", x1, 0, None, strict_low=True)
        return price * x1 / x0
    if formula == "fixed_rate":
        rate = _array("rate", resolved["rate"])
        years = _array("years", resolved["years"])
        _check_bounds("rate", rate, -1, None, strict_low=True)
        _check_bounds("years", years, 0, None, strict_low=False)
        compound = resolved["compound"]
        if not isinstance(compound, (bool, np.bool_)):
            raise ParameterError(f"compound={compound!r} is not allowed; choose True or False")
        return price * (1.0 + rate) ** years if compound else price * (1.0 + rate * years)
    return _cltb_parts(price, resolved)["resale_price_eur"]


def resale_price(purchase_price: Any, *, formula: Formula, **terms: Any) -> Any:
    """Capped resale price under a CLT resale formula (the contract's entry point).

    Same parameters as :func:`resale_prices`. Returns a ``float`` (EUR) when every input is a
    scalar, otherwise the numpy array of :func:`resale_prices`.

    Examples
    --------
    >>> resale_price(100_000, formula="fixed_rate", rate=0.02, years=10)
    120000.0
    >>> resale_price(150_000, formula="cltb", appraised_at_purchase=250_000,
    ...              appraised_at_resale=300_000, increase_base="appraised_value")
    165500.0
    """
    result = resale_prices(purchase_price, formula=formula, **terms)
    return float(result) if result.ndim == 0 else result


def cltb_resale_breakdown(purchase_price: Any, **terms: Any) -> dict[str, np.ndarray | float]:
    """Split a CLTB resale into the seller's gain, CLTB's levy and the neutralised increase.

    Parameters
    ----------
    purchase_price
        Price the seller paid, EUR.
    **terms
        The ``"cltb"`` terms of :func:`resale_prices`.

    Returns
    -------
    dict
        ``increase_eur`` (the increase on the chosen base), ``seller_gain_eur``,
        ``seller_proceeds_eur``, ``cltb_fee_eur``, ``resale_price_eur`` (what the next buyer pays)
        and ``neutralised_eur`` (appraised value at resale minus that price: the subsidy that
        stays in the home). Floats for scalar inputs, arrays otherwise. By construction
        ``resale_price + neutralised = appraised_at_resale``.
    """
    resolved = _resolve_terms("cltb", terms)
    price = _array("purchase_price", purchase_price)
    _check_bounds("purchase_price", price, 0, None, strict_low=True)
    parts = _cltb_parts(price, resolved)
    return {k: (float(v) if np.ndim(v) == 0 else v) for k, v in parts.items()}


# ---------------------------------------------------------------------------------------------
# How the subsidy is kept: retention vs recapture vs unrestricted down-payment aid
# ---------------------------------------------------------------------------------------------

Regime = SubsidyRegime
REGIMES: tuple[str, ...] = ("retention", "recapture", "aid")

_GENERATION_COLUMNS = [
    "regime",
    "generation",
    "year",
    "market_value_eur",
    "income_eur_year",
    "affordable_price_eur",
    "formula_price_eur",
    "price_eur",
    "price_to_value",
    "income_needed_multiple",
    "seller_proceeds_eur",
    "seller_gain_eur",
    "seller_irr",
    "cltb_fee_eur",
    "subsidy_in_home_eur",
    "public_subsidy_new_eur",
    "public_subsidy_cumulative_eur",
    "households_served",
    "subsidy_per_household_eur",
]


def _html_table(title: str, frame: Any) -> str:
    return f"<h4>{html.escape(title)}</h4>" + frame.to_html(float_format=lambda x: f"{x:,.3g}")


@dataclass(frozen=True)
class GenerationsResult(Result):
    """Successive resales of one home under three ways of keeping (or losing) the subsidy.

    Attributes
    ----------
    table
        One row per regime and generation (generation 0 is the first sale) with the columns
        ``market_value_eur``, ``income_eur_year`` (target household's income),
        ``formula_price_eur`` (retention: the resale formula's price before any top-up),
        ``price_eur``
        (what the household pays out of its own means and mortgage), ``price_to_value``,
        ``income_needed_multiple`` (income needed to buy ÷ target income: price ÷ (m · income)),
        ``seller_proceeds_eur``, ``seller_gain_eur``, ``seller_irr`` (annual return on the
        price the seller paid, unlevered), ``cltb_fee_eur``, ``subsidy_in_home_eur`` (public money
        still locked in the home), ``public_subsidy_new_eur``, ``public_subsidy_cumulative_eur``,
        ``households_served`` and ``subsidy_per_household_eur``.
    parameters
        The inputs, for the record.
    """

    table: pd.DataFrame
    parameters: dict[str, Any]

    def to_frame(self) -> pd.DataFrame:
        """Return the long table (one row per regime × generation)."""
        return self.table.copy()

    def last_generation(self) -> pd.DataFrame:
        """Last generation per regime: cost per household served, price ratio, subsidy kept."""
        last = self.table.groupby("regime", sort=False).tail(1).set_index("regime")
        return last[
            [
                "generation",
                "year",
                "households_served",
                "public_subsidy_cumulative_eur",
                "subsidy_per_household_eur",
                "price_to_value",
                "income_needed_multiple",
                "subsidy_in_home_eur",
            ]
        ]

    def summary(self) -> str:
        """One line per regime at the last generation: households served, public money."""
        last = self.last_generation()
        lines = [f"Subsidy retention vs recapture vs aid after {last['year'].iloc[0]:g} years:"]
        for regime, row in last.iterrows():
            lines.append(
                f"{regime}: {row['households_served']:g} households served, public subsidy "
                f"{row['public_subsidy_cumulative_eur']:,.0f} EUR "
                f"({row['subsidy_per_household_eur']:,.0f} EUR per household), price "
                f"{row['price_to_value']:.0%} of market value"
            )
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        title = "Subsidy retention vs recapture vs aid (last generation)"
        return _html_table(title, self.last_generation())

    def plot(self, **kwargs: Any) -> Any:
        """Cumulative subsidy and subsidy per household by regime (``plots.programme``)."""
        from permanent_research.plots.programme import subsidy_regimes

        return subsidy_regimes(self.table, **kwargs)


def simulate_generations(
    *,
    market_value_eur: float,
    income_eur_year: float,
    value_growth: float,
    income_growth: float,
    years_per_generation: float,
    horizon_years: float,
    formula: Formula = "cltb",
    mortgage_multiple: float = 4.0,
    initial_price_eur: float | None = None,
    top_up: bool = True,
    **terms: Any,
) -> GenerationsResult:
    """Follow one home through successive sales under retention, recapture and aid.

    The market value grows as ``V_t = V_0 (1 + value_growth)^t`` and the target household's
    income as ``Y_t = Y_0 (1 + income_growth)^t`` (both nominal). A household can pay at most
    the affordable price ``A_t = m Y_t`` (``m`` = ``mortgage_multiple``). The home changes hands
    every ``years_per_generation`` years; the number of sales is ``floor(horizon / tenure) + 1``.

    * ``retention`` (CLT): the first buyer pays ``P_0`` (default ``min(V_0, A_0)``), the public
      pays ``V_0 - P_0`` once; each resale price follows ``formula``. If a formula price exceeds
      what the next target household can pay, the public tops up the difference (counted as
      new subsidy) and the buyer pays ``A_t``.
    * ``recapture``: each buyer buys at market with a subsidy ``V_t - A_t`` that is repaid at
      nominal value on sale and recycled; new public money is the change in that gap.
    * ``aid`` (unrestricted down-payment assistance): each generation gets a fresh subsidy
      ``V_t - A_t`` that leaves with the household.

    Parameters
    ----------
    market_value_eur
        Market (appraised) value of the home at the first sale, EUR.
    income_eur_year
        Annual income of the target household (e.g. a decile's upper bound), EUR/year.
    value_growth, income_growth
        Annual nominal growth of market values and incomes (fractions, > -1).
    years_per_generation
        Years between sales (> 0).
    horizon_years
        Length of the simulation, years (> 0).
    formula
        Resale formula for ``retention`` (see :func:`resale_prices`). The dynamic terms are
        filled in: appraised values from the value path, the index from the income path
        (``indexed``), ``years`` from the tenure (``fixed_rate``).
    mortgage_multiple
        Price a household can pay as a multiple of its annual income (> 0).
    initial_price_eur
        First restricted price, EUR; default ``min(V_0, A_0)``.
    top_up
        Under ``retention``, whether the public tops up a formula price the next target
        household cannot afford (``True``) or the price simply follows the formula (``False``,
        to compare formulas: ``income_needed_multiple`` then shows the drift).
    **terms
        Static terms of ``formula`` (``seller_share``, ``increase_base``, ``rate`` …).

    Returns
    -------
    GenerationsResult
    """
    check_choice("formula", formula, FORMULAS)
    v0 = check_positive("market_value_eur", market_value_eur)
    y0 = check_positive("income_eur_year", income_eur_year)
    g_v = check_in_range("value_growth", value_growth, -1, None, low_inclusive=False)
    g_y = check_in_range("income_growth", income_growth, -1, None, low_inclusive=False)
    tenure = check_positive("years_per_generation", years_per_generation)
    horizon = check_positive("horizon_years", horizon_years)
    m = check_positive("mortgage_multiple", mortgage_multiple)
    dynamic = {
        "appraisal": ("appraised_at_purchase", "appraised_at_resale"),
        "cltb": ("appraised_at_purchase", "appraised_at_resale"),
        "indexed": ("index_at_purchase", "index_at_resale"),
        "fixed_rate": ("years",),
    }[formula]
    clash = [name for name in terms if name in dynamic]
    if clash:
        raise ParameterError(
            f"formula={formula!r}: term(s) {', '.join(clash)} come from the simulated paths; "
            f"give only static terms"
        )
    n_sales = int(np.floor(horizon / tenure + 1e-9)) + 1
    years = np.arange(n_sales) * tenure
    values = v0 * (1.0 + g_v) ** years
    incomes = y0 * (1.0 + g_y) ** years
    afford = m * incomes
    p0 = min(v0, afford[0]) if initial_price_eur is None else check_positive(
        "initial_price_eur", initial_price_eur
    )
    if p0 > v0:
        raise ParameterError(
            f"initial_price_eur={p0!r} is outside the allowed range (0, {v0}] (market value)"
        )

    rows: list[dict[str, Any]] = []

    def record(regime: str, k: int, **values_: Any) -> None:
        rows.append({"regime": regime, "generation": k, "year": float(years[k]), **values_})

    # retention
    price = p0
    cumulative = v0 - p0
    for k in range(n_sales):
        fee = 0.0
        proceeds = gain = irr = np.nan
        new = v0 - p0 if k == 0 else 0.0
        formula_price = price
        if k > 0:
            step_terms = dict(terms)
            if formula in ("appraisal", "cltb"):
                step_terms.update(
                    appraised_at_purchase=values[k - 1], appraised_at_resale=values[k]
                )
            elif formula == "indexed":
                step_terms.update(index_at_purchase=incomes[k - 1], index_at_resale=incomes[k])
            else:
                step_terms.update(years=tenure)
            if formula == "cltb":
                parts = cltb_resale_breakdown(price, **step_terms)
                formula_price = float(parts["resale_price_eur"])
                proceeds = float(parts["seller_proceeds_eur"])
                fee = float(parts["cltb_fee_eur"])
            else:
                formula_price = resale_price(price, formula=formula, **step_terms)
                proceeds = formula_price
            gain = proceeds - price
            irr = (proceeds / price) ** (1.0 / tenure) - 1.0
            topped = max(formula_price - afford[k], 0.0) if top_up else 0.0
            new = topped
            cumulative += topped
            price = formula_price - topped
        record(
            "retention", k, market_value_eur=values[k], income_eur_year=incomes[k],
            affordable_price_eur=afford[k], formula_price_eur=formula_price, price_eur=price,
            seller_proceeds_eur=proceeds,
            seller_gain_eur=gain, seller_irr=irr, cltb_fee_eur=fee,
            subsidy_in_home_eur=values[k] - price, public_subsidy_new_eur=new,
            public_subsidy_cumulative_eur=cumulative,
        )

    # recapture and aid: every buyer pays what the target household can afford (capped at V)
    for regime in ("recapture", "aid"):
        cumulative = 0.0
        previous_subsidy = 0.0
        previous_price = np.nan
        for k in range(n_sales):
            pay = min(afford[k], values[k])
            subsidy = values[k] - pay
            proceeds = gain = irr = np.nan
            if k > 0:
                repaid = previous_subsidy if regime == "recapture" else 0.0
                proceeds = values[k] - repaid
                gain = proceeds - previous_price
                irr = (proceeds / previous_price) ** (1.0 / tenure) - 1.0
            new = subsidy - previous_subsidy if regime == "recapture" else subsidy
            cumulative += new
            record(
                regime, k, market_value_eur=values[k], income_eur_year=incomes[k],
                affordable_price_eur=afford[k], formula_price_eur=np.nan, price_eur=pay,
                seller_proceeds_eur=proceeds,
                seller_gain_eur=gain, seller_irr=irr, cltb_fee_eur=0.0,
                subsidy_in_home_eur=subsidy if regime == "recapture" else 0.0,
                public_subsidy_new_eur=new, public_subsidy_cumulative_eur=cumulative,
            )
            previous_subsidy, previous_price = subsidy, pay

    table = pd.DataFrame(rows)
    table["price_to_value"] = table["price_eur"] / table["market_value_eur"]
    table["income_needed_multiple"] = table["price_eur"] / (m * table["income_eur_year"])
    table["households_served"] = table["generation"] + 1
    table["subsidy_per_household_eur"] = (
        table["public_subsidy_cumulative_eur"] / table["households_served"]
    )
    parameters = {
        "market_value_eur": v0, "income_eur_year": y0, "value_growth": g_v,
        "income_growth": g_y, "years_per_generation": tenure, "horizon_years": horizon,
        "formula": formula, "mortgage_multiple": m, "initial_price_eur": p0,
        "top_up": top_up, **terms,
    }
    return GenerationsResult(table=table[_GENERATION_COLUMNS], parameters=parameters)


def compare_formulas(
    formulas: Mapping[str, tuple[Formula, Mapping[str, Any]]],
    *,
    regime: str = "retention",
    top_up: bool = False,
    **generation_inputs: Any,
) -> pd.DataFrame:
    """Follow the same home under several resale formulas (:func:`simulate_generations`).

    Parameters
    ----------
    formulas
        ``{label: (formula, static terms)}``, e.g.
        ``{"CLTB, from price paid": ("cltb", {"increase_base": "price_paid"})}``.
    regime
        Which regime's path to keep (one of :data:`REGIMES`).
    top_up
        Passed to :func:`simulate_generations`; ``False`` (the default here) lets each price
        follow its formula, which is what a comparison of formulas needs.
    **generation_inputs
        The remaining arguments of :func:`simulate_generations` (market value, income, growth,
        tenure, horizon, ...), shared by every formula.

    Returns
    -------
    pandas.DataFrame
        The rows of :meth:`GenerationsResult.to_frame` for ``regime``, one block per formula in
        the order given, with a leading ``label`` column. ``pivot(index="year",
        columns="label", values="price_to_value")`` gives the usual comparison.
    """
    if not formulas:
        raise ParameterError("formulas is empty; give {label: (formula, terms)}")
    check_choice("regime", regime, REGIMES)
    blocks = []
    for label, (formula, terms) in formulas.items():
        table = simulate_generations(
            formula=formula, top_up=top_up, **generation_inputs, **dict(terms)
        ).to_frame()
        blocks.append(table[table["regime"] == regime].assign(label=label))
    long = pd.concat(blocks, ignore_index=True)
    return long[["label", *_GENERATION_COLUMNS]]


# ---------------------------------------------------------------------------------------------
# Pricing without land: the land share of the price and the discount it implies
# ---------------------------------------------------------------------------------------------

BROCHURE_DISCOUNT = 0.40
"""CLTB: "homes cost on average 40 % less than on the private market" (cltb.be/?p=3114)."""


@dataclass(frozen=True)
class LandPricing(Result):
    """Estimates of the land share of a Brussels home's price, and the brochure claim tested.

    Attributes
    ----------
    table
        One row per estimate: ``estimate``, ``kind`` (``"land"`` = land only; ``"subsidy"`` = all
        public capital, land and part of construction), ``numerator_eur``,
        ``denominator_eur``, ``share`` (= the discount a buyer gets if that cost is removed from
        the price), ``gap_to_claim`` (share − claim), ``supports_claim``, ``computation`` and
        ``source``.
    claim
        The discount being tested (fraction).
    tolerance
        Absolute tolerance on the share for "supports the claim" (fraction).
    """

    table: pd.DataFrame
    claim: float
    tolerance: float

    def to_frame(self) -> pd.DataFrame:
        """Return the table of estimates."""
        return self.table.copy()

    def land_share_range(self) -> tuple[float, float]:
        """Lowest and highest land-only share (fractions)."""
        land = self.table.loc[self.table["kind"] == "land", "share"]
        return float(land.min()), float(land.max())

    def share_ranges(self) -> pd.DataFrame:
        """Range of the land-only and subsidy shares and whether any reaches the claim."""
        grouped = self.table.groupby("kind")["share"].agg(["min", "max", "count"])
        grouped["claim"] = self.claim
        grouped["any_supports_claim"] = self.table.groupby("kind")["supports_claim"].any()
        return grouped

    def summary(self) -> str:
        """The land-only share range against the claimed discount."""
        low, high = self.land_share_range()
        supported = bool(self.table["supports_claim"].any())
        return (f"Land share of the price {low:.0%}–{high:.0%} ({len(self.table)} estimates) "
                f"vs the claimed {self.claim:.0%} discount (tolerance {self.tolerance:.0%}); "
                f"{'some estimate supports' if supported else 'no estimate supports'} the claim")

    def _repr_html_(self) -> str:
        return _html_table(
            f"Land share of the price vs the claimed {self.claim:.0%} discount",
            self.table[["estimate", "kind", "share", "supports_claim", "computation"]],
        )


def _fact(frame: pd.DataFrame, measure: str, column: str = "value_numeric") -> float | None:
    rows = frame[(frame["measure"] == measure) & frame[column].notna()]
    return None if rows.empty else float(rows[column].iloc[0])


def _median_apartment_price(sales: pd.DataFrame, years: Any) -> tuple[float, str] | None:
    rows = sales[
        (sales["nis_code"] == "04000")
        & (sales["property_type"] == "appartementen")
        & (sales["measure"] == "median_price")
        & sales["year"].isin(list(np.atleast_1d(years)))
    ]
    if rows.empty:
        return None
    label = "-".join(str(int(y)) for y in sorted(rows["year"].unique()))
    return float(rows["value"].mean()), label


def land_share_estimates(
    land_prices: pd.DataFrame,
    sales: pd.DataFrame,
    construction_costs: pd.DataFrame,
    clt_facts: pd.DataFrame,
    *,
    dwelling_floor_m2: float = 80.0,
    floor_area_ratio: float = 2.0,
    land_dwellings_per_year: tuple[float, float] = (20.0, 40.0),
    claim: float = BROCHURE_DISCOUNT,
    tolerance: float = 0.05,
) -> LandPricing:
    """Estimate the land share of a Brussels home's price from the bundled data.

    Four computations, each kept only if its inputs are in the frames given:

    1. **SLRB public–private programme**: land cost ÷ global budget (500 middle-income homes;
       ``construction_costs`` measures ``SLRB_PPP_middle_housing_land_cost`` and
       ``…_global_budget``; minister's reply quoted by IEB).
    2. **Land price per m²**: Brussels median building-land price (latest year in
       ``land_prices``, notaries) × land per dwelling (``dwelling_floor_m2 /
       floor_area_ratio``) ÷ the Brussels median apartment price of the same year (Statbel).
    3. **Brochure land budget** (two rows, low and high): CLTB's regional land grant
       (``clt_facts`` ``regional_grant_per_year``) ÷ ``land_dwellings_per_year`` (the brochure's
       "20–40 dwellings a year", METHODS §5) ÷ the latest median apartment price.
    4. **CLTB public capital per household** (kind ``"subsidy"``): regional capital for six CLTB
       projects ÷ their 85 households ÷ the 2016–2017 median apartment price. This is land *and*
       part of construction, so it bounds the discount public capital can buy.

    Parameters
    ----------
    land_prices, sales, construction_costs, clt_facts
        Frames as returned by ``data.load("building_land_prices")``, ``("real_estate_sales")``,
        ``("construction_costs")`` and ``("clt_facts")``.
    dwelling_floor_m2
        Floor area of a typical dwelling, m² (assumption; default 80).
    floor_area_ratio
        Floor area built per m² of plot (assumption; 2.0 for a Brussels block of 4–5 storeys
        covering half its plot).
    land_dwellings_per_year
        Dwellings whose land the EUR 2 M budget buys in a year (brochure: 20–40).
    claim
        Discount to test (fraction; the brochure's 0.40).
    tolerance
        A share within ``claim ± tolerance`` "supports" the claim.

    Returns
    -------
    LandPricing
    """
    check_positive("dwelling_floor_m2", dwelling_floor_m2)
    check_positive("floor_area_ratio", floor_area_ratio)
    check_in_range("claim", claim, 0, 1)
    check_in_range("tolerance", tolerance, 0, 1)
    low_n, high_n = (check_positive("land_dwellings_per_year", n) for n in land_dwellings_per_year)
    rows: list[dict[str, Any]] = []

    def add(estimate, kind, numerator, denominator, computation, source):
        rows.append(
            {
                "estimate": estimate, "kind": kind, "numerator_eur": numerator,
                "denominator_eur": denominator, "share": numerator / denominator,
                "computation": computation, "source": source,
            }
        )

    land = _fact(construction_costs, "SLRB_PPP_middle_housing_land_cost")
    budget = _fact(construction_costs, "SLRB_PPP_middle_housing_global_budget")
    if land is not None and budget is not None:
        add("SLRB PPP programme (land ÷ budget)", "land", land, budget,
            f"{land:,.0f} / {budget:,.0f}", "construction_costs: IEB quoting the housing minister")

    brussels = land_prices[
        (land_prices["geo_code"] == "04000")
        & (land_prices["measure"] == "building_land_price_per_m2")
        & land_prices["statistic"].astype("string").str.startswith("median")
        & land_prices["value"].notna()
        & land_prices["reference_period"].astype("string").str.fullmatch(r"\d{4}")
    ]
    if not brussels.empty:
        latest = brussels.loc[brussels["reference_period"].astype(int).idxmax()]
        year = int(latest["reference_period"])
        price = _median_apartment_price(sales, year)
        if price is not None:
            land_m2 = dwelling_floor_m2 / floor_area_ratio
            cost = float(latest["value"]) * land_m2
            add(f"Land price × land per dwelling ({year})", "land", cost, price[0],
                f"{latest['value']:,.0f} EUR/m2 × {land_m2:g} m2 / {price[0]:,.0f}",
                "building_land_prices (notaries, median) and real_estate_sales (Statbel)")

    grant = _fact(clt_facts, "regional_grant_per_year")
    latest_year = sales.loc[sales["nis_code"] == "04000", "year"].max()
    latest_price = None if pd.isna(latest_year) else _median_apartment_price(sales, latest_year)
    if grant is not None and latest_price is not None:
        for label, n in (("high", low_n), ("low", high_n)):
            add(f"Brochure land budget, {label} ({latest_price[1]} prices)", "land", grant / n,
                latest_price[0], f"{grant:,.0f} / {n:g} dwellings / {latest_price[0]:,.0f}",
                "clt_facts (regional grant) and brochure 20–40 dwellings a year (METHODS §5)")

    capital = _fact(construction_costs, "regional_capital_allocated_to_FUP_CLTB")
    households = _fact(construction_costs, "households_in_6_CLTB_projects")
    price_1617 = _median_apartment_price(sales, [2016, 2017])
    if capital is not None and households is not None and price_1617 is not None:
        add("CLTB public capital per household (6 projects)", "subsidy", capital / households,
            price_1617[0],
            f"{capital:,.0f} / {households:g} households / {price_1617[0]:,.0f}",
            "construction_costs (Echos du Logement 117) and real_estate_sales")

    if not rows:
        raise ParameterError(
            "land_share_estimates: none of the inputs were found in the frames given; pass the "
            "frames of building_land_prices, real_estate_sales, construction_costs, clt_facts"
        )
    table = pd.DataFrame(rows)
    table["gap_to_claim"] = table["share"] - claim
    table["supports_claim"] = table["gap_to_claim"].abs() <= tolerance
    cols = ["estimate", "kind", "numerator_eur", "denominator_eur", "share", "gap_to_claim",
            "supports_claim", "computation", "source"]
    return LandPricing(table=table[cols], claim=float(claim), tolerance=float(tolerance))


def price_without_land(market_price_eur: Any, land_share: Any) -> Any:
    """Price of a home sold without its land (the CLT keeps the land).

    Parameters
    ----------
    market_price_eur
        Market price with land, EUR (scalar or array).
    land_share
        Share of the price that is land, fraction in [0, 1].

    Returns
    -------
    float or numpy.ndarray
        ``market_price_eur · (1 − land_share)``, EUR; the discount is ``land_share``.
    """
    price = _array("market_price_eur", market_price_eur)
    share = _array("land_share", land_share)
    _check_bounds("market_price_eur", price, 0, None, strict_low=False)
    _check_bounds("land_share", share, 0, 1, strict_low=False)
    result = price * (1.0 - share)
    return float(result) if result.ndim == 0 else result
