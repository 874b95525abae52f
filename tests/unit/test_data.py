"""Data layer: every catalogued file loads and validates; each kind of bad input fails with a
one-line message naming the file, column or rows; nothing is ever written to data/raw."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from permanent_research import config
from permanent_research.data import build, check, dataset_names, load, read_catalog, sha256_of
from permanent_research.errors import ChecksumError, DataError

REPO_ROOT = Path(__file__).resolve().parents[2]
RAW = REPO_ROOT / "data" / "raw"


def raw_fingerprint() -> dict[str, str]:
    return {p.name: sha256_of(p) for p in sorted(RAW.iterdir()) if p.is_file()}


# --- the real catalog -------------------------------------------------------------------------


def test_every_catalogued_file_matches_its_checksum_and_schema():
    results = check()
    problems = {name: message for name, message in results.items() if message != "ok"}
    assert problems == {}
    assert len(results) == len(read_catalog())


def test_catalog_entries_carry_provenance():
    for name, entry in read_catalog().items():
        assert entry.publisher and entry.source and entry.licence, name
        assert len(entry.sha256) == 64, name
        if entry.format == "csv":
            assert all(spec.description for spec in entry.columns), name


def test_every_raw_file_is_catalogued():
    catalogued = {entry.file for entry in read_catalog().values()}
    on_disk = {p.name for p in RAW.iterdir() if p.is_file()} - {"catalog.yaml", "PROVENANCE.md"}
    assert on_disk == catalogued


def test_load_keeps_nis_codes_as_text_and_types_numbers():
    sales = load("real_estate_sales")
    assert sales["nis_code"].str.len().eq(5).all()
    assert "04000" in set(sales["nis_code"])
    assert pd.api.types.is_integer_dtype(sales["year"])
    assert pd.api.types.is_float_dtype(sales["value"])
    # empty cells are missing values, not zeros
    unpublished = sales["status"].eq("not_published_in_source")
    assert unpublished.any() and sales.loc[unpublished, "value"].isna().all()
    assert sales.attrs["source"]["publisher"] == "Statbel"


def test_fact_tables_keep_text_values_and_add_a_numeric_copy():
    facts = load("clt_facts")
    assert "value_numeric" in facts
    founding = facts.loc[facts["measure"] == "founding_date", "value"].iloc[0]
    assert founding == "2012-12-20"
    assert facts["value_numeric"].notna().sum() > 10


def test_loading_does_not_write_to_raw():
    before = raw_fingerprint()
    for name in dataset_names():
        load(name)
    check()
    assert raw_fingerprint() == before


def test_build_writes_parquet_identical_to_load(tmp_path):
    before = raw_fingerprint()
    written = build(tmp_path)
    assert set(written) == set(dataset_names())
    again = pd.read_parquet(written["population"])
    pd.testing.assert_frame_equal(again, load("population"))
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp leftovers
    manifest = json.loads((tmp_path / "population.manifest.json").read_text())
    assert manifest["raw_sha256"] == read_catalog()["population"].sha256
    assert manifest["parquet_sha256"] == sha256_of(written["population"])
    assert raw_fingerprint() == before


def test_build_is_deterministic(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    build(first)
    build(second)
    for parquet in first.glob("*.parquet"):
        assert sha256_of(parquet) == sha256_of(second / parquet.name), parquet.name


def test_unknown_dataset_names_the_known_ones():
    with pytest.raises(DataError, match=r"unknown dataset 'sales'.*real_estate_sales"):
        load("sales")


# --- bad input on a copy of the project --------------------------------------------------------


@pytest.fixture
def project(raw_project):
    """A throw-away project home holding a small catalog with one dataset (see conftest)."""
    return raw_project


GOOD = (
    "nis_code,year,measure,value\n21001,2020,median_price,250000\n21004,2020,median_price,310000\n"
)


def test_fixture_project_loads(project):
    project(GOOD)
    frame = load("real_estate_sales")
    assert frame["value"].tolist() == [250000.0, 310000.0]


def one_line(error: pytest.ExceptionInfo) -> str:
    message = str(error.value)
    assert "\n" not in message
    return message


def test_missing_column(project):
    project("nis_code,year,value\n21001,2020,250000\n")
    with pytest.raises(DataError) as error:
        load("real_estate_sales")
    assert "prices.csv" in one_line(error) and "missing column(s) measure" in str(error.value)


def test_wrong_dtype_names_column_and_line(project):
    project(GOOD.replace("310000", "three hundred"))
    with pytest.raises(DataError) as error:
        load("real_estate_sales")
    message = one_line(error)
    assert "'value' must be float" in message and "line(s) 3" in message


def test_duplicate_key_names_lines(project):
    project(GOOD + "21001,2020,median_price,260000\n")
    with pytest.raises(DataError) as error:
        load("real_estate_sales")
    message = one_line(error)
    assert "duplicate key (nis_code, year, measure) in line(s) 2, 4" in message


def test_unknown_nis_code(project):
    project(GOOD.replace("21004", "99999"))
    with pytest.raises(DataError) as error:
        load("real_estate_sales")
    message = one_line(error)
    assert "'nis_code'" in message and "known NIS code" in message and "99999" in message


def test_negative_price(project):
    project(GOOD.replace("250000", "-250000"))
    with pytest.raises(DataError) as error:
        load("real_estate_sales")
    message = one_line(error)
    assert "'value'" in message and ">= 0" in message and "line(s) 2" in message


@pytest.mark.parametrize("content", ["", "nis_code,year,measure,value\n"])
def test_empty_file(project, content):
    project(content)
    with pytest.raises(DataError, match="empty|no rows") as error:
        load("real_estate_sales")
    one_line(error)


def test_raw_file_changed_after_cataloguing(project):
    path = project(GOOD)
    path.write_text(GOOD.replace("250000", "250001"), encoding="utf-8")
    with pytest.raises(ChecksumError) as error:
        load("real_estate_sales")
    message = one_line(error)
    assert "prices.csv" in message and "restore" in message


def test_catalog_entry_pointing_to_missing_file(project):
    path = project(GOOD)
    path.unlink()
    with pytest.raises(DataError) as error:
        load("real_estate_sales")
    message = one_line(error)
    assert "prices.csv" in message and "does not exist" in message


def test_bad_input_never_writes_to_raw(project, tmp_path):
    path = project(GOOD.replace("250000", "-1"))
    before = sha256_of(path)
    with pytest.raises(DataError):
        load("real_estate_sales")
    assert sha256_of(path) == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["catalog.yaml", "prices.csv"]


def test_project_home_override_is_honoured(project, tmp_path):
    project(GOOD)
    assert config.project_root() == tmp_path.resolve()
    assert config.paths().raw == tmp_path.resolve() / "data" / "raw"


def test_project_home_override_must_hold_a_catalog(tmp_path, monkeypatch):
    monkeypatch.setenv(config.ENV_HOME, str(tmp_path))
    with pytest.raises(Exception, match="catalog.yaml"):
        config.project_root()


def test_root_found_from_another_working_directory(tmp_path, monkeypatch):
    monkeypatch.delenv(config.ENV_HOME, raising=False)
    monkeypatch.chdir(tmp_path)
    assert config.project_root() == REPO_ROOT


def test_all_digit_checksum_is_read_as_text(project):
    # YAML reads an unquoted all-digit value as an int; the catalog must still compare text
    path = project(GOOD, checksum="1" * 64)
    with pytest.raises(ChecksumError) as error:
        load("real_estate_sales")
    assert "111111111111" in one_line(error) and path.name in str(error.value)


def test_build_writes_files_readable_by_others(tmp_path):
    import os
    import stat

    previous = os.umask(0o022)
    try:
        written = build(tmp_path)
    finally:
        os.umask(previous)
    for path in [*written.values(), tmp_path / "population.manifest.json"]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path.name
