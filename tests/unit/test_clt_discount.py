"""Where "about 40 % cheaper" comes from (issue 9 §5): the parts add up to the total."""

from __future__ import annotations

import matplotlib
import pytest

from permanent_research import clt_discount as C
from permanent_research.errors import ParameterError

matplotlib.use("Agg")

INPUTS = dict(
    construction_cost_eur_m2=2_000.0, land_price_eur_m2=750.0, floor_area_ratio=2.5,
    developer_margin=0.15, vat_market=0.21, vat_clt=0.06, registration_duty=0.125,
    construction_subsidy_eur_m2=100.0,
)


def test_hand_worked_prices_and_sequential_parts():
    result = C.clt_discount_decomposition(INPUTS, method="sequential")
    # market: 2000·1.15·1.21 + (750/2.5)·1.15·1.125 = 2783 + 388.125
    assert result.market_price_eur_m2 == pytest.approx(3_171.125)
    # CLT: (2000 − 100)·1.06
    assert result.clt_price_eur_m2 == pytest.approx(2_014.0)
    parts = result.parts()
    assert parts["land"] == pytest.approx(388.125)            # land with its margin and duty
    assert parts["developer_margin"] == pytest.approx(363.0)  # 2000·0.15·1.21
    assert parts["vat"] == pytest.approx(300.0)               # 2000·(0.21 − 0.06)
    assert parts["registration_duties"] == pytest.approx(0.0)  # no land left to tax
    assert parts["construction_subsidy"] == pytest.approx(106.0)  # 100·1.06


@pytest.mark.parametrize("method", C.DECOMPOSITION_METHODS)
def test_parts_add_up_to_the_total(method):
    result = C.clt_discount_decomposition(INPUTS, method=method)
    assert sum(result.parts().values()) == pytest.approx(result.discount_eur_m2, rel=1e-12)
    assert result.to_frame().share_of_discount.sum() == pytest.approx(1.0)
    assert result.discount_eur_m2 == pytest.approx(3_171.125 - 2_014.0)


def test_shapley_is_order_free_and_credits_interactions():
    parts = C.clt_discount_decomposition(INPUTS).parts()
    assert parts["registration_duties"] > 0  # the duty is credited though land also removes it
    assert all(v >= 0 for v in parts.values())
    # with no margin and no duty, the land part is exactly the land cost per m² of floor
    plain = C.clt_discount_decomposition({**INPUTS, "developer_margin": 0.0,
                                          "registration_duty": 0.0}).parts()
    assert plain["land"] == pytest.approx(300.0)
    assert plain["developer_margin"] == plain["registration_duties"] == 0.0


def test_switched_off_components_contribute_nothing():
    parts = C.clt_discount_decomposition(
        {**INPUTS, "vat_clt": 0.21, "construction_subsidy_eur_m2": 0.0}
    ).parts()
    assert parts["vat"] == pytest.approx(0.0, abs=1e-9)
    assert parts["construction_subsidy"] == pytest.approx(0.0, abs=1e-9)


def test_result_contract():
    result = C.clt_discount_decomposition(
        INPUTS, claimed_discount=0.40, observed_market_price_eur_m2=3_250.0,
        sources={"developer_margin": "assumption (no public source found)"},
    )
    frame = result.to_frame()
    assert list(frame.component) == list(C.COMPONENTS)
    assert frame.set_index("component").loc["vat", "source"].startswith("vat_market: Belgian")
    assert "assumption" in frame.set_index("component").loc["construction_subsidy", "source"]
    text = result.summary()
    assert "claimed: 40%" in text and "observed market price" in text
    assert "<table" in result._repr_html_()
    assert result.plot().axes
    assert result.replace(method="sequential").parts()["registration_duties"] == 0.0
    with pytest.raises(ParameterError, match="method='median'"):
        result.replace(method="median")


def test_bad_inputs():
    with pytest.raises(ParameterError, match=r"vat_clt=1.2 is outside the allowed range \[0, 1\)"):
        C.clt_discount_decomposition({**INPUTS, "vat_clt": 1.2})
    with pytest.raises(ParameterError, match="construction_subsidy_eur_m2=2500"):
        C.clt_discount_decomposition({**INPUTS, "construction_subsidy_eur_m2": 2_500.0})
    with pytest.raises(ParameterError, match="unknown input"):
        C.clt_discount_decomposition(INPUTS, sources={"profit": "x"})
    with pytest.raises(ParameterError, match="inputs:"):
        C.clt_discount_decomposition({**INPUTS, "vat": 0.21})
