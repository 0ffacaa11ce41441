"""The alert register of a built index in the store, and the per-country warnings hook.

- ``result_alerts``: alerts (indicators, domains, index) and trend breaks (domains, index) of a
  built ``Result`` for its latest well-observed periods (years whose raw data are at least half
  as complete as the best-covered year; later years rest on carried-forward data);
- ``register_alerts``: the same, appended to the store's ``alerts`` and ``trend_breaks`` tables
  with the build id in one transaction (history kept, nothing overwritten);
- ``save_forecasts``: onset forecasts appended to the store's ``forecasts`` table;
- ``warnings_for``: latest alerts, trend breaks and onset probabilities (with their top
  contributions) of one entity, JSON-ready, for the dashboard and the country report.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
import xarray as xr

from holisec._json import json_ready
from holisec.index import well_observed_periods
from holisec.warning.alerts import COLUMNS, LEVELS, alert_register, code_kinds
from holisec.warning.changepoints import trend_breaks

ALERT_SQL = {"build_id": "VARCHAR", "created_at": "TIMESTAMP", "entity": "VARCHAR", "period": "INTEGER",
             "code": "VARCHAR", "kind": "VARCHAR", "level": "VARCHAR", "trigger": "VARCHAR",
             "explanation": "VARCHAR", "value": "DOUBLE", "change": "DOUBLE", "z_change": "DOUBLE",
             "own_mean": "DOUBLE", "peer_pct": "DOUBLE", "stale": "BOOLEAN", "carried_share": "DOUBLE",
             "obs_period": "INTEGER", "scale": "VARCHAR"}
BREAK_SQL = {"build_id": "VARCHAR", "created_at": "TIMESTAMP", "entity": "VARCHAR", "code": "VARCHAR",
             "period": "INTEGER", "size": "DOUBLE", "method": "VARCHAR"}
FORECAST_SQL = {"build_id": "VARCHAR", "created_at": "TIMESTAMP", "entity": "VARCHAR", "target": "VARCHAR",
                "origin": "INTEGER", "target_years": "VARCHAR", "probability": "DOUBLE", "model": "VARCHAR",
                "top_contributions": "VARCHAR", "domains": "VARCHAR", "vintage_id": "INTEGER", "vintage": "VARCHAR",
                "recipe_hash": "VARCHAR", "model_version": "VARCHAR", "notes": "VARCHAR"}
#: tables of ``realtime.score_saved``: per-forecast scores, summary per saved set
SCORE_TABLES = ("forecast_scores", "forecast_score_summary")


class SavedForecastExists(ValueError):
    """A forecast set with this id is already stored (stored forecasts are never overwritten)."""


def result_alerts(result, periods: int | list[int] = 3, thresholds=None, rules: dict | None = None,
                  share: float = 0.5) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(register, breaks) of a built ``Result``: alerts of every score code for the last
    ``periods`` well-observed periods (or the given list), judged on the history up to the
    latest well-observed period; trend breaks of domains and index over that history."""
    ok = well_observed_periods(result, share)
    last = max(ok)
    years = sorted(ok)[-periods:] if isinstance(periods, int) else [int(p) for p in periods]
    scores = result.scores.sel(period=result.scores["period"] <= max(last, *years))
    kinds = code_kinds(result.framework)
    agg = [c for c in scores["code"].values if kinds.get(str(c)) in ("domain", "index")]
    brk = trend_breaks(scores.sel(code=agg, period=scores["period"] <= last))
    reg = alert_register(scores, thresholds, year=years, rules=rules, breaks=brk, kinds=kinds,
                         staleness=staleness(result, years))
    from holisec.pipeline.provenance import scale_note

    reg.attrs["scale"] = scale_note(result)  # what the scores mean, stored with every registered row
    return reg, brk


def staleness(result, periods: list[int]) -> pd.DataFrame:
    """``entity, period, code, carried_share, obs_period`` of a built ``Result`` in ``periods``
    (what ``alert_register`` needs to mark alerts resting on carried-forward values)."""
    from holisec.pipeline.provenance import cell_sources, code_shares

    cells = cell_sources(result)
    keep = [p for p in periods if p in set(result.scores["period"].values)]
    shares = code_shares(result, cells)["carried_share"].sel(period=keep)
    obs = cells["obs_period"].sel(period=keep).rename(indicator="code").reindex(code=shares["code"].values)
    table = xr.Dataset({"carried_share": shares, "obs_period": obs}).to_dataframe().reset_index()
    return table.dropna(subset=["carried_share"])


def _con(store):
    return getattr(store, "con", store)


def _append(con, table: str, cols: dict[str, str], df: pd.DataFrame) -> None:
    con.execute(f"CREATE TABLE IF NOT EXISTS {table} ({', '.join(f'{c} {t}' for c, t in cols.items())})")
    have = {r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()}
    for c, t in cols.items():  # tables written by older versions gain the new columns
        if c not in have:
            con.execute(f"ALTER TABLE {table} ADD COLUMN {c} {t}")
    name = f"_new_{table}"
    con.register(name, df[list(cols)])
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {name}")
    finally:
        con.unregister(name)


def _append_all(con, parts: list[tuple[str, dict[str, str], pd.DataFrame]]) -> None:
    """Append each (table, columns, rows) in one transaction: all of them or nothing."""
    con.execute("BEGIN TRANSACTION")
    try:
        for table, cols, df in parts:
            _append(con, table, cols, df)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


def _stamp(df: pd.DataFrame, build_id: str, cols: dict[str, str]) -> pd.DataFrame:
    t = df.reindex(columns=[c for c in cols if c not in ("build_id", "created_at")]).copy()
    t.insert(0, "created_at", datetime.now(timezone.utc).replace(tzinfo=None))
    t.insert(0, "build_id", str(build_id))
    return t


def save_alerts(store, df: pd.DataFrame, build_id: str, breaks: pd.DataFrame | None = None) -> int:
    """Append an alert register (and trend breaks) to the store's ``alerts`` (``trend_breaks``)
    tables with ``build_id`` and a UTC timestamp, in one transaction; earlier rows are never
    changed. ``store``: a ``Store`` or a DuckDB connection. Returns the alert rows appended."""
    a = _stamp(df.assign(scale=df.attrs.get("scale", df.get("scale"))), build_id, ALERT_SQL).astype({"period": "int64"})
    parts = [("alerts", ALERT_SQL, a)]
    if breaks is not None:
        parts.append(("trend_breaks", BREAK_SQL, _stamp(breaks, build_id, BREAK_SQL).astype({"period": "int64"})))
    _append_all(_con(store), parts)
    return len(a)


def register_alerts(store, result, build_id: str, periods: int | list[int] = 3, thresholds=None,
                    rules: dict | None = None, skip_existing: bool = False) -> pd.DataFrame:
    """Alerts of a built ``Result`` for its latest well-observed periods (``result_alerts``),
    appended with their trend breaks to the store in one transaction. Returns the register.

    ``skip_existing``: if ``build_id`` is already registered, write nothing and return its
    stored rows (a re-run of an identical build adds no duplicate history)."""
    if skip_existing:
        con = _con(store)
        if "alerts" in _tables(con):
            have = {r[0] for r in con.execute("DESCRIBE alerts").fetchall()}  # older stores lack newer columns
            old = con.execute(f"SELECT {', '.join(c for c in COLUMNS if c in have)} FROM alerts "
                              "WHERE build_id = ?", [build_id]).df()
            if len(old):
                return old
    reg, brk = result_alerts(result, periods, thresholds, rules)
    save_alerts(store, reg, build_id, brk)
    return reg


def build_label(result) -> str:
    """The alert register's build id of a built index: framework, recipe hash, vintage, version."""
    return f"{result.framework.id}:{result.recipe.hash[:12]}:{result.vintage}:holisec {result.version}"


def registered_alerts(store, build_id: str) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """(register, breaks) stored for ``build_id`` by :func:`register_alerts`, or None if none."""
    con = _con(store)
    tables = _tables(con)
    if "alerts" not in tables:
        return None
    reg = con.execute(f"SELECT {', '.join(COLUMNS)} FROM alerts WHERE build_id = ? ORDER BY rowid", [build_id]).df()
    if reg.empty:
        return None
    cols = [c for c in BREAK_SQL if c not in ("build_id", "created_at")]
    brk = (con.execute(f"SELECT {', '.join(cols)} FROM trend_breaks WHERE build_id = ? ORDER BY rowid",
                       [build_id]).df() if "trend_breaks" in tables else pd.DataFrame(columns=cols))
    return reg.astype({"period": "int64"}), brk


def save_forecasts(store, df: pd.DataFrame, build_id: str, meta: dict | None = None) -> int:
    """Append ``forecast.forecast`` output to the store's ``forecasts`` table; the per-domain
    contributions (``domain:<name>`` columns) are kept as one JSON object per row. ``meta``:
    ``vintage_id, vintage, recipe_hash, model_version, notes`` stamped on every row (with the UTC
    creation time). An id already in the table is a :class:`SavedForecastExists` error: stored
    forecasts are never overwritten or extended, so each id is one real-time forecast set."""
    con = _con(store)
    if "forecasts" in _tables(con) and con.execute("SELECT count(*) FROM forecasts WHERE build_id = ?",
                                                   [str(build_id)]).fetchone()[0]:
        raise SavedForecastExists(f"forecasts with id {build_id!r} are already stored (created "
                                  f"{con.execute('SELECT min(created_at) FROM forecasts WHERE build_id = ?', [str(build_id)]).fetchone()[0]}); "
                                  "stored forecasts are never overwritten: choose another --save id")
    t = df.assign(domains=_domains_json(df), **{k: v for k, v in (meta or {}).items() if k in FORECAST_SQL})
    t = _stamp(t, build_id, FORECAST_SQL).astype({"origin": "int64", "target_years": str})
    _append_all(_con(store), [("forecasts", FORECAST_SQL, t)])
    return len(t)


def _tables(con) -> set[str]:
    return {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}


def _latest(con, table: str, entity: str) -> pd.DataFrame:
    """Rows of ``entity`` from the most recent build that wrote ``table``."""
    return con.execute(
        f"SELECT * FROM {table} WHERE build_id = (SELECT build_id FROM {table} ORDER BY created_at DESC "
        f"LIMIT 1) AND entity = ?", [entity]).df()


def _domains_json(df: pd.DataFrame) -> list[str] | str:
    """The ``domain:<name>`` contribution columns as one JSON object per row (missing left out)."""
    dom = [c for c in df.columns if c.startswith("domain:")]
    if not dom:
        return "{}"
    return [json.dumps({k.removeprefix("domain:"): v for k, v in zip(dom, row) if v == v}) for row in df[dom].to_numpy()]


def _forecast_records(f: pd.DataFrame, entity: str) -> list[dict]:
    f = f[f["entity"] == entity]
    if f.empty:
        return []
    if "domains" not in f and any(c.startswith("domain:") for c in f.columns):
        f = f.assign(domains=_domains_json(f))
    key = [c for c in ("target", "model") if c in f]
    f = f.sort_values("origin").groupby(key, as_index=False).tail(1) if key else f.tail(1)
    keep = [c for c in ("target", "origin", "target_years", "probability", "model", "top_contributions",
                        "domains") if c in f]
    rec = f[keep].to_dict("records")
    for r in rec:
        if isinstance(r.get("domains"), str):
            r["domains"] = json.loads(r["domains"])
    return rec


def warnings_for(entity: str, store=None, forecasts: str | Path | pd.DataFrame | None = None,
                 level: str = "amber") -> dict:
    """Latest alerts (at least ``level``), trend breaks and onset forecasts of ``entity``.

    ``store``: a ``Store``, DuckDB connection, path, or None (``$HOLISEC_STORE`` or the default
    store, if it exists); ``forecasts``: a file or frame from ``holisec warn forecast`` (else the
    store's ``forecasts`` table). Returns a JSON-ready dict (NaN -> None)::

        {"entity", "build_id", "created_at", "scale" (what the scores mean), "counts": {"red", "amber", "green"},
         "alerts": [{period, code, kind, level, trigger, explanation, value, ...}],
         "trend_breaks": [{code, period, size, method}],
         "forecasts": [{target, origin, target_years, probability, model, top_contributions, domains}]}
    """
    from holisec.data.store import Store, store_path

    own = None
    if store is None or isinstance(store, (str, Path)):
        path = Path(store_path(store or None))
        own = Store(path, read_only=True) if path.exists() else None
        con = own.con if own is not None else None
    else:
        con = _con(store)
    out = {"entity": entity, "build_id": None, "created_at": None, "scale": None, "counts": {}, "alerts": [],
           "trend_breaks": [], "forecasts": []}
    try:
        tables = _tables(con) if con is not None else set()
        if "alerts" in tables:
            a = _latest(con, "alerts", entity)
            if len(a):
                out["build_id"], out["created_at"] = a["build_id"].iloc[0], a["created_at"].iloc[0]
                out["counts"] = a["level"].value_counts().reindex(LEVELS[::-1], fill_value=0).to_dict()
                a = a[a["level"].map(LEVELS.index) >= LEVELS.index(level)]
                a = a.assign(_r=a["level"].map(LEVELS.index)).sort_values(["period", "_r", "code"],
                                                                          ascending=[False, False, True])
                out["alerts"] = a[[c for c in COLUMNS if c != "entity" and c in a]].to_dict("records")
                out["scale"] = a["scale"].dropna().iloc[0] if "scale" in a and a["scale"].notna().any() else None
        if "trend_breaks" in tables:
            b = _latest(con, "trend_breaks", entity)
            out["trend_breaks"] = b.sort_values(["period", "code"], ascending=[False, True])[
                ["code", "period", "size", "method"]].to_dict("records")
        if forecasts is not None:
            f = forecasts if isinstance(forecasts, pd.DataFrame) else (
                pd.read_parquet(forecasts) if str(forecasts).endswith(".parquet") else pd.read_csv(forecasts))
            out["forecasts"] = _forecast_records(f, entity)
        elif "forecasts" in tables:
            f = con.execute("SELECT * FROM forecasts WHERE entity = ? ORDER BY created_at", [entity]).df()
            out["forecasts"] = _forecast_records(f, entity)
    finally:
        if own is not None:
            own.close()
    return json_ready(out)
