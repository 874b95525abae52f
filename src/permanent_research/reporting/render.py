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

__all__ = ["render_footer", "inject_footer", "render_html"]

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


def render_footer(manifest: Mapping[str, Any]) -> str:
    """HTML of the provenance footer for one report (values HTML-escaped)."""
    return render_template("footer.html.j2", m=manifest)


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
    body, _ = _exporter(exclude_input).from_notebook_node(node)
    return inject_footer(body, render_footer(manifest))
