"""Strict parsing: a row with too few or too many fields, a truncated last line, a file that is
not UTF-8, and a malformed catalog are each a one-line DataError naming the file and line (or the
catalog entry). Every case runs on a throw-away project; data/raw is never touched."""

from __future__ import annotations

import hashlib

import pytest
import yaml

from permanent_research.data import load, read_catalog
from permanent_research.errors import DataError

HEADER = "nis_code,year,measure,value\n"
GOOD = HEADER + "21001,2020,median_price,250000\n21004,2020,median_price,310000\n"


def message_of(error: pytest.ExceptionInfo) -> str:
    message = str(error.value)
    assert "\n" not in message
    return message


def load_error(project, text) -> str:
    project(text)
    with pytest.raises(DataError) as error:
        load("real_estate_sales")
    return message_of(error)


def test_short_row_mid_file_names_line(raw_project):
    text = HEADER + "21001,2020,median_price,250000\n21004,2020,median_price\n21005,2020,x,1\n"
    message = load_error(raw_project, text)
    assert "prices.csv" in message and "line 3 has 3 field(s)" in message
    assert "too few" in message


def test_row_with_too_many_fields_names_line(raw_project):
    text = GOOD + "21005,2020,median_price,1,extra\n"
    message = load_error(raw_project, text)
    assert "line 4 has 5 field(s)" in message and "too many" in message


def test_too_many_fields_in_the_first_row_is_not_read_as_an_index(raw_project):
    # pandas would silently take the first column as the index when every row has one field more
    text = HEADER + "x,21001,2020,median_price,250000\nx,21004,2020,median_price,310000\n"
    assert "line 2 has 5 field(s)" in load_error(raw_project, text)


def test_truncated_last_line_with_missing_fields(raw_project):
    text = GOOD + "21005,2020,medi"
    message = load_error(raw_project, text)
    assert "line 4" in message


def test_truncated_last_value_is_not_read_as_a_shorter_number(raw_project):
    # the complaint in the issue: a final "39" cut to "3" loaded as 3
    raw_project(GOOD + "21005,2020,median_price,39\n")
    assert load("real_estate_sales")["value"].iloc[-1] == 39
    message = load_error(raw_project, GOOD + "21005,2020,median_price,3")
    assert "line 4 does not end with a line break" in message and "truncated" in message


def test_quoted_fields_are_counted_as_csv_and_lines_stay_physical(raw_project):
    # a quoted comma is one field; a quoted newline makes a record span two lines
    text = (
        HEADER
        + '21001,2020,"median, price",250000\n'
        + '21004,2020,"two\nlines",310000\n'
        + "21005,2020,short\n"
    )
    message = load_error(raw_project, text)
    assert "line 5 has 3 field(s)" in message


def test_quoted_file_loads_and_later_errors_name_physical_lines(raw_project):
    text = HEADER + '21001,2020,"a\nb",250000\n21004,2020,c,-1\n'
    message = load_error(raw_project, text)
    assert "'value'" in message and "line(s) 4" in message


def test_blank_lines_are_skipped_and_line_numbers_stay_true(raw_project):
    raw_project(GOOD.replace("\n21004", "\n\n21004"))
    assert len(load("real_estate_sales")) == 2
    message = load_error(raw_project, GOOD.replace("\n21004", "\n\n21004").replace("310000", "-1"))
    assert "line(s) 4" in message


def test_crlf_line_endings_are_fine(raw_project):
    raw_project(GOOD.replace("\n", "\r\n"))
    assert load("real_estate_sales")["value"].tolist() == [250000.0, 310000.0]


def test_not_utf8_names_line(raw_project):
    message = load_error(raw_project, (GOOD + "21005,2020,caf\xe9,1\n").encode("latin-1"))
    assert "line 4 is not UTF-8" in message


# --- catalog structure -----------------------------------------------------------------------


def write_catalog(project_dir, document) -> None:
    text = document if isinstance(document, str) else yaml.safe_dump(document)
    (project_dir / "data" / "raw" / "catalog.yaml").write_text(text, encoding="utf-8")


def good_entry(path) -> dict:
    return {
        "file": "prices.csv",
        "title": "t",
        "publisher": "p",
        "source": "s",
        "licence": "CC0",
        "reference_period": "2020",
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "key": ["nis_code", "year"],
        "columns": {"nis_code": {"dtype": "string"}, "year": {"dtype": "int"}},
    }


def catalog_error(raw_project, mutate) -> str:
    path = raw_project(GOOD)
    document = mutate(good_entry(path))
    write_catalog(path.parents[2], document)
    with pytest.raises(DataError) as error:
        read_catalog()
    message = message_of(error)
    assert "catalog.yaml" in message
    return message


def test_good_catalog_entry_parses(raw_project):
    path = raw_project(GOOD)
    write_catalog(path.parents[2], {"datasets": {"prices": good_entry(path)}})
    assert read_catalog()["prices"].key == ("nis_code", "year")


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda e: [{"prices": e}], "top-level 'datasets:' mapping"),
        (lambda e: {"datasets": [e]}, "top-level 'datasets:' mapping"),
        (lambda e: {"datasets": {"prices": None}}, "entry 'prices' must be a mapping"),
        (lambda e: {"datasets": {"prices": "prices.csv"}}, "entry 'prices' must be a mapping"),
        (
            lambda e: {"datasets": {"prices": {**e, "columns": {"year": "int"}}}},
            "prices.year must be a mapping",
        ),
        (
            lambda e: {"datasets": {"prices": {**e, "columns": ["year"]}}},
            "field 'columns' must map column names",
        ),
        (
            lambda e: {"datasets": {"prices": {**e, "key": ["nis_code", "month"]}}},
            "key names column(s) month that it does not declare",
        ),
        (
            lambda e: {"datasets": {"prices": {**e, "format": "xlsx"}}},
            "format 'xlsx'; choose one of csv, geojson",
        ),
        (
            lambda e: {"datasets": {"prices": {**e, "file": "../../secret.csv"}}},
            "lies outside",
        ),
        (
            lambda e: {"datasets": {"prices": {**e, "colums": {}}}},
            "unknown field(s) colums",
        ),
        (
            lambda e: {"datasets": {"prices": {**e, "sha256": "abc"}}},
            "is not 64 lowercase hex digits",
        ),
        (
            lambda e: {"datasets": {"prices": {**e, "title": ["a", "b"]}}},
            "field 'title' must be text",
        ),
        (
            lambda e: {"datasets": {"prices": {**e, "columns": {}}}},
            "declares no columns",
        ),
        (
            lambda e: {"datasets": {"prices": {**e, "columns": {"year": {"dtype": "date"}}}}},
            "dtype 'date'",
        ),
    ],
    ids=[
        "top-level-list",
        "datasets-list",
        "null-entry",
        "scalar-entry",
        "scalar-column-spec",
        "columns-list",
        "key-unknown-column",
        "format-xlsx",
        "file-outside-raw",
        "unknown-field",
        "bad-sha256",
        "title-list",
        "csv-without-columns",
        "bad-dtype",
    ],
)
def test_malformed_catalog_is_a_one_line_error(raw_project, mutate, expected):
    assert expected in catalog_error(raw_project, mutate)


def test_invalid_yaml_names_line(raw_project):
    path = raw_project(GOOD)
    write_catalog(path.parents[2], "datasets:\n  prices: {file: [\n")
    with pytest.raises(DataError, match=r"invalid YAML at line \d"):
        read_catalog()
