"""Rolling-origin (expanding-window) evaluation of onset forecasts against baselines.

For each origin T the models are refitted on outcomes known by T and forecast the at-risk
country-years of T (target year T+1, or T+1..T+2). Rows whose outcome window ends by
``DEV_LAST`` (2015) are development rows: hyperparameters are chosen on them only (pooled log
loss); rows whose target window starts after ``DEV_LAST`` are the locked test rows: they are
forecast and scored only with ``final=True`` (``warn evaluate --final``, which appends each
scoring to the store's ``scoring_log``, see ``scoring_log``). Paired
differences against each baseline carry country-block bootstrap 95% intervals.

References
----------
Tashman (2000) "Out-of-sample tests of forecasting accuracy", IJF 16(4); Hegre et al. (2019)
ViEWS, JPR 56(2); Ward & Beger (2015/2017); Goldstone et al. (2010) AJPS 54(1); Efron &
Tibshirani (1993) (block bootstrap).
"""

from __future__ import annotations

import itertools
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from holisec.warning import metrics as mt
from holisec.warning.forecast import MODELS, Spec, design, fit_origin, index_for
from holisec.warning.outcomes import TARGETS, load_ewp_forecasts, load_outcomes, load_predictors

DEV_FIRST_ORIGIN = 1990
DEV_LAST = 2015
BASELINES = ["climatology", "persistence", "history", "pitf", "battle_deaths"]
LOGIT_GRID = [0.01, 0.1, 1.0]
GBM_GRID = [{"n_estimators": n, "num_leaves": l} for n, l in itertools.product((150, 400), (4, 8))]
#: hyperparameters chosen by ``tune`` on development origins in the reference run with the
#: per-origin index features (docs/early-warning.md); used by ``forecast`` when no tuning is run
TUNED: dict[str, dict] = {
    "conflict_onset": {"logit_C": 0.01, "gbm": {"n_estimators": 150, "num_leaves": 4}},
    "conflict_onset2": {"logit_C": 0.01, "gbm": {"n_estimators": 150, "num_leaves": 4}},
    "conflict_onset_2y": {"logit_C": 0.01, "gbm": {"n_estimators": 150, "num_leaves": 4}},
    "coup": {"logit_C": 0.01, "gbm": {"n_estimators": 150, "num_leaves": 4}},
    "mass_killing": {"logit_C": 0.01, "gbm": {"n_estimators": 150, "num_leaves": 4}},
}
#: worker processes for the loop over origins (results do not depend on it)
N_JOBS = min(2, os.cpu_count() or 1)


@dataclass
class EvalResult:
    """Everything the evaluation produces (tables are long DataFrames)."""

    target: str
    spec: Spec
    forecasts: pd.DataFrame
    metrics: pd.DataFrame
    bootstrap: pd.DataFrame
    per_year: pd.DataFrame
    tuning: pd.DataFrame
    ewp: pd.DataFrame | None = None
    runtime: dict = field(default_factory=dict)
    verdict: dict = field(default_factory=dict)
    final: bool = False
    origins: list = field(default_factory=list)
    notes: list = field(default_factory=list)


def split_of(year: pd.Series, horizon: int) -> pd.Series:
    """'dev' if the outcome window ends by DEV_LAST, 'test' if it starts after it, else ''."""
    return pd.Series(np.select([year + horizon <= DEV_LAST, year + 1 > DEV_LAST], ["dev", "test"], ""),
                     index=year.index)


def _one(d, T, spec, include, feats=None):
    return fit_origin(d, T, spec, include, index_feats=feats)[0]


def rolling(d: pd.DataFrame, origins, spec: Spec, include=None, n_jobs: int = N_JOBS,
            index=None) -> pd.DataFrame:
    """Forecasts of every origin stacked: iso3, year (= origin), y, one column per model;
    ``split`` is '' for rows whose outcome is not observed. ``index``: ``OriginIndex`` whose
    per-origin builds (data known at T only) supply the index features of origin T."""
    feats = index.precompute(origins) if index is not None else {}
    if n_jobs == 1 or len(origins) < 4:
        rows = [_one(d, int(T), spec, include, feats.get(int(T))) for T in origins]
    else:
        from joblib import Parallel, delayed

        rows = Parallel(n_jobs=n_jobs)(delayed(_one)(d, int(T), spec, include, feats.get(int(T)))
                                       for T in origins)
    out = pd.concat([r for r in rows if len(r)], ignore_index=True)
    out["split"] = split_of(out["year"], TARGETS[d.attrs["target"]].horizon).where(out.y.notna(), "").to_numpy()
    return out


def tune(d: pd.DataFrame, spec: Spec, origins, index=None, progress=None) -> tuple[Spec, pd.DataFrame]:
    """Choose logit C and GBM size by pooled log loss on development origins only
    (``progress(message)`` is called before each configuration)."""
    origins = dev_origins(origins, TARGETS[d.attrs["target"]].horizon)
    step = progress or (lambda msg: None)
    rec = []
    for C in LOGIT_GRID:
        step(f"tuning logit C={C} on dev origins")
        f = rolling(d, origins, Spec(logit_C=C, start=spec.start, seed=spec.seed), {"logit"}, index=index)
        f = f[f.split == "dev"]
        rec.append({"model": "logit", "params": f"C={C}", "log_loss": mt.log_loss(f.y, f.logit),
                    "aupr": mt.average_precision(f.y, f.logit), "C": C})
    for g in GBM_GRID:
        step(f"tuning LightGBM {g} on dev origins")
        f = rolling(d, origins, Spec(gbm=g, start=spec.start, seed=spec.seed), {"gbm"}, index=index)
        f = f[f.split == "dev"]
        rec.append({"model": "gbm", "params": str(g), "log_loss": mt.log_loss(f.y, f.gbm),
                    "aupr": mt.average_precision(f.y, f.gbm), "gbm": g})
    t = pd.DataFrame(rec)
    best_C = t[t.model == "logit"].sort_values("log_loss").iloc[0]["C"]
    best_g = t[t.model == "gbm"].sort_values("log_loss").iloc[0]["gbm"]
    return Spec(logit_C=float(best_C), gbm=dict(best_g), start=spec.start, seed=spec.seed), t.drop(
        columns=["C", "gbm"])


def raw(f: pd.DataFrame, m: str) -> str:
    """Column ranking metrics use for ``m``: a rule baseline's raw score (``<m>_raw``: recency
    1/(1 + years since the last event), event in t, a constant) if present, else ``m``."""
    return f"{m}_raw" if f"{m}_raw" in f.columns else m


#: population (thousands, as ``log_pop``) below which a country counts as a microstate
MICROSTATE_POP = 1_000
STRATA = ("all", "excl_microstates", "microstates")


def microstates(predictors: pd.DataFrame | None, entities=(), pop: float = MICROSTATE_POP) -> set[str]:
    """Countries whose median population since 1990 (``log_pop`` = log of thousands) is below
    ``pop`` thousand, or with no population recorded (V-Dem leaves out most states under about
    250,000 people; ``entities`` absent from ``predictors`` count too); empty without the column."""
    if predictors is None or "log_pop" not in predictors:
        return set()
    p = predictors[predictors.year >= 1990].groupby("iso3")["log_pop"].median()
    return set(p.index[~(np.exp(p) >= pop)]) | (set(predictors.iso3) | set(entities)) - set(p.index)


def score(f: pd.DataFrame, models: list[str], micro: set[str] | None = None) -> pd.DataFrame:
    """All metrics per split, stratum and model on identical rows (BSS relative to climatology);
    ranking metrics on each baseline's raw score (``raw``), probability metrics on its calibrated
    probability. Strata: all rows, without microstates (``micro``), microstates only."""
    rec = []
    micro = micro or set()
    for split, g in f[f.split != ""].groupby("split"):
        is_micro = g.iso3.isin(micro)
        for stratum, rows in zip(STRATA, (g, g[~is_micro], g[is_micro])):
            if stratum != "all" and not micro or not len(rows):
                continue
            for m in models:
                r = mt.all_metrics(rows.y, rows[m], rows.year, p_ref=rows["climatology"], s=rows[raw(rows, m)])
                rec.append({"split": split, "stratum": stratum, "model": m, **r})
    return pd.DataFrame(rec)


def _draws(g: pd.DataFrame, columns, B: int, seed: int) -> dict:
    """Bootstrap metric draws of each forecast column of ``g`` with one set of country-block weights."""
    W = mt.block_weights(g.iso3.to_numpy(), B, seed)
    y = g.y.to_numpy()
    return {c: mt.metric_draws(y, g[c].to_numpy(), W, g[raw(g, c)].to_numpy()) for c in dict.fromkeys(columns)}


def bootstrap(f: pd.DataFrame, models: list[str], baselines: list[str], B: int, seed: int) -> pd.DataFrame:
    """Paired country-block bootstrap of every model against every baseline, per split."""
    rec = []
    for split, g in f[f.split != ""].groupby("split"):
        draws = _draws(g, [*models, *baselines], B, seed)
        for m, b in itertools.product(models, baselines):
            rec.append(mt.paired_from_draws(draws[m], draws[b]).assign(split=split, model=m, baseline=b))
    return pd.concat(rec, ignore_index=True)[["split", "model", "baseline", "metric", "diff", "lo", "hi", "ratio"]]


def per_year(f: pd.DataFrame, models: list[str]) -> pd.DataFrame:
    """Per target-year Brier, AUPR, AUROC and top-10 recall of every model."""
    rec = []
    for yr, g in f[f.split != ""].groupby("year"):
        for m in models:
            s = g[raw(g, m)]
            rec.append({"year": int(yr) + 1, "split": g.split.iloc[0], "model": m, "n": len(g),
                        "events": int(g.y.sum()), "brier": mt.brier(g.y, g[m]),
                        "aupr": mt.average_precision(g.y, s) if g.y.sum() else np.nan,
                        "auroc": mt.auroc(g.y, s) if 0 < g.y.sum() < len(g) else np.nan,
                        "top10_recall": mt.topk_recall(g.y, s, g.year, 10) if g.y.sum() else np.nan})
    return pd.DataFrame(rec)


def ewp_comparison(f: pd.DataFrame, models: list[str], B: int, seed: int) -> pd.DataFrame:
    """Our mass-killing forecasts vs the EWP's fully out-of-sample forecasts on common rows."""
    e = load_ewp_forecasts()[["iso3", "year", "risk_prev", "mk_onset"]]
    e = e.assign(year=e.year - 1).dropna(subset=["risk_prev"])  # our row year = origin
    g = f.merge(e, on=["iso3", "year"], how="inner")
    rec = []
    for split, h in g[g.split != ""].groupby("split"):
        for m in models + ["risk_prev"]:
            rec.append({"split": split, "model": "ewp" if m == "risk_prev" else m, "kind": "metric",
                        **mt.all_metrics(h.y, h[m], h.year, p_ref=h["climatology"], s=h[raw(h, m)])})
        draws = _draws(h, [*models, "risk_prev"], B, seed)
        for m in models:
            t = mt.paired_from_draws(draws[m], draws["risk_prev"])
            for r in t.itertuples():
                rec.append({"split": split, "model": m, "kind": f"vs_ewp:{r.metric}", "diff": r.diff,
                            "lo": r.lo, "hi": r.hi, "ratio": r.ratio})
    out = pd.DataFrame(rec)
    out.attrs["agreement"] = float((g.y == g.mk_onset).mean()) if len(g) else np.nan
    return out


def verdict(metrics: pd.DataFrame, boot: pd.DataFrame, model: str = "ensemble", split: str = "test") -> dict:
    """Target check on ``split`` rows (the test rows for the verdict; 'dev' in development runs):
    AUPR >= 1.25x and Brier <= 0.90x the best baseline, bootstrap intervals of both differences
    excluding zero, calibration slope in [0.8, 1.2]."""
    t = metrics[(metrics.split == split) & (metrics.get("stratum", "all") == "all")].set_index("model")
    if model not in t.index:
        return {}
    base = [b for b in BASELINES if b in t.index]
    bb_aupr, bb_brier = t.loc[base, "aupr"].idxmax(), t.loc[base, "brier"].idxmin()
    b = boot[(boot.split == split) & (boot.model == model)].set_index(["baseline", "metric"])
    ap_ratio = t.loc[model, "aupr"] / t.loc[bb_aupr, "aupr"]
    br_ratio = t.loc[model, "brier"] / t.loc[bb_brier, "brier"]
    ap_ci, br_ci = b.loc[(bb_aupr, "aupr"), ["lo", "hi"]], b.loc[(bb_brier, "brier"), ["lo", "hi"]]
    slope = t.loc[model, "cal_slope"]
    v = {"split": split, "model": model, "best_baseline_aupr": bb_aupr, "aupr_ratio": ap_ratio,
         "aupr_diff_ci": (float(ap_ci.lo), float(ap_ci.hi)), "best_baseline_brier": bb_brier,
         "brier_ratio": br_ratio, "brier_diff_ci": (float(br_ci.lo), float(br_ci.hi)), "cal_slope": slope}
    v["aupr_ok"] = bool(ap_ratio >= 1.25 and ap_ci.lo > 0)
    v["brier_ok"] = bool(br_ratio <= 0.90 and br_ci.hi < 0)
    v["calibration_ok"] = bool(0.8 <= slope <= 1.2)
    v["met"] = v["aupr_ok"] and v["brier_ok"] and v["calibration_ok"]
    return v


def evaluate(target: str = "conflict_onset", outcomes: pd.DataFrame | None = None,
             predictors: pd.DataFrame | None = None, index=True, origins=None,
             spec: Spec | None = None, tune_hyper: bool = True, B: int = 1000, seed: int = 0,
             contiguity: pd.DataFrame | None = None, progress=None,
             lags: dict[str, int] | None = None, final: bool = False,
             extra: tuple[str, ...] | None = None) -> EvalResult:
    """Run the full rolling-origin evaluation of one target (see module docstring).

    ``outcomes``/``predictors`` default to the shipped tables; ``index``: ``OriginIndex`` whose
    per-origin builds give leakage-free domain/index features (True = shipped data, False =
    none); ``origins`` default to 1990..last; ``progress(message)`` is called at each stage
    (``evaluation_steps(tune_hyper)`` calls in all); ``lags``: publication lags of input columns
    overriding ``publication.INPUT_LAGS``; ``final``: also forecast and score the locked test
    origins (without it only development origins, outcome window ending by ``DEV_LAST``, are run);
    ``extra``: candidate feature sets (``features.CANDIDATES``; default the kept ones)."""
    step = progress or (lambda msg: None)
    t0 = time.perf_counter()
    o = load_outcomes() if outcomes is None else outcomes
    p = load_predictors() if predictors is None else predictors
    ix = index_for(index)
    d = design(target, o, p, lags=lags, contiguity=contiguity, extra=extra)
    h = TARGETS[target].horizon
    last = int(d.loc[d.y.notna(), "year"].max())
    origins = list(range(DEV_FIRST_ORIGIN, last + 1)) if origins is None else list(origins)
    if not final:
        origins = dev_origins(origins, h)
        if not origins:
            raise ValueError(f"no development origins (outcome window ending by {DEV_LAST}) among the "
                             "requested origins; the test origins are scored only with final=True (--final)")
    spec = spec or Spec(seed=seed)
    ti = time.perf_counter()
    step(f"index rebuilt at {len(origins)} origins" if ix is not None else "no index features")
    if ix is not None:
        ix.precompute(origins)
    t1 = time.perf_counter()
    tuning = pd.DataFrame()
    if tune_hyper:
        spec, tuning = tune(d, spec, origins, ix, progress)
    t2 = time.perf_counter()
    step(f"rolling forecasts, {len(origins)} origins, every model and baseline")
    f = rolling(d, origins, spec, index=ix)
    f, notes = _covered_baselines(f)
    t3 = time.perf_counter()
    step(f"scoring and {B} country-block bootstraps")
    models = [m for m in MODELS + BASELINES if m in f.columns]
    base = [b for b in BASELINES if b in f.columns]
    met = score(f, models, microstates(p, o.iso3.unique()))
    boot = bootstrap(f, MODELS, base, B, seed)
    py = per_year(f, models)
    ewp = ewp_comparison(f, MODELS + base, B, seed) if target == "mass_killing" else None
    t4 = time.perf_counter()
    rt = {"index": ix is not None, "design_s": ti - t0, "index_builds_s": t1 - ti, "tuning_s": t2 - t1, "rolling_s": t3 - t2, "scoring_s": t4 - t3,
          "total_s": t4 - t0, "origins": len(origins), "horizon": h}
    return EvalResult(target, spec, f, met, boot, py, tuning, ewp, rt,
                      verdict(met, boot, split="test" if final else "dev"), final, origins, notes)


def _covered_baselines(f: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Drop a baseline that is missing on some scored rows (the battle-death series starts in
    1989), so every model is compared on the same rows; a note says so."""
    notes = []
    scored = f[f.split != ""]
    for b in ("battle_deaths",):
        if b in f and scored[b].isna().any():
            years = sorted(scored.loc[scored[b].isna(), "year"].unique())
            notes.append(f"baseline {b} left out: its series does not cover origins {years[0]}-{years[-1]} "
                         "(UCDP battle deaths start in 1989)")
            f = f.drop(columns=[b, f"{b}_raw"], errors="ignore")
    return f, notes


def dev_origins(origins, horizon: int) -> list[int]:
    """The origins whose outcome window ends by ``DEV_LAST`` (development origins)."""
    return [int(T) for T in origins if int(T) + horizon <= DEV_LAST]


def final_metrics(res: EvalResult) -> pd.DataFrame:
    """The test-split metrics of a final run (what the scoring log records)."""
    if not res.final:
        raise ValueError("a development run has no test metrics; run with final=True (--final)")
    return res.metrics[res.metrics.split == "test"]


def run_config(res: EvalResult, **extra) -> dict:
    """What identifies a final scoring: target, hyperparameters, origins, horizon and ``extra``
    (publication lags, bootstrap size, seed, input hashes)."""
    return {"target": res.target, "spec": res.spec.__dict__, "origins": [int(o) for o in res.origins],
            "dev_last": DEV_LAST, **extra}


def evaluation_steps(tune_hyper: bool = True) -> int:
    """How many times :func:`evaluate` calls ``progress``."""
    return 3 + (len(LOGIT_GRID) + len(GBM_GRID) if tune_hyper else 0)


def reliability_plot(res: EvalResult, path: str | Path, split: str = "test", bins: int = 10) -> Path:
    """Reliability diagram (quantile bins) of the models and the PITF/history baselines."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    f = res.forecasts[res.forecasts.split == split]
    fig, ax = plt.subplots(figsize=(5.5, 5))
    hi = 0.0
    for m in [x for x in MODELS + ["pitf", "history"] if x in f]:
        r = mt.reliability_table(f.y, f[m], bins)
        ax.plot(r.p_mean, r.y_rate, marker="o", ms=3, label=m)
        hi = max(hi, r.p_mean.max(), r.y_rate.max())
    ax.plot([0, hi], [0, hi], "k--", lw=0.8)
    ax.set(xlabel="mean forecast probability", ylabel="observed frequency",
           title=f"{res.target} ({split}, {len(f)} rows, {int(f.y.sum())} events)")
    ax.legend(frameon=False)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
