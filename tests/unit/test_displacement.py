"""Tests of permanent_research.displacement: rules on hand-built flags, missing handling,
spatial lag against libpysal, indicators worked by hand, parameter messages."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from permanent_research import displacement as d
from permanent_research.displacement.typology import _count_rule
from permanent_research.errors import DataError, ParameterError

NA = pd.NA

# One row per rule. Columns: pop_ok inc_cat lmh ch ab90 ch_above_rm real_change_positive
# lost_low_income gentrified_any vulnerable_t1 dp_pchrent dp_rentgap inmover_fell
# real_income_rose high_income_both
COLUMNS = [
    "pop_ok",
    "inc_cat",
    "lmh",
    "ch",
    "ab_90percentile_ch",
    "ch_above_rm",
    "real_change_positive",
    "lost_low_income",
    "gentrified_any",
    "vulnerable_t1",
    "dp_pchrent",
    "dp_rentgap",
    "inmover_fell",
    "real_income_rose",
    "high_income_both",
]
ROWS = {
    # name: (values, expected code)
    "LISD": ([1, 2, 4, 2, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0], 1),
    "OD": ([1, 2, 4, 2, 0, 0, 1, 1, 0, 1, 0, 0, 0, 0, 0], 2),
    "ARG": ([1, 2, 4, 1, 0, 0, 1, 0, 0, 1, 1, 0, 0, 0, 0], 3),
    "ARG_via_p90": ([1, 1, 1, 3, 1, 0, 1, 0, 0, 1, 0, 1, 0, 0, 0], 3),
    "EOG": ([1, 1, 5, 2, 0, 0, 1, 0, 1, 1, 0, 0, 0, 0, 0], 4),
    "EOG_via_rm": ([1, 2, 2, 1, 0, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0], 4),
    "AdvG": ([1, 5, 6, 2, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0], 5),
    "SMMI": ([1, 4, 4, 2, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0], 6),
    "ARE": ([1, 4, 5, 2, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0], 7),
    "BE": ([1, 5, 6, 3, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 0], 8),
    "SAE": ([1, 6, 3, 2, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1], 9),
    "AdvG_and_BE": ([1, 5, 6, 3, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 0], 99),
    "too_small": ([0, 2, 4, 2, 0, 0, 1, 1, 0, 1, 0, 0, 0, 0, 0], 0),
}


def flag_table(rows: dict[str, list]) -> pd.DataFrame:
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=COLUMNS)
    return frame.astype("Float64")


def test_each_rule_on_hand_built_flags():
    table = flag_table({name: values for name, (values, _) in ROWS.items()})
    result = d.udp_rules(table)
    expected = pd.Series({name: code for name, (_, code) in ROWS.items()})
    got = result.classes["code"].astype(int)
    pd.testing.assert_series_equal(got, expected.astype(int), check_names=False)
    # exactly one rule true except for the overlap and the too-small area
    n_true = result.classes[list(d.UDP_CATEGORIES[c][0] for c in range(1, 10))].sum(axis=1)
    assert n_true["AdvG_and_BE"] == 2 and n_true["too_small"] == 0
    assert (n_true.drop(["AdvG_and_BE", "too_small"]) == 1).all()
    assert result.classes.loc["SAE", "category"] == "SAE"


def test_missing_flag_gives_missing_class_never_stable():
    rows = {"lisd_missing_loss": ROWS["LISD"][0].copy()}
    rows["lisd_missing_loss"][COLUMNS.index("lost_low_income")] = NA
    rows["no_income"] = ROWS["SMMI"][0].copy()
    rows["no_income"][COLUMNS.index("inc_cat")] = NA
    result = d.udp_rules(flag_table(rows))
    assert result.classes["code"].isna().all()
    assert result.summary().set_index("category").loc["missing", "areas"] == 2
    assert result.summary().set_index("category").loc["SMMI", "areas"] == 0


def test_smmi_requires_others_exactly_false():
    rows = {"are_undecidable": ROWS["ARE"][0].copy(), "clean": ROWS["SMMI"][0].copy()}
    rows["are_undecidable"][COLUMNS.index("ch")] = NA  # ARE and BE become undecidable
    result = d.udp_rules(flag_table(rows))
    classes = result.classes
    assert classes.loc["are_undecidable", "SMMI"] == False  # noqa: E712 (known false)
    assert pd.isna(classes.loc["are_undecidable", "ARE"])
    assert pd.isna(classes.loc["are_undecidable", "code"])
    assert classes.loc["clean", "code"] == 6


def test_two_true_rules_give_99_even_when_another_is_missing():
    row = ROWS["AdvG_and_BE"][0].copy()
    row[COLUMNS.index("vulnerable_t1")] = NA  # irrelevant to high-income rules
    row[COLUMNS.index("dp_pchrent")] = NA
    result = d.udp_rules(flag_table({"x": row}))
    assert result.classes.loc["x", "code"] == 99


def test_dropped_condition_is_removed_and_absent_column_otherwise_fails():
    table = flag_table({"BE": ROWS["BE"][0]}).drop(columns=["inmover_fell"])
    with pytest.raises(DataError, match="inmover_fell"):
        d.udp_rules(table)
    params = d.UDPParameters.udp(dropped_conditions=("inmover_fell",))
    result = d.udp_rules(table, params)
    assert result.classes.loc["BE", "code"] == 8
    assert result.conditions_dropped == ("inmover_fell",)


def test_rules_reject_non_binary_flags():
    table = flag_table({"x": ROWS["LISD"][0]})
    table.loc["x", "lost_low_income"] = 2
    with pytest.raises(DataError, match="lost_low_income"):
        d.udp_rules(table)


def test_count_rule_three_valued():
    idx = pd.RangeIndex(4)
    a = pd.array([True, True, False, False], dtype="boolean")
    b = pd.array([NA, True, NA, False], dtype="boolean")
    c = pd.array([False, NA, False, NA], dtype="boolean")
    out = _count_rule(
        [pd.Series(a, index=idx), pd.Series(b, index=idx), pd.Series(c, index=idx)], 2, idx
    )
    # 1 true + 1 missing: undecidable; 2 true: true; 0 true + 1 missing < 2: false
    assert pd.isna(out[0])
    assert out[1:].tolist() == [True, False, False]


# ------------------------------------------------------------------ spatial weights and lag
@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")
@pytest.mark.parametrize("band", ["max_nn", "udp", 150.0])
def test_distance_band_weights_equal_libpysal(band):
    libpysal = pytest.importorskip("libpysal")
    rng = np.random.default_rng(42)
    xy = rng.uniform(0, 1000, size=(60, 2))
    ours = d.distance_band_weights(xy, band=band)
    # "max_nn" puts one pair exactly on the band edge; libpysal's KD-tree distance for that pair
    # can differ in the last bit, so its threshold is widened by 1e-12 (relative).
    w = libpysal.weights.DistanceBand(
        xy,
        threshold=ours.threshold_m * (1 + 1e-12),
        alpha=-2.0,
        binary=False,
        silence_warnings=True,
    )
    w.transform = "r"
    theirs = w.full()[0]
    np.testing.assert_allclose(ours.matrix, theirs, rtol=0, atol=1e-10)
    assert set(ours.islands) == set(w.islands)
    values = rng.normal(size=60)
    lag_ours = d.spatial_lag(ours, values)
    lag_theirs = libpysal.weights.lag_spatial(w, values)
    keep = np.array([i not in ours.islands for i in range(60)])
    np.testing.assert_allclose(lag_ours[keep], lag_theirs[keep], rtol=0, atol=1e-10)
    assert np.isnan(lag_ours[~keep]).all()


def test_udp_band_is_a_tenth_of_max_nearest_neighbour_distance():
    xy = np.array([[0.0, 0.0], [3.0, 4.0], [100.0, 0.0]])  # NN distances 5, 5, ~95.1
    max_nn = np.hypot(97.0, 4.0)
    assert d.distance_band_weights(xy, band="udp").threshold_m == pytest.approx(0.1 * max_nn)
    assert d.distance_band_weights(xy, band="max_nn").islands == ()


# ------------------------------------------------------------------------ hand-worked frame
def tiny_panel() -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = [
        # area, period, population, income, low-income %, value
        ("A", "t0", 1000, 20000, 10.0, 100000),
        ("A", "t1", 1100, 22000, 8.0, 130000),
        ("B", "t0", 500, 30000, 5.0, 200000),
        ("B", "t1", 400, 30000, 6.0, 200000),
        ("C", "t0", 800, 25000, 20.0, 150000),
        ("C", "t1", 800, 20000, 25.0, np.nan),
    ]
    panel = pd.DataFrame(
        rows,
        columns=[
            "area",
            "period",
            "population",
            "median_income_eur",
            "low_income_share_pct",
            "median_value_eur",
        ],
    )
    coords = pd.DataFrame(
        {"area": ["A", "B", "C"], "x_m": [0.0, 100.0, 0.0], "y_m": [0.0, 0.0, 200.0]}
    )
    return panel, coords


def test_indicators_by_hand():
    panel, coords = tiny_panel()
    ind = d.indicators(panel, coordinates=coords, band=250.0)
    t = ind.table.astype(float)
    assert t.loc["A", "income_pch"] == pytest.approx(10.0, abs=1e-12)
    assert t.loc["C", "income_pch"] == pytest.approx(-20.0, abs=1e-12)
    assert t.loc["A", "low_income_share_ch_pp"] == pytest.approx(-2.0, abs=1e-12)
    assert t.loc["A", "low_income_n_t0"] == pytest.approx(100.0)
    assert t.loc["A", "low_income_n_t1"] == pytest.approx(88.0)
    assert t.loc["A", "value_pch"] == pytest.approx(30.0)
    assert np.isnan(t.loc["C", "value_pch"])
    # A's neighbours: B at 100 m (1/100²) and C at 200 m (1/200²) → weights 0.8 / 0.2;
    # C has no value at t1, so A's lag falls back to B alone.
    assert t.loc["A", "lag_value_t1"] == pytest.approx(200000.0)
    # B's neighbours: A (100 m) and C (223.6 m, value missing) → A alone.
    assert t.loc["B", "lag_value_t1"] == pytest.approx(130000.0)
    gap = 200000.0 - 130000.0
    assert t.loc["A", "value_gap"] == pytest.approx(gap)
    assert t.loc["A", "value_gapprop"] == pytest.approx(gap / ((130000.0 + 200000.0) / 2))
    # C: lag of A and B levels: weights 1/200² and 1/223.6² → 0.5556 / 0.4444
    w_a, w_b = 1 / 200.0**2, 1 / (100.0**2 + 200.0**2)
    expected = (w_a * 130000.0 + w_b * 200000.0) / (w_a + w_b)
    assert t.loc["C", "lag_value_t1"] == pytest.approx(expected, rel=1e-12)
    assert ind.regional["income_t0"] == pytest.approx(25000.0)


def test_deflation_makes_changes_real():
    panel, _ = tiny_panel()
    ind = d.indicators(panel, deflator={"t0": 100.0, "t1": 110.0})
    t = ind.table.astype(float)
    assert t.loc["A", "income_pch"] == pytest.approx(0.0, abs=1e-12)  # 22000 / (20000 × 1.1)
    assert t.loc["A", "income_t0"] == pytest.approx(22000.0)
    assert "deflated" in ind.inputs_used["median_income_eur"]


def test_udp_flags_on_tiny_frame():
    panel, coords = tiny_panel()
    ind = d.indicators(panel, coordinates=coords, band=250.0)
    params = d.UDPParameters.udp(
        vulnerable_criteria=("low_income",),
        vulnerable_min_criteria=1,
        demographic_change="none",
        population_min=600,
    )
    flags = d.udp_flags(ind, params).flags
    # regional median income t1 = 22000; ratios A 1.0, B 1.364, C 0.909 → 4, 5, 4
    assert flags["inc_cat"].tolist() == [4, 5, 4]
    assert flags["pop_ok"].tolist() == [True, False, True]
    assert flags["lost_low_income"].tolist() == [True, True, False]  # 88<100; 24<25; 200>160
    assert pd.isna(flags.loc["C", "ch"])  # value missing at t1
    assert flags.loc["A", "real_income_rose"] and not flags.loc["C", "real_income_rose"]


def test_build_area_period_windows_and_deflation():
    long = pd.DataFrame(
        {
            "area": ["1"] * 4 + ["2"] * 4,
            "year": [2015, 2016, 2021, 2022] * 2,
            "indicator": ["median_apartment_sale_price"] * 8,
            "value": [100.0, 120.0, 150.0, 170.0, 200.0, np.nan, 210.0, 230.0],
        }
    )
    index = pd.Series({2015: 100.0, 2016: 100.0, 2021: 100.0, 2022: 125.0})
    spec = {
        "median_value_eur": d.InputSpec(
            "median_apartment_sale_price", (2015, 2016), (2021, 2022), min_years=2
        )
    }
    panel = d.build_area_period(long, spec, deflator=index, base_year=2022)
    t0 = panel[panel.period == "t0"].set_index("area")["median_value_eur"]
    t1 = panel[panel.period == "t1"].set_index("area")["median_value_eur"]
    assert t0["1"] == pytest.approx(1.25 * 110.0)
    assert np.isnan(t0["2"])  # only one year of two
    assert t1["1"] == pytest.approx((150.0 * 1.25 + 170.0) / 2)
    assert panel.attrs["real_prices_of"] == 2022


def test_handle_flagged_rows_reports_and_excludes():
    long = pd.DataFrame(
        {
            "area": [1, 1, 2, 3, 3],
            "year": [2020] * 5,
            "indicator": ["x"] * 5,
            "value": [1.0, 2.0, 3.0, 4.0, 5.0],
            "flag": [
                "AMBIGUOUS_DUPLICATE_ROW_1",
                "AMBIGUOUS_DUPLICATE_ROW_2",
                "SUSPECT_TIED_VALUE_ACROSS_QUARTIERS",
                None,
                None,
            ],
        }
    )
    long.loc[4, "year"] = 2021
    clean, report = d.handle_flagged_rows(long, tied="exclude")
    assert sorted(clean["area"].unique()) == [2, 3]
    assert np.isnan(clean.loc[clean.area == 2, "value"]).all()
    assert report["rows"].sum() == 3 and set(report["action"]) == {"excluded", "set missing"}
    averaged, report2 = d.handle_flagged_rows(long, duplicates="mean")
    assert averaged.loc[averaged.area == 1, "value"].item() == pytest.approx(1.5)
    assert set(report2["action"]) == {"averaged", "kept"}


def test_dhd_rules_by_hand():
    flags = pd.DataFrame(
        {
            "pop_ok": [True, True, True, True, True, True, True],
            "gentrifiable": [False, True, True, True, True, True, NA],
            "market_up": [True, False, True, True, True, True, True],
            "demographic_up": [True, True, True, True, True, True, True],
            "value_pch": [50.0, 1.0, 10.0, 20.0, 30.0, 40.0, 5.0],
        },
        index=list("abcdefg"),
    ).astype({"gentrifiable": "boolean"})
    result = d.dhd_rules(flags)
    # gentrifying c,d,e,f with values 10,20,30,40: q25 = 17.5, q75 = 32.5
    assert result.classes["code"].tolist()[:6] == [0, 1, 2, 3, 3, 4]
    assert pd.isna(result.classes.loc["g", "code"])


def test_sensitivity_counts_add_up():
    panel, coords = tiny_panel()
    ind = d.indicators(panel, coordinates=coords, band=250.0)
    params = d.UDPParameters.udp(
        vulnerable_criteria=("low_income",), vulnerable_min_criteria=1, demographic_change="none"
    )
    table = d.sensitivity(ind, params, "population_min", [0, 600, 2000])
    assert (table.groupby("value")["areas"].sum() == 3).all()
    assert table.loc[table.value == 2000, "changed_vs_baseline"].iloc[0] >= 0


# -------------------------------------------------------------------------- error messages
@pytest.mark.parametrize(
    ("changes", "pattern"),
    [
        (
            {"vulnerable_min_criteria": 5},
            r"vulnerable_min_criteria=5 must be an integer in \[1, 4\]",
        ),
        ({"gentrified_variant": "rural"}, r"choose one of 'standard', 'urban'"),
        ({"dropped_conditions": ("foo",)}, r"dropped_conditions='foo' is not allowed"),
        ({"vulnerable_criteria": ("race",)}, r"vulnerable_criteria='race'.*'low_income'"),
        ({"income_high_ratio": 0.5}, r"income_high_ratio=0.5 is outside"),
        ({"band": -1.0}, r"band=-1.0 is outside"),
        ({"upper_percentile": 100}, r"upper_percentile=100"),
    ],
)
def test_parameter_messages(changes, pattern):
    with pytest.raises(ParameterError, match=pattern) as info:
        d.UDPParameters.udp(**changes)
    assert "\n" not in str(info.value)


def test_replace_rejects_unknown_field_and_panel_errors():
    with pytest.raises(ParameterError, match="parameter='nope' is not allowed"):
        d.UDPParameters.brussels().replace(nope=1)
    panel, _ = tiny_panel()
    with pytest.raises(DataError, match="duplicate"):
        d.indicators(pd.concat([panel, panel.iloc[:1]]))
    with pytest.raises(DataError, match="period 't9' not found"):
        d.indicators(panel, t1="t9")
    ind = d.indicators(panel)
    with pytest.raises(DataError, match="vulnerable_criteria includes 'nonwhite'"):
        d.udp_flags(ind, d.UDPParameters.udp())


def test_result_objects_render():
    panel, coords = tiny_panel()
    ind = d.indicators(panel, coordinates=coords, band=250.0)
    res = d.udp_typology(
        ind,
        d.UDPParameters.udp(
            vulnerable_criteria=("low_income",),
            vulnerable_min_criteria=1,
            demographic_change="low_income_share",
        ),
    )
    assert "UDP typology" in res._repr_html_()
    assert res.summary()["areas"].sum() == 3
    assert len(res.to_frame()) == 3
    assert "Typology flags" in res.flags._repr_html_()
    assert "Displacement indicators" in ind._repr_html_()
