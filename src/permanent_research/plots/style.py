"""House style: one seaborn theme, one palette, source notes, synthetic-data labels."""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable, Sequence
from typing import Any

import matplotlib

# headless by default; inside a Jupyter kernel keep its inline backend (switching to Agg there
# would leave executed notebooks with "<Figure size ...>" text instead of the figures)
if "ipykernel" not in sys.modules:
    matplotlib.use("Agg", force=False)

import matplotlib.pyplot as plt  # noqa: E402
import seaborn as sns  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

__all__ = [
    "PALETTE",
    "SYNTHETIC_LABEL",
    "use_house_style",
    "new_figure",
    "add_source_note",
    "label_synthetic",
    "label_points",
    "plain_number",
]

# Colour-blind-safe (Okabe–Ito); the first two distinguish temporary use and permanent.
PALETTE = {
    "temporary_use": "#E69F00",
    "permanent_clt": "#0072B2",
    "market": "#D55E00",
    "social_housing": "#009E73",
    "neutral": "#595959",
    "truth": "#000000",
    "highlight": "#CC79A7",
    "secondary": "#56B4E9",
}
SYNTHETIC_LABEL = "SYNTHETIC DATA — illustrates the method, not a finding about Brussels"


def use_house_style() -> None:
    """Apply the package's seaborn theme (idempotent)."""
    sns.set_theme(
        context="notebook",
        style="whitegrid",
        palette=list(PALETTE.values()),
        rc={
            "figure.dpi": 100,
            "savefig.dpi": 300,
            "savefig.bbox": "tight",
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.titleweight": "bold",
            "axes.titlelocation": "left",
            "figure.autolayout": False,
        },
    )


def new_figure(
    nrows: int = 1, ncols: int = 1, *, width: float = 8.0, height: float = 4.5, **kwargs
) -> tuple[Figure, Axes]:
    """Create a figure in the house style (sizes in inches)."""
    use_house_style()
    figure, axes = plt.subplots(nrows, ncols, figsize=(width, height), **kwargs)
    return figure, axes


# rcParams that, besides the font properties, the renderer class and the dpi, decide a text's
# measured width (font lookup, hinting, kerning, core fonts in PDF/PS)
_MEASURE_RC = ("font.family", "font.sans-serif", "font.serif", "font.monospace", "font.cursive",
               "font.fantasy", "text.hinting", "text.hinting_factor", "text.kerning_factor",
               "text.usetex", "mathtext.fontset", "pdf.use14corefonts", "ps.useafm")
# renderers whose get_text_width_height_descent is a pure function of (text, font, dpi, rc)
_PURE_MEASURE = ("RendererAgg", "RendererPdf", "RendererPS")


def memoize_wrap_widths(text: Any) -> Any:
    """Let a wrapped matplotlib Text reuse its line-width measurements across draws (in place).

    ``wrap=True`` text is re-wrapped at every draw, measuring every word prefix of every line
    with FreeType; ``savefig(bbox_inches="tight")`` draws twice per format and the notebook's
    inline display twice more, each time with a new renderer, so matplotlib's per-renderer
    cache never hits. This memo keys each width on everything it depends on (renderer class
    and dpi, figure dpi, the string, the font properties and the text rcParams), so the
    wrapped lines and the output are exactly those without it. Other renderers are measured
    as usual.
    """
    measure = getattr(text, "_get_rendered_text_width", None)
    if measure is None:  # another matplotlib: nothing to speed up
        return text
    memo: dict[tuple, int] = {}

    def width(line: str) -> int:
        renderer = getattr(text, "_renderer", None)
        if type(renderer).__name__ == "MixedModeRenderer":  # PDF/PS: measures with its vector
            renderer = getattr(renderer, "_renderer", None)  # renderer while not rasterising
        if type(renderer).__name__ not in _PURE_MEASURE:
            return measure(line)
        key = (type(renderer), getattr(renderer, "dpi", None),
               text.get_figure(root=True).dpi, line, text.get_fontproperties().copy(),
               tuple(str(matplotlib.rcParams[name]) for name in _MEASURE_RC))
        if key not in memo:
            memo[key] = measure(line)
        return memo[key]

    text._get_rendered_text_width = width
    return text


_NOTE_Y = -0.02  # top of a source note, in figure fraction, unless the axes reach lower
_NOTE_GAP_PT = 3.0


def _keep_below_the_axes(note: Any, figure: Figure) -> None:
    """Move ``note`` down, when the figure is laid out, below everything its axes draw.

    A short figure's tick labels and axis label reach below its bottom edge, where a note at
    a fixed ``y`` would be written over them; the note's top is placed under the lowest
    axes box (tick labels, axis labels, legends) when that is lower than ``_NOTE_Y``.
    """
    draw, extent = note.draw, note.get_window_extent

    def place(renderer: Any) -> None:
        boxes = [ax.get_tightbbox(renderer) for ax in figure.axes if ax.get_visible()]
        lowest = min((box.y0 for box in boxes if box is not None), default=None)
        if lowest is None:
            return
        gap = _NOTE_GAP_PT * figure.dpi / 72
        y = min(_NOTE_Y, (lowest - gap - figure.bbox.y0) / figure.bbox.height)
        if y != note.get_position()[1]:
            note.set_y(y)

    def drawing(renderer: Any) -> Any:
        place(renderer)
        return draw(renderer)

    def measuring(renderer: Any = None, dpi: Any = None) -> Any:
        if renderer is not None:
            place(renderer)
        return extent(renderer, dpi)

    note.draw, note.get_window_extent = drawing, measuring


def add_source_note(figure: Figure, text: str) -> Figure:
    """Write a source caption under the figure (small, grey, left-aligned).

    The note sits just below the figure, or below the lowest tick label, axis label or
    legend when those reach further down (short figures), so it never covers them.
    """
    note = figure.text(
        0.01, _NOTE_Y, text, ha="left", va="top", fontsize=7, color=PALETTE["neutral"],
        wrap=True,
    )
    memoize_wrap_widths(note)
    _keep_below_the_axes(note, figure)
    return figure


def label_synthetic(figure: Figure) -> Figure:
    """Stamp a figure built on synthetic data, so it can never pass for a finding."""
    figure.text(
        0.99,
        0.995,
        SYNTHETIC_LABEL,
        ha="right",
        va="top",
        fontsize=8,
        color="#B00020",
        fontweight="bold",
    )
    return figure


def plain_number(value: float, digits: int = 3) -> str:
    """``value`` to ``digits`` significant digits with thousands separators, never as 1e+03.

    ``f"{1081.3:.3g}"`` gives ``"1.08e+03"``, which a tick label of euros should not say; this
    gives ``"1,080"`` (and ``"0.525"``, ``"22.8"``, ``"0.075"``: no trailing zeros).
    """
    value = float(value)
    if not math.isfinite(value) or value == 0:
        return f"{value:g}"
    magnitude = math.floor(math.log10(abs(value)))
    decimals = digits - 1 - magnitude
    text = f"{round(value, decimals):,.{max(decimals, 0)}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _renderer(figure: Figure) -> Any:
    get = getattr(figure.canvas, "get_renderer", None)  # Agg and the inline backend's canvas
    return get() if get is not None else figure._get_renderer()


_LEADER = {"arrowstyle": "-", "color": "#9e9e9e", "linewidth": 0.5, "shrinkA": 1, "shrinkB": 3}


def label_points(
    ax: Axes,
    points: Iterable[tuple[float, float]],
    texts: Sequence[str],
    *,
    offset: tuple[float, float] = (6.0, 0.0),
    max_moves: int = 16,
    **text_options: Any,
) -> list[Any]:
    """Name points with text labels, moving each label up or down until it clears the others.

    Each label starts ``offset`` points right of (and above) its point; when its box meets a
    label already placed, it moves by its own height, alternately up and down and further each
    time, and prefers positions inside the axes. A moved label keeps a thin leader line to its
    point. Call it after the axes' limits and size are final: positions are measured in points
    on the drawn figure.

    Parameters
    ----------
    ax
        The axes (limits already set).
    points
        ``(x, y)`` in data coordinates, one per text.
    texts
        The labels, placed in this order (the first keep their place).
    offset
        Where a label goes when nothing is in the way, in points from its point.
    max_moves
        Positions tried per label before it stays at the last one tried.
    **text_options
        Passed to ``Axes.annotate`` (``fontsize``, ``color``, ...).

    Returns
    -------
    list of matplotlib.text.Annotation
    """
    from matplotlib.text import Text

    figure = ax.get_figure(root=True)
    renderer = _renderer(figure)
    ax.viewLim  # noqa: B018 -- applies pending autoscaling, so data -> points is final
    ax.apply_aspect()  # an equal-aspect map settles its box only when drawn: settle it now
    inside = ax.get_window_extent(renderer)
    placed: list[Any] = []
    labels = []
    for (x, y), text in zip(points, texts, strict=True):
        label = ax.annotate(text, (x, y), xytext=offset, textcoords="offset points",
                            va="center", **text_options)
        label.update_positions(renderer)
        # the text's own box (an annotation's extent would include its leader line)
        box = Text.get_window_extent(label, renderer)
        step = box.height * 72 / figure.dpi + 1.0
        chosen, fallback = None, None
        for k in range(max_moves):
            shift = ((k + 1) // 2) * step * (1 if k % 2 else -1)  # 0, +1, -1, +2, -2 … steps
            label.xyann = (offset[0], offset[1] + shift)
            label.update_positions(renderer)
            box = Text.get_window_extent(label, renderer)
            if any(box.overlaps(other) for other in placed):
                continue
            if inside.y0 <= box.y0 and box.y1 <= inside.y1:
                chosen = (label.xyann, box)
                break
            fallback = fallback or (label.xyann, box)
        position, box = chosen or fallback or (label.xyann, box)
        if position != offset:  # moved: redraw it with a leader line to its point
            label.remove()
            label = ax.annotate(text, (x, y), xytext=position, textcoords="offset points",
                                va="center", arrowprops=_LEADER, **text_options)
        else:
            label.xyann = position
        placed.append(box)
        labels.append(label)
    return labels
