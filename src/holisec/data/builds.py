"""Stored builds: a built :class:`~holisec.pipeline.result.Result` kept in the store, read back equal.

A build is keyed by what determines its numbers (:class:`BuildKey`): the framework's hash
(sha256 of its canonical JSON), the recipe's hash, the vintage (the ingest id the data are
read as of), the package version, the entity type, a hash of the entity attributes the
imputation groups come from, and a hash of the code that computes it (``pipeline``,
``framework``, ``data`` and ``index.py`` sources), so a changed method never reuses old numbers.

Tables (append-only: rows are inserted once per build, never updated or deleted; one transaction):

``builds``
    build_id (sha256 of the key, 20 hex), created_at (UTC), the key columns, vintage label,
    framework and recipe as JSON, and ``source_digest``: the sha256 of the framework and recipe
    files the build was asked with (a shortcut to find it without parsing them again).
``build_arrays``
    build_id, name (``raw``, ``screened`` ... in build order, then ``scores``), position, dims,
    coords (JSON: every coordinate's values and dtype, in order), attrs (JSON), array_name.
``build_values``
    build_id, dataset, e, p, c (0-based positions along the array's three dimensions), value:
    every non-missing cell of every array; ``build_coords`` (build_id, dataset, dim, position,
    label) names the positions, and the view ``build_cells`` (build_id, dataset, entity, period,
    code, value) reads a build with plain SQL.
``build_weights``
    build_id, position, code, weight (``Result.weights`` in order).
``build_tables``
    build_id, name (``report:<name>`` or ``entity_groups``), dtypes (JSON), data (Parquet bytes).

:func:`load_build` returns a ``Result`` whose datasets and reports load on first use, so reading
the scores of a stored build for a ranking does not read every intermediate panel.
"""
from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import astuple, dataclass, fields
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import xarray as xr

_SCHEMA = """
CREATE TABLE IF NOT EXISTS builds (
    build_id VARCHAR PRIMARY KEY, created_at TIMESTAMP NOT NULL, framework_id VARCHAR NOT NULL,
    framework_hash VARCHAR NOT NULL, recipe_name VARCHAR, recipe_hash VARCHAR NOT NULL,
    as_of INTEGER NOT NULL, version VARCHAR NOT NULL, entity_type VARCHAR NOT NULL,
    entities_hash VARCHAR NOT NULL, code_hash VARCHAR NOT NULL, vintage VARCHAR NOT NULL,
    framework VARCHAR NOT NULL, recipe VARCHAR NOT NULL, source_digest VARCHAR);
CREATE TABLE IF NOT EXISTS build_arrays (
    build_id VARCHAR NOT NULL, name VARCHAR NOT NULL, position INTEGER NOT NULL, dims VARCHAR NOT NULL,
    coords VARCHAR NOT NULL, attrs VARCHAR NOT NULL, array_name VARCHAR);
CREATE TABLE IF NOT EXISTS build_values (
    build_id VARCHAR NOT NULL, dataset VARCHAR NOT NULL, e INTEGER NOT NULL, p INTEGER NOT NULL,
    c INTEGER NOT NULL, value DOUBLE NOT NULL);
CREATE TABLE IF NOT EXISTS build_coords (
    build_id VARCHAR NOT NULL, dataset VARCHAR NOT NULL, dim INTEGER NOT NULL, position INTEGER NOT NULL,
    label VARCHAR NOT NULL);
CREATE VIEW IF NOT EXISTS build_cells AS
    SELECT v.build_id, v.dataset, e.label AS entity, p.label::INTEGER AS period, c.label AS code, v.value
    FROM build_values v
    JOIN build_coords e ON e.build_id = v.build_id AND e.dataset = v.dataset AND e.dim = 0 AND e.position = v.e
    JOIN build_coords p ON p.build_id = v.build_id AND p.dataset = v.dataset AND p.dim = 1 AND p.position = v.p
    JOIN build_coords c ON c.build_id = v.build_id AND c.dataset = v.dataset AND c.dim = 2 AND c.position = v.c;
CREATE TABLE IF NOT EXISTS build_weights (
    build_id VARCHAR NOT NULL, position INTEGER NOT NULL, code VARCHAR NOT NULL, weight DOUBLE);
CREATE TABLE IF NOT EXISTS build_tables (
    build_id VARCHAR NOT NULL, name VARCHAR NOT NULL, dtypes VARCHAR NOT NULL, data BLOB NOT NULL);
"""
SCORES = "scores"
_CODE_PARTS = ("pipeline", "framework", "data", "index.py")


@dataclass(frozen=True)
class BuildKey:
    """What determines a build's numbers; equal keys give equal results."""

    framework_id: str
    framework_hash: str
    recipe_name: str
    recipe_hash: str
    as_of: int
    version: str
    entity_type: str
    entities_hash: str
    code_hash: str

    @property
    def build_id(self) -> str:
        return hashlib.sha256("\x1f".join(map(str, astuple(self))).encode()).hexdigest()[:20]


def framework_hash(framework) -> str:
    """sha256 of the framework's canonical JSON (sorted keys)."""
    text = json.dumps(framework.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


@lru_cache(maxsize=1)
def code_hash() -> str:
    """sha256 over the source files that compute a build (paths and bytes, sorted)."""
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for part in _CODE_PARTS:
        base = root / part
        files = [base] if base.is_file() else sorted(p for p in base.rglob("*")
                                                     if p.suffix in (".py", ".yaml", ".yml") and p.is_file())
        for f in files:
            h.update(f.relative_to(root).as_posix().encode())
            h.update(f.read_bytes())
    return h.hexdigest()


def entities_hash(con, entity_type: str) -> str:
    """sha256 of the entity attributes of one type (imputation groups come from them)."""
    got = con.execute("""
        SELECT coalesce(md5(string_agg(concat_ws('|', entity, coalesce(name, ''), coalesce(parent, ''),
                                                 coalesce(attributes, '')), chr(10) ORDER BY entity)), '')
        FROM entities WHERE entity_type = ?""", [entity_type]).fetchone()[0]
    return got


def build_key(store, framework, recipe, as_of_id: int, entity_type: str) -> BuildKey:
    """The key of a build of ``framework`` with ``recipe`` on the store's data as of ingest ``as_of_id``."""
    import holisec

    return BuildKey(framework.id, framework_hash(framework), recipe.name, recipe.hash, int(as_of_id),
                    holisec.__version__, entity_type, entities_hash(store.con, entity_type), code_hash())


def _file_bytes(kind: str, arg) -> bytes | None:
    """The bytes of the file a framework/recipe argument names (built-in name or path), else None."""
    from importlib import resources

    if arg is None or not isinstance(arg, (str, Path)):
        return None
    text = str(arg)
    pkg = "holisec.framework.builtin" if kind == "framework" else "holisec.pipeline.builtin"
    builtin = resources.files(pkg) / f"{text}.yaml"
    path = Path(text)
    if not path.suffix and builtin.is_file():
        return builtin.read_bytes()
    return path.read_bytes() if path.suffix and path.is_file() else None


def source_digest(framework, recipe, entity_type: str) -> str | None:
    """sha256 of the framework and recipe files asked for (defaults as ``stored_build`` fills
    them in); None when either is an object (then only the full key finds a build)."""
    fw = _file_bytes("framework", framework or ("subnational" if entity_type == "region" else "holistic"))
    rec = _file_bytes("recipe", recipe if recipe is not None else "default")
    if fw is None or rec is None:
        return None
    h = hashlib.sha256(b"framework\x1f" + fw + b"\x1frecipe\x1f" + rec)
    return h.hexdigest()


def find_build(con, digest: str, as_of: int, entity_type: str) -> str | None:
    """The build asked with the same framework/recipe files, vintage, version, entity
    attributes and code, or None."""
    import holisec

    if not digest:
        return None
    try:
        got = con.execute("""SELECT build_id FROM builds WHERE source_digest = ? AND as_of = ? AND version = ?
                             AND entity_type = ? AND entities_hash = ? AND code_hash = ? LIMIT 1""",
                          [digest, int(as_of), holisec.__version__, entity_type, entities_hash(con, entity_type),
                           code_hash()]).fetchone()
    except duckdb.CatalogException:  # no build stored yet
        return None
    return got[0] if got else None


def _tables(con) -> set[str]:
    return {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}


def has_build(con, build_id: str) -> bool:
    try:
        return con.execute("SELECT count(*) FROM builds WHERE build_id = ?", [build_id]).fetchone()[0] > 0
    except duckdb.CatalogException:  # no build stored yet
        return False


def list_builds(con) -> pd.DataFrame:
    """One row per stored build (without the framework/recipe JSON), oldest first."""
    if "builds" not in _tables(con):
        return pd.DataFrame(columns=[f.name for f in fields(BuildKey)] + ["build_id", "created_at", "vintage"])
    return con.execute("SELECT * EXCLUDE (framework, recipe, source_digest) FROM builds ORDER BY created_at").df()


# --- writing ---------------------------------------------------------------------------------------------

def _coords_json(da: xr.DataArray) -> str:
    out = {}
    for name, c in da.coords.items():
        values = c.values
        out[str(name)] = {"dims": list(c.dims), "dtype": values.dtype.str,
                          "values": values.tolist()}
    return json.dumps(out)


def _cells(da: xr.DataArray, name: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(cells, coords) of a 3-d (entity, period, code-like) float array: the positions and value
    of every non-missing cell, and the label of every position."""
    if da.ndim != 3 or da.dims[:2] != ("entity", "period"):
        raise ValueError(f"cannot store array {name!r} with dims {da.dims}; expected (entity, period, <code>)")
    if da.dtype != np.float64:
        raise ValueError(f"cannot store array {name!r} of dtype {da.dtype}; expected float64")
    values = da.values
    i, j, k = np.nonzero(~np.isnan(values))
    cells = pd.DataFrame({"e": i.astype(np.int32), "p": j.astype(np.int32), "c": k.astype(np.int32),
                          "value": values[i, j, k]})
    labels = [da[d].values.astype(str) for d in da.dims]
    coords = pd.DataFrame({"dim": np.repeat(np.arange(3, dtype=np.int32), [len(x) for x in labels]),
                           "position": np.concatenate([np.arange(len(x), dtype=np.int32) for x in labels]),
                           "label": np.concatenate(labels).astype(object)})
    return cells, coords


def _missing_marker(s: pd.Series) -> str:
    """How an object column writes its missing cells: 'none' or 'nan' (restored on reading)."""
    miss = s[s.isna()]
    return "none" if len(miss) and miss.iloc[0] is None else "nan"


def _is_na(v) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and v != v)


def _plain(v):
    """numpy scalars and timestamps in object columns, as JSON-able values."""
    if hasattr(v, "item"):
        return v.item()
    return str(v)


def _table_row(build_id: str, name: str, df: pd.DataFrame) -> tuple:
    dtypes = {str(c): [str(t), _missing_marker(df[c]) if t == object else ""] for c, t in df.dtypes.items()}
    meta = {"columns": [str(c) for c in df.columns], "dtypes": dtypes, "index": df.index.name, "rows": len(df),
            "default_index": isinstance(df.index, pd.RangeIndex) and df.index.start == 0 and df.index.step == 1}
    frame = df.copy()
    frame.columns = [str(c) for c in frame.columns]
    for c, t in frame.dtypes.items():
        if t == object:  # mixed python objects: keep their text, typed back on reading
            frame[c] = pd.Series([None if _is_na(v) else json.dumps(v, default=_plain) for v in frame[c]],
                                 index=frame.index, dtype=object)
    buf = io.BytesIO()
    frame.to_parquet(buf, index=not meta["default_index"])
    return (build_id, name, json.dumps(meta), buf.getvalue())


def _json_table_row(build_id: str, name: str, df: pd.DataFrame) -> tuple:
    """A small table of text/number columns as JSON (read back without Parquet)."""
    meta = {"format": "json", "columns": [str(c) for c in df.columns], "index": df.index.name,
            "index_dtype": str(df.index.dtype), "dtypes": {str(c): str(t) for c, t in df.dtypes.items()}}
    body = {"index": df.index.tolist(),
            "data": {str(c): [None if _is_na(v) else v for v in df[c].tolist()] for c in df.columns}}
    return (build_id, name, json.dumps(meta), json.dumps(body, default=_plain).encode())


def save_build(store, result, key: BuildKey, source_digest: str | None = None) -> bool:
    """Append ``result`` under ``key`` in one transaction; False if that build is already stored.

    Every dataset, the scores, weights, reports, entity groups, framework and recipe are written;
    existing rows are never changed."""
    con = store.con
    bid = key.build_id
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(_SCHEMA)
        if has_build(con, bid):
            con.execute("ROLLBACK")
            return False
        arrays = [*result.datasets.items(), (SCORES, result.scores)]
        con.execute("INSERT INTO builds VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [
            bid, datetime.now(timezone.utc).replace(tzinfo=None), key.framework_id, key.framework_hash,
            key.recipe_name, key.recipe_hash, key.as_of, key.version, key.entity_type, key.entities_hash,
            key.code_hash, result.vintage, result.framework.model_dump_json(), json.dumps(result.recipe.canonical()),
            source_digest])
        con.executemany("INSERT INTO build_arrays VALUES (?, ?, ?, ?, ?, ?, ?)", [
            (bid, name, pos, json.dumps(list(da.dims)), _coords_json(da), json.dumps(da.attrs),
             None if da.name is None else str(da.name))
            for pos, (name, da) in enumerate(arrays)])
        for name, da in arrays:
            cells, coords = _cells(da, name)
            con.register("_build_cells", cells)
            con.register("_build_coords", coords)
            try:
                con.execute("INSERT INTO build_values SELECT $b, $d, e, p, c, value FROM _build_cells", {"b": bid, "d": name})
                con.execute("INSERT INTO build_coords SELECT $b, $d, dim, position, label FROM _build_coords",
                            {"b": bid, "d": name})
            finally:
                con.unregister("_build_cells")
                con.unregister("_build_coords")
        w = result.weights
        con.executemany("INSERT INTO build_weights VALUES (?, ?, ?, ?)",
                        [(bid, pos, str(c), None if v != v else float(v)) for pos, (c, v) in enumerate(w.items())])
        meta_rows = [_table_row(bid, f"report:{name}", df) for name, df in result.reports.items()]
        if result.entity_groups is not None:
            meta_rows.append(_json_table_row(bid, "entity_groups", result.entity_groups))
        meta_rows.append((bid, "weights_meta", json.dumps({"name": w.name, "index": w.index.name,
                          "dtype": str(w.dtype), "index_dtype": str(w.index.dtype)}), b""))
        con.executemany("INSERT INTO build_tables VALUES (?, ?, ?, ?)", meta_rows)
        con.execute("COMMIT")
    except duckdb.ConstraintException:  # stored meanwhile by another connection
        con.execute("ROLLBACK")
        return False
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return True


# --- reading ---------------------------------------------------------------------------------------------

class _Lazy(Mapping):
    """A read-only mapping whose values are loaded on first access (and kept)."""

    def __init__(self, names: list[str], load: Callable[[str], object]):
        self._names, self._load, self._got = list(names), load, {}

    def __getitem__(self, name: str):
        if name not in self._got:
            if name not in self._names:
                raise KeyError(name)
            self._got[name] = self._load(name)
        return self._got[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def __repr__(self) -> str:
        return f"<stored {self._names} (loaded: {sorted(self._got)})>"


class _Reader:
    """Reads one stored build through the store's connection or, once the store is closed,
    through a connection opened for the one query (read-only unless this process already
    writes to the file)."""

    def __init__(self, store, build_id: str):
        self.store, self.build_id = store, build_id

    def query(self, sql: str, params: list, fetch: str = "one"):
        def run(con):
            cur = con.execute(sql, params)
            return cur.fetchone() if fetch == "one" else cur.fetchnumpy()

        try:
            return run(self.store.con)
        except duckdb.ConnectionException:
            if self.store.path == ":memory:":
                raise ValueError("this stored build's in-memory store was closed; read its datasets "
                                 "before closing the store") from None
        from holisec.data.store import _connect

        try:
            con = _connect(self.store.path, read_only=True)
        except duckdb.ConnectionException:  # this process holds a read-write connection to the file
            con = _connect(self.store.path, read_only=False)
        try:
            return run(con)
        finally:
            con.close()

    def array(self, name: str) -> xr.DataArray:
        dims, coords, attrs, array_name = self.query(
            "SELECT dims, coords, attrs, array_name FROM build_arrays WHERE build_id = ? AND name = ?",
            [self.build_id, name])
        dims, coords = json.loads(dims), json.loads(coords)
        cv = {n: np.asarray(c["values"], dtype=np.dtype(c["dtype"])) for n, c in coords.items()}
        shape = tuple(len(cv[d]) for d in dims)
        cells = self.query("SELECT e, p, c, value FROM build_values WHERE build_id = ? AND dataset = ?",
                           [self.build_id, name], fetch="numpy")
        values = np.full(shape, np.nan)
        values[np.asarray(cells["e"]), np.asarray(cells["p"]), np.asarray(cells["c"])] = np.asarray(cells["value"])
        return xr.DataArray(values, dims=dims, attrs=json.loads(attrs), name=array_name,
                            coords={n: (coords[n]["dims"], v) for n, v in cv.items()})

    def table(self, name: str) -> pd.DataFrame:
        meta, data = self.query("SELECT dtypes, data FROM build_tables WHERE build_id = ? AND name = ?",
                                [self.build_id, name])
        meta = json.loads(meta)
        if meta.get("format") == "json":
            body = json.loads(bytes(data))
            index = pd.Index(body["index"], name=meta["index"]).astype(meta["index_dtype"])
            if not meta["columns"]:  # attributes with no column (no groups): as pandas makes them
                return pd.DataFrame(index=index)
            df = pd.DataFrame({c: pd.Series(body["data"][c], dtype=object).astype(meta["dtypes"][c])
                               for c in meta["columns"]}, columns=meta["columns"])
            df.index = index
            return df
        if not meta["columns"]:  # a table with no columns (an empty report)
            return pd.DataFrame(index=pd.RangeIndex(meta.get("rows", 0)), columns=pd.RangeIndex(0))
        df = pd.read_parquet(io.BytesIO(data))
        for c, (dtype, marker) in meta["dtypes"].items():
            if dtype == "object":
                na = None if marker == "none" else np.nan
                df[c] = pd.Series([na if _is_na(v) else json.loads(v) for v in df[c].astype(object)],
                                  index=df.index, dtype=object)
            elif str(df[c].dtype) != dtype:
                df[c] = df[c].astype(dtype)
        df.columns = meta["columns"] if len(df.columns) == len(meta["columns"]) else df.columns
        if meta["index"] is not None and df.index.name != meta["index"]:
            df.index.name = meta["index"]
        return df


def load_build(store, build_id: str):
    """The stored build ``build_id`` as a ``Result`` (datasets and reports load on first use), or None."""
    from holisec.framework import Framework
    from holisec.pipeline.recipe import Recipe
    from holisec.pipeline.result import Result

    con = store.con
    if not has_build(con, build_id):
        return None
    row = con.execute("SELECT framework, recipe, vintage, version FROM builds WHERE build_id = ?",
                      [build_id]).fetchone()
    names = [r[0] for r in con.execute(
        "SELECT name FROM build_arrays WHERE build_id = ? ORDER BY position", [build_id]).fetchall()]
    tables = [r[0] for r in con.execute("SELECT name FROM build_tables WHERE build_id = ? ORDER BY rowid",
                                        [build_id]).fetchall()]
    reader = _Reader(store, build_id)
    w = con.execute("SELECT code, weight FROM build_weights WHERE build_id = ? ORDER BY position", [build_id]).df()
    wmeta = json.loads(con.execute("SELECT dtypes FROM build_tables WHERE build_id = ? AND name = 'weights_meta'",
                                   [build_id]).fetchone()[0])
    index = pd.Index(w["code"].astype(object).tolist(), name=wmeta["index"]).astype(wmeta["index_dtype"])
    weights = pd.Series(w["weight"].to_numpy(np.float64), index=index, name=wmeta["name"]).astype(wmeta["dtype"])
    reports = [t.removeprefix("report:") for t in tables if t.startswith("report:")]  # Parquet: read on use
    return Result(
        datasets=_Lazy([n for n in names if n != SCORES], reader.array),
        scores=reader.array(SCORES), weights=weights,
        framework=Framework.model_validate_json(row[0]), recipe=Recipe.from_dict(json.loads(row[1])),
        vintage=row[2], version=row[3],
        reports=_Lazy(reports, lambda n: reader.table(f"report:{n}")),
        entity_groups=reader.table("entity_groups") if "entity_groups" in tables else None)
