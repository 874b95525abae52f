"""Site inventory: schema, bad-input errors, corrections with sources, placement in quartiers."""

from __future__ import annotations

import warnings

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from permanent_research.causal.sites import (
    apply_site_updates,
    inventory_from_bundled,
    place_sites,
    quartier_timing,
    validate_site_inventory,
)
from permanent_research.errors import DataError, PermanentResearchWarning


@pytest.fixture
def squares() -> gpd.GeoDataFrame:
    """Two adjacent squares inside the region's bounding box (WGS84), codes 1 and 2."""
    squares = [box(4.30, 50.80, 4.35, 50.85), box(4.35, 50.80, 4.40, 50.85)]
    return gpd.GeoDataFrame({"mdrc": [1, 2]}, geometry=squares, crs="EPSG:4326")


def _inv(**overrides):
    base = {"name": ["A", "B", "C", "D"], "lat": [50.82, 50.83, None, None],
            "lon": [4.32, 4.38, None, None], "quartier": [None, None, 2, None],
            "nis_code": ["21004", "21004", None, "21001"], "start_year": [2015, 2018, 2019, 2020],
            "end_year": [2017, None, None, 2022]}
    base.update(overrides)
    return pd.DataFrame(base)


def test_placement_by_polygon_code_and_commune(squares):
    with pytest.warns(PermanentResearchWarning, match="1 of 4 site"):
        placed = place_sites(_inv(), squares)
    frame = placed.sites.set_index("name")
    assert frame.loc["A", "quartier_placed"] == 1  # point in the west square
    assert frame.loc["B", "quartier_placed"] == 2  # point in the east square
    assert frame.loc["C", "placed_by"] == "quartier_code"
    assert frame.loc["D", "placed_by"] == "commune"
    assert pd.isna(frame.loc["D", "quartier_placed"])
    assert dict(placed.counts) == {"coordinates": 2, "quartier_code": 1, "commune": 1,
                                   "unplaced": 0}
    for method in ("to_frame", "summary", "_repr_html_"):
        assert getattr(placed, method)() is not None


def test_timing_and_start_sensitivity(squares):
    inv = _inv(start_year_earliest=[2014, None, None, None], start_year_latest=[2016, None,
                                                                               None, None])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PermanentResearchWarning)
        placed = place_sites(inv, squares)
    best = quartier_timing(placed, [1, 2, 3]).set_index("quartier")
    early = quartier_timing(placed, [1, 2, 3], start="earliest").set_index("quartier")
    late = quartier_timing(placed, [1, 2, 3], start="latest").set_index("quartier")
    assert (best.loc[1, "first_treated"], early.loc[1, "first_treated"],
            late.loc[1, "first_treated"]) == (2015, 2014, 2016)
    assert best.loc[2, "first_treated"] == 2018 and best.loc[2, "n_sites"] == 2
    assert best.loc[1, "treatment_end"] == 2017
    assert pd.isna(best.loc[2, "treatment_end"])  # one of its sites is ongoing
    assert best.loc[3, "first_treated"] == 0


@pytest.mark.parametrize(("change", "message"), [
    ({"start_year": [None, 2018, 2019, 2020]}, "site without dates.*A"),
    ({"end_year": [2010, None, None, 2022]}, "end_year before start_year.*A"),
    ({"lat": [51.5, 50.83, None, None]}, "'lat'.*inside the Brussels-Capital Region.*A"),
    ({"quartier": [None, None, 99, None]}, "unknown code.*99.*C"),
    ({"name": ["A", "A", "C", "D"]}, "same name with different dates.*A"),
    ({"lon": [4.32, None, None, None]}, "only one of lat/lon.*B"),
])
def test_bad_input_one_line_errors(squares, change, message):
    with pytest.raises(DataError, match=message) as info:
        place_sites(_inv(**change), squares)
    assert "\n" not in str(info.value)


def test_point_outside_polygons_is_outside_region(squares):
    # inside the bounding box, 2 km south of both squares
    with pytest.raises(DataError, match="outside the Brussels-Capital Region.*A"):
        place_sites(_inv(lat=[50.78, 50.83, None, None]), squares)


def test_same_name_same_dates_is_a_repeat_not_an_error():
    inv = pd.concat([_inv(), _inv().iloc[[0]]], ignore_index=True)
    with pytest.warns(PermanentResearchWarning, match="dropped 1 repeated"):
        out = validate_site_inventory(inv)
    assert len(out) == 4


def test_dates_accepted_as_iso_dates():
    inv = _inv().drop(columns=["start_year", "end_year"]).assign(
        start_date=["2015-04-01", "2018-11-01", "2019-01-01", "2020-06-30"],
        end_date=["2017-12-31", None, None, "2022-01-01"])
    out = validate_site_inventory(inv)
    assert out["start_year"].tolist() == [2015, 2018, 2019, 2020]
    assert out["end_year"].iloc[0] == 2017


def test_updates_correct_fill_add_and_keep_sources():
    sites = pd.DataFrame({"site_name": ["X", "Y"], "start_year": [2019, None],
                          "end_year": [None, 2020], "address": ["a", "b"],
                          "lat": [None, None], "lon": [None, None]})
    updates = pd.DataFrame({
        "site_name": ["X", "Y", "Z"], "not_in_sites_file": ["no", "no", "yes"],
        "address": ["a", None, "c"], "lat": [50.85, None, None], "lon": [4.35, None, None],
        "start_year": [2020, 2017, 2021], "end_year": [None, None, 2022],
        "coord_source_url": ["u-coord", None, None], "dates_source_url": ["u-x", "u-y", "u-z"]})
    result = apply_site_updates(sites, updates)
    out = result.sites.set_index("site_name")
    assert out.loc["X", "start_year"] == 2020
    assert (out.loc["X", "start_year_earliest"], out.loc["X", "start_year_latest"]) == (2019, 2020)
    assert out.loc["Y", "start_year"] == 2017 and out.loc["Y", "end_year"] == 2020  # not erased
    assert out.loc["Z", "added"]
    log = result.changes.set_index(["site_name", "field"])
    assert log.loc[("X", "start_year"), "source"] == "u-x"
    assert log.loc[("X", "lat"), "source"] == "u-coord"
    assert log.loc[("Y", "start_year"), "kind"] == "filled"
    assert ("X", "address") not in log.index  # unchanged value: no change logged
    assert sites["start_year"].iloc[0] == 2019  # input untouched


def test_bundled_corrections_named_in_the_issue():
    from permanent_research.data import load

    result = apply_site_updates(load("temporary_use_sites"), load("temporary_use_sites_updates"))
    out = result.sites.set_index("site_name")
    assert out.loc["MolenWest", "start_year"] == 2020
    assert out.loc["MolenWest", "start_year_earliest"] == 2019
    assert out.loc["Grand Hospice - Pachéco", "end_year"] == 2026
    assert int(out["added"].sum()) == 13
    assert result.changes["source"].notna().all()
    assert out[["lat", "lon"]].dropna().shape[0] == 9
    with pytest.warns(PermanentResearchWarning, match="no start year"):
        inv = inventory_from_bundled(result.sites)
    validate_site_inventory(inv)  # the corrected bundled list passes the inventory schema


def test_site_results_share_the_interface(squares):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from permanent_research.data import load

    updates = apply_site_updates(load("temporary_use_sites"), load("temporary_use_sites_updates"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PermanentResearchWarning)
        placement = place_sites(_inv(), squares)
    for result in (updates, placement):
        assert isinstance(result.to_frame(), pd.DataFrame)
        assert result.summary() and "<" in result._repr_html_()
        plt.close(result.plot())
    assert placement.replace(options={"x": 1}).options == {"x": 1}


# --- Toestand's project list and merging inventories -----------------------------------------

NIS = {"Anderlecht": "21001", "Bruxelles": "21004"}


def _projects(**overrides):
    base = {
        "project_title_as_published": ["P1", "P2", "P3", "P4"],
        "period_as_published": ["2019 - 2021", "2016 - nu", "2015", "2012"],
        "start_year": [2019, 2016, 2015, 2012],
        "end_year": [2021, None, 2015, 2012],
        "location_as_published": ["Rue X", "Rue Y", "Anneessens neighbourhood", "Vilvoorde"],
        "municipality": ["Anderlecht", "Bruxelles", "not stated (Anneessens)", "Vilvoorde"],
        "in_brussels_region": ["yes", "yes", "unknown", "no (periphery)"],
        "source_locator": ["a.md", "b.md", "c.md", "d.md"],
    }
    base.update(overrides)
    return pd.DataFrame(base)


def test_toestand_projects_become_inventory_rows():
    from permanent_research.causal import inventory_from_toestand

    with pytest.warns(PermanentResearchWarning, match="1 of 4 project.*outside.*P4"):
        inv = inventory_from_toestand(_projects(), nis_codes=NIS, quartier_of={"P3": 10},
                                      as_of=2020)
    out = inv.set_index("name")
    assert list(out.index) == ["P1", "P2", "P3"]
    assert out.loc["P1", "nis_code"] == "21001" and out.loc["P1", "end_year"] == 2021
    # "nu" = still running when the page was written: the end is the range 2020 .. ongoing
    assert pd.isna(out.loc["P2", "end_year"]) and out.loc["P2", "end_year_earliest"] == 2020
    assert pd.isna(out.loc["P1", "end_year_earliest"])
    assert pd.isna(out.loc["P3", "nis_code"]) and out.loc["P3", "quartier"] == 10
    assert (out["inventory"] == "toestand").all()
    assert out.loc["P1", "source"].endswith("a.md")


@pytest.mark.parametrize(("change", "kwargs", "message"), [
    ({"municipality": ["Anderlech", "Bruxelles", "not stated", "Vilvoorde"]}, {},
     "'municipality'.*Anderlech.*P1"),
    ({}, {"quartier_of": {"P9": 10}}, "quartier_of.*P9"),
    ({"end_year": [2021, 2019, 2015, 2012]}, {}, "open-ended.*P2"),
    ({"start_year": [2019, None, 2015, 2012]}, {}, "site without dates.*P2"),
    ({"end_year": [2018, None, 2015, 2012]}, {}, "end_year before start_year.*P1"),
])
def test_toestand_bad_input_one_line_errors(change, kwargs, message):
    from permanent_research.causal import inventory_from_toestand

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PermanentResearchWarning)
        with pytest.raises(DataError, match=message) as info:
            inventory_from_toestand(_projects(**change), nis_codes=NIS, **kwargs)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(("change", "message"), [
    ({"end_year_earliest": [2012, None, None, None]}, "end_year_earliest.*A"),
    ({"end_year": [2017, None, None, 2022], "end_year_earliest": [2019, None, None, None]},
     "end_year_earliest.*A"),
])
def test_open_ended_range_must_fit_the_dates(squares, change, message):
    with pytest.raises(DataError, match=message) as info:
        place_sites(_inv(**change), squares)
    assert "\n" not in str(info.value)


def test_merge_adds_only_new_sites_and_widens_contested_starts(squares):
    from permanent_research.causal import merge_inventories

    extra = pd.DataFrame({"name": ["a-again", "E"], "start_year": [2014, 2021],
                          "end_year_earliest": [2016, None], "nis_code": ["21004", "21001"]})
    merged = merge_inventories(_inv(end_year=[None, None, None, 2022]), extra,
                               same_as={"a-again": "A"}, labels=("bundled", "toestand"))
    out = merged.set_index("name")
    assert list(out.index) == ["A", "B", "C", "D", "E"]  # the same occupation is not added twice
    # two sources disagree on A's start: the best year stays, the range covers both
    assert (out.loc["A", "start_year"], out.loc["A", "start_year_earliest"],
            out.loc["A", "start_year_latest"]) == (2015, 2014, 2015)
    assert out.loc["A", "end_year_earliest"] == 2016 and out.loc["A", "also_in"] == "a-again"
    assert out.loc["E", "inventory"] == "toestand" and out.loc["B", "inventory"] == "bundled"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PermanentResearchWarning)
        early = quartier_timing(place_sites(merged, squares), [1], start="earliest")
    assert early.loc[0, "first_treated"] == 2014  # the wider range reaches the design


@pytest.mark.parametrize(("extra", "same_as", "message"), [
    (pd.DataFrame({"name": ["X"], "start_year": [2014]}), {"Y": "A"}, "same_as.*Y"),
    (pd.DataFrame({"name": ["X"], "start_year": [2014]}), {"X": "Z"}, "same_as.*Z"),
    (pd.DataFrame({"name": ["A"], "start_year": [2011]}), {}, "same name with different.*A"),
])
def test_merge_bad_input_one_line_errors(extra, same_as, message):
    from permanent_research.causal import merge_inventories

    with pytest.raises(DataError, match=message) as info:
        merge_inventories(_inv(), extra, same_as=same_as)
    assert "\n" not in str(info.value)


def test_bundled_toestand_projects_enter_the_inventory_once():
    """The real file: every in-region project is either matched or added; 'nu' becomes a range."""
    from permanent_research.causal import inventory_from_toestand, merge_inventories
    from permanent_research.data import load

    raw = load("temporary_use_projects_toestand")
    sales = load("real_estate_sales").query("geo_level == 'municipality'")
    nis = sales.drop_duplicates("nis_code").set_index("name_fr")["nis_code"].to_dict()
    with pytest.warns(PermanentResearchWarning, match="outside"):
        projects = inventory_from_toestand(raw, nis_codes=nis)
    in_region = ~raw["in_brussels_region"].str.startswith("no")
    assert len(projects) == int(in_region.sum())
    still_running = raw["period_as_published"].str.contains(r"\bnu\b")
    assert projects["end_year_earliest"].notna().sum() == int(still_running.sum()) > 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PermanentResearchWarning)
        corrected = apply_site_updates(load("temporary_use_sites"),
                                       load("temporary_use_sites_updates"))
        base = inventory_from_bundled(corrected.sites)
    # match by a distinctive word of the title, independently of the notebook's explicit list
    same = {}
    for title in projects["name"]:
        word = max(title.replace("-", " ").split(), key=len).lower()
        hits = [n for n in base["name"] if word in n.lower().replace("é", "e")]
        if len(hits) == 1:
            same[title] = hits[0]
    assert "KORENBEEK" in same and "PLEIN PUBLIC" not in same
    merged = merge_inventories(base, projects, same_as=same, labels=("bundled", "toestand"))
    assert len(merged) == len(base) + len(projects) - len(same)
    assert merged["name"].is_unique
