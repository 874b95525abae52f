"""HTML rendering of executed notebooks, with a provenance footer.

Two renderings per report, both with nbconvert's :class:`~nbconvert.HTMLExporter` and its
default ``lab`` template: the full page (code and outputs) and a code-hidden page for
supervisors (``exclude_input=True``, no prompts). The provenance footer (from
``templates/footer.html.j2``) is inserted before ``</body>``.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = [
    "render_footer",
    "inject_footer",
    "render_html",
    "report_title",
    "scenario_values",
    "summarise_value",
]

TEMPLATES = Path(__file__).resolve().parent / "templates"


@functools.cache
def _environment() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_template(name: str, **context: Any) -> str:
    """Render one of the package's report templates."""
    return _environment().get_template(name).render(**context)


def _number(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if float(value).is_integer():
        return f"{int(value):,}" if abs(value) >= 10_000 else str(int(value))
    return f"{value:.4g}"


def summarise_value(spec: Any) -> str:
    """One readable line for a scenario value: a number, a distribution, a list or a mapping.

    Distributions in the scenario-file form read as ``"9.5–13 (triangular, mode 11)"``,
    ``"0.013 ± 0.007 (normal)"``, ``"50"`` (fixed).
    """
    if isinstance(spec, Mapping) and "dist" in spec:
        dist = spec["dist"]
        if dist == "fixed":
            return _number(spec.get("value"))
        if "low" in spec and "high" in spec:
            text = f"{_number(spec['low'])}–{_number(spec['high'])} ({dist}"
            if "mode" in spec:
                text += f", mode {_number(spec['mode'])}"
            return text + ")"
        if "mean" in spec and "sd" in spec:
            return f"{_number(spec['mean'])} ± {_number(spec['sd'])} ({dist})"
        rest = ", ".join(
            f"{k} {_number(v)}" for k, v in spec.items() if k not in ("dist", "source")
        )
        return f"{dist}: {rest}"
    if isinstance(spec, Mapping):
        return ", ".join(f"{k} {summarise_value(v)}" for k, v in spec.items())
    if isinstance(spec, list | tuple):
        return ", ".join(summarise_value(v) for v in spec)
    return _number(spec)


#: Scenario sections the footer summarises (the values a scenario sets for the models).
FOOTER_SECTIONS = ("assumptions", "programme")


def scenario_values(scenario_file: str | Path) -> dict[str, list[tuple[str, str, str]]]:
    """The scenario's model values, summarised for the footer.

    Parameters
    ----------
    scenario_file
        The scenario YAML (absolute, or relative to the project root as in the manifest).

    Returns
    -------
    dict
        ``{section: [(name, value summary, source), ...]}`` for the sections in
        :data:`FOOTER_SECTIONS` the file has; empty when the file cannot be read.
    """
    import yaml

    from permanent_research.config import paths

    path = Path(scenario_file)
    if not path.is_absolute():
        path = paths().root / path
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return {}
    found: dict[str, list[tuple[str, str, str]]] = {}
    for section in FOOTER_SECTIONS:
        raw = data.get(section) if isinstance(data, Mapping) else None
        if not isinstance(raw, Mapping):
            continue
        sources = raw.get("sources") if isinstance(raw.get("sources"), Mapping) else {}
        rows = []
        for name, spec in raw.items():
            if name == "sources":
                continue
            source = spec.get("source", "") if isinstance(spec, Mapping) else ""
            rows.append((str(name), summarise_value(spec), str(source or sources.get(name, ""))))
        found[section] = rows
    return found


def render_footer(manifest: Mapping[str, Any], *, uses_scenario: bool = False) -> str:
    """HTML of the provenance footer for one report (values HTML-escaped).

    Parameters
    ----------
    manifest
        The report's manifest.
    uses_scenario
        The notebook reads the scenario file: list the scenario's model values it used.
    """
    values = (
        scenario_values(manifest["scenario_file"])
        if uses_scenario and manifest.get("scenario_file")
        else {}
    )
    return render_template("footer.html.j2", m=manifest, scenario_values=values)


def report_title(node: Any, default: str = "Report") -> str:
    """The report's title: the text of the first markdown heading of the notebook."""
    for cell in node.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else source
        for line in text.splitlines():
            stripped = line.strip()
            if stripped.startswith("#"):
                title = stripped.lstrip("#").strip().replace("`", "").replace("*", "")
                if title:
                    return title
    return default


def _uses_scenario(node: Any) -> bool:
    """Whether papermill injected a ``scenario`` parameter (the notebook declares one)."""
    for cell in node.get("cells", []):
        tags = cell.get("metadata", {}).get("tags", [])
        if "injected-parameters" in tags or "parameters" in tags:
            source = cell.get("source", "")
            text = "".join(source) if isinstance(source, list) else source
            if any(line.split("=")[0].strip() == "scenario" for line in text.splitlines()):
                return True
    return False


def inject_footer(html: str, footer: str) -> str:
    """Insert ``footer`` just before the last ``</body>`` (or append it)."""
    position = html.rfind("</body>")
    if position < 0:
        return html + footer
    return html[:position] + footer + "\n" + html[position:]


@functools.cache
def _exporter(exclude_input: bool) -> Any:
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab")
    if exclude_input:
        exporter.exclude_input = True
        exporter.exclude_input_prompt = True
        exporter.exclude_output_prompt = True
    return exporter


def render_html(node: Any, manifest: Mapping[str, Any], *, exclude_input: bool) -> str:
    """Render an executed notebook to a standalone HTML page with the provenance footer.

    Parameters
    ----------
    node
        The executed notebook (``nbformat.NotebookNode``).
    manifest
        The report's manifest (see :mod:`permanent_research.reporting.manifest`).
    exclude_input
        Hide code cells and prompts (the supervisors' version).
    """
    title = report_title(node, default=str(manifest.get("stem") or "Report"))
    body, _ = _exporter(exclude_input).from_notebook_node(
        node, resources={"metadata": {"name": title}}
    )
    return inject_footer(body, render_footer(manifest, uses_scenario=_uses_scenario(node)))
