"""displacement.robustness: the typology under other spatial bands and other treatments of
flagged source rows (the loops notebook 04 used to hold)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from permanent_research import displacement as d
from permanent_research.errors import ParameterError

MEDIAN_ONLY = dict(
    housing_reference="regional_median", housing_low_ratio=0.8, sae_income_codes=(5, 6)
)
PARAMS = d.UDPParameters.udp(
    **MEDIAN_ONLY,
    vulnerable_criteria=("low_income",),
    vulnerable_min_criteria=1,
    demographic_change="none",
)
# area, year, population, income, low-income %, value (t0 = 2015, t1 = 2022)
AREAS = [
    ("A", 2015, 1000, 20000, 10.0, 100000),
    ("A", 2022, 1100, 22000, 8.0, 130000),
    ("B", 2015, 500, 30000, 5.0, 200000),
    ("B", 2022, 400, 30000, 6.0, 200000),
    ("C", 2015, 800, 25000, 20.0, 150000),
    ("C", 2022, 800, 20000, 25.0, 160000),
]
COORDS = pd.DataFrame(
    {"area": ["A", "B", "C", "D"], "x_m": [0.0, 100.0, 0.0, 300.0], "y_m": [0.0, 0.0, 200.0, 0.0]}
)
SPEC = {
    "population": d.InputSpec("population_total", (2015,), (2022,)),
    "median_income_eur": d.InputSpec("median_income", (2015,), (2022,)),
    "low_income_share_pct": d.InputSpec("low_income_share", (2015,), (2022,)),
    "median_value_eur": d.InputSpec("median_price", (2015,), (2022,)),
}
INDICATORS = ["population_total", "median_income", "low_income_share", "median_price"]


def long_table() -> pd.DataFrame:
    rows = []
    for area, year, *values in AREAS:
        for indicator, value in zip(INDICATORS, values, strict=True):
            rows.append((area, year, indicator, float(value), None))
    # D appears twice with different data under one code: ambiguous duplicate rows
    for copy, scale in ((1, 1.0), (2, 1.5)):
        for year in (2015, 2022):
            for indicator, value in zip(INDICATORS, (900, 21000, 12.0, 120000), strict=True):
                rows.append((
                    "D", year, indicator, value * scale * (1.1 if year == 2022 else 1.0),
                    f"AMBIGUOUS_DUPLICATE_ROW_{copy}",
                ))
    long = pd.DataFrame(rows, columns=["area", "year", "indicator", "value", "flag"])
    tied = (long["area"] == "C") & (long["year"] == 2022) & (long["indicator"] == "median_income")
    long.loc[tied, "flag"] = "SUSPECT_TIED_VALUE_ACROSS_QUARTIERS"
    return long


def typology_of(duplicates, tied, band="udp"):
    cleaned, _ = d.handle_flagged_rows(long_table(), duplicates=duplicates, tied=tied)
    panel = d.build_area_period(cleaned, SPEC)
    return d.udp_typology(d.indicators(panel, coordinates=COORDS, band=band), PARAMS)


def test_band_sensitivity_counts_every_area_once_per_band():
    cleaned, _ = d.handle_flagged_rows(long_table())
    panel = d.build_area_period(cleaned, SPEC)
    table = d.band_sensitivity(panel, PARAMS, coordinates=COORDS, bands=[150.0, 250.0, "max_nn"])
    assert list(table["band"].unique()) == [150.0, 250.0, "max_nn"]
    assert (table.groupby("band", sort=False)["areas"].sum() == 3).all()  # A, B, C (D excluded)
    # at 150 m C (200 m from A, 224 m from B) has no neighbour; at 250 m everyone has one
    islands = table.groupby("band", sort=False)["islands"].first()
    assert islands[150.0] == 1 and islands[250.0] == 0
    assert table.groupby("band", sort=False)["band_m"].first()[150.0] == pytest.approx(150.0)
    assert (table.loc[table["band"] == 150.0, "changed_vs_baseline"] == 0).all()


def test_band_sensitivity_matches_one_typology_per_band():
    cleaned, _ = d.handle_flagged_rows(long_table())
    panel = d.build_area_period(cleaned, SPEC)
    table = d.band_sensitivity(panel, PARAMS, coordinates=COORDS, bands=[150.0, 250.0])
    first, second = typology_of("exclude", "keep", 150.0), typology_of("exclude", "keep", 250.0)
    counts = table[table["band"] == 250.0].set_index("category")["areas"]
    assert counts.to_dict() == second.counts().set_index("category")["areas"].to_dict()
    codes = [t.classes["code"].astype("Float64").fillna(-1) for t in (first, second)]
    changed = table.loc[table["band"] == 250.0, "changed_vs_baseline"].iloc[0]
    assert changed == int((codes[0] != codes[1]).sum())


def test_flag_treatments_count_areas_and_changes():
    baseline = typology_of("exclude", "keep")
    table = d.flag_treatment_sensitivity(
        long_table(), SPEC, PARAMS, coordinates=COORDS, baseline=baseline,
        treatments=[("exclude", "keep"), ("mean", "keep"), ("exclude", "exclude")],
    )
    assert table[["duplicates", "tied"]].values.tolist() == [
        ["exclude", "keep"], ["mean", "keep"], ["exclude", "exclude"]
    ]
    # D is dropped when duplicates are excluded and averaged into one area otherwise
    assert table["areas"].tolist() == [3, 4, 3]
    # the baseline's own treatment changes nothing
    assert table["changed_vs_baseline"].iloc[0] == 0
    # excluding the tied value leaves C (ARE in the baseline) without a t1 income: undecidable
    excluded_ties = typology_of("exclude", "exclude")
    assert baseline.classes.loc["C", "category"] == "ARE"
    assert pd.isna(excluded_ties.classes.loc["C", "code"])
    assert table["undecidable"].iloc[2] == int(excluded_ties.classes["code"].isna().sum())
    assert table["undecidable"].iloc[2] == table["undecidable"].iloc[0] + 1
    assert table["changed_vs_baseline"].iloc[2] == 1


@pytest.mark.parametrize(
    ("call", "pattern"),
    [
        (lambda p: d.band_sensitivity(p, PARAMS, coordinates=COORDS, bands=[]), "bands is empty"),
        (
            lambda p: d.flag_treatment_sensitivity(
                long_table(), SPEC, PARAMS, coordinates=COORDS, treatments=[],
                baseline=typology_of("exclude", "keep")),
            "treatments is empty",
        ),
        (
            lambda p: d.flag_treatment_sensitivity(
                long_table(), SPEC, PARAMS, coordinates=COORDS, treatments=["mean"],
                baseline=typology_of("exclude", "keep")),
            "must be a \\(duplicates, tied\\) pair",
        ),
    ],
)
def test_bad_arguments_are_one_line_errors(call, pattern):
    cleaned, _ = d.handle_flagged_rows(long_table())
    with pytest.raises(ParameterError, match=pattern) as info:
        call(d.build_area_period(cleaned, SPEC))
    assert "\n" not in str(info.value)


def test_no_nan_leaks_into_counts():
    cleaned, _ = d.handle_flagged_rows(long_table())
    table = d.band_sensitivity(d.build_area_period(cleaned, SPEC), PARAMS, coordinates=COORDS,
                               bands=["udp"])
    assert not table["areas"].isna().any() and np.issubdtype(table["areas"].dtype, np.integer)


def _typology_with(**changes):
    cleaned, _ = d.handle_flagged_rows(long_table(), duplicates="exclude", tied="keep")
    panel = d.build_area_period(cleaned, SPEC)
    return d.udp_typology(d.indicators(panel, coordinates=COORDS), PARAMS.replace(**changes))


def test_compare_classes_counts_and_explains_changes():
    a, b = _typology_with(income_low_ratio=0.80), _typology_with(income_low_ratio=0.95)
    out = d.compare_classes(a, b, labels=("udp", "brussels"))
    codes_a = a.classes["code"].astype("Float64").fillna(-1)
    codes_b = b.classes["code"].astype("Float64").fillna(-1)
    assert out.attrs["changed"] == int((codes_a != codes_b).sum())
    assert list(out.index) == list(a.classes.index)
    # C: income 20,000 against the median 22,000 (ratio 0.91) is mixed-moderate at 0.80 and
    # mixed-low at 0.95; its income code must be named if its class moved
    for area, row in out.iterrows():
        assert bool(row["changed"]) == (codes_a[area] != codes_b[area])
        assert (row["reason"] != "") == bool(row["changed"])
    assert b.flags.flags.at["C", "inc_cat_t1"] == 2 and a.flags.flags.at["C", "inc_cat_t1"] == 4
    if out.at["C", "changed"]:
        assert "inc_cat_t1: 4 → 2" in out.at["C", "reason"]


def test_compare_classes_refuses_different_areas():
    a = _typology_with()
    cleaned, _ = d.handle_flagged_rows(long_table(), duplicates="exclude", tied="keep")
    without_c = d.build_area_period(cleaned[cleaned["area"] != "C"], SPEC)
    b = d.udp_typology(d.indicators(without_c, coordinates=COORDS), PARAMS)
    with pytest.raises(ParameterError, match="same areas"):
        d.compare_classes(a, b)
    with pytest.raises(ParameterError, match="labels must differ"):
        d.compare_classes(a, a, labels=("x", "x"))


def test_regional_change_uses_areas_with_both_periods():
    """An area with data only at t1 enters the t1 reference levels, not the regional change."""
    cleaned, _ = d.handle_flagged_rows(long_table(), duplicates="exclude", tied="keep")
    extra = pd.DataFrame({"area": "E", "year": 2022, "indicator": INDICATORS,
                          "value": [700.0, 90000.0, 2.0, 900000.0], "flag": None})
    base = d.udp_flags(d.indicators(d.build_area_period(cleaned, SPEC)), PARAMS)
    wider = d.udp_flags(d.indicators(d.build_area_period(pd.concat([cleaned, extra]), SPEC)),
                        PARAMS)
    # plain computation on A, B, C: change of the median income 22,000 / 25,000 - 1
    expected = 100.0 * (np.median([22000, 30000, 20000]) / np.median([20000, 30000, 25000]) - 1)
    assert base.thresholds["income_regional_change_pch"] == pytest.approx(expected)
    assert wider.thresholds["income_regional_change_pch"] == pytest.approx(expected)
    # the t1 reference level does include E
    rm_t1 = np.median([22000, 30000, 20000, 90000])
    assert wider.thresholds["income_rm_t1"] == pytest.approx(rm_t1)
