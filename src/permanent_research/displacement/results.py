"""Results of the typologies: the flag table and the classes with their counts."""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from permanent_research.displacement.parameters import DHD_CATEGORIES, UDP_CATEGORIES
from permanent_research.results import Result


@dataclass(frozen=True)
class FlagTable(Result):
    """Input flags of a typology, one row per area.

    Attributes
    ----------
    flags
        Flag columns (``boolean``/``Int64``, missing where an input is missing).
    parameters
        The parameters used.
    inputs_used
        What each input column or criterion was used for (and Brussels adaptations).
    unavailable
        Flags whose inputs are absent altogether (all missing): drop them explicitly through
        ``dropped_conditions`` or supply the input.
    thresholds
        Regional reference values (medians, percentiles) the flags were computed against.
    """

    flags: pd.DataFrame
    parameters: Any
    inputs_used: Mapping[str, str]
    unavailable: tuple[str, ...] = ()
    thresholds: Mapping[str, float] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """The flag table (copy)."""
        return self.flags.copy()

    def counts(self) -> pd.DataFrame:
        """Per flag: areas true, false and missing (codes: areas per code)."""
        rows = []
        for column in self.flags.columns:
            values = self.flags[column]
            if str(values.dtype) == "boolean":
                rows.append(
                    {
                        "flag": column,
                        "true": int(values.fillna(False).sum()),
                        "false": int((~values).fillna(False).sum()),
                        "missing": int(values.isna().sum()),
                    }
                )
            elif str(values.dtype) == "Int64":
                counts = values.value_counts().sort_index()
                rows.append(
                    {
                        "flag": column,
                        "true": np.nan,
                        "false": np.nan,
                        "missing": int(values.isna().sum()),
                        "codes": ", ".join(f"{k}: {v}" for k, v in counts.items()),
                    }
                )
        return pd.DataFrame(rows)

    def _repr_html_(self) -> str:
        extra = (f"; unavailable: {html.escape(', '.join(self.unavailable))}"
                 if self.unavailable else "")
        return f"<b>Typology flags</b>, {len(self.flags)} areas{extra}" + self.counts().to_html(
            index=False, na_rep=""
        )

    def summary(self) -> str:
        """Per flag, the areas where it is true / false / missing."""
        lines = [f"Typology flags: {len(self.flags)} areas"]
        if self.unavailable:
            lines.append(f"  unavailable: {', '.join(self.unavailable)}")
        for row in self.counts().itertuples():
            if pd.isna(row.true):
                lines.append(f"  {row.flag}: codes {row.codes}; missing {row.missing}")
            else:
                lines.append(f"  {row.flag}: true {row.true:g}, false {row.false:g}, "
                             f"missing {row.missing}")
        return "\n".join(lines)


@dataclass(frozen=True)
class TypologyResult(Result):
    """Classes of a typology, one row per area.

    Attributes
    ----------
    classes
        ``code`` (``Int64``, missing when undecidable), ``category`` (short name), ``label``,
        and one ``boolean`` column per rule.
    flags
        The :class:`FlagTable` the rules were applied to (``None`` if rules ran on a bare table).
    parameters
        The parameters used.
    typology
        ``"udp"`` or ``"dhd"``.
    conditions_dropped
        Conditions removed from the rules (Brussels adaptations).
    """

    classes: pd.DataFrame
    flags: FlagTable | None
    parameters: Any
    typology: str
    conditions_dropped: tuple[str, ...] = ()

    @property
    def inputs_used(self) -> Mapping[str, str]:
        return {} if self.flags is None else self.flags.inputs_used

    def to_frame(self) -> pd.DataFrame:
        """Classes joined with the flags (one row per area)."""
        if self.flags is None:
            return self.classes.copy()
        return self.classes.join(self.flags.flags)

    def counts(self) -> pd.DataFrame:
        """Number of areas per class, including undecidable ("missing") areas."""
        catalogue = UDP_CATEGORIES if self.typology == "udp" else DHD_CATEGORIES
        counts = self.classes["code"].value_counts(dropna=False)
        rows = []
        for code, (short, label) in sorted(catalogue.items(), key=lambda kv: (kv[0] == 0, kv[0])):
            rows.append(
                {
                    "code": code,
                    "category": short,
                    "label": label,
                    "areas": int(counts.get(code, 0)),
                }
            )
        missing = int(self.classes["code"].isna().sum())
        rows.append(
            {
                "code": pd.NA,
                "category": "missing",
                "label": "Undecidable (missing input)",
                "areas": missing,
            }
        )
        table = pd.DataFrame(rows)
        table["code"] = table["code"].astype("Int64")
        return table

    def _repr_html_(self) -> str:
        dropped = (
            f"; conditions dropped: {html.escape(', '.join(self.conditions_dropped))}"
            if self.conditions_dropped
            else ""
        )
        return (
            f"<b>{self.typology.upper()} typology</b>, {len(self.classes)} areas{dropped}"
            + self.counts().to_html(index=False, na_rep="")
        )

    def summary(self) -> str:
        """Areas per class (undecidable areas counted as "missing")."""
        dropped = (f"; conditions dropped: {', '.join(self.conditions_dropped)}"
                   if self.conditions_dropped else "")
        lines = [f"{self.typology.upper()} typology: {len(self.classes)} areas{dropped}"]
        for row in self.counts().itertuples():
            lines.append(f"  {row.category}: {row.areas}  ({row.label})")
        return "\n".join(lines)

    def plot(self, areas: Any, *, key: str, **kwargs: Any) -> Any:
        """Map of the classes over ``areas`` (boundaries with a ``key`` column matching the
        area labels; ``plots.displacement.typology_map``)."""
        from permanent_research.plots.displacement import typology_map

        return typology_map(areas, self.classes, key=key, **kwargs)
