"""Reporting layer: papermill runner, rendering, index, manifest, headline numbers.

Light to import (no pandas, papermill or nbconvert until needed): notebooks call
:func:`load_scenario` to read their scenario's sections and :func:`read_report_headlines` to
collect other reports' numbers.
"""

from permanent_research.reporting.index import read_report_headlines
from permanent_research.reporting.scenario_files import ScenarioFile, load_scenario

__all__ = ["ScenarioFile", "load_scenario", "read_report_headlines"]
