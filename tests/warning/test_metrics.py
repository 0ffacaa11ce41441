import numpy as np
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score

from holisec.warning import metrics as mt


def test_brier_bss_logloss_hand():
    y, p = np.array([0, 1, 1]), np.array([0.1, 0.8, 0.6])
    assert mt.brier(y, p) == pytest.approx(0.07)
    assert mt.brier_skill(y, p) == pytest.approx(1 - 0.07 / (6 / 27))
    assert mt.brier_skill(y, p, p_ref=0.5) == pytest.approx(1 - 0.07 / 0.25)
    assert mt.log_loss(y, p) == pytest.approx(-(np.log(0.9) + np.log(0.8) + np.log(0.6)) / 3)


def test_aupr_auroc_hand():
    y, s = np.array([1, 0, 1, 0]), np.array([0.9, 0.8, 0.7, 0.1])
    assert mt.average_precision(y, s) == pytest.approx(0.5 * 1 + 0.5 * 2 / 3)
    assert mt.auroc(y, s) == pytest.approx(0.75)
    assert mt.auroc([1, 0], [0.5, 0.5]) == pytest.approx(0.5)
    assert mt.average_precision([1, 0], [0.5, 0.5]) == pytest.approx(0.5)


def test_ranking_matches_sklearn_with_ties_and_weights():
    rng = np.random.default_rng(0)
    y = (rng.random(300) < 0.1).astype(int)
    s = np.round(rng.random(300) + y * 0.3, 1)  # many ties
    assert mt.average_precision(y, s) == pytest.approx(average_precision_score(y, s))
    assert mt.auroc(y, s) == pytest.approx(roc_auc_score(y, s))
    w = rng.integers(0, 3, size=(2, 300)).astype(float)
    rep = np.repeat(np.arange(300), w[0].astype(int))
    assert mt.average_precision(y, s, w)[0] == pytest.approx(average_precision_score(y[rep], s[rep]))
    assert mt.auroc(y, s, w)[0] == pytest.approx(roc_auc_score(y[rep], s[rep]))
    assert mt.brier(y, s, w)[0] == pytest.approx(mt.brier(y[rep], s[rep]))


def test_recall_at_fpr_hand():
    pos = [0.9, 0.6, 0.45, 0.05]
    neg = [0.8, 0.5, 0.4] + [0.01] * 17
    y = np.r_[np.ones(4), np.zeros(20)]
    s = np.r_[pos, neg]
    assert mt.recall_at_fpr(y, s, 0.05) == pytest.approx(0.5)
    assert mt.recall_at_fpr(y, s, 0.10) == pytest.approx(0.75)


def test_topk_recall_hand_and_ties():
    y = [0, 1, 0, 1, 0]
    s = [0.9, 0.5, 0.1, 0.3, 0.2]
    g = [1, 1, 1, 2, 2]
    assert mt.topk_recall(y, s, g, 1) == pytest.approx(0.5)
    assert mt.topk_recall(y, s, g, 2) == pytest.approx(1.0)
    assert mt.topk_recall([1, 0], [0.5, 0.5], [1, 1], 1) == pytest.approx(0.5)


def test_calibration_slope_intercept():
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(3)
    x = rng.normal(size=4000)
    y = (rng.random(4000) < 1 / (1 + np.exp(-(-2 + 1.5 * x)))).astype(int)
    p = LogisticRegression(C=1e9).fit(x[:, None], y).predict_proba(x[:, None])[:, 1]
    slope, citl = mt.calibration(y, p)
    assert slope == pytest.approx(1.0, abs=1e-3) and citl == pytest.approx(0.0, abs=1e-3)
    lp = np.log(p / (1 - p))
    sharp = 1 / (1 + np.exp(-2 * lp))  # over-confident: slope halves
    assert mt.calibration(y, sharp)[0] == pytest.approx(0.5, abs=1e-3)


def test_paired_bootstrap_interval_contains_point():
    rng = np.random.default_rng(5)
    y = (rng.random(500) < 0.1).astype(float)
    good, bad = np.clip(y * 0.5 + 0.05, 0, 1), np.full(500, 0.1)
    t = mt.paired_bootstrap(y, good, bad, np.repeat(np.arange(50), 10), B=200, seed=1).set_index("metric")
    assert (t["lo"] <= t["diff"]).all() and (t["diff"] <= t["hi"]).all()
    assert t.loc["brier", "hi"] < 0 and t.loc["aupr", "lo"] > 0
