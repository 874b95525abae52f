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
