"""What the sensitivity results share: ``to_frame``, ``summary``, ``_repr_html_``, ``replace``.

A stand-in for the package's shared result base (same method names); when that base lands the
classes here inherit from it instead.
"""

from __future__ import annotations

import dataclasses
import html
from typing import Any

import pandas as pd

from permanent_research._validation import check_choice

__all__ = ["ResultMixin"]


class ResultMixin:
    """Methods every sensitivity result offers on top of its own ``to_frame`` and ``summary``."""

    _title = "Result"

    def to_frame(self) -> pd.DataFrame:  # pragma: no cover - overridden
        raise NotImplementedError

    def summary(self) -> str:  # pragma: no cover - overridden
        raise NotImplementedError

    def replace(self, **changes: Any) -> Any:
        """A copy with some fields changed (unknown field names are refused)."""
        names = sorted(f.name for f in dataclasses.fields(self))
        for name in changes:
            check_choice("field", name, names)
        return dataclasses.replace(self, **changes)

    def _repr_html_(self) -> str:
        head = html.escape(self.summary().splitlines()[0])
        table = self.to_frame().to_html(index=False, float_format=lambda v: f"{v:,.4g}",
                                        max_rows=60)
        return f"<p><b>{html.escape(self._title)}</b>: {head}</p>{table}"

    def __str__(self) -> str:
        return self.summary()
