"""Global sensitivity, correlated sweeps, PRIM and the Dask engine (``sensitivity``)."""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import permanent_research
from permanent_research.errors import ParameterError
from permanent_research.scenarios import load_assumptions, simulate
from permanent_research.sensitivity import (
    SCHEDULER_ENV,
    comparison_model,
    input_space,
    morris,
    prim,
    sobol,
    sweep,
)

PI = math.pi
UNIFORM_PI = {"dist": "uniform", "low": -PI, "high": PI}
ISHIGAMI_INPUTS = {"x1": UNIFORM_PI, "x2": UNIFORM_PI, "x3": UNIFORM_PI}


def ishigami(table: pd.DataFrame) -> pd.Series:
    a, b = 7.0, 0.1
    x1, x2, x3 = table["x1"], table["x2"], table["x3"]
    return pd.Series(np.sin(x1) + a * np.sin(x2) ** 2 + b * x3**4 * np.sin(x1), name="y")


def ishigami_analytic(a: float = 7.0, b: float = 0.1) -> tuple[dict, dict]:
    # Ishigami & Homma (1990); Sobol' & Levitan (1999): closed-form partial variances
    v1 = 0.5 * (1 + b * PI**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * PI**8 * (1 / 18 - 1 / 50)
    total = v1 + v2 + v13
    first = {"x1": v1 / total, "x2": v2 / total, "x3": 0.0}
    total_effect = {"x1": (v1 + v13) / total, "x2": v2 / total, "x3": v13 / total}
    return first, total_effect


@pytest.fixture(scope="module")
def clusters():
    """In-process Dask clusters with one and two workers (threads: fast to start)."""
    from distributed import Client, LocalCluster

    made = {}
    for n in (1, 2):
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=False,
                               dashboard_address=":0")
        made[n] = (cluster, Client(cluster, set_as_default=False))
    yield {n: client for n, (_, client) in made.items()}
    for cluster, client in made.values():
        client.close()
        cluster.close()


# ------------------------------------------------------------------ Sobol' and Morris


def test_sobol_recovers_ishigami_indices_within_bootstrap_interval():
    result = sobol(ishigami, ISHIGAMI_INPUTS, n_base=2**12, seed=7, scheduler="inline")
    first, total = ishigami_analytic()
    table = result.to_frame().set_index("input")
    assert list(result.to_frame().columns) == ["output", "input", "S1", "S1_conf", "ST", "ST_conf"]
    for name in ISHIGAMI_INPUTS:
        assert abs(table.loc[name, "S1"] - first[name]) <= table.loc[name, "S1_conf"]
        assert abs(table.loc[name, "ST"] - total[name]) <= table.loc[name, "ST_conf"]
    assert result.n_runs == 2**12 * (3 + 2)
    assert result.ranking() == ["x1", "x2", "x3"]
    # convergence: indices from N/2 and N base samples agree to a few hundredths
    assert set(result.convergence.columns) >= {"S1_half", "ST_half", "change"}
    assert result.max_change() < 0.05


def test_saltelli_design_is_salibs():
    from SALib.sample import sobol as salib_sobol

    from permanent_research.sensitivity._indices import saltelli_sample

    problem = {"num_vars": 5, "names": list("abcde"), "bounds": [[0.0, 1.0]] * 5}
    expected = salib_sobol.sample(problem, 64, calc_second_order=False, scramble=True, seed=3)
    np.testing.assert_array_equal(saltelli_sample(64, 5, 3), expected)


def test_design_rows_made_on_the_workers_equal_the_full_design():
    from permanent_research.sensitivity._indices import SaltelliDesign, saltelli_sample

    full = saltelli_sample(256, 6, 11)
    design = SaltelliDesign(256, 6, 11)
    assert len(design) == len(full)
    for start, stop in ((0, len(full)), (0, 1), (7, 8), (5, 1_000), (1_000, len(full)),
                        (17, 25)):
        np.testing.assert_array_equal(design.rows(start, stop), full[start:stop])
    base = SaltelliDesign(256, 6, 11, base_only=True)
    assert len(base) == 256
    np.testing.assert_array_equal(base.rows(3, 200), full[::8][3:200])


def test_split_indices_equal_salibs_analysis():
    from SALib.analyze import sobol as salib_analyze

    from permanent_research.sensitivity._indices import saltelli_sample, sobol_indices

    k = 5
    unit = saltelli_sample(512, k, 2)
    y = ishigami(pd.DataFrame(unit[:, :3] * 2 * np.pi - np.pi, columns=list(ISHIGAMI_INPUTS)))
    y = y.to_numpy() + unit[:, 3] * 0.5  # a fourth input that matters a little, a fifth not
    problem = {"num_vars": k, "names": list("abcde"), "bounds": [[0.0, 1.0]] * k}
    expected = salib_analyze.analyze(problem, y, calc_second_order=False, num_resamples=50,
                                     conf_level=0.9, seed=8)
    parts = [sobol_indices(y, k, group, seed=8, resamples=50, conf_level=0.9)
             for group in (range(0, 2), range(2, 5))]
    for key in ("S1", "S1_conf", "ST", "ST_conf"):
        np.testing.assert_array_equal(np.concatenate([part[key] for part in parts]),
                                      expected[key])
    points = sobol_indices(y, k, seed=8, resamples=0)
    np.testing.assert_array_equal(points["S1"], expected["S1"])
    assert np.isnan(points["S1_conf"]).all()


def test_sobol_measures_the_models_own_randomness():
    inputs = {"x": {"dist": "uniform", "low": 0, "high": 1}, "z": {"dist": "uniform", "low": 0,
                                                                 "high": 1}}

    def noisy(table):
        # noise of variance 1/12 (as x's) that depends on the global row number only
        row = table.index.to_numpy(dtype=float)
        noise = np.modf(np.abs(np.sin(row * 12.9898 + 1.0)) * 43758.5453)[0] - 0.5
        return (table["x"] + noise).rename("y")

    result = sobol(noisy, inputs, n_base=2**11, seed=2, scheduler="inline")
    assert result.noise_share("y") == pytest.approx(0.5, abs=0.05)
    # Jansen's total index carries the noise (about +0.5), the first-order index does not
    table = result.to_frame().set_index("input")
    assert table.loc["x", "S1"] == pytest.approx(0.5, abs=0.06)
    assert table.loc["z", "ST"] == pytest.approx(0.5, abs=0.06)
    deterministic = sobol(ishigami, ISHIGAMI_INPUTS, n_base=64, seed=1, scheduler="inline")
    assert deterministic.noise_share() == 0.0


def test_sobol_refuses_n_base_not_power_of_two_naming_nearest():
    with pytest.raises(ParameterError, match=r"n_base=1000 .*nearest is 1024"):
        sobol(ishigami, ISHIGAMI_INPUTS, n_base=1000, seed=1, scheduler="inline")
    with pytest.raises(ParameterError, match=r"nearest is 512"):
        sobol(ishigami, ISHIGAMI_INPUTS, n_base=600, seed=1, scheduler="inline")


def test_morris_ranks_linear_inputs_and_measures_their_effects():
    coefficients = {"a": 10.0, "b": -5.0, "c": 1.0, "d": 0.0}
    inputs = {name: {"dist": "uniform", "low": 0, "high": 2} for name in coefficients}

    def linear(table):
        return sum(table[name] * c for name, c in coefficients.items()).rename("y")

    result = morris(linear, inputs, trajectories=20, levels=4, seed=3, scheduler="inline")
    assert result.ranking() == ["a", "b", "c", "d"]
    table = result.to_frame().set_index("input")
    # linear model: every elementary effect per full range (2) equals 2 x coefficient
    for name, c in coefficients.items():
        assert table.loc[name, "mu_star"] == pytest.approx(abs(c) * 2, abs=1e-9)
        assert table.loc[name, "sigma"] == pytest.approx(0.0, abs=1e-9)
    assert list(result.to_frame().columns[:4]) == ["output", "input", "mu_star", "sigma"]


def test_model_returning_nan_names_the_input_row():
    def bad(table):
        return table["x"].where(table["x"] < 0.9).rename("y")

    inputs = {"x": {"dist": "uniform", "low": 0, "high": 1}}
    drawn = input_space(inputs).draw(0, 3000, seed=5)
    first_bad = int(drawn.index[drawn["x"] >= 0.9][0])
    with pytest.raises(ParameterError, match=rf"output 'y' at input row {first_bad} \(x="):
        sweep(bad, inputs, n_runs=3000, seed=5, scheduler="inline", chunk_size=1000)


def test_model_returning_wrong_rows_is_refused():
    with pytest.raises(ParameterError, match="returned 1 rows for"):
        sobol(lambda t: pd.Series([1.0]), ISHIGAMI_INPUTS, n_base=8, seed=1,
              scheduler="inline")


# ------------------------------------------------------------------ inputs and correlations

CORRELATED = {
    "rent": {"dist": "triangular", "low": 9.5, "mode": 11, "high": 13},
    "price": {"dist": "lognormal", "median": 3300, "sigma": 0.1},
    "cost": {"dist": "uniform", "low": 1800, "high": 2800},
}
TARGET = pd.DataFrame([[1.0, 0.6, 0.3], [0.6, 1.0, -0.2], [0.3, -0.2, 1.0]],
                      index=list(CORRELATED), columns=list(CORRELATED))


def test_correlated_draws_reach_rank_correlations_and_keep_marginals():
    runs = sweep(lambda t: (t["rent"] * 0).rename("zero"), CORRELATED, n_runs=40_000, seed=11,
                 correlations=TARGET, scheduler="inline").runs
    observed = runs[list(CORRELATED)].corr(method="spearman")
    # Spearman's rho from n = 40,000 draws: standard error below 0.005
    np.testing.assert_allclose(observed.to_numpy(), TARGET.to_numpy(), atol=0.02)
    space = input_space(CORRELATED)
    for name, dist in space.distributions.items():
        # probability integral transform of the draws must be uniform on [0, 1]
        grid = np.linspace(0, 1, 20_001)
        u = np.interp(runs[name], dist.ppf(grid), grid)
        assert stats.kstest(u, "uniform").pvalue > 0.001, name
    assert runs["cost"].between(1800, 2800).all()


@pytest.mark.parametrize(("matrix", "message"), [
    ([[1, 0.5, 0], [0.4, 1, 0], [0, 0, 1]], "not symmetric"),
    ([[1, 0.9, -0.9], [0.9, 1, 0.9], [-0.9, 0.9, 1]], "not positive semi-definite"),
])
def test_bad_correlation_matrix_is_refused_before_running(matrix, message):
    calls = []

    def model(table):
        calls.append(len(table))
        return table["rent"].rename("y")

    bad = pd.DataFrame(matrix, index=list(CORRELATED), columns=list(CORRELATED))
    with pytest.raises(ParameterError, match=message):
        sweep(model, CORRELATED, n_runs=10, seed=1, correlations=bad, scheduler="inline")
    assert calls == []


def test_correlation_naming_unknown_input_is_refused():
    spec = {"inputs": ["rent", "rents"], "matrix": [[1, 0.5], [0.5, 1]], "source": "assumption"}
    with pytest.raises(ParameterError, match="unknown input.*rents"):
        input_space(CORRELATED, correlations=spec)


def test_bad_distribution_spec_is_refused():
    with pytest.raises(ParameterError, match="dist='beta' is not allowed"):
        input_space({"x": {"dist": "beta", "a": 1}})
    with pytest.raises(ParameterError, match="low=3 exceeds high=1"):
        input_space({"x": {"dist": "uniform", "low": 3, "high": 1}})
    # scenario assumptions keep the scenario file's rules (a share lies in [0, 1])
    with pytest.raises(ParameterError, match="outside the allowed range"):
        input_space({"new_site_probability": {"dist": "uniform", "low": 0.5, "high": 1.5}})


# ------------------------------------------------------------------ Dask: same seed, same result


def test_same_seed_same_sobol_on_one_and_two_workers_and_any_chunk_size(clusters):
    reference = sobol(ishigami, ISHIGAMI_INPUTS, n_base=2**9, seed=4, scheduler="inline",
                      chunk_size=10_000)
    # None: the engine's own chunks, the last ones cut smaller
    for workers, chunk in ((1, 700), (2, 256), (2, 1000), (2, None)):
        other = sobol(ishigami, ISHIGAMI_INPUTS, n_base=2**9, seed=4,
                      scheduler=clusters[workers], chunk_size=chunk)
        pd.testing.assert_frame_equal(other.to_frame(), reference.to_frame(), check_exact=True)
        pd.testing.assert_frame_equal(other.convergence, reference.convergence,
                                      check_exact=True)
        pd.testing.assert_frame_equal(other.noise, reference.noise, check_exact=True)
        pd.testing.assert_frame_equal(other.outputs, reference.outputs, check_exact=True)


def test_same_seed_same_sobol_of_several_outputs_on_two_workers(clusters):
    # several outputs: each chunk's result is a frame of several columns, and a column of a
    # frame may be a strided view (numpy then sums it in another order than a contiguous one)
    def two_outputs(table):
        y = ishigami(table)
        return pd.DataFrame({"y": y, "z": y * table["x3"] + np.cos(table["x2"]), "w": y**2})

    reference = sobol(two_outputs, ISHIGAMI_INPUTS, n_base=2**10, seed=6, scheduler="inline")
    for chunk in (None, 1_000):
        other = sobol(two_outputs, ISHIGAMI_INPUTS, n_base=2**10, seed=6,
                      scheduler=clusters[2], chunk_size=chunk)
        for got, expected in ((other.to_frame(), reference.to_frame()),
                              (other.convergence, reference.convergence),
                              (other.noise, reference.noise)):
            pd.testing.assert_frame_equal(got, expected, check_exact=True)


def test_same_seed_same_sobol_of_the_comparison_on_worker_processes(process_cluster):
    # worker processes: the chunks' outputs travel (serialised) before they are analysed, and
    # the analysis must still see the same numbers as inline, to the last bit
    address, _ = process_cluster
    model = comparison_model(load_assumptions("baseline"), seed=1, block_rows=256,
                             horizon_years=10)
    local = sobol(model, model.inputs, n_base=2**8, seed=5, scheduler="inline")
    remote = sobol(model, model.inputs, n_base=2**8, seed=5, scheduler=address)
    assert len(local.to_frame()["output"].unique()) == 3
    for got, expected in ((remote.to_frame(), local.to_frame()),
                          (remote.convergence, local.convergence), (remote.noise, local.noise),
                          (remote.outputs, local.outputs)):
        pd.testing.assert_frame_equal(got, expected, check_exact=True)


@pytest.mark.parametrize("first, n_rows, size, align, tail", [
    (0, 278_528, 16_384, 4_096, 2), (278_528, 8_192, 4_096, 4_096, 2), (5, 1_000, 256, 1, 3),
    (0, 100, 64, 8, 5), (3, 10, 64, 1, 2)])
def test_chunks_cover_every_row_once_on_block_boundaries_with_a_short_tail(first, n_rows, size,
                                                                           align, tail):
    from permanent_research.sensitivity._engine import _chunks

    bounds = _chunks(first, n_rows, size, align, tail)
    assert bounds[0][0] == first and bounds[-1][1] == first + n_rows
    assert all(b0 == a1 for (_, b0), (a1, _) in zip(bounds[:-1], bounds[1:], strict=True))
    assert all(a % align == 0 for a, _ in bounds[1:])  # a block never spans two chunks
    whole = _chunks(first, n_rows, size, align)
    assert max(b - a for a, b in bounds) <= max(b - a for a, b in whole)
    if len(whole) > tail:
        # the last chunks are at most a quarter chunk (rounded up to the block)
        quarter = math.ceil(math.ceil(size / align) * align / 4 / align) * align
        assert max(b - a for a, b in bounds[-tail:]) <= quarter


def test_same_seed_same_comparison_sweep_on_one_and_two_workers(clusters):
    model = comparison_model(load_assumptions("baseline"), seed=2, block_rows=512,
                             horizon_years=20)
    reference = sweep(model, model.inputs, n_runs=2_100, seed=9, scheduler="inline",
                      chunk_size=5_000)
    assert len(reference.runs) == 2_100
    for workers, chunk in ((1, 512), (2, 1000), (2, 1536)):
        other = sweep(model, model.inputs, n_runs=2_100, seed=9, scheduler=clusters[workers],
                      chunk_size=chunk)
        pd.testing.assert_frame_equal(other.runs, reference.runs, check_exact=True)
    different = sweep(model, model.inputs, n_runs=2_100, seed=10, scheduler="inline")
    assert not different.runs.equals(reference.runs)


def test_unreachable_scheduler_says_which_and_that_nothing_ran(monkeypatch):
    from permanent_research.sensitivity import _engine

    monkeypatch.setattr(_engine, "_CONNECT_TIMEOUT", "0.5s")
    calls = []

    def model(table):
        calls.append(1)
        return ishigami(table)

    with pytest.raises(ParameterError, match=r"tcp://127\.0\.0\.1:9'.*nothing ran"):
        sobol(model, ISHIGAMI_INPUTS, n_base=8, seed=1, scheduler="tcp://127.0.0.1:9")
    monkeypatch.setenv(SCHEDULER_ENV, "tcp://127.0.0.1:7")
    with pytest.raises(ParameterError, match=r"tcp://127\.0\.0\.1:7'.*nothing ran"):
        sweep(model, ISHIGAMI_INPUTS, n_runs=8, seed=1)
    assert calls == []


def test_inline_from_the_environment_runs_in_this_process(monkeypatch):
    from permanent_research.sensitivity._engine import describe, session

    monkeypatch.setenv(SCHEDULER_ENV, "inline")
    pids = []

    def model(table):
        pids.append(os.getpid())
        return table["x1"].rename("y")

    sweep(model, ISHIGAMI_INPUTS, n_runs=3_000, seed=1, chunk_size=1_000)
    assert pids == [os.getpid()] * 3
    with session(None) as where:
        assert describe(where) == "in this process"


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_sweep_against_a_scheduler_and_worker_started_as_separate_processes(process_cluster):
    from distributed import Client

    address, _ = process_cluster
    with Client(address, timeout="30s") as client:
        worker_pids = set(client.run(os.getpid).values())
    assert os.getpid() not in worker_pids and len(worker_pids) == 2
    model = comparison_model(load_assumptions("baseline"), seed=1, block_rows=256,
                             horizon_years=10)
    remote = sweep(model, model.inputs, n_runs=1_000, seed=3, scheduler=address,
                   chunk_size=256)
    local = sweep(model, model.inputs, n_runs=1_000, seed=3, scheduler="inline")
    pd.testing.assert_frame_equal(remote.runs, local.runs, check_exact=True)


@pytest.mark.slow
def test_unguarded_script_gets_a_one_line_hint(tmp_path):
    script = tmp_path / "unguarded.py"
    script.write_text(
        "from permanent_research.sensitivity import sweep\n"
        "sweep(lambda t: t['x'].rename('y'), {'x': {'dist': 'uniform', 'low': 0, 'high': 1}},\n"
        "      n_runs=10, seed=1)\n")
    source = str(Path(permanent_research.__file__).resolve().parents[1])
    env = dict(os.environ, PYTHONPATH=source)
    env.pop(SCHEDULER_ENV, None)
    done = subprocess.run([sys.executable, str(script)], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode != 0
    assert ("could not start a local Dask cluster" in done.stderr
            and 'if __name__ == "__main__":' in done.stderr and "nothing ran" in done.stderr)


# ------------------------------------------------------------------ the comparison model


def test_comparison_model_reproduces_simulate_row_by_row():
    assumptions = load_assumptions("baseline")
    model = comparison_model(assumptions, seed=21, block_rows=400, horizon_years=15,
                             discount_rate=0.025)
    n = 400
    # the values simulate itself would draw for this block (its first spawned stream)
    generator = np.random.default_rng(np.random.SeedSequence([21, 0]))
    stream = generator.spawn(3)[0]
    keys = list(assumptions)
    uniforms = stream.random((len(keys), n))
    drawn = {key: assumptions[key].ppf(uniforms[i]) for i, key in enumerate(keys)}
    table = pd.DataFrame({key: drawn[key] for key in model.inputs})
    outputs = model(table)
    direct = simulate(assumptions, n_draws=n, horizon_years=15, path_draws=1,
                      discount_rate=0.025,
                      seed=np.random.default_rng(np.random.SeedSequence([21, 0])))
    pv_net = "pv_net_public_cost_per_affordable_year_eur"
    expected = (direct.metric("household", "permanent_clt", pv_net)
                - direct.metric("household", "temporary_use", pv_net))
    np.testing.assert_array_equal(outputs["pv_public_cost_gap_eur_per_affordable_year"], expected)
    # the present value, not the cash figure: a different rate gives a different gap
    undiscounted = (direct.metric("household", "permanent_clt",
                                  "public_cost_per_affordable_year_eur")
                    - direct.metric("household", "temporary_use",
                                    "public_cost_per_affordable_year_eur"))
    assert not np.allclose(outputs["pv_public_cost_gap_eur_per_affordable_year"], undiscounted)
    moves = (direct.metric("household", "temporary_use", "forced_moves")
             - direct.metric("household", "permanent_clt", "forced_moves"))
    np.testing.assert_array_equal(outputs["forced_moves_gap"], moves)


def test_comparison_model_refuses_event_inputs_and_unknown_columns():
    model = comparison_model(load_assumptions("baseline"))
    assert "occupation_years" not in model.inputs
    with pytest.raises(ParameterError, match="occupation_years are drawn for every"):
        model(pd.DataFrame({"occupation_years": [2.0]}))
    with pytest.raises(ParameterError, match="unknown input column.*rent_typo"):
        model(pd.DataFrame({"rent_typo": [2.0]}))


# ------------------------------------------------------------------ PRIM


@pytest.mark.filterwarnings("error::DeprecationWarning")
def test_prim_finds_a_planted_box_and_says_it():
    rng = np.random.default_rng(0)
    x = pd.DataFrame(rng.random((3000, 4)), columns=["a", "b", "c", "d"])
    inside = (x["a"] > 0.6) & (x["b"] < 0.3)
    # 5 % label noise: the box is not perfectly clean
    flip = rng.random(len(x)) < 0.05
    outcome = np.where(flip, ~inside, inside)
    result = prim(x, outcome, min_density=0.9, label="the plan works",
                  units={"a": "EUR", "b": "years"})
    box = result.box.set_index("input")
    assert set(box.index) == {"a", "b"}
    assert box.loc["a", "low"] == pytest.approx(0.6, abs=0.05)
    assert box.loc["b", "high"] == pytest.approx(0.3, abs=0.05)
    # label noise outside the box caps the coverage any box can reach
    planted_coverage = outcome[inside].sum() / outcome.sum()
    assert result.density >= 0.9 and result.coverage > 0.9 * planted_coverage
    text = result.statement()
    assert text.startswith("The plan works when a is above 0.")
    assert "EUR and b is below 0." in text and f"{result.density:.0%}" in text
    assert {"coverage", "density", "mass", "res_dim"} <= set(result.to_frame().columns)
    assert result.select(0).box.empty


def test_prim_statement_shows_rates_as_percent_and_no_long_decimals():
    rng = np.random.default_rng(1)
    # a growth rate around zero: the box limit is a tiny fraction a year
    x = pd.DataFrame({"growth": rng.uniform(-0.01, 0.02, 3000), "cost": rng.random(3000)})
    result = prim(x, (x["growth"] > -0.00115).to_numpy(), min_density=0.99,
                  label="it holds", units={"growth": "1/year", "cost": "EUR"})
    text = result.statement()
    limit = result.box.set_index("input").loc["growth", "low"]
    assert f"growth is above {100 * limit:.2f} %/year" in text
    assert not re.search(r"\d\.\d{5,}", text)


def test_prim_threshold_that_selects_no_run_is_refused():
    x = pd.DataFrame({"a": np.linspace(0, 1, 50)})
    with pytest.raises(ParameterError, match=r"threshold=5 \(above\) selects no run of 50"):
        prim(x, x["a"] * 2, threshold=5)


def test_results_share_the_result_methods():
    result = sobol(ishigami, ISHIGAMI_INPUTS, n_base=64, seed=1, scheduler="inline")
    assert "Sobol' indices" in result.summary() and "<table" in result._repr_html_()
    assert result.replace(seed=5).seed == 5
    with pytest.raises(ParameterError, match="unknown field 'sed'"):
        result.replace(sed=5)
    figure = result.plot()
    assert len(figure.axes[0].patches) == 6


# ------------------------------------------------------------------ applied to the comparison


def test_scenario_correlations_section_is_validated():
    from permanent_research.errors import ScenarioError
    from permanent_research.sensitivity import validate_correlations

    good = {"inputs": ["market_price_eur_m2", "land_price_eur_m2"],
            "matrix": [[1, 0.6], [0.6, 1]], "source": "assumption"}
    frame = validate_correlations(good, source="x.yaml")
    assert frame.loc["market_price_eur_m2", "land_price_eur_m2"] == 0.6
    with pytest.raises(ScenarioError, match=r"x\.yaml: correlations: unknown input.*land_prize"):
        validate_correlations({**good, "inputs": ["market_price_eur_m2", "land_prize"]},
                              source="x.yaml")
    with pytest.raises(ScenarioError, match="missing source"):
        validate_correlations({k: v for k, v in good.items() if k != "source"})


def test_what_decides_on_the_baseline_scenario():
    from permanent_research.reporting.scenario_files import load_scenario
    from permanent_research.sensitivity import PUBLIC_GAP, what_decides

    scenario = load_scenario("baseline")
    found = what_decides(load_assumptions("baseline"), n_base=2**6, trajectories=4,
                         n_runs=4_000, seed=5, scheduler="inline", discount_rate=0.04,
                         correlations=scenario.sections["correlations"])
    assert set(found.to_frame()["output"]) == {PUBLIC_GAP, "studio_cost_gap_eur_m2_year",
                                               "forced_moves_gap"}
    runs = found.sweep.runs
    # the scenario's rank correlations reach the sweep (target 0.7, n = 4,000)
    rho = runs["market_rent_home_eur_m2_month"].corr(runs["market_rent_studio_eur_m2_month"],
                                                     method="spearman")
    assert rho == pytest.approx(0.7, abs=0.05)
    assert found.engine == "in this process"
    sentences = found.sentences()
    share = float((runs[PUBLIC_GAP] > 0).mean())
    assert f"in {share:.0%} of 4,000 runs" in sentences[3]
    assert sentences[3].startswith("In present value (discounted at 4.0% a year")
    assert sentences[0].startswith("For the present-value public cost per affordable "
                                   "household-year")
    assert found.top_inputs()[0] in sentences[0]
    tornado = found.tornado()
    assert tornado["swing"].is_monotonic_decreasing


def test_cli_sensitivity_refuses_bad_n_base_before_running(capsys):
    from permanent_research.cli import main

    assert main(["sensitivity", "--n-base", "100", "--scheduler", "inline"]) == 2
    assert "n_base=100 is not a power of two" in capsys.readouterr().err


def test_cli_sensitivity_prints_the_sentences(capsys):
    from permanent_research.cli import main

    code = main(["sensitivity", "--n-base", "64", "--trajectories", "4", "--runs", "2000",
                 "--scheduler", "inline"])
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("What decides the comparison (baseline)")
    assert "runs of the baseline scenario" in out and "Sobol' indices, N = 64" in out
