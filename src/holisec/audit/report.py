"""One call for the whole statistical audit: :func:`audit` -> :class:`AuditReport`.

References
----------
OECD/JRC (2008). *Handbook on Constructing Composite Indicators*, Steps 3, 4 and 7.
Saisana, M., Saltelli, A. & Tarantola, S. (2005). *J. R. Stat. Soc. A* 168(2), 307-323.
Nunnally, J. C. (1978). *Psychometric Theory* (2nd ed.). McGraw-Hill.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pandas as pd
import xarray as xr

from holisec.audit import correlation as _corr
from holisec._json import json_ready
from holisec.audit._common import Use, check_scores, root_of, select_periods
from holisec.audit.coverage import MIN_SHARE, coverage_summary
from holisec.audit.correlation_importance import RATIO, correlation_importance
from holisec.audit.effective import effective_weights
from holisec.audit.importance import leave_one_out, summarise_importance
from holisec.audit.validity import summarise_validity
from holisec.audit.pca import pca
from holisec.audit.reliability import ALPHA_MIN, reliability

FLAG_COLUMNS = ["check", "subject", "parent", "period", "method", "value", "detail"]


@dataclass
class AuditReport:
    """Tables of the statistical audit, their flags and the settings used.

    Attributes
    ----------
    coverage : dict of str -> DataFrame
        Per ``indicator``, ``entity``, ``period`` (empty when no raw panel was given).
    within, cross : DataFrame
        Within-group and cross-level correlations (:mod:`holisec.audit.correlation`).
    reliability : DataFrame
        Cronbach's alpha per aggregate.
    pca, pca_loadings : DataFrame
        PCA summary per group and loadings of the retained components.
    correlation_importance : DataFrame
        Correlation-based importance (squared correlation with the parent, as a share within
        the parent) versus the nominal weight of each component.
    effective_weights : DataFrame
        COINr's effective weights: nominal weights multiplied down the tree (share of the index).
    importance : DataFrame or None
        Leave-one-out importance per period (only when a ``rebuild`` callable was given).
    validity : DataFrame or None
        Correlations with published indices per period (:mod:`holisec.audit.validity`).
    flags : DataFrame
        One row per flag: ``check, subject, parent, period, method, value, detail``.
    settings : dict
        Thresholds and options used.
    """

    coverage: dict[str, pd.DataFrame]
    within: pd.DataFrame
    cross: pd.DataFrame
    reliability: pd.DataFrame
    pca: pd.DataFrame
    pca_loadings: pd.DataFrame
    correlation_importance: pd.DataFrame
    effective_weights: pd.DataFrame
    importance: pd.DataFrame | None = None
    validity: pd.DataFrame | None = None
    flags: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=FLAG_COLUMNS))
    settings: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """JSON-serialisable dict: tables as lists of records, NaN/NA as ``None``."""
        return json_ready({
            "settings": self.settings,
            "coverage": self.coverage,
            "within": self.within, "cross": self.cross, "reliability": self.reliability,
            "pca": self.pca, "pca_loadings": self.pca_loadings,
            "correlation_importance": self.correlation_importance, "effective_weights": self.effective_weights,
            "importance": self.importance,
            "importance_summary": None if self.importance is None else summarise_importance(self.importance),
            "validity": self.validity,
            "validity_summary": None if self.validity is None else summarise_validity(self.validity),
            "flags": self.flags,
        })

    def summary(self, per_check: int = 5) -> str:
        """Short text summary: flags grouped by check (the first ``per_check`` of each)."""
        lines = [f"Statistical audit ({self.settings.get('periods', '')}): {len(self.flags)} flag(s)"]
        if not len(self.flags):
            lines.append("  no flags")
        for check, group in self.flags.groupby("check", sort=False):
            lines.append(f"{check}: {len(group)}")
            for rec in group.head(per_check).itertuples(index=False):
                where = f" [{rec.parent}]" if isinstance(rec.parent, str) and rec.parent else ""
                when = "" if pd.isna(rec.period) else f" {rec.period}"
                how = "" if not isinstance(rec.method, str) or not rec.method else f" ({rec.method})"
                lines.append(f"  - {rec.subject}{where}{when}{how}: {rec.detail}")
            if len(group) > per_check:
                lines.append(f"  ... and {len(group) - per_check} more (--json for all)")
        if len(self.reliability):
            a = self.reliability.dropna(subset=["alpha"])
            if len(a):
                lines.append(f"Cronbach's alpha: median {a['alpha'].median():.2f} over {len(a)} aggregate(s)")
        if self.validity is not None and len(self.validity):
            v = summarise_validity(self.validity)
            v = v[v["code"] == self.settings.get("root", v["code"].iloc[0])]
            lines.append("Agreement with published indices (median Spearman over years): " + ", ".join(
                f"{r.benchmark} {r.spearman:.2f} ({r.first}-{r.last})" for r in v.itertuples()))
        if self.importance is not None and len(self.importance):
            top = summarise_importance(self.importance).head(3)
            lines.append("Most influential (leave-one-out): " + ", ".join(
                f"{r.dropped} ({r.mean_abs_rank_change:.1f} ranks)" for r in top.itertuples()))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


def _flags(rep: AuditReport, s: dict) -> pd.DataFrame:
    out: list[dict] = []

    def add(check, subject, detail, parent=None, period=None, method=None, value=None):
        out.append(dict(check=check, subject=subject, parent=parent, period=period,
                        method=method, value=value, detail=detail))

    for dim, df in rep.coverage.items():
        for key, r in df[df["low"]].iterrows():
            add(f"low_coverage_{dim}", str(key), f"{r['share']:.0%} observed < {s['coverage_min']:.0%}",
                value=r["share"])
    w = rep.within
    for r in w[w["redundant"]].itertuples():
        add("redundant_pair", f"{r.code_a} ~ {r.code_b}", f"|r| = {abs(r.r):.2f} > {s['redundant']}",
            r.parent, r.period, r.method, r.r)
    for r in w[w["negative"]].itertuples():
        add("negative_pair", f"{r.code_a} ~ {r.code_b}", f"r = {r.r:.2f} < {s['negative']}",
            r.parent, r.period, r.method, r.r)
    c = rep.cross
    for col, text in (("negative_with_parent", "negatively correlated with its parent"),
                      ("weak_with_parent", f"weakly correlated with its parent (r < {s['weak']})"),
                      ("better_elsewhere", "correlates more with another aggregate of the parent's level")):
        for r in c[c[col]].itertuples():
            add(col, r.code, f"{text}: r = {r.r:.2f}", r.aggregate, r.period, r.method, r.r)
    for r in rep.reliability[rep.reliability["low_alpha"]].itertuples():
        add("low_alpha", r.parent, f"Cronbach's alpha = {r.alpha:.2f} < {s['alpha_min']}",
            r.parent, r.period, None, r.alpha)
    for r in rep.pca[rep.pca["multidimensional"]].itertuples():
        add("multidimensional", r.parent,
            f"{r.n_eigen_gt1} eigenvalues > 1; PC1 explains {r.pc1_share:.0%}", r.parent, r.period, None,
            r.pc1_share)
    e = rep.correlation_importance
    for col, text in (("under_represented", "correlation-based importance below nominal weight/"),
                      ("over_represented", "correlation-based importance above nominal weight*")):
        for r in e[e[col]].itertuples():
            add(col, r.code, f"{text}{s['ratio']:g}: {r.importance:.2f} vs {r.nominal:.2f}", r.parent,
                r.period, None, r.importance)
    df = pd.DataFrame(out, columns=FLAG_COLUMNS)
    df["period"] = df["period"].astype("Int64")
    return df


def audit(
    scores: xr.DataArray,
    tree: pd.DataFrame,
    raw: xr.DataArray | None = None,
    period: int | Sequence[int] | None = None,
    *,
    by_period: bool = False,
    use: Use = "pairwise",
    use_alpha: Use = "complete",
    rebuild: Callable[[list[str]], xr.DataArray] | None = None,
    baseline: xr.DataArray | None = None,
    drop_indicators: Sequence[str] | None = None,
    weights: pd.Series | None = None,
    coverage_min: float = MIN_SHARE,
    redundant: float = _corr.REDUNDANT,
    negative: float = _corr.NEGATIVE,
    weak: float = _corr.WEAK,
    alpha_min: float = ALPHA_MIN,
    ratio: float = RATIO,
) -> AuditReport:
    """Run the full statistical audit of a composite index.

    Parameters
    ----------
    scores : xarray.DataArray
        Dims ``("entity", "period", "code")``: normalised indicators and every aggregate
        (``Result.scores``), higher = more risk.
    tree : pandas.DataFrame
        ``framework.tree``.
    raw : xarray.DataArray, optional
        Raw panel ``("entity", "period", "indicator")`` for the coverage tables.
    period : int or sequence of int, optional
        Periods to audit (default all).
    by_period : bool
        Pool the selected periods (default) or compute every statistic per period.
    use : {"pairwise", "complete"}
        Case handling for correlations and correlation-based importance.
    use_alpha : {"complete", "pairwise"}
        Case handling for Cronbach's alpha and PCA (listwise by default).
    rebuild : callable, optional
        ``rebuild(drop) -> root scores`` for leave-one-out importance (see
        :func:`holisec.audit.importance.leave_one_out`).
    baseline : xarray.DataArray, optional
        Baseline root scores; default ``scores.sel(code=root)``.
    drop_indicators : sequence of str, optional
        Indicators dropped one at a time by the leave-one-out (default: all; ``[]``: groups only).
    weights : pandas.Series, optional
        Weights the build used (``result.weights``) for the nominal and effective weights;
        default the tree's ``weight``.
    coverage_min, redundant, negative, weak, alpha_min, ratio : float
        Flag thresholds (defaults 0.65, 0.9, 0.0, 0.3, 0.7, 2).

    Returns
    -------
    AuditReport

    References
    ----------
    OECD/JRC (2008), Handbook; Saisana, Saltelli & Tarantola (2005); Nunnally (1978).
    """
    scores = select_periods(check_scores(scores), period)
    periods = [int(p) for p in scores["period"].values]
    settings = dict(root=root_of(tree), periods=f"{min(periods)}-{max(periods)}" if periods else "", period_list=periods,
                    by_period=by_period, use=use, use_alpha=use_alpha, coverage_min=coverage_min,
                    redundant=redundant, negative=negative, weak=weak, alpha_min=alpha_min, ratio=ratio)
    kw = dict(by_period=by_period)
    cov = {} if raw is None else coverage_summary(raw, coverage_min, period)
    summary, loadings = pca(scores, tree, use=use_alpha, **kw)
    imp = None
    if rebuild is not None:
        if baseline is None:
            baseline = scores.sel(code=root_of(tree))
        imp = leave_one_out(rebuild, select_periods(baseline, period), tree, indicators=drop_indicators)
    rep = AuditReport(
        coverage=cov,
        within=_corr.within_group(scores, tree, use=use, redundant=redundant, negative=negative, **kw),
        cross=_corr.cross_level(scores, tree, use=use, weak=weak, **kw),
        reliability=reliability(scores, tree, use=use_alpha, threshold=alpha_min, **kw),
        pca=summary, pca_loadings=loadings,
        correlation_importance=correlation_importance(scores, tree, use=use, ratio=ratio, weights=weights, **kw),
        effective_weights=effective_weights(tree, weights),
        importance=imp, settings=settings,
    )
    rep.flags = _flags(rep, settings)
    return rep
