"""Scenario files and notebook parameters: parsing, structure, section validators, type checks.

No kernel starts in this module.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sys
import types
from pathlib import Path

import pytest

from permanent_research.errors import NotebookError, ScenarioError
from permanent_research.reporting import scenario_files as sf
from permanent_research.reporting.scenario_files import (
    check_overrides,
    load_scenario,
    notebook_parameters,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "notebooks"


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A tiny project: catalog, scenarios/ and the fixture notebooks."""
    (tmp_path / "data" / "raw").mkdir(parents=True)
    (tmp_path / "data" / "raw" / "catalog.yaml").write_text("datasets: {}\n")
    (tmp_path / "scenarios").mkdir()
    shutil.copytree(FIXTURES, tmp_path / "notebooks", ignore=shutil.ignore_patterns("*.py"))
    (tmp_path / "scenarios" / "baseline.yaml").write_text("description: Base.\nnotebooks: {}\n")
    monkeypatch.setenv("PERMANENT_RESEARCH_HOME", str(tmp_path))
    return tmp_path


def write(project: Path, name: str, text: str) -> Path:
    path = project / "scenarios" / f"{name}.yaml"
    path.write_text(text)
    return path


# --------------------------------------------------------------------------- load_scenario


def test_load_by_name_and_by_path(project):
    path = write(
        project,
        "high_rents",
        "description: Rents grow faster.\nnotebooks:\n  01_alpha:\n    n: 5\n  02_beta:\n",
    )
    by_name = load_scenario("high_rents")
    by_path = load_scenario(str(path))
    assert by_name == by_path
    assert by_name.name == "high_rents"
    assert by_name.description == "Rents grow faster."
    assert by_name.overrides("01_alpha") == {"n": 5}
    assert by_name.overrides("02_beta") == {}  # a null entry means "no overrides"
    assert by_name.overrides("08_synthesis") == {}
    assert not by_name.is_baseline
    assert load_scenario().is_baseline


def test_siblings_are_the_other_files_of_the_folder_baseline_first(project):
    write(project, "zeta", "description: Z.\nnotebooks: {}\n")
    alpha = write(project, "alpha", "description: A.\nnotebooks: {}\n")
    names = [s.name for s in load_scenario(str(alpha)).siblings()]
    assert names == ["baseline", "zeta"]
    assert [s.name for s in load_scenario().siblings()] == ["alpha", "zeta"]


def test_unknown_scenario_lists_the_known_ones(project):
    write(project, "other", "description: x\n")
    with pytest.raises(ScenarioError, match=r"unknown scenario 'nope'.*known: baseline, other"):
        load_scenario("nope")


def test_invalid_yaml_names_file_and_line(project):
    path = write(project, "broken", "description: ok\nnotebooks:\n  01_alpha: {n: 3\n  x: [\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario("broken")
    message = str(info.value)
    assert "\n" not in message
    assert f"{path}:" in message and "invalid YAML" in message
    line = int(message.split(f"{path}:")[1].split(":")[0])
    assert 3 <= line <= 5  # the unclosed flow mapping starts on line 3


def test_unknown_top_level_key_is_named_with_the_allowed_keys(project):
    write(project, "typo", "description: x\nnotebook:\n  01_alpha: {}\n")
    with pytest.raises(ScenarioError, match=r"unknown top-level key\(s\) 'notebook'") as info:
        load_scenario("typo")
    assert "allowed: description, notebooks, assumptions, programme" in str(info.value)


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ("notebooks: {}\n", "missing required key 'description'"),
        ("description: ''\n", "'description' must be a non-empty text"),
        ("- a\n- b\n", "must be a mapping"),
        ("description: x\nnotebooks: [01_alpha]\n", "'notebooks' must map"),
        ("description: x\nnotebooks:\n  01_alpha: 3\n", r"notebooks\.01_alpha must be a mapping"),
    ],
)
def test_structural_errors(project, text, pattern):
    write(project, "bad", text)
    with pytest.raises(ScenarioError, match=pattern):
        load_scenario("bad")


# --------------------------------------------------------------------------- sections


@pytest.fixture
def fake_validators(monkeypatch):
    module = types.ModuleType("fake_section_validators")

    def validate(mapping, *, source):
        if "rate" not in mapping:
            raise ScenarioError(f"{source}: missing 'rate'")
        return ("validated", mapping["rate"], source)

    module.validate = validate
    monkeypatch.setitem(sys.modules, "fake_section_validators", module)
    monkeypatch.setitem(sf.SECTION_VALIDATORS, "assumptions", "fake_section_validators:validate")
    monkeypatch.setitem(
        sf.SECTION_VALIDATORS, "programme", "permanent_research.no_such_module_yet:validate"
    )
    return module


def test_section_is_validated_by_its_registered_function(project, fake_validators):
    text = "description: x\nassumptions:\n  rate: 0.02\nprogramme: {homes: 4}\n"
    path = write(project, "s", text)
    scenario = load_scenario("s")
    assert scenario.section("assumptions") == ("validated", 0.02, f"{path}:assumptions")
    # module not written yet: the raw mapping, no error
    assert scenario.section("programme") == {"homes": 4}
    scenario.validate_sections()


def test_bad_section_raises_the_validators_error(project, fake_validators):
    write(project, "s", "description: x\nassumptions:\n  other: 1\n")
    with pytest.raises(ScenarioError, match="missing 'rate'"):
        load_scenario("s").validate_sections()


def test_missing_section_raises_or_returns_default(project):
    scenario = load_scenario("baseline")
    assert scenario.section("programme", None) is None
    with pytest.raises(ScenarioError, match="has no section 'programme'; sections present: none"):
        scenario.section("programme")


# --------------------------------------------------------------------------- parameters


def test_parameters_of_the_fixture_notebook():
    assert notebook_parameters(FIXTURES / "01_alpha.ipynb") == {
        "scenario": "baseline",
        "n": 3,
        "rate": 0.5,
        "label": "alpha",
        "items": [1, 2],
    }
    assert notebook_parameters(FIXTURES / "02_beta.ipynb") == {
        "fail": False,
        "threshold": None,
    }


def _notebook(source: str, tags=("parameters",)) -> dict:
    return {"cells": [{"cell_type": "code", "metadata": {"tags": list(tags)}, "source": source}]}


def test_non_literal_parameter_is_rejected():
    with pytest.raises(NotebookError, match="line 2: twice is not a literal"):
        notebook_parameters(_notebook("a = 1\ntwice = a * 2\n"))
    with pytest.raises(NotebookError, match="line 1: only 'name = literal'"):
        notebook_parameters(_notebook("import os\n"))


def test_untagged_notebook_has_no_parameters(tmp_path):
    path = tmp_path / "x.ipynb"
    path.write_text(json.dumps(_notebook("a = 1\n", tags=())))
    assert notebook_parameters(path) == {}


def test_annotated_and_negative_literals():
    node = _notebook('"""doc"""\nyears: int = 10\nshift = -0.5\ncodes = ("21001", "21004")\n')
    assert notebook_parameters(node) == {"years": 10, "shift": -0.5, "codes": ("21001", "21004")}


DEFAULTS = {
    "export_dir": "",
    "n": 3,
    "rate": 0.5,
    "flag": False,
    "items": [1, 2],
    "codes": ("21001",),
    "options": {"a": 1},
    "threshold": None,
}


def test_unknown_parameter_suggests_close_matches():
    with pytest.raises(ScenarioError) as info:
        check_overrides("01_alpha", DEFAULTS, {"rat": 0.1}, source="scenarios/x.yaml")
    message = str(info.value)
    assert message.startswith("scenarios/x.yaml: notebook 01_alpha has no parameter 'rat'")
    assert "did you mean rate?" in message
    assert "known: export_dir, n, rate, flag, items, codes, options, threshold" in message


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("n", "3", "n='3' is str, expected int"),
        ("n", 3.5, "n=3.5 is float, expected int"),
        ("n", True, "n=True is bool, expected int"),
        ("flag", 1, "flag=1 is int, expected bool"),
        ("rate", "0.1", "rate='0.1' is str, expected float"),
        ("items", {"a": 1}, "items={'a': 1} is dict, expected list"),
        ("options", [1], "options=[1] is list, expected dict"),
        ("threshold", dt.date(2020, 1, 1), "is date; use text"),
        ("codes", 21001, "is int, expected tuple"),
        ("rate", float("nan"), "is float; use text, numbers (finite)"),
    ],
)
def test_ill_typed_values_are_rejected(name, value, expected):
    with pytest.raises(ScenarioError) as info:
        check_overrides("01_alpha", DEFAULTS, {name: value}, source="s.yaml")
    assert expected in str(info.value)
    assert "\n" not in str(info.value)


def test_accepted_values_and_widening():
    checked = check_overrides(
        "01_alpha",
        DEFAULTS,
        {"rate": 2, "threshold": [1, "x"], "codes": ["21001", "21002"], "flag": True},
        source="s.yaml",
    )
    expected = {"rate": 2.0, "threshold": [1, "x"], "codes": ["21001", "21002"], "flag": True}
    assert checked == expected
    assert isinstance(checked["rate"], float)
