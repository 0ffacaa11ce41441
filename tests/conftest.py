"""Shared fixtures."""
from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _isolated_default_store(tmp_path_factory, monkeypatch):
    """No test touches the user's default store: the default location goes to a temp folder."""
    monkeypatch.delenv("HOLISEC_STORE", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("xdg")))


@pytest.fixture
def write(tmp_path: Path):
    """``write(name, text_or_bytes)`` -> path of a new file in tmp_path."""
    def _write(name: str, content: str | bytes) -> Path:
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content, encoding="utf-8")
        return p
    return _write


@pytest.fixture
def store():
    """An empty in-memory holisec store."""
    from holisec.data.store import Store

    s = Store(":memory:")
    yield s
    s.close()
