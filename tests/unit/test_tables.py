"""reporting.tables: numbers rounded for readers, index hidden, URLs shortened, no randomness."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from permanent_research.reporting.tables import format_number, link_urls, short_urls, table_html


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (3041.421356, "3,041"),
        (200000.0, "200,000"),
        (50.0, "50"),
        (12.408392, "12.4"),
        (0.0325, "0.0325"),
        (-0.001159, "-0.00116"),
        (1.836660, "1.84"),
        (np.float64(0.5), "0.5"),
        (np.int64(7), "7"),
        (True, "yes"),
        (False, "no"),
        (float("nan"), "–"),
        (None, "–"),
        (pd.NA, "–"),
        ("text", "text"),
    ],
)
def test_format_number(value, shown):
    assert format_number(value) == shown


def test_link_urls_shortens_and_escapes():
    out = link_urls("see https://www.bx1.be/dossiers/9juin-2024/x/ (2024) & <b>")
    assert '<a href="https://www.bx1.be/dossiers/9juin-2024/x/">bx1.be/…</a>' in out
    assert "&amp; &lt;b&gt;" in out
    assert link_urls("assumption") == "assumption"
    assert link_urls(float("nan")) == "–"


def test_short_urls_in_plain_text():
    note = "List length: https://bx1.be/dossiers/x/ (2024-05); see http://example.org."
    assert short_urls(note) == "List length: bx1.be/… (2024-05); see example.org."


def _cells(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", html)]


def test_table_html_formats_hides_index_and_is_deterministic():
    frame = pd.DataFrame({"name": ["a", "b"], "share": [0.1234, np.nan],
                          "eur": [3041.42, 12.0]}, index=[5, 9])
    first = table_html(frame, formats={"share": "{:.0%}"})
    assert first == table_html(frame, formats={"share": "{:.0%}"})  # no random uuid
    assert _cells(first) == ["a", "12%", "3,041", "b", "–", "12"]
    assert "row_heading" not in first  # index hidden
    with_index = table_html(frame, index=True)
    assert ">5<" in with_index and ">9<" in with_index


def test_table_html_rejects_unknown_columns():
    with pytest.raises(KeyError, match="no column"):
        table_html(pd.DataFrame({"a": [1]}), formats={"b": "{:.0f}"})


# --- interval_table ------------------------------------------------------------------------
def _intervals() -> pd.DataFrame:
    return pd.DataFrame({
        "user": ["household", "household", "household", "studio"],
        "model": ["clt", "market", "clt", "clt"],
        "metric": ["cost", "cost", "forced_moves", "cost"],
        "median": [1234.4, 2000.0, 0.25, 10.0],
        "low": [1000.0, 1500.5, 0.0, 9.0],
        "high": [1500.6, 2600.0, 1.04, 11.0],
    })


def test_interval_table_formats_orders_and_drops_empty_rows():
    from permanent_research.reporting.tables import interval_table

    wide = interval_table(
        _intervals(), rows=["user", "metric"], columns="model",
        row_order=[("household", "forced_moves"), ("household", "cost"), ("studio", "rent")],
        column_order=["market", "clt"], decimals_by={"metric": {"forced_moves": 1}},
    )
    assert list(wide.index) == [("household", "forced_moves"), ("household", "cost")]
    assert list(wide.columns) == ["market", "clt"]
    assert wide.loc[("household", "cost"), "clt"] == "1,234 [1,000 – 1,501]"
    assert wide.loc[("household", "cost"), "market"] == "2,000 [1,500 – 2,600]"
    assert wide.loc[("household", "forced_moves"), "clt"] == "0.2 [0.0 – 1.0]"
    assert pd.isna(wide.loc[("household", "forced_moves"), "market"])


def test_interval_table_default_order_is_first_appearance():
    from permanent_research.reporting.tables import interval_table

    wide = interval_table(_intervals(), rows=["user", "metric"], columns="model", decimals=1)
    assert list(wide.index) == [("household", "cost"), ("household", "forced_moves"),
                                ("studio", "cost")]
    assert list(wide.columns) == ["clt", "market"]
    assert wide.loc[("studio", "cost"), "clt"] == "10.0 [9.0 – 11.0]"


def test_interval_table_names_missing_columns():
    from permanent_research.errors import ParameterError
    from permanent_research.reporting.tables import interval_table

    with pytest.raises(ParameterError, match="lacks column\\(s\\) scenario"):
        interval_table(_intervals(), rows=["scenario"], columns="model")


def test_table_text_formats_like_the_html_table():
    from permanent_research.reporting.tables import table_text

    frame = pd.DataFrame({"p": [2.847595e-16, 0.25], "rent": [642.210118, None],
                          "src": ["https://example.org/a/b", None], "n": [3, 4]})
    text = table_text(frame, formats={"p": lambda v: "< 0.001" if v < 0.001 else f"{v:.3f}",
                                      "rent": "{:,.0f}"}, links=["src"])
    assert "< 0.001" in text and "0.250" in text and "642" in text
    assert "e-16" not in text and "642.21" not in text
    assert "NaN" not in text and "None" not in text and text.count("–") == 2
    assert "example.org/…" in text and "https" not in text
