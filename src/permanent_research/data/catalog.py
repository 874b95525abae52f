"""The catalog of ``data/raw``: what each raw file is, where it comes from, and its checksum.

The catalog (``data/raw/catalog.yaml``) is maintained by hand; code only reads it.
"""

from __future__ import annotations

import hashlib
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


def _parse_entry(name: str, raw: dict, raw_dir: Path, catalog_path: Path) -> DatasetEntry:
    missing = [key for key in _REQUIRED_FIELDS if key not in raw]
    if missing:
        raise DataError(f"{catalog_path}: entry {name!r} lacks field(s) {', '.join(missing)}")
    columns = []
    for column, spec in (raw.get("columns") or {}).items():
        dtype = spec.get("dtype", "string")
        if dtype not in _COLUMN_TYPES:
            raise DataError(
                f"{catalog_path}: {name}.{column} has dtype {dtype!r}; "
                f"choose one of {', '.join(_COLUMN_TYPES)}"
            )
        columns.append(ColumnSpec(column, dtype, spec.get("description", "")))
    return DatasetEntry(
        name=name,
        file=raw["file"],
        title=raw["title"],
        publisher=raw["publisher"],
        source=raw["source"],
        licence=raw["licence"],
        reference_period=str(raw["reference_period"]),
        provenance=raw.get("provenance", ""),
        sha256=str(raw["sha256"]),  # an all-digit hash would load as int
        path=raw_dir / raw["file"],
        format=raw.get("format", "csv"),
        key=tuple(raw.get("key") or ()),
        columns=tuple(columns),
        delimiter=str(raw.get("delimiter", ",")),
        missing_values=tuple(str(v) for v in raw.get("missing_values") or ()),
    )


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
    datasets = document.get("datasets")
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
