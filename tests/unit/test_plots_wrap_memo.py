"""plots.style.memoize_wrap_widths: same wrapped caption and same pixels, fewer measurements."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg", force=False)

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from permanent_research.plots import style  # noqa: E402

CAPTION = ("Source: Statbel, Vastgoedprijzen per gemeente (2010-2024); "
           "data/raw/statbel_real_estate_sales_brussels.csv; nominal euros; communes with "
           "fewer than ten sales are left blank; a caption long enough to wrap twice. ") * 2


def _figure(memo: bool, monkeypatch: pytest.MonkeyPatch):
    if not memo:
        monkeypatch.setattr(style, "memoize_wrap_widths", lambda text: text)
    fig, ax = style.new_figure(width=6, height=3.5)
    ax.plot(np.arange(10), np.arange(10) ** 1.5)
    style.add_source_note(fig, CAPTION)
    return fig


def _png(fig, dpi: int) -> np.ndarray:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    return np.asarray(Image.open(io.BytesIO(buffer.getvalue())))


@pytest.mark.parametrize("dpi", [100, 300])
def test_memo_leaves_pixels_and_wrapping_unchanged(dpi, monkeypatch):
    with_memo = _figure(True, monkeypatch)
    first = _png(with_memo, dpi)
    second = _png(with_memo, dpi)  # served from the memo
    monkeypatch.undo()
    plain = _figure(False, monkeypatch)
    reference = _png(plain, dpi)
    np.testing.assert_array_equal(first, reference)
    np.testing.assert_array_equal(second, reference)
    assert with_memo.texts[-1]._get_wrapped_text() == plain.texts[-1]._get_wrapped_text()
    assert "\n" in plain.texts[-1]._get_wrapped_text()  # the caption does wrap
    plt.close(with_memo)
    plt.close(plain)


def test_memo_measures_each_prefix_once_per_renderer_kind(monkeypatch):
    fig = _figure(True, monkeypatch)
    note = fig.texts[-1]
    memo = next(cell.cell_contents for cell in note._get_rendered_text_width.__closure__
                if isinstance(cell.cell_contents, dict))
    _png(fig, 300)
    after_one = len(memo)
    assert after_one > 0
    _png(fig, 300)
    assert len(memo) == after_one  # a second export at the same dpi measures nothing new
    fig.savefig(io.BytesIO(), format="pdf", bbox_inches="tight")
    assert len(memo) > after_one  # the PDF renderer's widths are kept apart
    plt.close(fig)
