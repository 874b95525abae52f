"""Project paths and defaults.

Every path the package uses comes from here, never from the working directory, so a notebook
runs the same under papermill from the repository root, under nbval from ``notebooks/`` and from
an installed package.

The project root is, in order of preference:

1. the ``PERMANENT_RESEARCH_HOME`` environment variable, read at call time;
2. the repository that holds this source file (an editable install, the usual case);
3. the nearest parent of the working directory that holds ``data/raw/catalog.yaml``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from permanent_research.errors import PermanentResearchError

__all__ = ["ENV_HOME", "ProjectPaths", "project_root", "paths"]

ENV_HOME = "PERMANENT_RESEARCH_HOME"
_CATALOG_RELATIVE = Path("data") / "raw" / "catalog.yaml"


@dataclass(frozen=True)
class ProjectPaths:
    """Absolute paths of the project's folders."""

    root: Path

    @property
    def raw(self) -> Path:
        """Immutable raw data and its catalog (never written by code)."""
        return self.root / "data" / "raw"

    @property
    def catalog(self) -> Path:
        return self.raw / "catalog.yaml"

    @property
    def processed(self) -> Path:
        """Parquet tables rebuilt from raw by ``permanent-research data build``."""
        return self.root / "data" / "processed"

    @property
    def notebooks(self) -> Path:
        return self.root / "notebooks"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def scenarios(self) -> Path:
        return self.root / "scenarios"


def _looks_like_project(candidate: Path) -> bool:
    return (candidate / _CATALOG_RELATIVE).is_file()


def project_root() -> Path:
    """Return the project root (see the module docstring for the search order).

    Raises
    ------
    PermanentResearchError
        If no folder holding ``data/raw/catalog.yaml`` can be found.
    """
    override = os.environ.get(ENV_HOME)
    if override:
        root = Path(override).expanduser().resolve()
        if not _looks_like_project(root):
            raise PermanentResearchError(
                f"{ENV_HOME}={override} does not hold {_CATALOG_RELATIVE}; "
                "point it at the project root or unset it"
            )
        return root
    source_root = Path(__file__).resolve().parents[2]
    if _looks_like_project(source_root):
        return source_root
    for candidate in [Path.cwd(), *Path.cwd().parents]:
        if _looks_like_project(candidate):
            return candidate
    raise PermanentResearchError(
        f"cannot find the project root: set {ENV_HOME} to the folder that holds "
        f"{_CATALOG_RELATIVE}"
    )


def paths() -> ProjectPaths:
    """Return the project's folders, resolved now (so the override can change in tests)."""
    return ProjectPaths(project_root())
