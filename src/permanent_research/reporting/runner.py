"""The report runner: scenarios × notebooks → ``reports/``, incremental, parallel, atomic.

For every (scenario, notebook) pair the runner

1. checks the scenario's overrides against the notebook's ``parameters`` cell (before any kernel
   starts; see :mod:`~permanent_research.reporting.scenario_files`);
2. computes a content hash (:func:`~permanent_research.reporting.manifest.content_hash`) and
   skips the pair when the last successful report has the same hash (``--force`` reruns);
3. executes the notebook with papermill in a worker process, into a staging folder
   ``reports/.staging/<scenario>/<stem>-<random>/``, injecting ``export_dir`` (and ``scenario``
   when declared) and the overrides; renders the full and the code-hidden HTML with a
   provenance footer, and writes the manifest and the headline numbers;
4. on success moves every file into ``reports/<scenario>/`` with ``os.replace`` (the manifest
   last); on failure keeps the executed notebook as ``<stem>.failed.ipynb`` and
   ``<stem>.failed.html`` and never touches the last good report;
5. rebuilds ``reports/index.html``.

Notebooks that declare a ``scenario`` parameter receive the absolute path of the scenario file
the runner resolved and validated: a notebook never looks a scenario up by name, so a file
anywhere on disk runs as itself.

``08_synthesis`` runs after every other notebook of the run (it reads the headline numbers of
the scenarios it lines up, ``compare_scenarios``), and its content hash covers those headline
files: it reruns whenever one of them changes.
"""

from __future__ import annotations

import concurrent.futures as futures
import datetime as _dt
import hashlib
import json
import multiprocessing
import os
import secrets
import shutil
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from permanent_research.config import paths
from permanent_research.errors import NotebookError, ParameterError, ReportsError, ScenarioError
from permanent_research.reporting.manifest import (
    catalog_checksums,
    content_hash,
    file_sha256,
    git_state,
    notebook_source_digest,
    package_source_digest,
    package_versions,
    read_json,
    write_json_atomic,
)
from permanent_research.reporting.parameters import SIBLING_SCENARIO_READERS
from permanent_research.reporting.scenario_files import (
    BASELINE,
    ScenarioFile,
    _read_notebook_json,
    available_scenarios,
    check_overrides,
    load_scenario,
    notebook_parameters,
)

__all__ = [
    "SYNTHESIS",
    "Job",
    "JobResult",
    "RunLock",
    "RunSummary",
    "list_notebooks",
    "resolve_notebooks",
    "plan",
    "run",
    "default_jobs",
]

SYNTHESIS = "08_synthesis"
STAGING = ".staging"
LOCK = ".lock"
EXECUTION_TIMEOUT_S = 1200
START_TIMEOUT_S = 120

Status = Literal["ok", "failed", "skipped-unchanged"]


def default_jobs() -> int:
    """``min(2, os.cpu_count())``: the machines this runs on have two cores."""
    return max(1, min(2, os.cpu_count() or 1))


@dataclass(frozen=True)
class Job:
    """One notebook to run under one scenario (everything a worker process needs)."""

    scenario: str
    scenario_path: str
    scenario_description: str
    stem: str
    notebook: str
    notebooks_dir: str
    report_dir: str
    parameters: Mapping[str, Any]
    content_hash: str
    inputs: Mapping[str, Any]
    git: Mapping[str, Any]
    versions: Mapping[str, str]
    timeout_s: int = EXECUTION_TIMEOUT_S
    staging_dir: str = ""
    gathers: tuple[str, ...] = ()
    overridden: tuple[str, ...] = ()
    defaults: Mapping[str, Any] = field(default_factory=dict)
    #: Where the kernel's own Dask work goes (PERMANENT_RESEARCH_SCHEDULER, unless the
    #: environment sets it): "inline" on this machine, the cluster's address with --scheduler.
    kernel_scheduler: str = "inline"
    command_line: tuple[str, ...] = ()  # parameters set by `run --input`

    @property
    def label(self) -> str:
        return f"{self.stem} [{self.scenario}]"


@dataclass(frozen=True)
class JobResult:
    """What happened to one (scenario, notebook) pair."""

    scenario: str
    stem: str
    status: Status
    duration_s: float = 0.0
    error: str | None = None
    report_dir: str = ""

    @property
    def label(self) -> str:
        return f"{self.stem} [{self.scenario}]"

    def line(self) -> str:
        """One line for the terminal: ``02_rent_trends [baseline]: ok (12.3 s)``."""
        if self.status == "skipped-unchanged":
            return f"{self.label}: unchanged, skipped"
        if self.status == "ok":
            return f"{self.label}: ok ({self.duration_s:.1f} s)"
        return f"{self.label}: FAILED ({self.error})"


@dataclass(frozen=True)
class RunSummary:
    """The outcome of :func:`run`: one :class:`JobResult` per (scenario, notebook)."""

    results: tuple[JobResult, ...] = ()
    index: Path | None = None
    wall_s: float = 0.0
    planned: tuple[str, ...] = field(default=())

    def count(self, status: Status) -> int:
        return sum(result.status == status for result in self.results)

    @property
    def exit_code(self) -> int:
        """0 when nothing failed, 1 otherwise."""
        return 1 if self.count("failed") else 0

    def summary(self) -> str:
        """One line: counts per status, wall time and where the index is."""
        failed = [r.label for r in self.results if r.status == "failed"]
        text = (
            f"{len(self.results)} report(s): {self.count('ok')} ok, "
            f"{self.count('skipped-unchanged')} unchanged (skipped), {len(failed)} failed "
            f"in {self.wall_s:.1f} s"
        )
        if failed:
            text += f" — failed: {', '.join(failed)}"
        if self.index is not None:
            text += f"; index: {self.index}"
        return text

    def to_frame(self) -> Any:
        """Results as a pandas DataFrame (scenario, notebook, status, duration_s, error)."""
        import pandas as pd

        return pd.DataFrame(
            [
                {
                    "scenario": r.scenario,
                    "notebook": r.stem,
                    "status": r.status,
                    "duration_s": r.duration_s,
                    "error": r.error,
                }
                for r in self.results
            ]
        )

    def _repr_html_(self) -> str:
        from html import escape

        rows = "".join(
            f"<tr><td>{escape(r.scenario)}</td><td>{escape(r.stem)}</td><td>{r.status}</td>"
            f"<td>{r.duration_s:.1f}</td><td>{escape(r.error or '')}</td></tr>"
            for r in self.results
        )
        return (
            "<table><tr><th>scenario</th><th>notebook</th><th>status</th><th>s</th>"
            f"<th>error</th></tr>{rows}</table><p>{escape(self.summary())}</p>"
        )


# --------------------------------------------------------------------------- the lock


class RunLock:
    """An exclusive lock on ``reports/`` for one run: ``reports/.lock`` holds the owner's PID.

    ``flock`` is released by the kernel when its holder dies, however it dies, so a lock left
    by a killed run (its PID dead) is simply taken over; the PID in the file only names the
    holder in the message of a refused run. While a run holds the lock no other run can be
    using ``reports/.staging``: whatever is there was left by a killed run and is removed.
    """

    def __init__(self, reports: Path) -> None:
        self.reports = reports
        self.path = reports / LOCK
        self._fd: int | None = None

    def acquire(self) -> RunLock:
        """Take the lock or raise :class:`ReportsError` naming the holder's PID."""
        try:
            import fcntl
        except ImportError:  # not POSIX: no lock (documented limitation)
            return self
        try:
            self.reports.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as failure:
            raise ReportsError(_unwritable(self.reports, failure)) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise ReportsError(
                f"another run (PID {holder}) is writing {self.reports}; wait for it to finish "
                f"or stop it (lock: {self.path})"
            ) from None
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        except OSError as failure:
            os.close(fd)
            raise ReportsError(_unwritable(self.reports, failure)) from None
        self._fd = fd
        shutil.rmtree(self.reports / STAGING, ignore_errors=True)  # left by a killed run
        return self

    def release(self) -> None:
        """Release the lock (the file stays: removing it would race with a waiting run)."""
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the flock
            self._fd = None

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def _unwritable(reports: Path, failure: OSError) -> str:
    reason = failure.strerror or type(failure).__name__
    return f"cannot write to {reports}: {reason} (errno {failure.errno}); nothing was changed"


# --------------------------------------------------------------------------- planning


def list_notebooks(notebooks_dir: Path | None = None) -> dict[str, Path]:
    """``{stem: path}`` of ``notebooks/*.ipynb``, sorted by name."""
    folder = notebooks_dir or paths().notebooks
    if not folder.is_dir():
        return {}
    return {p.stem: p for p in sorted(folder.glob("*.ipynb")) if not p.name.startswith(".")}


def resolve_notebooks(names: Iterable[str], available: Sequence[str]) -> list[str]:
    """Map user-given names (stem, unique prefix like ``02``, or a path) to notebook stems.

    Raises
    ------
    NotebookError
        Unknown or ambiguous name; the message lists the available notebooks.
    """
    chosen: list[str] = []
    for name in names:
        key = Path(name).name
        key = key[: -len(".ipynb")] if key.endswith(".ipynb") else key
        if key in available:
            match = key
        else:
            matches = [stem for stem in available if stem.startswith(key)]
            if len(matches) != 1:
                problem = "ambiguous" if matches else "unknown"
                listed = ", ".join(matches or available) or "none"
                raise NotebookError(
                    f"{problem} notebook {name!r}; "
                    f"{'matches' if matches else 'available'}: {listed}"
                )
            match = matches[0]
        if match not in chosen:
            chosen.append(match)
    return chosen


def _scenarios(scenario_args: Sequence[str], all_scenarios: bool) -> list[ScenarioFile]:
    names: list[str] = list(scenario_args)
    if all_scenarios:
        names = [BASELINE, *[n for n in available_scenarios() if n != BASELINE], *names]
    if not names:
        names = [BASELINE]
    loaded: dict[Path, ScenarioFile] = {}
    for name in names:
        scenario = load_scenario(name)
        loaded.setdefault(scenario.path, scenario)
    by_name: dict[str, ScenarioFile] = {}
    for scenario in loaded.values():
        if scenario.name in by_name:
            raise ScenarioError(
                f"two scenario files are both named {scenario.name!r}: "
                f"{by_name[scenario.name].path} and {scenario.path}; rename one"
            )
        by_name[scenario.name] = scenario
    return list(by_name.values())


def plan(
    names: Sequence[str] = (),
    scenarios: Sequence[str] = (),
    *,
    all_scenarios: bool = False,
    timeout_s: int = EXECUTION_TIMEOUT_S,
    check_sections: bool = True,
    inputs: Mapping[str, str | os.PathLike] | None = None,
) -> list[Job]:
    """Validate everything and return the jobs to consider (no kernel is started).

    Parameters
    ----------
    names
        Notebooks to restrict the run to (stems or unique prefixes); empty = all.
    scenarios
        Scenario names or YAML paths; empty = ``baseline``.
    all_scenarios
        Add ``baseline`` and every ``scenarios/*.yaml``.
    timeout_s
        Per-cell execution timeout in seconds.
    check_sections
        Run the section validators (``assumptions``, ``programme``) now. :func:`run` defers
        them to the scenarios that have a notebook to execute: they import the analysis
        modules, and a skipped report was validated when it was made (its hash covers the
        section and the validator's code).
    inputs
        ``{parameter: file}``: input files named on the command line (``--input``) for the
        notebooks' input-file parameters (``sites_csv``, names ending in ``_csv``/``_file``).
        Such a file may lie outside the project (the user named it explicitly); it is only
        read, and its checksum enters the report's content hash. It overrides the scenario's
        and the notebook's value for every selected notebook with that parameter.

    Raises
    ------
    NotebookError, ScenarioError, ParameterError
        Unknown notebook name, bad scenario file, unknown or ill-typed parameter; an
        ``inputs`` entry that names no input-file parameter of the selected notebooks, or no
        readable file.
    """
    project = paths()
    notebooks = list_notebooks(project.notebooks)
    chosen = resolve_notebooks(names, list(notebooks)) if names else list(notebooks)
    if names and not chosen:
        raise NotebookError("no notebook selected")
    loaded = _scenarios(scenarios, all_scenarios)

    data = catalog_checksums(project.catalog)
    package = package_source_digest()
    git = git_state(project.root)
    versions = package_versions()
    sources = {stem: _read_notebook_json(path) for stem, path in notebooks.items()}
    defaults = {stem: notebook_parameters(node) for stem, node in sources.items()}
    digests = {stem: notebook_source_digest(node) for stem, node in sources.items()}
    named = check_named_inputs(inputs or {}, {stem: defaults[stem] for stem in chosen})

    jobs: list[Job] = []
    for scenario in loaded:
        source = str(scenario.path)
        scenario_file = _relative(scenario.path, project.root)
        unknown = [stem for stem in scenario.notebooks if stem not in notebooks]
        if unknown:
            raise ScenarioError(
                f"{source}: unknown notebook(s) {', '.join(unknown)} under 'notebooks'; "
                f"available: {', '.join(notebooks) or 'none'}"
            )
        if check_sections:
            scenario.validate_sections()
        members = list(notebooks) if scenario.is_baseline else list(scenario.notebooks)
        resolved: dict[str, dict[str, Any]] = {}
        checked_overrides: dict[str, dict[str, Any]] = {}
        hashes: dict[str, str] = {}
        for stem in members:
            overrides = check_overrides(
                stem, defaults[stem], scenario.overrides(stem), source=source
            )
            from_command_line = {k: v for k, v in named.items() if k in defaults[stem]}
            # a file named on the command line may lie outside the project: checked above
            check_input_files(
                stem,
                {k: v for k, v in {**defaults[stem], **overrides}.items()
                 if k not in from_command_line},
                project.root, source=source,
            )
            overrides = {**overrides, **from_command_line}
            parameters: dict[str, Any] = {}
            if "scenario" in defaults[stem]:
                # relative to the project when inside it: the path shows in the report
                parameters["scenario"] = _relative(Path(scenario.path), project.root)
            parameters.update(overrides)
            resolved[stem] = parameters
            checked_overrides[stem] = overrides
            section = {
                "overrides": overrides,
                "sections": dict(scenario.sections),
                "file": scenario_file,
            }
            if stem in SIBLING_SCENARIO_READERS:
                section["siblings"] = _sibling_digests(scenario)
            hashes[stem] = content_hash(
                notebook_digest=digests[stem],
                parameters={k: v for k, v in parameters.items() if k != "scenario"},
                package_digest=package,
                data_checksums={
                    **data,
                    **referenced_files({**defaults[stem], **overrides}, project.root),
                },
                scenario_section=section,
            )
        report_dir = project.reports / scenario.name
        for stem in members:
            if stem not in chosen:
                continue
            jobs.append(
                Job(
                    scenario=scenario.name,
                    scenario_path=source,
                    scenario_description=scenario.description,
                    stem=stem,
                    notebook=str(notebooks[stem]),
                    notebooks_dir=str(project.notebooks),
                    report_dir=str(report_dir),
                    parameters=resolved[stem],
                    content_hash=hashes[stem],
                    inputs={"data": data},
                    git={"commit": git.commit, "dirty": git.dirty},
                    versions=versions,
                    timeout_s=timeout_s,
                    gathers=_gathered_scenarios(
                        scenario.name, {**defaults[stem], **checked_overrides[stem]}
                    )
                    if stem == SYNTHESIS
                    else (),
                    overridden=tuple(checked_overrides[stem]),
                    defaults=defaults[stem],
                    command_line=tuple(k for k in named if k in defaults[stem]),
                )
            )
    return jobs


def _gathered_scenarios(own: str, parameters: Mapping[str, Any]) -> tuple[str, ...]:
    """Scenarios whose headline numbers the synthesis reads: its own and ``compare_scenarios``."""
    names = [own, *(parameters.get("compare_scenarios") or [])]
    return tuple(dict.fromkeys(str(name) for name in names))


def gathered_headlines(reports: Path, scenarios: Sequence[str]) -> dict[str, str]:
    """sha256 of every headline file the synthesis reads, keyed ``<scenario>/<file>``.

    The synthesis's own headlines are left out (it does not read them).
    """
    found: dict[str, str] = {}
    for name in scenarios:
        folder = reports / name
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.headlines.json")):
            if path.name == f"{SYNTHESIS}.headlines.json":
                continue
            found[f"{name}/{path.name}"] = file_sha256(path)
        for path in sorted(folder.glob("*.failed.json")):
            found[f"{name}/{path.name}"] = file_sha256(path)  # a failure marks numbers stale
    return found


def _sibling_digests(scenario: ScenarioFile) -> dict[str, str]:
    """sha256 of every other scenario file in ``scenario``'s folder, by file name."""
    here = Path(scenario.path).resolve()
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(here.parent.glob("*.yaml"))
        if path.resolve() != here
    }


def _with_gathered_hash(job: Job, reports: Path) -> Job:
    """The synthesis's final content hash: its own inputs plus the headline files it reads."""
    from dataclasses import replace

    payload = json.dumps(
        {"base": job.content_hash, "gathered": gathered_headlines(reports, job.gathers)},
        sort_keys=True,
    )
    return replace(job, content_hash=hashlib.sha256(payload.encode("utf-8")).hexdigest())


#: Notebook parameters that name an input file, besides names ending in ``_csv`` or ``_file``.
INPUT_FILE_PARAMETERS: tuple[str, ...] = ("sites_csv",)


def check_input_files(
    stem: str, parameters: Mapping[str, Any], root: Path, *, source: str = ""
) -> None:
    """Every input file a parameter names must be a file inside the project.

    A scenario could otherwise make a report read (and show) any file on the machine, e.g. the
    hosts file (issue 13). Relative paths are taken from the project root, as the notebooks do.

    Raises
    ------
    ScenarioError
        Naming the notebook, the parameter and its value: outside the project, missing, or
        not a regular file.
    """
    resolved_root = root.resolve()
    for name, value in parameters.items():
        if not _is_input_file_parameter(name):
            continue
        if not isinstance(value, str) or not value.strip():
            continue
        where = f"{source}: " if source else ""
        said = f"{where}notebook {stem} parameter {name}={value!r}"
        try:
            path = (root / value).resolve()
        except (OSError, RuntimeError, ValueError) as failure:
            raise ScenarioError(f"{said} is not a usable path ({failure})") from None
        if not path.is_relative_to(resolved_root):
            raise ScenarioError(
                f"{said} resolves outside the project ({path}); input files must be inside "
                f"{resolved_root} (copy the file to data/examples/ or data/raw/)"
            )
        if not path.is_file():
            problem = "is a folder, not a file" if path.is_dir() else "does not exist"
            raise ScenarioError(f"{said}: {path} {problem}")


def _is_input_file_parameter(name: str) -> bool:
    return name in INPUT_FILE_PARAMETERS or name.endswith(("_csv", "_file"))


def check_named_inputs(
    inputs: Mapping[str, str | os.PathLike], defaults: Mapping[str, Mapping[str, Any]]
) -> dict[str, str]:
    """Check input files named on the command line (``run --input PARAMETER=FILE``).

    Parameters
    ----------
    inputs
        ``{parameter: file}``; a relative file is taken from the current folder, as a shell
        user expects.
    defaults
        ``{stem: {parameter: default}}`` of the selected notebooks.

    Returns
    -------
    dict
        ``{parameter: absolute path}``, the value the notebooks receive.

    Raises
    ------
    ParameterError
        One line naming ``--input`` and the parameter: not an input-file parameter of any
        selected notebook (naming those that are), or a file that is missing, a folder or
        unreadable.
    """
    known = sorted({name for parameters in defaults.values() for name in parameters
                    if _is_input_file_parameter(name)})
    checked: dict[str, str] = {}
    for name, value in inputs.items():
        said = f"--input {name}={os.fspath(value)}"
        if name not in known:
            allowed = ", ".join(known) if known else "none in the selected notebooks"
            raise ParameterError(f"{said}: {name!r} is not an input-file parameter of the "
                                 f"selected notebooks; allowed: {allowed}")
        path = Path(value).expanduser()
        try:
            path = path.resolve()
            if not path.is_file():
                problem = "is a folder, not a file" if path.is_dir() else "does not exist"
                raise ParameterError(f"{said}: {path} {problem}")
            with path.open("rb"):  # readable now, not only when the kernel gets to it
                pass
        except OSError as failure:
            raise ParameterError(f"{said}: cannot read {path} ({failure.strerror})") from None
        checked[name] = str(path)
    return checked


def referenced_files(parameters: Mapping[str, Any], root: Path) -> dict[str, str]:
    """sha256 of every project file a parameter names (e.g. ``sites_csv``), keyed ``file:<path>``.

    Such inputs live outside the catalog (``data/examples/``, a researcher's CSV), so they enter
    the report's content hash here: editing the file reruns the notebook.
    """
    found: dict[str, str] = {}
    for value in parameters.values():
        if not isinstance(value, str) or not value or len(value) > 400 or "\n" in value:
            continue
        candidate = Path(value) if Path(value).is_absolute() else root / value
        try:
            if candidate.is_file():
                found[f"file:{value}"] = file_sha256(candidate)
        except OSError:
            continue
    return found


def _is_current(job: Job) -> bool:
    """True when the last successful report has the same content hash and all its files."""
    folder = Path(job.report_dir)
    manifest = read_json(folder / f"{job.stem}.manifest.json")
    if not manifest or manifest.get("status") != "ok":
        return False
    if manifest.get("content_hash") != job.content_hash:
        return False
    failed = read_json(folder / f"{job.stem}.failed.json")
    if failed and failed.get("content_hash") == job.content_hash:
        return False  # the last attempt with these very inputs failed: try again
    expected = (f"{job.stem}.ipynb", f"{job.stem}.html", f"{job.stem}-noinput.html")
    return all((folder / name).is_file() for name in expected)


# --------------------------------------------------------------------------- worker


def _one_line(text: str) -> str:
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    return lines[0] if lines else ""


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _now() -> str:
    return _dt.datetime.now().astimezone().isoformat(timespec="seconds")


def _silence_stderr() -> int | None:
    """Point fd 2 at /dev/null (kernels started now inherit it); return the saved fd."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
        return saved
    except OSError:
        return None


def _restore_stderr(saved: int | None) -> None:
    if saved is not None:
        os.dup2(saved, 2)
        os.close(saved)


WATCHDOG_PERIOD_S = 0.2


def _worker_init(parent: int) -> None:
    """Worker initializer: the worker and its kernels die with the runner, however it dies.

    A killed runner (SIGKILL, SIGTERM) cannot stop its workers, and a worker blocked on a kernel
    would otherwise outlive it, with the kernel, for minutes. A daemon thread polls the parent
    PID (it runs while the main thread waits on the kernel) and, once the runner is gone, kills
    every descendant (the kernels papermill started, in their own sessions) and exits. On Linux
    ``PR_SET_PDEATHSIG`` also sends SIGTERM at once, handled the same way.
    """
    import signal
    import threading

    def die(*_: object) -> None:
        _kill_descendants()
        os._exit(1)

    signal.signal(signal.SIGTERM, die)
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, int(signal.SIGTERM), 0, 0, 0)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass  # the watchdog below still works

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(WATCHDOG_PERIOD_S)
        die()

    if os.getppid() != parent:  # the runner died before the signal was armed
        die()
    threading.Thread(target=watch, name="runner-watchdog", daemon=True).start()


def _kill_descendants() -> None:
    """SIGKILL every descendant of this process (kernels and their children)."""
    try:
        import psutil

        children = psutil.Process().children(recursive=True)
    except Exception:  # psutil missing or /proc unreadable: nothing more we can do
        return
    for child in children:
        try:
            child.kill()
        except Exception:
            continue


def _execute(job: Job) -> dict[str, Any]:
    """Run one job in a worker process: execute, render, write into the staging folder.

    Never raises for a notebook failure; returns ``{"status", "error", "duration_s"}``.
    """
    import nbformat
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    from permanent_research.reporting.headlines import read_headlines
    from permanent_research.reporting.present import export_context
    from permanent_research.reporting.render import render_html

    staging = Path(job.staging_dir)
    final = Path(job.report_dir)
    staging.mkdir(parents=True, exist_ok=True)
    executed = staging / f"{job.stem}.ipynb"
    export_dir = staging / f"{job.stem}_files"
    injected: dict[str, Any] = dict(job.parameters)

    started = _now()
    clock = time.perf_counter()
    error: str | None = None
    quiet = _silence_stderr()  # the kernel inherits fd 2: keep its TCP warnings off the console
    # The runner already runs one notebook per core: a notebook that uses Dask (09) must not
    # start a cluster of one process per core of its own on top (2 cores, 2 kernels, 4 Dask
    # workers), so its runs stay in its kernel, or go to the cluster the run was sent to. The
    # numbers are the same either way (same seed, same result on any engine).
    from permanent_research.reporting.remote import SCHEDULER_ENV

    if job.kernel_scheduler:
        os.environ.setdefault(SCHEDULER_ENV, job.kernel_scheduler)
    try:
        # The export folder is the runner's choice, never a parameter (issue 13: a scenario set
        # export_dir to data/raw): the kernel inherits it through the environment.
        with export_context(export_dir):
            pm.execute_notebook(
                job.notebook,
                str(executed),
                parameters=injected,
                kernel_name="python3",
                cwd=job.notebooks_dir,
                progress_bar=False,
                log_output=False,
                start_timeout=START_TIMEOUT_S,
                execution_timeout=job.timeout_s,
            )
    except PapermillExecutionError as failure:
        error = f"{failure.ename}: {_one_line(failure.evalue)}".rstrip(": ")
    except Exception as failure:  # kernel died, timeout, bad notebook: record, don't crash
        error = f"{type(failure).__name__}: {_one_line(str(failure))}".rstrip(": ")
    finally:
        _restore_stderr(quiet)
    duration = time.perf_counter() - clock

    from permanent_research.reporting.parameters import INTERNAL_PARAMETERS

    # What the report computed with: every parameter that is not the runner's own plumbing,
    # and where its value came from.
    parameters = {
        name: injected.get(name, default)
        for name, default in {**job.defaults, **injected}.items()
        if name not in INTERNAL_PARAMETERS
    }
    origins = {
        name: "command line" if name in job.command_line
        else "scenario file" if name in job.overridden else "notebook default"
        for name in parameters
    }
    manifest: dict[str, Any] = {
        "manifest_version": 1,
        "notebook": f"notebooks/{Path(job.notebook).name}",
        "stem": job.stem,
        "scenario": job.scenario,
        "scenario_file": _relative(Path(job.scenario_path), Path(job.notebooks_dir).parent),
        "scenario_description": job.scenario_description,
        "status": "failed" if error else "ok",
        "error": error,
        "parameters": parameters,
        "parameter_origins": origins,
        "content_hash": job.content_hash,
        "git": dict(job.git),
        "inputs": {
            "notebook_sha256": file_sha256(Path(job.notebook)),
            "data": dict(job.inputs["data"]),
        },
        "versions": dict(job.versions),
        "started": started,
        "duration_s": round(duration, 3),
    }

    try:
        if not executed.is_file():
            write_json_atomic(staging / f"{job.stem}.failed.json", manifest)
            return {"status": "failed", "error": error, "duration_s": duration}
        # The notebook wrote into the staging copy of its export folder, which is about to move
        # to reports/<scenario>/<stem>_files: show the final location in the report.
        text = executed.read_text(encoding="utf-8").replace(str(staging), str(final))
        node = nbformat.reads(text, as_version=4)
        if error is None:
            headlines = read_headlines(node)
            manifest["headlines"] = headlines
            executed.write_text(text, encoding="utf-8")
            write_json_atomic(staging / f"{job.stem}.headlines.json", headlines, sort_keys=False)
            for suffix, hide in (("", False), ("-noinput", True)):
                html = render_html(node, manifest, exclude_input=hide)
                (staging / f"{job.stem}{suffix}.html").write_text(html, encoding="utf-8")
            manifest["render_s"] = round(time.perf_counter() - clock - duration, 3)
            write_json_atomic(staging / f"{job.stem}.manifest.json", manifest)
        else:
            (staging / f"{job.stem}.failed.ipynb").write_text(text, encoding="utf-8")
            executed.unlink()
            html = render_html(node, manifest, exclude_input=False)
            (staging / f"{job.stem}.failed.html").write_text(html, encoding="utf-8")
            write_json_atomic(staging / f"{job.stem}.failed.json", manifest)
    except Exception as failure:  # rendering or writing failed: the report is not usable
        error = error or f"{type(failure).__name__} while rendering: {_one_line(str(failure))}"
        manifest.update(status="failed", error=error)
        write_json_atomic(staging / f"{job.stem}.failed.json", manifest)
        if executed.is_file():
            os.replace(executed, staging / f"{job.stem}.failed.ipynb")
        traceback.print_exc(file=sys.stderr)
    return {"status": manifest["status"], "error": error, "duration_s": duration}


# --------------------------------------------------------------------------- parent side


def _commit(job: Job, outcome: Mapping[str, Any]) -> dict[str, Any]:
    """Move a finished job's files from staging into ``reports/<scenario>/``.

    A filesystem fault (read-only ``reports/``, disk full) while moving turns the job into a
    failure with a one-line error; the report's previous files are put back first, so the last
    good report stays whole.
    """
    try:
        _commit_files(job, outcome)
        return dict(outcome)
    except OSError as failure:
        error = (
            f"could not move the report into {job.report_dir} ({type(failure).__name__}: "
            f"{_one_line(str(failure))}); the last good report is kept"
        )
        try:
            write_json_atomic(
                Path(job.report_dir) / f"{job.stem}.failed.json",
                {
                    "stem": job.stem,
                    "scenario": job.scenario,
                    "status": "failed",
                    "error": error,
                    "content_hash": job.content_hash,
                    "started": _now(),
                    "duration_s": outcome.get("duration_s", 0.0),
                },
            )
        except OSError:
            pass  # the same fault: the summary line carries the error
        return {**outcome, "status": "failed", "error": error}


def _keep_previous(snapshot: Path, final: Path, stem: str) -> None:
    """Move the previous run's headline, manifest and figure files to ``final/.previous/``."""
    from permanent_research.reporting.diff import PREVIOUS

    files = list(snapshot.iterdir())
    if not files:
        return
    (final / PREVIOUS).mkdir(exist_ok=True)
    # the previous run's figures replace those of the run before it, even when it had none
    shutil.rmtree(final / PREVIOUS / f"{stem}_files", ignore_errors=True)
    for path in files:
        os.replace(path, final / PREVIOUS / path.name)


def _swap_in(moves: Sequence[tuple[Path | None, Path]], backup: Path) -> None:
    """Replace each target by its new version (``None``: remove it), all or nothing.

    The old targets go to ``backup`` first; if any move fails, the moves done so far are undone
    in reverse order and the error is raised again.
    """
    backup.mkdir(parents=True, exist_ok=True)
    done: list[tuple[Path | None, Path, Path | None, bool]] = []
    try:
        for source, target in moves:
            kept = None
            if target.exists():
                kept = backup / target.name
                os.replace(target, kept)
            done.append((source, target, kept, False))
            if source is not None:
                os.replace(source, target)
                done[-1] = (source, target, kept, True)
    except OSError:
        for source, target, kept, moved in reversed(done):
            try:
                if moved and source is not None:
                    os.replace(target, source)
                if kept is not None:
                    os.replace(kept, target)
            except OSError:
                continue  # best effort: the original error is the one to report
        raise
    shutil.rmtree(backup, ignore_errors=True)


def _commit_files(job: Job, outcome: Mapping[str, Any]) -> None:
    staging = Path(job.staging_dir)
    final = Path(job.report_dir)
    final.mkdir(parents=True, exist_ok=True)
    stem = job.stem
    if outcome["status"] == "ok":
        # `permanent-research diff` compares with the run before: keep its numbers, but only
        # once the new report is in place (a failed move must leave reports/ as it was)
        from permanent_research.reporting.diff import snapshot_previous

        snapshot = staging / ".snapshot"
        snapshot.mkdir(exist_ok=True)
        snapshot_previous(final, stem, into=snapshot)  # numbers, inputs and figures (PNG)
        exports = staging / f"{stem}_files"
        moves: list[tuple[Path | None, Path]] = [
            (exports if exports.is_dir() else None, final / f"{stem}_files")
        ]
        names = (f"{stem}.ipynb", f"{stem}.html", f"{stem}-noinput.html", f"{stem}.headlines.json")
        moves += [(staging / name, final / name) for name in names]
        moves.append((staging / f"{stem}.manifest.json", final / f"{stem}.manifest.json"))
        _swap_in(moves, staging / ".previous")
        try:
            _keep_previous(snapshot, final, stem)
        except OSError:
            pass  # the new report is in place; only `diff` loses its comparison
        for name in (f"{stem}.failed.ipynb", f"{stem}.failed.html", f"{stem}.failed.json"):
            (final / name).unlink(missing_ok=True)
    else:
        for name in (f"{stem}.failed.ipynb", f"{stem}.failed.html"):
            if (staging / name).is_file():
                os.replace(staging / name, final / name)
            else:
                (final / name).unlink(missing_ok=True)
        if (staging / f"{stem}.failed.json").is_file():
            os.replace(staging / f"{stem}.failed.json", final / f"{stem}.failed.json")
        else:
            write_json_atomic(
                final / f"{stem}.failed.json",
                {
                    "stem": stem,
                    "scenario": job.scenario,
                    "status": "failed",
                    "error": outcome.get("error"),
                    "content_hash": job.content_hash,
                    "started": _now(),
                    "duration_s": outcome.get("duration_s", 0.0),
                },
            )


def _cleanup_staging(reports: Path, folders: Iterable[Path]) -> None:
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)
    root = reports / STAGING
    try:
        if root.is_dir():
            for scenario_dir in root.iterdir():
                if scenario_dir.is_dir() and not any(scenario_dir.iterdir()):
                    scenario_dir.rmdir()
            if not any(root.iterdir()):
                root.rmdir()
    except OSError:
        pass  # what is left is removed by the next run, under its lock


class _Progress:
    """tqdm bar over notebooks in a terminal; plain lines in CI or when piped."""

    def __init__(self, total: int, echo: Callable[[str], None], enabled: bool) -> None:
        self.echo = echo
        self.bar = None
        if enabled and total:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="notebook", dynamic_ncols=True, leave=False)

    def running(self, labels: Iterable[str]) -> None:
        if self.bar is not None:
            self.bar.set_description(", ".join(labels) or "done")

    def finished(self, line: str) -> None:
        if self.bar is not None:
            self.bar.write(line)
            self.bar.update(1)
        else:
            self.echo(line)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _progress_enabled() -> bool:
    return not os.environ.get("CI") and sys.stdout.isatty()


def run(
    names: Sequence[str] = (),
    scenarios: Sequence[str] = (),
    *,
    all_scenarios: bool = False,
    jobs: int | None = None,
    force: bool = False,
    timeout_s: int = EXECUTION_TIMEOUT_S,
    echo: Callable[[str], None] = print,
    progress: bool | None = None,
    scheduler: str | None = None,
    inputs: Mapping[str, str | os.PathLike] | None = None,
) -> RunSummary:
    """Run notebooks under scenarios into ``reports/`` (the ``permanent-research run`` command).

    Parameters
    ----------
    names
        Notebook stems or unique prefixes (``"02"``); empty runs every notebook of each scenario.
    scenarios
        Scenario names or YAML paths; empty means ``baseline``.
    all_scenarios
        Run ``baseline`` and every other ``scenarios/*.yaml``.
    jobs
        Notebooks run at once (default ``min(2, os.cpu_count())``; on a Dask cluster, its
        number of worker threads).
    force
        Rerun even when a report is up to date.
    timeout_s
        Per-cell execution timeout, seconds.
    echo
        Where the one-line messages go.
    progress
        Show a tqdm bar; default: only on a terminal and when ``CI`` is unset.
    scheduler
        A ``dask.distributed`` scheduler address: every notebook runs there, each in a process
        of its own (:mod:`~permanent_research.reporting.remote`); staging, the atomic move and
        ``.previous`` stay here. ``None`` reads ``PERMANENT_RESEARCH_SCHEDULER``; ``"local"``,
        ``"inline"`` (or neither) run on this machine's worker processes. An unreachable
        address is a one-line error before anything runs.
    inputs
        Input files named on the command line, ``{parameter: file}`` (see :func:`plan`); read
        only, and allowed outside the project.

    Returns
    -------
    RunSummary
        Per-pair results; ``exit_code`` is 1 if any notebook failed.

    Raises
    ------
    NotebookError, ScenarioError, ParameterError
        Raised before any kernel starts for bad names, scenario files or parameters.
    """
    from permanent_research.reporting.remote import LOCAL, SCHEDULER_ENV

    clock = time.perf_counter()
    if jobs is not None and (not isinstance(jobs, int) or isinstance(jobs, bool) or jobs < 1):
        raise ParameterError(f"jobs={jobs!r} must be a positive integer")
    if scheduler is None:
        scheduler = os.environ.get(SCHEDULER_ENV) or None
    if scheduler is not None and (not isinstance(scheduler, str) or not scheduler.strip()):
        raise ParameterError(f"scheduler={scheduler!r} must be a Dask scheduler address such as "
                             f"'tcp://host:8786', or {LOCAL!r}")
    # "inline" is what the variable says for in-process sensitivity runs: here, this machine
    address = None if scheduler in (None, LOCAL, "inline") else scheduler.strip()
    planned = plan(
        names, scenarios, all_scenarios=all_scenarios, timeout_s=timeout_s,
        check_sections=False, inputs=inputs,
    )
    reports = paths().reports
    ordinary = [job for job in planned if job.stem != SYNTHESIS]
    gathering = [job for job in planned if job.stem == SYNTHESIS]
    # Sections are validated before anything is written (not even the lock), for the
    # scenarios that have a notebook to execute.
    validated: set[str] = set()
    stale = [job for job in ordinary if force or not _is_current(job)]
    # With nothing else to run, the synthesis's gathered files cannot change: decide now, so an
    # unchanged rerun imports no analysis module.
    synthesis_may_run = gathering if stale else [
        job for job in (_with_gathered_hash(job, reports) for job in gathering)
        if force or not _is_current(job)
    ]
    _validate_sections([*stale, *synthesis_may_run], validated)
    client = None
    if address is not None and (stale or synthesis_may_run):
        from permanent_research.reporting.remote import cluster_threads, connect

        client = connect(address)  # before the lock: an unreachable address runs nothing
    if jobs is None:
        jobs = default_jobs() if client is None else cluster_threads(client)
    try:
        return _run_locked(planned, ordinary, gathering, reports, force, jobs, echo, progress,
                           validated, client, clock)
    finally:
        if client is not None:
            client.close()


def _run_locked(
    planned: Sequence[Job],
    ordinary: Sequence[Job],
    gathering: list[Job],
    reports: Path,
    force: bool,
    jobs: int,
    echo: Callable[[str], None],
    progress: bool | None,
    validated: set[str],
    client: Any,
    clock: float,
) -> RunSummary:
    """The part of :func:`run` under the lock (``client``: a Dask client, or None)."""
    results: list[JobResult] = []
    with RunLock(reports):
        to_run = _skip_current(ordinary, force, results, echo)
        _validate_sections(to_run, validated)  # in case a report changed since the check
        if to_run:
            results.extend(_run_jobs(to_run, reports, jobs, echo, progress, client))
        # The synthesis reads what the runs above wrote: hash and run it only now.
        gathering = [_with_gathered_hash(job, reports) for job in gathering]
        gathering = _skip_current(gathering, force, results, echo)
        _validate_sections(gathering, validated)
        if gathering:
            results.extend(_run_jobs(gathering, reports, jobs, echo, progress, client))
        index = _rebuild_index(reports, results, echo)
    order = {(job.scenario, job.stem): i for i, job in enumerate(planned)}
    results.sort(key=lambda r: order[(r.scenario, r.stem)])
    return RunSummary(
        results=tuple(results),
        index=index,
        wall_s=time.perf_counter() - clock,
        planned=tuple(job.label for job in planned),
    )


def _validate_sections(candidates: Iterable[Job], validated: set[str]) -> None:
    """Run the section validators of each scenario once (they import analysis modules)."""
    for path in dict.fromkeys(job.scenario_path for job in candidates):
        if path not in validated:
            load_scenario(path).validate_sections()  # before any kernel starts
            validated.add(path)


def _rebuild_index(
    reports: Path, results: Sequence[JobResult], echo: Callable[[str], None]
) -> Path | None:
    """Rewrite ``reports/index.html``; a filesystem fault is one line, not a traceback."""
    from permanent_research.reporting.index import write_index

    statuses = {(r.scenario, r.stem): r.status for r in results}
    try:
        return write_index(reports, statuses)
    except OSError as failure:
        echo(f"index: NOT rebuilt ({type(failure).__name__}: {_one_line(str(failure))})")
        return None


def _skip_current(
    candidates: Sequence[Job], force: bool, results: list[JobResult], echo: Callable[[str], None]
) -> list[Job]:
    """Record up-to-date jobs as skipped (clearing older failure files); return the rest."""
    to_run: list[Job] = []
    for job in candidates:
        if not force and _is_current(job):
            _clear_failure(job)
            result = JobResult(
                job.scenario, job.stem, "skipped-unchanged", report_dir=job.report_dir
            )
            results.append(result)
            echo(result.line())
        else:
            to_run.append(job)
    return to_run


def _clear_failure(job: Job) -> None:
    """Remove the files of a failure that a later, current success made stale."""
    folder = Path(job.report_dir)
    for name in (f"{job.stem}.failed.ipynb", f"{job.stem}.failed.html", f"{job.stem}.failed.json"):
        try:
            (folder / name).unlink(missing_ok=True)
        except OSError:
            pass  # a read-only reports/ is reported by the run itself


def _run_jobs(
    to_run: list[Job],
    reports: Path,
    jobs: int,
    echo: Callable[[str], None],
    progress: bool | None,
    client: Any = None,
) -> list[JobResult]:
    staged: list[Job] = []
    kernel_scheduler = "inline" if client is None else str(client.scheduler.address)
    for job in to_run:
        token = secrets.token_hex(4)
        folder = reports / STAGING / job.scenario / f"{job.stem}-{token}"
        staged.append(replace(_with_staging(job, folder), kernel_scheduler=kernel_scheduler))
    waiting = [job for job in staged if job.stem == SYNTHESIS]
    # longest first (by the last recorded duration; unknown first) keeps both workers busy
    ready = sorted(
        (job for job in staged if job.stem != SYNTHESIS), key=_last_duration, reverse=True
    )
    remaining: dict[str, int] = {}
    for job in ready:
        remaining[job.scenario] = remaining.get(job.scenario, 0) + 1
    bar = _Progress(len(staged), echo, _progress_enabled() if progress is None else progress)
    results: list[JobResult] = []
    workers = min(jobs, len(staged))
    if client is not None:
        from permanent_research.reporting.remote import DaskPool

        executor: Any = DaskPool(client, max_workers=workers, project_root=str(paths().root))
    else:
        executor = futures.ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_worker_init,
            initargs=(os.getpid(),),
        )
    try:
        with executor as pool:
            pending: dict[futures.Future, Job] = {}

            def submit_ready() -> None:
                for job in ready:
                    pending[pool.submit(_execute, job)] = job
                ready.clear()
                for job in list(waiting):
                    if remaining.get(job.scenario, 0) == 0:
                        pending[pool.submit(_execute, job)] = job
                        waiting.remove(job)

            submit_ready()
            bar.running(job.label for job in pending.values())
            while pending:
                done, _ = futures.wait(pending, return_when=futures.FIRST_COMPLETED)
                for future in done:
                    job = pending.pop(future)
                    try:
                        outcome = future.result()
                    except Exception as failure:  # worker crashed (BrokenProcessPool …)
                        outcome = {
                            "status": "failed",
                            "error": f"{type(failure).__name__}: {_one_line(str(failure))}",
                            "duration_s": 0.0,
                        }
                    outcome = _commit(job, outcome)
                    result = JobResult(
                        job.scenario,
                        job.stem,
                        outcome["status"],
                        float(outcome.get("duration_s") or 0.0),
                        outcome.get("error"),
                        job.report_dir,
                    )
                    results.append(result)
                    if job.stem != SYNTHESIS:
                        remaining[job.scenario] -= 1
                    bar.finished(result.line())
                submit_ready()
                bar.running(job.label for job in pending.values())
    finally:
        bar.close()
        _cleanup_staging(reports, (Path(job.staging_dir) for job in staged))
    return results


def _last_duration(job: Job) -> float:
    folder = Path(job.report_dir)
    for name in (f"{job.stem}.manifest.json", f"{job.stem}.failed.json"):
        record = read_json(folder / name)
        if isinstance(record, dict) and isinstance(record.get("duration_s"), int | float):
            return float(record["duration_s"]) + float(record.get("render_s") or 0.0)
    return float("inf")


def _with_staging(job: Job, folder: Path) -> Job:
    from dataclasses import replace

    return replace(job, staging_dir=str(folder))
