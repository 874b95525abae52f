"""Tests of permanent_research.programme: hand-computed costs, monotonicity, bad input."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from permanent_research import programme as pg
from permanent_research.errors import DataError, ParameterError, ScenarioError

SMALL = {
    "site_area_m2": 1000, "gross_floor_area_m2": 4500, "floors": 5, "net_to_gross": 0.8,
    "areas_m2": {"cafe": 100, "studios": 1500, "clt_homes": 2000},
    "home_size_m2": 100, "land_price_eur_m2": 500, "works_cost_eur_m2": 1000,
    "fees_share": 0.1, "vat_rate": 0.2, "market_price_eur_m2": 3000, "clt_discount": 0.4,
    "studio_rent_eur_m2_year": 50, "public_rent_eur_m2_year": 30,
    "operating_cost_eur_m2_year": 10, "rent_years": 2, "discount_rate": 0.0,
    "land_budget_eur_year": 2_000_000,
}


def test_costs_revenues_gap_by_hand():
    result = pg.evaluate_programme(pg.validate_programme(SMALL, source="test"))
    # land 1000*500 = 500,000; works 4500*1000 = 4.5M; fees 450,000; VAT 0.2*4.95M = 990,000
    assert result.total_cost_eur == pytest.approx(500_000 + 4_500_000 + 450_000 + 990_000)
    # 20 homes * 100 m2 * 3000 * 0.6 = 3.6M; studios 1500*(50-10)*2 = 120,000;
    # public 100*(30-10)*2 = 4,000 (discount rate 0: annuity factor = years)
    assert result.homes == 20
    assert result.total_revenue_eur == pytest.approx(3_600_000 + 120_000 + 4_000)
    assert result.funding_gap_eur == pytest.approx(6_440_000 - 3_724_000)
    assert result.land_budget_years == pytest.approx(0.25)


def test_annuity_factor_matches_numpy_financial_formula():
    result = pg.evaluate_programme(
        pg.validate_programme({**SMALL, "rent_years": 30, "discount_rate": 0.03}, source="t")
    )
    factor = sum(1.03 ** -t for t in range(1, 31))  # independent: sum of discount factors
    rents = result.revenues.set_index("item")
    assert rents.loc["studio_cost_rents", "eur"] == pytest.approx(1500 * 40 * factor, rel=1e-12)


def test_floor_plan_fills_floors_in_order():
    result = pg.evaluate_programme(pg.validate_programme(SMALL, source="t"))
    table = result.area_table()
    capacity = 4500 * 0.8 / 5  # 720 m2 per floor
    assert table.loc["total", "total_m2"] == pytest.approx(3600)
    assert (table.drop(index="total").drop(columns="total_m2").sum() <= capacity + 1e-9).all()
    assert table.loc["cafe", "floor_0"] == 100  # public space first, on the ground floor
    assert table.loc["clt_homes", "floor_4"] == pytest.approx(capacity)  # homes on top
    assert table.loc["clt_homes", "total_m2"] == 2000


def test_default_programme_is_within_brochure_range():
    p = pg.Programme()
    assert 4500 <= p.gross_floor_area_m2 <= 9000
    assert pg.validate_programme({}, source="t") == pg.Programme()
    assert math.isclose(sum(p.areas_m2.values()), p.net_area_m2)


def test_dearer_land_larger_gap_and_more_budget_years():
    base = pg.Programme()
    cheap = pg.evaluate_programme(base)
    dear = pg.evaluate_programme(base.with_changes(land_price_eur_m2=1500))
    assert dear.funding_gap_eur - cheap.funding_gap_eur == pytest.approx(
        base.site_area_m2 * (1500 - base.land_price_eur_m2)
    )
    assert dear.land_budget_years > cheap.land_budget_years


def test_result_interface():
    result = pg.evaluate_programme()
    assert set(result.to_frame()["kind"]) == {"cost", "revenue"}
    assert "funding_gap_eur" in result.summary().index
    assert "<h4>" in result._repr_html_()
    with pytest.raises(AttributeError):
        result.homes = 3


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"roof_garden": 1}, "unknown key programme.roof_garden; allowed keys are site_area_m2"),
        ({"works_cost_eur_m2": -5}, r"programme.works_cost_eur_m2=-5 is outside .*\[0, inf\]"),
        ({"fees_share": 1.5}, r"programme.fees_share=1.5 is outside the allowed range \[0, 1"),
        ({"clt_discount": -0.1}, "programme.clt_discount"),
        ({"floors": 2.5}, "programme.floors"),
        ({"land_price_eur_m2": "cheap"}, "programme.land_price_eur_m2='cheap' must be a number"),
        ({"areas_m2": {"studios": 9000}}, "add up to 9,000 m2, more than the building's net"),
        ({"areas_m2": {"bar": 10}}, "unknown key programme.areas_m2.bar; allowed uses are cafe"),
        ({"areas_m2": {"studios": -1}}, "programme.areas_m2.studios=-1"),
        ({"site_area_m2": 500}, "footprint .* exceeds site_area_m2"),
        ({"floor_order": ["cafe"]}, "floor_order"),
    ],
)
def test_bad_programme_one_line(change, match):
    with pytest.raises(ScenarioError, match=match) as info:
        pg.validate_programme({**SMALL, **change}, source="scenarios/x.yaml:programme")
    message = str(info.value)
    assert "\n" not in message and message.startswith("scenarios/x.yaml:programme")


# ---------------------------------------------------------------- site screening


def _sites(**overrides):
    frame = pd.DataFrame({
        "site_id": ["a", "b", "c"],
        "area_m2": [9000, 4500, 3000],
        "location": ["central", "peripheral", "central"],
        "owner": ["public", "unwilling_private", "public"],
        "price_eur_m2": [0.0, 3000.0, np.nan],
    })
    return frame.assign(**overrides)


def test_screening_scores_by_hand():
    table = pg.screen_sites(_sites()).to_frame().set_index("site_id")
    w = pg.DEFAULT_WEIGHTS
    # a: area 1, location 1, owner 1, price 1 -> 1.0
    assert table.loc["a", "score"] == pytest.approx(1.0)
    # b: area at the minimum 0.5, peripheral 0.25, unwilling 0, price at ceiling 0
    assert table.loc["b", "score"] == pytest.approx(w["area"] * 0.5 + w["location"] * 0.25)
    # c: too small -> area 0, ineligible, ranked last even with a high score
    assert not table.loc["c", "eligible"]
    assert table.loc["c", "rank"] == 3
    assert not table.loc["c", "price_known"]


def test_weights_change_the_ranking_and_are_normalised():
    sites = _sites(price_eur_m2=[2900.0, 100.0, 100.0], owner=["public", "public", "public"],
                   location=["central", "central", "central"], area_m2=[9000, 5000, 9000])
    by_price = pg.screen_sites(sites, weights={"price": 5}).to_frame()
    assert by_price["site_id"].iloc[-1] == "a"  # dearest site last when only price counts
    assert pg.screen_sites(sites, weights={"price": 5}).weights["price"] == 1.0
    by_area = pg.screen_sites(sites, weights={"area": 1}).to_frame()
    assert set(by_area["site_id"].iloc[:2]) == {"a", "c"}


def test_example_csv_reads_and_is_labelled_fictional():
    from permanent_research.config import paths

    path = paths().root / "data" / "examples" / "candidate_sites_example.csv"
    assert "FICTIONAL" in path.read_text().splitlines()[0]
    result = pg.screen_sites(pg.read_sites(path))
    assert len(result.to_frame()) == 7
    assert result.to_frame()["eligible"].sum() == 6


@pytest.mark.parametrize("column", ["area_m2", "location"])
def test_csv_without_required_column(tmp_path, column):
    path = tmp_path / "sites.csv"
    _sites().drop(columns=column).to_csv(path, index=False)
    with pytest.raises(DataError, match=f"{path}: missing column\\(s\\) {column}") as info:
        pg.read_sites(path)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"weights": {"beauty": 1}}, ParameterError, "unknown criterion 'beauty'"),
        ({"weights": {"area": -1}}, ParameterError, r"weights\['area'\]=-1"),
        ({"weights": {"area": 0}}, ParameterError, "at least one"),
        ({"min_area_m2": 9000, "ideal_area_m2": 4500}, ParameterError, "min_area_m2"),
    ],
)
def test_bad_screening_parameters(kwargs, error, match):
    with pytest.raises(error, match=match):
        pg.screen_sites(_sites(), **kwargs)


def test_bad_site_values():
    with pytest.raises(DataError, match="'location' has values.*allowed values are central"):
        pg.screen_sites(_sites(location=["central", "moon", "central"]))
    with pytest.raises(DataError, match="column 'area_m2' must be a number"):
        pg.screen_sites(_sites(area_m2=["big", 1, 2]))
