"""Tables a supervisor reads: rounded numbers, readable headers, no meaningless index.

``show_table(frame, formats=...)`` displays a DataFrame in a notebook as a styled HTML table
(rounded to meaningful precision, text columns left-aligned and wrapped, URLs shortened to
links, missing values as a dash, no 0..n index) together with a plain-text version, so the
executed notebook carries no ``<Styler at 0x…>`` repr and no random element ids. The frame
itself is not changed; exports keep full precision (``save_table``).
"""

from __future__ import annotations

import hashlib
import html
import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

import pandas as pd

__all__ = [
    "format_number",
    "interval_table",
    "link_urls",
    "short_urls",
    "show_table",
    "table_html",
    "table_text",
]

_URL = re.compile(r"https?://[^\s)\]]+")

Formatter = str | Callable[[Any], str]


def format_number(value: Any, na_rep: str = "–") -> str:
    """Format a number to a precision a reader needs.

    Whole numbers and numbers of at least 100 are shown without decimals and with thousands
    separators (``3,041``); smaller numbers with three significant digits (``12.4``, ``0.0325``).
    Booleans become ``yes``/``no``; missing values ``na_rep``; anything else ``str(value)``.
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return na_rep
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float) or hasattr(value, "dtype"):
        try:
            number = float(value)
        except (TypeError, ValueError):
            return str(value)
        if math.isnan(number):
            return na_rep
        if math.isinf(number):
            return "∞" if number > 0 else "−∞"
        if number.is_integer() or abs(number) >= 100:
            return f"{number:,.0f}"
        return f"{number:.3g}"
    return str(value)


def _short(url: str) -> str:
    parts = urlsplit(url)
    shown = parts.netloc.removeprefix("www.")
    return shown + "/…" if parts.path.strip("/") or parts.query else shown


def _urls(text: str):
    for match in _URL.finditer(text):
        url = match.group(0).rstrip(".,;")
        yield match.start(), match.start() + len(url), url


def short_urls(text: str) -> str:
    """Replace each URL in plain ``text`` by its site (``bx1.be/…``), e.g. for figure notes."""
    pieces, last = [], 0
    for start, end, url in _urls(text):
        pieces += [text[last:start], _short(url)]
        last = end
    return "".join(pieces) + text[last:]


def link_urls(text: Any, na_rep: str = "–") -> str:
    """HTML-escape ``text`` and replace each URL in it by a short link (``site/…``)."""
    if text is None or (isinstance(text, float) and math.isnan(text)) or text is pd.NA:
        return na_rep
    text = str(text)
    pieces, last = [], 0
    for start, end, url in _urls(text):
        pieces.append(html.escape(text[last:start]))
        pieces.append(f'<a href="{html.escape(url, quote=True)}">{html.escape(_short(url))}</a>')
        last = end
    pieces.append(html.escape(text[last:]))
    return "".join(pieces)


def _is_text(column: pd.Series) -> bool:
    return not (
        pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column)
    )


def table_html(
    frame: pd.DataFrame,
    *,
    formats: Mapping[Any, Formatter] | None = None,
    index: bool = False,
    wrap: Sequence[Any] = (),
    links: Sequence[Any] = (),
    caption: str = "",
    na_rep: str = "–",
    wrap_width_em: float = 26,
) -> str:
    """Return ``frame`` as a styled HTML table (see :func:`show_table` for the parameters)."""
    from pandas.io.formats.style import Styler

    formats = dict(formats or {})
    unknown = [c for c in [*formats, *wrap, *links] if c not in frame.columns]
    if unknown:
        raise KeyError(f"show_table: no column(s) {unknown}; columns are {list(frame.columns)}")
    digest = hashlib.sha1(
        (frame.to_csv() + caption).encode("utf-8"), usedforsecurity=False
    ).hexdigest()[:10]
    styler = Styler(frame, uuid=digest, cell_ids=False)
    for column in frame.columns:
        rule = formats.get(column)
        if column in links:
            styler = styler.format(lambda v: link_urls(v, na_rep), subset=[column], escape=None)
        elif isinstance(rule, str):
            styler = styler.format(rule, subset=[column], na_rep=na_rep, escape="html")
        elif callable(rule):
            styler = styler.format(
                lambda v, rule=rule: na_rep if _missing(v) else rule(v), subset=[column],
                escape="html",
            )
        else:
            styler = styler.format(lambda v: format_number(v, na_rep), subset=[column],
                                   escape="html")
    if index:
        styler = styler.format_index(lambda v: format_number(v, na_rep), axis=0, escape="html")
    else:
        styler = styler.hide(axis="index")
    # every user string reaching HTML is escaped (issue 13): headers and caption too
    styler = styler.format_index(None, axis=1, escape="html")
    styles: dict[Any, list[dict[str, str]]] = {}
    for column in frame.columns:
        props = []
        if _is_text(frame[column]):
            props.append("text-align: left")
        if column in wrap or column in links:
            props += ["white-space: normal", f"max-width: {wrap_width_em:g}em",
                      "overflow-wrap: anywhere"]
        if props:
            styles[column] = [{"selector": "td, th", "props": "; ".join(props)}]
    if styles:
        styler = styler.set_table_styles(styles, overwrite=False)
    if caption:
        styler = styler.set_caption(html.escape(caption))
    return styler.to_html()


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def show_table(
    frame: pd.DataFrame,
    *,
    formats: Mapping[Any, Formatter] | None = None,
    index: bool = False,
    wrap: Sequence[Any] = (),
    links: Sequence[Any] = (),
    caption: str = "",
    na_rep: str = "–",
    wrap_width_em: float = 26,
) -> None:
    """Display a table for readers: rounded, without a 0..n index, text wrapped, URLs short.

    Parameters
    ----------
    frame
        The table; rename its columns to readable headers first. It is not modified.
    formats
        Per column, a format string (``"{:.0%}"``, ``"{:,.0f} EUR"``) or a function of one
        value; other columns go through :func:`format_number` (no decimals from 100 up, three
        significant digits below, ``yes``/``no`` for booleans).
    index
        Show the index (give it a meaningful name); hidden by default.
    wrap
        Columns of long text to wrap at ``wrap_width_em`` (em) instead of stretching the table.
    links
        Columns whose URLs are shown as short links (``site/…``); also wrapped.
    caption
        Caption above the table.
    na_rep
        Shown for missing values.
    """
    from IPython.display import display

    html_table = table_html(frame, formats=formats, index=index, wrap=wrap, links=links,
                            caption=caption, na_rep=na_rep, wrap_width_em=wrap_width_em)
    with pd.option_context("display.max_colwidth", 60, "display.width", 120):
        text = table_text(frame, formats=formats, index=index, links=links, na_rep=na_rep)
    display({"text/html": html_table, "text/plain": text}, raw=True)


def table_text(
    frame: pd.DataFrame,
    *,
    formats: Mapping[Any, Formatter] | None = None,
    index: bool = False,
    links: Sequence[Any] = (),
    na_rep: str = "–",
) -> str:
    """Plain-text twin of :func:`table_html`: every cell formatted by the same rules.

    The executed notebook keeps this next to the HTML table; without it, a reader of the
    plain text (or a tool that scans it) would see the raw frame (``2.847595e-16``, ``NaN``).
    URLs in ``links`` columns are shortened to their site.
    """
    formats = dict(formats or {})
    shown = pd.DataFrame(index=frame.index)
    for position, column in enumerate(frame.columns):
        rule = formats.get(column)
        values = frame.iloc[:, position]
        if column in links:
            cells = [na_rep if _missing(v) else short_urls(str(v)) for v in values]
        elif isinstance(rule, str):
            cells = [na_rep if _missing(v) else rule.format(v) for v in values]
        elif callable(rule):
            cells = [na_rep if _missing(v) else rule(v) for v in values]
        else:
            cells = [format_number(v, na_rep) for v in values]
        shown[position] = cells
    shown.columns = frame.columns
    if index:
        shown.index = [format_number(v, na_rep) for v in frame.index]
    return shown.to_string(index=index)


def interval_table(
    frame: pd.DataFrame,
    *,
    rows: Sequence[str],
    columns: str,
    row_order: Sequence[Any] | None = None,
    column_order: Sequence[Any] | None = None,
    decimals: int = 0,
    decimals_by: Mapping[str, Mapping[Any, int]] | None = None,
    median: str = "median",
    low: str = "low",
    high: str = "high",
) -> pd.DataFrame:
    """Wide table of ``"median [low – high]"`` texts from a tidy table of intervals.

    Parameters
    ----------
    frame
        One row per (``rows``..., ``columns``) with the ``median``, ``low`` and ``high``
        columns, e.g. a Monte Carlo result's ``to_frame()``.
    rows, columns
        Columns that become the row index (in this order) and the column labels.
    row_order, column_order
        Rows (tuples when ``rows`` has several columns) and columns to keep, in this order;
        rows with no value in any column are dropped. Default: as they first appear.
    decimals
        Decimals of every number.
    decimals_by
        Exceptions keyed by a column's value, e.g. ``{"metric": {"forced_moves": 1}}``.

    Returns
    -------
    pandas.DataFrame
        Texts indexed by ``rows``, one column per value of ``columns``; missing cells are NaN.
    """
    from permanent_research.errors import ParameterError

    needed = [*rows, columns, median, low, high, *(decimals_by or {})]
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ParameterError(
            f"interval_table: frame lacks column(s) {', '.join(map(str, missing))}; it has "
            f"{', '.join(map(str, frame.columns))}"
        )
    places = pd.Series(decimals, index=frame.index)
    for column, exceptions in (decimals_by or {}).items():
        override = frame[column].map(exceptions)
        places = override.where(override.notna(), places).astype(int)
    texts = [
        f"{m:,.{d}f} [{lo:,.{d}f} – {hi:,.{d}f}]"
        for m, lo, hi, d in zip(frame[median], frame[low], frame[high], places, strict=True)
    ]
    wide = frame.assign(_text=texts).pivot_table(
        index=list(rows), columns=columns, values="_text", aggfunc="first", sort=False
    )
    if row_order is not None:
        wide = wide.reindex(index=list(row_order))
    if column_order is not None:
        wide = wide.reindex(columns=list(column_order))
    return wide.dropna(how="all").rename_axis(columns=None)
