"""The ``permanent-research`` command.

::

    permanent-research run [NOTEBOOK ...] [--scenario FILE]... [--all-scenarios]
                           [--jobs N] [--force]
    permanent-research data build
    permanent-research data check

User mistakes (unknown notebook, bad scenario file, bad parameter, changed raw file) print
``error: <one line>`` on stderr and exit with status 2, without a traceback; a failing notebook
makes ``run`` exit with status 1 after the other notebooks have run. Heavy libraries are imported
only when needed, so an unchanged rerun takes well under three seconds.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from permanent_research.errors import PermanentResearchError

__all__ = ["main", "build_parser"]


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
        "--timeout",
        type=_positive_int,
        default=1200,
        metavar="SECONDS",
        help="per-cell execution timeout (default 1200)",
    )

    data = commands.add_parser("data", help="build or check the data layer")
    data.add_argument(
        "action",
        choices=("build", "check"),
        help="build: rebuild data/processed from data/raw; check: verify every raw file",
    )
    return parser


def _run(args: argparse.Namespace) -> int:
    from permanent_research.reporting.runner import run

    summary = run(
        args.notebooks,
        args.scenario,
        all_scenarios=args.all_scenarios,
        jobs=args.jobs,
        force=args.force,
        timeout_s=args.timeout,
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
        return _data(args)
    except PermanentResearchError as error:
        message = " ".join(str(error).split())
        print(f"error: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
