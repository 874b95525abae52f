"""Tests of permanent_research.context (tables behind notebook 01) and plots.context.

Small frames with hand-worked answers, plus a few checks on the bundled data whose expected
values were worked out by hand from the raw CSV rows (quoted in each test).
"""

from __future__ import annotations

import math

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from permanent_research import context
from permanent_research.errors import DataError, ParameterError

matplotlib.use("Agg")


# --------------------------------------------------------------------------- helpers
def facts(rows: list[tuple], period_column: str = "reference_period") -> pd.DataFrame:
    """A fact table shaped like load('social_housing'): (period, measure, value[, note])."""
    records = []
    for row in rows:
        period, measure, value, *rest = row
        records.append({
            period_column: period,
            "geo_code": "04000",
            "geo_name": "Région de Bruxelles-Capitale",
            "measure": measure,
            "value": value,
            "unit": "dwellings",
            "source_url": f"https://example.org/{measure}/{period}",
            "source_page_publisher": f"pub-{period}",
            "page_date": "2020-01" if period else None,
            "original_producer": "SLRB",
            "note": rest[0] if rest else None,
        })
    return pd.DataFrame(records)


def observatory(rows: list[tuple]) -> pd.DataFrame:
    """Rows (survey_year, measure, value, preferred) shaped like load('rent_observatory')."""
    frame = facts([(y, m, str(v)) for y, m, v, _ in rows], period_column="survey_year")
    frame["preferred"] = [p for *_, p in rows]
    frame["value_numeric"] = pd.to_numeric(frame["value"], errors="coerce")
    return frame


def index_rows(year: int, months: int, value: float, base: str = "2013=100") -> list[dict]:
    return [
        {"series": "health_index", "base": base, "period": f"{year}-{m:02d}", "year": year,
         "month": m, "value": value}
        for m in range(1, months + 1)
    ]


@pytest.fixture(scope="module")
def real():
    from permanent_research.data import load

    return {name: load(name) for name in ("social_housing", "rent_observatory",
                                          "health_index_cpi", "real_estate_sales",
                                          "building_permits", "rent_barometers")}


# --------------------------------------------------------------------------- periods, facts
@pytest.mark.parametrize(
    ("text", "year"),
    [("2017", 2017.0), ("2020-03", 2020 + 2 / 12), ("as of 2014-01", 2014.0),
     ("2004-2016", 2016.0), ("", math.nan), (None, math.nan), ("undated", math.nan),
     ("2022 (barometer published 2022-09)", 2022.0)],
)
def test_period_year(text, year):
    got = context.period_year(text)
    assert (math.isnan(got) and math.isnan(year)) or got == pytest.approx(year, abs=1e-12)


def test_fact_table_sorts_by_date_with_undated_last_and_keeps_sources():
    frame = facts([("", "waiting_list_households", 41000),
                   ("2020-03", "waiting_list_households", 47000),
                   ("2015", "waiting_list_households", 48000)])
    table = context.fact_table(frame, ["waiting_list_households"])
    assert table["period"].tolist() == ["2015", "2020-03", "undated"]
    assert table["value"].tolist() == [48000, 47000, 41000]
    assert table.loc[2, "page_date"] == "not stated"
    assert table.loc[0, "source_url"] == "https://example.org/waiting_list_households/2015"


def test_fact_table_unknown_measure_is_a_one_line_error():
    frame = facts([("2015", "waiting_list_households", 1)])
    with pytest.raises(DataError, match="waiting_list_typo") as info:
        context.fact_table(frame, ["waiting_list_typo"])
    assert "\n" not in str(info.value) and "waiting_list_households" in str(info.value)


def test_waiting_list_reads_bounds_from_the_note():
    frame = facts([("2020-01", "waiting_list_households", 40000, "stated as more than 40,000"),
                   ("", "waiting_list_households", 60000, "stated as nearly 60,000"),
                   ("2017-01", "waiting_list_households", 44000, "rounded")])
    table = context.waiting_list(frame)
    assert dict(zip(table["value"], table["stated_as"], strict=True)) == {
        44000: "", 40000: "more than", 60000: "nearly"}


def test_social_stock_derives_vacancy_only_where_both_figures_exist():
    frame = facts([("2004", "social_dwellings_stock_total", 1000),
                   ("2004", "social_dwellings_occupied", 900),
                   ("2016", "social_dwellings_stock_total", 1200),
                   ("2008", "vacant_social_dwellings", 50)])
    table = context.social_stock(frame)
    vacant = table[table["measure"] == "vacant_social_dwellings"]
    assert vacant[["period", "value", "derived"]].values.tolist() == [
        ["2004", 100.0, True], ["2008", 50.0, False]]


def test_social_production_span_rules():
    frame = facts([("2004-2016", "social_dwellings_produced", 1200),
                   ("2004", "social_dwellings_stock_total", 1000),
                   ("2016", "social_dwellings_stock_total", 1600),
                   ("", "social_dwellings_produced_per_year_approx", 110),
                   ("2022", "public_dwellings_delivered", 415)])
    difference = context.social_production(frame, span="difference")
    inclusive = context.social_production(frame, span="inclusive")
    assert difference["dwellings_per_year"].tolist() == [100.0, 50.0, 110.0, 415.0]
    assert inclusive["dwellings_per_year"].iloc[0] == pytest.approx(1200 / 13)
    assert difference["figure"].iloc[3].startswith("public")
    with pytest.raises(ParameterError, match="'difference', 'inclusive'"):
        context.social_production(frame, span="calendar")


def test_social_production_on_bundled_data(real):
    # raw row: 2004-2016, social_dwellings_produced, 1271 (DH); stock 38632 (2004), 39527 (2016)
    table = context.social_production(real["social_housing"])
    assert table["dwellings_per_year"].iloc[0] == pytest.approx(1271 / 12, abs=1e-9)
    assert table["dwellings_per_year"].iloc[1] == pytest.approx((39527 - 38632) / 12, abs=1e-9)


# --------------------------------------------------------------------------- rents
def test_annual_index_keeps_only_full_years_of_one_base():
    prices = pd.DataFrame(index_rows(2004, 12, 80.0) + index_rows(2018, 12, 100.0)
                          + index_rows(2026, 6, 120.0) + index_rows(2010, 12, 50.0, "2004=100"))
    annual = context.annual_index(prices)
    assert annual.to_dict() == {2004: 80.0, 2018: 100.0}
    with pytest.raises(DataError, match="series='cpi'"):
        context.annual_index(prices, "cpi")


def test_annual_index_on_bundled_data_matches_a_hand_mean(real):
    # health index base 2013, 2004: mean of the 12 monthly values of indexatiehulp.be
    raw = real["health_index_cpi"]
    months = raw[(raw["series"] == "health_index") & (raw["base"] == "2013=100")
                 & (raw["year"] == 2004)]["value"]
    assert len(months) == 12
    assert context.annual_index(raw)[2004] == pytest.approx(sum(months) / 12, rel=1e-12)
    assert 2010 not in context.annual_index(raw).index


@pytest.mark.parametrize(("years", "target", "nearest"),
                         [([2004, 2010, 2018], 2008, 2010), ([2004, 2012], 2008, 2004),
                          ([2015, 2018], 2018, 2018)])
def test_nearest_year(years, target, nearest):
    assert context.nearest_year(years, target) == nearest


def small_rent_inputs():
    obs = observatory([
        ("2004", "mean_monthly_rent_all_dwellings", 500, "yes"),
        ("2010", "mean_monthly_rent_all_dwellings", 600, "yes"),
        ("2018", "mean_monthly_rent_all_dwellings", 750, "yes"),
        ("2018", "mean_monthly_rent_all_dwellings", 800, "no"),
        ("2004-2018", "real_rent_increase_above_indexation", 20, "yes"),
    ])
    prices = pd.DataFrame(index_rows(2004, 12, 80.0) + index_rows(2018, 12, 100.0))
    return obs, prices


def test_compare_rent_changes_hand_worked():
    obs, prices = small_rent_inputs()
    result = context.compare_rent_changes(obs, prices, brochure_change_pct=29,
                                          brochure_years=(2008, 2018))
    claims = result.to_frame().set_index(["figure", "period"])["change_pct"]
    # nearest survey years to 2008/2018: 2010/2018 -> 750/600 - 1 = +25%
    assert result.nominal_years == (2010, 2018)
    assert result.nominal_change_pct == pytest.approx(25.0)
    # first/last: 750/500 - 1 = +50%; deflated: 1.5 / (100/80) - 1 = +20%
    assert claims[("computed: mean rent 500 -> 750 EUR", "2004-2018")] == pytest.approx(50.0)
    deflated = claims.xs("computed: deflated by the health index")
    assert deflated["2004-2018"] == pytest.approx(20.0)
    assert math.isnan(deflated["2010-2018"])  # no index for 2010
    assert result.deflator_years_missing == (2008, 2010)
    assert claims[("brochure", "2008-2018")] == 29
    assert claims[("observatory statement", "2004-2018")] == 20
    # the not-preferred 800 is never used
    assert 800 not in result.mean_rent["value"].tolist()


def test_rent_comparison_is_a_frozen_result_with_summary_and_html():
    obs, prices = small_rent_inputs()
    result = context.compare_rent_changes(obs, prices, brochure_change_pct=29,
                                          brochure_years=(2008, 2018))
    with pytest.raises(AttributeError):
        result.nominal_change_pct = 0  # type: ignore[misc]
    assert "+25.0%" in result.summary() and "n/a" in result.summary()
    assert result._repr_html_().startswith("<h4>")


def test_compare_rent_changes_rejects_two_preferred_values_for_a_year():
    obs, prices = small_rent_inputs()
    obs.loc[3, "preferred"] = "yes"
    with pytest.raises(DataError, match="2018"):
        context.compare_rent_changes(obs, prices, brochure_change_pct=29,
                                     brochure_years=(2008, 2018))


def test_compare_rent_changes_on_bundled_data(real):
    # raw rows: 2010 mean 591 (Doulkeridis blog), 2018 mean 739 (RTL): 739/591 - 1
    result = context.compare_rent_changes(real["rent_observatory"], real["health_index_cpi"],
                                          brochure_change_pct=29, brochure_years=(2008, 2018))
    assert result.nominal_years == (2010, 2018)
    assert result.nominal_change_pct == pytest.approx((739 / 591 - 1) * 100, abs=1e-9)
    assert result.mean_rent["survey_year"].tolist() == [2004, 2010, 2012, 2015, 2016, 2017, 2018]
    assert result.mean_rent.set_index("survey_year").loc[2017, "value"] == 700  # SLRB, preferred


def test_observatory_rents_keep_conflicting_versions(real):
    rents = context.observatory_rents(real["rent_observatory"])
    in_2017 = rents[rents["survey_year"] == 2017]
    assert sorted(in_2017["value"]) == [700, 714, 725]
    assert in_2017["preferred"].sum() == 1
    assert rents["survey_year"].isna().sum() == 1  # the undated RTBF 695


def test_barometers_are_region_levels_only(real):
    table = context.rent_barometers_region(real["rent_barometers"])
    assert len(table) > 0 and table["unit"].str.startswith("EUR").all()
    assert "mean_rent_change_yoy" not in set(table["measure"])


# --------------------------------------------------------------------------- prices, permits
def sales_frame() -> pd.DataFrame:
    rows = []
    for code, level, name, prices in [("04000", "region", "Region", (100.0, 150.0)),
                                      ("21001", "municipality", "A", (80.0, None))]:
        for year, price in zip((2010, 2024), prices, strict=True):
            for measure, value in (("median_price", price), ("n_transactions", 10.0)):
                rows.append({"nis_code": code, "geo_level": level, "name_fr": name,
                             "year": year, "property_type": "appartementen",
                             "measure": measure, "value": value,
                             "status": "published" if value is not None
                             else "not_published_in_source"})
    return pd.DataFrame(rows)


def test_median_prices_and_change_hand_worked():
    prices = context.median_prices(sales_frame())
    assert prices["published"].tolist() == [True, True, True, False]
    change = context.price_change(prices, 2010, 2024).set_index("nis_code")
    assert change.loc["04000", "change_pct"] == pytest.approx(50.0)
    assert math.isnan(change.loc["21001", "change_pct"])
    with pytest.raises(ParameterError, match="end_year=2025"):
        context.price_change(prices, 2010, 2025)


def test_median_prices_rejects_an_unknown_property_type():
    with pytest.raises(ParameterError, match="'appartementen'"):
        context.median_prices(sales_frame(), "flats")


def test_price_change_on_bundled_data(real):
    # raw: region apartments 160000 (2010) and 260000 (2024)
    change = context.price_change(context.median_prices(real["real_estate_sales"]), 2010, 2024)
    region = change.set_index("nis_code").loc["04000"]
    assert (region["price_2010_eur"], region["price_2024_eur"]) == (160000, 260000)
    assert region["change_pct"] == pytest.approx(62.5)
    assert len(change) == 21  # 19 communes, the region and Belgium


def test_permit_series_marks_incomplete_years():
    permits = pd.DataFrame({
        "nis_code": ["21001", "21002", "21001", "21002"],
        "year": [2024, 2024, 2025, 2025],
        "measure": "new_dwellings",
        "value": [10.0, 5.0, 7.0, np.nan],
    })
    series = context.permit_series(permits)
    assert series["region_total"].iloc[0] == 15
    assert math.isnan(series["region_total"].iloc[1]) and series["partial_sum"].iloc[1] == 7
    assert context.latest_complete_year(series) == 2024


def test_permit_series_on_bundled_data(real):
    series = context.permit_series(real["building_permits"]).set_index("year")
    assert series.index.min() == 1996 and series.index.max() == 2025
    assert not series.loc[2025, "complete"] and series.loc[2025, "communes_reporting"] == 16
    assert context.latest_complete_year(series.reset_index()) == 2024


# --------------------------------------------------------------------------- parameters
GOOD = dict(property_type="appartementen", map_year=2024, change_start_year=2010,
            permit_measure="new_dwellings", brochure_rent_start=2008, brochure_rent_end=2018)


@pytest.mark.parametrize(
    ("change", "message"),
    [({"property_type": "flat"}, "property_type='flat'"),
     ({"map_year": 2030}, "map_year=2030"),
     ({"map_year": "2024"}, "map_year='2024'"),
     ({"change_start_year": 2024}, "change_start_year=2024 must be before"),
     ({"permit_measure": "dwellings"}, "permit_measure='dwellings'"),
     ({"brochure_rent_start": 2019}, "brochure_rent_start=2019"),
     ({"brochure_figures": {"brochure_stock": -1}}, "brochure_stock=-1"),
     ({"brochure_figures": {"brochure_stock": "40000"}}, "brochure_stock='40000'")],
)
def test_check_parameters_errors_name_the_parameter(change, message):
    with pytest.raises(ParameterError, match=message) as info:
        context.check_parameters(**{**GOOD, **change})
    assert "\n" not in str(info.value)


def test_check_parameters_accepts_the_defaults():
    context.check_parameters(**GOOD, brochure_figures={"brochure_stock": 40000})


# --------------------------------------------------------------------------- figures
def test_figures_build_with_finding_titles(real):
    from permanent_research.data.boundaries import communes
    from permanent_research.plots import context as figures

    social = real["social_housing"]
    obs, health = real["rent_observatory"], real["health_index_cpi"]
    prices = context.median_prices(real["real_estate_sales"])
    comparison = context.compare_rent_changes(obs, health, brochure_change_pct=29,
                                              brochure_years=(2008, 2018))
    built = {
        "waiting": figures.waiting_list_points(context.waiting_list(social), brochure=43000),
        "stock": figures.social_stock_bars(context.social_stock(social), brochure=40000),
        "production": figures.production_bars(context.social_production(social)),
        "rent": figures.rent_changes(context.observatory_rents(obs), comparison.claims),
        "lines": figures.price_lines(prices),
        "maps": figures.price_maps(communes(), context.price_change(prices, 2010, 2024),
                                          2010, 2024),
        "permits": figures.permit_bars(context.permit_series(real["building_permits"])),
    }
    titles = {k: (f._suptitle.get_text() if f._suptitle else f.axes[0].get_title(loc="left"))
              for k, f in built.items()}
    assert all(isinstance(f, Figure) for f in built.values())
    assert "40,000 to 60,000 households since 2017 or undated" in titles["waiting"]
    assert "39,527" in titles["stock"]
    assert "160,000" in titles["lines"] and "+62%" in titles["lines"]
    assert "1,867" in titles["permits"] and "2024" in titles["permits"]
    assert "+28%" in titles["maps"] and "+87%" in titles["maps"]
    import matplotlib.pyplot as plt

    for figure in built.values():
        plt.close(figure)


def test_price_maps_labels_have_a_white_outline_and_skip_missing(real):
    """Labels come from plots.maps.choropleth: white halo, no 'nan', colour bar 200,000."""
    import matplotlib.pyplot as plt
    from matplotlib import patheffects

    from permanent_research.data.boundaries import communes
    from permanent_research.plots import context as figures

    prices = context.median_prices(real["real_estate_sales"], "huizen_4plus")  # mostly blank
    change = context.price_change(prices, 2010, 2024)
    fig = figures.price_maps(communes(), change, 2010, 2024)
    maps = [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]
    communal = change.query("geo_level == 'municipality'")
    for ax, column in zip(maps, ("price_2024_eur", "change_pct"), strict=True):
        texts = [t for t in ax.texts if t.get_text()]
        assert 0 < len(texts) == int(communal[column].notna().sum())
        assert all("nan" not in t.get_text() for t in texts)
        assert all(any(isinstance(e, patheffects.withStroke) for e in t.get_path_effects())
                   for t in texts)
    title = fig._suptitle.get_text()
    assert "Every commune" not in title and "communes with data (of 19)" in title
    plt.close(fig)

    fig = figures.price_maps(communes(), context.price_change(
        context.median_prices(real["real_estate_sales"]), 2010, 2024), 2010, 2024)
    colour_bar = [ax for ax in fig.axes if ax.get_label() == "<colorbar>"][0]
    fig.canvas.draw()
    ticks = [t.get_text() for t in colour_bar.get_yticklabels() if t.get_text()]
    assert ticks and all("," in t for t in ticks), ticks  # prices above 1,000 EUR
    plt.close(fig)


def test_price_map_title_does_not_claim_every_commune_rose_when_some_fell(real):
    from permanent_research.plots.context import _price_map_title

    change = context.price_change(context.median_prices(real["real_estate_sales"]), 2023, 2024)
    communal = change[change["geo_level"] == "municipality"]
    risen = int((communal["change_pct"] > 0).sum())
    assert risen < len(communal)  # 2023-2024: some communes fell (checked from the data)
    title = _price_map_title(change, "change_pct", 2023, 2024, "apartment")
    assert not title.startswith("Every") and f"rose in {risen} of 19 communes" in title


# --------------------------------------------------------------------------- vacancy
def _vacancy_rows(measures):
    return pd.DataFrame({
        "year": [2021] * len(measures), "geo_code": ["04000"] * len(measures),
        "geo_name": ["Région"] * len(measures), "measure": measures,
        "value": [float(i + 1) for i in range(len(measures))],
        "unit": ["dwellings"] * len(measures),
        "source_url": ["https://example.org"] * len(measures),
        "source_publisher": ["P"] * len(measures), "page_date": [""] * len(measures),
        "note": [None] * len(measures),
    })


def test_vacancy_facts_keeps_dwelling_counts_labelled_and_sourced():
    measures = [*context.VACANCY_MEASURES, "water_meters_not_turning"]
    frame = _vacancy_rows(measures)
    frame.loc[0, "year"] = 2013  # sorted by year first
    table = context.vacancy_facts(frame)
    assert list(table["measure"]) == list(context.VACANCY_MEASURES)
    assert table["dwellings"].all() and table["figure"].str.len().gt(10).all()
    assert (table["page_date"] == "not stated").all() and (table["note"] == "").all()
    everything = context.vacancy_facts(frame, dwellings_only=False)
    meters = everything[everything["measure"] == "water_meters_not_turning"].iloc[0]
    assert not meters["dwellings"] and meters["figure"] == "water meters not turning"


def test_vacancy_facts_names_a_missing_measure():
    frame = _vacancy_rows(list(context.VACANCY_MEASURES)[1:])
    with pytest.raises(DataError, match="presumed_vacant_dwellings_low not found"):
        context.vacancy_facts(frame)


def test_vacancy_figure_draws_every_dwelling_and_dated_waiting_figure(real):
    import matplotlib.pyplot as plt

    from permanent_research.data import load
    from permanent_research.plots import context as figures

    vacancy = context.vacancy_facts(load("vacant_dwellings"))
    waiting = context.waiting_list(real["social_housing"])
    figure = figures.vacancy_vs_waiting(vacancy, waiting)
    ax = figure.axes[0]
    assert len(ax.patches) == len(vacancy) + int(waiting["year"].notna().sum())
    title = ax.get_title(loc="left")
    assert f"{vacancy['value'].max():,.0f}" in title and "2021" in title
    assert f"{waiting.dropna(subset=['year'])['value'].iloc[-1]:,.0f}" in title
    assert all("\n" in tick.get_text() for tick in ax.get_yticklabels())  # year · source line
    plt.close(figure)
