"""Words computed from numbers, for the Findings sentences of a report.

A report's sentences must change with its numbers, direction words included (issue 12): a rise
printed as "fell" or a cheaper option called "dearer" is a wrong finding, not a typo. These
helpers choose the word from the sign of a difference, so no notebook types "rose" or "cheaper"
next to a number it did not compare.

>>> direction(25.0)
'rose'
>>> direction(-8.8)
'fell'
>>> compare(2.76, 12.55, more="dearer", less="cheaper")
'cheaper'
"""

from __future__ import annotations

import math

from permanent_research.errors import ParameterError

__all__ = ["compare", "direction"]


def _number(name: str, value: float) -> float:
    if isinstance(value, bool):
        raise ParameterError(f"{name}={value!r} must be a number, not a boolean")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ParameterError(f"{name}={value!r} must be a number") from None
    if math.isnan(number):
        raise ParameterError(f"{name} is missing (NaN): no word describes an unknown change")
    return number


def direction(
    change: float,
    *,
    up: str = "rose",
    down: str = "fell",
    flat: str = "did not change",
    tolerance: float = 0.0,
) -> str:
    """The word for a change: ``up`` if positive, ``down`` if negative, else ``flat``.

    Parameters
    ----------
    change
        The change (any unit; only its sign matters).
    up, down, flat
        The words.
    tolerance
        Changes with ``abs(change) <= tolerance`` count as no change (same unit as ``change``),
        e.g. half the last shown digit so that a change printed as ``+0.0%`` is not a rise.
    """
    number = _number("change", change)
    if _number("tolerance", tolerance) < 0:
        raise ParameterError(f"tolerance={tolerance!r} must be >= 0")
    if abs(number) <= tolerance:
        return flat
    return up if number > 0 else down


def compare(
    value: float,
    reference: float,
    *,
    more: str = "above",
    less: str = "below",
    same: str = "equal to",
    tolerance: float = 0.0,
) -> str:
    """The word placing ``value`` against ``reference``: ``more``, ``less`` or ``same``.

    ``compare(cost_a, cost_b, more="dearer", less="cheaper")`` says whether option a is dearer
    or cheaper than option b; ``tolerance`` (same unit) makes near-equal values ``same``.
    """
    difference = _number("value", value) - _number("reference", reference)
    return direction(difference, up=more, down=less, flat=same, tolerance=tolerance)
