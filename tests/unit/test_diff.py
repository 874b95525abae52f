"""``permanent-research diff``: headline old → new and which inputs changed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from permanent_research.cli import main
from permanent_research.errors import ParameterError
from permanent_research.reporting.diff import (
    changed_parts,
    diff_reports,
    render_changes,
    snapshot_previous,
)


def _manifest(**changes):
    manifest = {
        "parameters": {"n_draws": 1000},
        "scenario_file": "scenarios/baseline.yaml",
        "inputs": {"notebook_sha256": "nb1", "data": {"rents.csv": "d1"}},
        "git": {"commit": "c1", "dirty": False},
    }
    for key, value in changes.items():
        if key in ("notebook_sha256", "data"):
            manifest["inputs"] = {**manifest["inputs"], key: value}
        else:
            manifest[key] = value
    return manifest


def _write(root: Path, scenario: str, stem: str, values: dict, manifest: dict) -> None:
    folder = root / scenario
    folder.mkdir(parents=True, exist_ok=True)
    heads = {name: {"name": name, "value": v, "unit": "EUR", "label": name.title()}
             for name, v in values.items()}
    (folder / f"{stem}.headlines.json").write_text(json.dumps(heads))
    (folder / f"{stem}.manifest.json").write_text(json.dumps(manifest))


def test_changed_parts_names_each_part():
    base = _manifest()
    assert changed_parts(base, base) == []
    assert changed_parts(base, _manifest(notebook_sha256="nb2")) == ["notebook"]
    assert changed_parts(base, _manifest(parameters={"n_draws": 10})) == ["parameters"]
    assert changed_parts(base, _manifest(data={"rents.csv": "d2"})) == ["data"]
    assert changed_parts(base, _manifest(git={"commit": "c2", "dirty": False})) == [
        "package code"]
    assert changed_parts({}, base) == ["unknown"]


def test_diff_against_another_folder(tmp_path):
    old, new = tmp_path / "old", tmp_path / "new"
    _write(old, "baseline", "06_x", {"a": 1.0, "b": 2.0, "gone": 5}, _manifest())
    _write(new, "baseline", "06_x", {"a": 1.5, "b": 2.0, "fresh": 7},
           _manifest(parameters={"n_draws": 10}))
    table = diff_reports(new, old).to_frame().set_index("name")
    assert table.loc["a", "status"] == "changed"
    assert table.loc["a", "change"] == pytest.approx(0.5)
    assert table.loc["a", "why"] == "parameters"
    assert table.loc["b", "status"] == "unchanged"
    assert table.loc["gone", "status"] == "removed"
    assert table.loc["fresh", "status"] == "added"


def test_previous_snapshot_round_trip(tmp_path):
    root = tmp_path / "reports"
    _write(root, "baseline", "06_x", {"a": 1.0}, _manifest())
    kept = snapshot_previous(root / "baseline", "06_x")
    assert [p.name for p in kept] == ["06_x.headlines.json", "06_x.manifest.json"]
    _write(root, "baseline", "06_x", {"a": 3.0}, _manifest(data={"rents.csv": "d2"}))
    found = diff_reports(root)
    row = found.changed.iloc[0]
    assert (row["old"], row["new"], row["why"]) == (1.0, 3.0, "data")
    assert "1 → 3 EUR (changed: data)" in found.summary()
    page = render_changes(found)
    assert "<title>" in page and "data" in page and "Notebook</title>" not in page


def test_snapshot_of_a_new_report_keeps_nothing(tmp_path):
    assert snapshot_previous(tmp_path, "01_x") == []


def test_empty_folder_is_a_one_line_error(tmp_path):
    root = tmp_path / "reports"
    _write(root, "baseline", "06_x", {"a": 1.0}, _manifest())
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ParameterError, match="looked for .*empty.*headlines.json"):
        diff_reports(root, empty)
    with pytest.raises(ParameterError, match=r"\.previous"):
        diff_reports(root)


def test_cli_diff_bad_ref_exits_2(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PERMANENT_RESEARCH_HOME", str(tmp_path))
    empty = tmp_path / "nothing"
    empty.mkdir()
    code = main(["diff", str(empty)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: ") and err.count("\n") == 1


def test_cli_diff_writes_changes_page(tmp_path, capsys):
    old, new = tmp_path / "old", tmp_path / "new"
    _write(old, "baseline", "06_x", {"a": 1.0}, _manifest())
    _write(new, "baseline", "06_x", {"a": 2.0}, _manifest(notebook_sha256="nb2"))
    page = tmp_path / "changes.html"
    from unittest import mock

    with mock.patch("permanent_research.config.paths") as fake:
        fake.return_value.reports = new
        assert main(["diff", str(old), "--html", str(page)]) == 0
    assert "notebook" in capsys.readouterr().out
    assert "notebook" in page.read_text()
