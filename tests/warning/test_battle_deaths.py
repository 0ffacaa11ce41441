"""The "last year's log battle deaths" intensity baseline (issue 11, section 4)."""

import numpy as np
import pandas as pd
import pytest

from holisec.warning import models as M
from holisec.warning.evaluate import _covered_baselines, raw
from holisec.warning.forecast import Spec, design, feature_columns, fit_origin
from holisec.warning.outcomes import load_battle_deaths, load_outcomes
from holisec.warning.publication import INPUT_LAGS

SPEC = Spec(logit_C=0.1, gbm={"n_estimators": 30, "num_leaves": 4}, start=1960)
LAGS = {"x": 0, "noise": 0}


def _with_bd(out, first=1975, seed=3):
    """Synthetic outcomes with battle deaths from ``first`` on (more deaths where conflict)."""
    rng = np.random.default_rng(seed)
    bd = np.where(out.conflict == 1, rng.integers(25, 5000, len(out)), rng.integers(0, 3, len(out)) * 10)
    return out.assign(battle_deaths=np.where(out.year >= first, bd, np.nan).astype(float))


def test_shipped_battle_deaths_cover_1989_2024():
    b = load_battle_deaths()
    assert len(b) == 6935 and b.year.min() == 1989 and b.year.max() == 2024
    assert b.battle_deaths.sum() == pytest.approx(2_365_025) and not b.duplicated(["iso3", "year"]).any()
    o = load_outcomes()
    assert o.loc[o.year < 1989, "battle_deaths"].isna().all() and o.loc[o.year >= 1989, "battle_deaths"].notna().all()
    assert o.set_index(["iso3", "year"]).loc[("ETH", 2022), "battle_deaths"] == b.set_index(
        ["iso3", "year"]).loc[("ETH", 2022), "battle_deaths"]
    assert INPUT_LAGS["battle_deaths"] == 0  # the UCDP release rule of the conflict series


def test_design_holds_log_battle_deaths_as_published(synth):
    out, pred, ring = synth
    o = _with_bd(out)
    d = design("conflict_onset", o, pred, lags=LAGS, contiguity=ring).set_index(["iso3", "year"])
    src = o.set_index(["iso3", "year"])["battle_deaths"]
    k = ("E03", 1990)
    assert d.loc[k, "bd_log_t"] == pytest.approx(np.log1p(src.loc[k]))  # lag 0: year t's deaths
    assert "bd_log_t" in d.columns and "bd_log_t" not in feature_columns(d.reset_index())  # a baseline input only
    lagged = design("conflict_onset", o, pred, lags=LAGS | {"battle_deaths": 1}, contiguity=ring).set_index(
        ["iso3", "year"])
    assert lagged.loc[k, "bd_log_t"] == pytest.approx(np.log1p(src.loc[("E03", 1989)]))  # lag 1: year t-1's


def test_baseline_score_and_probability_by_hand():
    X = pd.DataFrame({"bd_log_t": np.log1p([0, 0, 0, 0, 100, 1000, 0, 5000.0])})
    y = np.array([0, 0, 0, 0, 1, 1, 0, 1])
    m = M.BattleDeaths().fit(X, y)
    np.testing.assert_allclose(m.score(X), np.log1p([0, 0, 0, 0, 100, 1000, 0, 5000.0]))
    p = m.predict(X)
    assert p[5] > p[4] > p[0] and np.all(np.diff(p[np.argsort(X.bd_log_t.to_numpy())]) >= 0)  # monotone
    with pytest.raises(M.NoCoverage, match="lack both classes"):
        M.BattleDeaths().fit(X, np.zeros(8, int))
    with pytest.raises(M.NoCoverage, match="forecast rows without"):
        m.predict(pd.DataFrame({"bd_log_t": [np.nan, 1.0]}))


def test_fit_origin_gives_the_baseline_only_where_covered(synth):
    out, pred, ring = synth
    d = design("conflict_onset", _with_bd(out), pred, lags=LAGS, contiguity=ring)
    rows, fitted = fit_origin(d, 1990, SPEC)
    assert "battle_deaths" in fitted and raw(rows, "battle_deaths") == "battle_deaths_raw"
    at = d[d.at_risk & (d.year == 1990)].set_index("iso3")["bd_log_t"]
    np.testing.assert_allclose(rows.set_index("iso3")["battle_deaths_raw"], at.reindex(rows.iso3))
    early, fitted = fit_origin(d, 1970, SPEC)  # before the series starts: no such baseline there
    assert "battle_deaths" not in fitted and "battle_deaths" not in early
    # a future shock to battle deaths does not move the origin-1990 baseline (publication rule)
    shocked = _with_bd(out)
    shocked.loc[shocked.year > 1990, "battle_deaths"] *= 50
    rows2, _ = fit_origin(design("conflict_onset", shocked, pred, lags=LAGS, contiguity=ring), 1990, SPEC)
    np.testing.assert_array_equal(rows.battle_deaths.to_numpy(), rows2.battle_deaths.to_numpy())


def test_partly_covered_baseline_is_left_out_with_a_note():
    f = pd.DataFrame({"year": [1985, 1995], "split": ["dev", "dev"], "y": [0, 1],
                      "battle_deaths": [np.nan, 0.2], "battle_deaths_raw": [np.nan, 3.0], "history": [0.1, 0.2]})
    g, notes = _covered_baselines(f)
    assert "battle_deaths" not in g and "battle_deaths_raw" not in g and "history" in g
    assert notes == ["baseline battle_deaths left out: its series does not cover origins 1985-1985 "
                     "(UCDP battle deaths start in 1989)"]
    h, none = _covered_baselines(f[f.year > 1990])
    assert "battle_deaths" in h and none == []


def test_intensity_features_by_hand():
    from holisec.warning.features import intensity_features

    o = pd.DataFrame({"iso3": ["A"] * 3 + ["B"] * 3 + ["C"] * 3, "year": [1988, 1989, 1990] * 3,
                      "battle_deaths": [np.nan, 99, 0, np.nan, 0, 9, np.nan, 999, 0]})
    ring = pd.DataFrame({"iso3": ["A", "A", "B", "C"], "iso3_nb": ["B", "C", "A", "A"]})
    f = intensity_features(o, ring).set_index(["iso3", "year"])
    assert f.loc[("A", 1990), "bd_log_t"] == 0 and f.loc[("A", 1990), "bd_log_max10"] == pytest.approx(np.log(100))
    assert np.isnan(f.loc[("A", 1988), "bd_log_max10"]) and np.isnan(f.loc[("A", 1988), "nb_bd_log"])
    assert f.loc[("A", 1989), "nb_bd_log"] == pytest.approx(np.log(1000))  # B 0 + C 999
    assert f.loc[("A", 1990), "nb_bd_log"] == pytest.approx(np.log(10))  # B 9 + C 0
    assert f.loc[("B", 1989), "nb_bd_log"] == pytest.approx(np.log(100))
    with pytest.raises(ValueError, match="unknown feature sets"):
        from holisec.warning.features import build_features

        build_features(o.assign(conflict=0.0), extra=("nope",), contiguity=ring)


def test_kept_feature_sets_per_target(synth):
    out, pred, ring = synth
    o = _with_bd(out)
    assert "nb_bd_log" in design("conflict_onset", o, pred, lags=LAGS, contiguity=ring).columns
    assert "nb_bd_log" not in design("conflict_onset2", o, pred, lags=LAGS, contiguity=ring).columns
    assert "nb_bd_log" not in design("conflict_onset", o, pred, lags=LAGS, contiguity=ring, extra=()).columns
