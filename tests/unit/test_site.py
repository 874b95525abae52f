"""The static site: built from executed notebooks without executing them, offline."""

from __future__ import annotations

import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from permanent_research.reporting.site import build_site


def _report(root, scenario, stem, marker):
    folder = root / scenario
    folder.mkdir(parents=True, exist_ok=True)
    cell = new_code_cell("raise SystemExit('must not run')",
                         outputs=[new_output("stream", name="stdout", text=f"{marker}\n")])
    node = new_notebook(cells=[new_markdown_cell(f"# Report {stem}"), cell])
    nbformat.write(node, folder / f"{stem}.ipynb")
    exports = folder / f"{stem}_files"
    exports.mkdir()
    (exports / "table.csv").write_text("a,b\n1,2\n")
    (exports / "figure_labels.json").write_text("{}\n")  # the label check: not a download


@pytest.mark.slow
def test_site_builds_from_outputs_lists_missing_and_skips_when_unchanged(tmp_path):
    root = tmp_path / "reports"
    _report(root, "baseline", "08_synthesis", "synthesis-output-xyz")
    _report(root, "baseline", "02_rents", "rents-output-abc")
    (root / "pessimistic").mkdir()
    (root / "pessimistic" / "06_x.failed.json").write_text(json.dumps({"status": "failed"}))

    result = build_site(root)
    assert result.exit_code == 1 and result.missing == ("pessimistic/06_x",)
    landing = (root / "site" / "index.html").read_text()
    assert "pessimistic/06_x" in landing and "08_synthesis" in landing
    page = (root / "site" / "baseline" / "08_synthesis.html").read_text()
    assert "synthesis-output-xyz" in page            # outputs shown, not re-executed
    assert "hide-input" in page or "<details" in page  # code folded
    assert "table.csv" in page                        # downloads linked
    assert "figure_labels.json" not in page
    assert 'src="http' not in page                    # offline
    assert (root / "site" / "search.html").is_file()

    again = build_site(root)
    assert again.skipped


@pytest.mark.slow
def test_changes_page_shows_changed_figures_side_by_side(tmp_path):
    import re

    from PIL import Image

    from permanent_research.reporting.diff import snapshot_previous

    root = tmp_path / "reports"
    _report(root, "baseline", "08_synthesis", "synthesis")
    folder = root / "baseline"
    exports = folder / "08_synthesis_files"
    for name, colour in (("answer", (0, 0, 0)), ("steady", (9, 9, 9))):
        Image.new("RGB", (20, 10), colour).save(exports / f"{name}.png")
    heads = {"gap": {"name": "gap", "value": 1.0, "unit": "EUR", "label": "Gap"}}
    (folder / "08_synthesis.headlines.json").write_text(json.dumps(heads))
    (folder / "08_synthesis.manifest.json").write_text(json.dumps({"inputs": {}}))
    snapshot_previous(folder, "08_synthesis")
    (exports / "answer.png").unlink()  # the new run draws a different answer figure
    Image.new("RGB", (20, 10), (200, 0, 0)).save(exports / "answer.png")

    build_site(root)
    site = root / "site"
    page = (site / "changes.html").read_text()
    assert "08_synthesis · answer" in page and "steady" not in page
    sources = re.findall(r'<img[^>]*src="([^"]+)"', page)
    pictures = [s for s in sources if "answer" in s]
    assert len(pictures) == 2 and not any(s.startswith(("/", "http", "file:")) for s in sources)
    colours = set()
    for source in pictures:
        with Image.open(site / source) as image:  # copied into the site, linked relatively
            colours.add(image.getpixel((0, 0)))
    assert colours == {(0, 0, 0), (200, 0, 0)}  # the old and the new image, side by side
    assert page.index("Previous") < page.index("Now")
