"""Forecast metrics for rare binary events, vectorised over bootstrap weight matrices.

Ranking metrics (AUPR, AUROC) accept a weight matrix ``W`` (B x n, e.g. country-block bootstrap
counts) and return B values in one pass: the score order is computed once, only the weights
change. Ties in scores are handled as tie groups (step-wise precision as in scikit-learn's
``average_precision_score``; half credit for tied pairs in AUROC).

References
----------
Brier (1950) MWR 78(1); Saito & Rehmsmeier (2015) PLoS ONE 10(3) (precision-recall for
imbalanced data); Van Calster et al. (2016) J Clin Epidemiol 74 (calibration hierarchy:
intercept = calibration-in-the-large, slope); Ward & Beger (2017) JPR 54(2) (top-k lists).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

EPS = 1e-12


def _w(W, n):
    if W is None:
        return np.ones((1, n))
    W = np.asarray(W, dtype=float)
    return W[None, :] if W.ndim == 1 else W


def brier(y, p, W=None) -> np.ndarray | float:
    """Mean squared error of probabilities (weighted rows of ``W`` -> one value per row)."""
    y, p = np.asarray(y, float), np.asarray(p, float)
    Wm = _w(W, len(y))
    out = Wm @ (p - y) ** 2 / Wm.sum(1)
    return float(out[0]) if W is None else out


def brier_skill(y, p, p_ref=None) -> float:
    """1 - Brier(p) / Brier(p_ref); ``p_ref`` defaults to the sample base rate (climatology)."""
    y = np.asarray(y, float)
    ref = np.full(len(y), y.mean()) if p_ref is None else np.broadcast_to(np.asarray(p_ref, float), y.shape)
    return 1.0 - brier(y, p) / brier(y, ref)


def log_loss(y, p, W=None, eps: float = 1e-15) -> np.ndarray | float:
    """Mean negative log-likelihood (natural log), probabilities clipped to [eps, 1-eps]."""
    y, p = np.asarray(y, float), np.clip(np.asarray(p, float), eps, 1 - eps)
    ll = -(y * np.log(p) + (1 - y) * np.log1p(-p))
    Wm = _w(W, len(y))
    out = Wm @ ll / Wm.sum(1)
    return float(out[0]) if W is None else out


def _groups(s_sorted: np.ndarray) -> np.ndarray:
    """Indices of the last element of each tie group in a sorted score vector."""
    return np.flatnonzero(np.r_[s_sorted[1:] != s_sorted[:-1], True])


def average_precision(y, s, W=None) -> np.ndarray | float:
    """Area under the precision-recall curve as average precision (step interpolation)."""
    y, s = np.asarray(y, float), np.asarray(s, float)
    o = np.argsort(-s, kind="stable")
    Wm = _w(W, len(y))[:, o]
    ends = _groups(s[o])
    tp = np.cumsum(Wm * y[o], axis=1)[:, ends]
    n = np.cumsum(Wm, axis=1)[:, ends]
    P = tp[:, -1:]
    with np.errstate(invalid="ignore", divide="ignore"):
        prec = np.where(n > 0, tp / n, 0.0)
        rec = tp / P
    drec = np.diff(np.concatenate([np.zeros((len(rec), 1)), rec], axis=1), axis=1)
    out = np.sum(drec * prec, axis=1)
    out[P[:, 0] == 0] = np.nan
    return float(out[0]) if W is None else out


def auroc(y, s, W=None) -> np.ndarray | float:
    """Area under the ROC curve (probability a random event outranks a random non-event)."""
    y, s = np.asarray(y, float), np.asarray(s, float)
    o = np.argsort(s, kind="stable")
    Wm = _w(W, len(y))[:, o]
    ends = _groups(s[o])
    cp = np.cumsum(Wm * y[o], axis=1)[:, ends]
    cn = np.cumsum(Wm * (1 - y[o]), axis=1)[:, ends]
    gp = np.diff(np.concatenate([np.zeros((len(cp), 1)), cp], axis=1), axis=1)
    gn = np.diff(np.concatenate([np.zeros((len(cn), 1)), cn], axis=1), axis=1)
    below = cn - gn
    P, N = cp[:, -1], cn[:, -1]
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.sum(gp * (below + 0.5 * gn), axis=1) / (P * N)
    return float(out[0]) if W is None else out


def recall_at_fpr(y, s, fpr: float = 0.05) -> float:
    """Largest true-positive rate among thresholds whose false-positive rate is <= ``fpr``
    (thresholds at tie-group boundaries, no interpolation)."""
    y, s = np.asarray(y, float), np.asarray(s, float)
    o = np.argsort(-s, kind="stable")
    ends = _groups(s[o])
    tpr = np.cumsum(y[o])[ends] / max(y.sum(), EPS)
    fp = np.cumsum(1 - y[o])[ends] / max((1 - y).sum(), EPS)
    ok = fp <= fpr + 1e-12
    return float(tpr[ok].max()) if ok.any() else 0.0


def topk_recall(y, s, group, k: int) -> float:
    """Share of events inside each group's (year's) top-``k`` list, pooled over groups.

    Ties at the cut-off receive fractional credit (expected recall under random tie-breaking).
    """
    d = pd.DataFrame({"y": np.asarray(y, float), "s": np.asarray(s, float), "g": np.asarray(group)})
    r = d.groupby("g")["s"]
    above = r.rank(method="min", ascending=False) - 1
    size = r.rank(method="max", ascending=False) - above
    take = ((k - above) / size).clip(0, 1)
    return float((take * d["y"]).sum() / max(d["y"].sum(), EPS))


def _logit(p):
    p = np.clip(np.asarray(p, float), 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def calibration(y, p) -> tuple[float, float]:
    """Calibration slope (y ~ a + b logit p) and calibration-in-the-large intercept
    (y ~ a + offset(logit p)); ideal (1, 0)."""
    import statsmodels.api as sm

    y, lp = np.asarray(y, float), _logit(p)
    if y.min() == y.max():
        return float("nan"), float("nan")
    try:
        slope = sm.GLM(y, sm.add_constant(lp), family=sm.families.Binomial()).fit().params[1]
        citl = sm.GLM(y, np.ones((len(y), 1)), family=sm.families.Binomial(), offset=lp).fit().params[0]
    except Exception:  # perfect separation or singular design
        return float("nan"), float("nan")
    return float(slope), float(citl)


def reliability_table(y, p, bins: int = 10) -> pd.DataFrame:
    """Observed frequency vs mean forecast in quantile bins of ``p`` (for reliability plots)."""
    d = pd.DataFrame({"y": np.asarray(y, float), "p": np.asarray(p, float)})
    d["bin"] = pd.qcut(d["p"].rank(method="first"), min(bins, len(d)), labels=False)
    return d.groupby("bin").agg(p_mean=("p", "mean"), y_rate=("y", "mean"), n=("y", "size")).reset_index()


RANKING = ("aupr", "auroc")


def all_metrics(y, p, year, p_ref=None, s=None) -> dict[str, float]:
    """Every headline metric of one forecast column on one set of rows.

    ``p``: probabilities (Brier, BSS, log loss, calibration); ``s``: the ranking score for AUPR,
    AUROC, recall at a false-positive rate and top-k recall (default ``p``; a baseline's raw
    score, e.g. 1/(1 + years since the last conflict), which pools across years unchanged)."""
    y, p = np.asarray(y, float), np.asarray(p, float)
    s = p if s is None else np.asarray(s, float)
    slope, citl = calibration(y, p)
    has = 0 < y.sum() < len(y)
    return {
        "n": int(len(y)), "events": int(y.sum()), "base_rate": float(y.mean()),
        "brier": brier(y, p), "bss": brier_skill(y, p, p_ref), "log_loss": log_loss(y, p),
        "aupr": average_precision(y, s) if y.sum() else np.nan, "auroc": auroc(y, s) if has else np.nan,
        "recall_fpr05": recall_at_fpr(y, s, 0.05) if has else np.nan,
        "recall_fpr10": recall_at_fpr(y, s, 0.10) if has else np.nan,
        "top10_recall": topk_recall(y, s, year, 10) if y.sum() else np.nan,
        "top20_recall": topk_recall(y, s, year, 20) if y.sum() else np.nan,
        "cal_slope": slope, "cal_intercept": citl,
    }


def block_weights(groups, B: int, seed: int) -> np.ndarray:
    """Country-block bootstrap: B x n row weights from resampling groups with replacement."""
    codes, uniq = pd.factorize(np.asarray(groups))
    rng = np.random.default_rng(seed)
    counts = rng.multinomial(len(uniq), np.full(len(uniq), 1 / len(uniq)), size=B)
    return counts[:, codes].astype(float)


BOOTSTRAP_METRICS = (("brier", brier), ("log_loss", log_loss), ("aupr", average_precision), ("auroc", auroc))


def metric_draws(y, p, W: np.ndarray, s=None) -> dict[str, tuple[float, np.ndarray]]:
    """Point value and the bootstrap values (one per row of the weights ``W``) of Brier, log
    loss, AUPR and AUROC for one forecast column; computed once, paired with any other.
    ``s``: ranking score for AUPR/AUROC (default ``p``)."""
    s = p if s is None else s
    return {name: (f(y, s if name in RANKING else p), f(y, s if name in RANKING else p, W))
            for name, f in BOOTSTRAP_METRICS}


def paired_from_draws(model: dict, base: dict) -> pd.DataFrame:
    """Difference model - baseline with its 95% bootstrap interval, from two :func:`metric_draws`
    made with the same weights."""
    rows = []
    for name, (pm, dm) in model.items():
        pb, db = base[name]
        d = dm - db
        d = d[np.isfinite(d)]
        rows.append({"metric": name, "diff": pm - pb, "lo": float(np.quantile(d, 0.025)),
                     "hi": float(np.quantile(d, 0.975)), "ratio": pm / pb})
    return pd.DataFrame(rows)


def paired_bootstrap(y, p_model, p_base, groups, B: int = 1000, seed: int = 0) -> pd.DataFrame:
    """Point difference (model - baseline) and country-block bootstrap 95% interval for Brier,
    log loss, AUPR and AUROC on identical rows."""
    W = block_weights(groups, B, seed)
    return paired_from_draws(metric_draws(y, p_model, W), metric_draws(y, p_base, W))
