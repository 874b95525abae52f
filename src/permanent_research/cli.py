"""The ``permanent-research`` command.

::

    permanent-research run [NOTEBOOK ...] [--scenario FILE]... [--all-scenarios]
                           [--jobs N] [--force] [--input PARAMETER=FILE]...
    permanent-research data build
    permanent-research data check
    permanent-research sensitivity [--scenario NAME] [--n-base N] [--scheduler ADDRESS] ...
    permanent-research diff [REF] [--html FILE] [--all]
    permanent-research site [--force]

User mistakes (unknown notebook, bad scenario file, bad parameter, changed raw file) print
``error: <one line>`` on stderr and exit with status 2, without a traceback (so do filesystem
faults such as a read-only ``reports/``, a disk full, or a run refused by another run's lock;
an unexpected exception prints one line and exits with 3, the traceback shown only with
``PERMANENT_RESEARCH_DEBUG=1``); a failing notebook
makes ``run`` exit with status 1 after the other notebooks have run. Heavy libraries are imported
only when needed, so an unchanged rerun takes well under three seconds.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from permanent_research.errors import PermanentResearchError

__all__ = ["main", "build_parser"]


def _named_input(text: str) -> tuple[str, str]:
    name, sep, file = text.partition("=")
    if not sep or not name.strip() or not file.strip():
        raise argparse.ArgumentTypeError(
            f"{text!r} is not PARAMETER=FILE (e.g. sites_csv=/path/to/sites.csv)")
    return name.strip(), file.strip()


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive integer")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation and tests)."""
    parser = argparse.ArgumentParser(
        prog="permanent-research",
        description="Run the permanent-research notebooks into reports/ and manage the data.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser(
        "run",
        help="execute notebooks into reports/<scenario>/ (skips unchanged ones)",
        description=(
            "Execute notebooks with papermill under one or more scenarios and render "
            "reports/<scenario>/<notebook>.{ipynb,html,-noinput.html} and reports/index.html. "
            "Without --scenario the baseline scenario runs every notebook."
        ),
    )
    run.add_argument(
        "notebooks",
        nargs="*",
        metavar="NOTEBOOK",
        help="notebook stem or unique prefix (e.g. 02_rent_trends or 02); default: all",
    )
    run.add_argument(
        "--scenario",
        action="append",
        default=[],
        metavar="FILE",
        help="scenario name or YAML file (repeatable; default: baseline)",
    )
    run.add_argument(
        "--all-scenarios",
        action="store_true",
        help="run baseline and every other scenarios/*.yaml",
    )
    run.add_argument(
        "--jobs",
        "-j",
        type=_positive_int,
        default=None,
        metavar="N",
        help="notebooks run in parallel (default: min(2, number of cores))",
    )
    run.add_argument("--force", action="store_true", help="rerun even unchanged notebooks")
    run.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help=(
            "run the notebooks on a dask.distributed cluster (e.g. tcp://host:8786), each in a "
            "process of its own; default: PERMANENT_RESEARCH_SCHEDULER if set, else this "
            "machine ('local' forces this machine)"
        ),
    )
    run.add_argument(
        "--timeout",
        type=_positive_int,
        default=1200,
        metavar="SECONDS",
        help="per-cell execution timeout (default 1200)",
    )
    run.add_argument(
        "--input",
        action="append",
        default=[],
        type=_named_input,
        metavar="PARAMETER=FILE",
        help="read FILE for a notebook's input-file parameter, e.g. sites_csv=~/my_sites.csv "
             "(repeatable); FILE may lie outside the project and is only read",
    )

    data = commands.add_parser("data", help="build or check the data layer")
    data.add_argument(
        "action",
        choices=("build", "check"),
        help="build: rebuild data/processed from data/raw; check: verify every raw file",
    )
    _add_sensitivity_parser(commands)
    _add_diff_parser(commands)
    _add_site_parser(commands)
    return parser


def _add_site_parser(commands: argparse._SubParsersAction) -> None:
    """``site``: the static site from the executed notebooks in reports/ (never re-executed)."""
    site = commands.add_parser(
        "site",
        help="build reports/site/ from the executed notebooks (offline, no re-execution)",
        description=(
            "Build a static site (Sphinx, myst-nb, book theme) from reports/<scenario>/*.ipynb: "
            "navigation, search, code folded, downloads linked, the synthesis first and a "
            "Changes page. A report that failed or is missing is listed on the landing page "
            "and the command exits with status 1."
        ),
    )
    site.add_argument("--force", action="store_true", help="rebuild even when nothing changed")


def _site(args: argparse.Namespace) -> int:
    from permanent_research.reporting.site import build_site

    result = build_site(force=args.force)
    print(result.summary())
    return result.exit_code


def _add_diff_parser(commands: argparse._SubParsersAction) -> None:
    """``diff``: headline numbers old → new since the previous run, and which inputs changed."""
    diff = commands.add_parser(
        "diff",
        help="headline numbers old → new since the previous run (or another reports folder)",
        description=(
            "Compare the headline numbers of reports/ with the previous run (kept in "
            "reports/<scenario>/.previous/) or with another reports folder REF, naming the "
            "inputs that changed (notebook, parameters, scenario, data, package code)."
        ),
    )
    diff.add_argument("ref", nargs="?", default=None, metavar="REF",
                      help="another reports folder (default: the previous run)")
    diff.add_argument("--html", default=None, metavar="FILE",
                      help="also write the Changes page to FILE (changed figures, old and new "
                           "side by side, copied into FILE's folder as <FILE stem>_figures/)")
    diff.add_argument("--all", action="store_true", help="list unchanged headlines too")


def _diff(args: argparse.Namespace) -> int:
    from pathlib import Path

    from permanent_research.reporting.diff import diff_reports, write_changes

    found = diff_reports(old=args.ref)
    if args.all:
        print(found.to_frame().to_string(index=False))
    else:
        print(found.summary())
    if args.html:
        write_changes(found, Path(args.html))
    return 0


def _add_sensitivity_parser(commands: argparse._SubParsersAction) -> None:
    """``sensitivity``: what decides the comparison (Sobol', Morris, PRIM), on Dask."""
    sensitivity = commands.add_parser(
        "sensitivity",
        help="which assumptions decide the CLT vs temporary-use comparison (Sobol', PRIM)",
        description=(
            "Sobol' and Morris indices of the comparison's outputs and PRIM boxes where each "
            "model costs the public less, on a Dask cluster: a local one by default, the one "
            "at --scheduler (or PERMANENT_RESEARCH_SCHEDULER) otherwise."
        ),
    )
    sensitivity.add_argument("--scenario", default="baseline", metavar="NAME",
                             help="scenario name or YAML file (default: baseline)")
    sensitivity.add_argument("--n-base", type=_positive_int, default=4096, metavar="N",
                             help="Sobol' base samples, a power of two (default 4096)")
    sensitivity.add_argument("--trajectories", type=_positive_int, default=100, metavar="N",
                             help="Morris trajectories (default 100)")
    sensitivity.add_argument("--runs", type=_positive_int, default=20000, metavar="N",
                             help="Monte Carlo runs for PRIM (default 20000)")
    sensitivity.add_argument("--seed", type=int, default=20261201)
    sensitivity.add_argument("--scheduler", default=None, metavar="ADDRESS",
                             help="Dask scheduler address, or 'inline' for this process")
    sensitivity.add_argument("--progress", action="store_true", help="show progress bars")


def _sensitivity(args: argparse.Namespace) -> int:
    from permanent_research.reporting import load_scenario
    from permanent_research.sensitivity import check_sensitivity_parameters, what_decides

    check_sensitivity_parameters(n_base=args.n_base, trajectories=args.trajectories,
                                 n_runs=args.runs, seed=args.seed)
    from permanent_research import prices
    from permanent_research.data import load
    from permanent_research.scenarios import in_base_year

    scenario = load_scenario(args.scenario)
    # as notebooks 06 and 09: base-year euros, present values at the scenario's rate
    money = scenario.section("money")
    indexes = prices.price_indexes(
        [load("health_index_cpi"), load("health_index_cpi_2006_2015")],
        construction=load("construction_price_indices"))
    found = what_decides(in_base_year(scenario.section("assumptions"), money, indexes),
                         n_base=args.n_base, trajectories=args.trajectories, n_runs=args.runs,
                         seed=args.seed, discount_rate=money.discount_rate,
                         correlations=scenario.sections.get("correlations"),
                         scheduler=args.scheduler, progress=args.progress)
    print(found.summary())
    return 0


def _run(args: argparse.Namespace) -> int:
    from permanent_research.reporting.runner import run

    summary = run(
        args.notebooks,
        args.scenario,
        all_scenarios=args.all_scenarios,
        jobs=args.jobs,
        force=args.force,
        timeout_s=args.timeout,
        scheduler=args.scheduler,
        inputs=dict(args.input),
    )
    print(summary.summary())
    return summary.exit_code


def _data(args: argparse.Namespace) -> int:
    from permanent_research import data
    from permanent_research.config import paths

    root = paths().root
    if args.action == "check":
        results = data.check()
        problems = 0
        for name, outcome in results.items():
            if outcome == "ok":
                print(f"{name}: ok")
            else:
                problems += 1
                print(f"{name}: problem: {outcome}")
        print(f"{len(results)} dataset(s), {problems} problem(s)")
        return 1 if problems else 0
    written = data.build()
    for name, path in written.items():
        try:
            shown = path.relative_to(root)
        except ValueError:
            shown = path
        print(f"{name}: wrote {shown}")
    print(f"{len(written)} table(s) written")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``permanent-research``; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "run":
            return _run(args)
        if args.command == "sensitivity":
            return _sensitivity(args)
        if args.command == "diff":
            return _diff(args)
        if args.command == "site":
            return _site(args)
        return _data(args)
    except PermanentResearchError as error:
        message = " ".join(str(error).split())
        print(f"error: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except OSError as error:  # read-only reports/, disk full: the system's one line
        print(f"error: {type(error).__name__}: {_one_line(error)}", file=sys.stderr)
        return 2
    except Exception as error:  # a bug: one line here; PERMANENT_RESEARCH_DEBUG=1 shows it all
        if os.environ.get("PERMANENT_RESEARCH_DEBUG"):
            raise
        print(
            f"error: unexpected {type(error).__name__}: {_one_line(error)} "
            "(set PERMANENT_RESEARCH_DEBUG=1 for the traceback)",
            file=sys.stderr,
        )
        return 3


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split())


if __name__ == "__main__":
    sys.exit(main())
