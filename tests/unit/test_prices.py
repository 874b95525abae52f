"""Base-year euros (issue 9 §1): conversion against the deflator series read from the raw files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from permanent_research import prices as P
from permanent_research.config import paths
from permanent_research.data import load
from permanent_research.errors import DataError, ParameterError, ScenarioError
from permanent_research.scenarios import ASSUMPTION_SPECS


@pytest.fixture(scope="module")
def indexes():
    return P.price_indexes(
        [load("health_index_cpi"), load("health_index_cpi_2006_2015")],
        construction=load("construction_price_indices"),
    )


def _raw_annual(file, series, base=None):
    """Plain-pandas annual mean of full years from one or two raw files."""
    raw = pd.concat([pd.read_csv(paths().raw / f) for f in file])
    rows = raw[raw.series == series]
    if base is not None:
        rows = rows[rows.base == base]
    rows = rows.drop_duplicates(["year", "month"])
    counts = rows.groupby("year").value.count()
    return rows.groupby("year").value.mean()[counts == 12]


HEALTH = ("health_index_cpi_belgium.csv", "health_index_cpi_belgium_monthly_2006_2015.csv")


@pytest.mark.parametrize(("price_year", "base_year"), [(2018, 2024), (2008, 2018), (2010, 2022)])
def test_rent_conversion_matches_the_health_index_ratio(indexes, price_year, base_year):
    health = _raw_annual(HEALTH, "health_index", "2013=100")
    expected = 739.0 * health[base_year] / health[price_year]
    got = P.to_base_year(739.0, price_year, base_year, "rent", indexes=indexes)
    assert got == pytest.approx(expected, rel=1e-12)


def test_building_cost_uses_the_construction_index(indexes):
    index = _raw_annual(("construction_price_indices_belgium.csv",), "index_I_2021")
    expected = 2_000.0 * index[2023] / index[2021]
    got = P.to_base_year(2_000.0, 2021, 2023, "building_cost", indexes=indexes)
    assert got == pytest.approx(expected, rel=1e-12)
    # construction prices rose faster than consumer prices over 2021-2023
    assert got > P.to_base_year(2_000.0, 2021, 2023, "price", indexes=indexes)


def test_same_year_is_identity_and_round_trip_returns(indexes):
    assert P.to_base_year(1234.5, 2020, 2020, "income", indexes=indexes) == 1234.5
    there = P.to_base_year(100.0, 2009, 2025, "rent", indexes=indexes)
    assert P.to_base_year(there, 2025, 2009, "rent", indexes=indexes) == pytest.approx(100.0)


def test_vector_values(indexes):
    values = np.array([1.0, 2.0, 3.0])
    out = P.to_base_year(values, 2015, 2024, "rent", indexes=indexes)
    assert out.shape == (3,)
    assert out[2] == pytest.approx(3 * out[0])


def test_cpi_instead_of_health_index(indexes):
    cpi = _raw_annual(HEALTH, "cpi", "2013=100")
    swapped = indexes.replace(index_of_kind={"rent": "cpi"})
    got = P.to_base_year(1.0, 2010, 2020, "rent", indexes=swapped)
    assert got == pytest.approx(cpi[2020] / cpi[2010], rel=1e-12)
    assert swapped.index_for("income") == "health_index"


def test_input_without_price_year_is_an_error():
    with pytest.raises(ParameterError, match="input 'land' has no price year"):
        P.MoneyInput("land", 1_000.0, "EUR/m2", None, "price")
    frame = pd.DataFrame(
        {"name": ["a"], "value": [1.0], "unit": ["EUR"], "price_year": [np.nan], "kind": ["rent"]}
    )
    with pytest.raises(ParameterError, match="'a' has no price year"):
        P.inputs_from_frame(frame)
    with pytest.raises(ParameterError, match="no price year"):
        P.to_base_year(1.0, None, 2020, "rent", indexes=None)


def test_year_outside_coverage_names_the_years(indexes):
    message = r"price_year=1995 .*years with data: 2001, 2004–2025$"
    with pytest.raises(ParameterError, match=message):
        P.to_base_year(1.0, 1995, 2020, "rent", indexes=indexes)
    with pytest.raises(ParameterError, match=r"price_year=2020 .*construction.*2021–2024"):
        P.to_base_year(1.0, 2020, 2023, "building_cost", indexes=indexes)
    with pytest.raises(ParameterError, match=r"base_year=2030"):
        P.to_base_year(1.0, 2020, 2030, "rent", indexes=indexes)


def test_unknown_kind_and_missing_construction_index():
    only_health = P.price_indexes(load("health_index_cpi"))
    with pytest.raises(ParameterError, match="choose one of 'rent'"):
        P.to_base_year(1.0, 2020, 2020, "wage", indexes=only_health)
    with pytest.raises(ParameterError, match="needs the 'construction' index"):
        P.to_base_year(1.0, 2020, 2020, "building_cost", indexes=only_health)
    # the first table alone has no 2010: the 2006-2015 table is what fills it
    with pytest.raises(ParameterError, match="2010"):
        P.to_base_year(1.0, 2010, 2020, "rent", indexes=only_health)


def test_conversion_table(indexes):
    frame = pd.DataFrame(
        {
            "name": ["rent_sitting", "income_median", "build_cost"],
            "value": [739.0, 2_000.0, 1_800.0],
            "unit": ["EUR/month", "EUR/month", "EUR/m2"],
            "price_year": [2018, 2022, 2021],
            "kind": ["rent", "income", "building_cost"],
            "source": ["rent_observatory 2018", None, "assumption"],
        }
    )
    table = P.convert_inputs(frame, base_year=2024, indexes=indexes)
    out = table.to_frame()
    assert list(out["input"]) == ["rent_sitting", "income_median", "build_cost"]
    assert {"source", "source_year", "factor", "value_base_year"} <= set(out.columns)
    np.testing.assert_allclose(out["value_base_year"], out["value"] * out["factor"])
    assert out.loc[1, "source"] == "assumption"
    assert table.value("rent_sitting") == pytest.approx(
        P.to_base_year(739.0, 2018, 2024, "rent", indexes=indexes)
    )
    assert "euros of 2024" in table.summary() and "<table" in table._repr_html_()
    # a validated copy: 2025 has no construction index
    with pytest.raises(ParameterError, match="base_year=2025"):
        table.replace(base_year=2025)
    assert table.replace(base_year=2023).to_frame()["base_year"].eq(2023).all()
    with pytest.raises(ParameterError, match="unknown field"):
        table.replace(rate=0.03)
    with pytest.raises(DataError, match="appear twice"):
        P.inputs_from_frame(pd.concat([frame, frame]))


def test_abex_points(indexes):
    abex = P.price_indexes(
        load("health_index_cpi"), construction=load("construction_price_indices"),
        construction_series="ABEX",
    )
    assert abex.years("construction") == (2014, 2023)
    got = P.to_base_year(1.0, 2014, 2023, "building_cost", indexes=abex)
    assert got == pytest.approx(1032 / 744)
    with pytest.raises(ParameterError, match="choose one of"):
        P.price_indexes(load("health_index_cpi"), construction=load("construction_price_indices"),
                        construction_series="abex")


# ---- the scenario file's money section --------------------------------------------------------

MONEY_KEYS = [k for k, spec in ASSUMPTION_SPECS.items() if "EUR" in spec.unit]
KIND_OF = dict.fromkeys(["construction_cost_eur_m2", "social_dwelling_cost_eur"], "building_cost")


def _section(**changes):
    section = {
        "base_year": 2024,
        "discount_rate": {"value": 0.03, "source": "EC Guide to CBA 2014"},
        "price_years": {
            key: {"year": 2021 if KIND_OF.get(key) == "building_cost" else 2018,
                  "kind": KIND_OF.get(key, "price"), "source": "assumption"}
            for key in MONEY_KEYS
        },
    }
    section.update(changes)
    return section


def test_money_section_round_trip(indexes):
    assert "construction_cost_eur_m2" in MONEY_KEYS and "occupation_years" not in MONEY_KEYS
    settings = P.validate_money_section(_section(), money_keys=MONEY_KEYS, source="mine.yaml")
    assert settings.base_year == 2024 and settings.discount_rate == 0.03
    factors = settings.factors(indexes)
    assert factors["land_price_eur_m2"] == pytest.approx(
        P.to_base_year(1.0, 2018, 2024, "price", indexes=indexes)
    )
    assert factors["construction_cost_eur_m2"] == pytest.approx(
        P.to_base_year(1.0, 2021, 2024, "building_cost", indexes=indexes)
    )
    values = dict.fromkeys(MONEY_KEYS, 100.0)
    table = settings.conversion_table(values, {}, indexes).to_frame()
    assert len(table) == len(MONEY_KEYS)


def test_money_section_errors(indexes):
    def check(section, pattern):
        with pytest.raises(ScenarioError, match=pattern) as info:
            P.validate_money_section(section, money_keys=MONEY_KEYS, source="mine.yaml")
        assert "\n" not in str(info.value) and str(info.value).startswith("mine.yaml: money.")

    prices = _section()["price_years"]
    without = {k: v for k, v in prices.items() if k != "land_price_eur_m2"}
    check(_section(price_years=without), "without a price year: land_price_eur_m2")
    check(_section(discount_rate={"value": 0.25, "source": "x"}), r"discount_rate.*\(-1, 0.2\]")
    check(_section(discount_rate={"value": -1, "source": "x"}), "discount_rate=-1")
    check(_section(discount_rate=0.03), "give {value")
    check({k: v for k, v in _section().items() if k != "base_year"}, "base_year: missing")
    check(_section(rate=0.03), "money.rate: unknown key")
    check(_section(price_years={**prices, "occupation_years": {"year": 2018, "kind": "rent"}}),
          "occupation_years: not a money assumption")
    bad_kind = {**prices, "land_price_eur_m2": {"year": 2018, "kind": "land"}}
    check(_section(price_years=bad_kind), "kind='land'; allowed")
    settings = P.validate_money_section(
        _section(price_years={**prices, "construction_cost_eur_m2": {"year": 2020,
                                                                      "kind": "building_cost"}}),
        money_keys=MONEY_KEYS,
    )
    with pytest.raises(ScenarioError, match=r"construction_cost_eur_m2: .*2020.*2021–2024"):
        settings.factors(indexes)


def test_bundled_indexes_are_the_named_tables_and_cover_the_brochure_window():
    from permanent_research.data import DEFLATOR_TABLES, bundled_price_indexes

    bundled = bundled_price_indexes()
    explicit = P.price_indexes([load(n) for n in DEFLATOR_TABLES["health_index"]],
                               construction=load(DEFLATOR_TABLES["construction"][0]))
    for kind, years in (("rent", (2008, 2018, 2024)), ("building_cost", (2022, 2024))):
        for year in years:
            assert (P.to_base_year(100.0, 2021, year, kind, indexes=bundled)
                    == P.to_base_year(100.0, 2021, year, kind, indexes=explicit))
    # the health index covers the brochure's 2008-2018 window (the 2006-2014 gap is filled)
    assert P.to_base_year(100.0, 2008, 2018, "rent", indexes=bundled) > 100.0
