"""Readers for the raw data and the build of ``data/processed``.

Raw files are only ever opened for reading. Every frame :func:`load` returns has been
checksum-verified against the catalog and validated against its pandera schema; a problem is a
:class:`~permanent_research.errors.DataError` whose one-line message names the file, the column
and the rows (as line numbers of the file, header = line 1).
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from permanent_research._validation import format_rows
from permanent_research.config import paths
from permanent_research.data.catalog import DatasetEntry, read_catalog, verify_checksum
from permanent_research.data.processed import read_processed, write_processed
from permanent_research.errors import DataError

if TYPE_CHECKING:
    import pandera.errors

__all__ = ["load", "read_table", "dataset_names", "source_note", "check", "build"]

_log = logging.getLogger(__name__)


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
    # the frames read here are indexed by the line number of each record in the file
    return format_rows(int(i) for i in index)


def _decode(entry: DatasetEntry) -> str:
    try:
        data = entry.path.read_bytes()
    except OSError as error:
        raise DataError(f"{entry.path}: cannot read ({error.strerror or error})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise DataError(
            f"{entry.path}: line {line} is not UTF-8 (byte 0x{data[error.start]:02x}); "
            "save the file as UTF-8"
        ) from None


def _wrong_width(entry: DatasetEntry, line: int, fields: int, width: int) -> DataError:
    kind = "too few" if fields < width else "too many"
    return DataError(
        f"{entry.path}: line {line} has {fields} field(s) but the header has {width} "
        f"({kind} fields: a truncated or mis-split row)"
    )


def _record_lines(entry: DatasetEntry, text: str) -> list[int]:
    """Line number of every data record; raise on a row whose field count differs from the header.

    pandas pads a short row with empty values and, with ``index_col=False``, drops the extra
    fields of a long one, so the field count is checked here, before pandas sees the text.
    Blank lines are skipped, as pandas does.
    """
    if not text.endswith(("\n", "\r")):
        last = text.count("\n") + 1
        raise DataError(
            f"{entry.path}: line {last} does not end with a line break, so the file looks "
            "truncated; if that row is complete, end the file with a newline"
        )
    if '"' not in text:
        # no quoting: a record is a physical line and its fields are its delimiters plus one
        physical = text.split("\n")[:-1]
        width = physical[0].count(entry.delimiter) + 1
        lines = []
        for number, line in enumerate(physical[1:], start=2):
            if line in ("", "\r"):
                continue
            fields = line.count(entry.delimiter) + 1
            if fields != width:
                raise _wrong_width(entry, number, fields, width)
            lines.append(number)
        return lines
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=entry.delimiter)
    try:
        width = len(next(reader))
        lines, previous = [], reader.line_num
        for record in reader:
            start, previous = previous + 1, reader.line_num
            if not record:
                continue
            if len(record) != width:
                raise _wrong_width(entry, start, len(record), width)
            lines.append(start)
    except csv.Error as error:
        raise DataError(f"{entry.path}: line {reader.line_num}: {error}") from None
    return lines


def _read_strings(entry: DatasetEntry) -> pd.DataFrame:
    text = _decode(entry)
    if not text.strip():
        raise DataError(f"{entry.path}: file is empty (expected a header and rows)")
    lines = _record_lines(entry, text)
    if not lines:
        raise DataError(f"{entry.path}: file has a header but no rows")
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            dtype=str,
            keep_default_na=False,
            index_col=False,
            sep=entry.delimiter,
        )
    except pd.errors.ParserError as error:
        first_line = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise DataError(f"{entry.path}: cannot parse CSV ({first_line})") from None
    if len(frame) != len(lines):
        raise DataError(
            f"{entry.path}: cannot parse CSV (found {len(frame)} rows, expected {len(lines)})"
        )
    frame.index = pd.Index(lines)
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
    # pandera is imported here, not at module level: a kernel whose every load is served from
    # data/processed never pays its import (~130 ms)
    import pandera.errors

    from permanent_research.data.schemas import schema_for

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
    return _with_source(frame.reset_index(drop=True), entry)


def _with_source(frame: pd.DataFrame, entry: DatasetEntry) -> pd.DataFrame:
    frame.attrs["source"] = {
        "dataset": entry.name,
        "file": entry.file,
        "title": entry.title,
        "publisher": entry.publisher,
        "sha256": entry.sha256,
        "reference_period": entry.reference_period,
    }
    return frame


def load(name: str) -> pd.DataFrame:
    """Return a catalogued raw dataset as a tidy, validated DataFrame.

    The file's sha256 is checked against ``data/raw/catalog.yaml`` first; a changed file is an
    error. Empty cells become missing values (``NA``/``NaN``); NIS codes stay text.

    The validated table is cached in ``data/processed`` (parquet plus manifest); the cached copy
    is read instead of parsing the raw file only while its manifest matches the raw checksum, the
    catalog entry, the data layer's code and the parquet's own checksum. Otherwise the raw file
    is parsed and the cache rewritten atomically; a cache that cannot be written (read-only
    folder, full disk) is skipped silently. The frame is the same either way, dtypes included.

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
    verify_checksum(entry)
    processed_dir = paths().processed
    frame = read_processed(entry, processed_dir)
    if frame is not None:
        return _with_source(frame, entry)
    frame = read_table(entry, verify=False)
    try:
        write_processed(entry, frame, processed_dir)
    except OSError as error:
        # the cache is an optimisation: a read-only or full disk must not stop the analysis
        _log.info("data/processed not updated for %s: %s", name, error)
    return frame


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


def build(processed_dir: Path | None = None) -> dict[str, Path]:
    """Rebuild ``data/processed`` from ``data/raw``: one parquet per tabular dataset.

    Each table and its ``<name>.manifest.json`` (raw sha256, catalog entry and code fingerprints,
    parquet sha256) are written to temporary names and renamed into place, so a reader never sees
    a half-written table; :func:`load` reads a table only while its manifest still matches.
    """
    processed_dir = processed_dir or paths().processed
    written: dict[str, Path] = {}
    for name, entry in read_catalog().items():
        if entry.format != "csv":
            continue
        written[name] = write_processed(entry, read_table(entry), processed_dir)
    # the single manifest of earlier versions described every table at once and is not read
    (processed_dir / "manifest.json").unlink(missing_ok=True)
    return written
