"""One fact, one place: option sets, notebook parameter specs and the scenario contract.

Each test here fails if a copy of a fact drifts from its source: a notebook default that its
spec refuses, a notebook option the library function it feeds does not accept, a notebook that
imports private modules, a notebook parameter that could shadow a scenario value.
"""

from __future__ import annotations

import importlib
import inspect
import json
import re
import shutil
import typing

import pytest

from permanent_research import options
from permanent_research.config import paths
from permanent_research.errors import ParameterError, ScenarioError
from permanent_research.reporting import runner
from permanent_research.reporting.parameters import (
    NOTEBOOK_SPECS,
    check_parameters,
    check_scenario_name,
    check_value,
)
from permanent_research.reporting.scenario_files import (
    check_overrides,
    load_scenario,
    notebook_parameters,
)

NOTEBOOKS = paths().notebooks
STEMS = sorted(NOTEBOOK_SPECS)


def _defaults(stem: str) -> dict:
    return notebook_parameters(NOTEBOOKS / f"{stem}.ipynb")


# ----------------------------------------------------------------------------- option sets


def test_every_option_tuple_is_its_literal():
    pairs = [
        (name, value)
        for name, value in vars(options).items()
        if name.isupper() and isinstance(value, tuple)
    ]
    assert len(pairs) >= 15
    hints = typing.get_type_hints(options)
    for name, value in pairs:
        (literal,) = typing.get_args(hints[name])[:1]
        assert typing.get_args(literal) == value, name
        assert len(set(value)) == len(value), name


def test_the_library_uses_the_declared_options():
    from permanent_research import clt, context, rents
    from permanent_research.causal import did

    assert rents.PROPERTY_TYPES is options.PROPERTY_TYPES
    assert context.PROPERTY_TYPES is options.PROPERTY_TYPES
    assert rents.DEFLATORS is options.DEFLATORS
    assert did.CONTROL_GROUPS is options.CONTROL_GROUPS
    assert clt.FORMULAS is options.RESALE_FORMULAS


# ----------------------------------------------------------------------------- parameter specs


@pytest.mark.parametrize("stem", STEMS)
def test_spec_and_parameters_cell_name_the_same_parameters(stem):
    assert set(_defaults(stem)) == set(NOTEBOOK_SPECS[stem])


@pytest.mark.parametrize("stem", STEMS)
def test_every_default_satisfies_its_spec(stem):
    checked = check_parameters(stem, _defaults(stem))
    assert set(checked) == set(NOTEBOOK_SPECS[stem])


def _literal_values(annotation) -> set:
    found: set = set()
    if typing.get_origin(annotation) is typing.Literal:
        return set(typing.get_args(annotation))
    for argument in typing.get_args(annotation):
        found |= _literal_values(argument)
    return found


def _feeds():
    for stem, spec in NOTEBOOK_SPECS.items():
        for name, parameter in spec.items():
            if parameter.feeds:
                yield pytest.param(stem, name, parameter, id=f"{stem}.{name}")


@pytest.mark.parametrize(("stem", "name", "parameter"), list(_feeds()))
def test_every_notebook_option_is_accepted_by_the_function_it_feeds(stem, name, parameter):
    module_name, _, target = parameter.feeds.partition(":")
    owner_name, _, argument = target.partition(".")
    owner = getattr(importlib.import_module(module_name), owner_name)
    hints = typing.get_type_hints(owner)
    if inspect.isfunction(owner):
        assert argument in inspect.signature(owner).parameters, parameter.feeds
    assert argument in hints, f"{parameter.feeds} has no type hint"
    accepted = _literal_values(hints[argument])
    assert accepted, f"{parameter.feeds} is not typed with a Literal"
    assert set(parameter.options) <= accepted, (stem, name, set(parameter.options) - accepted)


def test_at_least_the_known_option_parameters_declare_what_they_feed():
    fed = {(stem, name) for stem, name, _ in (p.values for p in _feeds())}
    assert ("05_temporary_use_effects", "real_property_type") in fed
    assert ("02_rent_trends", "deflator") in fed
    assert ("06_permanent_vs_temporary", "cltb_increase_base") in fed


def test_notebook_05_accepts_the_property_types_of_the_data():
    for value in options.PROPERTY_TYPES:
        spec = NOTEBOOK_SPECS["05_temporary_use_effects"]["real_property_type"]
        assert check_value("real_property_type", value, spec) == value
    with pytest.raises(ParameterError, match="huizen_23"):
        check_value("real_property_type", "huizen_2_3_gevels", spec)


@pytest.mark.parametrize(
    ("stem", "overrides", "expected"),
    [
        ("02_rent_trends", {"forecast_horizon": 1_000_000}, "forecast_horizon=1000000"),
        ("02_rent_trends", {"deflator": "gdp"}, "one of 'health_index', 'cpi_chain'"),
        ("05_temporary_use_effects", {"real_property_type": "huizen_4_gevels"}, "huizen_4plus"),
        ("03_affordability", {"threshold": 1.5}, "in (0, 1)"),
        ("03_affordability", {"rent_probabilities": [0.5, 0.25]}, "increase strictly"),
        ("04_displacement", {"band": "far"}, "one of 'udp', 'max_nn'"),
        ("04_displacement", {"band": -5}, "(0, 100_000]"),
        ("07_building_programme", {"site_weights": {"views": 1}}, "keys: area, location"),
        ("06_permanent_vs_temporary", {"n_draws": 10**9}, "n_draws=1000000000"),
        ("06_permanent_vs_temporary", {"horizon_years": 30}, "no parameter 'horizon_years'"),
        ("02_rent_trends", {"export_dir": "../data/raw"}, "set by the runner"),
        ("06_permanent_vs_temporary", {"scenario": "optimistic"}, "set by the runner"),
    ],
)
def test_bad_overrides_are_one_line_errors_naming_parameter_and_rule(stem, overrides, expected):
    with pytest.raises(ScenarioError) as info:
        check_overrides(stem, _defaults(stem), overrides, source="s.yaml")
    message = str(info.value)
    assert expected in message and "\n" not in message
    assert message.startswith("s.yaml: ")


def test_good_overrides_are_normalised():
    stem = "07_building_programme"
    checked = check_overrides(stem, _defaults(stem), {"income_eur_year": 30000}, source="s")
    assert checked == {"income_eur_year": 30000.0}
    assert isinstance(checked["income_eur_year"], float)


def test_band_accepts_a_rule_or_metres():
    spec = NOTEBOOK_SPECS["04_displacement"]["band"]
    assert check_value("band", "udp", spec) == "udp"
    assert check_value("band", 750, spec) == 750.0


# ----------------------------------------------------------------------------- notebooks


def _code(stem: str) -> str:
    node = json.loads((NOTEBOOKS / f"{stem}.ipynb").read_text(encoding="utf-8"))
    return "\n".join(
        "".join(cell["source"]) for cell in node["cells"] if cell["cell_type"] == "code"
    )


@pytest.mark.parametrize("stem", STEMS)
def test_notebooks_import_only_the_public_api(stem):
    private = re.findall(r"permanent_research(?:\.\w+)*\._\w+", _code(stem))
    assert not private, private


@pytest.mark.parametrize("stem", STEMS)
def test_notebooks_validate_through_their_spec(stem):
    assert f'check_parameters("{stem}", globals())' in _code(stem)


@pytest.mark.parametrize("stem", STEMS)
def test_notebooks_never_look_a_scenario_up_by_name(stem):
    code = _code(stem)
    calls = re.findall(r"load_scenario\(([^)]*)\)", code)
    assert all(argument == "scenario" for argument in calls), calls


def test_no_notebook_parameter_can_shadow_a_scenario_value():
    """A value the scenario file declares has no second, notebook-level copy that could win."""
    import dataclasses

    from permanent_research.programme import Programme
    from permanent_research.scenarios import ASSUMPTION_SPECS

    scenario_keys = set(ASSUMPTION_SPECS) | {f.name for f in dataclasses.fields(Programme)}
    assert {"horizon_years", "discount_rate"} <= scenario_keys
    for stem in ("03_affordability", "06_permanent_vs_temporary", "07_building_programme"):
        shared = set(NOTEBOOK_SPECS[stem]) & scenario_keys
        assert not shared, (stem, shared)


# ----------------------------------------------------------------------------- scenario names


@pytest.mark.parametrize("name", ["..", ".", "...", "index.html", "a b", "ü", "-x", ""])
def test_scenario_names_that_could_escape_reports_are_refused(name):
    with pytest.raises(ParameterError, match="letters, digits"):
        check_scenario_name(name)


@pytest.mark.parametrize("stem", ["..", "...", "index.html"])
def test_scenario_files_with_unsafe_names_are_refused(tmp_path, stem):
    path = tmp_path / f"{stem}.yaml"
    path.write_text("description: t\n")
    with pytest.raises(ScenarioError, match="is not allowed"):
        load_scenario(path)


def test_a_missing_scenario_file_is_a_one_line_error(tmp_path):
    with pytest.raises(ScenarioError, match="does not exist"):
        load_scenario(tmp_path / "nowhere.yaml")


# ----------------------------------------------------------------------------- end to end


@pytest.fixture
def project_copy(tmp_path, monkeypatch):
    """A copy of the project (notebooks, scenarios, data) so reports go to a temporary folder."""
    root = paths().root
    for folder in ("notebooks", "scenarios", "data/raw", "data/examples"):
        shutil.copytree(root / folder, tmp_path / folder)
    (tmp_path / "reports").mkdir()
    monkeypatch.setenv("PERMANENT_RESEARCH_HOME", str(tmp_path))
    monkeypatch.delenv("CI", raising=False)
    return tmp_path


@pytest.mark.slow
def test_a_scenario_file_elsewhere_runs_as_itself(project_copy, tmp_path_factory):
    """A file outside scenarios/ that shares a bundled scenario's name runs its own values."""
    bundled = project_copy / "scenarios" / "pessimistic.yaml"
    text = bundled.read_text(encoding="utf-8")
    assert "horizon_years: {dist: fixed, value: 50" in text
    text = text.replace("horizon_years: {dist: fixed, value: 50",
                        "horizon_years: {dist: fixed, value: 30")
    text = re.sub(r"(?ms)^notebooks:.*?(?=^\S)", "", text)
    text += (
        "\nnotebooks:\n  06_permanent_vs_temporary: {n_draws: 200}\n"
        "  07_building_programme: {}\n  08_synthesis: {compare_scenarios: [pessimistic]}\n"
    )
    elsewhere = tmp_path_factory.mktemp("elsewhere") / "pessimistic.yaml"
    elsewhere.write_text(text, encoding="utf-8")

    lines: list[str] = []
    summary = runner.run(scenarios=[str(elsewhere)], jobs=2, echo=lines.append, progress=False)
    assert summary.exit_code == 0, summary.summary()
    folder = project_copy / "reports" / "pessimistic"
    headlines = json.loads((folder / "06_permanent_vs_temporary.headlines.json").read_text())
    assert headlines["horizon_years"]["value"] == 30  # the file's value, not the bundled 50
    manifest = json.loads((folder / "06_permanent_vs_temporary.manifest.json").read_text())
    assert manifest["parameters"]["n_draws"] == 200
    assert manifest["parameter_origins"]["n_draws"] == "scenario file"
    assert manifest["parameter_origins"]["seed"] == "notebook default"
    assert "export_dir" not in manifest["parameters"]
    assert manifest["scenario_file"] == str(elsewhere)

    # the synthesis ran after the notebooks it gathers and found every one of them
    synthesis = json.loads((folder / "08_synthesis.headlines.json").read_text())
    gathered = {
        path.name for path in folder.glob("*.headlines.json") if not path.name.startswith("08")
    }
    assert gathered == {
        "06_permanent_vs_temporary.headlines.json",
        "07_building_programme.headlines.json",
    }
    assert synthesis["reports_gathered"]["value"] == 2
    counted = sum(
        len(json.loads(path.read_text())) for path in folder.glob("0[67]_*.headlines.json")
    )
    assert synthesis["headline_numbers_gathered"]["value"] == counted

    # unchanged: all skipped, quickly
    again = runner.run(scenarios=[str(elsewhere)], jobs=2, echo=lines.append, progress=False)
    assert {r.status for r in again.results} == {"skipped-unchanged"}
