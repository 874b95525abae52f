"""One assumption set: reports that show the same quantity show the same value (issue 9).

Studio costs appear in notebook 03 (affordability for artists), 06 (the Monte Carlo) and 07 (the
building's studio cost-rent); the discount rate in 06 and 07. All must come from the scenario
file, in its base year's euros. The market studio rent is also recomputed here from the YAML and
the raw health-index file (plain pandas). Any headline two of these notebooks share by name must
have one value.
"""

from __future__ import annotations

import pytest
import yaml

from permanent_research.config import paths

SHARED = ("studio_temporary_fee_eur_m2_month", "studio_clt_cost_rent_eur_m2_month",
          "studio_market_rent_eur_m2_month")


@pytest.fixture(scope="module")
def both(executed_notebook):
    return (executed_notebook("03_affordability")[1],
            executed_notebook("06_permanent_vs_temporary")[1])


# quantities notebook 07 shares with notebook 06 (and 03): same headline name, same value
SHARED_WITH_07 = ("studio_clt_cost_rent_eur_m2_month", "discount_rate_pct")
STEMS = ("03_affordability", "06_permanent_vs_temporary", "07_building_programme")


@pytest.fixture(scope="module")
def three(executed_notebook):
    return {stem: executed_notebook(stem)[1] for stem in STEMS}


@pytest.mark.parametrize("name", SHARED_WITH_07)
def test_building_uses_the_monte_carlo_values(three, name):
    in_06, in_07 = three["06_permanent_vs_temporary"], three["07_building_programme"]
    assert name in in_06 and name in in_07, name
    assert in_07[name]["value"] == in_06[name]["value"], name


def test_every_shared_headline_has_one_value(three):
    """A headline name recorded by two of 03, 06 and 07 is one quantity: one value."""
    seen: dict[str, tuple[str, float]] = {}
    shared = 0
    for stem, headlines in three.items():
        for name, record in headlines.items():
            if name in seen:
                shared += 1
                first_stem, first_value = seen[name]
                assert record["value"] == first_value, (name, first_stem, stem)
            else:
                seen[name] = (stem, record["value"])
    assert shared >= len(SHARED) + len(SHARED_WITH_07)


@pytest.mark.parametrize("name", SHARED)
def test_studio_costs_agree_between_03_and_06(both, name):
    in_03, in_06 = both
    assert in_03[name]["value"] == in_06[name]["value"], name


def test_market_studio_rent_is_the_scenario_value_in_base_year_euros(both, health_annual):
    document = yaml.safe_load((paths().scenarios / "baseline.yaml").read_text(encoding="utf-8"))
    entry = document["assumptions"]["market_rent_studio_eur_m2_month"]
    tag = document["money"]["price_years"]["market_rent_studio_eur_m2_month"]
    assert entry["dist"] == "triangular"
    low, mode, high = entry["low"], entry["mode"], entry["high"]
    # median of a triangular distribution
    c = (mode - low) / (high - low)
    median = (low + ((high - low) * (mode - low) / 2) ** 0.5 if c >= 0.5
              else high - ((high - low) * (high - mode) / 2) ** 0.5)
    factor = health_annual[document["money"]["base_year"]] / health_annual[tag["year"]]
    expected = round(median * factor, 2)
    for headlines in both:
        assert headlines["studio_market_rent_eur_m2_month"]["value"] == pytest.approx(expected)
