"""The computed pressure finding names communes and quartiers from the classes."""

from __future__ import annotations

import pandas as pd
import pytest

from permanent_research import displacement as d
from permanent_research.displacement.finding import pressure_finding
from permanent_research.errors import DataError


def _typology(codes):
    flags = d.FlagTable(flags=pd.DataFrame(index=pd.Index(list(codes), name="area")),
                        parameters=None, inputs_used={})
    cats = {k: v[0] for k, v in d.UDP_CATEGORIES.items()}
    classes = pd.DataFrame({"code": pd.array(list(codes.values()), dtype="Int64")},
                           index=pd.Index(list(codes), name="area"))
    classes["category"] = classes["code"].map(cats)
    return d.TypologyResult(classes=classes, flags=flags, parameters=None, typology="udp")


AREAS = pd.DataFrame({"area": ["1", "2", "3", "4", "5"],
                      "name": ["Alpha", "Beta", "Gamma", "Delta", "Eps"],
                      "commune": ["Ixelles", "Ixelles", "Forest", "Forest", "Evere"]})


def test_sentence_counts_and_names():
    typ = _typology({"1": 4, "2": 5, "3": 2, "4": 9, "5": None})
    sentence, table = pressure_finding(typ, AREAS)
    assert sentence.startswith(
        "Pressure concentrates in Ixelles (2: Alpha, Beta); Forest (1: Gamma)"
    )
    assert "3 of 4 classified quartiers (75%)" in sentence
    assert sentence.endswith("3 of them in these 2 communes.")
    one, _ = pressure_finding(typ, AREAS, top=1)
    assert one.endswith("2 of them in this commune.")
    assert table.set_index("commune").loc["Forest", "classified"] == 2


def test_no_pressure_and_unknown_area():
    sentence, table = pressure_finding(_typology({"1": 9, "2": 6}), AREAS)
    assert sentence.startswith("None of the 2") and table.empty
    with pytest.raises(DataError, match="no name/commune for area"):
        pressure_finding(_typology({"99": 4}), AREAS)


def _rates(evictions, rented):
    out = pd.DataFrame({"evictions_2018": evictions, "rented_dwellings_2015": rented},
                       index=pd.Index(["1", "2", "3", "4", "5"], name="area"))
    out["suppressed"] = out["rented_dwellings_2015"] < 200
    out["evictions_per_1000_rented"] = (1000 * out["evictions_2018"]
                                        / out["rented_dwellings_2015"]).where(~out["suppressed"])
    out.attrs["min_rented_dwellings"] = 200
    return out


def test_eviction_finding_pools_rates_by_class_and_names_top_quartiers():
    typ = _typology({"1": 4, "2": 5, "3": 2, "4": 9, "5": None})
    # area 5 is undecidable; area 3 suppressed (150 rented dwellings) and left out
    rates = _rates([30, 10, 9, 4, 20], [1000, 1000, 150, 800, 1000])
    sentence, table = d.eviction_finding(typ, rates, AREAS)
    # by hand: pressure = areas 1, 2 (codes 4, 5; area 3 suppressed): 40 / 2,000 = 20.0
    # other classified = area 4: 4 / 800 = 5.0; region over 4 published areas 64 / 3,800
    assert "20.0 per 1,000 rented dwellings in the 2 quartiers in pressure classes" in sentence
    assert "higher than the 5.0 in the 1 other classified quartiers" in sentence
    assert f"region: {1000 * 64 / 3800:.1f} over 4 quartiers with at least 200" in sentence
    assert "highest rate is EOG (30.0)" in sentence
    assert sentence.endswith("Alpha (Ixelles; class EOG; 30.0); Eps (Evere; class undecidable; "
                             "20.0); Beta (Ixelles; class AdvG; 10.0).")
    row = table.set_index("category").loc["SAE"]
    assert (row["quartiers"], row["evictions_per_1000_rented"]) == (1, 5.0)
    with pytest.raises(DataError, match="rates: missing column"):
        d.eviction_finding(typ, rates.drop(columns="suppressed"), AREAS)
