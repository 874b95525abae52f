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
# the shared quantities a scenario takes from its assumptions, typed here for a standalone test
FILLED = pg.Programme().replace(land_price_eur_m2=764.0, floor_area_ratio=2.8,
                                market_price_eur_m2=3250.0, studio_rent_eur_m2_year=60.0,
                                discount_rate=0.03, construction_years=4.0)


def _small(**changes):
    return pg.validate_programme({**SMALL, **changes}, source="test", shared=True)


def test_costs_revenues_gap_by_hand():
    result = pg.evaluate_programme(_small())
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
        _small(rent_years=30, discount_rate=0.03)
    )
    factor = sum(1.03 ** -t for t in range(1, 31))  # independent: sum of discount factors
    rents = result.revenues.set_index("item")
    assert rents.loc["studio_cost_rents", "eur"] == pytest.approx(1500 * 40 * factor, rel=1e-12)


def test_floor_plan_fills_floors_in_order():
    result = pg.evaluate_programme(_small())
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
    base = FILLED
    cheap = pg.evaluate_programme(base)
    dear = pg.evaluate_programme(base.replace(land_price_eur_m2=1500))
    assert dear.funding_gap_eur - cheap.funding_gap_eur == pytest.approx(
        base.plot_area_m2 * (1500 - base.land_price_eur_m2)
    )
    assert dear.land_budget_years > cheap.land_budget_years


def test_result_interface():
    result = pg.evaluate_programme(FILLED)
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
        ({"works_cost_eur_m2": "cheap"}, "programme.works_cost_eur_m2='cheap' must be a number"),
        ({"areas_m2": {"studios": 9000}}, "add up to 9,000 m2, more than the building's net"),
        ({"areas_m2": {"bar": 10}}, "unknown key programme.areas_m2.bar; allowed uses are cafe"),
        ({"areas_m2": {"studios": -1}}, "programme.areas_m2.studios=-1"),
        ({"site_area_m2": 500}, "footprint .* exceeds site_area_m2"),
        ({"floor_order": ["cafe"]}, "floor_order"),
    ],
)
def test_bad_programme_one_line(change, match):
    section = {k: v for k, v in SMALL.items() if k not in pg.SHARED_KEYS}
    with pytest.raises(ScenarioError, match=match) as info:
        pg.validate_programme({**section, **change}, source="scenarios/x.yaml:programme")
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


def _scenario_programme(scenario):
    from permanent_research import scenarios
    from permanent_research.data import bundled_price_indexes
    from permanent_research.reporting import load_scenario

    document = load_scenario(scenario)
    money = document.section("money")
    indexes = bundled_price_indexes()
    base = scenarios.in_base_year(document.section("assumptions"), money, indexes)
    return document, money, base


@pytest.mark.parametrize("scenario", ["baseline", "pessimistic", "optimistic"])
def test_scenario_files_gap_by_hand(scenario):
    """Each scenario's funding gap and land-budget years, by plain arithmetic on the YAML and
    the shared values filled from its assumptions."""
    import yaml

    from permanent_research.config import paths

    document, money, base = _scenario_programme(scenario)
    raw = yaml.safe_load((paths().root / "scenarios" / f"{scenario}.yaml").read_text())
    p = raw["programme"]
    assert not set(p) & set(pg.SHARED_KEYS)  # one fact, one place
    filled = pg.with_assumptions(document.section("programme"), base, money)
    shared = {k: getattr(filled, k) for k in pg.SHARED_KEYS}
    a = p["areas_m2"]
    works = p["gross_floor_area_m2"] * p["works_cost_eur_m2"]
    land = p["gross_floor_area_m2"] / shared["floor_area_ratio"] * shared["land_price_eur_m2"]
    cost = land + works + p["fees_share"] * works + p["vat_rate"] * works * (1 + p["fees_share"])
    r, n = shared["discount_rate"], p["rent_years"]
    annuity = 1 / r - 1 / (r * (1 + r) ** n)  # closed form, not the module's expression
    net_studio = (a["studios"] + a["production"]) * (
        shared["studio_rent_eur_m2_year"] - p["operating_cost_eur_m2_year"])
    public = a["cafe"] + a["exhibition"] + a["recyclotheek"] + a["community_room"] \
        + a["classrooms"]
    net_public = public * (p["public_rent_eur_m2_year"] - p["operating_cost_eur_m2_year"])
    sales = (a["clt_homes"] // p["home_size_m2"]) * p["home_size_m2"] \
        * shared["market_price_eur_m2"] * (1 - p["clt_discount"])
    result = pg.evaluate_programme(filled)
    assert result.funding_gap_eur == pytest.approx(
        cost - sales - annuity * (net_studio + net_public), rel=1e-12)
    assert result.land_budget_years == pytest.approx(land / 2_000_000, rel=1e-12)


@pytest.mark.parametrize("scenario", ["baseline", "pessimistic"])
def test_shared_values_are_the_assumption_set_in_base_year_euros(scenario):
    from permanent_research import scenarios

    document, money, base = _scenario_programme(scenario)
    filled = pg.with_assumptions(document.section("programme"), base, money)
    assert filled.discount_rate == money.discount_rate
    assert filled.market_price_eur_m2 == base["market_price_eur_m2"].quantile(0.5)
    assert filled.land_price_eur_m2 == base["land_price_eur_m2"].quantile(0.5)
    raw = document.section("assumptions")
    # converted, not the file's figure: the land price's price year is before the base year
    assert filled.land_price_eur_m2 > raw["land_price_eur_m2"].quantile(0.5)
    studio = scenarios.studio_costs(base).set_index("model")["cost_eur_m2_month"]
    assert filled.studio_rent_eur_m2_year == pytest.approx(12 * studio["permanent_clt"])
    with pytest.raises(ParameterError, match="not in euros of the base year 20"):
        pg.with_assumptions(document.section("programme"), raw, money)


def test_shared_key_in_a_scenario_section_is_a_one_line_error():
    with pytest.raises(ScenarioError, match=(r"x.yaml:programme: programme.market_price_eur_m2 "
                                             r"is taken from assumptions.market_price_eur_m2")):
        pg.validate_programme({"market_price_eur_m2": 3000}, source="x.yaml:programme")
    with pytest.raises(ParameterError, match="programme.land_price_eur_m2 is not set: it comes"):
        pg.evaluate_programme(pg.Programme())


@pytest.mark.parametrize("size", [999, 20_001, 500])
def test_programme_size_outside_range(size):
    with pytest.raises(ScenarioError, match=(rf"programme.gross_floor_area_m2={size} is outside "
                                             r"the allowed range \[1000, 20000\]")) as info:
        pg.validate_programme({"gross_floor_area_m2": size, "areas_m2": {"cafe": 1}}, source="s")
    assert "\n" not in str(info.value)
    assert pg.validate_programme({"gross_floor_area_m2": 1000, "areas_m2": {"cafe": 1}},
                                 source="s").gross_floor_area_m2 == 1000  # the edge is allowed


# ---------------------------------------------------------------- size sweep


def test_sweep_at_the_programme_size_is_the_programme():
    sweep = pg.size_sweep(FILLED, [4500, 7000, 9000])
    row = sweep.to_frame().query("mix == 'scenario' and gross_floor_area_m2 == 7000").iloc[0]
    result = pg.evaluate_programme(FILLED)
    assert row["funding_gap_eur"] == pytest.approx(result.funding_gap_eur, rel=1e-12)
    assert row["homes"] == result.homes
    assert row["total_cost_eur"] == pytest.approx(result.total_cost_eur, rel=1e-12)


def test_sweep_land_budget_boundary_by_hand():
    # plot = gross / 2.8; land per m2 gross = 764 / 2.8; budget 2M -> largest size by hand
    sweep = pg.size_sweep(FILLED, [4500, 6000, 7000, 7500, 9000])
    largest = 2_000_000 / (764 / 2.8)
    assert sweep.max_size_m2 == pytest.approx(largest)
    assert sweep.affordable_sizes() == [s for s in (4500, 6000, 7000, 7500, 9000)
                                        if s <= largest]
    table = sweep.to_frame()
    assert table["land_cost_eur"].to_numpy() == pytest.approx(table["plot_m2"].to_numpy() * 764)
    assert table["plot_m2"].to_numpy() == pytest.approx(table["gross_floor_area_m2"] / 2.8)
    # two years of budget buy more
    wider = pg.size_sweep(FILLED.replace(land_budget_years_max=2.0), [9000])
    assert wider.affordable_sizes() == [9000]


def test_sweep_mixes_move_area_and_keep_the_total():
    mixes = pg.default_mixes(FILLED)
    for shares in mixes.values():
        assert sum(shares.values()) == pytest.approx(1.0)
    assert mixes["more homes"]["clt_homes"] == pytest.approx(mixes["scenario"]["clt_homes"] + 0.1)
    table = pg.size_sweep(FILLED, [6000]).to_frame().set_index("mix")
    total = table["studios_m2"] + table["public_m2"]
    assert table.loc["more homes", "homes"] > table.loc["scenario", "homes"]
    assert total["more homes"] < total["scenario"]
    assert table.loc["more public space", "public_m2"] > table.loc["scenario", "public_m2"]


def test_gap_per_m2_falls_with_more_studios_when_studios_earn_more_than_homes():
    # studios earn a high cost-rent here, homes sell below cost: more studios, smaller gap
    rich = FILLED.replace(studio_rent_eur_m2_year=400.0)
    table = pg.size_sweep(rich, [7000]).to_frame().set_index("mix")
    assert table.loc["more studios", "funding_gap_eur"] < table.loc["scenario", "funding_gap_eur"]


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"sizes_m2": [4500, 25_000]}, r"sizes_m2 contains 25000, outside the allowed range "
                                   r"\[1,000, 20,000\] m2"),
    ({"sizes_m2": [999]}, "outside the allowed range"),
    ({"sizes_m2": []}, "sizes_m2 is empty"),
    ({"mixes": {"x": {"clt_homes": 0.7, "public": 0.5}}}, r"mixes\['x'\] shares add up to 1.2"),
    ({"mixes": {"x": {"garden": 0.1}}}, "allowed groups are studios_production"),
    ({"mixes": {"x": {"public": 1.5}}}, r"mixes\['x'\]\['public'\]=1.5 is outside"),
])
def test_bad_sweep_input_one_line(kwargs, match):
    kwargs = {"sizes_m2": [7000], **kwargs}
    with pytest.raises(ParameterError, match=match) as info:
        pg.size_sweep(FILLED, kwargs.pop("sizes_m2"), **kwargs)
    assert "\n" not in str(info.value)


# ---------------------------------------------------------------- capital stack


@pytest.mark.parametrize("changes", [{}, {"land_price_eur_m2": 200.0},
                                     {"works_cost_eur_m2": 300.0, "market_price_eur_m2": 9000}])
def test_capital_stack_parts_add_up(changes):
    result = pg.evaluate_programme(FILLED.replace(**changes))
    stack = pg.capital_stack(result)
    table = stack.to_frame()
    # every use's funders add up to its cost, all uses to the total cost
    per_use = table.groupby("use")["eur"].sum()
    costs = stack.uses.set_index("use")["cost_eur"]
    assert per_use.reindex(costs.index).to_numpy() == pytest.approx(costs.to_numpy(), rel=1e-12)
    assert table["eur"].sum() == pytest.approx(result.total_cost_eur, rel=1e-12)
    # the gap by use and by funder both add up to the funding gap
    assert stack.uses["gap_eur"].sum() == pytest.approx(result.funding_gap_eur, rel=1e-9)
    assert stack.gap_by_funder().sum() == pytest.approx(result.funding_gap_eur, rel=1e-9)
    # revenues are the evaluated revenues
    funders = stack.by_funder()
    revenue = result.revenues.set_index("item")["eur"]
    assert funders["clt_home_sales"] == pytest.approx(revenue["clt_home_sales"])
    assert funders["studio_cost_rent_loans"] == pytest.approx(revenue["studio_cost_rents"])
    assert funders["public_space_rents"] == pytest.approx(revenue["public_space_lets"])
    # the grant pays the land up to the budget
    expected = min(result.land_cost_eur, FILLED.land_budget_available_eur)
    assert funders["regional_land_grant"] == pytest.approx(expected)
    assert set(stack.phasing["source"].str.len() > 0) == {True}


def test_capital_stack_phasing_and_public_space_funders_by_hand():
    result = pg.evaluate_programme(_small(construction_years=2.5, floor_area_ratio=None))
    stack = pg.capital_stack(result)
    phasing = stack.phasing.set_index("funder")
    assert phasing.loc["regional_land_grant", "last_year"] == 0
    assert phasing.loc["clt_home_sales", "first_year"] == 3  # delivery after 2.5 -> year 3
    assert phasing.loc["studio_cost_rent_loans", "last_year"] == 3 + 2  # rent_years 2
    # SMALL: cafe 100 m2 of 3,600 allocated; cost 6.44M shared by area; land 500,000 all granted
    cafe_cost = 6_440_000 * 100 / 3600
    cafe_grant = 500_000 * 100 / 3600
    cafe_rent = 100 * (30 - 10) * 2
    assert phasing.loc["public_space_funders", "eur"] == pytest.approx(
        cafe_cost - cafe_grant - cafe_rent)
    with pytest.raises(ParameterError, match="construction_years is not set"):
        pg.capital_stack(pg.evaluate_programme(_small(construction_years=None)))


def test_gap_strictly_increasing_in_land_price():
    base = FILLED
    gaps = [pg.evaluate_programme(base.replace(land_price_eur_m2=x)).funding_gap_eur
            for x in (0, 200, 764, 1500, 4000)]
    assert all(b > a for a, b in zip(gaps, gaps[1:], strict=False))


@pytest.mark.parametrize("key", ["works_cost_eur_m2", "site_area_m2"])
def test_infinite_programme_number_is_an_error(key):
    with pytest.raises(ScenarioError, match=rf"programme.{key}=inf is outside"):
        pg.validate_programme({key: float("inf")}, source="s")


def test_programme_assumption_table():
    table = pg.validate_programme(
        {"works_cost_eur_m2": 900, "sources": {"works_cost_eur_m2": "SLRB"}}, source="s"
    ).to_frame().set_index("key")
    assert table.loc["works_cost_eur_m2", "value"] == "900"
    assert table.loc["works_cost_eur_m2", "source"] == "SLRB"
    assert table.loc["market_price_eur_m2", "value"] == "not set"
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
        result = pg.evaluate_programme(FILLED.replace(**changes))
        fig = costs_revenues(result.to_frame())
        ax = fig.axes[0]
        assert ax.get_xticklabels()[-1].get_text() == last
        bar = ax.patches[len(result.to_frame())]  # the final bar
        assert bar.get_height() * 1e6 == pytest.approx(result.funding_gap_eur, rel=1e-9)
        plt.close(fig)


# ---------------------------------------------------------------- why the answer moves


def test_gap_drivers_add_up_and_single_change_is_exact():
    other = FILLED.replace(works_cost_eur_m2=2600.0, land_price_eur_m2=1000.0, vat_rate=0.06,
                           discount_rate=0.04)
    drivers = pg.gap_drivers(FILLED, other)
    table = drivers.to_frame()
    total = (pg.evaluate_programme(other).funding_gap_eur
             - pg.evaluate_programme(FILLED).funding_gap_eur)
    assert table["gap_change_eur"].sum() == pytest.approx(total, rel=1e-12)
    assert set(table["input"]) == {"works_cost_eur_m2", "land_price_eur_m2", "vat_rate",
                                   "discount_rate", "interaction (inputs changed together)"}
    # land enters the gap linearly and alone: plot x price difference
    land = table.set_index("input").loc["land_price_eur_m2", "gap_change_eur"]
    assert land == pytest.approx(FILLED.plot_area_m2 * (1000 - 764))
    # one input changed: its effect is the whole difference, no interaction
    single = pg.gap_drivers(FILLED, FILLED.replace(fees_share=0.2)).to_frame()
    assert single["input"].tolist() == ["fees_share", "interaction (inputs changed together)"]
    assert single["gap_change_eur"].iloc[1] == pytest.approx(0.0, abs=1e-6)
    assert pg.gap_drivers(FILLED, FILLED).to_frame().empty
    assert "the two programmes are the same" in pg.gap_drivers(FILLED, FILLED).summary()


def test_shared_sensitivity_moves_one_value_at_a_time():
    document, money, base = _scenario_programme("baseline")
    filled = pg.with_assumptions(document.section("programme"), base, money)
    result = pg.shared_sensitivity(filled, base, low=0.1, high=0.9)
    table = result.to_frame().set_index("input")
    assert set(table.index) == {"land_price_eur_m2", "floor_area_ratio", "market_price_eur_m2",
                                "studio_rent_eur_m2_year"}
    low, high = base["land_price_eur_m2"].quantile(0.1), base["land_price_eur_m2"].quantile(0.9)
    assert table.loc["land_price_eur_m2", "low_value"] == pytest.approx(low)
    # land enters linearly: the swing is plot x price range
    assert table.loc["land_price_eur_m2", "swing_eur"] == pytest.approx(
        filled.plot_area_m2 * (high - low))
    # a dearer home sells for more and a denser plot needs less land: both lower the gap
    assert table.loc["market_price_eur_m2", "swing_eur"] < 0
    assert table.loc["floor_area_ratio", "swing_eur"] < 0
    swings = result.to_frame()["swing_eur"].abs().to_numpy()
    assert (swings[:-1] >= swings[1:]).all()  # largest first
    with pytest.raises(ParameterError, match="need 0 <= low < high <= 1"):
        pg.shared_sensitivity(filled, base, low=0.9, high=0.1)
