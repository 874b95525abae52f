"""Show a figure or table in a report and write its thesis-ready exports, in one call.

A notebook cell ends with ``show(fig, "rent_index")`` or ``show(table, "rent_claims",
caption=...)``: the figure or table is displayed in the report, and its exports (figures:
300-dpi PNG and vector PDF; tables: CSV and a LaTeX ``table``) are written to the report's
export folder. The figure is closed afterwards. In a report run, each shown figure's labels are
checked for overlaps, cuts and scientific notation
(:func:`~permanent_research.reporting.figcheck.label_problems`) and the result is added to
``figure_labels.json`` in the export folder.

The export folder is decided by the package, never by a notebook parameter: the report runner
names it through the run context (:data:`ENV_EXPORT_DIR` in the kernel's environment, see
:func:`export_context`). Outside a report run (nbval, an interactive session) there is no
folder and nothing is written, which also keeps interactive runs fast.

Exports are cheap and reproducible: the tight bounding box is measured once per figure (not
once per format and once more for the inline display, as ``savefig(bbox_inches="tight")`` and
IPython's inline display each do), the 300-dpi PNG is written with light zlib compression, and
neither the PDF nor the PNG carries a date or the matplotlib version, and a displayed Styler's
table ids derive from the export name and data rather than a random uuid, so a rerun with
nothing changed writes byte-identical files.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from permanent_research._files import atomic_path, write_text_atomic
from permanent_research.errors import ParameterError

__all__ = [
    "ENV_EXPORT_DIR",
    "EXPORT_DPI",
    "ExportedFiles",
    "export",
    "export_context",
    "export_folder",
    "show",
    "write_figure",
    "write_table",
]

ENV_EXPORT_DIR = "PERMANENT_RESEARCH_EXPORT_DIR"
EXPORT_DPI = 300
# zlib level 1 instead of matplotlib's 6: ~2x faster PNG encoding, files ~20-40% larger
_PNG_OPTIONS = {"compress_level": 1}
# no creation date in the PDF and no "Software: Matplotlib version…" in the PNG (matplotlib
# writes no date there): reruns are byte-identical, and a matplotlib upgrade that draws the same
# pixels writes the same file
_PDF_METADATA = {"CreationDate": None, "ModDate": None}
_PNG_METADATA = {"Software": None}
_PAD_INCHES = 0.1  # matplotlib's savefig.pad_inches default, applied once to the measured box


def export_folder() -> Path | None:
    """The current report's export folder, or ``None`` outside a report run.

    Read from :data:`ENV_EXPORT_DIR`, which the report runner (or a test harness) sets for the
    kernel; it is run context, not a notebook parameter, so no scenario can point it elsewhere.
    """
    named = os.environ.get(ENV_EXPORT_DIR, "")
    return Path(named) if named else None


@contextlib.contextmanager
def export_context(folder: str | os.PathLike | None) -> Iterator[None]:
    """Set the export folder for the block (and for kernels started in it), then restore it.

    For the report runner and tests: ``with export_context(staging / "02_files"):
    pm.execute_notebook(...)``; the kernel inherits the environment variable.
    """
    previous = os.environ.get(ENV_EXPORT_DIR)
    if folder:
        os.environ[ENV_EXPORT_DIR] = os.fspath(folder)
    else:
        os.environ.pop(ENV_EXPORT_DIR, None)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(ENV_EXPORT_DIR, None)
        else:
            os.environ[ENV_EXPORT_DIR] = previous


def _figure_of(obj: Any) -> Any:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    if isinstance(obj, Figure):
        return obj
    if isinstance(obj, Axes):
        return obj.get_figure(root=True)
    return None


def _tight_box(figure: Any) -> Any:
    # what savefig(bbox_inches="tight") does before each format, done once: lay the figure out
    # without rasterising it and measure it; the box is in inches, so it serves every format
    figure.draw_without_rendering()
    # the renderer draw_without_rendering used (private; the canvas's public one as fallback)
    get_renderer = getattr(figure, "_get_renderer", None) or figure.canvas.get_renderer
    return figure.get_tightbbox(get_renderer()).padded(_PAD_INCHES)


def write_figure(figure: Any, name: str, folder: Path, *, box: Any = None) -> list[Path]:
    """Write ``figure`` as ``<name>.png`` (300 dpi) and ``<name>.pdf`` into ``folder``."""
    box = box if box is not None else _tight_box(figure)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for suffix, options in (
        ("png", {"pil_kwargs": _PNG_OPTIONS, "metadata": _PNG_METADATA}),
        ("pdf", {"metadata": _PDF_METADATA}),
    ):
        target = folder / f"{name}.{suffix}"
        with atomic_path(target) as temporary:
            figure.savefig(temporary, format=suffix, dpi=EXPORT_DPI, bbox_inches=box, **options)
        written.append(target)
    return written


#: printf-style format of floats in exported CSVs: 12 significant digits (see write_table).
CSV_FLOAT_FORMAT = "%.12g"


def write_table(
    table: pd.DataFrame,
    name: str,
    folder: Path,
    *,
    caption: str = "",
    float_format: str = "{:,.2f}",
    index: bool = False,
) -> list[Path]:
    """Write ``table`` as ``<name>.csv`` and ``<name>.tex`` (booktabs).

    The CSV keeps 12 significant digits (``CSV_FLOAT_FORMAT``): estimators whose floating-point
    summation order varies between runs (notebook 05's TWFE and Sun–Abraham, issue 13) differ
    only in the last one or two of 17 digits, so rounding at export makes reruns byte-identical
    while keeping far more precision than any input has.
    """
    folder.mkdir(parents=True, exist_ok=True)
    csv_path, tex_path = folder / f"{name}.csv", folder / f"{name}.tex"
    write_text_atomic(csv_path, table.to_csv(index=index, float_format=CSV_FLOAT_FORMAT))
    latex = table.to_latex(
        index=index,
        caption=_latex_escape(caption) or None,  # pandas escapes the cells, not the caption
        label=f"tab:{name}",
        float_format=float_format.format,
        escape=True,
    )
    write_text_atomic(tex_path, latex)
    return [csv_path, tex_path]


_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}


def _latex_escape(text: str) -> str:
    return "".join(_LATEX_SPECIAL.get(character, character) for character in text)


def _table_of(obj: Any) -> pd.DataFrame | None:
    if isinstance(obj, pd.DataFrame):
        return obj
    if isinstance(obj, pd.Series):
        return obj.to_frame()
    data = getattr(obj, "data", None)  # a pandas Styler: export its data, display the styling
    if isinstance(data, pd.DataFrame) and hasattr(obj, "to_html"):
        return data
    return None


def _stable_id(name: str, data: pd.DataFrame) -> str:
    import hashlib

    text = name + "\n" + data.to_csv()
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()[:10]


def _check_name(name: str) -> None:
    if not isinstance(name, str) or not name or Path(name).name != name or name.startswith("."):
        raise ParameterError(
            f"export name {name!r} must be a plain file stem (letters, digits, '_', '-')"
        )


class ExportedFiles(list):
    """The paths :func:`export` wrote; shown by file name only.

    A notebook cell that ends with ``export(...)`` would otherwise print
    ``[PosixPath('/home/…/x.csv'), …]`` — a machine path — on a supervisor's page.
    """

    def __repr__(self) -> str:
        if not self:
            return "(nothing exported outside a report run)"
        return "exported: " + ", ".join(Path(path).name for path in self)

    def _repr_html_(self) -> str:
        from html import escape

        return f"<p><small>{escape(repr(self))}</small></p>"


def export(
    obj: Any,
    name: str,
    *,
    caption: str = "",
    float_format: str = "{:,.2f}",
    index: bool = False,
) -> ExportedFiles:
    """Write the exports of a figure or table to the report's folder, without displaying it.

    Returns the written paths (none outside a report run), a list shown by file name only. A
    figure is not closed.
    """
    _check_name(name)
    folder = export_folder()
    if folder is None:
        return ExportedFiles()
    figure = _figure_of(obj)
    if figure is not None:
        return ExportedFiles(write_figure(figure, name, folder))
    table = _table_of(obj)
    if table is None:
        raise ParameterError(
            f"cannot export {type(obj).__name__} {name!r}: pass a matplotlib Figure or Axes, a "
            "DataFrame, a Series or a Styler"
        )
    return ExportedFiles(write_table(table, name, folder, caption=caption,
                                     float_format=float_format, index=index))


def show(
    obj: Any,
    name: str,
    *,
    caption: str = "",
    source: str = "",
    float_format: str = "{:,.2f}",
    index: bool = False,
    shown: Any = None,
    display_caption: str | None = None,
    **table_options: Any,
) -> None:
    """Display a figure or table in the report and write its exports; close a figure.

    Parameters
    ----------
    obj
        A matplotlib ``Figure`` (or ``Axes``), or a table: ``DataFrame``, ``Series`` or a pandas
        ``Styler`` (its data is exported, its styling displayed).
    name
        File stem of the exports (``<name>.png``/``.pdf`` or ``<name>.csv``/``.tex``).
    caption
        Tables: the LaTeX caption, and the caption above the displayed table.
    source
        Figures: a source note written under the figure (before it is drawn).
    float_format, index
        Tables: number format of the LaTeX export and whether to keep the index.
    shown
        Tables: what to display instead of ``obj`` (e.g. the table with readable headers, or a
        Styler) while ``obj`` itself is exported at full precision.
    display_caption
        Tables: the caption above the displayed table when it should differ from ``caption``
        (``""`` for none).
    **table_options
        Passed to :func:`permanent_research.reporting.tables.show_table` when the displayed
        table is a DataFrame (``formats``, ``wrap``, ``links``, ...).
    """
    from IPython.display import Image, display

    _check_name(name)
    figure = _figure_of(obj)
    if figure is not None:
        import matplotlib.pyplot as plt

        if source:
            from permanent_research.plots import add_source_note

            add_source_note(figure, source)
        try:
            folder = export_folder()
            if folder is None:
                box = _tight_box(figure)
            else:
                # the labels of what is exported, checked and kept for the report tests; the
                # check's layout also gives the tight box (one layout, not two)
                from permanent_research.reporting.figcheck import checked_layout, record_check

                problems, tight = checked_layout(figure)
                box = tight.padded(_PAD_INCHES)
                write_figure(figure, name, folder, box=box)
                record_check(folder, name, problems)
            # the inline image, drawn once more at screen resolution with the measured box
            # (IPython's own display would measure the box again)
            buffer = io.BytesIO()
            figure.savefig(buffer, format="png", dpi=figure.dpi, bbox_inches=box,
                           metadata=_PNG_METADATA)
            display(Image(data=buffer.getvalue(), format="png"))
        finally:
            plt.close(figure)
        return
    table = _table_of(obj)
    if table is None:
        raise ParameterError(
            f"cannot show {type(obj).__name__} {name!r}: pass a matplotlib Figure or Axes, a "
            "DataFrame, a Series or a Styler"
        )
    export(table, name, caption=caption, float_format=float_format, index=index)
    shown = obj if shown is None else shown
    if hasattr(shown, "set_uuid") and isinstance(getattr(shown, "data", None), pd.DataFrame):
        # a Styler names its table's CSS ids with a random uuid: name them after the export
        # and the data instead, so a rerun writes the same HTML
        shown.set_uuid(_stable_id(name, shown.data))
    if isinstance(shown, pd.DataFrame):
        from permanent_research.reporting.tables import show_table

        show_table(shown, caption=caption if display_caption is None else display_caption,
                   index=index, **table_options)
    else:
        display(shown)
