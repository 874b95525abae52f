"""Headlines of notebook 06: input facts recomputed from data/raw with plain pandas, model
numbers re-run with the notebook's seed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from permanent_research.config import paths

STEM = "06_permanent_vs_temporary"


@pytest.fixture(scope="module")
def headlines(executed_notebook):
    return executed_notebook(STEM)[1]


def _raw(name: str) -> pd.DataFrame:
    return pd.read_csv(paths().raw / name, dtype={"nis_code": str})


def test_income_from_raw(headlines):
    frame = _raw("statbel_disposable_income_brussels_municipalities.csv")
    latest = frame[frame["year"] == frame["year"].max()]
    medians = latest.loc[latest["measure"] == "MS_MEDIAN", "value"]
    assert len(medians) == 19
    assert headlines["median_equivalised_income_eur"]["value"] == round(float(medians.median()))


def test_apartment_growth_from_raw(headlines):
    frame = _raw("statbel_real_estate_sales_brussels.csv")
    rows = frame[(frame["nis_code"] == "04000") & (frame["property_type"] == "appartementen")
                 & (frame["measure"] == "median_price")].dropna(subset=["value"])
    first = rows.loc[rows["year"].idxmin()]
    last = rows.loc[rows["year"].idxmax()]
    growth = 100 * ((last["value"] / first["value"]) ** (1 / (last["year"] - first["year"])) - 1)
    assert headlines["apartment_price_growth_nominal_pct"]["value"] == pytest.approx(growth,
                                                                                    abs=0.006)


def test_citydev_duration_from_raw(headlines):
    frame = _raw("temporary_use_brussels_facts.csv")
    value = frame.loc[frame["measure"] == "standard_occupation_duration", "value"].iloc[0]
    assert headlines["citydev_occupation_years"]["value"] == int(float(value))


def _construction_annual() -> pd.Series:
    """Annual means of the construction-price index I-2021 (full years only), from data/raw."""
    raw = _raw("construction_price_indices_belgium.csv")
    rows = raw[raw["series"] == "index_I_2021"].drop_duplicates(["year", "month"])
    counts = rows.groupby("year")["value"].count()
    return rows.groupby("year")["value"].mean()[counts == 12]


def _in_base_year_from_raw(health_annual):
    """The baseline's assumptions with each euro input scaled by index ratios from data/raw
    (plain pandas), following the scenario file's money section as written."""
    import yaml

    from permanent_research.scenarios import validate_assumptions

    document = yaml.safe_load((paths().scenarios / "baseline.yaml").read_text(encoding="utf-8"))
    money = document["money"]
    base = money["base_year"]
    construction = _construction_annual()
    entries = {}
    for key, tag in money["price_years"].items():
        index = construction if tag["kind"] == "building_cost" else health_annual
        factor = index[base] / index[tag["year"]]
        entry = dict(document["assumptions"][key])
        for name in ("value", "low", "mode", "high", "mean", "sd", "median"):
            if name in entry:
                entry[name] = entry[name] * factor
        entries[key] = entry
    return (validate_assumptions({**document["assumptions"], **entries}),
            float(money["discount_rate"]["value"]))


def test_model_headlines_rerun(headlines, health_annual):
    from permanent_research.scenarios import simulate

    assumptions, rate = _in_base_year_from_raw(health_annual)
    result = simulate(assumptions, n_draws=2000, horizon_years=50, seed=20261126,
                      discount_rate=rate)
    draws = result.draws

    def median(user, model, metric):
        rows = draws[(draws["user"] == user) & (draws["model"] == model)]
        return float(np.nanmedian(rows[metric].to_numpy()))

    expected = {
        "studio_cost_temporary_eur_m2_year": median("studio", "temporary_use",
                                                    "cost_eur_m2_year"),
        "studio_cost_clt_eur_m2_year": median("studio", "permanent_clt", "cost_eur_m2_year"),
        "household_forced_moves_temporary": median("household", "temporary_use",
                                                   "forced_moves"),
        "public_cost_per_household_year_clt_eur": median(
            "household", "permanent_clt", "public_cost_per_affordable_year_eur"),
        "subsidy_locked_in_clt_eur_m2": median("household", "permanent_clt",
                                               "subsidy_locked_in_eur_m2"),
        "household_cost_clt_cash_eur_m2_year": median("household", "permanent_clt",
                                                      "cost_eur_m2_year"),
        "household_cost_clt_net_of_equity_eur_m2_year": median(
            "household", "permanent_clt", "cost_net_of_equity_eur_m2_year"),
        "household_cost_temporary_eur_m2_year": median("household", "temporary_use",
                                                       "cost_eur_m2_year"),
        "public_cost_per_household_year_temporary_eur": median(
            "household", "temporary_use", "public_cost_per_affordable_year_eur"),
    }
    clt = draws[(draws["user"] == "household") & (draws["model"] == "permanent_clt")]
    temp = draws[(draws["user"] == "household") & (draws["model"] == "temporary_use")]
    expected["public_cost_clt_lower_pct_of_draws"] = 100 * float(np.mean(
        clt["public_cost_per_affordable_year_eur"].to_numpy()
        < temp["public_cost_per_affordable_year_eur"].to_numpy()))
    for user in ("household", "studio"):
        models = ("temporary_use", "permanent_clt") + (
            ("social_housing",) if user == "household" else ())
        for model in models:
            expected[f"pv_public_cost_per_{user}_year_{model}_eur"] = median(
                user, model, "pv_net_public_cost_per_affordable_year_eur")
    pv_gap = (clt["pv_net_public_cost_per_affordable_year_eur"].to_numpy()
              - temp["pv_net_public_cost_per_affordable_year_eur"].to_numpy())
    pv_gap = pv_gap[np.isfinite(pv_gap)]
    expected["pv_gap_clt_minus_temporary_household_eur"] = float(np.median(pv_gap))
    expected["pv_gap_clt_minus_temporary_household_p05_eur"] = float(np.quantile(pv_gap, 0.05))
    expected["pv_gap_clt_minus_temporary_household_p95_eur"] = float(np.quantile(pv_gap, 0.95))
    expected["pv_clt_cheaper_pct_of_draws"] = 100 * float(np.mean(pv_gap < 0))
    digits = {"studio_cost_temporary_eur_m2_year": 1, "studio_cost_clt_eur_m2_year": 1,
              "household_cost_temporary_eur_m2_year": 1,
              "household_forced_moves_temporary": 1, "household_cost_clt_cash_eur_m2_year": 1,
              "household_cost_clt_net_of_equity_eur_m2_year": 1}  # the others: whole numbers
    for name, value in expected.items():
        shown = round(value, digits.get(name, 0))
        assert headlines[name]["value"] == pytest.approx(shown, abs=1e-9), name
    # a sanity relation the story depends on: temporary use forces more moves than the CLT
    assert (headlines["household_forced_moves_temporary"]["value"]
            > headlines["household_forced_moves_clt"]["value"])
    # equity returned can only lower a CLT owner's cost while values rise on average
    assert (headlines["household_cost_clt_net_of_equity_eur_m2_year"]["value"]
            < headlines["household_cost_clt_cash_eur_m2_year"]["value"])


def test_discount_rate_is_the_scenario_value(headlines):
    import yaml

    document = yaml.safe_load((paths().scenarios / "baseline.yaml").read_text(encoding="utf-8"))
    assert headlines["discount_rate_pct"]["value"] == pytest.approx(
        round(100 * document["money"]["discount_rate"]["value"], 1))


def test_exports_written(executed_notebook):
    exports = executed_notebook(STEM)[2]
    for name in ("06_fan_households.png", "06_tornado.pdf", "06_comparison.tex",
                 "06_assumptions.csv", "06_conversion.csv", "06_present_values.csv",
                 "06_for_whom.csv", "06_queue_calibration.csv", "06_why_scenarios.csv",
                 "06_queue_calibration_figure.png"):
        assert (exports / name).is_file(), name


def test_appraised_reading_rerun(headlines, health_annual):
    from permanent_research.scenarios import simulate

    assumptions, rate = _in_base_year_from_raw(health_annual)
    other = simulate(assumptions, n_draws=2000, horizon_years=50, seed=20261126,
                     increase_base="appraised_value", discount_rate=rate).draws
    rows = other[(other["user"] == "household") & (other["model"] == "permanent_clt")]
    expected = float(np.nanmedian(rows["subsidy_locked_in_eur_m2"].to_numpy()))
    assert headlines["subsidy_locked_in_clt_appraised_reading_eur_m2"]["value"] == round(expected)


def _quantile(entry, q):
    """Quantile ``q`` of a scenario-file distribution entry, with scipy (not the package)."""
    from scipy import stats

    if entry["dist"] == "fixed":
        return float(entry["value"])
    if entry["dist"] == "uniform":
        return float(stats.uniform(entry["low"], entry["high"] - entry["low"]).ppf(q))
    if entry["dist"] == "triangular":
        low, mode, high = entry["low"], entry["mode"], entry["high"]
        return float(stats.triang((mode - low) / (high - low), low, high - low).ppf(q))
    assert entry["dist"] == "normal", entry
    low, high = entry.get("low", -0.5), entry.get("high", 0.5)  # a rate's allowed range
    a, b = (low - entry["mean"]) / entry["sd"], (high - entry["mean"]) / entry["sd"]
    return float(stats.truncnorm(a, b, entry["mean"], entry["sd"]).ppf(q))


def test_tornado_top_swing_rerun(headlines, health_annual):
    """One input at a time at its 5 % / 95 % value, every other at its median (scipy
    quantiles of the raw-converted entries), CLT minus temporary use over 60 draws."""
    from permanent_research.scenarios import simulate

    assumptions, _ = _in_base_year_from_raw(health_annual)
    entries = {key: {"dist": d.dist, **d.params} for key, d in assumptions.items.items()}
    medians = {key: _quantile(entry, 0.5) for key, entry in entries.items()}

    def outcome(values):
        run = simulate(assumptions.replace(**values), n_draws=60, seed=20261126,
                       horizon_years=50, path_draws=1).draws

        def med(model):
            rows = run[(run["user"] == "household") & (run["model"] == model)]
            return float(np.nanmedian(rows["public_cost_per_affordable_year_eur"]))
        return med("permanent_clt") - med("temporary_use")

    swings = {}
    for key, entry in entries.items():
        low, high = _quantile(entry, 0.05), _quantile(entry, 0.95)
        if low == high:
            continue
        swings[key] = abs(outcome({**medians, key: high}) - outcome({**medians, key: low}))
    top = max(swings, key=swings.get)
    assert headlines["tornado_top_assumption_swing_eur"]["value"] == pytest.approx(
        round(swings[top]), abs=1)
    assert top in headlines["tornado_top_assumption_swing_eur"]["source"]


def _baseline_document():
    import yaml

    return yaml.safe_load((paths().scenarios / "baseline.yaml").read_text(encoding="utf-8"))


def _triangular_median(entry):
    low, mode, high = entry["low"], entry["mode"], entry["high"]
    if (mode - low) / (high - low) >= 0.5:
        return low + ((high - low) * (mode - low) / 2) ** 0.5
    return high - ((high - low) * (high - mode) / 2) ** 0.5


def test_for_whom_headlines_by_hand(headlines, health_annual):
    """Decile incomes from the raw Statbel file (lognormal on the communes' median quartiles),
    the social ceiling and the CLT cost price converted with the raw indices, the mortgage
    tests written out."""
    from scipy import stats

    document = _baseline_document()
    rules, assume = document["eligibility"], document["assumptions"]
    base = document["money"]["base_year"]
    frame = _raw("statbel_disposable_income_brussels_municipalities.csv")
    latest = frame[frame["year"] == frame["year"].max()]
    q = latest.pivot(index="nis_code", columns="measure", values="value")[
        ["MS_Q1", "MS_MEDIAN", "MS_Q3"]].median()
    sigma = (np.log(q["MS_Q3"]) - np.log(q["MS_Q1"])) / (2 * stats.norm.ppf(0.75))
    mids = q["MS_MEDIAN"] * np.exp(sigma * stats.norm.ppf(np.arange(0.05, 1.0, 0.1)))
    scale = assume["household_equivalence_scale"]["value"]
    year = int(latest["year"].iloc[0])
    incomes = mids * scale * health_annual[base] / health_annual[year]  # EUR/year
    entry = rules["social_income_ceiling_eur_year"]
    ceiling = entry["value"] * health_annual[base] / health_annual[entry["year"]]
    social_ok = incomes <= ceiling
    assert headlines["social_eligible_decile_count"]["value"] == int(social_ok.sum())

    construction = _construction_annual()
    tag = document["money"]["price_years"]["construction_cost_eur_m2"]
    cost_m2 = _triangular_median(assume["construction_cost_eur_m2"]) * (
        construction[base] / construction[tag["year"]])
    assert assume["land_subsidy_share"]["value"] == 1.0  # the buyer pays no land
    assert assume["construction_subsidy_share"]["value"] == 0.0
    price = cost_m2 * assume["unit_area_home_m2"]["value"]
    loan = price * (1 + rules["purchase_costs_share"]["value"]) - rules["own_funds_eur"]["value"]
    r = (1 + rules["mortgage_rate_nominal"]["value"]) ** (1 / 12) - 1
    months = 12 * assume["mortgage_years"]["value"]
    payment = loan * r / (1 - (1 + r) ** -months)
    clt_ok = ((loan / price <= rules["max_ltv"]["value"])
              & (payment / (incomes / 12) <= rules["max_dsti"]["value"])
              & (incomes <= ceiling * rules["clt_income_ceiling_share_of_social"]["value"]))
    assert headlines["clt_eligible_decile_count"]["value"] == int(clt_ok.sum())
    share = clt_ok[social_ok].mean() if social_ok.any() else 0.0
    assert headlines["clt_eligible_share_of_social_eligible_pct"]["value"] == round(100 * share)


def test_queue_headlines_by_hand(headlines):
    """Latest list and stock from the raw facts; the wait with a growing stock solves
    int_0^T (A0 + g s) e^(delta s) ds = L (numerical integral and root here)."""
    from scipy import integrate, optimize

    facts = _raw("social_housing_brussels_facts.csv")
    waiting = facts[(facts["measure"] == "waiting_list_households")
                    & facts["reference_period"].astype(str).str.fullmatch(r"\d{4}-\d{2}")]
    length = float(waiting.sort_values("reference_period")["value"].iloc[-1])
    stock = float(facts.loc[facts["measure"] == "social_dwellings_stock_total"].sort_values(
        "reference_period")["value"].iloc[-1])
    supply = float(facts.loc[facts["measure"] == "social_dwellings_produced_per_year_approx",
                             "value"].iloc[0])
    turnover = _baseline_document()["assumptions"]["social_turnover_rate"]
    tau = (turnover["low"] + turnover["high"]) / 2  # median of a uniform
    a0, g = tau * stock + supply, tau * supply
    no_attrition = (-a0 + (a0 * a0 + 2 * g * length) ** 0.5) / g
    assert headlines["queue_wait_uncalibrated_years"]["value"] == round(no_attrition, 1)

    def served(delta, years=13.0):
        return integrate.quad(lambda s: (a0 + g * s) * np.exp(delta * s), 0, years)[0] - length

    delta = optimize.brentq(served, 1e-6, 0.9)
    assert headlines["queue_attrition_fit_pct"]["value"] == pytest.approx(
        round(100 * delta, 1), abs=0.05)
