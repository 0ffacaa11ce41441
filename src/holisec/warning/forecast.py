"""Fit at a forecast origin and forecast the at-risk country-years of that origin.

At origin T the training rows are the at-risk country-years t >= ``start`` whose outcome is
known by T (``known_year = t + horizon <= T``); features are those of year t (known at the end
of t); the forecast rows are the at-risk country-years t = T. Composite-index features come
from the index rebuilt on the data known at T (``indexscores.OriginIndex``), so they are joined
per origin, not once for the whole design.

References
----------
Hegre et al. (2019) ViEWS, JPR 56(2) (rolling origins); Goldstone et al. (2010) AJPS 54(1).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import xarray as xr

from holisec.warning import models as M
from holisec.warning.features import build_features, code_domains, feature_group
from holisec.warning.indexscores import OriginIndex
from holisec.warning.outcomes import KEY, TARGETS, load_outcomes, load_predictors, make_target
from holisec.warning.publication import input_lags, published, release_year

RECENCY = {"conflict": "conf_recency", "coup_attempt": "coup_recency", "mk_onset": "mk_recency"}
META = ["iso3", "year", "y", "at_risk", "known_year", "event_t", "bd_log_t"]
#: outcome column of the battle-deaths baseline (``outcomes.load_battle_deaths``)
BD = "battle_deaths"
MODELS = ["ensemble", "logit", "gbm"]


@dataclass
class Spec:
    """Hyperparameters (chosen on development origins only) and training-window start."""

    logit_C: float = 0.1
    gbm: dict = field(default_factory=lambda: {"n_estimators": 300, "num_leaves": 7})
    start: int = 1960
    seed: int = 0


def design(target: str, outcomes: pd.DataFrame, predictors: pd.DataFrame | None = None,
           scores: xr.DataArray | None = None, lags: dict[str, int] | None = None,
           contiguity: pd.DataFrame | None = None, extra: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Target rows joined to features (``extra``: candidate feature sets, ``features.build_features``;
    default the target's ``features.EXTRA_FEATURES``);
    ``event_t`` = the target's event in year t as published by
    the end of t; ``known_year`` = the year by whose end the outcome is published (t + horizon +
    the outcome source's publication lag), so training rows at origin T need known_year <= T.

    ``lags``: publication lag per input column (overrides ``publication.INPUT_LAGS``);
    ``scores``: externally supplied (vintage-safe) scores, lagged 1 year unless ``lags`` says
    otherwise; the default recipe's index enters per origin instead (``fit_origin(index_feats=...)``)."""
    tg = TARGETS[target]
    lag = input_lags([tg.source], lags)[tg.source]
    t = make_target(outcomes, tg)
    t["known_year"] = release_year(t["known_year"], lag)
    from holisec.warning.features import EXTRA_FEATURES

    f = build_features(outcomes, predictors, scores, lags, contiguity,
                       EXTRA_FEATURES.get(target, ()) if extra is None else extra)
    d = t.merge(f, on=KEY, how="left")
    known = published(outcomes[KEY + [tg.source]], {tg.source: lag}, locf=0)
    d["event_t"] = known.set_index(KEY)[tg.source].reindex(pd.MultiIndex.from_frame(d[KEY])).to_numpy()
    if BD in outcomes:  # the intensity baseline's input (not a model feature)
        bd = published(outcomes[KEY + [BD]], input_lags([BD], lags), locf=0).set_index(KEY)[BD]
        d["bd_log_t"] = np.log1p(bd.reindex(pd.MultiIndex.from_frame(d[KEY])).to_numpy())
    d.attrs["target"] = target
    return d


def feature_columns(d: pd.DataFrame) -> list[str]:
    return [c for c in d.columns if c not in META]


def with_index(d: pd.DataFrame, feats: pd.DataFrame | None) -> pd.DataFrame:
    """The design joined to one origin's index features (``OriginIndex.features``)."""
    if feats is None:
        return d
    out = d.merge(feats, on=KEY, how="left")
    out.attrs = dict(d.attrs)
    return out


def index_for(index) -> OriginIndex | None:
    """``True`` -> the shipped data's ``OriginIndex``; False/None -> None; else ``index`` itself."""
    if index is True:
        return OriginIndex.from_store()
    return index or None


def training_rows(d: pd.DataFrame, origin: int, start: int) -> pd.DataFrame:
    return d[d.at_risk & d.y.notna() & (d.known_year <= origin) & (d.year >= start)]


def build_models(spec: Spec, target: str, include=None) -> dict:
    """Instantiate models and baselines for one target."""
    rec = RECENCY[TARGETS[target].source]
    ms = {
        "ensemble": M.Ensemble(M.Logit(C=spec.logit_C), M.GBM(seed=spec.seed, **spec.gbm)),
        "logit": M.Logit(C=spec.logit_C),
        "gbm": M.GBM(seed=spec.seed, **spec.gbm),
        "climatology": M.Climatology(),
        "history": M.History(col=rec),
        "pitf": M.pitf(),
    }
    if TARGETS[target].peace == 0:
        ms["persistence"] = M.Persistence(col="event_t")
    ms["battle_deaths"] = M.BattleDeaths()
    return {k: v for k, v in ms.items() if include is None or k in include}


def fit_origin(d: pd.DataFrame, origin: int, spec: Spec, include=None,
               explain: bool = False, index_feats: pd.DataFrame | None = None) -> tuple[pd.DataFrame, dict]:
    """Fit every model on data known at ``origin`` and predict the at-risk rows of year ``origin``.

    ``index_feats``: index features built on the data known at ``origin``
    (``OriginIndex.features(origin)``). Returns (forecast rows with one probability column per
    model, fitted models); with ``explain`` also ``contrib`` = ensemble contributions in ``attrs``.
    """
    d = with_index(d, index_feats)
    tr = training_rows(d, origin, spec.start)
    te = d[d.at_risk & (d.year == origin)]
    cols = feature_columns(d)
    X, y = tr[cols], tr["y"].to_numpy(int)
    out = te[["iso3", "year", "y"]].copy()
    fitted = {}
    if len(te) == 0 or y.sum() == 0:
        return out.iloc[0:0], fitted
    for name, m in build_models(spec, d.attrs.get("target", "conflict_onset"), include).items():
        full = isinstance(m, (M.Persistence, M.BattleDeaths))  # read design columns that are not model features
        if isinstance(m, M.BattleDeaths) and ("bd_log_t" not in d or te["bd_log_t"].isna().any()):
            continue  # no battle-death series for these forecast rows (before 1989, or not loaded)
        if name in ("logit", "gbm") and "ensemble" in fitted:
            m = getattr(fitted["ensemble"], name)  # same settings, already fitted on this window
        elif isinstance(m, M.Ensemble):
            m.fit(X, y, tr["year"].to_numpy())
        elif isinstance(m, M.BattleDeaths):
            try:
                m.fit(tr, y)
            except M.NoCoverage:  # too few covered training rows at this origin: no such baseline here
                continue
        else:
            m.fit(tr if full else X, y)
        fitted[name] = m
        out[name] = m.predict(te if full else te[cols])
        if hasattr(m, "score"):  # rule baselines: the raw score, for ranking metrics
            out[f"{name}_raw"] = m.score(te if full else te[cols])
    if explain and "ensemble" in fitted:
        out.attrs["contrib"] = fitted["ensemble"].contributions(te[cols])
    return out, fitted


def explain_rows(contrib: pd.DataFrame, top: int = 3, parents: dict | None = None) -> pd.DataFrame:
    """Top feature contributions and per-domain sums (logit scale) for each forecast row.

    ``parents``: index code -> its domain (``features.code_domains``); index features are summed
    into their framework domain (or ``index``), the rest into history/context or structural."""
    c = contrib.drop(columns="_bias")
    order = np.argsort(-np.abs(c.to_numpy()), axis=1)[:, :top]
    names, vals = np.array(c.columns)[order], np.take_along_axis(c.to_numpy(), order, axis=1)
    txt = ["; ".join(f"{n} {v:+.2f}" for n, v in zip(nr, vr)) for nr, vr in zip(names, vals)]
    dom = c.T.groupby(c.columns.map(lambda n: feature_group(n, parents))).sum().T
    dom.columns = [f"domain:{x}" for x in dom.columns]
    return pd.concat([pd.DataFrame({"top_contributions": txt}, index=c.index), dom.round(4)], axis=1)


def forecast(target: str, origin: int, outcomes: pd.DataFrame | None = None,
             predictors: pd.DataFrame | None = None, index: OriginIndex | bool | None = True,
             spec: Spec | None = None, model: str = "ensemble", lags: dict[str, int] | None = None,
             contiguity: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per at-risk country-year at ``origin``: entity, target, origin, target years,
    probability, model, top contributions and contributions per domain (logit scale).

    ``index``: ``OriginIndex`` (True = shipped data, False = no index features); ``lags``,
    ``contiguity``: as in :func:`design`."""
    tg = TARGETS[target]
    o = load_outcomes() if outcomes is None else outcomes
    p = load_predictors() if predictors is None else predictors
    spec = spec or default_spec(target)
    ix = index_for(index)
    d = design(target, o, p, lags=lags, contiguity=contiguity)
    feats = ix.features(origin) if ix is not None else None
    rows, fitted = fit_origin(d, origin, spec, include={model} | {"ensemble"}, explain=True, index_feats=feats)
    years = f"{origin + 1}" if tg.horizon == 1 else f"{origin + 1}-{origin + tg.horizon}"
    res = pd.DataFrame({"entity": rows["iso3"].to_numpy(), "target": target, "origin": origin,
                        "target_years": years, "probability": rows[model].to_numpy(), "model": model})
    if model == "ensemble":
        parents = code_domains(ix.framework) if ix is not None else None
        res = pd.concat([res, explain_rows(rows.attrs["contrib"], parents=parents).reset_index(drop=True)], axis=1)
    return res.sort_values("probability", ascending=False, ignore_index=True)


def default_spec(target: str) -> Spec:
    """Hyperparameters selected on development origins (see ``evaluate.tune``), else defaults."""
    from holisec.warning.evaluate import TUNED

    return Spec(**TUNED.get(target, {}))
