"""One store resolution for every command: --store > HOLISEC_STORE > one default; bad paths are errors."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from holisec.data.store import Store, StoreError, default_store_path, store_path
from holisec.index import open_store


def test_precedence_flag_env_default(tmp_path, monkeypatch):
    assert store_path() == str(default_store_path())
    assert default_store_path().parent.is_dir()  # the default folder is created
    monkeypatch.setenv("HOLISEC_STORE", str(tmp_path / "env.duckdb"))
    assert store_path() == str(tmp_path / "env.duckdb")
    assert store_path(tmp_path / "flag.duckdb") == str(tmp_path / "flag.duckdb")


def test_default_does_not_depend_on_the_current_folder(tmp_path, monkeypatch):
    first = store_path()
    monkeypatch.chdir(tmp_path)
    assert store_path() == first and os.path.isabs(first)


@pytest.mark.parametrize("case", ["csv", "dir", "missing_folder"])
def test_a_path_that_is_not_a_store_is_an_error_and_creates_nothing(tmp_path, case):
    if case == "csv":
        target = tmp_path / "data.csv"
        target.write_text("country,year,value\nFrance,2020,1\n")
    elif case == "dir":
        target = tmp_path
    else:
        target = tmp_path / "nope" / "s.duckdb"
    with pytest.raises(StoreError) as err:
        Store(target)
    assert str(target) in str(err.value)
    assert {"csv": "not a holisec store", "dir": "is a directory", "missing_folder": "does not exist"}[case] in str(err.value)
    if case == "csv":
        assert target.read_text().startswith("country")  # untouched
    assert not (tmp_path / "nope").exists()


def test_new_store_is_initialised_from_the_shipped_data_once(tmp_path):
    said = []
    path = tmp_path / "s.duckdb"
    with open_store(path, read_only=True, notify=said.append) as st:
        assert st.read_only and not st.is_empty()
        n = len(st.vintages())
    assert len(said) == 1 and "initialised the new store" in said[0] and str(path) in said[0]
    with open_store(path, read_only=True, notify=said.append) as st:
        assert len(st.vintages()) == n
    assert len(said) == 1  # not again


def test_locked_store_is_a_clear_error(tmp_path):
    path = tmp_path / "s.duckdb"
    Store(path).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import duckdb, sys, time
            con = duckdb.connect({str(path)!r})
            print("locked", flush=True)
            time.sleep(30)
        """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(StoreError) as err:
            Store(path, read_only=True)
        msg = str(err.value)
        assert "is locked" in msg and f"PID {holder.pid}" in msg and "--store" in msg
    finally:
        holder.kill()
        holder.wait()
