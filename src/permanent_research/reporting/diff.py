"""What changed between two runs of the reports: headline old → new, and why.

A supervisor's first question at each meeting is "what moved since last time, and why?". This
module answers it from files the runner already writes: ``<stem>.headlines.json`` (the numbers)
and ``<stem>.manifest.json`` (what they were computed from). The reports folder is not committed
to git, so the two sides of a comparison are

* the **previous run**: before the runner replaces a report it calls
  :func:`snapshot_previous`, which copies the old headline and manifest files into
  ``reports/<scenario>/.previous/``;
* or **another reports folder** (a copy kept from an earlier meeting, a colleague's run).

For each headline the comparison says which parts of the report's inputs differ — notebook,
parameters, scenario file, data, package code — read from the two manifests, so a moved number
comes with its reason.

Figures are compared too: the snapshot keeps the previous run's exported PNGs
(``.previous/<stem>_files/*.png``), and a figure counts as changed when its *image* differs
(same bytes, or else the same decoded pixels, count as unchanged, so a re-encoded but identical
image is not news). The Changes page shows each changed figure old and new side by side.
"""

from __future__ import annotations

import math
import os
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from permanent_research.errors import ParameterError
from permanent_research.reporting.manifest import read_json
from permanent_research.results import Result

__all__ = [
    "PREVIOUS",
    "HASH_PARTS",
    "ReportDiff",
    "snapshot_previous",
    "read_reports",
    "changed_parts",
    "diff_figures",
    "diff_reports",
    "copy_changed_figures",
    "render_changes",
    "write_changes",
]

PREVIOUS = ".previous"
#: The parts of a report's content hash a supervisor can act on, in the order shown.
HASH_PARTS = ("notebook", "parameters", "scenario", "data", "package code")
_COLUMNS = ["scenario", "notebook", "name", "label", "unit", "old", "new", "change",
            "status", "why"]
_FIGURE_COLUMNS = ["scenario", "notebook", "figure", "status", "old_png", "new_png"]


def snapshot_previous(
    report_dir: Path | str, stem: str, *, into: Path | str | None = None
) -> list[Path]:
    """Keep the current headline, manifest and figure files of a report before they are replaced.

    The runner calls this just before it moves a new successful report into place (into its
    staging folder, moved to ``.previous/`` once the new report is in place), so that
    ``permanent-research diff`` and the Changes page can compare the new run with the one
    before it.

    Parameters
    ----------
    report_dir
        ``reports/<scenario>/``.
    stem
        Notebook stem (``06_permanent_vs_temporary``).
    into
        Where to keep the files; default ``<report_dir>/.previous/``. The figures go to
        ``<into>/<stem>_files/`` (PNG only: that is what the Changes page shows).

    Returns
    -------
    list of Path
        The files written (empty when there was no report yet).
    """
    folder = Path(report_dir)
    target_dir = Path(into) if into is not None else folder / PREVIOUS
    kept: list[Path] = []
    for suffix in (".headlines.json", ".manifest.json"):
        source = folder / f"{stem}{suffix}"
        if source.is_file():
            target_dir.mkdir(parents=True, exist_ok=True)
            target = target_dir / source.name
            shutil.copy2(source, target)
            kept.append(target)
    figures = sorted((folder / f"{stem}_files").glob("*.png"))
    if kept:
        # the previous figures replace the ones kept from the run before, even by none
        shutil.rmtree(target_dir / f"{stem}_files", ignore_errors=True)
    for source in figures if kept else ():
        target = target_dir / f"{stem}_files" / source.name
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            # the original is about to be replaced, not edited: a hard link costs nothing
            os.link(source, target)
        except OSError:
            shutil.copy2(source, target)
        kept.append(target)
    return kept


def _read_folder(folder: Path) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    found: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
    for path in sorted(folder.glob("*.headlines.json")):
        stem = path.name[: -len(".headlines.json")]
        headlines = read_json(path)
        manifest = read_json(folder / f"{stem}.manifest.json")
        if isinstance(headlines, dict):
            found[stem] = (headlines, manifest if isinstance(manifest, dict) else {})
    return found


def read_reports(
    root: Path | str, *, previous: bool = False
) -> dict[tuple[str, str], tuple[dict[str, Any], dict[str, Any]]]:
    """Headlines and manifests of every report under a reports folder.

    Parameters
    ----------
    root
        A reports folder (``reports/``, with one sub-folder per scenario).
    previous
        Read the previous-run snapshots (``<scenario>/.previous/``) instead of the reports.

    Returns
    -------
    dict
        ``{(scenario, stem): (headlines, manifest)}``; empty when nothing was found.
    """
    root = Path(root)
    found: dict[tuple[str, str], tuple[dict[str, Any], dict[str, Any]]] = {}
    if not root.is_dir():
        return found
    for scenario in sorted(p for p in root.iterdir() if p.is_dir()):
        if scenario.name.startswith("."):
            continue
        folder = scenario / PREVIOUS if previous else scenario
        for stem, pair in _read_folder(folder).items():
            found[(scenario.name, stem)] = pair
    return found


def _package_part(manifest: Mapping[str, Any]) -> Any:
    inputs = manifest.get("inputs") or {}
    # The package digest is in newer manifests; older ones only have the commit (a coarser proxy).
    if "package" in inputs:
        return inputs["package"]
    return ((manifest.get("git") or {}).get("commit"), (manifest.get("git") or {}).get("dirty"))


def changed_parts(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """Which parts of a report's inputs differ between two manifests.

    Returns
    -------
    list of str
        A subset of :data:`HASH_PARTS`, in that order; ``["unknown"]`` when a manifest is missing.
    """
    if not old or not new:
        return ["unknown"]
    old_in, new_in = old.get("inputs") or {}, new.get("inputs") or {}
    pairs = {
        "notebook": (old_in.get("notebook_sha256"), new_in.get("notebook_sha256")),
        "parameters": (old.get("parameters"), new.get("parameters")),
        "scenario": (
            (old.get("scenario_file"), old_in.get("scenario_sha256")),
            (new.get("scenario_file"), new_in.get("scenario_sha256")),
        ),
        "data": (old_in.get("data"), new_in.get("data")),
        "package code": (_package_part(old), _package_part(new)),
    }
    return [part for part in HASH_PARTS if pairs[part][0] != pairs[part][1]]


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


@dataclass(frozen=True)
class ReportDiff(Result):
    """Headline numbers old → new between two runs, with the reason each report changed.

    Attributes
    ----------
    table
        One row per headline: ``scenario, notebook, name, label, unit, old, new, change`` (new −
        old, in the headline's unit), ``status`` (``changed``, ``unchanged``, ``added``,
        ``removed``) and ``why`` (changed input parts, comma-separated).
    old_label, new_label
        What the two sides are (folder paths, or "previous run").
    figures
        One row per exported figure whose image changed, was added or was removed in a report
        present on both sides: ``scenario, notebook, figure`` (export name), ``status``,
        ``old_png`` and ``new_png`` (paths, ``None`` on the side without it); see
        :func:`diff_figures`.
    """

    table: pd.DataFrame
    old_label: str
    new_label: str
    figures: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=_FIGURE_COLUMNS))

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    @property
    def changed(self) -> pd.DataFrame:
        """Only the rows whose value changed, was added or was removed."""
        return self.table[self.table["status"] != "unchanged"]

    def summary(self) -> str:
        counts = self.table["status"].value_counts()
        lines = [
            f"Headlines: {self.old_label} → {self.new_label}: "
            + ", ".join(f"{counts.get(s, 0)} {s}" for s in ("changed", "added", "removed",
                                                             "unchanged"))
        ]
        for row in self.changed.itertuples(index=False):
            old = "—" if row.old is None else format_number(row.old)
            new = "—" if row.new is None else format_number(row.new)
            unit = f" {row.unit}" if row.unit else ""
            why = f" (changed: {row.why})" if row.why else ""
            lines.append(f"  [{row.scenario}] {row.notebook} · {row.label}: "
                         f"{old} → {new}{unit}{why}")
        if len(self.figures):
            lines.append(f"Figures: {len(self.figures)} changed, added or removed")
            lines += [f"  [{row.scenario}] {row.notebook} · {row.figure} ({row.status})"
                      for row in self.figures.itertuples(index=False)]
        return "\n".join(lines)


def format_number(value: Any) -> str:
    """A headline value for the Changes page: integers with separators, else 4 significant
    digits below 1,000 and whole numbers above; text as it is."""
    number = _number(value)
    if number is None:
        return str(value)
    if number.is_integer():
        return f"{int(number):,}"
    return f"{number:,.4g}" if abs(number) < 1000 else f"{number:,.0f}"


def _png_parts(data: bytes) -> tuple[bytes, bytes] | None:
    """The header (IHDR) and the compressed image data (IDAT chunks) of a PNG; ``None`` if
    ``data`` is not a well-formed PNG. Text chunks (software, dates) are left out."""
    import struct

    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        return None
    header, image, position = b"", [], 8
    while position + 8 <= len(data):
        (length,) = struct.unpack(">I", data[position:position + 4])
        kind = data[position + 4:position + 8]
        body = data[position + 8:position + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            image.append(body)
        position += 12 + length
    return (header, b"".join(image)) if header else None


def _same_image(old: Path, new: Path) -> bool:
    """Whether two PNG files show the same picture.

    From cheap to dear: equal bytes; a different size or colour mode (the header) means a
    different picture; equal compressed image data means the same one (only metadata such as
    the software tag differs); otherwise both are decoded and their pixels compared (the same
    pixels can be compressed differently by another library version).
    """
    old_bytes, new_bytes = old.read_bytes(), new.read_bytes()
    if old_bytes == new_bytes:
        return True
    old_parts, new_parts = _png_parts(old_bytes), _png_parts(new_bytes)
    if old_parts is None or new_parts is None:
        return False  # unreadable on one side: show it as changed rather than hide it
    if old_parts[0] != new_parts[0]:
        return False
    if old_parts[1] == new_parts[1]:
        return True
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(old) as first, Image.open(new) as second:
            return first.tobytes() == second.tobytes()
    except (OSError, UnidentifiedImageError):
        return False


def _figure_folder(root: Path, scenario: str, stem: str, previous: bool) -> Path:
    folder = root / scenario / PREVIOUS if previous else root / scenario
    return folder / f"{stem}_files"


def diff_figures(
    new: Path | str,
    old: Path | str | None = None,
    *,
    reports: Sequence[tuple[str, str]] | None = None,
) -> pd.DataFrame:
    """The exported figures (PNG) whose image changed between two runs of the reports.

    Parameters
    ----------
    new
        Reports folder of the newer run.
    old
        Reports folder of the older run; default: the previous-run snapshots kept in ``new``
        (``<scenario>/.previous/<stem>_files/``).
    reports
        ``(scenario, stem)`` of the reports to compare; default: every report of ``new``. A
        report whose old side kept no figure folder (no earlier run, or a snapshot from before
        figures were kept) is left out rather than shown as all-new.

    Returns
    -------
    DataFrame
        ``scenario, notebook, figure, status, old_png, new_png``; ``status`` is ``changed``,
        ``added`` or ``removed``; unchanged figures are not listed.
    """
    new_root = Path(new)
    old_root = Path(old) if old is not None else new_root
    previous = old is None
    if reports is None:
        reports = sorted(read_reports(new_root))
    rows: list[dict[str, Any]] = []
    for scenario, stem in reports:
        before = _figure_folder(old_root, scenario, stem, previous)
        if not before.is_dir():
            continue
        after = _figure_folder(new_root, scenario, stem, False)
        old_pngs = {p.stem: p for p in before.glob("*.png")}
        new_pngs = {p.stem: p for p in after.glob("*.png")} if after.is_dir() else {}
        for name in sorted(set(old_pngs) | set(new_pngs)):
            a, b = old_pngs.get(name), new_pngs.get(name)
            if a is not None and b is not None:
                if _same_image(a, b):
                    continue
                status = "changed"
            else:
                status = "added" if a is None else "removed"
            rows.append({"scenario": scenario, "notebook": stem, "figure": name,
                         "status": status, "old_png": a, "new_png": b})
    return pd.DataFrame(rows, columns=_FIGURE_COLUMNS)


def diff_reports(
    new: Path | str | None = None, old: Path | str | None = None
) -> ReportDiff:
    """Compare the headlines of two runs of the reports.

    Parameters
    ----------
    new
        Reports folder of the newer run; default: the project's ``reports/``.
    old
        Reports folder of the older run; default: the previous-run snapshots kept in ``new``.

    Raises
    ------
    ParameterError
        One side has no report: names the folder and the files looked for.
    """
    from permanent_research.config import paths

    new_root = Path(new) if new is not None else paths().reports
    current = read_reports(new_root)
    if not current:
        raise ParameterError(
            f"no reports in {new_root}: looked for <scenario>/*.headlines.json "
            "(run `permanent-research run` first)"
        )
    if old is None:
        before = read_reports(new_root, previous=True)
        old_label, where = "previous run", f"{new_root}/<scenario>/{PREVIOUS}/*.headlines.json"
    else:
        before = read_reports(Path(old))
        old_label, where = str(old), f"{old}/<scenario>/*.headlines.json"
    if not before:
        raise ParameterError(f"no reports to compare with: looked for {where}")

    rows: list[dict[str, Any]] = []
    for key in sorted(set(current) | set(before)):
        scenario, stem = key
        new_heads, new_manifest = current.get(key, ({}, {}))
        old_heads, old_manifest = before.get(key, ({}, {}))
        both = key in current and key in before
        why = ", ".join(changed_parts(old_manifest, new_manifest)) if both else ""
        for name in list(dict.fromkeys([*new_heads, *old_heads])):
            record = new_heads.get(name) or old_heads.get(name) or {}
            old_value = (old_heads.get(name) or {}).get("value")
            new_value = (new_heads.get(name) or {}).get("value")
            a, b = _number(old_value), _number(new_value)
            if name not in old_heads:
                status = "added"
            elif name not in new_heads:
                status = "removed"
            elif old_value == new_value:
                status = "unchanged"
            else:
                status = "changed"
            rows.append({
                "scenario": scenario,
                "notebook": stem,
                "name": name,
                "label": record.get("label") or name.replace("_", " "),
                "unit": record.get("unit") or "",
                "old": old_value,
                "new": new_value,
                "change": (b - a) if a is not None and b is not None else None,
                "status": status,
                "why": why if status != "unchanged" else "",
            })
    table = pd.DataFrame(rows, columns=_COLUMNS)
    figures = diff_figures(new_root, old, reports=sorted(set(current) & set(before)))
    return ReportDiff(table=table, old_label=old_label, new_label=str(new_root),
                      figures=figures)


def copy_changed_figures(diff: ReportDiff, folder: Path | str) -> list[dict[str, Any]]:
    """Copy the old and new PNG of every changed figure into ``folder``, for a page to show.

    Files go to ``<folder>/<scenario>/<stem>/<figure>.old.png`` and ``.new.png`` (one side
    only for an added or removed figure), so the page links them relatively and works offline.

    Returns
    -------
    list of dict
        One per figure: ``scenario, notebook, figure, status`` and ``old``/``new``, the copied
        files' paths relative to ``folder`` with ``/`` separators (``None`` for a missing side).
    """
    folder = Path(folder)
    pairs: list[dict[str, Any]] = []
    for row in diff.figures.itertuples(index=False):
        entry: dict[str, Any] = {"scenario": row.scenario, "notebook": row.notebook,
                                 "figure": row.figure, "status": row.status}
        for side, source in (("old", row.old_png), ("new", row.new_png)):
            if source is None or pd.isna(source):
                entry[side] = None
                continue
            relative = f"{row.scenario}/{row.notebook}/{row.figure}.{side}.png"
            (folder / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, folder / relative)
            entry[side] = relative
        pairs.append(entry)
    return pairs


def render_changes(diff: ReportDiff, *, figures: Sequence[Mapping[str, Any]] = ()) -> str:
    """The "Changes" page: a standalone HTML page of what moved and why.

    Parameters
    ----------
    diff
        :func:`diff_reports`.
    figures
        The changed figures to show old and new side by side, as :func:`copy_changed_figures`
        returns them (``old``/``new`` are links relative to the page). Without them the page
        names the changed figures only.
    """
    from permanent_research.reporting.render import render_template

    changed = diff.changed
    rows = [
        {
            "scenario": row.scenario,
            "notebook": row.notebook,
            "label": row.label,
            "unit": row.unit,
            "old": "—" if row.old is None else format_number(row.old),
            "new": "—" if row.new is None else format_number(row.new),
            "change": ("" if row.change is None or pd.isna(row.change)
                       else format_number(row.change)),
            "status": row.status,
            "why": row.why,
        }
        for row in changed.itertuples(index=False)
    ]
    counts = diff.table["status"].value_counts()
    return render_template(
        "changes.html.j2",
        rows=rows,
        old=diff.old_label,
        new=diff.new_label,
        counts={s: int(counts.get(s, 0)) for s in ("changed", "added", "removed", "unchanged")},
        figures=list(figures) or [
            {"scenario": r.scenario, "notebook": r.notebook, "figure": r.figure,
             "status": r.status, "old": None, "new": None}
            for r in diff.figures.itertuples(index=False)],
        linked=bool(figures),
    )


def write_changes(diff: ReportDiff, page: Path | str) -> Path:
    """Write the Changes page to ``page``, its figures into ``<page stem>_figures/`` beside it.

    The page links the copied images relatively, so the page and its folder can be moved or
    opened offline together.
    """
    from permanent_research._files import write_text_atomic

    page = Path(page)
    folder_name = f"{page.stem}_figures"
    shutil.rmtree(page.parent / folder_name, ignore_errors=True)
    pairs = copy_changed_figures(diff, page.parent / folder_name)
    for pair in pairs:
        for side in ("old", "new"):
            if pair[side] is not None:
                pair[side] = f"{folder_name}/{pair[side]}"
    write_text_atomic(page, render_changes(diff, figures=pairs))
    return page
