"""``reports/index.html``: one page linking every report with its status, date and headlines.

The page is rebuilt from the files in ``reports/<scenario>/`` after every run: a report's status
is the outcome of its last run, ``ok`` when its ``<stem>.manifest.json`` is newer than any
``<stem>.failed.json`` (a later success or a skip as unchanged removes that file), ``failed``
otherwise, and the statuses of the run
that just finished (including ``skipped-unchanged``) override those inferred from the files.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from permanent_research.reporting.manifest import read_json, write_text_atomic
from permanent_research.reporting.scenario_files import BASELINE

__all__ = ["collect_rows", "write_index", "read_report_headlines"]

STAGING = ".staging"


def _date(text: str | None) -> str | None:
    if not text:
        return None
    try:
        return _dt.datetime.fromisoformat(text).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return text


def _shown(record: Mapping[str, Any]) -> str:
    value = record.get("value")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:,}" if record.get("thousands", True) else f"{value}"
    return str(value)


def _headlines(path: Path) -> list[dict[str, Any]]:
    records = read_json(path) or {}
    if not isinstance(records, dict):
        return []
    return [
        {
            "name": name,
            "label": record.get("label") or "",
            "shown": _shown(record),
            "unit": record.get("unit") or "",
            "status": record.get("status") or "",
        }
        for name, record in records.items()
        if isinstance(record, dict)
    ]


def _started(record: Mapping[str, Any] | None) -> _dt.datetime | None:
    try:
        return _dt.datetime.fromisoformat(str((record or {}).get("started")))
    except (TypeError, ValueError):
        return None


def _last_outcome(good: Any, failed: Any) -> str:
    """``ok`` or ``failed``: the outcome of the notebook's most recent run.

    A failure record older than the successful report (one a later success could not remove,
    e.g. on a read-only folder) does not make a fixed notebook look failed.
    """
    if not isinstance(failed, dict):
        return "ok"
    if not isinstance(good, dict):
        return "failed"
    when_good, when_failed = _started(good), _started(failed)
    if when_good is not None and when_failed is not None and when_good > when_failed:
        return "ok"
    return "failed"


def read_report_headlines(scenario: str = BASELINE) -> dict[str, dict[str, dict[str, Any]]]:
    """Headline numbers of the current reports of a scenario, for the synthesis notebook.

    Parameters
    ----------
    scenario
        Scenario name (a folder of ``reports/``).

    Returns
    -------
    dict
        ``{notebook stem: {headline name: record}}`` read from
        ``reports/<scenario>/<stem>.headlines.json`` (last successful run of each notebook);
        empty when the scenario has no reports yet. Records hold ``value``, ``unit``,
        ``source`` and ``label``.
    """
    from permanent_research.config import paths

    folder = paths().reports / scenario
    found: dict[str, dict[str, dict[str, Any]]] = {}
    for path in sorted(folder.glob("*.headlines.json")):
        records = read_json(path)
        if isinstance(records, dict):
            found[path.name[: -len(".headlines.json")]] = records
    return found


def collect_rows(
    reports_dir: Path, statuses: Mapping[tuple[str, str], str] | None = None
) -> list[dict[str, Any]]:
    """One entry per scenario (baseline first): ``{"name", "description", "rows": [...]}``."""
    statuses = statuses or {}
    scenarios: list[dict[str, Any]] = []
    folders = [p for p in reports_dir.iterdir() if p.is_dir() and p.name != STAGING]
    folders.sort(key=lambda p: (p.name != BASELINE, p.name))
    for folder in folders:
        stems = {p.name[: -len(".manifest.json")] for p in folder.glob("*.manifest.json")}
        stems |= {p.name[: -len(".failed.json")] for p in folder.glob("*.failed.json")}
        rows = []
        description = ""
        for stem in sorted(stems):
            good = read_json(folder / f"{stem}.manifest.json")
            failed = read_json(folder / f"{stem}.failed.json")
            status = statuses.get((folder.name, stem)) or _last_outcome(good, failed)
            shown = failed if status == "failed" and failed else (good or failed or {})
            description = description or shown.get("scenario_description", "")
            has_report = good is not None and (folder / f"{stem}-noinput.html").is_file()
            rows.append(
                {
                    "stem": stem,
                    "status": status,
                    "error": (failed or {}).get("error") if status == "failed" else None,
                    "date": _date(shown.get("started")),
                    "duration_s": shown.get("duration_s"),
                    "headlines": _headlines(folder / f"{stem}.headlines.json") if good else [],
                    "has_report": has_report,
                    "good_date": _date((good or {}).get("started")),
                    "href_noinput": f"{folder.name}/{stem}-noinput.html",
                    "href_full": f"{folder.name}/{stem}.html",
                    "href_ipynb": f"{folder.name}/{stem}.ipynb",
                    "href_failed": (
                        f"{folder.name}/{stem}.failed.html"
                        if failed and (folder / f"{stem}.failed.html").is_file()
                        else None
                    ),
                    "href_failed_ipynb": f"{folder.name}/{stem}.failed.ipynb",
                }
            )
        if rows:
            scenarios.append({"name": folder.name, "description": description, "rows": rows})
    return scenarios


def write_index(
    reports_dir: Path, statuses: Mapping[tuple[str, str], str] | None = None
) -> Path:
    """Rebuild ``reports/index.html`` atomically and return its path.

    Parameters
    ----------
    reports_dir
        The ``reports/`` folder.
    statuses
        ``{(scenario, stem): "ok" | "failed" | "skipped-unchanged"}`` from the run that just
        finished; other reports get the status their files imply.
    """
    from permanent_research.reporting.render import render_template

    reports_dir.mkdir(parents=True, exist_ok=True)
    html = render_template(
        "index.html.j2",
        scenarios=collect_rows(reports_dir, statuses),
        generated=_dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M"),
    )
    target = reports_dir / "index.html"
    write_text_atomic(target, html)
    return target
