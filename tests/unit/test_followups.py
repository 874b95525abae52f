"""Follow-ups from the newcomer walkthrough: errors a first-time user meets."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from permanent_research import affordability
from permanent_research.causal import staggered_did
from permanent_research.errors import ParameterError, ScenarioError
from permanent_research.programme import validate_programme


def test_affordable_by_decile_rejects_a_plain_number_as_rent():
    income = affordability.income_from_deciles(
        [9000, 12000, 15000, 18000, 21000, 24000, 28000, 33000, 41000]
    )
    with pytest.raises(ParameterError, match="rent=650 must be a rent distribution"):
        affordability.affordable_by_decile(income, rent=650)


def test_programme_unknown_key_suggests_the_close_match():
    with pytest.raises(ScenarioError, match=r"did you mean 'land_price_eur_m2'"):
        validate_programme({"land_price_eur_m": 600}, source="mine.yaml")


def test_simple_aggregation_to_frame_holds_the_overall_estimate():
    rng = np.random.default_rng(3)
    units = np.repeat(np.arange(60), 4)
    years = np.tile(np.arange(2010, 2014), 60)
    cohort = np.where(units < 20, 2012, np.where(units < 40, 2013, 0))
    effect = np.where((cohort > 0) & (years >= cohort), 1.0, 0.0)
    frame = pd.DataFrame({"unit": units, "year": years, "g": cohort,
                          "y": effect + rng.normal(0, 0.1, units.size)})
    result = staggered_did(frame, unit="unit", time="year", outcome="y", first_treated="g")
    simple = result.aggregate("simple")
    table = simple.to_frame()
    assert len(table) == 1 and table["kind"].iloc[0] == "simple"
    assert table["att"].iloc[0] == pytest.approx(simple.overall.att)
    assert table["att"].iloc[0] == pytest.approx(1.0, abs=0.1)


def test_headline_files_keep_notebook_order(tmp_path):
    import json

    from permanent_research.reporting.manifest import write_json_atomic

    records = {"waiting_list": {"value": 1}, "stock": {"value": 2}, "added": {"value": 3}}
    write_json_atomic(tmp_path / "h.json", records, sort_keys=False)
    assert list(json.loads((tmp_path / "h.json").read_text())) == list(records)
    write_json_atomic(tmp_path / "m.json", records)
    assert list(json.loads((tmp_path / "m.json").read_text())) == sorted(records)
