"""Unit tests for permanent_research.waiting_list (METHODS §6 table, closed forms vs Euler)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from permanent_research import waiting_list as wl
from permanent_research.errors import ParameterError

# METHODS §6 illustration: L = 43,000, S = 40,000, n = 110 (shown precision: A integer,
# T to 0.1 year, exp(-delta T) to 0.01)
METHODS_TABLE = [
    # tau, A, T(delta=0), T(delta=0.05), exp(-delta T)
    (0.03, 1310, 32.8, 19.4, 0.38),
    (0.05, 2110, 20.4, 14.1, 0.50),
    (0.08, 3310, 13.0, 10.0, 0.61),
]


def _illustration(tau: float, delta: float = 0.0) -> wl.QueueParameters:
    return wl.QueueParameters(stock=40000, turnover=tau, new_supply=110, list_length=43000,
                              attrition=delta)


@pytest.mark.parametrize(("tau", "alloc", "t0", "t5", "p_still"), METHODS_TABLE)
def test_reproduces_methods_table(tau, alloc, t0, t5, p_still):
    no_attrition = wl.queue_summary(_illustration(tau, 0.0))
    with_attrition = wl.queue_summary(_illustration(tau, 0.05))
    assert round(no_attrition.allocations) == alloc
    assert round(no_attrition.newcomer_wait_years, 1) == t0
    assert round(with_attrition.newcomer_wait_years, 1) == t5
    assert round(with_attrition.probability_still_waiting, 2) == p_still


def test_grid_reproduces_methods_table():
    grid = wl.scenario_grid(_illustration(0.05), turnover=(0.03, 0.05, 0.08),
                            attrition=(0.0, 0.05))
    got = grid.pivot(index="turnover", columns="attrition", values="newcomer_wait_years")
    expected = {row[0]: (row[2], row[3]) for row in METHODS_TABLE}
    for tau, (t0, t5) in expected.items():
        assert round(got.loc[tau, 0.0], 1) == t0
        assert round(got.loc[tau, 0.05], 1) == t5


def test_littles_law_and_limits():
    # W = L / (A + delta L) = 43,000 / (2,110 + 2,150)
    assert wl.mean_wait_years(43000, 2110, 0.05) == pytest.approx(43000 / 4260)
    # attrition -> 0 recovers L/A
    assert wl.newcomer_wait_years(43000, 2110, 1e-9) == pytest.approx(43000 / 2110, rel=1e-6)
    assert wl.newcomer_wait_years(100, 0.0) == math.inf


def test_newcomer_wait_by_simulating_the_people_ahead():
    # Euler integration of dK/dt = -A - delta K from K(0) = L until K = 0
    params = _illustration(0.05, 0.05)
    k, t, h = params.list_length, 0.0, 1e-4
    while k > 0:
        k += h * (-params.allocations - params.attrition * k)
        t += h
    assert wl.queue_summary(params).newcomer_wait_years == pytest.approx(t, abs=1e-3)


@pytest.mark.parametrize("delta", [0.0, 0.05])
@pytest.mark.parametrize("added", [0.0, 250.0])
def test_dynamic_wait_against_euler(delta, added):
    params = wl.QueueParameters(stock=40000, turnover=0.05, new_supply=110,
                                list_length=43000, attrition=delta)
    a0 = params.allocations + added
    g = params.turnover * (params.new_supply + added)
    k, t, h = params.list_length, 0.0, 1e-4
    while k > 0:
        k += h * (-(a0 + g * t) - delta * k)
        t += h
    assert wl.dynamic_newcomer_wait_years(params, added) == pytest.approx(t, abs=1e-3)
    # growing allocations can only shorten the wait
    assert wl.dynamic_newcomer_wait_years(params, added) <= wl.queue_summary(
        params, added).newcomer_wait_years + 1e-9


def test_added_homes_shorten_the_wait_monotonically():
    params = _illustration(0.05)
    waits = [wl.queue_summary(params, n).dynamic_newcomer_wait_years for n in (0, 100, 500)]
    assert waits[0] > waits[1] > waits[2]
    # static: A = 2,110 + 500 = 2,610 -> 43,000 / 2,610
    assert wl.queue_summary(params, 500).newcomer_wait_years == pytest.approx(43000 / 2610)


@pytest.mark.parametrize("delta", [0.0, 0.04])
@pytest.mark.parametrize("stock_grows", [True, False])
def test_trajectory_closed_form_against_euler(delta, stock_grows):
    params = wl.QueueParameters(stock=40000, turnover=0.05, new_supply=110,
                                list_length=43000, attrition=delta, registrations=3000,
                                stock_grows=stock_grows)
    exact = wl.list_trajectory(params, years=20, added_permanent_per_year=200).to_frame()
    euler = wl.list_trajectory(params, years=20, added_permanent_per_year=200,
                               method="euler", steps_per_year=4000).to_frame()
    on_grid = euler.iloc[::4000 // 12].reset_index(drop=True)
    # Euler's global error is O(h): relative tolerance 1e-3 at h = 1/4000 year
    np.testing.assert_allclose(exact["list_length"], on_grid["list_length"], rtol=1e-3)


def test_trajectory_hand_worked_no_attrition():
    # delta = 0, lam = 3,000, A(t) = 2,110 + 0.05*110 t: L(t) = 43,000 + 890 t - 2.75 t^2
    params = wl.QueueParameters(stock=40000, turnover=0.05, new_supply=110,
                                list_length=43000, registrations=3000)
    frame = wl.list_trajectory(params, years=10, steps_per_year=1).to_frame()
    t = frame["year"].to_numpy()
    np.testing.assert_allclose(frame["list_length"], 43000 + 890 * t - 2.75 * t**2)


def test_list_stops_at_zero():
    params = wl.QueueParameters(stock=40000, turnover=0.08, new_supply=110,
                                list_length=5000, registrations=1000)
    frame = wl.list_trajectory(params, years=10).to_frame()
    assert frame["list_length"].min() == 0
    assert (frame["list_length"] >= 0).all()
    first_zero = int(np.flatnonzero(frame["list_length"].to_numpy() == 0)[0])
    assert (frame["list_length"].iloc[first_zero:] == 0).all()


def test_calibrated_registrations():
    params = wl.QueueParameters(stock=40000, turnover=0.05, new_supply=110,
                                list_length=43000, attrition=0.05, list_growth_per_year=1500)
    assert params.effective_registrations == pytest.approx(1500 + 2110 + 0.05 * 43000)
    assert wl.queue_summary(params).list_growth_per_year == pytest.approx(1500)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("turnover", 1.5, r"turnover=1.5 is outside the allowed range \[0, 1\]"),
     ("attrition", 1.0, r"attrition=1.0 is outside"),
     ("stock", 0, r"stock=0"),
     ("list_length", -1, r"list_length=-1")],
)
def test_bad_parameters(field, value, message):
    values = {"stock": 40000, "turnover": 0.05, "new_supply": 110, "list_length": 43000}
    values[field] = value
    with pytest.raises(ParameterError, match=message):
        wl.QueueParameters(**values)


def test_parameters_from_mapping():
    base = _illustration(0.05)
    changed = wl.parameters_from_mapping({"turnover": 0.08}, base)
    assert changed.turnover == 0.08 and changed.sources["turnover"] == "scenario"
    with pytest.raises(ParameterError, match="'turnoverr' unknown; allowed: stock"):
        wl.parameters_from_mapping({"turnoverr": 0.08}, base)
    with pytest.raises(ParameterError, match="stock, turnover"):
        wl.parameters_from_mapping({"new_supply": 1})


def test_defaults_from_bundled_slrb_facts():
    from permanent_research.data import load

    params = wl.default_queue_parameters(load("social_housing"))
    assert params.list_length == 55000  # 2024-05, BX1
    assert params.stock == 39527  # 2016, DH
    assert params.new_supply == 110  # ama.be
    # (55,000 - 44,000) / (2024 + 4/12 - 2017)
    assert params.list_growth_per_year == pytest.approx(11000 / (7 + 4 / 12))
    assert params.sources["list_length"].startswith("https://bx1.be/")
    assert "assumption" in params.sources["turnover"]
    frame = params.to_frame()
    assert frame.loc[frame["parameter"] == "new_supply", "source"].iloc[0].startswith(
        "https://ama.be")


# ------------------------------------------------- independent check: discrete FIFO simulation
def _simulate_fifo(lam, alloc, delta, start, horizon, rng, *, tagged=False, grid=(),
                   record_from=0.0):
    """Event-by-event FIFO list: Poisson registrations (rate ``lam``), allocations at Poisson
    rate ``alloc`` to the head of the list, each waiting household leaving at rate ``delta``.

    ``tagged``: a newcomer joins at the back at t = 0 and never leaves; returns the time of
    its turn. Otherwise returns the times on the list of households that joined after
    ``record_from``, the number of those housed, and the list length at the ``grid`` times.
    """
    arrival, alive = [], []  # by household id
    pool, where = [], []  # alive ids, for drawing a uniformly random leaver
    head, t, sojourn, housed, path, g = 0, 0.0, [], 0, [], 0

    def join(when):
        arrival.append(when)
        alive.append(True)
        where.append(len(pool))
        pool.append(len(arrival) - 1)

    def leave(i):
        alive[i] = False
        last = pool.pop()
        if last != i:
            pool[where[i]] = last
            where[last] = where[i]

    for _ in range(int(start)):
        join(0.0)
    target = None
    if tagged:
        join(0.0)
        target = len(arrival) - 1
    while t < horizon:
        n = len(pool)
        rate_alloc = alloc if n else 0.0
        total = lam + rate_alloc + delta * n
        t += rng.exponential(1.0 / total)
        while g < len(grid) and grid[g] <= t:
            path.append(n)
            g += 1
        u = rng.random() * total
        if u < lam:
            join(t)
            continue
        if u < lam + rate_alloc:
            while not alive[head]:
                head += 1
            i = head
            if i == target:
                return t
        else:
            i = pool[int(rng.integers(n))]
            if i == target:  # the tagged newcomer stays (we want the time of its turn)
                continue
        leave(i)
        if arrival[i] >= record_from:
            sojourn.append(t - arrival[i])
            housed += u < lam + rate_alloc
    return np.array(sojourn), housed, np.array(path, dtype=float)


def test_newcomer_wait_and_probability_against_fifo_simulation():
    # L = 200 ahead, A = 10 a year, delta = 5 %: T = ln(2) / 0.05 = 13.86 years. 200 replicates:
    # the standard error of the mean turn is about 0.07 years, so 3 % is about 6 standard errors.
    rng = np.random.default_rng(20240501)
    turns = np.array([_simulate_fifo(0.0, 10.0, 0.05, 200, np.inf, rng, tagged=True)
                      for _ in range(200)])
    wait = wl.newcomer_wait_years(200, 10.0, 0.05)
    assert turns.mean() == pytest.approx(wait, rel=0.03)
    # the newcomer's own attrition is independent of its turn: P(still waiting) = E[e^{-dT}]
    assert np.exp(-0.05 * turns).mean() == pytest.approx(
        wl.probability_still_waiting(wait, 0.05), abs=0.02)


def test_littles_law_against_fifo_simulation_in_steady_state():
    # steady state: lam = A + delta L = 10 + 0.05 * 200 = 20 a year, W = 200 / 20 = 10 years;
    # housed share = A / lam = exp(-delta T) = 0.5. 1,500 simulated years (about 28,000
    # exits after a 100-year burn-in); the list relaxes over 1/delta = 20 years, so sojourns
    # are strongly autocorrelated: standard error about 1.5 %, tolerance 5 % and 0.03.
    rng = np.random.default_rng(7)
    sojourn, housed, _ = _simulate_fifo(20.0, 10.0, 0.05, 200, 1500.0, rng, record_from=100.0)
    assert sojourn.mean() == pytest.approx(wl.mean_wait_years(200, 10.0, 0.05), rel=0.05)
    wait = wl.newcomer_wait_years(200, 10.0, 0.05)
    assert housed / len(sojourn) == pytest.approx(wl.probability_still_waiting(wait, 0.05),
                                                  abs=0.03)


def test_list_path_against_fifo_simulation():
    # out of steady state: lam = 30, A = 10, delta = 5 %, L0 = 200 -> L(t) -> 400. Mean of 40
    # simulated paths; per-path standard deviation about 20 households at t = 20, so the
    # standard error of the mean is about 3: tolerance 4 % (about 5 standard errors).
    rng = np.random.default_rng(11)
    grid = np.array([5.0, 10.0, 20.0])
    paths = np.array([_simulate_fifo(30.0, 10.0, 0.05, 200, 20.0, rng, grid=grid)[2]
                      for _ in range(40)])
    params = wl.QueueParameters(stock=1000, turnover=0.0, new_supply=10, list_length=200,
                                attrition=0.05, registrations=30.0, stock_grows=False)
    path = wl.list_trajectory(params, years=20, steps_per_year=1).to_frame()
    expected = path.set_index("year").loc[grid, "list_length"].to_numpy()
    np.testing.assert_allclose(paths.mean(axis=0), expected, rtol=0.04)


def test_list_length_choice_latest_or_brochure():
    from permanent_research.data import load

    social = load("social_housing")
    options = wl.list_length_options(social).set_index("choice")
    raw = social[social["measure"] == "waiting_list_households"]
    newest = raw[raw["reference_period"] == "2024-05"]
    assert options.loc["latest", "households"] == float(newest["value"].iloc[0]) == 55000
    assert options.loc["latest", "source"] == newest["source_url"].iloc[0]
    assert options.loc["brochure", "households"] == 43000
    assert "brochure" in options.loc["brochure", "source"]
    brochure = wl.default_queue_parameters(social, list_length="brochure")
    latest = wl.default_queue_parameters(social)
    assert (brochure.list_length, latest.list_length) == (43000, 55000)
    assert brochure.sources["list_length"] == wl.BROCHURE_SOURCE
    assert brochure.replace(list_length=55000) == latest  # nothing else changes
    with pytest.raises(ParameterError, match="list_length='newest'.*'latest', 'brochure'"):
        wl.default_queue_parameters(social, list_length="newest")


# ------------------------------------------------------------------ calibration (issue 9, §6)
def _facts_params():
    from permanent_research.data import load

    return wl.default_queue_parameters(load("social_housing"))


def test_uncalibrated_model_waits_26_years_today():
    # 55,000 households over 5 % of 39,527 dwellings + 110 new ones a year
    params = _facts_params()
    assert params.list_length == 55_000 and params.stock == 39_527
    assert wl.queue_summary(params).newcomer_wait_years == pytest.approx(
        55_000 / (0.05 * 39_527 + 110))
    assert round(55_000 / (0.05 * 39_527 + 110), 1) == 26.4


def test_calibration_reproduces_the_observed_wait():
    calibration = wl.calibrate_queue(_facts_params(), turnover=(0.03, 0.055, 0.08))
    table = calibration.to_frame()
    tolerance = 0.01  # years
    for row in table.itertuples():
        params = wl.QueueParameters(stock=39_527, turnover=row.turnover, new_supply=110,
                                    list_length=55_000, attrition=row.attrition_fit)
        assert abs(wl.dynamic_newcomer_wait_years(params) - 13.0) < tolerance
        for delta, observed in ((row.attrition_at_observed_low, 10.0),
                                (row.attrition_at_observed_high, 16.0)):
            assert abs(wl.dynamic_newcomer_wait_years(
                params.replace(attrition=delta)) - observed) < tolerance
        # without attrition the model is outside the observed band
        assert row.wait_uncalibrated_years > 16
    # the more the stock turns over, the less attrition is needed to reach the same wait
    assert np.all(np.diff(table["attrition_fit"].to_numpy()) < 0)
    assert calibration.params.turnover == 0.055
    assert calibration.params.attrition == pytest.approx(
        table.loc[table["central"], "attrition_fit"].iloc[0])
    assert "13.0 years" in calibration.summary()


def test_calibration_without_a_fit_is_an_error():
    # 50 % turnover serves the list in under 3 years: no attrition >= 0 gives 13
    with pytest.raises(ParameterError, match=r"turnover=0.5: even without attrition"):
        wl.calibrate_queue(_facts_params(), turnover=(0.5,))
    with pytest.raises(ParameterError, match="need low <= high"):
        wl.calibrate_queue(_facts_params(), observed_wait_years=(16, 10))


def test_zero_eligibility_removes_no_one_from_the_queue():
    params = _illustration(0.05, 0.03)
    none = wl.queue_summary(params, 500, eligible_share=0.0)
    nothing_added = wl.queue_summary(params, 0)
    assert none.newcomer_wait_years == nothing_added.newcomer_wait_years
    assert none.dynamic_newcomer_wait_years == nothing_added.dynamic_newcomer_wait_years
    assert none.allocations == nothing_added.allocations
    path = wl.list_trajectory(params.replace(registrations=3000), years=20,
                              added_permanent_per_year=500, eligible_share=0.0).to_frame()
    base = wl.list_trajectory(params.replace(registrations=3000), years=20).to_frame()
    np.testing.assert_array_equal(path["list_length"], base["list_length"])


def test_eligible_share_scales_the_homes_the_list_sees():
    params = _illustration(0.05, 0.03)
    half = wl.queue_summary(params, 200, eligible_share=0.5)
    assert half.added_permanent_per_year == 100
    assert half.dynamic_newcomer_wait_years == pytest.approx(
        wl.queue_summary(params, 100).dynamic_newcomer_wait_years)
    assert half.allocations == pytest.approx(params.allocations + 100)
    with pytest.raises(ParameterError, match=r"eligible_share=1.5 is outside the allowed range"):
        wl.queue_summary(params, 200, eligible_share=1.5)
