"""The one contract every result object of the package follows.

Every frozen result dataclass (and every frozen parameter set) derives from :class:`Result`:

* ``to_frame()`` — the tidy detail table (a :class:`pandas.DataFrame`);
* ``summary()`` — text (``str``), always; tables that used to be returned by ``summary()`` have
  their own clearly named methods (``counts()``, ``headlines()`` …);
* ``_repr_html_()`` — the summary (escaped) above the detail table, so a notebook cell that
  ends with a result shows a readable table;
* ``replace(**changes)`` — a copy with some fields changed, validated again (the class's
  ``__post_init__`` runs on the copy); an unknown field is a one-line
  :class:`~permanent_research.errors.ParameterError` naming the allowed fields;
* ``plot(**kwargs)`` — the family's standard figure, drawn by a function of
  :mod:`permanent_research.plots` (a clear error where the family has none).

The linearmodels / pyfixest style: results are values, and every way of looking at them goes
through the same five names.
"""

from __future__ import annotations

import dataclasses
import html
from typing import Any, Self

import pandas as pd

from permanent_research.errors import ParameterError

__all__ = ["Result", "render_html"]

_MAX_HTML_ROWS = 60


def render_html(text: str, frame: pd.DataFrame | None = None, *, title: str = "") -> str:
    """HTML for a result: an optional bold title, the escaped text, then the table.

    Line breaks of ``text`` are kept (``<br>``); every user string is escaped, so a label with
    ``<`` or ``&`` cannot break the page. Long tables are cut to their first and last rows (the
    full table is ``to_frame()``).
    """
    parts = []
    if title:
        parts.append(f"<p><b>{html.escape(title)}</b></p>")
    if text:
        parts.append("<p>" + html.escape(text).replace("\n", "<br>") + "</p>")
    if frame is not None and len(frame.columns):
        parts.append(frame.to_html(index=not isinstance(frame.index, pd.RangeIndex),
                                   float_format="{:,.4g}".format, na_rep="–",
                                   max_rows=_MAX_HTML_ROWS, escape=True))
    return "".join(parts)


class Result:
    """Base of every frozen result dataclass: ``to_frame``, ``summary``, ``_repr_html_``,
    ``replace`` and ``plot`` (see the module docstring).

    Subclasses define ``to_frame`` and usually ``summary``; ``_repr_html_`` and ``replace`` work
    unchanged for any frozen dataclass, and ``plot`` is overridden by families with a standard
    figure.
    """

    __slots__ = ()

    def to_frame(self) -> pd.DataFrame:
        """The tidy detail table; by default one row per field (``field``, ``value``), which
        is what a parameter set is."""
        return pd.DataFrame(
            [(f.name, getattr(self, f.name)) for f in dataclasses.fields(self)  # type: ignore[arg-type]
             if f.repr],
            columns=["field", "value"],
        )

    def summary(self) -> str:
        """Plain text: the class name and the detail table (subclasses say more)."""
        frame = self.to_frame()
        body = frame.to_string(index=not isinstance(frame.index, pd.RangeIndex), max_rows=30)
        return f"{type(self).__name__} ({len(frame)} rows)\n{body}"

    def _repr_html_(self) -> str:
        return render_html(self.summary(), self.to_frame())

    def replace(self, **changes: Any) -> Self:
        """A copy with some fields changed, validated again like a new object.

        Raises
        ------
        ParameterError
            A field that does not exist (or cannot be set), naming the allowed fields; or any
            error of the class's own validation.
        """
        allowed = [f.name for f in dataclasses.fields(self) if f.init]  # type: ignore[arg-type]
        for name in changes:
            if name not in allowed:
                raise ParameterError(
                    f"{type(self).__name__}.replace: unknown field {name!r}; allowed: "
                    f"{', '.join(allowed)}"
                )
        return dataclasses.replace(self, **changes)  # type: ignore[type-var]

    def plot(self, **kwargs: Any) -> Any:
        """The family's standard figure (a :class:`matplotlib.figure.Figure`).

        Raises
        ------
        ParameterError
            When the family has no standard figure (draw one from ``to_frame()`` with a
            function of :mod:`permanent_research.plots`).
        """
        raise ParameterError(
            f"{type(self).__name__} has no standard figure; draw one from .to_frame() with a "
            "function of permanent_research.plots"
        )
