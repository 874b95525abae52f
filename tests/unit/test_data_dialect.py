"""Catalog entries for files kept in their source's CSV dialect (delimiter, missing token)."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest

from permanent_research.config import paths
from permanent_research.data import load, read_catalog, read_table
from permanent_research.errors import DataError


def test_survey_records_load_as_copied():
    frame = load("rent_observatory_survey")
    raw = pd.read_csv(paths().raw / "rent_observatory_survey_records_2017_2018_2020.csv", sep=";")
    assert frame.shape == raw.shape == (14_655, 40)
    # "NA" is a missing value, never the text "NA"
    assert frame["INSSEC"].isna().sum() == (raw["INSSEC"].isna()).sum() == 105
    counts = frame["annee_enquete"].value_counts().to_dict()
    assert counts == {2020: 5_148, 2018: 5_005, 2017: 4_502}
    assert frame["LOY"].sum() == pytest.approx(raw["LOY"].sum())


def _entry_file(tmp_path, text, extra):
    data = tmp_path / "x.csv"
    data.write_text(text, encoding="utf-8")
    digest = hashlib.sha256(data.read_bytes()).hexdigest()
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(
        "datasets:\n  x:\n    file: x.csv\n    title: t\n    publisher: p\n    source: s\n"
        f"    licence: l\n    reference_period: '2020'\n    sha256: {digest}\n{extra}"
        "    columns:\n      a:\n        dtype: int\n      b:\n        dtype: string\n",
        encoding="utf-8",
    )
    return read_catalog(catalog)["x"]


def test_delimiter_and_missing_token(tmp_path):
    dialect = "    delimiter: ';'\n    missing_values: [NA]\n"
    entry = _entry_file(tmp_path, "a;b\n1;NA\nNA;y\n", dialect)
    frame = read_table(entry)
    assert frame["a"].isna().tolist() == [False, True]
    assert frame["b"].isna().tolist() == [True, False]


def test_default_dialect_keeps_na_as_text_and_rejects_it_in_numbers(tmp_path):
    entry = _entry_file(tmp_path, "a,b\n1,NA\n", "")
    assert read_table(entry)["b"].tolist() == ["NA"]
    bad = _entry_file(tmp_path, "a,b\nNA,x\n", "")
    with pytest.raises(DataError, match="column 'a' must be int"):
        read_table(bad)
