"""Honest baselines: ranking metrics on each rule baseline's raw score, probabilities for Brier/log
loss; microstates as a separate stratum as well as included."""

import numpy as np
import pandas as pd
import pytest

from holisec.warning import metrics as mt
from holisec.warning.evaluate import bootstrap, microstates, raw, score
from holisec.warning.models import Climatology, History, Persistence


def _frame():
    """Two origins whose one-variable logit maps the same recency to different probabilities."""
    return pd.DataFrame({
        "iso3": ["A", "B", "C"] * 2, "year": [2000] * 3 + [2001] * 3, "split": "dev",
        "y": [1, 0, 0, 0, 1, 0],
        "history_raw": [1.0, 0.5, 0.0, 1.0, 0.5, 0.0],
        "history": [0.30, 0.20, 0.01, 0.60, 0.40, 0.05],
        "climatology": 0.1, "climatology_raw": 0.0,
    })


def test_pooled_ranking_of_raw_and_logit_mapped_history_differ_and_raw_is_used():
    f = _frame()
    # hand-computed: raw ties (1.0: one event of two; 0.5: one of two) -> AP = .5*.5 + .5*.5
    assert mt.average_precision(f.y, f.history_raw) == pytest.approx(0.5)
    # mapped: order .60(0) .40(1) .30(1) -> AP = .5*1/2 + .5*2/3
    assert mt.average_precision(f.y, f.history) == pytest.approx(0.5 * 0.5 + 0.5 * 2 / 3)
    m = score(f, ["history", "climatology"]).set_index("model")
    assert m.loc["history", "aupr"] == pytest.approx(0.5)
    assert m.loc["history", "auroc"] == pytest.approx(mt.auroc(f.y, f.history_raw))
    assert m.loc["history", "aupr"] != pytest.approx(mt.average_precision(f.y, f.history))
    # probability metrics stay on the calibrated probabilities
    assert m.loc["history", "brier"] == pytest.approx(mt.brier(f.y, f.history))
    assert m.loc["history", "log_loss"] == pytest.approx(mt.log_loss(f.y, f.history))
    assert m.loc["climatology", "auroc"] == pytest.approx(0.5)  # a constant does not rank
    assert raw(f, "history") == "history_raw" and raw(f, "logit") == "logit"


def test_bootstrap_pairs_use_the_raw_ranking_score():
    f = _frame().assign(logit=[0.5, 0.1, 0.0, 0.2, 0.6, 0.0])
    b = bootstrap(f, ["logit"], ["history"], B=50, seed=0).set_index(["baseline", "metric"])
    assert b.loc[("history", "aupr"), "diff"] == pytest.approx(mt.average_precision(f.y, f.logit) - 0.5)
    assert b.loc[("history", "brier"), "diff"] == pytest.approx(mt.brier(f.y, f.logit) - mt.brier(f.y, f.history))


def test_rule_baselines_give_raw_scores():
    X = pd.DataFrame({"conf_recency": [1.0, 0.5, np.nan, 0.0], "event_t": [1, 0, np.nan, 0]})
    y = np.array([1, 0, 0, 0])
    assert list(History().fit(X, y).score(X)) == [1.0, 0.5, 0.0, 0.0]
    assert list(Persistence().fit(X, y).score(X)) == [1.0, 0.0, 0.0, 0.0]
    assert list(Climatology().fit(X, y).score(X)) == [0.0] * 4


def test_microstates_reported_separately_and_included():
    pred = pd.DataFrame({"iso3": ["BIG", "SMALL", "NOPOP"], "year": 2000,
                         "log_pop": [np.log(50_000.0), np.log(300.0), np.nan]})
    assert microstates(pred, ["BIG", "SMALL", "NOPOP", "ABSENT"]) == {"SMALL", "NOPOP", "ABSENT"}
    f = pd.DataFrame({"iso3": ["BIG", "BIG", "SMALL", "SMALL"], "year": [2000, 2001] * 2, "split": "dev",
                      "y": [1, 0, 0, 0], "logit": [0.6, 0.2, 0.01, 0.01], "climatology": 0.25})
    m = score(f, ["logit"], {"SMALL"}).set_index("stratum")
    assert list(m.index) == ["all", "excl_microstates", "microstates"]
    assert m.loc["all", "n"] == 4 and m.loc["excl_microstates", "n"] == 2 and m.loc["microstates", "n"] == 2
    assert m.loc["microstates", "events"] == 0 and np.isnan(m.loc["microstates", "aupr"])
    assert m.loc["microstates", "brier"] == pytest.approx(0.01 ** 2)
