"""Every result object of the package follows one contract (permanent_research.results.Result).

The classes are found by walking the package, not listed by hand: a new frozen dataclass with
``summary``/``to_frame`` that does not derive from ``Result``, or a new ``Result`` without a
small real instance below, fails here.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
import warnings
from collections.abc import Callable

import matplotlib
import numpy as np
import pandas as pd
import pytest

import permanent_research
from permanent_research.errors import ParameterError, ScenarioError
from permanent_research.results import Result

matplotlib.use("Agg")

# modules whose dataclasses are plumbing, not analysis results
_NOT_RESULTS = ("permanent_research.reporting", "permanent_research.data",
                "permanent_research.config", "permanent_research.cli")


def _package_classes() -> list[type]:
    found: dict[str, type] = {}
    for info in pkgutil.walk_packages(permanent_research.__path__, "permanent_research."):
        if info.name.startswith(_NOT_RESULTS):
            continue
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if (inspect.isclass(obj) and obj.__module__ == module.__name__
                    and not name.startswith("_") and dataclasses.is_dataclass(obj)):
                found[f"{obj.__module__}.{name}"] = obj
    return list(found.values())


CLASSES = _package_classes()
RESULTS = sorted((c for c in CLASSES if issubclass(c, Result)), key=lambda c: c.__name__)


# ------------------------------------------------------------------ small real instances
def _rent():
    from permanent_research import affordability as aff

    return aff.distribution_from_quantiles({0.25: 500.0, 0.5: 660.0, 0.75: 800.0},
                                           unit="EUR/month")


def _deciles():
    from permanent_research import affordability as aff

    return aff.income_from_deciles([9000, 11000, 13000, 15000, 17500, 20000, 23000, 27000,
                                    33000])


def _artists():
    from permanent_research import affordability as aff

    return aff.distribution_from_quantiles({0.25: 900, 0.5: 1300, 0.75: 1900},
                                           unit="EUR/month")


def _did():
    from permanent_research.causal import staggered_did
    from permanent_research.data.synthetic_panel import synthetic_did_panel

    data = synthetic_did_panel(200, seed=2).data
    return staggered_did(data, unit="unit", time="year", outcome="log_price",
                         first_treated="first_treated")


def _comparison():
    from permanent_research.causal import compare_estimators
    from permanent_research.data.synthetic_panel import synthetic_did_panel

    data = synthetic_did_panel(200, seed=2).data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return compare_estimators(data, min_e=-2, max_e=2, unit="unit", time="year",
                                  outcome="log_price", first_treated="first_treated")


def _exposure():
    from permanent_research.causal import exposure_from_sites

    sites = pd.DataFrame({"name": ["A", "B"], "x": [0.0, 100.0], "y": [0.0, 0.0],
                          "start_year": [2015, 2012], "end_year": [np.nan, 2013]})
    units = pd.DataFrame({"unit": [1, 2, 3, 4, 5], "x": [50.0, 0.0, 0.0, 0.0, 0.0],
                          "y": [0.0, -250.0, 450.0, 900.0, 2000.0]})
    return exposure_from_sites(sites, units, years=range(2010, 2018))


def _generations():
    from permanent_research import clt

    return clt.simulate_generations(
        formula="cltb", market_value_eur=250_000.0, income_eur_year=30_000.0,
        value_growth=0.03, income_growth=0.02, years_per_generation=10.0, horizon_years=50.0)


def _land_pricing():
    from permanent_research import clt
    from permanent_research.data import load

    return clt.land_share_estimates(load("building_land_prices"), load("real_estate_sales"),
                                    load("construction_costs"), load("clt_facts"))


def _rent_comparison():
    from permanent_research import context
    from permanent_research.data import load

    return context.compare_rent_changes(load("rent_observatory"), load("health_index_cpi"),
                                        brochure_change_pct=29, brochure_years=(2008, 2018))


def _panel():
    rows = [("A", "t0", 1000, 20000, 10.0, 100000), ("A", "t1", 1100, 22000, 8.0, 130000),
            ("B", "t0", 500, 30000, 5.0, 200000), ("B", "t1", 400, 30000, 6.0, 200000),
            ("C", "t0", 800, 25000, 20.0, 150000), ("C", "t1", 800, 20000, 25.0, np.nan)]
    return pd.DataFrame(rows, columns=["area", "period", "population", "median_income_eur",
                                       "low_income_share_pct", "median_value_eur"])


def _indicators():
    from permanent_research import displacement

    coords = pd.DataFrame({"area": ["A", "B", "C"], "x_m": [0.0, 100.0, 0.0],
                           "y_m": [0.0, 0.0, 200.0]})
    return displacement.indicators(_panel(), coordinates=coords, band=250.0)


def _typology():
    from permanent_research import displacement

    return displacement.dhd_typology(_indicators(), displacement.DHDParameters.brussels())


def _deflator():
    from permanent_research import rents
    from permanent_research.data import load

    return rents.health_index_deflator(load("health_index_cpi"))


def _index():
    from permanent_research import rents
    from permanent_research.data.synthetic_rents import synthetic_sales

    sales = synthetic_sales(3_000, n_periods=6, seed=1).sales
    return rents.hedonic_index(sales, characteristics=["floor_area_m2", "rooms"])


def _series():
    years = np.arange(2010, 2025)
    noise = np.exp(np.random.default_rng(0).normal(0, 0.01, len(years)))
    return pd.DataFrame({"period": years, "value": 1000 * 1.03 ** (years - 2010) * noise})


def _trend():
    from permanent_research import rents

    rng = np.random.default_rng(1)
    areas = np.repeat([f"a{i}" for i in range(6)], 10)
    years = np.tile(np.arange(2010, 2020), 6)
    value = np.exp(12 + 0.04 * (years - 2010) + rng.normal(0, 0.01, len(years)))
    return rents.trend_model(pd.DataFrame({"area": areas, "period": years, "value": value}))


def _indexation():
    from permanent_research import rents

    return rents.indexed_rent(800, signed="2019-06-15", entry_into_force="2019-07-01",
                              anniversary_year=2024, health_index=_deflator().monthly)


def _assumptions():
    from permanent_research.scenarios import load_assumptions

    return load_assumptions("baseline")


def _queue():
    from permanent_research import waiting_list

    return waiting_list.QueueParameters(stock=40_000, turnover=0.05, new_supply=300,
                                        list_length=50_000, list_growth_per_year=1_000)


def _sites():
    return pd.DataFrame({"site_id": ["a", "b", "c"], "area_m2": [9000, 4500, 3000],
                         "location": ["central", "peripheral", "central"],
                         "owner": ["public", "unwilling_private", "public"],
                         "price_eur_m2": [0.0, 3000.0, np.nan]})


def _entry_rules():
    from permanent_research import eligibility

    return eligibility.EntryRules(
        clt_price_eur=200_000.0, mortgage_rate=0.0, mortgage_years=15, max_ltv=0.9,
        max_dsti=0.5, own_funds_eur=20_000.0, social_income_ceiling_eur_year=24_000.0,
        social_rent_share_of_income=0.22, temporary_fee_eur_month=100.0,
        temporary_availability=0.7, temporary_secure_years=2.0, market_rent_eur_month=1_070.0,
    )


def _price_indexes():
    from permanent_research.data import bundled_price_indexes

    return bundled_price_indexes()


def _money_builders() -> dict[str, Callable[[], Result]]:
    from permanent_research import clt_discount, discounting, eligibility, prices, tenant_effort
    from permanent_research.data import load

    groups = pd.DataFrame({"group": ["d1", "d5"], "kind": ["decile", "decile"],
                           "income_eur_month": [1_200.0, 2_600.0]})
    flows = pd.DataFrame({"item": ["land", "build", "rent"], "year": [0, 1, 2],
                          "amount_eur": [1_000.0, 500.0, -300.0]})
    return {
        "EntryRules": _entry_rules,
        "EligibilityTable": lambda: eligibility.eligibility(groups, _entry_rules()),
        "PriceIndexes": _price_indexes,
        "ConversionTable": lambda: prices.convert_inputs(
            [prices.MoneyInput("rent", 739.0, "EUR/month", 2018, "rent", "observatory")],
            base_year=2024, indexes=_price_indexes()),
        "PresentValueTable": lambda: discounting.present_value_table(
            flows, rate=0.03, horizon_years=3, rate_source="test"),
        "DiscountDecomposition": lambda: clt_discount.clt_discount_decomposition(dict(
            construction_cost_eur_m2=2_000.0, land_price_eur_m2=750.0, floor_area_ratio=2.5,
            developer_margin=0.15, vat_market=0.21, vat_clt=0.06, registration_duty=0.125,
            construction_subsidy_eur_m2=100.0)),
        "TenantEffort": lambda: tenant_effort.tenant_effort(
            tenant_effort.survey_records(load("rent_observatory_survey"))),
        "EligibilitySettings": _eligibility_settings,
        "ForWhom": lambda: _for_whom(groups),
    }


def _eligibility_settings():
    import yaml

    from permanent_research import eligibility
    from permanent_research.config import paths

    document = yaml.safe_load((paths().scenarios / "baseline.yaml").read_text(encoding="utf-8"))
    return eligibility.validate_eligibility(document["eligibility"]).replace(base_year=2024)


def _for_whom(groups):
    from permanent_research import scenarios

    return scenarios.for_whom(_assumptions(), _eligibility_settings(),
                              household_incomes_eur_year=[15_000.0, 30_000.0, 60_000.0],
                              income_source="test")


def _causal_builders() -> dict[str, Callable[[], Result]]:
    import geopandas as gpd
    from shapely.geometry import box

    from permanent_research.causal import (
        parallel_trends_sensitivity,
        randomization_inference,
        staggered_did,
    )
    from permanent_research.causal.robust import effects_during_and_after
    from permanent_research.causal.sites import apply_site_updates, place_sites

    def panel():
        rows = []
        for unit, (start, end) in enumerate([(2013, 2015)] * 5 + [(2016, None)] * 5
                                            + [(0, None)] * 10):
            for year in range(2010, 2019):
                active = start and year >= start and (end is None or year <= end)
                rows.append({"unit": unit, "year": year, "first_treated": start,
                             "end": np.nan if end is None else end,
                             "y": 0.1 * unit + 0.01 * year + 0.3 * bool(active)})
        return pd.DataFrame(rows)

    keys = dict(unit="unit", time="year", outcome="y", first_treated="first_treated")
    squares = gpd.GeoDataFrame({"mdrc": [1, 2]}, crs="EPSG:4326", geometry=[
        box(4.30, 50.80, 4.35, 50.85), box(4.35, 50.80, 4.40, 50.85)])
    sites = pd.DataFrame({"name": ["A", "B"], "lat": [50.82, 50.83], "lon": [4.32, 4.38],
                          "quartier": [None, None], "nis_code": ["21004", "21004"],
                          "start_year": [2015, 2018], "end_year": [2017, None]})
    bundled = pd.DataFrame({"site_name": ["X"], "start_year": [2019], "end_year": [None],
                            "address": ["a"], "lat": [None], "lon": [None]})
    updates = pd.DataFrame({
        "site_name": ["X"], "not_in_sites_file": ["no"], "address": ["a"], "lat": [50.85],
        "lon": [4.35], "start_year": [2020], "end_year": [None], "coord_source_url": ["u"],
        "dates_source_url": ["u"]})
    return {
        "PretestResult": lambda: staggered_did(panel(), **keys).pretest(on="event_time"),
        "RandomizationResult": lambda: randomization_inference(
            panel(), n_permutations=50, max_exact=10, seed=1, **keys),
        "PhaseEffects": lambda: effects_during_and_after(panel(), treatment_end="end", **keys),
        "ParallelTrendsSensitivity": lambda: parallel_trends_sensitivity(
            np.zeros(3), np.eye(3) * 1e-4, n_pre=2, n_post=1, grid=[0, 1]),
        "SitePlacement": lambda: place_sites(sites, squares),
        "SiteUpdates": lambda: apply_site_updates(bundled, updates),
    }


def _sensitivity_builders() -> dict[str, Callable[[], Result]]:
    from permanent_research import sensitivity
    from permanent_research.scenarios import load_assumptions

    inputs = {"a": {"dist": "uniform", "low": 0, "high": 1},
              "b": {"dist": "uniform", "low": 0, "high": 2}}

    def model(table):
        return (table["a"] + 2 * table["b"]).rename("y")

    rng = np.random.default_rng(0)
    x = pd.DataFrame(rng.random((400, 2)), columns=["a", "b"])
    return {
        "InputSpace": lambda: sensitivity.input_space(inputs),
        "SobolResult": lambda: sensitivity.sobol(model, inputs, n_base=16, seed=1,
                                                 scheduler="inline"),
        "MorrisResult": lambda: sensitivity.morris(model, inputs, trajectories=6, seed=1,
                                                   scheduler="inline"),
        "SweepResult": lambda: sensitivity.sweep(model, inputs, n_runs=200, seed=1,
                                                 scheduler="inline"),
        "PrimResult": lambda: sensitivity.prim(x, (x["a"] > 0.6) & (x["b"] < 0.4),
                                               min_density=0.8, label="y holds"),
        "WhatDecides": lambda: sensitivity.what_decides(
            load_assumptions("baseline"), n_base=16, trajectories=4, n_runs=1_000, seed=5,
            scheduler="inline"),
    }


def _programme():
    """A programme with its shared quantities typed in (a scenario takes them from its
    assumptions with programme.with_assumptions)."""
    from permanent_research import programme

    return programme.Programme().replace(
        land_price_eur_m2=800.0, floor_area_ratio=2.5, market_price_eur_m2=3300.0,
        studio_rent_eur_m2_year=120.0, discount_rate=0.03, construction_years=4.0)


def _build() -> dict[str, Callable[[], Result]]:
    from permanent_research import affordability as aff
    from permanent_research import displacement, programme, rents, scenarios, waiting_list
    from permanent_research.data import load

    return {
        "BurdenBounds": lambda: aff.burden_bounds(_deciles(), _rent(), 0.33),
        "CommuneAffordability": lambda: aff.commune_affordability(
            load("disposable_income"), year=2017, rent=_rent(), communes=["21014"]),
        "DecileAffordability": lambda: aff.affordable_by_decile(
            [9000, 11000, 13000, 15000, 17500, 20000, 23000, 27000, 33000], 0.33, rent=_rent()),
        "Distribution": _rent,
        "MortgageTerms": lambda: aff.MortgageTerms(),
        "StudioAffordability": lambda: aff.studio_affordability(
            {"a": 3.0, "b": 10.0}, studio_m2=40, artist_income=_artists(), threshold=0.10),
        "DidResult": _did,
        "AggregateResult": lambda: _did().aggregate("dynamic"),
        "Estimate": lambda: _did().aggregate("simple").overall,
        "ComparisonResult": _comparison,
        "ExposureResult": _exposure,
        "GenerationsResult": _generations,
        "LandPricing": _land_pricing,
        "RentChangeComparison": _rent_comparison,
        "DisplacementIndicators": _indicators,
        "FlagTable": lambda: _typology().flags,
        "TypologyResult": _typology,
        "UDPParameters": displacement.UDPParameters.brussels,
        "DHDParameters": displacement.DHDParameters.brussels,
        "Programme": programme.Programme,
        "ProgrammeResult": lambda: programme.evaluate_programme(_programme()),
        "SizeSweep": lambda: programme.size_sweep(_programme(), [4500, 7000]),
        "SharedSensitivity": lambda: programme.shared_sensitivity(
            _programme(), scenarios.load_assumptions("baseline")),
        "GapDrivers": lambda: programme.gap_drivers(
            _programme(), _programme().replace(works_cost_eur_m2=2500.0, vat_rate=0.06)),
        "CapitalStack": lambda: programme.capital_stack(
            programme.evaluate_programme(_programme())),
        "SiteScreening": lambda: programme.screen_sites(_sites()),
        "Deflator": _deflator,
        "IndexResult": _index,
        "TrendResult": _trend,
        "ForecastResult": lambda: rents.forecast(_series(), horizon=3),
        "IndexationResult": _indexation,
        "Assumptions": _assumptions,
        "ScenarioResult": lambda: scenarios.simulate(_assumptions(), n_draws=20, seed=3,
                                                     horizon_years=10, path_draws=20),
        "SensitivityResult": lambda: scenarios.sensitivity(
            _assumptions(), user="studio", metric="public_cost_eur_m2", n_draws=10,
            horizon_years=5),
        "QueueParameters": _queue,
        "QueueResult": lambda: waiting_list.queue_summary(_queue(), 100.0),
        "QueueCalibration": lambda: waiting_list.calibrate_queue(
            _queue(), turnover=(0.03, 0.05), observed_wait_years=(10.0, 16.0)),
        "QueueTrajectory": lambda: waiting_list.list_trajectory(_queue(), years=10,
                                                                added_permanent_per_year=100.0),
    }


BUILD = {**_build(), **_money_builders(), **_causal_builders(), **_sensitivity_builders()}
_cache: dict[str, Result] = {}


def _get(name: str) -> Result:
    """The small instance of class ``name`` (built once)."""
    if name not in _cache:
        _cache[name] = BUILD[name]()
    return _cache[name]


def _instance(cls: type) -> Result:
    obj = _get(cls.__name__)
    assert type(obj) is cls
    return obj


# ------------------------------------------------------------------ discovery
def test_every_result_like_dataclass_derives_from_result():
    looks_like_result = [
        c for c in CLASSES
        if any(hasattr(c, name) for name in ("summary", "to_frame", "with_", "with_changes",
                                             "with_fixed"))
    ]
    assert looks_like_result, "walking the package found no result classes"
    missing = [f"{c.__module__}.{c.__name__}" for c in looks_like_result
               if not issubclass(c, Result)]
    assert not missing, f"not derived from permanent_research.results.Result: {missing}"


def test_no_old_copy_names_remain():
    old = [f"{c.__name__}.{name}" for c in RESULTS
           for name in ("with_", "with_changes", "with_fixed") if hasattr(c, name)]
    assert not old


def test_every_result_has_an_instance_here():
    names = {c.__name__ for c in RESULTS}
    assert len(names) >= 30  # the families: rents … waiting_list
    assert not names - set(BUILD), f"add a small instance for {sorted(names - set(BUILD))}"


# ------------------------------------------------------------------ the contract, per class
@pytest.mark.parametrize("cls", RESULTS, ids=lambda c: c.__name__)
def test_contract(cls):
    obj = _instance(cls)
    text = obj.summary()
    assert isinstance(text, str) and text.strip()
    frame = obj.to_frame()
    assert isinstance(frame, pd.DataFrame) and len(frame.columns) > 0
    page = obj._repr_html_()
    assert isinstance(page, str) and page.strip()
    copy = obj.replace()
    assert type(copy) is cls and copy is not obj
    with pytest.raises(ParameterError) as info:
        obj.replace(no_such_field=1)
    message = str(info.value)
    assert "\n" not in message and "no_such_field" in message
    assert "allowed" in message


@pytest.mark.parametrize("cls", RESULTS, ids=lambda c: c.__name__)
def test_plot_draws_the_standard_figure_or_says_there_is_none(cls):
    from matplotlib.figure import Figure

    obj = _instance(cls)
    has_figure = cls.plot is not Result.plot
    if cls.__name__ == "TypologyResult":
        geopandas = pytest.importorskip("geopandas")
        from shapely.geometry import box

        areas = geopandas.GeoDataFrame(
            {"area": ["A", "B", "C"]},
            geometry=[box(0, 0, 100, 100), box(100, 0, 200, 100), box(0, 100, 100, 200)],
            crs="EPSG:3812")
        figure = obj.plot(areas, key="area")
    elif cls.__name__ == "AggregateResult" or has_figure:
        figure = obj.plot()
    else:
        with pytest.raises(ParameterError, match="has no standard figure"):
            obj.plot()
        return
    import matplotlib.pyplot as plt

    assert isinstance(figure, Figure) and figure.axes
    plt.close(figure)


def test_aggregate_without_event_times_has_no_figure():
    with pytest.raises(ParameterError, match="only kind='dynamic'"):
        _get("DidResult").aggregate("group").plot()


# ------------------------------------------------------------------ escaping and text
def test_html_escapes_user_text():
    from permanent_research.results import render_html

    page = render_html("a < b & <script>", pd.DataFrame({"x": ["<b>"]}))
    assert "<script>" not in page and "&lt;script&gt;" in page and "&lt;b&gt;" in page
    from permanent_research import affordability as aff
    from permanent_research.scenarios import Assumptions

    labelled = aff.distribution_from_quantiles({0.25: 1.0, 0.75: 2.0}, label="<script>x")
    assert "<script>" not in labelled._repr_html_() and "&lt;script&gt;x" in labelled._repr_html_()
    named = Assumptions(items=_assumptions().items, source="<script>mine.yaml")
    assert "<script>" not in named._repr_html_()


def test_summaries_that_were_tables_have_named_methods():
    counts = _get("TypologyResult").counts()
    assert counts["areas"].sum() == len(_get("TypologyResult").classes)
    assert isinstance(_get("DisplacementIndicators").describe(), pd.DataFrame)
    assert isinstance(_get("FlagTable").counts(), pd.DataFrame)
    assert "funding_gap_eur" in _get("ProgrammeResult").headlines().index
    assert _get("SiteScreening").eligible()["site_id"].tolist() == ["a", "b"]
    assert set(_get("GenerationsResult").last_generation().index) == {
        "retention", "recapture", "aid"}
    assert set(_get("LandPricing").share_ranges().index) == {"land", "subsidy"}


# ------------------------------------------------------------------ replace validates
def test_replace_runs_the_class_validation():
    with pytest.raises(ParameterError, match="rate_per_year"):
        _get("MortgageTerms").replace(rate_per_year=2.0)
    with pytest.raises(ParameterError, match="turnover"):
        _queue().replace(turnover=1.5)
    with pytest.raises(ScenarioError, match="floors"):
        _get("Programme").replace(floors=0)
    assert _queue().replace(list_length=1.0).list_length == 1.0


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"land_subsidy_share": 5.0}, r"assumptions\.land_subsidy_share: value=5 is outside "
                                      r"the allowed range \[0, 1\]"),
        ({"land_subsidy_share": float("nan")}, r"land_subsidy_share: value=nan is not a finite"),
        ({"horizon_years": 10000}, r"horizon_years: value=10000 is outside the allowed range "
                                   r"\(0, 200\]"),
        ({"construction_cost_eur_m2": -5}, r"construction_cost_eur_m2: value=-5 is outside"),
        ({"construction_cost_eur_m2": {"dist": "uniform", "low": 3, "high": 1}},
         r"construction_cost_eur_m2: low=3 exceeds high=1"),
        ({"land_subsidy_shares": 0.5}, r"unknown key; did you mean land_subsidy_share"),
    ],
)
def test_assumptions_replace_is_checked_like_the_yaml(change, expected):
    with pytest.raises(ScenarioError, match=expected) as info:
        _assumptions().replace(**change)
    assert "\n" not in str(info.value)


def test_assumptions_replace_fixes_or_redefines_a_value():
    base = _assumptions()
    fixed = base.replace(land_subsidy_share=0.5)
    assert fixed["land_subsidy_share"].dist == "fixed"
    assert fixed["land_subsidy_share"].quantile(0.3) == 0.5
    assert fixed["land_subsidy_share"].source == base["land_subsidy_share"].source
    spread = base.replace(land_subsidy_share={"dist": "uniform", "low": 0.2, "high": 0.4})
    assert spread["land_subsidy_share"].quantile(0.5) == pytest.approx(0.3)
    # every other key is untouched
    assert all(fixed[k] == base[k] for k in base if k != "land_subsidy_share")
