"""One look for every figure, and maps. Functions return Figure/Axes and never show them.

Domain figures live in submodules (``plots.rents``, ``plots.causal`` …); this module holds the
house style and the building blocks they share.
"""

from __future__ import annotations

from permanent_research.plots.maps import choropleth
from permanent_research.plots.style import (
    PALETTE,
    SYNTHETIC_LABEL,
    add_source_note,
    label_synthetic,
    new_figure,
    use_house_style,
)

__all__ = [
    "PALETTE",
    "SYNTHETIC_LABEL",
    "add_source_note",
    "label_synthetic",
    "new_figure",
    "use_house_style",
    "choropleth",
]
