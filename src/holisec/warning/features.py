"""Country-year features known at the end of year t (no look-ahead).

Everything is backward-looking: event histories are cumulative counters, neighbourhood
conflict uses year t, every predictor, external score and outcome history holds the latest value
published by the end of t (``publication.published``: value of year t - L for a source with
publication lag L, carried forward at most ``LOCF_YEARS`` years), and cross-sectional
transforms (infant mortality relative to the yearly median) use only the same year.

References
----------
Goldstone et al. (2010) "A global model for forecasting political instability", AJPS 54(1);
Hegre et al. (2019) "ViEWS: a political violence early-warning system", JPR 56(2);
Ward & Beger (2017) "Lessons from near real-time forecasting of irregular leadership changes",
JPR 54(2).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from holisec.warning.outcomes import KEY, load_contiguity
from holisec.warning.publication import LOCF_YEARS, input_lags, published
#: V-Dem baseline predictors. Release per feature (the newest staged release with the variable,
#: whole series from that one release; tools/curate_outcomes.py ``VDEM_RELEASE``): v15 (to 2024)
#: v2x_polyarchy; v14 (to 2023) v2x_civlib, v2x_clphy, v2x_rule, v2x_corr, v2csreprss, v2clkill,
#: v2pepwrsoc, v2x_ex_military; v12 (to 2021) v2x_liberal, v2csantimv, v2svstterr, v2x_freexp,
#: v2xcl_disc. With V-Dem's one-year publication lag, origin 2024 uses 2023 values of the v14 items.
VDEM = ["v2x_polyarchy", "v2x_liberal", "v2x_civlib", "v2x_clphy", "v2x_rule", "v2x_corr",
        "v2csreprss", "v2clkill", "v2pepwrsoc", "v2csantimv", "v2svstterr", "v2x_ex_military",
        "v2x_freexp", "v2xcl_disc"]
STRUCTURAL = ["log_pop", "log_gdp_pc", "gdp_pc_growth", "state_age", "infmort",
              "epr_groups", "epr_elf", "epr_excluded_group_pop", "discrimpop"]
#: cut-points on V-Dem polyarchy for the PITF-style regime classes, and anti-system movement
#: level (v2csantimv) above which a partial democracy counts as factional (about the top third
#: of partial democracies 1970-2015, chosen on the predictor distribution, not on outcomes)
POLYARCHY_CUTS = (0.25, 0.5, 0.75)
FACTION_CUT = -0.2

PITF_FEATURES = ["pitf_partial_autocracy", "pitf_partial_dem_factional",
                 "pitf_partial_dem_nonfactional", "pitf_full_democracy",
                 "pitf_infmort_rel", "pitf_bad_neighbourhood", "pitf_discrimination"]

HISTORY = "history/context"
STRUCTURAL_GROUP = "structural"
#: explanation groups of the non-index features (index features go to their framework domain)
GROUPS = {
    HISTORY: ["conf_recency", "conf_log_peace", "conf_never", "conf_years10", "conf_major10",
              "nb_conflict", "nb_conflict_share", "pitf_bad_neighbourhood", "coup_recency",
              "coup_count5", "mk_ongoing", "mk_recency", "bd_log_t", "bd_log_max10", "nb_bd_log"],
    STRUCTURAL_GROUP: VDEM + PITF_FEATURES + ["log_pop", "log_gdp_pc", "gdp_pc_growth",
                                              "log_state_age", "infmort_rel", "epr_groups",
                                              "epr_elf", "epr_excluded_group_pop", "discrimpop"],
}
_GROUP_OF = {f: g for g, fs in GROUPS.items() for f in fs}


def code_domains(framework) -> dict[str, str]:
    """Index code -> its domain: indicators map to their parent domain, domains to themselves,
    the root to ``index``."""
    t = framework.tree
    root = t.index[t["parent"].isna() | (t["parent"] == "")]
    out = {c: c for c in t.index[t["type"] != "Indicator"]}
    out |= {c: "index" for c in root}
    ind = t[t["type"] == "Indicator"]
    return out | dict(zip(ind.index, ind["parent"]))


def feature_group(name: str, parents: dict[str, str] | None = None) -> str:
    """Explanation group of a feature: index scores (``score_``/``dscore_<code>``) -> their
    domain (``parents``, see ``code_domains``), histories and neighbourhood -> history/context,
    baseline predictors -> structural."""
    for pre in ("score_", "dscore_"):
        if name.startswith(pre):
            code = name.removeprefix(pre)
            return (parents or {}).get(code, code)
    return _GROUP_OF.get(name, HISTORY if name.startswith(("conf_", "nb_", "coup_", "mk_")) else STRUCTURAL_GROUP)


def _grid(outcomes: pd.DataFrame) -> pd.DataFrame:
    return outcomes[KEY].drop_duplicates().sort_values(KEY, ignore_index=True)


def _years_since(g: pd.DataFrame, col: str) -> pd.Series:
    """Years since the last event in ``col`` (0 if in t), NaN if none observed yet."""
    last = g["year"].where(g[col] == 1).groupby(g["iso3"]).ffill()
    return g["year"] - last


def _rolling_sum(g: pd.DataFrame, col: str, window: int) -> pd.Series:
    return (g[col].fillna(0).groupby(g["iso3"]).rolling(window, min_periods=1).sum()
            .reset_index(level=0, drop=True).sort_index())


def history_features(outcomes: pd.DataFrame) -> pd.DataFrame:
    """Conflict, coup and mass-killing histories at t (fast features)."""
    g = outcomes.sort_values(KEY, ignore_index=True)
    out = g[KEY].copy()
    ys = _years_since(g, "conflict")
    age = g["year"] - g.groupby("iso3")["year"].transform("min")
    out["conf_recency"] = (1.0 / (1.0 + ys)).fillna(0.0)
    out["conf_log_peace"] = np.log1p(ys.fillna(age + 1))
    out["conf_never"] = ys.isna().astype(float)
    out["conf_years10"] = _rolling_sum(g, "conflict", 10)
    if "conflict_major" in g:
        out["conf_major10"] = _rolling_sum(g, "conflict_major", 10)
    if "coup_attempt" in g:
        c = _years_since(g, "coup_attempt")
        out["coup_recency"] = (1.0 / (1.0 + c)).fillna(0.0).where(g["coup_attempt"].notna())
        out["coup_count5"] = _rolling_sum(g, "coup_attempt", 5).where(g["coup_attempt"].notna())
    if "mk_onset" in g:
        m = _years_since(g.assign(mk=g["mk_ongoing"].fillna(g["mk_onset"])), "mk")
        out["mk_ongoing"] = g["mk_ongoing"]
        out["mk_recency"] = (1.0 / (1.0 + m)).fillna(0.0).where(g["mk_onset"].notna())
    return out


def neighbourhood_features(outcomes: pd.DataFrame, contiguity: pd.DataFrame) -> pd.DataFrame:
    """Number and share of contiguous states with internal armed conflict in t."""
    c = outcomes[KEY + ["conflict"]].rename(columns={"iso3": "iso3_nb", "conflict": "nb"})
    m = contiguity[["iso3", "iso3_nb"]].merge(c, on="iso3_nb")
    agg = m.groupby(KEY)["nb"].agg(["sum", "count"]).reset_index()
    out = _grid(outcomes).merge(agg, on=KEY, how="left")
    out["nb_conflict"] = out.pop("sum").fillna(0.0)
    out["nb_conflict_share"] = (out["nb_conflict"] / out.pop("count")).fillna(0.0)
    out["pitf_bad_neighbourhood"] = (out["nb_conflict"] >= 4).astype(float)
    return out


#: candidate feature sets tried on development origins (docs/early-warning.md, "More skill"):
#: ``intensity`` = log battle deaths in t and their 10-year maximum; ``nb_intensity`` = log battle
#: deaths in the contiguous states in t (UCDP BRD, from 1989; NaN before)
CANDIDATES = {"intensity": ("bd_log_t", "bd_log_max10"), "nb_intensity": ("nb_bd_log",)}
#: the candidate sets kept per target (chosen on development origins only, docs/early-warning.md
#: "More skill": kept where dev AUPR rose and Brier did not worsen; conflict_onset2 and coup lost
#: AUPR with them, conflict_onset_2y was not tried)
EXTRA_FEATURES: dict[str, tuple[str, ...]] = {"conflict_onset": ("nb_intensity",),
                                               "mass_killing": ("nb_intensity",)}


def intensity_features(outcomes: pd.DataFrame, contiguity: pd.DataFrame, sets=("intensity", "nb_intensity")) -> pd.DataFrame:
    """Conflict-intensity features of year t from ``battle_deaths`` (as published by the end of t):
    ``bd_log_t`` = log(1 + deaths in t), ``bd_log_max10`` = max of that over t-9..t (NaN if no
    covered year), ``nb_bd_log`` = log(1 + deaths in the contiguous states in t) (NaN where t is
    not covered). Ward & Beger (2017); Hegre et al. (2019) use log fatalities the same way."""
    g = outcomes.sort_values(KEY, ignore_index=True)
    out = g[KEY].copy()
    lg = np.log1p(g["battle_deaths"])
    if "intensity" in sets:
        out["bd_log_t"] = lg
        out["bd_log_max10"] = (lg.groupby(g["iso3"]).rolling(10, min_periods=1).max()
                               .reset_index(level=0, drop=True).sort_index())
    if "nb_intensity" in sets:
        c = g[KEY + ["battle_deaths"]].rename(columns={"iso3": "iso3_nb"})
        m = contiguity[["iso3", "iso3_nb"]].merge(c, on="iso3_nb")
        nb = m.groupby(KEY)["battle_deaths"].sum(min_count=1).rename("nb_sum").reset_index()
        out = out.merge(nb, on=KEY, how="left")
        covered = g["battle_deaths"].notna().to_numpy()
        out["nb_bd_log"] = np.where(covered, np.log1p(out.pop("nb_sum").fillna(0.0)), np.nan)
    return out


def structural_features(predictors: pd.DataFrame) -> pd.DataFrame:
    """Transformations of the predictor table (same year; lags are applied afterwards)."""
    p = predictors.drop(columns=[c for c in ("gwcode",) if c in predictors]).copy()
    if "state_age" in p:
        p["log_state_age"] = np.log1p(p.pop("state_age").clip(lower=0))
    return p


def regime_features(df: pd.DataFrame) -> pd.DataFrame:
    """PITF-style regime dummies (reference: full autocracy), infant mortality relative to the
    yearly cross-country median, discrimination flag; computed on the already-lagged values."""
    out = pd.DataFrame(index=df.index)
    pol, fac = df.get("v2x_polyarchy"), df.get("v2csantimv")
    if pol is not None:
        a, b, c = POLYARCHY_CUTS
        miss = pol.isna()
        pdem = pol.ge(b) & pol.lt(c)
        factional = fac.ge(FACTION_CUT) if fac is not None else pd.Series(False, index=df.index)
        out["pitf_partial_autocracy"] = (pol.ge(a) & pol.lt(b)).astype(float).mask(miss)
        out["pitf_partial_dem_factional"] = (pdem & factional).astype(float).mask(miss)
        out["pitf_partial_dem_nonfactional"] = (pdem & ~factional).astype(float).mask(miss)
        out["pitf_full_democracy"] = pol.ge(c).astype(float).mask(miss)
    if "infmort" in df:
        med = df.groupby("year")["infmort"].transform("median")
        out["infmort_rel"] = np.log(df["infmort"] / med)
        out["pitf_infmort_rel"] = out["infmort_rel"]
    disc = df["discrimpop"] if "discrimpop" in df else df.get("epr_excluded_group_pop")
    if disc is not None:
        out["pitf_discrimination"] = disc.gt(0).astype(float).mask(disc.isna())
    return out


def scores_frame(scores: xr.DataArray) -> pd.DataFrame:
    """(entity, period, code) scores -> wide frame ``iso3, year, score_<code>``."""
    s = scores.transpose("entity", "period", "code").to_series().rename("v").reset_index()
    w = s.pivot_table(index=["entity", "period"], columns="code", values="v", dropna=False)
    w.columns = [f"score_{c}" for c in w.columns]
    w = w.reset_index().rename(columns={"entity": "iso3", "period": "year"})
    return w.astype({"year": "int64"})


def build_features(outcomes: pd.DataFrame, predictors: pd.DataFrame | None = None,
                   scores: xr.DataArray | None = None, lags: dict[str, int] | None = None,
                   contiguity: pd.DataFrame | None = None, extra: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Feature table ``iso3, year, <features>`` for every country-year of ``outcomes``.

    ``extra``: candidate feature sets (``CANDIDATES``) to add (default none; ``forecast.design``
    passes the target's ``EXTRA_FEATURES``); sets whose input column is absent are not added.

    ``predictors``: long-by-column table keyed ``iso3, year`` (e.g. ``load_predictors()``);
    ``scores``: composite-index scores (dims entity, period, code), higher = more risk;
    ``lags``: publication lag (years) per column (predictor columns, outcome columns or
    ``score_<code>``), overriding ``publication.INPUT_LAGS``; every predictor and score column
    needs one. Each row t holds what was published by the end of t (``publication.published``).
    """
    sets = tuple(extra or ())
    unknown = sorted(set(sets) - set(CANDIDATES))
    if unknown:
        raise ValueError(f"unknown feature sets {unknown}; choose from {sorted(CANDIDATES)}")
    extra = dict(lags or {})
    grid = _grid(outcomes)
    ocols = [c for c in outcomes.columns if c not in KEY + ["gwcode"]]
    known = published(outcomes, input_lags(ocols, extra))
    feats = grid.merge(history_features(known), on=KEY, how="left")
    cont = load_contiguity() if contiguity is None else contiguity
    feats = feats.merge(neighbourhood_features(known, cont), on=KEY, how="left")
    if sets and "battle_deaths" in known:
        feats = feats.merge(intensity_features(known, cont, sets), on=KEY, how="left")
    side = []
    if predictors is not None:
        side.append(structural_features(predictors))
    if scores is not None:
        sc = scores_frame(scores)
        extra |= {c: extra.get(c, extra.get(c.removeprefix("score_"), 1)) for c in sc.columns if c not in KEY}
        side.append(sc)
    for s in side:
        s = grid.merge(s, on=KEY, how="left")
        feats = feats.merge(published(s, input_lags([c for c in s.columns if c not in KEY], extra)),
                            on=KEY, how="left")
    feats = pd.concat([feats, regime_features(feats)], axis=1)
    if "infmort" in feats:
        feats = feats.drop(columns="infmort")
    return feats.sort_values(KEY, ignore_index=True)
