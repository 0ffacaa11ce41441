"""One store filled from the shipped real data for the app tests (loaded once per session);
tests that write get their own copy of the file."""
from __future__ import annotations

import shutil
import warnings

import pytest

warnings.filterwarnings("ignore", message=".*httpx2.*")


@pytest.fixture(scope="session")
def shipped_store(tmp_path_factory) -> str:
    from holisec.data.shipped import load_shipped
    from holisec.data.store import Store

    path = tmp_path_factory.mktemp("appstore") / "store.duckdb"
    with Store(path) as st:
        load_shipped(st)
    return str(path)


@pytest.fixture(scope="session")
def client(shipped_store):
    """A TestClient over the shared store (read-only use)."""
    from fastapi.testclient import TestClient

    from holisec.app import create_app

    with TestClient(create_app(shipped_store)) as c:
        yield c


@pytest.fixture
def writable(shipped_store, tmp_path) -> str:
    """A private copy of the shipped store for tests that write."""
    path = tmp_path / "store.duckdb"
    shutil.copy(shipped_store, path)
    return str(path)


@pytest.fixture
def tokens(writable):
    """Tokens of each role in the writable store: {role: token}."""
    from holisec.app.auth import create_token
    from holisec.data.store import Store

    out = {}
    with Store(writable) as st:
        for role in ("viewer", "analyst", "admin"):
            out[role], _ = create_token(st.con, role, name=f"test {role}")
    return out


@pytest.fixture
def wclient(writable):
    from fastapi.testclient import TestClient

    from holisec.app import create_app
    from holisec.app.service import Limits

    with TestClient(create_app(writable, limits=Limits(max_bytes=200_000, max_rows=2_000))) as c:
        yield c
