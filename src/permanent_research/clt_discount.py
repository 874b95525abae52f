"""Where "about 40 % cheaper" comes from: the CLT price against a new-build market comparable,
decomposed into land, developer margin, VAT, registration duties and construction subsidy.

Prices per m² of floor area, euros of one base year (convert the inputs first with
:mod:`permanent_research.prices`; building costs with the construction index).

New-build market comparable (the buyer's all-in price)::

    P_market = (B + L)(1 + m) + v_market · B(1 + m) + d · L(1 + m)

with ``B`` the construction cost (works + fees), ``L = land price / floor-area ratio`` the land
cost per m² of floor, ``m`` the developer's margin, VAT ``v_market`` on the building part and
registration duty ``d`` on the land part (in Belgium a new building is sold with VAT, its land
with registration duties).

CLT home sold at cost on land the trust keeps (ground lease)::

    P_clt = (B − S)(1 + v_clt)

with ``S`` a construction subsidy per m² and ``v_clt`` the VAT rate that applies (6 % where
the reduced social-housing rate applies; 21 % otherwise).

The discount ``P_market − P_clt`` is split over five switches (land → 0, margin → 0, VAT
``v_market → v_clt``, duty → 0, subsidy 0 → S). The switches interact (the margin is earned on
land too, the duty falls on land), so a one-at-a-time split depends on the order:
``method="shapley"`` (default) averages the contribution of each switch over all 120 orders
(order-free; the parts add up to the total exactly), ``method="sequential"`` applies them in
:data:`COMPONENTS` order.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

import numpy as np
import pandas as pd

from permanent_research._validation import check_choice, check_in_range
from permanent_research.errors import ParameterError
from permanent_research.results import Result

__all__ = [
    "COMPONENTS",
    "DecompositionMethod",
    "DECOMPOSITION_METHODS",
    "PriceInputs",
    "DiscountDecomposition",
    "clt_discount_decomposition",
]

COMPONENTS: tuple[str, ...] = (
    "land",
    "developer_margin",
    "vat",
    "registration_duties",
    "construction_subsidy",
)
DecompositionMethod = Literal["shapley", "sequential"]
DECOMPOSITION_METHODS: tuple[str, ...] = ("shapley", "sequential")

# Which input each component switches, for the source column.
_COMPONENT_INPUTS = {
    "land": ("land_price_eur_m2", "floor_area_ratio"),
    "developer_margin": ("developer_margin",),
    "vat": ("vat_market", "vat_clt"),
    "registration_duties": ("registration_duty",),
    "construction_subsidy": ("construction_subsidy_eur_m2",),
}
_DEFAULT_SOURCES = MappingProxyType(
    {
        "vat_market": "Belgian standard VAT rate 21 % (VAT Code; new buildings are sold with VAT)",
        "registration_duty": "Brussels registration duty 12.5 % on the land part (Code des droits "
        "d'enregistrement); first-home abatement not modelled",
    }
)


@dataclass(frozen=True)
class PriceInputs:
    """Inputs of the comparison, per m² of floor area, euros of the base year.

    Attributes
    ----------
    construction_cost_eur_m2
        Works and fees ``B``.
    land_price_eur_m2
        Land price per m² of plot.
    floor_area_ratio
        m² of floor per m² of plot (land cost per m² of floor = land price / ratio).
    developer_margin
        Developer's margin on cost, fraction in [0, 1).
    vat_market, vat_clt
        VAT rates on the building part, fractions in [0, 1).
    registration_duty
        Registration duty on the land part, fraction in [0, 1).
    construction_subsidy_eur_m2
        Subsidy per m² lowering the CLT price (0 … ``construction_cost_eur_m2``).
    sources
        Input name → source; inputs not named are ``"assumption"``.
    """

    construction_cost_eur_m2: float
    land_price_eur_m2: float
    floor_area_ratio: float
    developer_margin: float
    vat_clt: float
    vat_market: float = 0.21
    registration_duty: float = 0.125
    construction_subsidy_eur_m2: float = 0.0
    sources: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_in_range("construction_cost_eur_m2", self.construction_cost_eur_m2, 0, None,
                       low_inclusive=False)
        check_in_range("land_price_eur_m2", self.land_price_eur_m2, 0, None)
        check_in_range("floor_area_ratio", self.floor_area_ratio, 0, 20, low_inclusive=False)
        for name in ("developer_margin", "vat_market", "vat_clt", "registration_duty"):
            check_in_range(name, getattr(self, name), 0, 1, high_inclusive=False)
        check_in_range("construction_subsidy_eur_m2", self.construction_subsidy_eur_m2, 0,
                       self.construction_cost_eur_m2)
        unknown = [k for k in self.sources if k not in self.__dataclass_fields__]
        if unknown:
            raise ParameterError(
                f"sources: unknown input(s) {', '.join(unknown)}; inputs: "
                f"{', '.join(k for k in self.__dataclass_fields__ if k != 'sources')}"
            )
        object.__setattr__(self, "sources", MappingProxyType({**_DEFAULT_SOURCES,
                                                               **dict(self.sources)}))

    @property
    def land_eur_m2_floor(self) -> float:
        return self.land_price_eur_m2 / self.floor_area_ratio

    def source(self, name: str) -> str:
        return self.sources.get(name, "assumption")

    def price(self, switched: frozenset[str] = frozenset()) -> float:
        """All-in price per m² with the named components switched to the CLT side."""
        b = self.construction_cost_eur_m2
        land = 0.0 if "land" in switched else self.land_eur_m2_floor
        margin = 0.0 if "developer_margin" in switched else self.developer_margin
        vat = self.vat_clt if "vat" in switched else self.vat_market
        duty = 0.0 if "registration_duties" in switched else self.registration_duty
        subsidy = self.construction_subsidy_eur_m2 if "construction_subsidy" in switched else 0.0
        building = (b - subsidy) * (1 + margin)
        plot = land * (1 + margin)
        return building * (1 + vat) + plot * (1 + duty)


@dataclass(frozen=True)
class DiscountDecomposition(Result):
    """The CLT discount against a new-build comparable, split into its sources.

    Attributes
    ----------
    inputs
        The :class:`PriceInputs`.
    method
        ``"shapley"`` or ``"sequential"``.
    claimed_discount
        A discount to set beside the computed one (e.g. 0.40, "about 40 % cheaper"), or None.
    observed_market_price_eur_m2
        An observed market price per m² to compare with the modelled comparable, or None.
    """

    inputs: PriceInputs
    method: str = "shapley"
    claimed_discount: float | None = None
    observed_market_price_eur_m2: float | None = None

    def __post_init__(self) -> None:
        check_choice("method", self.method, DECOMPOSITION_METHODS)
        if not isinstance(self.inputs, PriceInputs):
            raise ParameterError("inputs: expected a PriceInputs")
        if self.claimed_discount is not None:
            check_in_range("claimed_discount", self.claimed_discount, 0, 1)
        if self.observed_market_price_eur_m2 is not None:
            check_in_range("observed_market_price_eur_m2", self.observed_market_price_eur_m2, 0,
                           None, low_inclusive=False)

    @property
    def market_price_eur_m2(self) -> float:
        return self.inputs.price()

    @property
    def clt_price_eur_m2(self) -> float:
        return self.inputs.price(frozenset(COMPONENTS))

    @property
    def discount_eur_m2(self) -> float:
        return self.market_price_eur_m2 - self.clt_price_eur_m2

    @property
    def discount_share(self) -> float:
        """Discount as a share of the market comparable's price."""
        return self.discount_eur_m2 / self.market_price_eur_m2

    def parts(self) -> dict[str, float]:
        """Component → EUR/m² of the discount (they add up to :attr:`discount_eur_m2`)."""
        price = self.inputs.price
        if self.method == "sequential":
            out, switched = {}, frozenset()
            for name in COMPONENTS:
                out[name] = price(switched) - price(switched | {name})
                switched = switched | {name}
            return out
        n = len(COMPONENTS)
        out = dict.fromkeys(COMPONENTS, 0.0)
        for name in COMPONENTS:
            others = [c for c in COMPONENTS if c != name]
            for size in range(n):
                weight = math.factorial(size) * math.factorial(n - size - 1) / math.factorial(n)
                for subset in itertools.combinations(others, size):
                    before = frozenset(subset)
                    out[name] += weight * (price(before) - price(before | {name}))
        return out

    def to_frame(self) -> pd.DataFrame:
        """One row per component: ``component``, ``discount_eur_m2``, ``share_of_discount``,
        ``share_of_market_price``, ``inputs`` and ``source``."""
        parts = self.parts()
        rows = []
        for name in COMPONENTS:
            names = _COMPONENT_INPUTS[name]
            rows.append(
                {
                    "component": name,
                    "discount_eur_m2": parts[name],
                    "share_of_discount": parts[name] / self.discount_eur_m2
                    if self.discount_eur_m2 else np.nan,
                    "share_of_market_price": parts[name] / self.market_price_eur_m2,
                    "inputs": ", ".join(f"{k}={getattr(self.inputs, k):g}" for k in names),
                    "source": "; ".join(
                        dict.fromkeys(f"{k}: {self.inputs.source(k)}" for k in names)
                    ),
                }
            )
        return pd.DataFrame(rows)

    def summary(self) -> str:
        lines = [
            f"New-build comparable {self.market_price_eur_m2:,.0f} EUR/m², CLT "
            f"{self.clt_price_eur_m2:,.0f} EUR/m²: {self.discount_share:.0%} cheaper "
            f"({self.method} split)"
        ]
        if self.claimed_discount is not None:
            lines.append(f"  claimed: {self.claimed_discount:.0%}")
        if self.observed_market_price_eur_m2 is not None:
            ratio = self.market_price_eur_m2 / self.observed_market_price_eur_m2
            lines.append(
                f"  modelled comparable / observed market price "
                f"({self.observed_market_price_eur_m2:,.0f} EUR/m²): {ratio:.2f}"
            )
        for row in self.to_frame().itertuples(index=False):
            lines.append(
                f"  {row.component}: {row.discount_eur_m2:,.0f} EUR/m² "
                f"({row.share_of_market_price:.1%} of the market price)"
            )
        return "\n".join(lines)

    def plot(self):
        """Waterfall from the market comparable to the CLT price (``plots.money``)."""
        from permanent_research.plots.money import discount_waterfall

        return discount_waterfall(
            self.market_price_eur_m2, self.parts(),
            title=f"CLT {self.discount_share:.0%} below a new-build comparable",
        )

def clt_discount_decomposition(
    inputs: PriceInputs | Mapping[str, float],
    *,
    method: DecompositionMethod = "shapley",
    claimed_discount: float | None = None,
    observed_market_price_eur_m2: float | None = None,
    sources: Mapping[str, str] | None = None,
) -> DiscountDecomposition:
    """Decompose the CLT discount against a new-build market comparable.

    Parameters
    ----------
    inputs
        :class:`PriceInputs`, or a mapping of its fields (euros of the base year).
    method
        ``"shapley"`` (order-free, default) or ``"sequential"`` (:data:`COMPONENTS` order).
    claimed_discount
        The claim to compare with (clt_facts: 40 % on average, cltb.be).
    observed_market_price_eur_m2
        Observed market price per m², e.g. a Statbel median converted to the base year.
    sources
        Input → source (with a mapping of inputs).

    Returns
    -------
    DiscountDecomposition
        ``parts()`` add up to ``discount_eur_m2``.
    """
    if not isinstance(inputs, PriceInputs):
        values = dict(inputs)
        if sources is not None:
            values["sources"] = dict(sources)
        try:
            inputs = PriceInputs(**values)
        except TypeError as error:
            raise ParameterError(f"inputs: {error}") from None
    elif sources is not None:
        raise ParameterError("sources: give them inside the PriceInputs")
    return DiscountDecomposition(
        inputs=inputs,
        method=method,
        claimed_discount=claimed_discount,
        observed_market_price_eur_m2=observed_market_price_eur_m2,
    )
