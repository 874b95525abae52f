"""Unit tests of permanent_research.rents: indices, deflation, growth, trend, indexation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from permanent_research import rents as R
from permanent_research.config import paths
from permanent_research.data import load
from permanent_research.errors import DataError, ParameterError


@pytest.fixture(scope="module")
def health():
    return load("health_index_cpi")


@pytest.fixture(scope="module")
def deflator(health):
    return R.health_index_deflator(health)


@pytest.fixture(scope="module")
def sales():
    return load("real_estate_sales")


def _toy():
    return pd.DataFrame(
        {
            "area": ["A"] * 3 + ["B"] * 3,
            "period": [2020, 2021, 2022] * 2,
            "value": [100.0, 110.0, 121.0, 200.0, 200.0, 220.0],
            "n": [1, 1, 1, 3, 3, 3],
        }
    )


# ---- deflator ----------------------------------------------------------------------------
def test_deflator_coverage_is_full_years_only(deflator):
    assert deflator.years == (2001, 2004, 2005, *range(2015, 2026))
    assert deflator.coverage() == "2001, 2004–2005, 2015–2025"


def test_deflator_annual_average_hand_worked(deflator):
    months_2024 = [
        130.19,
        130.95,
        131.75,
        130.85,
        131.42,
        131.92,
        132.84,
        132.94,
        132.41,
        132.96,
        133.22,
        133.73,
    ]
    assert deflator.annual.loc[2024] == pytest.approx(sum(months_2024) / 12, abs=1e-9)


def test_real_values_formula_and_base_year(deflator):
    frame = pd.DataFrame({"period": [2015, 2024], "value": [1000.0, 1000.0]})
    out = R.real_values(frame, deflator, base_year=2024)
    i2015, i2024 = deflator.annual.loc[2015], deflator.annual.loc[2024]
    assert out["value_real"].tolist() == pytest.approx([1000 * i2024 / i2015, 1000.0], rel=1e-12)
    assert out.attrs["real_base_year"] == 2024


def test_real_values_uncovered_year_raises_one_line(deflator):
    frame = pd.DataFrame({"period": [2012, 2015], "value": [1.0, 1.0]})
    with pytest.raises(ParameterError, match="2012 not covered.*2015–2025") as info:
        R.real_values(frame, deflator, base_year=2015)
    assert "\n" not in str(info.value)
    assert len(R.real_values(frame, deflator, base_year=2015, missing="drop")) == 1
    with pytest.raises(ParameterError, match="base_year=2010"):
        R.real_values(frame.iloc[1:], deflator, base_year=2010)


def test_deflator_unknown_series(health):
    with pytest.raises(ParameterError, match="available: .*health_index / 2013=100"):
        R.health_index_deflator(health, series="nope")


# ---- indices and growth ----------------------------------------------------------------------
def test_price_index_direct():
    out = R.price_index(_toy(), base_year=2021)
    assert out.loc[out.area == "A", "index"].tolist() == pytest.approx([100 / 1.1, 100, 110])
    assert out.loc[out.area == "B", "index"].tolist() == pytest.approx([100, 100, 110])


def test_chained_index_hand_worked():
    out = R.chained_index(_toy(), base_year=2020, weight="n")
    # links: (1·1.1 + 3·1.0)/4 = 1.025, then (1·1.1 + 3·1.1)/4 = 1.1
    assert out["index"].tolist() == pytest.approx([100.0, 102.5, 112.75], rel=1e-12)
    assert out["link"].iloc[1:].tolist() == pytest.approx([1.025, 1.1])


def test_chained_index_skips_missing_stratum_in_one_link_only():
    toy = _toy()
    toy.loc[(toy.area == "B") & (toy.period == 2021), "value"] = np.nan
    out = R.chained_index(toy, base_year=2020, weight="n")
    # 2021 link uses A only (1.1); 2022 link uses A only too (B missing in 2021)
    assert out["index"].tolist() == pytest.approx([100.0, 110.0, 121.0])
    assert out["n_strata"].iloc[1:].tolist() == [1, 1]


def test_single_stratum_chain_equals_direct_index():
    toy = _toy()[lambda f: f.area == "B"]
    chained = R.chained_index(toy, base_year=2021)["index"].to_numpy()
    direct = R.price_index(toy, base_year=2021)["index"].to_numpy()
    np.testing.assert_allclose(chained, direct, rtol=1e-12)


def test_growth_and_cagr():
    assert R.cagr(100, 150, 5) == pytest.approx(1.5**0.2 - 1, rel=1e-12)
    table = R.growth_table(_toy(), start_year=2020, end_year=2022)
    row_a = table.set_index("area").loc["A"]
    assert row_a["growth_pct"] == pytest.approx(21.0)
    assert row_a["cagr_pct"] == pytest.approx(10.0)
    assert table["area"].tolist() == ["A", "B"] and table["rank"].tolist() == [1, 2]


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (
            dict(start_year=2019, end_year=2022),
            "start_year=2019 is outside the data; available years: 2020–2022",
        ),
        (dict(start_year=2022, end_year=2020), "end_year=2020 must be after"),
    ],
)
def test_growth_bad_years(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        R.growth_table(_toy(), **kwargs)


def test_tidy_frame_checks():
    with pytest.raises(DataError, match="missing column"):
        R.price_index(_toy().drop(columns="value"), base_year=2020)
    with pytest.raises(DataError, match="duplicate"):
        R.price_index(pd.concat([_toy(), _toy().iloc[:1]]), base_year=2020)
    with pytest.raises(ParameterError, match="base_year=2030 is outside the data"):
        R.price_index(_toy(), base_year=2030)


# ---- adapters on the bundled tables --------------------------------------------------------
def test_sales_medians_region_matches_raw(sales):
    frame = R.sales_medians(sales, property_type="appartementen", communes=["Ixelles", "21004"])
    assert sorted(frame["area"].unique()) == ["04000", "21004", "21009"]
    raw = pd.read_csv(
        paths().raw / "statbel_real_estate_sales_brussels.csv",
        dtype={"nis_code": str},
    )
    expected = raw.query(
        "nis_code == '21009' and year == 2024 and property_type == 'appartementen'"
        " and measure == 'median_price'"
    )["value"].iloc[0]
    got = frame.query("area == '21009' and period == 2024")["value"].iloc[0]
    assert got == expected


@pytest.mark.parametrize("communes", [["Atlantis"], ["99999"]])
def test_unknown_commune(sales, communes):
    with pytest.raises(ParameterError, match="communes: unknown commune .*21001–21019"):
        R.sales_medians(sales, communes=communes)


def test_unknown_property_type(sales):
    with pytest.raises(ParameterError, match="property_type='villas'.*'appartementen'"):
        R.sales_medians(sales, property_type="villas")


def test_observatory_rents_preferred_only():
    frame = R.observatory_rents(load("rent_observatory"))
    assert frame["period"].tolist() == [2004, 2010, 2012, 2015, 2016, 2017, 2018]
    assert frame.set_index("period").loc[2017, "value"] == 700.0


# ---- trend and forecast -------------------------------------------------------------------
def test_trend_recovers_known_slope():
    rng = np.random.default_rng(1)
    areas = np.repeat([f"a{i}" for i in range(12)], 15)
    years = np.tile(np.arange(2010, 2025), 12)
    level = np.repeat(rng.normal(12, 0.3, 12), 15)
    value = np.exp(level + 0.04 * (years - 2010) + rng.normal(0, 0.01, len(years)))
    result = R.trend_model(pd.DataFrame({"area": areas, "period": years, "value": value}))
    assert result.slope == pytest.approx(0.04, abs=0.003)
    assert result.ci_low_pct < 100 * (np.exp(0.04) - 1) < result.ci_high_pct
    assert result.n_clusters == 12 and result.n_obs == 180


def test_trend_rejects_missing_values():
    toy = _toy()
    toy.loc[0, "value"] = np.nan
    with pytest.raises(DataError, match="'value' is missing in rows 0"):
        R.trend_model(toy)


def test_forecast_labels_projection_and_intervals_contain_point():
    years = np.arange(2010, 2025)
    frame = pd.DataFrame(
        {
            "period": years,
            "value": 1000
            * 1.03 ** (years - 2010)
            * np.exp(np.random.default_rng(0).normal(0, 0.01, len(years))),
        }
    )
    for method in ("loglinear", "ets"):
        result = R.forecast(frame, horizon=3, method=method, level=0.9)
        proj = result.projection()
        assert proj["period"].tolist() == [2025, 2026, 2027]
        assert set(result.to_frame()["kind"]) == {"observed", "projection"}
        assert (proj["low"] < proj["value"]).all() and (proj["value"] < proj["high"]).all()
        assert "Projection" in result.summary()
    loglinear = R.forecast(frame, horizon=1).projection()["value"].iloc[0]
    assert loglinear == pytest.approx(1000 * 1.03**15, rel=0.02)


def test_forecast_bad_parameters():
    frame = pd.DataFrame({"period": [2010, 2012, 2013, 2014, 2015], "value": [1.0] * 5})
    with pytest.raises(DataError, match="consecutive years"):
        R.forecast(frame)
    with pytest.raises(ParameterError, match="method='arima'.*'loglinear', 'ets'"):
        R.forecast(frame, method="arima")


# ---- Brussels indexation -----------------------------------------------------------------
# Health index (base 2013): May 2019 108.89; Jun 2022 121.02; Sep 2022 124.92;
# Jun 2023 127.09; Jun 2024 131.92; Oct 2024 132.96.
@pytest.fixture(scope="module")
def monthly(deflator):
    return deflator.monthly


def test_indexation_standard(monthly):
    result = R.indexed_rent(
        800,
        signed="2019-06-15",
        entry_into_force="2019-07-01",
        anniversary_year=2024,
        health_index=monthly,
    )
    assert result.index_start == 108.89 and result.index_new == 131.92
    assert result.rent_indexed_eur_month == pytest.approx(800 * 131.92 / 108.89, abs=1e-9)
    assert result.rent_indexed_eur_month == pytest.approx(969.20, abs=0.01)


@pytest.mark.parametrize(
    "epb, year, expected",
    [
        ("F", 2023, 800 * 121.02 / 108.89),  # frozen at 2022 level
        ("G", 2023, 800 * 121.02 / 108.89),
        ("E", 2023, 800 * 0.5 * (121.02 + 127.09) / 108.89),  # half the increase
        ("F", 2024, 800 * 131.92 / 108.89 * 121.02 / 127.09),  # correction factor
        ("E", 2024, 800 * 131.92 / 108.89 * 0.5 * (121.02 + 127.09) / 127.09),
        ("D", 2023, 800 * 127.09 / 108.89),  # not concerned
    ],
)
def test_indexation_epb_rules_hand_worked(monthly, epb, year, expected):
    result = R.indexed_rent(
        800,
        signed="2019-06-15",
        entry_into_force="2019-07-01",
        anniversary_year=year,
        health_index=monthly,
        epb_class=epb,
    )
    assert result.rent_indexed_eur_month == pytest.approx(expected, abs=1e-9)


def test_indexation_lease_after_freeze_not_corrected(monthly):
    # entered into force 1/11/2022 (after 14/10/2022): class G indexed normally in 2024
    result = R.indexed_rent(
        700,
        signed="2022-10-20",
        entry_into_force="2022-11-01",
        anniversary_year=2024,
        health_index=monthly,
        epb_class="G",
    )
    assert result.correction_factor == 1.0
    assert result.rent_indexed_eur_month == pytest.approx(700 * 132.96 / 124.92, abs=1e-9)


def test_indexation_bad_input(monthly):
    with pytest.raises(ParameterError, match="epb_class='H'.*'G'"):
        R.indexed_rent(
            800, signed="2019-06-15", anniversary_year=2024, health_index=monthly, epb_class="H"
        )
    with pytest.raises(ParameterError, match="no health index for 2010-05"):
        R.indexed_rent(800, signed="2010-06-15", anniversary_year=2016, health_index=monthly)
    with pytest.raises(ParameterError, match="anniversary_year=2019"):
        R.indexed_rent(800, signed="2019-06-15", anniversary_year=2019, health_index=monthly)


def test_results_render():
    result = R.trend_model(_toy().drop(columns="n"))
    assert "clustered" in result.summary() and "<table" in result._repr_html_()
