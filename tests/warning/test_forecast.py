"""Leakage (with per-origin index features), planted-signal recovery, explanations, determinism."""

import numpy as np
import pandas as pd
import pytest

from holisec.warning.evaluate import evaluate, evaluation_steps
from holisec.warning.features import code_domains
from holisec.warning.forecast import Spec, design, explain_rows, fit_origin
from holisec.warning.indexscores import OriginIndex, truncate

from .conftest import synthetic_index

SPEC = Spec(logit_C=0.1, gbm={"n_estimators": 60, "num_leaves": 4}, start=1960)
MODELS = ["ensemble", "logit", "gbm", "climatology", "history", "pitf"]
#: the synthetic driver and noise are published at once (V-Dem polyarchy and infmort keep theirs)
LAGS = {"x": 0, "noise": 0}


@pytest.fixture(scope="module")
def synth_index(synth, tmp_path_factory):
    out, pred, _ = synth
    return synthetic_index(out, pred, tmp_path_factory.mktemp("fw"))


def test_truncate_slow_one_year_earlier(synth_index):
    panel, fw, _ = synth_index
    c = truncate(panel, 1995, {"ind_x2": 1})
    assert int(c.period.max()) == 1995
    assert np.isnan(c.sel(period=1995, indicator="ind_x2")).all()
    assert c.sel(period=1995, indicator="ind_x").notnull().any()
    assert c.sel(period=1994, indicator="ind_x2").notnull().any()


def test_leakage_truncation_leaves_forecasts_unchanged(synth, synth_index):
    out, pred, ring = synth
    panel, fw, groups = synth_index
    T = 1995
    ix_full = OriginIndex(panel, fw, groups)
    # after T nothing is known; the slow indicators' year-T values are not known either
    cut_panel = panel.where((panel.period <= T) & ~((panel.period == T) & (panel.indicator == "ind_x2")))
    ix_cut = OriginIndex(cut_panel.sel(period=cut_panel.period <= T), fw, groups)
    fa, fb = ix_full.features(T), ix_cut.features(T)
    assert fa["score_stress"].notna().sum() > 300
    pd.testing.assert_frame_equal(fa, fb)
    for target in ("conflict_onset", "conflict_onset2"):
        full = design(target, out, pred, lags=LAGS, contiguity=ring)
        cut = design(target, out[out.year <= T], pred[pred.year <= T], lags=LAGS, contiguity=ring)
        a, _ = fit_origin(full, T, SPEC, index_feats=fa)
        b, _ = fit_origin(cut, T, SPEC, index_feats=fb)
        pd.testing.assert_frame_equal(a[["iso3", "year"] + MODELS].reset_index(drop=True),
                                      b[["iso3", "year"] + MODELS].reset_index(drop=True))
    # changing the future panel changes later builds but not origin T
    shocked = panel.where(panel.period <= T, panel + 100.0)
    assert OriginIndex(shocked, fw, groups).features(T).equals(fa)
    assert not OriginIndex(shocked, fw, groups).features(T + 3).equals(ix_full.features(T + 3))


def test_index_features_carry_planted_signal(synth, synth_index):
    out, pred, ring = synth
    panel, fw, groups = synth_index
    kw = dict(origins=range(1995, 2009), spec=SPEC, tune_hyper=False, B=20, contiguity=ring, lags=LAGS)
    no_x = pred.drop(columns="x")  # the driver only reaches the model through the index
    with_ix = evaluate("conflict_onset", out, no_x, index=OriginIndex(panel, fw, groups), **kw)
    without = evaluate("conflict_onset", out, no_x, index=False, **kw)
    a = with_ix.metrics.set_index(["split", "model"]).loc[("dev", "logit"), "auroc"]
    b = without.metrics.set_index(["split", "model"]).loc[("dev", "logit"), "auroc"]
    assert a > b + 0.05 and a > 0.8
    assert with_ix.runtime["index"] and with_ix.runtime["index_builds_s"] >= 0


def test_planted_signal_recovered(synth):
    out, pred, ring = synth
    r = evaluate("conflict_onset", out, pred, index=False, origins=range(1990, 2009), spec=SPEC,
                 tune_hyper=False, B=20, contiguity=ring, lags=LAGS)
    m = r.metrics.set_index(["split", "model"])
    assert m.loc[("dev", "ensemble"), "auroc"] > 0.8
    assert m.loc[("dev", "logit"), "auroc"] > 0.8
    assert m.loc[("dev", "ensemble"), "aupr"] > m.loc[("dev", "climatology"), "aupr"]


def test_evaluation_deterministic_under_seed(synth):
    out, pred, ring = synth
    kw = dict(index=False, origins=range(2000, 2006), spec=SPEC, tune_hyper=False, B=30, seed=7, contiguity=ring, lags=LAGS)
    a = evaluate("conflict_onset", out, pred, **kw)
    stages = []
    b = evaluate("conflict_onset", out, pred, progress=stages.append, **kw)
    assert len(stages) == evaluation_steps(tune_hyper=False) == 3 and stages[-1].startswith("scoring and 30 ")
    pd.testing.assert_frame_equal(a.metrics, b.metrics)
    pd.testing.assert_frame_equal(a.bootstrap, b.bootstrap)


def test_explanations_sum_to_logit_and_group_by_domain(synth, synth_index):
    out, pred, ring = synth
    panel, fw, groups = synth_index
    d = design("conflict_onset", out, pred.drop(columns="x"), lags=LAGS, contiguity=ring)
    feats = OriginIndex(panel, fw, groups).features(2000)
    rows, fitted = fit_origin(d, 2000, SPEC, include={"ensemble"}, explain=True, index_feats=feats)
    c = rows.attrs["contrib"]
    te = d.merge(feats, on=["iso3", "year"], how="left")
    p = fitted["ensemble"].predict(te[te.at_risk & (te.year == 2000)][c.columns.drop("_bias")])
    np.testing.assert_allclose(1 / (1 + np.exp(-c.sum(axis=1))), p, rtol=1e-6)
    e = explain_rows(c, parents=code_domains(fw))
    doms = {"domain:stress", "domain:noise", "domain:index", "domain:history/context", "domain:structural"}
    assert doms <= set(e.columns)
    # per-domain sums add up to the total contribution of the features
    np.testing.assert_allclose(e[sorted(doms & set(e.columns))].sum(axis=1).to_numpy(),
                               c.drop(columns="_bias").sum(axis=1).to_numpy(), atol=1e-3)
    # the planted driver sits in 'stress': its contributions vary far more than 'noise'
    assert e["domain:stress"].std() > 2 * e["domain:noise"].std()
    assert e["top_contributions"].str.contains("score_stress|score_index").any()
