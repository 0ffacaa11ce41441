"""What the API and the pages read: one object over the store access, the cache, the builds
and the jobs, with every read cached (see :mod:`holisec.app.access`)."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from holisec._json import json_ready
from holisec.app import auth
from holisec.app.access import Cache, StoreAccess
from holisec.app.builds import Builds
from holisec.app.jobs import Jobs


def _tables(con) -> set[str]:
    return {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}


@dataclass
class Limits:
    """Upload limits: bytes of one file, rows read from it."""

    max_bytes: int = 20 * 1024 * 1024
    max_rows: int = 500_000


@dataclass
class Service:
    access: StoreAccess
    limits: Limits = field(default_factory=Limits)

    def __post_init__(self):
        self.warm_state = "off"  # page warm-up at start (create_app(warm=True)): off | running | done | failed
        self.warm_pages = None
        self.cache = Cache(self.access)
        self.builds = Builds(self.access, self.cache)
        self.jobs = Jobs()

    # --- cached store reads ----------------------------------------------------------------------
    def read(self, key, fn):
        """``fn(store)`` on a short read-only connection, cached until the store changes."""
        def compute():
            with self.access.read() as st:
                return fn(st)
        return self.cache.get(key, compute)

    def entities(self, entity_type: str | None = "country") -> pd.DataFrame:
        return self.read(("entities", entity_type), lambda st: st.entities(entity_type=entity_type))

    def meta(self, entity_type: str = "country") -> pd.DataFrame:
        """Entity attributes indexed by entity (name, un_region, continent, income_group ...)."""
        return self.entities(entity_type).set_index("entity")

    def token_table(self) -> dict:
        return self.read(("tokens",), lambda st: auth.token_table(st.con))

    def principal(self, header: str | None) -> auth.Principal:
        """The caller of a request from its ``Authorization: Bearer`` header (none: anonymous)."""
        if not header:
            return auth.ANONYMOUS
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise auth.AuthError("Authorization header must read 'Bearer <token>'")
        return auth.verify(token.strip(), self.token_table())

    def warnings(self, entity: str) -> dict:
        from holisec.warning.register import warnings_for

        return self.read(("warnings", entity), lambda st: warnings_for(entity, st))

    def table(self, name: str, sql: str, params: list | None = None) -> pd.DataFrame | None:
        """Rows of an optional table (alerts, forecasts ...) or None when it does not exist yet."""
        def fn(st):
            if name not in _tables(st.con):
                return None
            return st.con.execute(sql, params or []).df()
        return self.read(("sql", sql, tuple(params or [])), fn)

    def uncertainty_run(self, res):
        """The latest stored uncertainty run of the build ``res`` (keyed as
        :func:`holisec.uncertainty.stored.latest_run`), or None; cached until the store changes."""
        from holisec.data.builds import build_key
        from holisec.uncertainty.stored import latest_run

        data_id, _, _, entity_type = res.app_key
        return self.read(("uncertainty-run", res.app_key), lambda st: latest_run(
            st, build_key(st, res.framework, res.recipe, data_id, entity_type)))

    def write(self, principal: auth.Principal, action: str, target: str, fn, detail: dict | None = None):
        """Run ``fn(store)`` on a read-write connection and append the audit-log row."""
        with self.access.write() as st:
            out = fn(st)
            auth.log_write(st.con, principal, action, target, detail if detail is not None else
                           (out if isinstance(out, dict) else {}))
        return json_ready(out)
