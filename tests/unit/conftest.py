"""Fixtures shared by the data-layer tests."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from permanent_research import config

TINY_COLUMNS = {
    "nis_code": {"dtype": "string", "description": "NIS"},
    "year": {"dtype": "int", "description": "year"},
    "measure": {"dtype": "string", "description": "measure"},
    "value": {"dtype": "float", "description": "EUR"},
}


@pytest.fixture
def raw_project(tmp_path, monkeypatch) -> Callable[..., Path]:
    """A throw-away project home whose catalog holds one dataset, 'real_estate_sales'.

    Call it with the CSV text (and optionally a checksum or extra catalog fields); it writes
    ``data/raw/prices.csv`` and a matching catalog and returns the CSV's path.
    """
    raw = tmp_path / "data" / "raw"
    raw.mkdir(parents=True)
    monkeypatch.setenv(config.ENV_HOME, str(tmp_path))

    def write(
        csv_text: str | bytes, *, checksum: str | None = None, extra: dict | None = None
    ) -> Path:
        path = raw / "prices.csv"
        if isinstance(csv_text, bytes):
            path.write_bytes(csv_text)
        else:
            path.write_text(csv_text, encoding="utf-8")
        entry = {
            "file": "prices.csv",
            "title": "test prices",
            "publisher": "test",
            "source": "test",
            "licence": "CC0",
            "reference_period": "2020",
            "sha256": checksum or hashlib.sha256(path.read_bytes()).hexdigest(),
            "key": ["nis_code", "year", "measure"],
            "columns": TINY_COLUMNS,
        }
        entry.update(extra or {})
        (raw / "catalog.yaml").write_text(
            yaml.safe_dump({"datasets": {"real_estate_sales": entry}}), encoding="utf-8"
        )
        return path

    return write
