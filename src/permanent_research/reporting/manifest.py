"""Provenance and content hashes for the reports.

Every report ``reports/<scenario>/<stem>`` carries a ``<stem>.manifest.json``: the git commit
(and whether the working tree was dirty), the scenario and resolved parameters, the input
checksums (the sha256 recorded in ``data/raw/catalog.yaml`` for every raw file, plus the
notebook file's own sha256), package versions, run date and duration, and the *content hash*
that decides whether a rerun can be skipped.

The content hash covers, as DVC and Snakemake do, everything that can change a report: the
notebook's source with outputs stripped, the resolved parameters, the package's source files
(``src/permanent_research/**/*.py`` and the report templates), the raw-data checksums from the
catalog and the scenario file's section for that notebook. Nothing here imports pandas or
nbformat, so an unchanged rerun stays well under a second of overhead.
"""

from __future__ import annotations

import functools
import hashlib
import json
import platform
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import yaml

from permanent_research._files import write_text_atomic

__all__ = [
    "MANIFEST_VERSION",
    "VERSIONED_PACKAGES",
    "GitState",
    "git_state",
    "package_versions",
    "catalog_checksums",
    "notebook_source_digest",
    "package_source_digest",
    "content_hash",
    "file_sha256",
    "write_json_atomic",
    "write_text_atomic",
    "read_json",
]

MANIFEST_VERSION = 1

#: Distributions whose versions every manifest records.
VERSIONED_PACKAGES: tuple[str, ...] = (
    "permanent-research",
    "pandas",
    "numpy",
    "scipy",
    "statsmodels",
    "pyfixest",
    "matplotlib",
    "seaborn",
    "geopandas",
    "pandera",
    "papermill",
    "nbconvert",
    "nbclient",
    "ipykernel",
)

try:
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader


@dataclass(frozen=True)
class GitState:
    """Commit of the project's repository and whether tracked files had uncommitted changes."""

    commit: str
    dirty: bool

    def describe(self) -> str:
        """``"abc1234… (dirty)"`` for footers."""
        return f"{self.commit}{' (dirty)' if self.dirty else ''}"


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def git_state(root: Path) -> GitState:
    """Return the repository's HEAD commit and a dirty flag (tracked files only).

    Outside a git repository (an unpacked archive, a test folder) the commit is ``"unknown"``.
    """
    commit = _git(root, "rev-parse", "HEAD")
    if commit is None:
        return GitState("unknown", False)
    status = _git(root, "status", "--porcelain", "--untracked-files=no")
    return GitState(commit, bool(status))


@functools.cache
def package_versions() -> dict[str, str]:
    """Versions of Python and of :data:`VERSIONED_PACKAGES` (without importing them)."""
    versions = {"python": platform.python_version()}
    for name in VERSIONED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def catalog_checksums(catalog: Path) -> dict[str, str]:
    """``{raw file name: sha256}`` as recorded in ``data/raw/catalog.yaml``.

    The recorded values are used (not recomputed): ``permanent_research.data.load`` verifies
    each file against them, so a changed file fails inside the notebook instead of silently.
    """
    try:
        document = yaml.load(catalog.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506
    except (OSError, yaml.YAMLError):
        return {}
    datasets = (document or {}).get("datasets") or {}
    found: dict[str, str] = {}
    for name, entry in datasets.items():
        if isinstance(entry, dict):
            found[str(entry.get("file", name))] = str(entry.get("sha256", ""))
    return dict(sorted(found.items()))


def file_sha256(path: Path) -> str:
    """sha256 of a file's bytes (hex)."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def notebook_source_digest(node: Mapping[str, Any]) -> str:
    """sha256 of a notebook's cells *without outputs* (type, source, tags) and kernel name."""
    cells = []
    for cell in node.get("cells", []):
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        tags = list((cell.get("metadata") or {}).get("tags") or [])
        cells.append([cell.get("cell_type"), source, tags])
    kernel = ((node.get("metadata") or {}).get("kernelspec") or {}).get("name")
    payload = json.dumps({"cells": cells, "kernel": kernel}, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _package_files(package_dir: Path) -> Iterable[Path]:
    yield from package_dir.rglob("*.py")
    templates = package_dir / "reporting" / "templates"
    if templates.is_dir():
        yield from (p for p in templates.rglob("*") if p.is_file())


@functools.cache
def package_source_digest(package_dir: Path | None = None) -> str:
    """sha256 over the package's source files (paths and bytes), computed once per process."""
    if package_dir is None:
        package_dir = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(set(_package_files(package_dir))):
        if "__pycache__" in path.parts:
            continue
        digest.update(path.relative_to(package_dir).as_posix().encode("utf-8") + b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def content_hash(
    *,
    notebook_digest: str,
    parameters: Mapping[str, Any],
    package_digest: str,
    data_checksums: Mapping[str, str],
    scenario_section: Any,
) -> str:
    """Combine the five inputs of a report into one sha256 (hex).

    ``parameters`` must not contain machine-specific paths (leave ``export_dir`` out): the hash
    describes what the report computes, not where it is written.
    """
    payload = json.dumps(
        {
            "version": MANIFEST_VERSION,
            "notebook": notebook_digest,
            "parameters": parameters,
            "package": package_digest,
            "data": dict(data_checksums),
            "scenario": scenario_section,
        },
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def write_json_atomic(path: Path, payload: Any, *, sort_keys: bool = True) -> None:
    """Write JSON to ``path`` atomically (see :func:`write_text_atomic`).

    ``sort_keys=False`` keeps the mapping's order (headline numbers stay in notebook order).
    """
    text = json.dumps(payload, indent=2, sort_keys=sort_keys, default=str)
    write_text_atomic(path, text + "\n")


def read_json(path: Path) -> Any | None:
    """Read a JSON file, or None if it is missing or unreadable."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
