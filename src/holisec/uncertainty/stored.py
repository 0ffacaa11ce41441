"""Stored uncertainty runs: a finished Monte Carlo's per-entity statistics kept in the store.

A page view must not run a Monte Carlo; it reads the latest stored run of the build it shows.
A run is keyed by the build it varies (:class:`holisec.data.builds.BuildKey`: framework hash,
recipe hash, vintage = ingest id, version, entity type, entity attributes, code hash), and
records n, seed, the spec's name and sha256, and when and by whom it was made.

Tables (append-only: a save inserts rows once, in one transaction; nothing is updated):

``uncertainty_runs``
    run_id (20 hex), created_at (UTC), created_by, build_id and the build key's columns,
    vintage label, n, seed, top_k, groups, seconds, spec_name, spec_hash, spec (JSON), periods
    (JSON), meta (JSON: :meth:`UncertaintyResult.meta`).
``uncertainty_ranks``
    run_id, entity, period, nominal_rank, median_rank, rank_q05, rank_q95, interval_width,
    p_top_k, mean_abs_shift, nominal_score, score_q05, score_median, score_q95, share_ranked
    (:meth:`UncertaintyResult.summary`; ranks 1 = highest risk, scores 0-100 higher = more risk).
``uncertainty_scores``
    run_id, entity, period, code, nominal, q05, median, q95
    (:meth:`UncertaintyResult.domain_intervals`; cells scored in no replication and not in the
    nominal build are left out).

The 5-95% rank interval is the 5th and 95th percentile of an entity's rank over the
replications (Saisana, Saltelli & Tarantola 2005; OECD/JRC 2008, step 7).
"""
from __future__ import annotations

import hashlib
import json
import secrets
import warnings
from dataclasses import dataclass
from datetime import datetime, timezone

import duckdb
import pandas as pd

_SCHEMA = """
CREATE TABLE IF NOT EXISTS uncertainty_runs (
    run_id VARCHAR PRIMARY KEY, created_at TIMESTAMP NOT NULL, created_by VARCHAR, build_id VARCHAR NOT NULL,
    framework_id VARCHAR NOT NULL, framework_hash VARCHAR NOT NULL, recipe_name VARCHAR, recipe_hash VARCHAR NOT NULL,
    as_of INTEGER NOT NULL, version VARCHAR NOT NULL, entity_type VARCHAR NOT NULL, entities_hash VARCHAR NOT NULL,
    code_hash VARCHAR NOT NULL, vintage VARCHAR NOT NULL, n INTEGER NOT NULL, seed BIGINT NOT NULL,
    top_k INTEGER NOT NULL, groups INTEGER NOT NULL, seconds DOUBLE, spec_name VARCHAR NOT NULL,
    spec_hash VARCHAR NOT NULL, spec VARCHAR NOT NULL, periods VARCHAR NOT NULL, meta VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS uncertainty_ranks (
    run_id VARCHAR NOT NULL, entity VARCHAR NOT NULL, period INTEGER NOT NULL, nominal_rank DOUBLE,
    median_rank DOUBLE, rank_q05 DOUBLE, rank_q95 DOUBLE, interval_width DOUBLE, p_top_k DOUBLE,
    mean_abs_shift DOUBLE, nominal_score DOUBLE, score_q05 DOUBLE, score_median DOUBLE, score_q95 DOUBLE,
    share_ranked DOUBLE);
CREATE TABLE IF NOT EXISTS uncertainty_scores (
    run_id VARCHAR NOT NULL, entity VARCHAR NOT NULL, period INTEGER NOT NULL, code VARCHAR NOT NULL,
    nominal DOUBLE, q05 DOUBLE, median DOUBLE, q95 DOUBLE);
"""
RANK_COLUMNS = ["entity", "period", "nominal_rank", "median_rank", "rank_q05", "rank_q95", "interval_width",
                "p_top_k", "mean_abs_shift", "nominal_score", "score_q05", "score_median", "score_q95",
                "share_ranked"]
SCORE_COLUMNS = ["entity", "period", "code", "nominal", "q05", "median", "q95"]
_KEY_COLUMNS = ["framework_id", "framework_hash", "recipe_name", "recipe_hash", "as_of", "version", "entity_type",
                "entities_hash", "code_hash"]


class StoredRunError(ValueError):
    """An uncertainty result cannot be stored under the given build key."""


def spec_hash(spec) -> str:
    """sha256 of the spec's canonical JSON (sorted keys)."""
    text = json.dumps(spec.model_dump(mode="json", exclude_none=True), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class StoredRun:
    """One stored run: its record (``meta``), per-entity rank statistics and per-code score bands."""

    run_id: str
    meta: dict
    ranks: pd.DataFrame
    scores: pd.DataFrame

    @property
    def periods(self) -> list[int]:
        return [int(p) for p in self.meta["periods"]]

    def describe(self) -> str:
        """What the intervals are, in one sentence."""
        m = self.meta
        return (f"5-95% rank interval over {m['n']} replications of the choices in spec {m['spec_name']!r} "
                f"(sha256 {m['spec_hash'][:12]}, seed {m['seed']}, run {self.run_id} of "
                f"{str(m['created_at'])[:16].replace('T', ' ')} UTC, periods {', '.join(map(str, self.periods))}); "
                f"rank 1 = highest risk; P(top {m['top_k']}) = share of replications ranked in the {m['top_k']} "
                f"riskiest; score band = 5-95% of the 0-100 index score (higher = more risk)")


def _tables(con) -> set[str]:
    return {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}


def _check(res, build_key) -> None:
    from holisec.data.builds import framework_hash

    nominal = res.nominal
    got = {"recipe_hash": nominal.recipe.hash, "framework_hash": framework_hash(nominal.framework),
           "framework_id": nominal.framework.id}
    wrong = {k: (v, getattr(build_key, k)) for k, v in got.items() if v != getattr(build_key, k)}
    if wrong:
        detail = "; ".join(f"{k}: result {a[:16]!r} vs key {b[:16]!r}" for k, (a, b) in wrong.items())
        raise StoredRunError(f"the uncertainty result was not run on the build of this key ({detail}); "
                             "compute the key from the same framework and recipe (holisec.data.builds.build_key)")


def save_run(store, res, *, build_key, spec_name: str, created_by: str | None = None) -> str:
    """Append the statistics of ``res`` (an :class:`~holisec.uncertainty.UncertaintyResult`) under
    ``build_key`` in one transaction; returns the new run id. Every save is a new run; no row is
    ever changed."""
    _check(res, build_key)
    if not spec_name:
        raise StoredRunError("spec_name is empty: give the spec's built-in name or file name")
    with warnings.catch_warnings():
        # an entity never ranked, or a code never scored, in any replication has no quantile (NaN):
        # its rank row says so (share_ranked 0); its empty score bands are not stored
        warnings.filterwarnings("ignore", "All-NaN slice encountered", RuntimeWarning)
        summary = pd.concat([res.summary(p) for p in res.periods], ignore_index=True)
        bands = pd.concat([res.domain_intervals(p) for p in res.periods], ignore_index=True)[SCORE_COLUMNS]
    summary = summary.rename(columns={f"p_top_{res.spec.top_k}": "p_top_k"})[RANK_COLUMNS]
    bands = bands.dropna(subset=["nominal", "q05", "median", "q95"], how="all").reset_index(drop=True)
    for df in (summary, bands):
        df["entity"] = df["entity"].astype(str)
        df["period"] = df["period"].astype("int32")
    bands["code"] = bands["code"].astype(str)
    run_id = secrets.token_hex(10)
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    row = [run_id, now, created_by, build_key.build_id, *[getattr(build_key, c) for c in _KEY_COLUMNS],
           res.nominal.vintage, res.n, int(res.seed), res.spec.top_k, len(res.reps.keys), float(res.seconds),
           spec_name, spec_hash(res.spec), res.spec.model_dump_json(exclude_none=True), json.dumps(res.periods),
           json.dumps(res.meta(), default=str)]
    con = store.con
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(_SCHEMA)
        con.execute(f"INSERT INTO uncertainty_runs VALUES ({', '.join('?' * len(row))})", row)
        for table, df in (("uncertainty_ranks", summary), ("uncertainty_scores", bands)):
            con.register("_unc_rows", df)
            try:
                con.execute(f"INSERT INTO {table} SELECT $r, * FROM _unc_rows", {"r": run_id})
            finally:
                con.unregister("_unc_rows")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return run_id


def list_runs(store, build_key=None) -> pd.DataFrame:
    """The stored runs (of ``build_key`` if given), newest first, without their JSON columns."""
    con = store.con
    cols = ["run_id", "created_at", "created_by", "build_id", "recipe_name", "vintage", "n", "seed", "spec_name",
            "spec_hash", "periods"]
    if "uncertainty_runs" not in _tables(con):
        return pd.DataFrame(columns=cols)
    where, params = ("WHERE build_id = ?", [build_key.build_id]) if build_key is not None else ("", [])
    return con.execute(f"SELECT {', '.join(cols)} FROM uncertainty_runs {where} "
                       "ORDER BY created_at DESC, rowid DESC", params).df()


def load_run(store, run_id: str) -> StoredRun | None:
    """The stored run ``run_id``, or None."""
    con = store.con
    if "uncertainty_runs" not in _tables(con):
        return None
    cur = con.execute("SELECT * FROM uncertainty_runs WHERE run_id = ?", [run_id])
    row = cur.fetchone()
    if row is None:
        return None
    meta = dict(zip([d[0] for d in cur.description], row))
    meta["periods"] = json.loads(meta["periods"])
    meta["spec"] = json.loads(meta["spec"])
    meta["meta"] = json.loads(meta["meta"])
    ranks = con.execute(f"SELECT {', '.join(RANK_COLUMNS)} FROM uncertainty_ranks WHERE run_id = ? "
                        "ORDER BY period, median_rank, nominal_rank, entity", [run_id]).df()
    scores = con.execute(f"SELECT {', '.join(SCORE_COLUMNS)} FROM uncertainty_scores WHERE run_id = ? "
                         "ORDER BY period, entity, code", [run_id]).df()
    return StoredRun(run_id, meta, ranks, scores)


def latest_run(store, build_key, *, spec_name: str | None = None) -> StoredRun | None:
    """The newest stored run of the build ``build_key`` (and spec ``spec_name``), or None."""
    con = store.con
    if "uncertainty_runs" not in _tables(con):
        return None
    sql = "SELECT run_id FROM uncertainty_runs WHERE build_id = ?"
    params = [build_key.build_id]
    if spec_name is not None:
        sql += " AND spec_name = ?"
        params.append(spec_name)
    try:
        got = con.execute(sql + " ORDER BY created_at DESC, rowid DESC LIMIT 1", params).fetchone()
    except duckdb.CatalogException:  # pragma: no cover - dropped between the two queries
        return None
    return None if got is None else load_run(store, got[0])


def build_key_for(store, framework=None, recipe=None, *, as_of=None, entity_type: str = "country"):
    """The :class:`~holisec.data.builds.BuildKey` of a build on the store's data (as
    :func:`holisec.index.stored_build` keys it): framework/recipe names, paths or objects."""
    from holisec.data.builds import build_key
    from holisec.framework import load_framework
    from holisec.pipeline import default_recipe
    from holisec.pipeline.build import _coerce_recipe

    fw = load_framework(framework or ("subnational" if entity_type == "region" else "holistic"))
    rec = _coerce_recipe(recipe if recipe is not None else default_recipe())
    return build_key(store, fw, rec, store._as_of_id(as_of), entity_type)
