"""Reporting layer: papermill runner, rendering, index, manifest, headline numbers.

Light to import (no pandas, papermill or nbconvert until needed): notebooks call
:func:`check_parameters` to validate their parameters against the declared spec,
:func:`load_scenario` to read the scenario file the runner hands them, and
:func:`read_report_headlines` to collect other reports' numbers.
"""

from permanent_research.reporting.index import read_report_headlines
from permanent_research.reporting.parameters import check_parameters, check_scenario_name
from permanent_research.reporting.scenario_files import ScenarioFile, load_scenario

__all__ = [
    "ScenarioFile",
    "check_parameters",
    "check_scenario_name",
    "load_scenario",
    "read_report_headlines",
]
