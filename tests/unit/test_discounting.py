"""Present values, annuities and terminal values against hand-worked numbers (issue 9 §2, §9)."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest

from permanent_research import discounting as D
from permanent_research.errors import DataError, ParameterError

matplotlib.use("Agg")


# ---- hand-worked numbers ---------------------------------------------------------------------
def test_present_value_three_years_at_5pct():
    # start: 100 + 100/1.05 + 100/1.05² = 100 + 95.238095 + 90.702948
    assert D.present_value([100, 100, 100], 0.05) == pytest.approx(285.941043, abs=1e-6)
    # end: 100/1.05 + 100/1.05² + 100/1.05³ = 95.238095 + 90.702948 + 86.383760
    assert D.present_value([100, 100, 100], 0.05, timing="end") == pytest.approx(
        272.324803, abs=1e-6
    )


def test_annuity_ten_years_at_3_5pct():
    # 1.035^10 = 1.4105988; 1000 · 0.035 / (1 − 1/1.4105988) = 35 / 0.2910812 = 120.2414
    assert D.annuity(1_000.0, 0.035, 10, timing="end") == pytest.approx(120.2414, abs=1e-4)
    # paid at the start of each year: one year less of discounting, 120.2414 / 1.035
    assert D.annuity(1_000.0, 0.035, 10) == pytest.approx(120.2414 / 1.035, abs=1e-4)


def test_terminal_value_fifty_years_at_3pct():
    # 1.03^50 = 4.3839060; 1,000,000 / 4.3839060 = 228,107.1
    assert D.terminal_value(1_000_000.0, 0.03, 50) == pytest.approx(228_107.1, abs=0.1)


def test_discount_factors_hand_values():
    np.testing.assert_allclose(D.discount_factors(0.1, 3), [1.0, 1 / 1.1, 1 / 1.21])
    np.testing.assert_allclose(D.discount_factors(0.1, [0, 2], timing="end"), [1 / 1.1, 1 / 1.331])


# ---- properties ------------------------------------------------------------------------------
def test_zero_rate_equals_undiscounted_totals():
    rng = np.random.default_rng(1)
    flows = rng.normal(1_000, 300, size=(5, 40))
    np.testing.assert_allclose(D.present_value(flows, 0.0), flows.sum(axis=1))
    assert D.annuity(4_000.0, 0.0, 8) == pytest.approx(500.0)
    assert D.terminal_value(123.0, 0.0, 60) == 123.0
    assert D.annuity_factor(0.0, 12) == 12


def test_discounting_lowers_late_costs_monotonically():
    factors = D.discount_factors(0.03, 60)
    assert (np.diff(factors) < 0).all()
    # the same cost later weighs less; a higher rate lowers it further
    late = [D.present_value(np.eye(60)[t], 0.03) for t in range(60)]
    assert all(a > b for a, b in zip(late, late[1:], strict=False))
    by_rate = [D.present_value(np.eye(60)[50], r) for r in (0.0, 0.02, 0.035, 0.05)]
    assert all(a > b for a, b in zip(by_rate, by_rate[1:], strict=False))


def test_annuity_inverts_present_value():
    for rate in (0.0, 0.02, 0.035):
        for timing in ("start", "end"):
            pv = D.present_value(np.full(30, 250.0), rate, timing=timing)
            assert D.annuity(pv, rate, 30, timing=timing) == pytest.approx(250.0)


def test_one_rate_per_draw_equals_a_loop():
    rng = np.random.default_rng(7)
    flows = rng.normal(size=(50, 20))
    rates = rng.uniform(0, 0.05, size=50)
    got = D.present_value(flows, rates)
    expected = [D.present_value(flows[i], rates[i]) for i in range(50)]
    np.testing.assert_allclose(got, expected)
    np.testing.assert_allclose(
        D.terminal_value(np.ones(50), rates, 20), (1 + rates) ** -20.0
    )


# ---- bad input -------------------------------------------------------------------------------
@pytest.mark.parametrize("rate", [-1.0, -1.5, 0.2000001, 0.5, float("nan")])
def test_rate_outside_range_is_a_one_line_error(rate):
    message = r"discount_rate=.* outside the allowed range \(-1, 0.2\]"
    with pytest.raises(ParameterError, match=message):
        D.discount_factors(rate, 10)


def test_rate_limits_are_inclusive_at_0_2():
    assert D.check_rate(0.2) == 0.2
    assert D.check_rate(-0.99) == -0.99
    with pytest.raises(ParameterError, match="outside"):
        D.present_value(np.ones((2, 3)), np.array([0.01, 0.3]))


def test_other_bad_input():
    with pytest.raises(ParameterError, match="timing"):
        D.discount_factors(0.03, 5, timing="middle")
    with pytest.raises(ParameterError, match="years=-1"):
        D.discount_factors(0.03, -1)
    with pytest.raises(ParameterError, match="at least one year"):
        D.present_value([], 0.03)
    with pytest.raises(ParameterError, match="one rate per row"):
        D.present_value(np.ones((3, 4)), np.array([0.01, 0.02]))
    with pytest.raises(ParameterError, match="years=0"):
        D.annuity(1.0, 0.03, 0)


# ---- the side-by-side table ------------------------------------------------------------------
@pytest.fixture
def flows():
    return pd.DataFrame(
        {
            "item": ["land", "build", "build", "rent"],
            "year": [0, 0, 1, 2],
            "amount_eur": [1_000.0, 500.0, 500.0, -300.0],
        }
    )


def test_present_value_table(flows):
    table = D.present_value_table(
        flows, rate=0.03, horizon_years=3, terminal={"build": 2_000.0},
        rate_source="EC Guide to CBA 2014",
    )
    frame = table.to_frame()
    assert table.rates == (0.0, 0.02, 0.035, 0.03)
    zero = frame[frame.rate == 0.0].set_index("item")
    np.testing.assert_allclose(zero["pv_eur"], zero["undiscounted_eur"])
    at3 = frame[frame.rate == 0.03].set_index("item")
    # build: 500 + 500/1.03 + 2000/1.03³
    assert at3.loc["build", "pv_eur"] == pytest.approx(500 + 500 / 1.03 + 2_000 / 1.03**3)
    assert at3.loc["rent", "pv_eur"] == pytest.approx(-300 / 1.03**2)
    assert at3.loc["build", "rate_source"] == "EC Guide to CBA 2014"
    assert at3.loc["build", "undiscounted_eur"] == 3_000.0
    wide = table.wide()
    assert {"pv_0pct_eur", "pv_3.5pct_eur", "undiscounted_eur"} <= set(wide.columns)
    assert "undiscounted" in table.summary() and "<table" in table._repr_html_()
    fig = table.plot()
    assert fig.axes
    with pytest.raises(ParameterError, match="outside"):
        table.replace(rates=(0.03, 0.25))
    assert table.replace(rates=(0.05,)).to_frame().rate.unique().tolist() == [0.05]


def test_present_value_table_bad_input(flows):
    with pytest.raises(DataError, match="whole years 0…1"):
        D.present_value_table(flows, horizon_years=2)
    with pytest.raises(ParameterError, match="terminal: item"):
        D.present_value_table(flows, horizon_years=3, terminal={"roof": 1.0})
    with pytest.raises(ParameterError, match="discount_rate=0.3"):
        D.present_value_table(flows, rate=0.3, horizon_years=3)


def test_annuity_factor_closed_form_equals_the_sum_of_factors():
    for rate in (-0.02, 1e-13, 1e-6, 0.035, 0.2):
        for timing in ("start", "end"):
            expected = D.discount_factors(rate, 40, timing=timing).sum()
            assert D.annuity_factor(rate, 40, timing=timing) == pytest.approx(expected, rel=1e-10)
    rates = np.array([0.0, 0.01, 0.05])
    np.testing.assert_allclose(
        D.annuity_factor(rates, 25, timing="end"),
        [D.discount_factors(r, 25, timing="end").sum() for r in rates],
    )
