"""The brochure's claims are stated once and everything that uses them reads them from there."""

from __future__ import annotations

import json
import re

import pytest

from permanent_research import brochure
from permanent_research import waiting_list as wl
from permanent_research.config import paths
from permanent_research.errors import ParameterError
from permanent_research.reporting.parameters import NOTEBOOK_SPECS


def test_every_claim_has_value_unit_statement_and_where():
    table = brochure.claims_table()
    assert list(table["name"]) == list(brochure.CLAIMS)
    assert table[["statement", "unit", "where"]].map(bool).all().all()
    assert table["where"].str.contains("brochure").all()
    # the claims issue 3 quotes
    assert brochure.claim("waiting_list_households").value == 43000
    assert brochure.claim("rent_change_pct").period == (2008, 2018)
    assert 0 < brochure.claim("low_income_housing_effort").value < 1


def test_an_unknown_claim_names_the_allowed_ones():
    with pytest.raises(ParameterError, match="allowed: waiting_list_households") as info:
        brochure.claim("waiting_list")
    assert "\n" not in str(info.value)


def test_claims_cannot_be_changed_in_place():
    with pytest.raises(TypeError):
        brochure.CLAIMS["rent_change_pct"] = None  # type: ignore[index]
    with pytest.raises(AttributeError):
        brochure.claim("rent_change_pct").value = 30  # type: ignore[misc]


def test_the_queue_model_takes_the_brochure_figure_from_the_claims():
    claim = brochure.claim("waiting_list_households")
    assert wl.BROCHURE_LIST_LENGTH == claim.value
    assert wl.BROCHURE_SOURCE == claim.where


def test_no_notebook_keeps_a_brochure_claim_as_a_parameter():
    for stem, spec in NOTEBOOK_SPECS.items():
        assert not [name for name in spec if name.startswith("brochure")], stem


@pytest.mark.parametrize("stem", ["01_brussels_context", "03_affordability"])
def test_notebooks_read_the_claims_instead_of_typing_them(stem):
    node = json.loads((paths().notebooks / f"{stem}.ipynb").read_text(encoding="utf-8"))
    code = "\n".join("".join(c["source"]) for c in node["cells"] if c["cell_type"] == "code")
    assert "brochure.claim(" in code
    typed = re.findall(r"(?<![\d.,])43[,_]?000(?![\d])", code)
    assert not typed, typed
