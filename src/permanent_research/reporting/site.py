"""A browsable static site from the executed notebooks in ``reports/``, never re-executed.

Sphinx with ``myst-nb`` (execution off) and the book theme: navigation across notebooks ×
scenarios, full-text search, code folded by default (``hide-input``), the synthesis as the landing
page, each report's downloads (PNG/PDF/CSV/LaTeX) linked at its end, a "Changes" page from
:mod:`~permanent_research.reporting.diff`. Everything is local files: it opens from the file
system and works offline.

The build copies the executed notebooks into ``reports/.site_src/`` and writes the site to
``reports/site/``; when nothing it reads changed (a digest of the inputs is kept next to the
site), it does nothing.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from permanent_research.reporting.figcheck import CHECK_FILE

if TYPE_CHECKING:
    from permanent_research.reporting.diff import ReportDiff

__all__ = ["SiteResult", "build_site"]

SOURCE = ".site_src"
SITE = "site"
STAMP = ".inputs.sha256"
LANDING = "08_synthesis"
CHANGED_FIGURES = "changes_figures"
_CONF = '''\
project = "permanent-research reports"
extensions = ["myst_nb"]
nb_execution_mode = "off"
html_theme = "sphinx_book_theme"
html_title = "permanent-research reports"
html_theme_options = {"show_toc_level": 2, "use_download_button": False}
html_static_path = []
exclude_patterns = ["_build"]
suppress_warnings = ["mystnb.unknown_mime_type", "myst.header", "misc.highlighting_failure"]
myst_heading_anchors = 2
'''


@dataclass(frozen=True)
class SiteResult:
    """Outcome of :func:`build_site`.

    Attributes
    ----------
    index
        The landing page (``reports/site/index.html``).
    pages
        ``<scenario>/<stem>`` of every report put on the site.
    missing
        ``<scenario>/<stem>`` expected but without an executed notebook (listed on the landing
        page).
    skipped
        Nothing changed since the last build: the site was left as it was.
    """

    index: Path
    pages: tuple[str, ...] = ()
    missing: tuple[str, ...] = field(default=())
    skipped: bool = False

    @property
    def exit_code(self) -> int:
        return 1 if self.missing else 0

    def summary(self) -> str:
        text = ("site unchanged" if self.skipped
                else f"site: {len(self.pages)} report(s)") + f"; open {self.index}"
        if self.missing:
            text += f" — missing: {', '.join(self.missing)}"
        return text


def _reports(reports: Path) -> dict[str, list[Path]]:
    found: dict[str, list[Path]] = {}
    for folder in sorted(p for p in reports.iterdir() if p.is_dir()):
        if folder.name.startswith(".") or folder.name == SITE:
            continue
        notebooks = sorted(p for p in folder.glob("*.ipynb") if ".failed" not in p.name)
        if notebooks or list(folder.glob("*.failed.json")):
            found[folder.name] = notebooks
    return found


def _digest(paths: Sequence[Path], extra: str) -> str:
    digest = hashlib.sha256(extra.encode())
    for path in paths:
        stat = path.stat()
        digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _prepare_notebook(source: Path, target: Path, downloads: list[Path]) -> None:
    """Copy an executed notebook with its code folded and its downloads linked at the end."""
    import nbformat

    node = nbformat.read(source, as_version=4)
    for cell in node.cells:
        if cell.cell_type == "code":
            tags = list(cell.metadata.get("tags", []))
            if "hide-input" not in tags:
                cell.metadata["tags"] = [*tags, "hide-input"]
    if downloads:
        links = "\n".join(f"- {{download}}`{p.name} <{p.parent.name}/{p.name}>`"
                          for p in downloads)
        node.cells.append(nbformat.v4.new_markdown_cell(f"## Downloads\n\n{links}"))
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(node, target)


def _landing(scenarios: dict[str, list[Path]], missing: Sequence[str], changes: bool) -> str:
    lines = ["# permanent-research reports", ""]
    if (LANDING in {p.stem for p in scenarios.get("baseline", [])}):
        lines += ["The answer first: the [synthesis](baseline/08_synthesis.ipynb) "
                  "(baseline scenario).", ""]
    if missing:
        lines += ["```{warning}", "Reports missing from this site (no successful run): "
                  + ", ".join(f"`{m}`" for m in missing) + ".", "```", ""]
    for scenario, notebooks in scenarios.items():
        lines += ["```{toctree}", ":maxdepth: 1", f":caption: {scenario}", ""]
        ordered = sorted(notebooks, key=lambda p: (p.stem != LANDING, p.stem))
        lines += [f"{scenario}/{p.stem}" for p in ordered] + ["```", ""]
    if changes:
        lines += ["```{toctree}", ":maxdepth: 1", ":caption: Since the last run", "",
                  "changes", "```", ""]
    return "\n".join(lines)


def _changes_page(found: ReportDiff, source: Path) -> str:
    """The site's Changes page (MyST): headlines old → new, then changed figures side by side.

    Both images of each changed figure are copied into the site sources, so Sphinx copies them
    into the site and links them relatively: the page works offline.
    """
    from permanent_research.reporting.diff import copy_changed_figures, format_number

    table = found.changed

    def cell(value) -> str:
        text = "—" if value is None or (isinstance(value, float) and value != value) else (
            format_number(value))
        return text.replace("|", "\\|")

    rows = "\n".join(
        f"| {r.scenario} | {r.notebook} | {cell(r.label)} | {cell(r.old)} | {cell(r.new)} "
        f"| {r.why} |" for r in table.itertuples(index=False))
    body = (f"# What changed since the previous run\n\n{len(table)} headline number(s) "
            "changed, were added or removed.\n\n"
            "| Scenario | Report | Number | Old | New | Inputs changed |\n"
            "|---|---|---|---|---|---|\n" + rows + "\n")
    pairs = copy_changed_figures(found, source / CHANGED_FIGURES)
    body += (f"\n## Figures\n\n{len(pairs)} exported figure(s) changed, were added or were "
             "removed (compared by their image).\n")
    for pair in pairs:
        status = "" if pair["status"] == "changed" else f" ({pair['status']})"
        sides = [f"![{pair['figure']}, {label}]({CHANGED_FIGURES}/{pair[side]})"
                 if pair[side] else f"(not in the {label.lower()} run)"
                 for side, label in (("old", "Previous"), ("new", "Now"))]
        body += (f"\n### {pair['scenario']} · {pair['notebook']} · {pair['figure']}{status}\n\n"
                 "| Previous | Now |\n|---|---|\n" + f"| {sides[0]} | {sides[1]} |\n")
    return body


def build_site(
    reports: Path | str | None = None,
    *,
    expected: Sequence[str] = (),
    force: bool = False,
) -> SiteResult:
    """Build ``reports/site/`` from the executed notebooks, without executing them.

    Parameters
    ----------
    reports
        The reports folder; default: the project's ``reports/``.
    expected
        ``<scenario>/<stem>`` reports that should be on the site; the ones without an executed
        notebook are listed as missing (the rest is built).
    force
        Rebuild even when nothing changed.
    """
    from permanent_research.config import paths
    from permanent_research.errors import ParameterError

    root = Path(reports) if reports is not None else paths().reports
    if not root.is_dir():
        raise ParameterError(f"no reports folder at {root}: run `permanent-research run` first")
    scenarios = _reports(root)
    present = {f"{s}/{p.stem}" for s, ps in scenarios.items() for p in ps}
    missing = tuple(sorted(set(expected) - present)) + tuple(sorted(
        f"{s}/{p.name[:-len('.failed.json')]}" for s in scenarios
        for p in (root / s).glob("*.failed.json")
        if f"{s}/{p.name[:-len('.failed.json')]}" not in present and s in scenarios))
    missing = tuple(dict.fromkeys(missing))
    out = root / SITE
    inputs = [p for ps in scenarios.values() for p in ps]
    inputs += sorted(f for s in scenarios for f in (root / s).glob("*_files/*"))
    inputs += sorted(f for s in scenarios for f in (root / s / ".previous").glob("*.json"))
    inputs += sorted(f for s in scenarios for f in (root / s / ".previous").glob("*_files/*"))
    stamp = _digest(inputs, json.dumps(missing) + _CONF)
    if not force and (out / STAMP).is_file() and (out / STAMP).read_text() == stamp:
        return SiteResult(index=out / "index.html", pages=tuple(sorted(present)),
                          missing=missing, skipped=True)

    source = root / SOURCE
    shutil.rmtree(source, ignore_errors=True)
    source.mkdir(parents=True)
    (source / "conf.py").write_text(_CONF, encoding="utf-8")
    for scenario, notebooks in scenarios.items():
        for notebook in notebooks:
            exports = root / scenario / f"{notebook.stem}_files"
            downloads = sorted(p for p in exports.glob("*")
                               if p.is_file() and p.name != CHECK_FILE)
            if downloads:
                shutil.copytree(exports, source / scenario / exports.name)
            _prepare_notebook(notebook, source / scenario / notebook.name, downloads)
    changes = False
    try:
        from permanent_research.reporting.diff import diff_reports

        found = diff_reports(root)
    except ParameterError:
        pass  # no previous run yet: no Changes page
    else:
        (source / "changes.md").write_text(_changes_page(found, source), encoding="utf-8")
        changes = True
    (source / "index.md").write_text(_landing(scenarios, missing, changes), encoding="utf-8")

    from sphinx.cmd.build import build_main

    status = build_main(["-b", "html", "-q", "-d", str(root / SOURCE / "_doctrees"),
                         str(source), str(out)])
    if status != 0:
        raise ParameterError(f"sphinx failed to build the site from {source} (status {status})")
    (out / STAMP).write_text(stamp, encoding="utf-8")
    return SiteResult(index=out / "index.html", pages=tuple(sorted(present)), missing=missing)
