"""Real-time vintages: stored outcomes/predictors, the vintage round trip, warn score, left-out indicators."""

import numpy as np
import pandas as pd
import pytest

from holisec.data.store import Store, VintageError
from holisec.warning.forecast import Spec, forecast
from holisec.warning.indexscores import OriginIndex
from holisec.warning.inputs import InputsError, inputs_as_of, load_inputs
from holisec.warning.realtime import model_version, score_rows, score_saved, vintage_inputs
from holisec.warning.register import SavedForecastExists, save_forecasts

from .conftest import synthetic_index

SPEC = Spec(logit_C=0.1, gbm={"n_estimators": 40, "num_leaves": 4}, start=1960)
LAGS = {"x": 0, "noise": 0}
KEY = ["iso3", "year"]


def _store(out, pred):
    st = Store(":memory:")
    v_out = load_inputs(st, "outcomes", out).ingest_id
    v_pred = load_inputs(st, "predictors", pred).ingest_id
    return st, v_out, v_pred


def test_inputs_are_append_only_vintages(synth):
    out, pred, _ = synth
    st, _, v1 = _store(out, pred)
    got = inputs_as_of(st, "outcomes", v1)
    pd.testing.assert_frame_equal(got, out.sort_values(KEY, ignore_index=True)[got.columns], check_dtype=False)
    assert load_inputs(st, "outcomes", out).skipped  # the same table twice: no new vintage
    rev = out.copy()
    rev.loc[0:2, "conflict"] = 1 - rev.loc[0:2, "conflict"]  # three revised values
    rev.loc[3, "coup_attempt"] = np.nan  # one withdrawn
    rep = load_inputs(st, "outcomes", rev, note="revision")
    assert not rep.skipped and rep.values_added == 4 and rep.ingest_id == v1 + 1
    old, new = inputs_as_of(st, "outcomes", v1), inputs_as_of(st, "outcomes")
    pd.testing.assert_frame_equal(old, got)
    assert (new.loc[0:2, "conflict"].to_numpy() == rev.loc[0:2, "conflict"].to_numpy()).all()
    assert np.isnan(new.loc[3, "coup_attempt"]) and not np.isnan(old.loc[3, "coup_attempt"])
    with pytest.raises(VintageError, match="no ingest #99"):
        inputs_as_of(st, "outcomes", 99)
    with pytest.raises(InputsError, match="first loaded in ingest #2"):
        inputs_as_of(st, "predictors", 1)  # the predictors arrived in ingest 2


def _forecast_at(st, as_of):
    vi = vintage_inputs(st, as_of, index=False)
    return forecast("conflict_onset", 2000, vi.outcomes, vi.predictors, index=False, spec=SPEC, lags=LAGS), vi


def test_vintage_round_trip(synth):
    """Forecast at an old vintage and save it; load a revision (a new vintage): the stored forecast
    is unchanged, a new forecast at the new vintage differs, and the old vintage reproduces it."""
    out, pred, ring = synth
    st, _, v1 = _store(out, pred)
    f1, vi = _forecast_at(st, v1)
    meta = {"vintage_id": vi.ingest_id, "vintage": vi.label, "recipe_hash": "r0",
            "model_version": model_version(SPEC, "conflict_onset", "ensemble"), "notes": ""}
    assert save_forecasts(st, f1, "rt1", meta) == len(f1)
    with pytest.raises(SavedForecastExists, match="never overwritten"):
        save_forecasts(st, f1, "rt1", meta)
    # revise the outcomes: every conflict of 1985-1999 in the first half of the entities flips
    rev = out.copy()
    ents = sorted(out.iso3.unique())[:20]
    m = rev.iso3.isin(ents) & rev.year.between(1985, 1999)
    rev.loc[m, "conflict"] = 1 - rev.loc[m, "conflict"]
    v2 = load_inputs(st, "outcomes", rev).ingest_id
    assert v2 > v1
    stored = st.con.execute("SELECT * FROM forecasts WHERE build_id = 'rt1' ORDER BY probability DESC, entity").df()
    assert len(stored) == len(f1) and (stored["vintage_id"] == v1).all()
    assert stored["created_at"].notna().all() and stored["model_version"].str.match(r"m-[0-9a-f]{12}$").all()
    a = f1.sort_values(["probability", "entity"], ascending=[False, True], ignore_index=True)
    np.testing.assert_array_equal(stored["entity"], a["entity"])
    np.testing.assert_allclose(stored["probability"], a["probability"], rtol=0, atol=0)
    f2, _ = _forecast_at(st, v2)
    j = f1.merge(f2, on="entity", suffixes=("_1", "_2"))
    assert np.abs(j.probability_1 - j.probability_2).max() > 0.01
    again, _ = _forecast_at(st, v1)
    pd.testing.assert_frame_equal(again, f1)


def test_model_version_is_stable_and_tracks_the_config():
    assert model_version(SPEC, "coup", "logit") == model_version(SPEC, "coup", "logit")
    assert model_version(SPEC, "coup", "logit") != model_version(Spec(logit_C=1.0), "coup", "logit")
    assert model_version(SPEC, "coup", "logit") != model_version(SPEC, "coup", "gbm")


def test_score_rows_by_hand():
    s = score_rows(np.array([0.8, 0.2, 0.05, 0.3]), np.array([1, 0, 1, 0]), 0.25)
    np.testing.assert_allclose(s.brier, [0.04, 0.04, 0.9025, 0.09])
    np.testing.assert_allclose(s.log_loss, [-np.log(0.8), -np.log(0.8), -np.log(0.05), -np.log(0.7)])
    assert list(s.result) == ["hit", "correct_negative", "miss", "false_alarm"]


def _tiny_outcomes(with_c_2001: bool) -> pd.DataFrame:
    rows = [("AAA", 1999, 0), ("AAA", 2000, 0), ("AAA", 2001, 1), ("BBB", 1999, 0), ("BBB", 2000, 0),
            ("BBB", 2001, 0), ("CCC", 1999, 0), ("CCC", 2000, 0)] + ([("CCC", 2001, 1)] if with_c_2001 else [])
    return pd.DataFrame(rows, columns=["iso3", "year", "conflict"]).astype({"conflict": float})


def test_warn_score_hand_checked():
    st = Store(":memory:")
    load_inputs(st, "outcomes", _tiny_outcomes(False))
    fc = pd.DataFrame({"entity": ["AAA", "BBB", "CCC"], "target": "conflict_onset", "origin": 2000,
                       "target_years": "2001", "probability": [0.8, 0.2, 0.5], "model": "ensemble"})
    save_forecasts(st, fc, "s1", {"vintage_id": 1, "vintage": "ingest 1"})
    got = score_saved(st, "s1", threshold=0.5)
    sc = got["scored"].set_index("entity")
    assert list(got["pending"]["entity"]) == ["CCC"]  # its 2001 outcome is not loaded yet
    assert sc.loc["AAA", "outcome"] == 1 and sc.loc["BBB", "outcome"] == 0
    np.testing.assert_allclose(sc.loc[["AAA", "BBB"], "brier"], [0.04, 0.04])
    np.testing.assert_allclose(sc.loc[["AAA", "BBB"], "log_loss"], [-np.log(0.8)] * 2)
    assert list(sc.loc[["AAA", "BBB"], "result"]) == ["hit", "correct_negative"]
    sm = got["summary"].iloc[0]
    assert (sm.n, sm.events, sm.pending, sm.hits, sm.misses) == (2, 1, 1, 1, 0)
    assert sm.brier == pytest.approx(0.04) and sm.aupr == pytest.approx(1.0)
    assert score_saved(st, "s1")["scored"].empty  # nothing new: nothing appended
    assert st.con.execute("SELECT count(*) FROM forecast_scores").fetchone()[0] == 2
    # the 2001 outcome of CCC arrives in a new vintage: only CCC is scored now
    load_inputs(st, "outcomes", _tiny_outcomes(True))
    got2 = score_saved(st, "s1", threshold=0.5)
    assert list(got2["scored"]["entity"]) == ["CCC"] and got2["pending"].empty
    assert got2["scored"]["brier"].iloc[0] == pytest.approx(0.25) and got2["scored"]["result"].iloc[0] == "hit"
    assert st.con.execute("SELECT count(*) FROM forecast_scores").fetchone()[0] == 3
    assert st.con.execute("SELECT count(*) FROM forecast_score_summary").fetchone()[0] == 2
    with pytest.raises(ValueError, match="no saved forecasts with id 'nope'"):
        score_saved(st, "nope")


def test_indicator_without_data_at_origin_is_left_out_with_a_note(synth, tmp_path):
    """pm25-style: an indicator with no observation at or before an origin is left out of that
    origin's build (the other index features are built), and the note names it and the origins."""
    out, pred, _ = synth
    panel, fw, groups = synthetic_index(out, pred, tmp_path)
    cut = panel.where(~((panel.indicator == "ind_n1") & (panel.period <= 1996)))
    ix = OriginIndex(cut, fw, groups)
    assert ix.unobserved(1995) == ["ind_n1"] and ix.unobserved(1997) == []
    feats = ix.features(1995)
    assert feats["score_stress"].notna().sum() > 300 and feats["score_noise"].notna().sum() > 300
    assert ix.note_lines(range(1994, 1999)) == [
        "index indicator ind_n1: no observation published at or before origins 1994-1996, so left out of "
        "those origins' index builds"]
    # left out, not imputed from later years: the origin-1995 build equals one without the indicator
    fw2_panel = cut.sel(indicator=["ind_x", "ind_x2", "ind_n2"])
    from holisec.warning.indexscores import without_indicators

    other = OriginIndex(fw2_panel, without_indicators(fw, ["ind_n1"], "test"), groups)
    pd.testing.assert_frame_equal(feats, other.features(1995))


def test_indicator_absent_from_the_store_is_left_out(synth, tmp_path):
    """An indicator the store has no data for at all (at this vintage) no longer fails the run."""
    out, pred, _ = synth
    panel, fw, groups = synthetic_index(out, pred, tmp_path)
    codes = ["AFG", "AGO", "ALB", "ARG", "ARM", "AUS", "AUT", "AZE", "BDI", "BEL", "BEN", "BFA", "BGD", "BGR",
             "BIH", "BLR", "BOL", "BRA", "BTN", "BWA", "CAF", "CAN", "CHE", "CHL", "CHN", "CIV", "CMR", "COD",
             "COG", "COL", "CRI", "CUB", "CYP", "CZE", "DEU", "DNK", "DOM", "DZA", "ECU", "EGY"]
    long = panel.assign_coords(entity=codes[:panel.sizes["entity"]]).to_dataframe("value").reset_index()
    long = long[long.indicator != "ind_n1"].dropna()
    st = Store(":memory:")
    st.ingest(long, "synth", fmt="long")
    st.add_entities(pd.DataFrame({"entity": codes, "entity_type": "country", "un_region": np.where(
        np.arange(len(codes)) % 2, "R1", "R2"), "continent": "C", "income_group": "I"}))
    ix = OriginIndex.from_store(st, framework=str(tmp_path / "synth.yaml"))
    assert ix.unobserved(2000) == ["ind_n1"]
    assert ix.features(2000)["score_stress"].notna().sum() > 300
