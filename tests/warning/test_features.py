import numpy as np
import pandas as pd
import pytest

from holisec.warning.features import build_features
from holisec.warning.publication import published


def test_history_neighbourhood_and_slow_lag():
    years = np.arange(2000, 2006)
    out = pd.DataFrame({"iso3": np.repeat(["A", "B"], 6), "year": np.tile(years, 2),
                        "conflict": [0, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0]})
    pred = pd.DataFrame({"iso3": np.repeat(["A", "B"], 6), "year": np.tile(years, 2),
                         "z": np.arange(12.0)})
    ring = pd.DataFrame({"iso3": ["A", "B"], "iso3_nb": ["B", "A"]})
    f = build_features(out, pred, None, lags={"z": 1}, contiguity=ring).set_index(["iso3", "year"])
    assert f.loc[("A", 2003), "conf_recency"] == pytest.approx(1 / 3)  # 2 years since 2001
    assert f.loc[("A", 2000), "conf_recency"] == 0 and f.loc[("A", 2000), "conf_never"] == 1
    assert f.loc[("A", 2001), "nb_conflict"] == 1 and f.loc[("B", 2001), "nb_conflict"] == 1
    assert f.loc[("B", 2002), "nb_conflict"] == 0
    assert f.loc[("A", 2003), "z"] == 2.0 and np.isnan(f.loc[("A", 2000), "z"])  # lagged one year
    assert f.loc[("A", 2004), "conf_years10"] == 1


def test_locf_limit():
    df = pd.DataFrame({"iso3": "A", "year": np.arange(2000, 2008), "v": [1.0] + [np.nan] * 7})
    w = published(df, {"v": 1}, locf=3).set_index("year")["v"]
    assert list(w.loc[2001:2004]) == [1.0, 1.0, 1.0, 1.0] and np.isnan(w.loc[2005])


def test_scores_are_features():
    import xarray as xr

    out = pd.DataFrame({"iso3": ["A"] * 3, "year": [2000, 2001, 2002], "conflict": 0})
    sc = xr.DataArray(np.arange(3.0).reshape(1, 3, 1), dims=("entity", "period", "code"),
                      coords={"entity": ["A"], "period": [2000, 2001, 2002], "code": ["political"]})
    f = build_features(out, None, sc, lags={"political": 1}, contiguity=pd.DataFrame(columns=["iso3", "iso3_nb"]))
    assert list(f["score_political"].fillna(-1)) == [-1, 0.0, 1.0]
