"""Unit tests for permanent_research.causal: schema errors, truth recovery, bootstrap, exposure."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from permanent_research.causal import (
    commune_first_treated,
    compare_estimators,
    exposure_from_sites,
    staggered_did,
)
from permanent_research.data.synthetic_panel import synthetic_did_panel
from permanent_research.errors import DataError, ParameterError, PermanentResearchWarning

KW = dict(unit="unit", time="year", outcome="log_price", first_treated="first_treated")


@pytest.fixture(scope="module")
def small() -> pd.DataFrame:
    return synthetic_did_panel(200, seed=2).data


# ---- schema errors (one line each, naming column/rows and allowed values) ------------------

def _one_line(exc: pytest.ExceptionInfo) -> str:
    message = str(exc.value)
    assert "\n" not in message
    return message


def test_unbalanced_panel_is_refused(small):
    data = small.drop(index=small.index[(small["unit"] == 7) & (small["year"] == 2010)])
    with pytest.raises(DataError) as exc:
        staggered_did(data, **KW)
    assert "unbalanced" in _one_line(exc) and "7" in str(exc.value)


def test_treatment_before_first_period_is_refused(small):
    data = small.copy()
    data.loc[data["unit"] == 3, "first_treated"] = 2005
    with pytest.raises(DataError) as exc:
        staggered_did(data, **KW)
    assert "before the first period" in _one_line(exc) and "3" in str(exc.value)


def test_unit_switching_cohort_is_refused(small):
    data = small.copy()
    data.loc[(data["unit"] == 5) & (data["year"] > 2015), "first_treated"] = 2018
    with pytest.raises(DataError) as exc:
        staggered_did(data, **KW)
    assert "changes over time" in _one_line(exc) and "5" in str(exc.value)


def test_missing_outcome_is_refused(small):
    data = small.copy()
    data.loc[10, "log_price"] = np.nan
    with pytest.raises(DataError) as exc:
        staggered_did(data, **KW)
    assert "'log_price'" in _one_line(exc) and "10" in str(exc.value)


def test_non_numeric_outcome_is_refused(small):
    data = small.assign(log_price=small["log_price"].astype(str))
    with pytest.raises(DataError) as exc:
        staggered_did(data, **KW)
    assert "must be numeric" in _one_line(exc)


def test_duplicate_rows_are_refused(small):
    data = pd.concat([small, small.iloc[[4]]])
    with pytest.raises(DataError) as exc:
        staggered_did(data, **KW)
    assert "duplicate (unit, year)" in _one_line(exc) and "4" in str(exc.value)


@pytest.mark.parametrize(("arg", "value", "allowed"), [
    ("control", "nevertreated", "'never_treated', 'not_yet_treated'"),
    ("method", "dml", "'dr', 'reg', 'ipw'"),
    ("base_period", "fixed", "'varying', 'universal'"),
])
def test_unknown_option_names_allowed_values(small, arg, value, allowed):
    with pytest.raises(ParameterError) as exc:
        staggered_did(small, **KW, **{arg: value})
    assert allowed in _one_line(exc)


def test_unknown_aggregation(small):
    with pytest.raises(ParameterError, match="'simple', 'group', 'dynamic', 'calendar'"):
        staggered_did(small, **KW).aggregate("event")


def test_no_never_treated_needs_not_yet_treated(small):
    data = small[small["first_treated"] > 0]
    with pytest.raises(DataError, match="not_yet_treated"):
        staggered_did(data, **KW)
    result = staggered_did(data, control="not_yet_treated", **KW)
    assert result.att_gt["time"].max() < data["first_treated"].max()


@pytest.mark.parametrize("control", ["never_treated", "not_yet_treated"])
def test_missing_first_treated_means_never(small, control):
    """0, NaN and pandas NA (nullable Int64) give identical cells, SEs and aggregations."""
    encodings = [small,
                 small.assign(first_treated=small["first_treated"].replace(0, np.nan)),
                 small.assign(first_treated=small["first_treated"].astype("Int64")
                              .replace(0, pd.NA))]
    assert all(d["first_treated"].isna().any() for d in encodings[1:])
    fits = [staggered_did(d, control=control, covariates=["baseline_social_share"], **KW)
            for d in encodings]
    for fit in fits[1:]:
        pd.testing.assert_frame_equal(fit.att_gt, fits[0].att_gt)
        for kind in ("simple", "group", "dynamic", "calendar"):
            a, b = fit.aggregate(kind), fits[0].aggregate(kind)
            assert (a.overall.att, a.overall.se) == (b.overall.att, b.overall.se)
            pd.testing.assert_frame_equal(a.table, b.table)


def test_compare_estimators_missing_first_treated_means_never(small):
    nan = small.assign(first_treated=small["first_treated"].replace(0, np.nan))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = compare_estimators(nan, min_e=-2, max_e=2, **KW)
        b = compare_estimators(small, min_e=-2, max_e=2, **KW)
    pd.testing.assert_frame_equal(a.table, b.table)
    pd.testing.assert_frame_equal(a.overall, b.overall)


def test_small_groups_are_flagged(small):
    data = small.copy()
    data.loc[data["unit"] == 5, "first_treated"] = 2010  # a one-unit cohort
    with pytest.warns(PermanentResearchWarning, match=r"small groups .*2010 \(1\)"):
        result = staggered_did(data, **KW)
    assert (result.att_gt["group"] == 2010).any()


def test_first_period_cohort_is_dropped_with_warning(small):
    data = small.copy()
    data.loc[data["unit"] == 1, "first_treated"] = 2008
    with pytest.warns(PermanentResearchWarning, match="already treated in the first period"):
        result = staggered_did(data, **KW)
    assert result.n_units == small["unit"].nunique() - 1


def test_compare_estimators_drops_first_period_units_for_all(small):
    """Units treated in the first period: dropped loudly for every estimator (same sample)."""
    data = small.copy()
    data.loc[data["unit"].isin([1, 2, 3]), "first_treated"] = 2008
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        comp = compare_estimators(data, min_e=-2, max_e=2, **KW)
    ours = [str(w.message) for w in caught if issubclass(w.category, PermanentResearchWarning)]
    assert any("dropped 3 unit(s) already treated in the first period 2008" in m for m in ours)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clean = compare_estimators(data[~data["unit"].isin([1, 2, 3])], min_e=-2, max_e=2, **KW)
    pd.testing.assert_frame_equal(comp.table, clean.table)


def test_compare_estimators_needs_never_treated(small):
    data = small[small["first_treated"] > 0]
    with pytest.raises(DataError) as exc:
        compare_estimators(data, control="not_yet_treated", **KW)
    assert "twfe, sun_abraham, imputation" in _one_line(exc)


def test_reference_period_convention(small):
    """-1 is an exact 0 without SE for TWFE, Sun-Abraham and CS; imputation has no reference
    row and no pre-period rows; the same sign (a price rise is positive) for all."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        comp = compare_estimators(small, min_e=-3, max_e=3, **KW)
    t = comp.table
    for name in ("twfe", "sun_abraham", "callaway_santanna"):
        ref = t[(t["estimator"] == name) & (t["relative_time"] == -1)]
        assert len(ref) == 1 and ref["estimate"].item() == 0 and np.isnan(ref["se"].item())
        assert (t[t["estimator"] == name]["relative_time"] < -1).any()
    assert t.loc[t["estimator"] == "imputation", "relative_time"].min() == 0
    late = t[t["relative_time"] == 3].set_index("estimator")["estimate"]
    assert (late > 0).all()  # true effect at e = 3 is positive for every cohort


# ---- truth recovery on the synthetic panel -------------------------------------------------

@pytest.fixture(scope="module")
def large():
    return synthetic_did_panel(6000, seed=7)


def test_naive_twfe_is_visibly_biased(large):
    import pyfixest as pf

    fit = pf.feols("log_price ~ treated | unit + year", data=large.data)
    beta = float(fit.coef()["treated"])
    assert abs(beta - large.truth_overall) > 0.30 * large.truth_overall


def test_cs_recovers_the_truth(large):
    result = staggered_did(large.data, **KW)
    simple = result.aggregate("simple").overall
    assert abs(simple.att - large.truth_overall) < 3 * simple.se
    dyn = result.aggregate("dynamic").table.merge(large.truth_dynamic, on="event_time",
                                                  suffixes=("", "_true"))
    z = (dyn["att"] - dyn["att_true"]) / dyn["se"]
    assert len(dyn) == 20
    # every event time within 3.5 SE (20 tests: a 3-SE bound would fail by chance too often)
    assert np.abs(z).max() < 3.5
    gt = result.att_gt.merge(large.truth_gt, on=["group", "time"], suffixes=("", "_true"))
    post = gt[gt["post"]]
    assert np.abs(post["att"] - post["att_true"]).max() < 0.02  # log points


def test_synthetic_truth_is_labelled(large):
    assert large.data.attrs["synthetic"] is True
    assert large.truth_dynamic.attrs["synthetic"] is True
    # truth by hand: cohort 2012 slope 0.03, event time 2 -> 0.09
    row = large.truth_gt.query("group == 2012 and time == 2014")
    assert row["att"].item() == pytest.approx(0.09)


def test_synthetic_is_reproducible():
    a = synthetic_did_panel(50, seed=3).data
    b = synthetic_did_panel(50, seed=3).data
    pd.testing.assert_frame_equal(a, b)


# ---- bootstrap -------------------------------------------------------------------------------

def test_bootstrap_close_to_analytic_and_seeded(small):
    data = synthetic_did_panel(1500, seed=4).data
    result = staggered_did(data, **KW)
    analytic = result.aggregate("dynamic")
    boot = result.aggregate("dynamic", bootstrap=True, n_boot=999, seed=1)
    again = result.aggregate("dynamic", bootstrap=True, n_boot=999, seed=1)
    pd.testing.assert_frame_equal(boot.table, again.table)
    ratio = boot.table["se"] / analytic.table["se"]
    assert ratio.between(0.8, 1.25).all()
    assert boot.uniform and boot.crit_val > 1.96
    assert (boot.table["ci_high"] - boot.table["ci_low"]
            > analytic.table["ci_high"] - analytic.table["ci_low"]).all()


# ---- estimator comparison and figure -------------------------------------------------------

def test_compare_estimators_table_and_truth():
    panel = synthetic_did_panel(800, seed=9)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        comp = compare_estimators(panel.data, min_e=-3, max_e=4, **KW)
    assert list(comp.table.columns) == ["estimator", "relative_time", "estimate", "se",
                                        "ci_low", "ci_high"]
    assert set(comp.table["estimator"]) == {"twfe", "sun_abraham", "imputation",
                                            "callaway_santanna"}
    assert comp.table["relative_time"].between(-3, 4).all()
    over = comp.overall.set_index("estimator")["estimate"]
    for name in ("sun_abraham", "imputation", "callaway_santanna"):
        assert over[name] == pytest.approx(panel.truth_overall, abs=0.01)
    assert abs(over["twfe"] - panel.truth_overall) > 0.3 * panel.truth_overall
    from permanent_research.plots.causal import event_study

    fig = event_study(comp.table, truth=panel.truth_dynamic)
    assert isinstance(fig, Figure)
    assert any("SYNTHETIC" in t.get_text() for t in fig.texts)


# ---- exposure --------------------------------------------------------------------------------

def test_rings_timing_and_ended_sites():
    sites = pd.DataFrame({"name": ["A", "B"], "x": [0.0, 100.0], "y": [0.0, 0.0],
                          "start_year": [2015, 2012], "end_year": [np.nan, 2013]})
    units = pd.DataFrame({"unit": [1, 2, 3, 4, 5],
                          "x": [50.0, 0.0, 0.0, 0.0, 0.0],
                          "y": [0.0, -250.0, 450.0, 900.0, 2000.0]})
    res = exposure_from_sites(sites, units, years=range(2010, 2018))
    u = res.units.set_index("unit")
    assert list(u["ring"]) == ["treated", "treated", "buffer", "control", "excluded"]
    # unit 1: both sites within 300 m; first start 2012 from B, which ended in 2013
    assert u.loc[1, "first_treated"] == 2012 and u.loc[1, "first_site"] == "B"
    assert u.loc[1, "n_sites_treated_ring"] == 2
    # unit 2 at 250 m from A (and ~269 m from B): both in ring
    assert u.loc[2, "first_treated"] == 2012
    assert u.loc[4, "first_treated"] == 0
    p = res.panel.set_index(["unit", "year"])
    assert set(res.panel["unit"]) == {1, 2, 4}
    assert p.loc[(1, 2012), "exposure_count"] == 1 and p.loc[(1, 2012), "active"] == 1
    assert p.loc[(1, 2014), "active"] == 0 and p.loc[(1, 2014), "treated"] == 1
    assert p.loc[(1, 2016), "exposure_count"] == 1


def test_exposure_latlon_and_errors():
    sites = pd.DataFrame({"name": ["Allée du Kaai"], "lat": [50.8600], "lon": [4.3480],
                          "start_year": [2014], "end_year": [np.nan]})
    units = pd.DataFrame({"unit": ["near", "far"], "lat": [50.8610, 50.8700],
                          "lon": [4.3480, 4.3480]})
    u = exposure_from_sites(sites, units).units.set_index("unit")
    assert u.loc["near", "nearest_site_m"] == pytest.approx(111.2, abs=1.0)
    assert u.loc["far", "ring"] == "control"
    with pytest.raises(ParameterError, match="treated_m < buffer_m"):
        exposure_from_sites(sites, units, treated_m=700)
    with pytest.raises(DataError, match="start_year"):
        exposure_from_sites(sites.assign(start_year=np.nan), units)


def test_distances_match_geodesic_in_brussels():
    """EPSG:3812 distances between Brussels points: within 0.5 % of haversine (sphere, which
    itself is ~0.3 % short east-west at 50.8 N) and within 0.05 % of the WGS84 geodesic."""
    from pyproj import Geod

    site = (50.8467, 4.3525)  # Grand-Place
    points = {"atomium": (50.8949, 4.3415), "cinquantenaire": (50.8404, 4.3930),
              "kaai": (50.8600, 4.3480), "uccle": (50.8000, 4.3400)}
    sites = pd.DataFrame({"name": ["GP"], "lat": [site[0]], "lon": [site[1]],
                          "start_year": [2015], "end_year": [np.nan]})
    units = pd.DataFrame({"unit": list(points), "lat": [p[0] for p in points.values()],
                          "lon": [p[1] for p in points.values()]})
    got = exposure_from_sites(sites, units, treated_m=100, buffer_m=200, control_m=20_000)
    got = got.units.set_index("unit")["nearest_site_m"]
    geod = Geod(ellps="WGS84")
    for name, (lat, lon) in points.items():
        p1, p2 = np.radians(site[0]), np.radians(lat)
        h = (np.sin((p2 - p1) / 2) ** 2
             + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon - site[1]) / 2) ** 2)
        haversine = 2 * 6_371_008.8 * np.arcsin(np.sqrt(h))
        geodesic = geod.inv(site[1], site[0], lon, lat)[2]
        assert got[name] == pytest.approx(haversine, rel=0.005)
        assert got[name] == pytest.approx(geodesic, rel=0.0005)


@pytest.mark.parametrize(("column", "value", "message"), [
    ("end_year", 2010, "end_year before start_year in rows 1"),
    ("end_year", "2016?", "'end_year' is not a whole year in rows 1"),
    ("start_year", 2015.5, "'start_year' is not a whole year in rows 1"),
])
def test_bad_site_years_are_refused(column, value, message):
    sites = pd.DataFrame({"name": ["A", "B"], "x": [0.0, 50.0], "y": [0.0, 0.0],
                          "nis_code": ["21001", "21004"], "start_year": [2012, 2015],
                          "end_year": [2014, np.nan]})
    sites = sites.astype({"start_year": object, "end_year": object})
    sites.loc[1, column] = value
    units = pd.DataFrame({"unit": [1], "x": [10.0], "y": [0.0]})
    with pytest.raises(DataError) as exc:
        exposure_from_sites(sites, units)
    assert message in _one_line(exc)
    with pytest.raises(DataError, match=message.replace("?", r"\?")):
        commune_first_treated(sites, ["21001", "21004"])


def test_commune_first_treated():
    sites = pd.DataFrame({"site_name": ["a", "b", "c", "d"],
                          "nis_code": ["21001", "21001", "21013", None],
                          "start_year": [2017, 2020, np.nan, 2013],
                          "end_year": [np.nan, 2022, np.nan, np.nan]})
    out = commune_first_treated(sites, ["21001", "21013", "21015"]).set_index("nis_code")
    assert out.loc["21001", "first_treated"] == 2017 and out.loc["21001", "n_ended"] == 1
    assert not out.loc["21013", "usable"] and out.loc["21015", "usable"]
    assert out.attrs["unplaced_sites"] == ["d"]
