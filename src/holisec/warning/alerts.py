"""Alert levels for indicators, domains and the index, and the alert register.

Two kinds of trigger on scores (higher = more risk):

- *bottom line*: the score is at or above an absolute threshold (``amber``/``red``) taken
  from a dict or a YAML/JSON/CSV file (``code, amber, red``; ``*`` = default for every code);
- *relative*: the change on the previous period is unusual for the entity itself (z-score of
  the change against the entity's own earlier changes, ``z_amber``/``z_red``), or the level is
  high among peers in the same period (percentile ``pct_amber``/``pct_red``).

The level is the worst trigger (green < amber < red); the explanation names every trigger.
``save_alerts`` appends the register to the DuckDB table ``alerts`` with the build id
(history is kept, nothing is overwritten).

References
----------
OECD/JRC (2008) Handbook on Constructing Composite Indicators; Page (1954) Biometrika 41
(deviations from own history); Early Warning Project (2025) (relative ranking of risk).
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

LEVELS = ("green", "amber", "red")
DEFAULT_RULES = {"amber": 66.7, "red": 80.0, "z_amber": 2.0, "z_red": 3.0,
                 "pct_amber": 0.90, "pct_red": 0.97, "min_history": 5}
COLUMNS = ["entity", "period", "code", "level", "trigger", "explanation", "value", "change",
           "z_change", "peer_pct"]


def load_thresholds(path: str | Path) -> dict[str, dict[str, float]]:
    """Bottom-line thresholds ``{code: {"amber": a, "red": r}}`` from YAML, JSON or CSV."""
    p = Path(path)
    if p.suffix in (".yaml", ".yml"):
        import yaml

        return yaml.safe_load(p.read_text())
    if p.suffix == ".json":
        return json.loads(p.read_text())
    t = pd.read_csv(p)
    return {r.code: {"amber": r.amber, "red": r.red} for r in t.itertuples()}


def _long(scores: xr.DataArray | pd.DataFrame) -> pd.DataFrame:
    if isinstance(scores, xr.DataArray):
        d = scores.transpose("entity", "period", "code").to_series().rename("value").reset_index()
    else:
        d = scores.rename(columns={"indicator": "code"})[["entity", "period", "code", "value"]]
    return d.dropna(subset=["value"]).sort_values(["code", "entity", "period"], ignore_index=True)


def relative_stats(scores: xr.DataArray | pd.DataFrame) -> pd.DataFrame:
    """Per (entity, code, period): value, change on the previous period, z-score of that change
    against the entity's own earlier changes (expanding, no look-ahead), and peer percentile."""
    d = _long(scores)
    g = d.groupby(["code", "entity"], sort=False)
    prev_period = g["period"].shift()
    d["change"] = (d["value"] - g["value"].shift()).where(prev_period == d["period"] - 1)
    c = d["change"].fillna(0.0)
    n = d["change"].notna().astype(float)
    key = [d["code"], d["entity"]]
    cn, cs, cq = n.groupby(key).cumsum() - n, c.groupby(key).cumsum() - c, (c * c).groupby(key).cumsum() - c * c
    mean = cs / cn.where(cn > 0)
    var = (cq - cn * mean**2) / (cn - 1).where(cn > 1)
    d["n_history"] = cn
    d["z_change"] = (d["change"] - mean) / np.sqrt(var.where(var > 0))
    d["peer_pct"] = d.groupby(["code", "period"])["value"].rank(pct=True)
    return d


def alert_register(scores: xr.DataArray | pd.DataFrame, thresholds: dict | str | Path | None = None,
                   year: int | None = None, codes: list[str] | None = None, rules: dict | None = None,
                   breaks: pd.DataFrame | None = None) -> pd.DataFrame:
    """The alert register: one row per (entity, period, code) with level, trigger, explanation.

    ``thresholds``: ``{code: {"amber", "red"}}`` (``"*"`` = default) or a file; ``year``: keep one
    period; ``breaks``: optional trend breaks (``changepoints.trend_breaks``) added as amber triggers.
    """
    r = DEFAULT_RULES | (rules or {})
    th = load_thresholds(thresholds) if isinstance(thresholds, (str, Path)) else (thresholds or {})
    d = relative_stats(scores)
    if codes is not None:
        d = d[d["code"].isin(codes)]
    if year is not None:
        d = d[d["period"] == year]
    d = d.reset_index(drop=True)
    default = th.get("*", {"amber": r["amber"], "red": r["red"]})
    uc = d["code"].unique()
    amb = d["code"].map({c: float(th.get(c, default)["amber"]) for c in uc}).astype(float)
    red = d["code"].map({c: float(th.get(c, default)["red"]) for c in uc}).astype(float)
    enough = d["n_history"] >= r["min_history"]
    z = d["z_change"].where(enough)
    conds = {  # name -> (level, mask, text)
        "bottom_line_red": (2, d["value"] >= red, "score {v:.1f} >= red line {t:.1f}"),
        "bottom_line_amber": (1, (d["value"] >= amb) & (d["value"] < red), "score {v:.1f} >= amber line {t:.1f}"),
        "change_z_red": (2, z >= r["z_red"], "rise of {c:+.1f} is {z:.1f} SD above own history"),
        "change_z_amber": (1, (z >= r["z_amber"]) & (z < r["z_red"]), "rise of {c:+.1f} is {z:.1f} SD above own history"),
        "peer_pct_red": (2, d["peer_pct"] >= r["pct_red"], "among top {p:.0%} of peers"),
        "peer_pct_amber": (1, (d["peer_pct"] >= r["pct_amber"]) & (d["peer_pct"] < r["pct_red"]), "among top {p:.0%} of peers"),
    }
    if breaks is not None and len(breaks):
        b = breaks[breaks["size"] > 0][["entity", "code", "period"]].drop_duplicates().assign(_b=True)
        hit = d.merge(b, on=["entity", "code", "period"], how="left")["_b"].fillna(False).to_numpy(bool)
        conds["trend_break"] = (1, pd.Series(hit, index=d.index), "upward trend break")
    level = np.zeros(len(d), dtype=int)
    trig = pd.Series("", index=d.index, dtype=object)
    expl = pd.Series("", index=d.index, dtype=object)
    for name, (lv, mask, text) in conds.items():
        m = mask.fillna(False).to_numpy(bool)
        if not m.any():
            continue
        level = np.where(m, np.maximum(level, lv), level)
        sub = d[m]
        t = red[m] if name.endswith("red") else amb[m]
        msg = [text.format(v=v, t=tt, c=c if c == c else 0.0, z=zz if zz == zz else 0.0, p=1 - p)
               for v, tt, c, zz, p in zip(sub["value"], t, sub["change"], sub["z_change"], sub["peer_pct"])]
        trig[m] = (trig[m] + "," + name).str.lstrip(",")
        expl[m] = (expl[m] + "; " + pd.Series(msg, index=sub.index)).str.lstrip("; ")
    d["level"] = np.array(LEVELS)[level]
    d["trigger"] = trig.replace("", "none")
    d["explanation"] = expl.replace("", "no trigger")
    return d[COLUMNS].sort_values(["period", "level", "entity", "code"], ascending=[True, False, True, True],
                                  ignore_index=True)


def _connection(store):
    return getattr(store, "con", store)


def save_alerts(store, df: pd.DataFrame, build_id: str) -> int:
    """Append ``df`` to the DuckDB table ``alerts`` (created if absent) with ``build_id`` and a
    UTC timestamp; earlier rows are never changed. ``store``: a ``Store`` (uses ``store.con``)
    or a ``duckdb.DuckDBPyConnection``. Returns the number of rows appended."""
    con = _connection(store)
    con.execute("""CREATE TABLE IF NOT EXISTS alerts (
        build_id VARCHAR, created_at TIMESTAMP, entity VARCHAR, period INTEGER, code VARCHAR,
        level VARCHAR, trigger VARCHAR, explanation VARCHAR, value DOUBLE, change DOUBLE,
        z_change DOUBLE, peer_pct DOUBLE)""")
    t = df.reindex(columns=COLUMNS).copy()
    if "code" not in df:
        t["code"] = ""
    t.insert(0, "created_at", datetime.now(timezone.utc).replace(tzinfo=None))
    t.insert(0, "build_id", str(build_id))
    t = t.astype({"period": "int64", "value": float, "change": float, "z_change": float, "peer_pct": float})
    con.register("_alerts_new", t)
    try:
        con.execute("INSERT INTO alerts SELECT * FROM _alerts_new")
    finally:
        con.unregister("_alerts_new")
    return len(t)
