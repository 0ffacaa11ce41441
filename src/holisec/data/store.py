"""Append-only observation store over DuckDB, with vintages.

Tables: ``ingests`` (one row per ingest: id, UTC time, source, file, sha256, rows added, note),
``observations`` (entity, period, indicator, value, ingest_id; rows are only ever appended),
``entities`` (entity, name, entity_type country|region|aggregate, parent, attributes JSON),
``sources`` and ``indicators`` (metadata).

An ingest appends only the values that are new or differ from the latest stored value; a cell
left empty in a file whose key has a stored value appends NULL (the source withdrew it), keys
absent from the file are left alone. ``observations(as_of=...)`` returns the latest value of each
key as of a vintage. Each ingest is one transaction: on any error the store is unchanged.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import xarray as xr

from holisec.data.countries import WB_AGGREGATES, country_names, did_you_mean, harmonise
from holisec.data.errors import InputError, Problems
from holisec.data.ingest import ReadResult, collapse_duplicates, read
from holisec.data.panel import to_panel

ENTITY_TYPES = ("country", "region", "aggregate")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS ingests (
    ingest_id INTEGER PRIMARY KEY, time TIMESTAMP NOT NULL, source VARCHAR NOT NULL, file VARCHAR,
    sha256 VARCHAR, rows BIGINT, rows_read BIGINT, format VARCHAR, note VARCHAR);
CREATE TABLE IF NOT EXISTS observations (
    entity VARCHAR NOT NULL, period INTEGER NOT NULL, indicator VARCHAR NOT NULL, value DOUBLE,
    ingest_id INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS entities (
    entity VARCHAR PRIMARY KEY, name VARCHAR, entity_type VARCHAR NOT NULL, parent VARCHAR,
    attributes VARCHAR);
CREATE TABLE IF NOT EXISTS sources (
    source VARCHAR PRIMARY KEY, name VARCHAR, citation VARCHAR, licence VARCHAR, url VARCHAR,
    non_commercial BOOLEAN);
CREATE TABLE IF NOT EXISTS indicators (
    indicator VARCHAR PRIMARY KEY, name VARCHAR, source VARCHAR, unit VARCHAR);
"""

_LATEST = """
SELECT o.entity, o.period, o.indicator, o.value, o.ingest_id
FROM observations o {join}
WHERE o.ingest_id <= $as_of {where}
QUALIFY row_number() OVER (PARTITION BY o.entity, o.period, o.indicator ORDER BY o.ingest_id DESC) = 1
"""


@dataclass
class IngestReport:
    """What one :meth:`Store.ingest` did. ``skipped``: same file already ingested (no-op)."""

    source: str
    file: str
    sha256: str
    ingest_id: int | None = None
    rows_read: int = 0
    rows_added: int = 0
    entities: list[str] = field(default_factory=list)
    indicators: list[str] = field(default_factory=list)
    aggregates: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    unmatched_rows: int = 0
    collapsed: int = 0
    skipped: bool = False
    format: str = ""
    note: str = ""
    revised: dict[str, str] = field(default_factory=dict)
    qualified: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        if self.skipped:
            return f"{self.source}: {self.file} unchanged (already ingested as #{self.ingest_id}); nothing added"
        text = (f"{self.source}: ingest #{self.ingest_id} from {self.file} ({self.format}): {self.rows_added} of "
                f"{self.rows_read} values added; {len(self.entities)} entities, {len(self.indicators)} indicators")
        if self.aggregates:
            text += f"; {len(self.aggregates)} aggregates kept apart"
        if self.revised:
            text += "; revises " + ", ".join(f"{owner}'s {code!r}" for code, owner in sorted(self.revised.items()))
        if self.qualified:
            text += "; stored as " + ", ".join(f"{new!r} (not {old!r})" for old, new in sorted(self.qualified.items()))
        if self.unmatched:
            shown = ", ".join(f"{u!r}{did_you_mean(u)}" for u in self.unmatched[:10])
            shown += " ..." if len(self.unmatched) > 10 else ""
            text += f"; {len(self.unmatched)} unmatched names ({self.unmatched_rows} rows not stored): {shown}"
        return text


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _sha256_frame(df: pd.DataFrame) -> str:
    h = hashlib.sha256("\x1f".join(map(str, df.columns)).encode())
    h.update(pd.util.hash_pandas_object(df, index=False).to_numpy().tobytes())
    return h.hexdigest()


def _utc_naive(ts) -> datetime:
    t = pd.Timestamp(ts)
    return (t.tz_convert("UTC").tz_localize(None) if t.tzinfo else t).to_pydatetime()


def _gdl_parent(codes: pd.Series) -> pd.Series:
    """ISO3 parent from GDL sub-national codes such as ``AFGr101``."""
    return codes.astype("string").str.extract(r"^([A-Za-z]{3})r\d+", expand=False).str.upper()


class IndicatorConflict(ValueError):
    """A file of one source carries indicator codes that another source owns."""

    def __init__(self, owners: dict[str, str], source: str, file: str):
        self.owners, self.source, self.file = owners, source, file
        listed = ", ".join(f"{c!r} (source {o!r})" for c, o in list(owners.items())[:10])
        more = f" and {len(owners) - 10} more" if len(owners) > 10 else ""
        first = next(iter(owners))
        super().__init__(
            f"{file}: indicator code(s) {listed}{more} already belong to another source; loading them as "
            f"source {source!r} would change that indicator. Nothing was written. Either: pass --revise "
            f"(revise=True) if these values revise it (its metadata stay its source's); or --qualify "
            f"(qualify=True) to store them as new indicators such as {source + ':' + first!r} (or write "
            f"codes like that in the file); or rename the codes")


class VintageError(ValueError):
    """An ``as_of`` that names no vintage of the store."""


def _no_country_message(rows: int, unmatched: list[str], aggregates: list[str]) -> str:
    parts = []
    if unmatched:
        shown = ", ".join(f"{u!r}{did_you_mean(u)}" for u in unmatched[:8]) + (" ..." if len(unmatched) > 8 else "")
        parts.append(f"{len(unmatched)} unmatched names: {shown}")
    if aggregates:
        parts.append(f"{len(aggregates)} aggregates: " + ", ".join(map(repr, aggregates[:8]))
                     + (" ..." if len(aggregates) > 8 else ""))
    return (f"none of the {rows} rows is a country ({'; '.join(parts) or 'no entity values'}); nothing was "
            "stored. Check the entity column (country names, ISO2/ISO3 or Gleditsch-Ward codes), or load "
            "sub-national units with entity_type='region' (--entity-type region)")


class StoreError(ValueError):
    """The store cannot be opened: a wrong path, a file that is not a store, or a held lock."""


_DUCKDB_MAGIC = b"DUCK"  # bytes 8-11 of every DuckDB database file


def default_store_path() -> Path:
    """The one default store: ``$XDG_DATA_HOME/holisec/store.duckdb`` (``~/.local/share/...``)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "holisec" / "store.duckdb"


def store_path(path: str | Path | None = None) -> str:
    """Resolve and check the store file: ``path`` (``--store``) > ``$HOLISEC_STORE`` > the default.

    The default location's folder is created; for a path the user gave, the folder must
    exist. A directory, or an existing file that is not a DuckDB database (a CSV, say), is a
    :class:`StoreError` that says what to do. ``":memory:"`` is passed through.
    """
    given = path if path is not None else (os.environ.get("HOLISEC_STORE") or None)
    if given is not None and str(given) == ":memory:":
        return ":memory:"
    origin = "--store" if path is not None else "HOLISEC_STORE" if given is not None else "default store"
    p = Path(given).expanduser() if given is not None else default_store_path()
    if p.is_dir():
        raise StoreError(f"{origin} {p} is a directory; give a store file such as {p / 'store.duckdb'}")
    if p.exists():
        with open(p, "rb") as f:
            head = f.read(12)
        if p.stat().st_size and head[8:12] != _DUCKDB_MAGIC:
            raise StoreError(f"{origin} {p} is not a holisec store (not a DuckDB database file); "
                             "give a .duckdb path (a new file is created there), or load data files "
                             "with `holisec data load FILE`")
    elif given is None:
        p.parent.mkdir(parents=True, exist_ok=True)
    elif not p.parent.is_dir():
        raise StoreError(f"{origin} {p}: folder {p.parent} does not exist; create it or choose another path")
    return str(p)


def _connect(path: str, read_only: bool):
    """duckdb.connect with a clear message when another process holds the write lock."""
    try:
        return duckdb.connect(path, read_only=read_only)
    except duckdb.IOException as err:
        text = str(err)
        if "lock" not in text.lower():
            raise StoreError(f"store {path} cannot be opened: {text.splitlines()[0]}") from None
        holder = re.search(r"held in (.+?) \(PID (\d+)\)", text)
        who = f" by {holder.group(1)} (PID {holder.group(2)})" if holder else " by another process"
        raise StoreError(f"store {path} is locked{who}, which is writing to it; wait for it to finish "
                         "(or stop it), or pass another store with --store / HOLISEC_STORE") from None


class Store:
    """DuckDB-backed store. ``path``: a file, ``":memory:"``, or None for ``$HOLISEC_STORE`` or
    the default store (:func:`default_store_path`); see :func:`store_path` for the checks.
    Usable as a context manager. :func:`holisec.index.open_store` also fills a new store."""

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False):
        path = store_path(path)
        if read_only and path != ":memory:" and not Path(path).exists():
            raise StoreError(f"store {path} does not exist yet; load data first (holisec data load --shipped)")
        self.path = path
        self.read_only = read_only
        self.con = _connect(path, read_only)
        if not read_only:
            self.con.execute(_SCHEMA)

    def is_empty(self) -> bool:
        """True if no observation has been ingested (a new store)."""
        try:
            return self.con.execute("SELECT count(*) FROM ingests").fetchone()[0] == 0
        except duckdb.CatalogException:  # a read-only file created by another tool
            return True

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        n = self.con.execute("SELECT count(*) FROM observations").fetchone()[0]
        return f"Store({self.path!r}, {n} observation rows)"

    # --- writing ---------------------------------------------------------------------------------------
    def ingest(self, data, source: str, *, fmt: str = "auto", indicators=None,
               entity_type: str = "country", key: str | None = None, entities=None,
               source_meta: dict | None = None, note: str = "", on_unmatched: str = "report",
               revise: bool = False, qualify: bool = False, **read_kw) -> IngestReport:
        """Read ``data`` (path or DataFrame) and append it as a new vintage of ``source``.

        ``indicators``: allowed codes / iMeta / Framework (see :func:`~holisec.data.ingest.read`).
        ``entity_type``: ``country`` (names/codes harmonised to ISO3; aggregates stored with
        entity_type ``aggregate``; unmatched names reported and not stored, or an error with
        ``on_unmatched="error"``) or ``region`` (codes kept as written, e.g. GDL codes).
        ``key``: harmonisation key (default auto). ``entities``: a table (or path) of entity
        attributes (entity, name, entity_type, parent, ...). ``source_meta``: name, citation,
        licence, url, non_commercial. Extra keywords go to :func:`read` (sheet, encoding, period...).

        Indicator codes belong to the source that first loaded them. A file of another source
        with such a code is an :class:`IndicatorConflict` (nothing is written) unless
        ``revise=True`` (its values are revisions of that indicator, whose metadata stay the
        owner's) or ``qualify=True`` (the codes are stored as ``source:code``, new indicators).
        A file none of whose rows is a country (all unmatched or aggregates) is an error.
        """
        if entity_type not in ("country", "region"):
            raise ValueError(f"entity_type must be 'country' or 'region', got {entity_type!r}")
        if on_unmatched not in ("report", "error"):
            raise ValueError("on_unmatched must be 'report' or 'error'")
        is_frame = isinstance(data, pd.DataFrame)
        file = read_kw.pop("file", None) or ("<DataFrame>" if is_frame else str(data))
        if not is_frame and not Path(data).exists():
            raise InputError("file not found", file=file)
        sha = _sha256_frame(data) if is_frame else _sha256_file(Path(data))
        done = self.con.execute("SELECT min(ingest_id) FROM ingests WHERE sha256 = ? AND source = ?",
                                [sha, source]).fetchone()[0]
        if done is not None:
            return IngestReport(source=source, file=file, sha256=sha, ingest_id=int(done), skipped=True)

        res = read(data, fmt=fmt, indicators=indicators, file=file, **read_kw)
        obs, ent, report = self._prepare(res, source, entity_type, key, on_unmatched)
        report.sha256, report.note = sha, note
        obs = self._claim_indicators(obs, ent, source, res.file, revise, qualify, report)
        attrs = _entity_table(entities) if entities is not None else None

        self.con.begin()
        try:
            iid = self._next_id()
            report.ingest_id = iid
            self.con.execute(
                "INSERT INTO ingests VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?)",
                [iid, datetime.now(timezone.utc).replace(tzinfo=None), source, file, sha, report.rows_read,
                 res.format, note])
            report.rows_added = self._append(obs, iid)
            self.con.execute("UPDATE ingests SET rows = ? WHERE ingest_id = ?", [report.rows_added, iid])
            self._upsert_entities(ent, override=False)
            if attrs is not None:
                self._upsert_entities(attrs, override=True)
            self._upsert_metadata(source, source_meta, res, obs)
            self.con.commit()
        except BaseException:
            self.con.rollback()
            raise
        return report

    def _prepare(self, res: ReadResult, source: str, entity_type: str, key: str | None, on_unmatched: str):
        df = res.data
        report = IngestReport(source=source, file=res.file, sha256="", rows_read=len(df), format=res.format,
                              collapsed=res.collapsed)
        raw = df["entity"]
        if entity_type == "country":
            h = harmonise(raw, key=key or res.entity_key)
            final = h.codes.fillna(h.aggregate_codes)
            kind = pd.Series(np.where(h.codes.notna(), "country", "aggregate"), index=df.index)
            report.aggregates, report.unmatched = h.aggregates, h.unmatched
            keep = final.notna().to_numpy()
            report.unmatched_rows = int((~keep).sum())
            if not h.codes.notna().any():
                raise InputError(_no_country_message(len(df), h.unmatched, h.aggregates), file=res.file)
            if report.unmatched and on_unmatched == "error":
                p = Problems(res.file)
                first = df.loc[~keep].drop_duplicates("entity")
                p.add_many(first["row"].to_numpy()[:20], None,
                           (f"unknown country {e!r}{did_you_mean(e)}" for e in first["entity"].head(20)))
                p.raise_if_any()
        else:
            final = raw.astype("string")
            kind = pd.Series("region", index=df.index)
            keep = np.ones(len(df), bool)
        obs = df.loc[keep, ["period", "indicator", "value", "row", "column"]].copy()
        obs.insert(0, "entity", final[keep].astype(object).to_numpy())
        obs, _ = collapse_duplicates(obs, res.file, value_column=None)  # e.g. 'France' and 'FRA' rows
        # entity rows
        pairs = pd.DataFrame({"raw": raw[keep].to_numpy(object), "entity": final[keep].to_numpy(object),
                              "entity_type": kind[keep].to_numpy(object)}).drop_duplicates("raw")
        ent = pairs.drop_duplicates("entity").reset_index(drop=True)
        file_names = ent["raw"].map(res.entity_names) if len(res.entity_names) else pd.Series(pd.NA, index=ent.index)
        if entity_type == "country":
            is_c = ent["entity_type"].eq("country")
            name = country_names(ent["entity"]).where(is_c)
            agg_name = ent["entity"].map(WB_AGGREGATES).fillna(file_names).fillna(ent["raw"])
            ent["name"] = name.fillna(agg_name).where(~is_c | name.notna(), file_names)
            ent["parent"] = pd.NA
        else:
            ent["name"] = file_names
            ent["parent"] = _gdl_parent(ent["entity"])
        ent["attributes"] = pd.NA
        if len(res.entity_attributes):
            a = res.entity_attributes.copy()
            a["entity"] = a["entity"].map(dict(zip(pairs["raw"], pairs["entity"])))
            a = a.dropna(subset=["entity"]).drop_duplicates("entity").set_index("entity")
            js = pd.Series(a.to_json(orient="records", lines=True).splitlines(), index=a.index) if len(a) else None
            if js is not None:
                ent["attributes"] = ent["entity"].map(js)
        ent = ent[["entity", "name", "entity_type", "parent", "attributes"]]
        report.entities = sorted(ent.loc[ent["entity_type"].ne("aggregate"), "entity"].astype(str))
        report.indicators = sorted(obs["indicator"].astype(str).unique())
        return obs[["entity", "period", "indicator", "value"]].reset_index(drop=True), ent, report

    def _claim_indicators(self, obs: pd.DataFrame, ent: pd.DataFrame, source: str, file: str, revise: bool,
                          qualify: bool, report: IngestReport) -> pd.DataFrame:
        """Refuse, revise or qualify the file's indicator codes that another source owns.

        The owner of a code for an entity type (country, region, aggregate) is the source of
        its first stored value: GDL's regional ``pop`` does not clash with Gapminder's national one."""
        codes = sorted(obs["indicator"].astype(str).unique())
        types = sorted(ent["entity_type"].astype(str).unique())
        owned = self.con.execute("""
            SELECT indicator, string_agg(DISTINCT owner, ', ' ORDER BY owner) FROM (
                SELECT o.indicator, arg_min(g.source, o.ingest_id) AS owner
                FROM observations o JOIN entities e ON e.entity = o.entity JOIN ingests g ON g.ingest_id = o.ingest_id
                WHERE list_contains($codes, o.indicator) AND list_contains($types, e.entity_type)
                GROUP BY o.indicator, e.entity_type)
            WHERE owner <> $src GROUP BY indicator ORDER BY indicator""",
                                 {"codes": codes, "types": types, "src": source}).fetchall()
        if not owned:
            return obs
        owners = dict(owned)
        if revise and qualify:
            raise ValueError("revise and qualify exclude each other: choose one")
        if revise:
            report.revised = owners
            return obs
        if qualify:
            report.qualified = {c: f"{source}:{c}" for c in owners}
            obs = obs.assign(indicator=obs["indicator"].replace(report.qualified))
            report.indicators = sorted(obs["indicator"].astype(str).unique())
            return obs
        raise IndicatorConflict(owners, source, file)

    def _next_id(self) -> int:
        return int(self.con.execute("SELECT coalesce(max(ingest_id), 0) + 1 FROM ingests").fetchone()[0])

    def _append(self, obs: pd.DataFrame, iid: int) -> int:
        """Append new/changed values (SQL anti-join against the latest stored values)."""
        self.con.register("_new_obs", obs)
        try:
            n = self.con.execute(f"""
                INSERT INTO observations
                SELECT n.entity, n.period::INTEGER, n.indicator,
                       CASE WHEN isnan(n.value) THEN NULL ELSE n.value END, $id
                FROM _new_obs n
                LEFT JOIN (
                    {_LATEST.format(join="", where="AND o.indicator IN (SELECT DISTINCT indicator FROM _new_obs)")}
                ) l ON l.entity = n.entity AND l.period = n.period AND l.indicator = n.indicator
                WHERE (l.entity IS NULL AND n.value IS NOT NULL AND NOT isnan(n.value))
                   OR (l.entity IS NOT NULL AND
                       (CASE WHEN isnan(n.value) THEN NULL ELSE n.value END) IS DISTINCT FROM l.value)
            """, {"id": iid, "as_of": iid}).fetchone()[0]
        finally:
            self.con.unregister("_new_obs")
        return int(n)

    def _upsert_entities(self, ent: pd.DataFrame, override: bool) -> None:
        if ent is None or ent.empty:
            return
        ent = ent.astype(object).where(ent.notna(), None)
        self.con.register("_new_ent", ent)
        try:
            if override:
                sets = ("name = coalesce(excluded.name, entities.name), entity_type = excluded.entity_type, "
                        "parent = coalesce(excluded.parent, entities.parent)")
            else:
                sets = ("name = coalesce(entities.name, excluded.name), "
                        "parent = coalesce(entities.parent, excluded.parent)")
            self.con.execute(f"""
                INSERT INTO entities SELECT entity, name, entity_type, parent, attributes FROM _new_ent
                ON CONFLICT (entity) DO UPDATE SET {sets},
                    attributes = CASE WHEN excluded.attributes IS NULL THEN entities.attributes
                                      WHEN entities.attributes IS NULL THEN excluded.attributes
                                      ELSE json_merge_patch(entities.attributes, excluded.attributes)::VARCHAR END
            """)
        finally:
            self.con.unregister("_new_ent")

    def add_entities(self, table) -> int:
        """Insert or update entity attributes from a table or file (entity, name, entity_type, parent, ...)."""
        ent = _entity_table(table)
        self.con.begin()
        try:
            self._upsert_entities(ent, override=True)
            self.con.commit()
        except BaseException:
            self.con.rollback()
            raise
        return len(ent)

    def _upsert_metadata(self, source: str, meta: dict | None, res: ReadResult, obs: pd.DataFrame) -> None:
        meta = dict(meta or {})
        row = [source, meta.get("name"), meta.get("citation"), meta.get("licence"), meta.get("url"),
               None if meta.get("non_commercial") is None else bool(meta.get("non_commercial"))]
        self.con.execute("""
            INSERT INTO sources VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (source) DO UPDATE SET
              name = coalesce(excluded.name, sources.name), citation = coalesce(excluded.citation, sources.citation),
              licence = coalesce(excluded.licence, sources.licence), url = coalesce(excluded.url, sources.url),
              non_commercial = coalesce(excluded.non_commercial, sources.non_commercial)""", row)
        codes = pd.Series(obs["indicator"].unique(), dtype=object)
        names = codes.map(res.indicator_names) if len(res.indicator_names) else pd.Series(None, index=codes.index)
        ind = pd.DataFrame({"indicator": codes, "name": names.astype(object), "source": source})
        ind = ind.astype(object).where(ind.notna(), None)
        self.con.register("_new_ind", ind)
        try:
            self.con.execute("""
                INSERT INTO indicators SELECT indicator, name, source, NULL FROM _new_ind
                ON CONFLICT (indicator) DO UPDATE SET name = CASE WHEN indicators.source = excluded.source
                  THEN coalesce(excluded.name, indicators.name) ELSE indicators.name END""")
        finally:
            self.con.unregister("_new_ind")

    # --- reading ---------------------------------------------------------------------------------------
    def _as_of_id(self, as_of) -> int:
        """The ingest id a vintage names: None -> the latest (0 in an empty store), an ingest id
        (int or digits) that exists, or a timestamp (UTC if naive) at or after the first ingest.
        Anything else is a :class:`VintageError` listing the vintages that exist."""
        if as_of is None:
            return int(self.con.execute("SELECT coalesce(max(ingest_id), 0) FROM ingests").fetchone()[0])
        if isinstance(as_of, (int, np.integer)) and not isinstance(as_of, bool):
            iid = int(as_of)
        elif isinstance(as_of, str) and as_of.strip().lstrip("#").isdigit():  # an ingest id typed on the command line
            iid = int(as_of.strip().lstrip("#"))
        else:
            try:
                ts = _utc_naive(as_of)
            except (ValueError, TypeError):
                raise VintageError(f"as-of {as_of!r} is neither an ingest id nor a timestamp; "
                                   + self._vintage_list()) from None
            got = self.con.execute("SELECT max(ingest_id) FROM ingests WHERE time <= ?", [ts]).fetchone()[0]
            if got is None:
                raise VintageError(f"as-of {as_of!r} is before the first ingest; " + self._vintage_list())
            return int(got)
        if self.con.execute("SELECT count(*) FROM ingests WHERE ingest_id = ?", [iid]).fetchone()[0] == 0:
            raise VintageError(f"as-of {as_of!r}: no ingest #{iid} in this store; " + self._vintage_list())
        return iid

    def _vintage_list(self, limit: int = 12) -> str:
        """'the store's vintages are: #1 2026-... source (file); ...' (first and last ones if many)."""
        v = self.vintages()
        if v.empty:
            return "the store has no vintages yet (holisec data load ...)"
        lines = [f"  #{int(r.ingest_id)}  {pd.Timestamp(r.time).isoformat(timespec='seconds')}  {r.source}  ({r.file})"
                 for r in v.itertuples(index=False)]
        if len(lines) > limit:
            lines = lines[: limit // 2] + [f"  ... {len(lines) - limit} more ..."] + lines[-(limit // 2):]
        return (f"give an ingest id (1-{int(v['ingest_id'].max())}) or a timestamp (UTC) from "
                f"{pd.Timestamp(v['time'].min()).isoformat(timespec='seconds')} on (holisec data vintages); "
                "the store's vintages:\n" + "\n".join(lines))

    def observations(self, as_of=None, indicators=None, entities=None,
                     entity_type: str | None = "country", periods=None) -> pd.DataFrame:
        """Latest value per (entity, period, indicator) as of a vintage, as a long table.

        ``as_of``: None (latest), an ingest id, or a timestamp (UTC if naive). ``entity_type``:
        country, region, aggregate, or None for all. Withdrawn (NULL) values are left out.
        """
        where, params = "", {"as_of": self._as_of_id(as_of)}
        join = ""
        if entity_type is not None:
            join, where = "JOIN entities e ON e.entity = o.entity", "AND e.entity_type = $etype"
            params["etype"] = entity_type
        if indicators is not None:
            where += " AND list_contains($inds, o.indicator)"
            params["inds"] = [str(i) for i in ([indicators] if isinstance(indicators, str) else indicators)]
        if entities is not None:
            where += " AND list_contains($ents, o.entity)"
            params["ents"] = [str(e) for e in ([entities] if isinstance(entities, str) else entities)]
        if periods is not None:
            lo, hi = (periods.start, periods.stop) if isinstance(periods, slice) else (min(periods), max(periods))
            where += " AND o.period BETWEEN $lo AND $hi"
            params.update(lo=int(lo if lo is not None else -10**6), hi=int(hi if hi is not None else 10**6))
        df = self.con.execute(
            f"SELECT entity, period, indicator, value FROM ({_LATEST.format(join=join, where=where)}) "
            "WHERE value IS NOT NULL ORDER BY entity, period, indicator", params).df()
        df["period"] = df["period"].astype(np.int64)
        df["value"] = df["value"].astype(np.float64)
        return df

    def panel(self, as_of=None, indicators=None, entities=None, entity_type: str | None = "country",
              periods=None) -> xr.DataArray:
        """:meth:`observations` as a (entity, period, indicator) DataArray."""
        return to_panel(self.observations(as_of=as_of, indicators=indicators, entities=entities,
                                          entity_type=entity_type, periods=periods))

    def vintages(self) -> pd.DataFrame:
        """One row per ingest (ingest_id, time UTC, source, file, sha256, rows added, ...)."""
        return self.con.execute("SELECT * FROM ingests ORDER BY ingest_id").df()

    def sources(self) -> pd.DataFrame:
        return self.con.execute("SELECT * FROM sources ORDER BY source").df()

    def indicators(self) -> pd.DataFrame:
        return self.con.execute("SELECT * FROM indicators ORDER BY indicator").df()

    def entities(self, entity_type: str | None = None) -> pd.DataFrame:
        """Entities with name, type, parent and their attributes expanded into columns."""
        q = "SELECT * FROM entities" + (" WHERE entity_type = ?" if entity_type else "") + " ORDER BY entity"
        df = self.con.execute(q, [entity_type] if entity_type else []).df()
        has = df["attributes"].notna()
        if has.any():
            attrs = pd.json_normalize(df.loc[has, "attributes"].map(json.loads).tolist())
            attrs.index = df.index[has]
            df = df.join(attrs.drop(columns=[c for c in attrs if c in df.columns], errors="ignore"))
        return df.drop(columns="attributes")

    def coverage(self, framework=None, as_of=None, entity_type: str = "country") -> pd.DataFrame:
        """Per indicator: entities, first/last year, years, observations and share missing over
        the grid (all entities of ``entity_type`` in the store) x (first..last year of the indicator),
        and ``entities_last_year``: the entities observed in its last observed year (``last_year``).

        With a ``framework``: only its indicators (those without data too), with their ``domain``.
        """
        params = {"as_of": self._as_of_id(as_of), "etype": entity_type}
        latest = _LATEST.format(join="JOIN entities e ON e.entity = o.entity", where="AND e.entity_type = $etype")
        df = self.con.execute(f"""
            WITH obs AS (SELECT * FROM ({latest}) WHERE value IS NOT NULL),
                 universe AS (SELECT count(DISTINCT entity) AS n FROM obs)
            SELECT indicator, count(DISTINCT entity) AS entities, min(period) AS first_year,
                   max(period) AS last_year, count(DISTINCT period) AS years, count(*) AS observations,
                   1 - count(*) / (any_value(n) * (max(period) - min(period) + 1)) AS share_missing,
                   count(DISTINCT entity) FILTER (WHERE period = last_period) AS entities_last_year
            FROM (SELECT *, max(period) OVER (PARTITION BY indicator) AS last_period FROM obs), universe
            GROUP BY indicator ORDER BY indicator""", params).df()
        if framework is None:
            return df
        tree = framework.tree
        inds = tree.index[tree["type"] == "Indicator"]
        out = pd.DataFrame({"indicator": inds, "domain": tree.loc[inds, "parent"].to_numpy()})
        out = out.merge(df, on="indicator", how="left")
        counts = ["entities", "years", "observations", "entities_last_year"]
        out[counts] = out[counts].fillna(0).astype(int)
        out["share_missing"] = out["share_missing"].fillna(1.0)
        return out


def _entity_table(table) -> pd.DataFrame:
    """Normalise an entity attribute table: entity, name, entity_type, parent, attributes (JSON)."""
    if not isinstance(table, pd.DataFrame):
        p = Path(table)
        table = pd.read_parquet(p) if p.suffix.lower() in (".parquet", ".pq") else pd.read_csv(p)
    t = table.copy()
    t.columns = [str(c) for c in t.columns]
    if "entity" not in t.columns:
        raise ValueError(f"entity table needs an 'entity' column; has {list(t.columns)}")
    t["entity"] = t["entity"].astype(str).str.strip()
    t = t.drop_duplicates("entity").reset_index(drop=True)
    base = ["entity", "name", "entity_type", "parent"]
    out = pd.DataFrame({c: (t[c] if c in t.columns else pd.NA) for c in base})
    out["entity_type"] = out["entity_type"].fillna("country")
    bad = sorted(set(out["entity_type"]) - set(ENTITY_TYPES))
    if bad:
        raise ValueError(f"entity_type must be one of {ENTITY_TYPES}; got {bad}")
    extra = [c for c in t.columns if c not in base]
    out["attributes"] = (pd.Series(t[extra].to_json(orient="records", lines=True).splitlines(), index=t.index)
                         if extra and len(t) else pd.NA)
    return out
