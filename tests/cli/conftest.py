"""A store with the shipped data, loaded once per test session and copied for tests that write."""
from __future__ import annotations

import shutil

import pytest


@pytest.fixture(scope="session")
def shipped_store_file(tmp_path_factory):
    """Path of a store holding the shipped real data (read-only use: copy it to write)."""
    from holisec.data.shipped import load_shipped
    from holisec.data.store import Store

    path = tmp_path_factory.mktemp("shipped") / "shipped.duckdb"
    with Store(path) as st:
        load_shipped(st)
    return path


@pytest.fixture
def shipped_store(shipped_store_file, tmp_path):
    """A private copy of the shipped store (str path) that a test may write to."""
    path = tmp_path / "store.duckdb"
    shutil.copy(shipped_store_file, path)
    return str(path)
