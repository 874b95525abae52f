"""Cost of showing + exporting one figure: the former notebook idiom against ``present.show``.

Former idiom (per figure): ``save_figure`` (``savefig(png, dpi=300, bbox_inches="tight")`` and
the same for PDF, each measuring the tight box with an extra draw), then IPython's inline
display (another tight-box draw plus the 100-dpi render), then ``plt.close``.
``present.show``: the box measured once (layout without rasterising), then the 300-dpi PNG
(zlib level 1), the PDF and the 100-dpi inline PNG, all with that box.

Figures: a line chart with a source note and the commune choropleth, as the notebooks draw.
Both idioms run interleaved; the figures are medians of process CPU time (matplotlib draws in
one thread), which other load on a shared machine disturbs less than wall time.

    .venv/bin/python benchmarks/bench_exports.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")


def line_figure():
    from permanent_research.plots import add_source_note, new_figure

    figure, axes = new_figure()
    for shift in range(20):
        axes.plot(range(2010, 2025), [100 + shift + 3 * i for i in range(15)], label=f"c{shift}")
    axes.legend(ncol=4, fontsize=7)
    axes.set_title("Twenty commune index lines")
    add_source_note(figure, "Source: Statbel, real-estate sales (2010-2024); a long note " * 3)
    return figure


def map_figure():
    from permanent_research import plots
    from permanent_research.data import boundaries

    areas = boundaries.communes().assign(value=range(19))
    figure = plots.choropleth(areas, "value", title="A map", legend_label="value",
                              label_column="name_fr")
    plots.add_source_note(figure, "Source: Statbel boundaries")
    return figure


def former(figure, folder: Path, name: str) -> None:
    import matplotlib.pyplot as plt

    for suffix in ("png", "pdf"):
        figure.savefig(folder / f"{name}.{suffix}", dpi=300, bbox_inches="tight")
    buffer = io.BytesIO()  # what IPython's inline display does
    figure.canvas.print_figure(buffer, format="png", bbox_inches="tight", dpi=figure.dpi)
    plt.close(figure)


def current(figure, folder: Path, name: str) -> None:
    from IPython.utils.capture import capture_output

    from permanent_research.reporting import present

    with present.export_context(folder), capture_output():
        present.show(figure, name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    with tempfile.TemporaryDirectory(prefix="bench_exports_") as temporary:
        folder = Path(temporary)
        print(f"{'figure':<8}{'former s':>10}{'show s':>10}{'saved':>8}{'PNG kB old/new':>18}")
        for kind in ("former", "show"):
            (folder / kind).mkdir()
        for label, make in (("lines", line_figure), ("map", map_figure)):
            times = {"former": [], "show": []}
            for _ in range(options.repeat):
                for kind, action in (("former", former), ("show", current)):
                    figure = make()
                    clock = time.process_time()
                    action(figure, folder / kind, label)
                    times[kind].append(time.process_time() - clock)
            old, new = statistics.median(times["former"]), statistics.median(times["show"])
            sizes = [(folder / k / f"{label}.png").stat().st_size // 1024 for k in times]
            print(f"{label:<8}{old:>10.3f}{new:>10.3f}{1 - new / old:>8.0%}"
                  f"{sizes[0]:>10}/{sizes[1]}")


if __name__ == "__main__":
    main()
