"""Affordability thresholds (fractions of income) and their validation."""

from __future__ import annotations

from permanent_research._validation import (
    check_in_range,
)

BRUSSELS_NORM = 0.33
"""Brussels affordability norm: housing cost at most a third of net income (METHODS §4)."""

STANDARD_THRESHOLDS = (0.30, 0.33, 0.40)
"""HUD cost burden (30 %), Brussels norm (33 %), Eurostat overburden (40 %)."""

# --------------------------------------------------------------------------------------------
# validation helpers
# --------------------------------------------------------------------------------------------
def check_threshold(threshold: float, name: str = "threshold") -> float:
    """Return ``threshold`` if it lies in the open interval (0, 1); raise otherwise."""
    return check_in_range(name, threshold, 0, 1, low_inclusive=False, high_inclusive=False)
