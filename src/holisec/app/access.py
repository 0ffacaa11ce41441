"""How the server uses the store: short connections, serialised in-process, cached reads.

DuckDB allows one writing process *or* several reading processes on a file. The server
therefore holds no connection between requests: each store read opens the file read-only
for the length of the read and each write opens it read-write for one transaction, both
under one in-process lock. While the server is idle, the CLI can read and write the same
store (``holisec token create``, ``holisec data load`` while ``holisec serve`` runs); if the
CLI happens to hold the write lock at that moment, the request gets 409 with what to do.

Expensive reads (builds, rankings, profiles) are cached by :class:`Cache` under the store's
*stamp*: file size and modification time of the store and its WAL, which every write
changes, so a cached value is never served for data it was not computed from.
"""
from __future__ import annotations

import os
import threading
from collections import OrderedDict
from contextlib import contextmanager
from pathlib import Path


class StoreAccess:
    """Short-lived store connections (see the module docstring). ``path``: a store file."""

    def __init__(self, path: str | Path):
        from holisec.data.store import store_path

        self.path = store_path(path)
        if self.path == ":memory:":
            raise ValueError("the server needs a store file, not ':memory:' (each request opens it anew)")
        self.lock = threading.RLock()

    def stamp(self) -> tuple:
        """(size, mtime_ns) of the store and its WAL: changes with every committed write."""
        out = []
        for p in (self.path, self.path + ".wal"):
            try:
                s = os.stat(p)
                out += [s.st_size, s.st_mtime_ns]
            except FileNotFoundError:
                out += [0, 0]
        return tuple(out)

    @contextmanager
    def read(self):
        """A read-only :class:`~holisec.data.store.Store`, closed afterwards."""
        from holisec.data.store import Store

        with self.lock:
            st = Store(self.path, read_only=True)
            try:
                yield st
            finally:
                st.close()

    @contextmanager
    def write(self):
        """A read-write :class:`~holisec.data.store.Store`, closed afterwards. Store methods
        (``ingest``, ``register_alerts``) run their own transaction; use :func:`transaction`
        for several statements of ours."""
        from holisec.data.store import Store

        with self.lock:
            st = Store(self.path)
            try:
                yield st
            finally:
                st.close()


@contextmanager
def transaction(con):
    """Commit on success, roll back on any error: nothing half-written."""
    con.begin()
    try:
        yield con
        con.commit()
    except BaseException:
        con.rollback()
        raise


class Cache:
    """A small LRU of computed values keyed by (store stamp, key); thread-safe."""

    def __init__(self, access: StoreAccess, size: int = 512):
        self.access = access
        self.size = size
        self._data: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self._key_locks: dict = {}

    def get(self, key, compute, *, stamped: bool = True):
        """``compute()`` once per (stamp, key) (per key alone if ``stamped=False``: for keys that
        already name the data, such as an ingest id); concurrent callers of a key wait for it."""
        full = (self.access.stamp(), key) if stamped else ("content", key)
        with self._lock:
            if full in self._data:
                self._data.move_to_end(full)
                return self._data[full]
            klock = self._key_locks.setdefault(full, threading.Lock())
        with klock:
            with self._lock:
                if full in self._data:
                    return self._data[full]
            value = compute()
            with self._lock:
                self._data[full] = value
                self._key_locks.pop(full, None)
                while len(self._data) > self.size:
                    self._data.popitem(last=False)
            return value

    def put(self, key, value) -> None:
        with self._lock:
            self._data[(self.access.stamp(), key)] = value

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
