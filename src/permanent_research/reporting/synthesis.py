"""Gather the headline numbers of all reports into tables (for ``08_synthesis``).

Reads ``reports/<scenario>/<stem>.headlines.json`` — the numbers each notebook recorded with
:func:`permanent_research.reporting.headlines.headline` in its last successful run — so the
synthesis never recomputes (and never contradicts) what the reports say.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from permanent_research.reporting.index import read_report_headlines
from permanent_research.results import Result

__all__ = [
    "HEADLINE_COLUMNS",
    "Findings",
    "appendix_table",
    "findings",
    "format_headline",
    "headline_table",
    "plot_for_whom",
    "scenario_comparison",
]

HEADLINE_COLUMNS = ["notebook", "name", "label", "value", "unit", "source", "status", "stale"]


def headline_table(scenario: str = "baseline") -> pd.DataFrame:
    """All headline numbers of one scenario's reports, one row per number.

    Returns
    -------
    pandas.DataFrame
        Columns ``notebook, name, label, value, unit, source, stale``, ordered by notebook;
        empty (with those columns) when the scenario has no reports yet. ``stale`` is True for
        the numbers of a notebook whose last run failed (``<stem>.failed.json`` beside its
        headlines): they come from an earlier successful run, not from the current inputs.
    """
    from permanent_research.config import paths

    folder = paths().reports / scenario
    rows = [
        {
            "notebook": notebook,
            "name": name,
            "label": record.get("label") or name.replace("_", " "),
            "value": record.get("value"),
            "status": record.get("status") or "",
            "unit": record.get("unit") or "",
            "source": record.get("source") or "",
            "stale": (folder / f"{notebook}.failed.json").is_file(),
        }
        for notebook, records in read_report_headlines(scenario).items()
        if notebook != "08_synthesis"
        for name, record in records.items()
    ]
    return pd.DataFrame(rows, columns=HEADLINE_COLUMNS)


def scenario_comparison(scenarios: Sequence[str]) -> pd.DataFrame:
    """Headline numbers that differ between scenarios, side by side.

    Parameters
    ----------
    scenarios
        Scenario names (folders of ``reports/``), in the column order wanted.

    Returns
    -------
    pandas.DataFrame
        Index ``(notebook, label, unit)``, one column per scenario that has reports; only rows
        present in at least two scenarios whose values are not all equal.
    """
    frames = []
    for scenario in scenarios:
        table = headline_table(scenario)
        # a number its report calls illustrative or invalid says so wherever it appears
        flagged = table["status"] != ""
        table.loc[flagged, "label"] = (
            table.loc[flagged, "label"] + " [" + table.loc[flagged, "status"] + "]"
        )
        if not table.empty:
            frames.append(table.assign(scenario=scenario))
    if not frames:
        return pd.DataFrame()
    long = pd.concat(frames, ignore_index=True)
    long = long[pd.to_numeric(long["value"], errors="coerce").notna()]
    long["value"] = long["value"].astype(float)
    wide = long.pivot_table(
        index=["notebook", "label", "unit"], columns="scenario", values="value", aggfunc="first"
    )
    wide = wide[[s for s in scenarios if s in wide.columns]]
    varying = (wide.notna().sum(axis=1) >= 2) & (wide.nunique(axis=1) > 1)
    return wide[varying]


# --------------------------------------------------------------------------- the answer

#: The headlines of notebook 06 and 09 the findings are computed from.
COMPARISON_NOTEBOOK = "06_permanent_vs_temporary"
DECIDES_NOTEBOOK = "09_what_decides_the_answer"
_TEMPORARY = "public_cost_per_household_year_temporary_eur"
_CLT = "public_cost_per_household_year_clt_eur"
# Present values at the scenario's discount rate (notebook 06); preferred over the cash figures.
_PV_TEMPORARY = "pv_public_cost_per_household_year_temporary_use_eur"
_PV_CLT = "pv_public_cost_per_household_year_permanent_clt_eur"
_PV_STUDIO_TEMPORARY = "pv_public_cost_per_studio_year_temporary_use_eur"
_PV_STUDIO_CLT = "pv_public_cost_per_studio_year_permanent_clt_eur"
_DISCOUNT_RATE = "discount_rate_pct"
_PV_CLT_LOWER = "pv_clt_cheaper_pct_of_draws"
# Notebook 06's "for whom" headline carries its computed sentences (deciles and artists).
_FOR_WHOM = "clt_eligible_decile_count"
_SOCIAL_DECILES = "social_eligible_decile_count"
_PV_GAP = "pv_gap_clt_minus_temporary_household_eur"
_PV_GAP_LOW = "pv_gap_clt_minus_temporary_household_p05_eur"
_PV_GAP_HIGH = "pv_gap_clt_minus_temporary_household_p95_eur"
_CLT_LOWER = "public_cost_clt_lower_pct_of_draws"
_TEMPORARY_SHARE = "temporary_cheaper_share_pct"
_TOP_S1 = "public_gap_top_input_s1"
# Notebook 09's PRIM boxes; their records carry the computed sentence ("… is cheaper when …").
_PRIM_TEMPORARY = "prim_temporary_density_pct"
_PRIM_CLT = "prim_clt_density_pct"
_LEADER = re.compile(r"\(([^()]+)\)\s*$")
FINDING_COLUMNS = [
    "scenario", "metric", "temporary_eur", "clt_eur", "cheaper", "difference_eur",
    "difference_kind", "difference_pct", "gap_p05_eur", "gap_p95_eur", "studio_temporary_eur",
    "studio_clt_eur", "clt_lower_pct_of_draws", "temporary_cheaper_share_pct", "leading_input",
    "leading_input_s1", "temporary_wins_when", "clt_wins_when", "for_whom", "clt_deciles",
    "social_deciles",
]
#: The metric of a findings row: present value at the scenario's rate, or undiscounted cash.
METRIC_PRESENT_VALUE = "present value"
METRIC_CASH = "undiscounted cash"


def _value(records: Mapping[str, Mapping[str, Any]], name: str) -> float | None:
    record = records.get(name)
    if not record:
        return None
    try:
        number = float(record.get("value"))
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _statement(records: Mapping[str, Mapping[str, Any]], name: str) -> str:
    return str((records.get(name) or {}).get("statement") or "")


def _or_nan(number: float | None) -> float:
    return math.nan if number is None else number


@dataclass(frozen=True)
class Findings(Result):
    """Which model costs the public less per affordable household-year, per scenario.

    Attributes
    ----------
    table
        One row per scenario with reports of notebook 06: ``metric`` (``"present value at
        3.0 %"`` when 06 recorded present values, else ``"undiscounted cash"``), ``temporary_eur``
        and ``clt_eur`` (public cost per affordable household-year in that metric, EUR of the
        base year, from 06), ``cheaper`` (``"CLT"`` or ``"temporary use"``, ``""`` on a tie),
        ``difference_eur`` (how much dearer the dearer model is: the median over draws of the
        same-draw difference when 06 recorded it, else the difference of the medians; its
        ``difference_kind`` says which; the sign of that difference decides ``cheaper``),
        ``difference_pct`` (of the dearer model's median),
        ``gap_p05_eur`` and ``gap_p95_eur`` (5 % and 95 % quantiles over draws of the
        present-value gap CLT minus temporary use, NaN without present values),
        ``studio_temporary_eur`` and ``studio_clt_eur`` (present-value public cost per studio-year,
        NaN without present values), ``clt_lower_pct_of_draws`` (06, share of draws in which the
        CLT is cheaper, in the row's metric), and
        from 09, when it ran: ``temporary_cheaper_share_pct``, ``leading_input``,
        ``leading_input_s1`` and the PRIM statements ``temporary_wins_when`` and
        ``clt_wins_when`` (``""`` when 09 found no box); ``for_whom``: 06's computed sentences
        on which income deciles and artists can enter each model (``""`` if not recorded);
        ``clt_deciles`` and ``social_deciles``: how many of the ten income deciles can buy a
        CLT home and can enter social housing (NaN if not recorded).
    missing
        Scenarios asked for that have no report of notebook 06.
    """

    table: pd.DataFrame
    missing: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def sentences(self, scenario: str) -> list[str]:
        """The findings of one scenario as sentences computed from the numbers."""
        rows = self.table[self.table["scenario"] == scenario]
        if rows.empty:
            return [f"No report of the permanent-vs-temporary comparison for `{scenario}` yet."]
        row = rows.iloc[0]
        if not row["cheaper"]:
            first = (f"Under `{scenario}`, both models cost the public the same per affordable "
                     f"household-year (EUR {row['clt_eur']:,.0f}).")
        else:
            clt_cheaper = row["cheaper"] == "CLT"
            cheap, dear = ("the CLT", "temporary use") if clt_cheaper else ("temporary use",
                                                                          "the CLT")
            cheap_value, dear_value = ((row["clt_eur"], row["temporary_eur"]) if clt_cheaper
                                       else (row["temporary_eur"], row["clt_eur"]))
            first = (f"Under `{scenario}`, {cheap} is cheaper for the public than {dear}: "
                     f"EUR {cheap_value:,.0f} against EUR {dear_value:,.0f} per affordable "
                     f"household-year ({row['metric']}, medians over draws); {dear} is dearer "
                     f"by EUR {row['difference_eur']:,.0f} ({row['difference_kind']}, "
                     f"{row['difference_pct']:.0f} % of its cost).")
        if pd.notna(row["gap_p05_eur"]) and pd.notna(row["gap_p95_eur"]):
            first = first[:-1] + (
                f"; the gap CLT minus temporary use runs from EUR {row['gap_p05_eur']:+,.0f} to "
                f"EUR {row['gap_p95_eur']:+,.0f} over 90 % of the draws.")
        out = [first]
        if pd.notna(row["studio_temporary_eur"]) and pd.notna(row["studio_clt_eur"]):
            studio_side = ("less" if row["studio_clt_eur"] < row["studio_temporary_eur"]
                           else "more" if row["studio_clt_eur"] > row["studio_temporary_eur"]
                           else "the same")
            than = "" if studio_side == "the same" else " than"
            out.append(f"Per studio-year, a CLT studio costs the public {studio_side}{than} a "
                       f"temporary-use studio: EUR {row['studio_clt_eur']:,.0f} against "
                       f"EUR {row['studio_temporary_eur']:,.0f} ({row['metric']}).")
        if pd.notna(row["clt_lower_pct_of_draws"]):
            share = row["clt_lower_pct_of_draws"]
            side = "cheaper" if share >= 50 else "dearer"
            out.append(f"The CLT costs the public less in {share:.0f} % of the Monte Carlo draws: "
                       f"it is {side} in most draws.")
        if pd.notna(row["temporary_cheaper_share_pct"]):
            out.append(f"In the correlated sweep of notebook 09, temporary use is cheaper in "
                       f"present value in {row['temporary_cheaper_share_pct']:.0f} % of runs.")
        if row["leading_input"]:
            out.append(f"What decides it most: `{row['leading_input']}` (first-order Sobol' "
                       f"index {row['leading_input_s1']:.2f}: it alone explains about "
                       f"{100 * row['leading_input_s1']:.0f} % of the variance of the gap).")
        if row["for_whom"]:
            out.append(f"For whom: {row['for_whom']}")
        for statement in (row["temporary_wins_when"], row["clt_wins_when"]):
            if statement:
                out.append(f"Scenario discovery (PRIM, notebook 09): {statement}")
        return out

    def summary(self) -> str:
        lines = [s for scenario in self.table["scenario"] for s in self.sentences(scenario)]
        if self.missing:
            lines.append(f"No comparison report for: {', '.join(self.missing)}.")
        return "\n".join(lines) or "No comparison report yet."

    def plot(self, **kwargs: Any) -> Any:
        """Public cost per affordable household-year, temporary use vs CLT, by scenario."""
        import matplotlib.pyplot as plt
        from matplotlib.ticker import FuncFormatter

        table = self.table
        fig, ax = plt.subplots(figsize=(7.5, 3.8), layout="constrained")
        if table.empty:
            ax.text(0.5, 0.5, "No comparison report yet", ha="center", va="center")
            ax.set_axis_off()
            return fig
        positions = range(len(table))
        width = 0.38
        bars_t = ax.bar([p - width / 2 for p in positions], table["temporary_eur"], width,
                        label="Temporary use", color="#c06c2b")
        bars_c = ax.bar([p + width / 2 for p in positions], table["clt_eur"], width,
                        label="CLT (permanent)", color="#2b6cb0")
        for bars in (bars_t, bars_c):
            ax.bar_label(bars, labels=[f"{v:,.0f}" for v in bars.datavalues], padding=2,
                         fontsize=8)
        ax.set_xticks(list(positions),
                      [f"{s}\nCLT cheaper in {p:.0f} % of draws"
                       if pd.notna(p) else s
                       for s, p in zip(table["scenario"], table["clt_lower_pct_of_draws"],
                                       strict=True)])
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
        ax.set_ylabel("EUR per affordable household-year")
        ax.set_ylim(0, 1.15 * float(table[["temporary_eur", "clt_eur"]].max().max()))
        # legend outside the bars, so it never covers a bar label
        ax.legend(frameon=False, loc="lower left", bbox_to_anchor=(0, 1.0), ncols=2)
        metrics = table["metric"].unique()
        metric = f" ({metrics[0]})" if len(metrics) == 1 else ""
        fig.suptitle(f"Public cost per affordable household-year{metric}, by scenario", x=0.01,
                     ha="left")
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        return fig


def plot_for_whom(found: Findings) -> Any:
    """How many of the ten income deciles can enter each model, by scenario (from notebook 06).

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    table = found.to_frame().dropna(subset=["clt_deciles", "social_deciles"], how="all")
    fig, ax = plt.subplots(figsize=(7.5, 0.7 * max(len(table), 1) + 1.8), layout="constrained")
    if table.empty:
        ax.text(0.5, 0.5, "No 'for whom' numbers recorded yet", ha="center", va="center")
        ax.set_axis_off()
        return fig
    positions = np.arange(len(table))[::-1]
    height = 0.38
    for offset, column, label, colour in ((height / 2, "clt_deciles", "can buy a CLT home",
                                           "#2b6cb0"),
                                          (-height / 2, "social_deciles",
                                           "can enter social housing", "#718096")):
        values = table[column].fillna(0).to_numpy(float)
        bars = ax.barh(positions + offset, values, height, label=label, color=colour)
        ax.bar_label(bars, labels=[f"{v:.0f}" for v in values], padding=3, fontsize=8)
    ax.set_yticks(positions, table["scenario"])
    ax.set_xlim(0, 10.9)
    ax.set_xticks(range(0, 11, 2))
    ax.set_xlabel("income deciles (of 10) that can enter")
    ax.legend(frameon=False, loc="lower left", bbox_to_anchor=(0, 1.0), ncols=2)
    fig.suptitle("For whom: who can enter the CLT and social housing, by scenario", x=0.01,
                 ha="left")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return fig


def findings(scenarios: Sequence[str]) -> Findings:
    """Which model costs the public less, per scenario, from the reports' headline numbers.

    Parameters
    ----------
    scenarios
        Scenario names (folders of ``reports/``), in the order to show them.

    Returns
    -------
    Findings
        Computed from notebook 06's and (when present) notebook 09's last successful runs.
    """
    rows, missing = [], []
    for scenario in dict.fromkeys(scenarios):
        reports = read_report_headlines(scenario)
        comparison = reports.get(COMPARISON_NOTEBOOK, {})
        temporary, clt = _value(comparison, _PV_TEMPORARY), _value(comparison, _PV_CLT)
        rate = _value(comparison, _DISCOUNT_RATE)
        metric = (f"{METRIC_PRESENT_VALUE} at {rate:.1f} %" if rate is not None
                  else METRIC_PRESENT_VALUE)
        clt_lower = _value(comparison, _PV_CLT_LOWER)
        gap = _value(comparison, _PV_GAP)
        gap_low, gap_high = _value(comparison, _PV_GAP_LOW), _value(comparison, _PV_GAP_HIGH)
        if temporary is None or clt is None:
            temporary, clt = _value(comparison, _TEMPORARY), _value(comparison, _CLT)
            metric = METRIC_CASH
            clt_lower = gap = gap_low = gap_high = None
        if clt_lower is None:
            clt_lower = _value(comparison, _CLT_LOWER)
        if temporary is None or clt is None:
            missing.append(scenario)
            continue
        # Notebook 06 states the gap as the median of the same-draw difference; quote that one
        # (not the difference of the two medians) so that the two reports cannot disagree.
        difference = clt - temporary if gap is None else gap
        cheaper = "" if difference == 0 else ("CLT" if difference < 0 else "temporary use")
        dearer = max(temporary, clt)
        decides = reports.get(DECIDES_NOTEBOOK, {})
        leader_label = (decides.get(_TOP_S1) or {}).get("label") or ""
        match = _LEADER.search(leader_label)
        share = _value(decides, _TEMPORARY_SHARE)
        s1 = _value(decides, _TOP_S1)
        rows.append({
            "scenario": scenario,
            "metric": metric,
            "temporary_eur": temporary,
            "clt_eur": clt,
            "cheaper": cheaper,
            "difference_eur": abs(difference),
            "difference_kind": ("difference of the medians" if gap is None
                                else "median of the same-draw difference"),
            "difference_pct": 100 * abs(difference) / dearer if dearer else 0.0,
            "gap_p05_eur": _or_nan(gap_low),
            "gap_p95_eur": _or_nan(gap_high),
            "studio_temporary_eur": _or_nan(_value(comparison, _PV_STUDIO_TEMPORARY)),
            "studio_clt_eur": _or_nan(_value(comparison, _PV_STUDIO_CLT)),
            "clt_lower_pct_of_draws": math.nan if clt_lower is None else clt_lower,
            "temporary_cheaper_share_pct": math.nan if share is None else share,
            "leading_input": match.group(1) if match else "",
            "leading_input_s1": math.nan if s1 is None else s1,
            "temporary_wins_when": _statement(decides, _PRIM_TEMPORARY),
            "clt_wins_when": _statement(decides, _PRIM_CLT),
            "for_whom": _statement(comparison, _FOR_WHOM),
            "clt_deciles": _or_nan(_value(comparison, _FOR_WHOM)),
            "social_deciles": _or_nan(_value(comparison, _SOCIAL_DECILES)),
        })
    return Findings(table=pd.DataFrame(rows, columns=FINDING_COLUMNS), missing=tuple(missing))


# --------------------------------------------------------------------------- the appendix

_COUNT_UNITS = {"households", "dwellings", "homes", "communes", "sites", "reports", "numbers",
                "permits", "people", "units", "projects"}


def format_headline(record: Mapping[str, Any]) -> str:
    """A headline value as a reader should see it.

    Years without separators (``2024``), counts as integers (``55,000``), other numbers with
    thousands separators and no more than the decimals they were recorded with.
    """
    value = record.get("value")
    try:
        number = float(value)
    except (TypeError, ValueError):
        return "—" if value is None else str(value)
    if not math.isfinite(number):
        return "—"
    unit = str(record.get("unit") or "").strip().lower()
    name = str(record.get("name") or "")
    year_like = (record.get("thousands") is False or unit in ("year", "")
                 and name.endswith("year") and number.is_integer() and 1800 <= number <= 2200)
    if year_like and number.is_integer():
        return str(int(number))
    if number.is_integer() or unit in _COUNT_UNITS:
        return f"{round(number):,}"
    if abs(number) >= 100:
        return f"{number:,.0f}"
    return f"{number:,.4g}" if abs(number) < 1 else f"{number:,.2f}".rstrip("0").rstrip(".")


def appendix_table(scenario: str = "baseline") -> pd.DataFrame:
    """Every headline number of a scenario, for readers: labels, formatted values, units, status.

    Returns
    -------
    pandas.DataFrame
        Columns ``Report, Number, Value, Unit, Status, Source``; ``Status`` is ``illustrative`` or
        ``invalid`` where the report said so, ``stale`` where the report's last run failed (the
        number comes from its last successful run), empty for findings.
    """
    from permanent_research.config import paths

    folder = paths().reports / scenario

    def status(notebook: str, record: dict) -> str:
        parts = [record.get("status") or ""]
        if (folder / f"{notebook}.failed.json").is_file():
            parts.append("stale: last run failed")
        return "; ".join(p for p in parts if p)

    rows = [
        {
            "Report": notebook,
            "Number": record.get("label") or name.replace("_", " "),
            "Value": format_headline({**record, "name": name}),
            "Unit": record.get("unit") or "",
            "Status": status(notebook, record),
            "Source": record.get("source") or "",
        }
        for notebook, records in read_report_headlines(scenario).items()
        if notebook != "08_synthesis"
        for name, record in records.items()
    ]
    return pd.DataFrame(rows, columns=["Report", "Number", "Value", "Unit", "Status", "Source"])
