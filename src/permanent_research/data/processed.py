"""The ``data/processed`` cache: one parquet per tabular dataset and a manifest vouching for it.

A processed table is trusted only when its manifest matches everything the table depends on:
the raw file's sha256 (from the catalog, which :func:`~permanent_research.data.load` has just
verified against the file), the catalog entry's columns and key, the code that reads and
validates the raw file (a fingerprint of the data layer's source and of the pandas / pyarrow
versions), and the sha256 of the parquet bytes themselves, so a tampered or half-copied table is
never read. Anything else is a cache miss: the caller reads the raw file and rewrites the table.

Each table and its manifest (``<name>.parquet``, ``<name>.manifest.json``) are written atomically
and separately, so parallel kernels rebuilding the same table never corrupt each other: a reader
that sees a new table with an old manifest gets a checksum mismatch and falls back to raw.
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow

from permanent_research import __version__
from permanent_research._files import atomic_path, write_text_atomic
from permanent_research.data.catalog import DatasetEntry

__all__ = ["FORMAT_VERSION", "read_processed", "write_processed", "manifest_path", "parquet_path"]

FORMAT_VERSION = 1
# The modules whose code decides what a loaded frame looks like: a change to any of them
# invalidates every processed table.
_BUILDER_SOURCES = ("catalog.py", "io.py", "processed.py", "schemas.py")


def parquet_path(processed_dir: Path, name: str) -> Path:
    """Path of a dataset's processed table."""
    return Path(processed_dir) / f"{name}.parquet"


def manifest_path(processed_dir: Path, name: str) -> Path:
    """Path of a dataset's processed-table manifest."""
    return Path(processed_dir) / f"{name}.manifest.json"


@functools.cache
def builder_fingerprint() -> str:
    """sha256 over the data layer's source, the package version and pandas / pyarrow versions."""
    digest = hashlib.sha256()
    here = Path(__file__).parent
    for name in _BUILDER_SOURCES:
        digest.update(name.encode())
        digest.update((here / name).read_bytes())
    for version in (str(FORMAT_VERSION), __version__, pd.__version__, pyarrow.__version__):
        digest.update(version.encode())
    return digest.hexdigest()


def _entry_fingerprint(entry: DatasetEntry) -> str:
    # only what shapes the frame; titles and descriptions reach the frame through attrs, which
    # are attached from the current catalog at load time
    shape = {
        "name": entry.name,
        "file": entry.file,
        "format": entry.format,
        "key": list(entry.key),
        "columns": [[spec.name, spec.dtype] for spec in entry.columns],
    }
    return hashlib.sha256(json.dumps(shape, sort_keys=True).encode()).hexdigest()


def _expected(entry: DatasetEntry) -> dict[str, Any]:
    return {
        "format_version": FORMAT_VERSION,
        "dataset": entry.name,
        "raw_file": entry.file,
        "raw_sha256": entry.sha256,
        "entry": _entry_fingerprint(entry),
        "builder": builder_fingerprint(),
    }


def read_processed(entry: DatasetEntry, processed_dir: Path) -> pd.DataFrame | None:
    """Return the processed table of ``entry`` if its manifest vouches for it, else ``None``.

    The caller must have verified the raw file against ``entry.sha256``. Never raises for a
    missing, stale, unreadable or tampered table: all of these are a cache miss.
    """
    try:
        manifest = json.loads(manifest_path(processed_dir, entry.name).read_text("utf-8"))
        if not isinstance(manifest, dict):
            return None
        if any(manifest.get(key) != value for key, value in _expected(entry).items()):
            return None
        data = parquet_path(processed_dir, entry.name).read_bytes()
        if hashlib.sha256(data).hexdigest() != manifest.get("parquet_sha256"):
            return None
        # single-threaded: the tables are small, and pyarrow's thread pool can abort the
        # interpreter at exit ("terminate called without an active exception", apache/arrow
        # #34314), which a stress test of this function reproduced in ~5% of processes
        frame = pd.read_parquet(
            pyarrow.BufferReader(data), use_threads=False, to_pandas_kwargs={"use_threads": False}
        )
    except (OSError, ValueError, pyarrow.ArrowException):
        # ArrowInvalid is a ValueError, ArrowIOError an OSError; JSON errors are ValueErrors
        return None
    if len(frame) != manifest.get("rows") or list(frame.columns) != manifest.get("columns"):
        return None
    return frame


def write_processed(entry: DatasetEntry, frame: pd.DataFrame, processed_dir: Path) -> Path:
    """Write ``frame`` (the validated raw table of ``entry``) and its manifest atomically.

    Raises
    ------
    OSError
        The folder cannot be written (read-only, full disk); the caller decides whether that
        matters.
    """
    clean = frame.copy()
    clean.attrs = {}
    target = parquet_path(processed_dir, entry.name)
    with atomic_path(target) as temporary:
        clean.to_parquet(temporary, index=False)
        data = temporary.read_bytes()
    manifest = {
        **_expected(entry),
        "parquet_sha256": hashlib.sha256(data).hexdigest(),
        "rows": len(clean),
        "columns": [str(column) for column in clean.columns],
    }
    write_text_atomic(
        manifest_path(processed_dir, entry.name), json.dumps(manifest, indent=2, sort_keys=True)
    )
    return target
