"""Direction words come from the sign of the numbers they describe."""

from __future__ import annotations

import math

import pytest

from permanent_research.errors import ParameterError
from permanent_research.reporting.wording import compare, direction


@pytest.mark.parametrize(
    ("change", "word"), [(25.0, "rose"), (-8.8, "fell"), (0.0, "did not change"), (1e-12, "rose")]
)
def test_direction_follows_the_sign(change, word):
    assert direction(change) == word


def test_tolerance_makes_tiny_changes_flat_and_words_are_the_callers():
    assert direction(0.04, tolerance=0.05) == "did not change"
    assert direction(-0.06, tolerance=0.05) == "fell"
    assert direction(3, up="grew", down="shrank") == "grew"


def test_compare_places_value_against_reference():
    assert compare(2.76, 12.55, more="dearer", less="cheaper") == "cheaper"
    assert compare(12.55, 9.55, more="dearer", less="cheaper") == "dearer"
    assert compare(43000, 43000) == "equal to"
    assert compare(100.4, 100, tolerance=0.5, same="about equal to") == "about equal to"


@pytest.mark.parametrize("bad", [math.nan, "up", None, True])
def test_a_value_that_is_not_a_number_is_a_one_line_error(bad):
    with pytest.raises(ParameterError, match="change") as info:
        direction(bad)
    assert "\n" not in str(info.value)


def test_negative_tolerance_is_refused():
    with pytest.raises(ParameterError, match="tolerance=-1"):
        direction(1, tolerance=-1)
