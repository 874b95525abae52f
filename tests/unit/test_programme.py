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
    dear = pg.evaluate_programme(base.replace(land_price_eur_m2=1500))
    assert dear.funding_gap_eur - cheap.funding_gap_eur == pytest.approx(
        base.site_area_m2 * (1500 - base.land_price_eur_m2)
    )
    assert dear.land_budget_years > cheap.land_budget_years


def test_result_interface():
    result = pg.evaluate_programme()
    assert set(result.to_frame()["kind"]) == {"cost", "revenue"}
    assert "funding_gap_eur" in result.headlines().index
    assert "funding gap" in result.summary()
    assert "<h4>" in result._repr_html_()
    with pytest.raises(AttributeError):
        result.homes = 3


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"roof_garden": 1}, "unknown key programme.roof_garden; allowed keys are site_area_m2"),
        ({"works_cost_eur_m2": -5}, r"programme.works_cost_eur_m2=-5 is outside .*\[0, inf\)"),
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
    with pytest.raises(DataError, match=r"'area_m2' must be a finite number .* rows 1 \(data"):
        pg.screen_sites(_sites(area_m2=["big", 1, 2]))


# ---------------------------------------------------------------- review additions


@pytest.mark.parametrize("scenario", ["baseline", "pessimistic", "optimistic"])
def test_scenario_files_gap_by_hand(scenario):
    """Each scenario's funding gap and land-budget years, by plain arithmetic on the YAML."""
    import yaml

    from permanent_research.config import paths

    p = yaml.safe_load((paths().root / "scenarios" / f"{scenario}.yaml").read_text())["programme"]
    a = p["areas_m2"]
    works = p["gross_floor_area_m2"] * p["works_cost_eur_m2"]
    land = p["site_area_m2"] * p["land_price_eur_m2"]
    cost = land + works + p["fees_share"] * works + p["vat_rate"] * works * (1 + p["fees_share"])
    r, n = p["discount_rate"], p["rent_years"]
    annuity = 1 / r - 1 / (r * (1 + r) ** n)  # closed form, not the module's expression
    net_studio = (a["studios"] + a["production"]) * (
        p["studio_rent_eur_m2_year"] - p["operating_cost_eur_m2_year"])
    public = a["cafe"] + a["exhibition"] + a["recyclotheek"] + a["community_room"] \
        + a["classrooms"]
    net_public = public * (p["public_rent_eur_m2_year"] - p["operating_cost_eur_m2_year"])
    sales = (a["clt_homes"] // p["home_size_m2"]) * p["home_size_m2"] \
        * p["market_price_eur_m2"] * (1 - p["clt_discount"])
    result = pg.evaluate_programme(pg.validate_programme(p, source=scenario))
    assert result.funding_gap_eur == pytest.approx(
        cost - sales - annuity * (net_studio + net_public), rel=1e-12)
    assert result.land_budget_years == pytest.approx(land / 2_000_000, rel=1e-12)


def test_gap_strictly_increasing_in_land_price():
    base = pg.Programme()
    gaps = [pg.evaluate_programme(base.replace(land_price_eur_m2=x)).funding_gap_eur
            for x in (0, 200, 764, 1500, 4000)]
    assert all(b > a for a, b in zip(gaps, gaps[1:], strict=False))


@pytest.mark.parametrize("key", ["land_price_eur_m2", "works_cost_eur_m2", "site_area_m2"])
def test_infinite_programme_number_is_an_error(key):
    with pytest.raises(ScenarioError, match=rf"programme.{key}=inf is outside"):
        pg.validate_programme({key: float("inf")}, source="s")


def test_programme_assumption_table():
    table = pg.validate_programme(
        {"land_price_eur_m2": 900, "sources": {"land_price_eur_m2": "notaries"}}, source="s"
    ).to_frame().set_index("key")
    assert table.loc["land_price_eur_m2", "value"] == "900"
    assert table.loc["land_price_eur_m2", "source"] == "notaries"
    assert "sources" not in table.index


def _write(tmp_path, text):
    path = tmp_path / "sites.csv"
    path.write_text(text)
    return path


def test_read_sites_comments_hash_in_field_and_line_numbers(tmp_path):
    path = _write(tmp_path, "# note\n# more\nsite_name,area_m2,location\n"
                            "Hall #3,5000,central\nDepot,6000,moon\n")
    frame = pg.read_sites(path)
    assert frame["site_name"].tolist() == ["Hall #3", "Depot"]  # '#' inside a field is data
    with pytest.raises(DataError, match=r"'location' has values \['moon'\] in rows 5 \(file"):
        pg.screen_sites(frame)


@pytest.mark.parametrize(("text", "match"), [
    ("", "empty file"),
    ("# only a comment\n", "empty file"),
    ("area_m2,location\n", "no sites"),
])
def test_read_sites_empty(tmp_path, text, match):
    with pytest.raises(DataError, match=match):
        pg.read_sites(_write(tmp_path, text))


@pytest.mark.parametrize("price", ["-500", '"1,200"', "cheap", "inf"])
def test_bad_price_is_an_error_not_unknown(tmp_path, price):
    path = _write(tmp_path, f"area_m2,location,price_eur_m2\n5000,central,{price}\n"
                            "6000,central,\n")
    with pytest.raises(DataError, match=r"'price_eur_m2' must be empty .* rows 2 \(file"):
        pg.screen_sites(pg.read_sites(path))


def test_infinite_area_duplicate_ids_and_weights():
    with pytest.raises(DataError, match="'area_m2' must be a finite number"):
        pg.screen_sites(_sites(area_m2=[np.inf, 5000, 5000]))
    with pytest.raises(DataError, match=r"duplicate values \['a'\] in rows 1, 2 \(data rows"):
        pg.screen_sites(_sites(site_id=["a", "a", "b"]))
    with pytest.raises(ParameterError, match=r"weights\['area'\]=inf"):
        pg.screen_sites(_sites(), weights={"area": np.inf})
    assert pg.screen_sites(_sites(), weights={"area": np.int64(2)}).weights["area"] == 1.0


def test_equal_scores_share_a_rank():
    sites = pd.DataFrame({"site_id": ["x", "y", "z", "s"], "area_m2": [5000, 5000, 9000, 10],
                          "location": ["central"] * 4})
    table = pg.screen_sites(sites).to_frame().set_index("site_id")
    assert table.loc["z", "rank"] == 1
    assert table.loc["x", "rank"] == table.loc["y", "rank"] == 2
    assert table.loc["s", "rank"] == 4  # ineligible after every eligible site


def test_site_figure_legend_is_not_hatched_like_an_ineligible_site():
    import matplotlib.pyplot as plt

    from permanent_research.plots.programme import site_scores

    screening = pg.screen_sites(_sites())  # site c is ineligible and drawn hatched
    fig = site_scores(screening.to_frame(), screening.weights, title="finding")
    legend = fig.axes[0].get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["area", "location", "owner", "price"]
    assert all(not patch.get_hatch() and patch.get_alpha() in (None, 1.0)
               for patch in legend.get_patches())
    assert "finding" in [fig.axes[0].get_title(loc=loc) for loc in ("left", "center")]
    plt.close(fig)


def test_waterfall_names_a_surplus_and_ends_at_the_gap():
    import matplotlib.pyplot as plt

    from permanent_research.plots.programme import costs_revenues

    for changes, last in (({}, "funding gap"),
                          ({"works_cost_eur_m2": 100, "market_price_eur_m2": 9000}, "surplus")):
        result = pg.evaluate_programme(pg.Programme().replace(**changes))
        fig = costs_revenues(result.to_frame())
        ax = fig.axes[0]
        assert ax.get_xticklabels()[-1].get_text() == last
        bar = ax.patches[len(result.to_frame())]  # the final bar
        assert bar.get_height() * 1e6 == pytest.approx(result.funding_gap_eur, rel=1e-9)
        plt.close(fig)
