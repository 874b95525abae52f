"""Typology rules: flags → classes (UDP's nine categories, Ding–Hwang–Divringi's five).

A missing flag gives a missing rule and a missing rule a missing class, never a silent
"stable". The rules read *any* table of flags, UDP's published output columns included.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from permanent_research.displacement._logic import _any, _bool, _in, _known_false
from permanent_research.displacement.parameters import (
    DHD_CATEGORIES,
    UDP_CATEGORIES,
    UDP_FLAG_COLUMNS,
    DHDParameters,
    UDPParameters,
)
from permanent_research.displacement.results import FlagTable, TypologyResult
from permanent_research.errors import DataError


def _finalise(
    rules: pd.DataFrame,
    catalogue: Mapping[int, tuple[str, str]],
    codes: Mapping[str, int],
    multiple: int | None,
) -> pd.DataFrame:
    n_true = rules.fillna(False).astype(bool).sum(axis=1)
    any_missing = rules.isna().any(axis=1)
    code = pd.Series(pd.NA, index=rules.index, dtype="Int64")
    single = (n_true == 1) & ~any_missing
    for column, value in codes.items():
        code.loc[single & rules[column].fillna(False).astype(bool)] = value
    code.loc[(n_true == 0) & ~any_missing] = 0
    if multiple is not None:
        code.loc[n_true >= 2] = multiple
    out = pd.DataFrame({"code": code}, index=rules.index)
    out["category"] = out["code"].map(lambda c: catalogue[int(c)][0] if pd.notna(c) else pd.NA)
    out["label"] = out["code"].map(lambda c: catalogue[int(c)][1] if pd.notna(c) else pd.NA)
    return out.join(rules)


def udp_rules(
    flags: pd.DataFrame | FlagTable, parameters: UDPParameters | None = None
) -> TypologyResult:
    """Apply the nine UDP category rules to a table of flags.

    Parameters
    ----------
    flags
        A :class:`FlagTable` or a frame with the columns of :data:`UDP_FLAG_COLUMNS`
        (codes as integers, flags as booleans or 0/1; missing allowed). Columns named in
        ``parameters.dropped_conditions`` may be absent.
    parameters
        Only ``dropped_conditions`` is read here (default: none dropped).

    Returns
    -------
    TypologyResult
        ``code`` 1–9, 0 when every rule is false, 99 when more than one rule holds, missing when
        a rule is undecidable (and fewer than two hold). SMMI needs ARE, BE, SAE and AdvG to be
        known false: a missing one blocks it.
    """
    table = flags.flags if isinstance(flags, FlagTable) else flags
    p = parameters or (flags.parameters if isinstance(flags, FlagTable) else UDPParameters.udp())
    dropped = set(p.dropped_conditions)
    needed = [c for c in UDP_FLAG_COLUMNS if c not in dropped]
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise DataError(
            f"flags: missing column(s) {', '.join(missing)}; add them or name them in "
            "dropped_conditions"
        )
    idx = table.index

    def checked(name: str, allowed: Sequence[int], what: str) -> pd.Series:
        """Numeric values of a flag/code column; anything else than ``allowed`` or missing
        (a word, 2.5, an unknown code) is a one-line error, never a silent missing/False."""
        raw = table[name]
        if str(raw.dtype) == "boolean":
            return raw.astype("Float64")
        numeric = pd.to_numeric(raw.astype(object).where(raw.notna(), np.nan), errors="coerce")
        numeric = pd.Series(numeric, index=idx).astype("Float64")
        bad = (raw.notna() & numeric.isna()) | (numeric.notna() & ~numeric.isin(list(allowed)))
        bad = bad.fillna(True).astype(bool)
        if bad.any():
            row = bad[bad].index[0]
            value = raw[row]
            shown = repr(value) if isinstance(value, str) else str(value)
            raise DataError(
                f"flags: column {name!r} has {shown} in row {row!r} "
                f"({int(bad.sum())} bad row(s)); allowed: {what} or missing"
            )
        return numeric

    def flag(name: str, identity: bool = True) -> pd.Series:
        if name in dropped:
            return _bool(identity, idx)
        return checked(name, (0, 1), "0/1 or True/False").astype("boolean")

    def code(name: str, allowed: Iterable[int]) -> pd.Series:
        return _in(codes[name], allowed)

    codes = {
        "inc_cat": checked("inc_cat", range(1, 7), "income codes 1-6").astype("Int64"),
        "lmh": checked("lmh", range(1, 7), "housing codes 1-6").astype("Int64"),
        "ch": checked("ch", (1, 2, 3), "change codes 1, 2, 3").astype("Int64"),
    }
    pop = flag("pop_ok")
    low = code("inc_cat", (1, 2))
    high = code("inc_cat", (3, 4, 5, 6))
    lmh_mid_high = code("lmh", (2, 3, 5, 6))
    gent = flag("gentrified_any")
    sae = pop & flag("high_income_both") & code("lmh", (3, 6)) & code("ch", (1, 2, 3))
    advg = (
        pop
        & high
        & lmh_mid_high
        & code("ch", (1, 2, 3))
        & flag("real_change_positive")
        & gent
        & ~sae
    )
    are = pop & high & lmh_mid_high & code("ch", (1, 2)) & ~advg & ~sae
    be = (
        pop
        & high
        & lmh_mid_high
        & code("ch", (3,))
        & flag("lost_low_income")
        & flag("inmover_fell")
        & flag("real_income_rose")
        & ~sae
    )
    smmi = (
        pop & high & _known_false(are) & _known_false(be) & _known_false(sae) & _known_false(advg)
    )
    arg = (
        pop
        & low
        & code("lmh", (1, 4))
        & (code("ch", (1,)) | flag("ab_90percentile_ch", identity=False))
        & ~flag("gentrified_any", identity=False)
        & (flag("dp_pchrent", identity=False) | flag("dp_rentgap", identity=False))
        & flag("vulnerable_t1")
    )
    eog = (
        pop
        & low
        & code("lmh", (2, 5))
        & (code("ch", (2, 3)) | flag("ch_above_rm", identity=False))
        & gent
    )
    od = pop & low & flag("lost_low_income") & ~arg & ~eog
    lisd = pop & low & ~od & ~arg & ~eog
    rules = pd.DataFrame(
        {
            "LISD": lisd,
            "OD": od,
            "ARG": arg,
            "EOG": eog,
            "AdvG": advg,
            "SMMI": smmi,
            "ARE": are,
            "BE": be,
            "SAE": sae,
        },
        index=idx,
    )
    codes = {short: c for c, (short, _) in UDP_CATEGORIES.items() if 1 <= c <= 9}
    classes = _finalise(rules.astype("boolean"), UDP_CATEGORIES, codes, multiple=99)
    return TypologyResult(
        classes=classes,
        flags=flags if isinstance(flags, FlagTable) else None,
        parameters=p,
        typology="udp",
        conditions_dropped=tuple(sorted(dropped)),
    )


def dhd_rules(
    flags: pd.DataFrame | FlagTable, parameters: DHDParameters | None = None
) -> TypologyResult:
    """Ding–Hwang–Divringi classes from flags (``pop_ok``, ``gentrifiable``, ``market_up``,
    ``demographic_up`` and the ``rent_pch``/``value_pch`` present).

    Gentrifying = all four flags. Among gentrifying areas: weak if every market change is at or
    below its ``weak_quantile``, intense if any is at or above its ``intense_quantile``,
    moderate otherwise (quantiles across the gentrifying areas, linear interpolation).
    """
    table = flags.flags if isinstance(flags, FlagTable) else flags
    p = parameters or (flags.parameters if isinstance(flags, FlagTable) else DHDParameters())
    needed = ["pop_ok", "gentrifiable", "market_up", "demographic_up"]
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise DataError(f"flags: missing column(s) {', '.join(missing)}")
    markets = [c for c in ("rent_pch", "value_pch") if c in table.columns]
    if not markets:
        raise DataError("flags: need rent_pch and/or value_pch for the intensity rule")
    idx = table.index
    b = {c: table[c].astype("boolean") for c in needed}
    eligible = b["pop_ok"] & b["gentrifiable"]
    gentrifying = eligible & b["market_up"] & b["demographic_up"]
    sure = gentrifying.fillna(False).astype(bool)
    weak_terms, intense_terms = [], []
    for column in markets:
        values = table[column].astype("Float64")
        inside = values[sure].dropna().astype(float)
        low = float(np.quantile(inside, p.weak_quantile)) if len(inside) else np.nan
        high = float(np.quantile(inside, p.intense_quantile)) if len(inside) else np.nan
        weak_terms.append(values <= low)
        intense_terms.append(values >= high)
    weak_all = ~_any([~w for w in weak_terms], idx)
    intense = _any(intense_terms, idx)
    rules = pd.DataFrame(index=idx)
    rules["not_gentrifiable"] = ~eligible
    rules["not_gentrifying"] = eligible & ~gentrifying
    rules["intense"] = gentrifying & intense
    rules["weak"] = gentrifying & weak_all & ~intense
    rules["moderate"] = gentrifying & ~weak_all & ~intense
    codes = {short: c for c, (short, _) in DHD_CATEGORIES.items()}
    classes = _finalise(rules.astype("boolean"), DHD_CATEGORIES, codes, multiple=None)
    return TypologyResult(
        classes=classes,
        flags=flags if isinstance(flags, FlagTable) else None,
        parameters=p,
        typology="dhd",
    )
