"""Locked test set: development runs score development origins only; --final scorings are logged."""

import json

import pandas as pd
import pytest

from holisec.data.store import Store
from holisec.warning.evaluate import DEV_LAST, evaluate, final_metrics, run_config
from holisec.warning.forecast import Spec
from holisec.warning.scoring_log import config_hash, log_score, scoring_log, times_scored

SPEC = Spec(logit_C=0.1, gbm={"n_estimators": 30, "num_leaves": 4}, start=1960)
LAGS = {"x": 0, "noise": 0}


def test_development_run_has_no_test_rows(synth):
    out, pred, ring = synth
    r = evaluate("conflict_onset", out, pred, index=False, origins=range(2005, 2010), spec=SPEC,
                 tune_hyper=False, B=10, contiguity=ring, lags=LAGS)
    assert max(r.origins) + 1 <= DEV_LAST and set(r.metrics.split) == {"dev"}
    assert set(r.forecasts.split) <= {"dev", ""} and r.verdict["split"] == "dev" and not r.final
    with pytest.raises(ValueError, match="final"):
        final_metrics(r)
    with pytest.raises(ValueError, match="--final"):
        evaluate("conflict_onset", out, pred, index=False, origins=[2015, 2016], spec=SPEC,
                 tune_hyper=False, B=10, contiguity=ring, lags=LAGS)


def test_final_scorings_are_appended_and_counted(tmp_path, synth):
    out, pred, ring = synth
    # the synthetic panel shifted by 10 years has test target years (2016-2020)
    o, p = out.assign(year=out.year + 10), pred.assign(year=pred.year + 10)
    r = evaluate("conflict_onset", o, p, index=False, origins=range(2012, 2020), spec=SPEC,
                 tune_hyper=False, B=10, contiguity=ring, lags=LAGS, final=True)
    assert {"dev", "test"} <= set(r.metrics.split) and r.verdict["split"] == "test"
    m = final_metrics(r)
    cfg = run_config(r, bootstrap=10, seed=0, input_lags=LAGS)
    with Store(tmp_path / "s.duckdb") as st:
        assert times_scored(st) == 0 and scoring_log(st).empty
        assert log_score(st, "conflict_onset", cfg, m, vintage="ingest 0", version="v-test") == 1
        assert log_score(st, "conflict_onset", cfg, m, vintage="ingest 0", version="v-test") == 2
        assert log_score(st, "coup", cfg, m) == 1
        log = scoring_log(st)
    assert times_scored(Store(tmp_path / "s.duckdb", read_only=True), "conflict_onset") == 2
    assert len(log) == 3 and list(log.target) == ["conflict_onset", "conflict_onset", "coup"]
    first = log.iloc[0]
    assert first.code_version == "v-test" and first.data_vintage == "ingest 0"
    assert first.config_hash == config_hash(cfg) and len(first.config_hash) == 16
    assert log.scored_at.is_monotonic_increasing
    rec = pd.DataFrame(json.loads(first.metrics))
    assert set(rec.split) == {"test"} and rec.set_index("model").loc["ensemble", "n"] == m.set_index("model").loc["ensemble", "n"]
    assert log.iloc[2].code_version.startswith("holisec ") and log.iloc[2].data_vintage == "empty store"
    # a different configuration has a different hash
    assert config_hash(cfg | {"seed": 1}) != config_hash(cfg)
