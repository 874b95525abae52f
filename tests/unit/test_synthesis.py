"""The synthesis gathers exactly what the reports recorded, per scenario."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from permanent_research import config
from permanent_research.reporting.synthesis import headline_table, scenario_comparison

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def reports(tmp_path, monkeypatch):
    (tmp_path / "data" / "raw").mkdir(parents=True)
    shutil.copy(REPO_ROOT / "data" / "raw" / "catalog.yaml", tmp_path / "data" / "raw")
    monkeypatch.setenv(config.ENV_HOME, str(tmp_path))

    def write(scenario: str, stem: str, records: dict) -> None:
        folder = tmp_path / "reports" / scenario
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{stem}.headlines.json").write_text(json.dumps(records), encoding="utf-8")

    return write


def record(value, unit="", label=""):
    return {"value": value, "unit": unit, "label": label, "source": "test"}


def test_headline_table_lists_every_number_of_the_scenario(reports):
    reports("baseline", "01_brussels_context", {"waiting": record(43000, "households")})
    reports("baseline", "06_permanent_vs_temporary", {"gap": record(1.5, "EUR/m2", "Gap")})
    reports("pessimistic", "06_permanent_vs_temporary", {"gap": record(2.5, "EUR/m2", "Gap")})
    table = headline_table("baseline")
    assert sorted(table["name"]) == ["gap", "waiting"]
    assert table.set_index("name").loc["waiting", "value"] == 43000
    assert table.set_index("name").loc["waiting", "label"] == "waiting"


def test_headline_table_is_empty_without_reports(reports):
    assert headline_table("baseline").empty


def test_comparison_keeps_only_numbers_that_move(reports):
    for scenario, gap in [("baseline", 1.5), ("pessimistic", 2.5), ("optimistic", 0.5)]:
        reports(
            scenario,
            "06_permanent_vs_temporary",
            {"gap": record(gap, "EUR/m2", "Gap"), "fixed": record(7, "", "Fixed")},
        )
    comparison = scenario_comparison(["baseline", "pessimistic", "optimistic"])
    assert list(comparison.columns) == ["baseline", "pessimistic", "optimistic"]
    assert comparison.index.get_level_values("label").tolist() == ["Gap"]
    assert comparison.iloc[0].tolist() == [1.5, 2.5, 0.5]


def test_synthesis_notebook_shows_the_recorded_numbers(reports, tmp_path):
    # the fixture above points PERMANENT_RESEARCH_HOME at tmp_path; the kernel inherits it
    reports("baseline", "01_brussels_context", {"waiting": record(43000, "households")})
    reports("baseline", "02_rent_trends", {"cagr": record(3.1, "%"), "n": record(19)})
    scenarios = REPO_ROOT / "scenarios"
    shutil.copytree(scenarios, tmp_path / "scenarios")
    import papermill as pm

    from permanent_research.reporting.headlines import read_headlines

    output = tmp_path / "out.ipynb"
    from permanent_research.reporting.present import export_context

    with export_context(tmp_path / "exports"):
        node = pm.execute_notebook(
            str(REPO_ROOT / "notebooks" / "08_synthesis.ipynb"),
            str(output),
            kernel_name="python3",
            progress_bar=False,
            cwd=str(REPO_ROOT / "notebooks"),
        )
    numbers = read_headlines(node)
    assert numbers["reports_gathered"]["value"] == 2
    assert numbers["headline_numbers_gathered"]["value"] == 3
    assert (tmp_path / "exports" / "headlines.tex").is_file()


def test_headline_can_show_a_calendar_year_without_separator(capsys):
    from permanent_research.reporting.headlines import headline

    assert headline("latest_year", 2024, digits=0, thousands=False) == 2024
    assert headline("households", 43000, digits=0) == 43000
    printed = capsys.readouterr().out
    assert "latest_year: 2024" in printed and "households: 43,000" in printed


def _comparison_records(temporary, clt, clt_lower):
    return {
        "public_cost_per_household_year_temporary_eur": record(temporary, "EUR"),
        "public_cost_per_household_year_clt_eur": record(clt, "EUR"),
        "public_cost_clt_lower_pct_of_draws": record(clt_lower, "% of draws"),
    }


def test_findings_direction_and_size_follow_the_numbers(reports):
    from permanent_research.reporting.synthesis import findings

    reports("baseline", "06_permanent_vs_temporary", _comparison_records(8000, 6000, 84))
    reports("pessimistic", "06_permanent_vs_temporary", _comparison_records(7000, 9100, 31))
    reports("baseline", "09_what_decides_the_answer", {
        "temporary_cheaper_share_pct": record(12, "%"),
        "public_gap_top_input_s1": record(
            0.41, "", "First-order Sobol' index of the leading input (land_price_eur_m2)"),
    })
    found = findings(["baseline", "pessimistic", "optimistic"])
    table = found.to_frame().set_index("scenario")
    assert table.loc["baseline", "cheaper"] == "CLT"
    assert table.loc["baseline", "difference_eur"] == 2000
    assert table.loc["baseline", "difference_pct"] == pytest.approx(25.0)
    assert table.loc["pessimistic", "cheaper"] == "temporary use"
    assert found.missing == ("optimistic",)
    base = " ".join(found.sentences("baseline"))
    assert "the CLT is cheaper for the public than temporary use" in base
    assert "temporary use is dearer by EUR 2,000 (difference of the medians, 25 %" in base
    assert "84 % of the Monte Carlo draws: it is cheaper in most" in base
    assert "`land_price_eur_m2`" in base and "12 % of runs" in base
    worse = " ".join(found.sentences("pessimistic"))
    assert "temporary use is cheaper for the public than the CLT" in worse
    assert "it is dearer in most draws" in worse
    assert "No report" in found.sentences("optimistic")[0]
    assert (table["metric"] == "undiscounted cash").all()
    fig = found.plot()
    assert len(fig.axes[0].patches) == 4


def test_findings_prefer_present_values_over_cash(reports):
    from permanent_research.reporting.synthesis import findings

    # cash says the CLT is cheaper; present values (what the answer rests on) say the opposite
    records = _comparison_records(8000, 6000, 84) | {
        "discount_rate_pct": record(3.0, "%/year"),
        "pv_public_cost_per_household_year_temporary_use_eur": record(5000, "EUR"),
        "pv_public_cost_per_household_year_permanent_clt_eur": record(7500, "EUR"),
        "pv_public_cost_per_studio_year_temporary_use_eur": record(900, "EUR"),
        "pv_public_cost_per_studio_year_permanent_clt_eur": record(600, "EUR"),
        "pv_clt_cheaper_pct_of_draws": record(35, "% of draws"),
        "pv_gap_clt_minus_temporary_household_eur": record(2300, "EUR"),
        "pv_gap_clt_minus_temporary_household_p05_eur": record(-900, "EUR"),
        "pv_gap_clt_minus_temporary_household_p95_eur": record(4100, "EUR"),
        "clt_eligible_decile_count": record(2, "deciles") | {
            "statement": "Deciles D3–D4 can buy a CLT home, at 45%–51% of income."},
    }
    reports("baseline", "06_permanent_vs_temporary", records)
    found = findings(["baseline"])
    row = found.to_frame().iloc[0]
    assert row["metric"] == "present value at 3.0 %"
    assert row["cheaper"] == "temporary use"
    # the gap as notebook 06 states it: the median of the same-draw difference, not 7500 - 5000
    assert row["difference_eur"] == 2300
    assert row["difference_pct"] == pytest.approx(100 * 2300 / 7500)
    text = " ".join(found.sentences("baseline"))
    assert "temporary use is cheaper for the public than the CLT" in text
    assert "the CLT is dearer by EUR 2,300 (median of the same-draw difference, 31 %" in text
    assert "(present value at 3.0 %, medians over draws)" in text
    # the share of draws and the interval are the present-value ones, not the cash 84 %
    assert row["clt_lower_pct_of_draws"] == 35
    assert "35 % of the Monte Carlo draws: it is dearer in most draws" in text
    assert "from EUR -900 to EUR +4,100 over 90 % of the draws" in text
    assert "For whom: Deciles D3–D4 can buy a CLT home, at 45%–51% of income." in text
    assert "a CLT studio costs the public less than a temporary-use studio" in text
    assert "EUR 600 against EUR 900" in text
    assert "present value at 3.0 %" in found.plot()._suptitle.get_text()


def test_appendix_formats_years_counts_and_status(reports):
    from permanent_research.reporting.synthesis import appendix_table, format_headline

    reports("baseline", "01_brussels_context", {
        "permits_latest_full_year": {**record(2024.0, "", "Latest full permit year"),
                                     "thousands": False},
        "waiting": record(55000.0, "households", "Waiting list"),
        "rent_real_change_first_last_pct": {**record(-8.8, "%", "Deflated change"),
                                            "status": "invalid"},
    })
    table = appendix_table("baseline").set_index("Number")
    assert table.loc["Latest full permit year", "Value"] == "2024"
    assert table.loc["Waiting list", "Value"] == "55,000"
    assert table.loc["Deflated change", "Status"] == "invalid"
    assert table.loc["Waiting list", "Status"] == ""
    assert format_headline({"value": 105.916667, "unit": "dwellings/year"}) == "106"
    assert format_headline({"value": 0.0357, "unit": ""}) == "0.0357"
    assert format_headline({"value": 3.456, "unit": "%"}) == "3.46"
    assert format_headline({"value": None}) == "—"


def test_headline_status_is_recorded_and_checked():
    from permanent_research.errors import ParameterError
    from permanent_research.reporting.headlines import headline

    with pytest.raises(ParameterError, match="allowed: '', 'illustrative', 'invalid'"):
        headline("x", 1.0, status="wrong")


def test_headline_statement_is_recorded_and_quoted_by_the_findings(reports, monkeypatch):
    import IPython.display

    from permanent_research.reporting.headlines import HEADLINE_MIME, headline
    from permanent_research.reporting.synthesis import findings

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, raw=False: shown.append(obj))
    headline("prim_temporary_density_pct", 71.4, unit="%", digits=0,
             statement="Temporary use is cheaper when land_price_eur_m2 > 800.")
    (bundle,) = shown
    assert bundle[HEADLINE_MIME]["statement"] == (
        "Temporary use is cheaper when land_price_eur_m2 > 800.")
    assert "statement" not in bundle["text/plain"]  # recorded, not printed

    reports("baseline", "06_permanent_vs_temporary", _comparison_records(8000, 6000, 84))
    reports("baseline", "09_what_decides_the_answer",
            {"prim_temporary_density_pct": bundle[HEADLINE_MIME]})
    found = findings(["baseline"])
    assert found.to_frame().iloc[0]["temporary_wins_when"].startswith("Temporary use is cheaper")
    assert found.sentences("baseline")[-1] == (
        "Scenario discovery (PRIM, notebook 09): Temporary use is cheaper when "
        "land_price_eur_m2 > 800.")


def test_for_whom_figure_shows_the_recorded_decile_counts_without_label_problems(reports):
    from permanent_research.reporting.figcheck import label_problems
    from permanent_research.reporting.synthesis import findings, plot_for_whom

    for scenario, clt, social in (("baseline", 2, 4), ("pessimistic", 0, 4)):
        reports(scenario, "06_permanent_vs_temporary", _comparison_records(8000, 6000, 84) | {
            "clt_eligible_decile_count": record(clt, "deciles"),
            "social_eligible_decile_count": record(social, "deciles")})
    found = findings(["baseline", "pessimistic"])
    table = found.to_frame().set_index("scenario")
    assert table.loc["pessimistic", "clt_deciles"] == 0
    assert table.loc["baseline", "social_deciles"] == 4
    fig = plot_for_whom(found)
    widths = sorted(round(bar.get_width()) for bar in fig.axes[0].patches)
    assert widths == [0, 2, 4, 4]
    assert label_problems(fig) == []
