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


# ------------------------------------------------------------------ figures, old and new
def _png(path: Path, colour: tuple[int, int, int], *, software: str | None = None) -> None:
    from PIL import Image
    from PIL.PngImagePlugin import PngInfo

    path.parent.mkdir(parents=True, exist_ok=True)
    info = PngInfo()
    if software:
        info.add_text("Software", software)
    Image.new("RGB", (12, 8), colour).save(path, pnginfo=info)


def test_figures_compared_by_image_not_by_file(tmp_path):
    old, new = tmp_path / "old", tmp_path / "new"
    for root in (old, new):
        _write(root, "baseline", "06_x", {"a": 1.0}, _manifest())
    _png(old / "baseline" / "06_x_files" / "same.png", (10, 20, 30))
    _png(new / "baseline" / "06_x_files" / "same.png", (10, 20, 30))
    # the same pixels written by another matplotlib version: a different file, not news
    _png(old / "baseline" / "06_x_files" / "retagged.png", (1, 2, 3), software="mpl 3.10")
    _png(new / "baseline" / "06_x_files" / "retagged.png", (1, 2, 3), software="mpl 3.11")
    _png(old / "baseline" / "06_x_files" / "moved.png", (0, 0, 0))
    _png(new / "baseline" / "06_x_files" / "moved.png", (0, 0, 1))
    _png(old / "baseline" / "06_x_files" / "gone.png", (5, 5, 5))
    _png(new / "baseline" / "06_x_files" / "fresh.png", (5, 5, 5))
    assert (old / "baseline/06_x_files/retagged.png").read_bytes() != (
        new / "baseline/06_x_files/retagged.png").read_bytes()

    found = diff_reports(new, old)
    figures = found.figures.set_index("figure")
    assert figures["status"].to_dict() == {"fresh": "added", "gone": "removed",
                                           "moved": "changed"}
    assert figures.loc["gone", "new_png"] is None and figures.loc["fresh", "old_png"] is None
    assert "06_x · moved (changed)" in found.summary()


def test_changes_page_shows_changed_figures_side_by_side_offline(tmp_path, capsys):
    import re
    from unittest import mock

    old, new = tmp_path / "old", tmp_path / "new"
    for root, colour in ((old, (0, 0, 0)), (new, (255, 0, 0))):
        _write(root, "baseline", "06_x", {"a": 1.0}, _manifest())
        _png(root / "baseline" / "06_x_files" / "fan.png", colour)
    out = tmp_path / "meeting"
    out.mkdir()
    with mock.patch("permanent_research.config.paths") as fake:
        fake.return_value.reports = new
        assert main(["diff", str(old), "--html", str(out / "changes.html")]) == 0
    assert "fan (changed)" in capsys.readouterr().out
    page = (out / "changes.html").read_text()
    sources = re.findall(r'<img src="([^"]+)"', page)
    assert sources == ["changes_figures/baseline/06_x/fan.old.png",
                       "changes_figures/baseline/06_x/fan.new.png"]
    # relative links to copies beside the page: the originals are not linked
    for source in sources:
        assert (out / source).is_file() and not source.startswith(("/", "http"))
    assert (out / sources[0]).read_bytes() == (old / "baseline/06_x_files/fan.png").read_bytes()
    assert (out / sources[1]).read_bytes() == (new / "baseline/06_x_files/fan.png").read_bytes()


def test_previous_snapshot_keeps_the_figures(tmp_path):
    root = tmp_path / "reports"
    _write(root, "baseline", "06_x", {"a": 1.0}, _manifest())
    _png(root / "baseline" / "06_x_files" / "fan.png", (0, 0, 0))
    (root / "baseline" / "06_x_files" / "table.csv").write_text("a\n1\n")
    kept = snapshot_previous(root / "baseline", "06_x")
    assert sorted(p.name for p in kept) == ["06_x.headlines.json", "06_x.manifest.json",
                                            "fan.png"]
    # the report is replaced: the new figure differs, the kept one stays as it was
    (root / "baseline" / "06_x_files" / "fan.png").unlink()
    _png(root / "baseline" / "06_x_files" / "fan.png", (9, 9, 9))
    found = diff_reports(root)
    assert found.figures[["figure", "status"]].values.tolist() == [["fan", "changed"]]
    # a report kept before figures were snapshotted is not shown as all-new
    import shutil

    shutil.rmtree(root / "baseline" / ".previous" / "06_x_files")
    assert diff_reports(root).figures.empty


def test_runner_keeps_the_previous_figures_and_drops_older_ones(tmp_path):
    from permanent_research.reporting import runner

    final, staging = tmp_path / "reports" / "baseline", tmp_path / "staging"
    _write(final.parent, "baseline", "06_x", {"a": 1.0}, _manifest())
    _png(final / "06_x_files" / "fan.png", (0, 0, 0))
    _png(final / ".previous" / "06_x_files" / "older.png", (1, 1, 1))  # from the run before

    def commit(colour):
        staging.mkdir()
        for name in ("06_x.ipynb", "06_x.html", "06_x-noinput.html"):
            (staging / name).write_text("{}")
        _write(tmp_path / "s", "x", "06_x", {"a": 2.0}, _manifest())
        for suffix in (".headlines.json", ".manifest.json"):
            (tmp_path / "s" / "x" / f"06_x{suffix}").replace(staging / f"06_x{suffix}")
        _png(staging / "06_x_files" / "fan.png", colour)
        job = runner.Job(scenario="baseline", scenario_path="", scenario_description="",
                         stem="06_x", notebook="", notebooks_dir="", report_dir=str(final),
                         parameters={}, content_hash="h", inputs={}, git={}, versions={},
                         staging_dir=str(staging))
        runner._commit_files(job, {"status": "ok"})
        staging.rename(tmp_path / f"used-{len(list(tmp_path.glob('used-*')))}")

    commit((200, 0, 0))
    previous = final / ".previous" / "06_x_files"
    assert sorted(p.name for p in previous.iterdir()) == ["fan.png"]  # older.png dropped
    found = diff_reports(final.parent)
    assert found.figures[["figure", "status"]].values.tolist() == [["fan", "changed"]]
    commit((200, 0, 0))  # the same figure again: nothing changed since the previous run
    assert diff_reports(final.parent).figures.empty


def test_same_pixels_compressed_differently_are_the_same_figure(tmp_path):
    from PIL import Image

    from permanent_research.reporting.diff import _same_image

    image = Image.new("RGB", (40, 30), (10, 20, 30))
    image.paste((250, 0, 0), (5, 5, 20, 20))
    fast, small = tmp_path / "fast.png", tmp_path / "small.png"
    image.save(fast, compress_level=1)
    image.save(small, compress_level=9, optimize=True)
    assert fast.read_bytes() != small.read_bytes()
    assert _same_image(fast, small)
    image.putpixel((0, 0), (0, 0, 0))  # one pixel moved: a different figure
    image.save(small, compress_level=9)
    assert not _same_image(fast, small)
    (tmp_path / "broken.png").write_bytes(b"not a png")
    assert not _same_image(fast, tmp_path / "broken.png")

