"""Shared pieces of the money modules (prices, discounting, eligibility, CLT discount).

A small result mixin until the package's shared result base lands: ``summary()`` returns
text, ``_repr_html_`` renders summary + table, ``replace(**changes)`` copies a frozen dataclass
and re-runs its ``__post_init__`` validation. Swap the mixin for the shared base when it exists
(the methods have the same names and meaning).
"""

from __future__ import annotations

import dataclasses
import html
from typing import Any, Self

import pandas as pd

from permanent_research.errors import ParameterError

__all__ = ["MoneyResult"]


class MoneyResult:
    """Mixin for frozen result dataclasses that define ``to_frame`` and ``summary``."""

    def to_frame(self) -> pd.DataFrame:  # pragma: no cover - overridden
        raise NotImplementedError

    def summary(self) -> str:  # pragma: no cover - overridden
        raise NotImplementedError

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        lines = html.escape(self.summary()).replace("\n", "<br>")
        table = self.to_frame().to_html(index=False, float_format="{:,.4g}".format, na_rep="–")
        return f"<p>{lines}</p>{table}"

    def replace(self, **changes: Any) -> Self:
        """A validated copy with ``changes`` (field name → new value)."""
        fields = [f.name for f in dataclasses.fields(self)]  # type: ignore[arg-type]
        unknown = [name for name in changes if name not in fields]
        if unknown:
            raise ParameterError(
                f"{type(self).__name__}.replace: unknown field(s) {', '.join(unknown)}; "
                f"fields: {', '.join(fields)}"
            )
        return dataclasses.replace(self, **changes)  # type: ignore[type-var]
