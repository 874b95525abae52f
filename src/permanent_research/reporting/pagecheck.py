"""Clean pages: find what a supervisor should never see in a rendered report.

:func:`check_page` scans a code-hidden HTML page or an executed notebook and lists the problems
of issue 12: error or stderr outputs, ``PosixPath`` reprs, paths of the machine that ran it,
``NaN``/``<NA>`` cells in displayed tables, floats shown with more than four decimals, and a page
titled "Notebook". Only what the reader sees is scanned: outputs and markdown of a notebook; the
visible text of an HTML page (not its styles, scripts or embedded images) and its ``<title>``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

__all__ = ["PROBLEM_KINDS", "PageProblem", "check_page", "check_file"]

#: Every kind of problem :func:`check_page` reports.
PROBLEM_KINDS = (
    "error output",
    "stderr output",
    "PosixPath",
    "machine path",
    "missing value in table",
    "long float",
    "title Notebook",
)

_POSIXPATH = re.compile(r"(?:Posix|Windows)Path\(")
# Absolute paths under the folders where a machine keeps its users, scratch and checkouts.
_MACHINE_PATH = re.compile(
    r"(?<![\w.:/])/(?:tmp|home|root|work|Users|var/folders|private/var|opt|mnt)/[\w.\-/]*"
)
# More than four decimals: 0.123456, 2.847595e-16 (not versions like 1.26.4 or hashes).
_LONG_FLOAT = re.compile(r"(?<![\w.])-?\d+\.\d{5,}(?:[eE][-+]?\d+)?(?![\w.])")
# Case matters: pandas prints these; "none" in lower case is an English word in a table.
_MISSING = {"NaN", "nan", "<NA>", "NaT", "None"}
_CONTEXT = 40


@dataclass(frozen=True)
class PageProblem:
    """One thing a supervisor should not see.

    Attributes
    ----------
    kind
        One of :data:`PROBLEM_KINDS`.
    where
        Where on the page: ``"cell 12"`` (notebook) or ``"page"`` / ``"table"`` / ``"title"``.
    excerpt
        The offending text with a little context, on one line.
    """

    kind: str
    where: str
    excerpt: str

    def __str__(self) -> str:
        return f"{self.where}: {self.kind}: {self.excerpt}"


def _excerpt(text: str, start: int, end: int) -> str:
    piece = text[max(0, start - _CONTEXT) : end + _CONTEXT]
    return " ".join(piece.split())


def _text_problems(text: str, where: str) -> Iterator[PageProblem]:
    for kind, pattern in (
        ("PosixPath", _POSIXPATH),
        ("machine path", _MACHINE_PATH),
        ("long float", _LONG_FLOAT),
    ):
        for match in pattern.finditer(text):
            yield PageProblem(kind, where, _excerpt(text, match.start(), match.end()))


class _Visible(HTMLParser):
    """Visible text, table cells and the title of an HTML page."""

    _HIDDEN = {"style", "script", "head", "template"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.cells: list[str] = []
        self.title: str | None = None
        self._hidden = 0
        self._in_title = False
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title, self.title = True, ""
        elif tag in self._HIDDEN:
            self._hidden += 1
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag in self._HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag in ("td", "th") and self._cell is not None:
            self.cells.append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title = (self.title or "") + data
        elif not self._hidden:
            self.text.append(data)
            if self._cell is not None:
                self._cell.append(data)


def _html_problems(html: str, where: str, *, page: bool) -> Iterator[PageProblem]:
    parser = _Visible()
    parser.feed(html)
    parser.close()
    if page and (parser.title is None or parser.title.strip() in ("", "Notebook")):
        yield PageProblem("title Notebook", "title", f"<title>{parser.title or ''}</title>")
    yield from _text_problems("\n".join(parser.text), where)
    for cell in parser.cells:
        if cell in _MISSING:
            yield PageProblem("missing value in table", where, cell)
    if page and 'data-mime-type="application/vnd.jupyter.stderr"' in html:
        # nbconvert marks both stderr streams and tracebacks with this type
        yield PageProblem("stderr output", where, "a stderr or error output box")


def _joined(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _notebook_problems(node: Mapping[str, Any]) -> Iterator[PageProblem]:
    from permanent_research.reporting.render import report_title

    if report_title(node, default="Notebook") == "Notebook":
        yield PageProblem("title Notebook", "title", "no markdown heading: the page title "
                          "would be 'Notebook'")
    for number, cell in enumerate(node.get("cells", []), start=1):
        where = f"cell {number}"
        if cell.get("cell_type") == "markdown":
            yield from _text_problems(_joined(cell.get("source", "")), where)
            continue
        for output in cell.get("outputs", []):
            kind = output.get("output_type")
            if kind == "error":
                yield PageProblem("error output", where,
                                  f"{output.get('ename')}: {output.get('evalue')}"[:120])
            elif kind == "stream":
                text = _joined(output.get("text", ""))
                if output.get("name") == "stderr":
                    yield PageProblem("stderr output", where, " ".join(text.split())[:120])
                else:
                    yield from _text_problems(text, where)
            elif kind in ("display_data", "execute_result"):
                data = output.get("data", {})
                if "text/html" in data:
                    yield from _html_problems(_joined(data["text/html"]), where, page=False)
                elif "text/markdown" in data:
                    yield from _text_problems(_joined(data["text/markdown"]), where)
                elif "text/plain" in data and not any(k.startswith("image/") for k in data):
                    yield from _text_problems(_joined(data["text/plain"]), where)


def check_page(page: str | Mapping[str, Any]) -> list[PageProblem]:
    """Problems a supervisor would see on a rendered report.

    Parameters
    ----------
    page
        The HTML of a (code-hidden) page, or an executed notebook (``NotebookNode`` or the
        notebook's JSON as a mapping).

    Returns
    -------
    list of PageProblem
        Empty for a clean page.
    """
    if isinstance(page, Mapping):
        return list(_notebook_problems(page))
    return list(_html_problems(page, "page", page=True))


def check_file(path: Path | str) -> list[PageProblem]:
    """:func:`check_page` on an ``.html`` file or an ``.ipynb`` file."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".ipynb":
        return check_page(json.loads(text))
    return check_page(text)
