"""The one builder of the annual health index over the whole period (issue 8 / issue 9 §1).

Independent route: plain pandas on the raw CSV files (not through ``data.load``).
"""

from __future__ import annotations

import pandas as pd
import pytest

from permanent_research import context
from permanent_research import rents as R
from permanent_research.config import paths
from permanent_research.data import load
from permanent_research.displacement import panel
from permanent_research.errors import DataError, ParameterError


@pytest.fixture(scope="module")
def tables():
    return load("health_index_cpi"), load("health_index_cpi_2006_2015")


@pytest.fixture(scope="module")
def raw_monthly():
    names = ("health_index_cpi_belgium.csv", "health_index_cpi_belgium_monthly_2006_2015.csv")
    frames = [pd.read_csv(paths().raw / name) for name in names]
    rows = pd.concat(frames)
    rows = rows[(rows.series == "health_index") & (rows.base == "2013=100")]
    return rows.drop_duplicates(["year", "month"])


def test_whole_period_covered_including_the_brochure_window(tables):
    annual = R.health_index_annual(*tables)
    assert set(range(2006, 2015)) <= set(annual.index)
    assert set(range(2008, 2019)) <= set(annual.index)
    # 2026 has only some months; 2002-2003 none
    assert 2026 not in annual.index and 2002 not in annual.index


@pytest.mark.parametrize("year", [2006, 2010, 2014, 2015, 2018, 2024])
def test_annual_equals_plain_mean_of_the_raw_months(tables, raw_monthly, year):
    months = raw_monthly[raw_monthly.year == year]
    assert len(months) == 12
    assert R.health_index_annual(*tables)[year] == pytest.approx(months.value.mean(), rel=1e-12)


def test_base_year_averages_to_100(tables):
    # base 2013=100: the 2013 annual mean is 100 up to the published rounding
    assert R.health_index_annual(*tables)[2013] == pytest.approx(100.0, abs=0.01)


def test_every_route_calls_the_one_builder(tables):
    joined = R.combine_index_tables(*tables)
    expected = R.health_index_annual(*tables)
    routes = {
        "deflator": R.health_index_deflator(*tables).annual,
        "deflator on the join": R.health_index_deflator(joined).annual,
        "context": context.annual_index(joined),
        "displacement": panel.annual_index(*tables),
        "displacement filtered": panel.annual_index(
            joined[(joined.series == "health_index") & (joined.base == "2013=100")]
        ),
    }
    for name, series in routes.items():
        pd.testing.assert_series_equal(series, expected, check_names=False, obj=name)


def test_deflator_monthly_spans_the_join(tables):
    monthly = R.health_index_deflator(*tables).monthly
    assert monthly.index.is_monotonic_increasing and monthly.index.is_unique
    assert str(monthly.index[0]) == "2001-01"
    assert pd.Period("2010-06", "M") in monthly.index


def _rows(year, months, value, base="2013=100"):
    return pd.DataFrame(
        {"series": "health_index", "base": base, "year": year, "month": list(months),
         "value": [value + m for m in months]}
    )


def test_overlap_kept_once_when_equal():
    a = _rows(2015, range(1, 13), 100.0)
    b = _rows(2015, range(1, 9), 100.0)
    joined = R.combine_index_tables(a, b)
    assert len(joined) == 12
    assert R.health_index_annual(a, b)[2015] == pytest.approx(100 + 6.5)


def test_overlap_that_disagrees_is_named():
    a = _rows(2015, range(1, 13), 100.0)
    b = _rows(2015, [3], 100.5)
    with pytest.raises(DataError, match=r"disagree on 2015-03 .*table 0: 103, table 1: 103.5"):
        R.combine_index_tables(a, b)


def test_month_twice_in_one_table_is_an_error():
    a = pd.concat([_rows(2015, range(1, 13), 100.0), _rows(2015, [4], 100.0)])
    with pytest.raises(DataError, match="duplicate month 2015-04"):
        R.health_index_annual(a)


def test_unknown_series_lists_the_available_ones(tables):
    with pytest.raises(ParameterError, match="available: .*health_index / 2013=100"):
        R.health_index_annual(*tables, series="nope")
    with pytest.raises(DataError, match="at least one"):
        R.combine_index_tables()
