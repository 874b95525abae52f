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

from collections.abc import Mapping
from typing import Any, Literal

import numpy as np

from permanent_research._validation import check_choice
from permanent_research.errors import ParameterError

__all__ = [
    "FORMULAS",
    "FORMULA_TERMS",
    "Formula",
    "resale_price",
    "resale_prices",
    "cltb_resale_breakdown",
]

Formula = Literal["appraisal", "indexed", "fixed_rate", "cltb"]
FORMULAS: tuple[str, ...] = ("appraisal", "indexed", "fixed_rate", "cltb")

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
    "increase_base": ("price_paid", "appraised_value"),
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
