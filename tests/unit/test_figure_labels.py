"""Readable figures: the label check itself, then every figure the library draws.

Every ``Result.plot`` is drawn from the small real instances of ``test_result_contract``; the
plot functions that no ``plot`` method calls (the notebooks call them directly) are drawn from
inputs shaped like the notebooks'. A test checks that together they cover every public plot
function, so a new one cannot skip the check. Notebook figures on the real data are checked in
``tests/notebooks/test_notebook_figure_labels.py``.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import pkgutil
from collections.abc import Callable

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import test_result_contract as contract
from matplotlib.figure import Figure

import permanent_research.plots as plots_package
from permanent_research.reporting.figcheck import label_problems, read_checks, record_check
from permanent_research.results import Result

matplotlib.use("Agg")


# ------------------------------------------------------------------ the check
def test_check_finds_overlaps_cut_and_scientific_labels():
    figure, ax = plt.subplots()
    ax.plot([0, 1], [1e6, 2e6])  # matplotlib writes "1e6" at the axis end
    ax.text(0.5, 1.5e6, "first label")
    ax.text(0.52, 1.5e6, "second label")
    ax.set_xticks([0, 0.01, 1], ["tick one", "tick two", "end"])
    clipped = ax.text(0.98, 1.9e6, "clipped by the axes", clip_on=True)
    clipped.set_clip_box(ax.bbox)
    found = {(p.kind, p.texts) for p in label_problems(figure)}
    assert ("overlap", ("first label", "second label")) in found
    assert ("overlap", ("tick one", "tick two")) in found
    assert ("cut", ("clipped by the axes",)) in found
    assert ("scientific", ("1e6",)) in found
    assert len(found) == 4
    plt.close(figure)


def test_check_reports_tick_labels_in_scientific_notation_and_cut_by_the_edge():
    figure, ax = plt.subplots()
    ax.set_yticks([1e5, 2e5], ["1e+05", "2e+05"])
    ax.text(1.3, 0.5, "beyond the right edge", transform=ax.transAxes)
    kinds = {p.kind: p for p in label_problems(figure, box=figure.bbox_inches)}
    assert kinds["scientific"].texts == ("1e+05", "2e+05")
    assert kinds["cut"].texts == ("beyond the right edge",)
    assert "right" in kinds["cut"].detail
    # saved with the house style's tight box, the same text is inside the image
    assert not [p for p in label_problems(figure) if p.kind == "cut"]
    plt.close(figure)


def test_check_passes_a_clean_figure_and_slanted_labels_side_by_side():
    figure, ax = plt.subplots(figsize=(6, 3))
    names = [f"commune number {k}" for k in range(8)]
    ax.bar(names, np.arange(8) * 1000.0)
    ax.set_xticks(range(8), names, rotation=45, ha="right", rotation_mode="anchor")
    ax.set_title("Clean")
    ax.set_ylabel("EUR")
    # the slanted labels' upright boxes overlap; the labels themselves do not
    assert label_problems(figure) == []
    plt.close(figure)


def test_hidden_and_out_of_view_texts_are_not_checked():
    figure, ax = plt.subplots()
    ax.text(0.5, 0.5, "shown")
    ax.text(0.5, 0.5, "hidden twin").set_visible(False)
    ax.set_xlim(0, 1)
    ax.set_xticks([0, 0.5, 1, 5])  # the tick at 5 is outside the view: not drawn
    assert label_problems(figure) == []
    plt.close(figure)


def test_checks_are_recorded_per_figure(tmp_path):
    figure, ax = plt.subplots()
    ax.text(0.5, 0.5, "same")
    ax.text(0.5, 0.5, "same")
    record_check(tmp_path, "b_overlap", label_problems(figure))
    record_check(tmp_path, "a_clean", [])
    checks = read_checks(tmp_path)
    assert list(checks) == ["a_clean", "b_overlap"]
    assert checks["a_clean"] == [] and checks["b_overlap"][0]["kind"] == "overlap"
    plt.close(figure)


def test_plain_number_never_writes_an_exponent():
    from permanent_research.plots.style import plain_number

    assert [plain_number(v) for v in (1081.3, 652.0, 0.525, 22.8, 0.075, 1.5, 2e6, -3456.0)] == [
        "1,080", "652", "0.525", "22.8", "0.075", "1.5", "2,000,000", "-3,460"]
    assert plain_number(0.0) == "0"


# ------------------------------------------------------------------ every library figure
_calls: set[str] = set()  # plot functions called while recording (see _recording)


def _public_plot_functions() -> dict[str, Callable]:
    found = {}
    for info in pkgutil.iter_modules(plots_package.__path__):
        module = importlib.import_module(f"permanent_research.plots.{info.name}")
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if not inspect.isfunction(obj):
                continue
            signature = inspect.signature(obj)
            first = next(iter(signature.parameters.values()), None)
            # figures drawn from data; not the decorators that take a figure (source notes)
            if (signature.return_annotation in (Figure, "Figure") and first is not None
                    and first.annotation not in (Figure, "Figure")):
                found[f"{info.name}.{name}"] = obj
    return found


PLOT_FUNCTIONS = _public_plot_functions()


def _recording(monkeypatch) -> None:
    """Record which plot functions a Result.plot calls (they import them when called)."""
    for key, function in PLOT_FUNCTIONS.items():
        module_name, name = key.split(".")

        @functools.wraps(function)
        def wrapper(*args, _key=key, _function=function, **kwargs):
            _calls.add(_key)
            return _function(*args, **kwargs)

        monkeypatch.setattr(f"permanent_research.plots.{module_name}.{name}", wrapper)


def _assert_readable(figure: Figure) -> None:
    problems = label_problems(figure)
    plt.close(figure)
    assert not problems, "; ".join(map(str, problems))


WITH_FIGURE = [c for c in contract.RESULTS
               if c.plot is not Result.plot or c.__name__ == "AggregateResult"]


@pytest.mark.parametrize("cls", WITH_FIGURE, ids=lambda c: c.__name__)
def test_result_figures_have_readable_labels(cls):
    obj = contract._instance(cls)
    if cls.__name__ == "TypologyResult":
        import geopandas
        from shapely.geometry import box

        areas = geopandas.GeoDataFrame(
            {"area": ["A", "B", "C"]},
            geometry=[box(0, 0, 100, 100), box(100, 0, 200, 100), box(0, 100, 100, 200)],
            crs="EPSG:3812")
        figure = obj.plot(areas, key="area")
    else:
        figure = obj.plot()
    _assert_readable(figure)


def test_crowded_morris_labels_are_spread_apart():
    # five inputs with nearly the same effects, as in notebook 09 (labels used to collide)
    morris = contract._get("MorrisResult")
    names = ["temporary_setup_cost_eur_m2", "temporary_public_cost_eur_m2_year",
             "stewardship_public_share", "land_price_eur_m2", "floor_area_ratio"]
    table = pd.DataFrame({"output": "y", "input": names,
                          "mu_star": [10.0, 9.8, 9.7, 9.5, 2.0],
                          "sigma": [3.0, 3.1, 2.9, 3.05, 1.0]})
    _assert_readable(morris.replace(table=table).plot("y"))


def test_waiting_list_chart_of_notebook_01_has_readable_labels():
    # issue 12: colliding labels on 01's waiting-list chart (bundled data, as the notebook)
    from permanent_research import context
    from permanent_research.data import load
    from permanent_research.plots import context as figures

    _assert_readable(figures.waiting_list_points(
        context.waiting_list(load("social_housing")), brochure=43_000))


def test_long_heatmap_title_clears_the_colour_bar():
    # notebook 03's two-line title reached over the colour bar's top tick label ("100")
    from permanent_research.plots.affordability import effort_heatmap

    matrix = pd.DataFrame({"d1": [0.9, 0.7, 0.5], "median": [0.45, 0.38, 0.3],
                           "d9": [0.2, 0.18, 0.15]}, index=["Anderlecht", "Bruxelles", "Uccle"])
    _assert_readable(effort_heatmap(
        matrix, threshold=0.3,
        title="Median rent (660 EUR/month) takes more than 30% of the median income in 2 of "
              "3 communes\n(single adult, equivalised income 2017; rents: observatory quartiles)",
        source="Statbel, disposable income. Grey: not published by Statbel."))


def _context_figures() -> dict[str, Callable[[], Figure]]:
    from permanent_research import context
    from permanent_research.data import load
    from permanent_research.data.boundaries import communes
    from permanent_research.plots import context as figures
    from permanent_research.rents import combine_index_tables

    def rents():
        observatory = load("rent_observatory")
        health = combine_index_tables(load("health_index_cpi"),
                                      load("health_index_cpi_2006_2015"))
        comparison = context.compare_rent_changes(
            observatory, health, brochure_change_pct=29,
            brochure_years=(2008, 2018), deflator="health_index")
        return figures.rent_changes(context.observatory_rents(observatory),
                                    comparison.to_frame())

    def prices():
        return context.median_prices(load("real_estate_sales"), "appartementen")

    def price_maps():
        change = context.price_change(prices(), 2015, 2024)
        return figures.price_maps(communes(), change, 2015, 2024)

    social = load("social_housing")
    return {
        "context.waiting_list_points": lambda: figures.waiting_list_points(
            context.waiting_list(social), brochure=43_000),
        "context.social_stock_bars": lambda: figures.social_stock_bars(
            context.social_stock(social), brochure=40_000),
        "context.production_bars": lambda: figures.production_bars(
            context.social_production(social, span="difference"), brochure=100),
        "context.rent_changes": rents,
        "context.price_lines": lambda: figures.price_lines(prices()),
        "context.price_maps": price_maps,
        "context.permit_bars": lambda: figures.permit_bars(
            context.permit_series(load("building_permits"), "new_dwellings")),
        "context.vacancy_vs_waiting": lambda: figures.vacancy_vs_waiting(
            context.vacancy_facts(load("vacant_dwellings")), context.waiting_list(social)),
    }


def _direct_figures() -> dict[str, Callable[[], Figure]]:
    """Plot functions only the notebooks call, with inputs shaped like the notebooks'."""
    from permanent_research import waiting_list
    from permanent_research.data.boundaries import communes
    from permanent_research.plots import affordability, maps
    from permanent_research.plots import displacement as dplots
    from permanent_research.plots import programme as pplots
    from permanent_research.plots import rents as rplots
    from permanent_research.plots import scenarios as splots

    def ranking():
        names = ["Anderlecht", "Auderghem", "Berchem-Sainte-Agathe", "Bruxelles", "Etterbeek",
                 "Evere", "Forest", "Ganshoren", "Ixelles", "Jette", "Koekelberg",
                 "Molenbeek-Saint-Jean", "Saint-Gilles", "Saint-Josse-ten-Noode", "Schaerbeek",
                 "Uccle", "Watermael-Boitsfort", "Woluwe-Saint-Lambert", "Woluwe-Saint-Pierre"]
        return pd.DataFrame({"area_name": names, "cagr_pct": np.linspace(1.2, 5.8, len(names))})

    def sensitivity():
        # displacement.sensitivity's shape: class counts per threshold value
        values, classes = [0.75, 0.8, 0.85, 0.9, 0.95], ["LISD", "OD", "ARG", "EOG", "AdvG",
                                                         "SMMI", "missing"]
        table = pd.DataFrame([{"parameter": "income_low_ratio", "value": v, "category": c,
                               "areas": (k + 3 * j) % 40}
                              for j, v in enumerate(values) for k, c in enumerate(classes)])
        return dplots.sensitivity_lines(
            table, marks={"UDP": 0.8, "used": 0.85},
            title="At UDP's 0.80 cut-off 40 quartiers are low-income types; at 0.85, 52")

    def index_recovery():
        periods = np.arange(12)
        truth = pd.DataFrame({"period": periods, "index": 100 * 1.03 ** periods})
        estimate = truth.assign(index=truth["index"] * 1.01, ci_low=truth["index"] * 0.98,
                                ci_high=truth["index"] * 1.04)
        return rplots.index_recovery(truth, {"hedonic": estimate, "repeat sales": truth})

    def queue_grid():
        return affordability.queue_wait_grid(
            waiting_list.scenario_grid(contract._queue(), turnover=[0.04, 0.06],
                                       attrition=[0.0, 0.02],
                                       added_permanent_per_year=[0, 100, 300]),
            reported_years=(10, 12), title="Waiting time of a newcomer")

    def floor_areas():
        return pplots.floor_areas(contract._get("ProgrammeResult").area_table())

    def resale():
        rows = contract._get("GenerationsResult").to_frame()
        rows = rows[rows["regime"] == "retention"] if "regime" in rows else rows
        return pplots.resale_paths({"cltb": rows, "indexed": rows.assign(
            price_to_value=rows["price_to_value"] * 0.9)})

    def choropleth():
        areas = communes().assign(cagr_pct=np.linspace(1, 6, len(communes())))
        return maps.choropleth(areas, "cagr_pct", title="Growth per commune",
                               legend_label="CAGR (% per year)", label_column="name_fr")

    years = np.arange(2010, 2024)
    nominal = pd.DataFrame({"period": years, "value": 600 + 12.0 * (years - 2010)})
    return {
        **_context_figures(),
        "affordability.effort_rate_bars": lambda: affordability.effort_rate_bars(
            {"Brochure: low-income households\n(quoted)": 0.6,
             "Single adult, Q1 income,\nP25 rent (data)": 0.52,
             "Single adult, median income,\nmedian rent (data)": 0.31}, norm=0.33),
        "affordability.queue_wait_grid": queue_grid,
        "rents.growth_ranking": lambda: rplots.growth_ranking(ranking(), title="CAGR"),
        "rents.nominal_vs_real": lambda: rplots.nominal_vs_real(
            nominal.assign(value_real=nominal["value"] * 0.9), base_year=2024,
            apart={2010: "probably in 2018 euros"}),
        "rents.index_recovery": index_recovery,
        "displacement.sensitivity_lines": sensitivity,
        "programme.floor_areas": floor_areas,
        "programme.resale_paths": resale,
        "programme.size_sweep": lambda: pplots.size_sweep(
            contract._get("SizeSweep").to_frame(), land_budget_years_max=1.0),
        "programme.capital_stack": lambda: pplots.capital_stack(
            contract._get("CapitalStack").to_frame()),
        "scenarios.cost_distribution": lambda: splots.cost_distribution(
            contract._get("ScenarioResult")),
        "maps.choropleth": choropleth,
    }


DIRECT = _direct_figures()


@pytest.mark.parametrize("key", sorted(DIRECT))
def test_plot_functions_have_readable_labels(key):
    _assert_readable(DIRECT[key]())


def _imported_by_plot_methods() -> set[str]:
    """Plot functions the ``plot`` methods import (they import them when called)."""
    import re

    found = set()
    for cls in WITH_FIGURE:
        source = inspect.getsource(cls.plot)
        for module, names in re.findall(r"from permanent_research\.plots\.(\w+) import ([\w, ]+)",
                                        source):
            found |= {f"{module}.{name.strip()}" for name in names.split(",")}
    return found


def test_every_public_plot_function_is_checked():
    covered = set(DIRECT) | _imported_by_plot_methods()
    unchecked = sorted(set(PLOT_FUNCTIONS) - covered)
    assert len(PLOT_FUNCTIONS) >= 30
    assert not unchecked, f"no label check draws {unchecked}: add a builder here"


def test_plot_methods_draw_the_functions_they_import(monkeypatch):
    # the static list above is what the methods really call (checked on a few families)
    _recording(monkeypatch)
    for name in ("ScenarioResult", "SensitivityResult", "PresentValueTable", "SiteScreening"):
        plt.close(contract._get(name).plot())
    assert {"scenarios.fan_chart", "scenarios.tornado", "money.present_value_bars",
            "programme.site_scores"} <= _calls
