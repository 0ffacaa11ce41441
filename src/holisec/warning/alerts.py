"""Alert levels for indicators, domains and the index, and the alert register.

Works on any scores (entity, period, code) on the 0-100 scale, higher = more risk: normalised
indicators, domains and the index alike. Two kinds of trigger:

- *bottom line*: the score is at or above an absolute threshold (``amber``/``red``) taken
  from a dict or a YAML/JSON/CSV file (``code, amber, red``; ``*`` = default for every code;
  default file ``bottom_lines.yaml`` next to this module);
- *relative*: the level is well above the entity's own recent history (``own_amber``/``own_red``
  points above the mean of its previous ``own_window`` years), the change on the previous
  period is unusual for the entity (z-score of the change against its own earlier changes,
  ``z_amber``/``z_red``), or the level is high among peers in the same period (percentile
  ``pct_amber``/``pct_red``, optionally within peer groups).

Triggers come in two families: *level* (bottom line, peer percentile: where the score is) and
*change* (own history, z of the change, trend break: where it is going). With
``combine="convergent"`` (default) the families must agree, as in convergence-of-evidence
early warning: **red** = a red signal in one family with at least an amber one in the other,
or a red bottom line that is also red among peers (extreme on an absolute and a relative
scale); **amber** = any other red signal, or amber signals in both families; a lone amber
signal stays **green** but is listed (``watch: ...``). ``combine="worst"`` takes the worst
single signal. Persistence (the store's ``alerts`` table) is in ``holisec.warning.register``.

References
----------
OECD/JRC (2008) Handbook on Constructing Composite Indicators; Page (1954) Biometrika 41
(deviations from own history); Early Warning Project (2025) (relative ranking of risk).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

LEVELS = ("green", "amber", "red")
DEFAULT_RULES = {"combine": "convergent", "amber": 66.7, "red": 80.0, "z_amber": 2.0, "z_red": 3.0,
                 "pct_amber": 0.90, "pct_red": 0.97, "min_history": 5,
                 "own_window": 5, "own_amber": 10.0, "own_red": 20.0}
COLUMNS = ["entity", "period", "code", "kind", "level", "trigger", "explanation", "value", "change",
           "z_change", "own_mean", "peer_pct"]
BOTTOM_LINES = Path(__file__).with_name("bottom_lines.yaml")


def load_thresholds(path: str | Path | None = None) -> dict[str, dict[str, float]]:
    """Bottom-line thresholds ``{code: {"amber": a, "red": r}}`` from YAML, JSON or CSV
    (default: the shipped ``bottom_lines.yaml``; ``{}`` if it is absent)."""
    p = Path(path) if path is not None else BOTTOM_LINES
    if path is None and not p.exists():
        return {}
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


def relative_stats(scores: xr.DataArray | pd.DataFrame, own_window: int = 5,
                   peers: pd.Series | None = None) -> pd.DataFrame:
    """Per (entity, code, period): value, change on the previous period, z-score of that change
    against the entity's own earlier changes (expanding, no look-ahead), mean of the entity's
    previous ``own_window`` values (>= 3 of them), and percentile among the same period's
    entities (within ``peers`` groups, entity -> group, if given)."""
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
    prev = g["value"].shift()
    d["own_mean"] = (prev.groupby(key).rolling(own_window, min_periods=3).mean()
                     .reset_index(level=[0, 1], drop=True).sort_index())
    pk = ["code", "period"] if peers is None else ["code", "period", d["entity"].map(peers).fillna("")]
    d["peer_pct"] = d.groupby(pk)["value"].rank(pct=True)
    d["peer_rank"] = d.groupby(pk)["value"].rank(ascending=False, method="min")
    d["peer_n"] = d.groupby(pk)["value"].transform("size")
    return d


def alert_register(scores: xr.DataArray | pd.DataFrame, thresholds: dict | str | Path | None = None,
                   year: int | list[int] | None = None, codes: list[str] | None = None,
                   rules: dict | None = None, breaks: pd.DataFrame | None = None,
                   kinds: dict[str, str] | None = None, peers: pd.Series | None = None) -> pd.DataFrame:
    """The alert register: one row per (entity, period, code) with level, trigger, explanation.

    ``thresholds``: ``{code: {"amber", "red"}}`` (``"*"`` = default) or a file (None = the
    shipped ``bottom_lines.yaml``); ``year``: keep these periods; ``breaks``: trend breaks
    (``changepoints.trend_breaks``), upward ones added as amber triggers; ``kinds``: code ->
    indicator/domain/index (``code_kinds``); ``peers``: entity -> peer group.
    """
    r = DEFAULT_RULES | (rules or {})
    th = thresholds if isinstance(thresholds, dict) else load_thresholds(thresholds)
    d = relative_stats(scores, int(r["own_window"]), peers)
    if codes is not None:
        d = d[d["code"].isin(codes)]
    if year is not None:
        d = d[d["period"].isin(np.atleast_1d(year))]
    d = d.reset_index(drop=True)
    d["kind"] = d["code"].map(kinds).astype(object).fillna("") if kinds else ""
    own = d["value"] - d["own_mean"]
    default = th.get("*", {"amber": r["amber"], "red": r["red"]})
    uc = d["code"].unique()
    amb = d["code"].map({c: float(th.get(c, default)["amber"]) for c in uc}).astype(float)
    red = d["code"].map({c: float(th.get(c, default)["red"]) for c in uc}).astype(float)
    enough = d["n_history"] >= r["min_history"]
    z = d["z_change"].where(enough)
    conds = {  # name -> (severity, mask, text); family from the name (see LEVEL_FAMILY)
        "bottom_line_red": (2, d["value"] >= red, "score {v:.1f} >= red line {t:.1f}"),
        "bottom_line_amber": (1, (d["value"] >= amb) & (d["value"] < red), "score {v:.1f} >= amber line {t:.1f}"),
        "own_history_red": (2, own >= r["own_red"], "score {v:.1f} is {o:+.1f} above its own {w}-year mean"),
        "own_history_amber": (1, (own >= r["own_amber"]) & (own < r["own_red"]),
                              "score {v:.1f} is {o:+.1f} above its own {w}-year mean"),
        "change_z_red": (2, z >= r["z_red"], "rise of {c:+.1f} is {z:.1f} SD above own history"),
        "change_z_amber": (1, (z >= r["z_amber"]) & (z < r["z_red"]), "rise of {c:+.1f} is {z:.1f} SD above own history"),
        "peer_pct_red": (2, d["peer_pct"] >= r["pct_red"], "ranked {k} of {n} peers"),
        "peer_pct_amber": (1, (d["peer_pct"] >= r["pct_amber"]) & (d["peer_pct"] < r["pct_red"]), "ranked {k} of {n} peers"),
    }
    if breaks is not None and len(breaks):
        b = (breaks[breaks["size"] > 0].groupby(["entity", "code", "period"])["method"]
             .agg(lambda m: "+".join(sorted(set(m)))).rename("_b").reset_index())
        hit = d[["entity", "code", "period"]].merge(b, on=["entity", "code", "period"], how="left")["_b"]
        conds["trend_break"] = (1, hit.notna(), "upward trend break ({b})")
        bmethod = hit.fillna("")
    else:
        bmethod = pd.Series("", index=d.index)
    sev = {f: np.zeros(len(d), dtype=int) for f in ("level", "change", "bottom_line", "peer_pct")}
    trig = pd.Series("", index=d.index, dtype=object)
    expl = pd.Series("", index=d.index, dtype=object)
    for name, (lv, mask, text) in conds.items():
        m = mask.fillna(False).to_numpy(bool)
        if not m.any():
            continue
        for f in ("level" if name.startswith(LEVEL_FAMILY) else "change",
                  *(p for p in ("bottom_line", "peer_pct") if name.startswith(p))):
            sev[f] = np.where(m, np.maximum(sev[f], lv), sev[f])
        sub = d[m]
        t = red[m] if name.endswith("red") else amb[m]
        msg = [text.format(v=v, t=tt, c=c if c == c else 0.0, z=zz if zz == zz else 0.0, k=int(k), n=int(n),
                           o=o if o == o else 0.0, w=int(r["own_window"]), b=bm)
               for v, tt, c, zz, k, n, o, bm in zip(sub["value"], t, sub["change"], sub["z_change"],
                                                    sub["peer_rank"], sub["peer_n"], own[m], bmethod[m])]
        trig[m] = (trig[m] + "," + name).str.lstrip(",")
        expl[m] = (expl[m] + "; " + pd.Series(msg, index=sub.index)).str.lstrip("; ")
    level = combine_levels(sev, r["combine"])
    watch = (level == 0) & (trig != "").to_numpy()
    expl[watch] = "watch: " + expl[watch]
    d["level"] = np.array(LEVELS)[level]
    d["trigger"] = trig.replace("", "none")
    d["explanation"] = expl.replace("", "no trigger")
    return d[COLUMNS].sort_values(["period", "level", "entity", "code"], ascending=[True, False, True, True],
                                  ignore_index=True)


LEVEL_FAMILY = ("bottom_line", "peer_pct")


def combine_levels(sev: dict[str, np.ndarray], combine: str = "convergent") -> np.ndarray:
    """Alert level 0/1/2 from signal severities per family (``level``, ``change``, and the two
    level signals ``bottom_line``, ``peer_pct``), by the ``convergent`` or ``worst`` rule."""
    lv, ch = sev["level"], sev["change"]
    if combine == "worst":
        return np.maximum(lv, ch)
    if combine != "convergent":
        raise ValueError(f"alert rule 'combine' must be 'convergent' or 'worst', not {combine!r}")
    red = ((lv == 2) & (ch >= 1)) | ((ch == 2) & (lv >= 1)) | ((sev["bottom_line"] == 2) & (sev["peer_pct"] == 2))
    amber = (np.maximum(lv, ch) == 2) | ((lv >= 1) & (ch >= 1))
    return np.where(red, 2, np.where(amber, 1, 0))


def code_kinds(framework) -> dict[str, str]:
    """Code -> ``indicator``, ``domain`` (intermediate groups) or ``index`` (the root)."""
    t = framework.tree
    top = t["level"].max()
    return dict(zip(t.index, np.select([t["type"] == "Indicator", t["level"] == top], ["indicator", "index"],
                                       "domain")))
