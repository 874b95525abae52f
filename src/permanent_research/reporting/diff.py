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
"""

from __future__ import annotations

import math
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
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
    "diff_reports",
    "render_changes",
]

PREVIOUS = ".previous"
#: The parts of a report's content hash a supervisor can act on, in the order shown.
HASH_PARTS = ("notebook", "parameters", "scenario", "data", "package code")
_COLUMNS = ["scenario", "notebook", "name", "label", "unit", "old", "new", "change",
            "status", "why"]


def snapshot_previous(report_dir: Path | str, stem: str) -> list[Path]:
    """Keep the current headline and manifest files of a report before they are replaced.

    The runner calls this just before it moves a new successful report into place, so that
    ``permanent-research diff`` can compare the new run with the one before it.

    Parameters
    ----------
    report_dir
        ``reports/<scenario>/``.
    stem
        Notebook stem (``06_permanent_vs_temporary``).

    Returns
    -------
    list of Path
        The files written into ``<report_dir>/.previous/`` (empty when there was no report yet).
    """
    folder = Path(report_dir)
    kept: list[Path] = []
    for suffix in (".headlines.json", ".manifest.json"):
        source = folder / f"{stem}{suffix}"
        if source.is_file():
            target = folder / PREVIOUS / source.name
            target.parent.mkdir(parents=True, exist_ok=True)
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
    """

    table: pd.DataFrame
    old_label: str
    new_label: str

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
            old = "—" if row.old is None else _fmt(row.old)
            new = "—" if row.new is None else _fmt(row.new)
            unit = f" {row.unit}" if row.unit else ""
            why = f" (changed: {row.why})" if row.why else ""
            lines.append(f"  [{row.scenario}] {row.notebook} · {row.label}: "
                         f"{old} → {new}{unit}{why}")
        return "\n".join(lines)


def _fmt(value: Any) -> str:
    number = _number(value)
    if number is None:
        return str(value)
    if number.is_integer():
        return f"{int(number):,}"
    return f"{number:,.4g}" if abs(number) < 1000 else f"{number:,.0f}"


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
    return ReportDiff(table=table, old_label=old_label, new_label=str(new_root))


def render_changes(diff: ReportDiff) -> str:
    """The "Changes" page: a standalone HTML page of what moved and why."""
    from permanent_research.reporting.render import render_template

    changed = diff.changed
    rows = [
        {
            "scenario": row.scenario,
            "notebook": row.notebook,
            "label": row.label,
            "unit": row.unit,
            "old": "—" if row.old is None else _fmt(row.old),
            "new": "—" if row.new is None else _fmt(row.new),
            "change": "" if row.change is None or pd.isna(row.change) else _fmt(row.change),
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
    )
