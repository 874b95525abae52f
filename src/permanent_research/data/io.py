"""Readers for the raw data and the build of ``data/processed``.

Raw files are only ever opened for reading. Every frame :func:`load` returns has been
checksum-verified against the catalog and validated against its pandera schema; a problem is a
:class:`~permanent_research.errors.DataError` whose one-line message names the file, the column
and the rows (as line numbers of the file, header = line 1).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import pandera.errors

from permanent_research._files import atomic_path, write_text_atomic
from permanent_research._validation import format_rows
from permanent_research.config import paths
from permanent_research.data.catalog import DatasetEntry, read_catalog, verify_checksum
from permanent_research.data.schemas import schema_for
from permanent_research.errors import DataError

__all__ = ["load", "read_table", "dataset_names", "source_note", "check", "build"]

_HEADER_LINES = 2  # a frame index i is line i + 2 of the file (1-based, after the header)


def dataset_names(catalog_path: Path | None = None) -> list[str]:
    """Names of all catalogued tabular datasets (what :func:`load` accepts)."""
    return [name for name, e in read_catalog(catalog_path).items() if e.format == "csv"]


def _entry(name: str, catalog_path: Path | None = None) -> DatasetEntry:
    catalog = read_catalog(catalog_path)
    if name not in catalog:
        known = ", ".join(sorted(catalog))
        raise DataError(f"unknown dataset {name!r}; catalogued datasets: {known}")
    return catalog[name]


def _lines(index: Iterable[int]) -> str:
    return format_rows(i + _HEADER_LINES for i in index)


def _read_strings(entry: DatasetEntry) -> pd.DataFrame:
    try:
        frame = pd.read_csv(
            entry.path, dtype=str, keep_default_na=False, encoding="utf-8", sep=entry.delimiter
        )
    except pd.errors.EmptyDataError:
        raise DataError(f"{entry.path}: file is empty (expected a header and rows)") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as error:
        first_line = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise DataError(f"{entry.path}: cannot parse CSV ({first_line})") from None
    if frame.empty:
        raise DataError(f"{entry.path}: file has a header but no rows")
    return frame


def _check_column_names(entry: DatasetEntry, frame: pd.DataFrame) -> None:
    expected = [spec.name for spec in entry.columns]
    missing = [c for c in expected if c not in frame.columns]
    if missing:
        raise DataError(f"{entry.path}: missing column(s) {', '.join(missing)}")
    extra = [c for c in frame.columns if c not in expected]
    if extra:
        raise DataError(
            f"{entry.path}: unexpected column(s) {', '.join(extra)} (not in the catalog entry "
            f"{entry.name!r})"
        )


def _convert(entry: DatasetEntry, frame: pd.DataFrame) -> pd.DataFrame:
    converted = {}
    for spec in entry.columns:
        text = frame[spec.name].str.strip()
        empty = (text == "") | text.isin(entry.missing_values)
        if spec.dtype == "string":
            converted[spec.name] = frame[spec.name].where(~empty, None).astype("str")
            continue
        numbers = pd.to_numeric(text.where(~empty, None), errors="coerce")
        bad = numbers.isna() & ~empty
        if bad.any():
            example = frame.loc[bad, spec.name].iloc[0]
            raise DataError(
                f"{entry.path}: column {spec.name!r} must be {spec.dtype} but has "
                f"{example!r} in line(s) {_lines(frame.index[bad])}"
            )
        if spec.dtype == "int":
            fractional = numbers.notna() & (numbers % 1 != 0)
            if fractional.any():
                raise DataError(
                    f"{entry.path}: column {spec.name!r} must be int but has fractions in "
                    f"line(s) {_lines(frame.index[fractional])}"
                )
            converted[spec.name] = numbers.astype("Int64")
        else:
            converted[spec.name] = numbers.astype("float64")
    return pd.DataFrame(converted, index=frame.index)


def _describe_schema_errors(entry: DatasetEntry, errors: pandera.errors.SchemaErrors) -> str:
    cases = errors.failure_cases
    first = cases.iloc[0]
    column = first["column"]
    check = str(first["check"])
    rows = cases.loc[(cases["column"] == column) & (cases["check"] == first["check"]), "index"]
    values = cases.loc[rows.index, "failure_case"].astype(str).unique()[:3]
    if check.startswith("field_uniqueness") or "unique" in check or column == entry.name:
        key = ", ".join(entry.key)
        dup_rows = [int(r) for r in rows.dropna()]
        return f"{entry.path}: duplicate key ({key}) in line(s) {_lines(sorted(set(dup_rows)))}"
    line_numbers = [int(r) for r in rows.dropna()]
    return (
        f"{entry.path}: column {column!r} fails check '{check}' in line(s) "
        f"{_lines(line_numbers)} (value(s) {', '.join(values)})"
    )


def read_table(entry: DatasetEntry, *, verify: bool = True) -> pd.DataFrame:
    """Read, type and validate the file of one catalog entry.

    Parameters
    ----------
    entry
        The catalog entry (its ``path`` may point at a researcher's own file).
    verify
        Check the file's sha256 against the entry first.
    """
    if verify:
        verify_checksum(entry)
    strings = _read_strings(entry)
    _check_column_names(entry, strings)
    frame = _convert(entry, strings)
    try:
        frame = schema_for(entry).validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as errors:
        raise DataError(_describe_schema_errors(entry, errors)) from None
    if "value" in frame.columns and entry.column("value").dtype == "string":
        # fact tables mix numbers with dates and words; keep the text, add the number
        frame["value_numeric"] = pd.to_numeric(frame["value"], errors="coerce")
    frame.attrs["source"] = {
        "dataset": entry.name,
        "file": entry.file,
        "title": entry.title,
        "publisher": entry.publisher,
        "sha256": entry.sha256,
        "reference_period": entry.reference_period,
    }
    return frame.reset_index(drop=True)


def load(name: str) -> pd.DataFrame:
    """Return a catalogued raw dataset as a tidy, validated DataFrame.

    The file's sha256 is checked against ``data/raw/catalog.yaml`` first; a changed file is an
    error. Empty cells become missing values (``NA``/``NaN``); NIS codes stay text.

    Parameters
    ----------
    name
        Catalog name, e.g. ``"real_estate_sales"``; :func:`dataset_names` lists them.

    Returns
    -------
    pandas.DataFrame
        One row per observation; ``frame.attrs["source"]`` carries title, publisher, file and
        checksum for captions.

    Raises
    ------
    DataError
        Unknown name, missing or changed file, or a schema violation (one-line message).
    """
    entry = _entry(name)
    if entry.format != "csv":
        raise DataError(
            f"dataset {name!r} is {entry.format}; use permanent_research.data.boundaries"
        )
    return read_table(entry)


def source_note(name: str) -> str:
    """One-line source caption for a dataset: title, publisher, reference period, file."""
    entry = _entry(name)
    return (
        f"Source: {entry.publisher}, {entry.title} ({entry.reference_period}); "
        f"data/raw/{entry.file}"
    )


def check(catalog_path: Path | None = None) -> dict[str, str]:
    """Verify every catalogued file; return ``{name: "ok" | error message}``."""
    results: dict[str, str] = {}
    for name, entry in read_catalog(catalog_path).items():
        try:
            if entry.format == "csv":
                read_table(entry)
            else:
                verify_checksum(entry)
            results[name] = "ok"
        except DataError as error:
            results[name] = str(error)
    return results


def _atomic_write_parquet(frame: pd.DataFrame, target: Path) -> None:
    clean = frame.copy()
    clean.attrs = {}
    with atomic_path(target) as temporary:
        clean.to_parquet(temporary, index=False)


def build(processed_dir: Path | None = None) -> dict[str, Path]:
    """Rebuild ``data/processed`` from ``data/raw``: one parquet per tabular dataset.

    Each file is written to a temporary name and renamed into place, so a reader never sees a
    half-written table. ``manifest.json`` records the raw sha256 each table was built from.
    """
    processed_dir = processed_dir or paths().processed
    written: dict[str, Path] = {}
    manifest: dict[str, dict[str, str | int]] = {}
    for name, entry in read_catalog().items():
        if entry.format != "csv":
            continue
        frame = read_table(entry)
        target = processed_dir / f"{name}.parquet"
        _atomic_write_parquet(frame, target)
        written[name] = target
        manifest[name] = {"raw_file": entry.file, "raw_sha256": entry.sha256, "rows": len(frame)}
    write_text_atomic(
        processed_dir / "manifest.json", json.dumps(manifest, indent=2, sort_keys=True)
    )
    return written
