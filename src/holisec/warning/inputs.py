"""Early-warning outcomes and predictors in the store, with vintages (real-time data).

The outcome and predictor tables (``outcomes.load_outcomes``/``load_predictors``: country-year,
keyed ``iso3, year``) are stored append-only in the table ``warning_inputs`` (kind, iso3, year,
variable, value, ingest_id). Each load is one ingest of the store (a row of ``ingests`` with
source ``ew_outcomes`` or ``ew_predictors``), so the early-warning inputs share the ingest ids
(vintages) of the index data: ``--as-of N`` reads index data, predictors and outcomes as they
were after ingest N. A load appends only new or changed values; a cell left empty whose key has
a stored value appends NULL (withdrawn); keys absent from the loaded table are left alone
(the rule of :meth:`holisec.data.store.Store.ingest`). The same table loaded twice is a no-op.

This is the ALFRED real-time model: a value's ``realtime_start`` is the time of the ingest that
appended it, its ``realtime_end`` that of the next ingest revising the key.

References
----------
Croushore & Stark (2001) J Econometrics 105(1); Federal Reserve Bank of St. Louis, ALFRED
(ArchivaL Federal Reserve Economic Data), "Real-time periods".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from holisec.data.store import _sha256_frame

TABLE = "warning_inputs"
SOURCES = {"outcomes": "ew_outcomes", "predictors": "ew_predictors"}
KEY = ["iso3", "year"]
_SQL = (f"CREATE TABLE IF NOT EXISTS {TABLE} (kind VARCHAR NOT NULL, iso3 VARCHAR NOT NULL, year INTEGER NOT NULL, "
        "variable VARCHAR NOT NULL, value DOUBLE, ingest_id INTEGER NOT NULL)")
_LATEST = f"""
SELECT iso3, year, variable, value FROM {TABLE}
WHERE kind = $kind AND ingest_id <= $as_of
QUALIFY row_number() OVER (PARTITION BY iso3, year, variable ORDER BY ingest_id DESC) = 1
"""


class InputsError(ValueError):
    """The store has no early-warning outcomes/predictors as of the vintage asked for."""


@dataclass
class InputsReport:
    """What one :func:`load_inputs` did (``skipped``: the same table was loaded before)."""

    kind: str
    ingest_id: int
    rows_read: int
    values_added: int
    skipped: bool = False

    def __str__(self) -> str:
        if self.skipped:
            return f"{SOURCES[self.kind]}: unchanged (already ingest #{self.ingest_id}); nothing added"
        return (f"{SOURCES[self.kind]}: ingest #{self.ingest_id}: {self.values_added} values added from "
                f"{self.rows_read} country-year rows")


def _has_table(con) -> bool:
    return bool(con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?",
                            [TABLE]).fetchone()[0])


def _long(df: pd.DataFrame) -> pd.DataFrame:
    """``iso3, year, variable, value`` of a wide country-year table (NaN kept)."""
    missing = set(KEY) - set(df.columns)
    if missing:
        raise ValueError(f"early-warning table lacks columns {sorted(missing)}; it needs iso3, year and one "
                         "numeric column per variable")
    if df.duplicated(KEY).any():
        first = df.loc[df.duplicated(KEY, keep=False), KEY].iloc[0].tolist()
        raise ValueError(f"early-warning table has duplicated (iso3, year) rows, first {first}")
    cols = [c for c in df.columns if c not in KEY]
    bad = [c for c in cols if not pd.api.types.is_numeric_dtype(df[c])]
    if bad:
        raise ValueError(f"early-warning table columns {bad} are not numeric; store only numeric columns")
    long = df.melt(id_vars=KEY, value_vars=cols, var_name="variable", value_name="value")
    return long.astype({"iso3": str, "year": "int64", "variable": str, "value": "float64"})


def load_inputs(store, kind: str, table: pd.DataFrame | None = None, file: str = "", note: str = "") -> InputsReport:
    """Append ``table`` (default: the shipped one) as a new vintage of the early-warning ``kind``
    (``outcomes`` | ``predictors``) in one transaction; see the module docstring for the rule."""
    from holisec.warning.outcomes import load_outcomes, load_predictors, shipped_dir

    if kind not in SOURCES:
        raise ValueError(f"kind must be one of {sorted(SOURCES)}, not {kind!r}")
    if table is None:
        table = load_outcomes() if kind == "outcomes" else load_predictors()
        file = file or str(shipped_dir() / f"{kind}.parquet")
    table = table.sort_values(KEY, ignore_index=True)
    sha = _sha256_frame(table)
    con, source = store.con, SOURCES[kind]
    done = con.execute("SELECT min(ingest_id) FROM ingests WHERE sha256 = ? AND source = ?", [sha, source]).fetchone()[0]
    if done is not None:
        return InputsReport(kind, int(done), len(table), 0, skipped=True)
    new = _long(table)
    con.execute(_SQL)
    con.begin()
    try:
        iid = store._next_id()
        con.execute("INSERT INTO ingests VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?)",
                    [iid, datetime.now(timezone.utc).replace(tzinfo=None), source, file or "<DataFrame>", sha,
                     len(table), "early-warning table", note])
        con.register("_new_ew", new)
        try:
            n = con.execute(f"""
                INSERT INTO {TABLE}
                SELECT $kind, n.iso3, n.year, n.variable, n.value, $iid FROM _new_ew n
                LEFT JOIN ({_LATEST}) o ON o.iso3 = n.iso3 AND o.year = n.year AND o.variable = n.variable
                WHERE (n.value IS NOT NULL AND (o.value IS NULL OR o.value <> n.value))
                   OR (n.value IS NULL AND o.value IS NOT NULL)""",
                            {"kind": kind, "iid": iid, "as_of": iid}).fetchone()[0]
        finally:
            con.unregister("_new_ew")
        con.execute("UPDATE ingests SET rows = ? WHERE ingest_id = ?", [n, iid])
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return InputsReport(kind, iid, len(table), int(n))


def missing_shipped(store) -> list[str]:
    """Kinds whose shipped table (as in the installed package) is not yet a vintage of the store."""
    from holisec.warning.outcomes import load_outcomes, load_predictors

    out = []
    for kind, read in (("outcomes", load_outcomes), ("predictors", load_predictors)):
        sha = _sha256_frame(read().sort_values(KEY, ignore_index=True))
        if not store.con.execute("SELECT count(*) FROM ingests WHERE sha256 = ? AND source = ?",
                                 [sha, SOURCES[kind]]).fetchone()[0]:
            out.append(kind)
    return out


def ensure_inputs(store) -> list[InputsReport]:
    """Load the shipped outcome/predictor tables that are not yet in ``store`` (each as a new
    vintage, so a package with revised tables appends a revision); a no-op otherwise."""
    return [load_inputs(store, k) for k in missing_shipped(store)]


def first_ingest(store, kind: str) -> int | None:
    """The ingest id that first loaded ``kind`` into ``store`` (None if never)."""
    got = store.con.execute("SELECT min(ingest_id) FROM ingests WHERE source = ?", [SOURCES[kind]]).fetchone()[0]
    return None if got is None else int(got)


def inputs_as_of(store, kind: str, as_of=None) -> pd.DataFrame:
    """The wide ``kind`` table (``iso3, year, <variables>``) as of a vintage (ingest id, timestamp,
    None = latest; :meth:`Store._as_of_id` resolves it and lists the vintages if unknown). No data
    loaded by then is an :class:`InputsError` saying which ingest first has them."""
    iid = store._as_of_id(as_of)
    first = first_ingest(store, kind)
    if first is None or first > iid or not _has_table(store.con):
        when = (f"they were first loaded in ingest #{first}; choose --as-of {first} or later" if first is not None
                else "they were never loaded; run `holisec warn forecast` or `warn evaluate` without --as-of once "
                     "(it loads the shipped tables), or load a table with `holisec warn load`")
        raise InputsError(f"as of ingest #{iid} the store {store.path} has no early-warning {kind}: {when}")
    long = store.con.execute(_LATEST, {"kind": kind, "as_of": iid}).df()
    long = long[long["value"].notna()]
    wide = long.pivot_table(index=KEY, columns="variable", values="value", aggfunc="first").reset_index()
    wide.columns.name = None
    wide = wide.astype({"year": "int64"}).sort_values(KEY, ignore_index=True)
    if "gwcode" in wide and wide["gwcode"].notna().all():
        wide["gwcode"] = wide["gwcode"].astype("int64")
    return wide[_column_order(kind, list(wide.columns))]


def _column_order(kind: str, cols: list[str]) -> list[str]:
    """The shipped table's column order, then any other columns alphabetically (so a design built
    from the store has its features in the same order as one built from the package)."""
    from holisec.warning.outcomes import shipped_dir

    import pyarrow.parquet as pq

    shipped = [c for c in pq.read_schema(shipped_dir() / f"{kind}.parquet").names if c in cols]
    return shipped + sorted(set(cols) - set(shipped))


def vintage_of(store, as_of=None) -> tuple[int, str]:
    """(ingest id, ``ingest N @ time``) that ``as_of`` resolves to."""
    from holisec.index import vintage_label

    return store._as_of_id(as_of), vintage_label(store, as_of)


def read_table(path: str | Path) -> pd.DataFrame:
    """A replacement outcome/predictor table from parquet or CSV (wide; long outcomes pivoted)."""
    from holisec.warning.outcomes import load_outcomes

    p = Path(path)
    df = pd.read_parquet(p) if p.suffix.lower() == ".parquet" else pd.read_csv(p)
    if {"outcome", "value"} <= set(df.columns):
        df = load_outcomes(p)
    return df.astype({"year": "int64"}).replace({None: np.nan})
