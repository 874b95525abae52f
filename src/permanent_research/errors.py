"""The package's exceptions and warnings.

Every error a *user* can cause (bad data, a bad parameter, a bad scenario file) is a
:class:`PermanentResearchError` whose message is one line naming the file, column, rows or
parameter and, where there is a closed set, the allowed values. The command line prints that
line without a traceback; notebooks show it as the cell's error.
"""

from __future__ import annotations

__all__ = [
    "PermanentResearchError",
    "DataError",
    "ChecksumError",
    "ParameterError",
    "ScenarioError",
    "NotebookError",
    "ReportsError",
    "PermanentResearchWarning",
    "SyntheticDataWarning",
]


class PermanentResearchError(Exception):
    """Base class for every user-facing error of the package (one-line message)."""


class DataError(PermanentResearchError, ValueError):
    """A data file or frame does not follow its documented schema."""


class ChecksumError(DataError):
    """A raw data file no longer matches the sha256 recorded in the catalog."""


class ParameterError(PermanentResearchError, ValueError):
    """A function or notebook parameter is unknown, ill-typed or out of range."""


class ScenarioError(ParameterError):
    """A scenario file is unreadable, or names an unknown or ill-typed parameter."""


class NotebookError(PermanentResearchError):
    """A notebook name is unknown, or a notebook failed to execute."""


class ReportsError(PermanentResearchError, OSError):
    """``reports/`` cannot be written (read-only, disk full) or another run holds its lock."""


class PermanentResearchWarning(UserWarning):
    """Base class for the package's warnings."""


class SyntheticDataWarning(PermanentResearchWarning):
    """Results rest on synthetic data: they demonstrate a method, not a finding."""
