"""Statistical sectors → Monitoring des Quartiers quartiers: counts, weighted shares, survey rents.

Sector tables (eviction judgments 2018, cadastre 2015, rent-survey records) are finer than the
145 quartiers the typology runs on. These functions aggregate them with the sector → quartier map
(``load("sector_quartier_map")``), refusing ambiguous input (a sector listed twice, a sector the
map does not know, a quartier code that does not exist) instead of silently double counting.
Aggregates built from few survey records say how few and are suppressed below a stated minimum.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from permanent_research._validation import check_columns, check_in_range, format_rows
from permanent_research.errors import DataError

__all__ = [
    "MIN_SURVEY_RECORDS",
    "sector_map",
    "sectors_to_quartiers",
    "survey_rents_by_quartier",
]

#: Fewest survey records behind a published quartier rent. Below it the median is suppressed
#: (its sampling error exceeds ±10 % for a typical rent dispersion, coefficient of variation
#: about 0.4, at n < 20) and only the record count is shown.
MIN_SURVEY_RECORDS = 20


def _check_no_duplicates(codes: pd.Series, index: pd.Index, column: str, source: str) -> None:
    # a sector counted twice would silently double its quartier's counts
    duplicated = codes.duplicated(keep=False).to_numpy()
    if duplicated.any():
        names = ", ".join(sorted(set(codes[duplicated])))
        raise DataError(
            f"{source}: column {column!r} lists the same sector more than once, rows "
            f"{format_rows(index[duplicated])} ({names})"
        )


def sector_map(
    mapping: pd.DataFrame,
    *,
    quartiers: Iterable[int] | None = None,
    sector: str = "cd_sector",
    quartier: str = "id",
    source: str = "sector_quartier_map",
) -> pd.Series:
    """Validated sector → quartier lookup.

    Parameters
    ----------
    mapping
        One row per statistical sector (``load("sector_quartier_map")``: ``cd_sector``, ``id``).
    quartiers
        Quartier codes that exist (e.g. the 145 ``mdrc`` of the boundaries); when given, a code
        outside them is an error.
    sector, quartier
        Column names.
    source
        Name used in error messages.

    Returns
    -------
    pandas.Series
        Quartier code (``Int64``) indexed by sector code (string), name ``quartier``.

    Raises
    ------
    DataError
        Missing columns, a missing value, a sector listed twice, or a quartier code that does
        not exist.
    """
    check_columns(mapping, [sector, quartier], source=source)
    missing = mapping[sector].isna() | mapping[quartier].isna()
    if missing.any():
        raise DataError(
            f"{source}: columns {sector!r}/{quartier!r} are missing in rows "
            f"{format_rows(mapping.index[missing])}"
        )
    codes = mapping[sector].astype("string")
    _check_no_duplicates(codes, mapping.index, sector, source)
    ids = pd.to_numeric(mapping[quartier], errors="coerce").astype("Int64")
    if quartiers is not None:
        known = set(int(q) for q in quartiers)
        unknown = ~ids.isin(known)
        if unknown.any():
            bad = sorted(set(int(v) for v in ids[unknown].dropna()))
            raise DataError(
                f"{source}: column {quartier!r} has quartier code(s) that do not exist "
                f"({', '.join(map(str, bad[:5]))}) in rows {format_rows(mapping.index[unknown])}"
            )
    return pd.Series(ids.to_numpy(), index=pd.Index(codes.to_numpy(), name="sector"),
                     name="quartier", dtype="Int64")


def sectors_to_quartiers(
    table: pd.DataFrame,
    mapping: pd.Series,
    *,
    sector: str,
    counts: Sequence[str] = (),
    shares: Mapping[str, str] | None = None,
    source: str = "data",
) -> pd.DataFrame:
    """Sum counts and weight shares from sectors up to quartiers.

    Parameters
    ----------
    table
        One row per sector.
    mapping
        :func:`sector_map` output.
    sector
        Column of ``table`` holding the sector code.
    counts
        Count columns, summed per quartier.
    shares
        ``{share_column: weight_column}``: a share (0–1) averaged per quartier weighted by its
        denominator (e.g. ``{"log_sociaux": "NB_LOGLOUE_TOT"}``), so a quartier's share equals
        what the pooled sectors would give. The weight column may also be in ``counts``.
    source
        Name used in error messages.

    Returns
    -------
    pandas.DataFrame
        Index ``quartier``; the count columns, the share columns and ``n_sectors`` (sectors of
        ``table`` in the quartier). Quartiers without any sector in ``table`` are absent.

    Raises
    ------
    DataError
        Missing columns, a sector listed twice, or a sector the map does not know.
    """
    shares = dict(shares or {})
    columns = [sector, *counts, *shares, *shares.values()]
    check_columns(table, list(dict.fromkeys(columns)), source=source)
    codes = table[sector].astype("string")
    _check_no_duplicates(codes, table.index, sector, source)
    unknown = ~codes.isin(mapping.index)
    if unknown.any():
        raise DataError(
            f"{source}: column {sector!r} has sector(s) the sector → quartier map does not know "
            f"({', '.join(sorted(set(codes[unknown].dropna()))[:5])}) in rows "
            f"{format_rows(table.index[unknown])}"
        )
    quartier = mapping.reindex(codes.to_numpy()).to_numpy()
    work = pd.DataFrame({"quartier": quartier}, index=table.index)
    for column in dict.fromkeys([*counts, *shares.values()]):
        work[column] = pd.to_numeric(table[column], errors="raise").astype(float)
    for share, weight in shares.items():
        work[f"_wx_{share}"] = pd.to_numeric(table[share]).astype(float) * work[weight]
    grouped = work.groupby("quartier", sort=True)
    out = pd.DataFrame(index=pd.Index(sorted(work["quartier"].unique()), name="quartier"))
    for column in counts:
        out[column] = grouped[column].sum()
    for share, weight in shares.items():
        denominator = grouped[weight].sum()
        out[share] = (grouped[f"_wx_{share}"].sum() / denominator.where(denominator > 0))
    out["n_sectors"] = grouped.size()
    out.index = out.index.astype("Int64")
    return out


def survey_rents_by_quartier(
    records: pd.DataFrame,
    mapping: pd.Series,
    *,
    min_records: int = MIN_SURVEY_RECORDS,
    by: str | None = "survey_year",
) -> pd.DataFrame:
    """Tenants' rents per quartier from the rent-survey records, with small cells suppressed.

    Parameters
    ----------
    records
        :func:`permanent_research.tenant_effort.survey_records` output (``sector``,
        ``survey_year``, ``rent_eur_month``: nominal euros/month of the survey year).
    mapping
        :func:`sector_map` output.
    min_records
        Fewest records behind a published median (default :data:`MIN_SURVEY_RECORDS`); below
        it ``rent_median_eur_month`` is missing and ``suppressed`` is true.
    by
        Column to split by (default the survey year), or ``None`` to pool the waves.

    Returns
    -------
    pandas.DataFrame
        One row per quartier (× ``by``): ``n_records``, ``rent_median_eur_month``,
        ``rent_mean_eur_month``, ``suppressed``. ``attrs`` holds ``min_records``,
        ``records_without_sector`` and ``records_unplaced`` (a sector the map does not know);
        those records are left out and counted, not guessed.
    """
    min_records = int(check_in_range("min_records", min_records, 1, None))
    check_columns(records, ["sector", "rent_eur_month", *([by] if by else [])],
                  source="survey records")
    sectors = records["sector"].astype("string")
    no_sector = sectors.isna()
    placed = sectors.isin(mapping.index) & ~no_sector
    work = records.loc[placed].copy()
    work["quartier"] = mapping.reindex(sectors[placed].to_numpy()).to_numpy()
    keys = ["quartier", *([by] if by else [])]
    grouped = work.groupby(keys, sort=True)["rent_eur_month"]
    out = pd.DataFrame(
        {
            "n_records": grouped.size(),
            "rent_median_eur_month": grouped.median(),
            "rent_mean_eur_month": grouped.mean(),
        }
    ).reset_index()
    out["suppressed"] = out["n_records"] < min_records
    out.loc[out["suppressed"], ["rent_median_eur_month", "rent_mean_eur_month"]] = np.nan
    out["quartier"] = out["quartier"].astype("Int64")
    out.attrs.update(
        min_records=min_records,
        records_without_sector=int(no_sector.sum()),
        records_unplaced=int((~placed & ~no_sector).sum()),
    )
    return out
