"""Every headline number of ``01_brussels_context`` recomputed straight from ``data/raw``.

The notebook runs once with its default parameters (fixture ``executed_notebook``). Each number
it records is recomputed here with plain pandas on the raw CSV files read as text — not through
``permanent_research`` — and compared at the rounding the notebook uses (whole units, or one
decimal for percentages).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

RAW = Path(__file__).resolve().parents[2] / "data" / "raw"
STEM = "01_brussels_context"

FIGURES = [
    "waiting_list",
    "social_stock",
    "social_production",
    "rents_observatory",
    "sale_prices_lines",
    "sale_prices_map",
    "building_permits",
    "vacancy_vs_waiting_list",
]
TABLES = [
    "social_housing_sources",
    "rent_claims",
    "rent_observatory_series",
    "rent_barometers_new_leases",
    "sale_prices_change",
    "building_permits_region",
    "vacant_dwellings",
]


def raw(name: str) -> pd.DataFrame:
    return pd.read_csv(RAW / name, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def run(executed_notebook):
    return executed_notebook(STEM)


@pytest.fixture(scope="module")
def headlines(run):
    return run[1]


@pytest.fixture(scope="module")
def expected() -> dict[str, float]:
    """The headline numbers, recomputed from the raw files with the notebook's defaults."""
    out: dict[str, float] = {}

    social = raw("social_housing_brussels_facts.csv")
    social = social[social["geo_code"] == "04000"]
    waiting = social[social["measure"] == "waiting_list_households"]
    dated = waiting[waiting["reference_period"] != ""]
    # reference periods are YYYY or YYYY-MM, so the text order is the time order
    out["waiting_list_latest_dated_households"] = round(
        float(dated.loc[dated["reference_period"].idxmax(), "value"])
    )
    recent = waiting[(waiting["reference_period"] == "")
                     | (waiting["reference_period"].str[:4] >= "2017")]
    out["waiting_list_recent_low_households"] = round(recent["value"].astype(float).min())
    out["waiting_list_recent_high_households"] = round(recent["value"].astype(float).max())

    total = social[social["measure"] == "social_dwellings_stock_total"]
    last_period = total["reference_period"].max()
    stock = float(total.loc[total["reference_period"] == last_period, "value"].iloc[0])
    occupied_rows = social[(social["measure"] == "social_dwellings_occupied")
                           & (social["reference_period"] == last_period)]
    occupied = float(occupied_rows["value"].iloc[0])
    out["social_stock_dwellings"] = round(stock)
    out["social_occupied_dwellings"] = round(occupied)
    out["social_vacant_dwellings"] = round(stock - occupied)

    produced = social[social["measure"] == "social_dwellings_produced"].iloc[0]
    first, last = (int(y) for y in produced["reference_period"].split("-"))
    out["new_social_homes_per_year_computed"] = round(float(produced["value"]) / (last - first))
    # the same total over the calendar years inclusive (2004..2016 = 13 years), one decimal
    out["new_social_homes_per_year_calendar"] = round(
        float(produced["value"]) / (last - first + 1), 1)
    first_total = total.loc[total["reference_period"] == str(first), "value"]
    out["social_stock_net_change_per_year"] = round(
        (stock - float(first_total.iloc[0])) / (last - first))
    stated = social[social["measure"] == "social_dwellings_produced_per_year_approx"]
    out["new_social_homes_per_year_stated"] = round(float(stated["value"].iloc[0]))

    rents = raw("rent_observatory_brussels.csv")
    means = rents[(rents["measure"] == "mean_monthly_rent_all_dwellings")
                  & (rents["geo_code"] == "04000") & (rents["preferred"] == "yes")
                  & rents["survey_year"].str.fullmatch(r"\d{4}")]
    mean_rent = {int(y): float(v) for y, v in zip(means["survey_year"], means["value"],
                                                   strict=True)}
    first_year, last_year = min(mean_rent), max(mean_rent)
    out["observatory_mean_rent_first_eur"] = round(mean_rent[first_year])
    out["observatory_mean_rent_last_eur"] = round(mean_rent[last_year])

    def nearest(target: int) -> int:
        return sorted(mean_rent, key=lambda y: (abs(y - target), y))[0]

    start, end = nearest(2008), nearest(2018)
    out["rent_nominal_change_pct"] = round((mean_rent[end] / mean_rent[start] - 1) * 100, 1)
    ratio = mean_rent[last_year] / mean_rent[first_year]
    out["rent_change_first_last_pct"] = round((ratio - 1) * 100, 1)

    index = raw("health_index_cpi_belgium.csv")
    health = index[(index["series"] == "health_index") & (index["base"] == "2013=100")]

    def annual(year: int) -> float:
        months = health[health["year"] == str(year)]
        assert months["month"].nunique() == 12, year
        return months["value"].astype(float).mean()

    deflator = annual(last_year) / annual(first_year)
    out["rent_real_change_first_last_pct"] = round((ratio / deflator - 1) * 100, 1)

    sales = raw("statbel_real_estate_sales_brussels.csv")
    region = sales[(sales["nis_code"] == "04000") & (sales["property_type"] == "appartementen")
                   & (sales["measure"] == "median_price")].set_index("year")["value"]
    p2010, p2024 = float(region["2010"]), float(region["2024"])
    out["region_median_price_start_eur"] = round(p2010)
    out["region_median_price_end_eur"] = round(p2024)
    out["region_median_price_change_pct"] = round((p2024 / p2010 - 1) * 100, 1)

    permits = raw("statbel_building_permits_brussels.csv")
    dwellings = permits[permits["measure"] == "new_dwellings"]
    reported = dwellings[dwellings["value"] != ""]
    per_year = reported.groupby("year")["value"].agg(
        communes="count", total=lambda v: v.astype(float).sum()
    )
    n_communes = dwellings["nis_code"].nunique()
    full_year = max(int(y) for y in per_year.index[per_year["communes"] == n_communes])
    out["permits_latest_full_year"] = full_year
    out["permits_latest_full_year_count"] = round(per_year.loc[str(full_year), "total"])

    vacant = raw("vacant_dwellings_brussels_facts.csv")
    vacant = vacant[vacant["geo_code"] == "04000"].set_index("measure")
    out["presumed_vacant_dwellings_low"] = round(
        float(vacant.loc["presumed_vacant_dwellings_low", "value"]))
    out["presumed_vacant_dwellings_high"] = round(
        float(vacant.loc["presumed_vacant_dwellings_high", "value"]))

    out["_rent_years"] = (start, end, first_year, last_year)  # for the label checks
    return out


def test_every_headline_is_recomputed(headlines, expected):
    names = {k for k in expected if not k.startswith("_")}
    assert set(headlines) == names, set(headlines) ^ names


@pytest.mark.parametrize(
    "name",
    [
        "waiting_list_latest_dated_households",
        "waiting_list_recent_low_households",
        "waiting_list_recent_high_households",
        "social_stock_dwellings",
        "social_occupied_dwellings",
        "social_vacant_dwellings",
        "new_social_homes_per_year_computed",
        "new_social_homes_per_year_stated",
        "new_social_homes_per_year_calendar",
        "social_stock_net_change_per_year",
        "observatory_mean_rent_first_eur",
        "observatory_mean_rent_last_eur",
        "rent_nominal_change_pct",
        "rent_change_first_last_pct",
        "rent_real_change_first_last_pct",
        "region_median_price_start_eur",
        "region_median_price_end_eur",
        "region_median_price_change_pct",
        "permits_latest_full_year",
        "permits_latest_full_year_count",
        "presumed_vacant_dwellings_low",
        "presumed_vacant_dwellings_high",
    ],
)
def test_headline_equals_raw_recomputation(headlines, expected, name):
    assert headlines[name]["value"] == expected[name], (name, headlines[name], expected[name])


def test_headline_labels_name_the_years_used(headlines, expected):
    start, end, first_year, last_year = expected["_rent_years"]
    assert f"{start}-{end}" in headlines["rent_nominal_change_pct"]["label"]
    assert str(first_year) in headlines["observatory_mean_rent_first_eur"]["label"]
    assert str(last_year) in headlines["observatory_mean_rent_last_eur"]["label"]
    year = expected["permits_latest_full_year"]
    assert str(year) in headlines["permits_latest_full_year_count"]["label"]
    assert all(record["source"] for record in headlines.values())


@pytest.mark.parametrize("name", FIGURES)
def test_figure_exported_as_png_and_pdf(run, name):
    folder = run[2]
    for suffix in ("png", "pdf"):
        path = folder / f"{name}.{suffix}"
        assert path.is_file() and path.stat().st_size > 1000, path


@pytest.mark.parametrize("name", TABLES)
def test_table_exported_as_csv_and_tex(run, name):
    folder = run[2]
    table = pd.read_csv(folder / f"{name}.csv")
    assert len(table) > 0
    tex = (folder / f"{name}.tex").read_text(encoding="utf-8")
    assert "\\begin{table}" in tex and "\\toprule" in tex


def test_rent_claims_table_keeps_both_claims_apart(run):
    claims = pd.read_csv(run[2] / "rent_claims.csv")
    figures = claims["figure"].tolist()
    assert "brochure" in figures and "observatory statement" in figures
    assert set(claims["basis"]) >= {"nominal", "real"}
