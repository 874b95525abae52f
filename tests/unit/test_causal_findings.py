"""Findings sentences follow the numbers: direction words, verdict, placement counts."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from permanent_research.causal import effect_findings, format_pvalue, placement_finding


def _inputs(att=0.05, se=0.01, ri_p=0.01, pre_p=0.6, breakdown=1.0):
    estimate = SimpleNamespace(att=att, ci_low=att - 1.96 * se, ci_high=att + 1.96 * se)
    ri = SimpleNamespace(pvalue=ri_p, exact=False, statistic=att,
                         distribution=np.linspace(-0.1, 0.1, 1000))
    pretest = SimpleNamespace(pvalue=pre_p, df=4)
    table = pd.DataFrame({"M": [0.0, 0.5, 1.0, np.nan], "lb": [0.01, 0.005, -0.01, 0.01],
                          "ub": [0.09, 0.1, 0.12, 0.09]})
    sensitivity = SimpleNamespace(breakdown=breakdown, table=table)
    return dict(estimate=estimate, ri=ri, pretest=pretest, sensitivity=sensitivity,
                n_treated=7, n_control=9)


def test_supported_rise_reads_as_such():
    lines = effect_findings(**_inputs())
    assert "rose 5.1 % more than in the 9 comparison communes" in lines[0]
    assert "excludes no effect" in lines[0]
    assert "stands out from" in lines[1] and "p = 0.010" in lines[1]
    assert "does not reject" in lines[2]
    assert "up to M̄ = 1 times" in lines[3]
    assert lines[-1].startswith("Together the checks support a rise")


def test_direction_and_verdict_flip_with_the_numbers():
    lines = effect_findings(**_inputs(att=-0.02, se=0.02, ri_p=0.52, pre_p=1e-9,
                                      breakdown=np.nan))
    assert "rose 2.0 % less" in lines[0] and "includes no effect" in lines[0]
    assert "is within the range of" in lines[1] and "p = 0.52" in lines[1]
    assert "rejects parallel pre-trends (p < 0.001)" in lines[2]
    assert "no breakdown value" in lines[3]
    verdict = lines[-1]
    assert "do not support" in verdict and "nor do they rule one out" in verdict
    for reason in ("interval includes zero", "randomization", "pre-trend", "breakdown"):
        assert reason in verdict


def test_one_failed_check_is_enough_to_withhold_support():
    lines = effect_findings(**_inputs(ri_p=0.2))
    assert "do not support" in lines[-1] and "randomization" in lines[-1]
    assert "interval includes zero" not in lines[-1]


def test_placebo_is_reported_next_to_the_pretest():
    agree = effect_findings(**_inputs(pre_p=1e-9), placebo=SimpleNamespace(pvalue=0.01))
    assert "also finds unusual pre-trends (p = 0.010)." in agree[2]
    disagree = effect_findings(**_inputs(pre_p=1e-9), placebo=SimpleNamespace(pvalue=0.97))
    assert "finds no unusual pre-trends (p = 0.97); the two tests disagree." in disagree[2]


def test_missing_pretest_is_said():
    lines = effect_findings(**_inputs(pre_p=float("nan")))
    assert "could not be computed" in lines[2] and "do not support" in lines[-1]


@pytest.mark.parametrize(("p", "text"), [(0.5234, "p = 0.52"), (0.0312, "p = 0.031"),
                                         (1.7e-142, "p < 0.001"), (float("nan"), "not")])
def test_pvalues_never_in_scientific_notation(p, text):
    assert text in format_pvalue(p)


def test_placement_sentence_adds_up():
    text = placement_finding({"coordinates": 8, "quartier_code": 1, "commune": 19,
                              "unplaced": 15}, n_undated=13, n_outside=2)
    assert text.startswith("Of 43 dated sites")
    assert "13 without a start year and 2 outside the region left out" in text
    assert "9 can be placed in a quartier (8 by their coordinates" in text
    assert "1 by a quartier code), 19 only in their commune and 15 nowhere" in text
