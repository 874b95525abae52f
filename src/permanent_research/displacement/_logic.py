"""Three-valued (Kleene) logic on pandas ``boolean`` columns: a missing input stays missing."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd


def _bool(values: Any, index: pd.Index) -> pd.Series:
    return pd.Series(values, index=index).astype("boolean")


def _na(index: pd.Index) -> pd.Series:
    return pd.Series(pd.NA, index=index, dtype="boolean")


def _any(terms: Sequence[pd.Series], index: pd.Index) -> pd.Series:
    """Kleene OR of the terms (an empty list gives missing)."""
    if not terms:
        return _na(index)
    out = terms[0].astype("boolean")
    for term in terms[1:]:
        out = out | term.astype("boolean")
    return out


def _in(codes: pd.Series, allowed: Iterable[int]) -> pd.Series:
    """Membership of integer codes; missing code → missing."""
    values = codes.astype("Int64")
    return values.isin(list(allowed)).astype("boolean").mask(values.isna())


def _known_false(flag: pd.Series) -> pd.Series:
    """True only where the flag is known to be False (missing → False)."""
    return (~flag.astype("boolean")).fillna(False).astype("boolean")


def _median(values: pd.Series) -> float:
    """Median of the non-missing values as a float (NaN when there are none).

    ``pandas`` returns ``<NA>`` for an all-missing nullable series, which ``float()`` rejects;
    an undefined threshold must give missing flags, not a crash.
    """
    present = values.astype("Float64").dropna()
    return float(present.median()) if len(present) else float("nan")


def _quantile(values: pd.Series, q: float) -> float:
    """Quantile (linear interpolation) of the non-missing values; NaN when there are none."""
    present = values.astype("Float64").dropna()
    return float(present.quantile(q)) if len(present) else float("nan")


def _count_rule(terms: Sequence[pd.Series], k: int, index: pd.Index) -> pd.Series:
    """At least ``k`` of the terms true, with missing terms handled exactly."""
    frame = pd.concat([t.astype("boolean") for t in terms], axis=1)
    n_true = frame.fillna(False).sum(axis=1)
    n_missing = frame.isna().sum(axis=1)
    out = _na(index)
    out.loc[n_true >= k] = True
    out.loc[n_true + n_missing < k] = False
    return out
