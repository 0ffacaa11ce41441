"""Leakage, planted-signal recovery and determinism on synthetic panels."""

import numpy as np
import pandas as pd
import pytest

from holisec.warning import metrics as mt
from holisec.warning.evaluate import evaluate
from holisec.warning.forecast import Spec, design, explain_rows, fit_origin

SPEC = Spec(logit_C=0.1, gbm={"n_estimators": 60, "num_leaves": 4}, start=1960)


def test_leakage_truncation_leaves_forecasts_unchanged(synth):
    out, pred, ring = synth
    T = 1995
    full = design("conflict_onset", out, pred, contiguity=ring)
    cut = design("conflict_onset", out[out.year <= T], pred[pred.year <= T], contiguity=ring)
    a, _ = fit_origin(full, T, SPEC)
    b, _ = fit_origin(cut, T, SPEC)
    models = ["ensemble", "logit", "gbm", "climatology", "history", "pitf"]
    pd.testing.assert_frame_equal(a[["iso3", "year"] + models].reset_index(drop=True),
                                  b[["iso3", "year"] + models].reset_index(drop=True))
    # the two-year target too: outcomes after T must not enter training
    a2, _ = fit_origin(design("conflict_onset2", out, pred, contiguity=ring), T, SPEC)
    b2, _ = fit_origin(design("conflict_onset2", out[out.year <= T], pred[pred.year <= T], contiguity=ring), T, SPEC)
    np.testing.assert_allclose(a2["ensemble"], b2["ensemble"])


def test_planted_signal_recovered(synth):
    out, pred, ring = synth
    r = evaluate("conflict_onset", out, pred, origins=range(1990, 2009), spec=SPEC, tune_hyper=False, B=20,
                 contiguity=ring)
    m = r.metrics.set_index(["split", "model"])
    assert m.loc[("dev", "ensemble"), "auroc"] > 0.8
    assert m.loc[("dev", "logit"), "auroc"] > 0.8
    assert m.loc[("dev", "ensemble"), "aupr"] > m.loc[("dev", "climatology"), "aupr"]


def test_evaluation_deterministic_under_seed(synth):
    out, pred, ring = synth
    kw = dict(origins=range(2000, 2006), spec=SPEC, tune_hyper=False, B=30, seed=7, contiguity=ring)
    a = evaluate("conflict_onset", out, pred, **kw)
    b = evaluate("conflict_onset", out, pred, **kw)
    pd.testing.assert_frame_equal(a.metrics, b.metrics)
    pd.testing.assert_frame_equal(a.bootstrap, b.bootstrap)


def test_explanations_sum_to_logit(synth):
    out, pred, ring = synth
    d = design("conflict_onset", out, pred, contiguity=ring)
    rows, fitted = fit_origin(d, 2000, SPEC, include={"ensemble"}, explain=True)
    c = rows.attrs["contrib"]
    p = fitted["ensemble"].predict(d[d.at_risk & (d.year == 2000)][c.columns.drop("_bias")])
    np.testing.assert_allclose(1 / (1 + np.exp(-c.sum(axis=1))), p, rtol=1e-6)
    e = explain_rows(c)
    assert e["top_contributions"].str.contains("x ").any()
    assert "domain:conflict history" in e.columns
