"""Readable figures: find text labels that collide, are cut off, or print numbers as 1e6.

:func:`label_problems` lays a figure out with matplotlib's Agg renderer (measuring, not
rasterising), records every text the renderer is actually asked to draw (tick labels of the
ticks in view, axis labels, titles, annotations, legend texts, figure texts; not the ones hidden
or outside the view) and reports

* **overlap** -- two drawn texts whose boxes intersect. Rotated texts are compared as the
  rotated rectangles they occupy, not as their axis-aligned boxes, so slanted tick labels that
  sit side by side do not count;
* **cut** -- a text that reaches past the edge of the saved image, or past the clip box that
  hides part of it (an annotation clipped by its axes);
* **scientific** -- an axis with an offset text ("1e6", "+2.0e3" at the axis end) or tick
  labels in scientific notation: the axes of this package show euros, households and years, which
  a reader should be able to read off the tick label itself.

The report writer (:func:`permanent_research.reporting.present.show`) runs the check on every
figure a notebook shows and writes the result next to the exports (:data:`CHECK_FILE`), and the
tests fail on any problem there.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

__all__ = ["CHECK_FILE", "LabelProblem", "checked_layout", "label_problems", "record_check",
           "read_checks"]

#: File in a report's export folder holding the label check of every figure it showed.
CHECK_FILE = "figure_labels.json"

# Two texts overlap when their shapes share more than this area (display pixels at the
# figure's dpi): a shared edge or an antialiasing fringe is not a collision a reader sees.
_MIN_OVERLAP_PX2 = 4.0
# A text is cut when it extends more than this past the edge (pixels).
_CUT_TOLERANCE_PX = 1.0
# "1e+06", "2.5E-3", "×10^{6}" / "10^{6}" (matplotlib's mathtext), in a tick or offset label
_SCIENTIFIC = re.compile(r"\d[eE][+\-−]?\d|\\times\s*10\^|10\^\{|×\s*10")


@dataclass(frozen=True)
class LabelProblem:
    """One readability problem of a figure.

    Attributes
    ----------
    kind
        ``"overlap"``, ``"cut"`` or ``"scientific"``.
    texts
        The text(s) concerned, as drawn (shortened to 40 characters each).
    detail
        What is wrong, in a few words (overlap area in pixels, which edge, which axis).
    """

    kind: str
    texts: tuple[str, ...]
    detail: str

    def __str__(self) -> str:
        quoted = " / ".join(repr(t) for t in self.texts)
        return f"{self.kind}: {quoted} ({self.detail})"


def _short(text: str, width: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _draw_recording_texts(figure: Any) -> tuple[Any, list[Any]]:
    """Lay ``figure`` out with an Agg renderer; return it and the Text artists drawn, in order.

    Nothing is rasterised: every ``draw_*`` method of the renderer is a no-op, while text
    measurement still uses the real Agg font metrics. During the layout ``Text.draw`` records
    each visible, non-empty text it is called on, so the texts recorded are exactly those
    drawn, after the axes' culling of ticks outside the view and an annotation's own check.
    (Recording in the renderer's ``draw_text`` would miss texts with path effects, such as a
    map's white-outlined names, which are drawn as paths.)
    """
    import functools

    from matplotlib.backend_bases import RendererBase
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.text import Text

    drawn: list[Any] = []
    seen: set[int] = set()
    original = Text.draw

    @functools.wraps(original)
    def recording(text: Any, renderer: Any) -> Any:
        if id(text) not in seen and text.get_visible() and text.get_text().strip():
            seen.add(id(text))
            drawn.append(text)
        return original(text, renderer)

    width, height = figure.bbox.size
    renderer = RendererAgg(max(int(math.ceil(width)), 1), max(int(math.ceil(height)), 1),
                           figure.dpi)
    for name in dir(RendererBase):
        if name.startswith("draw_"):
            setattr(renderer, name, lambda *args, **kwargs: None)
    Text.draw = recording
    try:
        figure.draw(renderer)
    finally:
        Text.draw = original
    return renderer, drawn


def _extent(text: Any, renderer: Any) -> Any:
    """The box of the text itself (an annotation's own extent includes its arrow)."""
    from matplotlib.text import Text

    return Text.get_window_extent(text, renderer)


def _shape(text: Any, renderer: Any) -> Any:
    """The rectangle ``text`` covers on the canvas (rotated with it), as a shapely polygon."""
    from shapely.affinity import rotate
    from shapely.geometry import box

    extent = _extent(text, renderer)
    angle = text.get_rotation() % 180
    if min(angle, 180 - angle) < 0.5 or abs(angle - 90) < 0.5:
        return box(extent.x0, extent.y0, extent.x1, extent.y1)
    # a rotated rectangle has the centre of its axis-aligned box; its sides are the text's
    # unrotated width and height, measured by laying the text out once without rotation
    rotation = text.get_rotation()
    try:
        text.set_rotation(0)
        flat = _extent(text, renderer)
    finally:
        text.set_rotation(rotation)
    cx, cy = (extent.x0 + extent.x1) / 2, (extent.y0 + extent.y1) / 2
    rectangle = box(cx - flat.width / 2, cy - flat.height / 2,
                    cx + flat.width / 2, cy + flat.height / 2)
    return rotate(rectangle, rotation, origin=(cx, cy))


def _edges_past(inner: Any, outer: Any) -> list[str]:
    return [edge for edge, beyond in (
        ("left", outer.x0 - inner.x0), ("right", inner.x1 - outer.x1),
        ("bottom", outer.y0 - inner.y0), ("top", inner.y1 - outer.y1),
    ) if beyond > _CUT_TOLERANCE_PX]


def _axis_name(axis: Any) -> str:
    from matplotlib.axis import XAxis

    axes = axis.axes
    title = axes.get_title() or axes.get_title(loc="left") or axes.get_ylabel() or "axes"
    return f"{'x' if isinstance(axis, XAxis) else 'y'} axis of {_short(title, 30)!r}"


def label_problems(figure: Any, *, box: Any = None) -> list[LabelProblem]:
    """Overlapping, cut and scientific-notation labels of a matplotlib figure.

    Parameters
    ----------
    figure
        A matplotlib ``Figure``. It is drawn once (which lays it out, as saving would); nothing
        else about it changes.
    box
        The part of the figure that is saved, in inches (a ``Bbox``, e.g. the tight box that
        ``savefig(bbox_inches="tight")`` uses). Default: the tight box, since the house style
        saves with ``bbox_inches="tight"``.

    Returns
    -------
    list of LabelProblem
        Empty when every drawn text is clear of every other, inside the image and its clip box,
        and no axis uses scientific notation or an offset text.
    """
    return checked_layout(figure, box=box)[0]


def checked_layout(figure: Any, *, box: Any = None) -> tuple[list[LabelProblem], Any]:
    """:func:`label_problems` and the figure's tight box (inches), from one layout pass.

    The report writer saves with the tight box; measuring it on the layout the check already
    made spares a second layout of the figure.
    """
    from matplotlib.text import Text
    from matplotlib.transforms import Affine2D

    renderer, drawn = _draw_recording_texts(figure)
    tight = figure.get_tightbbox(renderer)
    if box is None:
        box = tight
    edge = box.transformed(Affine2D().scale(figure.dpi))

    shown = [t for t in drawn if isinstance(t, Text) and t.get_text().strip()]
    shapes = [_shape(t, renderer) for t in shown]
    problems: list[LabelProblem] = []
    for i, first in enumerate(shown):
        for j in range(i + 1, len(shown)):
            if not shapes[i].intersects(shapes[j]):
                continue
            area = shapes[i].intersection(shapes[j]).area
            if area > _MIN_OVERLAP_PX2:
                problems.append(LabelProblem(
                    "overlap", (_short(first.get_text()), _short(shown[j].get_text())),
                    f"{area:.0f} px² in common"))

    for text in shown:
        extent = _extent(text, renderer)
        past = _edges_past(extent, edge)
        if past:
            problems.append(LabelProblem("cut", (_short(text.get_text()),),
                                         f"past the {'/'.join(past)} edge of the image"))
            continue
        clip = text.get_clip_box() if text.get_clip_on() else None
        if clip is not None:
            past = _edges_past(extent, clip)
            if past:
                problems.append(LabelProblem("cut", (_short(text.get_text()),),
                                             f"clipped at the {'/'.join(past)} of its axes"))

    for axes in figure.get_axes():
        for axis in (axes.xaxis, axes.yaxis):
            if not axis.get_visible():
                continue
            offset = axis.get_offset_text()
            if offset.get_visible() and offset.get_text().strip():
                problems.append(LabelProblem(
                    "scientific", (_short(offset.get_text()),),
                    f"offset text on the {_axis_name(axis)}: write full values"))
            labels = {id(t) for t in axis.get_ticklabels(which="both")}
            ticks = [t for t in shown if id(t) in labels]
            scientific = [t.get_text() for t in ticks if _SCIENTIFIC.search(t.get_text())]
            if scientific:
                problems.append(LabelProblem(
                    "scientific", tuple(_short(t) for t in scientific[:3]),
                    f"tick labels of the {_axis_name(axis)} in scientific notation"))
    return problems, tight


def record_check(folder: Path, name: str, problems: list[LabelProblem]) -> Path:
    """Add figure ``name``'s label check to ``<folder>/figure_labels.json`` (kept sorted)."""
    from permanent_research._files import write_text_atomic

    path = Path(folder) / CHECK_FILE
    checks = read_checks(path.parent)
    checks[name] = [asdict(problem) for problem in problems]
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, json.dumps(dict(sorted(checks.items())), indent=1,
                                       ensure_ascii=False) + "\n")
    return path


def read_checks(folder: Path) -> dict[str, list[dict[str, Any]]]:
    """The recorded label checks of a report's export folder: ``{figure: [problem, ...]}``."""
    path = Path(folder) / CHECK_FILE
    if not path.is_file():
        return {}
    found = json.loads(path.read_text(encoding="utf-8"))
    return found if isinstance(found, dict) else {}
