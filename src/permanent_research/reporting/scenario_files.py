"""Scenario files (``scenarios/<name>.yaml``) and notebook parameters.

A scenario file is a small YAML mapping::

    description: Baseline: every notebook with its default parameters.
    notebooks:                 # notebook stem -> parameter overrides (may be {})
      02_rent_trends:
        start_year: 2010
    assumptions: {...}         # optional sections, validated by the analysis modules
    programme: {...}

``scenarios/baseline.yaml`` is the default scenario and runs every notebook; any other scenario
runs only the notebooks it lists. Everything here is checked *before* a kernel starts: the
YAML itself, the top-level keys, each optional section (by the validator its analysis module
registers, when that module exists) and every parameter override against the literal defaults
of the notebook's ``parameters`` cell.

This module imports nothing heavy (no pandas, no nbformat) so the command line stays fast.
"""

from __future__ import annotations

import ast
import datetime as _dt
import difflib
import importlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from permanent_research.config import paths
from permanent_research.errors import NotebookError, ParameterError, ScenarioError
from permanent_research.reporting.parameters import (
    INTERNAL_PARAMETERS,
    check_parameters,
    check_scenario_name,
    spec_for,
)

__all__ = [
    "BASELINE",
    "SECTION_VALIDATORS",
    "ScenarioFile",
    "load_scenario",
    "available_scenarios",
    "notebook_parameters",
    "check_overrides",
]

BASELINE = "baseline"

#: Optional top-level sections and the ``"module:function"`` that validates each. A validator is
#: called as ``validator(mapping, source=...)`` and raises ScenarioError; it is imported lazily,
#: and a section whose module or function does not exist yet is accepted without deep checks.
SECTION_VALIDATORS: dict[str, str] = {
    "assumptions": "permanent_research.scenarios:validate_assumptions",
    "programme": "permanent_research.programme:validate_programme",
    "correlations": "permanent_research.sensitivity:validate_correlations",
    "money": "permanent_research.scenarios:validate_money",
    "eligibility": "permanent_research.eligibility:validate_eligibility",
}

_REQUIRED_KEYS = ("description",)
_BASE_KEYS = ("description", "notebooks")
_MISSING = object()

try:  # libyaml is ~10x faster than the pure-Python loader
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _Loader = yaml.SafeLoader


def _allowed_keys() -> str:
    return ", ".join((*_BASE_KEYS, *SECTION_VALIDATORS))


def _find_validator(key: str) -> Any | None:
    """Return the registered validator for ``key``, or None if it does not exist (yet)."""
    target = SECTION_VALIDATORS.get(key)
    if target is None:
        return None
    module_name, _, function_name = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name is not None and module_name.startswith(error.name):
            return None  # the analysis module is not written yet: no deep validation
        raise
    return getattr(module, function_name, None)


@dataclass(frozen=True)
class ScenarioFile:
    """A parsed, structurally checked scenario file.

    Attributes
    ----------
    name
        Scenario name: the file's stem (``"baseline"`` for ``scenarios/baseline.yaml``).
    path
        Absolute path of the YAML file.
    description
        One-paragraph description (required key).
    notebooks
        ``{notebook stem: {parameter: value}}``, the overrides per notebook.
    sections
        The optional sections as raw mappings (``{"assumptions": {...}}``).
    """

    name: str
    path: Path
    description: str
    notebooks: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    sections: Mapping[str, Any] = field(default_factory=dict)

    @property
    def is_baseline(self) -> bool:
        """True for the default scenario, which runs every notebook."""
        return self.name == BASELINE

    def overrides(self, stem: str) -> dict[str, Any]:
        """Return the parameter overrides this scenario sets for notebook ``stem``."""
        return dict(self.notebooks.get(stem) or {})

    def section(self, key: str, default: Any = _MISSING) -> Any:
        """Return section ``key`` validated by its analysis module.

        Returns the validator's result, or the raw mapping when no validator is registered or
        its module does not exist yet. A missing section returns ``default`` if given and
        otherwise raises :class:`~permanent_research.errors.ScenarioError`.
        """
        if key not in self.sections:
            if default is not _MISSING:
                return default
            present = ", ".join(self.sections) or "none"
            raise ScenarioError(
                f"{self.path}: scenario {self.name!r} has no section {key!r}; "
                f"sections present: {present}"
            )
        raw = self.sections[key]
        validator = _find_validator(key)
        if validator is None:
            return raw
        return validator(raw, source=f"{self.path}:{key}")

    def siblings(self) -> list[ScenarioFile]:
        """The other scenario files of this file's folder, loaded (baseline first), so that a
        report can say why its answer differs from theirs without looking one up by name."""
        return [load_scenario(path) for path in sorted(
            self.path.parent.glob("*.yaml"), key=lambda p: (p.stem != BASELINE, p.stem))
            if path.resolve() != Path(self.path).resolve()]

    def validate_sections(self) -> None:
        """Run every registered section validator (raises ScenarioError on a bad section)."""
        for key in self.sections:
            self.section(key)


def _scenario_dir() -> Path:
    return paths().scenarios


def available_scenarios(directory: Path | None = None) -> list[str]:
    """Names of the scenario files in ``scenarios/`` (sorted; baseline first).

    Every ``*.yaml`` file is listed, including one whose name is not allowed: loading it then
    fails with a one-line error instead of the file being silently ignored.
    """
    folder = directory or _scenario_dir()
    names = sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []
    return sorted(names, key=lambda name: (name != BASELINE, name))


def _resolve_path(name_or_path: str | os.PathLike) -> Path:
    text = os.fspath(name_or_path)
    candidate = Path(text).expanduser()
    looks_like_path = os.sep in text or "/" in text or text in (".", "..")
    if candidate.suffix in (".yaml", ".yml") or looks_like_path:
        if candidate.is_file():
            return candidate.resolve()
        # A relative path is also read from the project root: the runner hands kernels
        # "scenarios/<name>.yaml", so no machine path shows in a report's parameters cell.
        in_project = paths().root / candidate
        if not candidate.is_absolute() and in_project.is_file():
            return in_project.resolve()
        raise ScenarioError(f"scenario file {text} does not exist")
    folder = _scenario_dir()
    for suffix in (".yaml", ".yml"):
        path = folder / f"{text}{suffix}"
        if path.is_file():
            return path.resolve()
    known = ", ".join(available_scenarios(folder)) or "none"
    raise ScenarioError(
        f"unknown scenario {text!r}: no {folder / (text + '.yaml')}; known: {known}"
    )


def _parse_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ScenarioError(f"cannot read scenario file {path}: {error.strerror}") from None
    except UnicodeDecodeError as error:
        line = path.read_bytes()[: error.start].count(b"\n") + 1
        raise ScenarioError(
            f"{path}:{line}: not UTF-8 text (byte 0x{error.object[error.start]:02x} at offset "
            f"{error.start}); save the scenario file as UTF-8"
        ) from None
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - safe loader
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise ScenarioError(f"{where}: invalid YAML ({problem})") from None


def load_scenario(name_or_path: str | os.PathLike = BASELINE) -> ScenarioFile:
    """Read and structurally check a scenario file.

    Parameters
    ----------
    name_or_path
        A scenario name (``"baseline"`` → ``scenarios/baseline.yaml`` under the project root)
        or a path to a YAML file.

    Returns
    -------
    ScenarioFile
        Sections are kept raw; :meth:`ScenarioFile.section` validates one on demand.

    Raises
    ------
    ScenarioError
        Unknown scenario, invalid YAML (with file and line), unknown top-level key, missing or
        non-text ``description``, or a ``notebooks`` entry that is not a mapping.
    """
    path = _resolve_path(name_or_path)
    try:
        check_scenario_name(path.stem, source=str(path))
    except ParameterError as error:
        raise ScenarioError(str(error)) from None
    data = _parse_yaml(path)
    if not isinstance(data, dict):
        raise ScenarioError(
            f"{path}: a scenario file must be a mapping with keys {_allowed_keys()}; "
            f"found {type(data).__name__}"
        )
    unknown = [str(key) for key in data if key not in _BASE_KEYS and key not in SECTION_VALIDATORS]
    if unknown:
        raise ScenarioError(
            f"{path}: unknown top-level key(s) {', '.join(map(repr, unknown))}; "
            f"allowed: {_allowed_keys()}"
        )
    for key in _REQUIRED_KEYS:
        if key not in data:
            raise ScenarioError(f"{path}: missing required key {key!r}")
    description = data["description"]
    if not isinstance(description, str) or not description.strip():
        raise ScenarioError(f"{path}: 'description' must be a non-empty text")
    notebooks = data.get("notebooks") or {}
    if not isinstance(notebooks, dict):
        raise ScenarioError(
            f"{path}: 'notebooks' must map notebook names to parameter mappings; "
            f"found {type(notebooks).__name__}"
        )
    checked: dict[str, dict[str, Any]] = {}
    for stem, overrides in notebooks.items():
        overrides = {} if overrides is None else overrides
        if not isinstance(overrides, dict):
            raise ScenarioError(
                f"{path}: notebooks.{stem} must be a mapping of parameter: value; "
                f"found {type(overrides).__name__}"
            )
        checked[str(stem)] = {str(name): value for name, value in overrides.items()}
    sections = {key: data[key] for key in SECTION_VALIDATORS if key in data}
    return ScenarioFile(
        name=path.stem,
        path=path,
        description=description.strip(),
        notebooks=checked,
        sections=sections,
    )


# --------------------------------------------------------------------------- parameters


def _read_notebook_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise NotebookError(f"cannot read notebook {path}: {error}") from None


def _cell_source(cell: Mapping[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def notebook_parameters(notebook: Path | Mapping[str, Any]) -> dict[str, Any]:
    """Parameter names and literal defaults of a notebook's ``parameters``-tagged cell.

    Parameters
    ----------
    notebook
        Path of an ``.ipynb`` file, or its already-parsed JSON.

    Returns
    -------
    dict
        ``{name: default}`` in cell order; empty if no cell is tagged ``parameters``.

    Raises
    ------
    NotebookError
        If the cell is not valid Python or assigns something other than a literal.
    """
    label = str(notebook) if isinstance(notebook, Path) else "notebook"
    node = _read_notebook_json(notebook) if isinstance(notebook, Path) else notebook
    for cell in node.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        if "parameters" not in (cell.get("metadata", {}).get("tags") or []):
            continue
        source = _cell_source(cell)
        try:
            tree = ast.parse(source)
        except SyntaxError as error:
            raise NotebookError(
                f"{label}: parameters cell line {error.lineno}: {error.msg}"
            ) from None
        found: dict[str, Any] = {}
        for statement in tree.body:
            if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
                target, value = statement.targets[0], statement.value
            elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
                target, value = statement.target, statement.value
            elif isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
                continue  # a bare string (comment-like)
            else:
                raise NotebookError(
                    f"{label}: parameters cell line {statement.lineno}: only "
                    "'name = literal' assignments are allowed"
                )
            if not isinstance(target, ast.Name):
                raise NotebookError(
                    f"{label}: parameters cell line {statement.lineno}: assign to a plain name"
                )
            try:
                found[target.id] = ast.literal_eval(value)
            except ValueError:
                raise NotebookError(
                    f"{label}: parameters cell line {statement.lineno}: {target.id} is not a "
                    "literal (compute derived values in the next cell)"
                ) from None
        return found
    return {}


def _type_name(value: Any) -> str:
    return "None" if value is None else type(value).__name__


def _coerce(default: Any, value: Any) -> tuple[bool, Any]:
    """Return ``(ok, value)``: may ``value`` replace a parameter whose default is ``default``."""
    if default is None:
        return True, value
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool), value
    if isinstance(default, float) and isinstance(value, int):
        return True, float(value)
    if isinstance(default, list | tuple) and isinstance(value, list | tuple):
        return True, list(value)  # YAML has no tuples; papermill injects lists faithfully
    return type(value) is type(default), value


def _plain(value: Any) -> bool:
    """True if papermill can inject ``value`` faithfully (JSON-like, finite numbers)."""
    if value is None or isinstance(value, bool | int | str):
        return True
    if isinstance(value, float):
        return value == value and value not in (float("inf"), float("-inf"))
    if isinstance(value, list | tuple):
        return all(_plain(item) for item in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(item) for k, item in value.items())
    return False


def _not_plain(source: str, stem: str, name: str, value: Any) -> str:
    return (
        f"{source}: notebook {stem} parameter {name}={value!r} is "
        f"{_type_name(value)}; use text, numbers (finite), true/false, null, lists or "
        "mappings (quote dates and codes)"
    )


def check_overrides(
    stem: str,
    defaults: Mapping[str, Any],
    overrides: Mapping[str, Any],
    *,
    source: str,
) -> dict[str, Any]:
    """Check scenario overrides against a notebook's parameter defaults.

    Parameters
    ----------
    stem
        Notebook stem (for messages).
    defaults
        ``{name: default}`` from :func:`notebook_parameters`.
    overrides
        ``{name: value}`` from the scenario file.
    source
        The scenario file (for messages).

    Returns
    -------
    dict
        The overrides, with ints widened to float where the default is a float.

    Raises
    ------
    ScenarioError
        A parameter the runner sets (``export_dir``, ``scenario``); for a notebook with a declared
        spec (:mod:`~permanent_research.reporting.parameters`), an unknown parameter or a value
        outside its kind, range or options; for a notebook without one, an unknown parameter or
        a value whose type differs from the default's (an int is accepted for a float; a
        ``None`` default accepts anything).
    """
    for name in overrides:
        if name in INTERNAL_PARAMETERS:
            raise ScenarioError(
                f"{source}: notebook {stem} parameter {name!r} is set by the runner "
                f"({INTERNAL_PARAMETERS[name]}); remove it from the scenario file"
            )
    if spec_for(stem) is not None:
        for name, value in overrides.items():
            if not _plain(value):
                raise ScenarioError(_not_plain(source, stem, name, value))
        try:
            return check_parameters(
                stem, overrides, source=source, partial=True, allow_internal=False
            )
        except ParameterError as error:
            raise ScenarioError(str(error)) from None
    checked: dict[str, Any] = {}
    for name, value in overrides.items():
        if name not in defaults:
            close = difflib.get_close_matches(name, list(defaults), n=3)
            hint = f"did you mean {', '.join(close)}? " if close else ""
            known = ", ".join(defaults) or "none"
            raise ScenarioError(
                f"{source}: notebook {stem} has no parameter {name!r}; {hint}known: {known}"
            )
        if not _plain(value):
            raise ScenarioError(_not_plain(source, stem, name, value))
        ok, converted = _coerce(defaults[name], value)
        if not ok:
            hint = ""
            if isinstance(value, _dt.date) and isinstance(defaults[name], str):
                hint = " (YAML read a date: quote it)"
            elif isinstance(value, int | float) and isinstance(defaults[name], str):
                hint = " (quote it in the YAML file to keep it as text)"
            raise ScenarioError(
                f"{source}: notebook {stem} parameter {name}={value!r} is "
                f"{_type_name(value)}, expected {_type_name(defaults[name])} like the default "
                f"{defaults[name]!r}{hint}"
            )
        checked[name] = converted
    return checked
