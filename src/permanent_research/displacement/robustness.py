"""Robustness of a typology to choices made before the rules: the spatial band and the treatment
of flagged source rows.

:func:`~permanent_research.displacement.typology.sensitivity` varies a threshold of the rules on
fixed indicators. The choices here change the indicators themselves, so each alternative
rebuilds what depends on it (the area-period table, the indicators) and reruns the typology.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from permanent_research.displacement.indicators import BandRule, indicators
from permanent_research.displacement.panel import (
    DuplicatePolicy,
    InputSpec,
    TiePolicy,
    build_area_period,
    handle_flagged_rows,
)
from permanent_research.displacement.typology import (
    DHDParameters,
    TypologyResult,
    UDPParameters,
    dhd_typology,
    udp_typology,
)
from permanent_research.errors import ParameterError

__all__ = ["band_sensitivity", "flag_treatment_sensitivity", "compare_classes"]

_UNDECIDABLE = -1  # code given to undecidable areas when comparing classes


def _run(parameters: UDPParameters | DHDParameters):
    return udp_typology if isinstance(parameters, UDPParameters) else dhd_typology


def _codes(result: TypologyResult) -> pd.Series:
    """Class codes with undecidable areas as a class of their own, for comparisons."""
    return result.classes["code"].astype("Float64").fillna(_UNDECIDABLE)


def band_sensitivity(
    panel: pd.DataFrame,
    parameters: UDPParameters | DHDParameters,
    *,
    coordinates: pd.DataFrame,
    bands: Sequence[float | BandRule],
) -> pd.DataFrame:
    """Class counts under each spatial band, and how many areas change class.

    Parameters
    ----------
    panel
        Area-period table (:func:`~permanent_research.displacement.panel.build_area_period`).
    parameters
        Typology parameters; their ``band_factor`` (UDP) is kept, the band varies.
    coordinates
        ``area``, ``x_m``, ``y_m`` (metres, a projected CRS) per area.
    bands
        Bands to compare: a rule (``"udp"``, ``"max_nn"``) or a distance in metres. The first
        is the reference for ``changed_vs_baseline``.

    Returns
    -------
    pandas.DataFrame
        One row per band and category: ``band``, ``band_m`` (metres), ``islands`` (areas
        without a neighbour), ``category``, ``areas`` and ``changed_vs_baseline`` (areas whose
        class differs from the first band's, undecidable counted as a class).
    """
    if not bands:
        raise ParameterError("bands is empty; give at least one band ('udp', 'max_nn' or metres)")
    band_factor = getattr(parameters, "band_factor", 0.1)
    run = _run(parameters)
    rows, baseline = [], None
    for band in bands:
        computed = indicators(panel, coordinates=coordinates, band=band, band_factor=band_factor)
        result = run(computed, parameters)
        codes = _codes(result)
        baseline = codes if baseline is None else baseline
        changed = int((codes != baseline.reindex(codes.index)).sum())
        for _, row in result.counts().iterrows():
            rows.append(
                {
                    "band": band,
                    "band_m": computed.band_m,
                    "islands": len(computed.islands),
                    "category": row["category"],
                    "areas": row["areas"],
                    "changed_vs_baseline": changed,
                }
            )
    return pd.DataFrame(rows)


def flag_treatment_sensitivity(
    long: pd.DataFrame,
    spec: Mapping[str, InputSpec],
    parameters: UDPParameters | DHDParameters,
    *,
    coordinates: pd.DataFrame,
    treatments: Sequence[tuple[DuplicatePolicy, TiePolicy]],
    baseline: TypologyResult,
    deflator: pd.Series | None = None,
    base_year: int | None = None,
) -> pd.DataFrame:
    """Rerun the typology under other treatments of the flagged source rows.

    Parameters
    ----------
    long
        The long indicator table *before* :func:`handle_flagged_rows` (with its ``flag``).
    spec, deflator, base_year
        As given to :func:`build_area_period` for the baseline.
    parameters
        Typology parameters (band and band factor are used for the indicators).
    coordinates
        ``area``, ``x_m``, ``y_m`` per area.
    treatments
        ``(duplicates, tied)`` pairs, e.g. ``[("exclude", "exclude"), ("mean", "keep")]``.
    baseline
        The typology to compare with (the run's own treatment).

    Returns
    -------
    pandas.DataFrame
        One row per treatment: ``duplicates``, ``tied``, ``areas`` (classified or undecidable),
        ``changed_vs_baseline`` (among areas present in both) and ``undecidable``.
    """
    if not treatments:
        raise ParameterError(
            "treatments is empty; give (duplicates, tied) pairs, e.g. [('mean', 'keep')]"
        )
    run = _run(parameters)
    reference = _codes(baseline)
    band = getattr(parameters, "band", "udp")
    band_factor = getattr(parameters, "band_factor", 0.1)
    rows = []
    for treatment in treatments:
        if not (isinstance(treatment, tuple | list) and len(treatment) == 2):
            raise ParameterError(
                f"treatment {treatment!r} must be a (duplicates, tied) pair, e.g. ('mean', 'keep')"
            )
        duplicates, tied = treatment
        cleaned, _ = handle_flagged_rows(long, duplicates=duplicates, tied=tied)
        panel = build_area_period(cleaned, spec, deflator=deflator, base_year=base_year)
        computed = indicators(panel, coordinates=coordinates, band=band, band_factor=band_factor)
        codes = _codes(run(computed, parameters))
        common = codes.index.intersection(reference.index)
        rows.append(
            {
                "duplicates": duplicates,
                "tied": tied,
                "areas": len(codes),
                "changed_vs_baseline": int((codes[common] != reference[common]).sum()),
                "undecidable": int((codes == _UNDECIDABLE).sum()),
            }
        )
    return pd.DataFrame(rows)


def compare_classes(
    a: TypologyResult,
    b: TypologyResult,
    *,
    labels: tuple[str, str] = ("a", "b"),
) -> pd.DataFrame:
    """Two typologies of the same areas side by side: who changes class, and which flags moved.

    Parameters
    ----------
    a, b
        Typologies of the same indicators under two parameter sets (e.g. UDP's income cut-off
        0.80 and the Brussels adaptation).
    labels
        Names of ``a`` and ``b`` in the column names (``category_<label>``).

    Returns
    -------
    pandas.DataFrame
        One row per area: ``category_<a>``, ``category_<b>`` (``"undecidable"`` when missing),
        ``changed`` and ``reason`` (the flags whose values differ, ``"flag: a → b"``; empty when
        the class is the same). ``attrs["changed"]`` holds the number of areas that change.

    Raises
    ------
    ParameterError
        The two results do not cover the same areas, or the labels coincide.
    """
    if labels[0] == labels[1]:
        raise ParameterError(f"labels must differ, got {labels!r}")
    if not a.classes.index.equals(b.classes.index):
        raise ParameterError("compare_classes: a and b must classify the same areas, in order")
    cat_a = a.classes["category"].astype("string").fillna("undecidable")
    cat_b = b.classes["category"].astype("string").fillna("undecidable")
    changed = (_codes(a) != _codes(b)).to_numpy(dtype=bool)
    reasons = pd.Series("", index=a.classes.index, dtype="string")
    if a.flags is not None and b.flags is not None:
        fa, fb = a.flags.flags, b.flags.flags
        common = [c for c in fa.columns if c in fb.columns]
        for area in a.classes.index[changed]:
            moved = []
            for column in common:
                va, vb = fa.at[area, column], fb.at[area, column]
                if pd.isna(va) and pd.isna(vb):
                    continue
                if pd.isna(va) or pd.isna(vb) or va != vb:
                    moved.append(f"{column}: {_text(va)} → {_text(vb)}")
            reasons[area] = "; ".join(moved)
    out = pd.DataFrame(
        {
            f"category_{labels[0]}": cat_a,
            f"category_{labels[1]}": cat_b,
            "changed": changed,
            "reason": reasons,
        }
    )
    out.attrs["changed"] = int(changed.sum())
    return out


def _text(value: object) -> str:
    return "missing" if pd.isna(value) else str(value)
