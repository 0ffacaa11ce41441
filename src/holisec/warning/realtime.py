"""Real-time forecasting: inputs of one store vintage, stamped forecasts, and their later scoring.

- ``vintage_inputs``: index data, outcomes and predictors as of the same store vintage;
- ``model_version``: a stable hash of the model configuration and the forecasting code;
- ``score_saved``: scores stored forecasts whose target years have outcomes loaded by now,
  appending per-forecast scores to ``forecast_scores`` and a summary per saved set to
  ``forecast_score_summary`` (both append-only); forecasts still waiting are ``pending``.

Per forecast (probability p, realised 0/1 outcome y): Brier = (p - y)^2; log loss =
-(y ln p + (1 - y) ln(1 - p)) with p clipped to [1e-15, 1 - 1e-15]; ``result`` = hit (flagged,
event), miss (not flagged, event), false_alarm (flagged, no event), correct_negative, where
flagged = p >= ``threshold``. A forecast is scored once, and again only when a revised outcome
(a later vintage) changes its outcome. Summary AUPR = average precision (only with at least one event
and one non-event).

References
----------
Brier (1950) MWR 78(1); Croushore & Stark (2001) J Econometrics 105(1) (real-time vintages);
ALFRED (realtime_start/realtime_end); Hegre et al. (2019) ViEWS, JPR 56(2).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from holisec.warning import metrics as mt
from holisec.warning.inputs import inputs_as_of

SCORE_SQL = {"scored_at": "TIMESTAMP", "build_id": "VARCHAR", "forecast_created_at": "TIMESTAMP",
             "entity": "VARCHAR", "target": "VARCHAR", "origin": "INTEGER", "target_years": "VARCHAR",
             "model": "VARCHAR", "probability": "DOUBLE", "outcome": "DOUBLE", "brier": "DOUBLE",
             "log_loss": "DOUBLE", "threshold": "DOUBLE", "result": "VARCHAR", "outcomes_vintage": "INTEGER",
             "forecast_vintage": "VARCHAR"}
SUMMARY_SQL = {"scored_at": "TIMESTAMP", "build_id": "VARCHAR", "target": "VARCHAR", "model": "VARCHAR",
               "origin": "INTEGER", "n": "INTEGER", "events": "INTEGER", "brier": "DOUBLE", "log_loss": "DOUBLE",
               "aupr": "DOUBLE", "hits": "INTEGER", "misses": "INTEGER", "false_alarms": "INTEGER",
               "threshold": "DOUBLE", "outcomes_vintage": "INTEGER", "pending": "INTEGER"}
_CODE = ("forecast.py", "models.py", "features.py", "publication.py", "outcomes.py", "indexscores.py", "evaluate.py")
EPS = 1e-15


@dataclass
class VintageInputs:
    """Outcomes, predictors and the per-origin index of one store vintage (``ingest_id``, ``label``)."""

    outcomes: pd.DataFrame
    predictors: pd.DataFrame
    index: object
    ingest_id: int
    label: str
    notes: list[str] = field(default_factory=list)


def vintage_inputs(store, as_of=None, index: bool = True) -> VintageInputs:
    """Index data, outcomes and predictors as of the vintage ``as_of`` (ingest id or timestamp;
    None = latest). An unknown vintage is a ``VintageError`` listing the store's vintages; a
    vintage before the early-warning tables were loaded is an ``InputsError``."""
    from holisec.index import vintage_label
    from holisec.warning.indexscores import OriginIndex

    iid = store._as_of_id(as_of)
    o = inputs_as_of(store, "outcomes", iid)
    p = inputs_as_of(store, "predictors", iid)
    ix = OriginIndex.from_store(store, as_of=iid) if index else None
    return VintageInputs(o, p, ix, iid, vintage_label(store, iid))


def model_version(spec, target: str, model: str) -> str:
    """``m-<12 hex>``: sha256 of the target, model name, hyperparameters (``Spec``) and the bytes of
    the forecasting code (the files that compute a forecast); equal iff a refit would be equal."""
    root = Path(__file__).resolve().parent
    h = hashlib.sha256(json.dumps({"target": target, "model": model, "spec": spec.__dict__},
                                  sort_keys=True, default=str).encode())
    for f in _CODE:
        h.update(f.encode())
        h.update((root / f).read_bytes())
    return "m-" + h.hexdigest()[:12]


def _table(con, name: str) -> pd.DataFrame | None:
    if not con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]).fetchone()[0]:
        return None
    return con.execute(f"SELECT * FROM {name}").df()


def forecast_outcomes(forecasts: pd.DataFrame, outcomes: pd.DataFrame) -> pd.Series:
    """The realised outcome (0/1, NaN = not loaded yet) of each stored forecast row: the target's
    ``y`` (``outcomes.make_target``) of the forecast's entity at its origin."""
    from holisec.warning.outcomes import make_target

    y = pd.Series(np.nan, index=forecasts.index)
    for tg, rows in forecasts.groupby("target"):
        t = make_target(outcomes, tg).set_index(["iso3", "year"])["y"]
        key = pd.MultiIndex.from_arrays([rows["entity"].astype(str), rows["origin"].astype(int)])
        y.loc[rows.index] = t.reindex(key).to_numpy()
    return y


def score_rows(p: np.ndarray, y: np.ndarray, threshold: float) -> pd.DataFrame:
    """Brier, log loss and hit/miss of each (probability, outcome) pair (module docstring)."""
    p, y = np.asarray(p, float), np.asarray(y, float)
    q = np.clip(p, EPS, 1 - EPS)
    flag = p >= threshold
    result = np.select([flag & (y == 1), ~flag & (y == 1), flag & (y == 0)], ["hit", "miss", "false_alarm"],
                       "correct_negative")
    return pd.DataFrame({"brier": (p - y) ** 2, "log_loss": -(y * np.log(q) + (1 - y) * np.log(1 - q)),
                         "result": result})


def score_saved(store, build_id: str | None = None, threshold: float = 0.1) -> dict:
    """Score the stored forecasts (of ``build_id``, or all) whose outcomes are loaded in the store's
    latest vintage; append the new scores and one summary row per (build id, target, model, origin).

    A forecast is scored again only if a later outcomes vintage revised its outcome (the table then
    keeps both scores, each with its ``outcomes_vintage``). Returns ``scored`` (rows
    appended now), ``summary`` (appended now), ``pending`` (forecasts whose outcome is not loaded)
    and ``outcomes_vintage``."""
    from holisec.warning.inputs import SOURCES
    from holisec.warning.register import SCORE_TABLES, _append_all

    con = store.con
    fc = _table(con, "forecasts")
    if fc is None or fc.empty:
        raise ValueError("the store has no saved forecasts; save some with `holisec warn forecast ... --save ID`")
    if build_id is not None:
        if build_id not in set(fc["build_id"]):
            raise ValueError(f"no saved forecasts with id {build_id!r}; saved ids: {sorted(set(fc['build_id']))}")
        fc = fc[fc["build_id"] == build_id]
    ov = con.execute("SELECT max(ingest_id) FROM ingests WHERE source = ?", [SOURCES["outcomes"]]).fetchone()[0]
    if ov is None:
        raise ValueError("the store has no early-warning outcomes loaded; run `holisec warn forecast` once")
    fc = fc.assign(outcome=forecast_outcomes(fc, inputs_as_of(store, "outcomes")))
    pending = fc[fc["outcome"].isna()]
    ready = fc[fc["outcome"].notna()]
    done = _table(con, "forecast_scores")
    if done is not None and len(ready):
        key = ["build_id", "entity", "target", "origin", "model"]
        last = done.sort_values(["outcomes_vintage", "scored_at"]).groupby(key, as_index=False).tail(1)
        ready = ready.merge(last[key + ["outcome"]].rename(columns={"outcome": "_scored"}), how="left", on=key)
        ready = ready[ready["_scored"].isna() | (ready["_scored"] != ready["outcome"])].drop(columns="_scored")
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    s = score_rows(ready["probability"].to_numpy(), ready["outcome"].to_numpy(), threshold)
    scored = pd.DataFrame({"scored_at": now, "build_id": ready["build_id"].to_numpy(),
                           "forecast_created_at": ready["created_at"].to_numpy(), "entity": ready["entity"].to_numpy(),
                           "target": ready["target"].to_numpy(), "origin": ready["origin"].astype(int).to_numpy(),
                           "target_years": ready["target_years"].astype(str).to_numpy(),
                           "model": ready["model"].to_numpy(), "probability": ready["probability"].to_numpy(),
                           "outcome": ready["outcome"].to_numpy(), **{c: s[c].to_numpy() for c in s},
                           "threshold": float(threshold), "outcomes_vintage": int(ov),
                           "forecast_vintage": (ready["vintage"] if "vintage" in ready else pd.Series(
                               [None] * len(ready))).to_numpy()})
    summary = summarise(scored, pending)
    if len(scored):
        _append_all(con, [(SCORE_TABLES[0], SCORE_SQL, scored), (SCORE_TABLES[1], SUMMARY_SQL, summary)])
    return {"scored": scored, "summary": summary, "pending": pending.drop(columns="outcome"),
            "outcomes_vintage": int(ov)}


def summarise(scored: pd.DataFrame, pending: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per (build id, target, model, origin) of ``scored``: n, events, mean Brier and log
    loss, AUPR (NaN unless both classes occur), hits, misses, false alarms, pending rows."""
    cols = list(SUMMARY_SQL)
    if scored.empty:
        return pd.DataFrame(columns=cols)
    keys = ["build_id", "target", "model", "origin"]
    rec = []
    for k, g in scored.groupby(keys):
        y, p = g["outcome"].to_numpy(), g["probability"].to_numpy()
        n_pend = 0 if pending is None or pending.empty else int(
            (pending[keys].astype(str).agg("|".join, axis=1) == "|".join(map(str, k))).sum())
        rec.append(dict(zip(keys, k)) | {
            "scored_at": g["scored_at"].iloc[0], "n": len(g), "events": int(y.sum()), "brier": float(g["brier"].mean()),
            "log_loss": float(g["log_loss"].mean()),
            "aupr": float(mt.average_precision(y, p)) if 0 < y.sum() < len(y) else np.nan,
            "hits": int((g["result"] == "hit").sum()), "misses": int((g["result"] == "miss").sum()),
            "false_alarms": int((g["result"] == "false_alarm").sum()), "threshold": float(g["threshold"].iloc[0]),
            "outcomes_vintage": int(g["outcomes_vintage"].iloc[0]), "pending": n_pend})
    return pd.DataFrame(rec)[cols]
