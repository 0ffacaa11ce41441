"""Alert levels for indicators, domains and the index, and the alert register.

Works on any scores (entity, period, code) on the 0-100 scale, higher = more risk: normalised
indicators, domains and the index alike. Two kinds of trigger:

- *bottom line*: the score is at or above an absolute threshold (``amber``/``red``) taken
  from a dict or a YAML/JSON/CSV file (``code, amber, red``; ``*`` = default for every code;
  default file ``bottom_lines.yaml`` next to this module);
- *relative*: the level is well above the entity's own recent history (``own_amber``/``own_red``
  points above the mean of its previous ``own_window`` years), the change on the previous
  period is unusual for the entity (z-score of the change against its own earlier changes,
  ``z_amber``/``z_red``, for a change of at least ``min_change`` points: a nearly flat series,
  e.g. one carried forward for years, has a tiny SD that would make +0.8 points "7 SD"), or the level is high among peers in the same period (percentile
  ``pct_amber``/``pct_red``, optionally within peer groups).

Triggers come in two families: *level* (bottom line, peer percentile: where the score is) and
*change* (own history, z of the change, trend break: where it is going). With
``combine="convergent"`` (default) the families must agree, as in convergence-of-evidence
early warning: **red** = a red signal in one family with at least an amber one in the other,
or a red bottom line that is also red among peers (extreme on an absolute and a relative
scale); **amber** = any other red signal, or amber signals in both families; a lone amber
signal stays **green** but is listed (``watch: ...``). ``combine="worst"`` takes the worst
single signal. Persistence (the store's ``alerts`` table) is in ``holisec.warning.register``.

*Stale* alerts: given ``staleness`` (per entity, period, code: ``carried_share``, the share of
the code's indicator values carried forward from an earlier year, and ``obs_period``), an alert
rests *mainly* on carried-forward values when ``carried_share > 0.5`` (STALE_SHARE): for an
indicator, its value is an earlier year's observation carried forward; for a domain or the
index, more than half of its indicator values are. Such rows keep their level but are marked
``stale`` and their explanation says so (e.g. "stale: the 2018 value carried forward").

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
DEFAULT_RULES = {"combine": "convergent", "amber": 66.7, "red": 80.0, "z_amber": 2.0, "z_red": 3.0, "min_change": 2.0,
                 "pct_amber": 0.90, "pct_red": 0.97, "min_history": 5,
                 "own_window": 5, "own_amber": 10.0, "own_red": 20.0}
COLUMNS = ["entity", "period", "code", "kind", "level", "trigger", "explanation", "value", "change",
           "z_change", "own_mean", "peer_pct", "stale", "carried_share", "obs_period"]
#: An alert is stale when more than this share of its indicator values are carried forward.
STALE_SHARE = 0.5
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
                   kinds: dict[str, str] | None = None, peers: pd.Series | None = None,
                   staleness: pd.DataFrame | None = None) -> pd.DataFrame:
    """The alert register: one row per (entity, period, code) with level, trigger, explanation.

    ``thresholds``: ``{code: {"amber", "red"}}`` (``"*"`` = default) or a file (None = the
    shipped ``bottom_lines.yaml``); ``year``: keep these periods; ``breaks``: trend breaks
    (``changepoints.trend_breaks``), upward ones added as amber triggers; ``kinds``: code ->
    indicator/domain/index (``code_kinds``); ``peers``: entity -> peer group; ``staleness``:
    ``entity, period, code, carried_share, obs_period`` (``holisec.pipeline.provenance``), which
    marks alerts resting mainly on carried-forward values as ``stale`` (see the module notes).
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
    z = d["z_change"].where(enough & (d["change"] >= r["min_change"]))
    pct_red, pct_amber = 100 * r["pct_red"], 100 * r["pct_amber"]
    # name -> (severity, mask, text, threshold); family from the name (see LEVEL_FAMILY). Each text
    # names the level of its own signal and the line it crossed, so a red row never reads as if
    # an amber line made it red (red signals are listed first).
    conds = {
        "bottom_line_red": (2, d["value"] >= red, "red: score {v:.1f} >= red line {t:.1f}", red),
        "bottom_line_amber": (1, (d["value"] >= amb) & (d["value"] < red),
                              "amber: score {v:.1f} >= amber line {t:.1f}", amb),
        "own_history_red": (2, own >= r["own_red"],
                            "red: score {v:.1f} is {o:+.1f} above its own {w}-year mean (red line +{t:g})", r["own_red"]),
        "own_history_amber": (1, (own >= r["own_amber"]) & (own < r["own_red"]),
                              "amber: score {v:.1f} is {o:+.1f} above its own {w}-year mean (amber line +{t:g})",
                              r["own_amber"]),
        "change_z_red": (2, z >= r["z_red"],
                         "red: change of {c:+.1f} is {z:.1f} SD above its usual change (red line {t:g} SD)", r["z_red"]),
        "change_z_amber": (1, (z >= r["z_amber"]) & (z < r["z_red"]),
                           "amber: change of {c:+.1f} is {z:.1f} SD above its usual change (amber line {t:g} SD)",
                           r["z_amber"]),
        "peer_pct_red": (2, d["peer_pct"] >= r["pct_red"],
                         "red: ranked {k} of {n} peers (red line: percentile {t:g})", pct_red),
        "peer_pct_amber": (1, (d["peer_pct"] >= r["pct_amber"]) & (d["peer_pct"] < r["pct_red"]),
                           "amber: ranked {k} of {n} peers (amber line: percentile {t:g})", pct_amber),
    }
    if breaks is not None and len(breaks):
        b = (breaks[breaks["size"] > 0].groupby(["entity", "code", "period"])["method"]
             .agg(lambda m: "+".join(sorted(set(m)))).rename("_b").reset_index())
        hit = d[["entity", "code", "period"]].merge(b, on=["entity", "code", "period"], how="left")["_b"]
        conds["trend_break"] = (1, hit.notna(), "amber: upward trend break ({b})", 0.0)
        bmethod = hit.fillna("")
    else:
        bmethod = pd.Series("", index=d.index)
    sev = {f: np.zeros(len(d), dtype=int) for f in ("level", "change", "bottom_line", "peer_pct")}
    trig = pd.Series("", index=d.index, dtype=object)
    expl = {lv: pd.Series("", index=d.index, dtype=object) for lv in (2, 1)}
    for name, (lv, mask, text, threshold) in conds.items():
        m = mask.fillna(False).to_numpy(bool)
        if not m.any():
            continue
        for f in ("level" if name.startswith(LEVEL_FAMILY) else "change",
                  *(p for p in ("bottom_line", "peer_pct") if name.startswith(p))):
            sev[f] = np.where(m, np.maximum(sev[f], lv), sev[f])
        sub = d[m]
        t = threshold[m] if isinstance(threshold, pd.Series) else np.full(int(m.sum()), float(threshold))
        msg = [text.format(v=v, t=tt, c=c if c == c else 0.0, z=zz if zz == zz else 0.0, k=int(k), n=int(n),
                           o=o if o == o else 0.0, w=int(r["own_window"]), b=bm)
               for v, tt, c, zz, k, n, o, bm in zip(sub["value"], t, sub["change"], sub["z_change"],
                                                    sub["peer_rank"], sub["peer_n"], own[m], bmethod[m])]
        trig[m] = (trig[m] + "," + name).str.lstrip(",")
        expl[lv][m] = (expl[lv][m] + "; " + pd.Series(msg, index=sub.index)).str.lstrip("; ")
    expl = (expl[2] + "; " + expl[1]).str.strip("; ")
    level = combine_levels(sev, r["combine"])
    watch = (level == 0) & (trig != "").to_numpy()
    expl[watch] = "watch: " + expl[watch].str.replace("amber: ", "", regex=False)  # lone amber signals
    d["level"] = np.array(LEVELS)[level]
    d["trigger"] = trig.replace("", "none")
    d["explanation"] = expl.replace("", "no trigger")
    _mark_stale(d, staleness)
    return d[COLUMNS].sort_values(["period", "level", "entity", "code"], ascending=[True, False, True, True],
                                  ignore_index=True)


LEVEL_FAMILY = ("bottom_line", "peer_pct")


def _mark_stale(d: pd.DataFrame, staleness: pd.DataFrame | None) -> None:
    """Add ``stale``, ``carried_share``, ``obs_period``; say so in the explanation of raised alerts."""
    if staleness is None or not len(d):
        d["carried_share"], d["obs_period"] = np.nan, pd.array([pd.NA] * len(d), dtype="Int64")
        d["stale"] = False
        return
    s = staleness[["entity", "period", "code", "carried_share", "obs_period"]]
    m = d[["entity", "period", "code"]].merge(s, on=["entity", "period", "code"], how="left")
    d["carried_share"] = m["carried_share"].to_numpy(dtype="float64")
    years = pd.to_numeric(m["obs_period"], errors="coerce").to_numpy(dtype="float64")
    d["obs_period"] = pd.array(np.where(np.isnan(years), None, years), dtype="Int64")
    d["stale"] = d["carried_share"].fillna(0.0).to_numpy() > STALE_SHARE
    raised = d["stale"] & (d["level"] != "green")
    if not raised.any():
        return
    ind = raised & (d["kind"] == "indicator") & d["obs_period"].notna()
    note = pd.Series("", index=d.index, dtype=object)
    note[ind] = ["stale: the " + str(int(y)) + " value carried forward" for y in d.loc[ind, "obs_period"]]
    agg = raised & ~ind
    note[agg] = [f"stale: {share:.0%} of its indicator values carried forward from earlier years"
                 for share in d.loc[agg, "carried_share"]]
    d.loc[raised, "explanation"] = d.loc[raised, "explanation"] + "; " + note[raised]


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
