"""present.show: one call displays a figure or table and writes its exports to the folder the
run context names; nothing is written outside a report run; reruns are byte-identical."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from permanent_research.errors import ParameterError  # noqa: E402
from permanent_research.plots import new_figure  # noqa: E402
from permanent_research.reporting import present  # noqa: E402
from permanent_research.reporting.headlines import save_figure, save_table  # noqa: E402


def a_figure():
    figure, axes = new_figure(width=4, height=3)
    axes.plot([2015, 2020, 2024], [100, 112.5, 131.25], label="index")
    axes.set_title("A rising index")
    axes.legend()
    return figure


TABLE = pd.DataFrame({"year": [2015, 2024], "value": [100.0, 131.123456]})


@pytest.fixture(autouse=True)
def no_run_context(monkeypatch):
    monkeypatch.delenv(present.ENV_EXPORT_DIR, raising=False)


def test_outside_a_report_run_shows_and_writes_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    figure = a_figure()
    present.show(figure, "index")
    present.show(TABLE, "table", caption="A table")
    assert list(tmp_path.iterdir()) == []
    assert not plt.fignum_exists(figure.number)
    out = capsys.readouterr().out
    assert "Image" in out and "131" in out  # displayed (plain-text fallback outside IPython)


def test_figure_exports_png_at_300_dpi_and_pdf(tmp_path):
    figure = a_figure()
    with present.export_context(tmp_path / "exports"):
        present.show(figure, "index", source="Source: a test")
    png, pdf = tmp_path / "exports" / "index.png", tmp_path / "exports" / "index.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    with Image.open(png) as image:
        dpi = image.info["dpi"]
        width, height = image.size
    assert round(dpi[0]) == 300
    # a 4 x 3 inch figure, cropped to its tight box (the source note adds a little below)
    assert 2.5 * 300 < width < 4.6 * 300 and 2.0 * 300 < height < 3.8 * 300
    assert not plt.fignum_exists(figure.number)
    assert present.ENV_EXPORT_DIR not in __import__("os").environ


def test_reruns_write_byte_identical_files(tmp_path):
    for run in ("a", "b"):
        with present.export_context(tmp_path / run):
            present.show(a_figure(), "index")
            present.show(TABLE, "table", caption="A table")
    for name in ("index.png", "index.pdf", "table.csv", "table.tex"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    assert b"CreationDate" not in (tmp_path / "a" / "index.pdf").read_bytes()


def test_table_exports_full_precision_and_displays_the_shown_version(tmp_path, capsys):
    shown = TABLE.rename(columns={"value": "Index (2015 = 100)"}).round(0)
    with present.export_context(tmp_path):
        present.show(TABLE, "table", caption="Index & more", shown=shown, float_format="{:.1f}")
    csv = pd.read_csv(tmp_path / "table.csv")
    assert csv["value"].iloc[1] == pytest.approx(131.123456)
    tex = (tmp_path / "table.tex").read_text()
    assert "\\caption{Index \\& more}" in tex and "\\label{tab:table}" in tex and "131.1" in tex
    out = capsys.readouterr().out
    assert "Index (2015 = 100)" in out and "131.123456" not in out


def test_styler_exports_its_data(tmp_path):
    with present.export_context(tmp_path):
        present.show(TABLE.style.format(precision=0), "styled")
    assert pd.read_csv(tmp_path / "styled.csv").equals(TABLE)


def test_export_without_display(tmp_path, capsys):
    with present.export_context(tmp_path):
        written = present.export(TABLE, "quiet")
    assert [p.name for p in written] == ["quiet.csv", "quiet.tex"]
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("name", ["", "../up", "a/b", ".hidden"])
def test_export_name_must_be_a_plain_stem(tmp_path, name):
    with present.export_context(tmp_path), pytest.raises(ParameterError, match="plain file"):
        present.show(TABLE, name)
    assert list(tmp_path.iterdir()) == []


def test_unsupported_object_is_a_one_line_error():
    with pytest.raises(ParameterError, match="cannot show int 'n'.*Figure"):
        present.show(3, "n")


def test_the_export_folder_is_run_context_not_a_parameter(tmp_path, monkeypatch):
    monkeypatch.delenv(present.ENV_EXPORT_DIR, raising=False)
    assert present.export_folder() is None
    with present.export_context(tmp_path / "exports"):
        assert present.export_folder() == tmp_path / "exports"
    assert present.export_folder() is None


def test_compatibility_helpers_write_the_same_files(tmp_path):
    with present.export_context(tmp_path / "new"):
        present.export(TABLE, "table", caption="c")
        present.export(a_figure(), "index")
    save_table(TABLE, "table", tmp_path / "old", caption="c")
    save_figure(a_figure(), "index", tmp_path / "old")
    for name in ("table.csv", "table.tex", "index.png", "index.pdf"):
        assert (tmp_path / "new" / name).read_bytes() == (tmp_path / "old" / name).read_bytes()
    assert save_table(TABLE, "t", "") == [] and save_figure(a_figure(), "f", None) == []
    plt.close("all")


def test_latex_caption_is_escaped(tmp_path):
    with present.export_context(tmp_path):
        present.export(TABLE, "t", caption="Change (%) of huizen_23 & co, 2010--2024")
    tex = (tmp_path / "t.tex").read_text()
    assert r"\caption{Change (\%) of huizen\_23 \& co, 2010--2024}" in tex


def test_display_caption_differs_from_the_latex_caption(tmp_path, capsys):
    with present.export_context(tmp_path):
        present.show(TABLE, "t", caption="For LaTeX", display_caption="For readers")
    assert "For LaTeX" in (tmp_path / "t.tex").read_text()
    out = capsys.readouterr().out
    assert "For readers" in out and "For LaTeX" not in out


def test_png_has_no_version_tag_and_two_processes_render_identical_bytes(tmp_path):
    import subprocess
    import sys

    script = (
        "import sys, matplotlib; matplotlib.use('Agg')\n"
        "from pathlib import Path\n"
        "from permanent_research.plots import new_figure\n"
        "from permanent_research.reporting.present import export_context, show\n"
        "figure, ax = new_figure(width=4, height=3)\n"
        "ax.plot([2015, 2020, 2024], [100, 112.5, 131.25]); ax.set_title('A rising index')\n"
        "with export_context(Path(sys.argv[1])):\n"
        "    show(figure, 'index', source='Source: a test')\n"
    )
    for run in ("a", "b"):
        subprocess.run([sys.executable, "-c", script, str(tmp_path / run)], check=True,
                       capture_output=True)
    first, second = (tmp_path / "a" / "index.png"), (tmp_path / "b" / "index.png")
    assert first.read_bytes() == second.read_bytes()
    with Image.open(first) as image:
        assert "Software" not in image.info  # "Matplotlib version3.x" would change on upgrade
    assert b"Matplotlib" not in first.read_bytes()


def test_a_shown_styler_gets_table_ids_from_its_data_not_at_random(tmp_path):
    # two Stylers of the same table get different random ids ...
    assert TABLE.style.to_html() != TABLE.style.to_html()
    first, second = TABLE.style.format(precision=1), TABLE.style.format(precision=1)
    with present.export_context(tmp_path):
        present.show(TABLE, "table", shown=first)
        present.show(TABLE, "table", shown=second)
    # ... but not once shown: a rerun writes the same HTML
    assert first.to_html() == second.to_html()
    other = TABLE.style.format(precision=1)
    present.show(TABLE, "another_table", shown=other)
    assert other.to_html() != first.to_html()  # two tables of one page keep distinct ids


def test_show_records_the_label_check_of_each_exported_figure(tmp_path):
    from permanent_research.reporting.figcheck import read_checks

    crowded = a_figure()
    crowded.axes[0].text(2018, 110, "a note")
    crowded.axes[0].text(2018, 110, "a note, again")
    with present.export_context(tmp_path):
        present.show(a_figure(), "clean")
        present.show(crowded, "crowded")
    checks = read_checks(tmp_path)
    assert checks["clean"] == []
    assert [(p["kind"], p["texts"]) for p in checks["crowded"]] == [
        ("overlap", ["a note", "a note, again"])]
