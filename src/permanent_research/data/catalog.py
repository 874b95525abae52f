"""The catalog of ``data/raw``: what each raw file is, where it comes from, and its checksum.

The catalog (``data/raw/catalog.yaml``) is maintained by hand; code only reads it.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import yaml

from permanent_research.config import paths
from permanent_research.errors import ChecksumError, DataError

__all__ = ["ColumnSpec", "DatasetEntry", "read_catalog", "sha256_of", "verify_checksum"]

ColumnType = Literal["string", "int", "float"]
_COLUMN_TYPES: tuple[str, ...] = ("string", "int", "float")


@dataclass(frozen=True)
class ColumnSpec:
    """One documented column of a raw file."""

    name: str
    dtype: ColumnType
    description: str


@dataclass(frozen=True)
class DatasetEntry:
    """One catalog entry: a raw file and its provenance."""

    name: str
    file: str
    title: str
    publisher: str
    source: str
    licence: str
    reference_period: str
    provenance: str
    sha256: str
    path: Path
    format: Literal["csv", "geojson"] = "csv"
    key: tuple[str, ...] = ()
    columns: tuple[ColumnSpec, ...] = field(default_factory=tuple)
    # CSV dialect of files copied byte-for-byte from sources that use another one
    delimiter: str = ","
    missing_values: tuple[str, ...] = ()

    def column(self, name: str) -> ColumnSpec:
        for spec in self.columns:
            if spec.name == name:
                return spec
        raise KeyError(name)


_REQUIRED_FIELDS = (
    "file",
    "title",
    "publisher",
    "source",
    "licence",
    "reference_period",
    "sha256",
)
_OPTIONAL_FIELDS = ("provenance", "format", "key", "columns", "delimiter", "missing_values")
_FORMATS: tuple[str, ...] = ("csv", "geojson")
_SHA256 = re.compile(r"[0-9a-f]{64}")


def _is_scalar_text(value: object) -> bool:
    # YAML reads 2020 as int and 2020-01-01 as a date; both are fine as text, a list is not
    return isinstance(value, str | int | float | datetime.date) and not isinstance(value, bool)


def _parse_columns(name: str, raw: object, where: str) -> tuple[ColumnSpec, ...]:
    if not isinstance(raw, dict):
        raise DataError(
            f"{where}: entry {name!r} field 'columns' must map column names to "
            f"{{dtype, description}}, not {type(raw).__name__}"
        )
    columns = []
    for column, spec in raw.items():
        if not isinstance(column, str):
            raise DataError(
                f"{where}: entry {name!r} has column name {column!r}; quote it as text"
            )
        if spec is None:
            spec = {}
        if not isinstance(spec, dict):
            raise DataError(
                f"{where}: {name}.{column} must be a mapping like "
                f"{{dtype: string, description: ...}}, not {spec!r}"
            )
        unknown = sorted(set(spec) - {"dtype", "description"})
        if unknown:
            raise DataError(
                f"{where}: {name}.{column} has unknown field(s) {', '.join(map(str, unknown))}; "
                "allowed: dtype, description"
            )
        dtype = spec.get("dtype", "string")
        if dtype not in _COLUMN_TYPES:
            raise DataError(
                f"{where}: {name}.{column} has dtype {dtype!r}; "
                f"choose one of {', '.join(_COLUMN_TYPES)}"
            )
        description = spec.get("description", "")
        if not isinstance(description, str):
            raise DataError(f"{where}: {name}.{column} description must be text")
        columns.append(ColumnSpec(column, dtype, description))
    return tuple(columns)


def _parse_key(name: str, raw: object, columns: tuple[ColumnSpec, ...], where: str) -> tuple:
    if raw is None:
        return ()
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not all(isinstance(k, str) for k in raw):
        raise DataError(f"{where}: entry {name!r} field 'key' must be a list of column names")
    declared = [spec.name for spec in columns]
    unknown = [k for k in raw if k not in declared]
    if unknown:
        raise DataError(
            f"{where}: entry {name!r} key names column(s) {', '.join(unknown)} that it does "
            f"not declare; declared columns: {', '.join(declared) or 'none'}"
        )
    return tuple(raw)


def _parse_file(name: str, raw: object, raw_dir: Path, where: str) -> Path:
    if not isinstance(raw, str) or not raw.strip():
        raise DataError(f"{where}: entry {name!r} field 'file' must be a file name")
    path = (raw_dir / raw).resolve()
    if not path.is_relative_to(raw_dir.resolve()):
        raise DataError(
            f"{where}: entry {name!r} file {raw!r} lies outside {raw_dir}; catalogued files "
            "live in the catalog's folder"
        )
    return raw_dir / raw


def _parse_entry(name: object, raw: object, raw_dir: Path, catalog_path: Path) -> DatasetEntry:
    where = str(catalog_path)
    if not isinstance(name, str):
        raise DataError(f"{where}: dataset name {name!r} must be text")
    if not isinstance(raw, dict):
        raise DataError(
            f"{where}: entry {name!r} must be a mapping of fields "
            f"({', '.join(_REQUIRED_FIELDS)}, ...), not {type(raw).__name__}"
        )
    missing = [key for key in _REQUIRED_FIELDS if key not in raw]
    if missing:
        raise DataError(f"{where}: entry {name!r} lacks field(s) {', '.join(missing)}")
    unknown = [str(key) for key in raw if key not in _REQUIRED_FIELDS + _OPTIONAL_FIELDS]
    if unknown:
        raise DataError(
            f"{where}: entry {name!r} has unknown field(s) {', '.join(unknown)}; allowed: "
            f"{', '.join(_REQUIRED_FIELDS + _OPTIONAL_FIELDS)}"
        )
    for key in (*_REQUIRED_FIELDS, "provenance"):
        if key in raw and not _is_scalar_text(raw[key]):
            raise DataError(f"{where}: entry {name!r} field {key!r} must be text")
    sha256 = str(raw["sha256"])  # an all-digit hash loads as int
    if not _SHA256.fullmatch(sha256):
        raise DataError(
            f"{where}: entry {name!r} sha256 {sha256[:20]!r} is not 64 lowercase hex digits"
        )
    format_ = raw.get("format", "csv")
    if format_ not in _FORMATS:
        raise DataError(
            f"{where}: entry {name!r} has format {format_!r}; choose one of {', '.join(_FORMATS)}"
        )
    columns = _parse_columns(name, raw.get("columns") or {}, where)
    if format_ == "csv" and not columns:
        raise DataError(f"{where}: csv entry {name!r} declares no columns")
    return DatasetEntry(
        name=name,
        file=raw["file"],
        title=str(raw["title"]),
        publisher=str(raw["publisher"]),
        source=str(raw["source"]),
        licence=str(raw["licence"]),
        reference_period=str(raw["reference_period"]),
        provenance=str(raw.get("provenance", "")),
        sha256=sha256,
        path=_parse_file(name, raw["file"], raw_dir, where),
        format=format_,
        key=_parse_key(name, raw.get("key"), columns, where),
        columns=columns,
        delimiter=_parse_delimiter(name, raw.get("delimiter", ","), where),
        missing_values=tuple(str(v) for v in raw.get("missing_values") or ()),
    )


_DELIMITERS = (",", ";", "\t", "|")


def _parse_delimiter(name: str, value: object, where: str) -> str:
    if value not in _DELIMITERS:
        shown = ", ".join(repr(d) for d in _DELIMITERS)
        raise DataError(f"{where}: entry {name!r} has delimiter {value!r}; choose one of {shown}")
    return str(value)


def read_catalog(catalog_path: Path | None = None) -> dict[str, DatasetEntry]:
    """Read the catalog into ``{name: DatasetEntry}``.

    Parameters
    ----------
    catalog_path
        Catalog file; defaults to ``data/raw/catalog.yaml`` of the project.
    """
    catalog_path = catalog_path or paths().catalog
    if not catalog_path.is_file():
        raise DataError(f"{catalog_path}: catalog file not found")
    text = catalog_path.read_text(encoding="utf-8")
    key = (str(catalog_path), text)
    cached = _PARSED.get(key)
    if cached is None:
        cached = _parse_catalog(text, catalog_path)
        _PARSED.clear()  # keep only the latest version of one catalog
        _PARSED[key] = cached
    return dict(cached)


# Parsed catalogs by (path, full text): notebooks call load()/source_note() dozens of times and
# parsing the YAML costs ~50 ms; the text is re-read every time, so an edited catalog is seen.
_PARSED: dict[tuple[str, str], dict[str, DatasetEntry]] = {}
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available


def _parse_catalog(text: str, catalog_path: Path) -> dict[str, DatasetEntry]:
    try:
        document = yaml.load(text, Loader=_YAML_LOADER) or {}  # noqa: S506 (a safe loader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise DataError(f"{catalog_path}: invalid YAML{where}") from None
    datasets = document.get("datasets") if isinstance(document, dict) else None
    if not isinstance(datasets, dict):
        raise DataError(f"{catalog_path}: expected a top-level 'datasets:' mapping")
    raw_dir = catalog_path.parent
    return {
        name: _parse_entry(name, entry, raw_dir, catalog_path) for name, entry in datasets.items()
    }


def sha256_of(path: Path) -> str:
    """Return the hex sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_checksum(entry: DatasetEntry) -> None:
    """Raise unless the raw file exists and matches the catalog's sha256."""
    if not entry.path.is_file():
        raise DataError(
            f"{entry.path}: file named by catalog entry {entry.name!r} does not exist; "
            "restore it (git checkout -- data/raw) or fix the catalog"
        )
    actual = sha256_of(entry.path)
    if actual != entry.sha256:
        raise ChecksumError(
            f"{entry.path}: sha256 {actual} differs from the catalog's "
            f"{entry.sha256[:12]}…; raw data is immutable: restore the file "
            "(git checkout -- data/raw) or, for a deliberate new version, record its provenance "
            "and update the catalog's sha256"
        )
