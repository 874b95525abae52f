"""Cost of the figure label check and of comparing figures for the Changes page (issue 12).

(a) ``label_problems`` on three figures as the notebooks draw them (a line chart with a source
    note and a 20-entry legend, the commune choropleth with names, 01's waiting-list chart);
(b) what the check adds to ``present.show`` in a report run (show with exports, with and without
    the check);
(c) ``diff_figures`` over a full reports folder: 3 scenarios × 9 notebooks × 8 figures of
    300-dpi PNGs, once with nothing changed (byte comparison only) and once with a third of
    the figures changed (those are decoded and compared pixel by pixel).

Figures are medians of process CPU time (matplotlib draws in one thread), which other load on a
shared machine disturbs less than wall time; (c) is wall time (it reads files).

    .venv/bin/python benchmarks/bench_figcheck.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_exports import line_figure, map_figure  # noqa: E402


def waiting_figure():
    from permanent_research import context
    from permanent_research.data import load
    from permanent_research.plots import context as figures

    return figures.waiting_list_points(context.waiting_list(load("social_housing")),
                                       brochure=43_000)


def cpu(function) -> float:
    start = time.process_time()
    function()
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    import matplotlib.pyplot as plt

    from permanent_research.reporting import figcheck, present
    from permanent_research.reporting.diff import diff_figures

    print("(a) label_problems per figure (CPU s, median)")
    for name, build in (("line + note", line_figure), ("choropleth", map_figure),
                        ("waiting list", waiting_figure)):
        times = []
        for _ in range(args.repeat):
            figure = build()
            times.append(cpu(lambda figure=figure: figcheck.label_problems(figure)))
            plt.close(figure)
        print(f"    {name:<14} {statistics.median(times):.3f}")

    print("(b) present.show in a report run, with and without the check (CPU s, median)")
    real_check = figcheck.checked_layout

    def unchecked(figure, box=None):  # the layout show needs anyway, no label check
        figure.draw_without_rendering()
        return [], figure.get_tightbbox(figure._get_renderer())

    with tempfile.TemporaryDirectory() as folder:
        for name, build in (("line + note", line_figure), ("choropleth", map_figure)):
            timings = {"with": [], "without": []}
            for _ in range(args.repeat):
                for mode in ("with", "without"):
                    figcheck.checked_layout = real_check if mode == "with" else unchecked
                    figure = build()
                    with present.export_context(folder):
                        timings[mode].append(cpu(lambda figure=figure: present.show(figure, "f")))
            figcheck.checked_layout = real_check
            with_, without = (statistics.median(timings[m]) for m in ("with", "without"))
            print(f"    {name:<14} with {with_:.3f}  without {without:.3f}  "
                  f"(+{with_ - without:.3f} s, +{100 * (with_ / without - 1):.0f} %)")

    print("(c) diff_figures over 3 x 9 x 8 exported PNGs (wall s, median)")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "reports"
        samples = Path(tmp) / "samples"
        samples.mkdir()
        with present.export_context(samples):
            for k, build in enumerate((line_figure, map_figure)):
                present.export(build(), f"s{k}")
        keys = []
        for scenario in ("baseline", "pessimistic", "optimistic"):
            for n in range(1, 10):
                stem = f"0{n}_nb"
                keys.append((scenario, stem))
                for folder in (root / scenario / f"{stem}_files",
                               root / scenario / ".previous" / f"{stem}_files"):
                    folder.mkdir(parents=True)
                    for f in range(8):
                        shutil.copyfile(samples / f"s{f % 2}.png", folder / f"fig{f}.png")
        from PIL import Image

        for k in range(2):  # the same figure with a few pixels changed: same size, decoded
            with Image.open(samples / f"s{k}.png") as image:
                image.load()
                image.paste((255, 0, 0), (10, 10, 30, 30))
                image.save(samples / f"s{k}b.png")
        size = (samples / "s0.png").stat().st_size + (samples / "s1.png").stat().st_size
        print(f"    PNG sizes: {size / 2 / 1e6:.2f} MB on average")
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            assert diff_figures(root, reports=keys).empty
            times.append(time.perf_counter() - start)
        print(f"    nothing changed (216 figures): {statistics.median(times):.3f}")
        for scenario, stem in keys[::3]:
            for f in range(8):
                shutil.copyfile(samples / f"s{f % 2}b.png",
                                root / scenario / f"{stem}_files" / f"fig{f}.png")
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            changed = diff_figures(root, reports=keys)
            times.append(time.perf_counter() - start)
        print(f"    a third changed ({len(changed)} figures decoded twice): "
              f"{statistics.median(times):.3f}")


if __name__ == "__main__":
    main()
