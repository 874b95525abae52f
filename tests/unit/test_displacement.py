"""Tests of permanent_research.displacement: rules on hand-built flags, missing handling,
spatial lag against libpysal, indicators worked by hand, parameter messages."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pandas as pd
import pytest

from permanent_research import displacement as d
from permanent_research.displacement._logic import _count_rule
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
    assert result.counts().set_index("category").loc["missing", "areas"] == 2
    assert result.counts().set_index("category").loc["SMMI", "areas"] == 0


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


# the tiny frame has prices and median incomes only: UDP's housing reference needs rents and its
# SAE code 6 needs income shares, so both are set as for Brussels
MEDIAN_ONLY = dict(
    housing_reference="regional_median", housing_low_ratio=0.8, sae_income_codes=(5, 6)
)


def test_udp_flags_on_tiny_frame():
    panel, coords = tiny_panel()
    ind = d.indicators(panel, coordinates=coords, band=250.0)
    params = d.UDPParameters.udp(
        **MEDIAN_ONLY,
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
        **MEDIAN_ONLY,
        vulnerable_criteria=("low_income",),
        vulnerable_min_criteria=1,
        demographic_change="none",
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
    with pytest.raises(ParameterError, match="unknown field 'nope'; allowed: .*band_factor"):
        d.UDPParameters.brussels().replace(nope=1)
    panel, _ = tiny_panel()
    with pytest.raises(DataError, match="duplicate"):
        d.indicators(pd.concat([panel, panel.iloc[:1]]))
    with pytest.raises(DataError, match="period 't9' not found"):
        d.indicators(panel, t1="t9")
    ind = d.indicators(panel)
    with pytest.raises(DataError, match="vulnerable_criteria includes 'nonwhite'"):
        d.udp_flags(ind, d.UDPParameters.udp(**MEDIAN_ONLY))


def test_result_objects_render():
    panel, coords = tiny_panel()
    ind = d.indicators(panel, coordinates=coords, band=250.0)
    res = d.udp_typology(
        ind,
        d.UDPParameters.udp(
            **MEDIAN_ONLY,
            vulnerable_criteria=("low_income",),
            vulnerable_min_criteria=1,
            demographic_change="low_income_share",
        ),
    )
    assert "UDP typology" in res._repr_html_()
    assert res.counts()["areas"].sum() == 3
    assert len(res.to_frame()) == 3
    assert "Typology flags" in res.flags._repr_html_()
    assert "Displacement indicators" in ind._repr_html_()


# ------------------------------------------------- rules against an independent implementation
# METHODS.md §1.1 G written out again, row by row in plain Python, for complete inputs; rows with
# missing inputs are checked by brute force over every completion of the missing cells: a class
# the rules do report must be the class of *every* completion (missing never hides a choice).
_BOOLS = [c for c in COLUMNS if c not in ("inc_cat", "lmh", "ch")]
_DOMAINS = {"inc_cat": range(1, 7), "lmh": range(1, 7), "ch": range(1, 4)}


def _g_table(r: dict, dropped: tuple[str, ...] = ()) -> int:
    def f(name: str, if_dropped: bool = True) -> bool:
        return if_dropped if name in dropped else bool(r[name])

    pop, inc, lmh, ch = f("pop_ok"), r["inc_cat"], r["lmh"], r["ch"]
    low, high, lmh_mh = inc in (1, 2), inc in (3, 4, 5, 6), lmh in (2, 3, 5, 6)
    sae = pop and f("high_income_both") and lmh in (3, 6) and ch in (1, 2, 3)
    advg = (
        pop and high and lmh_mh and ch in (1, 2, 3) and f("real_change_positive")
        and f("gentrified_any") and not sae
    )  # fmt: skip
    are = pop and high and lmh_mh and ch in (1, 2) and not advg and not sae
    be = (
        pop and high and lmh_mh and ch == 3 and f("lost_low_income") and f("inmover_fell")
        and f("real_income_rose") and not sae
    )  # fmt: skip
    smmi = pop and high and not (are or be or sae or advg)
    arg = (
        pop and low and lmh in (1, 4) and (ch == 1 or f("ab_90percentile_ch", False))
        and not f("gentrified_any", False)
        and (f("dp_pchrent", False) or f("dp_rentgap", False)) and f("vulnerable_t1")
    )  # fmt: skip
    eog = (
        pop and low and lmh in (2, 5) and (ch in (2, 3) or f("ch_above_rm", False))
        and f("gentrified_any")
    )  # fmt: skip
    od = pop and low and f("lost_low_income") and not arg and not eog
    lisd = pop and low and not (od or arg or eog)
    rules = [lisd, od, arg, eog, advg, smmi, are, be, sae]
    n_true = sum(bool(x) for x in rules)
    return 99 if n_true >= 2 else 0 if n_true == 0 else rules.index(True) + 1


def _random_flags(rng: np.random.Generator, n: int, p_missing: float) -> pd.DataFrame:
    data = {c: rng.random(n) < rng.uniform(0.2, 0.8) for c in _BOOLS}
    data["pop_ok"] = rng.random(n) < 0.9
    for c, domain in _DOMAINS.items():
        data[c] = rng.choice(list(domain), size=n)
    table = pd.DataFrame(data)[COLUMNS]
    table = table.astype({c: "boolean" for c in _BOOLS} | {c: "Int64" for c in _DOMAINS})
    for c in COLUMNS:
        table.loc[rng.random(n) < p_missing, c] = NA
    return table


@pytest.mark.parametrize("dropped", [(), ("inmover_fell",), ("gentrified_any", "dp_rentgap")])
def test_rules_equal_independent_g_table_on_random_flags(dropped):
    rng = np.random.default_rng(2024 + len(dropped))
    table = _random_flags(rng, 1500, p_missing=0.05)
    params = d.UDPParameters.udp(dropped_conditions=dropped)
    got = d.udp_rules(table.drop(columns=list(dropped)), params).classes["code"]
    complete = table.notna().all(axis=1)
    assert complete.sum() > 500 and (~complete).sum() > 500  # both branches exercised
    codes_seen = set()
    for label, row in table.iterrows():
        r = row.to_dict()
        if complete[label]:
            expected = _g_table(r, dropped)
            codes_seen.add(expected)
            assert got[label] == expected, (label, r)
            continue
        missing = [c for c in COLUMNS if pd.isna(r[c])]
        domains = [_DOMAINS.get(c, (False, True)) for c in missing]
        outcomes = {
            _g_table({**r, **dict(zip(missing, values, strict=True))}, dropped)
            for values in itertools.product(*domains)
        }
        if pd.notna(got[label]):
            assert outcomes == {int(got[label])}, (label, r, outcomes)
    assert codes_seen >= {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 99}  # every class was reached


@pytest.mark.parametrize(
    ("column", "value", "pattern"),
    [
        ("inc_cat", 7, r"column 'inc_cat' has 7 in row 'x'.*allowed: income codes 1-6"),
        ("inc_cat", "x", r"column 'inc_cat' has 'x' in row 'x'"),
        ("ch", 0, r"column 'ch' has 0 .*allowed: change codes 1, 2, 3"),
        ("ch", 2.5, r"column 'ch' has 2.5 "),
        ("lmh", 9, r"column 'lmh' has 9 .*housing codes 1-6"),
        ("lost_low_income", "yes", r"column 'lost_low_income' has 'yes'.*0/1 or True/False"),
    ],
)
def test_rules_reject_unknown_codes_instead_of_classifying_them(column, value, pattern):
    table = pd.DataFrame([ROWS["SMMI"][0]], columns=COLUMNS, index=["x"]).astype(object)
    table.loc["x", column] = value
    with pytest.raises(DataError, match=pattern) as info:
        d.udp_rules(table)
    assert "\n" not in str(info.value)


def test_rules_accept_numeric_text_codes():
    table = pd.DataFrame([ROWS["ARE"][0]], columns=COLUMNS, index=["x"]).astype(str)
    assert d.udp_rules(table).classes.loc["x", "code"] == 7


# ---------------------------------------------------------------- market change coding (C)
def _value_panel(changes_pct: list[float], *, rent: list[float] | None = None) -> pd.DataFrame:
    """Areas whose value (and rent) change by exactly the given percentages (binary-exact)."""
    rows = []
    for i, change in enumerate(changes_pct):
        area = f"a{i}"
        row0 = {"area": area, "period": "t0", "population": 1000, "median_income_eur": 20000.0}
        row1 = {"area": area, "period": "t1", "population": 1000, "median_income_eur": 20000.0}
        row0["median_value_eur"] = 100000.0
        row1["median_value_eur"] = np.nan if np.isnan(change) else 100000.0 * (1 + change / 100)
        if rent is not None:
            row0["median_rent_eur_month"] = 800.0
            row1["median_rent_eur_month"] = (
                np.nan if np.isnan(rent[i]) else 800.0 * (1 + rent[i] / 100)
            )
        rows += [row0, row1]
    return pd.DataFrame(rows)


def _ch(panel: pd.DataFrame, **changes) -> list:
    params = d.UDPParameters.udp(
        **MEDIAN_ONLY,
        vulnerable_criteria=("low_income",) if "low_income_share_pct" in panel else ("renter",),
        vulnerable_min_criteria=1,
        demographic_change="none",
    ).replace(**changes)
    panel = panel.assign(renter_share_pct=50.0)
    flags = d.udp_flags(d.indicators(panel), params)
    return [None if pd.isna(v) else int(v) for v in flags.flags["ch"]], flags.thresholds


def test_market_change_rapid_cut_is_median_of_changes_strictly_above_the_increase_cut():
    # cut-off 25 (binary-exact: ×1.25). Changes strictly above 25: 40, 60, 80 → median 60.
    # Counting the three changes of exactly 25 as well would give median 32.5 and make 40 rapid.
    codes, thresholds = _ch(
        _value_panel([-30.0, -5.0, 0.0, 25.0, 25.0, 25.0, 40.0, 60.0, 80.0]),
        market_increase_pch=25.0,
    )
    assert thresholds["value_rapid_cut_pch"] == pytest.approx(60.0)
    assert codes == [1, 1, 1, 2, 2, 2, 2, 3, 3]


def test_market_change_or_of_rent_and_value_highest_wins_and_missing_is_missing():
    value = [0.0, 10.0, 50.0, np.nan, np.nan, 0.0, 12.0, 30.0]
    rent = [0.0, 0.0, 0.0, 50.0, 0.0, np.nan, 0.0, 0.0]
    # value: above +5 are 10, 12, 30, 50 → rapid cut 21; rent: above +5 only 50 → cut 50
    codes, thresholds = _ch(_value_panel(value, rent=rent))
    assert thresholds["value_rapid_cut_pch"] == pytest.approx(21.0)
    assert thresholds["rent_rapid_cut_pch"] == pytest.approx(50.0)
    # a3: value missing but rent rapid → 3 is known whatever the value; a4/a5: undecidable
    assert codes == [1, 2, 3, 3, None, None, 2, 3]


def test_markets_option_restricts_the_market_flags_to_one_market():
    value = [0.0, 10.0, 50.0, np.nan, np.nan, 0.0, 12.0, 30.0]
    rent = [0.0, 0.0, 0.0, 50.0, 0.0, np.nan, 0.0, 0.0]
    panel = _value_panel(value, rent=rent)
    both, _ = _ch(panel)
    only_rent, t_rent = _ch(panel, markets="rent")
    only_value, t_value = _ch(panel, markets="value")
    # by hand: rent alone has one change above +5 (50 → rapid), value alone as in the OR test
    assert only_rent == [1, 1, 1, 3, 1, None, 1, 1]
    assert only_value == [1, 2, 3, None, None, 1, 2, 3]
    assert "value_rapid_cut_pch" not in t_rent and "rent_rapid_cut_pch" not in t_value
    assert both == [max(a, b) if None not in (a, b) else (3 if 3 in (a, b) else None)
                    for a, b in zip(only_rent, only_value, strict=True)]
    with pytest.raises(DataError, match="markets='rent' needs median_rent_eur_month"):
        _ch(_value_panel(value), markets="rent")
    with pytest.raises(ParameterError, match="markets"):
        d.UDPParameters.brussels(markets="prices")


def test_market_change_without_any_increase_does_not_crash():
    codes, thresholds = _ch(_value_panel([-10.0, -2.0, 0.0, 3.0]))
    assert codes == [1, 1, 1, 1]
    assert np.isnan(thresholds["value_rapid_cut_pch"])


# -------------------------------------------------------------------- income and housing mix
def _shares_panel(shares_t1: list[tuple[float, float, float]], income_t1: list[float]):
    rows = []
    for i, ((lo, mo, hi), income) in enumerate(zip(shares_t1, income_t1, strict=True)):
        for period, inc in (("t0", 20000.0), ("t1", income)):
            rows.append(
                {
                    "area": f"a{i}",
                    "period": period,
                    "population": 1000,
                    "median_income_eur": inc,
                    "median_value_eur": 100000.0,
                    "renter_share_pct": 50.0,
                    "income_share_low_pct": lo,
                    "income_share_moderate_pct": mo,
                    "income_share_high_pct": hi,
                }
            )
    return pd.DataFrame(rows)


def test_income_mix_55_45_rule_then_mixed_by_median():
    shares = [
        (55.0, 44.9, 0.1),  # predominantly low: 55 ≥ 55, others < 45
        (55.0, 45.0, 0.0),  # moderate share 45 is not < 45 → mixed, by median
        (10.0, 60.0, 30.0),  # predominantly moderate
        (0.0, 40.0, 60.0),  # predominantly high
        (40.0, 30.0, 30.0),  # mixed; median 0.5 × RM → mixed-low
        (30.0, 40.0, 30.0),  # mixed; median exactly 1.2 × RM → mixed-high (UDP: ≥ 1.2)
        (30.0, 40.0, 30.0),  # mixed; median 1.0 × RM → mixed-moderate
        (np.nan, 40.0, 30.0),  # a share missing → missing
    ]
    # t1 incomes: RM = median of these eight = 20000
    income = [20000.0, 10000.0, 20000.0, 40000.0, 10000.0, 24000.0, 20000.0, 20000.0]
    params = d.UDPParameters.udp(
        housing_reference="regional_median", vulnerable_criteria=("renter",),
        vulnerable_min_criteria=1, demographic_change="none",
    )  # fmt: skip
    flags = d.udp_flags(d.indicators(_shares_panel(shares, income)), params)
    assert flags.thresholds["income_rm_t1"] == 20000.0
    got = [None if pd.isna(v) else int(v) for v in flags.flags["inc_cat_t1"]]
    assert got == [1, 2, 3, 6, 2, 5, 4, None]
    assert flags.inputs_used["inc_cat"] == "55/45 rule on income shares"


def test_median_only_income_mix_is_reported_and_sae_code_6_refused():
    panel, _ = tiny_panel()
    ind = d.indicators(panel)
    params = d.UDPParameters.udp(
        housing_reference="regional_median", vulnerable_criteria=("low_income",),
        vulnerable_min_criteria=1, demographic_change="none",
    )  # fmt: skip
    with pytest.raises(ParameterError, match=r"sae_income_codes=\(6,\) can never match"):
        d.udp_flags(ind, params)
    flags = d.udp_flags(ind, params.replace(sae_income_codes=(5, 6)))
    assert "median income / RM only" in flags.inputs_used["inc_cat"]
    assert set(flags.flags["inc_cat"].dropna()) <= {2, 4, 5}


def test_housing_mix_against_udp_affordable_rent():
    # RM income at t1 = 24000 EUR/year → affordable rent 0.30 × 24000 / 12 = 600 EUR/month;
    # cut-offs 0.6 × 600 = 360 and 1.2 × 600 = 720 (UDP): 300 → 4, 360 → 5, 719 → 5, 720 → 6
    rents = [300.0, 360.0, 719.0, 720.0, np.nan]
    rows = []
    for i, rent in enumerate(rents):
        for period in ("t0", "t1"):
            rows.append(
                {"area": f"a{i}", "period": period, "population": 1000,
                 "median_income_eur": 24000.0, "median_rent_eur_month": rent,
                 "renter_share_pct": 50.0}
            )  # fmt: skip
    params = d.UDPParameters.udp(
        vulnerable_criteria=("renter",), vulnerable_min_criteria=1, demographic_change="none",
        sae_income_codes=(5, 6),
    )  # fmt: skip
    flags = d.udp_flags(d.indicators(pd.DataFrame(rows)), params)
    assert flags.thresholds["lmh_affordable_rent_eur_month"] == pytest.approx(600.0)
    got = [None if pd.isna(v) else int(v) for v in flags.flags["lmh"]]
    assert got == [4, 5, 5, 6, None]
    assert "affordable rent" in flags.inputs_used["lmh"]
    no_rent = pd.DataFrame(rows).drop(columns="median_rent_eur_month").assign(median_value_eur=1.0)
    with pytest.raises(DataError, match="housing_reference='affordable_cost' needs median_rent"):
        d.udp_flags(d.indicators(no_rent), params)


def test_udp_defaults_are_the_published_udp_thresholds():
    p = d.UDPParameters.udp()
    published = {
        "population_min": 500.0,  # "more than 500 people"
        "income_low_ratio": 0.8,
        "income_high_ratio": 1.2,
        "predominant_share_pct": 55.0,
        "other_share_max_pct": 45.0,
        "housing_reference": "affordable_cost",  # aff = 0.30 × RM income / 12
        "affordable_share": 0.30,
        "housing_low_ratio": 0.6,  # 0.6 · aff
        "housing_high_ratio": 1.2,  # 1.2 · aff
        "market_decrease_pch": -5.0,
        "market_increase_pch": 5.0,
        "upper_percentile": 90.0,
        "vulnerable_min_criteria": 3,  # code: more than two of four
        "vulnerable_criteria": ("low_income", "nonwhite", "renter", "college"),
        "gentrified_variant": "standard",
        "demographic_change": "college",
        "regional_change": "change_of_medians",
        "sae_income_codes": (6,),
        "dropped_conditions": (),
        "band": "udp",
        "band_factor": 0.1,
        "markets": "rent_and_value",  # rent 2012-18 and value 2000-18, codes OR-ed
    }
    assert {k: getattr(p, k) for k in published} == published
    assert set(published) == {f.name for f in dataclasses.fields(p)}  # nothing unlisted
    b = d.UDPParameters.brussels()
    deviations = {k for k in published if getattr(b, k) != published[k]}
    assert deviations == {
        "income_low_ratio", "housing_reference", "housing_low_ratio",
        "vulnerable_min_criteria", "vulnerable_criteria", "gentrified_variant",
        "demographic_change", "sae_income_codes", "dropped_conditions", "band",
    }  # fmt: skip
    assert (b.income_low_ratio, b.band) == (0.85, "max_nn")


def test_sensitivity_refuses_band_parameters():
    panel, coords = tiny_panel()
    ind = d.indicators(panel, coordinates=coords, band=250.0)
    with pytest.raises(ParameterError, match="'band' is used by indicators"):
        d.sensitivity(ind, d.UDPParameters.brussels(), "band", ["udp", "max_nn"])


# ------------------------------------------------------------ the researcher's own table
_BASE = pd.DataFrame(
    {
        "area": ["A", "A", "B", "B"],
        "period": ["t0", "t1", "t0", "t1"],
        "population": [1000, 1100, 900, 800],
        "median_income_eur": [20000, 21000, 25000, 26000],
    }
)


@pytest.mark.parametrize(
    ("frame", "pattern"),
    [
        (_BASE.drop(columns="period"), r"missing column\(s\) period"),
        (_BASE.assign(area=["A", "A", None, "B"]), r"column 'area' is missing in rows 2"),
        (
            pd.concat([_BASE, _BASE.iloc[[0]]], ignore_index=True),
            r"duplicate area-period rows, e\.g\. area 'A' period 't0' in rows 0, 4",
        ),
        (_BASE.assign(area=[1, 1, "1", 2]), r"duplicate area-period rows, e\.g\. area '1'"),
        (
            _BASE.assign(median_income_eur=[20000, "21,000", "n/a", 26000]),
            r"'median_income_eur' is not numeric in rows 1, 2 \(values '21,000', 'n/a'\)",
        ),
        (_BASE.assign(population=[True, False, True, True]), r"'population' must be numeric"),
        (_BASE.assign(median_income_eur=[np.inf, 1, 2, 3]), r"'median_income_eur' is infinite"),
    ],
)
def test_area_period_table_one_line_errors(frame, pattern):
    with pytest.raises(DataError, match=pattern) as info:
        d.indicators(frame)
    assert "\n" not in str(info.value)


def test_area_period_table_accepts_numeric_text_unsorted_rows_and_one_area():
    text = _BASE.assign(median_income_eur=["20000", "21000", None, "26000"]).iloc[[3, 0, 2, 1]]
    t = d.indicators(text).table.astype(float)
    assert t.loc["A", "income_pch"] == pytest.approx(5.0)
    assert np.isnan(t.loc["B", "income_pch"])
    assert d.indicators(_BASE.iloc[:2]).table["income_pch"].tolist() == [pytest.approx(5.0)]


# ---------------------------------------------------------------------------------- the map
def test_typology_map_legend_separates_no_data_from_undecidable():
    geopandas = pytest.importorskip("geopandas")
    shapely = pytest.importorskip("shapely")
    from matplotlib import pyplot as plt

    from permanent_research.plots.displacement import typology_map

    squares = [shapely.geometry.box(i * 1000, 0, i * 1000 + 900, 900) for i in range(5)]
    areas = geopandas.GeoDataFrame(
        {"code": ["1", "2", "3", "4", "5"]}, geometry=squares, crs="EPSG:3812"
    )
    rows = [ROWS["ARE"][0], ROWS["ARE"][0], ROWS["SAE"][0], ROWS["LISD"][0]]
    table = pd.DataFrame(rows, columns=COLUMNS, index=["1", "2", "3", "4"]).astype("Float64")
    table.loc["4", "lost_low_income"] = NA  # undecidable; area "5" has no data at all
    classes = d.udp_rules(table).classes
    figure = typology_map(areas, classes, key="code", title="t", source="s")
    labels = [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
    plt.close(figure)
    assert labels == [
        "ARE: At risk of becoming exclusive (2)",
        "SAE: Stable / advanced exclusive (1)",
        "undecidable: a rule input is missing (1)",
        "no data for this area (1)",
    ]


def test_map_labels_name_the_areas_and_do_not_overlap():
    """Crowded labels on neighbouring areas are moved apart: no two label boxes intersect."""
    geopandas = pytest.importorskip("geopandas")
    shapely = pytest.importorskip("shapely")
    from matplotlib import pyplot as plt

    from permanent_research.plots.displacement import typology_map

    # 12 small adjacent squares: labels written at their centres would overlap
    squares = [shapely.geometry.box((i % 4) * 300, (i // 4) * 300, (i % 4) * 300 + 280,
                                    (i // 4) * 300 + 280) for i in range(12)]
    areas = geopandas.GeoDataFrame({"code": [str(i) for i in range(12)]}, geometry=squares,
                                   crs="EPSG:3812")
    flags = pd.DataFrame([ROWS["ARE"][0]] * 12, columns=COLUMNS, index=[str(i) for i in range(12)])
    classes = d.udp_rules(flags.astype("Float64")).classes
    names = {str(i): f"Quartier number {i} (Commune)" for i in (0, 1, 2, 4, 5, 6)}
    figure = typology_map(areas, classes, key="code", labels=names)
    ax = figure.axes[0]
    texts = [t for t in ax.texts if t.get_text() in names.values()]
    assert sorted(t.get_text() for t in texts) == sorted(names.values())
    renderer = figure.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in texts]
    overlaps = [(i, j) for i in range(len(boxes)) for j in range(i + 1, len(boxes))
                if boxes[i].overlaps(boxes[j])]
    plt.close(figure)
    assert overlaps == []
    with pytest.raises(DataError, match="labels: no area with"):
        typology_map(areas, classes, key="code", labels={"99": "nowhere"})
