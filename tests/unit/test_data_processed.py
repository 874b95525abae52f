"""data/processed is a cache load() can trust: read when its manifest vouches for it, otherwise
bypassed and rebuilt from raw; never a reason for load() to fail; never a path to data/raw."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from permanent_research import config
from permanent_research.data import dataset_names, io, load, read_catalog, read_table, sha256_of

REPO_RAW = Path(__file__).resolve().parents[2] / "data" / "raw"
GOOD = (
    "nis_code,year,measure,value\n21001,2020,median_price,250000\n21004,2020,median_price,310000\n"
)


@pytest.fixture
def no_raw_parsing(monkeypatch):
    """Make any parse of a raw file fail, to prove a load was served from data/processed."""

    def refuse(*args, **kwargs):
        raise AssertionError("raw file parsed")

    def arm():
        monkeypatch.setattr(io, "read_table", refuse)

    return arm


def processed(project_file: Path) -> Path:
    return project_file.parents[2] / "data" / "processed"


def test_first_load_writes_the_cache_and_the_second_reads_it(raw_project, no_raw_parsing):
    path = raw_project(GOOD)
    first = load("real_estate_sales")
    folder = processed(path)
    assert sorted(p.name for p in folder.iterdir()) == [
        "real_estate_sales.manifest.json",
        "real_estate_sales.parquet",
    ]
    no_raw_parsing()
    second = load("real_estate_sales")
    pd.testing.assert_frame_equal(second, first)
    assert second.attrs == first.attrs


def test_every_real_dataset_is_identical_from_raw_and_from_processed(
    tmp_path, monkeypatch, no_raw_parsing
):
    # a project whose raw folder is the repository's (read only through the symlink)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "raw").symlink_to(REPO_RAW)
    monkeypatch.setenv(config.ENV_HOME, str(tmp_path))
    from_raw = {name: load(name) for name in dataset_names()}
    no_raw_parsing()
    for name, expected in from_raw.items():
        again = load(name)
        pd.testing.assert_frame_equal(again, expected, check_exact=True, obj=name)
        assert list(again.dtypes) == list(expected.dtypes), name
        assert again.attrs == expected.attrs, name
    assert not (tmp_path / "data" / "processed" / "manifest.json").exists()


def test_stale_manifest_falls_back_to_raw_and_rebuilds(raw_project):
    path = raw_project(GOOD)
    load("real_estate_sales")
    # a deliberate new version of the raw file, recorded in the catalog
    raw_project(GOOD.replace("310000", "320000"))
    assert load("real_estate_sales")["value"].tolist() == [250000.0, 320000.0]
    manifest = json.loads((processed(path) / "real_estate_sales.manifest.json").read_text())
    assert manifest["raw_sha256"] == sha256_of(path)
    cached = pd.read_parquet(processed(path) / "real_estate_sales.parquet")
    assert cached["value"].tolist() == [250000.0, 320000.0]


@pytest.mark.parametrize("field", ["builder", "entry", "format_version", "raw_sha256"])
def test_manifest_of_other_code_or_catalog_is_not_trusted(raw_project, field, monkeypatch):
    path = raw_project(GOOD)
    load("real_estate_sales")
    manifest_file = processed(path) / "real_estate_sales.manifest.json"
    manifest = json.loads(manifest_file.read_text())
    manifest[field] = "something else"
    manifest_file.write_text(json.dumps(manifest))
    calls = []
    original = io.read_table
    monkeypatch.setattr(io, "read_table", lambda *a, **k: calls.append(1) or original(*a, **k))
    load("real_estate_sales")
    assert calls == [1]
    assert json.loads(manifest_file.read_text())[field] != "something else"


def test_catalog_column_change_invalidates_the_cache(raw_project):
    raw_project(GOOD)
    assert load("real_estate_sales")["year"].dtype == "Int64"
    columns = {
        "nis_code": {"dtype": "string"},
        "year": {"dtype": "float"},
        "measure": {"dtype": "string"},
        "value": {"dtype": "float"},
    }
    raw_project(GOOD, extra={"columns": columns})
    assert load("real_estate_sales")["year"].dtype == "float64"


def test_tampered_parquet_is_not_trusted(raw_project):
    path = raw_project(GOOD)
    load("real_estate_sales")
    target = processed(path) / "real_estate_sales.parquet"
    tampered = pd.read_parquet(target)
    tampered["value"] = tampered["value"] * 10
    tampered.to_parquet(target, index=False)
    assert load("real_estate_sales")["value"].tolist() == [250000.0, 310000.0]
    # and the cache was rewritten from raw
    assert pd.read_parquet(target)["value"].tolist() == [250000.0, 310000.0]


def test_corrupt_parquet_with_matching_checksum_is_not_trusted(raw_project):
    path = raw_project(GOOD)
    load("real_estate_sales")
    target = processed(path) / "real_estate_sales.parquet"
    manifest_file = processed(path) / "real_estate_sales.manifest.json"
    target.write_bytes(b"not a parquet file")
    manifest = json.loads(manifest_file.read_text())
    manifest["parquet_sha256"] = sha256_of(target)
    manifest_file.write_text(json.dumps(manifest))
    assert load("real_estate_sales")["value"].tolist() == [250000.0, 310000.0]


@pytest.mark.parametrize("content", ["", "{", "[]", '{"rows": 2}'])
def test_broken_manifest_is_a_cache_miss(raw_project, content):
    path = raw_project(GOOD)
    load("real_estate_sales")
    (processed(path) / "real_estate_sales.manifest.json").write_text(content)
    assert load("real_estate_sales")["value"].tolist() == [250000.0, 310000.0]


def test_changed_raw_file_is_still_an_error_with_a_valid_cache(raw_project):
    path = raw_project(GOOD)
    load("real_estate_sales")
    path.write_text(GOOD.replace("250000", "250001"), encoding="utf-8")
    with pytest.raises(Exception, match="sha256"):
        load("real_estate_sales")


def test_unwritable_processed_folder_still_loads_from_raw(raw_project, capfd):
    path = raw_project(GOOD)
    # a file where the folder should be: every write fails with a real OSError, even as root
    processed(path).write_text("in the way")
    frame = load("real_estate_sales")
    assert frame["value"].tolist() == [250000.0, 310000.0]
    captured = capfd.readouterr()
    assert "Traceback" not in captured.err + captured.out
    assert processed(path).read_text() == "in the way"


def test_permission_denied_while_writing_the_cache_still_loads(raw_project, monkeypatch, capfd):
    # a read-only data/processed as a non-root user (root ignores the mode bits, so simulate it)
    path = raw_project(GOOD)

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", denied)
    assert load("real_estate_sales")["value"].tolist() == [250000.0, 310000.0]
    assert not (processed(path) / "real_estate_sales.manifest.json").exists()
    assert "Traceback" not in capfd.readouterr().err


def test_full_disk_while_writing_the_cache_still_loads(raw_project, monkeypatch):
    path = raw_project(GOOD)

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", disk_full)
    assert load("real_estate_sales")["value"].tolist() == [250000.0, 310000.0]
    assert not (processed(path) / "real_estate_sales.manifest.json").exists()


def test_loading_never_writes_to_raw(raw_project):
    path = raw_project(GOOD)
    before = {p.name: sha256_of(p) for p in path.parent.iterdir()}
    load("real_estate_sales")
    load("real_estate_sales")
    assert {p.name: sha256_of(p) for p in path.parent.iterdir()} == before


def test_read_table_of_a_researchers_file_does_not_touch_the_cache(raw_project):
    path = raw_project(GOOD)
    entry = read_catalog()["real_estate_sales"]
    read_table(entry)
    assert not processed(path).exists()
